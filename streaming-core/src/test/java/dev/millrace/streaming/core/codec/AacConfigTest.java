package dev.millrace.streaming.core.codec;

import static dev.millrace.streaming.core.codec.CodecTestSupport.golden;
import static dev.millrace.streaming.core.codec.CodecTestSupport.hex;
import static dev.millrace.streaming.core.codec.CodecTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.core.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class AacConfigTest {

    // ---- real encoder output (golden files) ----

    @Test
    void parsesFfmpegAacLcMonoAt44100WithItsNoSbrSyncExtension() throws Exception {
        byte[] asc = golden("aac-lc-44100-mono.asc");
        // ISO/IEC 14496-3 1.6.2.1, bit by bit:
        // 00010 0100 0001 | 0 0 0 | 010 1011 0111 | 00101 | 0 | 0000000
        // AOT 2 (LC), samplingFrequencyIndex 4 (44100), channelConfiguration 1 | GASpecificConfig: frameLengthFlag,
        // dependsOnCoreCoder, extensionFlag | syncExtensionType 0x2B7 | extensionAudioObjectType 5 (SBR) |
        // sbrPresentFlag 0 | padding
        assertThat(asc).isEqualTo(hex("12 08 56 E5 00"));

        AacConfig config = parse(AacConfig::parse, asc);

        assertThat(config.audioObjectType()).isEqualTo(2);
        assertThat(config.coreObjectType()).isEqualTo(2);
        assertThat(config.samplingFrequencyIndex()).isEqualTo(4);
        assertThat(config.samplingFrequency()).isEqualTo(44100);
        assertThat(config.channelConfiguration()).isEqualTo(1);
        assertThat(config.channels()).isEqualTo(1);
        assertThat(config.sbrPresent()).isFalse();
        assertThat(config.psPresent()).isFalse();
        assertThat(config.extensionSamplingFrequency()).isZero();
        assertThat(config.frameLengthFlag()).isFalse();
        assertThat(config.canWriteAdts()).isTrue();
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 44100, 1, 2, "mp4a.40.2"));
    }

    @Test
    void parsesFfmpegAacLcStereoAt48000() throws Exception {
        // 00010 0011 0010 000 ...: AOT 2, index 3 (48000), channelConfiguration 2
        AacConfig config = parse(AacConfig::parse, golden("aac-lc-48000-stereo.asc"));
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 48000, 2, 2, "mp4a.40.2"));
    }

    @Test
    void parsesFfmpegAacLcFivePointOne() throws Exception {
        // 00010 0011 0110 000 ...: channelConfiguration 6 = 5.1, six channels
        AacConfig config = parse(AacConfig::parse, golden("aac-lc-48000-5.1.asc"));
        assertThat(config.channelConfiguration()).isEqualTo(6);
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 48000, 6, 2, "mp4a.40.2"));
    }

    // ---- hand-built configs ----

    @Test
    void parsesExplicitlySignalledHeAac() throws Exception {
        // 00101 0110 0010 0011 00010 000 | 0000000: AOT 5 (SBR), core index 6 (24000), channelConfiguration 2,
        // extensionSamplingFrequencyIndex 3 (48000), core AOT 2, GASpecificConfig (1.6.5.2)
        AacConfig config = parse(AacConfig::parse, hex("2B 11 88 00"));
        assertThat(config.audioObjectType()).isEqualTo(5);
        assertThat(config.coreObjectType()).isEqualTo(2);
        assertThat(config.samplingFrequency()).isEqualTo(24000);
        assertThat(config.extensionSamplingFrequency()).isEqualTo(48000);
        assertThat(config.sbrPresent()).isTrue();
        assertThat(config.psPresent()).isFalse();
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 48000, 2, 5, "mp4a.40.5"));
    }

    @Test
    void parsesExplicitlySignalledHeAacV2AsStereoOutput() throws Exception {
        // 11101 0110 0001 0011 00010 000: AOT 29 (PS), index 6, channelConfiguration 1, extension index 3, core AOT 2
        AacConfig config = parse(AacConfig::parse, hex("EB 09 88 00"));
        assertThat(config.channels()).isEqualTo(1);
        assertThat(config.psPresent()).isTrue();
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 48000, 2, 29, "mp4a.40.29"));
    }

    @Test
    void findsSbrAndPsInTheSyncExtensionOfAnLcConfig() throws Exception {
        byte[] asc = new Bits()
                .u(5, 2).u(4, 6).u(4, 1)      // AOT 2, index 6 (24000), channelConfiguration 1
                .u(3, 0)                      // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag
                .u(11, 0x2B7)                 // 1.6.5.3: syncExtensionType
                .u(5, 5)                      // extensionAudioObjectType 5 (SBR)
                .u(1, 1)                      // sbrPresentFlag
                .u(4, 3)                      // extensionSamplingFrequencyIndex 3 (48000)
                .u(11, 0x548)                 // syncExtensionType
                .u(1, 1)                      // psPresentFlag
                .bytes();
        AacConfig config = parse(AacConfig::parse, asc);
        assertThat(config.audioObjectType()).isEqualTo(2);
        assertThat(config.sbrPresent()).isTrue();
        assertThat(config.psPresent()).isTrue();
        assertThat(config.extensionSamplingFrequency()).isEqualTo(48000);
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 48000, 2, 29, "mp4a.40.29"));
    }

    @Test
    void ignoresAMalformedSyncExtension() throws Exception {
        byte[] asc = new Bits()
                .u(5, 2).u(4, 4).u(4, 2).u(3, 0) // AOT 2, 44100, stereo, GASpecificConfig
                .u(11, 0x2B7).u(5, 5).u(1, 1)    // sync extension announcing SBR...
                .u(4, 13)                        // ...at reserved extensionSamplingFrequencyIndex 13
                .bytes();
        AacConfig config = parse(AacConfig::parse, asc);
        assertThat(config.sbrPresent()).isFalse();
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 44100, 2, 2, "mp4a.40.2"));
    }

    @Test
    void resolvesTheEscapedAudioObjectType() throws Exception {
        // 11111 001010 0011 0010 | 000: AOT 31 escape, 32 + 10 = 42 (USAC), index 3, channelConfiguration 2
        AacConfig config = parse(AacConfig::parse, hex("F9 46 40"));
        assertThat(config.audioObjectType()).isEqualTo(42);
        assertThat(config.canWriteAdts()).isFalse();
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 48000, 2, 42, "mp4a.40.42"));
    }

    @Test
    void readsAnExplicitTwentyFourBitSamplingFrequency() throws Exception {
        // 00010 1111 000000001100001101010000 0010 000: AOT 2, index 15, samplingFrequency 50000, stereo
        AacConfig config = parse(AacConfig::parse, hex("17 80 61 A8 10"));
        assertThat(config.samplingFrequencyIndex()).isEqualTo(15);
        assertThat(config.canWriteAdts()).isFalse();
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 50000, 2, 2, "mp4a.40.2"));
    }

    @Test
    void readsTheFrameLengthFlagFor960SampleFrames() throws Exception {
        // 00010 0100 0001 1 0 0: frameLengthFlag 1
        AacConfig config = parse(AacConfig::parse, hex("12 0C"));
        assertThat(config.frameLengthFlag()).isTrue();
    }

    @Test
    void countsTheChannelsOfAProgramConfigElement() throws Exception {
        byte[] asc = new Bits()
                .u(5, 2).u(4, 3).u(4, 0)      // AOT 2, 48000, channelConfiguration 0: a PCE follows
                .u(3, 0)                      // GASpecificConfig flags
                // 4.4.1.1 program_config_element()
                .u(4, 0).u(2, 1).u(4, 3)      // element_instance_tag, object_type (LC), sampling_frequency_index
                .u(4, 2).u(4, 0).u(4, 1)      // num_front_channel_elements 2, num_side 0, num_back 1
                .u(2, 1).u(3, 1).u(4, 1)      // num_lfe 1, num_assoc_data 1, num_valid_cc 1
                .u(1, 1).u(4, 0)              // mono_mixdown_present_flag, mono_mixdown_element_number
                .u(1, 0)                      // stereo_mixdown_present_flag
                .u(1, 1).u(2, 0).u(1, 0)      // matrix_mixdown_idx_present, matrix_mixdown_idx, pseudo_surround_enable
                .u(1, 0).u(4, 0)              // front 0: SCE (1 channel)
                .u(1, 1).u(4, 0)              // front 1: CPE (2 channels)
                .u(1, 1).u(4, 1)              // back 0: CPE (2 channels)
                .u(4, 0)                      // lfe_element_tag_select (1 channel)
                .u(4, 0)                      // assoc_data_element_tag_select
                .u(1, 0).u(4, 0)              // cc_element_is_ind_sw, valid_cc_element_tag_select
                .bytes();                     // byte_alignment()
        byte[] withComment = new byte[asc.length + 3];
        System.arraycopy(asc, 0, withComment, 0, asc.length);
        System.arraycopy(hex("02 68 69"), 0, withComment, asc.length, 3); // comment_field_bytes 2, "hi"
        AacConfig config = parse(AacConfig::parse, withComment);
        assertThat(config.channelConfiguration()).isZero();
        assertThat(config.channels()).isEqualTo(6);
        assertThat(config.canWriteAdts()).isFalse();
        assertThat(config.info()).isEqualTo(new AudioConfig(Codec.AAC, 48000, 6, 2, "mp4a.40.2"));
    }

    @Test
    void rejectsMalformedConfigs() {
        assertRejected("00 10", "ASC: audioObjectType 0 (null object)");
        assertRejected("16 90", "ASC: samplingFrequencyIndex 13 is reserved");    // 00010 1101 0010 000
        assertRejected("11 C0", "ASC: channelConfiguration 8 is reserved");       // 00010 0011 1000 000
        assertRejected("17 80 00 00 10", "ASC: explicit samplingFrequency 0");
        assertRejected("2B 11 94 00", "ASC: SBR/PS over object type 5");          // AOT 5 ... core AOT 5
        assertRejected("F9 46 00", "ASC: channelConfiguration 0 with object type 42, whose channel layout this "
                + "parser does not read");
        assertRejected("12", "ASC: truncated: needs 4 bits at bit 5, 3 left");
        assertRejected("11 80", "ASC: truncated: needs 10 bits at bit 16, 0 left"); // PCE announced, absent
    }

    private static void assertRejected(String asc, String message) {
        assertThatThrownBy(() -> parse(AacConfig::parse, hex(asc)))
                .isInstanceOf(CodecConfigException.class).hasMessage(message);
    }

    // ---- ADTS (ISO/IEC 14496-3 1.A.2.2.1) ----

    @Test
    void writesAnAdtsHeaderForLcStereoAt48000() throws Exception {
        AacConfig config = parse(AacConfig::parse, golden("aac-lc-48000-stereo.asc"));
        assertThat(adts(config, 100)).isEqualTo(hex("FF F1" // syncword, ID 0 (MPEG-4), layer 0, protection_absent 1
                + "4C"    // profile_ObjectType 1 (LC), sampling_frequency_index 3, private_bit, channel_configuration..
                + "80"    // ..2 (low bits 10), original_copy, home, copyright bits 0, aac_frame_length bits 12-11: 00
                + "0D"    // aac_frame_length bits 10-3: 107 = 100 + 7 = 0000011010 11
                + "7F"    // aac_frame_length bits 2-0 011, adts_buffer_fullness top 5 bits 11111 (0x7FF)
                + "FC")); // adts_buffer_fullness low 6 bits, number_of_raw_data_blocks_in_frame 0
    }

    @Test
    void writesAnAdtsHeaderForLcMonoAt44100AndTheLongestFrame() throws Exception {
        AacConfig config = parse(AacConfig::parse, golden("aac-lc-44100-mono.asc"));
        // 378 = 0 0001 0111 1010: profile 1, index 4, channel_configuration 1
        assertThat(adts(config, 371)).isEqualTo(hex("FF F1 50 40 2F 5F FC"));
        // 8191 = 1 1111 1111 1111, the largest aac_frame_length
        assertThat(adts(config, AacConfig.MAX_ADTS_RAW_FRAME_BYTES)).isEqualTo(hex("FF F1 50 43 FF FF FC"));
    }

    @Test
    void writesTheCoreProfileAndRateForHeAac() throws Exception {
        AacConfig config = parse(AacConfig::parse, hex("2B 11 88 00")); // HE-AAC: core LC at 24000, stereo
        // profile 1, sampling_frequency_index 6: 01 0110 0 0 = 58; frame length 7 = 0000000000111
        assertThat(adts(config, 0)).isEqualTo(hex("FF F1 58 80 00 FF FC"));
    }

    @Test
    void refusesAdtsForConfigsItCannotCarry() throws Exception {
        AacConfig explicitRate = parse(AacConfig::parse, hex("17 80 61 A8 10"));
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> explicitRate.writeAdtsHeader(out, 10)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("ADTS cannot carry object type 2, sampling frequency index 15, channel "
                            + "configuration 2");
            AacConfig lc = parse(AacConfig::parse, hex("11 90"));
            assertThatThrownBy(() -> lc.writeAdtsHeader(out, AacConfig.MAX_ADTS_RAW_FRAME_BYTES + 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> lc.writeAdtsHeader(out, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(out.readableBytes()).isZero();
        } finally {
            out.release();
        }
    }

    private static byte[] adts(AacConfig config, int rawFrameLength) {
        ByteBuf out = Unpooled.buffer();
        try {
            config.writeAdtsHeader(out, rawFrameLength);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
