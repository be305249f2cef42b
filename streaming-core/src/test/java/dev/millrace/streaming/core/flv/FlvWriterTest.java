package dev.millrace.streaming.core.flv;

import static dev.millrace.streaming.core.flv.Hex.dump;
import static dev.millrace.streaming.core.flv.Hex.hex;
import static dev.millrace.streaming.core.flv.Hex.norm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class FlvWriterTest {

    @Test
    void writesTagHeaderBodyAndPreviousTagSize() {
        assertThat(writeTag(FlvTag.VIDEO, 40, "1701000000")).isEqualTo(norm(FlvTagReaderTest.TAG_VIDEO));
    }

    @Test
    void writesTheUpperEightTimestampBitsToTimestampExtended() {
        assertThat(writeTag(FlvTag.AUDIO, 0x12345678L, "af0121"))
                .isEqualTo(norm(FlvTagReaderTest.TAG_AUDIO_EXTENDED_TIMESTAMP));
        assertThat(writeTag(FlvTag.SCRIPT_DATA, 0xFFFFFFFFL, "")).isEqualTo(norm(FlvTagReaderTest.TAG_SCRIPT_EMPTY));
        assertThat(writeTag(FlvTag.VIDEO, 0x1000000L, "17")).isEqualTo(norm(""
                + "09 000001"
                + "000000"     // Timestamp: low 24 bits of 2^24 ms
                + "01"         // TimestampExtended: 1
                + "000000 17"
                + "0000000c"));
    }

    @Test
    void copiesTheBodyWithoutMovingItsReaderIndex() {
        ByteBuf body = hex("aa 1701000000");
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            body.readerIndex(1);
            FlvWriter.writeTag(out, FlvTag.VIDEO, 40, body);
            assertThat(body.readerIndex()).isEqualTo(1);
            assertThat(body.refCnt()).isEqualTo(1);
            assertThat(dump(out)).isEqualTo(norm(FlvTagReaderTest.TAG_VIDEO));
        } finally {
            body.release();
            out.release();
        }
    }

    @Test
    void headerAndPreviousTagSizeAroundASeparateBodyMatchWriteTag() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            FlvWriter.writeTagHeader(out, FlvTag.VIDEO, 40, 5);
            assertThat(dump(out)).isEqualTo(norm("09 000005 000028 00 000000"));
            out.writeBytes(Hex.bytes("1701000000"));
            FlvWriter.writePreviousTagSize(out, 5);
            assertThat(dump(out)).isEqualTo(norm(FlvTagReaderTest.TAG_VIDEO));
        } finally {
            out.release();
        }
    }

    @Test
    void writtenTagsReadBack() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        ByteBuf body = hex("0a0b0c");
        try {
            FlvWriter.writeTag(out, FlvTag.AUDIO, 0xFEDCBA98L, body);
            FlvTag tag = FlvTagReader.read(out, 100);
            try {
                assertThat(tag.tagType()).isEqualTo(FlvTag.AUDIO);
                assertThat(tag.timestampMillis()).isEqualTo(0xFEDCBA98L);
                assertThat(dump(tag.content())).isEqualTo("0a0b0c");
            } finally {
                tag.release();
            }
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
            body.release();
        }
    }

    @Test
    void rejectsValuesOutsideTheirFields() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            assertThatThrownBy(() -> FlvWriter.writeTagHeader(out, 7, 0, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TagType");
            assertThatThrownBy(() -> FlvWriter.writeTagHeader(out, FlvTag.VIDEO, -1, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
            assertThatThrownBy(() -> FlvWriter.writeTagHeader(out, FlvTag.VIDEO, 0x1_0000_0000L, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
            assertThatThrownBy(() -> FlvWriter.writeTagHeader(out, FlvTag.VIDEO, 0, 0x1000000))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DataSize");
            assertThatThrownBy(() -> FlvWriter.writePreviousTagSize(out, -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DataSize");
            assertThat(out.writerIndex()).isZero();
        } finally {
            out.release();
        }
    }

    @Test
    void tagReleasesItsBodyWhenItRejectsItsFields() {
        ByteBuf body = hex("00");
        assertThatThrownBy(() -> new FlvTag(FlvTag.VIDEO, -1, 0, body)).isInstanceOf(IllegalArgumentException.class);
        assertThat(body.refCnt()).isZero();
    }

    private static String writeTag(int tagType, long ts, String bodyHex) {
        ByteBuf body = hex(bodyHex);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            FlvWriter.writeTag(out, tagType, ts, body);
            return dump(out);
        } finally {
            body.release();
            out.release();
        }
    }
}
