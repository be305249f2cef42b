package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.rtmp.RtmpLimits;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@link RtmpLimits#maxConnections()}, {@link RtmpLimits#maxConnectionsPerAddress()} and
 * {@link RtmpLimits#maxPendingConnections()} for one server. Thread-safe; refusals are logged at WARN at most once
 * per {@link #LOG_INTERVAL_NANOS} so that a flood cannot flood the log.
 */
final class ConnectionLimiter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final AttributeKey<AtomicBoolean> PENDING = AttributeKey.valueOf("millrace.rtmp.pending");

    private final RtmpLimits limits;
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    ConnectionLimiter(RtmpLimits limits) {
        this.limits = limits;
    }

    /**
     * Admits a new connection or refuses it. An admitted connection counts until it closes (released by a close
     * listener registered here) and counts as pending until {@link #connected(Channel)}.
     *
     * @return null if admitted, else why not
     */
    String admit(Channel ch) {
        InetAddress address = address(ch);
        if (total.incrementAndGet() > limits.maxConnections()) {
            total.decrementAndGet();
            return refuse("maxConnections " + limits.maxConnections(), address);
        }
        if (pending.incrementAndGet() > limits.maxPendingConnections()) {
            pending.decrementAndGet();
            total.decrementAndGet();
            return refuse("maxPendingConnections " + limits.maxPendingConnections(), address);
        }
        AtomicInteger forAddress = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (forAddress.incrementAndGet() > limits.maxConnectionsPerAddress()) {
            release(address, forAddress);
            pending.decrementAndGet();
            total.decrementAndGet();
            return refuse("maxConnectionsPerAddress " + limits.maxConnectionsPerAddress(), address);
        }
        AtomicBoolean isPending = new AtomicBoolean(true);
        ch.attr(PENDING).set(isPending);
        ch.closeFuture().addListener(f -> {
            if (isPending.getAndSet(false)) {
                pending.decrementAndGet();
            }
            release(address, forAddress);
            total.decrementAndGet();
        });
        return null;
    }

    /** The connection completed {@code connect}: it no longer counts as pending. */
    void connected(Channel ch) {
        AtomicBoolean isPending = ch.attr(PENDING).get();
        if (isPending != null && isPending.getAndSet(false)) {
            pending.decrementAndGet();
        }
    }

    int openConnections() {
        return total.get();
    }

    private void release(InetAddress address, AtomicInteger counter) {
        if (counter.decrementAndGet() == 0) {
            perAddress.remove(address, counter);
            // A racing admit may have incremented the counter we just removed; it is then re-created on its next
            // admit, so the per-address count can only under-count by a connection for a moment, never leak.
        }
    }

    private String refuse(String limit, InetAddress address) {
        long n = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            log.warn("refusing connections: {} reached (latest from {}; {} refused so far)", limit, address, n);
        }
        return limit;
    }

    private static InetAddress address(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress
                ? ((InetSocketAddress) ch.remoteAddress()).getAddress()
                : InetAddress.getLoopbackAddress();
    }
}
