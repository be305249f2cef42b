package dev.millrace.streaming.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.testkit.Ffmpeg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MillraceServerTest {

    @TempDir
    Path dir;

    @Test
    void parsesStreamsAndOptions() {
        MillraceServer.Options o = MillraceServer.Options.parse(new String[] {"--rtmp-port", "0", "--bind",
                "127.0.0.1", "--stream", "alice:k1-abcdef", "--stream", "bob:k2-abcdef", "--open", "--threads", "1",
                "--flush-window-ms", "0"});
        assertThat(o.rtmpPort).isZero();
        assertThat(o.threads).isOne();
        assertThat(o.flushWindowMillis).isZero();
        assertThat(o.streams).containsEntry("alice", "k1-abcdef").containsEntry("bob", "k2-abcdef");
        assertThat(o.open).isTrue();
        assertThat(o.generatedKeys).isEmpty();
    }

    @Test
    void withoutStreamsOrOpenOneStreamGetsARandomKey() {
        MillraceServer.Options o = MillraceServer.Options.parse(new String[0]);
        assertThat(o.streams).containsOnlyKeys("stream");
        assertThat(o.streams.get("stream")).startsWith("mr_").hasSize(23);
        assertThat(MillraceServer.Options.parse(new String[0]).streams.get("stream"))
                .isNotEqualTo(o.streams.get("stream"));
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> MillraceServer.Options.parse(new String[] {"--stream", "alice"}))
                .hasMessageContaining("NAME:KEY");
        assertThatThrownBy(() -> MillraceServer.Options.parse(new String[] {"--stream", "../x:key"}))
                .hasMessageContaining("invalid stream name");
        assertThatThrownBy(() -> MillraceServer.Options.parse(new String[] {"--rtmp-port", "70000"}))
                .hasMessageContaining("not a port");
        assertThatThrownBy(() -> MillraceServer.Options.parse(new String[] {"--frobnicate"}))
                .hasMessageContaining("unknown option");
    }

    @Test
    void ffmpegPublishesWithTheKeyAsStreamNameAndViewersPlayThePublicName() throws Exception {
        String key = "alice-secret-9f8e7d";
        MillraceServer.Options o = MillraceServer.Options.parse(new String[] {"--rtmp-port", "0", "--stream",
                "alice:" + key});
        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        try (RtmpServer server = MillraceServer.start(o, new PrintStream(banner, true, StandardCharsets.UTF_8))) {
            String text = banner.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("rtmp://127.0.0.1:" + server.port() + "/live").contains("ffplay")
                    .doesNotContain(key);
            String base = "rtmp://127.0.0.1:" + server.port() + "/live/";
            Path out = dir.resolve("alice.flv");
            try (Ffmpeg.Running player = Ffmpeg.start(dir.resolve("player.log"), List.of("-rw_timeout", "20000000",
                    "-i", base + "alice", "-c", "copy", "-f", "flv", "-y", out.toString()))) {
                awaitViewer(server, "alice");
                Ffmpeg.Result pub = Ffmpeg.run(dir.resolve("pub.log"), Duration.ofSeconds(60), List.of(
                        "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "2",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                        "-f", "flv", base + key));
                assertThat(pub.ok()).as("%s", pub).isTrue();
                assertThat(player.await(Duration.ofSeconds(60)).ok()).isTrue();
            }
            Ffmpeg.Result probe = Ffmpeg.probe(dir.resolve("probe.err"), Duration.ofSeconds(30), List.of("-v", "error",
                    "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", out.toString()));
            assertThat(probe.ok()).isTrue();
            assertThat(Integer.parseInt(probe.output().trim())).isBetween(48, 50);
            assertThat(server.registry().find("live", key)).as("the key is never a stream name").isNull();
        }
    }

    private static void awaitViewer(RtmpServer server, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            var s = server.registry().find("live", name);
            if (s != null && s.viewers() > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("player did not connect");
    }
}
