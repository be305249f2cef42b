package dev.millrace.streaming.rtmp.chunk;

import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.LIMITS;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.assertMessages;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.drain;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.msg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.Msg;
import dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.TrackingAllocator;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Encoder output fed to the decoder: a seeded random mix of chunk stream ids (all three basic header forms),
 * message types, lengths (zero included), chunk sizes and timestamps (backwards steps, jumps of 0xFFFFFF and more,
 * values around 0xFFFFFF and 2^32), written as {@link RtmpMessage}s and as {@link PreChunkedMessage}s on both the
 * zero-copy path and the re-chunking one. What the decoder emits must equal what was written.
 */
class ChunkRoundTripTest {

    private static final long SEED = 0x6D69_6C6C_7261_6365L;
    private static final int MESSAGES = 400;
    private static final int[] CHUNK_STREAM_IDS = {2, 3, 4, 5, 6, 63, 64, 319, 320, 65599};
    private static final int[] TYPES = {8, 9, 18, 20};
    private static final int[] CHUNK_SIZES = {1, 2, 3, 7, 64, 128, 1000, 4096, 65536, 0xFF_FFFF};

    @Test
    void randomMessagesComeOutOfTheDecoderAsTheyWentIntoTheEncoder() {
        Random rnd = new Random(SEED);
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel enc = new EmbeddedChannel(new ChunkEncoder());
        enc.config().setAllocator(alloc);
        List<Msg> expected = new ArrayList<>();
        long[] lastTimestamp = new long[CHUNK_STREAM_IDS.length];
        int chunkSize = 128;
        for (int i = 0; i < MESSAGES; i++) {
            if (rnd.nextInt(15) == 0) {
                int size = CHUNK_SIZES[rnd.nextInt(CHUNK_SIZES.length)];
                ByteBuf payload = enc.alloc().buffer(4).writeInt(size);
                expected.add(msg(2, 1, 0, 0, ByteBufUtil.hexDump(payload)));
                assertThat(enc.writeOutbound(new RtmpMessage(2, 1, 0, 0, payload))).isTrue();
                chunkSize = size;
                continue;
            }
            int s = rnd.nextInt(CHUNK_STREAM_IDS.length);
            int csid = CHUNK_STREAM_IDS[s];
            long timestamp = nextTimestamp(rnd, lastTimestamp[s]);
            lastTimestamp[s] = timestamp;
            int typeId = TYPES[rnd.nextInt(TYPES.length)];
            int msid = rnd.nextInt(3);
            int length = rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(rnd.nextBoolean() ? 300 : 3000);
            byte[] data = new byte[length];
            rnd.nextBytes(data);
            expected.add(msg(csid, typeId, timestamp, msid, ByteBufUtil.hexDump(data)));
            int how = rnd.nextInt(3);
            if (how == 0) {
                ByteBuf payload = enc.alloc().buffer(length).writeBytes(data);
                assertThat(enc.writeOutbound(new RtmpMessage(csid, typeId, timestamp, msid, payload))).isTrue();
            } else {
                int bodyChunkSize = how == 1 ? chunkSize : CHUNK_SIZES[rnd.nextInt(CHUNK_SIZES.length)];
                int headerLength = rnd.nextInt(Math.min(length, 5) + 1);
                ByteBuf header = enc.alloc().buffer().writeBytes(data, 0, headerLength);
                ByteBuf payload = enc.alloc().buffer().writeBytes(data, headerLength, length - headerLength);
                ByteBuf body;
                try {
                    body = ChunkedBody.encode(enc.alloc(), csid, bodyChunkSize, header, payload);
                } finally {
                    header.release();
                    payload.release();
                }
                assertThat(enc.writeOutbound(
                        new PreChunkedMessage(csid, typeId, timestamp, msid, length, bodyChunkSize, body))).isTrue();
            }
        }
        byte[] wire = drainBytes(enc);
        assertThat(enc.finish()).isFalse();
        alloc.assertAllReleased("encoding");

        for (int maxPiece : new int[] {3, 17, 700, 70_000}) {
            assertDecodesInRandomPieces(wire, expected, new Random(SEED + maxPiece), maxPiece);
        }
    }

    @Test
    void oneSharedBodyServesReceiversWithDifferentHeaderState() {
        EmbeddedChannel early = new EmbeddedChannel(new ChunkEncoder());
        EmbeddedChannel late = new EmbeddedChannel(new ChunkEncoder());
        Random rnd = new Random(SEED);
        List<Msg> earlyExpected = new ArrayList<>();
        List<Msg> lateExpected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int typeId = i % 2 == 0 ? 9 : 8;
            int csid = typeId == 9 ? 7 : 6;
            byte[] data = new byte[typeId == 9 ? 300 + rnd.nextInt(500) : 10 + rnd.nextInt(20)];
            rnd.nextBytes(data);
            ByteBuf payload = early.alloc().buffer().writeBytes(data);
            ByteBuf shared = ChunkedBody.encode(early.alloc(), csid, 128, payload.slice(0, 2),
                    payload.slice(2, data.length - 2));
            payload.release();
            String before = ByteBufUtil.hexDump(shared);
            long timestamp = 1000L + 33L * i;
            try {
                early.writeOutbound(
                        new PreChunkedMessage(csid, typeId, timestamp, 1, data.length, 128, shared.retainedDuplicate()));
                earlyExpected.add(msg(csid, typeId, timestamp, 1, ByteBufUtil.hexDump(data)));
                if (i >= 7) {
                    // A late joiner: its own message stream id and timeline, and a fresh chunk stream state.
                    long rebased = timestamp - (1000L + 33L * 7);
                    late.writeOutbound(
                            new PreChunkedMessage(csid, typeId, rebased, 3, data.length, 128, shared.retainedDuplicate()));
                    lateExpected.add(msg(csid, typeId, rebased, 3, ByteBufUtil.hexDump(data)));
                }
                assertThat(ByteBufUtil.hexDump(shared)).isEqualTo(before); // shared bytes never change
            } finally {
                shared.release();
            }
        }
        assertDecodesInRandomPieces(drainBytes(early), earlyExpected, new Random(1), 500);
        assertDecodesInRandomPieces(drainBytes(late), lateExpected, new Random(2), 500);
        assertThat(early.finish()).isFalse();
        assertThat(late.finish()).isFalse();
    }

    /** Timestamps that exercise every header choice: small steps, steps back, huge jumps, the 24-bit and 32-bit edges. */
    private static long nextTimestamp(Random rnd, long last) {
        switch (rnd.nextInt(10)) {
            case 0:
                return (last - 1 - rnd.nextInt(1000)) & 0xFFFF_FFFFL;
            case 1:
                return (last + 0xFF_FFFFL + rnd.nextInt(1000)) & 0xFFFF_FFFFL;
            case 2:
                return 0xFF_FFFFL - 50 + rnd.nextInt(100);
            case 3:
                return (0xFFFF_FFFFL - 50 + rnd.nextInt(100)) & 0xFFFF_FFFFL;
            default:
                return (last + rnd.nextInt(100)) & 0xFFFF_FFFFL;
        }
    }

    private static byte[] drainBytes(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (;;) {
            ByteBuf b = ch.readOutbound();
            if (b == null) {
                return out.toByteArray();
            }
            try {
                out.writeBytes(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
    }

    private static void assertDecodesInRandomPieces(byte[] wire, List<Msg> expected, Random rnd, int maxPiece) {
        // Untracked by the PARANOID leak detector (which records a trace on nearly every access and would make
        // this test take a minute); every buffer is checked for release explicitly instead.
        TrackingAllocator alloc = new TrackingAllocator();
        ChunkDecoder decoder = new ChunkDecoder(LIMITS);
        EmbeddedChannel dec = new EmbeddedChannel(decoder);
        dec.config().setAllocator(alloc);
        List<RtmpMessage> got = new ArrayList<>();
        try {
            int fed = 0;
            while (fed < wire.length) {
                int n = Math.min(wire.length - fed, 1 + rnd.nextInt(maxPiece));
                dec.writeInbound(dec.alloc().buffer(n).writeBytes(wire, fed, n));
                fed += n;
                drain(dec, got);
            }
            assertMessages(got, expected, "pieces of at most " + maxPiece + " bytes");
            assertThat(decoder.bytesRead()).isEqualTo(wire.length);
        } finally {
            got.forEach(RtmpMessage::release);
        }
        assertThat(dec.finish()).isFalse();
        alloc.assertAllReleased("decoding in pieces of at most " + maxPiece + " bytes");
    }
}
