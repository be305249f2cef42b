package dev.millrace.streaming.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the FFmpeg programs and JNI libraries bundled by bytedeco load on a Linux x86-64 machine that lacks the
 * system libraries of FFmpeg's audio and screen-capture devices, which no Millrace code uses.
 *
 * <p>Why: {@code libavdevice.so.62} in {@code org.bytedeco:ffmpeg:8.0.1-1.5.13} (classifiers {@code linux-x86_64}
 * and {@code linux-x86_64-gpl}) lists in DT_NEEDED four libraries the jar does not bundle (see
 * {@link #FFMPEG_DEVICE_LIBRARIES}). A machine with only a JDK and Maven may lack them; then {@code ffmpeg -version}
 * fails with "libpulse.so.0: cannot open shared object file" and {@code Loader.load} of any FFmpeg class throws
 * {@link UnsatisfiedLinkError}, because both load libavdevice. Every relocation libavdevice has against those
 * libraries is R_X86_64_JUMP_SLOT and the library is not BIND_NOW, so the loader binds a function only when it is
 * first called: a file with the right soname and version definitions (written by {@code StubSharedObject})
 * satisfies the dependency for everything except actually using the {@code pulse}, {@code alsa} or {@code x11grab}
 * devices, which would end the process with "symbol lookup error".
 *
 * <p>How: {@link #installForFfmpeg()} looks for each library the way the loader would, writes a stub for each one
 * that is missing into a private temporary directory, and {@link System#load}s the stubs into this JVM. glibc then
 * satisfies a later DT_NEEDED entry with an already loaded object whose DT_SONAME matches, so JavaCPP's
 * {@code Loader.load} works. Child processes get the directory on {@code LD_LIBRARY_PATH} through
 * {@link #addToLibraryPath(Map)}; {@link Ffmpeg} does both for the programs it starts.
 *
 * <p>Where a library is present nothing happens and the real one is used. On other operating systems and
 * architectures nothing happens either.
 *
 * <p>Limit: {@code LD_BIND_NOW} set in this JVM's environment asks the loader to bind every function at load time,
 * so with stubs in use libavdevice fails to load in this JVM; it is removed from the environment of child processes.
 */
public final class NativeLibraryStubs {

    private static final Logger LOG = LoggerFactory.getLogger(NativeLibraryStubs.class);

    /** A shared library by its soname, with the symbol version names that dependents require from it. */
    public record Library(String soname, List<String> versionNames) {
        /**
         * @throws IllegalArgumentException if the soname is not a plain file name
         */
        public Library {
            if (soname.isEmpty() || soname.indexOf('/') >= 0 || soname.equals(".") || soname.equals("..")) {
                throw new IllegalArgumentException("soname must be a file name: \"" + soname + '"');
            }
            versionNames = List.copyOf(versionNames);
        }
    }

    /**
     * The libraries that {@code libavdevice.so.62} of bytedeco FFmpeg 8.0.1-1.5.13 needs and that the jar does not
     * bundle, with the version names from its DT_VERNEED ({@code readelf -V}); libxcb's symbols are not versioned.
     * Everything else the bundled programs and libraries need is in the jar or is glibc, libstdc++ or libgcc_s.
     */
    public static final List<Library> FFMPEG_DEVICE_LIBRARIES = List.of(
            new Library("libpulse.so.0", List.of("PULSE_0")),                       // -f pulse
            new Library("libasound.so.2", List.of("ALSA_0.9", "ALSA_0.9.0rc4")),    // -f alsa
            new Library("libxcb.so.1", List.of()),                                  // -f x11grab
            new Library("libxcb-shm.so.0", List.of()));                             // -f x11grab, shared memory

    /**
     * Where glibc on x86-64 looks after LD_LIBRARY_PATH, DT_RUNPATH and /etc/ld.so.cache: the Debian multiarch
     * directories, then the lib64 directories of other distributions, then /lib and /usr/lib ({@code ld.so --help}
     * prints the list a given system was built with).
     */
    static final List<Path> SYSTEM_DIRECTORIES = List.of(Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"),
            Path.of("/usr/lib"));

    static final Path LD_SO_CACHE = Path.of("/etc/ld.so.cache");

    /** A larger /etc/ld.so.cache is not read (real ones hold a few thousand entries, well under 1 MiB). */
    static final int MAX_LD_SO_CACHE_BYTES = 16 << 20;

    // glibc dl-cache.h: the format ldconfig has written by default since glibc 2.32, alone or (older ldconfig)
    // after a table in the libc5 format.
    private static final byte[] CACHE_MAGIC_NEW = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CACHE_MAGIC_OLD = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    private static final int CACHE_NEW_HEADER_SIZE = 48;
    private static final int CACHE_NEW_ENTRY_SIZE = 24;
    private static final int CACHE_OLD_HEADER_SIZE = 16;
    private static final int CACHE_OLD_ENTRY_SIZE = 12;

    /** Null until the first call of {@link #installForFfmpeg()}; then the stub directory, or empty. */
    private static Optional<Path> installed;

    private NativeLibraryStubs() {
    }

    /**
     * Makes the bytedeco FFmpeg libraries loadable in this JVM and returns the directory child processes must find
     * on their {@code LD_LIBRARY_PATH}, or empty if no stub was needed. Call it before the first
     * {@code Loader.load} of an {@code org.bytedeco.ffmpeg} class. Idempotent and thread-safe; the first call does
     * the work (a few file reads, and when a library is missing a temporary directory, a 1.4 KB file per library
     * and one {@link System#load} each), later calls return the same answer.
     *
     * @throws UncheckedIOException  if a stub cannot be written
     * @throws IllegalStateException if a written stub cannot be loaded
     */
    public static synchronized Optional<Path> installForFfmpeg() {
        if (installed == null) {
            installed = install();
        }
        return installed;
    }

    /**
     * Appends the stub directory (if {@link #installForFfmpeg()} needed one) to {@code LD_LIBRARY_PATH} in a child
     * process environment, e.g. {@link ProcessBuilder#environment()}, and removes {@code LD_BIND_NOW}, under which
     * the child could not start. The directory holds only libraries found nowhere else, so appending shadows
     * nothing.
     */
    public static void addToLibraryPath(Map<String, String> environment) {
        installForFfmpeg().ifPresent(dir -> addToLibraryPath(environment, dir));
    }

    static void addToLibraryPath(Map<String, String> environment, Path directory) {
        String current = environment.get("LD_LIBRARY_PATH");
        environment.put("LD_LIBRARY_PATH",
                current == null || current.isEmpty() ? directory.toString() : current + ':' + directory);
        environment.remove("LD_BIND_NOW");
    }

    private static Optional<Path> install() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Optional.empty();
        }
        List<Library> missing = new ArrayList<>();
        for (Library library : FFMPEG_DEVICE_LIBRARIES) {
            if (!isResolvable(library.soname(), System.getenv("LD_LIBRARY_PATH"), LD_SO_CACHE, SYSTEM_DIRECTORIES)) {
                missing.add(library);
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("millrace-native-stubs");   // mode 0700
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for native library stubs", e);
        }
        directory.toFile().deleteOnExit();   // registered first, so deleted after the files in it
        loadStubs(missing, directory);
        List<String> sonames = new ArrayList<>();
        for (Library library : missing) {
            sonames.add(library.soname());
        }
        LOG.info("{} not found on this machine; using stubs in {} (FFmpeg's pulse, alsa and x11grab devices will not"
                + " work)", sonames, directory);
        String bindNow = System.getenv("LD_BIND_NOW");
        if (bindNow != null && !bindNow.isEmpty()) {
            LOG.warn("LD_BIND_NOW is set: libavdevice will not load in this JVM while it depends on stubs");
        }
        return Optional.of(directory);
    }

    /**
     * Writes a stub for each library into {@code directory} (named by its soname, deleted when the JVM exits) and
     * loads each into this JVM.
     *
     * @throws IllegalArgumentException if the directory path contains ':' or ';', which separate LD_LIBRARY_PATH
     *                                  entries
     */
    static void loadStubs(List<Library> libraries, Path directory) {
        String dir = directory.toAbsolutePath().toString();
        if (dir.indexOf(':') >= 0 || dir.indexOf(';') >= 0) {
            throw new IllegalArgumentException("directory cannot be put on LD_LIBRARY_PATH: " + dir);
        }
        for (Library library : libraries) {
            Path file = directory.toAbsolutePath().resolve(library.soname());
            try {
                Files.write(file, StubSharedObject.build(library.soname(), library.versionNames()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write native library stub " + file, e);
            }
            file.toFile().deleteOnExit();
            try {
                System.load(file.toString());
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException("cannot load native library stub " + file + " for missing "
                        + library.soname(), e);
            }
        }
    }

    /**
     * Whether the dynamic loader would find an x86-64 shared object named {@code soname}: in a directory of
     * {@code ldLibraryPath}, through the ld.so.cache at {@code ldSoCache}, or in one of {@code systemDirectories}.
     * A candidate counts only if it is a readable 64-bit little-endian ELF shared object for x86-64, as the loader
     * skips others. The answer errs towards "not found" (an unreadable or unknown cache format, an ld.so.conf
     * directory not yet cached): that costs only a stub where a real library would also have done.
     */
    static boolean isResolvable(String soname, String ldLibraryPath, Path ldSoCache, List<Path> systemDirectories) {
        if (ldLibraryPath != null) {
            // ld.so(8): entries separated by ':' or ';'; an empty entry means the working directory, which is
            // not a place a test machine keeps system libraries, so it is not searched here.
            for (String entry : ldLibraryPath.split("[:;]")) {
                if (!entry.isEmpty() && isX8664SharedObject(Path.of(entry, soname))) {
                    return true;
                }
            }
        }
        for (Path candidate : cachedPaths(soname, ldSoCache)) {
            if (isX8664SharedObject(candidate)) {
                return true;
            }
        }
        for (Path directory : systemDirectories) {
            if (isX8664SharedObject(directory.resolve(soname))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The paths that the ld.so.cache file at {@code cache} lists for {@code soname}, for any architecture; empty if
     * the file is missing, too large or not in a format known here.
     */
    static List<Path> cachedPaths(String soname, Path cache) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(cache) || Files.size(cache) > MAX_LD_SO_CACHE_BYTES) {
                return List.of();
            }
            bytes = Files.readAllBytes(cache);
        } catch (IOException e) {
            return List.of();
        }
        // Host byte order; this class only runs on x86-64.
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int start = 0;
        if (startsWith(bytes, 0, CACHE_MAGIC_OLD)) {
            // glibc dl-cache.h: magic (11 bytes, padded to 12), nlibs, nlibs entries of 12 bytes, then the new
            // format aligned to 8 bytes.
            if (bytes.length < CACHE_OLD_HEADER_SIZE) {
                return List.of();
            }
            long oldCount = b.getInt(12) & 0xffff_ffffL;
            long newStart = (CACHE_OLD_HEADER_SIZE + oldCount * CACHE_OLD_ENTRY_SIZE + 7) & ~7L;
            if (newStart > bytes.length) {
                return List.of();
            }
            start = (int) newStart;
        }
        if (!startsWith(bytes, start, CACHE_MAGIC_NEW) || bytes.length - start < CACHE_NEW_HEADER_SIZE) {
            return List.of();
        }
        // glibc dl-cache.h, struct cache_file_new: magic and version (20 bytes), nlibs, len_strings, flags and
        // unused fields to 48 bytes, then entries {int32 flags; uint32 key, value; uint32 osversion; uint64 hwcap}
        // whose key (soname) and value (path) are offsets from the start of this header.
        long count = b.getInt(start + 20) & 0xffff_ffffL;
        long maxCount = (bytes.length - start - CACHE_NEW_HEADER_SIZE) / CACHE_NEW_ENTRY_SIZE;
        if (count > maxCount) {
            return List.of();
        }
        byte[] wanted = soname.getBytes(StandardCharsets.US_ASCII);
        List<Path> paths = new ArrayList<>(2);
        for (int i = 0; i < (int) count; i++) {
            int entry = start + CACHE_NEW_HEADER_SIZE + i * CACHE_NEW_ENTRY_SIZE;
            long key = start + (b.getInt(entry + 4) & 0xffff_ffffL);
            long value = start + (b.getInt(entry + 8) & 0xffff_ffffL);
            if (isCString(bytes, key, wanted)) {
                String path = cString(bytes, value);
                if (path != null && path.startsWith("/")) {
                    paths.add(Path.of(path));
                }
            }
        }
        return paths;
    }

    /**
     * Whether {@code file} (following links) begins with an ELF header of a 64-bit little-endian x86-64 shared
     * object (gABI, ELF Header: e_ident[EI_CLASS] = ELFCLASS64, e_ident[EI_DATA] = ELFDATA2LSB, e_type = ET_DYN,
     * e_machine = EM_X86_64).
     */
    static boolean isX8664SharedObject(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        byte[] header = new byte[20];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(header, 0, header.length) != header.length) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        return header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F'
                && header[4] == 2 && header[5] == 1          // ELFCLASS64, ELFDATA2LSB
                && header[16] == 3 && header[17] == 0        // ET_DYN
                && header[18] == 62 && header[19] == 0;      // EM_X86_64
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        if (bytes.length - offset < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the NUL-terminated string at {@code offset} equals {@code wanted}. */
    private static boolean isCString(byte[] bytes, long offset, byte[] wanted) {
        if (offset + wanted.length >= bytes.length) {
            return false;
        }
        int at = (int) offset;
        return startsWith(bytes, at, wanted) && bytes[at + wanted.length] == 0;
    }

    /** The NUL-terminated ASCII string at {@code offset}, or null if it runs past the end or is longer than 4096. */
    private static String cString(byte[] bytes, long offset) {
        if (offset >= bytes.length) {
            return null;
        }
        int at = (int) offset;
        int limit = (int) Math.min(bytes.length, offset + 4096);
        for (int end = at; end < limit; end++) {
            if (bytes[end] == 0) {
                return new String(bytes, at, end - at, StandardCharsets.US_ASCII);
            }
        }
        return null;
    }
}
