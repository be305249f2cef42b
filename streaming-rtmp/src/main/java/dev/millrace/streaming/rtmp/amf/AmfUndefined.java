package dev.millrace.streaming.rtmp.amf;

/**
 * The AMF {@code undefined} value (AMF0 2.8 marker 0x06, AMF3 3.2 marker 0x00), distinct from {@code null}. Decoded
 * and encoded, but never sent by Millrace in a command slot: null is what the RTMP command object slots expect.
 */
public enum AmfUndefined {
    INSTANCE
}
