package dev.millrace.streaming.rtmp.message;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.amf.Amf0Reader;
import dev.millrace.streaming.rtmp.amf.Amf0Writer;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Decodes command and data messages into values and encodes the server's replies. Replies are always AMF0 (types
 * 20 and 18), whatever encoding the client used (enhanced RTMP v2: a server answers objectEncoding 0 until it
 * writes AMF3).
 */
public final class CommandCodec {

    /** Chunk stream for NetConnection replies (connect, createStream results). */
    public static final int NET_CONNECTION_CHUNK_STREAM = 3;
    /** Chunk stream for NetStream status and data messages. */
    public static final int NET_STREAM_CHUNK_STREAM = 5;

    private final Amf0Reader reader;

    public CommandCodec(RtmpLimits limits) {
        this.reader = Amf0Reader.of(limits);
    }

    /**
     * Decodes a command message (type 20, or 17: one format byte 0x00 and then AMF0 values, any of which may switch
     * to AMF3). The message is borrowed.
     */
    public Command decodeCommand(RtmpMessage msg) {
        List<Object> values = decodeValues(msg);
        if (values.isEmpty() || !(values.get(0) instanceof String)) {
            throw new RtmpProtocolException(Reason.BAD_COMMAND, "command without a name");
        }
        String name = (String) values.get(0);
        double txn = values.size() > 1 && values.get(1) instanceof Number ? ((Number) values.get(1)).doubleValue() : 0;
        Object commandObject = values.size() > 2 ? values.get(2) : null;
        List<Object> args = values.size() > 3 ? values.subList(3, values.size()) : List.of();
        return new Command(name, txn, commandObject, args, msg.messageStreamId());
    }

    /** Decodes the AMF values of a command or data message (types 20, 18, 17, 15). The message is borrowed. */
    public List<Object> decodeValues(RtmpMessage msg) {
        ByteBuf in = msg.content().duplicate();
        int type = msg.typeId();
        if (type == MessageType.COMMAND_AMF3 || type == MessageType.DATA_AMF3) {
            // The AMF3 envelope starts with a format byte, 0 for AMF0 (E-RTMP v2, AMF3 clarification).
            if (!in.isReadable()) {
                throw new RtmpProtocolException(Reason.BAD_AMF, "empty AMF3 message");
            }
            in.skipBytes(1);
        }
        return reader.readAll(in);
    }

    /** {@code _result} / {@code _error} to a NetConnection command: (name, txn, commandObject, info). */
    public static RtmpMessage reply(ByteBufAllocator alloc, String name, double txn, Object commandObject, Object info) {
        return new RtmpMessage(NET_CONNECTION_CHUNK_STREAM, MessageType.COMMAND_AMF0, 0, 0,
                encode(alloc, name, txn, commandObject, info));
    }

    /**
     * A command on a message stream with any values, e.g. {@code onStatus}(0, null, info) or
     * {@code onFCPublish}. The command-object slot is AMF0 null: FFmpeg cannot skip undefined there.
     */
    public static RtmpMessage command(ByteBufAllocator alloc, int chunkStreamId, int messageStreamId, Object... values) {
        return new RtmpMessage(chunkStreamId, MessageType.COMMAND_AMF0, 0, messageStreamId, encode(alloc, values));
    }

    /** A data message (type 18) with the given AMF0 values. */
    public static RtmpMessage data(ByteBufAllocator alloc, int messageStreamId, Object... values) {
        return new RtmpMessage(NET_STREAM_CHUNK_STREAM, MessageType.DATA_AMF0, 0, messageStreamId,
                encode(alloc, values));
    }

    /** AMF0 values in a new buffer (returned owned). */
    private static ByteBuf encode(ByteBufAllocator alloc, Object... values) {
        ByteBuf out = alloc.buffer(256);
        try {
            for (Object v : values) {
                Amf0Writer.write(out, v);
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * {@code onStatus}(0, null, {level, code, description[, details]}) on {@code messageStreamId} (RTMP 7.2.2;
     * clients read the info object as the fourth value).
     */
    public static RtmpMessage onStatus(ByteBufAllocator alloc, int messageStreamId, String level, String code,
            String description, String details) {
        AmfObject info = new AmfObject();
        info.put("level", level);
        info.put("code", code);
        info.put("description", description);
        if (details != null) {
            info.put("details", details);
        }
        return command(alloc, NET_STREAM_CHUNK_STREAM, messageStreamId, "onStatus", 0.0, null, info);
    }
}
