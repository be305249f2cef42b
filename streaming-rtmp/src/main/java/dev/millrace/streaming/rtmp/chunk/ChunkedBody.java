package dev.millrace.streaming.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Builds the part of a chunked RTMP message that is the same for every receiver: the message data with a type 3
 * basic header (RTMP 5.3.1.1, 5.3.1.2.4) after every {@code chunkSize} bytes. Each receiver's
 * {@link ChunkEncoder} then writes only its own first-chunk header in front of the shared buffer (see
 * {@link PreChunkedMessage}), so media bytes are chunked once per stream and never copied per receiver.
 *
 * <p>The separators carry no extended timestamp: a receiver that needs one (a timestamp field of 0xFFFFFF or more,
 * RTMP 5.3.1.3) rebuilds the chunks itself.
 */
public final class ChunkedBody {

    private ChunkedBody() {
    }

    /**
     * Returns an owned direct buffer holding {@code header} then {@code payload} (the message data, of length
     * {@code header.readableBytes() + payload.readableBytes()}), with a type 3 basic header for
     * {@code chunkStreamId} inserted after every {@code chunkSize} bytes of message data and none after the last.
     *
     * @param header borrowed; may be empty; its reader index does not move
     * @param payload borrowed; its reader index does not move
     * @throws IllegalArgumentException if the chunk stream id is outside 2..65599, the chunk size outside
     *     1..0xFFFFFF, or the message data longer than 0xFFFFFF bytes (RTMP 5.3.1.2.1: 24-bit length)
     */
    public static ByteBuf encode(ByteBufAllocator alloc, int chunkStreamId, int chunkSize, ByteBuf header,
            ByteBuf payload) {
        checkChunkStreamId(chunkStreamId);
        checkChunkSize(chunkSize);
        final int headerLength = header.readableBytes();
        final int payloadLength = payload.readableBytes();
        final long messageLength = (long) headerLength + payloadLength;
        if (messageLength > ChunkEncoder.MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("message of " + messageLength + " bytes, RTMP allows 0xFFFFFF");
        }
        final int length = (int) messageLength;
        final ByteBuf out = alloc.directBuffer(encodedLength(chunkStreamId, chunkSize, length));
        try {
            int inChunk = 0;
            inChunk = copy(out, header, headerLength, inChunk, chunkStreamId, chunkSize);
            copy(out, payload, payloadLength, inChunk, chunkStreamId, chunkSize);
            return out;
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    /**
     * Copies {@code count} readable bytes of {@code src} to {@code out}, starting a new chunk (a type 3 basic
     * header) whenever the current one is full and more data follows. Returns the bytes in the current chunk.
     */
    private static int copy(ByteBuf out, ByteBuf src, int count, int inChunk, int chunkStreamId, int chunkSize) {
        int index = src.readerIndex();
        int left = count;
        while (left > 0) {
            if (inChunk == chunkSize) {
                ChunkEncoder.writeBasicHeader(out, 3, chunkStreamId);
                inChunk = 0;
            }
            final int n = Math.min(left, chunkSize - inChunk);
            // getBytes into out rather than out.writeBytes(src): the latter copies through a temporary NIO view
            // (allocated per call) when src comes from another allocator than out, as a parser's slice does.
            src.getBytes(index, out, out.writerIndex(), n);
            out.writerIndex(out.writerIndex() + n);
            index += n;
            left -= n;
            inChunk += n;
        }
        return inChunk;
    }

    /** Length of a chunked body for a message of {@code messageLength} bytes: data plus type 3 separators. */
    static int encodedLength(int chunkStreamId, int chunkSize, int messageLength) {
        return messageLength + separatorCount(chunkSize, messageLength) * ChunkEncoder.basicHeaderLength(chunkStreamId);
    }

    /** Chunks after the first: one separator each. */
    static int separatorCount(int chunkSize, int messageLength) {
        return messageLength == 0 ? 0 : (messageLength - 1) / chunkSize;
    }

    static void checkChunkStreamId(int chunkStreamId) {
        if (chunkStreamId < 2 || chunkStreamId > ChunkDecoder.MAX_CHUNK_STREAM_ID) {
            throw new IllegalArgumentException("chunk stream id " + chunkStreamId + " outside 2..65599");
        }
    }

    static void checkChunkSize(int chunkSize) {
        if (chunkSize < 1 || chunkSize > ChunkDecoder.MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " outside 1..0xFFFFFF");
        }
    }
}
