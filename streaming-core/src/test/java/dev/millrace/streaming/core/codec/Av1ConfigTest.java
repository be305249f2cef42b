package dev.millrace.streaming.core.codec;

import static dev.millrace.streaming.core.codec.CodecTestSupport.golden;
import static dev.millrace.streaming.core.codec.CodecTestSupport.hex;
import static dev.millrace.streaming.core.codec.CodecTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.core.Codec;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class Av1ConfigTest {

    /** The sequence header OBU payload of golden/codec/av1-svtav1-1280x720-30fps.av1C (libsvtav1). */
    private static final String SVT_SEQUENCE_HEADER = "00 00 00 2D 4C FF B3 C0 2F 80 04";

    // ---- real encoder output (golden files) ----

    @Test
    void parsesSvtAv1MainAt720p() throws Exception {
        byte[] record = golden("av1-svtav1-1280x720-30fps.av1C");
        // AV1-ISOBMFF 2.3.3, field by field:
        assertThat(record).isEqualTo(hex("81"  // marker 1, version 1
                + "05"                           // seq_profile 0, seq_level_idx_0 5 (level 3.1)
                + "0C"                           // seq_tier_0 0, high_bitdepth 0, twelve_bit 0, monochrome 0,
                                                 // chroma_subsampling_x 1, chroma_subsampling_y 1, position 0
                + "00"                           // reserved, initial_presentation_delay_present 0, reserved
                + "0A"                           // configOBUs: obu_type 1 (sequence header), obu_has_size_field
                + "0B"                           // obu_size 11 (leb128)
                + SVT_SEQUENCE_HEADER));

        Av1Config config = parse(Av1Config::parse, record);

        assertThat(config.seqProfile()).isZero();
        assertThat(config.seqLevelIdx0()).isEqualTo(5);
        assertThat(config.sequenceHeaderPresent()).isTrue();
        assertThat(config.configObus()).isEqualTo(hex("0A 0B" + SVT_SEQUENCE_HEADER));
        assertThat(config.initialPresentationDelayMinusOne()).isEqualTo(-1);
        // max_frame_width_minus_1 1279, max_frame_height_minus_1 719; no timing_info: frame rate unknown.
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.AV1, 1280, 720, 0, "Main", 5, 8, 1, 0.0,
                "av01.0.05M.08"));
    }

    @Test
    void parsesLibaomTenBitAt360p() throws Exception {
        Av1Config config = parse(Av1Config::parse, golden("av1-libaom-10bit-640x360-25fps.av1C"));
        assertThat(config.highBitdepth()).isTrue();
        assertThat(config.twelveBit()).isFalse();
        assertThat(config.monochrome()).isFalse();
        assertThat(config.chromaSubsamplingX()).isEqualTo(1);
        assertThat(config.chromaSubsamplingY()).isEqualTo(1);
        assertThat(config.chromaSamplePosition()).isZero();
        assertThat(config.seqTier0()).isZero();
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.AV1, 640, 360, 0, "Main", 1, 10, 1, 0.0,
                "av01.0.01M.10"));
    }

    // ---- hand-built sequence headers (AV1 5.5) ----

    @Test
    void readsTimingDecoderModelAndEveryOperatingPointBeforeTheFrameSize() throws Exception {
        byte[] sequenceHeader = new Bits()
                .u(3, 2)                          // seq_profile 2 (Professional)
                .u(1, 0).u(1, 0)                  // still_picture, reduced_still_picture_header
                .u(1, 1)                          // timing_info_present_flag
                .u(32, 1001).u(32, 60000)         // 5.5.3: num_units_in_display_tick, time_scale
                .u(1, 1)                          // equal_picture_interval
                .ue(1)                            // num_ticks_per_picture_minus_1 1 (uvlc, 4.10.3): 2 ticks per picture
                .u(1, 1)                          // decoder_model_info_present_flag
                .u(5, 9)                          // 5.5.4: buffer_delay_length_minus_1: 10-bit delays
                .u(32, 1)                         // num_units_in_decoding_tick
                .u(5, 31).u(5, 31)                // buffer_removal_time_length_minus_1, frame_presentation_..
                .u(1, 1)                          // initial_display_delay_present_flag
                .u(5, 1)                          // operating_points_cnt_minus_1: two operating points
                .u(12, 0x103)                     // operating_point_idc[0]
                .u(5, 9).u(1, 1)                  // seq_level_idx[0] 9 (level 4.1) > 7, so seq_tier[0]: High
                .u(1, 1)                          // decoder_model_present_for_this_op[0]
                .u(10, 500).u(10, 300).u(1, 0)    // 5.5.5: decoder/encoder_buffer_delay, low_delay_mode_flag
                .u(1, 1).u(4, 9)                  // initial_display_delay_present_for_this_op[0], its value
                .u(12, 0x101)                     // operating_point_idc[1]
                .u(5, 4)                          // seq_level_idx[1] 4: no tier bit
                .u(1, 0).u(1, 0)                  // decoder model and initial display delay absent for op 1
                .u(4, 11).u(4, 11)                // frame_width_bits_minus_1, frame_height_bits_minus_1: 12 bits
                .u(12, 3839).u(12, 2159)          // max_frame_width_minus_1, max_frame_height_minus_1
                .u(1, 1).u(4, 5).u(3, 2)          // frame_id_numbers_present_flag and its two lengths
                .u(1, 1).u(1, 1).u(1, 1)          // use_128x128_superblock, enable_filter_intra, intra_edge_filter
                .u(4, 0xF)                        // interintra, masked compound, warped motion, dual filter
                .u(1, 1).u(1, 1).u(1, 1)          // enable_order_hint, enable_jnt_comp, enable_ref_frame_mvs
                .u(1, 0).u(1, 1)                  // seq_choose_screen_content_tools 0, seq_force_screen_content_tools 1
                .u(1, 0).u(1, 1)                  // seq_choose_integer_mv 0, seq_force_integer_mv 1
                .u(3, 6)                          // order_hint_bits_minus_1
                .u(1, 0).u(1, 1).u(1, 1)          // enable_superres, enable_cdef, enable_restoration
                // 5.5.2 color_config()
                .u(1, 1).u(1, 1)                  // high_bitdepth, twelve_bit: BitDepth 12
                .u(1, 0)                          // mono_chrome
                .u(1, 1).u(8, 1).u(8, 1).u(8, 1)  // color_description_present_flag: BT.709 x 3
                .u(1, 0)                          // color_range
                .u(1, 1).u(1, 0)                  // profile 2 at 12 bits: subsampling_x 1, subsampling_y 0 (4:2:2)
                .u(1, 0)                          // separate_uv_delta_q
                .u(1, 0)                          // film_grain_params_present
                .trailing();                      // 5.3.4 trailing_bits(); AV1 has no emulation prevention
        Av1Config config = parse(Av1Config::parse, av1C("81 49 E8 00", obu(1, sequenceHeader)));
        // 4:2:2 is not the short form's default, so the optional fields follow (mono 0, CCC 100, BT.709, range 0).
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.AV1, 3840, 2160, 2, "Professional", 9, 12, 2,
                60000.0 / (1001 * 2), "av01.2.09H.12.0.100.01.01.01.0"));
    }

    @Test
    void readsAReducedStillPictureHeaderOfAMonochromeImage() throws Exception {
        byte[] sequenceHeader = new Bits()
                .u(3, 0).u(1, 1).u(1, 1)          // seq_profile 0, still_picture, reduced_still_picture_header
                .u(5, 3)                          // seq_level_idx[0] 3; nothing of timing or operating points
                .u(4, 5).u(4, 5)                  // frame_width_bits_minus_1, frame_height_bits_minus_1: 6 bits
                .u(6, 63).u(6, 47)                // 64 x 48
                .u(3, 0)                          // use_128x128_superblock, enable_filter_intra, intra_edge_filter
                .u(3, 0)                          // enable_superres, enable_cdef, enable_restoration
                .u(1, 0)                          // high_bitdepth
                .u(1, 1)                          // mono_chrome
                .u(1, 0)                          // color_description_present_flag: unspecified (2)
                .u(1, 1)                          // color_range; monochrome ends color_config here
                .u(1, 0)                          // film_grain_params_present
                .trailing();
        Av1Config config = parse(Av1Config::parse, av1C("81 03 1C 00", obu(1, sequenceHeader)));
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.AV1, 64, 48, 0, "Main", 3, 8, 0, 0.0,
                "av01.0.03M.08.1.110.02.02.02.1"));
    }

    @Test
    void infersFullRange444ForSrgbIdentityColour() throws Exception {
        byte[] sequenceHeader = new Bits()
                .u(3, 1).u(1, 0).u(1, 0)          // seq_profile 1 (High), still_picture, reduced_still_picture_header
                .u(1, 0)                          // timing_info_present_flag
                .u(1, 0)                          // initial_display_delay_present_flag
                .u(5, 0)                          // operating_points_cnt_minus_1
                .u(12, 0).u(5, 8).u(1, 0)         // operating_point_idc[0], seq_level_idx[0] 8 (4.0), seq_tier[0] Main
                .u(4, 9).u(4, 9)                  // frame size bits: 10 and 10
                .u(10, 1023).u(10, 767)           // 1024 x 768
                .u(1, 0)                          // frame_id_numbers_present_flag
                .u(3, 0)                          // superblock size, filter intra, intra edge filter
                .u(4, 0)                          // interintra, masked compound, warped motion, dual filter
                .u(1, 0)                          // enable_order_hint: no jnt_comp, ref_frame_mvs, order_hint_bits
                .u(1, 1)                          // seq_choose_screen_content_tools: SELECT_SCREEN_CONTENT_TOOLS
                .u(1, 1)                          // seq_choose_integer_mv
                .u(3, 0)                          // superres, cdef, restoration
                .u(1, 0)                          // high_bitdepth; profile 1 has no mono_chrome
                .u(1, 1).u(8, 1).u(8, 13).u(8, 0) // colour: BT.709 primaries, sRGB transfer, identity matrix
                .u(1, 0)                          // separate_uv_delta_q (color_range 1 and 4:4:4 are implied)
                .u(1, 0)                          // film_grain_params_present
                .trailing();
        Av1Config config = parse(Av1Config::parse, av1C("81 28 00 00", obu(1, sequenceHeader)));
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.AV1, 1024, 768, 1, "High", 8, 8, 3, 0.0,
                "av01.1.08M.08.0.000.01.13.00.1"));
    }

    @Test
    void skipsAMetadataObuWithAnExtensionHeaderAndReadsASequenceHeaderWithoutSizeField() throws Exception {
        Av1Config config = parse(Av1Config::parse, hex("81 05 0C 00"
                + "2E 00 02 01 02"              // obu_type 5 (metadata), extension and size flags; extension byte;
                                                // obu_size 2; payload
                + "08" + SVT_SEQUENCE_HEADER)); // obu_type 1 without obu_has_size_field: runs to the end
        assertThat(config.info().width()).isEqualTo(1280);
        assertThat(config.info().height()).isEqualTo(720);
    }

    @Test
    void describesARecordWithoutConfigObusFromItsOwnFields() throws Exception {
        Av1Config config = parse(Av1Config::parse, hex("81 05 0C 1A")); // initial_presentation_delay_minus_one 10
        assertThat(config.sequenceHeaderPresent()).isFalse();
        assertThat(config.configObus()).isEmpty();
        assertThat(config.initialPresentationDelayMinusOne()).isEqualTo(10);
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.AV1, 0, 0, 0, "Main", 5, 8, 1, 0.0,
                "av01.0.05M.08"));
    }

    @Test
    void rejectsMalformedRecords() {
        assertRejected("01 05 0C 00", "av1C: marker 0 version 1, expected 1 and 1");
        assertRejected("82 05 0C 00", "av1C: marker 1 version 2, expected 1 and 1");
        assertRejected("81 05 0C", "av1C: truncated: needs 3 bits at bit 24, 0 left");
        assertRejected("81 05 0C 00 8A 0B" + SVT_SEQUENCE_HEADER, "av1C: configOBUs: obu_forbidden_bit is 1");
        assertRejected("81 05 0C 00 0A 0C" + SVT_SEQUENCE_HEADER,
                "av1C: configOBUs: OBU of type 1 declares 12 bytes, 11 left");
        assertRejected("81 05 0C 00 0A FF FF FF FF FF FF FF FF 01", "av1C: leb128 longer than 8 bytes");
        assertRejected("81 05 0C 00 0A 80 80 80 80 10", "av1C: leb128 value 4294967296 exceeds 2^32 - 1");
        assertRejected("81 05 0C 00 0A 01 60", "av1C: sequence header: seq_profile 3 is reserved");
        assertRejected("81 05 0C 00 0A 03 00 00 00",
                "av1C: sequence header: truncated: needs 5 bits at bit 24, 0 left");
    }

    private static void assertRejected(String record, String message) {
        assertThatThrownBy(() -> parse(Av1Config::parse, hex(record)))
                .isInstanceOf(CodecConfigException.class).hasMessage(message);
    }

    /** An OBU with obu_has_size_field set and a one-byte leb128 size (AV1 5.3.1). */
    private static byte[] obu(int type, byte[] payload) {
        if (payload.length > 127) {
            throw new IllegalArgumentException("one-byte leb128 only");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type << 3 | 0b010); // obu_forbidden_bit 0, obu_type, obu_extension_flag 0, obu_has_size_field 1
        out.write(payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] av1C(String header, byte[] configObus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(hex(header));
        out.writeBytes(configObus);
        return out.toByteArray();
    }
}
