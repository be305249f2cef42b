package dev.millrace.streaming.rtmp.handshake;

import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the client and server handshake handlers share: the deadline, the terminal states, failing and completing.
 *
 * <p>The deadline starts when the channel is active (or when the handler is added to an active channel). If the
 * handshake is not complete by then, the handler fires an {@link RtmpProtocolException} with {@link Reason#TIMEOUT}
 * through {@code exceptionCaught} (so the pipeline's error handler logs it) and closes the channel itself, so that a
 * silent peer never holds a connection whatever the rest of the pipeline does. The timer is cancelled on
 * completion, failure, channel close and handler removal.
 */
abstract class HandshakeHandler extends ByteToMessageDecoder {

    /** RTMP 1.0 section 5.2.2: the version this specification defines. */
    static final int RTMP_VERSION = 3;

    private enum Phase {
        NOT_STARTED,
        RUNNING,
        DONE,
        BAD
    }

    private final long timeoutMillis;
    private Phase phase = Phase.NOT_STARTED;
    private Future<?> timeout;

    /** @param timeoutMillis time the peer has, from channel activation, to complete the handshake; positive */
    HandshakeHandler(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be positive: " + timeoutMillis);
        }
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public final void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public final void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.channelInactive(ctx);
    }

    @Override
    protected final void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    private void start(ChannelHandlerContext ctx) {
        if (phase != Phase.NOT_STARTED) {
            return;
        }
        phase = Phase.RUNNING;
        timeout = ctx.executor().schedule(() -> onTimeout(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        started(ctx);
    }

    /** Called once when the channel is active and the deadline runs (the client sends C0 and C1 here). */
    void started(ChannelHandlerContext ctx) {
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (phase) {
            case BAD -> in.skipBytes(in.readableBytes());
            case DONE -> {
                // Removed from the pipeline: ByteToMessageDecoder hands the remaining bytes to the next handler.
            }
            default -> decodeHandshake(ctx, in);
        }
    }

    /** Reads what has arrived of the peer's handshake packets; returns without reading when one is incomplete. */
    abstract void decodeHandshake(ChannelHandlerContext ctx, ByteBuf in);

    /**
     * Ends the handshake: removes this handler, fires {@link HandshakeCompleted} to the handlers after it; the bytes
     * that followed the last handshake packet then reach the next handler (ByteToMessageDecoder defers the removal
     * until {@code decode} returns and forwards its remaining input).
     */
    final void complete(ChannelHandlerContext ctx, boolean complex) {
        phase = Phase.DONE;
        cancelTimer();
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(new HandshakeCompleted(complex));
    }

    /**
     * Discards the input and returns the exception for the caller to throw; the channel is closed right after the
     * exception has gone through the pipeline. Closing only then keeps the order a peer can observe: the error is
     * logged before the peer sees the connection end.
     */
    final RtmpProtocolException fail(ChannelHandlerContext ctx, ByteBuf in, String detail) {
        phase = Phase.BAD;
        in.skipBytes(in.readableBytes());
        cancelTimer();
        ctx.executor().execute(ctx::close);
        return new RtmpProtocolException(Reason.BAD_HANDSHAKE, detail);
    }

    private void onTimeout(ChannelHandlerContext ctx) {
        timeout = null;
        if (phase == Phase.DONE || phase == Phase.BAD) {
            return;
        }
        phase = Phase.BAD;
        ctx.fireExceptionCaught(new RtmpProtocolException(Reason.TIMEOUT,
                "handshake not complete after " + timeoutMillis + " ms"));
        ctx.close();
    }

    private void cancelTimer() {
        Future<?> t = timeout;
        if (t != null) {
            timeout = null;
            t.cancel(false);
        }
    }
}
