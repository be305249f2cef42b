package dev.millrace.streaming.rtmp;

import io.netty.handler.codec.DecoderException;

/**
 * A peer broke the RTMP protocol or one of the {@link RtmpLimits}. The connection that raised it is closed with
 * one logged line naming {@link #reason()}; no other connection is affected.
 */
public final class RtmpProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public RtmpProtocolException(Reason reason, String detail) {
        super(reason.name() + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Why a connection was closed, as a stable code for logs and metrics. */
    public enum Reason {
        BAD_HANDSHAKE,
        BAD_CHUNK_HEADER,
        MESSAGE_TOO_LARGE,
        MESSAGE_LENGTH_CHANGED,
        BAD_CHUNK_SIZE,
        TOO_MANY_CHUNK_STREAMS,
        BUFFER_LIMIT,
        BAD_CONTROL_MESSAGE,
        BAD_AMF,
        BAD_COMMAND,
        BAD_NAME,
        BAD_MEDIA,
        TIMEOUT
    }
}
