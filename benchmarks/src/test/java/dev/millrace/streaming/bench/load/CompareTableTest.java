package dev.millrace.streaming.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareTableTest {

    /** The columns LoadHarness writes, in its order. */
    private static final String HEADER = String.join("\t", "date", "label", "scenario", "note", "publishers",
            "players_per_stream", "duration_s", "players_total", "players_playing", "players_kept_up", "stalls",
            "ttff_p50_ms", "ttff_p99_ms", "ttfkf_p50_ms", "lat_p50_ms", "lat_p95_ms", "lat_p99_ms", "lat_max_ms",
            "delivered_bytes", "delivered_mbps", "server_cpu_s", "cpu_s_per_gb", "rss_avg_mb", "rss_max_mb",
            "threads_max", "frames_sent", "publisher_reconnects", "player_reconnects", "errors", "alat_p50_ms",
            "alat_p95_ms", "alat_p99_ms");

    /** A results row; the columns the table does not show hold plausible filler. */
    private static String row(String label, String scenario, String note, String keptUp, String total,
            String ttffP50, String p95, String p99, String cpuPerGb, String rssMax) {
        return String.join("\t", "2026-12-04T17:00:00Z", label, scenario, note, "1", total, "30", total, total,
                keptUp, "0", ttffP50, "2000", "1500", "20", p95, p99, "250", "123456789", "33.0", "1.23",
                cpuPerGb, "150", rssMax, "12", "900", "0", "0", "0", "10", audioP95(p95), "30");
    }

    /** The audio p95 of a row: 5 ms more than its video p95, to tell the columns apart. */
    private static String audioP95(String p95) {
        return p95.equals("-") ? "-" : String.valueOf(Double.parseDouble(p95) + 5);
    }

    private static final List<String> THREE_SERVERS = List.of(
            HEADER,
            // Superseded by the later millrace fanout-50 row.
            row("millrace", "fanout-50", "-", "10", "50", "999", "999", "999", "9.99", "999"),
            row("millrace", "fanout-50", "-", "50", "50", "150", "40", "60", "1.1", "200"),
            row("millrace", "publishers-50", "-", "50", "50", "120", "30", "45", "1.5", "250"),
            row("nginx-rtmp", "fanout-50", "-", "50", "50", "1200", "28", "35", "2.0", "20"),
            row("nginx-rtmp", "publishers-50", "-", "50", "50", "900", "30", "50", "3.0", "25"),
            row("nms", "fanout-50", "-", "48", "50", "300", "52.4", "90", "4.4", "80"),
            row("nms", "publishers-50", "-", "50", "50", "200", "35.4", "-", "6.0", "-"));

    /** The cells of each line of the Markdown table (legend and separator line left out). */
    private static List<List<String>> cells(String table) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : table.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("| ---")) {
                continue;
            }
            String[] parts = line.substring(1, line.length() - 1).split("\\|", -1);
            rows.add(Arrays.stream(parts).map(String::trim).toList());
        }
        return rows;
    }

    @Test
    void printsOneRowPerScenarioAndServerWithMillracesRatiosOnEachPeersRow() {
        List<List<String>> rows = cells(CompareTable.format(CompareTable.parse(THREE_SERVERS)));

        assertThat(rows).hasSize(7);
        assertThat(rows.get(0)).containsExactly("Scenario", "Server", "CPU s/GB", "RSS max MB", "kept up", "p95 ms",
                "p99 ms", "audio p95 ms", "TTFF p50 ms", "Millrace CPU/GB", "Millrace RSS", "Millrace p95");
        assertThat(rows.get(1)).containsExactly("fanout-50", "millrace", "1.10", "200", "50/50", "40.0", "60.0",
                "45.0", "150", "-", "-", "-");
        // 1.1 / 2.0, 200 / 20, 40 - 28
        assertThat(rows.get(2)).containsExactly("fanout-50", "nginx-rtmp", "2.00", "20.0", "50/50", "28.0",
                "35.0", "33.0", "1200", "0.55x", "10.00x", "+12 ms");
        // 1.1 / 4.4, 200 / 80, 40 - 52.4 rounded
        assertThat(rows.get(3)).containsExactly("fanout-50", "nms", "4.40", "80.0", "48/50", "52.4", "90.0",
                "57.4", "300", "0.25x", "2.50x", "-12 ms");
        assertThat(rows.get(4)).containsExactly("publishers-50", "millrace", "1.50", "250", "50/50", "30.0",
                "45.0", "35.0", "120", "-", "-", "-");
        assertThat(rows.get(5)).containsExactly("publishers-50", "nginx-rtmp", "3.00", "25.0", "50/50", "30.0",
                "50.0", "35.0", "900", "0.50x", "10.00x", "+0 ms");
        // NMS's RSS was not measured: no ratio.
        assertThat(rows.get(6)).containsExactly("publishers-50", "nms", "6.00", "-", "50/50", "35.4", "-",
                "40.4", "200", "0.25x", "-", "-5 ms");
    }

    @Test
    void keepsTheLastRowOfARepeatedRunAtThePlaceOfTheFirst() {
        List<CompareTable.Run> runs = CompareTable.parse(THREE_SERVERS);

        assertThat(runs).hasSize(6);
        CompareTable.Run first = runs.get(0);
        assertThat(first.label()).isEqualTo("millrace");
        assertThat(first.scenario()).isEqualTo("fanout-50");
        assertThat(first.note()).isEmpty();
        assertThat(first.cpuSecondsPerGb()).isEqualTo(1.1);
        assertThat(first.playersKeptUp()).isEqualTo(50);
    }

    @Test
    void withOnlyMillraceRowsPrintsNoRatioColumnsAndShowsNotesNextToTheScenario() {
        List<String> lines = List.of(HEADER,
                row("millrace", "fanout-500", "window=0ms", "500", "500", "150", "40", "60", "1.1", "200"),
                row("millrace", "fanout-500", "window=25ms", "499", "500", "151", "55", "70", "0.8", "210"));

        String table = CompareTable.format(CompareTable.parse(lines));
        List<List<String>> rows = cells(table);

        assertThat(rows.get(0)).containsExactly("Scenario", "Server", "CPU s/GB", "RSS max MB", "kept up",
                "p95 ms", "p99 ms", "audio p95 ms", "TTFF p50 ms");
        assertThat(rows.get(1)).containsExactly("fanout-500 (window=0ms)", "millrace", "1.10", "200", "500/500",
                "40.0", "60.0", "45.0", "150");
        assertThat(rows.get(2)).containsExactly("fanout-500 (window=25ms)", "millrace", "0.800", "210", "499/500",
                "55.0", "70.0", "60.0", "151");
        assertThat(table).doesNotContain("Millrace CPU/GB");
    }

    @Test
    void readsColumnsByHeaderNameAndShowsMissingOnesAsDashes() {
        List<String> lines = List.of(
                "scenario\tlat_p95_ms\tlabel\tcpu_s_per_gb",
                "fanout-50\t28\tnginx-rtmp\t2",
                "fanout-50\t40\tmillrace\t1");

        List<List<String>> rows = cells(CompareTable.format(CompareTable.parse(lines)));

        // Millrace first although it comes last in the file.
        assertThat(rows.get(1)).containsExactly("fanout-50", "millrace", "1.00", "-", "-", "40.0", "-", "-", "-",
                "-", "-", "-");
        assertThat(rows.get(2)).containsExactly("fanout-50", "nginx-rtmp", "2.00", "-", "-", "28.0", "-", "-", "-",
                "0.50x", "-", "+12 ms");
    }

    @Test
    void peersWithoutMillraceGetNoRatioColumns() {
        List<String> lines = List.of(HEADER,
                row("nms", "fanout-50", "-", "50", "50", "300", "52", "90", "4.4", "80"));

        assertThat(CompareTable.format(CompareTable.parse(lines))).doesNotContain("Millrace CPU/GB");
    }

    @Test
    void rejectsAFileWithoutLabelOrScenarioColumns() {
        assertThatThrownBy(() -> CompareTable.parse(List.of("date\tnote", "x\ty")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
    }

    @Test
    void ratiosAndDifferencesNeedBothFiguresAndANonZeroDivisor() {
        assertThat(CompareTable.ratio(1.1, 2.0)).isEqualTo("0.55x");
        assertThat(CompareTable.ratio(1.0, 0)).isEqualTo("-");
        assertThat(CompareTable.ratio(Double.NaN, 2.0)).isEqualTo("-");
        assertThat(CompareTable.difference(40, 28)).isEqualTo("+12 ms");
        assertThat(CompareTable.difference(28, 40)).isEqualTo("-12 ms");
        assertThat(CompareTable.difference(28, Double.NaN)).isEqualTo("-");
    }
}
