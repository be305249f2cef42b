package dev.millrace.streaming.rtmp.amf;

/**
 * The AMF0 {@code unsupported} value (AMF0 2.15 marker 0x0D): a placeholder a sender writes for a value it could not
 * serialize.
 */
public enum AmfUnsupported {
    INSTANCE
}
