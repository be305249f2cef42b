package dev.millrace.streaming.core;

/**
 * Per-stream bounds and behaviour.
 *
 * @param gopCacheMaxPackets packets (video and audio) kept since the last keyframe so a new viewer starts at once;
 *     past it the cache is emptied and new viewers wait for the next keyframe. 0 disables the cache.
 * @param gopCacheMaxBytes payload bytes kept in the GOP cache
 * @param subscriberQueuePackets packets one subscriber may have queued; more means it is behind
 * @param subscriberMaxLagMillis media time one subscriber may lag behind the live edge before its queue is dropped
 *     up to the next keyframe
 * @param slowSubscriberCloseMillis how long (wall time) a subscriber may stay behind, dropping, before it is closed
 * @param flushWindowMillis the shortest time between two deliveries to one subscriber; 0 delivers at the end of every
 *     publisher read. A packet that comes after a quiet spell goes out at once; those that follow within the window
 *     wait for its end and go out together, in one socket write. A longer window means fewer, larger writes and at
 *     most that much more latency.
 * @param takeoverPolicy what a second publisher on the same stream does
 */
public record StreamOptions(int gopCacheMaxPackets, long gopCacheMaxBytes, int subscriberQueuePackets,
        long subscriberMaxLagMillis, long slowSubscriberCloseMillis, long flushWindowMillis,
        TakeoverPolicy takeoverPolicy) {

    public static final StreamOptions DEFAULT = new StreamOptions(1024, 32L * 1024 * 1024, 2048, 5_000, 15_000, 50,
            TakeoverPolicy.TAKE_OVER);

    public StreamOptions {
        if (gopCacheMaxPackets < 0 || gopCacheMaxBytes < 0) {
            throw new IllegalArgumentException("negative GOP cache bound");
        }
        if (subscriberQueuePackets < gopCacheMaxPackets + 16) {
            throw new IllegalArgumentException("subscriberQueuePackets must exceed gopCacheMaxPackets + 16 so a new "
                    + "subscriber's start (metadata, sequence headers, cached GOP) fits its queue");
        }
        if (subscriberMaxLagMillis <= 0 || slowSubscriberCloseMillis <= 0 || flushWindowMillis < 0) {
            throw new IllegalArgumentException("lag, close and flush bounds must be positive");
        }
        if (takeoverPolicy == null) {
            throw new IllegalArgumentException("takeoverPolicy");
        }
    }

    public StreamOptions withTakeoverPolicy(TakeoverPolicy policy) {
        return new StreamOptions(gopCacheMaxPackets, gopCacheMaxBytes, subscriberQueuePackets, subscriberMaxLagMillis,
                slowSubscriberCloseMillis, flushWindowMillis, policy);
    }

    public StreamOptions withFlushWindowMillis(long millis) {
        return new StreamOptions(gopCacheMaxPackets, gopCacheMaxBytes, subscriberQueuePackets, subscriberMaxLagMillis,
                slowSubscriberCloseMillis, millis, takeoverPolicy);
    }

    public StreamOptions withGopCache(int maxPackets, long maxBytes) {
        return new StreamOptions(maxPackets, maxBytes, Math.max(subscriberQueuePackets, maxPackets + 1024),
                subscriberMaxLagMillis, slowSubscriberCloseMillis, flushWindowMillis, takeoverPolicy);
    }

    public StreamOptions withSlowSubscriber(int queuePackets, long maxLagMillis, long closeAfterMillis) {
        return new StreamOptions(gopCacheMaxPackets, gopCacheMaxBytes, queuePackets, maxLagMillis, closeAfterMillis,
                flushWindowMillis, takeoverPolicy);
    }
}
