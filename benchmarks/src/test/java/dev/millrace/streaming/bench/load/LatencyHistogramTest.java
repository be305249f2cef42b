package dev.millrace.streaming.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    private static final double[] PERCENTILES = {0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};

    /** Nearest rank on a sorted copy: the reference the histogram approximates. */
    private static long reference(long[] sorted, double percentile) {
        int rank = (int) Math.max(1, Math.ceil(percentile / 100 * sorted.length));
        return sorted[rank - 1];
    }

    private static void assertClose(LatencyHistogram h, long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double p : PERCENTILES) {
            long expected = reference(sorted, p);
            // a bucket spans at most 1/64 of its values; values below 128 are exact
            assertThat((double) h.percentileMicros(p)).as("p%s", p)
                    .isCloseTo(expected, within(Math.max(0.5, expected / 64.0)));
        }
        assertThat(h.maxMicros()).isEqualTo(sorted[sorted.length - 1]);
        assertThat(h.count()).isEqualTo(values.length);
    }

    @Test
    void percentilesOfLogUniformValuesMatchTheSortedReference() {
        SplittableRandom random = new SplittableRandom(42);
        long[] values = new long[100_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(random.nextDouble() * Math.log(LatencyHistogram.MAX_MICROS)); // 1 us .. 60 s
            h.record(values[i]);
        }
        assertClose(h, values);
    }

    @Test
    void percentilesOfATightClusterMatchTheSortedReference() {
        SplittableRandom random = new SplittableRandom(7);
        long[] values = new long[10_001];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = 900 + random.nextInt(300); // loopback latencies around 1 ms
            h.record(values[i]);
        }
        assertClose(h, values);
    }

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 0; v < 128; v++) {
            h.record(v);
        }
        assertThat(h.percentileMicros(50)).isEqualTo(63);
        assertThat(h.percentileMicros(100)).isEqualTo(127);
        assertThat(LatencyHistogram.bucketOf(127)).isEqualTo(127);
        assertThat(LatencyHistogram.bucketOf(128)).isEqualTo(128);
        assertThat(LatencyHistogram.lowestOf(LatencyHistogram.bucketOf(1_000_000))).isBetween(984_375L, 1_000_000L);
    }

    @Test
    void mergedHistogramsEqualOneThatSawEveryValue() {
        SplittableRandom random = new SplittableRandom(3);
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        LatencyHistogram all = new LatencyHistogram();
        long[] values = new long[20_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = 100 + random.nextInt(5_000_000);
            (i % 3 == 0 ? a : b).record(values[i]);
            all.record(values[i]);
        }
        a.add(b);
        for (double p : PERCENTILES) {
            assertThat(a.percentileMicros(p)).isEqualTo(all.percentileMicros(p));
        }
        assertClose(a, values);
    }

    @Test
    void outOfRangeValuesAreClampedAndEmptyHasNoPercentile() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.percentileMicros(50)).isEqualTo(-1);
        h.record(-5);
        h.record(Long.MAX_VALUE);
        assertThat(h.count()).isEqualTo(2);
        assertThat(h.percentileMicros(50)).isZero();
        assertThat(h.percentileMicros(100)).isBetween(LatencyHistogram.MAX_MICROS * 63 / 64,
                LatencyHistogram.MAX_MICROS * 65 / 64);
    }

    @Test
    void concurrentVariantDrainsWhatWasRecordedSinceTheLastDrain() {
        LatencyHistogram.Concurrent c = new LatencyHistogram.Concurrent();
        for (int i = 1; i <= 100; i++) {
            c.record(i * 1000L);
        }
        LatencyHistogram first = c.drain();
        assertThat(first.count()).isEqualTo(100);
        assertThat((double) first.percentileMicros(99)).isCloseTo(99_000, within(99_000 / 64.0));
        assertThat(c.drain().count()).isZero();
    }
}
