package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.Publication;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.amf.Amf0Writer;
import dev.millrace.streaming.rtmp.amf.AmfMetadata;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one publishing message stream sends, turned into {@link MediaPacket}s on the stream's timeline: audio and
 * video (legacy and enhanced RTMP), metadata, other script data and aggregate messages. Runs on the publisher's event
 * loop.
 *
 * <p>Timestamps are unwrapped from RTMP's 32 bits to one 64-bit timeline shared by every track:
 * {@code ext += (int) (ts - last)} (field guide §6). Sequence headers are checked by the codec parsers before they
 * replace the stream's ({@link CodecConfigs}); frames that arrive before their codec's configuration are dropped,
 * since no decoder could use them.
 */
final class Ingest {

    private static final Logger log = LoggerFactory.getLogger(Ingest.class);

    private final Publication publication;
    private final Object connection;
    private final CommandCodec codec;
    private final List<MediaPacket> packets = new ArrayList<>(2);
    /** (kind, track) pairs that had a sequence header: bit kind.ordinal() * 256 + trackId. */
    private final BitSet headers = new BitSet();
    private boolean warnedMalformed;
    private boolean started;
    private long last32;
    private long ext;
    /** Set by every media message; the session's watchdog reads and clears it. */
    boolean mediaSinceTick;

    /** @param connection names the connection in log lines */
    Ingest(Publication publication, Object connection, CommandCodec codec) {
        this.publication = publication;
        this.connection = connection;
        this.codec = codec;
    }

    Publication publication() {
        return publication;
    }

    /** An audio (8) or video (9) message body, borrowed. */
    void media(int typeId, long timestamp, ByteBuf body) {
        mediaSinceTick = true;
        long dts90k = unwrap(timestamp) * MediaPacket.TICKS_PER_MILLI;
        FlvMediaParser.Result r = typeId == MessageType.VIDEO
                ? FlvMediaParser.parseVideo(body, dts90k, packets)
                : FlvMediaParser.parseAudio(body, dts90k, packets);
        String kind = typeId == MessageType.VIDEO ? "video" : "audio";
        if (r == FlvMediaParser.Result.OK) {
            publishParsed();
        } else if (r == FlvMediaParser.Result.MALFORMED && !warnedMalformed) {
            warnedMalformed = true;
            log.warn("{}: dropping malformed {} messages on {}", connection, kind, publication.stream().path());
        } else {
            log.debug("{}: {} message dropped: {}", connection, kind, r);
        }
    }

    private void publishParsed() {
        try {
            for (int i = 0; i < packets.size(); i++) {
                MediaPacket p = packets.set(i, null);
                if (p.type() == PacketType.SEQUENCE_HEADER) {
                    if (!CodecConfigs.accept(connection, publication, p)) {
                        p.release();
                        continue;
                    }
                    headers.set(bit(p));
                } else if (p.type() == PacketType.FRAME && !decodable(p)) {
                    log.debug("{}: dropping a {} frame that arrived before its sequence header", connection,
                            p.codec());
                    p.release();
                    continue;
                }
                publication.publish(p);
            }
        } finally {
            for (MediaPacket p : packets) {
                if (p != null) {
                    p.release();
                }
            }
            packets.clear();
        }
    }

    /** Whether a decoder can use frame {@code p}: its codec needs no configuration, or it has arrived. */
    private boolean decodable(MediaPacket p) {
        switch (p.codec()) {
            case H264:
            case HEVC:
            case VVC:
            case AV1:
            case AAC:
                return headers.get(bit(p));
            default:
                return true;
        }
    }

    private static int bit(MediaPacket p) {
        return p.kind().ordinal() * 256 + p.trackId();
    }

    /**
     * A data message (18, or 15 with its format byte), borrowed: {@code @setDataFrame onMetaData} becomes the
     * stream's metadata, sanitized for players; other script data is forwarded as it came.
     */
    void data(RtmpMessage m, ByteBufAllocator alloc) {
        List<Object> values = codec.decodeValues(m);
        if (!values.isEmpty() && "@setDataFrame".equals(values.get(0))) {
            values = values.subList(1, values.size());
        }
        if (values.isEmpty() || "@clearDataFrame".equals(values.get(0))
                || "|RtmpSampleAccess".equals(values.get(0))) {
            return; // FFmpeg sends |RtmpSampleAccess behind @setDataFrame; it is a server's to send, not to forward
        }
        long dts90k = unwrap(m.timestamp()) * MediaPacket.TICKS_PER_MILLI;
        if ("onMetaData".equals(values.get(0)) && values.size() > 1 && values.get(1) instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> clean = AmfMetadata.sanitizeForPlayers((Map<String, Object>) values.get(1));
            ByteBuf payload = alloc.buffer(256);
            try {
                Amf0Writer.write(payload, "onMetaData");
                Amf0Writer.write(payload, clean);
            } catch (RuntimeException e) {
                payload.release();
                throw e;
            }
            publication.metadata(clean);
            publication.publish(MediaPacket.data(PacketType.METADATA, dts90k, payload));
            return;
        }
        ByteBuf body = m.content();
        ByteBuf payload = m.typeId() == MessageType.DATA_AMF3
                ? body.retainedSlice(body.readerIndex() + 1, body.readableBytes() - 1)
                : body.retainedDuplicate(); // owned by the packet
        publication.publish(MediaPacket.data(PacketType.FRAME, dts90k, payload));
    }

    /** An aggregate message (22), borrowed: its audio and video sub-messages. */
    void aggregate(RtmpMessage m, RtmpLimits limits) {
        AggregateMessages.forEach(m, limits, (typeId, timestamp, body) -> {
            if (typeId == MessageType.AUDIO || typeId == MessageType.VIDEO) {
                media(typeId, timestamp, body);
            }
        });
    }

    /** Hands what was published in this read to the subscribers. */
    void flush() {
        publication.flush();
    }

    private long unwrap(long ts32) {
        if (!started) {
            started = true;
            ext = ts32;
        } else {
            ext += (int) (ts32 - last32);
        }
        last32 = ts32;
        return ext;
    }
}
