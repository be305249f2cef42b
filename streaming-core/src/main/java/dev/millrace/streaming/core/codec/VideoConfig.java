package dev.millrace.streaming.core.codec;

import dev.millrace.streaming.core.Codec;
import java.util.Objects;

/**
 * What a video decoder configuration says about the stream, in the form stats, listeners and playlists need.
 *
 * @param codec the video codec
 * @param width display width in pixels after cropping (H.264 frame cropping, HEVC conformance window), or 0 when
 *     the configuration does not carry it (VP9, AV1 without a sequence header OBU)
 * @param height display height in pixels after cropping, or 0 when unknown; for interlaced H.264 the frame
 *     height (both fields)
 * @param profile the profile number as the codec defines it: H.264 {@code profile_idc}, HEVC
 *     {@code general_profile_idc}, AV1 {@code seq_profile}, VP9 profile
 * @param profileName a human-readable profile name ({@code "High"}, {@code "Main 10"})
 * @param level the level number as the codec codes it: H.264 {@code level_idc} (31 for level 3.1), HEVC
 *     {@code general_level_idc} (93 for level 3.1), AV1 {@code seq_level_idx} (5 for level 3.1), VP9 level (31
 *     for level 3.1); 0 when not signalled
 * @param bitDepth luma bit depth (8, 10, 12...)
 * @param chromaFormat 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (H.264 {@code chroma_format_idc} semantics)
 * @param frameRate frames per second from the stream's timing information, or 0 when it is absent or unreadable
 * @param rfc6381 the RFC 6381 {@code CODECS} value for an HLS playlist ({@code "avc1.64001F"},
 *     {@code "hvc1.1.6.L93.90"}, {@code "av01.0.05M.08"}, {@code "vp09.00.21.08"})
 */
public record VideoConfig(Codec codec, int width, int height, int profile, String profileName, int level,
                          int bitDepth, int chromaFormat, double frameRate, String rfc6381) {

    public VideoConfig {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(profileName, "profileName");
        Objects.requireNonNull(rfc6381, "rfc6381");
    }
}
