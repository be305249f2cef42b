package dev.millrace.streaming.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds, byte by byte, an ELF64 x86-64 shared object that has a soname and symbol version definitions and
 * nothing else: no code, no data, no functions. The glibc dynamic loader accepts such a file as the dependency
 * of a library whose references to it are all bound lazily (R_X86_64_JUMP_SLOT through the PLT): loading only
 * needs the file, its DT_SONAME and the version names the dependent library's DT_VERNEED asks for; a symbol is
 * looked up only when it is first called, which never happens for the devices we do not use.
 *
 * <p>Specifications, cited by section name in the comments below:
 * <ul>
 *   <li>gABI: System V Application Binary Interface, generic part (edition 4.1 and the 2013 draft), chapter
 *       "Object Files" (ELF Header, Sections, Symbol Table, String Table) and chapter "Program Loading and Dynamic
 *       Linking" (Program Header, Dynamic Section, Hash Table);</li>
 *   <li>psABI: System V ABI AMD64 Architecture Processor Supplement (EM_X86_64, 4 KiB pages, the x86 program
 *       properties);</li>
 *   <li>LSB: Linux Standard Base Core, Generic part, "Symbol Versioning" (Symbol Version Table, Version
 *       Definitions);</li>
 *   <li>Linux gABI: Linux Extensions to gABI (PT_GNU_STACK, PT_GNU_PROPERTY, NT_GNU_PROPERTY_TYPE_0).</li>
 * </ul>
 *
 * <p>File layout (one read-write PT_LOAD maps bytes 0 to the end of .dynamic at virtual address 0; the section
 * names exist only so that readelf, objdump and ldd can inspect the file, the loader never reads them):
 * <pre>
 *   ELF header | program headers (5) | .note.gnu.property | .hash | .dynsym | .dynstr | .gnu.version
 *   | .gnu.version_d | .dynamic || .shstrtab | section headers (9)
 * </pre>
 *
 * <p>The dynamic symbol table holds the null symbol and, as GNU ld emits them, one absolute symbol per non-base
 * version named after it ({@code PULSE_0}) whose .gnu.version entry is that version's index.
 */
final class StubSharedObject {

    /** Longest soname or version name accepted; real ones are under 30 bytes. */
    static final int MAX_NAME_BYTES = 255;
    /** Most non-base versions accepted; libasound, the library with the most, defines 9. */
    static final int MAX_VERSIONS = 64;

    // gABI, ELF Header.
    private static final int EHDR_SIZE = 64;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int EV_CURRENT = 1;
    private static final int ELFOSABI_NONE = 0;
    private static final int ET_DYN = 3;
    /** psABI: e_machine of x86-64. */
    private static final int EM_X86_64 = 62;

    // gABI, Program Header; Linux gABI for the PT_GNU_* types.
    private static final int PHDR_SIZE = 56;
    private static final int PHNUM = 5;
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_NOTE = 4;
    private static final int PT_GNU_STACK = 0x6474e551;
    private static final int PT_GNU_PROPERTY = 0x6474e553;
    private static final int PF_W = 2;
    private static final int PF_R = 4;
    /** psABI: x86-64 page size; gABI requires a loadable segment's p_align to be a multiple of it. */
    private static final long PAGE_SIZE = 0x1000;

    // gABI, Sections.
    private static final int SHDR_SIZE = 64;
    private static final int SHNUM = 9;
    private static final int SHT_STRTAB = 3;
    private static final int SHT_HASH = 5;
    private static final int SHT_DYNAMIC = 6;
    private static final int SHT_NOTE = 7;
    private static final int SHT_DYNSYM = 11;
    /** LSB: SHT_GNU_verdef. */
    private static final int SHT_GNU_VERDEF = 0x6ffffffd;
    /** LSB: SHT_GNU_versym. */
    private static final int SHT_GNU_VERSYM = 0x6fffffff;
    private static final int SHF_WRITE = 1;
    private static final int SHF_ALLOC = 2;

    // Section indexes in the order this class writes the section header table.
    private static final int SECTION_NOTE = 1;
    private static final int SECTION_HASH = 2;
    private static final int SECTION_DYNSYM = 3;
    private static final int SECTION_DYNSTR = 4;
    private static final int SECTION_VERSYM = 5;
    private static final int SECTION_VERDEF = 6;
    private static final int SECTION_DYNAMIC = 7;
    private static final int SECTION_SHSTRTAB = 8;

    /** Section names, index by index; the null section has the empty name at offset 0 of .shstrtab. */
    private static final List<String> SECTION_NAMES = List.of("", ".note.gnu.property", ".hash", ".dynsym",
            ".dynstr", ".gnu.version", ".gnu.version_d", ".dynamic", ".shstrtab");

    // gABI, Symbol Table.
    private static final int SYM_SIZE = 24;
    private static final int STB_GLOBAL = 1;
    private static final int STT_OBJECT = 1;
    private static final int SHN_ABS = 0xfff1;

    // gABI, Dynamic Section; LSB for the version tags.
    private static final int DYN_SIZE = 16;
    private static final int DT_NULL = 0;
    private static final int DT_HASH = 4;
    private static final int DT_STRTAB = 5;
    private static final int DT_SYMTAB = 6;
    private static final int DT_STRSZ = 10;
    private static final int DT_SYMENT = 11;
    private static final int DT_SONAME = 14;
    private static final int DT_VERSYM = 0x6ffffff0;
    private static final int DT_VERDEF = 0x6ffffffc;
    private static final int DT_VERDEFNUM = 0x6ffffffd;
    /** SONAME, HASH, STRTAB, SYMTAB, STRSZ, SYMENT, VERSYM, VERDEF, VERDEFNUM, NULL. */
    private static final int DYN_COUNT = 10;

    // LSB, Version Definitions.
    private static final int VERDEF_SIZE = 20;
    private static final int VERDAUX_SIZE = 8;
    private static final int VER_DEF_CURRENT = 1;
    private static final int VER_FLG_BASE = 1;

    // Linux gABI, Program Property; psABI for the x86 feature bits.
    private static final int NT_GNU_PROPERTY_TYPE_0 = 5;
    private static final int GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002;
    private static final int GNU_PROPERTY_X86_FEATURE_1_IBT = 1;
    private static final int GNU_PROPERTY_X86_FEATURE_1_SHSTK = 2;
    /** namesz, descsz, type (12) + "GNU\0" (4) + pr_type, pr_datasz, pr_data, padding to 8 (16). */
    private static final int NOTE_SIZE = 32;

    private StubSharedObject() {
    }

    /**
     * Returns the bytes of a stub shared object.
     *
     * @param soname       the DT_SONAME and the name of the base version definition, e.g. {@code libpulse.so.0}
     * @param versionNames the version names dependents require (their DT_VERNEED entries for this soname), e.g.
     *                     {@code PULSE_0}; may be empty for a library whose symbols are not versioned
     * @throws IllegalArgumentException if a name is empty, longer than {@value #MAX_NAME_BYTES} bytes, not
     *                                  printable ASCII, repeated, or there are more than {@value #MAX_VERSIONS}
     *                                  versions
     */
    static byte[] build(String soname, List<String> versionNames) {
        checkName(soname);
        if (versionNames.size() > MAX_VERSIONS) {
            throw new IllegalArgumentException("more than " + MAX_VERSIONS + " versions: " + versionNames.size());
        }
        for (int i = 0; i < versionNames.size(); i++) {
            String name = versionNames.get(i);
            checkName(name);
            if (name.equals(soname) || versionNames.subList(0, i).contains(name)) {
                throw new IllegalArgumentException("version name repeated: " + name);
            }
        }

        int versionCount = versionNames.size();
        int symbolCount = 1 + versionCount;
        int verdefCount = 1 + versionCount;

        // .dynstr (gABI, String Table): a leading NUL, the soname, then each version name.
        byte[] sonameBytes = soname.getBytes(StandardCharsets.US_ASCII);
        int[] versionNameOffsets = new int[versionCount];
        int dynstrSize = 1 + sonameBytes.length + 1;
        for (int i = 0; i < versionCount; i++) {
            versionNameOffsets[i] = dynstrSize;
            dynstrSize += versionNames.get(i).length() + 1;
        }
        int sonameOffset = 1;

        int shstrtabSize = 0;
        int[] sectionNameOffsets = new int[SHNUM];
        for (int i = 0; i < SHNUM; i++) {
            sectionNameOffsets[i] = i == 0 ? 0 : shstrtabSize;
            shstrtabSize += i == 0 ? 1 : SECTION_NAMES.get(i).length() + 1;
        }

        int phoff = EHDR_SIZE;
        int noteOff = align(phoff + PHNUM * PHDR_SIZE, 8);
        int hashOff = align(noteOff + NOTE_SIZE, 8);
        int hashSize = 4 * (2 + 1 + symbolCount);
        int dynsymOff = align(hashOff + hashSize, 8);
        int dynsymSize = symbolCount * SYM_SIZE;
        int dynstrOff = dynsymOff + dynsymSize;
        int versymOff = align(dynstrOff + dynstrSize, 2);
        int versymSize = 2 * symbolCount;
        int verdefOff = align(versymOff + versymSize, 8);
        int verdefSize = verdefCount * (VERDEF_SIZE + VERDAUX_SIZE);
        int dynamicOff = align(verdefOff + verdefSize, 8);
        int dynamicSize = DYN_COUNT * DYN_SIZE;
        int loadEnd = dynamicOff + dynamicSize;
        int shstrtabOff = loadEnd;
        int shoff = align(shstrtabOff + shstrtabSize, 8);
        int fileSize = shoff + SHNUM * SHDR_SIZE;

        ByteBuffer b = ByteBuffer.allocate(fileSize).order(ByteOrder.LITTLE_ENDIAN);

        // gABI, ELF Header. e_ident: magic, class, data, version, OS ABI, ABI version, zero padding to 16 bytes
        // (glibc rejects non-zero padding).
        b.put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F');
        b.put(4, (byte) ELFCLASS64).put(5, (byte) ELFDATA2LSB).put(6, (byte) EV_CURRENT).put(7, (byte) ELFOSABI_NONE);
        b.putShort(16, (short) ET_DYN);
        b.putShort(18, (short) EM_X86_64);
        b.putInt(20, EV_CURRENT);
        b.putLong(24, 0);                       // e_entry: none
        b.putLong(32, phoff);                   // e_phoff
        b.putLong(40, shoff);                   // e_shoff
        b.putInt(48, 0);                        // e_flags: none defined for x86-64
        b.putShort(52, (short) EHDR_SIZE);      // e_ehsize
        b.putShort(54, (short) PHDR_SIZE);      // e_phentsize
        b.putShort(56, (short) PHNUM);          // e_phnum
        b.putShort(58, (short) SHDR_SIZE);      // e_shentsize
        b.putShort(60, (short) SHNUM);          // e_shnum
        b.putShort(62, (short) SECTION_SHSTRTAB);

        // gABI, Program Header. The one loadable segment is read-write: glibc before 2.35 adds the load address
        // to the pointers in .dynamic in place, so a read-only .dynamic would fault there. It is not executable,
        // so the file loads even from a noexec temporary directory.
        int ph = phoff;
        programHeader(b, ph, PT_LOAD, PF_R | PF_W, 0, loadEnd, PAGE_SIZE);
        programHeader(b, ph += PHDR_SIZE, PT_DYNAMIC, PF_R | PF_W, dynamicOff, dynamicSize, 8);
        programHeader(b, ph += PHDR_SIZE, PT_NOTE, PF_R, noteOff, NOTE_SIZE, 8);
        programHeader(b, ph += PHDR_SIZE, PT_GNU_PROPERTY, PF_R, noteOff, NOTE_SIZE, 8);
        // Linux gABI: without PT_GNU_STACK the loader assumes the object needs an executable stack; glibc then
        // makes every thread stack executable (and 2.41 refuses the dlopen).
        programHeader(b, ph + PHDR_SIZE, PT_GNU_STACK, PF_R | PF_W, 0, 0, 16);

        // Linux gABI, Program Property: NT_GNU_PROPERTY_TYPE_0 note with GNU_PROPERTY_X86_FEATURE_1_AND = IBT |
        // SHSTK. An object without code is trivially compatible with both, and an unmarked object would turn
        // shadow stacks off (or make dlopen fail) in a process that runs with them.
        b.putInt(noteOff, 4);                   // namesz: "GNU\0"
        b.putInt(noteOff + 4, 16);              // descsz: one property, padded to 8 bytes
        b.putInt(noteOff + 8, NT_GNU_PROPERTY_TYPE_0);
        b.put(noteOff + 12, (byte) 'G').put(noteOff + 13, (byte) 'N').put(noteOff + 14, (byte) 'U');
        b.putInt(noteOff + 16, GNU_PROPERTY_X86_FEATURE_1_AND);
        b.putInt(noteOff + 20, 4);              // pr_datasz
        b.putInt(noteOff + 24, GNU_PROPERTY_X86_FEATURE_1_IBT | GNU_PROPERTY_X86_FEATURE_1_SHSTK);

        // gABI, Hash Table: nbucket = 1, nchain = symbol count, bucket[0] heads a chain through every symbol
        // (x % 1 == 0 for every hash x), the last chain entry is STN_UNDEF.
        b.putInt(hashOff, 1);
        b.putInt(hashOff + 4, symbolCount);
        b.putInt(hashOff + 8, symbolCount > 1 ? 1 : 0);
        for (int i = 0; i < symbolCount; i++) {
            b.putInt(hashOff + 12 + 4 * i, i == 0 || i == symbolCount - 1 ? 0 : i + 1);
        }

        // gABI, Symbol Table: index 0 is the all-zero undefined symbol; then one global absolute object per version.
        for (int i = 0; i < versionCount; i++) {
            int sym = dynsymOff + (i + 1) * SYM_SIZE;
            b.putInt(sym, versionNameOffsets[i]);                        // st_name
            b.put(sym + 4, (byte) ((STB_GLOBAL << 4) | STT_OBJECT));     // st_info
            b.put(sym + 5, (byte) 0);                                    // st_other: STV_DEFAULT
            b.putShort(sym + 6, (short) SHN_ABS);                        // st_shndx
            b.putLong(sym + 8, 0);                                       // st_value
            b.putLong(sym + 16, 0);                                      // st_size
        }

        b.position(dynstrOff + sonameOffset);
        b.put(sonameBytes);
        for (int i = 0; i < versionCount; i++) {
            b.position(dynstrOff + versionNameOffsets[i]);
            b.put(versionNames.get(i).getBytes(StandardCharsets.US_ASCII));
        }

        // LSB, Symbol Version Table: 0 = local (the null symbol); version i (1-based among the non-base ones)
        // has index i + 1 because index 1 is the base definition.
        for (int i = 0; i < versionCount; i++) {
            b.putShort(versymOff + 2 * (i + 1), (short) (i + 2));
        }

        // LSB, Version Definitions: each Verdef is followed by its single Verdaux. The base definition (flag
        // VER_FLG_BASE, index 1) names the file itself; glibc matches a dependent's required version by vd_hash
        // (the gABI hash function) and then by the name string.
        for (int i = 0; i < verdefCount; i++) {
            int def = verdefOff + i * (VERDEF_SIZE + VERDAUX_SIZE);
            String name = i == 0 ? soname : versionNames.get(i - 1);
            b.putShort(def, (short) VER_DEF_CURRENT);                    // vd_version
            b.putShort(def + 2, (short) (i == 0 ? VER_FLG_BASE : 0));    // vd_flags
            b.putShort(def + 4, (short) (i + 1));                        // vd_ndx
            b.putShort(def + 6, (short) 1);                              // vd_cnt
            b.putInt(def + 8, elfHash(name));                            // vd_hash
            b.putInt(def + 12, VERDEF_SIZE);                             // vd_aux
            b.putInt(def + 16, i == verdefCount - 1 ? 0 : VERDEF_SIZE + VERDAUX_SIZE); // vd_next
            b.putInt(def + 20, i == 0 ? sonameOffset : versionNameOffsets[i - 1]);   // vda_name
            b.putInt(def + 24, 0);                                       // vda_next
        }

        // gABI, Dynamic Section. Addresses equal file offsets because the segment maps offset 0 at address 0.
        int dyn = dynamicOff;
        dyn = dynamic(b, dyn, DT_SONAME, sonameOffset);
        dyn = dynamic(b, dyn, DT_HASH, hashOff);
        dyn = dynamic(b, dyn, DT_STRTAB, dynstrOff);
        dyn = dynamic(b, dyn, DT_SYMTAB, dynsymOff);
        dyn = dynamic(b, dyn, DT_STRSZ, dynstrSize);
        dyn = dynamic(b, dyn, DT_SYMENT, SYM_SIZE);
        dyn = dynamic(b, dyn, DT_VERSYM, versymOff);
        dyn = dynamic(b, dyn, DT_VERDEF, verdefOff);
        dyn = dynamic(b, dyn, DT_VERDEFNUM, verdefCount);
        dynamic(b, dyn, DT_NULL, 0);

        for (int i = 1; i < SHNUM; i++) {
            b.position(shstrtabOff + sectionNameOffsets[i]);
            b.put(SECTION_NAMES.get(i).getBytes(StandardCharsets.US_ASCII));
        }

        // gABI, Sections: the section header table (index 0 stays all zero).
        int sh = shoff;
        sectionHeader(b, sh += SHDR_SIZE, sectionNameOffsets[SECTION_NOTE], SHT_NOTE, SHF_ALLOC, noteOff,
                NOTE_SIZE, 0, 0, 8, 0);
        sectionHeader(b, sh += SHDR_SIZE, sectionNameOffsets[SECTION_HASH], SHT_HASH, SHF_ALLOC, hashOff,
                hashSize, SECTION_DYNSYM, 0, 8, 4);
        // sh_info of a symbol table: one past the last local symbol (only the null symbol is local).
        sectionHeader(b, sh += SHDR_SIZE, sectionNameOffsets[SECTION_DYNSYM], SHT_DYNSYM, SHF_ALLOC, dynsymOff,
                dynsymSize, SECTION_DYNSTR, 1, 8, SYM_SIZE);
        sectionHeader(b, sh += SHDR_SIZE, sectionNameOffsets[SECTION_DYNSTR], SHT_STRTAB, SHF_ALLOC, dynstrOff,
                dynstrSize, 0, 0, 1, 0);
        sectionHeader(b, sh += SHDR_SIZE, sectionNameOffsets[SECTION_VERSYM], SHT_GNU_VERSYM, SHF_ALLOC, versymOff,
                versymSize, SECTION_DYNSYM, 0, 2, 2);
        // LSB: sh_info of .gnu.version_d is the number of version definitions.
        sectionHeader(b, sh += SHDR_SIZE, sectionNameOffsets[SECTION_VERDEF], SHT_GNU_VERDEF, SHF_ALLOC, verdefOff,
                verdefSize, SECTION_DYNSTR, verdefCount, 8, 0);
        sectionHeader(b, sh += SHDR_SIZE, sectionNameOffsets[SECTION_DYNAMIC], SHT_DYNAMIC, SHF_WRITE | SHF_ALLOC,
                dynamicOff, dynamicSize, SECTION_DYNSTR, 0, 8, DYN_SIZE);
        sectionHeader(b, sh + SHDR_SIZE, sectionNameOffsets[SECTION_SHSTRTAB], SHT_STRTAB, 0,
                shstrtabOff, shstrtabSize, 0, 0, 1, 0);
        return b.array();
    }

    /**
     * The gABI hash function (Hash Table), which LSB also prescribes for vd_hash: for each byte,
     * {@code h = (h << 4) + byte}; the top nibble, if set, is folded into bits 4..7 and cleared.
     */
    static int elfHash(String name) {
        int h = 0;
        for (int i = 0; i < name.length(); i++) {
            h = (h << 4) + (name.charAt(i) & 0xff);
            int g = h & 0xf000_0000;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g;
        }
        return h;
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name length must be 1.." + MAX_NAME_BYTES + ": \"" + name + '"');
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("name must be printable ASCII without spaces: \"" + name + '"');
            }
        }
    }

    private static int align(int offset, int alignment) {
        return (offset + alignment - 1) & -alignment;
    }

    /** Writes one Elf64_Phdr; file offset and virtual address are equal, file and memory sizes too. */
    private static void programHeader(ByteBuffer b, int at, int type, int flags, long offset, long size, long align) {
        b.putInt(at, type);                     // p_type
        b.putInt(at + 4, flags);                // p_flags
        b.putLong(at + 8, offset);              // p_offset
        b.putLong(at + 16, offset);             // p_vaddr
        b.putLong(at + 24, offset);             // p_paddr
        b.putLong(at + 32, size);               // p_filesz
        b.putLong(at + 40, size);               // p_memsz
        b.putLong(at + 48, align);              // p_align
    }

    /** Writes one Elf64_Dyn and returns the offset of the next. */
    private static int dynamic(ByteBuffer b, int at, int tag, long value) {
        b.putLong(at, tag & 0xffff_ffffL);      // d_tag
        b.putLong(at + 8, value);               // d_val or d_ptr
        return at + DYN_SIZE;
    }

    /** Writes one Elf64_Shdr; allocated sections have sh_addr equal to sh_offset. */
    private static void sectionHeader(ByteBuffer b, int at, int name, int type, long flags, long offset, long size,
            int link, int info, long addralign, long entsize) {
        b.putInt(at, name);                     // sh_name
        b.putInt(at + 4, type);                 // sh_type
        b.putLong(at + 8, flags);               // sh_flags
        b.putLong(at + 16, (flags & SHF_ALLOC) != 0 ? offset : 0); // sh_addr
        b.putLong(at + 24, offset);             // sh_offset
        b.putLong(at + 32, size);               // sh_size
        b.putInt(at + 40, link);                // sh_link
        b.putInt(at + 44, info);                // sh_info
        b.putLong(at + 48, addralign);          // sh_addralign
        b.putLong(at + 56, entsize);            // sh_entsize
    }
}
