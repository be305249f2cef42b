package dev.millrace.streaming.core.codec;

import dev.millrace.streaming.core.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * An H.264 AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1, the {@code avcC} box and the body of an
 * FLV/RTMP AVC sequence header) and what its first sequence parameter set says.
 *
 * <p>Immutable. The parameter set arrays are shared, not copied, so that muxers can write them out per keyframe
 * without allocating: callers must not modify them.
 */
public final class AvcConfig {

    /** The avcC count field for sequence parameter sets is 5 bits wide. */
    public static final int MAX_SPS = 31;
    /** The avcC count field for picture parameter sets is 8 bits wide. */
    public static final int MAX_PPS = 255;

    /** H.264 7.4.2.1.1 does not bound the picture size; this does, at 4096 macroblocks (65536 samples) a side. */
    static final int MAX_MBS_PER_SIDE = 4096;

    private static final int NAL_SPS = 7;

    private final int nalLengthSize;
    private final List<byte[]> sps;
    private final List<byte[]> pps;
    private final VideoConfig info;

    private AvcConfig(int nalLengthSize, List<byte[]> sps, List<byte[]> pps, VideoConfig info) {
        this.nalLengthSize = nalLengthSize;
        this.sps = sps;
        this.pps = pps;
        this.info = info;
    }

    /** Size in bytes of the length prefix of each NAL unit in the stream's samples: 1, 2 or 4. */
    public int nalLengthSize() {
        return nalLengthSize;
    }

    /** The sequence parameter set NAL units (header byte included, emulation prevention bytes kept), at least one. */
    public List<byte[]> sps() {
        return sps;
    }

    /** The picture parameter set NAL units; may be empty when the encoder sends them in-band. */
    public List<byte[]> pps() {
        return pps;
    }

    /** What the first sequence parameter set says. */
    public VideoConfig info() {
        return info;
    }

    /**
     * Parses an AVCDecoderConfigurationRecord.
     *
     * @param avcC the record, from its reader index to its writer index; borrowed, reader index unchanged
     * @throws CodecConfigException if the record is truncated, has a length past its end, a count or length size
     *     this class rejects, or an unusable first SPS
     */
    public static AvcConfig parse(ByteBuf avcC) throws CodecConfigException {
        try {
            return read(ByteBufUtil.getBytes(avcC));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("avcC: " + e.getMessage(), e);
        }
    }

    private static AvcConfig read(byte[] bytes) throws CodecConfigException {
        BitReader r = new BitReader(bytes);
        // ISO/IEC 14496-15 5.3.3.1.1
        int configurationVersion = r.readBits(8);
        if (configurationVersion != 1) {
            throw new CodecConfigException("configurationVersion " + configurationVersion + ", expected 1");
        }
        // AVCProfileIndication, profile_compatibility, AVCLevelIndication: copies of the SPS bytes, which win for
        // the stream's description; the profile still decides whether the record has an extension.
        int avcProfileIndication = r.readBits(8);
        r.skipBits(16);
        r.skipBits(6); // reserved '111111'b, not checked: some encoders write zeros
        int lengthSizeMinusOne = r.readBits(2);
        if (lengthSizeMinusOne == 2) {
            throw new CodecConfigException("lengthSizeMinusOne 2 (3-byte NAL lengths) is not allowed");
        }
        r.skipBits(3); // reserved '111'b
        int numOfSequenceParameterSets = r.readBits(5);
        if (numOfSequenceParameterSets == 0) {
            throw new CodecConfigException("no sequence parameter set");
        }
        List<byte[]> sps = readParameterSets(r, numOfSequenceParameterSets, "SPS");
        int numOfPictureParameterSets = r.readBits(8);
        List<byte[]> pps = readParameterSets(r, numOfPictureParameterSets, "PPS");
        if (hasExtension(avcProfileIndication) && r.bitsLeft() > 0) {
            // 5.3.3.1.1: chroma_format, bit_depth_luma_minus8, bit_depth_chroma_minus8 (the SPS carries them too),
            // then SPS extension NAL units (type 13, for auxiliary pictures), which are checked but not kept. Many
            // encoders leave the whole extension out; a record that ends in the middle of it is truncated.
            r.skipBits(24);
            int numOfSequenceParameterSetExt = r.readBits(8);
            readParameterSets(r, numOfSequenceParameterSetExt, "SPS extension");
        }
        VideoConfig info;
        try {
            info = parseSps(sps.get(0));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("first " + e.getMessage(), e);
        }
        return new AvcConfig(lengthSizeMinusOne + 1, List.copyOf(sps), List.copyOf(pps), info);
    }

    private static List<byte[]> readParameterSets(BitReader r, int count, String what) throws CodecConfigException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int length = r.readBits(16);
            if (length == 0) {
                throw new CodecConfigException(what + " #" + i + " is empty");
            }
            if (length * 8L > r.bitsLeft()) {
                throw new CodecConfigException(what + " #" + i + " declares " + length + " bytes, "
                        + r.bitsLeft() / 8 + " left");
            }
            out.add(r.readBytes(length));
        }
        return out;
    }

    /**
     * Parses a sequence parameter set NAL unit (H.264 7.3.2.1.1), such as one found in-band before an IDR picture.
     *
     * @param nal the NAL unit including its one-byte header, emulation prevention bytes included; not modified
     * @throws CodecConfigException if it is not an SPS, is truncated before the frame size and cropping, or holds a
     *     value out of its range. A VUI that is truncated or malformed only makes the frame rate unknown.
     */
    public static VideoConfig parseSps(byte[] nal) throws CodecConfigException {
        try {
            return readSps(BitReader.rbsp(nal, 0, nal.length));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("SPS: " + e.getMessage(), e);
        }
    }

    private static VideoConfig readSps(BitReader r) throws CodecConfigException {
        // 7.3.1 nal_unit_header
        if (r.readBit() != 0) {
            throw new CodecConfigException("forbidden_zero_bit is 1");
        }
        r.skipBits(2); // nal_ref_idc
        int nalUnitType = r.readBits(5);
        if (nalUnitType != NAL_SPS) {
            throw new CodecConfigException("nal_unit_type " + nalUnitType + ", expected 7");
        }
        // 7.3.2.1.1 seq_parameter_set_data
        int profileIdc = r.readBits(8);
        int constraintFlags = r.readBits(8); // constraint_set0..5_flag, reserved_zero_2bits
        int levelIdc = r.readBits(8);
        r.readUE(31, "seq_parameter_set_id");
        int chromaFormatIdc = 1;
        boolean separateColourPlane = false;
        int bitDepthLuma = 8;
        if (hasChromaFormat(profileIdc)) {
            chromaFormatIdc = r.readUE(3, "chroma_format_idc");
            if (chromaFormatIdc == 3) {
                separateColourPlane = r.readFlag();
            }
            bitDepthLuma = 8 + r.readUE(6, "bit_depth_luma_minus8");
            r.readUE(6, "bit_depth_chroma_minus8");
            r.skipBits(1); // qpprime_y_zero_transform_bypass_flag
            if (r.readFlag()) { // seq_scaling_matrix_present_flag
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++) {
                    if (r.readFlag()) { // seq_scaling_list_present_flag[i]
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.readUE(12, "log2_max_frame_num_minus4");
        int picOrderCntType = r.readUE(2, "pic_order_cnt_type");
        if (picOrderCntType == 0) {
            r.readUE(12, "log2_max_pic_order_cnt_lsb_minus4");
        } else if (picOrderCntType == 1) {
            r.skipBits(1); // delta_pic_order_always_zero_flag
            r.readSE(); // offset_for_non_ref_pic
            r.readSE(); // offset_for_top_to_bottom_field
            int cycle = r.readUE(255, "num_ref_frames_in_pic_order_cnt_cycle");
            for (int i = 0; i < cycle; i++) {
                r.readSE(); // offset_for_ref_frame[i]
            }
        }
        r.readUE(); // max_num_ref_frames
        r.skipBits(1); // gaps_in_frame_num_value_allowed_flag
        int widthInMbs = r.readUE(MAX_MBS_PER_SIDE - 1, "pic_width_in_mbs_minus1") + 1;
        int heightInMapUnits = r.readUE(MAX_MBS_PER_SIDE - 1, "pic_height_in_map_units_minus1") + 1;
        boolean frameMbsOnly = r.readFlag();
        if (!frameMbsOnly) {
            r.skipBits(1); // mb_adaptive_frame_field_flag
        }
        r.skipBits(1); // direct_8x8_inference_flag
        long cropLeft = 0;
        long cropRight = 0;
        long cropTop = 0;
        long cropBottom = 0;
        if (r.readFlag()) { // frame_cropping_flag
            cropLeft = r.readUE();
            cropRight = r.readUE();
            cropTop = r.readUE();
            cropBottom = r.readUE();
        }

        // 7.4.2.1.1: FrameHeightInMbs = (2 - frame_mbs_only_flag) * PicHeightInMapUnits; CropUnitX/Y (7-19..7-22)
        int fieldFactor = frameMbsOnly ? 1 : 2;
        int codedWidth = widthInMbs * 16;
        int codedHeight = fieldFactor * heightInMapUnits * 16;
        if (codedHeight > MAX_MBS_PER_SIDE * 16) {
            throw new CodecConfigException("frame height " + codedHeight + " exceeds " + MAX_MBS_PER_SIDE * 16);
        }
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int cropUnitX = chromaArrayType == 0 || chromaArrayType == 3 ? 1 : 2;
        int cropUnitY = (chromaArrayType == 1 ? 2 : 1) * fieldFactor;
        long width = codedWidth - cropUnitX * (cropLeft + cropRight);
        long height = codedHeight - cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0) {
            // Cropping away the whole picture is invalid; the coded size is still right, so keep it.
            width = codedWidth;
            height = codedHeight;
        }

        double frameRate = 0;
        try {
            if (r.bitsLeft() > 0 && r.readFlag()) { // vui_parameters_present_flag
                frameRate = vuiFrameRate(r);
            }
        } catch (CodecConfigException truncatedOrMalformedVui) {
            frameRate = 0;
        }

        return new VideoConfig(Codec.H264, (int) width, (int) height, profileIdc,
                profileName(profileIdc, constraintFlags), levelIdc, bitDepthLuma,
                separateColourPlane ? 3 : chromaFormatIdc, frameRate,
                String.format("avc1.%02X%02X%02X", profileIdc, constraintFlags, levelIdc));
    }

    /**
     * The profiles whose record may carry the chroma and bit depth extension: ISO/IEC 14496-15 5.3.3.1.1 names 100,
     * 110, 122 and 144, and writers such as FFmpeg add it for every profile whose SPS has chroma_format_idc (244
     * for High 4:4:4 Predictive, for one).
     */
    private static boolean hasExtension(int avcProfileIndication) {
        return avcProfileIndication == 144 || hasChromaFormat(avcProfileIndication);
    }

    /** 7.3.2.1.1: the profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices. */
    private static boolean hasChromaFormat(int profileIdc) {
        return switch (profileIdc) {
            case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 -> true;
            default -> false;
        };
    }

    /** 7.3.2.1.1.1 scaling_list(): only the bits are consumed, the lists are not needed. */
    private static void skipScalingList(BitReader r, int size) throws CodecConfigException {
        int lastScale = 8;
        int nextScale = 8;
        for (int j = 0; j < size; j++) {
            if (nextScale != 0) {
                int deltaScale = r.readSE(-128, 127, "delta_scale");
                nextScale = (lastScale + deltaScale + 256) % 256;
            }
            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }

    /**
     * E.1.1 vui_parameters() up to timing_info: frame rate = time_scale / (2 * num_units_in_tick) (E.2.1, a
     * frame is two field ticks), or 0 when timing information is absent.
     */
    private static double vuiFrameRate(BitReader r) throws CodecConfigException {
        if (r.readFlag()) { // aspect_ratio_info_present_flag
            int aspectRatioIdc = r.readBits(8);
            if (aspectRatioIdc == 255) { // Extended_SAR
                r.skipBits(32); // sar_width, sar_height
            }
        }
        if (r.readFlag()) { // overscan_info_present_flag
            r.skipBits(1); // overscan_appropriate_flag
        }
        if (r.readFlag()) { // video_signal_type_present_flag
            r.skipBits(4); // video_format, video_full_range_flag
            if (r.readFlag()) { // colour_description_present_flag
                r.skipBits(24); // colour_primaries, transfer_characteristics, matrix_coefficients
            }
        }
        if (r.readFlag()) { // chroma_loc_info_present_flag
            r.readUE(); // chroma_sample_loc_type_top_field
            r.readUE(); // chroma_sample_loc_type_bottom_field
        }
        if (!r.readFlag()) { // timing_info_present_flag
            return 0;
        }
        long numUnitsInTick = r.readBitsLong(32);
        long timeScale = r.readBitsLong(32);
        if (numUnitsInTick == 0 || timeScale == 0) {
            return 0;
        }
        return timeScale / (2.0 * numUnitsInTick);
    }

    /** Annex A profile names, refined by the constraint flags where A.2 defines a constrained variant. */
    static String profileName(int profileIdc, int constraintFlags) {
        boolean set1 = (constraintFlags & 0x40) != 0;
        boolean set3 = (constraintFlags & 0x10) != 0;
        boolean set4 = (constraintFlags & 0x08) != 0;
        boolean set5 = (constraintFlags & 0x04) != 0;
        return switch (profileIdc) {
            case 66 -> set1 ? "Constrained Baseline" : "Baseline";
            case 77 -> "Main";
            case 88 -> "Extended";
            case 100 -> set4 && set5 ? "Constrained High" : set4 ? "Progressive High" : "High";
            case 110 -> set3 ? "High 10 Intra" : set4 ? "Progressive High 10" : "High 10";
            case 122 -> set3 ? "High 4:2:2 Intra" : "High 4:2:2";
            case 244 -> set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
            case 44 -> "CAVLC 4:4:4 Intra";
            case 83 -> "Scalable Baseline";
            case 86 -> "Scalable High";
            case 118 -> "Multiview High";
            case 128 -> "Stereo High";
            case 134 -> "MFC High";
            case 135 -> "MFC Depth High";
            case 138 -> "Multiview Depth High";
            case 139 -> "Enhanced Multiview Depth High";
            default -> "Profile " + profileIdc;
        };
    }
}
