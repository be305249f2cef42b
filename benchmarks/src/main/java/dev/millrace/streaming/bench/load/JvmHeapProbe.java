package dev.millrace.streaming.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Reads the heap of a server that is a JVM with the JDK's tools: {@code jstat -gc PID} for the used heap (the sum of
 * the S0U, S1U, EU and OU columns, in kB) and {@code jcmd PID GC.run} to collect it first when the live heap is
 * wanted. The tools come from this JVM's own {@code bin} directory when there, else from the PATH.
 *
 * <p>Each call starts a tool (a JVM itself: a few hundred ms); call from a sampling thread, never an event loop.
 */
final class JvmHeapProbe {

    private static final long TOOL_TIMEOUT_SECONDS = 20;

    private final long pid;

    JvmHeapProbe(long pid) {
        this.pid = pid;
    }

    /** Used heap in MiB, or NaN if {@code jstat} failed. */
    double usedHeapMb() {
        String out = run(tool("jstat"), "-gc", Long.toString(pid));
        return out == null ? Double.NaN : parseJstatGc(out);
    }

    /** Runs a full GC in the server, then returns the used heap in MiB (the live set); NaN if a tool failed. */
    double liveHeapMb() {
        if (run(tool("jcmd"), Long.toString(pid), "GC.run") == null) {
            return Double.NaN;
        }
        return usedHeapMb();
    }

    /** Used heap from {@code jstat -gc} output (a header line, a values line, columns by name); NaN if unreadable. */
    static double parseJstatGc(String out) {
        String[] lines = out.trim().split("\n");
        if (lines.length < 2) {
            return Double.NaN;
        }
        String[] names = lines[lines.length - 2].trim().split("\\s+");
        String[] values = lines[lines.length - 1].trim().split("\\s+");
        double kb = 0;
        int found = 0;
        for (int i = 0; i < names.length && i < values.length; i++) {
            switch (names[i]) {
                case "S0U", "S1U", "EU", "OU" -> {
                    try {
                        kb += Double.parseDouble(values[i]);
                        found++;
                    } catch (NumberFormatException e) {
                        return Double.NaN;
                    }
                }
                default -> {
                }
            }
        }
        return found == 4 ? kb / 1024.0 : Double.NaN;
    }

    private static String tool(String name) {
        Path bin = Paths.get(System.getProperty("java.home"), "bin", name);
        return Files.isExecutable(bin) ? bin.toString() : name;
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
