package dev.millrace.streaming.core.fuzz;

import static dev.millrace.streaming.core.fuzz.FuzzSupport.boundaries;
import static dev.millrace.streaming.core.fuzz.FuzzSupport.guarded;
import static dev.millrace.streaming.core.fuzz.FuzzSupport.selector;
import static dev.millrace.streaming.core.fuzz.FuzzSupport.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.streaming.core.flv.FlvFormatException;
import dev.millrace.streaming.core.flv.FlvHeader;
import dev.millrace.streaming.core.flv.FlvTag;
import dev.millrace.streaming.core.flv.FlvTagReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link FlvTagReader#read} on a buffer that grows as an FLV stream arrives, and {@link FlvTagReader#forEachTag} on
 * RTMP aggregate message bodies.
 *
 * <p>Oracle, FLV 10.1 E.3 and E.4.1 and the reader's Javadoc: the only exception is {@link FlvFormatException}, and
 * only for a Filter bit or a DataSize over the limit (or, in an aggregate, a cut-short tag or 1 to 3 stray bytes);
 * every tag's fields are those of its 11-byte header; its body is the DataSize bytes after the header, a slice of
 * the input; the reader index moves past whole tags only; {@code read} returns null only when the tag and its
 * back pointer are not all there; an aggregate body is visited wholly or not at all, and {@code read} over the same
 * bytes yields the same tags; once every tag is released the input buffer holds no extra reference.
 */
class FlvTagReaderFuzzTest {

    /** Limits on DataSize chosen by the first input byte (modulo the count; bit 7 aside in the first target). */
    private static final int[] MAX_BODY_BYTES = {FlvTag.MAX_DATA_SIZE, 0, 1, 100, 4096, 65536};

    private static final int HEADER = FlvTag.HEADER_BYTES;
    private static final int BACK_POINTER = FlvTag.PREVIOUS_TAG_SIZE_BYTES;

    /**
     * Input layout: byte 0 selects the DataSize limit (bits 0-6) and whether each tag is released as soon as it is
     * checked (bit 7), bytes 1 and 2 cut the stream into one to three reads ({@link FuzzSupport#boundaries}), the
     * rest is the stream. A stream whose first byte is 'F' starts with the FLV file header [E.2] and
     * PreviousTagSize0, read with {@link FlvHeader#read} first.
     *
     * <p>Before each read is appended, the buffer drops the bytes already read when no tag holds a reference to it,
     * as Netty's {@code ByteToMessageDecoder} does with its cumulation.
     */
    @FuzzTest
    void tagsFromAGrowingBufferAreTheirHeadersAndBodiesOrAFlvFormatException(byte[] input) {
        int maxBodyBytes = MAX_BODY_BYTES[(selector(input, 0) & 0x7F) % MAX_BODY_BYTES.length];
        boolean releaseAtOnce = (selector(input, 0) & 0x80) != 0;
        byte[] stream = input.length <= 3 ? new byte[0] : Arrays.copyOfRange(input, 3, input.length);
        int[] bounds = boundaries(stream.length, selector(input, 1), selector(input, 2));
        ByteBuf cumulation = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 64, Integer.MAX_VALUE);
        List<FlvTag> tags = new ArrayList<>();
        List<Integer> tagOffsets = new ArrayList<>();
        boolean headerDone = stream.length == 0 || stream[0] != 'F';
        try {
            reads:
            for (int i = 0; i + 1 < bounds.length; i++) {
                if (cumulation.refCnt() == 1) {
                    cumulation.discardSomeReadBytes();
                }
                cumulation.writeBytes(stream, bounds[i], bounds[i + 1] - bounds[i]);
                if (!headerDone) {
                    int at = cumulation.readerIndex();
                    try {
                        if (FlvHeader.read(cumulation) == null) {
                            assertThat(cumulation.readerIndex()).isEqualTo(at);
                            continue;
                        }
                    } catch (FlvFormatException e) {
                        break;
                    }
                    headerDone = true;
                }
                for (;;) {
                    int at = cumulation.readerIndex();
                    int readable = cumulation.readableBytes();
                    FlvTag tag;
                    try {
                        tag = FlvTagReader.read(cumulation, maxBodyBytes);
                    } catch (FlvFormatException e) {
                        assertThat(readable).as("bytes when refused: %s", e).isGreaterThanOrEqualTo(HEADER);
                        assertThat(filtered(cumulation, at) || dataSize(cumulation, at) > maxBodyBytes)
                                .as("refusal %s of header %s", e, ByteBufUtil.hexDump(cumulation, at, HEADER))
                                .isTrue();
                        break reads;
                    }
                    if (tag == null) {
                        assertThat(cumulation.readerIndex()).as("reader index after null").isEqualTo(at);
                        if (readable >= HEADER) {
                            assertThat(filtered(cumulation, at)).as("filtered tag not refused").isFalse();
                            int size = dataSize(cumulation, at);
                            assertThat(size).as("DataSize over the limit not refused")
                                    .isLessThanOrEqualTo(maxBodyBytes);
                            assertThat(readable).as("null although the whole tag is there")
                                    .isLessThan(HEADER + size + BACK_POINTER);
                        }
                        break;
                    }
                    tags.add(tag);
                    tagOffsets.add(at);
                    checkTag(tag, cumulation, at, maxBodyBytes);
                    assertThat(cumulation.readerIndex()).as("reader index after a tag")
                            .isEqualTo(at + HEADER + tag.dataSize() + BACK_POINTER);
                    if (releaseAtOnce) {
                        tags.remove(tags.size() - 1).release();
                        tagOffsets.remove(tagOffsets.size() - 1);
                    }
                }
            }
            // Tags stay valid while the buffer grows: their bodies still hold the bytes they were read from.
            for (int i = 0; i < tags.size(); i++) {
                checkTag(tags.get(i), cumulation, tagOffsets.get(i), maxBodyBytes);
            }
        } finally {
            for (FlvTag tag : tags) {
                tag.release();
            }
        }
        assertThat(cumulation.refCnt()).as("references left on the input once every tag is released").isEqualTo(1);
        cumulation.release();
    }

    /**
     * Input layout: byte 0 selects the DataSize limit; the rest is the aggregate message body [RTMP 1.0 7.1.6].
     */
    @FuzzTest
    void aggregateBodiesAreVisitedWhollyOrRefusedAndReadAgreesWithForEachTag(byte[] input) {
        int maxBodyBytes = MAX_BODY_BYTES[selector(input, 0) % MAX_BODY_BYTES.length];
        int length = Math.max(0, input.length - 1);
        ByteBuf aggregate = guarded(input, Math.min(1, input.length), length);
        List<Object[]> visited = new ArrayList<>();
        int count;
        try {
            count = FlvTagReader.forEachTag(aggregate, maxBodyBytes, (tagType, timestampMillis, body) -> {
                assertThat(within(body, aggregate)).as("body slice within the aggregate").isTrue();
                visited.add(new Object[] {tagType, timestampMillis, ByteBufUtil.getBytes(body)});
            });
        } catch (FlvFormatException e) {
            assertThat(visited).as("tags visited before %s", e).isEmpty();
            assertThat(aggregate.refCnt()).isEqualTo(1);
            aggregate.release();
            return;
        }
        assertThat(count).isEqualTo(visited.size());
        assertThat(aggregate.readerIndex()).isEqualTo(FuzzSupport.GUARD);
        assertThat(aggregate.writerIndex()).isEqualTo(FuzzSupport.GUARD + length);
        assertThat(aggregate.refCnt()).isEqualTo(1);

        // The same bytes as a stream: read() yields the same tags, the last one only if its back pointer is there.
        List<FlvTag> tags = new ArrayList<>();
        try {
            for (FlvTag tag = FlvTagReader.read(aggregate, maxBodyBytes); tag != null;
                    tag = FlvTagReader.read(aggregate, maxBodyBytes)) {
                tags.add(tag);
            }
            assertThat(tags.size()).as("tags read").isBetween(Math.max(0, count - 1), count);
            if (tags.size() == count) {
                assertThat(aggregate.readableBytes()).as("bytes left after the last tag").isZero();
            }
            for (int i = 0; i < tags.size(); i++) {
                FlvTag tag = tags.get(i);
                Object[] v = visited.get(i);
                assertThat(tag.tagType()).as("type of tag %d", i).isEqualTo(v[0]);
                assertThat(tag.timestampMillis()).as("timestamp of tag %d", i).isEqualTo(v[1]);
                assertThat(ByteBufUtil.getBytes(tag.content())).as("body of tag %d", i).isEqualTo((byte[]) v[2]);
            }
        } finally {
            for (FlvTag tag : tags) {
                tag.release();
            }
        }
        assertThat(aggregate.refCnt()).isEqualTo(1);
        aggregate.release();
    }

    /** E.4.1: the tag read at {@code at} in {@code buf} carries the fields of the header there. */
    private static void checkTag(FlvTag tag, ByteBuf buf, int at, int maxBodyBytes) {
        assertThat(filtered(buf, at)).isFalse();
        assertThat(tag.tagType()).isEqualTo(buf.getUnsignedByte(at) & 0x1F);
        assertThat(tag.dataSize()).isEqualTo(dataSize(buf, at)).isLessThanOrEqualTo(maxBodyBytes);
        assertThat(tag.timestampMillis())
                .isEqualTo(buf.getUnsignedMedium(at + 4) | (long) buf.getUnsignedByte(at + 7) << 24);
        assertThat(tag.streamId()).isEqualTo(buf.getUnsignedMedium(at + 8));
        assertThat(ByteBufUtil.getBytes(tag.content()))
                .isEqualTo(ByteBufUtil.getBytes(buf, at + HEADER, tag.dataSize()));
    }

    /** E.4.1: UB[1] Filter, bit 5 of the first byte. */
    private static boolean filtered(ByteBuf buf, int at) {
        return (buf.getUnsignedByte(at) & 0x20) != 0;
    }

    /** E.4.1: UI24 DataSize. */
    private static int dataSize(ByteBuf buf, int at) {
        return buf.getUnsignedMedium(at + 1);
    }
}
