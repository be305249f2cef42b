package dev.millrace.streaming.core.flv;

/**
 * Wire constants of the FLV media tag bodies shared by {@link FlvMediaParser} and {@link FlvMediaWriter}. Names follow
 * the specifications: FLV 10.1 Annex E.4.2 (AUDIODATA) and E.4.3 (VIDEODATA), enhanced RTMP v2 "Enhanced Audio" and
 * "Enhanced Video" (E2).
 */
final class FlvFields {

    private FlvFields() {
    }

    // Video byte 0 [FLV 10.1 E.4.3.1; E2 Enhanced Video]: bit 7 IsExHeader, bits 6-4 FrameType, bits 3-0 CodecID
    // (legacy) or VideoPacketType (enhanced).
    static final int VIDEO_IS_EX_HEADER = 0x80;

    static final int FRAME_TYPE_KEY = 1;
    static final int FRAME_TYPE_INTER = 2;
    static final int FRAME_TYPE_DISPOSABLE = 3;
    static final int FRAME_TYPE_GENERATED_KEY = 4;
    static final int FRAME_TYPE_COMMAND = 5;

    /** Legacy CodecID 7 [FLV 10.1 E.4.3.1]. */
    static final int CODEC_ID_AVC = 7;
    /** Legacy CodecID 12: HEVC as sent by pre-enhanced-RTMP encoders with the AVC layout; read, never written. */
    static final int CODEC_ID_HEVC_LEGACY = 12;

    // AVCPacketType [FLV 10.1 E.4.3.1, AVCVIDEOPACKET]
    static final int AVC_SEQUENCE_HEADER = 0;
    static final int AVC_NALU = 1;
    static final int AVC_END_OF_SEQUENCE = 2;

    // VideoPacketType [E2 Enhanced Video]
    static final int VIDEO_SEQUENCE_START = 0;
    static final int VIDEO_CODED_FRAMES = 1;
    static final int VIDEO_SEQUENCE_END = 2;
    static final int VIDEO_CODED_FRAMES_X = 3;
    static final int VIDEO_METADATA = 4;
    static final int VIDEO_MPEG2TS_SEQUENCE_START = 5;
    static final int VIDEO_MULTITRACK = 6;
    static final int VIDEO_MOD_EX = 7;

    // Audio byte 0 [FLV 10.1 E.4.2.1; E2 Enhanced Audio]: bits 7-4 SoundFormat, bits 3-0 SoundRate/SoundSize/SoundType
    // (legacy) or AudioPacketType (SoundFormat 9).
    static final int SOUND_FORMAT_EX_HEADER = 9;
    static final int SOUND_FORMAT_AAC = 10;
    /** SoundRate 3 (44 kHz), SoundSize 1 (16 bit), SoundType 1 (stereo): what FLV 10.1 E.4.2.1 says AAC always uses. */
    static final int SOUND_FLAGS_44K_16BIT_STEREO = 0x0F;

    // AACPacketType [FLV 10.1 E.4.2.2]
    static final int AAC_SEQUENCE_HEADER = 0;
    static final int AAC_RAW = 1;

    // AudioPacketType [E2 Enhanced Audio]
    static final int AUDIO_SEQUENCE_START = 0;
    static final int AUDIO_CODED_FRAMES = 1;
    static final int AUDIO_SEQUENCE_END = 2;
    static final int AUDIO_MULTICHANNEL_CONFIG = 4;
    static final int AUDIO_MULTITRACK = 5;
    static final int AUDIO_MOD_EX = 7;

    // AudioChannelOrder [E2 Enhanced Audio]
    static final int CHANNEL_ORDER_UNSPECIFIED = 0;
    static final int CHANNEL_ORDER_NATIVE = 1;
    static final int CHANNEL_ORDER_CUSTOM = 2;

    // AvMultitrackType [E2], the high nibble of the byte after a Multitrack packet type; the low nibble is the packet
    // type of every track.
    static final int MULTITRACK_ONE_TRACK = 0;
    static final int MULTITRACK_MANY_TRACKS = 1;
    static final int MULTITRACK_MANY_TRACKS_MANY_CODECS = 2;

    /** ModEx type 0 [E2]: modExData is a UI24 nanosecond offset (0..999999) for this message only. */
    static final int MOD_EX_TIMESTAMP_OFFSET_NANO = 0;

    /** SI24 range of CompositionTime [FLV 10.1 E.4.3.1; E2]. */
    static final int SI24_MIN = -0x80_0000;
    static final int SI24_MAX = 0x7F_FFFF;
}
