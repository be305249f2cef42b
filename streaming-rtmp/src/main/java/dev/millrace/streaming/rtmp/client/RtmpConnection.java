package dev.millrace.streaming.rtmp.client;

import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to an RTMP server, connected to one application ({@code connect} answered with
 * {@code NetConnection.Connect.Success}). Publish and play streams on it.
 *
 * <p>The futures complete on the connection's {@linkplain #eventLoop() event loop}: stages that depend on them
 * without an executor run there and must not block. Every method may be called from any thread.
 */
public final class RtmpConnection implements AutoCloseable {

    private final ClientSession session;

    RtmpConnection(ClientSession session) {
        this.session = session;
    }

    /**
     * Publishes a stream: {@code releaseStream}, {@code FCPublish} and {@code createStream} pipelined, then
     * {@code publish(name, "live")} on the new message stream.
     *
     * @param name the stream name or key, sent verbatim: a query ({@code key?s_bl=1&a=2}) is kept
     * @return completes with the publisher on {@code NetStream.Publish.Start}; fails with an
     *     {@link RtmpClientException}: {@code REJECTED} on an error status (with its code and description, e.g.
     *     {@code NetStream.Publish.Denied}) or {@code _error}, {@code CLOSED} if the connection closes first (how
     *     platforms often refuse a key), {@code TIMEOUT} after the command timeout (the connection is then closed)
     */
    public CompletableFuture<RtmpPublisher> publish(String name) {
        return session.publish(Objects.requireNonNull(name, "name"));
    }

    /**
     * Plays a stream: {@code createStream}, then {@code play(name, -2000)} (live) on the new message stream and Set
     * Buffer Length.
     *
     * @param name the stream name, sent verbatim (query kept)
     * @param listener receives statuses, metadata and media from now on, on the event loop
     * @return completes with the player on {@code NetStream.Play.Start}; fails as {@link #publish} does
     */
    public CompletableFuture<RtmpPlayer> play(String name, PlayListener listener) {
        return session.play(Objects.requireNonNull(name, "name"), Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Closes gracefully and returns at once: every started stream says goodbye ({@code FCUnpublish} +
     * {@code deleteStream} for a publisher, {@code deleteStream} for a player), that is flushed, then the socket
     * closes. Streams not yet started fail with {@code CLOSED}; players get {@code onClose(null)}. Idempotent;
     * {@link #closeFuture()} completes when the socket is closed.
     */
    @Override
    public void close() {
        session.context().channel().close();
    }

    /**
     * Completes when the connection has closed: normally after {@link #close()} (or the client's close);
     * exceptionally, with an {@link RtmpClientException}, when the server closed it ({@code CLOSED}), it broke the
     * protocol ({@code PROTOCOL}) or an answer timed out ({@code TIMEOUT}).
     */
    public CompletableFuture<Void> closeFuture() {
        return session.closeFuture();
    }

    /** True until the connection closes or {@link #close()} is called. */
    public boolean isActive() {
        return session.isConnected();
    }

    /** Where the connection goes. */
    public SocketAddress remoteAddress() {
        return session.context().channel().remoteAddress();
    }

    /** The server URL this connection was made to. */
    public RtmpUrl url() {
        return session.url();
    }

    /**
     * The event loop that runs this connection: listeners and futures run here, and publishing from here costs no
     * thread hop. Do not block it.
     */
    public EventLoop eventLoop() {
        return session.context().channel().eventLoop();
    }

    @Override
    public String toString() {
        return session.toString();
    }
}
