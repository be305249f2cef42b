package dev.millrace.streaming.core;

/**
 * Codecs Millrace recognises. Enhanced RTMP / enhanced FLV identify a codec by FourCC; legacy FLV by a 4-bit id.
 * A codec that has both (H.264, AAC, MP3) is the same codec whichever way it arrived.
 */
public enum Codec {
    // Video
    H264(MediaKind.VIDEO, "avc1", 7),
    HEVC(MediaKind.VIDEO, "hvc1", 12),
    AV1(MediaKind.VIDEO, "av01", -1),
    VP9(MediaKind.VIDEO, "vp09", -1),
    VP8(MediaKind.VIDEO, "vp08", -1),
    VVC(MediaKind.VIDEO, "vvc1", -1),
    SORENSON_H263(MediaKind.VIDEO, null, 2),
    SCREEN_VIDEO(MediaKind.VIDEO, null, 3),
    VP6(MediaKind.VIDEO, null, 4),
    VP6_ALPHA(MediaKind.VIDEO, null, 5),
    SCREEN_VIDEO_2(MediaKind.VIDEO, null, 6),

    // Audio
    AAC(MediaKind.AUDIO, "mp4a", 10),
    MP3(MediaKind.AUDIO, ".mp3", 2),
    OPUS(MediaKind.AUDIO, "Opus", -1),
    FLAC(MediaKind.AUDIO, "fLaC", -1),
    AC3(MediaKind.AUDIO, "ac-3", -1),
    EAC3(MediaKind.AUDIO, "ec-3", -1),
    LINEAR_PCM_PLATFORM(MediaKind.AUDIO, null, 0),
    ADPCM(MediaKind.AUDIO, null, 1),
    LINEAR_PCM_LE(MediaKind.AUDIO, null, 3),
    NELLYMOSER_16K_MONO(MediaKind.AUDIO, null, 4),
    NELLYMOSER_8K_MONO(MediaKind.AUDIO, null, 5),
    NELLYMOSER(MediaKind.AUDIO, null, 6),
    G711_ALAW(MediaKind.AUDIO, null, 7),
    G711_MULAW(MediaKind.AUDIO, null, 8),
    SPEEX(MediaKind.AUDIO, null, 11),
    MP3_8K(MediaKind.AUDIO, null, 14),
    DEVICE_SPECIFIC(MediaKind.AUDIO, null, 15),

    /** AMF0 script data. */
    SCRIPT(MediaKind.DATA, null, -1);

    private static final Codec[] VALUES = values();

    private final MediaKind kind;
    private final int fourCc;
    private final String fourCcString;
    private final int flvId;

    Codec(MediaKind kind, String fourCc, int flvId) {
        this.kind = kind;
        this.fourCcString = fourCc;
        this.fourCc = fourCc == null ? 0 : fourCc(fourCc);
        this.flvId = flvId;
    }

    public MediaKind kind() {
        return kind;
    }

    /** The enhanced RTMP FourCC as a big-endian int, or 0 when the codec has none. */
    public int fourCc() {
        return fourCc;
    }

    /** The FourCC as text ({@code "hvc1"}), or {@code null}. */
    public String fourCcString() {
        return fourCcString;
    }

    /**
     * The legacy FLV CodecID (video) or SoundFormat (audio), or -1 when the codec travels only as a FourCC.
     * HEVC's 12 is the unofficial id some encoders used before enhanced RTMP; it is accepted, never written.
     */
    public int flvId() {
        return flvId;
    }

    /** Looks up an enhanced RTMP FourCC of the given kind; {@code null} if unknown. */
    public static Codec byFourCc(MediaKind kind, int fourCc) {
        for (Codec c : VALUES) {
            if (c.kind == kind && c.fourCc == fourCc && fourCc != 0) {
                return c;
            }
        }
        return null;
    }

    /** Looks up a legacy FLV video CodecID or audio SoundFormat; {@code null} if unknown. */
    public static Codec byFlvId(MediaKind kind, int flvId) {
        for (Codec c : VALUES) {
            if (c.kind == kind && c.flvId == flvId && flvId >= 0) {
                return c;
            }
        }
        return null;
    }

    /** Packs four ASCII characters into a big-endian int. */
    public static int fourCc(String s) {
        if (s.length() != 4) {
            throw new IllegalArgumentException("a FourCC has four characters: " + s);
        }
        return (s.charAt(0) & 0xFF) << 24 | (s.charAt(1) & 0xFF) << 16 | (s.charAt(2) & 0xFF) << 8 | (s.charAt(3) & 0xFF);
    }

    /** Unpacks a big-endian FourCC int into text, for logs. */
    public static String fourCcToString(int fourCc) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int b = (fourCc >>> (24 - 8 * i)) & 0xFF;
            c[i] = b >= 0x20 && b < 0x7F ? (char) b : '?';
        }
        return new String(c);
    }
}
