package dev.millrace.streaming.core.flv;

import static dev.millrace.streaming.core.flv.Hex.dump;
import static dev.millrace.streaming.core.flv.Hex.hex;
import static dev.millrace.streaming.core.flv.Hex.norm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class FlvHeaderTest {

    private static final String AUDIO_AND_VIDEO = ""
            + "464c56"     // FLV 10.1 E.2: Signature 'F' 'L' 'V'
            + "01"         // Version 1
            + "05"         // TypeFlagsReserved 0, TypeFlagsAudio 1 (0x04), reserved 0, TypeFlagsVideo 1 (0x01)
            + "00000009"   // DataOffset: 9, the header's length
            + "00000000";  // E.3: PreviousTagSize0, always 0

    @Test
    void writesHeaderAndPreviousTagSize0() {
        assertThat(written(new FlvHeader(true, true))).isEqualTo(norm(AUDIO_AND_VIDEO));
        assertThat(written(new FlvHeader(true, false))).isEqualTo(norm("464c56 01 04 00000009 00000000"));
        assertThat(written(new FlvHeader(false, true))).isEqualTo(norm("464c56 01 01 00000009 00000000"));
        assertThat(written(new FlvHeader(false, false))).isEqualTo(norm("464c56 01 00 00000009 00000000"));
    }

    @Test
    void readsHeaderAndConsumesThirteenBytes() {
        ByteBuf in = hex(AUDIO_AND_VIDEO + "09");
        try {
            assertThat(FlvHeader.read(in)).isEqualTo(new FlvHeader(true, true));
            assertThat(in.readerIndex()).isEqualTo(13);
        } finally {
            in.release();
        }
    }

    @Test
    void returnsNullAndKeepsReaderIndexWhileHeaderIsIncomplete() {
        byte[] all = Hex.bytes(AUDIO_AND_VIDEO);
        for (int n = 0; n < all.length; n++) {
            ByteBuf in = PooledByteBufAllocator.DEFAULT.buffer().writeByte(0x7E).writeBytes(all, 0, n);
            try {
                in.readerIndex(1);
                assertThat(FlvHeader.read(in)).as("%d bytes", n).isNull();
                assertThat(in.readerIndex()).isEqualTo(1);
            } finally {
                in.release();
            }
        }
    }

    @Test
    void readsAudioOnlyAndIgnoresReservedFlagBitsAndNonZeroPreviousTagSize0() {
        ByteBuf in = hex("464c56 01 f4 00000009 0000000b"); // reserved bits set, TypeFlagsAudio only; FFmpeg ignores both
        try {
            assertThat(FlvHeader.read(in)).isEqualTo(new FlvHeader(true, false));
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    void skipsTheExtraBytesOfALongerHeader() {
        ByteBuf in = hex("464c56 01 01 0000000b aaaa 00000000"); // DataOffset 11: two bytes of future header
        try {
            assertThat(FlvHeader.read(in)).isEqualTo(new FlvHeader(false, true));
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    void waitsForTheWholeOfALongerHeader() {
        ByteBuf in = hex("464c56 01 01 0000000b aaaa 000000"); // one byte of PreviousTagSize0 missing
        try {
            assertThat(FlvHeader.read(in)).isNull();
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void rejectsBadSignature() {
        ByteBuf in = hex("464c57 01 05 00000009 00000000"); // "FLW"
        try {
            assertThatThrownBy(() -> FlvHeader.read(in)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("signature 464c57");
        } finally {
            in.release();
        }
    }

    @Test
    void rejectsVersionOtherThanOne() {
        ByteBuf in = hex("464c56 02 05 00000009 00000000");
        try {
            assertThatThrownBy(() -> FlvHeader.read(in)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("version 2");
        } finally {
            in.release();
        }
    }

    @Test
    void rejectsDataOffsetBelowNineOrAboveTheBound() {
        ByteBuf small = hex("464c56 01 05 00000008 00000000");
        ByteBuf large = hex("464c56 01 05 00000401 00000000"); // 1025
        try {
            assertThatThrownBy(() -> FlvHeader.read(small)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("DataOffset");
            assertThatThrownBy(() -> FlvHeader.read(large)).isInstanceOf(FlvFormatException.class)
                    .hasMessageContaining("DataOffset");
        } finally {
            small.release();
            large.release();
        }
    }

    private static String written(FlvHeader header) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            header.write(out);
            assertThat(out.readableBytes()).isEqualTo(FlvHeader.BYTES);
            return dump(out);
        } finally {
            out.release();
        }
    }
}
