package dev.millrace.streaming.core;

import java.util.Map;

/**
 * Receives what happens on a server: connections, publishing, playing, metadata, refused requests.
 *
 * <p>Every method has an empty default, so implement only what you need. Events arrive on one dedicated thread,
 * in the order they happened, never on a network thread. Methods should return quickly, must not block on the
 * server, and must not throw: an exception is logged once and otherwise ignored; the stream goes on. Events carry
 * metadata ({@link StreamInfo}, {@link ConnectionInfo}), never media buffers.
 */
public interface StreamListener {

    /** A client connected (for RTMP: after its {@code connect} command). */
    default void onConnect(ConnectionInfo connection) {
    }

    /** A client's connection closed, for whatever reason. */
    default void onDisconnect(ConnectionInfo connection) {
    }

    /** A publisher started streaming {@code stream} (under its public name). */
    default void onPublishStart(StreamInfo stream) {
    }

    /** A publisher stopped: it unpublished, disconnected, was taken over by a new publisher, or the server closed. */
    default void onPublishStop(StreamInfo stream) {
    }

    /** A viewer started playing. */
    default void onPlayStart(StreamInfo stream, ConnectionInfo viewer) {
    }

    /** A viewer stopped playing. */
    default void onPlayStop(StreamInfo stream, ConnectionInfo viewer) {
    }

    /**
     * The publisher sent metadata ({@code onMetaData}): width, height, framerate, encoder... Values are Double,
     * Boolean, String or nested maps.
     */
    default void onMetadata(StreamInfo stream, Map<String, Object> metadata) {
    }

    /**
     * A publish or play request was refused by the authorizer (or the authorizer failed or timed out).
     * {@code request.toString()} is safe to log: it never shows the stream key.
     */
    default void onAuthDenied(AuthRequest request, String reason) {
    }
}
