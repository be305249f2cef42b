package dev.millrace.streaming.rtmp.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Builders for protocol control messages (RTMP 1.0 section 5.4, chunk stream 2, message stream 0) and user control
 * messages (section 7.1.7). Each returns an owned {@link RtmpMessage}.
 */
public final class ControlMessages {

    /** Chunk stream of protocol control and user control messages (RTMP 5.4). */
    public static final int CONTROL_CHUNK_STREAM = 2;

    /** User control event types (RTMP 7.1.7). */
    public static final int STREAM_BEGIN = 0;
    public static final int STREAM_EOF = 1;
    public static final int STREAM_DRY = 2;
    public static final int SET_BUFFER_LENGTH = 3;
    public static final int STREAM_IS_RECORDED = 4;
    public static final int PING_REQUEST = 6;
    public static final int PING_RESPONSE = 7;

    private ControlMessages() {
    }

    /** Set Chunk Size (type 1): 4-byte size, high bit zero (RTMP 5.4.1). */
    public static RtmpMessage setChunkSize(ByteBufAllocator alloc, int chunkSize) {
        if (chunkSize < 1 || chunkSize > 0xFFFFFF) {
            throw new IllegalArgumentException("chunk size out of 1..0xFFFFFF: " + chunkSize);
        }
        return control(MessageType.SET_CHUNK_SIZE, alloc.buffer(4).writeInt(chunkSize));
    }

    /** Acknowledgement (type 3): bytes received so far, modulo 2^32 (RTMP 5.4.3). */
    public static RtmpMessage acknowledgement(ByteBufAllocator alloc, long sequenceNumber) {
        return control(MessageType.ACKNOWLEDGEMENT, alloc.buffer(4).writeInt((int) sequenceNumber));
    }

    /** Window Acknowledgement Size (type 5) (RTMP 5.4.4). */
    public static RtmpMessage windowAckSize(ByteBufAllocator alloc, int windowSize) {
        return control(MessageType.WINDOW_ACK_SIZE, alloc.buffer(4).writeInt(windowSize));
    }

    /** Set Peer Bandwidth (type 6): window size and limit type 0 hard, 1 soft, 2 dynamic (RTMP 5.4.5). */
    public static RtmpMessage setPeerBandwidth(ByteBufAllocator alloc, int windowSize, int limitType) {
        return control(MessageType.SET_PEER_BANDWIDTH, alloc.buffer(5).writeInt(windowSize).writeByte(limitType));
    }

    /** User Control (type 4) with a 4-byte stream id or timestamp argument. */
    public static RtmpMessage userControl(ByteBufAllocator alloc, int eventType, int value) {
        return control(MessageType.USER_CONTROL, alloc.buffer(6).writeShort(eventType).writeInt(value));
    }

    /** User Control SetBufferLength (event 3, client to server): stream id, then buffer length in ms. */
    public static RtmpMessage setBufferLength(ByteBufAllocator alloc, int messageStreamId, int millis) {
        return control(MessageType.USER_CONTROL,
                alloc.buffer(10).writeShort(SET_BUFFER_LENGTH).writeInt(messageStreamId).writeInt(millis));
    }

    /** User Control PingResponse echoing the 4 bytes of a PingRequest. */
    public static RtmpMessage pingResponse(ByteBufAllocator alloc, int timestamp) {
        return userControl(alloc, PING_RESPONSE, timestamp);
    }

    private static RtmpMessage control(int typeId, ByteBuf payload) {
        return new RtmpMessage(CONTROL_CHUNK_STREAM, typeId, 0, 0, payload);
    }
}
