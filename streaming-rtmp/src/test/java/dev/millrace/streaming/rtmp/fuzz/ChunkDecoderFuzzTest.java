package dev.millrace.streaming.rtmp.fuzz;

import static dev.millrace.streaming.rtmp.fuzz.FuzzSupport.boundaries;
import static dev.millrace.streaming.rtmp.fuzz.FuzzSupport.selector;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.fuzz.FuzzSupport.TrackingAllocator;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Arbitrary bytes after the handshake, fed to a {@link ChunkDecoder} with {@link RtmpLimits#DEFAULT} through an
 * {@link EmbeddedChannel} in one to three reads.
 *
 * <p>Input layout: byte 0 and byte 1 choose the cuts (see {@link FuzzSupport#boundaries}); the rest is the chunk
 * stream. The seeds in {@code ChunkDecoderFuzzTestInputs} are real chunk streams behind two such bytes; the README
 * of this package's resources says how they were made.
 *
 * <p>Oracle, RTMP 1.0 section 5.3 and the decoder's contract:
 * <ul>
 *   <li>the only exception is {@link RtmpProtocolException}: {@code ByteToMessageDecoder} rethrows a
 *       {@code DecoderException} as it is and wraps anything else in a plain {@code DecoderException}, and
 *       {@code EmbeddedChannel} rethrows what reached the pipeline's tail, so an unchecked bug arrives as a
 *       {@code DecoderException} whose cause is the bug, and fails the target;</li>
 *   <li>at most one exception per connection; reads after it are discarded silently;</li>
 *   <li>every message has a chunk stream id 2..65599 (RTMP 5.3.1.1), a type id 0..255, a u32 timestamp and a
 *       length within the limit of its type, and the payloads add up to no more than the bytes fed;</li>
 *   <li>progress: without an error, the decoder has consumed all but at most 17 bytes (the most an incomplete
 *       chunk header can hold: 3-byte basic header, 11-byte type 0 header, 4-byte extended timestamp, minus one),
 *       so it never waits for bytes it already has (a call that never returns is caught by the per-input timeout
 *       of a fuzzing run, see the README);</li>
 *   <li>after {@code finish()} and the release of every emitted message, every buffer the channel's allocator
 *       handed out (input pieces included) has a reference count of 0;</li>
 *   <li>where reads end changes nothing: the same bytes in one read (or, for short inputs the fuzzer delivers in
 *       one read, one byte per read) give the same messages and the same exception reason.</li>
 * </ul>
 */
class ChunkDecoderFuzzTest {

    /** 3-byte basic header + 11-byte type 0 message header + 4-byte extended timestamp (RTMP 5.3.1). */
    private static final int LONGEST_CHUNK_HEADER = 3 + 11 + 4;

    private static final int PREFIX = 2;

    /** Inputs up to this size are also decoded one byte per read when the fuzzer chose a single read. */
    private static final int MAX_BYTEWISE = 256;

    /** A decoded message, as compared between two ways of cutting the same input. */
    private record Decoded(int csid, int typeId, long timestamp, int msid, byte[] payload) {
        boolean same(Decoded o) {
            return csid == o.csid && typeId == o.typeId && timestamp == o.timestamp && msid == o.msid
                    && Arrays.equals(payload, o.payload);
        }

        @Override
        public String toString() {
            return "csid=" + csid + " type=" + typeId + " ts=" + timestamp + " msid=" + msid + " len="
                    + payload.length;
        }
    }

    /** What one connection decoded: its messages, then the reason of its exception or null. */
    private record Outcome(List<Decoded> messages, RtmpProtocolException.Reason error) {
    }

    @FuzzTest
    void decoderRaisesOnlyRtmpProtocolExceptionsAndHoldsNothingAfterFinish(byte[] input) {
        byte[] stream = input.length <= PREFIX ? new byte[0] : Arrays.copyOfRange(input, PREFIX, input.length);
        int[] bounds = boundaries(stream.length, selector(input, 0), selector(input, 1));
        Outcome cut = decode(stream, bounds);

        // The same bytes cut differently decode to the same messages and the same error: the decoder keeps no
        // state that depends on where reads end.
        int[] other;
        if (bounds.length > 2) {
            other = new int[] {0, stream.length};
        } else if (stream.length > 1 && stream.length <= MAX_BYTEWISE) {
            other = new int[stream.length + 1];
            for (int i = 0; i <= stream.length; i++) {
                other[i] = i;
            }
        } else {
            return;
        }
        Outcome again = decode(stream, other);
        assertThat(again.error()).as("error with reads at %s and at %s", Arrays.toString(bounds),
                Arrays.toString(other)).isEqualTo(cut.error());
        assertThat(again.messages()).as("messages").hasSameSizeAs(cut.messages());
        for (int i = 0; i < cut.messages().size(); i++) {
            Decoded a = cut.messages().get(i);
            Decoded b = again.messages().get(i);
            if (!a.same(b)) {
                throw new AssertionError("message " + i + " is " + a + " with reads at " + Arrays.toString(bounds)
                        + " but " + b + " with reads at " + Arrays.toString(other));
            }
        }
    }

    /** Feeds {@code stream} to a new decoder in the reads between {@code bounds}, checking the oracle throughout. */
    private static Outcome decode(byte[] stream, int[] bounds) {
        RtmpLimits limits = RtmpLimits.DEFAULT;
        TrackingAllocator alloc = new TrackingAllocator();
        ChunkDecoder decoder = new ChunkDecoder(limits);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.config().setAllocator(alloc);
        List<RtmpMessage> got = new ArrayList<>();
        List<Decoded> decoded = new ArrayList<>();
        RtmpProtocolException error = null;
        long payloadBytes = 0;
        try {
            for (int i = 0; i + 1 < bounds.length; i++) {
                int from = bounds[i];
                int length = bounds[i + 1] - from;
                ByteBuf piece = alloc.buffer(length).writeBytes(stream, from, length);
                try {
                    ch.writeInbound(piece);
                } catch (RtmpProtocolException e) {
                    assertThat(error).as("a second exception after %s", error).isNull();
                    error = e;
                }
                payloadBytes += drain(ch, got, limits);
                if (error == null) {
                    long unconsumed = bounds[i + 1] - decoder.bytesRead();
                    assertThat(unconsumed).as("bytes fed but not consumed after read %d", i)
                            .isBetween(0L, (long) LONGEST_CHUNK_HEADER - 1);
                }
            }
            try {
                ch.finish();
            } catch (RtmpProtocolException e) {
                assertThat(error).as("a second exception after %s", error).isNull();
                error = e;
            }
            payloadBytes += drain(ch, got, limits);
            assertThat(payloadBytes).as("payload bytes emitted").isLessThanOrEqualTo(stream.length);
            assertThat(decoder.chunkSize()).isBetween(limits.minChunkSize(), limits.maxChunkSize());
            for (RtmpMessage m : got) {
                decoded.add(new Decoded(m.chunkStreamId(), m.typeId(), m.timestamp(), m.messageStreamId(),
                        ByteBufUtil.getBytes(m.content())));
            }
        } finally {
            for (RtmpMessage m : got) {
                m.release();
            }
            ch.finishAndReleaseAll();
        }
        alloc.assertAllReleased(error == null ? "no error" : error.toString());
        return new Outcome(decoded, error == null ? null : error.reason());
    }

    /** Moves the inbound messages to {@code into}, checks each, and returns the sum of their lengths. */
    private static long drain(EmbeddedChannel ch, List<RtmpMessage> into, RtmpLimits limits) {
        long bytes = 0;
        for (;;) {
            Object o = ch.readInbound();
            if (o == null) {
                return bytes;
            }
            if (!(o instanceof RtmpMessage m)) {
                throw new AssertionError("decoder emitted " + o.getClass().getName());
            }
            into.add(m);
            assertThat(m.refCnt()).isEqualTo(1);
            assertThat(m.chunkStreamId()).isBetween(2, 65599);
            assertThat(m.typeId()).isBetween(0, 255);
            assertThat(m.timestamp()).isBetween(0L, 0xFFFF_FFFFL);
            assertThat(m.length()).as("length of %s", m).isLessThanOrEqualTo(limits.maxMessageBytes(m.typeId()));
            bytes += m.length();
        }
    }
}
