package dev.millrace.streaming.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bytes of generated stubs, written by hand from the gABI, the LSB "Symbol Versioning" chapter and the Linux
 * gABI extensions (see {@link StubSharedObject} for the documents). Whether the loader accepts them is
 * {@link NativeLibraryStubsTest}'s job.
 */
class StubSharedObjectTest {

    /**
     * Everything the loader maps for {@code libpulse.so.0} with version {@code PULSE_0}: file offsets 0x000 to
     * 0x2b8, which are also the virtual addresses. Layout: ELF header 0x000, program headers 0x040, note 0x158,
     * .hash 0x178, .dynsym 0x190, .dynstr 0x1c0, .gnu.version 0x1d8, .gnu.version_d 0x1e0, .dynamic 0x218.
     */
    private static final String LIBPULSE_IMAGE = ""
            // gABI, ELF Header
            + "7f454c46"            // e_ident[EI_MAG0..3]: 0x7f 'E' 'L' 'F'
            + "02"                  // EI_CLASS: ELFCLASS64
            + "01"                  // EI_DATA: ELFDATA2LSB
            + "01"                  // EI_VERSION: EV_CURRENT
            + "00"                  // EI_OSABI: ELFOSABI_NONE (System V)
            + "00"                  // EI_ABIVERSION
            + "00000000000000"      // EI_PAD
            + "0300"                // e_type: ET_DYN
            + "3e00"                // e_machine: EM_X86_64 = 62 (psABI)
            + "01000000"            // e_version: EV_CURRENT
            + "0000000000000000"    // e_entry: none
            + "4000000000000000"    // e_phoff: 64, right after this header
            + "1803000000000000"    // e_shoff: 0x318 = 0x2b8 + 89 bytes of .shstrtab, aligned to 8
            + "00000000"            // e_flags
            + "4000"                // e_ehsize: 64
            + "3800"                // e_phentsize: 56 = sizeof(Elf64_Phdr)
            + "0500"                // e_phnum: 5
            + "4000"                // e_shentsize: 64 = sizeof(Elf64_Shdr)
            + "0900"                // e_shnum: 9
            + "0800"                // e_shstrndx: 8 (.shstrtab)
            // gABI, Program Header [0]: PT_LOAD of the whole image, read-write, page aligned
            + "01000000" + "06000000"                   // p_type PT_LOAD, p_flags PF_R | PF_W
            + "0000000000000000" + "0000000000000000" + "0000000000000000"   // p_offset, p_vaddr, p_paddr: 0
            + "b802000000000000" + "b802000000000000"   // p_filesz, p_memsz: 0x2b8
            + "0010000000000000"                        // p_align: 0x1000 (psABI page size)
            // [1]: PT_DYNAMIC, the .dynamic section
            + "02000000" + "06000000"                   // p_type PT_DYNAMIC, p_flags PF_R | PF_W
            + "1802000000000000" + "1802000000000000" + "1802000000000000"   // 0x218
            + "a000000000000000" + "a000000000000000"   // 160 = 10 entries of 16 bytes
            + "0800000000000000"                        // p_align 8
            // [2]: PT_NOTE, the property note
            + "04000000" + "04000000"                   // p_type PT_NOTE, p_flags PF_R
            + "5801000000000000" + "5801000000000000" + "5801000000000000"   // 0x158
            + "2000000000000000" + "2000000000000000"   // 32
            + "0800000000000000"                        // p_align 8
            // [3]: PT_GNU_PROPERTY (Linux gABI: 0x6474e553), the same note
            + "53e57464" + "04000000"
            + "5801000000000000" + "5801000000000000" + "5801000000000000"
            + "2000000000000000" + "2000000000000000"
            + "0800000000000000"
            // [4]: PT_GNU_STACK (Linux gABI: 0x6474e551), flags RW: the stack need not be executable
            + "51e57464" + "06000000"
            + "0000000000000000" + "0000000000000000" + "0000000000000000"
            + "0000000000000000" + "0000000000000000"
            + "1000000000000000"
            // 0x158 Linux gABI, Program Property note
            + "04000000"            // n_namesz: 4
            + "10000000"            // n_descsz: 16
            + "05000000"            // n_type: NT_GNU_PROPERTY_TYPE_0
            + "474e5500"            // name: "GNU\0"
            + "020000c0"            // pr_type: GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002 (psABI)
            + "04000000"            // pr_datasz: 4
            + "03000000"            // pr_data: GNU_PROPERTY_X86_FEATURE_1_IBT | GNU_PROPERTY_X86_FEATURE_1_SHSTK
            + "00000000"            // padding to 8 bytes
            // 0x178 gABI, Hash Table
            + "01000000"            // nbucket: 1
            + "02000000"            // nchain: 2 = number of symbols
            + "01000000"            // bucket[0]: symbol 1 (every hash % 1 == 0)
            + "00000000"            // chain[0]: STN_UNDEF
            + "00000000"            // chain[1]: STN_UNDEF, end of the chain
            // 0x18c: padding to 8
            + "00000000"
            // 0x190 gABI, Symbol Table [0]: the undefined symbol, all zero
            + "000000000000000000000000000000000000000000000000"
            // [1]: PULSE_0, as GNU ld defines one absolute symbol per version
            + "0f000000"            // st_name: .dynstr offset 15, "PULSE_0"
            + "11"                  // st_info: STB_GLOBAL << 4 | STT_OBJECT
            + "00"                  // st_other: STV_DEFAULT
            + "f1ff"                // st_shndx: SHN_ABS
            + "0000000000000000"    // st_value
            + "0000000000000000"    // st_size
            // 0x1c0 gABI, String Table (.dynstr, 23 bytes)
            + "00"                              // offset 0: the empty string
            + "6c696270756c73652e736f2e3000"    // offset 1: "libpulse.so.0"
            + "50554c53455f3000"                // offset 15: "PULSE_0"
            // 0x1d7: padding to 2
            + "00"
            // 0x1d8 LSB, Symbol Version Table
            + "0000"                // symbol 0: VER_NDX_LOCAL
            + "0200"                // symbol 1: version index 2, PULSE_0
            // 0x1dc: padding to 8
            + "00000000"
            // 0x1e0 LSB, Version Definitions [0]: the base version, the file itself
            + "0100"                // vd_version: 1
            + "0100"                // vd_flags: VER_FLG_BASE
            + "0100"                // vd_ndx: 1
            + "0100"                // vd_cnt: 1
            + "50fe9c0b"            // vd_hash: ELF hash of "libpulse.so.0" = 0x0b9cfe50, the same value as the
                                    //   base definition of Debian 12's libpulse.so.0 (libpulse0 16.1+dfsg1-2+b1)
            + "14000000"            // vd_aux: 20, the Verdaux right after this Verdef
            + "1c000000"            // vd_next: 28, the next Verdef
            + "01000000"            // vda_name: .dynstr offset 1, "libpulse.so.0"
            + "00000000"            // vda_next: none
            // [1]: PULSE_0
            + "0100"                // vd_version: 1
            + "0000"                // vd_flags: none
            + "0200"                // vd_ndx: 2
            + "0100"                // vd_cnt: 1
            // vd_hash: ELF hash (gABI, Hash Table) of "PULSE_0", by hand: h = (h << 4) + c; fold the top nibble
            //   'P' 0x50: 0x00000050        'U' 0x55: 0x00000555        'L' 0x4c: 0x0000559c
            //   'S' 0x53: 0x00055a13        'E' 0x45: 0x0055a175        '_' 0x5f: 0x055a17af
            //   '0' 0x30: 0x55a17b20, top nibble g = 0x50000000: h ^= g >> 24 -> 0x55a17b70, h &= ~g -> 0x05a17b70
            //   (the same value libavdevice.so.62 stores in vna_hash for its PULSE_0 requirement)
            + "707ba105"
            + "14000000"            // vd_aux: 20
            + "00000000"            // vd_next: 0, the last definition
            + "0f000000"            // vda_name: .dynstr offset 15, "PULSE_0"
            + "00000000"            // vda_next: none
            // 0x218 gABI, Dynamic Section: d_tag, d_val or d_ptr (addresses relative to the load base)
            + "0e00000000000000" + "0100000000000000"   // DT_SONAME: .dynstr offset 1, "libpulse.so.0"
            + "0400000000000000" + "7801000000000000"   // DT_HASH: 0x178
            + "0500000000000000" + "c001000000000000"   // DT_STRTAB: 0x1c0
            + "0600000000000000" + "9001000000000000"   // DT_SYMTAB: 0x190
            + "0a00000000000000" + "1700000000000000"   // DT_STRSZ: 23
            + "0b00000000000000" + "1800000000000000"   // DT_SYMENT: 24
            + "f0ffff6f00000000" + "d801000000000000"   // DT_VERSYM (0x6ffffff0): 0x1d8
            + "fcffff6f00000000" + "e001000000000000"   // DT_VERDEF (0x6ffffffc): 0x1e0
            + "fdffff6f00000000" + "0200000000000000"   // DT_VERDEFNUM (0x6ffffffd): 2
            + "0000000000000000" + "0000000000000000";  // DT_NULL

    @Test
    void writesTheLoadableImageOfAPulseStubByteForByte() {
        byte[] elf = StubSharedObject.build("libpulse.so.0", List.of("PULSE_0"));

        assertThat(hex(Arrays.copyOf(elf, 0x2b8))).isEqualTo(LIBPULSE_IMAGE);
        // .shstrtab (89 bytes) at 0x2b8, padding to 0x318, 9 section headers of 64 bytes.
        assertThat(elf).hasSize(0x318 + 9 * 64);
    }

    @Test
    void namesItsSectionsSoThatReadelfCanShowTheVersions() {
        byte[] elf = StubSharedObject.build("libpulse.so.0", List.of("PULSE_0"));
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int shoff = (int) b.getLong(40);
        int shstrtab = (int) b.getLong(shoff + 8 * 64 + 24);

        List<String> names = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            int sh = shoff + i * 64;
            names.add(cString(elf, shstrtab + b.getInt(sh)));
            types.add(b.getInt(sh + 4));
        }

        assertThat(names).containsExactly("", ".note.gnu.property", ".hash", ".dynsym", ".dynstr", ".gnu.version",
                ".gnu.version_d", ".dynamic", ".shstrtab");
        // gABI: SHT_NULL 0, SHT_NOTE 7, SHT_HASH 5, SHT_DYNSYM 11, SHT_STRTAB 3, SHT_DYNAMIC 6;
        // LSB: SHT_GNU_versym 0x6fffffff, SHT_GNU_verdef 0x6ffffffd.
        assertThat(types).containsExactly(0, 7, 5, 11, 3, 0x6fffffff, 0x6ffffffd, 6, 3);
        // gABI, Sections: sh_offset and sh_size of .gnu.version_d, its sh_link (.dynstr) and sh_info (2 entries).
        int verdef = shoff + 6 * 64;
        assertThat(b.getLong(verdef + 24)).isEqualTo(0x1e0);
        assertThat(b.getLong(verdef + 32)).isEqualTo(56);
        assertThat(b.getInt(verdef + 40)).isEqualTo(4);
        assertThat(b.getInt(verdef + 44)).isEqualTo(2);
    }

    @Test
    void definesEveryRequestedVersionAfterTheBaseVersion() {
        byte[] elf = StubSharedObject.build("libasound.so.2", List.of("ALSA_0.9", "ALSA_0.9.0rc4"));

        Elf parsed = Elf.parse(elf);

        assertThat(parsed.soname()).isEqualTo("libasound.so.2");
        // (flags, index, hash, name). The base hash is the vd_hash of the base definition in Debian 12's real
        // libasound.so.2 (libasound2 1.2.8-1+b1); the two ALSA hashes are the vna_hash values GNU ld wrote into the
        // DT_VERNEED of bytedeco's libavdevice.so.62 (each at offset 0 of its Vernaux).
        assertThat(parsed.versionDefinitions()).containsExactly(
                new VersionDefinition(1, 1, 0x0bfd41b2, "libasound.so.2"),
                new VersionDefinition(0, 2, 0x01772779, "ALSA_0.9"),
                new VersionDefinition(0, 3, 0x07b60a14, "ALSA_0.9.0rc4"));
        // Symbol 0 is local; symbols 1 and 2 are the version symbols, with version indexes 2 and 3.
        assertThat(parsed.versionSymbols()).containsExactly(0, 2, 3);
        assertThat(parsed.symbolNames()).containsExactly("", "ALSA_0.9", "ALSA_0.9.0rc4");
    }

    @Test
    void describesALibraryWithoutVersionsByItsBaseDefinitionAlone() {
        byte[] elf = StubSharedObject.build("libxcb.so.1", List.of());

        Elf parsed = Elf.parse(elf);

        assertThat(parsed.soname()).isEqualTo("libxcb.so.1");
        // ELF hash of "libxcb.so.1", cross-checked with a separate Python implementation of the gABI function.
        assertThat(parsed.versionDefinitions()).containsExactly(
                new VersionDefinition(1, 1, 0x094779f1, "libxcb.so.1"));
        assertThat(parsed.versionSymbols()).containsExactly(0);
        assertThat(parsed.symbolNames()).containsExactly("");
    }

    @Test
    void hashesNamesWithTheGabiFunction() {
        assertThat(StubSharedObject.elfHash("")).isZero();
        assertThat(StubSharedObject.elfHash("PULSE_0")).isEqualTo(0x05a17b70);
        // vna_hash values GNU ld stored in the DT_VERNEED of bytedeco's libavdevice.so.62 (read from its bytes;
        // the names are what readelf -V prints). Long names exercise the folding of the top nibble.
        assertThat(StubSharedObject.elfHash("LIBAVUTIL_60")).isEqualTo(0x0f818420);
        assertThat(StubSharedObject.elfHash("LIBAVFILTER_11")).isEqualTo(0x0ceceda1);
        assertThat(StubSharedObject.elfHash("GLIBC_2.2.5")).isEqualTo(0x09691a75);
    }

    @Test
    void rejectsNamesTheLoaderCouldNotUse() {
        assertThatThrownBy(() -> StubSharedObject.build("", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StubSharedObject.build("lib pulse.so.0", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StubSharedObject.build("libpulse.so.0", List.of("PULSE_0", "PULSE_0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StubSharedObject.build("libpulse.so.0", List.of("libpulse.so.0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StubSharedObject.build("x".repeat(256), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            tooMany.add("V_" + i);
        }
        assertThatThrownBy(() -> StubSharedObject.build("libx.so.1", tooMany))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private record VersionDefinition(int flags, int index, int hash, String name) {
    }

    /** A reader for the few structures these tests look at, written from the same specifications. */
    private record Elf(String soname, List<VersionDefinition> versionDefinitions, List<Integer> versionSymbols,
            List<String> symbolNames) {

        static Elf parse(byte[] elf) {
            ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
            int phoff = (int) b.getLong(32);
            int phnum = b.getShort(56);
            int dynamic = -1;
            for (int i = 0; i < phnum; i++) {
                if (b.getInt(phoff + i * 56) == 2) {   // PT_DYNAMIC
                    dynamic = (int) b.getLong(phoff + i * 56 + 8);
                }
            }
            assertThat(dynamic).as("PT_DYNAMIC").isPositive();
            long soname = -1;
            int strtab = -1;
            int symtab = -1;
            int versym = -1;
            int verdef = -1;
            int verdefnum = -1;
            int nchain = -1;
            for (int at = dynamic; b.getLong(at) != 0; at += 16) {
                long tag = b.getLong(at);
                long value = b.getLong(at + 8);
                if (tag == 14) {
                    soname = value;
                } else if (tag == 5) {
                    strtab = (int) value;
                } else if (tag == 6) {
                    symtab = (int) value;
                } else if (tag == 4) {
                    nchain = b.getInt((int) value + 4);
                } else if (tag == 0x6ffffff0L) {
                    versym = (int) value;
                } else if (tag == 0x6ffffffcL) {
                    verdef = (int) value;
                } else if (tag == 0x6ffffffdL) {
                    verdefnum = (int) value;
                }
            }
            List<VersionDefinition> definitions = new ArrayList<>();
            int def = verdef;
            for (int i = 0; i < verdefnum; i++) {
                assertThat(b.getShort(def)).as("vd_version").isEqualTo((short) 1);
                assertThat(b.getShort(def + 6)).as("vd_cnt").isEqualTo((short) 1);
                int aux = def + b.getInt(def + 12);
                definitions.add(new VersionDefinition(b.getShort(def + 2), b.getShort(def + 4), b.getInt(def + 8),
                        cString(elf, strtab + b.getInt(aux))));
                int next = b.getInt(def + 16);
                assertThat(next == 0).as("vd_next is 0 only on the last definition").isEqualTo(i == verdefnum - 1);
                def += next;
            }
            List<Integer> versions = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < nchain; i++) {
                versions.add((int) b.getShort(versym + 2 * i));
                names.add(cString(elf, strtab + b.getInt(symtab + 24 * i)));
            }
            return new Elf(cString(elf, strtab + (int) soname), definitions, versions, names);
        }
    }

    private static String cString(byte[] bytes, int offset) {
        int end = offset;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.US_ASCII);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
