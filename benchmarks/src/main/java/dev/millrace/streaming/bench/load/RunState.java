package dev.millrace.streaming.bench.load;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every publisher and player of one run shares: the measured window, the stop signal and the counters the
 * periodic samples read. Counters are updated on the event loops and read from any thread.
 */
final class RunState {

    /** A gap between two video messages longer than this is a stall. */
    static final long STALL_NANOS = 1_000_000_000L;

    /** The measured window, {@link System#nanoTime()}: [start, end). */
    final long windowStartNanos;
    final long windowEndNanos;
    /** Null unless periodic samples are on. */
    final LatencyHistogram.Concurrent intervalLatency;

    final LongAdder deliveredBytes = new LongAdder();
    final LongAdder videoFramesReceived = new LongAdder();
    final AtomicInteger publisherReconnects = new AtomicInteger();
    final AtomicInteger playerReconnects = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    private final AtomicInteger errorsPrinted = new AtomicInteger();
    private volatile boolean stopping;

    RunState(long windowStartNanos, long windowEndNanos, boolean sampling) {
        this.windowStartNanos = windowStartNanos;
        this.windowEndNanos = windowEndNanos;
        this.intervalLatency = sampling ? new LatencyHistogram.Concurrent() : null;
    }

    /** Whether {@code nanoTime} falls in the measured window. */
    boolean inWindow(long nanoTime) {
        return nanoTime - windowStartNanos >= 0 && nanoTime - windowEndNanos < 0;
    }

    /** From now on nothing reconnects or retries. */
    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    /** Counts an error; prints the first few to stderr, then only counts. */
    void error(String what, Throwable cause) {
        errors.incrementAndGet();
        int n = errorsPrinted.incrementAndGet();
        if (n <= 10) {
            System.err.println("error: " + what + (cause != null ? ": " + message(cause) : ""));
        } else if (n == 11) {
            System.err.println("error: more errors, counted but not printed");
        }
    }

    private static String message(Throwable t) {
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
