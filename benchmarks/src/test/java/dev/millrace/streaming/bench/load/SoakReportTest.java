package dev.millrace.streaming.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class SoakReportTest {

    private static final String HEADER = String.join("\t", "elapsed_s", "rss_mb", "heap_used_mb", "cpu_s",
            "players_connected", "players_playing", "delivered_mb", "frames_per_s", "lat_p99_ms_last_interval",
            "publisher_reconnects", "player_reconnects");

    /**
     * A samples file of a 1800 s run sampled every 10 s (t = 10, 20, ..., 1800); {@code rss} and {@code heap} give
     * the figure at t, NaN writes {@code -}. 200 players play throughout, except {@code playersAtEnd} in the last.
     */
    private static List<String> samples(IntToDoubleFunction rss, IntToDoubleFunction heap, int playersAtEnd) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (int t = 10; t <= 1800; t += 10) {
            int playing = t == 1800 ? playersAtEnd : 200;
            lines.add(String.join("\t", Integer.toString(t), cell(rss.applyAsDouble(t)),
                    cell(heap.applyAsDouble(t)), "12.5", "200", Integer.toString(playing), "1000", "3000", "45",
                    Integer.toString(t / 180), Integer.toString(t / 180 * 200)));
        }
        return lines;
    }

    private static String cell(double v) {
        return Double.isNaN(v) ? "-" : Double.toString(v);
    }

    @Test
    void steadyGrowthIsReportedWithItsSlopeAndFailsTheVerdict() {
        // RSS grows 0.012 MB/s = 43.2 MB/h; heap stays at 80 MB.
        SoakReport.Report r = SoakReport.analyse(
                SoakReport.parse(samples(t -> 200 + 0.012 * t, t -> 80, 200)), 200);

        // Early: t = 180..350, median at t = 265 (mean of 260 and 270); late: t = 1620..1800, median at t = 1710.
        assertThat(r.rss().earlyMb()).isCloseTo(203.18, within(1e-9));
        assertThat(r.rss().lateMb()).isCloseTo(220.52, within(1e-9));
        assertThat(r.rss().slopeMbPerHour()).isCloseTo(43.2, within(1e-6));
        assertThat(r.heap().growthMb()).isZero();
        assertThat(r.heap().slopeMbPerHour()).isCloseTo(0, within(1e-9));
        assertThat(SoakReport.passed(r, 10, 25)).isFalse();

        assertThat(SoakReport.format(r, 10, 25)).isEqualTo(""
                + "Soak: 1800 s, 180 samples; early = median over 180-360 s, late = median over 1620-1800 s,"
                + " slope over 900-1800 s\n"
                + "            early MB   late MB  growth MB    growth  slope MB/h  verdict\n"
                + "RSS            203.2     220.5      +17.3     +8.5%       +43.2  GROWING\n"
                + "heap used       80.0      80.0       +0.0     +0.0%        +0.0  flat\n"
                + "Players playing at the end: 200/200\n"
                + "Reconnects: publishers 10, players 2000\n"
                + "Verdict: GROWING, players OK (flat: growth <= 10 % and slope <= 25 MB/h)\n");
    }

    @Test
    void aGcSawToothIsFlatButLostPlayersFailTheVerdict() {
        // Heap climbs 60, 68, ..., 100 MB and a GC brings it back every 60 s. Early: three whole cycles, median
        // (76 + 84) / 2; late (t = 1620..1800): three cycles and one more 60, median 76.
        SoakReport.Report r = SoakReport.analyse(
                SoakReport.parse(samples(t -> 300, t -> 60 + 8 * ((t / 10) % 6), 198)), 200);

        assertThat(r.heap().earlyMb()).isEqualTo(80);
        assertThat(r.heap().lateMb()).isEqualTo(76);
        assertThat(r.rss().flat(10, 25)).isTrue();
        assertThat(r.heap().flat(10, 25)).isTrue();
        assertThat(SoakReport.passed(r, 10, 25)).isFalse();
        assertThat(SoakReport.format(r, 10, 25))
                .contains("Players playing at the end: 198/200\n")
                .endsWith("Verdict: FLAT, PLAYERS LOST (flat: growth <= 10 % and slope <= 25 MB/h)\n");
    }

    @Test
    void aServerWithoutHeapFiguresIsJudgedOnRssAlone() {
        SoakReport.Report r = SoakReport.analyse(SoakReport.parse(samples(t -> 50, t -> Double.NaN, 200)), 200);

        assertThat(r.heap().measured()).isFalse();
        assertThat(SoakReport.passed(r, 10, 25)).isTrue();
        assertThat(SoakReport.format(r, 10, 25))
                .contains("heap used          -         -          -         -           -  not measured\n")
                .endsWith("Verdict: FLAT, players OK (flat: growth <= 10 % and slope <= 25 MB/h)\n");
    }

    @Test
    void tooFewSamplesGiveAnUnknownVerdictThatDoesNotPass() {
        SoakReport.Report r = SoakReport.analyse(SoakReport.parse(List.of(HEADER,
                "10\t100\t50\t1\t200\t200\t1\t1\t1\t0\t0")), 200);

        assertThat(SoakReport.passed(r, 10, 25)).isFalse();
        assertThat(SoakReport.format(r, 10, 25)).contains("Verdict: UNKNOWN (too few samples)");
    }

    @Test
    void medianAndSlopeFollowTheirDefinitions() {
        assertThat(SoakReport.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(SoakReport.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(SoakReport.median(List.of())).isNaN();
        // y = 2t + 1 exactly, and one point: no slope.
        assertThat(SoakReport.slopePerSecond(List.of(new double[] {0, 1}, new double[] {1, 3},
                new double[] {2, 5}))).isEqualTo(2.0);
        assertThat(SoakReport.slopePerSecond(List.<double[]>of(new double[] {0, 1}))).isNaN();
    }
}
