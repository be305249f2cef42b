package dev.millrace.streaming.bench.jmh;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.ScheduledExecutorService;
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
 * Fan-out of one packet to {@code subscribers} RTMP players through the real core path ({@link FanoutRig}): parse,
 * {@code Publication.publish} (queue to every subscription), {@code flush} (schedule every drain), the drains
 * (poll, {@code PlayerSink.onPacket}: chunked body built once, then per player a {@code PreChunkedMessage} with a
 * retained duplicate through the player's {@code ChunkEncoder}), socket writes released. One operation is one packet
 * of the looping 600 kbps GOP, delivered to every player; divide by {@code subscribers} for the per-player cost
 * (the run script's table does).
 *
 * <ul>
 *   <li>{@link #inline}: the drains run on the benchmark thread right after the publish ({@link InlineExecutor}):
 *       the CPU cost of publish and drain together, with no thread hand-off; allocation per operation is exact.</li>
 *   <li>{@link #eventLoops}: the drains run on {@code drainThreads} Netty event loops (epoll if available, else
 *       NIO: what the server's players run on), the benchmark thread waits (spinning) until the last player has
 *       written the packet: latency of one packet to N players, including the wake-up of a sleeping event loop
 *       and the cross-thread queueing. Allocation counts every thread. One drain thread by default: with the
 *       publishing thread that fills two cores.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {BenchJvm.EXECUTOR, BenchJvm.EXECUTOR_CLASS},
        jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
public class FanoutBenchmark {

    /** Drains on the benchmark thread. */
    @State(Scope.Thread)
    public static class InlineState {
        @Param({"1", "100", "1000"})
        public int subscribers;

        InlineExecutor executor;
        FanoutRig rig;

        @Setup(Level.Trial)
        public void setUp() {
            executor = new InlineExecutor(subscribers + 16);
            rig = new FanoutRig(subscribers, new ScheduledExecutorService[] {executor});
            executor.runPending();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            rig.close();
            executor.runPending();
            executor.shutdown();
        }
    }

    /** Drains on Netty event loops. */
    @State(Scope.Thread)
    public static class EventLoopState {
        @Param({"1", "100", "1000"})
        public int subscribers;

        @Param({"1"})
        public int drainThreads;

        MultiThreadIoEventLoopGroup group;
        FanoutRig rig;

        @Setup(Level.Trial)
        public void setUp() {
            IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            group = new MultiThreadIoEventLoopGroup(drainThreads, io);
            ScheduledExecutorService[] loops = new ScheduledExecutorService[drainThreads];
            for (int i = 0; i < drainThreads; i++) {
                loops[i] = group.next();
            }
            rig = new FanoutRig(subscribers, loops);
            rig.awaitDrains();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            rig.close();
            // Graceful shutdown runs what close() queued (each subscription releases its queue) before stopping.
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public int inline(InlineState state) {
        state.rig.publishNext();
        return state.executor.runPending();
    }

    @Benchmark
    public void eventLoops(EventLoopState state) {
        state.rig.publishNext();
        state.rig.awaitDrains();
    }
}
