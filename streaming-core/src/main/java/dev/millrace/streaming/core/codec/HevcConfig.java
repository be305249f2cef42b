package dev.millrace.streaming.core.codec;

import dev.millrace.streaming.core.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1, the {@code hvcC} box and the body of an enhanced
 * RTMP {@code hvc1} sequence start) and what its first sequence parameter set says.
 *
 * <p>Immutable. The NAL unit arrays are shared, not copied, so that muxers can write them out per keyframe without
 * allocating: callers must not modify them.
 */
public final class HevcConfig {

    /** Bound on the NAL units of all arrays together (the record's own counts would allow 255 * 65535). */
    public static final int MAX_NAL_UNITS = 255;

    /** H.265 NAL unit types (Table 7-1) of the parameter sets a record normally carries. */
    public static final int NAL_VPS = 32;
    public static final int NAL_SPS = 33;
    public static final int NAL_PPS = 34;
    public static final int NAL_PREFIX_SEI = 39;
    public static final int NAL_SUFFIX_SEI = 40;

    /** This class bounds pic_width/height_in_luma_samples, which H.265 leaves to the level limits. */
    static final int MAX_DIMENSION = 65536;

    /** H.265 7.4.3.2.1: num_short_term_ref_pic_sets is in the range 0 to 64. */
    private static final int MAX_SHORT_TERM_REF_PIC_SETS = 64;

    /**
     * One array of the record: NAL units of one type.
     *
     * @param nalUnitType the H.265 nal_unit_type ({@link #NAL_VPS}, {@link #NAL_SPS}, {@link #NAL_PPS}...)
     * @param arrayCompleteness whether all NAL units of this type are in this array (none in-band)
     * @param nalUnits the NAL units, header included, emulation prevention bytes kept
     */
    public record NalArray(int nalUnitType, boolean arrayCompleteness, List<byte[]> nalUnits) {
    }

    private final int nalLengthSize;
    private final List<NalArray> arrays;
    private final List<byte[]> vps;
    private final List<byte[]> sps;
    private final List<byte[]> pps;
    private final VideoConfig info;

    private HevcConfig(int nalLengthSize, List<NalArray> arrays, VideoConfig info) {
        this.nalLengthSize = nalLengthSize;
        this.arrays = arrays;
        this.info = info;
        this.vps = nalUnits(NAL_VPS);
        this.sps = nalUnits(NAL_SPS);
        this.pps = nalUnits(NAL_PPS);
    }

    /** Size in bytes of the length prefix of each NAL unit in the stream's samples: 1, 2 or 4. */
    public int nalLengthSize() {
        return nalLengthSize;
    }

    /** The record's arrays in record order, including types this class does not interpret. */
    public List<NalArray> arrays() {
        return arrays;
    }

    /** All NAL units of the given type, over all arrays, in record order (a new unmodifiable list per call). */
    public List<byte[]> nalUnits(int nalUnitType) {
        List<byte[]> out = new ArrayList<>();
        for (NalArray array : arrays) {
            if (array.nalUnitType() == nalUnitType) {
                out.addAll(array.nalUnits());
            }
        }
        return List.copyOf(out);
    }

    /** The video parameter sets of all VPS arrays, in record order. */
    public List<byte[]> vps() {
        return vps;
    }

    /** The sequence parameter sets of all SPS arrays (every layer), in record order. */
    public List<byte[]> sps() {
        return sps;
    }

    /** The picture parameter sets of all PPS arrays, in record order. */
    public List<byte[]> pps() {
        return pps;
    }

    /** What the first SPS of the base layer says. */
    public VideoConfig info() {
        return info;
    }

    /**
     * Parses an HEVCDecoderConfigurationRecord.
     *
     * @param hvcC the record, from its reader index to its writer index; borrowed, reader index unchanged
     * @throws CodecConfigException if the record is truncated, has a length past its end, more than
     *     {@link #MAX_NAL_UNITS} NAL units, no base-layer SPS, or an unusable first SPS
     */
    public static HevcConfig parse(ByteBuf hvcC) throws CodecConfigException {
        try {
            return read(ByteBufUtil.getBytes(hvcC));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("hvcC: " + e.getMessage(), e);
        }
    }

    private static HevcConfig read(byte[] bytes) throws CodecConfigException {
        BitReader r = new BitReader(bytes);
        // ISO/IEC 14496-15 8.3.3.1.2
        int configurationVersion = r.readBits(8);
        if (configurationVersion != 1) {
            throw new CodecConfigException("configurationVersion " + configurationVersion + ", expected 1");
        }
        // general_profile_space .. general_level_idc (96 bits), then min_spatial_segmentation_idc, parallelismType,
        // chromaFormat, the bit depths, avgFrameRate (usually 0), constantFrameRate, numTemporalLayers and
        // temporalIdNested: the SPS is authoritative for what they repeat, and nothing here needs the rest.
        r.skipBits(96 + 16 + 8 + 8 + 8 + 8 + 16 + 6);
        int lengthSizeMinusOne = r.readBits(2);
        if (lengthSizeMinusOne == 2) {
            throw new CodecConfigException("lengthSizeMinusOne 2 (3-byte NAL lengths) is not allowed");
        }
        int numOfArrays = r.readBits(8);
        List<NalArray> arrays = new ArrayList<>();
        int total = 0;
        byte[] firstSps = null;
        for (int i = 0; i < numOfArrays; i++) {
            boolean arrayCompleteness = r.readFlag();
            r.skipBits(1); // reserved
            int nalUnitType = r.readBits(6);
            int numNalus = r.readBits(16);
            if (numNalus > MAX_NAL_UNITS - total) {
                throw new CodecConfigException("more than " + MAX_NAL_UNITS + " NAL units");
            }
            total += numNalus;
            List<byte[]> nalUnits = new ArrayList<>();
            for (int j = 0; j < numNalus; j++) {
                int length = r.readBits(16);
                if (length < 2) {
                    throw new CodecConfigException("NAL unit " + j + " of type " + nalUnitType + " has "
                            + length + " bytes, less than its header");
                }
                if (length * 8L > r.bitsLeft()) {
                    throw new CodecConfigException("NAL unit " + j + " of type " + nalUnitType + " declares "
                            + length + " bytes, " + r.bitsLeft() / 8 + " left");
                }
                byte[] nal = r.readBytes(length);
                if (firstSps == null && nalUnitType == NAL_SPS && nuhLayerId(nal) == 0) {
                    firstSps = nal;
                }
                nalUnits.add(nal);
            }
            arrays.add(new NalArray(nalUnitType, arrayCompleteness, List.copyOf(nalUnits)));
        }
        if (firstSps == null) {
            throw new CodecConfigException("no base-layer sequence parameter set");
        }
        VideoConfig info;
        try {
            info = parseSps(firstSps);
        } catch (CodecConfigException e) {
            throw new CodecConfigException("first " + e.getMessage(), e);
        }
        return new HevcConfig(lengthSizeMinusOne + 1, List.copyOf(arrays), info);
    }

    /** H.265 7.3.1.2: nuh_layer_id spans the last bit of the first header byte and the top 5 bits of the second. */
    private static int nuhLayerId(byte[] nal) {
        return (nal[0] & 1) << 5 | (nal[1] & 0xFF) >>> 3;
    }

    /**
     * Parses a base-layer sequence parameter set NAL unit (H.265 7.3.2.2.1), such as one found in-band.
     *
     * <p>Strict up to the bit depths; what follows (ordering info, scaling lists, reference picture sets, VUI) is
     * read only for the frame rate in the VUI timing information, and if any of it is truncated or out of range
     * the frame rate is reported as unknown (0) and the rest stands.
     *
     * @param nal the NAL unit including its two-byte header, emulation prevention bytes included; not modified
     * @throws CodecConfigException if it is not a base-layer SPS, is truncated before the bit depths, or holds a
     *     value out of its range there
     */
    public static VideoConfig parseSps(byte[] nal) throws CodecConfigException {
        try {
            return readSps(BitReader.rbsp(nal, 0, nal.length));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("SPS: " + e.getMessage(), e);
        }
    }

    private static VideoConfig readSps(BitReader r) throws CodecConfigException {
        // 7.3.1.2 nal_unit_header
        if (r.readBit() != 0) {
            throw new CodecConfigException("forbidden_zero_bit is 1");
        }
        int nalUnitType = r.readBits(6);
        if (nalUnitType != NAL_SPS) {
            throw new CodecConfigException("nal_unit_type " + nalUnitType + ", expected 33");
        }
        int nuhLayerId = r.readBits(6);
        if (nuhLayerId != 0) {
            // F.7.3.2.2.1: a layer > 0 SPS may omit the profile_tier_level and use another syntax.
            throw new CodecConfigException("nuh_layer_id " + nuhLayerId + ", only the base layer is read");
        }
        r.skipBits(3); // nuh_temporal_id_plus1

        // 7.3.2.2.1 seq_parameter_set_rbsp
        r.skipBits(4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = r.readBits(3);
        if (maxSubLayersMinus1 > 6) {
            throw new CodecConfigException("sps_max_sub_layers_minus1 = 7 exceeds 6");
        }
        r.skipBits(1); // sps_temporal_id_nesting_flag

        // 7.3.3 profile_tier_level(1, sps_max_sub_layers_minus1)
        int profileSpace = r.readBits(2);
        boolean highTier = r.readFlag();
        int profileIdc = r.readBits(5);
        int compatibilityFlags = r.readBits(32); // general_profile_compatibility_flag[0] is the top bit
        long constraintFlags = r.readBitsLong(48); // general_progressive_source_flag .. general_inbld_flag
        int levelIdc = r.readBits(8);
        int subLayerProfilePresent = 0;
        int subLayerLevelPresent = 0;
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            subLayerProfilePresent |= r.readBit() << i;
            subLayerLevelPresent |= r.readBit() << i;
        }
        if (maxSubLayersMinus1 > 0) {
            r.skipBits(2L * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            if ((subLayerProfilePresent & 1 << i) != 0) {
                r.skipBits(88); // sub_layer_profile_space .. sub_layer_inbld_flag
            }
            if ((subLayerLevelPresent & 1 << i) != 0) {
                r.skipBits(8); // sub_layer_level_idc
            }
        }

        r.readUE(15, "sps_seq_parameter_set_id");
        int chromaFormatIdc = r.readUE(3, "chroma_format_idc");
        boolean separateColourPlane = chromaFormatIdc == 3 && r.readFlag();
        int picWidth = r.readUE(MAX_DIMENSION, "pic_width_in_luma_samples");
        int picHeight = r.readUE(MAX_DIMENSION, "pic_height_in_luma_samples");
        if (picWidth == 0 || picHeight == 0) {
            throw new CodecConfigException("picture size " + picWidth + "x" + picHeight);
        }
        long confLeft = 0;
        long confRight = 0;
        long confTop = 0;
        long confBottom = 0;
        if (r.readFlag()) { // conformance_window_flag
            confLeft = r.readUE();
            confRight = r.readUE();
            confTop = r.readUE();
            confBottom = r.readUE();
        }
        int bitDepthLuma = 8 + r.readUE(8, "bit_depth_luma_minus8");
        r.readUE(8, "bit_depth_chroma_minus8");

        // 6.2 Table 6-1: SubWidthC, SubHeightC; 7.4.3.2.1: the window is in chroma sample units.
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int subWidthC = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1;
        int subHeightC = chromaArrayType == 1 ? 2 : 1;
        long width = picWidth - subWidthC * (confLeft + confRight);
        long height = picHeight - subHeightC * (confTop + confBottom);
        if (width <= 0 || height <= 0) {
            // A window that crops the whole picture is invalid; the coded size is still right, so keep it.
            width = picWidth;
            height = picHeight;
        }

        double frameRate;
        try {
            frameRate = frameRateAfterBitDepth(r, maxSubLayersMinus1);
        } catch (CodecConfigException truncatedOrMalformedTail) {
            frameRate = 0;
        }

        int effectiveProfile = effectiveProfile(profileIdc, compatibilityFlags);
        return new VideoConfig(Codec.HEVC, (int) width, (int) height, profileIdc, profileName(effectiveProfile),
                levelIdc, bitDepthLuma, chromaFormatIdc, frameRate,
                codecString(profileSpace, profileIdc, compatibilityFlags, highTier, levelIdc, constraintFlags));
    }

    /** Reads the rest of 7.3.2.2.1 up to the VUI timing information (E.2.1); 0 when there is none. */
    private static double frameRateAfterBitDepth(BitReader r, int maxSubLayersMinus1) throws CodecConfigException {
        int log2MaxPicOrderCntLsb = 4 + r.readUE(12, "log2_max_pic_order_cnt_lsb_minus4");
        boolean subLayerOrderingInfoPresent = r.readFlag();
        for (int i = subLayerOrderingInfoPresent ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
            r.readUE(); // sps_max_dec_pic_buffering_minus1[i]
            r.readUE(); // sps_max_num_reorder_pics[i]
            r.readUE(); // sps_max_latency_increase_plus1[i]
        }
        r.readUE(); // log2_min_luma_coding_block_size_minus3
        r.readUE(); // log2_diff_max_min_luma_coding_block_size
        r.readUE(); // log2_min_luma_transform_block_size_minus2
        r.readUE(); // log2_diff_max_min_luma_transform_block_size
        r.readUE(); // max_transform_hierarchy_depth_inter
        r.readUE(); // max_transform_hierarchy_depth_intra
        if (r.readFlag() && r.readFlag()) { // scaling_list_enabled_flag, sps_scaling_list_data_present_flag
            skipScalingListData(r);
        }
        r.skipBits(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
        if (r.readFlag()) { // pcm_enabled_flag
            r.skipBits(8); // pcm_sample_bit_depth_luma_minus1, pcm_sample_bit_depth_chroma_minus1
            r.readUE(); // log2_min_pcm_luma_coding_block_size_minus3
            r.readUE(); // log2_diff_max_min_pcm_luma_coding_block_size
            r.skipBits(1); // pcm_loop_filter_disabled_flag
        }
        int numShortTermRefPicSets = r.readUE(MAX_SHORT_TERM_REF_PIC_SETS, "num_short_term_ref_pic_sets");
        int[] numDeltaPocs = new int[MAX_SHORT_TERM_REF_PIC_SETS];
        for (int i = 0; i < numShortTermRefPicSets; i++) {
            numDeltaPocs[i] = skipShortTermRefPicSet(r, i, numDeltaPocs);
        }
        if (r.readFlag()) { // long_term_ref_pics_present_flag
            int numLongTermRefPicsSps = r.readUE(32, "num_long_term_ref_pics_sps");
            for (int i = 0; i < numLongTermRefPicsSps; i++) {
                r.skipBits(log2MaxPicOrderCntLsb + 1); // lt_ref_pic_poc_lsb_sps[i], used_by_curr_pic_lt_sps_flag[i]
            }
        }
        r.skipBits(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
        if (!r.readFlag()) { // vui_parameters_present_flag
            return 0;
        }
        // E.2.1 vui_parameters()
        if (r.readFlag()) { // aspect_ratio_info_present_flag
            if (r.readBits(8) == 255) { // aspect_ratio_idc == EXTENDED_SAR
                r.skipBits(32); // sar_width, sar_height
            }
        }
        if (r.readFlag()) { // overscan_info_present_flag
            r.skipBits(1); // overscan_appropriate_flag
        }
        if (r.readFlag()) { // video_signal_type_present_flag
            r.skipBits(4); // video_format, video_full_range_flag
            if (r.readFlag()) { // colour_description_present_flag
                r.skipBits(24);
            }
        }
        if (r.readFlag()) { // chroma_loc_info_present_flag
            r.readUE();
            r.readUE();
        }
        r.skipBits(3); // neutral_chroma_indication_flag, field_seq_flag, frame_field_info_present_flag
        if (r.readFlag()) { // default_display_window_flag
            r.readUE();
            r.readUE();
            r.readUE();
            r.readUE();
        }
        if (!r.readFlag()) { // vui_timing_info_present_flag
            return 0;
        }
        long numUnitsInTick = r.readBitsLong(32);
        long timeScale = r.readBitsLong(32);
        if (numUnitsInTick == 0 || timeScale == 0) {
            return 0;
        }
        return (double) timeScale / numUnitsInTick; // E.3.1: one tick per picture
    }

    /** 7.3.4 scaling_list_data(): consumed, not kept. */
    private static void skipScalingListData(BitReader r) throws CodecConfigException {
        for (int sizeId = 0; sizeId < 4; sizeId++) {
            for (int matrixId = 0; matrixId < 6; matrixId += sizeId == 3 ? 3 : 1) {
                if (!r.readFlag()) { // scaling_list_pred_mode_flag
                    r.readUE(sizeId == 3 ? matrixId / 3 : matrixId, "scaling_list_pred_matrix_id_delta");
                } else {
                    int coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
                    if (sizeId > 1) {
                        r.readSE(-7, 247, "scaling_list_dc_coef_minus8");
                    }
                    for (int i = 0; i < coefNum; i++) {
                        r.readSE(-128, 127, "scaling_list_delta_coef");
                    }
                }
            }
        }
    }

    /**
     * 7.3.7 st_ref_pic_set(stRpsIdx) as it appears in an SPS (stRpsIdx below num_short_term_ref_pic_sets, so
     * delta_idx_minus1 is absent and RefRpsIdx = stRpsIdx - 1). Returns NumDeltaPocs[stRpsIdx] (7-61, 7-62): with
     * prediction, the number of entries whose use_delta_flag is 1 (inferred 1 when used_by_curr_pic_flag is 1).
     */
    private static int skipShortTermRefPicSet(BitReader r, int stRpsIdx, int[] numDeltaPocs)
            throws CodecConfigException {
        if (stRpsIdx != 0 && r.readFlag()) { // inter_ref_pic_set_prediction_flag
            r.skipBits(1); // delta_rps_sign
            r.readUE(32767, "abs_delta_rps_minus1");
            int count = 0;
            for (int j = 0; j <= numDeltaPocs[stRpsIdx - 1]; j++) {
                boolean usedByCurrPic = r.readFlag();
                if (usedByCurrPic || r.readFlag()) { // use_delta_flag[j]
                    count++;
                }
            }
            return count;
        }
        // 7.4.8: both counts are at most sps_max_dec_pic_buffering_minus1, itself below MaxDpbSize (16).
        int numNegativePics = r.readUE(16, "num_negative_pics");
        int numPositivePics = r.readUE(16, "num_positive_pics");
        for (int i = 0; i < numNegativePics + numPositivePics; i++) {
            r.readUE(32767, "delta_poc_minus1");
            r.skipBits(1); // used_by_curr_pic_flag
        }
        return numNegativePics + numPositivePics;
    }

    /**
     * A.3: a decoder conforming to profile j decodes any stream whose general_profile_compatibility_flag[j] is 1,
     * so when general_profile_idc is 0 or unknown the first known compatible profile names the stream.
     */
    private static int effectiveProfile(int profileIdc, int compatibilityFlags) {
        if (profileIdc >= 1 && profileIdc <= 11) {
            return profileIdc;
        }
        for (int j = 1; j <= 11; j++) {
            if ((compatibilityFlags & (0x8000_0000 >>> j)) != 0) {
                return j;
            }
        }
        return profileIdc;
    }

    /** Annex A general_profile_idc values. */
    static String profileName(int profileIdc) {
        return switch (profileIdc) {
            case 1 -> "Main";
            case 2 -> "Main 10";
            case 3 -> "Main Still Picture";
            case 4 -> "Format Range Extensions";
            case 5 -> "High Throughput";
            case 6 -> "Multiview Main";
            case 7 -> "Scalable Main";
            case 8 -> "3D Main";
            case 9 -> "Screen Content Coding Extensions";
            case 10 -> "Scalable Format Range Extensions";
            case 11 -> "High Throughput Screen Content Coding Extensions";
            default -> "Profile " + profileIdc;
        };
    }

    /**
     * ISO/IEC 14496-15 E.3: {@code hvc1.[A|B|C]<profile_idc>.<compatibility flags, bit-reversed, hex>.<L|H><level>}
     * then each of the six constraint bytes in hex, trailing zero bytes omitted.
     */
    static String codecString(int profileSpace, int profileIdc, int compatibilityFlags, boolean highTier,
                              int levelIdc, long constraintFlags) {
        StringBuilder sb = new StringBuilder("hvc1.");
        if (profileSpace > 0) {
            sb.append((char) ('A' + profileSpace - 1));
        }
        sb.append(profileIdc).append('.');
        sb.append(Integer.toHexString(Integer.reverse(compatibilityFlags)).toUpperCase(Locale.ROOT)).append('.');
        sb.append(highTier ? 'H' : 'L').append(levelIdc);
        int bytes = 6;
        while (bytes > 0 && ((constraintFlags >>> (8 * (6 - bytes))) & 0xFF) == 0) {
            bytes--;
        }
        for (int i = 0; i < bytes; i++) {
            int b = (int) (constraintFlags >>> (40 - 8 * i)) & 0xFF;
            sb.append('.').append(Integer.toHexString(b).toUpperCase(Locale.ROOT));
        }
        return sb.toString();
    }
}
