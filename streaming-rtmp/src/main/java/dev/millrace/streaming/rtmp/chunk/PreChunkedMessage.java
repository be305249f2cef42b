package dev.millrace.streaming.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * An RTMP message whose data is already chunked for {@link #chunkStreamId()} at {@link #chunkSize()} by
 * {@link ChunkedBody#encode}: encode once per stream, send to N receivers. Each receiver's {@link ChunkEncoder}
 * writes its own first-chunk header (type 0, 1 or 2 from its own chunk stream state) and then this body as it is,
 * when the body's chunk size is the receiver's outbound chunk size and no extended timestamp is needed; otherwise
 * it re-chunks the data. Either way the bytes on the wire equal those of the same {@code RtmpMessage}.
 *
 * <p>Owns its body reference (a {@code ByteBufHolder}): callers pass a {@code retainedDuplicate()} of the shared
 * body, and the encoder releases it or hands it to the channel. The shared bytes are never modified.
 */
public final class PreChunkedMessage extends DefaultByteBufHolder {

    private final int chunkStreamId;
    private final int typeId;
    private final long timestamp;
    private final int messageStreamId;
    private final int messageLength;
    private final int chunkSize;

    /**
     * Takes ownership of {@code chunkedBody}, except when this constructor throws: the caller then still owns it.
     *
     * @param chunkStreamId 2..65599, the id the body's separators were written for
     * @param typeId 0..255
     * @param timestamp u32 milliseconds (higher bits are dropped)
     * @param messageLength 0..0xFFFFFF, the message data length without separators
     * @param chunkSize 1..0xFFFFFF, the chunk size the body was built with
     * @param chunkedBody a buffer built by {@link ChunkedBody#encode} with the same chunk stream id and chunk size
     * @throws IllegalArgumentException if a value is out of range or the body's length does not match
     */
    public PreChunkedMessage(int chunkStreamId, int typeId, long timestamp, int messageStreamId, int messageLength,
            int chunkSize, ByteBuf chunkedBody) {
        super(checked(chunkStreamId, typeId, messageLength, chunkSize, chunkedBody));
        this.chunkStreamId = chunkStreamId;
        this.typeId = typeId;
        this.timestamp = timestamp & 0xFFFFFFFFL;
        this.messageStreamId = messageStreamId;
        this.messageLength = messageLength;
        this.chunkSize = chunkSize;
    }

    private static ByteBuf checked(int chunkStreamId, int typeId, int messageLength, int chunkSize, ByteBuf body) {
        ChunkedBody.checkChunkStreamId(chunkStreamId);
        ChunkedBody.checkChunkSize(chunkSize);
        if (typeId < 0 || typeId > 0xFF) {
            throw new IllegalArgumentException("message type id " + typeId + " outside 0..255");
        }
        if (messageLength < 0 || messageLength > ChunkEncoder.MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("message length " + messageLength + " outside 0..0xFFFFFF");
        }
        final int expected = ChunkedBody.encodedLength(chunkStreamId, chunkSize, messageLength);
        if (body.readableBytes() != expected) {
            throw new IllegalArgumentException("chunked body of " + body.readableBytes() + " bytes, expected "
                    + expected + " for " + messageLength + " bytes at chunk size " + chunkSize);
        }
        return body;
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

    /** Message data length in bytes, separators not counted. */
    public int messageLength() {
        return messageLength;
    }

    /** The chunk size the body was built with. */
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public PreChunkedMessage replace(ByteBuf content) {
        return new PreChunkedMessage(chunkStreamId, typeId, timestamp, messageStreamId, messageLength, chunkSize,
                content);
    }

    @Override
    public PreChunkedMessage copy() {
        return (PreChunkedMessage) super.copy();
    }

    @Override
    public PreChunkedMessage duplicate() {
        return (PreChunkedMessage) super.duplicate();
    }

    @Override
    public PreChunkedMessage retainedDuplicate() {
        return (PreChunkedMessage) super.retainedDuplicate();
    }

    @Override
    public PreChunkedMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public PreChunkedMessage retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public PreChunkedMessage touch() {
        super.touch();
        return this;
    }

    @Override
    public PreChunkedMessage touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "PreChunkedMessage(csid=" + chunkStreamId + " type=" + typeId + " ts=" + timestamp + " msid="
                + messageStreamId + " len=" + messageLength + " chunkSize=" + chunkSize + ")";
    }
}
