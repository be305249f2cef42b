package dev.millrace.streaming.bench.jmh;

/**
 * JVM options of every benchmark fork, as constants for {@code @Fork}. The essentials ({@link #EXECUTOR},
 * {@link #EXECUTOR_CLASS}) go to {@code jvmArgsPrepend}, the tunables (leak detection, heap) to
 * {@code jvmArgsAppend}: a {@code -jvmArgsAppend} given on the command line replaces only the tunables.
 */
final class BenchJvm {

    /** Worker threads are Netty {@code FastThreadLocalThread}s, as event loop threads are: see {@link NettyThreadExecutor}. */
    static final String EXECUTOR = "-Djmh.executor=CUSTOM";
    static final String EXECUTOR_CLASS = "-Djmh.executor.class=dev.millrace.streaming.bench.jmh.NettyThreadExecutor";

    /**
     * Netty's default leak detector (SIMPLE) wraps one buffer in 128 in a tracking wrapper; that is Netty's cost, not
     * ours, and it would blur the per-operation allocation figures. Override with
     * {@code -jvmArgsAppend -Dio.netty.leakDetection.level=simple} to see it.
     */
    static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";
    static final String HEAP_MIN = "-Xms1g";
    static final String HEAP_MAX = "-Xmx1g";

    private BenchJvm() {
    }
}
