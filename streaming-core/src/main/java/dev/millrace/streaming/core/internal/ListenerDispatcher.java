package dev.millrace.streaming.core.internal;

import dev.millrace.streaming.core.StreamListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link StreamListener} events off the network threads, in the order they were raised, on one daemon
 * thread. A listener that throws is logged once at WARN (later failures at DEBUG) and keeps receiving events; it
 * never affects a stream.
 */
public final class ListenerDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ListenerDispatcher.class);

    private final List<StreamListener> listeners;
    private final ExecutorService executor;
    private final Set<StreamListener> failedOnce = ConcurrentHashMap.newKeySet();

    public ListenerDispatcher(List<StreamListener> listeners, String threadName) {
        this.listeners = List.copyOf(listeners);
        this.executor = listeners.isEmpty() ? null : new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Whether any listener is registered (callers skip building event data when not). */
    public boolean hasListeners() {
        return executor != null;
    }

    /** Queues {@code event} for every listener. Never blocks, never throws. */
    public void fire(String eventName, Consumer<StreamListener> event) {
        if (executor == null) {
            return;
        }
        try {
            executor.execute(() -> {
                for (StreamListener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (Throwable t) {
                        if (failedOnce.add(l)) {
                            log.warn("listener {} threw from {}; it keeps receiving events, later failures are "
                                    + "logged at DEBUG", l.getClass().getName(), eventName, t);
                        } else {
                            log.debug("listener {} threw from {}", l.getClass().getName(), eventName, t);
                        }
                    }
                }
            });
        } catch (RuntimeException rejected) {
            log.debug("event {} dropped after shutdown", eventName);
        }
    }

    /** Delivers what is queued (bounded wait), then stops the thread. */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("listeners still busy after 5 s at shutdown; not waiting longer");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
