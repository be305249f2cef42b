package dev.millrace.streaming.core.flv;

import io.netty.buffer.ByteBuf;

/**
 * Reads FLV tags [FLV 10.1 E.3, E.4.1]: one at a time from a growing buffer (an FLV file or HTTP-FLV stream after its
 * {@link FlvHeader}), or all at once from the body of an RTMP aggregate message.
 *
 * <p>PreviousTagSize back pointers are consumed but not checked: a mismatch is tolerated, as FFmpeg's demuxer only
 * warns about it, because writers that patch sizes after the fact get it wrong and the DataSize in the tag header is
 * what delimits the tag.
 *
 * <p>Reserved bits (the two top bits of the first byte) and a non-zero StreamID are tolerated. The Filter bit
 * (E.4.1: the tag is encrypted, Annex F) is rejected: Millrace cannot decrypt it.
 */
public final class FlvTagReader {

    /** Receives the tags of an aggregate body; see {@link #forEachTag}. */
    @FunctionalInterface
    public interface TagVisitor {
        /**
         * One tag.
         *
         * @param tagType the 5-bit TagType
         * @param timestampMillis the tag's own 32-bit timestamp, unsigned
         * @param body borrowed: a slice of the aggregate body valid during this call; retain it (or a
         *     {@code retainedSlice()} of it) to keep it longer
         */
        void tag(int tagType, long timestampMillis, ByteBuf body);
    }

    private static final int FILTER_BIT = 0x20;
    private static final int TAG_TYPE_MASK = 0x1F;

    private FlvTagReader() {
    }

    /**
     * Reads one tag and the PreviousTagSize after it when all of them are readable, advancing {@code in}'s reader
     * index past both. Otherwise returns {@code null} and leaves the reader index unchanged.
     *
     * <p>The DataSize is checked as soon as the 11-byte tag header is readable, before the body has arrived.
     *
     * @param in borrowed; the bytes already read must not be overwritten while the returned tag lives (Netty's
     *     cumulators copy instead of compacting a buffer whose reference count is above 1, which the returned slice
     *     ensures)
     * @param maxBodyBytes the largest DataSize accepted, 0..{@value FlvTag#MAX_DATA_SIZE}
     * @return owned: a tag whose body is a retained slice of {@code in} (zero copy), or {@code null}
     * @throws FlvFormatException if DataSize exceeds {@code maxBodyBytes} or the Filter bit is set
     */
    public static FlvTag read(ByteBuf in, int maxBodyBytes) {
        checkMax(maxBodyBytes);
        if (in.readableBytes() < FlvTag.HEADER_BYTES) {
            return null;
        }
        int at = in.readerIndex();
        int tagType = checkedTagType(in, at);
        int dataSize = checkedDataSize(in, at, maxBodyBytes);
        if (in.readableBytes() < FlvTag.HEADER_BYTES + dataSize + FlvTag.PREVIOUS_TAG_SIZE_BYTES) {
            return null;
        }
        long timestampMillis = timestampMillis(in, at);
        int streamId = in.getUnsignedMedium(at + 8);
        // The retained slice is released by the returned FlvTag.
        ByteBuf body = in.retainedSlice(at + FlvTag.HEADER_BYTES, dataSize);
        in.skipBytes(FlvTag.HEADER_BYTES + dataSize + FlvTag.PREVIOUS_TAG_SIZE_BYTES);
        return new FlvTag(tagType, timestampMillis, streamId, body);
    }

    /**
     * Visits the tags of an RTMP aggregate message body (message type 22 [RTMP 1.0 7.1.6]): a sequence of FLV tags,
     * each followed by its 4-byte back pointer. Some encoders omit the last back pointer; that is accepted.
     *
     * <p>The whole body is validated before the first call to {@code visitor}: either every tag is visited or, when
     * the body is malformed, none is. Timestamps are passed as written; renormalising them against the aggregate
     * message's own timestamp is the caller's job.
     *
     * <p>RTMP 1.0 6.1.1 draws a sub-message header's timestamp as 4 big-endian bytes; FFmpeg ({@code
     * handle_metadata}) and librtmp ({@code RTMP_Read}) read it the FLV way, UI24 Timestamp then the upper 8 bits, and
     * so does this method. Both readings agree below 2<sup>24</sup> ms.
     *
     * @param aggregateBody borrowed; its reader index is not changed
     * @param maxBodyBytes the largest DataSize accepted for one tag
     * @return the number of tags visited
     * @throws FlvFormatException if a tag header or body is cut short, DataSize exceeds {@code maxBodyBytes}, the
     *     Filter bit is set, or 1 to 3 bytes follow the last tag
     */
    public static int forEachTag(ByteBuf aggregateBody, int maxBodyBytes, TagVisitor visitor) {
        checkMax(maxBodyBytes);
        int start = aggregateBody.readerIndex();
        int end = aggregateBody.writerIndex();
        int count = 0;
        for (int at = start; at < end; count++) {
            at = nextAggregateTag(aggregateBody, at, end, maxBodyBytes);
        }
        for (int at = start; at < end; ) {
            int next = nextAggregateTag(aggregateBody, at, end, maxBodyBytes);
            int dataSize = aggregateBody.getUnsignedMedium(at + 1);
            visitor.tag(aggregateBody.getUnsignedByte(at) & TAG_TYPE_MASK, timestampMillis(aggregateBody, at),
                    aggregateBody.slice(at + FlvTag.HEADER_BYTES, dataSize));
            at = next;
        }
        return count;
    }

    /** Validates the aggregate sub-tag at {@code at} and returns where the next one starts. */
    private static int nextAggregateTag(ByteBuf buf, int at, int end, int maxBodyBytes) {
        if (end - at < FlvTag.HEADER_BYTES) {
            throw new FlvFormatException("aggregate message: tag header cut short at offset "
                    + (at - buf.readerIndex()) + " (" + (end - at) + " of 11 bytes)");
        }
        checkedTagType(buf, at);
        int dataSize = checkedDataSize(buf, at, maxBodyBytes);
        int bodyEnd = at + FlvTag.HEADER_BYTES + dataSize;
        if (bodyEnd > end) {
            throw new FlvFormatException("aggregate message: tag body cut short at offset "
                    + (at - buf.readerIndex()) + " (DataSize " + dataSize + ", " + (end - at - FlvTag.HEADER_BYTES)
                    + " bytes left)");
        }
        int left = end - bodyEnd;
        if (left >= FlvTag.PREVIOUS_TAG_SIZE_BYTES) {
            return bodyEnd + FlvTag.PREVIOUS_TAG_SIZE_BYTES;
        }
        if (left == 0) {
            return bodyEnd; // the last back pointer is missing: tolerated
        }
        throw new FlvFormatException("aggregate message: " + left + " stray bytes after the last tag");
    }

    private static int checkedTagType(ByteBuf buf, int at) {
        int b0 = buf.getUnsignedByte(at);
        if ((b0 & FILTER_BIT) != 0) {
            throw new FlvFormatException("filtered (encrypted) FLV tag, type " + (b0 & TAG_TYPE_MASK));
        }
        return b0 & TAG_TYPE_MASK;
    }

    private static int checkedDataSize(ByteBuf buf, int at, int maxBodyBytes) {
        int dataSize = buf.getUnsignedMedium(at + 1);
        if (dataSize > maxBodyBytes) {
            throw new FlvFormatException("FLV tag DataSize " + dataSize + " exceeds the limit of " + maxBodyBytes);
        }
        return dataSize;
    }

    /** E.4.1: TimestampExtended is the upper 8 bits above the 24-bit Timestamp. */
    private static long timestampMillis(ByteBuf buf, int at) {
        return buf.getUnsignedMedium(at + 4) | (long) buf.getUnsignedByte(at + 7) << 24;
    }

    private static void checkMax(int maxBodyBytes) {
        if (maxBodyBytes < 0 || maxBodyBytes > FlvTag.MAX_DATA_SIZE) {
            throw new IllegalArgumentException("maxBodyBytes out of 0.." + FlvTag.MAX_DATA_SIZE + ": " + maxBodyBytes);
        }
    }
}
