package dev.millrace.streaming.core.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One FLV tag [FLV 10.1 E.4.1]: its type, timestamp, stream id and body (the tag's Data field: an AUDIODATA,
 * VIDEODATA or SCRIPTDATA body, byte-for-byte what an RTMP message of the same type carries).
 *
 * <pre>
 * UB[2] Reserved  UB[1] Filter  UB[5] TagType
 * UI24 DataSize   UI24 Timestamp  UI8 TimestampExtended  UI24 StreamID
 * UI8[DataSize] Data
 * </pre>
 *
 * <p>The timestamp is the 32-bit value TimestampExtended:Timestamp in milliseconds, read as unsigned (0 to
 * 2<sup>32</sup>-1) as RTMP timestamps are. E.4.1 calls it SI32, but no writer produces negative times and FFmpeg
 * reads it unsigned too.
 *
 * <p>Reference counting: the tag owns one reference to its body, released with the tag.
 */
public final class FlvTag extends DefaultByteBufHolder {

    /** TagType 8. */
    public static final int AUDIO = 8;
    /** TagType 9. */
    public static final int VIDEO = 9;
    /** TagType 18: AMF0 script data such as {@code onMetaData}. */
    public static final int SCRIPT_DATA = 18;

    /** Length of the tag header before the Data field. */
    public static final int HEADER_BYTES = 11;
    /** Length of the PreviousTagSize back pointer after each tag [E.3]. */
    public static final int PREVIOUS_TAG_SIZE_BYTES = 4;
    /** Largest DataSize a UI24 can express. */
    public static final int MAX_DATA_SIZE = 0xFF_FFFF;
    /** Largest timestamp: TimestampExtended:Timestamp is 32 bits. */
    public static final long MAX_TIMESTAMP_MILLIS = 0xFFFF_FFFFL;

    private final int tagType;
    private final long timestampMillis;
    private final int streamId;

    /**
     * Takes ownership of {@code body}, also when it throws.
     *
     * @param tagType the 5-bit TagType (0..31; 8, 9 and 18 are defined, the others reserved)
     * @param timestampMillis 0..{@value #MAX_TIMESTAMP_MILLIS}
     * @param streamId the UI24 StreamID, 0 in every file E.4.1 describes
     * @throws IllegalArgumentException if a value is out of its field's range or the body exceeds
     *     {@value #MAX_DATA_SIZE} bytes
     */
    public FlvTag(int tagType, long timestampMillis, int streamId, ByteBuf body) {
        super(checked(tagType, timestampMillis, streamId, body));
        this.tagType = tagType;
        this.timestampMillis = timestampMillis;
        this.streamId = streamId;
    }

    private static ByteBuf checked(int tagType, long timestampMillis, int streamId, ByteBuf body) {
        String problem = null;
        if (tagType < 0 || tagType > 0x1F) {
            problem = "TagType out of 0..31: " + tagType;
        } else if (timestampMillis < 0 || timestampMillis > MAX_TIMESTAMP_MILLIS) {
            problem = "timestamp out of 0..2^32-1 ms: " + timestampMillis;
        } else if (streamId < 0 || streamId > 0xFF_FFFF) {
            problem = "StreamID out of UI24: " + streamId;
        } else if (body != null && body.readableBytes() > MAX_DATA_SIZE) {
            problem = "body larger than a UI24 DataSize: " + body.readableBytes();
        }
        if (problem != null) {
            if (body != null) {
                body.release();
            }
            throw new IllegalArgumentException(problem);
        }
        return body;
    }

    /** TagType: {@link #AUDIO}, {@link #VIDEO}, {@link #SCRIPT_DATA} or a reserved value the caller should skip. */
    public int tagType() {
        return tagType;
    }

    /** Timestamp in milliseconds, 0..{@value #MAX_TIMESTAMP_MILLIS}. */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** StreamID as read; 0 in well-formed files and always 0 when written. */
    public int streamId() {
        return streamId;
    }

    /** DataSize: the body's length. */
    public int dataSize() {
        return content().readableBytes();
    }

    @Override
    public FlvTag copy() {
        return replace(content().copy());
    }

    @Override
    public FlvTag duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public FlvTag retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    /** A tag with the same header fields and {@code content} as body (takes ownership of it). */
    @Override
    public FlvTag replace(ByteBuf content) {
        return new FlvTag(tagType, timestampMillis, streamId, content);
    }

    @Override
    public FlvTag retain() {
        super.retain();
        return this;
    }

    @Override
    public FlvTag retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FlvTag touch() {
        super.touch();
        return this;
    }

    @Override
    public FlvTag touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "FlvTag(type=" + tagType + " ts=" + timestampMillis + "ms" + (streamId != 0 ? " streamId=" + streamId : "")
                + " size=" + (refCnt() > 0 ? Integer.toString(content().readableBytes()) : "released") + ')';
    }
}
