package dev.millrace.streaming.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTableTest {

    private static Map<String, String> params(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void printsAlignedColumnsWithDerivedThroughputAndPerSubscriberFigures() {
        List<ResultTable.Row> rows = List.of(
                new ResultTable.Row("dev.millrace.streaming.bench.jmh.ChunkDecodeBenchmark.decode",
                        params("readBytes", "16384"), 4096.0, 12.5, "ns/op", 0.25),
                new ResultTable.Row("dev.millrace.streaming.bench.jmh.FanoutBenchmark.inline",
                        params("subscribers", "100"), 25000.0, 300.0, "ns/op", 6400.0),
                new ResultTable.Row("dev.millrace.streaming.bench.jmh.Amf0Benchmark.encodeOnStatus",
                        params(), 1.5, Double.NaN, "us/op", Double.NaN));
        String expected = ""
                + "Benchmark                     Params           Score   Error  Unit   Alloc B/op  Derived\n"
                + "-------------------------------------------------------------------------------------------------------\n"
                + "ChunkDecodeBenchmark.decode   readBytes=16384   4096  ± 12.5  ns/op       0.250  4000 MB/s\n"
                + "FanoutBenchmark.inline        subscribers=100  25000   ± 300  ns/op        6400  250 ns/sub, 64.0 B/sub\n"
                + "Amf0Benchmark.encodeOnStatus                    1.50          us/op           -\n";
        assertThat(ResultTable.format(rows)).isEqualTo(expected);
    }

    @Test
    void numbersKeepAtLeastThreeSignificantDigits() {
        assertThat(ResultTable.number(0.04321)).isEqualTo("0.043");
        assertThat(ResultTable.number(1.234)).isEqualTo("1.23");
        assertThat(ResultTable.number(12.34)).isEqualTo("12.3");
        assertThat(ResultTable.number(1234.5)).isEqualTo("1235");
    }

    @Test
    void messageBytesGiveThroughputInMegabytesPerSecond() {
        ResultTable.Row r = new ResultTable.Row("x.ChunkEncodeBenchmark.preChunked", params("messageBytes", "50000"),
                2.0, 0.1, "us/op", 0.0);
        // 50000 bytes in 2 us: 25,000 MB/s
        assertThat(ResultTable.derived(r)).isEqualTo("25000 MB/s");
    }
}
