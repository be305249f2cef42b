package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.core.flv.FlvMediaWriter;
import dev.millrace.streaming.core.flv.FlvTag;
import dev.millrace.streaming.core.flv.FlvWriter;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * FLV tag writing for one {@link MediaPacket} (HTTP-FLV and recording), one tag per operation, for an AAC frame, an
 * H.264 inter frame and an H.264 keyframe of {@link SyntheticGop} (the packets as the ingest parser makes them):
 *
 * <ul>
 *   <li>{@link #framing}: the fields only: {@link FlvWriter#writeTagHeader}, {@link FlvMediaWriter#tagBodyHeaderSize}
 *       and {@link FlvMediaWriter#writeTagBodyHeader}, {@link FlvWriter#writePreviousTagSize} into a reused buffer;
 *       what a zero-copy writer (header, shared payload, back pointer) spends per tag.</li>
 *   <li>{@link #wholeTag}: the whole tag in one new buffer from the default allocator: the fields and a copy of the
 *       payload, then released.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {BenchJvm.EXECUTOR, BenchJvm.EXECUTOR_CLASS},
        jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Thread)
public class FlvTagWriteBenchmark {

    /** Which packet of the GOP. */
    public enum Packet {
        AUDIO,
        VIDEO_INTER,
        VIDEO_KEY
    }

    @Param
    public Packet packet;

    MediaPacket media;
    private int tagType;
    private long timestampMillis;
    private ByteBuf fields;

    @Setup(Level.Trial)
    public void setUp() {
        SyntheticGop.Message message = pick(packet);
        // As the chunk decoder hands it over: a buffer of the channel allocator, of which the packet holds a slice.
        ByteBuf body = ByteBufAllocator.DEFAULT.buffer(message.body().length).writeBytes(message.body());
        List<MediaPacket> out = new ArrayList<>(1);
        long dts90k = message.timestampMillis() * MediaPacket.TICKS_PER_MILLI;
        FlvMediaParser.Result result = message.typeId() == MessageType.VIDEO
                ? FlvMediaParser.parseVideo(body, dts90k, out)
                : FlvMediaParser.parseAudio(body, dts90k, out);
        body.release(); // the packet holds its own slice
        if (result != FlvMediaParser.Result.OK || out.size() != 1) {
            throw new IllegalStateException("parser said " + result + " for " + packet);
        }
        media = out.get(0);
        tagType = message.typeId() == MessageType.VIDEO ? FlvTag.VIDEO : FlvTag.AUDIO;
        timestampMillis = message.timestampMillis();
        fields = Unpooled.directBuffer(FlvTag.HEADER_BYTES + FlvMediaWriter.MAX_TAG_BODY_HEADER_SIZE
                + FlvTag.PREVIOUS_TAG_SIZE_BYTES);
    }

    static SyntheticGop.Message pick(Packet packet) {
        for (SyntheticGop.Message m : SyntheticGop.messages()) {
            boolean video = m.typeId() == MessageType.VIDEO;
            if (packet == Packet.AUDIO && !video || packet == Packet.VIDEO_KEY && m.keyframe()
                    || packet == Packet.VIDEO_INTER && video && !m.keyframe()) {
                return m;
            }
        }
        throw new AssertionError(packet);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        media.release();
        fields.release();
    }

    @Benchmark
    public int framing() {
        ByteBuf out = fields.clear();
        int dataSize = FlvMediaWriter.tagBodyHeaderSize(media) + media.size();
        FlvWriter.writeTagHeader(out, tagType, timestampMillis, dataSize);
        FlvMediaWriter.writeTagBodyHeader(media, out);
        FlvWriter.writePreviousTagSize(out, dataSize);
        return out.writerIndex();
    }

    @Benchmark
    public int wholeTag() {
        int dataSize = FlvMediaWriter.tagBodyHeaderSize(media) + media.size();
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(FlvTag.HEADER_BYTES + dataSize + FlvTag.PREVIOUS_TAG_SIZE_BYTES);
        FlvWriter.writeTagHeader(out, tagType, timestampMillis, dataSize);
        FlvMediaWriter.writeTagBodyHeader(media, out);
        ByteBuf payload = media.content();
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        FlvWriter.writePreviousTagSize(out, dataSize);
        int length = out.readableBytes();
        out.release();
        return length;
    }
}
