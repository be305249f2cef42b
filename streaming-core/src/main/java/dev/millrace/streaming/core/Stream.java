package dev.millrace.streaming.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live stream: at most one publisher, any number of subscribers.
 *
 * <p>The stream keeps what a new subscriber needs to start at once: the metadata, the sequence header of every
 * track, and the packets since the last keyframe (the GOP cache, bounded by {@link StreamOptions}). It keeps one
 * continuous timeline across publishers: when a publisher takes over or a new one starts while subscribers are
 * attached, its timestamps are shifted to continue just after the last packet sent, so players keep playing.
 *
 * <p>Threads: {@link Publication#publish} runs on the publisher's thread; subscribing, closing and snapshots from
 * any thread. One lock guards the caches and the subscriber list; work under it is short (reference counting and
 * queueing), never I/O.
 */
public final class Stream {

    private static final Logger log = LoggerFactory.getLogger(Stream.class);
    private static final long RATE_WINDOW_NANOS = 5_000_000_000L;

    /** Queued to sinks when a publisher starts. */
    record Published(StreamInfo info) {
    }

    /** Queued to sinks when the publisher stops. */
    record Unpublished(StreamInfo info) {
    }

    private final StreamRegistry registry;
    private final String app;
    private final String name;
    private final StreamOptions options;
    private final Object lock = new Object();

    // Guarded by lock.
    private Publication publication;
    private MediaPacket metadata;
    private final List<MediaPacket> sequenceHeaders = new ArrayList<>(4);
    private final ArrayDeque<MediaPacket> gop = new ArrayDeque<>();
    private long gopBytes;
    private boolean hasVideo;
    private List<Subscription> subscriptions = Collections.emptyList();
    private int peakViewers;
    private long lastDts90k = Long.MIN_VALUE;
    private boolean closed;
    private Map<String, Object> metadataValues = Map.of();

    // Written by the publisher's thread only, read by snapshots.
    private volatile long bytesIn;
    private volatile long videoFrames;
    private volatile long audioFrames;
    private volatile long keyframes;
    /** Packets dropped for slow subscribers, counted by the subscriptions as they drop. */
    private final LongAdder droppedPackets = new LongAdder();
    private volatile long slowClosed;
    private volatile Codec videoCodec;
    private volatile Codec audioCodec;
    private volatile int width;
    private volatile int height;
    private volatile int audioSampleRate;
    private volatile int audioChannels;
    private final RateWindow rate = new RateWindow();

    Stream(StreamRegistry registry, String app, String name, StreamOptions options) {
        this.registry = registry;
        this.app = app;
        this.name = name;
        this.options = options;
    }

    public String app() {
        return app;
    }

    public String name() {
        return name;
    }

    /** {@code app/name}. */
    public String path() {
        return app + "/" + name;
    }

    public StreamOptions options() {
        return options;
    }

    /** Whether a publisher is active. */
    public boolean isPublishing() {
        synchronized (lock) {
            return publication != null;
        }
    }

    /** Number of subscribers. */
    public int viewers() {
        synchronized (lock) {
            return subscriptions.size();
        }
    }

    /**
     * Attaches {@code sink}. It first receives the stream's metadata, sequence headers and cached GOP, then live
     * packets, all on {@code executor}.
     *
     * @param viewer the connection this sink serves (for events and stats), or null for internal sinks
     * @return the subscription, or null if the stream has closed (look it up again)
     */
    public Subscription subscribe(MediaSink sink, ScheduledExecutorService executor, ConnectionInfo viewer) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(executor, "executor");
        Subscription s = new Subscription(this, sink, executor, viewer, options);
        StreamInfo info;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            info = publication != null ? infoLocked() : null;
            if (info != null) {
                s.offerEvent(new Published(info));
            }
            if (metadata != null) {
                s.offer(metadata, false);
            }
            // Audio configuration first, then video: the order SRS and nginx use for a fast start.
            for (MediaPacket h : sequenceHeaders) {
                if (h.kind() == MediaKind.AUDIO) {
                    s.offer(h, false);
                }
            }
            for (MediaPacket h : sequenceHeaders) {
                if (h.kind() != MediaKind.AUDIO) {
                    s.offer(h, false);
                }
            }
            for (MediaPacket p : gop) {
                s.offer(p, false);
            }
            if (!gop.isEmpty()) {
                s.startAt(gop.peekLast().dts90k());
            }
            List<Subscription> next = new ArrayList<>(subscriptions.size() + 1);
            next.addAll(subscriptions);
            next.add(s);
            subscriptions = next;
            peakViewers = Math.max(peakViewers, next.size());
        }
        s.scheduleDrain();
        if (viewer != null) {
            StreamInfo snapshot = info != null ? info : info();
            registry.events().fire("onPlayStart", l -> l.onPlayStart(snapshot, viewer));
        }
        return s;
    }

    /** Called by a subscription for every packet it drops. */
    void countDrop() {
        droppedPackets.increment();
    }

    /** Called by a subscription that closed. */
    void remove(Subscription s) {
        boolean removed = false;
        boolean empty;
        synchronized (lock) {
            if (subscriptions.contains(s)) {
                List<Subscription> next = new ArrayList<>(subscriptions);
                next.remove(s);
                subscriptions = next;
                removed = true;
            }
            empty = subscriptions.isEmpty() && publication == null;
        }
        if (removed && s.viewer() != null) {
            StreamInfo snapshot = info();
            registry.events().fire("onPlayStop", l -> l.onPlayStop(snapshot, s.viewer()));
        }
        if (empty) {
            registry.removeIfIdle(this);
        }
    }

    /** Starts a publication. Called by the registry with its own lock held. */
    Publication startPublication(ConnectionInfo publisher, Runnable onTakenOver) {
        Publication old;
        Publication pub;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            old = publication;
            if (old != null && options.takeoverPolicy() == TakeoverPolicy.REJECT) {
                return null;
            }
            pub = new Publication(this, publisher, onTakenOver);
            publication = pub;
            if (old != null) {
                old.markEnded();
            }
            clearCachesLocked();
            StreamInfo info = infoLocked();
            for (Subscription s : subscriptions) {
                s.offerEvent(new Published(info));
            }
        }
        if (old != null) {
            log.info("{}: publisher {} taken over by {}", path(), old.publisher(), publisher);
            StreamInfo stopped = info(old);
            registry.events().fire("onPublishStop", l -> l.onPublishStop(stopped));
            old.notifyTakenOver();
        }
        drainAllNow();
        StreamInfo started = info();
        registry.events().fire("onPublishStart", l -> l.onPublishStart(started));
        return pub;
    }

    /** Publisher's thread: see {@link Publication#publish}. */
    boolean publish(Publication pub, MediaPacket packet) {
        MediaPacket p = packet;
        List<Subscription> slow = null;
        try {
            synchronized (lock) {
                if (publication != pub) {
                    return false;
                }
                p = onTimeline(pub, p);
                pub.videoSinceFlush |= p.kind() == MediaKind.VIDEO;
                count(p);
                boolean resync = isResyncPoint(p);
                cache(p);
                for (Subscription s : subscriptions) {
                    if (!s.offer(p, resync)) {
                        if (slow == null) {
                            slow = new ArrayList<>(2);
                        }
                        slow.add(s);
                    }
                }
            }
        } finally {
            p.release();
        }
        if (slow != null) {
            for (Subscription s : slow) {
                log.info("{}: closing {}: behind the live edge for more than {} ms", path(), s,
                        options.slowSubscriberCloseMillis());
                slowClosed++;
                s.closeWith(Subscription.CloseReason.SLOW_CONSUMER);
            }
        }
        return true;
    }

    /** Shifts the publisher's timestamps onto the stream's continuous timeline. Returns the packet to use (owned). */
    private MediaPacket onTimeline(Publication pub, MediaPacket p) {
        if (!pub.timelineKnown && !p.isConfig()) {
            pub.timelineKnown = true;
            // Continue just after what subscribers already got; a fresh stream keeps the publisher's own times.
            pub.offset90k = lastDts90k == Long.MIN_VALUE ? 0 : lastDts90k + MediaPacket.TICKS_PER_MILLI - p.dts90k();
        }
        if (pub.offset90k != 0) {
            MediaPacket shifted = p.shifted(pub.offset90k);
            p.release();
            p = shifted;
        }
        if (!p.isConfig() && p.dts90k() > lastDts90k) {
            lastDts90k = p.dts90k();
        }
        return p;
    }

    private void count(MediaPacket p) {
        int size = p.size();
        bytesIn += size;
        rate.add(size, p.kind() == MediaKind.VIDEO && p.type() == PacketType.FRAME && p.trackId() == 0);
        if (p.type() != PacketType.FRAME) {
            return;
        }
        if (p.kind() == MediaKind.VIDEO) {
            videoFrames++;
            if (p.isKeyframe()) {
                keyframes++;
            }
        } else if (p.kind() == MediaKind.AUDIO) {
            audioFrames++;
        }
    }

    private boolean isResyncPoint(MediaPacket p) {
        if (p.kind() == MediaKind.VIDEO) {
            return p.type() == PacketType.FRAME && p.trackId() == 0 && p.isKeyframe();
        }
        return p.kind() == MediaKind.AUDIO && !hasVideo;
    }

    private void cache(MediaPacket p) {
        if (p.isConfig()) {
            if (p.kind() == MediaKind.DATA) {
                replace(metadata);
                metadata = p.retain(); // released when replaced or when the caches clear
                return;
            }
            if (p.type() == PacketType.SEQUENCE_HEADER) {
                if (p.kind() == MediaKind.VIDEO) {
                    hasVideo = true;
                    if (p.trackId() == 0) {
                        videoCodec = p.codec();
                    }
                } else if (p.trackId() == 0) {
                    audioCodec = p.codec();
                }
                for (int i = 0; i < sequenceHeaders.size(); i++) {
                    MediaPacket h = sequenceHeaders.get(i);
                    if (h.kind() == p.kind() && h.trackId() == p.trackId()) {
                        h.release();
                        sequenceHeaders.set(i, p.retain()); // released when replaced or when the caches clear
                        return;
                    }
                }
                sequenceHeaders.add(p.retain()); // released when replaced or when the caches clear
            }
            return;
        }
        if (options.gopCacheMaxPackets() == 0 || !hasVideo) {
            return;
        }
        if (p.kind() == MediaKind.VIDEO && p.type() == PacketType.FRAME && p.trackId() == 0 && p.isKeyframe()) {
            clearGop();
        } else if (gop.isEmpty()) {
            return; // nothing to start from until the next keyframe
        }
        if (gop.size() >= options.gopCacheMaxPackets() || gopBytes + p.size() > options.gopCacheMaxBytes()) {
            log.debug("{}: GOP longer than the cache ({} packets, {} bytes); new viewers wait for the next keyframe",
                    path(), gop.size(), gopBytes);
            clearGop();
            return;
        }
        gop.addLast(p.retain()); // released by clearGop()
        gopBytes += p.size();
    }

    private static void replace(MediaPacket old) {
        if (old != null) {
            old.release();
        }
    }

    private void clearGop() {
        MediaPacket p;
        while ((p = gop.pollFirst()) != null) {
            p.release();
        }
        gopBytes = 0;
    }

    private void clearCachesLocked() {
        clearGop();
        replace(metadata);
        metadata = null;
        for (MediaPacket h : sequenceHeaders) {
            h.release();
        }
        sequenceHeaders.clear();
        hasVideo = false;
        metadataValues = Map.of();
    }

    private List<Subscription> subscriptions() {
        synchronized (lock) {
            return subscriptions;
        }
    }

    /** Stream events (publish, unpublish) go out at once, whatever the flush window. */
    private void drainAllNow() {
        for (Subscription s : subscriptions()) {
            s.scheduleDrain();
        }
    }

    /**
     * Publisher's thread: hands queued packets to the subscribers' executors. Video goes out at once; audio and data
     * alone wait for the next video frame, at most {@link StreamOptions#flushWindowMillis()} after the subscriber's
     * last delivery, so that a subscriber gets about one socket write per video frame.
     */
    void flush(Publication pub) {
        List<Subscription> subs = subscriptions();
        long window = TimeUnit.MILLISECONDS.toNanos(options.flushWindowMillis());
        boolean video = pub.videoSinceFlush;
        pub.videoSinceFlush = false;
        if (window == 0 || video) {
            for (Subscription s : subs) {
                s.scheduleDrain();
            }
        } else {
            long now = System.nanoTime();
            for (Subscription s : subs) {
                s.scheduleDrain(window, now);
            }
        }
    }

    /** Stores the publisher's metadata values for {@link StreamInfo} and listeners. */
    void metadata(Publication pub, Map<String, Object> values) {
        synchronized (lock) {
            if (publication != pub) {
                return;
            }
            metadataValues = Map.copyOf(values);
        }
        width = intValue(values.get("width"), width);
        height = intValue(values.get("height"), height);
        audioSampleRate = intValue(values.get("audiosamplerate"), audioSampleRate);
        Object stereo = values.get("stereo");
        if (stereo instanceof Boolean) {
            audioChannels = (Boolean) stereo ? 2 : 1;
        }
        StreamInfo snapshot = info();
        Map<String, Object> copy = Map.copyOf(values);
        registry.events().fire("onMetadata", l -> l.onMetadata(snapshot, copy));
    }

    /** Sets what the codec configuration says about the main video track. */
    void videoSize(int w, int h) {
        width = w;
        height = h;
    }

    /** Sets what the codec configuration says about the main audio track. */
    void audioFormat(int sampleRate, int channels) {
        audioSampleRate = sampleRate;
        audioChannels = channels;
    }

    private static int intValue(Object v, int otherwise) {
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (d >= 0 && d <= 1 << 20) {
                return (int) d;
            }
        }
        return otherwise;
    }

    /** Ends a publication (publisher's thread or any). */
    void endPublication(Publication pub) {
        boolean empty;
        StreamInfo info;
        synchronized (lock) {
            if (publication != pub) {
                return;
            }
            info = infoLocked();
            publication = null;
            clearCachesLocked();
            for (Subscription s : subscriptions) {
                s.offerEvent(new Unpublished(info));
            }
            empty = subscriptions.isEmpty();
        }
        drainAllNow();
        registry.events().fire("onPublishStop", l -> l.onPublishStop(info));
        if (empty) {
            registry.removeIfIdle(this);
        }
    }

    /** Whether nobody publishes or watches; the registry drops idle streams. Marks the stream closed if so. */
    boolean closeIfIdle() {
        synchronized (lock) {
            if (publication == null && subscriptions.isEmpty()) {
                closed = true;
                clearCachesLocked();
                return true;
            }
            return false;
        }
    }

    /** Closes the stream: ends its publication and every subscription. */
    void close() {
        Publication pub;
        List<Subscription> subs;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            pub = publication;
            subs = subscriptions;
        }
        if (pub != null) {
            pub.close();
        }
        for (Subscription s : subs) {
            s.closeWith(Subscription.CloseReason.STREAM_CLOSED);
        }
        synchronized (lock) {
            clearCachesLocked();
        }
    }

    /** A snapshot of this stream. */
    public StreamInfo info() {
        synchronized (lock) {
            return infoLocked();
        }
    }

    private StreamInfo info(Publication pub) {
        synchronized (lock) {
            return build(pub);
        }
    }

    private StreamInfo infoLocked() {
        return build(publication);
    }

    private StreamInfo build(Publication pub) {
        long kbps = rate.bitsPerSecond() / 1000;
        StreamStats stats = new StreamStats(bytesIn, videoFrames, audioFrames, keyframes, kbps, rate.framesPerSecond(),
                subscriptions.size(), peakViewers, droppedPackets.sum(), slowClosed);
        return new StreamInfo(app, name, pub != null ? pub.publisher() : null, pub != null ? pub.startedAt() : null,
                videoCodec, width, height, audioCodec, audioSampleRate, audioChannels, stats);
    }

    /** The metadata values the current publisher sent, or an empty map. */
    public Map<String, Object> metadataValues() {
        synchronized (lock) {
            return metadataValues;
        }
    }

    @Override
    public String toString() {
        return "Stream(" + path() + ")";
    }

    /**
     * Bytes and frames over the last few seconds, in one-second buckets. Written by the publisher's thread only;
     * readers may see a slightly stale value.
     */
    private static final class RateWindow {
        private static final int BUCKETS = 6;
        private final long[] bytes = new long[BUCKETS];
        private final long[] frames = new long[BUCKETS];
        private volatile long currentSecond = Long.MIN_VALUE;
        private final long startNanos = System.nanoTime();

        void add(int size, boolean frame) {
            long sec = (System.nanoTime() - startNanos) / 1_000_000_000L;
            long cur = currentSecond;
            if (sec != cur) {
                for (long s = Math.max(cur + 1, sec - BUCKETS + 1); s <= sec; s++) {
                    int i = (int) Math.floorMod(s, (long) BUCKETS);
                    bytes[i] = 0;
                    frames[i] = 0;
                }
                currentSecond = sec;
            }
            int i = (int) Math.floorMod(sec, (long) BUCKETS);
            bytes[i] += size;
            if (frame) {
                frames[i]++;
            }
        }

        /** Average over the last full seconds (the current partial second excluded). */
        long bitsPerSecond() {
            return sum(bytes) * 8 / (RATE_WINDOW_NANOS / 1_000_000_000L);
        }

        double framesPerSecond() {
            return sum(frames) / (double) (RATE_WINDOW_NANOS / 1_000_000_000L);
        }

        private long sum(long[] a) {
            long now = (System.nanoTime() - startNanos) / 1_000_000_000L;
            long cur = currentSecond;
            if (cur == Long.MIN_VALUE || now - cur >= BUCKETS - 1) {
                return 0;
            }
            long total = 0;
            for (long s = now - (BUCKETS - 1); s < now; s++) {
                if (s <= cur && s > cur - BUCKETS) {
                    total += a[(int) Math.floorMod(s, (long) BUCKETS)];
                }
            }
            return total;
        }
    }
}
