package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.flv.FlvFormatException;
import dev.millrace.streaming.core.flv.FlvTagReader;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;

/**
 * Splits an aggregate message (type 22, RTMP 1.0 section 7.1.6): a sequence of FLV tags, each followed by a back
 * pointer. Sub-message timestamps are rebased so that the first one gets the aggregate's own timestamp.
 */
final class AggregateMessages {

    /** Receives one sub-message; {@code body} is borrowed. */
    interface SubMessage {
        void accept(int typeId, long timestamp, ByteBuf body);
    }

    private AggregateMessages() {
    }

    static void forEach(RtmpMessage aggregate, RtmpLimits limits, SubMessage consumer) {
        long[] first = {-1};
        try {
            FlvTagReader.forEachTag(aggregate.content(), limits.maxVideoMessageBytes(), (type, ts, body) -> {
                if (first[0] < 0) {
                    first[0] = ts;
                }
                consumer.accept(type, (aggregate.timestamp() + ts - first[0]) & 0xFFFFFFFFL, body);
            });
        } catch (FlvFormatException e) {
            throw new RtmpProtocolException(Reason.BAD_MEDIA, e.getMessage());
        }
    }
}
