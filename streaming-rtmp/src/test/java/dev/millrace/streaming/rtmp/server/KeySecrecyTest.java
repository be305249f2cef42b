package dev.millrace.streaming.rtmp.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.millrace.streaming.core.AuthRequest;
import dev.millrace.streaming.core.ConnectionInfo;
import dev.millrace.streaming.core.StaticKeyAuthorizer;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamListener;
import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.testkit.Ffmpeg;
import dev.millrace.streaming.testkit.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stream keys never reach a log line (at TRACE, every logger), an event or a snapshot. */
class KeySecrecyTest {

    private static final String KEY = "live_8471_Zq3TnK7vWmX2pR9s";
    private static final String WRONG_KEY = "live_0000_Yb5HcD1eFgJ4kL6u";

    @TempDir
    Path dir;

    @Test
    void keysAppearInNoLogLineEventOrSnapshot() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        StreamListener recorder = new StreamListener() {
            @Override
            public void onConnect(ConnectionInfo c) {
                events.add("connect " + c);
            }

            @Override
            public void onPublishStart(StreamInfo s) {
                events.add("publishStart " + s);
            }

            @Override
            public void onPublishStop(StreamInfo s) {
                events.add("publishStop " + s);
            }

            @Override
            public void onPlayStart(StreamInfo s, ConnectionInfo v) {
                events.add("playStart " + s + v);
            }

            @Override
            public void onMetadata(StreamInfo s, Map<String, Object> m) {
                events.add("metadata " + s + m);
            }

            @Override
            public void onAuthDenied(AuthRequest r, String reason) {
                events.add("denied " + r + reason);
            }
        };
        List<String> snapshots = new ArrayList<>();
        try (LogCapture logs = LogCapture.root(Level.TRACE)) {
            try (RtmpServer server = RtmpServer.builder().port(0)
                    .authorizer(StaticKeyAuthorizer.builder().stream("alice", KEY).build())
                    .listener(recorder).start()) {
                String base = "rtmp://127.0.0.1:" + server.port() + "/live/";
                // The key as stream name, and as a query parameter; then a wrong key.
                for (String target : List.of(base + KEY, base + "alice?key=" + KEY)) {
                    Ffmpeg.Result r = Ffmpeg.run(dir.resolve("pub.log"), Duration.ofSeconds(60), List.of(
                            "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "1",
                            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "flv", target));
                    assertThat(r.ok()).as("%s", r).isTrue();
                }
                try (TestRtmpClient c = TestRtmpClient.handshaken(server.port())) {
                    c.connect("live");
                    int sid = c.createStream();
                    c.publish(sid, "alice?key=" + WRONG_KEY);
                    assertThat(c.awaitStatus(Duration.ofSeconds(5))).isEqualTo("NetStream.Publish.Denied");
                }
                try (TestRtmpClient c = TestRtmpClient.handshaken(server.port())) {
                    c.connect("live");
                    c.publish(c.createStream(), KEY);
                    assertThat(c.awaitStatus(Duration.ofSeconds(5))).isEqualTo("NetStream.Publish.Start");
                    server.registry().list().forEach(s -> snapshots.add(s.toString()));
                }
            }
            List<LogCapture.Line> all = logs.lines();
            // The capture works at the lowest levels: the sessions' DEBUG lines are there.
            assertThat(all).anyMatch(l -> l.level() == Level.DEBUG && l.message().contains("connected to app"));
            for (String secret : List.of(KEY, WRONG_KEY, KEY.substring(2), WRONG_KEY.substring(2))) {
                assertThat(all).noneMatch(l -> l.message().contains(secret));
            }
        }
        assertThat(events).anyMatch(e -> e.startsWith("publishStart")).anyMatch(e -> e.startsWith("denied"));
        assertThat(snapshots).isNotEmpty();
        for (String text : concat(events, snapshots)) {
            assertThat(text).doesNotContain(KEY.substring(2)).doesNotContain(WRONG_KEY.substring(2));
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
