package dev.millrace.streaming.core;

/** The role of a {@link MediaPacket} within its track. */
public enum PacketType {
    /** Coded media: one access unit (video) or one or more audio frames. */
    FRAME,
    /**
     * Decoder configuration: AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord, av1C, vpcC,
     * AudioSpecificConfig, Opus ID header, FLAC STREAMINFO. Cached by the stream and sent to every new subscriber.
     */
    SEQUENCE_HEADER,
    /** End of sequence (the encoder stops or is about to change configuration). Empty payload. */
    SEQUENCE_END,
    /**
     * Metadata: for {@link MediaKind#DATA} the AMF0 {@code "onMetaData", object} body; for video the enhanced
     * RTMP {@code colorInfo} AMF body; for audio the enhanced RTMP multichannel configuration.
     */
    METADATA
}
