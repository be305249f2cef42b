package dev.millrace.streaming.bench;

import java.util.HexFormat;

/**
 * Real decoder configurations, captured from encoders, that the synthetic streams of the benchmarks and the load
 * harness start with: a server or player that inspects them (to build an HLS init, to log the profile) sees what
 * OBS or FFmpeg would send.
 */
public final class CodecConfigVectors {

    /**
     * AVC sequence header as an FLV VIDEODATA body: {@code 17 00 000000} then the avcC of libx264 Main 1280x720 25 fps
     * (streaming-core's golden file {@code h264-main-1280x720-25fps.avcC}, made by FFmpeg 8.0.1 from bytedeco, see
     * that directory's README).
     */
    public static final String AVC_SEQUENCE_HEADER_HEX = "1700000000"
            + "014d401fffe10019674d401feca02802dd80880000030008000003019078c18cb001000568ebe3cb20";

    /**
     * AAC sequence header as an FLV AUDIODATA body: {@code AF 00} then the AudioSpecificConfig of FFmpeg's
     * {@code aac} encoder at 48 kHz stereo (golden file {@code aac-lc-48000-stereo.asc}).
     */
    public static final String AAC_SEQUENCE_HEADER_HEX = "af00" + "119056e500";

    /** Width of the picture the avcC's SPS describes. */
    public static final int AVC_WIDTH = 1280;
    /** Height of the picture the avcC's SPS describes. */
    public static final int AVC_HEIGHT = 720;
    /** Sample rate the AudioSpecificConfig describes. */
    public static final int AAC_SAMPLE_RATE = 48_000;
    /** Samples per AAC-LC frame. */
    public static final int AAC_FRAME_SAMPLES = 1024;

    private CodecConfigVectors() {
    }

    /** The AVCDecoderConfigurationRecord alone (ISO 14496-15 5.3.3.1), without the 5-byte FLV header. New array. */
    public static byte[] avcDecoderConfigurationRecord() {
        byte[] body = HexFormat.of().parseHex(AVC_SEQUENCE_HEADER_HEX);
        byte[] record = new byte[body.length - 5];
        System.arraycopy(body, 5, record, 0, record.length);
        return record;
    }

    /** The AudioSpecificConfig alone (ISO 14496-3 1.6.2.1), without the 2-byte FLV header. New array. */
    public static byte[] aacAudioSpecificConfig() {
        byte[] body = HexFormat.of().parseHex(AAC_SEQUENCE_HEADER_HEX);
        byte[] config = new byte[body.length - 2];
        System.arraycopy(body, 2, config, 0, config.length);
        return config;
    }
}
