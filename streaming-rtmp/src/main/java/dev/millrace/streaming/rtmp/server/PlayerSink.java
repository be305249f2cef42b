package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.MediaSink;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.Subscription;
import dev.millrace.streaming.rtmp.chunk.PreChunkedMessage;
import dev.millrace.streaming.rtmp.media.MediaMessageEncoding;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.ControlMessages;
import io.netty.channel.ChannelHandlerContext;

/**
 * Sends a stream to one RTMP player. Runs on the player's event loop.
 *
 * <p>Each packet's chunked body is built once per stream ({@link MediaMessageEncoding}) and written here as a retained
 * duplicate behind this player's own first-chunk header; timestamps are rebased so this player's timeline starts at
 * 0 on its first frame, with metadata and sequence headers at 0 (field guide §6, §7).
 */
final class PlayerSink implements MediaSink {

    private final ChannelHandlerContext ctx;
    private final int messageStreamId;
    private final MediaMessageEncoding encoding;
    private final PlayerCapabilities capabilities;
    private boolean waitingForPublisher;
    private boolean receiveAudio = true;
    private boolean receiveVideo = true;
    private long base90k = Long.MIN_VALUE;
    private long lastTimestamp;
    private Subscription subscription;

    PlayerSink(ChannelHandlerContext ctx, int messageStreamId, MediaMessageEncoding encoding,
            PlayerCapabilities capabilities, boolean waitingForPublisher) {
        this.ctx = ctx;
        this.messageStreamId = messageStreamId;
        this.encoding = encoding;
        this.capabilities = capabilities;
        this.waitingForPublisher = waitingForPublisher;
    }

    void attach(Subscription subscription) {
        this.subscription = subscription;
    }

    void receiveAudio(boolean on) {
        receiveAudio = on;
    }

    void receiveVideo(boolean on) {
        receiveVideo = on;
    }

    @Override
    public void onPacket(MediaPacket p) {
        if (!capabilities.accepts(p) || (p.kind() == MediaKind.AUDIO && !receiveAudio)
                || (p.kind() == MediaKind.VIDEO && !receiveVideo)) {
            return;
        }
        long timestamp;
        if (p.kind() == MediaKind.DATA && p.isConfig()) {
            // onMetaData only counts as metadata for FFmpeg at timestamp 0 (field guide §6).
            timestamp = 0;
        } else if (p.isConfig()) {
            timestamp = lastTimestamp;
        } else {
            if (base90k == Long.MIN_VALUE) {
                base90k = p.dts90k();
            }
            timestamp = Math.max(0, Math.floorDiv(p.dts90k() - base90k, MediaPacket.TICKS_PER_MILLI));
            lastTimestamp = timestamp;
        }
        PreChunkedMessage msg = encoding.message(p, timestamp, messageStreamId);
        ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void onBatchEnd() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void onPublish(StreamInfo stream) {
        if (waitingForPublisher) {
            waitingForPublisher = false;
            ctx.write(CommandCodec.onStatus(ctx.alloc(), messageStreamId, "status", "NetStream.Play.PublishNotify",
                    stream.name() + " is now published.", stream.name()), ctx.voidPromise());
        }
    }

    @Override
    public void onUnpublish(StreamInfo stream) {
        waitingForPublisher = true;
        ctx.write(ControlMessages.userControl(ctx.alloc(), ControlMessages.STREAM_EOF, messageStreamId),
                ctx.voidPromise());
        ctx.write(CommandCodec.onStatus(ctx.alloc(), messageStreamId, "status", "NetStream.Play.UnpublishNotify",
                stream.name() + " is now unpublished.", stream.name()), ctx.voidPromise());
    }

    @Override
    public void onClose(Subscription.CloseReason reason) {
        if (reason != Subscription.CloseReason.UNSUBSCRIBED) {
            ctx.flush();
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "PlayerSink(" + ctx.channel().remoteAddress() + " msid=" + messageStreamId + " " + subscription + ")";
    }
}
