package dev.millrace.streaming.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MediaPacketTest {

    @Test
    void anEncodingIsBuiltOnceAndSharedByEveryCaller() throws Exception {
        MediaPacket p = MediaPacket.video(Codec.H264, PacketType.FRAME, 0, 90_000, 0, true, false,
                Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        AtomicInteger builds = new AtomicInteger();
        MediaPacket.Encoding<ByteBuf> encoding = packet -> {
            builds.incrementAndGet();
            return Unpooled.buffer(4).writeInt(packet.size());
        };
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            @SuppressWarnings("unchecked")
            Future<ByteBuf>[] results = new Future[8];
            for (int i = 0; i < results.length; i++) {
                results[i] = pool.submit(() -> {
                    go.await();
                    return p.encoded(encoding);
                });
            }
            go.countDown();
            ByteBuf first = results[0].get(5, TimeUnit.SECONDS);
            for (Future<ByteBuf> f : results) {
                assertThat(f.get(5, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(builds).hasValue(1);
            assertThat(first.refCnt()).isEqualTo(1);
            ByteBuf payload = p.content();
            p.release();
            assertThat(first.refCnt()).as("released with the packet").isZero();
            assertThat(payload.refCnt()).isZero();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void timestampsAreOnThe90kHzClock() {
        MediaPacket p = MediaPacket.video(Codec.HEVC, PacketType.FRAME, 0, 1_000 * 90L, -40 * 90L, false, true,
                Unpooled.EMPTY_BUFFER);
        assertThat(p.dtsMillis()).isEqualTo(1_000);
        assertThat(p.compositionOffsetMillis()).isEqualTo(-40);
        assertThat(p.isKeyframe()).isFalse();
        assertThat(p.isDisposable()).isTrue();
        MediaPacket shifted = p.shifted(500 * 90L);
        assertThat(shifted.dtsMillis()).isEqualTo(1_500);
        assertThat(shifted.pts90k() - shifted.dts90k()).isEqualTo(-40 * 90L);
        shifted.release();
        p.release();
    }
}
