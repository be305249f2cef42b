package dev.millrace.streaming.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;

/**
 * The smallest {@link ChannelHandlerContext} our handlers need, so that a benchmark measures the handler and not a
 * pipeline: {@link #alloc()}, {@link #fireChannelRead} and {@link #write} (both consume the message: release it,
 * or hand a write to the {@code next} outbound handler), {@link #voidPromise()}, no-op flush, read-complete and
 * close.
 * Everything else throws {@link UnsupportedOperationException}, so a handler that starts to depend on more of the
 * context fails the benchmark loudly instead of measuring something else.
 *
 * <p>Counts what it consumed (messages, readable bytes) in plain fields: one context is used by one thread at a
 * time (a JMH worker, or one subscription's drain on its event loop), and JMH or the test reads the counts after
 * the work, with a happens-before edge from the executor or the trial end.
 */
final class BenchContext implements ChannelHandlerContext {

    /**
     * A channel that is never registered, read or written: it only answers {@code isWritable()} (true),
     * {@code config().isAutoRead()} (true) and anchors the void promise. Shared by every context; its reads are
     * thread-safe.
     */
    private static final Channel CHANNEL = new EmbeddedChannel();
    private static final ChannelPromise VOID_PROMISE = new VoidChannelPromise(CHANNEL, false);

    private final ByteBufAllocator alloc;
    private final ChannelOutboundHandler next;
    private final ChannelHandlerContext nextContext;

    /** Messages consumed by {@link #fireChannelRead} or by {@link #write} (when there is no next handler). */
    long messages;
    /** Their readable bytes (ByteBuf or ByteBufHolder content). */
    long bytes;

    private BenchContext(ByteBufAllocator alloc, ChannelOutboundHandler next, ChannelHandlerContext nextContext) {
        this.alloc = alloc;
        this.next = next;
        this.nextContext = nextContext;
    }

    /** A context that releases every message read or written to it. */
    static BenchContext discarding(ByteBufAllocator alloc) {
        return new BenchContext(alloc, null, null);
    }

    /**
     * A context whose writes go to {@code next} (called with {@code nextContext}), as a handler's writes reach the
     * handler before it in a pipeline.
     */
    static BenchContext writingTo(ByteBufAllocator alloc, ChannelOutboundHandler next, ChannelHandlerContext nextContext) {
        return new BenchContext(alloc, next, nextContext);
    }

    /** Counts and releases {@code msg} (takes ownership). */
    private void consume(Object msg) {
        messages++;
        if (msg instanceof ByteBuf) {
            bytes += ((ByteBuf) msg).readableBytes();
        } else if (msg instanceof ByteBufHolder) {
            bytes += ((ByteBufHolder) msg).content().readableBytes();
        }
        ReferenceCountUtil.release(msg);
    }

    /** Takes ownership of {@code msg}. */
    @Override
    public ChannelHandlerContext fireChannelRead(Object msg) {
        consume(msg);
        return this;
    }

    /** Takes ownership of {@code msg}. */
    @Override
    public ChannelFuture write(Object msg, ChannelPromise promise) {
        if (next == null) {
            consume(msg);
            return promise;
        }
        try {
            next.write(nextContext, msg, promise);
        } catch (Exception e) {
            throw new IllegalStateException("outbound handler failed", e);
        }
        return promise;
    }

    @Override
    public ChannelFuture write(Object msg) {
        return write(msg, VOID_PROMISE);
    }

    @Override
    public ChannelHandlerContext flush() {
        return this;
    }

    @Override
    public ChannelHandlerContext fireChannelReadComplete() {
        return this;
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public ChannelPromise voidPromise() {
        return VOID_PROMISE;
    }

    @Override
    public Channel channel() {
        return CHANNEL;
    }

    @Override
    public boolean isRemoved() {
        return false;
    }

    @Override
    public ChannelHandlerContext fireExceptionCaught(Throwable cause) {
        throw new IllegalStateException("exception fired through a benchmark context", cause);
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("not used by the benchmarked handlers");
    }

    @Override
    public EventExecutor executor() {
        throw unsupported();
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public ChannelHandler handler() {
        throw unsupported();
    }

    @Override
    public ChannelHandlerContext fireChannelRegistered() {
        throw unsupported();
    }

    @Override
    public ChannelHandlerContext fireChannelUnregistered() {
        throw unsupported();
    }

    @Override
    public ChannelHandlerContext fireChannelActive() {
        throw unsupported();
    }

    @Override
    public ChannelHandlerContext fireChannelInactive() {
        throw unsupported();
    }

    @Override
    public ChannelHandlerContext fireUserEventTriggered(Object evt) {
        throw unsupported();
    }

    @Override
    public ChannelHandlerContext fireChannelWritabilityChanged() {
        throw unsupported();
    }

    @Override
    public ChannelHandlerContext read() {
        throw unsupported();
    }

    @Override
    public ChannelPipeline pipeline() {
        throw unsupported();
    }

    /** @deprecated as in {@link ChannelHandlerContext}; not supported here. */
    @Deprecated
    @Override
    public <T> Attribute<T> attr(AttributeKey<T> key) {
        throw unsupported();
    }

    /** @deprecated as in {@link ChannelHandlerContext}; not supported here. */
    @Deprecated
    @Override
    public <T> boolean hasAttr(AttributeKey<T> key) {
        throw unsupported();
    }

    @Override
    public ChannelFuture bind(SocketAddress localAddress, ChannelPromise promise) {
        throw unsupported();
    }

    @Override
    public ChannelFuture connect(SocketAddress remoteAddress, ChannelPromise promise) {
        throw unsupported();
    }

    @Override
    public ChannelFuture connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
        throw unsupported();
    }

    @Override
    public ChannelFuture disconnect(ChannelPromise promise) {
        throw unsupported();
    }

    /** A no-op: a sink closes its connection when its subscription ends (the benchmark's teardown). */
    @Override
    public ChannelFuture close(ChannelPromise promise) {
        return promise;
    }

    @Override
    public ChannelFuture close() {
        return VOID_PROMISE;
    }

    @Override
    public ChannelFuture deregister(ChannelPromise promise) {
        throw unsupported();
    }

    @Override
    public ChannelFuture writeAndFlush(Object msg, ChannelPromise promise) {
        return write(msg, promise);
    }

    @Override
    public ChannelPromise newPromise() {
        throw unsupported();
    }

    @Override
    public ChannelProgressivePromise newProgressivePromise() {
        throw unsupported();
    }

    @Override
    public ChannelFuture newSucceededFuture() {
        throw unsupported();
    }

    @Override
    public ChannelFuture newFailedFuture(Throwable cause) {
        throw unsupported();
    }
}
