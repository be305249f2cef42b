package dev.millrace.streaming.core.codec;

import static dev.millrace.streaming.core.codec.CodecTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BitReaderTest {

    @Test
    void readsBitsMostSignificantFirstAcrossByteBoundaries() throws Exception {
        // 1010 1100 0101 0011 1111 0000
        BitReader r = new BitReader(hex("AC 53 F0"));
        assertThat(r.readBit()).isEqualTo(1);
        assertThat(r.readBits(3)).isEqualTo(0b010);
        assertThat(r.readBits(7)).isEqualTo(0b1100_010);
        assertThat(r.readBits(9)).isEqualTo(0b1_0011_1111);
        assertThat(r.bitsLeft()).isEqualTo(4);
        assertThat(r.readBits(0)).isZero();
        assertThat(r.readBits(4)).isZero();
        assertThat(r.bitsLeft()).isZero();
    }

    @Test
    void readsThirtyTwoBitsWithTheTopBitSetAsRawBits() throws Exception {
        BitReader r = new BitReader(hex("FF FF FF FE 80 00 00 01"));
        assertThat(r.readBits(32)).isEqualTo(0xFFFF_FFFE);
        assertThat(r.readBitsLong(32)).isEqualTo(0x8000_0001L);
    }

    @Test
    void readsFortyEightBitsAsALong() throws Exception {
        BitReader r = new BitReader(hex("B0 00 00 00 00 01"));
        assertThat(r.readBitsLong(48)).isEqualTo(0xB000_0000_0001L);
    }

    @Test
    void readsUnsignedExpGolombCodesOfH264Table9Dash2() throws Exception {
        // 1 | 010 | 011 | 00100 | 00111 | 0001000 = codeNum 0, 1, 2, 3, 6, 7
        // bits: 1010 0110 0100 0011 1000 1000
        BitReader r = new BitReader(hex("A6 43 88"));
        assertThat(r.readUE()).isEqualTo(0);
        assertThat(r.readUE()).isEqualTo(1);
        assertThat(r.readUE()).isEqualTo(2);
        assertThat(r.readUE()).isEqualTo(3);
        assertThat(r.readUE()).isEqualTo(6);
        assertThat(r.readUE()).isEqualTo(7);
    }

    @Test
    void readsSignedExpGolombCodesOfH264Table9Dash3() throws Exception {
        // codeNum 0, 1, 2, 3, 4 = se 0, 1, -1, 2, -2: 1 | 010 | 011 | 00100 | 00101
        // bits: 1010 0110 0100 0010 1000 0000
        BitReader r = new BitReader(hex("A6 42 80"));
        assertThat(r.readSE()).isEqualTo(0);
        assertThat(r.readSE()).isEqualTo(1);
        assertThat(r.readSE()).isEqualTo(-1);
        assertThat(r.readSE()).isEqualTo(2);
        assertThat(r.readSE()).isEqualTo(-2);
    }

    @Test
    void readsTheLargestUnsignedExpGolombCodeWithThirtyOneLeadingZeros() throws Exception {
        // 31 zeros, a one, 31 ones: codeNum 2^31 - 1 + 2^31 - 1 = 2^32 - 2
        BitReader r = new BitReader(hex("00 00 00 01 FF FF FF FE"));
        assertThat(r.readUE()).isEqualTo(0xFFFF_FFFEL);
        assertThat(r.bitsLeft()).isEqualTo(1);
    }

    @Test
    void rejectsExpGolombCodeWithThirtyTwoLeadingZeros() {
        BitReader r = new BitReader(hex("00 00 00 00 80 00 00 00 00"));
        assertThatThrownBy(r::readUE).isInstanceOf(CodecConfigException.class)
                .hasMessageContaining("more than 31 leading zero bits");
    }

    @Test
    void boundedReadsNameTheFieldThatBrokeItsBound() throws Exception {
        // ue 32 = 00000 100001, then se -3 = codeNum 6 = 00 111: 0000 0100 0010 0111
        BitReader r = new BitReader(hex("04 27"));
        assertThatThrownBy(() -> r.readUE(31, "seq_parameter_set_id")).isInstanceOf(CodecConfigException.class)
                .hasMessage("seq_parameter_set_id = 32 exceeds 31");
        assertThatThrownBy(() -> r.readSE(-2, 2, "delta_scale")).isInstanceOf(CodecConfigException.class)
                .hasMessage("delta_scale = -3 is outside [-2, 2]");
    }

    @Test
    void everyReadPastTheEndThrowsCodecConfigException() throws Exception {
        BitReader r = new BitReader(hex("FF"));
        r.readBits(7);
        assertThatThrownBy(() -> r.readBits(2)).isInstanceOf(CodecConfigException.class)
                .hasMessage("truncated: needs 2 bits at bit 7, 1 left");
        assertThatThrownBy(() -> r.skipBits(2)).isInstanceOf(CodecConfigException.class);
        assertThat(r.readBit()).isEqualTo(1);
        assertThatThrownBy(r::readBit).isInstanceOf(CodecConfigException.class);
        assertThatThrownBy(r::readFlag).isInstanceOf(CodecConfigException.class);
        assertThatThrownBy(r::readUE).isInstanceOf(CodecConfigException.class);
        assertThatThrownBy(r::readSE).isInstanceOf(CodecConfigException.class);
        assertThatThrownBy(() -> r.readBitsLong(1)).isInstanceOf(CodecConfigException.class);
        assertThatThrownBy(() -> r.readBytes(1)).isInstanceOf(CodecConfigException.class);
    }

    @Test
    void expGolombCodeCutInItsSuffixThrows() {
        // 0000 01|00: five leading zeros announce five suffix bits, two are there
        BitReader r = new BitReader(hex("04"));
        assertThatThrownBy(r::readUE).isInstanceOf(CodecConfigException.class);
    }

    @Test
    void readsOnlyTheGivenRange() throws Exception {
        BitReader r = new BitReader(hex("00 AB CD 00"), 1, 2);
        assertThat(r.bitsLeft()).isEqualTo(16);
        assertThat(r.readBits(16)).isEqualTo(0xABCD);
        assertThatThrownBy(r::readBit).isInstanceOf(CodecConfigException.class);
    }

    @Test
    void alignsToTheNextByteAndReadsWholeBytes() throws Exception {
        BitReader r = new BitReader(hex("80 12 34"));
        r.readBit();
        assertThat(r.byteAligned()).isFalse();
        r.byteAlign();
        assertThat(r.byteAligned()).isTrue();
        assertThat(r.bitPosition()).isEqualTo(8);
        r.byteAlign();
        assertThat(r.bitPosition()).isEqualTo(8);
        assertThat(r.readBytes(2)).containsExactly(0x12, 0x34);
    }

    @Test
    void removesEmulationPreventionBytesAfterTwoZeros() {
        // H.264 7.4.1: 00 00 03 xx carries 00 00 xx for xx in 00..03
        assertThat(BitReader.unescapeRbsp(hex("67 00 00 03 00 00 03 01 00 00 03 03 05"), 0, 13))
                .isEqualTo(hex("67 00 00 00 00 01 00 00 03 05"));
    }

    @Test
    void keepsAThreeThatFollowsOnlyOneZeroOrAnEscape() {
        assertThat(BitReader.unescapeRbsp(hex("01 00 03 00 00 03 03 00 03"), 0, 9))
                .isEqualTo(hex("01 00 03 00 00 03 00 03"));
    }

    @Test
    void removesATrailingEmulationPreventionByte() {
        assertThat(BitReader.unescapeRbsp(hex("AA 00 00 03"), 0, 4)).isEqualTo(hex("AA 00 00"));
    }

    @Test
    void rbspReaderReadsAcrossARemovedEscape() throws Exception {
        // time_scale 60 as x264 writes it: 00 00 00 3C escaped as 00 00 03 00 3C
        BitReader r = BitReader.rbsp(hex("FF 00 00 03 00 3C"), 1, 5);
        assertThat(r.readBitsLong(32)).isEqualTo(60);
        assertThat(r.bitsLeft()).isZero();
    }
}
