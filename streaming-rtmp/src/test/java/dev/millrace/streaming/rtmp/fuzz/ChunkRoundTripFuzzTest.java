package dev.millrace.streaming.rtmp.fuzz;

import static dev.millrace.streaming.rtmp.fuzz.FuzzSupport.boundaries;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.chunk.ChunkEncoder;
import dev.millrace.streaming.rtmp.chunk.ChunkedBody;
import dev.millrace.streaming.rtmp.chunk.PreChunkedMessage;
import dev.millrace.streaming.rtmp.fuzz.FuzzSupport.TrackingAllocator;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Differential target: messages described by the fuzz input go through a {@link ChunkEncoder}, as
 * {@link RtmpMessage}s and as {@link PreChunkedMessage}s (zero-copy and re-chunked), and the bytes it writes go
 * through a {@link ChunkDecoder} with {@link RtmpLimits#DEFAULT} in one to three reads. The decoder must emit exactly
 * the messages written, in order, without an exception, and both sides must release every buffer.
 *
 * <p>Input layout (a reader that yields 0 past the end, so every input is valid): byte 0 and byte 1 choose the cuts
 * of the encoded stream ({@link FuzzSupport#boundaries}); then up to {@value #MAX_MESSAGES} message records, each:
 * <pre>
 * UI8  op      bits 0-3 chunk stream id (index into CHUNK_STREAM_IDS, all three basic header forms)
 *              bits 4-5 how: 0 or 1 RtmpMessage, 2 PreChunkedMessage at the encoder's chunk size,
 *                       3 PreChunkedMessage at a chunk size from BODY_CHUNK_SIZES (re-chunked when it is not
 *                       the encoder's)
 *              bits 6-7 what: 1 Set Chunk Size, 2 Abort, 0 or 3 any other message
 * Set Chunk Size: UI24 size - 128 (so 128..0x100007F, what RtmpLimits.DEFAULT admits; above 0xFFFFFF acts as it)
 * Abort:          UI16 chunk stream id named
 * other:          UI8 type id (1 and 2 become 8), UI8 message stream id, timestamp, UI24 length field,
 *                 payload bytes taken from the input (a counting pattern after its end)
 *                 length: the low 11 bits of the field, or its low 18 bits when its two top bits are set
 *                 timestamp: UI8 t; t bit 7 set: UI32 absolute; else UI24 delta from this chunk stream's last
 * PreChunked:     UI8 header length selector, UI8 chunk size selector (how 3 only)
 * </pre>
 * Lengths are clamped to the type's limit and a total budget, so one input costs at most a few hundred KiB and most
 * inputs a few KiB (long messages, past the decoder's 64 KiB first reassembly allocation, must be asked for).
 */
class ChunkRoundTripFuzzTest {

    private static final int[] CHUNK_STREAM_IDS = {
        2, 3, 4, 5, 6, 7, 8, 9, 63, 64, 65, 318, 319, 320, 321, 65599};
    private static final int[] BODY_CHUNK_SIZES = {1, 2, 3, 7, 64, 127, 128, 129, 1000, 4096, 65536, 0xFF_FFFF};
    private static final int MAX_MESSAGES = 64;
    /** Both top bits of the UI24 length field: a long message (up to 0x3FFFF bytes); otherwise up to 0x7FF. */
    private static final int LONG_MESSAGE = 0xC0_0000;
    private static final int MAX_MESSAGE_BYTES = 140_000;
    private static final int MAX_TOTAL_BYTES = 300_000;

    /** An expected message. */
    private record Expected(int csid, int typeId, long timestamp, int msid, byte[] payload) {
        @Override
        public String toString() {
            return "csid=" + csid + " type=" + typeId + " ts=" + timestamp + " msid=" + msid + " len="
                    + payload.length;
        }
    }

    @FuzzTest
    void everyMessageTheEncoderWritesComesOutOfTheDecoderUnchanged(byte[] input) {
        Reader in = new Reader(input);
        int cutA = in.u8();
        int cutB = in.u8();
        TrackingAllocator encAlloc = new TrackingAllocator();
        EmbeddedChannel enc = new EmbeddedChannel(new ChunkEncoder());
        enc.config().setAllocator(encAlloc);
        ChunkEncoder encoder = enc.pipeline().get(ChunkEncoder.class);
        List<Expected> expected = new ArrayList<>();
        long[] lastTimestamp = new long[CHUNK_STREAM_IDS.length];
        int chunkSize = 128;
        int budget = MAX_TOTAL_BYTES;
        byte[] wire;
        try {
            for (int m = 0; m < MAX_MESSAGES && in.hasMore(); m++) {
                int op = in.u8();
                int s = op & 0x0F;
                int csid = CHUNK_STREAM_IDS[s];
                int how = (op >> 4) & 3;
                int what = op >> 6;
                int typeId;
                long timestamp;
                int msid;
                byte[] payload;
                if (what == 1) {
                    // RTMP 5.4.1: 31-bit chunk size; the decoder's limits admit 128..0xFFFFFF, larger acts as that
                    long size = 128 + in.u24();
                    typeId = MessageType.SET_CHUNK_SIZE;
                    timestamp = 0;
                    msid = 0;
                    payload = new byte[] {(byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8), (byte) size};
                } else if (what == 2) {
                    // RTMP 5.4.2: UI32 chunk stream id; nothing is in progress, so it drops nothing
                    int target = in.u16();
                    typeId = MessageType.ABORT;
                    timestamp = 0;
                    msid = 0;
                    payload = new byte[] {0, 0, (byte) (target >>> 8), (byte) target};
                } else {
                    typeId = in.u8();
                    if (typeId == MessageType.SET_CHUNK_SIZE || typeId == MessageType.ABORT) {
                        typeId = MessageType.VIDEO;
                    }
                    msid = in.u8();
                    int t = in.u8();
                    timestamp = (t & 0x80) != 0 ? in.u32() : (lastTimestamp[s] + in.u24()) & 0xFFFF_FFFFL;
                    int rawLength = in.u24();
                    int length = (rawLength & LONG_MESSAGE) == LONG_MESSAGE
                            ? rawLength & 0x3_FFFF : rawLength & 0x7FF;
                    length = Math.min(length, Math.min(MAX_MESSAGE_BYTES, budget));
                    length = Math.min(length, RtmpLimits.DEFAULT.maxMessageBytes(typeId));
                    payload = in.bytes(length);
                }
                lastTimestamp[s] = timestamp;
                budget -= payload.length;
                expected.add(new Expected(csid, typeId, timestamp, msid, payload));
                if (how < 2) {
                    ByteBuf content = enc.alloc().buffer(payload.length).writeBytes(payload);
                    write(enc, new RtmpMessage(csid, typeId, timestamp, msid, content));
                } else {
                    int headerSelector = in.u8();
                    int bodyChunkSize = how == 2 ? chunkSize : BODY_CHUNK_SIZES[in.u8() % BODY_CHUNK_SIZES.length];
                    int headerLength = headerSelector % (Math.min(payload.length, 5) + 1);
                    ByteBuf header = enc.alloc().buffer(headerLength).writeBytes(payload, 0, headerLength);
                    ByteBuf rest = enc.alloc().buffer(payload.length - headerLength)
                            .writeBytes(payload, headerLength, payload.length - headerLength);
                    ByteBuf body;
                    try {
                        body = ChunkedBody.encode(enc.alloc(), csid, bodyChunkSize, header, rest);
                    } finally {
                        header.release();
                        rest.release();
                    }
                    write(enc, new PreChunkedMessage(csid, typeId, timestamp, msid, payload.length, bodyChunkSize,
                            body));
                }
                if (typeId == MessageType.SET_CHUNK_SIZE) {
                    chunkSize = (int) Math.min(((payload[0] & 0xFFL) << 24) | ((payload[1] & 0xFF) << 16)
                            | ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF), 0xFF_FFFF);
                }
                assertThat(encoder.chunkSize()).as("encoder chunk size after message %d", m).isEqualTo(chunkSize);
            }
            wire = drainBytes(enc);
            assertThat(enc.finish()).isFalse();
        } finally {
            enc.finishAndReleaseAll();
        }
        encAlloc.assertAllReleased("encoder");

        TrackingAllocator decAlloc = new TrackingAllocator();
        ChunkDecoder decoder = new ChunkDecoder(RtmpLimits.DEFAULT);
        EmbeddedChannel dec = new EmbeddedChannel(decoder);
        dec.config().setAllocator(decAlloc);
        List<RtmpMessage> got = new ArrayList<>();
        try {
            int[] bounds = boundaries(wire.length, cutA, cutB);
            for (int i = 0; i + 1 < bounds.length; i++) {
                int length = bounds[i + 1] - bounds[i];
                dec.writeInbound(decAlloc.buffer(length).writeBytes(wire, bounds[i], length));
                drain(dec, got);
            }
            assertThat(decoder.bytesRead()).isEqualTo(wire.length);
            assertThat(decoder.chunkSize()).isEqualTo(chunkSize);
            assertThat(dec.finish()).isFalse();
            assertThat(got).as("messages decoded").hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                RtmpMessage m = got.get(i);
                String what = "message " + i + " (" + e + ") decoded as " + m;
                assertThat(m.chunkStreamId()).as(what).isEqualTo(e.csid());
                assertThat(m.typeId()).as(what).isEqualTo(e.typeId());
                assertThat(m.timestamp()).as(what).isEqualTo(e.timestamp());
                assertThat(m.messageStreamId()).as(what).isEqualTo(e.msid());
                assertThat(ByteBufUtil.getBytes(m.content())).as(what).isEqualTo(e.payload());
            }
        } finally {
            for (RtmpMessage m : got) {
                m.release();
            }
            dec.finishAndReleaseAll();
        }
        decAlloc.assertAllReleased("decoder");
    }

    /** Writes one message; the encoder fails the write's future (and so writeOutbound) for a message it refuses. */
    private static void write(EmbeddedChannel enc, Object message) {
        enc.writeOutbound(message);
        enc.checkException();
    }

    private static void drain(EmbeddedChannel ch, List<RtmpMessage> into) {
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
            into.add((RtmpMessage) o);
        }
    }

    private static byte[] drainBytes(EmbeddedChannel enc) {
        List<byte[]> parts = new ArrayList<>();
        int total = 0;
        for (Object o = enc.readOutbound(); o != null; o = enc.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            try {
                byte[] bytes = ByteBufUtil.getBytes(b);
                parts.add(bytes);
                total += bytes.length;
            } finally {
                b.release();
            }
        }
        byte[] wire = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, wire, at, p.length);
            at += p.length;
        }
        return wire;
    }

    /** Reads the input front to back; past its end every field is 0 and payloads continue as a counting pattern. */
    private static final class Reader {
        private final byte[] data;
        private int pos;

        Reader(byte[] data) {
            this.data = data;
        }

        boolean hasMore() {
            return pos < data.length;
        }

        int u8() {
            return pos < data.length ? data[pos++] & 0xFF : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        int u24() {
            return u8() << 16 | u16();
        }

        long u32() {
            return (long) u8() << 24 | u24();
        }

        byte[] bytes(int n) {
            int available = Math.max(0, Math.min(n, data.length - pos));
            byte[] out = Arrays.copyOfRange(data, pos, pos + available);
            pos += available;
            if (available < n) {
                out = Arrays.copyOf(out, n);
                for (int i = available; i < n; i++) {
                    out[i] = (byte) i;
                }
            }
            return out;
        }
    }
}
