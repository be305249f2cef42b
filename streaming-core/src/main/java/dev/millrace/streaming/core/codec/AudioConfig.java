package dev.millrace.streaming.core.codec;

import dev.millrace.streaming.core.Codec;
import java.util.Objects;

/**
 * What an audio decoder configuration says about the stream, in the form stats, listeners and playlists need.
 *
 * @param codec the audio codec
 * @param sampleRate output sampling rate in Hz (for HE-AAC the SBR rate, twice the core rate)
 * @param channels output channel count, or 0 when the configuration does not say
 * @param objectType the MPEG-4 audio object type (2 AAC LC, 5 HE-AAC, 29 HE-AAC v2), escape codes resolved
 *     (ISO/IEC 14496-3 1.6.2.1)
 * @param rfc6381 the RFC 6381 {@code CODECS} value for an HLS playlist ({@code "mp4a.40.2"})
 */
public record AudioConfig(Codec codec, int sampleRate, int channels, int objectType, String rfc6381) {

    public AudioConfig {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(rfc6381, "rfc6381");
    }
}
