package dev.millrace.streaming.rtmp.chunk;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.collection.IntObjectHashMap;
import java.util.List;

/**
 * Reassembles the inbound RTMP chunk stream (RTMP 1.0 section 5.3) into whole {@link RtmpMessage}s.
 *
 * <p>One instance per connection (not sharable), on the connection's event loop, after the handshake. It owns the
 * inbound per-chunk-stream header state and the inbound chunk size: a Set Chunk Size message (type 1) is applied
 * here, from the chunk that follows it, and an Abort message (type 2) drops the unfinished message of the chunk
 * stream it names; both are emitted as well, so the session sees every message.
 *
 * <p>Bounds: every declared message length is checked against {@link RtmpLimits#maxMessageBytes(int)} as soon as
 * its header has been read, before any payload byte is held; at most {@link RtmpLimits#maxChunkStreams()} chunk
 * streams may have state; at most {@link RtmpLimits#maxBufferedBytes()} bytes may be held by unfinished messages.
 * A breach, and any malformed input, throws {@link RtmpProtocolException}; the decoder then releases every partial
 * message and discards all later input (the session closes the connection).
 *
 * <p>Buffers: every message is copied once out of the inbound buffer: a message whose whole payload is already
 * there in one chunk into a buffer of exactly its size, any other chunk by chunk into a buffer that grows as its
 * bytes arrive (never allocated from the declared length alone). Slices of the inbound buffer would save that copy
 * but pin whole socket read buffers for as long as a cached message lives. Each emitted message is returned owned:
 * the next handler releases it.
 *
 * <p>Extended timestamps on type 3 chunks (RTMP 5.3.1.3) are optional in practice: most senders repeat the 4
 * bytes in every type 3 chunk while the chunk stream's last type 0/1/2 header used an extended timestamp, some
 * (go-rtmp) never do. Rule: the next 4 bytes are taken as the extended timestamp only if they equal the stored
 * value; otherwise they are chunk data. Bytes are compared as they arrive: the first byte that differs decides
 * "chunk data" at once, and only while every byte seen so far matches does the decoder wait for the fourth one.
 * Corner case: a sender that does not repeat the field, whose type 3 chunk carries fewer than 4 data bytes that
 * happen to equal the first bytes of the stored value, and that then sends nothing until it gets an answer,
 * stalls that message until its next bytes arrive; a repeating sender is never misread, and a non-repeating one
 * only if its chunk data starts with the exact 4 bytes of the extended timestamp.
 */
public final class ChunkDecoder extends ByteToMessageDecoder {

    /** RTMP 5.4.1: the chunk size at the start of every connection, per direction. */
    static final int DEFAULT_CHUNK_SIZE = 128;

    /** RTMP 5.4.1: chunk sizes above this value are treated as this value. */
    static final int MAX_CHUNK_SIZE = 0xFFFFFF;

    /** Largest chunk stream id: the 3-byte basic header form reaches 65599 (RTMP 5.3.1.1). */
    static final int MAX_CHUNK_STREAM_ID = 65599;

    /** Upper bound on the first allocation of a reassembly buffer; it grows beyond as bytes arrive. */
    private static final int MAX_INITIAL_REASSEMBLY_CAPACITY = 64 * 1024;

    private static final long U32 = 0xFFFFFFFFL;

    private enum State {
        /** Waiting for a whole chunk header: basic header, message header, extended timestamp. */
        HEADER,
        /** Reading the data of the current chunk. */
        PAYLOAD,
        /** A protocol error happened; everything that follows is discarded. */
        BAD
    }

    private final RtmpLimits limits;

    private State state = State.HEADER;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private long bytesRead;

    /** Chunk streams 2..63, indexed by id (the common case, no hashing). */
    private final ChunkStream[] lowStreams = new ChunkStream[64];
    /** Chunk streams 64..65599; created on first use. */
    private IntObjectHashMap<ChunkStream> highStreams;
    private int streamCount;

    /** Bytes received for unfinished messages across all chunk streams. */
    private long bufferedBytes;

    /** The chunk stream whose chunk data is being read (state PAYLOAD). */
    private ChunkStream current;
    /** Data bytes of the current chunk not read yet. */
    private int chunkRemaining;

    public ChunkDecoder(RtmpLimits limits) {
        if (limits == null) {
            throw new NullPointerException("limits");
        }
        this.limits = limits;
    }

    /**
     * Bytes consumed from the wire by this decoder since the handshake: chunk headers and chunk data, counted when
     * a whole header or some chunk data is consumed (so it lags what arrived by at most one incomplete header).
     * Wraps nowhere; the session takes it modulo 2^32 for Acknowledgement (RTMP 5.4.3).
     */
    public long bytesRead() {
        return bytesRead;
    }

    /** The current inbound chunk size (RTMP 5.4.1), 128 until the peer sends Set Chunk Size. */
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case HEADER:
                    if (!readHeader(in)) {
                        return;
                    }
                    break;
                case PAYLOAD:
                    if (!readChunkData(ctx, in, out)) {
                        return;
                    }
                    break;
                case BAD:
                default:
                    in.skipBytes(in.readableBytes());
                    return;
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            if (in.isReadable()) {
                decode(ctx, in, out);
            }
        } finally {
            // The input ended: no unfinished message can complete any more.
            releasePartials();
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releasePartials();
    }

    /**
     * Consumes one whole chunk header if it is readable, and moves to PAYLOAD. Consumes nothing and returns false
     * when more bytes are needed.
     */
    private boolean readHeader(ByteBuf in) {
        final int readable = in.readableBytes();
        if (readable < 1) {
            return false;
        }
        final int start = in.readerIndex();
        final int b0 = in.getUnsignedByte(start);
        final int fmt = b0 >>> 6;
        // RTMP 5.3.1.1: 6-bit id 0 = 2-byte form (id - 64 in one byte), 1 = 3-byte form (id - 64, little-endian)
        final int csid;
        final int basicLength;
        switch (b0 & 0x3F) {
            case 0:
                if (readable < 2) {
                    return false;
                }
                csid = 64 + in.getUnsignedByte(start + 1);
                basicLength = 2;
                break;
            case 1:
                if (readable < 3) {
                    return false;
                }
                csid = 64 + in.getUnsignedByte(start + 1) + (in.getUnsignedByte(start + 2) << 8);
                basicLength = 3;
                break;
            default:
                csid = b0 & 0x3F;
                basicLength = 1;
                break;
        }
        // RTMP 5.3.1.2: message header of 11, 7, 3 or 0 bytes by fmt
        final int messageHeaderLength = fmt == 0 ? 11 : fmt == 1 ? 7 : fmt == 2 ? 3 : 0;
        int headerLength = basicLength + messageHeaderLength;
        if (readable < headerLength) {
            return false;
        }
        ChunkStream cs = stream(csid);

        if (fmt == 3) {
            if (cs == null) {
                throw fail(Reason.BAD_CHUNK_HEADER,
                        "type 3 chunk on chunk stream " + csid + " without a previous header");
            }
            if (cs.extended) {
                // RTMP 5.3.1.3 on type 3 chunks, optional in practice: see the class comment
                final int available = Math.min(4, readable - headerLength);
                final long expected = cs.timestampField;
                boolean matches = true;
                for (int i = 0; i < available; i++) {
                    if (in.getUnsignedByte(start + headerLength + i) != (int) ((expected >>> (24 - 8 * i)) & 0xFF)) {
                        matches = false;
                        break;
                    }
                }
                if (matches) {
                    if (available < 4) {
                        return false;
                    }
                    headerLength += 4;
                }
            }
            if (!cs.inProgress) {
                // RTMP 5.3.1.2.4: a type 3 chunk starting a new message repeats the previous timestamp field as
                // its delta; after a type 0 header that field is the type 0 (absolute) timestamp.
                cs.timestamp = (cs.timestamp + cs.timestampField) & U32;
                startMessage(cs);
            }
        } else {
            final int ts24 = in.getUnsignedMedium(start + basicLength);
            final boolean extended = ts24 == 0xFFFFFF;
            if (extended) {
                // RTMP 5.3.1.3: the 24-bit field 0xFFFFFF announces a 4-byte extended timestamp
                headerLength += 4;
                if (readable < headerLength) {
                    return false;
                }
            }
            if (cs == null) {
                cs = newStream(csid);
            }
            int length = cs.length;
            int typeId = cs.typeId;
            int messageStreamId = cs.messageStreamId;
            if (fmt <= 1) {
                length = in.getUnsignedMedium(start + basicLength + 3);
                typeId = in.getUnsignedByte(start + basicLength + 6);
            }
            if (fmt == 0) {
                // RTMP 5.3.1.2.1 and 5.3.1.2.5: message stream id, 4 bytes little-endian
                messageStreamId = in.getIntLE(start + basicLength + 7);
            }
            if (cs.inProgress) {
                // RTMP-FIELD-GUIDE T13: a new header inside a message; a new length is the CVE-2016-10191 shape
                if (length != cs.length) {
                    throw fail(Reason.MESSAGE_LENGTH_CHANGED, "type " + fmt + " header on chunk stream " + csid
                            + " changes the length of an unfinished message from " + cs.length + " to " + length);
                }
                throw fail(Reason.BAD_CHUNK_HEADER, "type " + fmt + " header on chunk stream " + csid
                        + " in the middle of a message (" + cs.received + " of " + cs.length + " bytes)");
            }
            final int maxBytes = limits.maxMessageBytes(typeId);
            if (length > maxBytes) {
                throw fail(Reason.MESSAGE_TOO_LARGE, "message of type " + typeId + " on chunk stream " + csid
                        + " declares " + length + " bytes, limit " + maxBytes);
            }
            final long field = extended ? in.getUnsignedInt(start + basicLength + messageHeaderLength) : ts24;
            // RTMP 5.3.1.2.1: type 0 carries the absolute timestamp; 5.3.1.2.2/3: types 1 and 2 a delta,
            // added modulo 2^32 (RTMP 4: timestamps wrap)
            cs.timestamp = fmt == 0 ? field : (cs.timestamp + field) & U32;
            cs.timestampField = field;
            cs.extended = extended;
            cs.length = length;
            cs.typeId = typeId;
            cs.messageStreamId = messageStreamId;
            startMessage(cs);
        }

        final int chunkData = Math.min(chunkSize, cs.length - cs.received);
        if (bufferedBytes + chunkData > limits.maxBufferedBytes()) {
            throw fail(Reason.BUFFER_LIMIT, "unfinished messages would hold " + (bufferedBytes + chunkData)
                    + " bytes, limit " + limits.maxBufferedBytes());
        }
        in.skipBytes(headerLength);
        bytesRead += headerLength;
        current = cs;
        chunkRemaining = chunkData;
        state = State.PAYLOAD;
        return true;
    }

    private static void startMessage(ChunkStream cs) {
        cs.inProgress = true;
        cs.received = 0;
    }

    /**
     * Reads the data of the current chunk. Returns true when the chunk is complete (state back to HEADER), false
     * when more bytes are needed.
     */
    private boolean readChunkData(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        final ChunkStream cs = current;
        final int n = Math.min(in.readableBytes(), chunkRemaining);
        if (cs.received == 0 && n == cs.length) {
            // The whole message is this one chunk and it is all here: one exact-size copy. A retained slice would
            // avoid the copy but pin the whole socket read buffer for as long as the message lives (a GOP cache
            // keeps messages for seconds).
            final ByteBuf payload = n == 0 ? Unpooled.EMPTY_BUFFER : ctx.alloc().buffer(n, n).writeBytes(in, n);
            bytesRead += n;
            chunkRemaining = 0;
            state = State.HEADER;
            completeMessage(cs, payload, out);
            return true;
        }
        if (n > 0) {
            if (cs.partial == null) {
                final int initial = Math.min(cs.length, Math.min(chunkSize, MAX_INITIAL_REASSEMBLY_CAPACITY));
                cs.partial = ctx.alloc().buffer(Math.max(initial, n), cs.length);
            }
            cs.partial.writeBytes(in, n);
            cs.received += n;
            bufferedBytes += n;
            bytesRead += n;
            chunkRemaining -= n;
        }
        if (chunkRemaining > 0) {
            return false;
        }
        state = State.HEADER;
        if (cs.received == cs.length) {
            final ByteBuf payload = cs.partial;
            cs.partial = null;
            bufferedBytes -= cs.received;
            completeMessage(cs, payload, out);
        }
        return true;
    }

    /** Takes ownership of {@code payload}: it goes to {@code out} inside the message, or is released on error. */
    private void completeMessage(ChunkStream cs, ByteBuf payload, List<Object> out) {
        cs.inProgress = false;
        cs.received = 0;
        final RtmpMessage message = new RtmpMessage(cs.chunkStreamId, cs.typeId, cs.timestamp, cs.messageStreamId,
                payload);
        try {
            if (cs.typeId == MessageType.SET_CHUNK_SIZE) {
                applySetChunkSize(payload);
            } else if (cs.typeId == MessageType.ABORT) {
                applyAbort(payload);
            }
        } catch (RtmpProtocolException e) {
            message.release();
            throw e;
        }
        out.add(message);
    }

    /** RTMP 5.4.1; {@code payload} is borrowed. */
    private void applySetChunkSize(ByteBuf payload) {
        if (payload.readableBytes() < 4) {
            throw fail(Reason.BAD_CONTROL_MESSAGE, "Set Chunk Size with " + payload.readableBytes() + " bytes");
        }
        final long value = payload.getUnsignedInt(payload.readerIndex());
        // RTMP 5.4.1: bit 31 must be zero; a size of zero is meaningless (FFmpeg rejects it too)
        if (value == 0 || (value & 0x8000_0000L) != 0) {
            throw fail(Reason.BAD_CHUNK_SIZE, "Set Chunk Size " + value);
        }
        // RTMP 5.4.1: sizes above 0xFFFFFF are equivalent to 0xFFFFFF (no message is longer)
        final int size = (int) Math.min(value, MAX_CHUNK_SIZE);
        if (size < limits.minChunkSize()) {
            throw fail(Reason.BAD_CHUNK_SIZE,
                    "Set Chunk Size " + value + " below the minimum " + limits.minChunkSize());
        }
        if (size > limits.maxChunkSize()) {
            throw fail(Reason.BAD_CHUNK_SIZE,
                    "Set Chunk Size " + value + " above the maximum " + limits.maxChunkSize());
        }
        chunkSize = size;
    }

    /** RTMP 5.4.2; {@code payload} is borrowed. */
    private void applyAbort(ByteBuf payload) {
        if (payload.readableBytes() < 4) {
            throw fail(Reason.BAD_CONTROL_MESSAGE, "Abort with " + payload.readableBytes() + " bytes");
        }
        final long target = payload.getUnsignedInt(payload.readerIndex());
        if (target > MAX_CHUNK_STREAM_ID) {
            return;
        }
        final ChunkStream cs = stream((int) target);
        if (cs != null && cs.inProgress) {
            bufferedBytes -= cs.received;
            cs.releasePartial();
            cs.inProgress = false;
            cs.received = 0;
        }
    }

    private ChunkStream stream(int csid) {
        if (csid < 64) {
            return lowStreams[csid];
        }
        return highStreams == null ? null : highStreams.get(csid);
    }

    private ChunkStream newStream(int csid) {
        if (streamCount >= limits.maxChunkStreams()) {
            throw fail(Reason.TOO_MANY_CHUNK_STREAMS, "chunk stream " + csid + " would be number " + (streamCount + 1)
                    + ", limit " + limits.maxChunkStreams());
        }
        // RTMP-FIELD-GUIDE T8: a type 1 or 2 header may open a chunk stream; its previous state is all zero
        final ChunkStream cs = new ChunkStream(csid);
        if (csid < 64) {
            lowStreams[csid] = cs;
        } else {
            if (highStreams == null) {
                highStreams = new IntObjectHashMap<>();
            }
            highStreams.put(csid, cs);
        }
        streamCount++;
        return cs;
    }

    /** Moves to BAD, releases every partial message and returns the exception to throw. */
    private RtmpProtocolException fail(Reason reason, String detail) {
        state = State.BAD;
        releasePartials();
        return new RtmpProtocolException(reason, detail);
    }

    private void releasePartials() {
        for (ChunkStream cs : lowStreams) {
            if (cs != null) {
                cs.releasePartial();
            }
        }
        if (highStreams != null) {
            for (ChunkStream cs : highStreams.values()) {
                cs.releasePartial();
            }
        }
        bufferedBytes = 0;
        current = null;
    }

    /** Header state of one inbound chunk stream (RTMP 5.3.1.2: kept per chunk stream id, never per type). */
    private static final class ChunkStream {
        final int chunkStreamId;
        /** Timestamp of the last (or current) message, u32 milliseconds. */
        long timestamp;
        /** The last type 0/1/2 header's timestamp field: absolute (type 0) or delta, extended value if used. */
        long timestampField;
        /** Whether that header used the extended timestamp. */
        boolean extended;
        int length;
        int typeId;
        int messageStreamId;
        /** A message has started and not all of its bytes have arrived. */
        boolean inProgress;
        /** Bytes of the current message received so far. */
        int received;
        /** Owned reassembly buffer of the current message; null until its first data byte is copied. */
        ByteBuf partial;

        ChunkStream(int chunkStreamId) {
            this.chunkStreamId = chunkStreamId;
        }

        void releasePartial() {
            if (partial != null) {
                partial.release();
                partial = null;
            }
            inProgress = false;
            received = 0;
        }
    }
}
