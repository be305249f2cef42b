package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.flv.FlvMediaWriter;
import dev.millrace.streaming.rtmp.chunk.ChunkedBody;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * A packet as the body of an RTMP message, already cut into chunks for one chunk size: built once per packet and
 * written to every player (each adds only its own first-chunk header). One instance per server chunk size.
 */
final class RtmpMediaEncoding implements MediaPacket.Encoding<ByteBuf> {

    /** Chunk streams for media, one per kind so a large video frame never delays audio (nginx uses 6 and 7). */
    static final int AUDIO_CHUNK_STREAM = 6;
    static final int VIDEO_CHUNK_STREAM = 7;
    static final int DATA_CHUNK_STREAM = CommandCodec.NET_STREAM_CHUNK_STREAM;

    private final int chunkSize;

    RtmpMediaEncoding(int chunkSize) {
        this.chunkSize = chunkSize;
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

    /** RTMP message length: FLV tag body header plus payload. */
    static int messageLength(MediaPacket p) {
        return FlvMediaWriter.tagBodyHeaderSize(p) + p.size();
    }

    @Override
    public ByteBuf encode(MediaPacket p) {
        int headerSize = FlvMediaWriter.tagBodyHeaderSize(p);
        ByteBuf header = headerSize == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.buffer(headerSize, headerSize);
        try {
            FlvMediaWriter.writeTagBodyHeader(p, header);
            return ChunkedBody.encode(ByteBufAllocator.DEFAULT, chunkStreamId(p), chunkSize, header, p.content());
        } finally {
            header.release();
        }
    }
}
