package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.rtmp.chunk.PreChunkedMessage;
import dev.millrace.streaming.rtmp.media.MediaMessageEncoding;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A stream being published: obtained from {@link RtmpConnection#publish} once the server said
 * {@code NetStream.Publish.Start}.
 *
 * <p>Writes are not flushed per message: call {@link #flush()} after a batch (a frame and its audio, say). Sending
 * never waits for the server's acknowledgements; watch {@link #isWritable()} and {@link #whenWritable} to keep the
 * amount of unsent data bounded.
 *
 * <p>Thread-safe: every method may be called from any thread; sending from the connection's
 * {@linkplain RtmpConnection#eventLoop() event loop} is the cheapest. Messages are sent in the order of the calls
 * of one thread.
 */
public final class RtmpPublisher extends ClientStream implements AutoCloseable {

    private static final long U32 = 0xFFFFFFFFL;

    final CompletableFuture<RtmpPublisher> future = new CompletableFuture<>();
    private final MediaMessageEncoding encoding;
    /** Written on the event loop, read by senders on any thread. */
    private volatile boolean open;

    RtmpPublisher(ClientSession session, String name, MediaMessageEncoding encoding) {
        super(session, name);
        this.encoding = encoding;
    }

    /** The stream name as passed to {@code publish}, query included. */
    public String name() {
        return name;
    }

    /** The connection this stream is published on. */
    public RtmpConnection connection() {
        return session.connection();
    }

    /** True until {@link #close()} or the end of the connection. */
    public boolean isOpen() {
        return open;
    }

    /**
     * Sends one packet, not flushed. Takes ownership of {@code packet}: it is released here, whatever happens.
     *
     * <p>The RTMP message: FLV tag body header ({@code FlvMediaWriter}) and payload; type 8 audio on chunk stream 6,
     * 9 video on 7, 18 data on 5; timestamp {@code packet.dtsMillis()} modulo 2^32; the message stream of this
     * publish. A {@link dev.millrace.streaming.core.PacketType#METADATA} data packet (payload {@code "onMetaData",
     * values}) is sent as {@code "@setDataFrame", "onMetaData", values}, as publishers do. The chunked form is built
     * once per packet and chunk size and shared with every other publisher that sends the same packet.
     *
     * <p>After the publisher or its connection closed, packets are released and dropped.
     *
     * @throws IllegalArgumentException if the packet has no FLV form (see {@code FlvMediaWriter}) or would make a
     *     message longer than 0xFFFFFF bytes; the packet is released
     */
    public void send(MediaPacket packet) {
        try {
            if (!open) {
                return;
            }
            PreChunkedMessage msg = encoding.message(packet, packet.dtsMillis() & U32, streamId);
            session.writeUnflushed(msg);
        } finally {
            packet.release();
        }
    }

    /**
     * Sends {@code "@setDataFrame", "onMetaData", values} as an ECMA array (data message 18, timestamp 0), not
     * flushed; the server keeps it for its players. Values: numbers, booleans, strings, nested maps (see
     * {@code Amf0Writer}).
     *
     * @throws IllegalArgumentException if a value has no AMF0 form
     */
    public void sendMetadata(Map<String, ?> values) {
        if (open) {
            session.writeUnflushed(session.metadataMessage(streamId, values));
        }
    }

    /** Flushes what was sent. */
    public void flush() {
        session.flush();
    }

    /** Whether the connection takes more data without growing its buffer past the high watermark. */
    public boolean isWritable() {
        return session.isWritable();
    }

    /**
     * Runs {@code task} once, on the connection's event loop, as soon as the connection is writable: at once if it is
     * now, else when its pending data drains below the low watermark, or when the connection closes (check
     * {@link #isOpen()}).
     */
    public void whenWritable(Runnable task) {
        session.whenWritable(task);
    }

    /**
     * Stops publishing: sends {@code FCUnpublish(name)} and {@code deleteStream(id)} (as FFmpeg does) and flushes;
     * the connection stays open (close it with {@link RtmpConnection#close()}). Idempotent.
     */
    @Override
    public void close() {
        session.closeStream(this);
    }

    // ---------------------------------------------------------------- ClientStream, on the event loop

    @Override
    boolean publishing() {
        return true;
    }

    @Override
    void writeStart() {
        session.writeStreamCommand(streamId, "publish", startTransaction, name, "live");
    }

    @Override
    boolean isStartCode(String code) {
        return "NetStream.Publish.Start".equals(code);
    }

    @Override
    void started() {
        open = true;
        future.complete(this);
    }

    @Override
    void failed(RtmpClientException cause) {
        open = false;
        future.completeExceptionally(cause);
    }

    @Override
    void ended(Throwable cause) {
        open = false;
    }

    @Override
    void writeGoodbye() {
        open = false;
        session.writeConnectionCommand("FCUnpublish", name);
        session.writeConnectionCommand("deleteStream", (double) streamId);
    }

    @Override
    public String toString() {
        return "RtmpPublisher(msid=" + streamId + " " + phase + ")";
    }
}
