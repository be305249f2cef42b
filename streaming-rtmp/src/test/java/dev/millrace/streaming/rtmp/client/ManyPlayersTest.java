package dev.millrace.streaming.rtmp.client;

import static dev.millrace.streaming.rtmp.client.ClientTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.rtmp.RtmpClient;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A thousand players on one client event loop group, one publisher, our server, loopback: every player gets every
 * frame, in bounded time. What the load harness does, at a size a unit test can afford.
 */
class ManyPlayersTest {

    private static final int PLAYERS = 1000;
    private static final int FRAMES = 10;

    /** Counts video frames from the raw messages (no packet parsing), as the load harness does. */
    private static final class FrameCounter implements PlayListener {
        private final CountDownLatch allFrames;
        private int frames;
        private long lastTimestamp = -1;
        private boolean inOrder = true;

        FrameCounter(CountDownLatch allFrames) {
            this.allFrames = allFrames;
        }

        @Override
        public boolean wantsPackets() {
            return false;
        }

        @Override
        public void onMediaMessage(int typeId, long timestamp, ByteBuf body) {
            // FLV 10.1 E.4.3.1: AVCPacketType 1 is a coded frame (0 is the sequence header).
            if (typeId == MessageType.VIDEO && body.getUnsignedByte(body.readerIndex() + 1) == 1) {
                inOrder &= timestamp > lastTimestamp;
                lastTimestamp = timestamp;
                if (++frames == FRAMES) {
                    allFrames.countDown();
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @Test
    void aThousandPlayersOnOneGroupAllReceiveEveryFrame() throws Exception {
        // Generous deadlines on both sides: on a loaded 2-core machine, with the leak detector at PARANOID and a cold
        // JIT, a thousand handshakes can take longer than the 10 s defaults; the bounds asserted below still hold.
        RtmpLimits limits = RtmpLimits.builder().handshakeTimeoutMillis(60_000).connectTimeoutMillis(60_000)
                .maxConnectionsPerAddress(2_000).maxPendingConnections(2_000).build();
        try (RtmpServer server = RtmpServer.builder().port(0).threads(1).limits(limits).start();
                RtmpClient client = RtmpClient.builder().threads(1).handshakeTimeoutMillis(60_000)
                        .commandTimeoutMillis(60_000).build()) {
            String url = "rtmp://127.0.0.1:" + server.port() + "/live";
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            List<CompletableFuture<RtmpPlayer>> playing = new ArrayList<>(PLAYERS);
            List<FrameCounter> counters = new ArrayList<>(PLAYERS);
            CountDownLatch allFrames = new CountDownLatch(PLAYERS);
            for (int i = 0; i < PLAYERS; i++) {
                FrameCounter counter = new FrameCounter(allFrames);
                counters.add(counter);
                playing.add(client.connect(url).thenCompose(c -> c.play("crowd", counter)));
            }
            CompletableFuture.allOf(playing.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            long tPlaying = System.nanoTime();
            assertThat(server.registry().find("live", "crowd").viewers()).isEqualTo(PLAYERS);

            RtmpConnection encoder = client.connect(url).get(10, TimeUnit.SECONDS);
            RtmpPublisher pub = encoder.publish("crowd").get(10, TimeUnit.SECONDS);
            // avcC of a 320x240 baseline stream from libx264 (ffmpeg 8.0.1, testsrc2, -profile:v baseline).
            pub.send(MediaPacket.video(Codec.H264, PacketType.SEQUENCE_HEADER, 0, 0, 0, true, false,
                    Unpooled.wrappedBuffer(hex("01 42c00d ff e1 0016 6742c00dda0507ec044000000300400000 0c83c50aa8"
                            + " 01 0004 68ce0fc8"))));
            for (int i = 0; i < FRAMES; i++) {
                byte[] frame = new byte[4 + 1000];
                frame[3] = (byte) 0xE8; // NAL unit length 1000 (0x3E8)
                frame[2] = 0x03;
                frame[4] = (byte) (i == 0 ? 0x65 : 0x41);
                pub.send(MediaPacket.video(Codec.H264, PacketType.FRAME, 0, i * 40 * 90L, 0, i == 0, false,
                        Unpooled.wrappedBuffer(frame)));
            }
            pub.flush();
            assertThat(allFrames.await(10, TimeUnit.SECONDS)).as("%d players still waiting", allFrames.getCount())
                    .isTrue();
            long tFrames = System.nanoTime();
            for (FrameCounter c : counters) {
                assertThat(c.frames).isEqualTo(FRAMES);
                assertThat(c.inOrder).isTrue();
            }
            // With the leak detector at PARANOID, as the build runs tests; CPU time is this JVM's, client and server.
            System.out.printf("%d players: connected and playing in %d ms, all %d frames delivered %d ms later,"
                    + " %d ms of CPU%n", PLAYERS, TimeUnit.NANOSECONDS.toMillis(tPlaying - t0), FRAMES,
                    TimeUnit.NANOSECONDS.toMillis(tFrames - tPlaying),
                    TimeUnit.NANOSECONDS.toMillis(processCpuNanos() - cpu0));
        }
    }
}
