package dev.millrace.streaming.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Samples a process and all its descendants (a server's master and workers, as nginx runs) from Linux's
 * {@code /proc}: CPU time ({@code utime + stime} of {@code /proc/P/stat}), resident memory ({@code VmRSS} of
 * {@code /proc/P/status}) and threads, summed over the tree.
 *
 * <p>The tree is found again at every sample, from the parent pid of every {@code /proc/P/stat}, so workers that
 * start or restart during a run are counted. CPU is compared per pid: a process that appears between two samples
 * counts from zero, one that exits takes its CPU with it.
 *
 * <pre>{@code
 * ProcessSampler server = new ProcessSampler(pid);
 * ProcessSampler.Sample before = server.sample();
 * ... load ...
 * double cpuSeconds = server.sample().cpuSecondsSince(before);
 * }</pre>
 *
 * <p>Reads a few small files per process; call it about once a second, from any one thread.
 */
public final class ProcessSampler {

    private static final Path PROC = Paths.get("/proc");
    private static volatile long clockTicks;

    private final long rootPid;

    /**
     * Samples {@code rootPid} and its descendants.
     *
     * @throws IllegalArgumentException if there is no such process (or no {@code /proc})
     */
    public ProcessSampler(long rootPid) {
        if (!Files.isReadable(PROC.resolve(Long.toString(rootPid)).resolve("stat"))) {
            throw new IllegalArgumentException("no process " + rootPid + " in /proc");
        }
        this.rootPid = rootPid;
    }

    /** The process at the root of the sampled tree. */
    public long rootPid() {
        return rootPid;
    }

    /** The kernel's clock ticks per second, the unit of {@code /proc/P/stat} CPU times: {@code getconf CLK_TCK}. */
    public static long clockTicksPerSecond() {
        long ticks = clockTicks;
        if (ticks == 0) {
            ticks = readClockTicks();
            clockTicks = ticks;
        }
        return ticks;
    }

    private static long readClockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                long v = Long.parseLong(out);
                if (v > 0) {
                    return v;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Linux has used 100 on every common architecture since 2.6 (USER_HZ)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    /** The pids of the tree now, the root first; empty if the root has exited. */
    public long[] tree() {
        Map<Long, List<Long>> children = new HashMap<>();
        boolean rootAlive = false;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                long pid = parsePid(dir.getFileName().toString());
                if (pid < 0) {
                    continue;
                }
                String[] stat = stat(pid);
                if (stat == null) {
                    continue;
                }
                if (pid == rootPid) {
                    rootAlive = true;
                }
                long ppid = Long.parseLong(stat[1]);
                children.computeIfAbsent(ppid, k -> new ArrayList<>(2)).add(pid);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        if (!rootAlive) {
            return new long[0];
        }
        long[] out = new long[16];
        int n = 0;
        ArrayDeque<Long> queue = new ArrayDeque<>();
        queue.add(rootPid);
        while (!queue.isEmpty()) {
            long pid = queue.poll();
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = pid;
            List<Long> kids = children.get(pid);
            if (kids != null) {
                queue.addAll(kids);
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Samples the tree now. Processes that exit while being read are left out. */
    public Sample sample() {
        long[] pids = tree();
        long[] ticks = new long[pids.length];
        long rssKb = 0;
        int threads = 0;
        int alive = 0;
        for (int i = 0; i < pids.length; i++) {
            String[] stat = stat(pids[i]);
            if (stat == null) {
                ticks[i] = -1;
                continue;
            }
            // proc(5), fields after "(comm)": state=0, ppid=1, ..., utime=11, stime=12, num_threads=17
            ticks[i] = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
            threads += Integer.parseInt(stat[17]);
            rssKb += rssKb(pids[i]);
            alive++;
        }
        return new Sample(System.nanoTime(), pids, ticks, alive, rssKb, threads);
    }

    /**
     * The fields of {@code /proc/pid/stat} after the command name, which is in parentheses and may itself hold spaces
     * and parentheses: index 0 is the state, 1 the parent pid. Null if the process is gone.
     */
    private static String[] stat(long pid) {
        String text = read(PROC.resolve(Long.toString(pid)).resolve("stat"));
        if (text == null) {
            return null;
        }
        int close = text.lastIndexOf(')');
        if (close < 0 || close + 2 >= text.length()) {
            return null;
        }
        return text.substring(close + 2).trim().split(" ");
    }

    /** VmRSS of {@code /proc/pid/status} in kB; 0 if absent (a zombie, a kernel thread) or the process is gone. */
    private static long rssKb(long pid) {
        String text = read(PROC.resolve(Long.toString(pid)).resolve("status"));
        if (text == null) {
            return 0;
        }
        int at = text.indexOf("VmRSS:");
        if (at < 0) {
            return 0;
        }
        int end = text.indexOf('\n', at);
        String value = text.substring(at + 6, end < 0 ? text.length() : end).trim();
        int space = value.indexOf(' ');
        return Long.parseLong(space < 0 ? value : value.substring(0, space));
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null; // the process exited between listing and reading (ESRCH)
        }
    }

    private static long parsePid(String name) {
        if (name.isEmpty() || name.length() > 10) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }

    /**
     * One sample of a process tree.
     *
     * @param nanoTime when it was taken, {@link System#nanoTime()}
     * @param pids the processes of the tree, the root first
     * @param cpuTicks each process's {@code utime + stime} in clock ticks; -1 for one that exited while sampled
     * @param processes processes read
     * @param rssKb resident memory, summed, in kB
     * @param threads threads, summed
     */
    public record Sample(long nanoTime, long[] pids, long[] cpuTicks, int processes, long rssKb, int threads) {

        /** CPU time of the whole tree, in seconds, since its processes started. */
        public double cpuSeconds() {
            long sum = 0;
            for (long t : cpuTicks) {
                sum += Math.max(0, t);
            }
            return (double) sum / clockTicksPerSecond();
        }

        /**
         * CPU seconds the tree spent between {@code earlier} and this sample, compared per pid: a process not in
         * {@code earlier} counts all its CPU.
         */
        public double cpuSecondsSince(Sample earlier) {
            long sum = 0;
            for (int i = 0; i < pids.length; i++) {
                if (cpuTicks[i] < 0) {
                    continue;
                }
                long before = 0;
                for (int j = 0; j < earlier.pids.length; j++) {
                    if (earlier.pids[j] == pids[i]) {
                        before = Math.max(0, earlier.cpuTicks[j]);
                        break;
                    }
                }
                sum += Math.max(0, cpuTicks[i] - before);
            }
            return (double) sum / clockTicksPerSecond();
        }

        /** Resident memory in MiB. */
        public double rssMb() {
            return rssKb / 1024.0;
        }
    }
}
