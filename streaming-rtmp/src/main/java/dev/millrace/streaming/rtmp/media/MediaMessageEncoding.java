package dev.millrace.streaming.rtmp.media;

import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvMediaWriter;
import dev.millrace.streaming.rtmp.chunk.ChunkedBody;
import dev.millrace.streaming.rtmp.chunk.PreChunkedMessage;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link MediaPacket} as the body of an RTMP message, already cut into chunks of one chunk size: the FLV tag body
 * header ({@link FlvMediaWriter}) and the payload. Built once per packet through {@link MediaPacket#encoded} and
 * shared: the server writes it to every player of a stream, a relay to every target; each connection adds only its
 * own first-chunk header ({@link PreChunkedMessage}).
 *
 * <p>Two forms differ only in metadata: players get {@code "onMetaData", values} as they expect it from a server,
 * publishers send {@code "@setDataFrame", "onMetaData", values} as servers expect it from a publisher (RTMP field
 * guide §4). Chunk streams as nginx-rtmp and our server use them: 6 audio, 7 video, 5 data, so a large video frame
 * never delays audio. Instances are shared per form and chunk size, because the packet's encoding cache is keyed by
 * identity.
 */
public final class MediaMessageEncoding implements MediaPacket.Encoding<ByteBuf> {

    public static final int AUDIO_CHUNK_STREAM = 6;
    public static final int VIDEO_CHUNK_STREAM = 7;
    public static final int DATA_CHUNK_STREAM = CommandCodec.NET_STREAM_CHUNK_STREAM;

    /** AMF0 string "@setDataFrame" (AMF0 2.4: marker 0x02, U16 length 13, UTF-8). */
    private static final byte[] SET_DATA_FRAME = {0x02, 0x00, 0x0D,
        '@', 's', 'e', 't', 'D', 'a', 't', 'a', 'F', 'r', 'a', 'm', 'e'};

    private static final ConcurrentHashMap<Integer, MediaMessageEncoding> FOR_PLAYERS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, MediaMessageEncoding> FOR_PUBLISHERS = new ConcurrentHashMap<>();

    private final int chunkSize;
    private final boolean setDataFrame;

    private MediaMessageEncoding(int chunkSize, boolean setDataFrame) {
        if (chunkSize < 1 || chunkSize > 0xFFFFFF) {
            throw new IllegalArgumentException("chunk size out of 1..0xFFFFFF: " + chunkSize);
        }
        this.chunkSize = chunkSize;
        this.setDataFrame = setDataFrame;
    }

    /** The form a server sends to players, for {@code chunkSize}. */
    public static MediaMessageEncoding forPlayers(int chunkSize) {
        MediaMessageEncoding e = FOR_PLAYERS.get(chunkSize);
        return e != null ? e : FOR_PLAYERS.computeIfAbsent(chunkSize, c -> new MediaMessageEncoding(c, false));
    }

    /** The form a publisher sends to a server, for {@code chunkSize}. */
    public static MediaMessageEncoding forPublishers(int chunkSize) {
        MediaMessageEncoding e = FOR_PUBLISHERS.get(chunkSize);
        return e != null ? e : FOR_PUBLISHERS.computeIfAbsent(chunkSize, c -> new MediaMessageEncoding(c, true));
    }

    public int chunkSize() {
        return chunkSize;
    }

    public static int chunkStreamId(MediaPacket p) {
        switch (p.kind()) {
            case AUDIO:
                return AUDIO_CHUNK_STREAM;
            case VIDEO:
                return VIDEO_CHUNK_STREAM;
            default:
                return DATA_CHUNK_STREAM;
        }
    }

    public static int typeId(MediaPacket p) {
        return p.kind() == MediaKind.AUDIO ? MessageType.AUDIO
                : p.kind() == MediaKind.VIDEO ? MessageType.VIDEO : MessageType.DATA_AMF0;
    }

    private boolean prefixed(MediaPacket p) {
        return setDataFrame && p.kind() == MediaKind.DATA && p.type() == PacketType.METADATA;
    }

    /**
     * The RTMP message length for {@code p}: header plus payload.
     *
     * @throws IllegalArgumentException if {@code p} has no FLV form, or the message would exceed 0xFFFFFF bytes
     */
    public int messageLength(MediaPacket p) {
        long length = (prefixed(p) ? SET_DATA_FRAME.length : FlvMediaWriter.tagBodyHeaderSize(p)) + (long) p.size();
        if (length > 0xFFFFFF) {
            throw new IllegalArgumentException("RTMP message of " + length + " bytes; the limit is 0xFFFFFF");
        }
        return (int) length;
    }

    /** Returns an owned direct buffer (the packet keeps it; see {@link MediaPacket#encoded}). */
    @Override
    public ByteBuf encode(MediaPacket p) {
        boolean prefixed = prefixed(p);
        int size = prefixed ? 0 : FlvMediaWriter.tagBodyHeaderSize(p);
        // A pooled direct header: a heap one would make the copy into the direct body take Netty's slow path.
        ByteBuf header = prefixed ? Unpooled.wrappedBuffer(SET_DATA_FRAME)
                : size == 0 ? Unpooled.EMPTY_BUFFER : ByteBufAllocator.DEFAULT.directBuffer(size, size);
        try {
            if (!prefixed) {
                FlvMediaWriter.writeTagBodyHeader(p, header);
            }
            return ChunkedBody.encode(ByteBufAllocator.DEFAULT, chunkStreamId(p), chunkSize, header, p.content());
        } finally {
            header.release();
        }
    }

    /**
     * The message that writes {@code p} on one connection: the shared chunked body (built on first use) behind that
     * connection's own header. Returns owned; {@code p} stays borrowed.
     *
     * @param timestamp this connection's RTMP timestamp for {@code p}, 0..2^32-1
     * @throws IllegalArgumentException if {@code p} has no RTMP form (see {@link #messageLength})
     */
    public PreChunkedMessage message(MediaPacket p, long timestamp, int messageStreamId) {
        int length = messageLength(p);
        // The duplicate is owned by the message; the chunk encoder releases it once written.
        ByteBuf body = p.encoded(this).retainedDuplicate();
        try {
            return new PreChunkedMessage(chunkStreamId(p), typeId(p), timestamp & 0xFFFFFFFFL, messageStreamId,
                    length, chunkSize, body);
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
    }
}
