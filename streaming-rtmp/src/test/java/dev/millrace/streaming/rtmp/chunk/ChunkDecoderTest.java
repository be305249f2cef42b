package dev.millrace.streaming.rtmp.chunk;

import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.LIMITS;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.assertDecodes;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.assertMessages;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.assertRejects;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.drain;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.hex;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.limits;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.msg;
import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.Msg;
import dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.TrackingAllocator;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkDecoderTest {

    /** Set Chunk Size 4 on chunk stream 2 (16 bytes): lets short messages span several chunks. */
    private static final String SET_CHUNK_SIZE_4 =
            "02"                // RTMP 5.3.1.1: fmt 0, csid 2 (5.4: protocol control messages use csid 2)
            + "000000"          // 5.3.1.2.1: timestamp 0
            + "000004"          // message length 4
            + "01"              // type 1, Set Chunk Size (5.4.1)
            + "00000000"        // message stream id 0
            + "00000004";       // 5.4.1: new chunk size 4

    private static final Msg SET_CHUNK_SIZE_4_MSG = msg(2, 1, 0, 0, "00000004");

    @Test
    void decodesType0ChunkWithoutExtendedTimestamp() {
        assertDecodes(hex(
                "03",           // RTMP 5.3.1.1: fmt 0, csid 3
                "000064",       // 5.3.1.2.1: timestamp 100
                "000004",       // message length 4
                "14",           // type 20, AMF0 command
                "01000000",     // 5.3.1.2.5: message stream id 1, little-endian
                "0a0b0c0d"),    // payload
                msg(3, 20, 100, 1, "0a0b0c0d"));
    }

    @Test
    void decodesType0ChunkWithExtendedTimestamp() {
        assertDecodes(hex(
                "04",           // RTMP 5.3.1.1: fmt 0, csid 4
                "ffffff",       // 5.3.1.3: timestamp marker, extended timestamp follows
                "000004",       // message length 4
                "09",           // type 9, video
                "01000000",     // message stream id 1
                "01000000",     // 5.3.1.3: extended timestamp 0x01000000
                "17010000"),    // payload
                msg(4, 9, 0x0100_0000L, 1, "17010000"));
    }

    @Test
    void decodesType1Type2AndType3HeadersAgainstThePreviousHeaderOfTheChunkStream() {
        assertDecodes(hex(
                "04",           // RTMP 5.3.1.1: fmt 0, csid 4
                "000000",       // 5.3.1.2.1: timestamp 0
                "000002",       // length 2
                "08",           // type 8, audio
                "01000000",     // message stream id 1
                "aaaa",         // payload
                "44",           // fmt 1, csid 4
                "000014",       // 5.3.1.2.2: timestamp delta 20
                "000003",       // length 3
                "09",           // type 9, video (message stream id 1 kept)
                "bbbbbb",       // payload
                "84",           // fmt 2, csid 4
                "00000a",       // 5.3.1.2.3: timestamp delta 10 (length 3 and type 9 kept)
                "cccccc",       // payload
                "c4",           // fmt 3, csid 4: a new message, 5.3.1.2.4: delta 10 repeated
                "dddddd"),      // payload
                msg(4, 8, 0, 1, "aaaa"),
                msg(4, 9, 20, 1, "bbbbbb"),
                msg(4, 9, 30, 1, "cccccc"),
                msg(4, 9, 40, 1, "dddddd"));
    }

    @Test
    void type3NewMessageAfterType0TakesTheType0TimestampAsDelta() {
        assertDecodes(hex(
                "05",           // RTMP 5.3.1.1: fmt 0, csid 5
                "0003e8",       // 5.3.1.2.1: timestamp 1000
                "000002",       // length 2
                "12",           // type 18, AMF0 data
                "01000000",     // message stream id 1
                "1111",         // payload
                "c5",           // fmt 3: 5.3.1.2.4 "if a Type 3 chunk follows a Type 0 chunk, then the timestamp
                                // delta for this Type 3 chunk is the same as the timestamp of the Type 0 chunk"
                "2222"),        // payload
                msg(5, 18, 1000, 1, "1111"),
                msg(5, 18, 2000, 1, "2222"));
    }

    @Test
    void decodesTwoByteChunkStreamIdIncludingContinuationChunks() {
        assertDecodes(LIMITS, hex(
                SET_CHUNK_SIZE_4,
                "00", "06",     // RTMP 5.3.1.1: fmt 0, 2-byte form, csid 6 + 64 = 70
                "000000",       // timestamp 0
                "000006",       // length 6
                "08",           // type 8, audio
                "01000000",     // message stream id 1
                "a0a1a2a3",     // first chunk: 4 bytes
                "c0", "06",     // fmt 3, 2-byte form, csid 70
                "a4a5"),        // last 2 bytes
                List.of(SET_CHUNK_SIZE_4_MSG, msg(70, 8, 0, 1, "a0a1a2a3a4a5")),
                d -> assertThat(d.chunkSize()).isEqualTo(4));
    }

    @Test
    void decodesThreeByteChunkStreamIdLittleEndian() {
        assertDecodes(LIMITS, hex(
                SET_CHUNK_SIZE_4,
                "01", "2c01",   // RTMP 5.3.1.1: fmt 0, 3-byte form, 0x2c + 0x01 * 256 + 64 = 364 (not 0x2c01 + 64)
                "000000",       // timestamp 0
                "000005",       // length 5
                "08",           // type 8
                "01000000",     // message stream id 1
                "b0b1b2b3",     // first chunk
                "c1", "2c01",   // fmt 3, 3-byte form, csid 364
                "b4",           // last byte
                "01", "ffff",   // fmt 0, 3-byte form, 255 + 255 * 256 + 64 = 65599, the largest id
                "000001",       // timestamp 1
                "000001",       // length 1
                "08",           // type 8
                "01000000",     // message stream id 1
                "cc"),          // payload
                List.of(SET_CHUNK_SIZE_4_MSG, msg(364, 8, 0, 1, "b0b1b2b3b4"), msg(65599, 8, 1, 1, "cc")),
                d -> { });
    }

    @Test
    void acceptsRepeatedExtendedTimestampInContinuationChunk() {
        assertDecodes(LIMITS, hex(
                SET_CHUNK_SIZE_4,
                "07",           // RTMP 5.3.1.1: fmt 0, csid 7
                "ffffff",       // 5.3.1.3: extended timestamp follows
                "000006",       // length 6
                "09",           // type 9
                "01000000",     // message stream id 1
                "01000000",     // extended timestamp 0x01000000
                "a1a2a3a4",     // first chunk
                "c7",           // fmt 3 continuation
                "01000000",     // 5.3.1.3: extended timestamp repeated (FFmpeg, librtmp, nginx, SRS)
                "a5a6"),        // last 2 bytes
                List.of(SET_CHUNK_SIZE_4_MSG, msg(7, 9, 0x0100_0000L, 1, "a1a2a3a4a5a6")),
                d -> { });
    }

    @Test
    void acceptsContinuationChunkWithoutTheExtendedTimestamp() {
        assertDecodes(LIMITS, hex(
                SET_CHUNK_SIZE_4,
                "07",           // RTMP 5.3.1.1: fmt 0, csid 7
                "ffffff",       // 5.3.1.3: extended timestamp follows
                "000006",       // length 6
                "09",           // type 9
                "01000000",     // message stream id 1
                "01000000",     // extended timestamp 0x01000000
                "a1a2a3a4",     // first chunk
                "c7",           // fmt 3 continuation without the 4 bytes (go-rtmp)
                "a5a6"),        // last 2 bytes: a5 differs from 01, so they are chunk data
                List.of(SET_CHUNK_SIZE_4_MSG, msg(7, 9, 0x0100_0000L, 1, "a1a2a3a4a5a6")),
                d -> { });
        assertDecodes(LIMITS, hex(
                SET_CHUNK_SIZE_4,
                "07", "ffffff", "000008", "09", "01000000", // fmt 0, csid 7, extended, length 8, video, msid 1
                "01000000",     // extended timestamp 0x01000000
                "a1a2a3a4",     // first chunk
                "c7",           // fmt 3 continuation without the 4 bytes
                "a5a6a7a8"),    // a full chunk of data that is not the extended timestamp
                List.of(SET_CHUNK_SIZE_4_MSG, msg(7, 9, 0x0100_0000L, 1, "a1a2a3a4a5a6a7a8")),
                d -> { });
    }

    @Test
    void waitsWhileType3BytesMatchTheExtendedTimestampAndDecidesAtTheFirstDifferentByte() {
        byte[] input = hex(
                SET_CHUNK_SIZE_4,
                "07", "ffffff", "000006", "09", "01000000", // fmt 0, csid 7, extended, length 6, video, msid 1
                "01000000",     // extended timestamp 0x01000000
                "a1a2a3a4",     // first chunk
                "c7",           // fmt 3 continuation without the 4 bytes
                "0100",         // last 2 bytes of data: equal to the first 2 bytes of 01000000
                "03",           // next chunk: fmt 0, csid 3; 03 differs from 00, so 0100 was data
                "000000", "000001", "14", "00000000", // timestamp 0, length 1, command, msid 0
                "05");          // payload
        assertDecodes(LIMITS, input,
                List.of(SET_CHUNK_SIZE_4_MSG, msg(7, 9, 0x0100_0000L, 1, "a1a2a3a40100"), msg(3, 20, 0, 0, "05")),
                d -> { });

        // The undecided prefix is not consumed until the disagreeing byte arrives.
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(LIMITS));
        List<RtmpMessage> got = new ArrayList<>();
        try {
            int undecided = 16 + 20 + 3; // Set Chunk Size, first chunk, c7 01 00
            ch.writeInbound(ch.alloc().buffer().writeBytes(input, 0, undecided));
            drain(ch, got);
            assertMessages(got, List.of(SET_CHUNK_SIZE_4_MSG), "undecided prefix");
            ch.writeInbound(ch.alloc().buffer().writeBytes(input, undecided, input.length - undecided));
            drain(ch, got);
            assertMessages(got, List.of(SET_CHUNK_SIZE_4_MSG, msg(7, 9, 0x0100_0000L, 1, "a1a2a3a40100"),
                    msg(3, 20, 0, 0, "05")), "rest");
        } finally {
            got.forEach(RtmpMessage::release);
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void type3NewMessageAfterExtendedTimestampAddsTheExtendedValueWithOrWithoutTheRepeatedField() {
        String first = "05"     // RTMP 5.3.1.1: fmt 0, csid 5
                + "ffffff"      // 5.3.1.3: extended timestamp follows
                + "000002"      // length 2
                + "09"          // type 9
                + "01000000"    // message stream id 1
                + "01000000"    // extended timestamp 0x01000000
                + "b1b2";       // payload
        assertDecodes(hex(first,
                "c5",           // fmt 3, new message: delta = the type 0 timestamp (5.3.1.2.4)
                "01000000",     // 5.3.1.3: extended field repeated (FFmpeg)
                "b3b4"),        // payload
                msg(5, 9, 0x0100_0000L, 1, "b1b2"),
                msg(5, 9, 0x0200_0000L, 1, "b3b4"));
        assertDecodes(hex(first,
                "c5",           // fmt 3, new message, extended field not repeated (go-rtmp)
                "b3b4"),        // payload
                msg(5, 9, 0x0100_0000L, 1, "b1b2"),
                msg(5, 9, 0x0200_0000L, 1, "b3b4"));
    }

    @Test
    void timestampsCrossTheExtendedTimestampThresholdWithoutABreak() {
        assertDecodes(hex(
                "04",           // RTMP 5.3.1.1: fmt 0, csid 4
                "fffffe",       // 5.3.1.2.1: timestamp 0xfffffe, still in 24 bits
                "000001", "08", "01000000", // length 1, audio, msid 1
                "aa",           // payload
                "84",           // fmt 2, csid 4
                "000001",       // delta 1: 0xffffff
                "bb",           // payload
                "84",           // fmt 2, csid 4
                "000001",       // delta 1: 0x01000000
                "cc"),          // payload
                msg(4, 8, 0xFF_FFFEL, 1, "aa"),
                msg(4, 8, 0xFF_FFFFL, 1, "bb"),
                msg(4, 8, 0x100_0000L, 1, "cc"));
    }

    @Test
    void timestampsWrapModulo2Pow32() {
        assertDecodes(hex(
                "04",           // RTMP 5.3.1.1: fmt 0, csid 4
                "ffffff",       // 5.3.1.3: extended timestamp follows
                "000001", "08", "01000000", // length 1, audio, msid 1
                "fffffff0",     // extended timestamp 0xfffffff0
                "aa",           // payload
                "84",           // fmt 2, csid 4
                "000020",       // delta 0x20: 0xfffffff0 + 0x20 = 0x10 modulo 2^32 (RTMP 4)
                "bb",           // payload
                "c4",           // fmt 3, new message: delta 0x20 again, no extended field
                "cc"),          // payload
                msg(4, 8, 0xFFFF_FFF0L, 1, "aa"),
                msg(4, 8, 0x10L, 1, "bb"),
                msg(4, 8, 0x30L, 1, "cc"));
    }

    @Test
    void type1HeaderWithExtendedDeltaAddsIt() {
        assertDecodes(hex(
                "04", "000010", "000001", "08", "01000000", // fmt 0, csid 4, timestamp 16, length 1, audio, msid 1
                "aa",           // payload
                "44",           // fmt 1, csid 4
                "ffffff",       // 5.3.1.3: extended delta follows
                "000001", "08", // length 1, audio
                "01000000",     // extended delta 0x01000000
                "bb",           // payload
                "c4",           // fmt 3, new message: the same delta
                "01000000",     // extended field repeated
                "cc"),          // payload
                msg(4, 8, 0x10L, 1, "aa"),
                msg(4, 8, 0x0100_0010L, 1, "bb"),
                msg(4, 8, 0x0200_0010L, 1, "cc"));
    }

    @Test
    void chunksOfOtherChunkStreamsMayInterleaveWithAMessage() {
        assertDecodes(LIMITS, hex(
                SET_CHUNK_SIZE_4,
                "04", "000000", "000006", "09", "01000000", // fmt 0, csid 4, ts 0, length 6, video, msid 1
                "a0a1a2a3",     // first chunk of the video message
                "05", "000000", "000002", "08", "01000000", // fmt 0, csid 5, ts 0, length 2, audio, msid 1
                "b0b1",         // the whole audio message
                "c4",           // fmt 3, csid 4: continuation
                "a4a5"),        // rest of the video message
                List.of(SET_CHUNK_SIZE_4_MSG, msg(5, 8, 0, 1, "b0b1"), msg(4, 9, 0, 1, "a0a1a2a3a4a5")),
                d -> { });
    }

    @Test
    void setChunkSizeAppliesFromTheChunkAfterItIncludingContinuationsOfEarlierMessages() {
        assertDecodes(LIMITS, hex(
                "06", "000000", "0000c8", "09", "01000000", // fmt 0, csid 6, ts 0, length 200, video, msid 1
                pattern(128, 0),                            // first chunk at the initial size 128 (5.4.1)
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, Set Chunk Size, msid 0
                "00000032",                                 // chunk size 50
                "c6", pattern(50, 128),                     // continuation: 50 bytes at the new size
                "c6", pattern(22, 178)),                    // last 22 bytes
                List.of(msg(2, 1, 0, 0, "00000032"), msg(6, 9, 0, 1, pattern(200, 0))),
                d -> assertThat(d.chunkSize()).isEqualTo(50));
    }

    @Test
    void setChunkSizeAbove0xFFFFFFIsTreatedAs0xFFFFFF() {
        assertDecodes(LIMITS, hex(
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, ts 0, length 4, Set Chunk Size
                "7fffffff"),    // 5.4.1: largest legal value; above 0xFFFFFF it acts as 0xFFFFFF
                List.of(msg(2, 1, 0, 0, "7fffffff")),
                d -> assertThat(d.chunkSize()).isEqualTo(0xFF_FFFF));
    }

    @Test
    void rejectsSetChunkSizeZero() {
        assertRejects(LIMITS, hex(
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, Set Chunk Size, msid 0
                "00000000",     // 5.4.1: chunk size 0
                "03", "000000", "000001", "14", "00000000", "aa"), // a message after it: discarded
                16, Reason.BAD_CHUNK_SIZE);
    }

    @Test
    void rejectsSetChunkSizeWithTheHighBitSet() {
        assertRejects(LIMITS, hex(
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, Set Chunk Size, msid 0
                "80000080"),    // 5.4.1: bit 31 must be zero
                16, Reason.BAD_CHUNK_SIZE);
    }

    @Test
    void rejectsSetChunkSizeBelowTheMinimum() {
        assertRejects(RtmpLimits.DEFAULT, hex(
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, Set Chunk Size, msid 0
                "0000007f"),    // 127 < minChunkSize 128
                16, Reason.BAD_CHUNK_SIZE);
    }

    @Test
    void rejectsSetChunkSizeAboveTheConfiguredMaximum() {
        RtmpLimits max4096 = RtmpLimits.builder().minChunkSize(128).maxChunkSize(4096).build();
        assertRejects(max4096, hex(
                "02", "000000", "000004", "01", "00000000", // fmt 0, csid 2, Set Chunk Size, msid 0
                "00001001"),    // 4097 > maxChunkSize 4096
                16, Reason.BAD_CHUNK_SIZE);
    }

    @Test
    void rejectsSetChunkSizeWithAShortPayload() {
        assertRejects(LIMITS, hex(
                "02", "000000", "000003", "01", "00000000", // fmt 0, csid 2, length 3, Set Chunk Size, msid 0
                "000080"),      // 5.4.1 needs 4 bytes
                15, Reason.BAD_CONTROL_MESSAGE);
    }

    @Test
    void rejectsADeclaredLengthOverTheLimitRightAfterTheHeader() {
        // No payload byte is sent: the error comes from the 12 header bytes alone.
        assertRejects(RtmpLimits.DEFAULT, hex(
                "06", "000000", // fmt 0, csid 6, timestamp 0
                "800001",       // length 0x800001, one byte over maxVideoMessageBytes (8 MiB)
                "09",           // type 9, video
                "01000000"),    // message stream id 1
                12, Reason.MESSAGE_TOO_LARGE);
        assertRejects(RtmpLimits.DEFAULT, hex(
                "02", "000000", // fmt 0, csid 2, timestamp 0
                "000041",       // length 65, over maxControlMessageBytes 64
                "04",           // type 4, user control
                "00000000"),    // message stream id 0
                12, Reason.MESSAGE_TOO_LARGE);
        assertRejects(RtmpLimits.DEFAULT, hex(
                "06", "000000", "000001", "09", "01000000", // fmt 0, csid 6, ts 0, length 1, video, msid 1
                "aa",           // payload
                "46", "000000", // fmt 1, csid 6, delta 0
                "800001",       // length 0x800001
                "09"),          // type 9
                21, Reason.MESSAGE_TOO_LARGE, msg(6, 9, 0, 1, "aa"));
    }

    @Test
    void rejectsALengthChangeInTheMiddleOfAMessage() {
        String firstChunk = "06"    // RTMP 5.3.1.1: fmt 0, csid 6
                + "000000"          // timestamp 0
                + "000006"          // length 6
                + "09"              // video
                + "01000000"        // message stream id 1
                + "a0a1a2a3";       // first 4 of 6 bytes
        assertRejects(LIMITS, hex(SET_CHUNK_SIZE_4, firstChunk,
                "46", "000000", // fmt 1, csid 6, delta 0, mid-message (RTMP-FIELD-GUIDE T13)
                "000007",       // length 7: the CVE-2016-10191 shape
                "09",           // video
                "a4a5a6"),
                16 + 16 + 8, Reason.MESSAGE_LENGTH_CHANGED, SET_CHUNK_SIZE_4_MSG);
        assertRejects(LIMITS, hex(SET_CHUNK_SIZE_4, firstChunk,
                "06", "000000", // fmt 0, csid 6, timestamp 0, mid-message
                "000100",       // length 256
                "09", "01000000"),
                16 + 16 + 12, Reason.MESSAGE_LENGTH_CHANGED, SET_CHUNK_SIZE_4_MSG);
    }

    @Test
    void rejectsAnyNewHeaderInTheMiddleOfAMessage() {
        String firstChunk = "06"    // RTMP 5.3.1.1: fmt 0, csid 6
                + "000000"          // timestamp 0
                + "000006"          // length 6
                + "09"              // video
                + "01000000"        // message stream id 1
                + "a0a1a2a3";       // first 4 of 6 bytes
        assertRejects(LIMITS, hex(SET_CHUNK_SIZE_4, firstChunk,
                "06", "000000", "000006", "09", "01000000", // fmt 0 with the same length, mid-message
                "a4a5"),
                16 + 16 + 12, Reason.BAD_CHUNK_HEADER, SET_CHUNK_SIZE_4_MSG);
        assertRejects(LIMITS, hex(SET_CHUNK_SIZE_4, firstChunk,
                "46", "000000", "000006", "09",             // fmt 1 with the same length, mid-message
                "a4a5"),
                16 + 16 + 8, Reason.BAD_CHUNK_HEADER, SET_CHUNK_SIZE_4_MSG);
        assertRejects(LIMITS, hex(SET_CHUNK_SIZE_4, firstChunk,
                "86", "000000",                             // fmt 2, mid-message
                "a4a5"),
                16 + 16 + 4, Reason.BAD_CHUNK_HEADER, SET_CHUNK_SIZE_4_MSG);
    }

    @Test
    void rejectsType3ChunkOnAChunkStreamWithoutState() {
        assertRejects(LIMITS, hex(
                "c5",           // fmt 3, csid 5: nothing to repeat
                "aabb",
                "03", "000000", "000001", "14", "00000000", "aa"), // a valid message after it: discarded
                1, Reason.BAD_CHUNK_HEADER);
    }

    @Test
    void acceptsType1AndType2HeadersOnAFreshChunkStreamWithZeroedState() {
        assertDecodes(hex(
                "42",           // fmt 1, csid 2: librtmp opens csid 2 like this (RTMP-FIELD-GUIDE T8)
                "000005",       // delta 5 from a zero timestamp
                "000006",       // length 6
                "04",           // type 4, user control (message stream id taken as 0)
                "0006", "00000001", // PingRequest, timestamp 1
                "83",           // fmt 2, csid 3: length 0, type 0, message stream id 0
                "000007"),      // delta 7
                msg(2, 4, 5, 0, "000600000001"),
                msg(3, 0, 7, 0, ""));
    }

    @Test
    void rejectsMoreChunkStreamsThanTheLimit() {
        RtmpLimits two = limits(1, 2, 32 * 1024 * 1024);
        assertRejects(two, hex(
                "03", "000000", "000001", "14", "00000000", "aa", // csid 3, first with state
                "04", "000000", "000001", "08", "01000000", "bb", // csid 4, second
                "83", "000001", "cc",                             // csid 3 again: no new state
                "05", "000000", "000001", "08", "01000000", "dd"), // csid 5, third
                13 + 13 + 5 + 12, Reason.TOO_MANY_CHUNK_STREAMS,
                msg(3, 20, 0, 0, "aa"), msg(4, 8, 0, 1, "bb"), msg(3, 20, 1, 0, "cc"));
    }

    @Test
    void rejectsUnfinishedMessagesHoldingMoreThanTheBufferLimit() {
        String chunks = SET_CHUNK_SIZE_4
                + "04" + "000000" + "000008" + "09" + "01000000" + "a0a1a2a3"  // csid 4: 4 of 8 bytes held
                + "05" + "000000" + "000008" + "09" + "01000000" + "b0b1b2b3"; // csid 5: 8 held
        assertRejects(limits(1, 64, 10), hex(chunks,
                "06", "000000", "000008", "09", "01000000", // csid 6: its first chunk would make 12 > 10
                "c0c1c2c3"),
                16 + 16 + 16 + 12, Reason.BUFFER_LIMIT, SET_CHUNK_SIZE_4_MSG);
        assertDecodes(limits(1, 64, 12), hex(chunks,
                "06", "000000", "000004", "09", "01000000", // csid 6: 8 + 4 = 12, at the limit
                "c0c1c2c3",
                "c4", "a4a5a6a7",   // csid 4 completes: 8 + 4 = 12
                "c5", "b4b5b6b7"),  // csid 5 completes: 4 + 4 = 8
                List.of(SET_CHUNK_SIZE_4_MSG, msg(6, 9, 0, 1, "c0c1c2c3"), msg(4, 9, 0, 1, "a0a1a2a3a4a5a6a7"),
                        msg(5, 9, 0, 1, "b0b1b2b3b4b5b6b7")),
                d -> { });
    }

    @Test
    void abortDropsTheUnfinishedMessageOfThatChunkStream() {
        assertDecodes(LIMITS, hex(
                SET_CHUNK_SIZE_4,
                "06", "000000", "000008", "09", "01000000", // fmt 0, csid 6, ts 0, length 8, video, msid 1
                "a0a1a2a3",     // first half, then abandoned
                "02", "000000", "000004", "02", "00000000", // fmt 0, csid 2, length 4, Abort (5.4.2), msid 0
                "00000006",     // chunk stream id 6
                "06", "000010", "000002", "09", "01000000", // fmt 0, csid 6 again: a new message, not mid-message
                "b1b2"),
                List.of(SET_CHUNK_SIZE_4_MSG, msg(2, 2, 0, 0, "00000006"), msg(6, 9, 16, 1, "b1b2")),
                d -> { });
    }

    @Test
    void abortOfAChunkStreamWithoutAMessageChangesNothing() {
        assertDecodes(hex(
                "02", "000000", "000004", "02", "00000000", // fmt 0, csid 2, Abort, msid 0
                "00000009",     // chunk stream id 9: unknown
                "82", "000000", // fmt 2, csid 2, delta 0: another Abort
                "ffffffff"),    // beyond any chunk stream id
                msg(2, 2, 0, 0, "00000009"),
                msg(2, 2, 0, 0, "ffffffff"));
    }

    @Test
    void rejectsAbortWithAShortPayload() {
        assertRejects(LIMITS, hex(
                "02", "000000", "000002", "02", "00000000", // fmt 0, csid 2, length 2, Abort, msid 0
                "0006"),        // 5.4.2 needs 4 bytes
                14, Reason.BAD_CONTROL_MESSAGE);
    }

    @Test
    void emitsZeroLengthMessagesWithAnEmptyPayload() {
        assertDecodes(hex(
                "08", "000000", "000000", "08", "01000000", // fmt 0, csid 8, ts 0, length 0, audio, msid 1
                "c8",           // fmt 3: another empty message, delta 0
                "88", "000014"), // fmt 2, delta 20: another empty message
                msg(8, 8, 0, 1, ""),
                msg(8, 8, 0, 1, ""),
                msg(8, 8, 20, 1, ""));
    }

    @Test
    void bytesReadCountsEveryConsumedHeaderAndDataByte() {
        byte[] input = hex(
                SET_CHUNK_SIZE_4,                           // 16 bytes
                "07", "ffffff", "000006", "09", "01000000", // fmt 0 header, 12 bytes
                "01000000",                                 // extended timestamp, 4 bytes
                "a1a2a3a4",                                 // 4 data bytes
                "c7", "01000000", "a5a6");                  // 1 + 4 + 2 bytes
        EmbeddedChannel ch = new EmbeddedChannel();
        ChunkDecoder decoder = new ChunkDecoder(LIMITS);
        ch.pipeline().addLast(decoder);
        List<RtmpMessage> got = new ArrayList<>();
        try {
            ch.writeInbound(ch.alloc().buffer().writeBytes(input, 0, 16));
            assertThat(decoder.bytesRead()).isEqualTo(16);
            ch.writeInbound(ch.alloc().buffer().writeBytes(input, 16, 20));
            assertThat(decoder.bytesRead()).isEqualTo(36);
            ch.writeInbound(ch.alloc().buffer().writeBytes(input, 36, 3)); // c7 01 00: header undecided
            assertThat(decoder.bytesRead()).isEqualTo(36);
            ch.writeInbound(ch.alloc().buffer().writeBytes(input, 39, 4)); // 00 00 a5 a6
            assertThat(decoder.bytesRead()).isEqualTo(43);
            drain(ch, got);
            assertMessages(got, List.of(SET_CHUNK_SIZE_4_MSG, msg(7, 9, 0x0100_0000L, 1, "a1a2a3a4a5a6")), "");
        } finally {
            got.forEach(RtmpMessage::release);
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void copiesASingleChunkMessageIntoABufferOfExactlyItsSize() {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(LIMITS));
        ch.config().setAllocator(alloc);
        ch.writeInbound(alloc.buffer().writeBytes(hex(
                "03", "000000", "000004", "14", "00000000", // fmt 0, csid 3, ts 0, length 4, command, msid 0
                "0a0b0c0d")));
        RtmpMessage m = ch.readInbound();
        try {
            assertThat(ByteBufUtil.hexDump(m.content())).isEqualTo("0a0b0c0d");
            // The input buffer and one copy of exactly the message's size: a slice would pin the input buffer.
            assertThat(alloc.allocations()).isEqualTo(2);
            assertThat(m.content().capacity()).isEqualTo(4);
        } finally {
            m.release();
        }
        assertThat(ch.finish()).isFalse();
        alloc.assertAllReleased("single chunk");
    }

    @Test
    void releasesTheUnfinishedMessageWhenTheChannelCloses() {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(LIMITS));
        ch.config().setAllocator(alloc);
        ch.writeInbound(alloc.buffer().writeBytes(hex(
                SET_CHUNK_SIZE_4,
                "06", "000000", "000008", "09", "01000000", // fmt 0, csid 6, length 8
                "a0a1a2a3")));  // first half only
        RtmpMessage setChunkSize = ch.readInbound();
        setChunkSize.release();
        assertThat(alloc.allocations()).isEqualTo(3); // the input, the Set Chunk Size copy, one reassembly buffer
        assertThat(ch.finish()).isFalse();
        alloc.assertAllReleased("closed mid-message");
    }

    @Test
    void releasesTheUnfinishedMessageWhenTheInputIsShutDown() {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(LIMITS));
        ch.config().setAllocator(alloc);
        ch.writeInbound(alloc.buffer().writeBytes(hex(
                SET_CHUNK_SIZE_4,
                "06", "000000", "000008", "09", "01000000", // fmt 0, csid 6, length 8
                "a0a1a2a3")));  // first half only
        RtmpMessage setChunkSize = ch.readInbound();
        setChunkSize.release();
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE); // half-closure: no more input
        alloc.assertAllReleased("input shut down mid-message");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void releasesTheUnfinishedMessageWhenTheDecoderIsRemoved() {
        TrackingAllocator alloc = new TrackingAllocator();
        ChunkDecoder decoder = new ChunkDecoder(LIMITS);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.config().setAllocator(alloc);
        ch.writeInbound(alloc.buffer().writeBytes(hex(
                SET_CHUNK_SIZE_4,
                "06", "000000", "000008", "09", "01000000", // fmt 0, csid 6, length 8
                "a0a1a2a3")));  // first half only
        RtmpMessage setChunkSize = ch.readInbound();
        setChunkSize.release();
        ch.pipeline().remove(decoder);
        alloc.assertAllReleased("removed mid-message");
        assertThat(ch.finish()).isFalse();
    }
}
