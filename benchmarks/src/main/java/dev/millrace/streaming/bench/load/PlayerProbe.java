package dev.millrace.streaming.bench.load;

import dev.millrace.streaming.rtmp.RtmpClient;
import dev.millrace.streaming.rtmp.client.RtmpConnection;
import dev.millrace.streaming.rtmp.client.PlayListener;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One player of a run and what it measured. It asks for no packets ({@link #wantsPackets()} false) and reads
 * everything from the borrowed message body: per media message a few field updates and, for a stamped video frame,
 * one histogram increment; nothing is allocated.
 *
 * <p>Measured in the window: media bytes and messages by arrival time; video frames and latencies by the
 * {@link FrameStamp}'s send time (the frames the publisher sent in the window); stalls, a gap of more than a second
 * between two video messages. Time to first frame and first keyframe run from the start of the first connect.
 *
 * <p>When the player ends before the run does (the server closed it, say when its publisher left), it connects and
 * plays again; a failed connect or play is retried after a second.
 *
 * <p>Fields are written on the connection's event loop; the totals are read after the client closed (its event loops
 * terminated), the {@link #state} by the sampling thread at any time.
 */
final class PlayerProbe implements PlayListener {

    static final int CONNECTING = 0;
    static final int CONNECTED = 1;
    static final int PLAYING = 2;
    static final int CLOSED = 3;

    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long REPLAY_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int streamIndex;
    private final String url;
    private final String streamName;
    private final RtmpClient client;
    private final RunState run;

    volatile int state = CONNECTING;
    private long connectStartNanos;
    long firstFrameNanos = -1;
    long firstKeyframeNanos = -1;
    long bytes;
    long messages;
    long frames;
    long wrongStreamFrames;
    int stalls;
    long stallNanos;
    long lastVideoNanos;
    long lastVideoInWindowNanos;
    /** Allocated with the first stamped frame of the window. */
    LatencyHistogram latency;
    /** Audio frames' publisher-to-player latency, stamped frames sent in the window; null until the first. */
    LatencyHistogram audioLatency;

    PlayerProbe(int streamIndex, String url, String streamName, RtmpClient client, RunState run) {
        this.streamIndex = streamIndex;
        this.url = url;
        this.streamName = streamName;
        this.client = client;
        this.run = run;
    }

    int streamIndex() {
        return streamIndex;
    }

    /** Starts the first connect; any thread, once. */
    void start() {
        connectStartNanos = System.nanoTime();
        connect();
    }

    /** Time to the first video frame in ns; -1 if none came. */
    long timeToFirstFrameNanos() {
        return firstFrameNanos < 0 ? -1 : firstFrameNanos - connectStartNanos;
    }

    /** Time to the first video keyframe in ns; -1 if none came. */
    long timeToFirstKeyframeNanos() {
        return firstKeyframeNanos < 0 ? -1 : firstKeyframeNanos - connectStartNanos;
    }

    /**
     * Counts the stall at the end of the window: no video message for more than a second before its end. Call once,
     * after the client closed; only for a player that ever got video.
     */
    void finish() {
        if (lastVideoNanos == 0) {
            return;
        }
        boolean noneInWindow = lastVideoInWindowNanos == 0;
        long gap = run.windowEndNanos - (noneInWindow ? run.windowStartNanos : lastVideoInWindowNanos);
        if (noneInWindow || gap > RunState.STALL_NANOS) {
            stalls++;
            stallNanos += gap;
        }
    }

    private void connect() {
        if (run.stopping()) {
            return;
        }
        state = CONNECTING;
        CompletableFuture<RtmpConnection> connecting = client.connect(url);
        connecting.thenCompose(c -> {
            state = CONNECTED;
            return c.play(streamName, this);
        }).whenComplete((p, failure) -> {
            if (failure != null) {
                state = CLOSED;
                RtmpConnection c = connecting.isDone() && !connecting.isCompletedExceptionally()
                        ? connecting.join() : null;
                if (c != null) {
                    c.close();
                }
                if (!run.stopping()) {
                    run.error("play " + streamName, failure);
                    later(RETRY_NANOS);
                }
            } else {
                state = PLAYING;
            }
        });
    }

    private void later(long delayNanos) {
        try {
            client.eventLoopGroup().schedule(this::connect, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing: the run is over
        }
    }

    @Override
    public boolean wantsPackets() {
        return false;
    }

    @Override
    public void onMediaMessage(int typeId, long timestamp, ByteBuf body) {
        long now = System.nanoTime();
        int size = body.readableBytes();
        boolean inWindow = run.inWindow(now);
        run.deliveredBytes.add(size);
        if (inWindow) {
            bytes += size;
            messages++;
        }
        if (typeId == MessageType.AUDIO) {
            if (FrameStamp.isAudioStamped(body)) {
                long sent = FrameStamp.audioSentNanos(body);
                if (run.inWindow(sent)) {
                    if (audioLatency == null) {
                        audioLatency = new LatencyHistogram();
                    }
                    audioLatency.record((now - sent) / 1000);
                }
            }
            return;
        }
        if (typeId != MessageType.VIDEO || size < 2 || isVideoConfig(body)) {
            return;
        }
        run.videoFramesReceived.increment();
        if (firstFrameNanos < 0) {
            firstFrameNanos = now;
        }
        // FLV 10.1 E.4.3.1 FrameType (bits 4-6 in legacy and enhanced headers) 1: key frame
        if (firstKeyframeNanos < 0 && (body.getUnsignedByte(body.readerIndex()) >> 4 & 7) == 1) {
            firstKeyframeNanos = now;
        }
        if (inWindow) {
            long gap = now - lastVideoNanos;
            if (lastVideoNanos != 0 && gap > RunState.STALL_NANOS) {
                stalls++;
                stallNanos += now - Math.max(lastVideoNanos, run.windowStartNanos);
            }
            lastVideoInWindowNanos = now;
        }
        lastVideoNanos = now;
        if (FrameStamp.isStamped(body)) {
            long sent = FrameStamp.sentNanos(body);
            long micros = (now - sent) / 1000;
            if (run.intervalLatency != null) {
                run.intervalLatency.record(micros);
            }
            if (run.inWindow(sent)) {
                if (FrameStamp.streamIndex(body) != streamIndex) {
                    wrongStreamFrames++;
                    return;
                }
                frames++;
                if (latency == null) {
                    latency = new LatencyHistogram();
                }
                latency.record(micros);
            }
        } else if (inWindow) {
            frames++;
        }
    }

    /** A video sequence header, end of sequence or metadata: not a frame. */
    private static boolean isVideoConfig(ByteBuf body) {
        int at = body.readerIndex();
        int b0 = body.getUnsignedByte(at);
        if ((b0 & 0x80) != 0) {
            // enhanced RTMP: VideoPacketType 0 SequenceStart, 2 SequenceEnd, 4 Metadata; FrameType 5 is a command
            int packetType = b0 & 0x0F;
            return packetType == 0 || packetType == 2 || packetType == 4 || (b0 >> 4 & 7) == 5;
        }
        if ((b0 & 0x0F) == 7 || (b0 & 0x0F) == 12) {
            return body.getUnsignedByte(at + 1) != 1; // AVCPacketType 0 sequence header, 2 end of sequence
        }
        return (b0 >> 4 & 7) == 5; // video info / command frame
    }

    @Override
    public void onClose(Throwable cause) {
        state = CLOSED;
        if (!run.stopping()) {
            // The server ended the play (or closed the connection): play again, as a viewer's player would.
            run.playerReconnects.incrementAndGet();
            later(REPLAY_DELAY_NANOS);
        }
    }
}
