package dev.millrace.streaming.rtmp.client;

import java.io.IOException;

/**
 * Why a connection, a publish or a play failed: a stable {@link #reason()} to decide what to do (retry with back-off,
 * give up, fix the configuration) and, when the server said why, its status {@link #code()} and
 * {@link #description()}.
 */
public final class RtmpClientException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Reason reason;
    private final String code;
    private final String description;

    public RtmpClientException(Reason reason, String message) {
        this(reason, message, null, null, null);
    }

    public RtmpClientException(Reason reason, String message, Throwable cause) {
        this(reason, message, null, null, cause);
    }

    /**
     * @param code the server's status code, e.g. {@code NetStream.Publish.Denied}, or null
     * @param description the server's description, or null
     */
    public RtmpClientException(Reason reason, String message, String code, String description, Throwable cause) {
        super(reason.name() + ": " + message, cause);
        this.reason = reason;
        this.code = code;
        this.description = description;
    }

    public Reason reason() {
        return reason;
    }

    /** The status code the server answered with ({@code NetConnection.Connect.Rejected}...), or null. */
    public String code() {
        return code;
    }

    /** The server's description of the refusal, or null. */
    public String description() {
        return description;
    }

    /** What went wrong, as a stable code for retry decisions, logs and metrics. */
    public enum Reason {
        /** The URL cannot be used: not {@code rtmp://host[:port]/app}, or {@code rtmps://} without TLS. */
        BAD_URL,
        /** No TCP connection: refused, unreachable, unknown host. Usually worth a retry with back-off. */
        CONNECT_FAILED,
        /** The TCP connect, the handshake or a command answer took longer than its timeout. */
        TIMEOUT,
        /**
         * The server refused: {@code _error}, or an {@code onStatus} of level {@code error}. {@link #code()} and
         * {@link #description()} say why (a wrong stream key, say); retrying the same request rarely helps.
         */
        REJECTED,
        /**
         * The connection closed before the answer came, or closed while in use. Platforms often close instead of
         * refusing a bad stream key (RTMP-FIELD-GUIDE §8).
         */
        CLOSED,
        /** The server broke the RTMP protocol or one of the client's {@code RtmpLimits}. */
        PROTOCOL
    }
}
