package dev.millrace.streaming.bench.load;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one run: one TSV row ({@link #TSV_HEADER}), a JSON object with more detail, and a readable summary.
 * Quantities not measured (no {@code --server-pid}, no player got a frame) are NaN here and {@code -} in the TSV,
 * {@code null} in the JSON.
 */
final class LoadResult {

    /** The TSV columns, in order; the comparison table reads them by name. */
    static final List<String> TSV_COLUMNS = List.of("date", "label", "scenario", "note", "publishers",
            "players_per_stream", "duration_s", "players_total", "players_playing", "players_kept_up", "stalls",
            "ttff_p50_ms", "ttff_p99_ms", "ttfkf_p50_ms", "lat_p50_ms", "lat_p95_ms", "lat_p99_ms", "lat_max_ms",
            "delivered_bytes", "delivered_mbps", "server_cpu_s", "cpu_s_per_gb", "rss_avg_mb", "rss_max_mb",
            "threads_max", "frames_sent", "publisher_reconnects", "player_reconnects", "errors", "alat_p50_ms",
            "alat_p95_ms", "alat_p99_ms");
    static final String TSV_HEADER = String.join("\t", TSV_COLUMNS);

    /** A player kept up when it got at least this share of the frames its publisher sent in the window... */
    static final double KEPT_UP_FRAME_SHARE = 0.95;
    /** ...had no stall, and its p99 latency stayed below this. */
    static final double KEPT_UP_P99_MILLIS = 1000;

    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String label;
    String scenario;
    String note;
    String url;
    String media;
    int publishers;
    int playersPerStream;
    double durationSeconds;
    double warmupSeconds;
    int playersTotal;
    int playersPlaying;
    int playersKeptUp;
    int stalls;
    double stallMillis;
    double ttffP50Millis = Double.NaN;
    double ttffP99Millis = Double.NaN;
    double ttfkfP50Millis = Double.NaN;
    double ttfkfP99Millis = Double.NaN;
    long latencySamples;
    double latP50Millis = Double.NaN;
    double latP90Millis = Double.NaN;
    double latP95Millis = Double.NaN;
    double latP99Millis = Double.NaN;
    double latP999Millis = Double.NaN;
    double latMaxMillis = Double.NaN;
    /** Audio latency (synthetic media only: replayed AAC is not stamped). */
    long audioLatencySamples;
    double audioLatP50Millis = Double.NaN;
    double audioLatP95Millis = Double.NaN;
    double audioLatP99Millis = Double.NaN;
    double audioLatMaxMillis = Double.NaN;
    long deliveredBytes;
    long deliveredMessages;
    double serverCpuSeconds = Double.NaN;
    double rssAvgMb = Double.NaN;
    double rssMaxMb = Double.NaN;
    int threadsMax = -1;
    double heapMaxMb = Double.NaN;
    double liveHeapMb = Double.NaN;
    long framesSent;
    long[] framesSentPerStream = new long[0];
    int publishersPublished;
    int publisherReconnects;
    int playerReconnects;
    int errors;
    long wrongStreamFrames;

    /** Megabits per second delivered to all players over the window. */
    double deliveredMbps() {
        return deliveredBytes * 8 / durationSeconds / 1e6;
    }

    /** Server CPU seconds per gigabyte delivered; NaN without CPU numbers or without delivery. */
    double cpuSecondsPerGb() {
        return deliveredBytes == 0 ? Double.NaN : serverCpuSeconds / (deliveredBytes / 1e9);
    }

    /** Nearest-rank percentile of {@code values} (sorted here); NaN when empty. */
    static double percentile(double[] values, double percentile) {
        if (values.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(values);
        int rank = (int) Math.max(1, Math.ceil(percentile / 100 * values.length));
        return values[rank - 1];
    }

    /** The TSV row matching {@link #TSV_HEADER}, no line end. */
    String tsvRow() {
        Object[] v = {date.toString(), text(label), text(scenario), text(note), publishers, playersPerStream,
            num(durationSeconds), playersTotal, playersPlaying, playersKeptUp, stalls, num(ttffP50Millis),
            num(ttffP99Millis), num(ttfkfP50Millis), num(latP50Millis), num(latP95Millis), num(latP99Millis),
            num(latMaxMillis), deliveredBytes, num(deliveredMbps()), num(serverCpuSeconds), num(cpuSecondsPerGb()),
            num(rssAvgMb), num(rssMaxMb), threadsMax < 0 ? "-" : threadsMax, framesSent, publisherReconnects,
            playerReconnects, errors, num(audioLatP50Millis), num(audioLatP95Millis), num(audioLatP99Millis)};
        StringBuilder sb = new StringBuilder(256);
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append('\t');
            }
            sb.append(v[i]);
        }
        return sb.toString();
    }

    /** The whole result as one JSON object, one line. */
    String json() {
        StringBuilder sb = new StringBuilder(1024).append('{');
        field(sb, "date", date.toString());
        field(sb, "label", label);
        field(sb, "scenario", scenario);
        field(sb, "note", note);
        field(sb, "url", url);
        field(sb, "media", media);
        field(sb, "publishers", publishers);
        field(sb, "publishers_published", publishersPublished);
        field(sb, "players_per_stream", playersPerStream);
        field(sb, "warmup_s", warmupSeconds);
        field(sb, "duration_s", durationSeconds);
        field(sb, "players_total", playersTotal);
        field(sb, "players_playing", playersPlaying);
        field(sb, "players_kept_up", playersKeptUp);
        field(sb, "stalls", stalls);
        field(sb, "stall_ms", stallMillis);
        field(sb, "ttff_p50_ms", ttffP50Millis);
        field(sb, "ttff_p99_ms", ttffP99Millis);
        field(sb, "ttfkf_p50_ms", ttfkfP50Millis);
        field(sb, "ttfkf_p99_ms", ttfkfP99Millis);
        field(sb, "lat_samples", latencySamples);
        field(sb, "lat_p50_ms", latP50Millis);
        field(sb, "lat_p90_ms", latP90Millis);
        field(sb, "lat_p95_ms", latP95Millis);
        field(sb, "lat_p99_ms", latP99Millis);
        field(sb, "lat_p999_ms", latP999Millis);
        field(sb, "lat_max_ms", latMaxMillis);
        field(sb, "alat_samples", audioLatencySamples);
        field(sb, "alat_p50_ms", audioLatP50Millis);
        field(sb, "alat_p95_ms", audioLatP95Millis);
        field(sb, "alat_p99_ms", audioLatP99Millis);
        field(sb, "alat_max_ms", audioLatMaxMillis);
        field(sb, "delivered_bytes", deliveredBytes);
        field(sb, "delivered_messages", deliveredMessages);
        field(sb, "delivered_mbps", deliveredMbps());
        field(sb, "server_cpu_s", serverCpuSeconds);
        field(sb, "cpu_s_per_gb", cpuSecondsPerGb());
        field(sb, "rss_avg_mb", rssAvgMb);
        field(sb, "rss_max_mb", rssMaxMb);
        field(sb, "threads_max", threadsMax < 0 ? Double.NaN : threadsMax);
        field(sb, "heap_used_max_mb", heapMaxMb);
        field(sb, "heap_live_mb", liveHeapMb);
        field(sb, "frames_sent", framesSent);
        sb.append("\"frames_sent_per_stream\":[");
        for (int i = 0; i < framesSentPerStream.length; i++) {
            sb.append(i > 0 ? "," : "").append(framesSentPerStream[i]);
        }
        sb.append("],");
        field(sb, "wrong_stream_frames", wrongStreamFrames);
        field(sb, "publisher_reconnects", publisherReconnects);
        field(sb, "player_reconnects", playerReconnects);
        field(sb, "errors", errors);
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    /** A few readable lines for stdout. */
    String summary() {
        StringBuilder sb = new StringBuilder(512);
        sb.append(String.format(Locale.ROOT, "%s %s (%s)%s%n", label, scenario, media,
                note == null || note.isEmpty() ? "" : " [" + note + "]"));
        sb.append(String.format(Locale.ROOT, "  publishers %d/%d published, %d players per stream, window %.1f s%n",
                publishersPublished, publishers, playersPerStream, durationSeconds));
        sb.append(String.format(Locale.ROOT, "  players: %d total, %d playing, %d kept up; %d stalls (%.0f ms)%n",
                playersTotal, playersPlaying, playersKeptUp, stalls, stallMillis));
        sb.append(String.format(Locale.ROOT, "  first frame p50 %s ms p99 %s ms; first keyframe p50 %s ms%n",
                num(ttffP50Millis), num(ttffP99Millis), num(ttfkfP50Millis)));
        sb.append(String.format(Locale.ROOT, "  latency ms: p50 %s p95 %s p99 %s p99.9 %s max %s (%d frames)%n",
                num(latP50Millis), num(latP95Millis), num(latP99Millis), num(latP999Millis), num(latMaxMillis),
                latencySamples));
        if (audioLatencySamples > 0) {
            sb.append(String.format(Locale.ROOT, "  audio latency ms: p50 %s p95 %s p99 %s max %s (%d frames)%n",
                    num(audioLatP50Millis), num(audioLatP95Millis), num(audioLatP99Millis),
                    num(audioLatMaxMillis), audioLatencySamples));
        }
        sb.append(String.format(Locale.ROOT, "  delivered %.1f MB (%.2f Mbit/s, %.2f MB/s), %d video frames sent%n",
                deliveredBytes / 1e6, deliveredMbps(), deliveredBytes / 1e6 / durationSeconds, framesSent));
        sb.append(String.format(Locale.ROOT, "  server: cpu %s s (%s s/GB), rss avg %s MB max %s MB, threads max %s",
                num(serverCpuSeconds), num(cpuSecondsPerGb()), num(rssAvgMb), num(rssMaxMb),
                threadsMax < 0 ? "-" : Integer.toString(threadsMax)));
        if (!Double.isNaN(heapMaxMb) || !Double.isNaN(liveHeapMb)) {
            sb.append(String.format(Locale.ROOT, ", heap used max %s MB, live %s MB", num(heapMaxMb),
                    num(liveHeapMb)));
        }
        sb.append(String.format(Locale.ROOT, "%n  reconnects: publishers %d, players %d; errors %d%n",
                publisherReconnects, playerReconnects, errors));
        return sb.toString();
    }

    /** A number with up to three decimals, '.' as separator; {@code -} for NaN. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        String s = String.format(Locale.ROOT, "%.3f", v);
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') {
                end--;
            }
            if (s.charAt(end - 1) == '.') {
                end--;
            }
            s = s.substring(0, end);
        }
        return s.equals("-0") ? "0" : s;
    }

    /** A TSV cell: tabs and line breaks become spaces; empty becomes {@code -}. */
    private static String text(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":");
        if (value == null) {
            sb.append("null");
        } else {
            quote(sb, value);
        }
        sb.append(',');
    }

    private static void field(StringBuilder sb, String name, long value) {
        sb.append('"').append(name).append("\":").append(value).append(',');
    }

    private static void field(StringBuilder sb, String name, double value) {
        sb.append('"').append(name).append("\":");
        sb.append(Double.isNaN(value) || Double.isInfinite(value) ? "null" : num(value)).append(',');
    }

    /** RFC 8259 section 7 string. */
    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
