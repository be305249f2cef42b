package dev.millrace.streaming.rtmp.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One whole RTMP message: what the chunk decoder emits once every chunk of a message has arrived, and what the
 * chunk encoder takes to write. Timestamps are the 32-bit RTMP values (0..2^32-1) in milliseconds; unwrapping them
 * to a 64-bit timeline is the session's job.
 *
 * <p>Owns its payload (a {@code ByteBufHolder}): whoever holds the message releases it.
 */
public final class RtmpMessage extends DefaultByteBufHolder {

    private final int chunkStreamId;
    private final int typeId;
    private final long timestamp;
    private final int messageStreamId;

    /**
     * @param chunkStreamId 2..65599 inbound; outbound the encoder writes it as given (we send only 2..63)
     * @param timestamp 0..0xFFFFFFFF milliseconds
     */
    public RtmpMessage(int chunkStreamId, int typeId, long timestamp, int messageStreamId, ByteBuf payload) {
        super(payload);
        this.chunkStreamId = chunkStreamId;
        this.typeId = typeId;
        this.timestamp = timestamp & 0xFFFFFFFFL;
        this.messageStreamId = messageStreamId;
    }

    public int chunkStreamId() {
        return chunkStreamId;
    }

    public int typeId() {
        return typeId;
    }

    /** Milliseconds, 0..0xFFFFFFFF. */
    public long timestamp() {
        return timestamp;
    }

    public int messageStreamId() {
        return messageStreamId;
    }

    /** Payload length in bytes. */
    public int length() {
        return content().readableBytes();
    }

    @Override
    public RtmpMessage replace(ByteBuf content) {
        return new RtmpMessage(chunkStreamId, typeId, timestamp, messageStreamId, content);
    }

    @Override
    public RtmpMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public RtmpMessage retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public RtmpMessage touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "RtmpMessage(csid=" + chunkStreamId + " type=" + typeId + " ts=" + timestamp + " msid="
                + messageStreamId + " len=" + content().readableBytes() + ")";
    }
}
