package dev.millrace.streaming.core.flv;

import static dev.millrace.streaming.core.flv.Hex.dump;
import static dev.millrace.streaming.core.flv.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlvTagReaderTest {

    /** A video tag at 40 ms with a 5-byte body. */
    static final String TAG_VIDEO = ""
            + "09"          // FLV 10.1 E.4.1: Reserved 0, Filter 0, TagType 9 (video)
            + "000005"      // DataSize 5
            + "000028"      // Timestamp 40 ms
            + "00"          // TimestampExtended 0
            + "000000"      // StreamID 0
            + "1701000000"  // Data: an AVC NALU packet header (E.4.3.1), no NAL units
            + "00000010";   // E.3 PreviousTagSize: 11 + 5 = 16

    /** An audio tag at 0x12345678 ms: beyond 24 bits, so TimestampExtended carries the top byte. */
    static final String TAG_AUDIO_EXTENDED_TIMESTAMP = ""
            + "08"          // TagType 8 (audio)
            + "000003"      // DataSize 3
            + "345678"      // Timestamp: the low 24 bits
            + "12"          // TimestampExtended: the upper 8 bits -> 0x12345678 ms
            + "000000"      // StreamID
            + "af0121"      // Data: AAC raw (E.4.2.2) with one byte of frame
            + "0000000e";   // PreviousTagSize: 11 + 3 = 14

    /** A script data tag with an empty body. */
    static final String TAG_SCRIPT_EMPTY = ""
            + "12"          // TagType 18 (script data)
            + "000000"      // DataSize 0
            + "ffffff"      // Timestamp low 24 bits
            + "ff"          // TimestampExtended -> 0xFFFFFFFF ms, the largest value
            + "000000"      // StreamID
            + "0000000b";   // PreviousTagSize: 11

    private static final String STREAM = TAG_VIDEO + TAG_AUDIO_EXTENDED_TIMESTAMP + TAG_SCRIPT_EMPTY;

    private static final List<String> EXPECTED = List.of(
            "type=9 ts=40 streamId=0 body=1701000000",
            "type=8 ts=305419896 streamId=0 body=af0121",
            "type=18 ts=4294967295 streamId=0 body=");

    @Test
    void readsOneTagAndItsPreviousTagSize() {
        ByteBuf in = hex(TAG_VIDEO + "ee");
        try {
            FlvTag tag = FlvTagReader.read(in, 1 << 20);
            try {
                assertThat(tag.tagType()).isEqualTo(FlvTag.VIDEO);
                assertThat(tag.timestampMillis()).isEqualTo(40);
                assertThat(tag.streamId()).isZero();
                assertThat(tag.dataSize()).isEqualTo(5);
                assertThat(dump(tag.content())).isEqualTo("1701000000");
            } finally {
                tag.release();
            }
            assertThat(in.readerIndex()).isEqualTo(11 + 5 + 4);
        } finally {
            in.release();
        }
    }

    @Test
    void combinesTimestampExtendedAsTheUpperEightBits() {
        ByteBuf in = hex(TAG_AUDIO_EXTENDED_TIMESTAMP + TAG_SCRIPT_EMPTY);
        try {
            FlvTag audio = FlvTagReader.read(in, 1 << 20);
            FlvTag script = FlvTagReader.read(in, 1 << 20);
            try {
                assertThat(audio.timestampMillis()).isEqualTo(0x12345678L);
                assertThat(script.timestampMillis()).isEqualTo(0xFFFFFFFFL);
                assertThat(script.dataSize()).isZero();
            } finally {
                audio.release();
                script.release();
            }
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    void bodyIsARetainedSliceOfTheInput() {
        ByteBuf in = hex(TAG_VIDEO);
        try {
            FlvTag tag = FlvTagReader.read(in, 1 << 20);
            try {
                assertThat(in.refCnt()).isEqualTo(2);
                in.setByte(11, 0x27); // the first body byte, written through the input
                assertThat((int) tag.content().getUnsignedByte(0)).isEqualTo(0x27);
            } finally {
                tag.release();
            }
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            in.release();
        }
    }

    @Test
    void returnsNullAndKeepsReaderIndexUntilTagAndBackPointerAreReadable() {
        byte[] all = Hex.bytes(TAG_VIDEO);
        for (int n = 0; n < all.length; n++) {
            ByteBuf in = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(all, 0, n);
            try {
                assertThat(FlvTagReader.read(in, 1 << 20)).as("%d bytes", n).isNull();
                assertThat(in.readerIndex()).isZero();
            } finally {
                in.release();
            }
        }
    }

    @Test
    void readsTheSameTagsWhateverTheSplitPoint() {
        byte[] all = Hex.bytes(STREAM);
        for (int split = 0; split <= all.length; split++) {
            ByteBuf cumulation = PooledByteBufAllocator.DEFAULT.buffer();
            try {
                List<String> tags = new ArrayList<>();
                cumulation.writeBytes(all, 0, split);
                drain(cumulation, tags);
                cumulation.writeBytes(all, split, all.length - split);
                drain(cumulation, tags);
                assertThat(tags).as("split at %d", split).isEqualTo(EXPECTED);
                assertThat(cumulation.isReadable()).isFalse();
            } finally {
                cumulation.release();
            }
        }
    }

    @Test
    void readsTheSameTagsWhateverTheChunkSize() {
        byte[] all = Hex.bytes(STREAM);
        for (int chunk = 1; chunk <= all.length; chunk++) {
            ByteBuf cumulation = PooledByteBufAllocator.DEFAULT.buffer();
            try {
                List<String> tags = new ArrayList<>();
                for (int at = 0; at < all.length; at += chunk) {
                    cumulation.writeBytes(all, at, Math.min(chunk, all.length - at));
                    drain(cumulation, tags);
                }
                assertThat(tags).as("chunks of %d", chunk).isEqualTo(EXPECTED);
            } finally {
                cumulation.release();
            }
        }
    }

    @Test
    void rejectsOversizedDataSizeFromTheHeaderAlone() {
        ByteBuf in = hex(""
                + "09"         // TagType 9
                + "010000"     // DataSize 65536: one above the limit below
                + "000000 00"  // Timestamp, TimestampExtended
                + "000000");   // StreamID; no body has arrived
        try {
            assertThatThrownBy(() -> FlvTagReader.read(in, 0xFFFF)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("DataSize 65536 exceeds the limit of 65535");
            in.writerIndex(10); // one byte short of the tag header: not decided yet
            assertThat(FlvTagReader.read(in, 0xFFFF)).isNull();
        } finally {
            in.release();
        }
    }

    @Test
    void acceptsDataSizeEqualToTheLimit() {
        ByteBuf in = hex("09 000005 000028 00 000000 1701000000 00000010");
        try {
            FlvTag tag = FlvTagReader.read(in, 5);
            assertThat(tag.dataSize()).isEqualTo(5);
            tag.release();
        } finally {
            in.release();
        }
    }

    @Test
    void rejectsFilteredTag() {
        ByteBuf in = hex("29 000001 000000 00 000000 00 0000000c"); // 0x20 Filter bit: encrypted (Annex F)
        try {
            assertThatThrownBy(() -> FlvTagReader.read(in, 1 << 20)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("encrypted");
        } finally {
            in.release();
        }
    }

    @Test
    void toleratesWrongPreviousTagSizeReservedBitsAndStreamId() {
        ByteBuf in = hex(""
                + "c9"         // Reserved bits 11 (E.4.1: "should be 0"), TagType 9
                + "000001 000000 00"
                + "000007"     // StreamID 7 instead of 0
                + "17"
                + "00000000"); // PreviousTagSize 0 instead of 12: FFmpeg only warns
        try {
            FlvTag tag = FlvTagReader.read(in, 1 << 20);
            try {
                assertThat(tag.tagType()).isEqualTo(9);
                assertThat(tag.streamId()).isEqualTo(7);
                assertThat(dump(tag.content())).isEqualTo("17");
            } finally {
                tag.release();
            }
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    void returnsReservedTagTypesForTheCallerToSkip() {
        ByteBuf in = hex("0f 000000 000000 00 000000 0000000b");
        try {
            FlvTag tag = FlvTagReader.read(in, 1 << 20);
            assertThat(tag.tagType()).isEqualTo(15);
            tag.release();
        } finally {
            in.release();
        }
    }

    @Test
    void rejectsNegativeOrTooLargeLimit() {
        ByteBuf in = hex(TAG_VIDEO);
        try {
            assertThatThrownBy(() -> FlvTagReader.read(in, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> FlvTagReader.read(in, 0x1000000)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            in.release();
        }
    }

    // ------------------------------------------------------------------------------------ RTMP aggregate messages

    @Test
    void visitsEveryTagOfAnAggregateBody() {
        ByteBuf body = hex(STREAM);
        try {
            List<String> seen = visit(body, 1 << 20);
            assertThat(seen).isEqualTo(List.of(
                    "type=9 ts=40 body=1701000000",
                    "type=8 ts=305419896 body=af0121",
                    "type=18 ts=4294967295 body="));
            assertThat(body.readerIndex()).isZero();
        } finally {
            body.release();
        }
    }

    @Test
    void acceptsAnAggregateBodyWithoutTheLastBackPointer() {
        String withoutLast = TAG_VIDEO + TAG_AUDIO_EXTENDED_TIMESTAMP
                + "12 000000 ffffff ff 000000"; // the script tag, its PreviousTagSize left out
        ByteBuf body = hex(withoutLast);
        try {
            assertThat(visit(body, 1 << 20)).hasSize(3).last().isEqualTo("type=18 ts=4294967295 body=");
        } finally {
            body.release();
        }
    }

    @Test
    void visitsNothingInAnEmptyAggregateBody() {
        ByteBuf body = hex("");
        try {
            assertThat(visit(body, 1 << 20)).isEmpty();
        } finally {
            body.release();
        }
    }

    @Test
    void rejectsAggregateWithCutTagHeaderBeforeVisitingAnything() {
        ByteBuf body = hex(TAG_VIDEO + "08 000003 345678"); // 7 of 11 header bytes
        try {
            List<String> seen = new ArrayList<>();
            assertThatThrownBy(() -> FlvTagReader.forEachTag(body, 1 << 20,
                    (type, ts, b) -> seen.add("tag"))).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("tag header cut short at offset 20");
            assertThat(seen).isEmpty();
        } finally {
            body.release();
        }
    }

    @Test
    void rejectsAggregateWithCutTagBody() {
        ByteBuf body = hex(TAG_VIDEO + "08 000003 345678 12 000000 af01"); // DataSize 3, 2 bytes left
        try {
            assertThatThrownBy(() -> visit(body, 1 << 20)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("tag body cut short");
        } finally {
            body.release();
        }
    }

    @Test
    void rejectsAggregateWithStrayBytesAfterTheLastTag() {
        ByteBuf body = hex(TAG_VIDEO + "09 000001 000000 00 000000 17 0000"); // 2 of 4 back pointer bytes
        try {
            assertThatThrownBy(() -> visit(body, 1 << 20)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("2 stray bytes");
        } finally {
            body.release();
        }
    }

    @Test
    void rejectsAggregateTagOverTheLimitOrFiltered() {
        ByteBuf body = hex(TAG_VIDEO);
        ByteBuf filtered = hex("29 000001 000000 00 000000 17 0000000c");
        try {
            assertThatThrownBy(() -> visit(body, 4)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("DataSize 5 exceeds the limit of 4");
            assertThatThrownBy(() -> visit(filtered, 1 << 20)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("encrypted");
        } finally {
            body.release();
            filtered.release();
        }
    }

    @Test
    void aggregateReturnsTheTagCount() {
        ByteBuf body = hex(STREAM);
        try {
            assertThat(FlvTagReader.forEachTag(body, 1 << 20, (type, ts, b) -> { })).isEqualTo(3);
        } finally {
            body.release();
        }
    }

    private static List<String> visit(ByteBuf body, int max) {
        List<String> seen = new ArrayList<>();
        FlvTagReader.forEachTag(body, max, (type, ts, b) -> seen.add("type=" + type + " ts=" + ts + " body=" + dump(b)));
        return seen;
    }

    private static void drain(ByteBuf cumulation, List<String> tags) {
        for (FlvTag tag; (tag = FlvTagReader.read(cumulation, 1 << 20)) != null; ) {
            try {
                tags.add("type=" + tag.tagType() + " ts=" + tag.timestampMillis() + " streamId=" + tag.streamId()
                        + " body=" + dump(tag.content()));
            } finally {
                tag.release();
            }
        }
    }
}
