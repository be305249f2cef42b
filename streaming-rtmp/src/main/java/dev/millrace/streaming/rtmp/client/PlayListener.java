package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.core.MediaPacket;
import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * What an {@link RtmpPlayer} receives. Every method has a no-op default; implement what you need.
 *
 * <p>Contract: methods are called on the connection's event loop, one at a time, in the order the messages
 * arrived. They must be fast, must not block, and must not keep a buffer or packet past the call without retaining
 * it. An exception thrown by a method is caught and logged (once per player); the player carries on.
 *
 * <p>Per media message (RTMP types 8 and 9) the player calls {@link #onMediaMessage} first and then, if
 * {@link #wantsPackets()}, {@link #onPacket} for each packet parsed from it. A load generator that only counts bytes
 * and reads a stamp from the payload returns false from {@code wantsPackets()} and allocates nothing per message.
 */
public interface PlayListener {

    /**
     * Read once, when {@code play} is called. False skips FLV parsing: {@link #onPacket} is then never called and
     * {@link #onMediaMessage} is the only media callback.
     */
    default boolean wantsPackets() {
        return true;
    }

    /**
     * An {@code onStatus} the server sent on this player's stream (RTMP 1.0 section 7.2.2), including those before
     * {@code play}'s future completes: {@code NetStream.Play.Reset}, {@code NetStream.Play.Start},
     * {@code NetStream.Play.PublishNotify}, {@code NetStream.Play.UnpublishNotify}, errors.
     *
     * @param code the status code; null if the server sent none
     * @param description the server's description; null if none
     */
    default void onStatus(String code, String description) {
    }

    /** The stream's {@code onMetaData} values (with or without a {@code @setDataFrame} prefix). */
    default void onMetadata(Map<String, Object> metadata) {
    }

    /**
     * One audio or video message as it arrived, before parsing.
     *
     * @param typeId 8 audio or 9 video
     * @param timestamp the RTMP timestamp, u32 milliseconds as sent (not unwrapped)
     * @param body borrowed: the FLV tag body; valid only during this call; do not change its indexes
     */
    default void onMediaMessage(int typeId, long timestamp, ByteBuf body) {
    }

    /**
     * One packet parsed from a media message (with {@code FlvMediaParser}: legacy FLV and enhanced RTMP), or from
     * a data message: {@code onMetaData} as a {@link dev.millrace.streaming.core.PacketType#METADATA} data packet
     * whose payload starts with the {@code "onMetaData"} string, other data as a
     * {@link dev.millrace.streaming.core.PacketType#FRAME}. Timestamps are the RTMP ones unwrapped to 64 bits,
     * starting where the server's started, on the 90 kHz clock.
     *
     * @param packet borrowed: released after this call; {@code retain()} it to keep it
     */
    default void onPacket(MediaPacket packet) {
    }

    /**
     * The player ended; called once, only for a player whose {@code play} future completed. No other method is
     * called after it.
     *
     * @param cause null when this side closed the player or its connection; otherwise why it ended (an
     *     {@link RtmpClientException}: {@link RtmpClientException.Reason#CLOSED} when the server closed the
     *     connection)
     */
    default void onClose(Throwable cause) {
    }
}
