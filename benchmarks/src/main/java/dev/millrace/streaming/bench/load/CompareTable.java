package dev.millrace.streaming.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The side-by-side table {@code benchmarks/compare.sh} prints: reads the results TSV that {@code LoadHarness}
 * appends to and prints Markdown, one row per scenario (and note) and server, Millrace first and the others in the
 * order they first appear in the file, with these columns:
 *
 * <ul>
 *   <li><b>CPU s/GB</b>: server CPU seconds (user + system, the server process and its descendants) per gigabyte
 *       delivered to players ({@code cpu_s_per_gb}); the cost of serving, independent of how many players kept up.
 *   <li><b>RSS max MB</b>: the largest resident set size sampled during the measured period ({@code rss_max_mb}).
 *   <li><b>kept up</b>: {@code k/n}, players that received media at the publishers' rate ({@code players_kept_up})
 *       out of the players started ({@code players_total}).
 *   <li><b>p95 ms</b>, <b>p99 ms</b>: video latency percentiles from publisher send to player receive
 *       ({@code lat_p95_ms}, {@code lat_p99_ms}); <b>audio p95 ms</b> the same for audio frames
 *       ({@code alat_p95_ms}).
 *   <li><b>TTFF p50 ms</b>: median time from a player's connect to its first media frame ({@code ttff_p50_ms}).
 * </ul>
 *
 * Then, on each other server's ("peer's") row, where Millrace and that peer both have a figure for the scenario:
 *
 * <ul>
 *   <li><b>Millrace CPU/GB</b>: Millrace's CPU s/GB divided by the peer's, e.g. {@code 0.55x}: below 1x Millrace
 *       spends less CPU per byte delivered.
 *   <li><b>Millrace RSS</b>: Millrace's RSS max divided by the peer's, the same way.
 *   <li><b>Millrace p95</b>: Millrace's video p95 latency minus the peer's in whole milliseconds, e.g.
 *       {@code +12 ms}: negative means Millrace delivers sooner.
 * </ul>
 *
 * Without Millrace rows, or without peers, there are no ratio columns. A measurement the harness did not take
 * ({@code -} in the TSV), a missing column or a zero divisor shows as {@code -}.
 *
 * <p>Rows are matched by the header's column names, so columns may be reordered or added. A run repeated with the
 * same label, scenario and note replaces the earlier one: the last row in the file wins. A note of {@code -} is the
 * same as no note.
 */
public final class CompareTable {

    /** The label the harness gives Millrace's runs; its figures are the numerators of the ratio columns. */
    static final String MILLRACE = "millrace";

    private static final String NO_VALUE = "-";

    /**
     * One harness run, with the figures the table shows; {@link Double#NaN} where the TSV has {@code -} or lacks
     * the column.
     */
    record Run(String label, String scenario, String note, double cpuSecondsPerGb, double rssMaxMb,
            double playersKeptUp, double playersTotal, double latencyP95Millis, double latencyP99Millis,
            double audioLatencyP95Millis, double ttffP50Millis) {
    }

    private CompareTable() {
    }

    /** Prints the table for the results TSV named by the only argument. Exit status 2 on a usage or I/O error. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("Usage: CompareTable RESULTS.tsv");
            System.exit(2);
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            System.err.println("CompareTable: no such file: " + args[0]);
            System.exit(2);
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Run> runs = parse(lines);
        if (runs.isEmpty()) {
            System.out.println("No results in " + args[0]);
            return;
        }
        System.out.print(format(runs));
    }

    /**
     * Reads the runs from the lines of a results TSV whose first line is the header. Blank lines and repeated
     * header lines are skipped; of several rows with the same label, scenario and note only the last is kept, at
     * the place of the first.
     *
     * @throws IllegalArgumentException if the header has no {@code label} or {@code scenario} column
     */
    static List<Run> parse(List<String> lines) {
        if (lines.isEmpty()) {
            return List.of();
        }
        TsvRows tsv = new TsvRows(lines);
        if (!tsv.hasColumn("label") || !tsv.hasColumn("scenario")) {
            throw new IllegalArgumentException("the header has no label or scenario column: " + tsv.header());
        }
        Map<List<String>, Run> runs = new LinkedHashMap<>();
        for (String[] cells : tsv.rows()) {
            Run run = new Run(
                    tsv.text(cells, "label"),
                    tsv.text(cells, "scenario"),
                    tsv.text(cells, "note"),
                    tsv.number(cells, "cpu_s_per_gb"),
                    tsv.number(cells, "rss_max_mb"),
                    tsv.number(cells, "players_kept_up"),
                    tsv.number(cells, "players_total"),
                    tsv.number(cells, "lat_p95_ms"),
                    tsv.number(cells, "lat_p99_ms"),
                    tsv.number(cells, "alat_p95_ms"),
                    tsv.number(cells, "ttff_p50_ms"));
            runs.put(List.of(run.label(), run.scenario(), run.note()), run);
        }
        return new ArrayList<>(runs.values());
    }

    /** The Markdown table of {@code runs} (as {@link #parse} returns them), with a one-line legend under it. */
    static String format(List<Run> runs) {
        Set<String> labels = new LinkedHashSet<>();
        Map<List<String>, Map<String, Run>> rows = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.label().equals(MILLRACE)) {
                labels.add(MILLRACE);
            }
        }
        for (Run r : runs) {
            labels.add(r.label());
            rows.computeIfAbsent(List.of(r.scenario(), r.note()), k -> new HashMap<>()).put(r.label(), r);
        }
        List<String> peers = new ArrayList<>();
        if (labels.contains(MILLRACE)) {
            for (String label : labels) {
                if (!label.equals(MILLRACE)) {
                    peers.add(label);
                }
            }
        }

        List<String[]> table = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("Scenario", "Server", "CPU s/GB", "RSS max MB", "kept up",
                "p95 ms", "p99 ms", "audio p95 ms", "TTFF p50 ms"));
        if (!peers.isEmpty()) {
            head.addAll(List.of("Millrace CPU/GB", "Millrace RSS", "Millrace p95"));
        }
        table.add(head.toArray(String[]::new));

        for (Map.Entry<List<String>, Map<String, Run>> e : rows.entrySet()) {
            String scenario = e.getKey().get(0);
            String note = e.getKey().get(1);
            Map<String, Run> byLabel = e.getValue();
            Run m = byLabel.get(MILLRACE);
            for (String label : labels) {
                Run r = byLabel.get(label);
                if (r == null) {
                    continue;
                }
                List<String> row = new ArrayList<>();
                row.add(note.isEmpty() ? scenario : scenario + " (" + note + ")");
                row.add(label);
                row.add(number(r.cpuSecondsPerGb()));
                row.add(number(r.rssMaxMb()));
                row.add(keptUp(r));
                row.add(number(r.latencyP95Millis()));
                row.add(number(r.latencyP99Millis()));
                row.add(number(r.audioLatencyP95Millis()));
                row.add(number(r.ttffP50Millis()));
                if (!peers.isEmpty()) {
                    boolean compared = m != null && r != m;
                    row.add(compared ? ratio(m.cpuSecondsPerGb(), r.cpuSecondsPerGb()) : NO_VALUE);
                    row.add(compared ? ratio(m.rssMaxMb(), r.rssMaxMb()) : NO_VALUE);
                    row.add(compared ? difference(m.latencyP95Millis(), r.latencyP95Millis()) : NO_VALUE);
                }
                table.add(row.toArray(String[]::new));
            }
        }

        StringBuilder sb = markdown(table);
        sb.append('\n').append("CPU s/GB: server CPU seconds per GB delivered. kept up: players at the publishers'"
                + " rate / players. p95, p99: publisher-to-player video latency; audio p95 the same for audio."
                + " TTFF: time to first frame.");
        if (!peers.isEmpty()) {
            sb.append(" Millrace columns, on a peer's row: Millrace's figure / the peer's (below 1x: Millrace uses"
                    + " less), and Millrace's p95 minus the peer's.");
        }
        sb.append('\n');
        return sb.toString();
    }

    /** A Markdown table with padded cells: the first column left-aligned, the others right-aligned. */
    private static StringBuilder markdown(List<String[]> table) {
        int columns = table.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : table) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], Math.max(3, row[c].length()));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < table.size(); i++) {
            String[] row = table.get(i);
            sb.append('|');
            for (int c = 0; c < columns; c++) {
                String pad = " ".repeat(widths[c] - row[c].length());
                sb.append(' ').append(c == 0 ? row[c] + pad : pad + row[c]).append(" |");
            }
            sb.append('\n');
            if (i == 0) {
                sb.append('|');
                for (int c = 0; c < columns; c++) {
                    sb.append(c == 0 ? " " + "-".repeat(widths[c]) + " |" : " " + "-".repeat(widths[c] - 1) + ": |");
                }
                sb.append('\n');
            }
        }
        return sb;
    }

    private static String keptUp(Run r) {
        if (Double.isNaN(r.playersKeptUp()) || Double.isNaN(r.playersTotal())) {
            return NO_VALUE;
        }
        return integer(r.playersKeptUp()) + "/" + integer(r.playersTotal());
    }

    private static String integer(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** {@code millrace / peer} as {@code 0.55x}, or {@code -} if either is unknown or the peer's is zero. */
    static String ratio(double millrace, double peer) {
        if (Double.isNaN(millrace) || Double.isNaN(peer) || peer == 0) {
            return NO_VALUE;
        }
        return String.format(Locale.ROOT, "%.2fx", millrace / peer);
    }

    /** {@code millrace - peer} in whole milliseconds with its sign, {@code +12 ms}, or {@code -} if unknown. */
    static String difference(double millraceMillis, double peerMillis) {
        if (Double.isNaN(millraceMillis) || Double.isNaN(peerMillis)) {
            return NO_VALUE;
        }
        long d = Math.round(millraceMillis - peerMillis);
        return (d < 0 ? "-" : "+") + Math.abs(d) + " ms";
    }

    /** Three significant digits or more (0.123, 1.23, 12.3, 123, 1234), {@code 0}, or {@code -} for NaN. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return NO_VALUE;
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }
}
