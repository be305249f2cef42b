package dev.millrace.streaming.core.flv;

import io.netty.buffer.ByteBuf;

/**
 * Writes FLV tags [FLV 10.1 E.3, E.4.1]: the 11-byte tag header, the body, and the PreviousTagSize back pointer
 * (11 + DataSize). StreamID is always written as 0, reserved and Filter bits as 0.
 *
 * <p>{@link #writeTag} copies the body; a caller that wants to send a shared body without copying it writes
 * {@link #writeTagHeader} into a small buffer, the body as is, and {@link #writePreviousTagSize} (a gathering write,
 * e.g. a {@code CompositeByteBuf}).
 */
public final class FlvWriter {

    private FlvWriter() {
    }

    /**
     * Writes a whole tag and its back pointer: {@code 11 + body.readableBytes() + 4} bytes.
     *
     * @param body borrowed: its readable bytes are copied and its reader index is not changed
     * @throws IllegalArgumentException as {@link #writeTagHeader}
     */
    public static void writeTag(ByteBuf out, int tagType, long timestampMillis, ByteBuf body) {
        int dataSize = body.readableBytes();
        writeTagHeader(out, tagType, timestampMillis, dataSize);
        out.writeBytes(body, body.readerIndex(), dataSize);
        writePreviousTagSize(out, dataSize);
    }

    /**
     * Writes the 11-byte tag header.
     *
     * @param tagType {@link FlvTag#AUDIO}, {@link FlvTag#VIDEO} or {@link FlvTag#SCRIPT_DATA}
     * @param timestampMillis 0..2<sup>32</sup>-1; the low 24 bits go to Timestamp, the high 8 to TimestampExtended.
     *     Readers that treat the field as signed (E.4.1 calls it SI32) or mask bit 31 need values below 2<sup>31</sup>:
     *     callers rebase their timelines to stay there
     * @param dataSize the body length, 0..{@value FlvTag#MAX_DATA_SIZE}
     * @throws IllegalArgumentException if a value is out of range
     */
    public static void writeTagHeader(ByteBuf out, int tagType, long timestampMillis, int dataSize) {
        if (tagType != FlvTag.AUDIO && tagType != FlvTag.VIDEO && tagType != FlvTag.SCRIPT_DATA) {
            throw new IllegalArgumentException("TagType must be 8, 9 or 18: " + tagType);
        }
        if (timestampMillis < 0 || timestampMillis > FlvTag.MAX_TIMESTAMP_MILLIS) {
            throw new IllegalArgumentException("timestamp out of 0..2^32-1 ms: " + timestampMillis);
        }
        checkDataSize(dataSize);
        out.writeByte(tagType);
        out.writeMedium(dataSize);
        out.writeMedium((int) (timestampMillis & 0xFF_FFFF));
        out.writeByte((int) (timestampMillis >>> 24));
        out.writeMedium(0); // StreamID: always 0
    }

    /**
     * Writes the PreviousTagSize that follows a tag of {@code dataSize} body bytes: 11 + {@code dataSize} [E.3].
     *
     * @throws IllegalArgumentException if {@code dataSize} is out of 0..{@value FlvTag#MAX_DATA_SIZE}
     */
    public static void writePreviousTagSize(ByteBuf out, int dataSize) {
        checkDataSize(dataSize);
        out.writeInt(FlvTag.HEADER_BYTES + dataSize);
    }

    private static void checkDataSize(int dataSize) {
        if (dataSize < 0 || dataSize > FlvTag.MAX_DATA_SIZE) {
            throw new IllegalArgumentException("DataSize out of 0.." + FlvTag.MAX_DATA_SIZE + ": " + dataSize);
        }
    }
}
