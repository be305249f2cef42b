package dev.millrace.streaming.bench.jmh;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads as Netty {@code FastThreadLocalThread}s (JMH option {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=} this class, set by {@link BenchJvm#EXECUTOR} on every benchmark's fork).
 *
 * <p>In production the chunk codec, the fan-out drains and the encoders run on Netty event loop threads, and Netty
 * treats those threads differently from plain ones: its allocator keeps per-thread caches and magazines, and its
 * {@code Recycler} and {@code FastThreadLocal} take their fast paths, only on a {@code FastThreadLocalThread} that
 * cleans up after itself. Measured on plain threads, buffer allocation would cost more and allocate more than it
 * does on the server.
 */
public final class NettyThreadExecutor extends ThreadPoolExecutor {

    /** The constructor JMH calls: {@code maxThreads} workers named after {@code prefix}. */
    public NettyThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
