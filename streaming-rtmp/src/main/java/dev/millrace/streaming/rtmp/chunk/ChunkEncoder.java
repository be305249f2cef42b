package dev.millrace.streaming.rtmp.chunk;

import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.PromiseCombiner;

/**
 * Writes {@link RtmpMessage}s and {@link PreChunkedMessage}s as RTMP chunks (RTMP 1.0 section 5.3); passes any
 * other object through untouched. Never flushes.
 *
 * <p>One instance per connection (not sharable), on the connection's event loop. It owns the outbound chunk size
 * (128 at first, RTMP 5.4.1) and the outbound per-chunk-stream header state. Every write, control messages
 * included, goes through it, so the chunk size switches exactly after the Set Chunk Size message that announces
 * it (RTMP-FIELD-GUIDE T7).
 *
 * <p>First-chunk header per chunk stream: type 0 (absolute timestamp) for the first message, when the message
 * stream id changes, when the timestamp goes backwards (T6) or when the delta would be 0xFFFFFF or more (T5);
 * otherwise type 1 when the length or type id changed, else type 2. Type 3 only for continuation chunks. A
 * timestamp field of 0xFFFFFF or more is written as 0xFFFFFF plus a 4-byte extended timestamp, repeated in every
 * continuation chunk of the message (RTMP 5.3.1.3, T4).
 *
 * <p>Buffers: a written message is taken over; the encoder releases it or passes its bytes on. The write promise
 * completes when every buffer of that message has been written. An invalid message (chunk stream id outside
 * 2..65599, type id outside 0..255, more than 0xFFFFFF bytes, a malformed outbound Set Chunk Size) fails its
 * promise with {@link IllegalArgumentException}, is released, and changes no state.
 */
public final class ChunkEncoder extends ChannelOutboundHandlerAdapter {

    /** RTMP 5.3.1.2.1: the message length field is 24 bits. */
    static final int MAX_MESSAGE_LENGTH = 0xFFFFFF;

    /** Timestamp fields at or above this value go into the extended timestamp (RTMP 5.3.1.3). */
    private static final long EXTENDED = 0xFFFFFF;

    private int chunkSize = ChunkDecoder.DEFAULT_CHUNK_SIZE;

    /** Chunk streams 2..63, indexed by id. */
    private final OutStream[] lowStreams = new OutStream[64];
    /** Chunk streams 64..65599; created on first use. */
    private IntObjectHashMap<OutStream> highStreams;

    public ChunkEncoder() {
    }

    /** The current outbound chunk size. */
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof RtmpMessage) {
            writeMessage(ctx, (RtmpMessage) msg, promise);
        } else if (msg instanceof PreChunkedMessage) {
            writePreChunked(ctx, (PreChunkedMessage) msg, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** Takes ownership of {@code msg}. */
    private void writeMessage(ChannelHandlerContext ctx, RtmpMessage msg, ChannelPromise promise) {
        final ByteBuf out;
        final int newChunkSize;
        try {
            final ByteBuf payload = msg.content();
            final int csid = msg.chunkStreamId();
            final int length = payload.readableBytes();
            checkMessage(csid, msg.typeId(), length);
            newChunkSize = msg.typeId() == MessageType.SET_CHUNK_SIZE
                    ? announcedChunkSize(payload, payload.readerIndex(), length, Integer.MAX_VALUE, 0) : chunkSize;
            final OutStream s = stream(csid);
            final int fmt = headerType(s, msg.typeId(), msg.timestamp(), msg.messageStreamId(), length);
            final long field = timestampField(s, fmt, msg.timestamp());
            out = chunks(ctx.alloc(), csid, fmt, field, length, msg.typeId(), msg.messageStreamId(),
                    payload, payload.readerIndex(), Integer.MAX_VALUE, 0);
            s.update(msg.typeId(), msg.timestamp(), msg.messageStreamId(), length);
        } catch (RuntimeException e) {
            msg.release();
            promise.tryFailure(e);
            return;
        }
        msg.release();
        chunkSize = newChunkSize;
        ctx.write(out, promise);
    }

    /** Takes ownership of {@code msg}. */
    private void writePreChunked(ChannelHandlerContext ctx, PreChunkedMessage msg, ChannelPromise promise) {
        final int csid = msg.chunkStreamId();
        final int length = msg.messageLength();
        final ByteBuf body = msg.content();
        final int separatorLength = basicHeaderLength(csid);
        final int newChunkSize;
        final int fmt;
        final long field;
        final OutStream s;
        try {
            newChunkSize = msg.typeId() == MessageType.SET_CHUNK_SIZE
                    ? announcedChunkSize(body, body.readerIndex(), length, msg.chunkSize(), separatorLength)
                    : chunkSize;
            s = stream(csid);
            fmt = headerType(s, msg.typeId(), msg.timestamp(), msg.messageStreamId(), length);
            field = timestampField(s, fmt, msg.timestamp());
        } catch (RuntimeException e) {
            msg.release();
            promise.tryFailure(e);
            return;
        }
        if (msg.chunkSize() != chunkSize || field >= EXTENDED) {
            // Rare: the receiver's chunk size differs or it needs extended timestamps; re-chunk the data.
            final ByteBuf out;
            try {
                out = chunks(ctx.alloc(), csid, fmt, field, length, msg.typeId(), msg.messageStreamId(),
                        body, body.readerIndex(), msg.chunkSize(), separatorLength);
            } catch (RuntimeException e) {
                msg.release();
                promise.tryFailure(e);
                return;
            }
            msg.release();
            s.update(msg.typeId(), msg.timestamp(), msg.messageStreamId(), length);
            chunkSize = newChunkSize;
            ctx.write(out, promise);
            return;
        }
        // Zero copy: this receiver's first-chunk header, then the shared body as it is.
        final ByteBuf header = ctx.alloc().buffer(separatorLength + messageHeaderLength(fmt));
        writeBasicHeader(header, fmt, csid);
        writeMessageHeader(header, fmt, field, length, msg.typeId(), msg.messageStreamId());
        s.update(msg.typeId(), msg.timestamp(), msg.messageStreamId(), length);
        chunkSize = newChunkSize;
        if (promise.isVoid()) {
            ctx.write(header, promise);
            ctx.write(body, promise);
        } else {
            final PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
            combiner.add(ctx.write(header));
            // The body reference owned by msg passes to the channel, which releases it once written.
            combiner.add(ctx.write(body));
            combiner.finish(promise);
        }
    }

    private static void checkMessage(int csid, int typeId, int length) {
        ChunkedBody.checkChunkStreamId(csid);
        if (typeId < 0 || typeId > 0xFF) {
            throw new IllegalArgumentException("message type id " + typeId + " outside 0..255");
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("message of " + length + " bytes, RTMP allows 0xFFFFFF");
        }
    }

    /**
     * The chunk size an outbound Set Chunk Size message announces (RTMP 5.4.1): the first 4 of the {@code length}
     * message data bytes, read from {@code buf} at {@code index} where the data is chunked at {@code dataChunkSize}
     * with {@code separatorLength}-byte separators ({@code Integer.MAX_VALUE} and 0 for contiguous data). Sizes
     * above 0xFFFFFF act as 0xFFFFFF.
     */
    private static int announcedChunkSize(ByteBuf buf, int index, int length, int dataChunkSize,
            int separatorLength) {
        if (length < 4) {
            throw new IllegalArgumentException("Set Chunk Size message of " + length + " bytes, needs 4");
        }
        long value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | buf.getUnsignedByte(index + i + (i / dataChunkSize) * separatorLength);
        }
        if (value == 0 || (value & 0x8000_0000L) != 0) {
            throw new IllegalArgumentException("Set Chunk Size " + value + ": must be 1..0x7FFFFFFF");
        }
        return (int) Math.min(value, ChunkDecoder.MAX_CHUNK_SIZE);
    }

    /** RTMP 5.3.1.2 and RTMP-FIELD-GUIDE T3, T5, T6: which message header the first chunk gets. */
    private static int headerType(OutStream s, int typeId, long timestamp, int messageStreamId, int length) {
        if (!s.used || messageStreamId != s.messageStreamId || timestamp < s.timestamp
                || timestamp - s.timestamp >= EXTENDED) {
            return 0;
        }
        if (length != s.length || typeId != s.typeId) {
            return 1;
        }
        return 2;
    }

    /** The timestamp field of a type 0 (absolute) or type 1/2 (delta) header. */
    private static long timestampField(OutStream s, int fmt, long timestamp) {
        return fmt == 0 ? timestamp : timestamp - s.timestamp;
    }

    /**
     * Returns an owned buffer with the whole chunked message: first chunk with a type {@code fmt} header, then type
     * 3 continuation chunks of {@link #chunkSize} data bytes, extended timestamp repeated in each if needed. The
     * {@code length} data bytes are read from {@code src} at {@code srcIndex} (borrowed, indices unchanged), where
     * they are chunked at {@code srcChunkSize} with {@code srcSeparatorLength}-byte separators between chunks
     * ({@code Integer.MAX_VALUE} and 0 for contiguous data).
     */
    private ByteBuf chunks(ByteBufAllocator alloc, int csid, int fmt, long field, int length, int typeId,
            int messageStreamId, ByteBuf src, int srcIndex, int srcChunkSize, int srcSeparatorLength) {
        final boolean extended = field >= EXTENDED;
        final int basicLength = basicHeaderLength(csid);
        final int extendedLength = extended ? 4 : 0;
        final int continuation = basicLength + extendedLength;
        final int total = basicLength + messageHeaderLength(fmt) + extendedLength + length
                + ChunkedBody.separatorCount(chunkSize, length) * continuation;
        final ByteBuf out = alloc.buffer(total);
        try {
            writeBasicHeader(out, fmt, csid);
            writeMessageHeader(out, fmt, field, length, typeId, messageStreamId);
            int srcPos = srcIndex;
            int srcLeftInChunk = srcChunkSize;
            int written = 0;
            for (;;) {
                int toCopy = Math.min(chunkSize, length - written);
                written += toCopy;
                while (toCopy > 0) {
                    if (srcLeftInChunk == 0) {
                        srcPos += srcSeparatorLength;
                        srcLeftInChunk = srcChunkSize;
                    }
                    final int n = Math.min(toCopy, srcLeftInChunk);
                    out.writeBytes(src, srcPos, n);
                    srcPos += n;
                    srcLeftInChunk -= n;
                    toCopy -= n;
                }
                if (written >= length) {
                    return out;
                }
                // RTMP 5.3.1.2.4 continuation chunk; 5.3.1.3: it repeats the extended timestamp
                writeBasicHeader(out, 3, csid);
                if (extended) {
                    out.writeInt((int) field);
                }
            }
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    /** RTMP 5.3.1.1: basic header length for a chunk stream id (1 for 2..63, 2 for 64..319, 3 above). */
    static int basicHeaderLength(int csid) {
        return csid < 64 ? 1 : csid < 320 ? 2 : 3;
    }

    /** RTMP 5.3.1.2: message header length for a chunk type. */
    private static int messageHeaderLength(int fmt) {
        return fmt == 0 ? 11 : fmt == 1 ? 7 : fmt == 2 ? 3 : 0;
    }

    /** RTMP 5.3.1.1: fmt in the top 2 bits; the 2- and 3-byte forms carry id - 64, the 3-byte one little-endian. */
    static void writeBasicHeader(ByteBuf out, int fmt, int csid) {
        if (csid < 64) {
            out.writeByte(fmt << 6 | csid);
        } else if (csid < 320) {
            out.writeByte(fmt << 6);
            out.writeByte(csid - 64);
        } else {
            out.writeByte(fmt << 6 | 1);
            out.writeShortLE(csid - 64);
        }
    }

    /** RTMP 5.3.1.2.1-3 and 5.3.1.3: the message header and, if the field needs it, the extended timestamp. */
    private static void writeMessageHeader(ByteBuf out, int fmt, long field, int length, int typeId,
            int messageStreamId) {
        if (fmt == 3) {
            return;
        }
        final boolean extended = field >= EXTENDED;
        out.writeMedium(extended ? 0xFFFFFF : (int) field);
        if (fmt <= 1) {
            out.writeMedium(length);
            out.writeByte(typeId);
        }
        if (fmt == 0) {
            // RTMP 5.3.1.2.5 (T14): message stream id little-endian
            out.writeIntLE(messageStreamId);
        }
        if (extended) {
            out.writeInt((int) field);
        }
    }

    private OutStream stream(int csid) {
        if (csid < 64) {
            OutStream s = lowStreams[csid];
            if (s == null) {
                s = new OutStream();
                lowStreams[csid] = s;
            }
            return s;
        }
        if (highStreams == null) {
            highStreams = new IntObjectHashMap<>();
        }
        OutStream s = highStreams.get(csid);
        if (s == null) {
            s = new OutStream();
            highStreams.put(csid, s);
        }
        return s;
    }

    /** Header state of one outbound chunk stream: what the peer's decoder holds for it. */
    private static final class OutStream {
        boolean used;
        long timestamp;
        int length;
        int typeId;
        int messageStreamId;

        void update(int typeId, long timestamp, int messageStreamId, int length) {
            this.used = true;
            this.typeId = typeId;
            this.timestamp = timestamp;
            this.messageStreamId = messageStreamId;
            this.length = length;
        }
    }
}
