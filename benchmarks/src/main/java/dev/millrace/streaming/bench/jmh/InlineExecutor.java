package dev.millrace.streaming.bench.jmh;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An executor that queues tasks until its owner calls {@link #runPending()} on its own thread: the subscribers'
 * drains run on the benchmark thread, after the publish, in the order they were scheduled, so a benchmark measures
 * the CPU work of a fan-out without thread hand-offs. Queuing allocates nothing once the queue has grown to the
 * number of subscribers. Not thread-safe: one thread submits and runs. Delayed tasks are not supported (a stream
 * with {@code flushWindowMillis} 0 never schedules one).
 */
final class InlineExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private Runnable[] tasks;
    private int head;
    private int tail;
    private boolean shutdown;

    InlineExecutor(int initialCapacity) {
        tasks = new Runnable[Math.max(16, initialCapacity)];
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        if (tail == tasks.length) {
            if (head > 0) {
                System.arraycopy(tasks, head, tasks, 0, tail - head);
                Arrays.fill(tasks, tail - head, tail, null);
                tail -= head;
                head = 0;
            } else {
                tasks = Arrays.copyOf(tasks, tasks.length * 2);
            }
        }
        tasks[tail++] = task;
    }

    /** Runs queued tasks, and those they queue, until none is left. Returns how many ran. */
    int runPending() {
        int ran = 0;
        while (head < tail) {
            Runnable task = tasks[head];
            tasks[head++] = null;
            task.run();
            ran++;
        }
        head = 0;
        tail = 0;
        return ran;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("delayed tasks");
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("delayed tasks");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("delayed tasks");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("delayed tasks");
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && head == tail;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }
}
