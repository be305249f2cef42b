package dev.millrace.streaming.core;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A publisher's hold on a {@link Stream}, from {@link StreamRegistry#publish} until {@link #close()} (or until a
 * newer publisher takes the stream over). Its methods are called on the publisher's thread.
 */
public final class Publication implements AutoCloseable {

    private final Stream stream;
    private final ConnectionInfo publisher;
    private final Runnable onTakenOver;
    private final Instant startedAt = Instant.now();
    private final AtomicBoolean ended = new AtomicBoolean();

    // Timeline mapping, written by the stream under its lock.
    boolean timelineKnown;
    long offset90k;
    /** A video packet was published since the last flush (publisher's thread). */
    boolean videoSinceFlush;

    Publication(Stream stream, ConnectionInfo publisher, Runnable onTakenOver) {
        this.stream = stream;
        this.publisher = publisher;
        this.onTakenOver = onTakenOver;
    }

    public Stream stream() {
        return stream;
    }

    public ConnectionInfo publisher() {
        return publisher;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Whether this publication still owns its stream. */
    public boolean isActive() {
        return !ended.get();
    }

    /**
     * Publishes a packet to every subscriber and caches what new subscribers need. Takes ownership of
     * {@code packet}. Subscribers receive it after the next {@link #flush()}.
     *
     * @return false if this publication no longer owns the stream (it was taken over or closed); the packet is
     *     released either way
     */
    public boolean publish(MediaPacket packet) {
        if (ended.get()) {
            packet.release();
            return false;
        }
        return stream.publish(this, packet);
    }

    /**
     * Hands everything published since the last flush to the subscribers. Call it at the end of each batch of
     * input (for a network publisher: at the end of each socket read).
     */
    public void flush() {
        if (!ended.get()) {
            stream.flush(this);
        }
    }

    /** Records the publisher's metadata ({@code onMetaData} values) for {@link StreamInfo} and listeners. */
    public void metadata(Map<String, Object> values) {
        if (!ended.get()) {
            stream.metadata(this, values);
        }
    }

    /** Records the main video track's size as its codec configuration states it. */
    public void videoSize(int width, int height) {
        if (!ended.get()) {
            stream.videoSize(width, height);
        }
    }

    /** Records the main audio track's format as its codec configuration states it. */
    public void audioFormat(int sampleRate, int channels) {
        if (!ended.get()) {
            stream.audioFormat(sampleRate, channels);
        }
    }

    /** Ends this publication: subscribers learn the stream is unpublished. Idempotent. */
    @Override
    public void close() {
        if (ended.compareAndSet(false, true)) {
            stream.endPublication(this);
        }
    }

    /** Marks the publication over without unpublishing (a newer publisher has the stream). */
    void markEnded() {
        ended.set(true);
    }

    void notifyTakenOver() {
        if (onTakenOver != null) {
            onTakenOver.run();
        }
    }

    @Override
    public String toString() {
        return "Publication(" + stream.path() + " by " + publisher + ")";
    }
}
