package dev.millrace.streaming.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The verdict {@code benchmarks/soak.sh} prints: does the server's memory stay flat over a long run, and are the
 * players still playing at the end? Reads the samples TSV {@code LoadHarness --samples} writes (by column name:
 * {@code elapsed_s}, {@code rss_mb}, {@code heap_used_mb}, {@code players_playing}, {@code publisher_reconnects},
 * {@code player_reconnects}; {@code -} means not measured).
 *
 * <p>For RSS and for heap used, with T the elapsed time of the last sample:
 * <ul>
 *   <li><b>early</b>: the median of the samples in [0.1 T, 0.2 T), after the first 10 % in which the JIT compiles,
 *       pools fill and players connect;
 *   <li><b>late</b>: the median of the samples in [0.9 T, T];
 *   <li><b>growth</b>: late - early, in MB and in % of early;
 *   <li><b>slope</b>: MB per hour by least squares over the samples in [0.5 T, T], the steady half.
 * </ul>
 * Medians rather than means, so one sample at the top of a GC saw-tooth does not decide the verdict.
 *
 * <p>Memory is <b>flat</b> when both growth is at most {@code --max-growth-pct} (default 10 %) and the slope at
 * most {@code --max-slope-mb-per-hour} (default 25 MB/h: a leak that fills a 256 MB heap in about ten hours), for
 * RSS and for heap used where measured. Players are <b>ok</b> when the last sample has at least
 * {@code --expected-players} playing. Exit status 0 when both hold, 1 otherwise (or with too few samples), 2 on a
 * usage error.
 */
public final class SoakReport {

    static final double DEFAULT_MAX_GROWTH_PCT = 10;
    static final double DEFAULT_MAX_SLOPE_MB_PER_HOUR = 25;

    /** One row of the samples TSV; {@link Double#NaN} where the row has {@code -} or lacks the column. */
    record Sample(double elapsedSeconds, double rssMb, double heapUsedMb, double playersPlaying,
            double publisherReconnects, double playerReconnects) {
    }

    /**
     * How one memory figure moved; NaN fields where there were no samples to compute them from.
     *
     * @param earlyMb median over [0.1 T, 0.2 T)
     * @param lateMb median over [0.9 T, T]
     * @param slopeMbPerHour least-squares slope over [0.5 T, T]
     */
    record Trend(double earlyMb, double lateMb, double slopeMbPerHour) {
        double growthMb() {
            return lateMb - earlyMb;
        }

        double growthPct() {
            return earlyMb == 0 ? Double.NaN : 100 * (lateMb - earlyMb) / earlyMb;
        }

        boolean measured() {
            return !Double.isNaN(earlyMb) && !Double.isNaN(lateMb) && !Double.isNaN(slopeMbPerHour);
        }

        boolean flat(double maxGrowthPct, double maxSlopeMbPerHour) {
            return measured() && !(growthPct() > maxGrowthPct) && slopeMbPerHour <= maxSlopeMbPerHour;
        }
    }

    /** The analysis of one run; {@code rss} and {@code heap} as {@link #trend} computes them. */
    record Report(double durationSeconds, int samples, Trend rss, Trend heap, double playersPlayingAtEnd,
            int expectedPlayers, double publisherReconnects, double playerReconnects) {
    }

    private SoakReport() {
    }

    public static void main(String[] args) {
        Path file = null;
        int expectedPlayers = -1;
        double maxGrowthPct = DEFAULT_MAX_GROWTH_PCT;
        double maxSlope = DEFAULT_MAX_SLOPE_MB_PER_HOUR;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--expected-players" -> expectedPlayers = Integer.parseInt(value(args, ++i));
                    case "--max-growth-pct" -> maxGrowthPct = Double.parseDouble(value(args, ++i));
                    case "--max-slope-mb-per-hour" -> maxSlope = Double.parseDouble(value(args, ++i));
                    default -> {
                        if (args[i].startsWith("--") || file != null) {
                            throw new IllegalArgumentException("unexpected argument " + args[i]);
                        }
                        file = Path.of(args[i]);
                    }
                }
            }
            if (file == null || expectedPlayers < 0) {
                throw new IllegalArgumentException("need SAMPLES.tsv and --expected-players N");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("SoakReport: " + e.getMessage());
            System.err.println("Usage: SoakReport SAMPLES.tsv --expected-players N [--max-growth-pct P]"
                    + " [--max-slope-mb-per-hour S]");
            System.exit(2);
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            System.err.println("SoakReport: no such file: " + file);
            System.exit(2);
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Report report = analyse(parse(lines), expectedPlayers);
        System.out.print(format(report, maxGrowthPct, maxSlope));
        System.exit(passed(report, maxGrowthPct, maxSlope) ? 0 : 1);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /**
     * Reads the samples from the lines of a samples TSV whose first line is the header; blank lines and repeated
     * headers are skipped.
     *
     * @throws IllegalArgumentException if the header has no {@code elapsed_s} column
     */
    static List<Sample> parse(List<String> lines) {
        if (lines.isEmpty()) {
            return List.of();
        }
        TsvRows tsv = new TsvRows(lines);
        if (!tsv.hasColumn("elapsed_s")) {
            throw new IllegalArgumentException("the header has no elapsed_s column: " + tsv.header());
        }
        List<Sample> samples = new ArrayList<>();
        for (String[] cells : tsv.rows()) {
            Sample s = new Sample(tsv.number(cells, "elapsed_s"), tsv.number(cells, "rss_mb"),
                    tsv.number(cells, "heap_used_mb"), tsv.number(cells, "players_playing"),
                    tsv.number(cells, "publisher_reconnects"), tsv.number(cells, "player_reconnects"));
            if (!Double.isNaN(s.elapsedSeconds())) {
                samples.add(s);
            }
        }
        return samples;
    }

    static Report analyse(List<Sample> samples, int expectedPlayers) {
        double duration = 0;
        for (Sample s : samples) {
            duration = Math.max(duration, s.elapsedSeconds());
        }
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        return new Report(duration, samples.size(), trend(samples, Sample::rssMb, duration),
                trend(samples, Sample::heapUsedMb, duration),
                last == null ? Double.NaN : last.playersPlaying(), expectedPlayers,
                last == null ? Double.NaN : last.publisherReconnects(),
                last == null ? Double.NaN : last.playerReconnects());
    }

    /** The trend of {@code figure} over a run whose last sample is at {@code duration} seconds. */
    static Trend trend(List<Sample> samples, ToDoubleFunction<Sample> figure, double duration) {
        List<Double> early = new ArrayList<>();
        List<Double> late = new ArrayList<>();
        List<double[]> secondHalf = new ArrayList<>();
        for (Sample s : samples) {
            double y = figure.applyAsDouble(s);
            double t = s.elapsedSeconds();
            if (Double.isNaN(y)) {
                continue;
            }
            if (t >= 0.1 * duration && t < 0.2 * duration) {
                early.add(y);
            }
            if (t >= 0.9 * duration) {
                late.add(y);
            }
            if (t >= 0.5 * duration) {
                secondHalf.add(new double[] {t, y});
            }
        }
        return new Trend(median(early), median(late), slopePerSecond(secondHalf) * 3600);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Least-squares slope of y over t for points {t, y}; NaN with fewer than two distinct t. */
    static double slopePerSecond(List<double[]> points) {
        int n = points.size();
        if (n < 2) {
            return Double.NaN;
        }
        double meanT = 0;
        double meanY = 0;
        for (double[] p : points) {
            meanT += p[0];
            meanY += p[1];
        }
        meanT /= n;
        meanY /= n;
        double covariance = 0;
        double variance = 0;
        for (double[] p : points) {
            covariance += (p[0] - meanT) * (p[1] - meanY);
            variance += (p[0] - meanT) * (p[0] - meanT);
        }
        return variance == 0 ? Double.NaN : covariance / variance;
    }

    /**
     * True if memory is flat (RSS measured and flat; heap flat where measured, a non-JVM server has none) and the
     * expected players were playing at the end.
     */
    static boolean passed(Report r, double maxGrowthPct, double maxSlopeMbPerHour) {
        boolean heapOk = !r.heap().measured() || r.heap().flat(maxGrowthPct, maxSlopeMbPerHour);
        return r.rss().flat(maxGrowthPct, maxSlopeMbPerHour) && heapOk && playersOk(r);
    }

    private static boolean playersOk(Report r) {
        return !Double.isNaN(r.playersPlayingAtEnd()) && r.playersPlayingAtEnd() >= r.expectedPlayers();
    }

    static String format(Report r, double maxGrowthPct, double maxSlopeMbPerHour) {
        StringBuilder sb = new StringBuilder();
        double t = r.durationSeconds();
        sb.append(String.format(Locale.ROOT, "Soak: %.0f s, %d samples; early = median over %.0f-%.0f s,"
                + " late = median over %.0f-%.0f s, slope over %.0f-%.0f s%n",
                t, r.samples(), 0.1 * t, 0.2 * t, 0.9 * t, t, 0.5 * t, t));
        sb.append(String.format(Locale.ROOT, "%-10s %9s %9s %10s %9s %11s  %s%n",
                "", "early MB", "late MB", "growth MB", "growth", "slope MB/h", "verdict"));
        line(sb, "RSS", r.rss(), maxGrowthPct, maxSlopeMbPerHour);
        line(sb, "heap used", r.heap(), maxGrowthPct, maxSlopeMbPerHour);
        sb.append(String.format(Locale.ROOT, "Players playing at the end: %s/%d%n",
                integer(r.playersPlayingAtEnd()), r.expectedPlayers()));
        sb.append(String.format(Locale.ROOT, "Reconnects: publishers %s, players %s%n",
                integer(r.publisherReconnects()), integer(r.playerReconnects())));
        boolean memoryFlat = r.rss().flat(maxGrowthPct, maxSlopeMbPerHour)
                && (!r.heap().measured() || r.heap().flat(maxGrowthPct, maxSlopeMbPerHour));
        sb.append("Verdict: ")
                .append(!r.rss().measured() ? "UNKNOWN (too few samples)" : memoryFlat ? "FLAT" : "GROWING")
                .append(", ")
                .append(playersOk(r) ? "players OK" : "PLAYERS LOST")
                .append(String.format(Locale.ROOT, " (flat: growth <= %s %% and slope <= %s MB/h)%n",
                        plain(maxGrowthPct), plain(maxSlopeMbPerHour)));
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, Trend trend, double maxGrowthPct, double maxSlope) {
        if (!trend.measured()) {
            sb.append(String.format(Locale.ROOT, "%-10s %9s %9s %10s %9s %11s  %s%n",
                    name, "-", "-", "-", "-", "-", "not measured"));
            return;
        }
        sb.append(String.format(Locale.ROOT, "%-10s %9.1f %9.1f %+10.1f %+8.1f%% %+11.1f  %s%n",
                name, trend.earlyMb(), trend.lateMb(), trend.growthMb(), trend.growthPct(), trend.slopeMbPerHour(),
                trend.flat(maxGrowthPct, maxSlope) ? "flat" : "GROWING"));
    }

    private static String integer(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String plain(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : Double.toString(v);
    }
}
