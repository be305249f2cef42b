/**
 * Parsers for codec configuration records: H.264 avcC and SPS ({@link dev.millrace.streaming.core.codec.AvcConfig}),
 * HEVC hvcC and SPS ({@link dev.millrace.streaming.core.codec.HevcConfig}), AV1 av1C
 * ({@link dev.millrace.streaming.core.codec.Av1Config}), VP9 vpcC ({@link dev.millrace.streaming.core.codec.Vp9Config})
 * and the AAC AudioSpecificConfig ({@link dev.millrace.streaming.core.codec.AacConfig}), each summarised as a
 * {@link dev.millrace.streaming.core.codec.VideoConfig} or {@link dev.millrace.streaming.core.codec.AudioConfig}.
 *
 * <p>Every parser is a pure function of its input: it borrows the buffer it is given, leaves its reader index
 * where it was, and either returns a complete result or throws
 * {@link dev.millrace.streaming.core.codec.CodecConfigException}; no other exception escapes on malformed input.
 * Every length and count read from the wire is checked against the bytes present and against a named bound.
 *
 * <p>Strict where the data would be unusable (a truncated record, a length past the end, a reserved value that
 * changes how the rest is read), lenient where it is still usable: trailing optional fields of a parameter set
 * (the VUI, and in HEVC everything after the bit depths) may be missing or odd, in which case only the frame rate
 * is reported as unknown. Encoders in the field (hardware encoders, mobile apps) are known to send such data.
 */
package dev.millrace.streaming.core.codec;
