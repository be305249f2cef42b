package dev.millrace.streaming.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;

/**
 * The {@code ffmpeg} and {@code ffprobe} programs that bytedeco ships inside its jar (FFmpeg 8.0.1, GPL build
 * with libx264 and libx265), extracted on first use. Every process runs with a deadline and is killed when it
 * passes it, so a test never hangs on a stuck peer.
 *
 * <p>Every process started here finds the libraries bundled next to the program on its {@code LD_LIBRARY_PATH}.
 * On a machine without the system libraries of FFmpeg's audio and screen-capture devices (PulseAudio, ALSA, XCB),
 * {@link NativeLibraryStubs} stands in for them, both in this JVM and on that path.
 */
public final class Ffmpeg {

    private static volatile String ffmpeg;
    private static volatile String ffprobe;

    private Ffmpeg() {
    }

    /** Path of the ffmpeg executable. */
    public static synchronized String ffmpeg() {
        if (ffmpeg == null) {
            NativeLibraryStubs.installForFfmpeg();   // Loader.load loads libavdevice into this JVM
            ffmpeg = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        }
        return ffmpeg;
    }

    /** Path of the ffprobe executable. */
    public static synchronized String ffprobe() {
        if (ffprobe == null) {
            NativeLibraryStubs.installForFfmpeg();
            ffprobe = Loader.load(org.bytedeco.ffmpeg.ffprobe.class);
        }
        return ffprobe;
    }

    /** Starts ffmpeg with the given arguments; its stderr and stdout go to {@code log}. */
    public static Running start(Path log, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ffmpeg());
        command.add("-hide_banner");
        command.add("-nostdin");
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        libraryPath(pb.environment(), command.get(0));
        return new Running(pb.start(), log, command);
    }

    /** Runs ffmpeg to completion (or kills it at {@code timeout}). */
    public static Result run(Path log, Duration timeout, List<String> args) throws IOException, InterruptedException {
        return start(log, args).await(timeout);
    }

    /** Runs ffprobe with the given arguments and returns its standard output (stderr goes to {@code errLog}). */
    public static Result probe(Path errLog, Duration timeout, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ffprobe());
        command.add("-hide_banner");
        command.addAll(args);
        Path out = Files.createTempFile(errLog.getParent(), "ffprobe", ".out");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(errLog.toFile())
                .redirectOutput(out.toFile());
        libraryPath(pb.environment(), command.get(0));
        Process p = pb.start();
        Result r = new Running(p, out, command).await(timeout);
        return r;
    }

    /**
     * Sets {@code LD_LIBRARY_PATH} in a child environment to the program's own directory, then the inherited
     * entries, then the {@link NativeLibraryStubs} directory if there is one. The programs carry DT_RUNPATH
     * {@code $ORIGIN/}, but the loader applies a DT_RUNPATH only to the object's own DT_NEEDED entries, so without
     * this the bundled libraries' dependencies on each other (libavutil's {@code libva.so.2}, libavdevice's
     * {@code libdrm.so.2}) are looked for only among the system's libraries.
     */
    public static void libraryPath(Map<String, String> environment, String program) {
        String directory = Path.of(program).toAbsolutePath().getParent().toString();
        String current = environment.get("LD_LIBRARY_PATH");
        environment.put("LD_LIBRARY_PATH",
                current == null || current.isEmpty() ? directory : directory + ':' + current);
        NativeLibraryStubs.addToLibraryPath(environment);
    }

    /** A running ffmpeg or ffprobe process. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path output;
        private final List<String> command;

        Running(Process process, Path output, List<String> command) {
            this.process = process;
            this.output = output;
            this.command = command;
        }

        public Process process() {
            return process;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** What the process wrote so far. */
        public String output() {
            try {
                return Files.readString(output, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<unreadable: " + e + ">";
            }
        }

        /** Waits for the exit, killing the process if it runs past {@code timeout}. */
        public Result await(Duration timeout) throws InterruptedException {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            return new Result(exited ? process.exitValue() : -1, !exited, output(), command);
        }

        /** Asks ffmpeg to stop (SIGTERM lets it finish its output file), then waits. */
        public Result stop(Duration timeout) throws InterruptedException {
            process.destroy();
            return await(timeout);
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** How a process ended. {@code timedOut} means it was killed at the deadline. */
    public record Result(int exitCode, boolean timedOut, String output, List<String> command) {
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + (timedOut ? " (killed at deadline)" : "") + " for " + String.join(" ", command)
                    + "\n" + tail(output, 4000);
        }

        private static String tail(String s, int max) {
            return s.length() <= max ? s : "..." + s.substring(s.length() - max);
        }
    }
}
