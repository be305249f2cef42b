package dev.millrace.streaming.core.codec;

/**
 * A codec configuration record (avcC, hvcC, av1C, vpcC, AudioSpecificConfig) or a parameter set inside one is
 * malformed, truncated, or breaks a bound this package enforces. Checked on purpose: a stream that sends a bad
 * configuration keeps the previous good one, and the caller decides whether that is fatal.
 */
public final class CodecConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public CodecConfigException(String message) {
        super(message);
    }

    public CodecConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
