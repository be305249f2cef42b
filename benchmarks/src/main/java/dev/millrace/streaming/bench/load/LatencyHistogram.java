package dev.millrace.streaming.bench.load;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket log-linear histogram of durations in microseconds, 1 µs to 60 s, for latencies measured on the hot
 * path: recording is an array increment, nothing is allocated after construction, and histograms merge by adding
 * their buckets.
 *
 * <p>Values below 128 µs have a bucket each. Above that every power of two is split into 64 equal buckets, so a bucket
 * spans at most 1/64 (1.6 %) of its values and the midpoint a percentile reports is within 0.8 % of any value in it.
 * Values above {@link #MAX_MICROS} land in the last bucket; negative values in the first.
 *
 * <p>Not thread-safe: one histogram per player, merged after the run. {@link Concurrent} is the shared variant for
 * the periodic samples.
 */
final class LatencyHistogram {

    /** The largest value told apart: 60 s. */
    static final long MAX_MICROS = 60_000_000L;

    private static final int SUB_BITS = 6;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int LINEAR_LIMIT = 2 * SUB_BUCKETS;
    static final int BUCKETS = bucketOf(MAX_MICROS) + 1;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    /** Counts one value. */
    void record(long micros) {
        counts[bucketOf(micros)]++;
        total++;
        if (micros > max) {
            max = micros;
        }
    }

    /** Adds {@code other}'s counts to this one's. */
    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    /** Values recorded. */
    long count() {
        return total;
    }

    /** The largest value recorded, exact (clamped to 0 below); 0 when empty. */
    long maxMicros() {
        return max;
    }

    /**
     * The value at {@code percentile} by nearest rank: the smallest recorded value with at least
     * {@code ceil(percentile / 100 * count)} values at or below it, reported as its bucket's midpoint (never above
     * {@link #maxMicros()}).
     *
     * @param percentile 0 < p <= 100
     * @return micros; -1 when empty
     */
    long percentileMicros(double percentile) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(midpointOf(i), max);
            }
        }
        return max;
    }

    /** Bucket of a value. */
    static int bucketOf(long micros) {
        if (micros < LINEAR_LIMIT) {
            return micros < 0 ? 0 : (int) micros;
        }
        long v = Math.min(micros, MAX_MICROS);
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS; // >= 1 above the linear range
        int sub = (int) (v >>> shift) - SUB_BUCKETS; // 0..63
        return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + sub;
    }

    /** The smallest value of a bucket. */
    static long lowestOf(int bucket) {
        if (bucket < LINEAR_LIMIT) {
            return bucket;
        }
        int shift = (bucket - LINEAR_LIMIT) / SUB_BUCKETS + 1;
        int sub = (bucket - LINEAR_LIMIT) % SUB_BUCKETS;
        return (long) (SUB_BUCKETS + sub) << shift;
    }

    /** The value a bucket reports: its midpoint (the value itself in the linear range). */
    static long midpointOf(int bucket) {
        if (bucket < LINEAR_LIMIT) {
            return bucket;
        }
        int shift = (bucket - LINEAR_LIMIT) / SUB_BUCKETS + 1;
        return lowestOf(bucket) + (1L << shift) / 2;
    }

    /**
     * The same buckets with atomic counters, for latencies recorded by every event loop and read (and reset) by the
     * sampling thread once an interval.
     */
    static final class Concurrent {
        private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

        /** Counts one value; any thread. */
        void record(long micros) {
            counts.incrementAndGet(bucketOf(micros));
        }

        /** What was recorded since the last call, as a plain histogram; resets the counters. */
        LatencyHistogram drain() {
            LatencyHistogram h = new LatencyHistogram();
            for (int i = 0; i < BUCKETS; i++) {
                long n = counts.getAndSet(i, 0);
                if (n != 0) {
                    h.counts[i] = n;
                    h.total += n;
                    h.max = Math.max(h.max, midpointOf(i));
                }
            }
            return h;
        }
    }
}
