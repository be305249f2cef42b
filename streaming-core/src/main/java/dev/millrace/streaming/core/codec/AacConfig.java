package dev.millrace.streaming.core.codec;

import dev.millrace.streaming.core.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * An MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1; the body of an FLV/RTMP AAC sequence header and the
 * DecoderSpecificInfo of an {@code esds} box), and the ADTS header that carries the same configuration in an
 * MPEG-TS stream.
 *
 * <p>HE-AAC is recognised in both forms of explicit signalling that the AudioSpecificConfig syntax (1.6.2.1)
 * allows: hierarchical (audioObjectType 5 or 29 first, then the core object type) and backward compatible (an LC
 * config followed by syncExtensionType 0x2B7 and sbrPresentFlag). Without either, SBR can only be found in the
 * audio frames (implicit signalling) and is not reported. Channel configuration 0 is accepted when a
 * program_config_element follows (4.4.1.1): its front, side, back and LFE elements give the channel count.
 *
 * <p>Immutable and thread-safe.
 */
public final class AacConfig {

    /** ISO/IEC 14496-3 1.6.3 (semantics): samplingFrequencyIndex 0 to 12; 13 and 14 are reserved, 15 is explicit. */
    private static final int[] SAMPLING_FREQUENCIES = {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
    };

    /** ISO/IEC 14496-3 1.6.3 (semantics): channelConfiguration to channel count; -1 marks reserved values. */
    private static final int[] CHANNELS = {0, 1, 2, 3, 4, 5, 6, 8, -1, -1, -1, 7, 8, 24, 8, -1};

    private static final int AOT_SBR = 5;
    private static final int AOT_PS = 29;
    private static final int AOT_ER_BSAC = 22;

    /** 1.A.2.2.1 (ADTS): aac_frame_length is 13 bits and counts the 7-byte header. */
    public static final int ADTS_HEADER_BYTES = 7;
    public static final int MAX_ADTS_RAW_FRAME_BYTES = 8191 - ADTS_HEADER_BYTES;

    private final int audioObjectType;
    private final int coreObjectType;
    private final int samplingFrequencyIndex;
    private final int samplingFrequency;
    private final int channelConfiguration;
    private final int channels;
    private final boolean sbrPresent;
    private final boolean psPresent;
    private final int extensionSamplingFrequency;
    private final boolean frameLengthFlag;
    private final AudioConfig info;
    /** The 56 ADTS header bits with aac_frame_length 0, or -1 when ADTS cannot carry this configuration. */
    private final long adtsHeader;

    private AacConfig(int audioObjectType, int coreObjectType, int samplingFrequencyIndex, int samplingFrequency,
                      int channelConfiguration, int channels, boolean sbrPresent, boolean psPresent,
                      int extensionSamplingFrequency, boolean frameLengthFlag) {
        this.audioObjectType = audioObjectType;
        this.coreObjectType = coreObjectType;
        this.samplingFrequencyIndex = samplingFrequencyIndex;
        this.samplingFrequency = samplingFrequency;
        this.channelConfiguration = channelConfiguration;
        this.channels = channels;
        this.sbrPresent = sbrPresent;
        this.psPresent = psPresent;
        this.extensionSamplingFrequency = extensionSamplingFrequency;
        this.frameLengthFlag = frameLengthFlag;
        int objectType = psPresent ? AOT_PS : sbrPresent ? AOT_SBR : audioObjectType;
        int outputChannels = psPresent && channels == 1 ? 2 : channels;
        this.info = new AudioConfig(Codec.AAC, sbrPresent ? extensionSamplingFrequency : samplingFrequency,
                outputChannels, objectType, "mp4a.40." + objectType);
        this.adtsHeader = adtsHeaderBits(coreObjectType, samplingFrequencyIndex, channelConfiguration);
    }

    /**
     * The first audioObjectType of the record, escape resolved: 5 or 29 for explicitly signalled HE-AAC (v2), 2 for
     * AAC LC even when the sync extension adds SBR.
     */
    public int audioObjectType() {
        return audioObjectType;
    }

    /** The core decoder's object type: the one after the SBR fields for 5 and 29, else {@link #audioObjectType}. */
    public int coreObjectType() {
        return coreObjectType;
    }

    /** The core samplingFrequencyIndex, 15 when the rate is explicit. */
    public int samplingFrequencyIndex() {
        return samplingFrequencyIndex;
    }

    /** The core sampling rate in Hz. */
    public int samplingFrequency() {
        return samplingFrequency;
    }

    /** channelConfiguration as coded; 0 means the channels come from the program config element. */
    public int channelConfiguration() {
        return channelConfiguration;
    }

    /** Core channel count (from the PCE when channelConfiguration is 0), 0 when the object type's config is unread. */
    public int channels() {
        return channels;
    }

    public boolean sbrPresent() {
        return sbrPresent;
    }

    public boolean psPresent() {
        return psPresent;
    }

    /** The SBR output rate in Hz, or 0 without SBR. */
    public int extensionSamplingFrequency() {
        return extensionSamplingFrequency;
    }

    /** GASpecificConfig frameLengthFlag: true for 960-sample frames, false for 1024 (or not applicable). */
    public boolean frameLengthFlag() {
        return frameLengthFlag;
    }

    public AudioConfig info() {
        return info;
    }

    /**
     * Whether {@link #writeAdtsHeader} can describe this configuration: ADTS has a 2-bit profile (object types 1 to
     * 4), no explicit sampling rate and a 3-bit channel configuration that cannot point at a PCE outside the frame.
     * HE-AAC is written with its core profile and rate; decoders find SBR and PS in the payload (implicit signalling).
     */
    public boolean canWriteAdts() {
        return adtsHeader >= 0;
    }

    /**
     * Writes a 7-byte ADTS header without CRC (ISO/IEC 14496-3 1.A.2.2.1 adts_fixed_header and
     * adts_variable_header: MPEG-4, one raw data block, buffer fullness 0x7FF for variable rate).
     *
     * @param out where the header goes, at its writer index; borrowed
     * @param rawFrameLength length in bytes of the raw_data_block that follows, 0 to {@link #MAX_ADTS_RAW_FRAME_BYTES}
     * @throws IllegalStateException if {@link #canWriteAdts()} is false
     * @throws IllegalArgumentException if the frame is too long for the 13-bit aac_frame_length
     */
    public void writeAdtsHeader(ByteBuf out, int rawFrameLength) {
        if (adtsHeader < 0) {
            throw new IllegalStateException("ADTS cannot carry object type " + coreObjectType
                    + ", sampling frequency index " + samplingFrequencyIndex
                    + ", channel configuration " + channelConfiguration);
        }
        if (rawFrameLength < 0 || rawFrameLength > MAX_ADTS_RAW_FRAME_BYTES) {
            throw new IllegalArgumentException("ADTS raw frame of " + rawFrameLength + " bytes; at most "
                    + MAX_ADTS_RAW_FRAME_BYTES);
        }
        long header = adtsHeader | (long) (rawFrameLength + ADTS_HEADER_BYTES) << 13;
        out.writeInt((int) (header >>> 24));
        out.writeMedium((int) header);
    }

    /** 1.A.2.2.1: the fixed and variable header as one 56-bit number, aac_frame_length (bits 13..25) left 0. */
    private static long adtsHeaderBits(int objectType, int samplingFrequencyIndex, int channelConfiguration) {
        if (objectType < 1 || objectType > 4 || samplingFrequencyIndex > 12 || channelConfiguration < 1
                || channelConfiguration > 7) {
            return -1;
        }
        long h = 0xFFF;                             // syncword
        h = h << 1;                                 // ID: 0 = MPEG-4
        h = h << 2;                                 // layer: 00
        h = h << 1 | 1;                             // protection_absent: no CRC
        h = h << 2 | (objectType - 1);              // profile_ObjectType
        h = h << 4 | samplingFrequencyIndex;        // sampling_frequency_index
        h = h << 1;                                 // private_bit
        h = h << 3 | channelConfiguration;          // channel_configuration
        h = h << 4;                                 // original_copy, home, copyright_identification_bit/start
        h = h << 13;                                // aac_frame_length, filled per frame
        h = h << 11 | 0x7FF;                        // adts_buffer_fullness: variable rate
        h = h << 2;                                 // number_of_raw_data_blocks_in_frame - 1
        return h;
    }

    /**
     * Parses an AudioSpecificConfig.
     *
     * @param asc the record, from its reader index to its writer index; borrowed, reader index unchanged. Bytes after
     *     the config (padding) are ignored.
     * @throws CodecConfigException if it is truncated, uses object type 0, a reserved sampling frequency index or
     *     channel configuration, an explicit rate of 0, or channel configuration 0 without a usable PCE
     */
    public static AacConfig parse(ByteBuf asc) throws CodecConfigException {
        try {
            return read(ByteBufUtil.getBytes(asc));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("ASC: " + e.getMessage(), e);
        }
    }

    private static AacConfig read(byte[] bytes) throws CodecConfigException {
        BitReader r = new BitReader(bytes);
        // 1.6.2.1 AudioSpecificConfig
        int audioObjectType = readAudioObjectType(r);
        int samplingFrequencyIndex = r.readBits(4);
        int samplingFrequency = readSamplingFrequency(r, samplingFrequencyIndex);
        int channelConfiguration = r.readBits(4);
        int channels = CHANNELS[channelConfiguration];
        if (channels < 0) {
            throw new CodecConfigException("channelConfiguration " + channelConfiguration + " is reserved");
        }
        int coreObjectType = audioObjectType;
        boolean sbr = false;
        boolean ps = false;
        int extensionSamplingFrequency = 0;
        if (audioObjectType == AOT_SBR || audioObjectType == AOT_PS) {
            sbr = true;
            ps = audioObjectType == AOT_PS;
            extensionSamplingFrequency = readSamplingFrequency(r, r.readBits(4));
            coreObjectType = readAudioObjectType(r);
            if (coreObjectType == AOT_SBR || coreObjectType == AOT_PS) {
                throw new CodecConfigException("SBR/PS over object type " + coreObjectType);
            }
            if (coreObjectType == AOT_ER_BSAC) {
                r.skipBits(4); // extensionChannelConfiguration
            }
        }

        boolean frameLengthFlag = false;
        boolean syncExtensionReachable = false; // only when the bits before it were all understood
        if (hasGaSpecificConfig(coreObjectType)) {
            // 4.4.1 GASpecificConfig
            frameLengthFlag = r.readFlag();
            if (r.readFlag()) { // dependsOnCoreCoder
                r.skipBits(14); // coreCoderDelay
            }
            boolean extensionFlag = r.readFlag();
            if (channelConfiguration == 0) {
                channels = programConfigElementChannels(r);
            }
            if (coreObjectType == 6 || coreObjectType == 20) {
                r.skipBits(3); // layerNr
            }
            if (extensionFlag) {
                if (coreObjectType == AOT_ER_BSAC) {
                    r.skipBits(5 + 11); // numOfSubFrame, layer_length
                }
                if (coreObjectType == 17 || coreObjectType == 19 || coreObjectType == 20 || coreObjectType == 23) {
                    r.skipBits(3); // aacSectionDataResilienceFlag, aacScalefactorDataResilienceFlag,
                                   // aacSpectralDataResilienceFlag
                }
                r.skipBits(1); // extensionFlag3
            }
            // epConfig 2 and 3 add an ErrorProtectionSpecificConfig, which is not read.
            syncExtensionReachable = !isErrorResilient(coreObjectType) || r.readBits(2) < 2;
        } else if (channelConfiguration == 0) {
            throw new CodecConfigException("channelConfiguration 0 with object type " + coreObjectType
                    + ", whose channel layout this parser does not read");
        }

        if (!sbr && syncExtensionReachable && r.bitsLeft() >= 16) {
            // Backward compatible signalling of SBR and PS; optional, so a malformed tail is ignored, not rejected.
            try {
                if (r.readBits(11) == 0x2B7 && readAudioObjectType(r) == AOT_SBR && r.readFlag()) { // sbrPresentFlag
                    int rate = readSamplingFrequency(r, r.readBits(4));
                    boolean psPresent = r.bitsLeft() >= 12 && r.readBits(11) == 0x548 && r.readFlag();
                    sbr = true;
                    ps = psPresent;
                    extensionSamplingFrequency = rate;
                }
            } catch (CodecConfigException malformedSyncExtension) {
                // keep what the mandatory part said
            }
        }
        return new AacConfig(audioObjectType, coreObjectType, samplingFrequencyIndex, samplingFrequency,
                channelConfiguration, channels, sbr, ps, extensionSamplingFrequency, frameLengthFlag);
    }

    /** 1.6.2.1 GetAudioObjectType(): 5 bits, 31 escapes to 32 + 6 more bits. */
    private static int readAudioObjectType(BitReader r) throws CodecConfigException {
        int audioObjectType = r.readBits(5);
        if (audioObjectType == 31) {
            audioObjectType = 32 + r.readBits(6);
        }
        if (audioObjectType == 0) {
            throw new CodecConfigException("audioObjectType 0 (null object)");
        }
        return audioObjectType;
    }

    private static int readSamplingFrequency(BitReader r, int index) throws CodecConfigException {
        if (index == 15) {
            int rate = r.readBits(24);
            if (rate == 0) {
                throw new CodecConfigException("explicit samplingFrequency 0");
            }
            return rate;
        }
        if (index >= SAMPLING_FREQUENCIES.length) {
            throw new CodecConfigException("samplingFrequencyIndex " + index + " is reserved");
        }
        return SAMPLING_FREQUENCIES[index];
    }

    /** 1.6.2.1: the object types whose specific config is a GASpecificConfig. */
    private static boolean hasGaSpecificConfig(int objectType) {
        return switch (objectType) {
            case 1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23 -> true;
            default -> false;
        };
    }

    /** 1.6.2.1: the error resilient object types that carry epConfig after their specific config. */
    private static boolean isErrorResilient(int objectType) {
        return switch (objectType) {
            case 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 39 -> true;
            default -> false;
        };
    }

    /**
     * 4.4.1.1 program_config_element(): returns the channel count of its front, side and back elements (2 for a
     * channel pair) plus its LFE elements. Every count is a 2- to 4-bit field, so every loop is bounded.
     */
    private static int programConfigElementChannels(BitReader r) throws CodecConfigException {
        r.skipBits(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
        int front = r.readBits(4);
        int side = r.readBits(4);
        int back = r.readBits(4);
        int lfe = r.readBits(2);
        int assocData = r.readBits(3);
        int validCc = r.readBits(4);
        if (r.readFlag()) { // mono_mixdown_present
            r.skipBits(4);
        }
        if (r.readFlag()) { // stereo_mixdown_present
            r.skipBits(4);
        }
        if (r.readFlag()) { // matrix_mixdown_idx_present
            r.skipBits(3); // matrix_mixdown_idx, pseudo_surround_enable
        }
        int channels = 0;
        for (int i = 0; i < front + side + back; i++) {
            channels += r.readFlag() ? 2 : 1; // *_element_is_cpe
            r.skipBits(4); // *_element_tag_select
        }
        channels += lfe;
        r.skipBits(4L * lfe + 4L * assocData + 5L * validCc);
        r.byteAlign(); // relative to the start of the AudioSpecificConfig, which is byte 0 here
        int commentFieldBytes = r.readBits(8);
        r.skipBits(8L * commentFieldBytes);
        if (channels == 0) {
            throw new CodecConfigException("program_config_element declares no channels");
        }
        return channels;
    }
}
