package dev.millrace.streaming.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avdevice;
import org.bytedeco.javacpp.Loader;

/**
 * Run in a fresh JVM by {@link NativeLibraryStubsTest}: writes and loads stubs for every library of
 * {@link NativeLibraryStubs#FFMPEG_DEVICE_LIBRARIES} into the directory given as the only argument, then loads
 * bytedeco's libavdevice through JavaCPP, calls it, and prints {@code /proc/self/maps} so that the test can see
 * which files the loader mapped.
 */
public final class StubLoadingMain {

    private StubLoadingMain() {
    }

    public static void main(String[] args) throws IOException {
        NativeLibraryStubs.loadStubs(NativeLibraryStubs.FFMPEG_DEVICE_LIBRARIES, Path.of(args[0]));
        Loader.load(avdevice.class);
        System.out.println("avdevice_version " + avdevice.avdevice_version());
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            System.out.println("map " + line);
        }
    }
}
