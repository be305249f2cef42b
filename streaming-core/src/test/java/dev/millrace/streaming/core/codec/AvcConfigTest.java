package dev.millrace.streaming.core.codec;

import static dev.millrace.streaming.core.codec.CodecTestSupport.golden;
import static dev.millrace.streaming.core.codec.CodecTestSupport.hex;
import static dev.millrace.streaming.core.codec.CodecTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.core.Codec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AvcConfigTest {

    /** The SPS and PPS of golden/codec/h264-baseline-1280x720-30fps.avcC (libx264, see the README there). */
    private static final String X264_BASELINE_SPS =
            "67 42 C0 1F D9 00 50 05 BB 01 10 00 00 03 00 10 00 00 03 03 C0 F1 83 24 80";
    private static final String X264_BASELINE_PPS = "68 CB 83 CB 20";

    // ---- real encoder output (golden files) ----

    @Test
    void parsesX264ConstrainedBaselineAt720p30() throws Exception {
        byte[] record = golden("h264-baseline-1280x720-30fps.avcC");
        // The golden record, field by field (ISO/IEC 14496-15 5.3.3.1.1):
        assertThat(record).isEqualTo(hex("01"   // configurationVersion
                + "42 C0 1F"                      // AVCProfileIndication, profile_compatibility, AVCLevelIndication
                + "FF"                            // reserved 111111b, lengthSizeMinusOne 3
                + "E1"                            // reserved 111b, numOfSequenceParameterSets 1
                + "0019" + X264_BASELINE_SPS      // sequenceParameterSetLength 25, SPS NAL unit
                + "01"                            // numOfPictureParameterSets
                + "0005" + X264_BASELINE_PPS));   // pictureParameterSetLength 5, PPS NAL unit

        AvcConfig config = parse(AvcConfig::parse, record);

        assertThat(config.nalLengthSize()).isEqualTo(4);
        assertThat(config.sps()).hasSize(1);
        assertThat(config.sps().get(0)).isEqualTo(hex(X264_BASELINE_SPS));
        assertThat(config.pps()).hasSize(1);
        assertThat(config.pps().get(0)).isEqualTo(hex(X264_BASELINE_PPS));
        // profile_idc 66 with constraint_set0/1 (0xC0) is Constrained Baseline (A.2.1.1); VUI time_scale 60,
        // num_units_in_tick 1 behind two emulation prevention bytes.
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.H264, 1280, 720, 66, "Constrained Baseline", 31,
                8, 1, 30.0, "avc1.42C01F"));
    }

    @Test
    void parsesX264MainAt720p25() throws Exception {
        AvcConfig config = parse(AvcConfig::parse, golden("h264-main-1280x720-25fps.avcC"));
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.H264, 1280, 720, 77, "Main", 31, 8, 1, 25.0,
                "avc1.4D401F"));
    }

    @Test
    void parsesX264High1080pCroppedFrom1088RowsAt2997() throws Exception {
        AvcConfig config = parse(AvcConfig::parse, golden("h264-high-1920x1080-29.97fps.avcC"));
        // 68 macroblock rows = 1088, frame_crop_bottom_offset 4 * CropUnitY 2 = 8; time_scale 60000 over
        // 2 * num_units_in_tick 1001.
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.H264, 1920, 1080, 100, "High", 40, 8, 1,
                60000.0 / 2002, "avc1.640028"));
        assertThat(config.sps().get(0)).hasSize(25);
        assertThat(config.pps().get(0)).hasSize(6);
    }

    @Test
    void parsesX264High10At360pCroppedFrom368Rows() throws Exception {
        AvcConfig config = parse(AvcConfig::parse, golden("h264-high10-640x360-24fps.avcC"));
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.H264, 640, 360, 110, "High 10", 30, 10, 1, 24.0,
                "avc1.6E001E"));
    }

    @Test
    void parsesX264High444WhoseCropUnitIsOneSample() throws Exception {
        AvcConfig config = parse(AvcConfig::parse, golden("h264-high444-854x480-30fps.avcC"));
        // 54 macroblocks = 864 columns, frame_crop_right_offset 10 * CropUnitX 1 (4:4:4) = 10.
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.H264, 854, 480, 244, "High 4:4:4 Predictive", 31,
                8, 3, 30.0, "avc1.F4001F"));
    }

    @Test
    void reportsUnknownFrameRateForOpenH264WhichSendsNoTimingInfo() throws Exception {
        AvcConfig config = parse(AvcConfig::parse, golden("h264-openh264-640x360-30fps.avcC"));
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.H264, 640, 360, 66, "Constrained Baseline", 30,
                8, 1, 0.0, "avc1.42C01E"));
        assertThat(config.sps().get(0)).hasSize(16);
        assertThat(config.pps().get(0)).hasSize(4);
    }

    @Test
    void keepsSizeAndDropsFrameRateWhenTheVuiIsCutInsideTimingInfo() throws Exception {
        // The libx264 High SPS of h264-high-1920x1080-29.97fps.avcC cut after 14 of its 25 bytes: num_units_in_tick
        // starts at bit 102 and is cut at bit 112.
        VideoConfig info = AvcConfig.parseSps(hex("67 64 00 28 AC D9 40 78 02 27 E5 C0 44 00"));
        assertThat(info).isEqualTo(new VideoConfig(Codec.H264, 1920, 1080, 100, "High", 40, 8, 1, 0.0,
                "avc1.640028"));
    }

    // ---- hand-built parameter sets (H.264 7.3.2.1.1, E.1.1) ----

    @Test
    void doublesTheHeightAndTheCropUnitOfAnInterlacedSps() throws Exception {
        byte[] sps = new Bits()
                .u(1, 0).u(2, 3).u(5, 7)      // 7.3.1: forbidden_zero_bit, nal_ref_idc 3, nal_unit_type 7 (SPS)
                .u(8, 100)                    // profile_idc: High
                .u(8, 0)                      // constraint_set0..5_flag, reserved_zero_2bits
                .u(8, 40)                     // level_idc 4.0
                .ue(0)                        // seq_parameter_set_id
                .ue(1)                        // chroma_format_idc: 4:2:0
                .ue(0).ue(0)                  // bit_depth_luma_minus8, bit_depth_chroma_minus8
                .u(1, 0)                      // qpprime_y_zero_transform_bypass_flag
                .u(1, 0)                      // seq_scaling_matrix_present_flag
                .ue(0)                        // log2_max_frame_num_minus4
                .ue(0).ue(2)                  // pic_order_cnt_type 0, log2_max_pic_order_cnt_lsb_minus4
                .ue(4).u(1, 0)                // max_num_ref_frames, gaps_in_frame_num_value_allowed_flag
                .ue(119)                      // pic_width_in_mbs_minus1: 120 macroblocks = 1920
                .ue(33)                       // pic_height_in_map_units_minus1: 34 map units (field MBs)
                .u(1, 0)                      // frame_mbs_only_flag 0: FrameHeightInMbs = 2 * 34 = 68 (1088 rows)
                .u(1, 1)                      // mb_adaptive_frame_field_flag
                .u(1, 1)                      // direct_8x8_inference_flag
                .u(1, 1)                      // frame_cropping_flag
                .ue(0).ue(0).ue(0)            // frame_crop_left/right/top_offset
                .ue(2)                        // frame_crop_bottom_offset: 2 * CropUnitY (2 * 2) = 8 rows
                .u(1, 1)                      // vui_parameters_present_flag
                .u(1, 0).u(1, 0).u(1, 0)      // aspect_ratio_info, overscan_info, video_signal_type present
                .u(1, 0)                      // chroma_loc_info_present_flag
                .u(1, 1)                      // timing_info_present_flag
                .u(32, 1001).u(32, 60000)     // num_units_in_tick, time_scale: 29.97 frames, 59.94 fields
                .u(1, 1)                      // fixed_frame_rate_flag
                .u(1, 0).u(1, 0).u(1, 0)      // nal_hrd, vcl_hrd, pic_struct present
                .u(1, 0)                      // bitstream_restriction_flag
                .nal();
        assertThat(AvcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.H264, 1920, 1080, 100, "High", 40, 8, 1,
                60000.0 / 2002, "avc1.640028"));
    }

    @Test
    void skipsThePicOrderCountCycleOfPicOrderCntType1() throws Exception {
        byte[] sps = new Bits()
                .u(1, 0).u(2, 3).u(5, 7)      // NAL header: SPS
                .u(8, 77).u(8, 0x40).u(8, 21) // profile_idc Main, constraint_set1_flag, level_idc 2.1
                .ue(0)                        // seq_parameter_set_id (Main: no chroma_format_idc)
                .ue(0)                        // log2_max_frame_num_minus4
                .ue(1)                        // pic_order_cnt_type 1
                .u(1, 0)                      // delta_pic_order_always_zero_flag
                .se(-1)                       // offset_for_non_ref_pic
                .se(2)                        // offset_for_top_to_bottom_field
                .ue(3)                        // num_ref_frames_in_pic_order_cnt_cycle
                .se(2).se(-5).se(100)         // offset_for_ref_frame[0..2]
                .ue(3).u(1, 0)                // max_num_ref_frames, gaps_in_frame_num_value_allowed_flag
                .ue(21).ue(17)                // 22 x 18 macroblocks = 352 x 288
                .u(1, 1).u(1, 1)              // frame_mbs_only_flag, direct_8x8_inference_flag
                .u(1, 0)                      // frame_cropping_flag
                .u(1, 0)                      // vui_parameters_present_flag
                .nal();
        assertThat(AvcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.H264, 352, 288, 77, "Main", 21, 8, 1,
                0.0, "avc1.4D4015"));
    }

    @Test
    void skipsScalingListsIncludingOnesEndedEarlyByAZeroNextScale() throws Exception {
        Bits b = new Bits()
                .u(1, 0).u(2, 3).u(5, 7)      // NAL header: SPS
                .u(8, 100).u(8, 0).u(8, 41)   // High, no constraint flags, level 4.1
                .ue(0)                        // seq_parameter_set_id
                .ue(1).ue(0).ue(0)            // chroma_format_idc 4:2:0, bit depths 8
                .u(1, 0)                      // qpprime_y_zero_transform_bypass_flag
                .u(1, 1);                     // seq_scaling_matrix_present_flag: 8 lists follow (7.3.2.1.1.1)
        b.u(1, 1).se(8);                      // list 0 (4x4): present; delta_scale 8: nextScale 16
        for (int j = 1; j < 16; j++) {
            b.se(0);                          // delta_scale 0: all 16
        }
        b.u(1, 0);                            // list 1: absent
        b.u(1, 1).se(-8);                     // list 2: nextScale 0 at j = 0: use the default, no more deltas
        b.u(1, 0).u(1, 0).u(1, 0);            // lists 3..5: absent
        b.u(1, 1).se(4);                      // list 6 (8x8): nextScale 12
        for (int j = 1; j < 10; j++) {
            b.se(1);                          // nextScale 13..21
        }
        b.se(-21);                            // nextScale 0 at j = 10: the rest repeat 21, no more deltas
        b.u(1, 1).se(127).se(-128);           // list 7: extreme deltas: 8 + 127 = 135, 135 - 128 = 7
        for (int j = 2; j < 64; j++) {
            b.se(1);
        }
        byte[] sps = b
                .ue(0)                        // log2_max_frame_num_minus4
                .ue(0).ue(2)                  // pic_order_cnt_type 0, log2_max_pic_order_cnt_lsb_minus4
                .ue(4).u(1, 0)                // max_num_ref_frames, gaps
                .ue(79).ue(44)                // 80 x 45 macroblocks = 1280 x 720
                .u(1, 1).u(1, 1)              // frame_mbs_only_flag, direct_8x8_inference_flag
                .u(1, 0)                      // frame_cropping_flag
                .u(1, 1)                      // vui_parameters_present_flag
                .u(1, 1).u(8, 255)            // aspect_ratio_info_present_flag, aspect_ratio_idc Extended_SAR
                .u(16, 4).u(16, 3)            // sar_width, sar_height
                .u(1, 1).u(1, 0)              // overscan_info_present_flag, overscan_appropriate_flag
                .u(1, 1).u(3, 5).u(1, 0)      // video_signal_type_present_flag, video_format, video_full_range_flag
                .u(1, 1).u(8, 1).u(8, 1).u(8, 1) // colour_description_present_flag, BT.709 primaries/transfer/matrix
                .u(1, 1).ue(1).ue(1)          // chroma_loc_info_present_flag, top and bottom field locations
                .u(1, 1).u(32, 1).u(32, 50)   // timing_info_present_flag, num_units_in_tick, time_scale
                .u(1, 1)                      // fixed_frame_rate_flag
                .u(1, 0).u(1, 0).u(1, 0).u(1, 0)
                .nal();
        assertThat(AvcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.H264, 1280, 720, 100, "High", 41, 8, 1,
                25.0, "avc1.640029"));
    }

    @Test
    void readsTwelveScalingListsAndCropsBySamplesWithSeparateColourPlanes() throws Exception {
        Bits b = new Bits()
                .u(1, 0).u(2, 3).u(5, 7)      // NAL header: SPS
                .u(8, 244).u(8, 0).u(8, 30)   // High 4:4:4 Predictive, level 3.0
                .ue(0)                        // seq_parameter_set_id
                .ue(3)                        // chroma_format_idc 4:4:4
                .u(1, 1)                      // separate_colour_plane_flag: ChromaArrayType 0
                .ue(0).ue(0).u(1, 0)          // bit depths 8, qpprime_y_zero_transform_bypass_flag
                .u(1, 1);                     // seq_scaling_matrix_present_flag: 12 lists for 4:4:4
        for (int i = 0; i < 11; i++) {
            b.u(1, 0);                        // lists 0..10: absent
        }
        b.u(1, 1);                            // list 11 (8x8 Cr inter): present
        for (int j = 0; j < 64; j++) {
            b.se(0);                          // delta_scale 0: flat 8
        }
        byte[] sps = b
                .ue(0).ue(2).ue(2)            // log2_max_frame_num_minus4, pic_order_cnt_type 2, max_num_ref_frames
                .u(1, 0)                      // gaps_in_frame_num_value_allowed_flag
                .ue(39).ue(29)                // 40 x 30 macroblocks = 640 x 480
                .u(1, 1).u(1, 1)              // frame_mbs_only_flag, direct_8x8_inference_flag
                .u(1, 1).ue(0).ue(8).ue(0).ue(4) // cropping: right 8, bottom 4, CropUnitX = CropUnitY = 1
                .u(1, 0)                      // vui_parameters_present_flag
                .nal();
        assertThat(AvcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.H264, 632, 476, 244,
                "High 4:4:4 Predictive", 30, 8, 3, 0.0, "avc1.F4001E"));
    }

    @Test
    void cropsBySubWidthTwoAndSubHeightOneFor422() throws Exception {
        byte[] sps = new Bits()
                .u(1, 0).u(2, 3).u(5, 7)      // NAL header: SPS
                .u(8, 122).u(8, 0).u(8, 40)   // High 4:2:2, level 4.0
                .ue(0)                        // seq_parameter_set_id
                .ue(2)                        // chroma_format_idc 4:2:2: SubWidthC 2, SubHeightC 1
                .ue(2).ue(2)                  // bit_depth_luma_minus8 2, bit_depth_chroma_minus8 2
                .u(1, 0).u(1, 0)              // qpprime_y_zero_transform_bypass_flag, seq_scaling_matrix_present_flag
                .ue(0).ue(0).ue(0).ue(1)      // log2_max_frame_num_minus4, poc type 0, its lsb, max_num_ref_frames
                .u(1, 0)                      // gaps_in_frame_num_value_allowed_flag
                .ue(119).ue(67)               // 120 x 68 macroblocks = 1920 x 1088
                .u(1, 1).u(1, 1)              // frame_mbs_only_flag, direct_8x8_inference_flag
                .u(1, 1).ue(1).ue(1).ue(0).ue(8) // crop left 1, right 1 (x2 = 4 columns), bottom 8 (x1 = 8 rows)
                .u(1, 0)                      // vui_parameters_present_flag
                .nal();
        assertThat(AvcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.H264, 1916, 1080, 122, "High 4:2:2", 40,
                10, 2, 0.0, "avc1.7A0028"));
    }

    @Test
    void keepsTheCodedSizeWhenCroppingWouldRemoveThePicture() throws Exception {
        byte[] sps = new Bits()
                .u(1, 0).u(2, 3).u(5, 7)      // NAL header: SPS
                .u(8, 66).u(8, 0xC0).u(8, 10) // Constrained Baseline, level 1.0
                .ue(0).ue(0).ue(2).ue(1)      // sps id, log2_max_frame_num_minus4, poc type 2, max_num_ref_frames
                .u(1, 0)                      // gaps_in_frame_num_value_allowed_flag
                .ue(0).ue(0)                  // 1 x 1 macroblock = 16 x 16
                .u(1, 1).u(1, 1)              // frame_mbs_only_flag, direct_8x8_inference_flag
                .u(1, 1).ue(4).ue(4).ue(0).ue(0) // crop left 4 + right 4 = 8 * CropUnitX 2 = 16: nothing left
                .u(1, 0)                      // vui_parameters_present_flag
                .nal();
        assertThat(AvcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.H264, 16, 16, 66, "Constrained Baseline",
                10, 8, 1, 0.0, "avc1.42C00A"));
    }

    // ---- rejected parameter sets ----

    @Test
    void rejectsANalUnitThatIsNotAnSps() {
        assertThatThrownBy(() -> AvcConfig.parseSps(hex(X264_BASELINE_PPS)))
                .isInstanceOf(CodecConfigException.class).hasMessage("SPS: nal_unit_type 8, expected 7");
    }

    @Test
    void rejectsAnSpsWithTheForbiddenBitSet() {
        assertThatThrownBy(() -> AvcConfig.parseSps(hex("E7 42 C0 1F D9")))
                .isInstanceOf(CodecConfigException.class).hasMessage("SPS: forbidden_zero_bit is 1");
    }

    @Test
    void rejectsFieldsOutsideTheirRanges() {
        assertRejected(header(66).ue(32), "seq_parameter_set_id = 32 exceeds 31");
        assertRejected(header(100).ue(0).ue(4), "chroma_format_idc = 4 exceeds 3");
        assertRejected(header(100).ue(0).ue(1).ue(7), "bit_depth_luma_minus8 = 7 exceeds 6");
        assertRejected(header(66).ue(0).ue(13), "log2_max_frame_num_minus4 = 13 exceeds 12");
        assertRejected(header(66).ue(0).ue(0).ue(3), "pic_order_cnt_type = 3 exceeds 2");
        assertRejected(header(66).ue(0).ue(0).ue(1).u(1, 0).se(0).se(0).ue(256),
                "num_ref_frames_in_pic_order_cnt_cycle = 256 exceeds 255");
        assertRejected(header(66).ue(0).ue(0).ue(2).ue(1).u(1, 0).ue(4096),
                "pic_width_in_mbs_minus1 = 4096 exceeds 4095");
        assertRejected(header(100).ue(0).ue(1).ue(0).ue(0).u(1, 0).u(1, 1).u(1, 1).se(128),
                "delta_scale = 128 is outside [-128, 127]");
    }

    @Test
    void rejectsAnInterlacedFrameTallerThanTheBound() {
        // 4096 map units of field macroblock pairs: 131072 rows.
        assertRejected(header(77).ue(0).ue(0).ue(2).ue(1).u(1, 0).ue(0).ue(4095).u(1, 0).u(1, 0).u(1, 1).u(1, 0),
                "frame height 131072 exceeds 65536");
    }

    @Test
    void rejectsAnSpsCutBeforeItsFrameSize() {
        assertThatThrownBy(() -> AvcConfig.parseSps(hex("67 42 C0 1F D9")))
                .isInstanceOf(CodecConfigException.class).hasMessageStartingWith("SPS: truncated");
    }

    private static Bits header(int profileIdc) {
        return new Bits().u(8, 0x67).u(8, profileIdc).u(8, 0).u(8, 31); // NAL header, profile, flags, level
    }

    private static void assertRejected(Bits sps, String message) {
        byte[] nal = sps.nal();
        assertThatThrownBy(() -> AvcConfig.parseSps(nal)).as(Arrays.toString(nal))
                .isInstanceOf(CodecConfigException.class).hasMessage("SPS: " + message);
    }

    // ---- the record around the parameter sets ----

    @Test
    void keepsEveryParameterSetInRecordOrderAndHonoursTwoByteLengths() throws Exception {
        AvcConfig config = parse(AvcConfig::parse, hex("01 42 C0 1F"
                + "FD"                                        // lengthSizeMinusOne 1: 2-byte NAL lengths
                + "E2"                                        // two SPS
                + "0019" + X264_BASELINE_SPS
                + "0004 67 42 C0 1F"                          // a second, shorter SPS (kept, not parsed)
                + "02"                                        // two PPS
                + "0005" + X264_BASELINE_PPS
                + "0002 68 CE"));
        assertThat(config.nalLengthSize()).isEqualTo(2);
        assertThat(config.sps()).hasSize(2);
        assertThat(config.sps().get(1)).isEqualTo(hex("67 42 C0 1F"));
        assertThat(config.pps()).hasSize(2);
        assertThat(config.pps().get(1)).isEqualTo(hex("68 CE"));
        assertThat(config.info().width()).isEqualTo(1280);
    }

    @Test
    void acceptsOneByteLengthsNoPpsAndIgnoresBytesAfterABaselineRecord() throws Exception {
        AvcConfig config = parse(AvcConfig::parse, hex("01 42 C0 1F"
                + "FC"                                        // lengthSizeMinusOne 0: 1-byte NAL lengths
                + "E1 0019" + X264_BASELINE_SPS
                + "00"                                        // no PPS: the encoder sends them in-band
                + "FD F8"));                                  // not defined for profile 66: ignored
        assertThat(config.nalLengthSize()).isEqualTo(1);
        assertThat(config.pps()).isEmpty();
        assertThat(config.info().rfc6381()).isEqualTo("avc1.42C01F");
    }

    @Test
    void readsTheExtensionOfAHighProfileRecordWhenPresent() throws Exception {
        byte[] golden = golden("h264-high-1920x1080-29.97fps.avcC");
        // libx264's High record ends with the 5.3.3.1.1 extension: FD (reserved 111111b, chroma_format 1),
        // F8 F8 (reserved 11111b, bit depths minus 8 = 0), 00 (numOfSequenceParameterSetExt).
        assertThat(Arrays.copyOfRange(golden, golden.length - 4, golden.length)).isEqualTo(hex("FD F8 F8 00"));

        byte[] withoutExtension = Arrays.copyOf(golden, golden.length - 4);
        assertThat(parse(AvcConfig::parse, withoutExtension).info().width()).isEqualTo(1920);

        byte[] withSpsExtension = new byte[golden.length + 5];
        System.arraycopy(golden, 0, withSpsExtension, 0, golden.length - 1);
        System.arraycopy(hex("01 0003 6D 00 AA"), 0, withSpsExtension, golden.length - 1, 6); // one SPS extension
        assertThat(parse(AvcConfig::parse, withSpsExtension).info().width()).isEqualTo(1920);

        byte[] extensionCut = Arrays.copyOf(withSpsExtension, withSpsExtension.length - 1);
        assertThatThrownBy(() -> parse(AvcConfig::parse, extensionCut)).isInstanceOf(CodecConfigException.class)
                .hasMessage("avcC: SPS extension #0 declares 3 bytes, 2 left");
    }

    @Test
    void rejectsMalformedRecords() {
        assertRecordRejected("00 42 C0 1F FF E1 0019" + X264_BASELINE_SPS + "01 0005" + X264_BASELINE_PPS,
                "avcC: configurationVersion 0, expected 1");
        assertRecordRejected("01 42 C0 1F FE E1 0019" + X264_BASELINE_SPS + "01 0005" + X264_BASELINE_PPS,
                "avcC: lengthSizeMinusOne 2 (3-byte NAL lengths) is not allowed");
        assertRecordRejected("01 42 C0 1F FF E0 01 0005" + X264_BASELINE_PPS, "avcC: no sequence parameter set");
        assertRecordRejected("01 42 C0 1F FF E1 0000 01 0005" + X264_BASELINE_PPS, "avcC: SPS #0 is empty");
        assertRecordRejected("01 42 C0 1F FF E1 001A" + X264_BASELINE_SPS,
                "avcC: SPS #0 declares 26 bytes, 25 left");
        assertRecordRejected("01 42 C0 1F FF E1 0019" + X264_BASELINE_SPS + "01 0006" + X264_BASELINE_PPS,
                "avcC: PPS #0 declares 6 bytes, 5 left");
        assertRecordRejected("01 42 C0 1F FF E1 0005 68 CB 83 CB 20 00",
                "avcC: first SPS: nal_unit_type 8, expected 7");
    }

    private static void assertRecordRejected(String record, String message) {
        assertThatThrownBy(() -> parse(AvcConfig::parse, hex(record)))
                .isInstanceOf(CodecConfigException.class).hasMessage(message);
    }
}
