package dev.millrace.streaming.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessSamplerTest {

    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void readsThisJvmsCpuMemoryAndThreads() {
        ProcessSampler sampler = new ProcessSampler(SELF);
        ProcessSampler.Sample before = sampler.sample();
        assertThat(before.pids()[0]).isEqualTo(SELF);
        assertThat(before.processes()).isGreaterThanOrEqualTo(1);
        assertThat(before.rssKb()).isPositive();
        assertThat(before.threads()).isGreaterThan(1); // a JVM always runs a few
        // 300 ms of busy work is 30 ticks at 100 Hz
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        long x = 0;
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        ProcessSampler.Sample after = sampler.sample();
        assertThat(after.cpuSecondsSince(before)).as("cpu after busy work (%d)", x).isGreaterThan(0.1);
        assertThat(after.cpuSeconds()).isGreaterThan(before.cpuSeconds());
        assertThat(ProcessSampler.clockTicksPerSecond()).isPositive();
    }

    @Test
    void findsAChildProcessInTheTree() throws Exception {
        Process child = new ProcessBuilder("sleep", "5").start();
        try {
            ProcessSampler sampler = new ProcessSampler(SELF);
            assertThat(Arrays.stream(sampler.tree()).boxed()).contains(child.pid());
            ProcessSampler.Sample s = sampler.sample();
            assertThat(s.processes()).isGreaterThanOrEqualTo(2);
            // the child alone is a tree of one
            ProcessSampler.Sample childOnly = new ProcessSampler(child.pid()).sample();
            assertThat(childOnly.pids()).containsExactly(child.pid());
            assertThat(childOnly.threads()).isEqualTo(1);
        } finally {
            child.destroy();
            child.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void rejectsAProcessThatDoesNotExist() {
        assertThatThrownBy(() -> new ProcessSampler(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesJstatGcOutput() {
        String out = """
                 S0C         S1C         S0U         S1U          EC           EU           OC           OU          MC         MU       CCSC      CCSU     YGC     YGCT     FGC    FGCT     CGC    CGCT       GCT
                        0.0      4096.0         0.0      2048.0      30720.0      10240.0      28672.0       8192.0     30080.0    29640.4    3968.0    3783.2      6     0.018     0     0.000     4     0.004     0.022
                """;
        assertThat(JvmHeapProbe.parseJstatGc(out)).isEqualTo((2048 + 10240 + 8192) / 1024.0);
        assertThat(JvmHeapProbe.parseJstatGc("garbage")).isNaN();
    }
}
