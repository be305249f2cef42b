package dev.millrace.streaming.examples;

import dev.millrace.streaming.core.StaticKeyAuthorizer;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamListener;
import dev.millrace.streaming.core.StreamOptions;
import dev.millrace.streaming.core.StreamNames;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Millrace example server: RTMP ingest and playback with per-stream keys, in one command.
 *
 * <pre>
 * java -jar streaming-examples/target/millrace-server.jar --stream alice:s3cret
 * </pre>
 *
 * Run with {@code --help} for the options.
 */
public final class MillraceServer {

    private static final Logger log = LoggerFactory.getLogger(MillraceServer.class);

    private MillraceServer() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("millrace-server: " + e.getMessage());
            System.err.println("Run with --help for the options.");
            System.exit(2);
            return;
        }
        if (options.help) {
            Options.usage(System.out);
            return;
        }
        RtmpServer server = start(options, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "millrace-shutdown"));
        server.closeFuture().join();
    }

    /** Starts the server described by {@code options} and prints how to use it to {@code out}. */
    static RtmpServer start(Options options, PrintStream out) throws InterruptedException {
        StaticKeyAuthorizer.Builder keys = StaticKeyAuthorizer.builder();
        options.streams.forEach(keys::stream);
        if (options.open) {
            keys.openPublish();
            log.warn("--open: any stream name may be published without a key. Do not expose this server.");
        }
        RtmpLimits.Builder limits = RtmpLimits.builder();
        if (options.maxConnections > 0) {
            limits.maxConnections(options.maxConnections).maxPendingConnections(options.maxConnections);
        }
        if (options.maxConnectionsPerIp > 0) {
            limits.maxConnectionsPerAddress(options.maxConnectionsPerIp);
        }
        RtmpServer server = RtmpServer.builder()
                .bindAddress(options.bind)
                .port(options.rtmpPort)
                .limits(limits.build())
                .threads(options.threads)
                .streamOptions(StreamOptions.DEFAULT.withFlushWindowMillis(options.flushWindowMillis))
                .authorizer(keys.build())
                .listener(new LoggingListener())
                .start();
        printBanner(options, server.port(), out);
        return server;
    }

    private static void printBanner(Options o, int port, PrintStream out) {
        String host = o.bind.isAnyLocalAddress() ? "<this-host>" : o.bind.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        String base = "rtmp://" + host + ":" + port + "/" + o.app;
        out.println();
        out.println("Millrace is running. RTMP on " + base);
        for (Map.Entry<String, String> e : o.streams.entrySet()) {
            String name = e.getKey();
            out.println();
            out.println("  Stream '" + name + "'");
            out.println("    OBS:     Server " + base + "   Stream key " + (o.generatedKeys.contains(name)
                    ? e.getValue() + "   (generated at start; pass --stream " + name + ":KEY to choose one)"
                    : "<the key you gave for " + name + ">"));
            out.println("    ffmpeg:  ffmpeg -re -i input.mp4 -c copy -f flv " + base + "/" + name + "?key=<key>");
            out.println("    play:    ffplay " + base + "/" + name);
        }
        if (o.open) {
            out.println();
            out.println("  --open: publish any name without a key, e.g. " + base + "/test; play the same URL.");
        }
        if (o.bind.isLoopbackAddress()) {
            out.println();
            out.println("  Listening on loopback only; add --bind 0.0.0.0 to accept other machines.");
        }
        out.println();
    }

    /** Logs stream events (never keys: events carry public names only). */
    static final class LoggingListener implements StreamListener {
        @Override
        public void onPublishStart(StreamInfo s) {
            log.info("publish start {} from {}", s.path(), s.publisher());
        }

        @Override
        public void onPublishStop(StreamInfo s) {
            log.info("publish stop {}: {} video frames, {} audio frames, {} viewers at peak", s.path(),
                    s.stats().videoFrames(), s.stats().audioFrames(), s.stats().peakViewers());
        }

        @Override
        public void onMetadata(StreamInfo s, Map<String, Object> metadata) {
            log.info("{}: {}x{} from encoder '{}'", s.path(), s.width(), s.height(),
                    metadata.getOrDefault("encoder", "?"));
        }
    }

    /** Command-line options. */
    static final class Options {
        int rtmpPort = 1935;
        InetAddress bind = InetAddress.getLoopbackAddress();
        String app = "live";
        final Map<String, String> streams = new LinkedHashMap<>();
        final List<String> generatedKeys = new ArrayList<>();
        int maxConnections;
        int maxConnectionsPerIp;
        long flushWindowMillis = StreamOptions.DEFAULT.flushWindowMillis();
        /** Event-loop threads; 0 lets the server choose (twice the processors, Netty's default). */
        int threads;
        boolean open;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--rtmp-port":
                        o.rtmpPort = port(value(args, ++i, a));
                        break;
                    case "--bind":
                        o.bind = address(value(args, ++i, a));
                        break;
                    case "--app":
                        o.app = name(value(args, ++i, a), "application");
                        break;
                    case "--stream":
                        o.stream(value(args, ++i, a));
                        break;
                    case "--max-connections":
                        o.maxConnections = count(value(args, ++i, a), a);
                        break;
                    case "--max-connections-per-ip":
                        o.maxConnectionsPerIp = count(value(args, ++i, a), a);
                        break;
                    case "--flush-window-ms":
                        o.flushWindowMillis = count(value(args, ++i, a), a, 0);
                        break;
                    case "--threads":
                        o.threads = count(value(args, ++i, a), a);
                        break;
                    case "--open":
                        o.open = true;
                        break;
                    case "-h":
                    case "--help":
                        o.help = true;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.streams.isEmpty() && !o.open) {
                // One command should give a working server: invent one stream with a random key.
                o.streams.put("stream", randomKey());
                o.generatedKeys.add("stream");
            }
            return o;
        }

        private void stream(String spec) {
            int colon = spec.indexOf(':');
            if (colon <= 0 || colon == spec.length() - 1) {
                throw new IllegalArgumentException("--stream takes NAME:KEY");
            }
            String n = name(spec.substring(0, colon), "stream");
            String key = name(spec.substring(colon + 1), "key");
            if (streams.putIfAbsent(n, key) != null) {
                throw new IllegalArgumentException("stream " + n + " given twice");
            }
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int port(String s) {
            try {
                int p = Integer.parseInt(s);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("not a port: " + s);
        }

        private static int count(String s, String option) {
            return count(s, option, 1);
        }

        private static int count(String s, String option, int min) {
            try {
                int n = Integer.parseInt(s);
                if (n >= min) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " takes a number of at least " + min);
        }

        private static InetAddress address(String s) {
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("cannot resolve --bind " + s);
            }
        }

        private static String name(String s, String what) {
            if (!StreamNames.isValid(s, 256)) {
                throw new IllegalArgumentException("invalid " + what + " name (letters, digits, - _ . ~ + = @)");
            }
            return s;
        }

        private static String randomKey() {
            SecureRandom r = new SecureRandom();
            StringBuilder sb = new StringBuilder("mr_");
            String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            for (int i = 0; i < 20; i++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            return sb.toString();
        }

        static void usage(PrintStream out) {
            out.println("Usage: java -jar millrace-server.jar [options]");
            out.println();
            out.println("  --rtmp-port N      RTMP port (default 1935; 0 picks a free port)");
            out.println("  --bind ADDR        address to listen on (default 127.0.0.1; 0.0.0.0 for all)");
            out.println("  --app NAME         RTMP application (default live)");
            out.println("  --stream NAME:KEY  stream NAME needs KEY to publish, as rtmp://host/live/NAME?key=KEY");
            out.println("                     or rtmp://host/live/KEY; viewers play rtmp://host/live/NAME.");
            out.println("                     Repeatable. Without --stream or --open one stream with a random key");
            out.println("                     is created.");
            out.println("  --open             any stream name may be published without a key (development only)");
            out.println("  --max-connections N         connections at once (default 10000)");
            out.println("  --max-connections-per-ip N  connections at once from one address (default 1000)");
            out.println("  --flush-window-ms N         how long a viewer's writes may wait to go out together");
            out.println("  --threads N                 event-loop threads (default: twice the processors)");
            out.println("  --help             this text");
        }
    }
}
