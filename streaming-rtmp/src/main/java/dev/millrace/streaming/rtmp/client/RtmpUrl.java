package dev.millrace.streaming.rtmp.client;

import java.util.Locale;

/**
 * A server URL as {@link dev.millrace.streaming.rtmp.RtmpClient#connect} takes it:
 * {@code rtmp://host[:port]/app} or {@code rtmps://host[:port]/app}, the URL up to and including the application;
 * the stream name goes to {@code publish} or {@code play}.
 *
 * <p>The application is everything after {@code host[:port]/}, further slashes and a query string included, with
 * one trailing slash dropped: {@code rtmp://h/live} and {@code rtmp://h/live/} both name {@code live},
 * {@code rtmp://h/app/instance} names {@code app/instance}, {@code rtmps://h:443/live2?backup=1} names
 * {@code live2?backup=1}. {@code tcUrl} is the URL as given with that slash dropped. This is how OBS splits its
 * server URL (RTMP-FIELD-GUIDE §8 step 2).
 *
 * @param secure true for {@code rtmps://}
 * @param host the host name or IP literal, without the brackets of an IPv6 literal
 * @param port the port, 1935 (rtmp) or 443 (rtmps) when the URL names none
 * @param app the application, never empty
 * @param tcUrl the URL sent as {@code tcUrl} (and {@code swfUrl}) in {@code connect}
 */
public record RtmpUrl(boolean secure, String host, int port, String app, String tcUrl) {

    /** RTMP's registered port. */
    public static final int DEFAULT_PORT = 1935;
    /** Port of {@code rtmps://} URLs that name none, as YouTube and Facebook use. */
    public static final int DEFAULT_SECURE_PORT = 443;

    /**
     * Parses a server URL.
     *
     * @throws IllegalArgumentException if it is not {@code rtmp[s]://host[:port]/app}: another scheme, no host,
     *     credentials ({@code user:pass@}), a bad port, no application, or whitespace or control characters
     */
    public static RtmpUrl parse(String url) {
        if (url == null) {
            throw new IllegalArgumentException("no URL");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c == 0x7F) {
                throw new IllegalArgumentException("whitespace or control character in URL at index " + i);
            }
        }
        String lower = url.toLowerCase(Locale.ROOT);
        boolean secure;
        int authorityStart;
        if (lower.startsWith("rtmp://")) {
            secure = false;
            authorityStart = 7;
        } else if (lower.startsWith("rtmps://")) {
            secure = true;
            authorityStart = 8;
        } else {
            throw new IllegalArgumentException("not an rtmp:// or rtmps:// URL");
        }
        int slash = url.indexOf('/', authorityStart);
        if (slash < 0) {
            throw new IllegalArgumentException("no application: expected rtmp://host[:port]/app");
        }
        String authority = url.substring(authorityStart, slash);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("credentials in the URL are not supported");
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed IPv6 literal");
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("unexpected characters after IPv6 literal");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            if (colon >= 0) {
                portText = authority.substring(colon + 1);
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        int port = secure ? DEFAULT_SECURE_PORT : DEFAULT_PORT;
        if (portText != null) {
            port = parsePort(portText);
        }
        String tcUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        String app = tcUrl.length() > slash ? tcUrl.substring(slash + 1) : "";
        if (app.isEmpty()) {
            throw new IllegalArgumentException("no application: expected rtmp://host[:port]/app");
        }
        return new RtmpUrl(secure, host, port, app, tcUrl);
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5) {
            throw new IllegalArgumentException("bad port");
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("bad port");
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of 1..65535: " + port);
        }
        return port;
    }

    @Override
    public String toString() {
        // The application may carry a query with a secret; print only where the connection goes.
        return (secure ? "rtmps://" : "rtmp://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
