package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.rtmp.chunk.ChunkEncoder;
import dev.millrace.streaming.rtmp.chunk.ChunkedBody;
import dev.millrace.streaming.rtmp.chunk.PreChunkedMessage;
import dev.millrace.streaming.rtmp.message.ControlMessages;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * Outbound chunk encoding of one media message of {@code messageBytes} bytes (an FLV video tag body: 5-byte header,
 * then payload) at chunk size 4096 on chunk stream 7, one message per operation, the timestamp advancing 33 ms each
 * time (so every header after the first is type 2, as for a steady video stream):
 *
 * <ul>
 *   <li>{@link #rtmpMessage}: the generic path: an {@link RtmpMessage} written through {@link ChunkEncoder}, which
 *       copies the data into a new chunked buffer. Used for commands, control messages and anything not
 *       pre-chunked. The message holds one more reference to a body of the channel allocator, as a command's
 *       freshly written payload would be (a retained duplicate would add its own object and make Netty copy
 *       through temporary NIO views).</li>
 *   <li>{@link #preChunked}: the fan-out path, per receiver: a {@link PreChunkedMessage} holding a retained
 *       duplicate of the shared chunked body, written through {@link ChunkEncoder}, which adds only the first-chunk
 *       header (zero copy). Per operation exactly what a player connection costs per packet, the message object
 *       and the duplicate included (the server's {@code PlayerSink} creates both).</li>
 *   <li>{@link #chunkedBodyEncode}: the once-per-packet (per stream) cost of that shared body: the server's own
 *       {@code MediaMessageEncoding.encode} (FLV tag body header, then {@link ChunkedBody#encode}) of a
 *       {@link MediaPacket} as the ingest parser makes it (a slice of the message buffer).</li>
 * </ul>
 * Sizes: 341 (an AAC frame at 128 kbps), 1150 (a 600 kbps inter frame), 50000 (a keyframe). The encoder's writes go
 * to a {@link BenchContext} that releases them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {BenchJvm.EXECUTOR, BenchJvm.EXECUTOR_CLASS},
        jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Thread)
public class ChunkEncodeBenchmark {

    static final int CHUNK_SIZE = 4096;
    static final int CHUNK_STREAM_ID = 7;
    static final int MESSAGE_STREAM_ID = 1;

    @Param({"341", "1150", "50000"})
    public int messageBytes;

    private ChunkEncoder encoder;
    BenchContext context;
    /** The whole message body (FLV header and payload), contiguous, in a buffer of the channel allocator. */
    private ByteBuf body;
    /** The body as a video packet (holding a slice of {@link #body}). */
    private MediaPacket packet;
    /** The server's media encoding for chunk size 4096. */
    private MediaPacket.Encoding<ByteBuf> encoding;
    /** The body chunked once for chunk stream 7 at 4096. */
    private ByteBuf chunkedBody;
    private long timestamp;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        byte[] bytes = new byte[messageBytes];
        new SplittableRandom(messageBytes).nextBytes(bytes);
        bytes[0] = 0x27; // FLV 10.1 E.4.3.1: inter frame, AVC; AVCPacketType 1; CompositionTime 0
        bytes[1] = 0x01;
        bytes[2] = 0;
        bytes[3] = 0;
        bytes[4] = 0;
        body = ByteBufAllocator.DEFAULT.directBuffer(messageBytes).writeBytes(bytes);
        List<MediaPacket> parsed = new ArrayList<>(1);
        if (FlvMediaParser.parseVideo(body, 0, parsed) != FlvMediaParser.Result.OK) {
            throw new IllegalStateException("not a video tag body");
        }
        packet = parsed.get(0);
        encoding = mediaEncoding();
        chunkedBody = encoding.encode(packet);

        encoder = new ChunkEncoder();
        context = BenchContext.discarding(ByteBufAllocator.DEFAULT);
        // As a session does first: announce the chunk size, so the pre-chunked bodies fit this receiver.
        encoder.write(context, ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, CHUNK_SIZE),
                context.voidPromise());
        if (encoder.chunkSize() != CHUNK_SIZE) {
            throw new IllegalStateException("chunk size not applied: " + encoder.chunkSize());
        }
        timestamp = 0;
    }

    @SuppressWarnings("unchecked")
    private static MediaPacket.Encoding<ByteBuf> mediaEncoding() {
        return ServerInternals.newMediaEncoding(CHUNK_SIZE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        packet.release();
        body.release();
        chunkedBody.release();
    }

    @Benchmark
    public void rtmpMessage() throws Exception {
        timestamp += 33;
        // The message owns the extra reference; the encoder reads the body by index and releases it.
        encoder.write(context, new RtmpMessage(CHUNK_STREAM_ID, MessageType.VIDEO, timestamp, MESSAGE_STREAM_ID,
                body.retain()), context.voidPromise());
    }

    @Benchmark
    public void preChunked() throws Exception {
        timestamp += 33;
        encoder.write(context, new PreChunkedMessage(CHUNK_STREAM_ID, MessageType.VIDEO, timestamp,
                MESSAGE_STREAM_ID, messageBytes, CHUNK_SIZE, chunkedBody.retainedDuplicate()), context.voidPromise());
    }

    @Benchmark
    public int chunkedBodyEncode() {
        ByteBuf out = encoding.encode(packet);
        int length = out.readableBytes();
        out.release();
        return length;
    }
}
