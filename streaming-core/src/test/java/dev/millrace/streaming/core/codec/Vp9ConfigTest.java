package dev.millrace.streaming.core.codec;

import static dev.millrace.streaming.core.codec.CodecTestSupport.golden;
import static dev.millrace.streaming.core.codec.CodecTestSupport.hex;
import static dev.millrace.streaming.core.codec.CodecTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.core.Codec;
import org.junit.jupiter.api.Test;

class Vp9ConfigTest {

    @Test
    void parsesLibvpxProfile0WhichCarriesNoPictureSize() throws Exception {
        byte[] record = golden("vp9-profile0-640x360-30fps.vpcC");
        // VP Codec ISO Media File Format Binding 2.2, field by field:
        assertThat(record).isEqualTo(hex("01 000000" // FullBox version 1, flags 0
                + "00"                                // profile 0
                + "15"                                // level 21 (2.1)
                + "82"                                // bitDepth 8, chromaSubsampling 1 (4:2:0 colocated), full range 0
                + "02 02 02"                          // colour primaries, transfer, matrix: 2, unspecified
                + "0000"));                           // codecInitializationDataSize 0

        Vp9Config config = parse(Vp9Config::parse, record);

        assertThat(config.profile()).isZero();
        assertThat(config.level()).isEqualTo(21);
        assertThat(config.bitDepth()).isEqualTo(8);
        assertThat(config.chromaSubsampling()).isEqualTo(1);
        assertThat(config.videoFullRange()).isFalse();
        assertThat(config.colourPrimaries()).isEqualTo(2);
        assertThat(config.transferCharacteristics()).isEqualTo(2);
        assertThat(config.matrixCoefficients()).isEqualTo(2);
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.VP9, 0, 0, 0, "Profile 0", 21, 8, 1, 0.0,
                "vp09.00.21.08"));
    }

    @Test
    void spellsOutTheOptionalCodecFieldsFor444() throws Exception {
        // 01 000000 | 01 15 | 86: bitDepth 8, chromaSubsampling 3 (4:4:4) | 02 02 01 | 0000
        Vp9Config config = parse(Vp9Config::parse, golden("vp9-profile1-444-640x360-30fps.vpcC"));
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.VP9, 0, 0, 1, "Profile 1", 21, 8, 3, 0.0,
                "vp09.01.21.08.03.02.02.01.00"));
    }

    @Test
    void keepsTheShortFormFor420HdrAndSpellsItOutFor422() throws Exception {
        Vp9Config hdr = parse(Vp9Config::parse, hex("01 000000 02 1F"
                + "A3"                 // bitDepth 10, chromaSubsampling 1, videoFullRangeFlag 1
                + "09 10 09 0000"));   // BT.2020, PQ, BT.2020 NCL
        assertThat(hdr.info()).isEqualTo(new VideoConfig(Codec.VP9, 0, 0, 2, "Profile 2", 31, 10, 1, 0.0,
                "vp09.02.31.10"));
        assertThat(hdr.videoFullRange()).isTrue();

        Vp9Config yuv422 = parse(Vp9Config::parse, hex("01 000000 03 28"
                + "C5"                 // bitDepth 12, chromaSubsampling 2 (4:2:2), videoFullRangeFlag 1
                + "01 01 01 0000"));
        assertThat(yuv422.info()).isEqualTo(new VideoConfig(Codec.VP9, 0, 0, 3, "Profile 3", 40, 12, 2, 0.0,
                "vp09.03.40.12.02.01.01.01.01"));
    }

    @Test
    void skipsCodecInitializationDataThatIsPresent() throws Exception {
        Vp9Config config = parse(Vp9Config::parse, hex("01 000000 00 15 82 02 02 02 0002 AA BB"));
        assertThat(config.info().rfc6381()).isEqualTo("vp09.00.21.08");
    }

    @Test
    void rejectsMalformedRecords() {
        assertRejected("00 000000 00 15 82 02 02 02 0000", "vpcC: version 0, expected 1");
        assertRejected("01 000000 04 15 82 02 02 02 0000", "vpcC: profile 4 exceeds 3");
        assertRejected("01 000000 00 15 92 02 02 02 0000", "vpcC: bitDepth 9, expected 8, 10 or 12");
        assertRejected("01 000000 00 15 88 02 02 02 0000", "vpcC: chromaSubsampling 4 is reserved");
        assertRejected("01 000000 00 15 82 02 02 02 0002 AA",
                "vpcC: truncated: needs 16 bits at bit 96, 8 left");
        assertRejected("01 000000 00 15 82 02 02 02 00", "vpcC: truncated: needs 16 bits at bit 80, 8 left");
    }

    private static void assertRejected(String record, String message) {
        assertThatThrownBy(() -> parse(Vp9Config::parse, hex(record)))
                .isInstanceOf(CodecConfigException.class).hasMessage(message);
    }
}
