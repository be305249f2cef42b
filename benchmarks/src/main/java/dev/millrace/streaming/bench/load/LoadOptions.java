package dev.millrace.streaming.bench.load;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The command line of {@link LoadHarness}, parsed and checked. Every option is {@code --name value}, except the flag
 * {@code --server-jvm} (which also takes an explicit {@code true} or {@code false}).
 */
final class LoadOptions {

    static final String USAGE = """
            usage: LoadHarness [options]
              --url URL               RTMP application URL on a loopback address (default rtmp://127.0.0.1:1935/live)
              --label NAME            server label carried into the results (default server)
              --scenario NAME         scenario name (default <publishers>x<players>, e.g. 1x50)
              --note TEXT             free text carried into the results
              --publishers N          streams published, <prefix>-0 .. <prefix>-(N-1) (default 1)
              --stream-prefix S       stream name prefix (default bench)
              --publish-query Q       appended as name?Q to publish names only
              --players M             players per stream (default 10)
              --video-kbps K          synthetic H.264 bitrate (default 600)
              --audio-kbps K          synthetic AAC bitrate, 0 = no audio (default 64)
              --fps F                 synthetic frame rate (default 30)
              --gop-seconds S         synthetic keyframe interval (default 2)
              --flv FILE              replay this H.264/AAC FLV, looped, instead of synthetic media
              --warmup SECONDS        before the measured window (default 5)
              --duration SECONDS      the measured window (default 30)
              --connect-rate N        player connections started per second (default 200)
              --threads N             client event loop threads (default: available processors)
              --server-pid PID        sample the server's process tree from /proc
              --server-jvm            the server is a JVM: also read its heap with jstat / jcmd
              --results FILE          append one TSV row (header first if the file is new or empty)
              --json FILE             write the full result as one JSON object
              --reconnect-every S     publishers reconnect and republish every S seconds (default 0 = never)
              --sample-every S        print a time-series line every S seconds (default 0 = off)
              --samples FILE          with --sample-every: write the time series as TSV
            """;

    String url = "rtmp://127.0.0.1:1935/live";
    String label = "server";
    String scenario;
    String note = "";
    int publishers = 1;
    String streamPrefix = "bench";
    String publishQuery;
    int players = 10;
    int videoKbps = 600;
    int audioKbps = 64;
    int fps = 30;
    double gopSeconds = 2;
    Path flv;
    double warmupSeconds = 5;
    double durationSeconds = 30;
    int connectRate = 200;
    int threads = Runtime.getRuntime().availableProcessors();
    long serverPid = -1;
    boolean serverJvm;
    Path results;
    Path json;
    double reconnectEverySeconds;
    double sampleEverySeconds;
    Path samples;
    boolean help;

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the option for an unknown option, a missing or malformed value, or a
     *     value out of range
     */
    static LoadOptions parse(String... args) {
        LoadOptions o = new LoadOptions();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help") || name.equals("-h")) {
                o.help = true;
                continue;
            }
            if (name.equals("--server-jvm")) {
                if (i + 1 < args.length && (args[i + 1].equals("true") || args[i + 1].equals("false"))) {
                    o.serverJvm = Boolean.parseBoolean(args[++i]);
                } else {
                    o.serverJvm = true;
                }
                continue;
            }
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + name);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String v = args[++i];
            switch (name) {
                case "--url" -> o.url = v;
                case "--label" -> o.label = v;
                case "--scenario" -> o.scenario = v;
                case "--note" -> o.note = v;
                case "--publishers" -> o.publishers = integer(name, v, 1, 100_000);
                case "--stream-prefix" -> o.streamPrefix = v;
                case "--publish-query" -> o.publishQuery = v.startsWith("?") ? v.substring(1) : v;
                case "--players" -> o.players = integer(name, v, 0, 1_000_000);
                case "--video-kbps" -> o.videoKbps = integer(name, v, 1, 1_000_000);
                case "--audio-kbps" -> o.audioKbps = integer(name, v, 0, 10_000);
                case "--fps" -> o.fps = integer(name, v, 1, 240);
                case "--gop-seconds" -> o.gopSeconds = decimal(name, v, 0.01, 3600);
                case "--flv" -> o.flv = Paths.get(v);
                case "--warmup" -> o.warmupSeconds = decimal(name, v, 0, 86_400);
                case "--duration" -> o.durationSeconds = decimal(name, v, 0.1, 30 * 86_400);
                case "--connect-rate" -> o.connectRate = integer(name, v, 1, 1_000_000);
                case "--threads" -> o.threads = integer(name, v, 1, 1024);
                case "--server-pid" -> o.serverPid = integer(name, v, 1, Integer.MAX_VALUE);
                case "--results" -> o.results = Paths.get(v);
                case "--json" -> o.json = Paths.get(v);
                case "--reconnect-every" -> o.reconnectEverySeconds = decimal(name, v, 0, 86_400);
                case "--sample-every" -> o.sampleEverySeconds = decimal(name, v, 0, 86_400);
                case "--samples" -> o.samples = Paths.get(v);
                default -> throw new IllegalArgumentException("unknown option " + name + " (see --help)");
            }
        }
        if (o.scenario == null) {
            o.scenario = o.publishers + "x" + o.players;
        }
        if (o.serverJvm && o.serverPid < 0) {
            throw new IllegalArgumentException("--server-jvm needs --server-pid");
        }
        if (o.samples != null && o.sampleEverySeconds <= 0) {
            throw new IllegalArgumentException("--samples needs --sample-every");
        }
        if (o.streamPrefix.isEmpty()) {
            throw new IllegalArgumentException("--stream-prefix must not be empty");
        }
        return o;
    }

    /** The name stream {@code index} is played as. */
    String streamName(int index) {
        return streamPrefix + "-" + index;
    }

    /** The name stream {@code index} is published as: with the publish query, if any. */
    String publishName(int index) {
        return publishQuery == null || publishQuery.isEmpty() ? streamName(index)
                : streamName(index) + "?" + publishQuery;
    }

    private static int integer(String name, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a whole number, not " + v);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " out of " + min + ".." + max + ": " + v);
        }
        return (int) n;
    }

    private static double decimal(String name, String v, double min, double max) {
        double n;
        try {
            n = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, not " + v);
        }
        if (!(n >= min && n <= max)) {
            throw new IllegalArgumentException(name + " out of " + min + ".." + max + ": " + v);
        }
        return n;
    }
}
