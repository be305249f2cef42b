package dev.millrace.streaming.bench.load;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.rtmp.RtmpClient;
import dev.millrace.streaming.rtmp.client.RtmpConnection;
import dev.millrace.streaming.rtmp.client.RtmpPublisher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Publishes one stream of a run in real time: connects, publishes, sends the metadata and decoder configurations,
 * then walks the {@link MediaTrack} paced by {@link System#nanoTime()}, each message sent when its timestamp is due
 * relative to the start of the publish (so pacing does not drift however late a tick runs), with a
 * {@link FrameStamp} in front of every H.264 frame.
 *
 * <p>The pacing is a task scheduled on the connection's event loop, never a thread of its own. With a reconnect
 * period the publisher closes its connection and publishes again on a new one every period (the first one
 * staggered by its index), restarting its timeline at 0 with a keyframe, as an encoder that reconnects does. A
 * connection the server closes, or a publish it refuses, is retried after a second until the run stops.
 *
 * <p>State changes happen on the current connection's event loop; one connection follows the previous one only
 * after its future chain, so the fields are handed over safely.
 */
final class StreamPublisher {

    /** Messages one tick sends at most before yielding the event loop; more go out on the next tick. */
    private static final int MAX_MESSAGES_PER_TICK = 256;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long REPUBLISH_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final int index;
    private final String url;
    private final String publishName;
    /** The stream name without the publish query, which may hold a key: the only form that goes into messages. */
    private final String streamName;
    private final MediaTrack track;
    private final RtmpClient client;
    private final RunState run;
    private final long reconnectEveryNanos;
    private final long firstReconnectNanos;
    private final CompletableFuture<Boolean> firstOutcome = new CompletableFuture<>();
    private final Runnable tickTask = this::tick;

    private volatile RtmpPublisher publisher;
    private volatile boolean everPublished;
    private boolean reconnecting;
    private boolean everReconnectScheduled;
    private MediaTrack.Cursor cursor;
    private long originNanos;
    private long sequence;
    private ScheduledFuture<?> tickFuture;
    private ScheduledFuture<?> reconnectFuture;
    /** Video frames sent with a send time in the measured window. */
    private long framesSentInWindow;
    private long framesSent;

    StreamPublisher(int index, int streams, String url, String publishName, MediaTrack track, RtmpClient client,
            RunState run, double reconnectEverySeconds) {
        this.index = index;
        this.url = url;
        this.publishName = publishName;
        int query = publishName.indexOf('?');
        this.streamName = query < 0 ? publishName : publishName.substring(0, query);
        this.track = track;
        this.client = client;
        this.run = run;
        this.reconnectEveryNanos = (long) (reconnectEverySeconds * 1e9);
        this.firstReconnectNanos = reconnectEveryNanos + reconnectEveryNanos * index / Math.max(1, streams);
    }

    /** Starts connecting; any thread. */
    void start() {
        connect();
    }

    /** Completes with true once the first publish started, false once it failed (a retry may still succeed). */
    CompletableFuture<Boolean> firstOutcome() {
        return firstOutcome;
    }

    /** Whether a publish ever started. */
    boolean everPublished() {
        return everPublished;
    }

    /** Video frames whose send time fell in the window; read after the client closed. */
    long framesSentInWindow() {
        return framesSentInWindow;
    }

    /** Video frames sent in all; read after the client closed. */
    long framesSent() {
        return framesSent;
    }

    private void connect() {
        if (run.stopping()) {
            return;
        }
        CompletableFuture<RtmpConnection> connecting = client.connect(url);
        connecting.thenCompose(c -> c.publish(publishName)).whenComplete((p, failure) -> {
            if (failure != null) {
                failed(connecting, failure);
            } else {
                p.connection().eventLoop().execute(() -> started(p));
            }
        });
    }

    private void failed(CompletableFuture<RtmpConnection> connecting, Throwable failure) {
        run.error("publish " + streamName, failure);
        firstOutcome.complete(false);
        RtmpConnection c = connecting.isDone() && !connecting.isCompletedExceptionally()
                ? connecting.join() : null;
        if (c != null) {
            c.close();
        }
        retryLater(RETRY_NANOS);
    }

    private void retryLater(long delayNanos) {
        if (run.stopping()) {
            return;
        }
        try {
            client.eventLoopGroup().schedule(this::connect, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing: the run is over
        }
    }

    /** On the event loop of {@code p}'s connection. */
    private void started(RtmpPublisher p) {
        if (run.stopping()) {
            p.connection().close();
            return;
        }
        if (reconnecting) {
            run.publisherReconnects.incrementAndGet();
            reconnecting = false;
        }
        everPublished = true;
        publisher = p;
        firstOutcome.complete(true);
        RtmpConnection c = p.connection();
        c.closeFuture().whenComplete((v, cause) -> {
            if (publisher == p && !run.stopping()) {
                run.error("publisher " + streamName + " lost its connection", cause);
                publisher = null;
                cancelTimers();
                retryLater(RETRY_NANOS);
            }
        });
        if (track.metadata() != null) {
            p.sendMetadata(track.metadata());
        } else if (track.metadataPacket() != null) {
            p.send(track.metadataPacket().retainedDuplicate());
        }
        for (MediaPacket config : track.configs()) {
            p.send(config.retainedDuplicate());
        }
        p.flush();
        cursor = track.cursor();
        originNanos = System.nanoTime();
        EventLoop loop = c.eventLoop();
        tickFuture = loop.schedule(tickTask, 0, TimeUnit.NANOSECONDS);
        if (reconnectEveryNanos > 0) {
            long delay = everReconnectScheduled ? reconnectEveryNanos : firstReconnectNanos;
            everReconnectScheduled = true;
            reconnectFuture = loop.schedule(() -> reconnect(p), delay, TimeUnit.NANOSECONDS);
        }
    }

    /** On the event loop: sends every message that is due, then schedules itself for the next one. */
    private void tick() {
        RtmpPublisher p = publisher;
        if (p == null || !p.isOpen()) {
            return;
        }
        long now = System.nanoTime();
        long elapsedMillis = (now - originNanos) / 1_000_000;
        int sent = 0;
        while (cursor.dtsMillis() <= elapsedMillis && sent < MAX_MESSAGES_PER_TICK) {
            p.send(packet(cursor.template(), cursor.dtsMillis()));
            cursor.advance();
            sent++;
        }
        if (sent > 0) {
            p.flush();
        }
        if (!p.isWritable()) {
            // The server reads slower than real time: resume (and catch up) once the backlog drains.
            p.whenWritable(tickTask);
            return;
        }
        long due = originNanos + cursor.dtsMillis() * 1_000_000;
        tickFuture = p.connection().eventLoop().schedule(tickTask, Math.max(0, due - System.nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    /** The packet to send for {@code template} at {@code dtsMillis}; owned. */
    private MediaPacket packet(MediaPacket template, long dtsMillis) {
        long dts90k = dtsMillis * MediaPacket.TICKS_PER_MILLI;
        if (template.kind() == MediaKind.AUDIO && track.synthetic() && template.type() == PacketType.FRAME
                && template.codec() == Codec.AAC) {
            ByteBuf src = template.content();
            // Released by the packet, which RtmpPublisher.send releases. Same size as the template.
            ByteBuf payload = PooledByteBufAllocator.DEFAULT.buffer(src.readableBytes());
            FrameStamp.writeAudio(payload, System.nanoTime());
            payload.writeBytes(src, src.readerIndex() + FrameStamp.AUDIO_BYTES,
                    src.readableBytes() - FrameStamp.AUDIO_BYTES);
            return MediaPacket.audio(Codec.AAC, PacketType.FRAME, 0, dts90k, template.codecFlags(), payload);
        }
        if (template.kind() != MediaKind.VIDEO) {
            return template.shifted(dts90k - template.dts90k());
        }
        long sentNanos = System.nanoTime();
        framesSent++;
        if (run.inWindow(sentNanos)) {
            framesSentInWindow++;
        }
        if (template.codec() != Codec.H264 || template.trackId() != 0 || template.type() != PacketType.FRAME) {
            return template.shifted(dts90k - template.dts90k());
        }
        ByteBuf src = template.content();
        // Released by the packet, which RtmpPublisher.send releases.
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.buffer(FrameStamp.AVCC_BYTES + src.readableBytes());
        FrameStamp.write(payload, index, sequence++, sentNanos);
        payload.writeBytes(src, src.readerIndex(), src.readableBytes());
        return MediaPacket.video(Codec.H264, PacketType.FRAME, 0, dts90k, template.pts90k() - template.dts90k(),
                template.isKeyframe(), template.isDisposable(), payload);
    }

    /** On the event loop of {@code p}'s connection: closes it and publishes again on a new connection. */
    private void reconnect(RtmpPublisher p) {
        if (publisher != p || run.stopping()) {
            return;
        }
        publisher = null;
        reconnecting = true;
        cancelTimers();
        RtmpConnection c = p.connection();
        c.close();
        // Publish again once the old connection is gone, so that the server has released the name.
        c.closeFuture().whenComplete((v, cause) -> retryLater(REPUBLISH_DELAY_NANOS));
    }

    private void cancelTimers() {
        if (tickFuture != null) {
            tickFuture.cancel(false);
            tickFuture = null;
        }
        if (reconnectFuture != null) {
            reconnectFuture.cancel(false);
            reconnectFuture = null;
        }
    }
}
