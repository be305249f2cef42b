package dev.millrace.streaming.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH with its usual command line, then writes the results as JSON and CSV and prints {@link ResultTable}.
 *
 * <pre>
 * java -cp benchmarks.jar dev.millrace.streaming.bench.jmh.JmhMain [--results PREFIX] [JMH options] [regexp...]
 * </pre>
 *
 * {@code PREFIX} (default {@code benchmarks/target/jmh-result}) names {@code PREFIX.json}, {@code PREFIX.csv} and
 * {@code PREFIX.txt} (the table). JMH's own {@code -rf}/{@code -rff} are overridden. Listing and help options
 * ({@code -l}, {@code -lp}, {@code -h}...) go to JMH's main unchanged.
 */
public final class JmhMain {

    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = "benchmarks/target/jmh-result";
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args));
        int i = jmhArgs.indexOf("--results");
        if (i >= 0) {
            if (i + 1 >= jmhArgs.size()) {
                throw new IllegalArgumentException("--results needs a path prefix");
            }
            prefix = jmhArgs.get(i + 1);
            jmhArgs.subList(i, i + 2).clear();
        }
        CommandLineOptions cmd = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
            return;
        }
        Path json = Path.of(prefix + ".json");
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        Options options = new OptionsBuilder()
                .parent(cmd)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .build();
        Collection<RunResult> results = new Runner(options).run();
        ResultFormatFactory.getInstance(ResultFormatType.CSV, prefix + ".csv").writeOut(results);
        String table = ResultTable.format(rows(results));
        Files.writeString(Path.of(prefix + ".txt"), table, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println("Results: " + prefix + ".json, .csv, .txt");
        System.out.println();
        System.out.print(table);
    }

    static List<ResultTable.Row> rows(Collection<RunResult> results) {
        List<ResultTable.Row> rows = new ArrayList<>(results.size());
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            Map<String, String> params = new LinkedHashMap<>();
            for (Object key : p.getParamsKeys()) {
                params.put((String) key, p.getParam((String) key));
            }
            Result<?> primary = r.getPrimaryResult();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            rows.add(new ResultTable.Row(p.getBenchmark(), params, primary.getScore(), primary.getScoreError(),
                    primary.getScoreUnit(), alloc == null ? Double.NaN : alloc.getScore()));
        }
        return rows;
    }
}
