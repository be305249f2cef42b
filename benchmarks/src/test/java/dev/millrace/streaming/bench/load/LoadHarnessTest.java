package dev.millrace.streaming.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.StaticKeyAuthorizer;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the harness end to end against a Millrace server in this JVM, on loopback, and checks the numbers it reports
 * against what the run must have done.
 */
class LoadHarnessTest {

    private static RtmpServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = RtmpServer.builder().port(0)
                .authorizer(StaticKeyAuthorizer.builder().openPublish().build())
                .start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static String url() {
        return "rtmp://127.0.0.1:" + server.port() + "/live";
    }

    /** The single data row of a results file, by column name. */
    private static Map<String, String> row(Path tsv) throws Exception {
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo(LoadResult.TSV_HEADER);
        String[] names = lines.get(0).split("\t");
        String[] values = lines.get(1).split("\t", -1);
        assertThat(values).hasSize(32).hasSameSizeAs(names);
        Map<String, String> row = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            row.put(names[i], values[i]);
        }
        return row;
    }

    @Test
    void twoStreamsOfThreePlayersAllKeepUpWithPlausibleNumbers(@TempDir Path dir) throws Exception {
        Path tsv = dir.resolve("results.tsv");
        Path json = dir.resolve("result.json");
        int status = LoadHarness.run("--url", url(), "--label", "millrace", "--note", "window=default",
                "--publishers", "2", "--players", "3", "--stream-prefix", "e2e", "--warmup", "1", "--duration", "3",
                "--threads", "2", "--server-pid", Long.toString(ProcessHandle.current().pid()),
                "--results", tsv.toString(), "--json", json.toString());
        assertThat(status).isZero();

        Map<String, String> r = row(tsv);
        assertThat(r.get("label")).isEqualTo("millrace");
        assertThat(r.get("scenario")).isEqualTo("2x3");
        assertThat(r.get("note")).isEqualTo("window=default");
        assertThat(r.get("date")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(r.get("players_total")).isEqualTo("6");
        assertThat(r.get("players_playing")).isEqualTo("6");
        assertThat(r.get("players_kept_up")).isEqualTo("6");
        assertThat(r.get("stalls")).isEqualTo("0");
        assertThat(r.get("errors")).isEqualTo("0");
        // 30 fps for 3 s on each of 2 streams
        assertThat(Long.parseLong(r.get("frames_sent"))).isBetween(170L, 190L);
        // (600 + 64) kbps x 3 s x 6 players = 1.49 MB
        long expected = (600 + 64) * 125L * 3 * 6;
        assertThat(Long.parseLong(r.get("delivered_bytes"))).isBetween(expected / 2, expected * 2);
        double p50 = Double.parseDouble(r.get("lat_p50_ms"));
        assertThat(p50).isGreaterThan(0).isLessThan(500);
        assertThat(Double.parseDouble(r.get("lat_p99_ms"))).isGreaterThanOrEqualTo(p50);
        double audioP50 = Double.parseDouble(r.get("alat_p50_ms"));
        assertThat(audioP50).isGreaterThan(0).isLessThan(500);
        assertThat(Double.parseDouble(r.get("alat_p99_ms"))).isGreaterThanOrEqualTo(audioP50);
        assertThat(Double.parseDouble(r.get("ttff_p50_ms"))).isGreaterThan(0).isLessThan(5_000);
        assertThat(Double.parseDouble(r.get("ttfkf_p50_ms"))).isGreaterThan(0).isLessThan(5_000);
        // the "server" is this JVM: it did work and has memory and threads
        assertThat(Double.parseDouble(r.get("server_cpu_s"))).isGreaterThan(0);
        assertThat(Double.parseDouble(r.get("cpu_s_per_gb"))).isGreaterThan(0);
        assertThat(Double.parseDouble(r.get("rss_max_mb"))).isGreaterThan(10);
        assertThat(Integer.parseInt(r.get("threads_max"))).isGreaterThan(2);
        assertThat(r.get("publisher_reconnects")).isEqualTo("0");

        String text = Files.readString(json);
        assertThat(text).startsWith("{\"date\":").endsWith("}\n").contains("\"players_kept_up\":6",
                "\"scenario\":\"2x3\"", "\"frames_sent_per_stream\":[");
    }

    @Test
    void publishersThatReconnectEverySecondKeepThePlayersFed(@TempDir Path dir) throws Exception {
        Path tsv = dir.resolve("results.tsv");
        Path samples = dir.resolve("samples.tsv");
        int status = LoadHarness.run("--url", url(), "--publishers", "2", "--players", "3", "--stream-prefix",
                "soak", "--warmup", "1", "--duration", "3", "--threads", "2", "--reconnect-every", "1",
                "--sample-every", "1", "--samples", samples.toString(), "--results", tsv.toString(),
                "--audio-kbps", "0");
        assertThat(status).isZero();
        Map<String, String> r = row(tsv);
        assertThat(Integer.parseInt(r.get("publisher_reconnects"))).isGreaterThanOrEqualTo(2);
        assertThat(r.get("players_playing")).isEqualTo("6");
        assertThat(r.get("server_cpu_s")).isEqualTo("-");

        List<String> lines = Files.readAllLines(samples, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo(TimeSeries.HEADER);
        assertThat(lines.size()).isGreaterThanOrEqualTo(4);
        // after reconnects, the last interval still delivered frames to the players
        String[] last = lines.get(lines.size() - 1).split("\t");
        assertThat(last).hasSize(11);
        assertThat(Integer.parseInt(last[9])).as("publisher_reconnects").isPositive();
        assertThat(Double.parseDouble(last[7])).as("frames_per_s").isGreaterThan(30);
        assertThat(Integer.parseInt(last[5])).as("players_playing").isEqualTo(6);
    }

    @Test
    void replaysAnFlvFileWithStampedFrames(@TempDir Path dir) throws Exception {
        Path tsv = dir.resolve("results.tsv");
        int status = LoadHarness.run("--url", url(), "--flv", MediaTrackTest.writeFlv(dir).toString(),
                "--players", "2", "--stream-prefix", "replay", "--warmup", "0.5", "--duration", "1.5",
                "--results", tsv.toString());
        assertThat(status).isZero();
        Map<String, String> r = row(tsv);
        assertThat(r.get("players_playing")).isEqualTo("2");
        assertThat(r.get("errors")).isEqualTo("0");
        // 3 video frames a 120 ms loop: 25 frames/s
        assertThat(Long.parseLong(r.get("frames_sent"))).isBetween(30L, 45L);
        assertThat(Double.parseDouble(r.get("lat_p50_ms"))).isGreaterThan(0).isLessThan(500);
    }

    @Test
    void countsPlayersTheServerRefusesAsErrorsAndKeepsRetrying(@TempDir Path dir) throws Exception {
        Path tsv = dir.resolve("results.tsv");
        // room for the publisher and four players: two players are refused at every attempt
        try (RtmpServer small = RtmpServer.builder().port(0)
                .limits(RtmpLimits.builder().maxConnectionsPerAddress(5).build()).start()) {
            int status = LoadHarness.run("--url", "rtmp://127.0.0.1:" + small.port() + "/live", "--players", "6",
                    "--warmup", "0.5", "--duration", "2", "--results", tsv.toString());
            assertThat(status).isZero();
        }
        Map<String, String> r = row(tsv);
        assertThat(r.get("players_playing")).isEqualTo("4");
        assertThat(r.get("players_kept_up")).isEqualTo("4");
        // each refused player retries once a second: at least the first attempts and one retry each
        assertThat(Integer.parseInt(r.get("errors"))).isGreaterThanOrEqualTo(4);
    }

    @Test
    void refusesAServerThatIsNotOnLoopback(@TempDir Path dir) {
        Path tsv = dir.resolve("results.tsv");
        // TEST-NET-1 (RFC 5737): never routed, and rejected before any packet is sent
        int status = LoadHarness.run("--url", "rtmp://192.0.2.1:1935/live", "--results", tsv.toString());
        assertThat(status).isEqualTo(2);
        assertThat(tsv).doesNotExist();
    }

    @Test
    void refusesABadCommandLine() {
        assertThat(LoadHarness.run("--players")).isEqualTo(2);
        assertThat(LoadHarness.run("--players", "many")).isEqualTo(2);
        assertThat(LoadHarness.run("--no-such-option", "1")).isEqualTo(2);
        assertThat(LoadHarness.run("--url", "http://127.0.0.1/live")).isEqualTo(2);
        assertThat(LoadHarness.run("--help")).isZero();
    }
}
