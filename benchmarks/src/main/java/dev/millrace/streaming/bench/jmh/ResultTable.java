package dev.millrace.streaming.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compact table the run script prints: benchmark, parameters, score ± error, unit, {@code gc.alloc.rate.norm}
 * in bytes per operation, and a derived column where a parameter gives one: per subscriber for the fan-out
 * ({@code subscribers}), MB/s for the codecs ({@code readBytes} or {@code messageBytes} per operation).
 */
final class ResultTable {

    private static final String PACKAGE = "dev.millrace.streaming.bench.jmh.";

    /**
     * One benchmark result.
     *
     * @param benchmark fully qualified benchmark method
     * @param params parameter names to values, in JMH's order
     * @param allocBytesPerOp {@code gc.alloc.rate.norm}, or NaN without {@code -prof gc}
     */
    record Row(String benchmark, Map<String, String> params, double score, double error, String unit,
            double allocBytesPerOp) {
    }

    private ResultTable() {
    }

    static String format(List<Row> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"Benchmark", "Params", "Score", "Error", "Unit", "Alloc B/op", "Derived"});
        for (Row r : rows) {
            cells.add(new String[] {
                shortName(r.benchmark()),
                params(r.params()),
                number(r.score()),
                Double.isNaN(r.error()) ? "" : "± " + number(r.error()),
                r.unit(),
                Double.isNaN(r.allocBytesPerOp()) ? "-" : number(r.allocBytesPerOp()),
                derived(r)
            });
        }
        int columns = cells.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : cells) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String[] row = cells.get(i);
            for (int c = 0; c < columns; c++) {
                // Text columns left-aligned, numbers right-aligned.
                boolean left = c == 0 || c == 1 || c == 4 || c == 6;
                String cell = row[c];
                String pad = " ".repeat(widths[c] - cell.length());
                sb.append(left ? cell + pad : pad + cell);
                if (c < columns - 1) {
                    sb.append("  ");
                }
            }
            sb.setLength(sb.length() - trailingSpaces(sb));
            sb.append('\n');
            if (i == 0) {
                int total = 0;
                for (int w : widths) {
                    total += w;
                }
                sb.append("-".repeat(total + 2 * (columns - 1))).append('\n');
            }
        }
        return sb.toString();
    }

    private static int trailingSpaces(StringBuilder sb) {
        int n = 0;
        while (n < sb.length() && sb.charAt(sb.length() - 1 - n) == ' ') {
            n++;
        }
        return n;
    }

    static String shortName(String benchmark) {
        return benchmark.startsWith(PACKAGE) ? benchmark.substring(PACKAGE.length()) : benchmark;
    }

    private static String params(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    /** Three significant digits or more: 0.123, 12.3, 123, 12345. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }

    static String derived(Row r) {
        String subscribers = r.params().get("subscribers");
        if (subscribers != null) {
            double n = Double.parseDouble(subscribers);
            String perUnit = r.unit().endsWith("/op") ? r.unit().substring(0, r.unit().length() - 3) : r.unit();
            String s = number(r.score() / n) + " " + perUnit + "/sub";
            if (!Double.isNaN(r.allocBytesPerOp())) {
                s += ", " + number(r.allocBytesPerOp() / n) + " B/sub";
            }
            return s;
        }
        String bytes = r.params().get("readBytes");
        if (bytes == null) {
            bytes = r.params().get("messageBytes");
        }
        double secondsPerUnit = secondsPerOp(r.unit());
        if (bytes != null && !Double.isNaN(secondsPerUnit) && r.score() > 0) {
            double mbPerSecond = Double.parseDouble(bytes) / (r.score() * secondsPerUnit) / 1e6;
            return number(mbPerSecond) + " MB/s";
        }
        return "";
    }

    /** Seconds in one unit of an average-time score ({@code ns/op} and the like), or NaN for other units. */
    private static double secondsPerOp(String unit) {
        switch (unit) {
            case "ns/op":
                return 1e-9;
            case "us/op":
                return 1e-6;
            case "ms/op":
                return 1e-3;
            case "s/op":
                return 1;
            default:
                return Double.NaN;
        }
    }
}
