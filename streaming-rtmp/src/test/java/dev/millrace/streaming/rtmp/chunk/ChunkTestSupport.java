package dev.millrace.streaming.rtmp.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Shared helpers of the chunk tests: hex input, expected messages, every-split feeding, allocation tracking. */
final class ChunkTestSupport {

    /** The defaults, except that any chunk size from 1 up is accepted so that tests can chunk small messages. */
    static final RtmpLimits LIMITS = limits(1, 64, 32 * 1024 * 1024);

    private ChunkTestSupport() {
    }

    static RtmpLimits limits(int minChunkSize, int maxChunkStreams, int maxBufferedBytes) {
        return RtmpLimits.builder().minChunkSize(minChunkSize).maxChunkStreams(maxChunkStreams)
                .maxBufferedBytes(maxBufferedBytes).build();
    }

    /** Joins hex parts, ignoring spaces. */
    static byte[] hex(String... parts) {
        return ByteBufUtil.decodeHexDump(String.join("", parts).replace(" ", ""));
    }

    /** {@code n} bytes counting up from {@code first} (mod 256), as hex: filler payload for long messages. */
    static String pattern(int n, int first) {
        StringBuilder sb = new StringBuilder(2 * n);
        for (int i = 0; i < n; i++) {
            int b = (first + i) & 0xFF;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    /** An expected decoded message. */
    record Msg(int csid, int typeId, long timestamp, int msid, String payloadHex) {
    }

    static Msg msg(int csid, int typeId, long timestamp, int msid, String payloadHex) {
        return new Msg(csid, typeId, timestamp, msid, payloadHex.replace(" ", "").toLowerCase());
    }

    /**
     * Feeds {@code input} to a fresh decoder at every split: whole, in pieces of k bytes for every k in 1..n-1, and
     * in two pieces cut at every position; each time expects exactly {@code expected}, all input consumed
     * ({@code bytesRead() == n}), {@code check} to pass, and every buffer released after {@code finish()}.
     */
    static void assertDecodes(RtmpLimits limits, byte[] input, List<Msg> expected, Consumer<ChunkDecoder> check) {
        for (int[] pieces : feedPatterns(input.length)) {
            run(limits, input, pieces, expected, null, -1, check);
        }
    }

    static void assertDecodes(byte[] input, Msg... expected) {
        assertDecodes(LIMITS, input, List.of(expected), d -> { });
    }

    /**
     * Like {@link #assertDecodes}, but expects an {@link RtmpProtocolException} with {@code reason} on the write that
     * brings the fed byte count to {@code failAt} or past it, the {@code before} messages ahead of it, and
     * nothing more after it (later input is discarded silently).
     */
    static void assertRejects(RtmpLimits limits, byte[] input, int failAt, Reason reason, Msg... before) {
        for (int[] pieces : feedPatterns(input.length)) {
            run(limits, input, pieces, List.of(before), reason, failAt, d -> { });
        }
    }

    static List<int[]> feedPatterns(int n) {
        List<int[]> patterns = new ArrayList<>();
        patterns.add(new int[] {n});
        for (int k = 1; k < n; k++) {
            int[] pieces = new int[(n + k - 1) / k];
            for (int i = 0; i < pieces.length; i++) {
                pieces[i] = Math.min(k, n - i * k);
            }
            patterns.add(pieces);
        }
        for (int p = 1; p < n; p++) {
            patterns.add(new int[] {p, n - p});
        }
        return patterns;
    }

    private static void run(RtmpLimits limits, byte[] input, int[] pieces, List<Msg> expected, Reason reason,
            int failAt, Consumer<ChunkDecoder> check) {
        TrackingAllocator alloc = new TrackingAllocator();
        ChunkDecoder decoder = new ChunkDecoder(limits);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.config().setAllocator(alloc);
        List<RtmpMessage> got = new ArrayList<>();
        RtmpProtocolException error = null;
        String split = "pieces " + describe(pieces);
        try {
            int fed = 0;
            for (int size : pieces) {
                ByteBuf piece = alloc.buffer(size).writeBytes(input, fed, size);
                int before = fed;
                fed += size;
                try {
                    ch.writeInbound(piece);
                } catch (RtmpProtocolException e) {
                    assertThat(error).as("second error with %s", split).isNull();
                    error = e;
                    assertThat(before).as("error raised too late with %s: %s", split, e).isLessThan(failAt);
                    assertThat(fed).as("error raised too early with %s: %s", split, e).isGreaterThanOrEqualTo(failAt);
                }
                drain(ch, got);
            }
            if (reason == null) {
                assertThat(error).as("unexpected error with %s", split).isNull();
                assertThat(decoder.bytesRead()).as("bytesRead with %s", split).isEqualTo(input.length);
            } else {
                assertThat(error).as("expected %s with %s", reason, split).isNotNull();
                assertThat(error.reason()).as("reason with %s: %s", split, error).isEqualTo(reason);
            }
            assertMessages(got, expected, split);
            check.accept(decoder);
        } finally {
            for (RtmpMessage m : got) {
                m.release();
            }
        }
        assertThat(ch.finish()).isFalse();
        alloc.assertAllReleased(split);
    }

    private static String describe(int[] pieces) {
        if (pieces.length <= 2) {
            return java.util.Arrays.toString(pieces);
        }
        return "of " + pieces[0] + " bytes";
    }

    static void drain(EmbeddedChannel ch, List<RtmpMessage> into) {
        for (;;) {
            Object o = ch.readInbound();
            if (o == null) {
                return;
            }
            assertThat(o).isInstanceOf(RtmpMessage.class);
            into.add((RtmpMessage) o);
        }
    }

    static void assertMessages(List<RtmpMessage> got, List<Msg> expected, String context) {
        List<Msg> actual = new ArrayList<>();
        for (RtmpMessage m : got) {
            actual.add(new Msg(m.chunkStreamId(), m.typeId(), m.timestamp(), m.messageStreamId(),
                    ByteBufUtil.hexDump(m.content())));
        }
        assertThat(actual).as("messages with %s", context).containsExactlyElementsOf(expected);
    }

    /** Concatenates the outbound buffers of {@code ch} as hex and releases them. */
    static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (;;) {
            Object o = ch.readOutbound();
            if (o == null) {
                return sb.toString();
            }
            assertThat(o).isInstanceOf(ByteBuf.class);
            ByteBuf b = (ByteBuf) o;
            try {
                sb.append(ByteBufUtil.hexDump(b));
            } finally {
                b.release();
            }
        }
    }

    /** Records every buffer it allocates so that a test can assert that each one was released. */
    static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        int allocations() {
            return allocated.size();
        }

        void assertAllReleased(String context) {
            for (ByteBuf b : allocated) {
                assertThat(b.refCnt()).as("refCnt of a buffer allocated with %s", context).isZero();
            }
        }
    }
}
