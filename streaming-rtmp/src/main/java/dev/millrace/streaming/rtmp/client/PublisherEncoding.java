package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvMediaWriter;
import dev.millrace.streaming.rtmp.chunk.ChunkedBody;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A packet as the chunked body of the RTMP message a publisher sends: the FLV tag body header written by
 * {@link FlvMediaWriter} and the payload, or for {@code onMetaData} the {@code @setDataFrame} prefix publishers put
 * before it (RTMP-FIELD-GUIDE §4), cut into chunks of one chunk size. Built once per packet and chunk size through
 * {@link MediaPacket#encoded}, so a packet pushed to several servers (a relay) is encoded once.
 *
 * <p>Chunk streams as nginx and our server use them: 6 audio, 7 video, 5 data, so a large video frame never delays
 * audio. One shared instance per chunk size (the encoding cache is keyed by identity).
 */
final class PublisherEncoding implements MediaPacket.Encoding<ByteBuf> {

    static final int DATA_CHUNK_STREAM = CommandCodec.NET_STREAM_CHUNK_STREAM;
    static final int AUDIO_CHUNK_STREAM = 6;
    static final int VIDEO_CHUNK_STREAM = 7;

    /** AMF0 string "@setDataFrame" (AMF0 2.4: marker 0x02, U16 length 13, UTF-8). */
    private static final byte[] SET_DATA_FRAME = {0x02, 0x00, 0x0D,
        '@', 's', 'e', 't', 'D', 'a', 't', 'a', 'F', 'r', 'a', 'm', 'e'};

    private static final ConcurrentHashMap<Integer, PublisherEncoding> BY_CHUNK_SIZE = new ConcurrentHashMap<>();

    private final int chunkSize;

    private PublisherEncoding(int chunkSize) {
        this.chunkSize = chunkSize;
    }

    /** The shared instance for {@code chunkSize} (1..0xFFFFFF). */
    static PublisherEncoding forChunkSize(int chunkSize) {
        PublisherEncoding e = BY_CHUNK_SIZE.get(chunkSize);
        return e != null ? e : BY_CHUNK_SIZE.computeIfAbsent(chunkSize, PublisherEncoding::new);
    }

    int chunkSize() {
        return chunkSize;
    }

    static int chunkStreamId(MediaPacket p) {
        switch (p.kind()) {
            case AUDIO:
                return AUDIO_CHUNK_STREAM;
            case VIDEO:
                return VIDEO_CHUNK_STREAM;
            default:
                return DATA_CHUNK_STREAM;
        }
    }

    static int typeId(MediaPacket p) {
        return p.kind() == MediaKind.AUDIO ? MessageType.AUDIO
                : p.kind() == MediaKind.VIDEO ? MessageType.VIDEO : MessageType.DATA_AMF0;
    }

    private static boolean isMetadata(MediaPacket p) {
        return p.kind() == MediaKind.DATA && p.type() == PacketType.METADATA;
    }

    /**
     * The RTMP message length for {@code p}: header plus payload.
     *
     * @throws IllegalArgumentException if {@code p} has no FLV form, or the message would exceed 0xFFFFFF bytes
     */
    static int messageLength(MediaPacket p) {
        long length = (isMetadata(p) ? SET_DATA_FRAME.length : FlvMediaWriter.tagBodyHeaderSize(p)) + (long) p.size();
        if (length > 0xFFFFFF) {
            throw new IllegalArgumentException("RTMP message of " + length + " bytes; the limit is 0xFFFFFF");
        }
        return (int) length;
    }

    /** Returns an owned direct buffer (the packet keeps it; see {@link MediaPacket#encoded}). */
    @Override
    public ByteBuf encode(MediaPacket p) {
        boolean metadata = isMetadata(p);
        int size = metadata ? 0 : FlvMediaWriter.tagBodyHeaderSize(p);
        ByteBuf header = metadata ? Unpooled.wrappedBuffer(SET_DATA_FRAME)
                : size == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.buffer(size, size);
        try {
            if (!metadata) {
                FlvMediaWriter.writeTagBodyHeader(p, header);
            }
            return ChunkedBody.encode(ByteBufAllocator.DEFAULT, chunkStreamId(p), chunkSize, header, p.content());
        } finally {
            header.release();
        }
    }
}
