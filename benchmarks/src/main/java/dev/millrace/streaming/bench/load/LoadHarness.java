package dev.millrace.streaming.bench.load;

import dev.millrace.streaming.rtmp.RtmpClient;
import dev.millrace.streaming.rtmp.client.RtmpUrl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The RTMP load harness: publishes N synthetic (or replayed) streams to an RTMP server on this machine, plays each
 * with M players, and measures what the players get over a fixed window: latency from publisher to player (from the
 * {@link FrameStamp} in every frame), time to first frame, throughput, stalls, how many players kept up, and the
 * server's CPU and memory from {@code /proc}. Works against any RTMP server: it speaks RTMP through
 * {@link RtmpClient}, on Netty event loops, so a thousand players fit in one JVM.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.millrace.streaming.bench.load.LoadHarness \
 *     --url rtmp://127.0.0.1:1935/live --publishers 1 --players 200 --duration 30 --server-pid 1234 \
 *     --label millrace --results results.tsv
 * </pre>
 *
 * <p>A run: publishers start; players connect at {@code --connect-rate} per second; nothing counts until the warmup
 * ends; then the measured window of {@code --duration} seconds; then everything closes and the results are printed,
 * appended as a TSV row ({@code --results}) and written as JSON ({@code --json}). See {@code --help} for every
 * option.
 *
 * <p>Exit status: 0 after a run, 1 when some publisher never managed to publish, 2 for a bad command line (including
 * a URL whose host is not a loopback address: the harness only loads servers on this machine).
 */
public final class LoadHarness {

    /** Slack after the window before the process is stopped whatever it is doing. */
    private static final long HARD_STOP_SLACK_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long frames sent at the end of the window may take to arrive before the players close. */
    private static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** How long to wait for the first publish of every stream before players start anyway. */
    private static final long FIRST_PUBLISH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private LoadHarness() {
    }

    /** Runs the harness and exits with its status; see the class description. */
    public static void main(String[] args) {
        System.exit(run(args, true));
    }

    /**
     * Runs the harness in this JVM and returns its exit status instead of exiting (for tests and for embedding in a
     * larger run).
     */
    public static int run(String... args) {
        return run(args, false);
    }

    private static int run(String[] args, boolean haltAtHardStop) {
        LoadOptions o;
        RtmpUrl url;
        try {
            o = LoadOptions.parse(args);
            if (o.help) {
                System.out.print(LoadOptions.USAGE);
                return 0;
            }
            url = RtmpUrl.parse(o.url);
            requireLoopback(url.host());
        } catch (IllegalArgumentException e) {
            System.err.println("LoadHarness: " + e.getMessage());
            System.err.print(LoadOptions.USAGE);
            return 2;
        }
        ProcessSampler server = null;
        if (o.serverPid > 0) {
            try {
                server = new ProcessSampler(o.serverPid);
            } catch (IllegalArgumentException e) {
                System.err.println("LoadHarness: --server-pid: " + e.getMessage());
                return 2;
            }
        }
        MediaTrack track;
        try {
            track = o.flv != null ? MediaTrack.flv(o.flv)
                    : MediaTrack.synthetic(o.videoKbps, o.audioKbps, o.fps, o.gopSeconds);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("LoadHarness: --flv: " + e.getMessage());
            return 2;
        }
        try {
            return new Run(o, url, track, server, haltAtHardStop).execute();
        } finally {
            track.close();
        }
    }

    /**
     * Refuses a host that is not, or does not only, resolve to loopback addresses.
     *
     * @throws IllegalArgumentException naming the address
     */
    static void requireLoopback(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--url: cannot resolve host " + host);
        }
        for (InetAddress a : addresses) {
            if (!a.isLoopbackAddress()) {
                throw new IllegalArgumentException("--url: host " + host + " resolves to " + a.getHostAddress()
                        + ", not a loopback address; the load harness only loads servers on this machine");
            }
        }
    }

    /** One run, from start to results. */
    private static final class Run {
        private final LoadOptions o;
        private final RtmpUrl url;
        private final MediaTrack track;
        private final ProcessSampler server;
        private final JvmHeapProbe heap;
        private final boolean haltAtHardStop;

        private final long startNanos = System.nanoTime();
        private final long windowStartNanos;
        private final long windowEndNanos;
        private final long hardStopNanos;
        private final RunState run;

        /** Written by the window sampler, read after it terminated. */
        private ProcessSampler.Sample windowStart;
        private double rssSumMb;
        private double rssMaxMb = Double.NaN;
        private int rssSamples;
        private int threadsMax = -1;

        Run(LoadOptions o, RtmpUrl url, MediaTrack track, ProcessSampler server, boolean haltAtHardStop) {
            this.o = o;
            this.url = url;
            this.track = track;
            this.server = server;
            this.heap = o.serverJvm ? new JvmHeapProbe(o.serverPid) : null;
            this.haltAtHardStop = haltAtHardStop;
            this.windowStartNanos = startNanos + (long) (o.warmupSeconds * 1e9);
            this.windowEndNanos = windowStartNanos + (long) (o.durationSeconds * 1e9);
            this.hardStopNanos = windowEndNanos + HARD_STOP_SLACK_NANOS;
            this.run = new RunState(windowStartNanos, windowEndNanos, o.sampleEverySeconds > 0);
        }

        int execute() {
            if (haltAtHardStop) {
                startWatchdog();
            }
            System.out.printf("LoadHarness: %s, %d stream(s) x %d player(s), %s; warmup %s s, window %s s%n",
                    url, o.publishers, o.players, track.description(), LoadResult.num(o.warmupSeconds),
                    LoadResult.num(o.durationSeconds));
            PlayerProbe[] players = new PlayerProbe[o.publishers * o.players];
            List<StreamPublisher> publishers = new ArrayList<>(o.publishers);
            ScheduledExecutorService samplers = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "load-harness-sampler");
                t.setDaemon(true);
                return t;
            });
            TimeSeries series = null;
            RtmpClient client = RtmpClient.builder().threads(o.threads).connectTimeoutMillis(30_000)
                    .handshakeTimeoutMillis(30_000).commandTimeoutMillis(30_000).build();
            try {
                for (int i = 0; i < players.length; i++) {
                    int stream = i % o.publishers;
                    players[i] = new PlayerProbe(stream, o.url, o.streamName(stream), client, run);
                }
                if (o.sampleEverySeconds > 0) {
                    try {
                        series = new TimeSeries(startNanos, run, players, server, heap, o.samples);
                    } catch (IOException e) {
                        System.err.println("LoadHarness: --samples: " + e);
                        return 2;
                    }
                    TimeSeries s = series;
                    long period = (long) (o.sampleEverySeconds * 1e9);
                    samplers.scheduleAtFixedRate(() -> guarded(s::sample), period, period, TimeUnit.NANOSECONDS);
                }
                if (server != null) {
                    samplers.scheduleAtFixedRate(() -> guarded(this::sampleServer),
                            Math.max(0, windowStartNanos - System.nanoTime()), TimeUnit.SECONDS.toNanos(1),
                            TimeUnit.NANOSECONDS);
                }
                for (int i = 0; i < o.publishers; i++) {
                    StreamPublisher p = new StreamPublisher(i, o.publishers, o.url, o.publishName(i), track, client,
                            run, o.reconnectEverySeconds);
                    publishers.add(p);
                    p.start();
                }
                awaitFirstPublishes(publishers);
                connectPlayers(players);
                sleepUntil(windowEndNanos);
                ProcessSampler.Sample windowEnd = server == null ? null : server.sample();
                sleepUntil(windowEndNanos + DRAIN_NANOS);
                run.stop();
                samplers.shutdownNow();
                awaitQuietly(samplers);
                client.close();
                double liveHeap = heap == null ? Double.NaN : heap.liveHeapMb();
                LoadResult r = result(players, publishers, windowEnd, series, liveHeap);
                write(r);
                System.out.print(r.summary());
                return r.publishersPublished < o.publishers ? 1 : 0;
            } finally {
                run.stop();
                samplers.shutdownNow();
                client.close();
            }
        }

        private void startWatchdog() {
            Thread t = new Thread(() -> {
                sleepUntil(hardStopNanos);
                System.err.println("LoadHarness: hard stop " + HARD_STOP_SLACK_NANOS / 1_000_000_000L
                        + " s after the window; exiting");
                Runtime.getRuntime().halt(3);
            }, "load-harness-watchdog");
            t.setDaemon(true);
            t.start();
        }

        private void awaitFirstPublishes(List<StreamPublisher> publishers) {
            long deadline = System.nanoTime() + FIRST_PUBLISH_WAIT_NANOS;
            for (StreamPublisher p : publishers) {
                try {
                    p.firstOutcome().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    System.err.println("LoadHarness: a publisher has not published after "
                            + FIRST_PUBLISH_WAIT_NANOS / 1_000_000_000L + " s; starting the players anyway");
                    return;
                } catch (Exception e) {
                    // counted by the publisher
                }
            }
        }

        /** Starts the players at the connect rate, interleaving the streams; stops starting at the window's end. */
        private void connectPlayers(PlayerProbe[] players) {
            long begin = System.nanoTime();
            long intervalNanos = 1_000_000_000L / o.connectRate;
            for (int i = 0; i < players.length; i++) {
                long due = begin + i * intervalNanos;
                if (due - windowEndNanos >= 0) {
                    System.err.printf("LoadHarness: only %d of %d players started before the window ended%n", i,
                            players.length);
                    return;
                }
                sleepUntil(due);
                players[i].start();
            }
        }

        /** Window sampler thread: the start sample, then RSS and threads once a second. */
        private void sampleServer() {
            long now = System.nanoTime();
            if (now - windowEndNanos > 0) {
                return;
            }
            ProcessSampler.Sample s = server.sample();
            if (windowStart == null) {
                windowStart = s;
            }
            if (s.processes() > 0) {
                rssSumMb += s.rssMb();
                rssSamples++;
                rssMaxMb = Double.isNaN(rssMaxMb) ? s.rssMb() : Math.max(rssMaxMb, s.rssMb());
                threadsMax = Math.max(threadsMax, s.threads());
            }
        }

        private LoadResult result(PlayerProbe[] players, List<StreamPublisher> publishers,
                ProcessSampler.Sample windowEnd, TimeSeries series, double liveHeap) {
            LoadResult r = new LoadResult();
            r.label = o.label;
            r.scenario = o.scenario;
            r.note = o.note;
            r.url = url.toString() + "/" + url.app();
            r.media = track.description();
            r.publishers = o.publishers;
            r.playersPerStream = o.players;
            r.durationSeconds = o.durationSeconds;
            r.warmupSeconds = o.warmupSeconds;
            r.playersTotal = players.length;
            long[] sent = new long[publishers.size()];
            for (int i = 0; i < sent.length; i++) {
                StreamPublisher p = publishers.get(i);
                sent[i] = p.framesSentInWindow();
                r.framesSent += sent[i];
                r.publishersPublished += p.everPublished() ? 1 : 0;
            }
            r.framesSentPerStream = sent;
            LatencyHistogram all = new LatencyHistogram();
            LatencyHistogram allAudio = new LatencyHistogram();
            double[] ttff = new double[players.length];
            double[] ttfkf = new double[players.length];
            int nTtff = 0;
            int nTtfkf = 0;
            for (PlayerProbe p : players) {
                p.finish();
                r.deliveredBytes += p.bytes;
                r.deliveredMessages += p.messages;
                r.stalls += p.stalls;
                r.stallMillis += p.stallNanos / 1e6;
                r.wrongStreamFrames += p.wrongStreamFrames;
                if (p.timeToFirstFrameNanos() >= 0) {
                    ttff[nTtff++] = p.timeToFirstFrameNanos() / 1e6;
                }
                if (p.timeToFirstKeyframeNanos() >= 0) {
                    ttfkf[nTtfkf++] = p.timeToFirstKeyframeNanos() / 1e6;
                }
                if (p.frames > 0) {
                    r.playersPlaying++;
                }
                double p99 = p.latency == null ? Double.NaN : p.latency.percentileMicros(99) / 1000.0;
                boolean enoughFrames = p.frames > 0
                        && p.frames >= LoadResult.KEPT_UP_FRAME_SHARE * sent[p.streamIndex()];
                boolean stamped = p.latency != null;
                if (enoughFrames && p.stalls == 0 && (!stamped || p99 < LoadResult.KEPT_UP_P99_MILLIS)) {
                    r.playersKeptUp++;
                }
                if (p.latency != null) {
                    all.add(p.latency);
                }
                if (p.audioLatency != null) {
                    allAudio.add(p.audioLatency);
                }
            }
            r.ttffP50Millis = LoadResult.percentile(Arrays.copyOf(ttff, nTtff), 50);
            r.ttffP99Millis = LoadResult.percentile(Arrays.copyOf(ttff, nTtff), 99);
            r.ttfkfP50Millis = LoadResult.percentile(Arrays.copyOf(ttfkf, nTtfkf), 50);
            r.ttfkfP99Millis = LoadResult.percentile(Arrays.copyOf(ttfkf, nTtfkf), 99);
            r.latencySamples = all.count();
            r.audioLatencySamples = allAudio.count();
            if (allAudio.count() > 0) {
                r.audioLatP50Millis = allAudio.percentileMicros(50) / 1000.0;
                r.audioLatP95Millis = allAudio.percentileMicros(95) / 1000.0;
                r.audioLatP99Millis = allAudio.percentileMicros(99) / 1000.0;
                r.audioLatMaxMillis = allAudio.maxMicros() / 1000.0;
            }
            if (all.count() > 0) {
                r.latP50Millis = all.percentileMicros(50) / 1000.0;
                r.latP90Millis = all.percentileMicros(90) / 1000.0;
                r.latP95Millis = all.percentileMicros(95) / 1000.0;
                r.latP99Millis = all.percentileMicros(99) / 1000.0;
                r.latP999Millis = all.percentileMicros(99.9) / 1000.0;
                r.latMaxMillis = all.maxMicros() / 1000.0;
            }
            if (windowStart != null && windowEnd != null) {
                r.serverCpuSeconds = windowEnd.cpuSecondsSince(windowStart);
                if (windowEnd.processes() > 0) {
                    rssSumMb += windowEnd.rssMb();
                    rssSamples++;
                    rssMaxMb = Double.isNaN(rssMaxMb) ? windowEnd.rssMb() : Math.max(rssMaxMb, windowEnd.rssMb());
                    threadsMax = Math.max(threadsMax, windowEnd.threads());
                }
            }
            r.rssAvgMb = rssSamples == 0 ? Double.NaN : rssSumMb / rssSamples;
            r.rssMaxMb = rssMaxMb;
            r.threadsMax = threadsMax;
            r.heapMaxMb = series == null ? Double.NaN : series.heapMaxMb();
            r.liveHeapMb = liveHeap;
            r.publisherReconnects = run.publisherReconnects.get();
            r.playerReconnects = run.playerReconnects.get();
            r.errors = run.errors.get() + (int) Math.min(Integer.MAX_VALUE, r.wrongStreamFrames);
            return r;
        }

        private void write(LoadResult r) {
            try {
                if (o.results != null) {
                    Path f = o.results;
                    boolean fresh = !Files.exists(f) || Files.size(f) == 0;
                    Files.writeString(f, (fresh ? LoadResult.TSV_HEADER + "\n" : "") + r.tsvRow() + "\n",
                            StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                if (o.json != null) {
                    Files.writeString(o.json, r.json() + "\n", StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                System.err.println("LoadHarness: cannot write results: " + e);
            }
        }

        private static void guarded(Runnable task) {
            try {
                task.run();
            } catch (RuntimeException e) {
                System.err.println("LoadHarness: sampling failed: " + e);
            }
        }

        private static void awaitQuietly(ScheduledExecutorService executor) {
            try {
                executor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Parks the calling (main) thread until {@code deadline}, {@link System#nanoTime()}. */
        private static void sleepUntil(long deadline) {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
