package dev.millrace.streaming.core;

import dev.millrace.streaming.core.internal.SpscRing;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's attachment to a stream: a bounded queue between the publisher's thread and the sink's executor.
 *
 * <p>Threads: packets are offered by the stream while it holds its lock (one producer at a time); they are
 * drained, and the sink called, only on the sink's executor. A subscriber that falls behind (queue full, or lagging
 * more than {@link StreamOptions#subscriberMaxLagMillis()} of media time) has its queued frames dropped up to the
 * next keyframe, never the metadata or sequence headers; one that stays behind for
 * {@link StreamOptions#slowSubscriberCloseMillis()} is closed. The publisher never waits for a subscriber.
 */
public final class Subscription implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    /** Why a subscription ended. */
    public enum CloseReason {
        /** The subscriber left ({@link #close()}). */
        UNSUBSCRIBED,
        /** It stayed behind the live edge for too long. */
        SLOW_CONSUMER,
        /** The stream or the server closed. */
        STREAM_CLOSED,
        /** The sink threw. */
        SINK_FAILED
    }

    /** Packets a subscriber must have queued before media-time lag counts (about a quarter second of A/V). */
    private static final int MIN_QUEUED_TO_LAG = 16;

    private final Stream stream;
    private final MediaSink sink;
    private final ScheduledExecutorService executor;
    private final ConnectionInfo viewer;
    private final StreamOptions options;
    private final SpscRing<Object> queue;
    private final Runnable drainTask = this::drainNow;
    private final Runnable timerTask = this::drainOnTimer;

    // Producer side (guarded by the stream's lock).
    private boolean dropping;
    private long behindSinceNanos;
    private long lagBase90k = Long.MIN_VALUE;

    // Shared.
    /** A drain is queued on the executor to run at once. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** A drain is scheduled for the end of the flush window. */
    private final AtomicBoolean timerScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Queue indices below this were dropped by the producer: the consumer discards non-config packets there. */
    private volatile long discardBefore;
    private volatile long lastDrained90k = Long.MIN_VALUE;
    private volatile boolean caughtUp = true;
    /** When the last drain started; written by the consumer, read by the producer to place the next one. */
    private volatile long lastDrainNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private final AtomicLong dropped = new AtomicLong();

    // Consumer side (the sink's executor).
    private CloseReason closeReason;

    Subscription(Stream stream, MediaSink sink, ScheduledExecutorService executor, ConnectionInfo viewer,
            StreamOptions options) {
        this.stream = stream;
        this.sink = sink;
        this.executor = executor;
        this.viewer = viewer;
        this.options = options;
        this.queue = new SpscRing<>(options.subscriberQueuePackets());
    }

    public Stream stream() {
        return stream;
    }

    /** The viewer this subscription serves, or null for an internal sink (segmenter, recorder). */
    public ConnectionInfo viewer() {
        return viewer;
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    private void countDrop() {
        dropped.incrementAndGet();
        stream.countDrop();
    }

    /** Packets dropped for this subscriber so far. */
    public long droppedPackets() {
        return dropped.get();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Producer: queues {@code packet} (retaining it) unless this subscriber is behind, in which case frames are
     * dropped up to the next keyframe. Called with the stream's lock held.
     *
     * @param resync whether {@code packet} is a point a decoder can start from (a main-track video keyframe, or any
     *     audio packet when the stream has no video)
     * @return false if this subscriber has been behind for too long and must be closed
     */
    boolean offer(MediaPacket packet, boolean resync) {
        if (closed.get()) {
            return true;
        }
        boolean config = packet.isConfig();
        if (dropping) {
            if (!resync && !config) {
                countDrop();
                return true;
            }
            if (resync) {
                dropping = false;
                lagBase90k = packet.dts90k();
            }
        }
        if (!config && isBehind(packet)) {
            long now = System.nanoTime();
            if (behindSinceNanos == 0) {
                behindSinceNanos = now;
            } else if (now - behindSinceNanos > TimeUnit.MILLISECONDS.toNanos(options.slowSubscriberCloseMillis())) {
                return false;
            }
            // Drop what is queued (the consumer discards it) and everything up to the next resync point.
            discardBefore = queue.tailIndex();
            lagBase90k = packet.dts90k();
            if (!resync) {
                dropping = true;
                countDrop();
                return true;
            }
        } else if (caughtUp) {
            behindSinceNanos = 0;
        }
        if (caughtUp && !config) {
            // The queue was empty: lag is measured from this packet on.
            lagBase90k = Math.max(lagBase90k, packet.dts90k());
        }
        // retained for the queue; released by the consumer in drain() or by releaseQueued()
        if (!queue.offer(packet.retain())) {
            packet.release();
            // Full even after a drop: the consumer is not running at all. Count it and wait for a resync point.
            discardBefore = queue.tailIndex();
            dropping = !resync;
            countDrop();
            if (behindSinceNanos == 0) {
                behindSinceNanos = System.nanoTime();
            }
        } else if (!config) {
            caughtUp = false;
        }
        return true;
    }

    private boolean isBehind(MediaPacket packet) {
        int queued = queue.size();
        if (queued >= queue.capacity() - 1) {
            return true;
        }
        if (queued < MIN_QUEUED_TO_LAG) {
            // A few queued packets are not a slow subscriber, whatever their timestamps say: a publisher's clock
            // may jump forward.
            return false;
        }
        long base = Math.max(lastDrained90k, lagBase90k);
        return base != Long.MIN_VALUE
                && packet.dts90k() - base > options.subscriberMaxLagMillis() * MediaPacket.TICKS_PER_MILLI;
    }

    /**
     * Producer: the packets queued so far are the start-up burst (cached GOP) ending at {@code liveEdge90k}; lag is
     * measured from there, not from the burst's first frame. Called with the stream's lock held.
     */
    void startAt(long liveEdge90k) {
        lagBase90k = liveEdge90k;
        caughtUp = false;
    }

    /** Producer: queues a stream event for the sink (publish or unpublish). Called with the stream's lock held. */
    void offerEvent(Object event) {
        if (!closed.get() && !queue.offer(event)) {
            // A full queue means the consumer is stuck; the slow-consumer rule will close it.
            log.debug("queue full, event {} not queued for {}", event, viewer);
        }
    }

    /** Asks the sink's executor to drain now (also when a drain is scheduled for later). */
    void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            executeOrClose(drainTask, 0, drainScheduled);
        }
    }

    /**
     * Asks the sink's executor to drain within {@code windowNanos}: now if the last drain started at least that long
     * ago (a quiet spell: nothing to wait for), otherwise at the latest {@code windowNanos} from now, unless a drain
     * comes sooner (the next video frame's {@link #scheduleDrain()}), which takes these packets with it. A timer that
     * fires after such a drain finds the queue empty and writes nothing.
     *
     * @param nowNanos the caller's {@link System#nanoTime()}
     */
    void scheduleDrain(long windowNanos, long nowNanos) {
        if (nowNanos - lastDrainNanos >= windowNanos) {
            scheduleDrain();
        } else if (timerScheduled.compareAndSet(false, true)) {
            executeOrClose(timerTask, windowNanos, timerScheduled);
        }
    }

    private void executeOrClose(Runnable task, long delayNanos, AtomicBoolean scheduled) {
        try {
            if (delayNanos <= 0) {
                executor.execute(task);
            } else {
                executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            }
        } catch (RuntimeException rejected) {
            // The executor is shutting down; its sink is going away with it.
            scheduled.set(false);
            closed.set(true);
            stream.remove(this);
            releaseQueued();
        }
    }

    /**
     * Call from the sink's executor when the sink became writable again (for a channel:
     * {@code channelWritabilityChanged}); queued packets are delivered.
     */
    public void resume() {
        if (executor.isShutdown()) {
            return;
        }
        scheduleDrain();
    }

    private void drainNow() {
        drainScheduled.set(false);
        drain();
    }

    private void drainOnTimer() {
        timerScheduled.set(false);
        drain();
    }

    /** Consumer: delivers queued packets to the sink while it is writable. */
    private void drain() {
        lastDrainNanos = System.nanoTime();
        if (closed.get()) {
            finishClose();
            return;
        }
        boolean delivered = false;
        try {
            while (sink.isWritable()) {
                long index = queue.headIndex();
                Object o = queue.poll();
                if (o == null) {
                    caughtUp = true;
                    break;
                }
                delivered = true;
                if (o instanceof MediaPacket) {
                    MediaPacket p = (MediaPacket) o;
                    try {
                        if (index < discardBefore && !p.isConfig()) {
                            countDrop();
                        } else {
                            sink.onPacket(p);
                            if (!p.isConfig()) {
                                lastDrained90k = p.dts90k();
                            }
                        }
                    } finally {
                        p.release();
                    }
                } else if (o instanceof Stream.Published) {
                    sink.onPublish(((Stream.Published) o).info());
                } else if (o instanceof Stream.Unpublished) {
                    sink.onUnpublish(((Stream.Unpublished) o).info());
                }
                if (closed.get()) {
                    break;
                }
            }
            if (delivered) {
                sink.onBatchEnd();
            }
        } catch (Throwable t) {
            log.warn("sink {} failed; closing its subscription to {}", sink.getClass().getName(), stream.path(), t);
            closeWith(CloseReason.SINK_FAILED);
        }
        if (closed.get()) {
            finishClose();
        }
    }

    /** Stops delivery and releases what is queued. Safe from any thread; idempotent. */
    @Override
    public void close() {
        closeWith(CloseReason.UNSUBSCRIBED);
    }

    /** Closes for {@code reason}: detaches from the stream now, tells the sink on its executor. */
    void closeWith(CloseReason reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        stream.remove(this);
        try {
            executor.execute(this::finishClose);
        } catch (RuntimeException rejected) {
            releaseQueued();
        }
    }

    /** Consumer: releases queued packets and notifies the sink once. */
    private void finishClose() {
        releaseQueued();
        CloseReason reason = closeReason;
        if (reason != null) {
            closeReason = null;
            try {
                sink.onClose(reason);
            } catch (Throwable t) {
                log.warn("sink {} threw from onClose", sink.getClass().getName(), t);
            }
        }
    }

    private void releaseQueued() {
        Object o;
        while ((o = queue.poll()) != null) {
            if (o instanceof MediaPacket) {
                ((MediaPacket) o).release();
            }
        }
    }

    @Override
    public String toString() {
        return "Subscription(" + stream.path() + " -> " + (viewer != null ? viewer : sink.getClass().getSimpleName())
                + ")";
    }
}
