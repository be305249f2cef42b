package dev.millrace.streaming.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stubs in the real dynamic loader: the bundled ffmpeg run with the stubs first on its library path, and a fresh
 * JVM that loads libavdevice after the stubs. This machine may have the real libraries, so each test proves from
 * the loader's own output ({@code LD_DEBUG=libs}, {@code /proc/self/maps}) that the stubs were the ones used.
 */
@EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "x86_64"})
class NativeLibraryStubsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** First 20 bytes of an ELF header (gABI): the part {@code isX8664SharedObject} reads. */
    private static final String X86_64_SHARED_OBJECT_HEADER = ""
            + "7f454c46"            // ELF magic
            + "02"                  // ELFCLASS64
            + "01"                  // ELFDATA2LSB
            + "01"                  // EV_CURRENT
            + "00" + "0000000000000000"
            + "0300"                // ET_DYN
            + "3e00";               // EM_X86_64
    private static final String I386_SHARED_OBJECT_HEADER = ""
            + "7f454c46"
            + "01"                  // ELFCLASS32
            + "01"
            + "01"
            + "00" + "0000000000000000"
            + "0300"                // ET_DYN
            + "0300";               // EM_386

    @TempDir
    Path temp;

    @Test
    void bundledFfmpegEncodesTenFramesToFlvWithTheStubsFirstOnItsLibraryPath() throws Exception {
        Path stubs = Files.createDirectory(temp.resolve("stubs"));
        for (NativeLibraryStubs.Library library : NativeLibraryStubs.FFMPEG_DEVICE_LIBRARIES) {
            Files.write(stubs.resolve(library.soname()),
                    StubSharedObject.build(library.soname(), library.versionNames()));
        }
        String ffmpeg = Ffmpeg.ffmpeg();
        Path flv = temp.resolve("out.flv");
        Path log = temp.resolve("ffmpeg.log");
        List<String> command = List.of(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-frames:v", "10",
                "-c:v", "libx264", "-f", "flv", flv.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Stubs before everything, then the bundled libraries: the real libraries, if installed, come later.
        pb.environment().put("LD_LIBRARY_PATH", stubs + ":" + Path.of(ffmpeg).getParent());
        pb.environment().put("LD_DEBUG", "libs");
        pb.environment().remove("LD_BIND_NOW");

        Ffmpeg.Result result = new Ffmpeg.Running(pb.start(), log, command).await(TIMEOUT);

        assertThat(result.ok()).as("%s", result).isTrue();
        // ld.so(8), LD_DEBUG=libs: "calling init: <path>" names each object the loader loaded, by the path it used.
        for (NativeLibraryStubs.Library library : NativeLibraryStubs.FFMPEG_DEVICE_LIBRARIES) {
            assertThat(initializedPaths(result.output(), library.soname()))
                    .as("%s loaded from", library.soname())
                    .containsExactly(stubs.resolve(library.soname()).toString());
        }
        assertThat(flvTags(Files.readAllBytes(flv))).containsExactly(
                "script",       // onMetaData
                "video 17 00",  // FLV E.4.3.1: FrameType 1 (key), CodecID 7 (AVC); AVCPacketType 0, sequence header
                "video 17 01",  // the key frame, AVCPacketType 1 (NALU)
                "video 27 01", "video 27 01", "video 27 01", "video 27 01", "video 27 01", // FrameType 2 (inter)
                "video 27 01", "video 27 01", "video 27 01", "video 27 01",
                "video 17 02"); // AVCPacketType 2, end of sequence, which FFmpeg's FLV muxer writes for H.264
    }

    @Test
    void freshJvmLoadsLibavdeviceAgainstStubsLoadedBeforeIt() throws Exception {
        Path stubs = Files.createDirectory(temp.resolve("stubs"));
        Path log = temp.resolve("jvm.log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StubLoadingMain.class.getName(), stubs.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // No search path at all: the stubs can only have come in through System.load.
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().remove("LD_BIND_NOW");

        Ffmpeg.Result result = new Ffmpeg.Running(pb.start(), log, command).await(TIMEOUT);

        assertThat(result.ok()).as("%s", result).isTrue();
        // LIBAVDEVICE_VERSION_INT of FFmpeg 8.0.1: 62.1.100 = 62 << 16 | 1 << 8 | 100.
        assertThat(result.output()).contains("avdevice_version " + (62 << 16 | 1 << 8 | 100));
        List<String> mapped = mappedFiles(result.output());
        assertThat(mapped).anyMatch(path -> path.endsWith("/libavdevice.so.62"));
        for (NativeLibraryStubs.Library library : NativeLibraryStubs.FFMPEG_DEVICE_LIBRARIES) {
            // A real library would appear under its soname or its full version (libpulse.so.0.24.2).
            List<String> sameLibrary = new ArrayList<>();
            for (String path : mapped) {
                if (Path.of(path).getFileName().toString().startsWith(library.soname())) {
                    sameLibrary.add(path);
                }
            }
            assertThat(sameLibrary).as("%s mapped from", library.soname())
                    .containsOnly(stubs.resolve(library.soname()).toString());
        }
    }

    @Test
    void installsStubsExactlyForTheLibrariesThisMachineLacks() throws IOException {
        List<String> missing = new ArrayList<>();
        for (NativeLibraryStubs.Library library : NativeLibraryStubs.FFMPEG_DEVICE_LIBRARIES) {
            if (!NativeLibraryStubs.isResolvable(library.soname(), System.getenv("LD_LIBRARY_PATH"),
                    NativeLibraryStubs.LD_SO_CACHE, NativeLibraryStubs.SYSTEM_DIRECTORIES)) {
                missing.add(library.soname());
            }
        }

        Optional<Path> directory = NativeLibraryStubs.installForFfmpeg();

        assertThat(NativeLibraryStubs.installForFfmpeg()).isSameAs(directory);
        if (missing.isEmpty()) {
            assertThat(directory).isEmpty();
        } else {
            assertThat(directory).isPresent();
            List<String> files = new ArrayList<>();
            try (Stream<Path> list = Files.list(directory.get())) {
                list.forEach(file -> files.add(file.getFileName().toString()));
            }
            assertThat(files).containsExactlyInAnyOrderElementsOf(missing);
            List<String> mapped = mappedFiles(prefixed("map ", Files.readAllLines(Path.of("/proc/self/maps"))));
            for (String soname : missing) {
                assertThat(mapped).contains(directory.get().resolve(soname).toString());
            }
        }
    }

    @Test
    void ffmpegHelperStartsTheBundledProgramsOnThisMachine() throws Exception {
        Ffmpeg.Result ffmpeg = Ffmpeg.run(temp.resolve("ffmpeg.log"), TIMEOUT, List.of("-version"));
        Ffmpeg.Result ffprobe = Ffmpeg.probe(temp.resolve("ffprobe.log"), TIMEOUT, List.of("-version"));

        assertThat(ffmpeg.ok()).as("%s", ffmpeg).isTrue();
        assertThat(ffmpeg.output()).startsWith("ffmpeg version 8.0.1 ");
        assertThat(ffprobe.ok()).as("%s", ffprobe).isTrue();
        assertThat(ffprobe.output()).startsWith("ffprobe version 8.0.1 ");
    }

    @Test
    void ffmpegLibraryPathPutsTheProgramDirectoryFirstAndTheStubsLast() {
        Map<String, String> environment = new HashMap<>();
        environment.put("LD_LIBRARY_PATH", "/opt/x");

        Ffmpeg.libraryPath(environment, "/cache/ffmpeg/linux-x86_64-gpl/ffmpeg");

        String stubs = NativeLibraryStubs.installForFfmpeg().map(dir -> ":" + dir).orElse("");
        assertThat(environment).containsEntry("LD_LIBRARY_PATH", "/cache/ffmpeg/linux-x86_64-gpl:/opt/x" + stubs);
    }

    @Test
    void appendsTheStubDirectoryToTheLibraryPathAndDropsBindNow() {
        Path stubs = Path.of("/tmp/millrace-native-stubs1");
        Map<String, String> unset = new HashMap<>(Map.of("LD_BIND_NOW", "1"));
        Map<String, String> empty = new HashMap<>(Map.of("LD_LIBRARY_PATH", ""));
        Map<String, String> set = new HashMap<>(Map.of("LD_LIBRARY_PATH", "/a:/b"));

        NativeLibraryStubs.addToLibraryPath(unset, stubs);
        NativeLibraryStubs.addToLibraryPath(empty, stubs);
        NativeLibraryStubs.addToLibraryPath(set, stubs);

        assertThat(unset).isEqualTo(Map.of("LD_LIBRARY_PATH", "/tmp/millrace-native-stubs1"));
        assertThat(empty).isEqualTo(Map.of("LD_LIBRARY_PATH", "/tmp/millrace-native-stubs1"));
        assertThat(set).isEqualTo(Map.of("LD_LIBRARY_PATH", "/a:/b:/tmp/millrace-native-stubs1"));
    }

    @Test
    void findsALibraryOnTheLibraryPathOnlyIfItIsAnX8664SharedObject() throws IOException {
        Path a = Files.createDirectory(temp.resolve("a"));
        Path b = Files.createDirectory(temp.resolve("b"));
        Files.write(a.resolve("libfoo.so.1"), HexFormat.of().parseHex(X86_64_SHARED_OBJECT_HEADER));
        Files.write(b.resolve("libbar.so.1"), HexFormat.of().parseHex(I386_SHARED_OBJECT_HEADER));
        Files.write(b.resolve("libshort.so.1"), HexFormat.of().parseHex("7f454c4602"));
        Files.createDirectory(b.resolve("libdir.so.1"));
        // ld.so(8): ':' and ';' both separate entries; an empty entry is skipped here.
        String path = ":" + b + ";" + a;
        Path noCache = temp.resolve("no-ld.so.cache");

        assertThat(NativeLibraryStubs.isResolvable("libfoo.so.1", path, noCache, List.of())).isTrue();
        assertThat(NativeLibraryStubs.isResolvable("libbar.so.1", path, noCache, List.of())).isFalse();
        assertThat(NativeLibraryStubs.isResolvable("libshort.so.1", path, noCache, List.of())).isFalse();
        assertThat(NativeLibraryStubs.isResolvable("libdir.so.1", path, noCache, List.of())).isFalse();
        assertThat(NativeLibraryStubs.isResolvable("libnone.so.1", path, noCache, List.of())).isFalse();
        assertThat(NativeLibraryStubs.isResolvable("libfoo.so.1", null, noCache, List.of(b, a))).isTrue();
        assertThat(NativeLibraryStubs.isResolvable("libfoo.so.1", null, noCache, List.of(b))).isFalse();
    }

    @Test
    void findsALibraryThroughTheLdSoCache() throws IOException {
        Path lib = Files.createDirectory(temp.resolve("lib"));
        Files.write(lib.resolve("libfoo.so.1"), HexFormat.of().parseHex(X86_64_SHARED_OBJECT_HEADER));
        Path cache = temp.resolve("ld.so.cache");
        Files.write(cache, concat(HexFormat.of().parseHex(newCache(1)), cacheStrings(lib + "/libfoo.so.1")));

        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so.1", cache)).containsExactly(lib.resolve("libfoo.so.1"));
        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so", cache)).isEmpty();
        assertThat(NativeLibraryStubs.isResolvable("libfoo.so.1", null, cache, List.of())).isTrue();
        Files.delete(lib.resolve("libfoo.so.1"));
        assertThat(NativeLibraryStubs.isResolvable("libfoo.so.1", null, cache, List.of())).isFalse();
    }

    @Test
    void readsTheNewCacheFormatAfterAnOldFormatTable() throws IOException {
        Path cache = temp.resolve("ld.so.cache");
        String old = ""
                + "6c642e736f2d312e372e30" + "00"  // "ld.so-1.7.0", padded to 12 bytes
                + "01000000"                        // nlibs: 1
                + "01000000" + "00000000" + "00000000" // flags 1 (ELF), key, value (not read)
                + "00000000";                       // padding: the new header starts at 32, 8-aligned
        Files.write(cache, concat(HexFormat.of().parseHex(old + newCache(1)), cacheStrings("/lib/libfoo.so.1")));

        // Offsets in the new table count from the new header, not from the start of the file.
        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so.1", cache)).containsExactly(Path.of("/lib/libfoo.so.1"));
    }

    @Test
    void ignoresAnLdSoCacheThatIsTruncatedOrInconsistent() throws IOException {
        Path countPastEnd = temp.resolve("count");
        Files.write(countPastEnd, concat(HexFormat.of().parseHex(newCache(200)), cacheStrings("/lib/libfoo.so.1")));
        Path truncated = temp.resolve("truncated");
        Files.write(truncated, HexFormat.of().parseHex(newCache(1).substring(0, 60)));
        Path foreign = temp.resolve("foreign");
        Files.write(foreign, "not a cache at all, just some bytes".getBytes(StandardCharsets.US_ASCII));
        Path stringsPastEnd = temp.resolve("strings");
        Files.write(stringsPastEnd, HexFormat.of().parseHex(newCache(1)));

        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so.1", countPastEnd)).isEmpty();
        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so.1", truncated)).isEmpty();
        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so.1", foreign)).isEmpty();
        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so.1", stringsPastEnd)).isEmpty();
        assertThat(NativeLibraryStubs.cachedPaths("libfoo.so.1", temp.resolve("missing"))).isEmpty();
    }

    @Test
    void findsTheSystemLibcButNotAnUnknownSoname() {
        assertThat(NativeLibraryStubs.isResolvable("libc.so.6", null, NativeLibraryStubs.LD_SO_CACHE,
                NativeLibraryStubs.SYSTEM_DIRECTORIES)).isTrue();
        assertThat(NativeLibraryStubs.isResolvable("libmillrace-absent.so.7", null, NativeLibraryStubs.LD_SO_CACHE,
                NativeLibraryStubs.SYSTEM_DIRECTORIES)).isFalse();
    }

    /**
     * A glibc ld.so.cache header in the new format (glibc dl-cache.h, struct cache_file_new) declaring
     * {@code count} entries but holding one, for "libfoo.so.1" at string offset 72 with its path at offset 84.
     */
    private static String newCache(int count) {
        return ""
                + "676c6962632d6c642e736f2e63616368" + "65312e31"  // "glibc-ld.so.cache" "1.1"
                + String.format("%02x000000", count)               // nlibs
                + "00000000"            // len_strings (not read)
                + "02" + "000000"       // flags (endianness: little), padding
                + "00000000"            // extension_offset: none
                + "000000000000000000000000" // unused[3]; entries start at 48
                + "03030000"            // flags: FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
                + "48000000"            // key: offset 72, just past this one entry
                + "54000000"            // value: offset 84 = 72 + "libfoo.so.1\0"
                + "00000000"            // osversion
                + "0000000000000000";   // hwcap
    }

    /** The string table for {@link #newCache}: the key "libfoo.so.1" and the given path, NUL-terminated. */
    private static byte[] cacheStrings(String path) {
        return ("libfoo.so.1\0" + path + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The paths in LD_DEBUG=libs "calling init: <path>" lines whose file name is {@code soname}. */
    private static List<String> initializedPaths(String ldDebugOutput, String soname) {
        Matcher m = Pattern.compile("calling init: (\\S+)").matcher(ldDebugOutput);
        List<String> paths = new ArrayList<>();
        while (m.find()) {
            if (Path.of(m.group(1)).getFileName().toString().equals(soname)) {
                paths.add(m.group(1));
            }
        }
        return paths;
    }

    /** The file paths in lines "map &lt;address perms offset dev inode path&gt;" (proc(5), /proc/pid/maps). */
    private static List<String> mappedFiles(String output) {
        List<String> paths = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("map ")) {
                String[] fields = line.substring(4).trim().split("\\s+", 6);
                if (fields.length == 6 && fields[5].startsWith("/")) {
                    paths.add(fields[5]);
                }
            }
        }
        return paths;
    }

    private static String prefixed(String prefix, List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(prefix).append(line).append('\n');
        }
        return sb.toString();
    }

    /**
     * One entry per FLV tag (FLV 10.1, E.4.1): "script", or "video" with the first two bytes of VIDEODATA
     * (FrameType and CodecID; AVCPacketType). Checks the header (E.2) and every PreviousTagSize (E.3).
     */
    private static List<String> flvTags(byte[] flv) {
        assertThat(HexFormat.of().formatHex(flv, 0, 13))
                .isEqualTo("464c56" + "01" + "01" + "00000009" + "00000000"); // "FLV", version 1, video only,
                                                                              // DataOffset 9, PreviousTagSize0 0
        List<String> tags = new ArrayList<>();
        int at = 13;
        while (at < flv.length) {
            int type = flv[at] & 0x1f;
            int dataSize = (flv[at + 1] & 0xff) << 16 | (flv[at + 2] & 0xff) << 8 | (flv[at + 3] & 0xff);
            int previousTagSize = (flv[at + 11 + dataSize] & 0xff) << 24 | (flv[at + 12 + dataSize] & 0xff) << 16
                    | (flv[at + 13 + dataSize] & 0xff) << 8 | (flv[at + 14 + dataSize] & 0xff);
            assertThat(previousTagSize).isEqualTo(11 + dataSize);
            if (type == 18) {
                tags.add("script");
            } else if (type == 9) {
                tags.add(String.format("video %02x %02x", flv[at + 11], flv[at + 12]));
            } else {
                tags.add("type " + type);
            }
            at += 11 + dataSize + 4;
        }
        assertThat(at).isEqualTo(flv.length);
        return tags;
    }
}
