package dev.millrace.streaming.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The periodic samples of a run ({@code --sample-every}): one line per interval to stdout and, optionally, a TSV file
 * with the header {@link #HEADER}, for soak runs that watch memory, CPU and delivery over hours.
 *
 * <p>{@link #sample()} runs on one sampling thread; it reads the shared counters of {@link RunState}, the players'
 * states, and the server through {@link ProcessSampler} and {@link JvmHeapProbe} when given.
 */
final class TimeSeries {

    static final String HEADER = "elapsed_s\trss_mb\theap_used_mb\tcpu_s\tplayers_connected\tplayers_playing"
            + "\tdelivered_mb\tframes_per_s\tlat_p99_ms_last_interval\tpublisher_reconnects\tplayer_reconnects";

    private final long startNanos;
    private final RunState run;
    private final PlayerProbe[] players;
    private final ProcessSampler server;
    private final ProcessSampler.Sample serverAtStart;
    private final JvmHeapProbe heap;
    private final Path file;
    private long lastNanos;
    private long lastFrames;
    private double heapMaxMb = Double.NaN;

    TimeSeries(long startNanos, RunState run, PlayerProbe[] players, ProcessSampler server, JvmHeapProbe heap,
            Path file) throws IOException {
        this.startNanos = startNanos;
        this.run = run;
        this.players = players;
        this.server = server;
        this.serverAtStart = server == null ? null : server.sample();
        this.heap = heap;
        this.file = file;
        this.lastNanos = startNanos;
        if (file != null && (!Files.exists(file) || Files.size(file) == 0)) {
            Files.writeString(file, HEADER + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
        System.out.println("# " + HEADER);
    }

    /** The largest heap use seen, in MiB; NaN if not sampled. */
    double heapMaxMb() {
        return heapMaxMb;
    }

    /** Takes one sample and writes its line. */
    void sample() {
        long now = System.nanoTime();
        double rssMb = Double.NaN;
        double cpu = Double.NaN;
        if (server != null) {
            ProcessSampler.Sample s = server.sample();
            rssMb = s.rssMb();
            cpu = s.cpuSecondsSince(serverAtStart);
        }
        double heapMb = heap == null ? Double.NaN : heap.usedHeapMb();
        if (!Double.isNaN(heapMb)) {
            heapMaxMb = Double.isNaN(heapMaxMb) ? heapMb : Math.max(heapMaxMb, heapMb);
        }
        int connected = 0;
        int playing = 0;
        for (PlayerProbe p : players) {
            int state = p.state;
            if (state == PlayerProbe.CONNECTED || state == PlayerProbe.PLAYING) {
                connected++;
            }
            if (state == PlayerProbe.PLAYING) {
                playing++;
            }
        }
        long frames = run.videoFramesReceived.sum();
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        double framesPerSecond = (frames - lastFrames) / seconds;
        lastFrames = frames;
        lastNanos = now;
        LatencyHistogram interval = run.intervalLatency.drain();
        double p99 = interval.count() == 0 ? Double.NaN : interval.percentileMicros(99) / 1000.0;
        String line = String.format(Locale.ROOT, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%d\t%d",
                LoadResult.num((now - startNanos) / 1e9), LoadResult.num(rssMb), LoadResult.num(heapMb),
                LoadResult.num(cpu), connected, playing, LoadResult.num(run.deliveredBytes.sum() / 1e6),
                LoadResult.num(framesPerSecond), LoadResult.num(p99), run.publisherReconnects.get(),
                run.playerReconnects.get());
        System.out.println(line);
        if (file != null) {
            try {
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
