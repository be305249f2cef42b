package dev.millrace.streaming.rtmp.amf;

/**
 * An AMF date (AMF0 2.13 marker 0x0B, AMF3 3.10 marker 0x08).
 *
 * @param epochMillis milliseconds since 1970-01-01T00:00:00Z, as the wire double (may be fractional or NaN)
 * @param timeZone the AMF0 S16 time-zone field, which the AMF0 specification reserves and senders set to 0; always 0
 *     for AMF3 dates, which have no such field
 */
public record AmfDate(double epochMillis, int timeZone) {
}
