package dev.millrace.streaming.core;

import dev.millrace.streaming.core.internal.ListenerDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All live streams of a server, by {@code app/name}. Servers that share a registry (RTMP ingest and HTTP playback,
 * say) see the same streams. Thread-safe.
 */
public final class StreamRegistry implements AutoCloseable {

    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final StreamOptions options;
    private final ListenerDispatcher events;
    private volatile boolean closed;

    /** A registry with the given stream options whose events go to {@code listeners}. */
    public StreamRegistry(StreamOptions options, List<StreamListener> listeners) {
        this.options = Objects.requireNonNull(options, "options");
        this.events = new ListenerDispatcher(listeners, "millrace-events");
    }

    /** A registry with default options and no listeners. */
    public StreamRegistry() {
        this(StreamOptions.DEFAULT, List.of());
    }

    public StreamOptions options() {
        return options;
    }

    /** The event dispatcher, for servers that raise connection events. */
    public ListenerDispatcher events() {
        return events;
    }

    /** The stream at {@code app/name}, or null if nobody publishes or watches it. */
    public Stream find(String app, String name) {
        return streams.get(key(app, name));
    }

    /**
     * The stream at {@code app/name}, created (without a publisher) if absent, for a subscriber that wants to wait
     * for a publisher. Returns null once the registry is closed.
     */
    public Stream getOrCreate(String app, String name) {
        if (closed) {
            return null;
        }
        return streams.computeIfAbsent(key(app, name), k -> new Stream(this, app, name, options));
    }

    /**
     * Starts publishing {@code app/name}. If another publisher holds it, the {@link TakeoverPolicy} decides: with
     * {@code TAKE_OVER} the old publication ends (its {@code onTakenOver} callback runs) and subscribers stay.
     *
     * @param onTakenOver run (on this thread) if a later publisher takes this publication over: close the connection
     * @return the publication, or null if refused (another publisher and policy {@code REJECT}, or closed)
     */
    public Publication publish(String app, String name, ConnectionInfo publisher, Runnable onTakenOver) {
        for (int attempt = 0; attempt < 8; attempt++) {
            Stream s = getOrCreate(app, name);
            if (s == null) {
                return null;
            }
            Publication p = s.startPublication(publisher, onTakenOver);
            if (p != null) {
                return p;
            }
            if (s.isPublishing() || closed) {
                return null;
            }
            // The stream closed between lookup and start (it had gone idle): look it up again.
        }
        return null;
    }

    /** Snapshots of all streams. */
    public List<StreamInfo> list() {
        List<StreamInfo> out = new ArrayList<>();
        for (Stream s : streams.values()) {
            out.add(s.info());
        }
        return out;
    }

    void removeIfIdle(Stream s) {
        streams.computeIfPresent(key(s.app(), s.name()), (k, v) -> v == s && v.closeIfIdle() ? null : v);
    }

    /** Ends every publication and subscription, then stops event delivery. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Stream s : new ArrayList<>(streams.values())) {
            s.close();
        }
        streams.clear();
        events.close();
    }

    private static String key(String app, String name) {
        return app + "/" + name;
    }
}
