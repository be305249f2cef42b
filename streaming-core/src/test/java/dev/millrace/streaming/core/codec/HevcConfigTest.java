package dev.millrace.streaming.core.codec;

import static dev.millrace.streaming.core.codec.CodecTestSupport.golden;
import static dev.millrace.streaming.core.codec.CodecTestSupport.hex;
import static dev.millrace.streaming.core.codec.CodecTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.codec.HevcConfig.NalArray;
import org.junit.jupiter.api.Test;

class HevcConfigTest {

    /** The SPS of golden/codec/hevc-main-1280x720-30fps.hvcC (libx265, see the README there). */
    private static final String X265_MAIN_SPS = "42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5D A0 02 80 80 2D"
            + "16 59 59 A4 93 2B C0 5A 02 00 00 03 00 02 00 00 03 00 3C 10";

    /** ISO/IEC 14496-15 8.3.3.1.2: the first 21 bytes of the record, as libx265's Main record has them. */
    private static final String HVCC_PREFIX = "01" // configurationVersion
            + "01"                   // general_profile_space 0, general_tier_flag 0, general_profile_idc 1
            + "60 00 00 00"          // general_profile_compatibility_flags: [1] and [2]
            + "90 00 00 00 00 00"    // general_constraint_indicator_flags: progressive, frame only
            + "5D"                   // general_level_idc 93
            + "F0 00"                // reserved 1111b, min_spatial_segmentation_idc 0
            + "FC"                   // reserved 111111b, parallelismType 0
            + "FD"                   // reserved 111111b, chromaFormat 1
            + "F8 F8"                // reserved 11111b, bitDepthLumaMinus8 0; same for chroma
            + "00 00";               // avgFrameRate 0

    /** The 22 bytes before numOfArrays; the last: constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1,
     *  lengthSizeMinusOne 3. */
    private static final String HVCC_HEADER = HVCC_PREFIX + "0F";

    // ---- real encoder output (golden files) ----

    @Test
    void parsesX265MainAt720p30WithItsFourArrays() throws Exception {
        byte[] record = golden("hevc-main-1280x720-30fps.hvcC");
        assertThat(record).startsWith(hex(HVCC_HEADER + "04"   // numOfArrays
                + "A0 0001 0018"                               // array_completeness 1, VPS (32), 1 NAL unit of 24 bytes
                + "40 01 0C 01"));                             // its NAL unit header and first bytes

        HevcConfig config = parse(HevcConfig::parse, record);

        assertThat(config.nalLengthSize()).isEqualTo(4);
        assertThat(config.arrays()).extracting(NalArray::nalUnitType).containsExactly(32, 33, 34, 39);
        assertThat(config.arrays()).extracting(NalArray::arrayCompleteness).containsExactly(true, true, true, false);
        assertThat(config.arrays()).extracting(a -> a.nalUnits().size()).containsExactly(1, 1, 1, 1);
        assertThat(config.arrays()).extracting(a -> a.nalUnits().get(0).length).containsExactly(24, 43, 7, 2260);
        assertThat(config.vps()).hasSize(1);
        assertThat(config.sps()).containsExactly(hex(X265_MAIN_SPS));
        assertThat(config.pps()).containsExactly(hex("44 01 C1 72 B4 62 40"));
        assertThat(config.nalUnits(HevcConfig.NAL_PREFIX_SEI)).hasSize(1);
        // x265 puts timing in the VUI (vui_num_units_in_tick 1, vui_time_scale 30) after its SAO, PCM and RPS
        // fields; constraint byte 0x90: progressive_source and frame_only_constraint.
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.HEVC, 1280, 720, 1, "Main", 93, 8, 1, 30.0,
                "hvc1.1.6.L93.90"));
    }

    @Test
    void parsesX265Main10CroppedBySubWidthFromItsConformanceWindow() throws Exception {
        HevcConfig config = parse(HevcConfig::parse, golden("hevc-main10-854x480-60fps.hvcC"));
        // pic_width_in_luma_samples 856, conf_win_right_offset 1 * SubWidthC 2; compatibility flag [2] only: 4.
        assertThat(config.info()).isEqualTo(new VideoConfig(Codec.HEVC, 854, 480, 2, "Main 10", 93, 10, 1, 60.0,
                "hvc1.2.4.L93.90"));
    }

    // ---- hand-built parameter sets (H.265 7.3.2.2.1) ----

    /** An SPS with three sub-layers, up to and including its scaling lists. */
    private static Bits spsWithSubLayersUpToScalingLists() {
        Bits b = new Bits()
                .u(1, 0).u(6, 33).u(6, 0).u(3, 1) // 7.3.1.2: forbidden_zero_bit, SPS, nuh_layer_id 0, temporal id + 1
                .u(4, 0)                          // sps_video_parameter_set_id
                .u(3, 2)                          // sps_max_sub_layers_minus1: 3 sub-layers
                .u(1, 1)                          // sps_temporal_id_nesting_flag
                // 7.3.3 profile_tier_level(1, 2)
                .u(2, 0).u(1, 0).u(5, 1)          // general_profile_space, general_tier_flag, general_profile_idc Main
                .u(32, 0x6000_0000L)              // general_profile_compatibility_flag[1], [2]
                .u(48, 0xB000_0000_0000L)         // progressive_source, non_packed, frame_only; 44 zero bits
                .u(8, 120)                        // general_level_idc: 4.0
                .u(1, 1).u(1, 0)                  // sub_layer_profile_present_flag[0], sub_layer_level_present_flag[0]
                .u(1, 0).u(1, 1)                  // sub_layer_profile_present_flag[1], sub_layer_level_present_flag[1]
                .u(12, 0)                         // reserved_zero_2bits for i = 2..7
                .u(2, 0).u(1, 0).u(5, 1)          // sub-layer 0: profile space, tier, profile idc
                .u(32, 0x6000_0000L)              //   compatibility flags
                .u(48, 0xB000_0000_0000L)         //   constraint flags (88 bits in all)
                .u(8, 90)                         // sub-layer 1: sub_layer_level_idc 3.0
                .ue(0)                            // sps_seq_parameter_set_id
                .ue(1)                            // chroma_format_idc 4:2:0
                .ue(1920).ue(1088)                // pic_width_in_luma_samples, pic_height_in_luma_samples
                .u(1, 1).ue(0).ue(0).ue(0).ue(4)  // conformance window: bottom 4 * SubHeightC 2 = 8 rows
                .ue(0).ue(0)                      // bit_depth_luma_minus8, bit_depth_chroma_minus8
                .ue(4)                            // log2_max_pic_order_cnt_lsb_minus4: 8-bit POC LSBs
                .u(1, 1)                          // sps_sub_layer_ordering_info_present_flag: one set per sub-layer
                .ue(4).ue(2).ue(5)                // max_dec_pic_buffering_minus1, max_num_reorder, latency [0]
                .ue(4).ue(2).ue(5)                // [1]
                .ue(4).ue(2).ue(5)                // [2]
                .ue(0).ue(3)                      // log2_min_luma_coding_block_size_minus3, log2_diff_max_min
                .ue(0).ue(3)                      // log2_min_luma_transform_block_size_minus2, log2_diff_max_min
                .ue(1).ue(1)                      // max_transform_hierarchy_depth_inter, _intra
                .u(1, 1)                          // scaling_list_enabled_flag
                .u(1, 1);                         // sps_scaling_list_data_present_flag
        // 7.3.4 scaling_list_data()
        b.u(1, 1);                                // sizeId 0 matrixId 0: scaling_list_pred_mode_flag 1
        for (int i = 0; i < 16; i++) {
            b.se(i % 2 == 0 ? 3 : -2);            //   scaling_list_delta_coef x 16
        }
        b.u(1, 0).ue(1);                          // matrixId 1: predicted, scaling_list_pred_matrix_id_delta 1
        for (int m = 2; m < 6; m++) {
            b.u(1, 0).ue(m);                      // matrixId 2..5: predicted from matrix 0 (delta = matrixId)
        }
        b.u(1, 1);                                // sizeId 1 matrixId 0: explicit, coefNum 64, no DC
        for (int i = 0; i < 64; i++) {
            b.se(i == 0 ? 127 : -128 + i % 3);
        }
        for (int m = 1; m < 6; m++) {
            b.u(1, 0).ue(0);                      // matrixId 1..5: predicted, delta 0 (default list)
        }
        b.u(1, 1).se(247);                        // sizeId 2 matrixId 0: explicit, scaling_list_dc_coef_minus8 247
        for (int i = 0; i < 64; i++) {
            b.se(1);
        }
        for (int m = 1; m < 6; m++) {
            b.u(1, 0).ue(1);                      // matrixId 1..5: predicted, delta 1
        }
        b.u(1, 1).se(-7);                         // sizeId 3 matrixId 0: explicit, scaling_list_dc_coef_minus8 -7
        for (int i = 0; i < 64; i++) {
            b.se(0);
        }
        b.u(1, 0).ue(1);                          // sizeId 3 matrixId 3 (step 3): predicted, delta 1 = matrixId / 3
        return b;
    }

    /** The rest of that SPS: PCM, three short-term RPS (two predicted), long-term refs, VUI at 50 frames/s. */
    private static byte[] restOfSpsWithSubLayers(Bits b) {
        return b
                .u(1, 0)                          // amp_enabled_flag
                .u(1, 1)                          // sample_adaptive_offset_enabled_flag
                .u(1, 1)                          // pcm_enabled_flag
                .u(4, 7).u(4, 7)                  // pcm_sample_bit_depth_luma_minus1, _chroma_minus1
                .ue(0).ue(1)                      // log2_min_pcm_luma_coding_block_size_minus3, log2_diff_max_min
                .u(1, 0)                          // pcm_loop_filter_disabled_flag
                .ue(3)                            // num_short_term_ref_pic_sets
                // 7.3.7 st_ref_pic_set(0): no inter_ref_pic_set_prediction_flag for index 0
                .ue(2).ue(1)                      // num_negative_pics 2, num_positive_pics 1
                .ue(0).u(1, 1).ue(1).u(1, 1)      // delta_poc_s0_minus1, used_by_curr_pic_s0_flag x 2
                .ue(0).u(1, 0)                    // delta_poc_s1_minus1, used_by_curr_pic_s1_flag: NumDeltaPocs[0] = 3
                // st_ref_pic_set(1), predicted from set 0: NumDeltaPocs[0] + 1 = 4 entries
                .u(1, 1).u(1, 0).ue(0)            // inter_ref_pic_set_prediction_flag, delta_rps_sign, abs_delta..
                .u(1, 1)                          // j 0: used_by_curr_pic_flag 1 (use_delta_flag inferred 1)
                .u(1, 0).u(1, 1)                  // j 1: not used, use_delta_flag 1
                .u(1, 0).u(1, 0)                  // j 2: not used, use_delta_flag 0
                .u(1, 1)                          // j 3: used: NumDeltaPocs[1] = 3
                // st_ref_pic_set(2), predicted from set 1: 4 entries
                .u(1, 1).u(1, 1).ue(1)            // inter_ref_pic_set_prediction_flag, delta_rps_sign, abs_delta..
                .u(1, 0).u(1, 0)                  // j 0: dropped
                .u(1, 0).u(1, 0)                  // j 1: dropped
                .u(1, 1)                          // j 2: used
                .u(1, 0).u(1, 1)                  // j 3: kept: NumDeltaPocs[2] = 2
                .u(1, 1)                          // long_term_ref_pics_present_flag
                .ue(2)                            // num_long_term_ref_pics_sps
                .u(8, 17).u(1, 1)                 // lt_ref_pic_poc_lsb_sps[0] (8 bits), used_by_curr_pic_lt_sps_flag[0]
                .u(8, 200).u(1, 0)                // [1]
                .u(1, 1).u(1, 1)                  // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
                .u(1, 1)                          // vui_parameters_present_flag
                // E.2.1 vui_parameters()
                .u(1, 1).u(8, 255).u(16, 1).u(16, 1) // aspect_ratio_info_present_flag, EXTENDED_SAR, sar 1:1
                .u(1, 1).u(1, 1)                  // overscan_info_present_flag, overscan_appropriate_flag
                .u(1, 1).u(3, 5).u(1, 0)          // video_signal_type_present_flag, video_format, video_full_range_flag
                .u(1, 1).u(8, 9).u(8, 16).u(8, 9) // colour_description_present_flag: BT.2020, PQ, BT.2020 NCL
                .u(1, 1).ue(2).ue(2)              // chroma_loc_info_present_flag, top and bottom field locations
                .u(1, 0).u(1, 0).u(1, 0)          // neutral_chroma_indication, field_seq, frame_field_info_present
                .u(1, 1).ue(0).ue(0).ue(2).ue(2)  // default_display_window_flag and its offsets
                .u(1, 1).u(32, 1).u(32, 50)       // vui_timing_info_present_flag, num_units_in_tick, time_scale
                .u(1, 0).u(1, 0)                  // vui_poc_proportional_to_timing_flag, vui_hrd_parameters_present
                .u(1, 0)                          // bitstream_restriction_flag
                .u(1, 0)                          // sps_extension_present_flag
                .nal();
    }

    @Test
    void skipsSubLayerFieldsScalingListsAndPredictedReferencePictureSetsOnTheWayToTheFrameRate() throws Exception {
        byte[] sps = restOfSpsWithSubLayers(spsWithSubLayersUpToScalingLists());
        assertThat(HevcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.HEVC, 1920, 1080, 1, "Main", 120, 8, 1,
                50.0, "hvc1.1.6.L120.B0"));
    }

    @Test
    void keepsTheSizeAndDropsTheFrameRateWhenTheSpsEndsAfterItsScalingLists() throws Exception {
        byte[] sps = spsWithSubLayersUpToScalingLists().nalWithoutTrailingBits();
        assertThat(HevcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.HEVC, 1920, 1080, 1, "Main", 120, 8, 1,
                0.0, "hvc1.1.6.L120.B0"));
    }

    @Test
    void keepsTheSizeAndDropsTheFrameRateWhenATailFieldIsOutOfRange() throws Exception {
        byte[] sps = spsWithSubLayersUpToScalingLists()
                .u(1, 0).u(1, 1).u(1, 0)          // amp, SAO, no PCM
                .ue(65)                           // num_short_term_ref_pic_sets 65: above the limit of 64
                .nal();
        assertThat(HevcConfig.parseSps(sps).frameRate()).isEqualTo(0.0);
        assertThat(HevcConfig.parseSps(sps).width()).isEqualTo(1920);
    }

    /** NAL header, VPS id, one sub-layer and a profile_tier_level without sub-layers. */
    private static Bits spsHeader(int profileSpace, int tier, int profileIdc, long compatibility, long constraints,
                                  int level) {
        return new Bits()
                .u(1, 0).u(6, 33).u(6, 0).u(3, 1) // NAL header: SPS, layer 0
                .u(4, 0).u(3, 0).u(1, 1)          // sps_video_parameter_set_id, sps_max_sub_layers_minus1 0, nesting
                .u(2, profileSpace).u(1, tier).u(5, profileIdc)
                .u(32, compatibility).u(48, constraints).u(8, level)
                .ue(0);                           // sps_seq_parameter_set_id
    }

    @Test
    void cropsBySubWidthTwoAndSubHeightOneFor422AndSpellsProfileSpaceTierAndConstraintBytes() throws Exception {
        byte[] sps = spsHeader(1, 1, 4,           // profile space 1 ("A"), high tier, Format Range Extensions
                        0x0800_0000L,             // general_profile_compatibility_flag[4]: reversed 0x10
                        0x9D08_0000_0000L,        // progressive, frame_only, max_12bit, max_10bit, max_422chroma,
                                                  // lower_bit_rate (Main 4:2:2 10, Table A.2)
                        153)                      // level 5.1
                .ue(2)                            // chroma_format_idc 4:2:2: SubWidthC 2, SubHeightC 1
                .ue(1280).ue(720)
                .u(1, 1).ue(2).ue(2).ue(1).ue(1)  // conformance window: 8 columns, 2 rows
                .ue(2).ue(2)                      // bit depths 10
                .nal();                           // the rest is missing: frame rate unknown
        assertThat(HevcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.HEVC, 1272, 718, 4,
                "Format Range Extensions", 153, 10, 2, 0.0, "hvc1.A4.10.H153.9D.8"));
    }

    @Test
    void cropsBySamplesWhenColourPlanesAreSeparate() throws Exception {
        byte[] sps = spsHeader(0, 0, 4, 0x0800_0000L, 0x9000_0000_0000L, 93)
                .ue(3).u(1, 1)                    // chroma_format_idc 4:4:4, separate_colour_plane_flag
                .ue(640).ue(480)
                .u(1, 1).ue(0).ue(3).ue(0).ue(1)  // right 3, bottom 1, in luma samples (ChromaArrayType 0)
                .ue(0).ue(0)
                .nal();
        assertThat(HevcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.HEVC, 637, 479, 4,
                "Format Range Extensions", 93, 8, 3, 0.0, "hvc1.4.10.L93.90"));
    }

    @Test
    void namesAProfileIdcOfZeroAfterItsFirstCompatibilityFlag() throws Exception {
        byte[] sps = spsHeader(0, 0, 0, 0x2000_0000L, 0, 93) // general_profile_compatibility_flag[2]: Main 10
                .ue(1).ue(1280).ue(720).u(1, 0).ue(2).ue(2)
                .nal();
        assertThat(HevcConfig.parseSps(sps)).isEqualTo(new VideoConfig(Codec.HEVC, 1280, 720, 0, "Main 10", 93, 10,
                1, 0.0, "hvc1.0.4.L93"));
    }

    // ---- rejected parameter sets ----

    @Test
    void rejectsNalUnitsThatAreNotBaseLayerSpses() {
        assertThatThrownBy(() -> HevcConfig.parseSps(hex("44 01 C1 72 B4 62 40")))
                .isInstanceOf(CodecConfigException.class).hasMessage("SPS: nal_unit_type 34, expected 33");
        assertThatThrownBy(() -> HevcConfig.parseSps(hex("42 09 01 01 60 00")))
                .isInstanceOf(CodecConfigException.class)
                .hasMessage("SPS: nuh_layer_id 1, only the base layer is read");
        assertThatThrownBy(() -> HevcConfig.parseSps(hex("C2 01 01 01 60 00")))
                .isInstanceOf(CodecConfigException.class).hasMessage("SPS: forbidden_zero_bit is 1");
    }

    @Test
    void rejectsFieldsOutsideTheirRanges() {
        assertRejected(new Bits().u(16, 0x4201).u(4, 0).u(3, 7).u(1, 1), "sps_max_sub_layers_minus1 = 7 exceeds 6");
        assertRejected(spsHeader(0, 0, 1, 0x6000_0000L, 0, 93).ue(4), "chroma_format_idc = 4 exceeds 3");
        assertRejected(spsHeader(0, 0, 1, 0x6000_0000L, 0, 93).ue(1).ue(0).ue(720), "picture size 0x720");
        assertRejected(spsHeader(0, 0, 1, 0x6000_0000L, 0, 93).ue(1).ue(65537),
                "pic_width_in_luma_samples = 65537 exceeds 65536");
        assertRejected(spsHeader(0, 0, 1, 0x6000_0000L, 0, 93).ue(1).ue(64).ue(64).u(1, 0).ue(9),
                "bit_depth_luma_minus8 = 9 exceeds 8");
    }

    @Test
    void rejectsAnSpsCutBeforeItsBitDepth() {
        byte[] sps = hex(X265_MAIN_SPS.substring(0, 3 * 22)); // 22 of its 43 bytes: cut inside pic_height
        assertThatThrownBy(() -> HevcConfig.parseSps(sps)).isInstanceOf(CodecConfigException.class)
                .hasMessageStartingWith("SPS: truncated");
    }

    private static void assertRejected(Bits sps, String message) {
        byte[] nal = sps.nal();
        assertThatThrownBy(() -> HevcConfig.parseSps(nal)).isInstanceOf(CodecConfigException.class)
                .hasMessage("SPS: " + message);
    }

    // ---- the record around the NAL units ----

    @Test
    void usesTheFirstBaseLayerSpsAndKeepsArraysOfEveryType() throws Exception {
        HevcConfig config = parse(HevcConfig::parse, hex(HVCC_PREFIX + "0D"  // lengthSizeMinusOne 1
                + "03"                                    // numOfArrays
                + "21 0001 0004 42 09 01 01"              // SPS of nuh_layer_id 1 (not parsed), incomplete array
                + "A1 0002 002B" + X265_MAIN_SPS          // two base-layer SPS: the first is parsed
                + "0002 42 01"
                + "3F 0001 0003 7E 01 AA"                 // nal_unit_type 63 (unspecified), kept as is
                + "FF FF"));                              // trailing bytes after the arrays: ignored
        assertThat(config.nalLengthSize()).isEqualTo(2);
        assertThat(config.arrays()).extracting(NalArray::nalUnitType).containsExactly(33, 33, 63);
        assertThat(config.sps()).hasSize(3);
        assertThat(config.nalUnits(63)).containsExactly(hex("7E 01 AA"));
        assertThat(config.vps()).isEmpty();
        assertThat(config.info().width()).isEqualTo(1280);
    }

    @Test
    void rejectsMalformedRecords() {
        String sps = "A1 0001 002B" + X265_MAIN_SPS;
        assertRecordRejected("00" + HVCC_HEADER.substring(2) + "01" + sps,
                "hvcC: configurationVersion 0, expected 1");
        assertRecordRejected(HVCC_PREFIX + "0E" + "01" + sps,
                "hvcC: lengthSizeMinusOne 2 (3-byte NAL lengths) is not allowed");
        assertRecordRejected(HVCC_HEADER + "01 A0 0001 0004 40 01 0C 01", "hvcC: no base-layer sequence parameter set");
        assertRecordRejected(HVCC_HEADER + "01 A1 0001 0001 42", "hvcC: NAL unit 0 of type 33 has 1 bytes, less than "
                + "its header");
        assertRecordRejected(HVCC_HEADER + "01 A1 0001 002C" + X265_MAIN_SPS,
                "hvcC: NAL unit 0 of type 33 declares 44 bytes, 43 left");
        assertRecordRejected(HVCC_HEADER + "02 A1 0001 002B" + X265_MAIN_SPS + "A2 0100",
                "hvcC: more than 255 NAL units");
        assertRecordRejected(HVCC_HEADER + "01 A1 0001 0007 44 01 C1 72 B4 62 40", // a PPS filed as an SPS
                "hvcC: first SPS: nal_unit_type 34, expected 33");
        assertRecordRejected(HVCC_HEADER + "01 A1 0001 0006 42 01 01 01 60 00",
                "hvcC: first SPS: truncated: needs 32 bits at bit 32, 16 left");
    }

    private static void assertRecordRejected(String record, String message) {
        assertThatThrownBy(() -> parse(HevcConfig::parse, hex(record)))
                .isInstanceOf(CodecConfigException.class).hasMessage(message);
    }
}
