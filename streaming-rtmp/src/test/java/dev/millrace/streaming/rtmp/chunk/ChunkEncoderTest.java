package dev.millrace.streaming.rtmp.chunk;

import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.hex;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.pattern;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ChunkEncoderTest {

    private static RtmpMessage message(EmbeddedChannel ch, int csid, int typeId, long timestamp, int msid,
            String payloadHex) {
        return new RtmpMessage(csid, typeId, timestamp, msid, ch.alloc().buffer().writeBytes(hex(payloadHex)));
    }

    /** Writes {@code m} and returns the hex of what the encoder wrote for it. */
    private static String encode(EmbeddedChannel ch, Object m) {
        assertThat(ch.writeOutbound(m)).isTrue();
        return written(ch);
    }

    @Test
    void writesType0ThenType1ThenType2AndNeverType3ForANewMessage() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        assertThat(encode(ch, message(ch, 4, 8, 0, 1, "aaaa"))).isEqualTo(String.join("",
                "04",           // RTMP 5.3.1.1: fmt 0 (first message on csid 4), csid 4
                "000000",       // 5.3.1.2.1: timestamp 0
                "000002",       // length 2
                "08",           // type 8, audio
                "01000000",     // 5.3.1.2.5: message stream id 1, little-endian
                "aaaa"));
        assertThat(encode(ch, message(ch, 4, 9, 20, 1, "bbbbbb"))).isEqualTo(String.join("",
                "44",           // fmt 1: length and type changed
                "000014",       // 5.3.1.2.2: delta 20
                "000003",       // length 3
                "09",           // type 9, video
                "bbbbbb"));
        assertThat(encode(ch, message(ch, 4, 9, 30, 1, "cccccc"))).isEqualTo(String.join("",
                "84",           // fmt 2: same length and type
                "00000a",       // 5.3.1.2.3: delta 10
                "cccccc"));
        assertThat(encode(ch, message(ch, 4, 9, 40, 1, "dddddd"))).isEqualTo(String.join("",
                "84",           // fmt 2 again, not fmt 3, though the delta repeats (RTMP-FIELD-GUIDE T3)
                "00000a",       // delta 10
                "dddddd"));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void writesTheMessageStreamIdLittleEndianAndFallsBackToType0WhenItChanges() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        assertThat(encode(ch, message(ch, 5, 20, 0, 0x0102_0304, "05"))).isEqualTo(String.join("",
                "05", "000000", "000001", "14", // fmt 0, csid 5, timestamp 0, length 1, command
                "04030201",     // 5.3.1.2.5 (T14): message stream id 0x01020304, little-endian
                "05"));
        assertThat(encode(ch, message(ch, 5, 20, 10, 1, "06"))).isEqualTo(String.join("",
                "05",           // fmt 0: the message stream id changed
                "00000a",       // absolute timestamp 10
                "000001", "14", // length 1, command
                "01000000",     // message stream id 1
                "06"));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void splitsAMessageIntoType3ContinuationChunksAtTheInitialChunkSize128() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        assertThat(encode(ch, message(ch, 6, 9, 0, 1, pattern(130, 0)))).isEqualTo(String.join("",
                "06", "000000", // fmt 0, csid 6, timestamp 0
                "000082",       // length 130
                "09", "01000000", // video, message stream id 1
                pattern(128, 0), // 5.4.1: first chunk of 128 bytes
                "c6",           // 5.3.1.2.4: fmt 3 continuation, csid 6
                pattern(2, 128)));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void writesTheExtendedTimestampAndRepeatsItInEveryContinuationChunk() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        assertThat(encode(ch, message(ch, 6, 9, 0x0100_0000L, 1, pattern(260, 0)))).isEqualTo(String.join("",
                "06",           // fmt 0, csid 6
                "ffffff",       // 5.3.1.3: timestamp in the extended field
                "000104",       // length 260
                "09", "01000000", // video, message stream id 1
                "01000000",     // extended timestamp 0x01000000
                pattern(128, 0),
                "c6", "01000000", // fmt 3 continuation with the extended timestamp repeated (T4)
                pattern(128, 128),
                "c6", "01000000",
                pattern(4, 256)));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void neverSendsADeltaOf0xFFFFFFOrMoreButAnAbsoluteType0Header() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        assertThat(encode(ch, message(ch, 4, 8, 0, 1, "aa")))
                .isEqualTo("04" + "000000" + "000001" + "08" + "01000000" + "aa"); // fmt 0, ts 0, len 1, audio
        assertThat(encode(ch, message(ch, 4, 8, 0xFF_FFFEL, 1, "bb"))).isEqualTo(String.join("",
                "84",           // fmt 2
                "fffffe",       // delta 0xfffffe still fits 24 bits
                "bb"));
        assertThat(encode(ch, message(ch, 4, 8, 0x1FF_FFFDL, 1, "cc"))).isEqualTo(String.join("",
                "04",           // fmt 0: the delta would be 0xffffff (RTMP-FIELD-GUIDE T5)
                "ffffff",       // 5.3.1.3: extended timestamp follows
                "000001", "08", "01000000", // length 1, audio, message stream id 1
                "01fffffd",     // absolute timestamp 0x01fffffd
                "cc"));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void fallsBackToType0WhenTheTimestampGoesBackwards() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        written(encodeOnly(ch, message(ch, 4, 8, 1000, 1, "aa")));
        assertThat(encode(ch, message(ch, 4, 8, 999, 1, "bb"))).isEqualTo(String.join("",
                "04",           // fmt 0: timestamp went backwards (RTMP-FIELD-GUIDE T6)
                "0003e7",       // absolute 999
                "000001", "08", "01000000",
                "bb"));
        written(encodeOnly(ch, message(ch, 4, 8, 0xFFFF_FFF0L, 1, "cc")));
        assertThat(encode(ch, message(ch, 4, 8, 0x10, 1, "dd"))).isEqualTo(String.join("",
                "04",           // fmt 0: a timestamp wrapped past 2^32 is sent absolute
                "000010",       // 0x10
                "000001", "08", "01000000",
                "dd"));
        assertThat(ch.finish()).isFalse();
    }

    private static EmbeddedChannel encodeOnly(EmbeddedChannel ch, Object m) {
        ch.writeOutbound(m);
        return ch;
    }

    @Test
    void appliesAnOutboundSetChunkSizeToTheMessagesAfterIt() {
        ChunkEncoder encoder = new ChunkEncoder();
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        assertThat(encoder.chunkSize()).isEqualTo(128);
        assertThat(encode(ch, message(ch, 2, 1, 0, 0, "00000004"))).isEqualTo(String.join("",
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, ts 0, length 4, Set Chunk Size, msid 0
                "00000004"));   // 5.4.1: chunk size 4, itself sent at the old size
        assertThat(encoder.chunkSize()).isEqualTo(4);
        assertThat(encode(ch, message(ch, 3, 20, 0, 0, "a0a1a2a3a4a5"))).isEqualTo(String.join("",
                "03", "000000", "000006", "14", "00000000", // fmt 0, csid 3, ts 0, length 6, command, msid 0
                "a0a1a2a3",     // 4-byte chunk
                "c3",           // fmt 3 continuation
                "a4a5"));
        written(encodeOnly(ch, message(ch, 2, 1, 0, 0, "7fffffff")));
        assertThat(encoder.chunkSize()).isEqualTo(0xFF_FFFF); // 5.4.1: above 0xFFFFFF acts as 0xFFFFFF
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void writesTwoAndThreeByteBasicHeaders() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        assertThat(encode(ch, message(ch, 70, 8, 0, 1, pattern(130, 0)))).isEqualTo(String.join("",
                "00", "06",     // RTMP 5.3.1.1: fmt 0, 2-byte form, 70 - 64 = 6
                "000000", "000082", "08", "01000000",
                pattern(128, 0),
                "c0", "06",     // fmt 3, 2-byte form
                pattern(2, 128)));
        assertThat(encode(ch, message(ch, 364, 8, 0, 1, pattern(130, 0)))).isEqualTo(String.join("",
                "01", "2c01",   // fmt 0, 3-byte form, 364 - 64 = 300 = 0x012c little-endian
                "000000", "000082", "08", "01000000",
                pattern(128, 0),
                "c1", "2c01",   // fmt 3, 3-byte form
                pattern(2, 128)));
        assertThat(encode(ch, message(ch, 65599, 8, 0, 1, "ee"))).isEqualTo(String.join("",
                "01", "ffff",   // 65599 - 64 = 0xffff
                "000000", "000001", "08", "01000000",
                "ee"));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void passesOtherObjectsThroughUntouched() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        ByteBuf raw = Unpooled.wrappedBuffer(hex("0300"));
        assertThat(ch.writeOutbound(raw, "text")).isTrue();
        Object first = ch.readOutbound();
        Object second = ch.readOutbound();
        assertThat(first).isSameAs(raw);
        assertThat(second).isEqualTo("text");
        raw.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void neverFlushesAndCompletesThePromiseWhenWritten() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        ChannelFuture f = ch.writeOneOutbound(message(ch, 3, 20, 0, 0, "05"));
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(f.isDone()).isFalse();
        ch.flushOutbound();
        assertThat(f.isSuccess()).isTrue();
        assertThat(written(ch)).isEqualTo("03" + "000000" + "000001" + "14" + "00000000" + "05");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void failsThePromiseOfAnInvalidMessageReleasesItAndKeepsItsState() {
        ChunkEncoder encoder = new ChunkEncoder();
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        RtmpMessage badCsid = message(ch, 1, 20, 0, 0, "05");
        RtmpMessage badType = message(ch, 3, 256, 0, 0, "05");
        RtmpMessage shortSetChunkSize = message(ch, 2, 1, 0, 0, "000080");
        RtmpMessage zeroSetChunkSize = message(ch, 2, 1, 0, 0, "00000000");
        for (RtmpMessage m : new RtmpMessage[] {badCsid, badType, shortSetChunkSize, zeroSetChunkSize}) {
            ChannelFuture f = ch.writeOneOutbound(m);
            assertThat(f.cause()).isInstanceOf(IllegalArgumentException.class);
            assertThat(m.refCnt()).isZero();
        }
        ch.flushOutbound();
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(encoder.chunkSize()).isEqualTo(128);
        // csid 3 and 2 got no state: the next message on each is a type 0
        assertThat(encode(ch, message(ch, 3, 20, 5, 0, "06"))).startsWith("03000005");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void preChunkedMessageAtTheSameChunkSizeIsHeaderPlusTheSharedBodyWithoutCopying() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        ByteBuf header = Unpooled.wrappedBuffer(hex("1701000000")); // AVC NALU, composition time 0
        ByteBuf payload = ch.alloc().buffer().writeBytes(hex(pattern(125, 5)));
        ByteBuf shared = ChunkedBody.encode(ch.alloc(), 6, 128, header, payload);
        payload.release();
        try {
            PreChunkedMessage first = new PreChunkedMessage(6, 9, 0, 1, 130, 128, shared.retainedDuplicate());
            ByteBuf body = first.content();
            ChannelFuture f = ch.writeOneOutbound(first);
            ch.flushOutbound();
            assertThat(f.isSuccess()).isTrue();
            ByteBuf headerOut = ch.readOutbound();
            ByteBuf bodyOut = ch.readOutbound();
            try {
                assertThat(ByteBufUtil.hexDump(headerOut)).isEqualTo(String.join("",
                        "06", "000000", // fmt 0, csid 6, timestamp 0
                        "000082",       // length 130
                        "09", "01000000")); // video, message stream id 1
                assertThat(bodyOut).isSameAs(body); // the receiver's duplicate itself: zero copy
                assertThat(ByteBufUtil.hexDump(bodyOut)).isEqualTo(String.join("",
                        "1701000000", pattern(123, 5), // first 128 bytes of message data
                        "c6",           // fmt 3 separator
                        pattern(2, 128)));
            } finally {
                headerOut.release();
                bodyOut.release();
            }
            assertThat(encode(ch, new PreChunkedMessage(6, 9, 40, 1, 130, 128, shared.retainedDuplicate())))
                    .isEqualTo(String.join("",
                            "86",       // fmt 2 from this receiver's state: same length and type
                            "000028",   // delta 40
                            "1701000000", pattern(123, 5), "c6", pattern(2, 128)));
        } finally {
            shared.release();
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void preChunkedMessageIsRechunkedWhenTheChunkSizeDiffersOrAnExtendedTimestampIsNeeded() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        ByteBuf data = ch.alloc().buffer().writeBytes(hex(pattern(260, 0)));
        ByteBuf at64 = ChunkedBody.encode(ch.alloc(), 6, 64, Unpooled.EMPTY_BUFFER, data);
        ByteBuf at128 = ChunkedBody.encode(ch.alloc(), 6, 128, Unpooled.EMPTY_BUFFER, data);
        data.release();
        try {
            assertThat(encode(ch, new PreChunkedMessage(6, 9, 0x0100_0000L, 1, 260, 128, at128.retainedDuplicate())))
                    .isEqualTo(String.join("",
                            "06", "ffffff", "000104", "09", "01000000", // fmt 0, extended, length 260, video
                            "01000000",                                 // extended timestamp 0x01000000
                            pattern(128, 0), "c6", "01000000",          // T4: repeated in continuations
                            pattern(128, 128), "c6", "01000000",
                            pattern(4, 256)));
            assertThat(encode(ch, new PreChunkedMessage(6, 9, 0x0100_0014L, 1, 260, 64, at64.retainedDuplicate())))
                    .isEqualTo(String.join("",
                            "86", "000014",                             // fmt 2, delta 20
                            pattern(128, 0), "c6",                      // re-chunked at 128, not 64
                            pattern(128, 128), "c6",
                            pattern(4, 256)));
        } finally {
            at64.release();
            at128.release();
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void preChunkedSetChunkSizeSwitchesTheChunkSizeToo() {
        ChunkEncoder encoder = new ChunkEncoder();
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        ByteBuf body = ch.alloc().buffer().writeBytes(hex(
                "0000",         // first 2 bytes of the chunk size, chunked at 2
                "c2",           // fmt 3 separator, csid 2
                "0004"));       // last 2 bytes
        assertThat(encode(ch, new PreChunkedMessage(2, 1, 0, 0, 4, 2, body))).isEqualTo(String.join("",
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, ts 0, length 4, Set Chunk Size
                "00000004"));   // re-chunked at the current size 128
        assertThat(encoder.chunkSize()).isEqualTo(4);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void preChunkedMessageWithAVoidPromiseIsWritten() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoder());
        ByteBuf data = ch.alloc().buffer().writeBytes(hex("aabb"));
        ByteBuf shared = ChunkedBody.encode(ch.alloc(), 4, 128, Unpooled.EMPTY_BUFFER, data);
        data.release();
        ch.writeOneOutbound(new PreChunkedMessage(4, 8, 0, 1, 2, 128, shared), ch.voidPromise());
        ch.flushOutbound();
        assertThat(written(ch)).isEqualTo("04" + "000000" + "000002" + "08" + "01000000" + "aabb");
        assertThat(ch.finish()).isFalse();
    }
}
