package dev.millrace.streaming.core.flv;

/**
 * Thrown when bytes that should form an FLV file header or FLV tag do not: a wrong signature, an encrypted tag, a
 * DataSize above the caller's limit, a truncated RTMP aggregate message. Media tag bodies never throw it:
 * {@link FlvMediaParser} reports problems there as a {@link FlvMediaParser.Result}.
 */
public class FlvFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FlvFormatException(String message) {
        super(message);
    }
}
