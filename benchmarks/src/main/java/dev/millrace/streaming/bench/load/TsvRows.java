package dev.millrace.streaming.bench.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of a TSV file the harness wrote (results or soak samples), read by the header's column names: columns may
 * be reordered or added. Blank lines and repeated header lines (files appended to across runs) are skipped.
 */
final class TsvRows {

    private final String header;
    private final Map<String, Integer> column = new HashMap<>();
    private final List<String[]> rows = new ArrayList<>();

    /** Reads {@code lines}, whose first line is the header; no lines make an empty table without columns. */
    TsvRows(List<String> lines) {
        header = lines.isEmpty() ? "" : lines.get(0);
        String[] names = header.split("\t", -1);
        for (int i = 0; i < names.length; i++) {
            column.putIfAbsent(names[i].trim(), i);
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            if (!line.isBlank() && !line.equals(header)) {
                rows.add(line.split("\t", -1));
            }
        }
    }

    String header() {
        return header;
    }

    boolean hasColumn(String name) {
        return column.containsKey(name);
    }

    List<String[]> rows() {
        return rows;
    }

    /** The cell of column {@code name}, trimmed; empty if the row or the header lacks it or it is {@code -}. */
    String text(String[] row, String name) {
        Integer i = column.get(name);
        if (i == null || i >= row.length) {
            return "";
        }
        String s = row[i].trim();
        return s.equals("-") ? "" : s;
    }

    /** The cell of column {@code name} as a number; NaN if missing, {@code -} (not measured) or not a number. */
    double number(String[] row, String name) {
        String s = text(row, name);
        if (s.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
