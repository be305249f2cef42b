package dev.millrace.streaming.rtmp.handshake;

/**
 * User event fired once per connection by {@link ServerHandshakeHandler} and {@link ClientHandshakeHandler} when the
 * RTMP handshake is done and the handler has left the pipeline. It reaches the handlers that followed the handshake
 * handler before any byte that arrived after the handshake: those bytes are the first chunks and are passed on
 * right after this event.
 *
 * @param complex true when the server answered a digest-signed ("complex") C1 with a signed S1 and S2; false for
 *                the plain RTMP 1.0 handshake (always false on the client side, which sends a plain C1)
 */
public record HandshakeCompleted(boolean complex) {
}
