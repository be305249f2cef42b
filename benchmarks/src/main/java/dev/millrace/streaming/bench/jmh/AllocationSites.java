package dev.millrace.streaming.bench.jmh;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.JavaFlightRecorderProfiler;

/**
 * Where a benchmark allocates: a post-processor for JMH's JFR profiler that sums the {@code jdk.ObjectAllocationSample}
 * events of the recording by allocated class and the top stack frames, and writes the largest sites, with their
 * share of all sampled bytes, to {@code allocation-sites.txt} beside the recording (and to standard output).
 * Multiply a share by the benchmark's {@code gc.alloc.rate.norm} for bytes per operation.
 *
 * <pre>
 * -prof "jfr:configName=profile;postProcessor=dev.millrace.streaming.bench.jmh.AllocationSites"
 * </pre>
 *
 * JFR samples allocations (at most a few hundred a second, each weighted by the bytes it stands for), so small
 * shares are approximate; the sites themselves are exact.
 */
public final class AllocationSites implements JavaFlightRecorderProfiler.PostProcessor {

    /** Frames shown per site, method handle and reflection frames left out, up to the benchmark stub. */
    private static final int FRAMES = 10;
    private static final int SITES = 20;

    public AllocationSites() {
    }

    @Override
    public List<File> postProcess(BenchmarkParams params, File jfrFile) {
        try {
            String report = params.id() + "\n" + summarize(jfrFile.toPath());
            File out = new File(jfrFile.getParentFile(), "allocation-sites.txt");
            Files.writeString(out.toPath(), report, StandardCharsets.UTF_8);
            System.out.println(report);
            return List.of(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + jfrFile, e);
        }
    }

    /** The allocation sites of a recording, largest first. */
    static String summarize(Path recording) throws IOException {
        Map<String, long[]> weights = new HashMap<>();
        long total = 0;
        long samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (!e.getEventType().getName().equals("jdk.ObjectAllocationSample")) {
                    continue;
                }
                long weight = e.getLong("weight");
                String key = e.getClass("objectClass").getName() + "\n" + frames(e.getStackTrace());
                weights.computeIfAbsent(key, k -> new long[1])[0] += weight;
                total += weight;
                samples++;
            }
        }
        List<Map.Entry<String, long[]>> sites = new ArrayList<>(weights.entrySet());
        sites.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d allocation samples, %d sampled bytes; top sites:%n", samples, total));
        for (int i = 0; i < Math.min(SITES, sites.size()); i++) {
            Map.Entry<String, long[]> site = sites.get(i);
            String[] lines = site.getKey().split("\n", 2);
            sb.append(String.format(Locale.ROOT, "%5.1f%%  %s%n", 100.0 * site.getValue()[0] / total, lines[0]));
            sb.append(lines[1]);
        }
        return sb.toString();
    }

    private static String frames(RecordedStackTrace trace) {
        if (trace == null) {
            return "        (no stack trace)\n";
        }
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (RecordedFrame f : trace.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("java.lang.invoke.") || type.startsWith("jdk.internal.reflect.")
                    || type.startsWith("java.lang.reflect.")) {
                continue; // method handle and reflection plumbing
            }
            sb.append("        at ").append(type).append('.').append(f.getMethod().getName()).append(':')
                    .append(f.getLineNumber()).append('\n');
            if (++shown == FRAMES || type.contains(".jmh_generated.")) {
                break; // the benchmark method is the last frame of interest
            }
        }
        return sb.toString();
    }
}
