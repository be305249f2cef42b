package dev.millrace.streaming.core.codec;

import dev.millrace.streaming.core.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * An AV1CodecConfigurationRecord (AV1 Codec ISO Media File Format Binding 2.3.3, the {@code av1C} box and the
 * body of an enhanced RTMP {@code av01} sequence start), plus the size, colour and timing of the sequence header
 * OBU in its configOBUs when there is one (AV1 5.5.1).
 *
 * <p>Immutable. {@link #configObus()} is shared, not copied: callers must not modify it.
 */
public final class Av1Config {

    /** AV1 6.2.2 obu_type of a sequence header. */
    private static final int OBU_SEQUENCE_HEADER = 1;

    /** AV1 6.4.1: color_primaries, transfer_characteristics, matrix_coefficients values used in the defaults. */
    private static final int CP_BT_709 = 1;
    private static final int UNSPECIFIED = 2;
    private static final int TC_SRGB = 13;
    private static final int MC_IDENTITY = 0;

    private final int seqProfile;
    private final int seqLevelIdx0;
    private final int seqTier0;
    private final boolean highBitdepth;
    private final boolean twelveBit;
    private final boolean monochrome;
    private final int chromaSubsamplingX;
    private final int chromaSubsamplingY;
    private final int chromaSamplePosition;
    private final int initialPresentationDelayMinusOne;
    private final byte[] configObus;
    private final boolean sequenceHeaderPresent;
    private final VideoConfig info;

    private Av1Config(int seqProfile, int seqLevelIdx0, int seqTier0, boolean highBitdepth, boolean twelveBit,
                      boolean monochrome, int chromaSubsamplingX, int chromaSubsamplingY, int chromaSamplePosition,
                      int initialPresentationDelayMinusOne, byte[] configObus, boolean sequenceHeaderPresent,
                      VideoConfig info) {
        this.seqProfile = seqProfile;
        this.seqLevelIdx0 = seqLevelIdx0;
        this.seqTier0 = seqTier0;
        this.highBitdepth = highBitdepth;
        this.twelveBit = twelveBit;
        this.monochrome = monochrome;
        this.chromaSubsamplingX = chromaSubsamplingX;
        this.chromaSubsamplingY = chromaSubsamplingY;
        this.chromaSamplePosition = chromaSamplePosition;
        this.initialPresentationDelayMinusOne = initialPresentationDelayMinusOne;
        this.configObus = configObus;
        this.sequenceHeaderPresent = sequenceHeaderPresent;
        this.info = info;
    }

    /** The av1C fields, as the record states them (the sequence header, when present, must agree). */
    public int seqProfile() {
        return seqProfile;
    }

    public int seqLevelIdx0() {
        return seqLevelIdx0;
    }

    public int seqTier0() {
        return seqTier0;
    }

    public boolean highBitdepth() {
        return highBitdepth;
    }

    public boolean twelveBit() {
        return twelveBit;
    }

    public boolean monochrome() {
        return monochrome;
    }

    public int chromaSubsamplingX() {
        return chromaSubsamplingX;
    }

    public int chromaSubsamplingY() {
        return chromaSubsamplingY;
    }

    public int chromaSamplePosition() {
        return chromaSamplePosition;
    }

    /** initial_presentation_delay_minus_one, or -1 when not present. */
    public int initialPresentationDelayMinusOne() {
        return initialPresentationDelayMinusOne;
    }

    /** The configOBUs bytes (possibly empty): a sequence header OBU and metadata OBUs, each with a size field. */
    public byte[] configObus() {
        return configObus;
    }

    /** Whether configOBUs held a sequence header, so that {@link #info()} has the size and frame rate. */
    public boolean sequenceHeaderPresent() {
        return sequenceHeaderPresent;
    }

    /**
     * What the record says. Width and height are the sequence header's max_frame_width/height (frames may be
     * smaller, AV1 5.9.5), or 0 without a sequence header; the frame rate is known only when the sequence header
     * carries timing_info with equal_picture_interval.
     */
    public VideoConfig info() {
        return info;
    }

    /**
     * Parses an AV1CodecConfigurationRecord.
     *
     * @param av1C the record, from its reader index to its writer index; borrowed, reader index unchanged
     * @throws CodecConfigException if the marker or version is wrong, the record is truncated, an OBU in
     *     configOBUs overruns it, or the sequence header is truncated or out of range
     */
    public static Av1Config parse(ByteBuf av1C) throws CodecConfigException {
        try {
            return read(ByteBufUtil.getBytes(av1C));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("av1C: " + e.getMessage(), e);
        }
    }

    private static Av1Config read(byte[] bytes) throws CodecConfigException {
        BitReader r = new BitReader(bytes);
        // AV1-ISOBMFF 2.3.3
        int marker = r.readBit();
        int version = r.readBits(7);
        if (marker != 1 || version != 1) {
            throw new CodecConfigException("marker " + marker + " version " + version + ", expected 1 and 1");
        }
        int seqProfile = r.readBits(3);
        int seqLevelIdx0 = r.readBits(5);
        int seqTier0 = r.readBit();
        boolean highBitdepth = r.readFlag();
        boolean twelveBit = r.readFlag();
        boolean monochrome = r.readFlag();
        int subsamplingX = r.readBit();
        int subsamplingY = r.readBit();
        int chromaSamplePosition = r.readBits(2);
        r.skipBits(3); // reserved
        boolean initialPresentationDelayPresent = r.readFlag();
        int initialPresentationDelay = r.readBits(4); // initial_presentation_delay_minus_one or reserved
        int initialPresentationDelayMinusOne = initialPresentationDelayPresent ? initialPresentationDelay : -1;
        byte[] configObus = r.readBytes((int) (r.bitsLeft() / 8));

        SequenceHeader header = findSequenceHeader(configObus);
        VideoConfig info;
        if (header != null) {
            info = header.toVideoConfig();
        } else {
            int bitDepth = bitDepth(seqProfile, highBitdepth, twelveBit);
            int chromaFormat = chromaFormat(monochrome, subsamplingX, subsamplingY);
            info = new VideoConfig(Codec.AV1, 0, 0, seqProfile, profileName(seqProfile), seqLevelIdx0, bitDepth,
                    chromaFormat, 0, codecString(seqProfile, seqLevelIdx0, seqTier0, bitDepth, monochrome,
                            subsamplingX, subsamplingY, chromaSamplePosition, UNSPECIFIED, UNSPECIFIED, UNSPECIFIED,
                            0));
        }
        return new Av1Config(seqProfile, seqLevelIdx0, seqTier0, highBitdepth, twelveBit, monochrome, subsamplingX,
                subsamplingY, chromaSamplePosition, initialPresentationDelayMinusOne, configObus, header != null,
                info);
    }

    /** Walks the OBUs of configOBUs (AV1 5.3.1) and parses the first sequence header; null if there is none. */
    private static SequenceHeader findSequenceHeader(byte[] obus) throws CodecConfigException {
        BitReader r = new BitReader(obus);
        while (r.bitsLeft() > 0) {
            // 5.3.2 obu_header
            if (r.readBit() != 0) {
                throw new CodecConfigException("configOBUs: obu_forbidden_bit is 1");
            }
            int obuType = r.readBits(4);
            boolean extension = r.readFlag();
            boolean hasSizeField = r.readFlag();
            r.skipBits(1); // obu_reserved_1bit
            if (extension) {
                r.skipBits(8); // temporal_id, spatial_id, extension_header_reserved_3bits
            }
            long obuSize = hasSizeField ? readLeb128(r) : r.bitsLeft() / 8;
            if (obuSize > r.bitsLeft() / 8) {
                throw new CodecConfigException("configOBUs: OBU of type " + obuType + " declares " + obuSize
                        + " bytes, " + r.bitsLeft() / 8 + " left");
            }
            int start = (int) (r.bitPosition() / 8);
            if (obuType == OBU_SEQUENCE_HEADER) {
                try {
                    return parseSequenceHeader(new BitReader(obus, start, (int) obuSize));
                } catch (CodecConfigException e) {
                    throw new CodecConfigException("sequence header: " + e.getMessage(), e);
                }
            }
            r.skipBits(obuSize * 8);
        }
        return null;
    }

    /** AV1 4.10.5 leb128(): at most 8 bytes, value below 2^32. */
    private static long readLeb128(BitReader r) throws CodecConfigException {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            int b = r.readBits(8);
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (value > 0xFFFF_FFFFL) {
                    throw new CodecConfigException("leb128 value " + value + " exceeds 2^32 - 1");
                }
                return value;
            }
        }
        throw new CodecConfigException("leb128 longer than 8 bytes");
    }

    /** AV1 4.10.3 uvlc(): 32 or more leading zeros mean 2^32 - 1. */
    private static long readUvlc(BitReader r) throws CodecConfigException {
        int leadingZeros = 0;
        while (r.readBit() == 0) {
            leadingZeros++;
            if (leadingZeros >= 32) {
                return 0xFFFF_FFFFL; // 4.10.3: the remaining bits are not read
            }
        }
        return r.readBitsLong(leadingZeros) + (1L << leadingZeros) - 1;
    }

    /** AV1 5.5.1 sequence_header_obu(), read up to color_config(). */
    private static SequenceHeader parseSequenceHeader(BitReader r) throws CodecConfigException {
        int seqProfile = r.readBits(3);
        if (seqProfile > 2) {
            throw new CodecConfigException("seq_profile " + seqProfile + " is reserved");
        }
        r.skipBits(1); // still_picture
        boolean reducedStillPictureHeader = r.readFlag();
        double frameRate = 0;
        int seqLevelIdx0;
        int seqTier0 = 0;
        if (reducedStillPictureHeader) {
            seqLevelIdx0 = r.readBits(5);
        } else {
            boolean decoderModelInfoPresent = false;
            int bufferDelayLengthMinus1 = 0;
            if (r.readFlag()) { // timing_info_present_flag
                // 5.5.3 timing_info()
                long numUnitsInDisplayTick = r.readBitsLong(32);
                long timeScale = r.readBitsLong(32);
                boolean equalPictureInterval = r.readFlag();
                if (equalPictureInterval) {
                    long ticksPerPicture = readUvlc(r) + 1; // num_ticks_per_picture_minus_1 + 1
                    if (numUnitsInDisplayTick > 0 && timeScale > 0) {
                        frameRate = timeScale / ((double) numUnitsInDisplayTick * ticksPerPicture);
                    }
                }
                decoderModelInfoPresent = r.readFlag();
                if (decoderModelInfoPresent) {
                    // 5.5.4 decoder_model_info()
                    bufferDelayLengthMinus1 = r.readBits(5);
                    r.skipBits(32 + 5 + 5); // num_units_in_decoding_tick, buffer_removal_time_length_minus_1,
                                            // frame_presentation_time_length_minus_1
                }
            }
            boolean initialDisplayDelayPresent = r.readFlag();
            int operatingPointsCntMinus1 = r.readBits(5); // at most 31: the loop is bounded by the field width
            seqLevelIdx0 = 0;
            for (int i = 0; i <= operatingPointsCntMinus1; i++) {
                r.skipBits(12); // operating_point_idc[i]
                int seqLevelIdx = r.readBits(5);
                int seqTier = seqLevelIdx > 7 ? r.readBit() : 0;
                if (i == 0) {
                    seqLevelIdx0 = seqLevelIdx;
                    seqTier0 = seqTier;
                }
                if (decoderModelInfoPresent && r.readFlag()) { // decoder_model_present_for_this_op[i]
                    // 5.5.5 operating_parameters_info(): decoder_buffer_delay, encoder_buffer_delay (n bits
                    // each), low_delay_mode_flag
                    r.skipBits(2L * (bufferDelayLengthMinus1 + 1) + 1);
                }
                if (initialDisplayDelayPresent && r.readFlag()) { // initial_display_delay_present_for_this_op[i]
                    r.skipBits(4); // initial_display_delay_minus_1[i]
                }
            }
        }
        int frameWidthBits = r.readBits(4) + 1;
        int frameHeightBits = r.readBits(4) + 1;
        int maxFrameWidth = r.readBits(frameWidthBits) + 1;
        int maxFrameHeight = r.readBits(frameHeightBits) + 1;
        if (!reducedStillPictureHeader && r.readFlag()) { // frame_id_numbers_present_flag
            r.skipBits(4 + 3); // delta_frame_id_length_minus_2, additional_frame_id_length_minus_1
        }
        r.skipBits(3); // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
        if (!reducedStillPictureHeader) {
            r.skipBits(4); // enable_interintra_compound, enable_masked_compound, enable_warped_motion,
                           // enable_dual_filter
            boolean enableOrderHint = r.readFlag();
            if (enableOrderHint) {
                r.skipBits(2); // enable_jnt_comp, enable_ref_frame_mvs
            }
            int seqForceScreenContentTools = r.readFlag() ? 2 : r.readBit(); // seq_choose_screen_content_tools
            if (seqForceScreenContentTools > 0 && !r.readFlag()) { // seq_choose_integer_mv
                r.skipBits(1); // seq_force_integer_mv
            }
            if (enableOrderHint) {
                r.skipBits(3); // order_hint_bits_minus_1
            }
        }
        r.skipBits(3); // enable_superres, enable_cdef, enable_restoration

        // 5.5.2 color_config()
        boolean highBitdepth = r.readFlag();
        boolean twelveBit = seqProfile == 2 && highBitdepth && r.readFlag();
        int bitDepth = bitDepth(seqProfile, highBitdepth, twelveBit);
        boolean monochrome = seqProfile != 1 && r.readFlag();
        int colorPrimaries = UNSPECIFIED;
        int transferCharacteristics = UNSPECIFIED;
        int matrixCoefficients = UNSPECIFIED;
        if (r.readFlag()) { // color_description_present_flag
            colorPrimaries = r.readBits(8);
            transferCharacteristics = r.readBits(8);
            matrixCoefficients = r.readBits(8);
        }
        int colorRange;
        int subsamplingX;
        int subsamplingY;
        int chromaSamplePosition = 0; // CSP_UNKNOWN
        if (monochrome) {
            colorRange = r.readBit();
            subsamplingX = 1;
            subsamplingY = 1;
        } else if (colorPrimaries == CP_BT_709 && transferCharacteristics == TC_SRGB
                && matrixCoefficients == MC_IDENTITY) {
            colorRange = 1;
            subsamplingX = 0;
            subsamplingY = 0;
        } else {
            colorRange = r.readBit();
            if (seqProfile == 0) {
                subsamplingX = 1;
                subsamplingY = 1;
            } else if (seqProfile == 1) {
                subsamplingX = 0;
                subsamplingY = 0;
            } else if (bitDepth == 12) {
                subsamplingX = r.readBit();
                subsamplingY = subsamplingX == 1 ? r.readBit() : 0;
            } else {
                subsamplingX = 1;
                subsamplingY = 0;
            }
            if (subsamplingX == 1 && subsamplingY == 1) {
                chromaSamplePosition = r.readBits(2);
            }
        }
        // separate_uv_delta_q and film_grain_params_present follow; nothing after them is needed.
        return new SequenceHeader(seqProfile, seqLevelIdx0, seqTier0, maxFrameWidth, maxFrameHeight, bitDepth,
                monochrome, subsamplingX, subsamplingY, chromaSamplePosition, colorPrimaries, transferCharacteristics,
                matrixCoefficients, colorRange, frameRate);
    }

    private record SequenceHeader(int seqProfile, int seqLevelIdx0, int seqTier0, int width, int height,
                                  int bitDepth, boolean monochrome, int subsamplingX, int subsamplingY,
                                  int chromaSamplePosition, int colorPrimaries, int transferCharacteristics,
                                  int matrixCoefficients, int colorRange, double frameRate) {

        VideoConfig toVideoConfig() {
            return new VideoConfig(Codec.AV1, width, height, seqProfile, profileName(seqProfile), seqLevelIdx0,
                    bitDepth, chromaFormat(monochrome, subsamplingX, subsamplingY), frameRate,
                    codecString(seqProfile, seqLevelIdx0, seqTier0, bitDepth, monochrome, subsamplingX,
                            subsamplingY, chromaSamplePosition, colorPrimaries, transferCharacteristics,
                            matrixCoefficients, colorRange));
        }
    }

    /** AV1 5.5.2: BitDepth from seq_profile, high_bitdepth and twelve_bit. */
    private static int bitDepth(int seqProfile, boolean highBitdepth, boolean twelveBit) {
        if (seqProfile == 2 && highBitdepth) {
            return twelveBit ? 12 : 10;
        }
        return highBitdepth ? 10 : 8;
    }

    private static int chromaFormat(boolean monochrome, int subsamplingX, int subsamplingY) {
        if (monochrome) {
            return 0;
        }
        if (subsamplingX == 1) {
            return subsamplingY == 1 ? 1 : 2;
        }
        return 3;
    }

    /** AV1 Annex A.2 profile names. */
    private static String profileName(int seqProfile) {
        return switch (seqProfile) {
            case 0 -> "Main";
            case 1 -> "High";
            case 2 -> "Professional";
            default -> "Profile " + seqProfile;
        };
    }

    /**
     * AV1-ISOBMFF "Codecs Parameter String": {@code av01.P.LLT.DD}, followed by the optional
     * {@code .M.CCC.cp.tc.mc.F} only when the stream is monochrome or not 4:2:0, the cases where the short form's
     * defaults (4:2:0, colocated position unknown) would misstate what a player must decode. Colour fields then
     * carry the sequence header's values (2, unspecified, without one).
     */
    static String codecString(int seqProfile, int seqLevelIdx, int seqTier, int bitDepth, boolean monochrome,
                              int subsamplingX, int subsamplingY, int chromaSamplePosition, int colorPrimaries,
                              int transferCharacteristics, int matrixCoefficients, int colorRange) {
        String base = String.format("av01.%d.%02d%c.%02d", seqProfile, seqLevelIdx, seqTier == 0 ? 'M' : 'H',
                bitDepth);
        if (!monochrome && subsamplingX == 1 && subsamplingY == 1) {
            return base;
        }
        return base + String.format(".%d.%d%d%d.%02d.%02d.%02d.%d", monochrome ? 1 : 0, subsamplingX, subsamplingY,
                chromaSamplePosition, colorPrimaries, transferCharacteristics, matrixCoefficients, colorRange);
    }
}
