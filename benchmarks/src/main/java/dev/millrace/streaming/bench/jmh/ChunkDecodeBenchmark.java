package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
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
 * Inbound chunk decoding: a publisher's 600 kbps H.264 + AAC stream ({@link SyntheticGop}, chunked as OBS sends it)
 * fed to a {@link ChunkDecoder} one socket read at a time, in a loop. One operation is one read of
 * {@code readBytes} bytes: 1448 is one TCP segment (what a lightly loaded server reads at a time), 16384 a busy
 * server's read. Throughput in MB/s is {@code readBytes / score}.
 *
 * <p>Each read, as Netty's NIO read loop does it, is a fresh buffer from the channel allocator
 * ({@code ByteBufAllocator.DEFAULT.ioBuffer}) holding the next bytes of the stream (the copy stands in for the
 * kernel's); the decoder takes it over. {@link #readBufferOnly} measures just that, so that the decoder's own cost
 * is {@code decode - readBufferOnly}. Decoded messages are released as they come out (the session, which would
 * dispatch them, is not part of this benchmark):
 *
 * <ul>
 *   <li>{@link #decode}: {@code channelRead} and {@code channelReadComplete} called on the decoder with a
 *       {@link BenchContext}, so nothing but the decoder (and Netty's {@code ByteToMessageDecoder} around it) is
 *       measured;</li>
 *   <li>{@link #decodeInEmbeddedChannel}: the same through an {@link EmbeddedChannel} pipeline
 *       (decoder, then a releasing handler), to show what a real pipeline adds per read.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {BenchJvm.EXECUTOR, BenchJvm.EXECUTOR_CLASS},
        jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Thread)
public class ChunkDecodeBenchmark {

    @Param({"1448", "16384"})
    public int readBytes;

    /** One GOP of chunks, read in a loop. */
    private ByteBuf stream;
    private int position;

    private ChunkDecoder decoder;
    BenchContext context;

    private EmbeddedChannel channel;
    ReleasingHandler releaser;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        byte[] gop = SyntheticGop.chunkStream();
        // From the channel allocator, like the read buffers: Netty copies between two of its adaptive buffers without
        // allocating, from any other buffer through two temporary NIO views, which the kernel's copy does not cost.
        stream = ByteBufAllocator.DEFAULT.directBuffer(gop.length).writeBytes(gop);
        position = 0;
        ByteBuf probe = ByteBufAllocator.DEFAULT.ioBuffer(readBytes);
        try {
            if (probe.getClass() != stream.getClass()) {
                throw new IllegalStateException("the stream buffer is a " + stream.getClass().getName()
                        + ", the read buffers " + probe.getClass().getName() + ": copies would allocate");
            }
        } finally {
            probe.release();
        }
        byte[] preamble = SyntheticGop.preamble();

        decoder = new ChunkDecoder(RtmpLimits.DEFAULT);
        context = BenchContext.discarding(ByteBufAllocator.DEFAULT);
        decoder.channelRead(context, Unpooled.directBuffer(preamble.length).writeBytes(preamble));

        releaser = new ReleasingHandler();
        channel = new EmbeddedChannel(new ChunkDecoder(RtmpLimits.DEFAULT), releaser);
        channel.pipeline().fireChannelRead(Unpooled.directBuffer(preamble.length).writeBytes(preamble));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        // Releases the decoder's cumulation and unfinished messages.
        decoder.handlerRemoved(context);
        channel.finishAndReleaseAll();
        stream.release();
    }

    /** Returns an owned buffer holding the next {@code readBytes} bytes of the looping stream. */
    private ByteBuf nextRead() {
        ByteBuf read = ByteBufAllocator.DEFAULT.ioBuffer(readBytes);
        int left = readBytes;
        int end = stream.writerIndex();
        while (left > 0) {
            int n = Math.min(left, end - position);
            read.writeBytes(stream, position, n);
            position += n;
            if (position == end) {
                position = 0;
            }
            left -= n;
        }
        return read;
    }

    @Benchmark
    public void decode() throws Exception {
        decoder.channelRead(context, nextRead());
        decoder.channelReadComplete(context);
    }

    @Benchmark
    public void decodeInEmbeddedChannel() {
        channel.pipeline().fireChannelRead(nextRead()).fireChannelReadComplete();
    }

    @Benchmark
    public void readBufferOnly() {
        nextRead().release();
    }

    /** Counts and releases every message; swallows read-complete. */
    static final class ReleasingHandler extends ChannelInboundHandlerAdapter {
        long messages;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages++;
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
        }
    }
}
