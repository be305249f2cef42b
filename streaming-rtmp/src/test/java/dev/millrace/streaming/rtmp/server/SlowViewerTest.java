package dev.millrace.streaming.rtmp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamOptions;
import dev.millrace.streaming.rtmp.RtmpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A viewer that stops reading is dropped to keyframes and then closed, while the publisher and a healthy viewer on
 * the same stream go on at full speed.
 */
class SlowViewerTest {

    @Test
    void aViewerThatStopsReadingIsClosedWithoutSlowingTheOthers() throws Exception {
        StreamOptions options = StreamOptions.DEFAULT.withSlowSubscriber(2048, 1_000, 2_000);
        try (RtmpServer server = RtmpServer.builder().port(0).streamOptions(options)
                .writeBufferWaterMarks(64 * 1024, 256 * 1024).start();
                TestRtmpClient pub = TestRtmpClient.handshaken(server.port());
                TestRtmpClient healthy = TestRtmpClient.handshaken(server.port());
                Socket stuckSocket = new Socket()) {
            int sid = publishSid(pub);
            healthy.connect("live");
            healthy.play(healthy.createStream(), "busy");

            // The stuck viewer: a small receive buffer, plays, then never reads again.
            stuckSocket.setReceiveBufferSize(8 * 1024);
            stuckSocket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
            TestRtmpClient stuck = new TestRtmpClient(stuckSocket);
            try {
                stuck.handshake();
                stuck.connect("live");
                stuck.play(stuck.createStream(), "busy");

                pub.send(RtmpSessionTest.video(sid, 0, RtmpSessionTest.avc(true, 0, RtmpSessionTest.AVC_CONFIG)));
                CompletableFuture<Integer> healthyFrames = CompletableFuture.supplyAsync(() -> {
                    try {
                        return healthy.countVideo(Duration.ofSeconds(13));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });

                // 10 s of 25 fps video at about 8 Mbit/s, keyframe every second, paced in real time. Loopback socket
                // buffers take a few MB before the stuck viewer's channel even reports unwritable.
                int frames = 250;
                long start = System.nanoTime();
                long worstSendNanos = 0;
                for (int i = 0; i < frames; i++) {
                    long t = System.nanoTime();
                    pub.send(RtmpSessionTest.video(sid, i * 40L, RtmpSessionTest.avc(i % 25 == 0, 1,
                            RtmpSessionTest.nal(i % 25 == 0 ? 5 : 1, 40_000))));
                    worstSendNanos = Math.max(worstSendNanos, System.nanoTime() - t);
                    long due = start + TimeUnit.MILLISECONDS.toNanos(40L * (i + 1));
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                int got = healthyFrames.get(20, TimeUnit.SECONDS);
                StreamInfo info = server.registry().find("live", "busy").info();
                System.out.printf("healthy viewer got %d of %d frames (+1 header); publisher took %d ms for 10 s of media, "
                        + "slowest send %.1f ms; dropped %d, slow viewers closed %d%n", got, frames, elapsedMillis,
                        worstSendNanos / 1e6, info.stats().droppedPackets(), info.stats().slowViewersClosed());

                assertThat(got).as("the healthy viewer keeps up").isGreaterThanOrEqualTo(frames);
                assertThat(elapsedMillis).as("the publisher is never held back").isLessThan(10_000 + 1_000);
                assertThat(worstSendNanos).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
                assertThat(info.stats().slowViewersClosed()).isEqualTo(1);
                assertThat(info.stats().viewers()).isEqualTo(1);
                assertThat(stuck.awaitClosed(Duration.ofSeconds(10))).as("the stuck viewer was closed").isTrue();
            } finally {
                stuck.close();
            }
        }
    }

    private static int publishSid(TestRtmpClient pub) throws Exception {
        pub.connect("live");
        int sid = pub.createStream();
        pub.publish(sid, "busy");
        assertThat(pub.awaitStatus(Duration.ofSeconds(5))).isEqualTo("NetStream.Publish.Start");
        return sid;
    }
}
