package dev.millrace.streaming.core;

/** What a {@link MediaPacket} carries. */
public enum MediaKind {
    AUDIO,
    VIDEO,
    /** Script data: AMF0 values such as {@code onMetaData}, cue points, captions. */
    DATA
}
