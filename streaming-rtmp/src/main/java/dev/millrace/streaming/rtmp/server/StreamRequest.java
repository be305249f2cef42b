package dev.millrace.streaming.rtmp.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An application or stream name as a client sends it, split into the name and its query string
 * ({@code alice?key=K} → {@code alice}, {key: K}). Internal.
 */
record StreamRequest(String name, Map<String, String> query) {

    /** Query parameters kept from one name; more are ignored. */
    static final int MAX_PARAMETERS = 32;

    static StreamRequest parse(String raw) {
        String s = raw == null ? "" : raw.trim();
        int q = s.indexOf('?');
        String name = q < 0 ? s : s.substring(0, q);
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            parseQuery(s.substring(q + 1), query);
        }
        // "rtmp://host/live/" leaves a trailing slash on the app; one is dropped, as OBS does.
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        return new StreamRequest(name, query);
    }

    private static void parseQuery(String query, Map<String, String> out) {
        int start = 0;
        while (start <= query.length() && out.size() < MAX_PARAMETERS) {
            int amp = query.indexOf('&', start);
            String pair = amp < 0 ? query.substring(start) : query.substring(start, amp);
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                out.putIfAbsent(k, v);
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** This request's parameters with {@code fallback}'s added where absent (stream name wins over app). */
    Map<String, String> queryWith(Map<String, String> fallback) {
        if (fallback.isEmpty()) {
            return query;
        }
        Map<String, String> all = new LinkedHashMap<>(fallback);
        all.putAll(query);
        return all;
    }
}
