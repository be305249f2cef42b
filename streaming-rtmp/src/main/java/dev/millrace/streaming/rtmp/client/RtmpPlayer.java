package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvFormatException;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.core.flv.FlvTagReader;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream being played: obtained from {@link RtmpConnection#play} once the server said
 * {@code NetStream.Play.Start}; what arrives goes to its {@link PlayListener}.
 *
 * <p>Cheap by design, so that thousands fit in one JVM: per media message it calls the listener with the borrowed
 * message body, and parses packets only for a listener that {@linkplain PlayListener#wantsPackets() wants them}.
 * Media messages of the stream are delivered as soon as the server's {@code createStream} answer named its message
 * stream, also those that come before {@code NetStream.Play.Start}.
 */
public final class RtmpPlayer extends ClientStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtmpPlayer.class);

    /** {@code play}'s start argument: -2000 (FFmpeg's default, -2 s): live, or recorded if no live stream. */
    static final double PLAY_START_LIVE = -2000;

    final CompletableFuture<RtmpPlayer> future = new CompletableFuture<>();
    private final PlayListener listener;
    private final boolean wantsPackets;
    /** Packets parsed from one message, handed out and released at once; null when the listener wants none. */
    private final List<MediaPacket> packets;
    private AggregateVisitor aggregate;
    private boolean timelineStarted;
    private long lastTimestamp;
    private long timeline;
    private boolean warnedListener;
    private boolean warnedMedia;

    RtmpPlayer(ClientSession session, String name, PlayListener listener) {
        super(session, name);
        this.listener = listener;
        this.wantsPackets = listener.wantsPackets();
        this.packets = wantsPackets ? new ArrayList<>(2) : null;
    }

    /** The stream name as passed to {@code play}, query included. */
    public String name() {
        return name;
    }

    /** The connection this stream plays on. */
    public RtmpConnection connection() {
        return session.connection();
    }

    /**
     * Stops playing: sends {@code deleteStream(id)}, as FFmpeg does, and calls the listener's {@code onClose(null)};
     * the connection stays open. Idempotent.
     */
    @Override
    public void close() {
        session.closeStream(this);
    }

    // ---------------------------------------------------------------- ClientStream, on the event loop

    @Override
    boolean publishing() {
        return false;
    }

    @Override
    void writeStart() {
        session.writeStreamCommand(streamId, "play", startTransaction, name, PLAY_START_LIVE);
        session.writeSetBufferLength(streamId);
    }

    @Override
    boolean isStartCode(String code) {
        return "NetStream.Play.Start".equals(code);
    }

    @Override
    void started() {
        future.complete(this);
    }

    @Override
    void failed(RtmpClientException cause) {
        future.completeExceptionally(cause);
    }

    @Override
    void status(String level, String code, String description) {
        try {
            listener.onStatus(code, description);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    @Override
    void ended(Throwable cause) {
        try {
            listener.onClose(cause);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    @Override
    void writeGoodbye() {
        session.writeConnectionCommand("deleteStream", (double) streamId);
    }

    // ---------------------------------------------------------------- inbound, on the event loop

    /** An audio (8) or video (9) message of this stream; {@code body} is borrowed. */
    void onMedia(int typeId, long timestamp, ByteBuf body) {
        try {
            listener.onMediaMessage(typeId, timestamp, body);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
        if (!wantsPackets || phase == Phase.CLOSED) {
            return;
        }
        long dts90k = unwrap(timestamp) * MediaPacket.TICKS_PER_MILLI;
        FlvMediaParser.Result r = typeId == MessageType.VIDEO
                ? FlvMediaParser.parseVideo(body, dts90k, packets)
                : FlvMediaParser.parseAudio(body, dts90k, packets);
        if (r == FlvMediaParser.Result.OK) {
            deliver();
        } else if (r == FlvMediaParser.Result.MALFORMED && !warnedMedia) {
            warnedMedia = true;
            log.warn("{}: dropping malformed {} messages", this, typeId == MessageType.VIDEO ? "video" : "audio");
        }
    }

    /** A data message (18, or 15 with its AMF3 format byte) of this stream; borrowed. */
    void onData(RtmpMessage m, List<Object> values) {
        int first = 0;
        if (!values.isEmpty() && "@setDataFrame".equals(values.get(0))) {
            first = 1;
        }
        if (values.size() <= first || "|RtmpSampleAccess".equals(values.get(first))) {
            return;
        }
        boolean metadata = "onMetaData".equals(values.get(first)) && values.size() > first + 1
                && values.get(first + 1) instanceof Map;
        if (metadata) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) values.get(first + 1);
            try {
                listener.onMetadata(map);
            } catch (RuntimeException e) {
                listenerFailed(e);
            }
        }
        if (!wantsPackets || phase == Phase.CLOSED) {
            return;
        }
        ByteBuf body = m.content();
        int from = body.readerIndex() + (m.typeId() == MessageType.DATA_AMF3 ? 1 : 0);
        if (first == 1) {
            if (body.getUnsignedByte(from) != 0x02) {
                return; // "@setDataFrame" in another encoding (AMF3 switch): nothing to slice it off by
            }
            // AMF0 2.4: skip the "@setDataFrame" string (marker 0x02, U16 length, bytes); the reader checked it
            from += 3 + body.getUnsignedShort(from + 1);
        }
        long dts90k = unwrap(m.timestamp()) * MediaPacket.TICKS_PER_MILLI;
        // The slice is owned by the packet.
        packets.add(MediaPacket.data(metadata ? PacketType.METADATA : PacketType.FRAME, dts90k,
                body.retainedSlice(from, body.writerIndex() - from)));
        deliver();
    }

    /** An aggregate message (22, RTMP 1.0 section 7.1.6) of this stream; borrowed. */
    void onAggregate(RtmpMessage m) {
        if (aggregate == null) {
            aggregate = new AggregateVisitor();
        }
        aggregate.base = m.timestamp();
        aggregate.first = -1;
        try {
            FlvTagReader.forEachTag(m.content(), session.limits().maxVideoMessageBytes(), aggregate);
        } catch (FlvFormatException e) {
            throw new RtmpProtocolException(Reason.BAD_MEDIA, "aggregate message: " + e.getMessage());
        }
    }

    /** RTMP timestamps unwrapped to 64 bits: {@code ext += (int) (ts - last)} (RTMP-FIELD-GUIDE §6). */
    private long unwrap(long timestamp32) {
        if (!timelineStarted) {
            timelineStarted = true;
            timeline = timestamp32;
        } else {
            timeline += (int) (timestamp32 - lastTimestamp);
        }
        lastTimestamp = timestamp32;
        return timeline;
    }

    /** Hands every packet in {@link #packets} to the listener and releases it. */
    private void deliver() {
        try {
            for (int i = 0; i < packets.size(); i++) {
                MediaPacket p = packets.set(i, null);
                try {
                    listener.onPacket(p);
                } catch (RuntimeException e) {
                    listenerFailed(e);
                } finally {
                    p.release();
                }
            }
        } finally {
            for (int i = 0; i < packets.size(); i++) {
                MediaPacket p = packets.get(i);
                if (p != null) {
                    p.release();
                }
            }
            packets.clear();
        }
    }

    private void listenerFailed(RuntimeException e) {
        if (!warnedListener) {
            warnedListener = true;
            log.warn("{}: the play listener threw; further errors of this player are not logged", this, e);
        }
    }

    @Override
    public String toString() {
        return "RtmpPlayer(msid=" + streamId + " " + phase + ")";
    }

    /** Feeds the sub-messages of an aggregate to {@link #onMedia}, timestamps rebased to the aggregate's. */
    private final class AggregateVisitor implements FlvTagReader.TagVisitor {
        long base;
        long first;

        @Override
        public void tag(int tagType, long timestampMillis, ByteBuf body) {
            if (first < 0) {
                first = timestampMillis;
            }
            if (tagType == MessageType.AUDIO || tagType == MessageType.VIDEO) {
                onMedia(tagType, (base + timestampMillis - first) & 0xFFFFFFFFL, body);
            }
        }
    }
}
