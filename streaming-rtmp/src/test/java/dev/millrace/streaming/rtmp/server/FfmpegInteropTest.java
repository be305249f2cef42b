package dev.millrace.streaming.rtmp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.ConnectionInfo;
import dev.millrace.streaming.core.StaticKeyAuthorizer;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamListener;
import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import dev.millrace.streaming.testkit.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real FFmpeg (the 8.0.1 programs bytedeco bundles) publishing to and playing from a real server on loopback.
 */
class FfmpegInteropTest {

    private static final String KEY = "cam-key-7f3a9c21d4";
    private static final Duration PROCESS_DEADLINE = Duration.ofSeconds(60);

    private static RtmpServer server;
    private static final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        StaticKeyAuthorizer keys = StaticKeyAuthorizer.builder().stream("cam", KEY).openPublish().build();
        server = RtmpServer.builder().port(0).authorizer(keys).listener(new StreamListener() {
            @Override
            public void onPublishStart(StreamInfo s) {
                events.add("publishStart " + s.path());
            }

            @Override
            public void onPublishStop(StreamInfo s) {
                events.add("publishStop " + s.path());
            }

            @Override
            public void onPlayStart(StreamInfo s, ConnectionInfo viewer) {
                events.add("playStart " + s.path());
            }

            @Override
            public void onPlayStop(StreamInfo s, ConnectionInfo viewer) {
                events.add("playStop " + s.path());
            }
        }).start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private String url(String nameAndQuery) {
        return "rtmp://127.0.0.1:" + server.port() + "/live/" + nameAndQuery;
    }

    /** Publishes a synthetic 25 fps H.264 (with B-frames) + AAC stream in real time for {@code seconds}. */
    private Ffmpeg.Running publish(String nameAndQuery, String size, int seconds, String log) throws Exception {
        return Ffmpeg.start(dir.resolve(log), List.of(
                "-re", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", String.valueOf(seconds),
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k",
                "-f", "flv", url(nameAndQuery)));
    }

    /** Plays a stream into an FLV file with stream copy until the stream ends. */
    private Ffmpeg.Running play(String name, Path out, String log, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-rw_timeout", "20000000", "-i", url(name)));
        args.addAll(List.of(extra));
        args.addAll(List.of("-c", "copy", "-f", "flv", "-y", out.toString()));
        return Ffmpeg.start(dir.resolve(log), args);
    }

    private Probe probe(Path file) throws Exception {
        Ffmpeg.Result streams = Ffmpeg.probe(dir.resolve("ffprobe.err"), PROCESS_DEADLINE, List.of("-v", "error",
                "-count_frames", "-show_entries", "stream=codec_type,codec_name,width,height,nb_read_frames",
                "-of", "default=noprint_wrappers=0", file.toString()));
        assertThat(streams.ok()).as("%s", streams).isTrue();
        Ffmpeg.Result packets = Ffmpeg.probe(dir.resolve("ffprobe2.err"), PROCESS_DEADLINE, List.of("-v", "error",
                "-select_streams", "v", "-show_entries", "packet=dts,flags", "-of", "csv=p=0", file.toString()));
        assertThat(packets.ok()).as("%s", packets).isTrue();
        return new Probe(streams.output(), packets.output());
    }

    /** What ffprobe says about a file. */
    record Probe(String streams, String videoPackets) {
        String field(String codecType, String key) {
            for (String block : streams.split("\\[/STREAM\\]")) {
                if (block.contains("codec_type=" + codecType)) {
                    Matcher m = Pattern.compile(key + "=(\\S+)").matcher(block);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            }
            return null;
        }

        List<Long> videoDts() {
            List<Long> out = new ArrayList<>();
            for (String line : videoPackets.split("\n")) {
                String[] f = line.trim().split(",");
                if (f.length >= 1 && !f[0].isEmpty() && !f[0].equals("N/A")) {
                    out.add(Long.parseLong(f[0]));
                }
            }
            return out;
        }

        String firstVideoFlags() {
            String first = videoPackets.split("\n")[0].trim();
            return first.substring(first.indexOf(',') + 1);
        }
    }

    private static int publishedFrames(Ffmpeg.Result publisher) {
        Matcher m = Pattern.compile("frame=\\s*(\\d+)").matcher(publisher.output());
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    @Test
    void ffmpegPublishesH264AndAacAndAnotherFfmpegPlaysItIntact() throws Exception {
        events.clear();
        Path out = dir.resolve("played.flv");
        try (Ffmpeg.Running player = play("cam", out, "player.log")) {
            // The player waits for the publisher (playWaitsForPublisher), so it sees the stream from its first frame.
            awaitViewers("live", "cam", 1);
            Ffmpeg.Running publisher = publish("cam?key=" + KEY, "320x240", 6, "publisher.log");
            Ffmpeg.Result pub = publisher.await(PROCESS_DEADLINE);
            assertThat(pub.ok()).as("%s", pub).isTrue();
            Ffmpeg.Result played = player.await(PROCESS_DEADLINE);
            assertThat(played.ok()).as("%s", played).isTrue();

            int sent = publishedFrames(pub);
            Probe p = probe(out);
            assertThat(p.field("video", "codec_name")).isEqualTo("h264");
            assertThat(p.field("audio", "codec_name")).isEqualTo("aac");
            assertThat(p.field("video", "width")).isEqualTo("320");
            assertThat(p.field("video", "height")).isEqualTo("240");
            int received = Integer.parseInt(p.field("video", "nb_read_frames"));
            System.out.printf("frames published %d, played %d%n", sent, received);
            assertThat(sent).isEqualTo(150);
            assertThat(received).isBetween(sent - 3, sent);
            List<Long> dts = p.videoDts();
            for (int i = 1; i < dts.size(); i++) {
                assertThat(dts.get(i)).as("video dts %d after %d", dts.get(i), dts.get(i - 1))
                        .isGreaterThan(dts.get(i - 1));
            }
            assertThat(p.firstVideoFlags()).startsWith("K");
        }
        awaitEvents("playStop live/cam");
        assertThat(filter(events, "live/cam")).containsExactly("playStart live/cam", "publishStart live/cam",
                "publishStop live/cam", "playStop live/cam");
    }

    @Test
    void aPlayerJoiningMidStreamStartsOnAKeyframeAtOnce() throws Exception {
        try (Ffmpeg.Running publisher = publish("late?x=1", "320x240", 10, "publisher.log")) {
            awaitPublishing("live", "late");
            Thread.sleep(2_500); // let the publisher get well into a GOP (keyframe every second)
            // Five joiners one after another: the first pays for class loading and cold code, the later ones show
            // the steady state. Figures are with the leak detector as configured (PARANOID in the build).
            List<Double> fromPlayMillis = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                try (TestRtmpClient c = TestRtmpClient.handshaken(server.port())) {
                    c.connect("live");
                    int sid = c.createStream();
                    long tPlay = System.nanoTime();
                    c.play(sid, "late");
                    long fromPlay = awaitFirstVideoFrame(c, tPlay);
                    assertThat(fromPlay).isLessThan(TimeUnit.SECONDS.toNanos(2));
                    fromPlayMillis.add(fromPlay / 1e6);
                }
            }
            System.out.printf("late joiners, play to first video frame (ms): %s%n", fromPlayMillis);

            Path out = dir.resolve("late.flv");
            Ffmpeg.Result played = play("late", out, "player.log", "-t", "2").await(PROCESS_DEADLINE);
            assertThat(played.ok()).as("%s", played).isTrue();
            Probe p = probe(out);
            assertThat(p.firstVideoFlags()).startsWith("K");
            assertThat(Integer.parseInt(p.field("video", "nb_read_frames"))).isGreaterThan(30);
            publisher.close();
        }
    }

    /** Reads until the first coded video frame (not a sequence header); returns nanoseconds since {@code t0}. */
    private static long awaitFirstVideoFrame(TestRtmpClient c, long t0) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            RtmpMessage m = c.read(Duration.ofSeconds(5));
            assertThat(m).as("message before deadline").isNotNull();
            try {
                if (m.typeId() == MessageType.VIDEO && m.length() > 1) {
                    int b0 = m.content().getUnsignedByte(m.content().readerIndex());
                    int b1 = m.content().getUnsignedByte(m.content().readerIndex() + 1);
                    if (b0 == 0x17 && b1 == 1) {
                        return System.nanoTime() - t0; // legacy AVC keyframe, AVCPacketType 1 (NALUs)
                    }
                    assertThat(b0 == 0x17 && b1 == 0).as("first video message is the sequence header, then a "
                            + "keyframe; got %02x %02x", b0, b1).isTrue();
                }
            } finally {
                m.release();
            }
        }
        throw new AssertionError("no video frame within 5 s");
    }

    @Test
    void aWrongKeyIsRefusedAndFfmpegExitsWithAnError() throws Exception {
        long t0 = System.nanoTime();
        Ffmpeg.Result r = publish("cam?key=wrong", "160x120", 5, "wrongkey.log").await(PROCESS_DEADLINE);
        assertThat(r.timedOut()).isFalse();
        assertThat(r.exitCode()).as("%s", r).isNotZero();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(server.registry().find("live", "cam")).isNull();
    }

    @Test
    void aReconnectingEncoderTakesOverAndViewersKeepPlaying() throws Exception {
        try (Ffmpeg.Running first = publish("takeover", "320x240", 20, "first.log");
                TestRtmpClient viewer = TestRtmpClient.handshaken(server.port())) {
            awaitPublishing("live", "takeover");
            viewer.connect("live");
            viewer.play(viewer.createStream(), "takeover");
            assertThat(viewer.countVideo(Duration.ofSeconds(1))).isPositive();
            try (Ffmpeg.Running second = publish("takeover", "320x240", 20, "second.log")) {
                Ffmpeg.Result firstEnd = first.await(Duration.ofSeconds(15));
                assertThat(firstEnd.timedOut()).as("the first publisher is disconnected").isFalse();
                assertThat(second.isAlive()).isTrue();
                assertThat(viewer.countVideo(Duration.ofSeconds(2))).as("viewer keeps receiving").isGreaterThan(20);
                assertThat(viewer.isClosed()).isFalse();
                second.close();
            }
        }
    }

    @Test
    void twoStreamsAtOnceDoNotMix() throws Exception {
        Path a = dir.resolve("a.flv");
        Path b = dir.resolve("b.flv");
        try (Ffmpeg.Running pa = play("one", a, "pa.log"); Ffmpeg.Running pb = play("two", b, "pb.log")) {
            awaitViewers("live", "one", 1);
            awaitViewers("live", "two", 1);
            Ffmpeg.Running one = publish("one", "320x240", 4, "one.log");
            Ffmpeg.Running two = publish("two", "176x144", 4, "two.log");
            assertThat(one.await(PROCESS_DEADLINE).ok()).isTrue();
            assertThat(two.await(PROCESS_DEADLINE).ok()).isTrue();
            assertThat(pa.await(PROCESS_DEADLINE).ok()).isTrue();
            assertThat(pb.await(PROCESS_DEADLINE).ok()).isTrue();
        }
        Probe pa = probe(a);
        Probe pb = probe(b);
        assertThat(pa.field("video", "width") + "x" + pa.field("video", "height")).isEqualTo("320x240");
        assertThat(pb.field("video", "width") + "x" + pb.field("video", "height")).isEqualTo("176x144");
        assertThat(Integer.parseInt(pa.field("video", "nb_read_frames"))).isBetween(97, 100);
        assertThat(Integer.parseInt(pb.field("video", "nb_read_frames"))).isBetween(97, 100);
    }

    @Test
    void hevcOverEnhancedRtmpReachesAPlayerAsHevc() throws Exception {
        Path out = dir.resolve("hevc.flv");
        try (Ffmpeg.Running player = play("hevc", out, "player.log")) {
            awaitViewers("live", "hevc", 1);
            Ffmpeg.Result pub = Ffmpeg.run(dir.resolve("hevc-pub.log"), PROCESS_DEADLINE, List.of(
                    "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "3",
                    "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=25",
                    "-pix_fmt", "yuv420p", "-f", "flv", url("hevc")));
            assertThat(pub.ok()).as("%s", pub).isTrue();
            assertThat(player.await(PROCESS_DEADLINE).ok()).isTrue();
        }
        Probe p = probe(out);
        assertThat(p.field("video", "codec_name")).isEqualTo("hevc");
        assertThat(p.field("video", "width")).isEqualTo("320");
        assertThat(Integer.parseInt(p.field("video", "nb_read_frames"))).isBetween(72, 75);
        assertThat(p.firstVideoFlags()).startsWith("K");
    }

    private static List<String> filter(List<String> all, String path) {
        List<String> out = new ArrayList<>();
        synchronized (all) {
            for (String e : all) {
                if (e.endsWith(" " + path)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static void awaitEvents(String last) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!events.contains(last) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static void awaitViewers(String app, String name, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            var s = server.registry().find(app, name);
            if (s != null && s.viewers() >= n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no viewer on " + app + "/" + name + " within 20 s");
    }

    private static void awaitPublishing(String app, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            var s = server.registry().find(app, name);
            if (s != null && s.isPublishing() && s.info().stats().videoFrames() > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nobody publishing " + app + "/" + name + " within 20 s");
    }
}
