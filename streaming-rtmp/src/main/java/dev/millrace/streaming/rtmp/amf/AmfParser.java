package dev.millrace.streaming.rtmp.amf;

import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one read call of {@link Amf0Reader} or {@link Amf3Reader}: the limit counters and the reference
 * tables. One instance per call, confined to the calling thread, then dropped.
 *
 * <p>Bounds, all checked before anything is allocated for what they bound:
 * <ul>
 *   <li>depth: an object, array or vector opened inside {@code maxDepth} others is refused;</li>
 *   <li>elements: every value read counts one, across the whole call; a declared count is refused when it exceeds
 *       the elements left or the bytes left (every element takes at least one byte);</li>
 *   <li>string bytes: a declared string, XML or byte-array length above {@code maxStringBytes} or above the readable
 *       bytes is refused before a byte of it is read;</li>
 *   <li>references: a reference yields the value it names, so what it costs is what that value cost (its elements,
 *       depth and string bytes). The string and byte-array bytes of everything a call returns, references expanded,
 *       stay within twice its input size (at least {@code maxStringBytes}). So no input inflates into a graph that
 *       a walk or a re-encoding would find larger than the limits; and a reference to a value still being read
 *       (a cycle) is refused.</li>
 * </ul>
 * The recursion is bounded by the depth limit, which is at most {@link #MAX_DEPTH_CEILING}.
 */
final class AmfParser {

    /**
     * Largest accepted depth limit. The descent is recursive and takes up to about 0.8 KiB of stack per level
     * (measured on HotSpot 17, interpreted and compiled), so 256 levels need about 320 KiB with the JVM's guard
     * zones: a third of the 1 MiB default thread stack, which event loop threads use.
     */
    static final int MAX_DEPTH_CEILING = 256;

    // AMF0 2.1 type markers.
    private static final int AMF0_NUMBER = 0x00;
    private static final int AMF0_BOOLEAN = 0x01;
    private static final int AMF0_STRING = 0x02;
    private static final int AMF0_OBJECT = 0x03;
    private static final int AMF0_MOVIECLIP = 0x04;
    private static final int AMF0_NULL = 0x05;
    private static final int AMF0_UNDEFINED = 0x06;
    private static final int AMF0_REFERENCE = 0x07;
    private static final int AMF0_ECMA_ARRAY = 0x08;
    private static final int AMF0_OBJECT_END = 0x09;
    private static final int AMF0_STRICT_ARRAY = 0x0A;
    private static final int AMF0_DATE = 0x0B;
    private static final int AMF0_LONG_STRING = 0x0C;
    private static final int AMF0_UNSUPPORTED = 0x0D;
    private static final int AMF0_RECORDSET = 0x0E;
    private static final int AMF0_XML_DOCUMENT = 0x0F;
    private static final int AMF0_TYPED_OBJECT = 0x10;
    private static final int AMF0_AVMPLUS = 0x11;

    // AMF3 3.1 type markers.
    private static final int AMF3_UNDEFINED = 0x00;
    private static final int AMF3_NULL = 0x01;
    private static final int AMF3_FALSE = 0x02;
    private static final int AMF3_TRUE = 0x03;
    private static final int AMF3_INTEGER = 0x04;
    private static final int AMF3_DOUBLE = 0x05;
    private static final int AMF3_STRING = 0x06;
    private static final int AMF3_XML_DOC = 0x07;
    private static final int AMF3_DATE = 0x08;
    private static final int AMF3_ARRAY = 0x09;
    private static final int AMF3_OBJECT = 0x0A;
    private static final int AMF3_XML = 0x0B;
    private static final int AMF3_BYTE_ARRAY = 0x0C;
    private static final int AMF3_VECTOR_INT = 0x0D;
    private static final int AMF3_VECTOR_UINT = 0x0E;
    private static final int AMF3_VECTOR_DOUBLE = 0x0F;
    private static final int AMF3_VECTOR_OBJECT = 0x10;
    private static final int AMF3_DICTIONARY = 0x11;

    private final int maxDepth;
    private final int maxStringBytes;
    private final int maxElements;
    private final long maxExpandedBytes;

    /** Values read so far in this call, references counted at the size of what they name. */
    private int elements;
    /** String, XML and byte-array bytes returned so far, references counted at the size of what they name. */
    private long expandedBytes;
    /** The deepest container level reached inside the container being read (for its {@link Entry#height}). */
    private int deepest;

    /** AMF0 2.9: objects, typed objects, ECMA and strict arrays in the order they started; created on first use. */
    private List<Entry> amf0Objects;

    // AMF3 reference tables (AMF3 2.1), emptied for each AMF3 value: E2 "Important AMF3-encoded Historical
    // Specification Clarification" makes every AMF3 value behind an AMF0 0x11 marker self-contained.
    private List<String> amf3Strings;
    private int[] amf3StringBytes;
    private List<Entry> amf3Objects;
    private List<Traits> amf3Traits;

    AmfParser(int maxDepth, int maxStringBytes, int maxElements, int inputBytes) {
        this.maxDepth = maxDepth;
        this.maxStringBytes = maxStringBytes;
        this.maxElements = maxElements;
        this.maxExpandedBytes = Math.max(2L * inputBytes, maxStringBytes);
    }

    /** Validates reader limits; the message names the offending argument. */
    static void checkLimits(int maxDepth, int maxStringBytes, int maxElements) {
        if (maxDepth < 1 || maxDepth > MAX_DEPTH_CEILING) {
            throw new IllegalArgumentException("maxDepth must be 1.." + MAX_DEPTH_CEILING + ": " + maxDepth);
        }
        if (maxStringBytes < 1) {
            throw new IllegalArgumentException("maxStringBytes must be positive: " + maxStringBytes);
        }
        if (maxElements < 1) {
            throw new IllegalArgumentException("maxElements must be positive: " + maxElements);
        }
    }

    // ---------------------------------------------------------------------------------------------------- AMF0

    /**
     * Reads one AMF0 value.
     *
     * @param enclosing how many containers enclose the value (0 at the top level)
     */
    Object readAmf0(ByteBuf in, int enclosing) {
        need(in, 1, "AMF0 type marker");
        int marker = in.readUnsignedByte();
        if (marker == AMF0_AVMPLUS) {
            // AMF0 avmplus-object-marker: exactly the next value is AMF3; E2: the switch is not sticky and brings fresh tables.
            resetAmf3Tables();
            return readAmf3(in, enclosing);
        }
        countElement();
        switch (marker) {
            case AMF0_NUMBER:
                need(in, 8, "AMF0 number");
                return in.readDouble();
            case AMF0_BOOLEAN:
                need(in, 1, "AMF0 boolean");
                return in.readUnsignedByte() != 0; // AMF0 2.3: any non-zero byte is true
            case AMF0_STRING:
                need(in, 2, "AMF0 string length");
                return readUtf8(in, in.readUnsignedShort(), "AMF0 string");
            case AMF0_OBJECT: {
                int level = enclosing + 1;
                Entry entry = open(amf0Table(), level);
                AmfObject object = readProperties(in, level, new AmfObject());
                return close(entry, object, level);
            }
            case AMF0_MOVIECLIP:
                throw bad("AMF0 movieclip marker 0x04 is reserved and not supported (AMF0 2.6)");
            case AMF0_NULL:
                return null;
            case AMF0_UNDEFINED:
                return AmfUndefined.INSTANCE;
            case AMF0_REFERENCE: {
                need(in, 2, "AMF0 reference index");
                int index = in.readUnsignedShort();
                List<Entry> table = amf0Table();
                if (index >= table.size()) {
                    throw bad("AMF0 reference " + index + " but only " + table.size() + " objects read");
                }
                return dereference(table.get(index), enclosing + 1, "AMF0 reference " + index);
            }
            case AMF0_ECMA_ARRAY: {
                need(in, 4, "AMF0 ECMA array count");
                in.skipBytes(4); // advisory only: the array ends at its end marker
                int level = enclosing + 1;
                Entry entry = open(amf0Table(), level);
                AmfEcmaArray array = readProperties(in, level, new AmfEcmaArray());
                return close(entry, array, level);
            }
            case AMF0_OBJECT_END:
                throw bad("AMF0 object end marker 0x09 outside an object");
            case AMF0_STRICT_ARRAY: {
                need(in, 4, "AMF0 strict array count");
                long count = in.readUnsignedInt();
                int level = enclosing + 1;
                Entry entry = open(amf0Table(), level);
                checkCount(in, count, 1, "AMF0 strict array");
                List<Object> list = new ArrayList<>();
                for (long i = 0; i < count; i++) {
                    list.add(readAmf0(in, level));
                }
                return close(entry, list, level);
            }
            case AMF0_DATE: {
                need(in, 10, "AMF0 date");
                double epochMillis = in.readDouble();
                return new AmfDate(epochMillis, in.readShort());
            }
            case AMF0_LONG_STRING:
                need(in, 4, "AMF0 long string length");
                return readUtf8(in, in.readUnsignedInt(), "AMF0 long string");
            case AMF0_UNSUPPORTED:
                return AmfUnsupported.INSTANCE;
            case AMF0_RECORDSET:
                throw bad("AMF0 recordset marker 0x0E is reserved and not supported (AMF0 2.16)");
            case AMF0_XML_DOCUMENT:
                need(in, 4, "AMF0 XML document length");
                return new AmfXml(readUtf8(in, in.readUnsignedInt(), "AMF0 XML document"));
            case AMF0_TYPED_OBJECT: {
                int level = enclosing + 1;
                Entry entry = open(amf0Table(), level);
                need(in, 2, "AMF0 typed object class name length");
                String className = readUtf8(in, in.readUnsignedShort(), "AMF0 typed object class name");
                AmfObject properties = readProperties(in, level, new AmfObject());
                return close(entry, new AmfTypedObject(className, properties), level);
            }
            default:
                throw bad("unknown AMF0 type marker 0x" + Integer.toHexString(marker));
        }
    }

    /**
     * Reads AMF0 properties (UTF-8 name, value) into {@code target} up to the object end marker {@code 00 00 09}
     * (AMF0 2.5). Lenient where encoders are sloppy: when the buffer ends where the end marker should be, or ends
     * inside it ({@code 00} or {@code 00 00} then nothing), the object ends there. A property with an empty name
     * followed by anything but 0x09 is kept under the key {@code ""}.
     *
     * @param level the level of the object being read; its values are read with {@code level} enclosing containers
     */
    private <T extends AmfObject> T readProperties(ByteBuf in, int level, T target) {
        for (;;) {
            int readable = in.readableBytes();
            if (readable == 0 || readable == 1 && in.getByte(in.readerIndex()) == 0) {
                in.skipBytes(readable);
                return target;
            }
            need(in, 2, "AMF0 property name length");
            int nameLength = in.readUnsignedShort();
            if (nameLength == 0) {
                if (!in.isReadable()) {
                    return target;
                }
                if (in.getUnsignedByte(in.readerIndex()) == AMF0_OBJECT_END) {
                    in.skipBytes(1);
                    return target;
                }
            }
            String name = readUtf8(in, nameLength, "AMF0 property name");
            target.put(name, readAmf0(in, level));
        }
    }

    private List<Entry> amf0Table() {
        if (amf0Objects == null) {
            amf0Objects = new ArrayList<>();
        }
        return amf0Objects;
    }

    // ---------------------------------------------------------------------------------------------------- AMF3

    /** Empties the AMF3 reference tables: the next AMF3 value starts a new context. */
    void resetAmf3Tables() {
        amf3Strings = new ArrayList<>();
        amf3StringBytes = new int[8];
        amf3Objects = new ArrayList<>();
        amf3Traits = new ArrayList<>();
    }

    /**
     * Reads one AMF3 value with the current tables ({@link #resetAmf3Tables()} first for a new context).
     *
     * @param enclosing how many containers enclose the value (0 at the top level)
     */
    Object readAmf3(ByteBuf in, int enclosing) {
        need(in, 1, "AMF3 type marker");
        int marker = in.readUnsignedByte();
        countElement();
        switch (marker) {
            case AMF3_UNDEFINED:
                return AmfUndefined.INSTANCE;
            case AMF3_NULL:
                return null;
            case AMF3_FALSE:
                return Boolean.FALSE;
            case AMF3_TRUE:
                return Boolean.TRUE;
            case AMF3_INTEGER:
                // AMF3 3.6: a U29 holding a 29-bit two's complement integer; shift to sign-extend bit 28.
                return (double) ((readU29(in) << 3) >> 3);
            case AMF3_DOUBLE:
                need(in, 8, "AMF3 double");
                return in.readDouble();
            case AMF3_STRING:
                return readAmf3String(in, "AMF3 string");
            case AMF3_XML_DOC:
            case AMF3_XML:
                return readAmf3Xml(in, enclosing);
            case AMF3_DATE:
                return readAmf3Date(in, enclosing);
            case AMF3_ARRAY:
                return readAmf3Array(in, enclosing);
            case AMF3_OBJECT:
                return readAmf3Object(in, enclosing);
            case AMF3_BYTE_ARRAY:
                return readAmf3ByteArray(in, enclosing);
            case AMF3_VECTOR_INT:
            case AMF3_VECTOR_UINT:
            case AMF3_VECTOR_DOUBLE:
            case AMF3_VECTOR_OBJECT:
                return readAmf3Vector(in, enclosing, marker);
            case AMF3_DICTIONARY:
                throw bad("AMF3 dictionary (marker 0x11) is not supported: its keys may be any value");
            default:
                throw bad("unknown AMF3 type marker 0x" + Integer.toHexString(marker));
        }
    }

    /** AMF3 1.3.1: 1 to 4 bytes, 7 value bits in each of the first three (high bit: more follow), 8 in the 4th. */
    private static int readU29(ByteBuf in) {
        int value = 0;
        for (int i = 0; i < 3; i++) {
            need(in, 1, "AMF3 U29");
            int b = in.readUnsignedByte();
            if ((b & 0x80) == 0) {
                return (value << 7) | b;
            }
            value = (value << 7) | (b & 0x7F);
        }
        need(in, 1, "AMF3 U29");
        return (value << 8) | in.readUnsignedByte();
    }

    /** AMF3 1.3.2 / 3.8 UTF-8-vr: a U29S reference (low bit 0) or length (low bit 1) then bytes. */
    private String readAmf3String(ByteBuf in, String what) {
        int header = readU29(in);
        int value = header >>> 1;
        if ((header & 1) == 0) {
            if (value >= amf3Strings.size()) {
                throw bad(what + " reference " + value + " but only " + amf3Strings.size() + " strings read");
            }
            chargeBytes(amf3StringBytes[value]);
            return amf3Strings.get(value);
        }
        String s = readUtf8(in, value, what);
        if (value > 0) { // AMF3 1.3.2: the empty string is never sent by reference
            int index = amf3Strings.size();
            if (index == amf3StringBytes.length) {
                amf3StringBytes = Arrays.copyOf(amf3StringBytes, index * 2);
            }
            amf3StringBytes[index] = value;
            amf3Strings.add(s);
        }
        return s;
    }

    /** AMF3 3.9 XMLDocument and 3.13 XML: U29O-ref or U29X-value (length) then UTF-8. */
    private Object readAmf3Xml(ByteBuf in, int enclosing) {
        int header = readU29(in);
        if ((header & 1) == 0) {
            return amf3Reference(header >>> 1, enclosing);
        }
        int length = header >>> 1;
        AmfXml xml = new AmfXml(readUtf8(in, length, "AMF3 XML"));
        amf3Objects.add(Entry.leaf(xml, length));
        return xml;
    }

    /** AMF3 3.10: U29O-ref or U29D-value (low bit 1, other bits unused) then the DOUBLE milliseconds. */
    private Object readAmf3Date(ByteBuf in, int enclosing) {
        int header = readU29(in);
        if ((header & 1) == 0) {
            return amf3Reference(header >>> 1, enclosing);
        }
        need(in, 8, "AMF3 date");
        AmfDate date = new AmfDate(in.readDouble(), 0);
        amf3Objects.add(Entry.leaf(date, 0));
        return date;
    }

    /** AMF3 3.14: U29O-ref or U29B-value (length) then the bytes. */
    private Object readAmf3ByteArray(ByteBuf in, int enclosing) {
        int header = readU29(in);
        if ((header & 1) == 0) {
            return amf3Reference(header >>> 1, enclosing);
        }
        int length = header >>> 1;
        checkStringLength(in, length, "AMF3 byte array");
        chargeBytes(length);
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        amf3Objects.add(Entry.leaf(bytes, length));
        return bytes;
    }

    /**
     * AMF3 3.11: U29O-ref or U29A-value (dense count), then associative (name, value) pairs up to the empty name,
     * then the dense values. Dense only: a {@code List}; with an associative part: an {@link AmfEcmaArray} holding
     * the associative members, then the dense values under "0", "1", ... (a dense value replaces an associative
     * member of the same name).
     */
    private Object readAmf3Array(ByteBuf in, int enclosing) {
        int header = readU29(in);
        if ((header & 1) == 0) {
            return amf3Reference(header >>> 1, enclosing);
        }
        int denseCount = header >>> 1;
        int level = enclosing + 1;
        Entry entry = open(amf3Objects, level);
        checkCount(in, denseCount, 1, "AMF3 array");
        AmfEcmaArray associative = null;
        for (;;) {
            String name = readAmf3String(in, "AMF3 array member name");
            if (name.isEmpty()) {
                break;
            }
            if (associative == null) {
                associative = new AmfEcmaArray();
            }
            associative.put(name, readAmf3(in, level));
        }
        if (associative == null) {
            List<Object> dense = new ArrayList<>();
            for (int i = 0; i < denseCount; i++) {
                dense.add(readAmf3(in, level));
            }
            return close(entry, dense, level);
        }
        for (int i = 0; i < denseCount; i++) {
            associative.put(Integer.toString(i), readAmf3(in, level));
        }
        return close(entry, associative, level);
    }

    /**
     * AMF3 3.12: U29O-ref, or traits (inline, by reference, or externalizable) then the sealed values in trait order
     * then, for dynamic traits, (name, value) pairs up to the empty name.
     */
    private Object readAmf3Object(ByteBuf in, int enclosing) {
        int header = readU29(in);
        if ((header & 1) == 0) {
            return amf3Reference(header >>> 1, enclosing);
        }
        // Registered before its traits are read (they hold no objects, so the table order is the same), so that
        // the names the traits contribute count towards what a reference to this object costs.
        int level = enclosing + 1;
        Entry entry = open(amf3Objects, level);
        Traits traits;
        if ((header & 2) == 0) { // U29O-traits-ref: xx01
            int index = header >>> 2;
            if (index >= amf3Traits.size()) {
                throw bad("AMF3 traits reference " + index + " but only " + amf3Traits.size() + " traits read");
            }
            traits = amf3Traits.get(index);
            chargeBytes(traits.nameBytes()); // the names become keys of this object again
        } else if ((header & 4) != 0) { // U29O-traits-ext: x111
            throw bad("AMF3 externalizable object: its encoding is defined by its class and cannot be read");
        } else { // U29O-traits: dynamic flag in bit 3, sealed member count above it
            boolean dynamic = (header & 8) != 0;
            int sealedCount = header >>> 4;
            long bytesBefore = expandedBytes;
            String className = readAmf3String(in, "AMF3 class name");
            checkCount(in, sealedCount, 1, "AMF3 sealed member names");
            List<String> sealedNames = new ArrayList<>();
            for (int i = 0; i < sealedCount; i++) {
                sealedNames.add(readAmf3String(in, "AMF3 sealed member name"));
            }
            traits = new Traits(className, dynamic, sealedNames, expandedBytes - bytesBefore);
            amf3Traits.add(traits);
        }
        AmfObject properties = new AmfObject();
        List<String> sealedNames = traits.sealedNames();
        for (int i = 0, n = sealedNames.size(); i < n; i++) {
            properties.put(sealedNames.get(i), readAmf3(in, level));
        }
        if (traits.dynamic()) {
            for (;;) {
                String name = readAmf3String(in, "AMF3 dynamic member name");
                if (name.isEmpty()) {
                    break;
                }
                properties.put(name, readAmf3(in, level));
            }
        }
        Object value = traits.className().isEmpty() ? properties : new AmfTypedObject(traits.className(), properties);
        return close(entry, value, level);
    }

    /**
     * AMF3 3.15: U29O-ref or U29V-value (count), the fixed-vector byte, for object vectors the element type name,
     * then the elements (S32, U32 or DOUBLE, or AMF3 values). Decoded as a {@code List} of Double or values.
     */
    private Object readAmf3Vector(ByteBuf in, int enclosing, int marker) {
        int header = readU29(in);
        if ((header & 1) == 0) {
            return amf3Reference(header >>> 1, enclosing);
        }
        int count = header >>> 1;
        need(in, 1, "AMF3 vector fixed flag");
        in.skipBytes(1);
        int level = enclosing + 1;
        Entry entry = open(amf3Objects, level);
        List<Object> list = new ArrayList<>();
        switch (marker) {
            case AMF3_VECTOR_INT:
                checkCount(in, count, 4, "AMF3 int vector");
                for (int i = 0; i < count; i++) {
                    countElement();
                    list.add((double) in.readInt());
                }
                break;
            case AMF3_VECTOR_UINT:
                checkCount(in, count, 4, "AMF3 uint vector");
                for (int i = 0; i < count; i++) {
                    countElement();
                    list.add((double) in.readUnsignedInt());
                }
                break;
            case AMF3_VECTOR_DOUBLE:
                checkCount(in, count, 8, "AMF3 double vector");
                for (int i = 0; i < count; i++) {
                    countElement();
                    list.add(in.readDouble());
                }
                break;
            default:
                readAmf3String(in, "AMF3 vector element type name");
                checkCount(in, count, 1, "AMF3 object vector");
                for (int i = 0; i < count; i++) {
                    list.add(readAmf3(in, level));
                }
                break;
        }
        return close(entry, list, level);
    }

    private Object amf3Reference(int index, int enclosing) {
        if (index >= amf3Objects.size()) {
            throw bad("AMF3 object reference " + index + " but only " + amf3Objects.size() + " objects read");
        }
        return dereference(amf3Objects.get(index), enclosing + 1, "AMF3 object reference " + index);
    }

    // ------------------------------------------------------------------------------------------------- shared

    /** Starts a container at {@code level} (1 = top level) and registers it in {@code table}. */
    private Entry open(List<Entry> table, int level) {
        if (level > maxDepth) {
            throw bad("AMF nesting deeper than maxAmfDepth " + maxDepth);
        }
        Entry entry = new Entry(elements - 1, expandedBytes, deepest);
        deepest = level;
        table.add(entry);
        return entry;
    }

    /** Completes a container opened with {@link #open}: records what it cost, for references to it. */
    private Object close(Entry entry, Object value, int level) {
        entry.value = value;
        entry.complete = true;
        entry.elements = elements - entry.elementsBefore;
        entry.bytes = expandedBytes - entry.bytesBefore;
        entry.height = deepest - level + 1;
        deepest = Math.max(entry.deepestBefore, deepest);
        return value;
    }

    /**
     * Returns the value {@code entry} holds, charged as if it were read again here: its elements (the reference
     * itself was already counted), bytes and depth.
     *
     * @param level the level a container would have at this position
     */
    private Object dereference(Entry entry, int level, String what) {
        if (!entry.complete) {
            throw bad(what + " names an object still being read (a cycle)");
        }
        if (entry.elements - 1 > maxElements - elements) {
            throw bad(what + " expands past maxAmfElements " + maxElements);
        }
        elements += entry.elements - 1;
        chargeBytes(entry.bytes);
        if (entry.height > 0) {
            int bottom = level + entry.height - 1;
            if (bottom > maxDepth) {
                throw bad(what + " nests deeper than maxAmfDepth " + maxDepth);
            }
            deepest = Math.max(deepest, bottom);
        }
        return entry.value;
    }

    private void countElement() {
        if (++elements > maxElements) {
            throw bad("more than maxAmfElements " + maxElements + " values");
        }
    }

    /**
     * Refuses a declared element count larger than the elements left or than the readable bytes allow, at
     * {@code minBytesEach} bytes per element. Nothing is ever sized from the count itself.
     */
    private void checkCount(ByteBuf in, long count, int minBytesEach, String what) {
        if (count > maxElements - elements) {
            throw bad(what + " declares " + count + " elements, more than maxAmfElements " + maxElements + " allows");
        }
        if (count * minBytesEach > in.readableBytes()) {
            throw bad("truncated " + what + ": declares " + count + " elements, " + in.readableBytes()
                    + " bytes left");
        }
    }

    private void checkStringLength(ByteBuf in, long length, String what) {
        if (length > maxStringBytes) {
            throw bad(what + " declares " + length + " bytes, more than maxAmfStringBytes " + maxStringBytes);
        }
        if (length > in.readableBytes()) {
            throw bad("truncated " + what + ": declares " + length + " bytes, " + in.readableBytes() + " present");
        }
    }

    /** Reads {@code length} bytes of UTF-8 after checking the length; malformed sequences become U+FFFD. */
    private String readUtf8(ByteBuf in, long length, String what) {
        checkStringLength(in, length, what);
        chargeBytes(length);
        int n = (int) length;
        if (n == 0) {
            return "";
        }
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    private void chargeBytes(long n) {
        expandedBytes += n;
        if (expandedBytes > maxExpandedBytes) {
            throw bad("references expand the value past " + maxExpandedBytes + " string bytes");
        }
    }

    private static void need(ByteBuf in, int n, String what) {
        if (in.readableBytes() < n) {
            throw bad("truncated " + what + ": needs " + n + " bytes, " + in.readableBytes() + " left");
        }
    }

    static RtmpProtocolException bad(String detail) {
        return new RtmpProtocolException(Reason.BAD_AMF, detail);
    }

    /**
     * AMF3 3.12 traits: class name, dynamic flag and sealed member names; {@code nameBytes} is what the names cost,
     * charged again at every use by reference.
     */
    private record Traits(String className, boolean dynamic, List<String> sealedNames, long nameBytes) {
    }

    /** A reference-table slot: the value once complete, and what reading it cost. */
    private static final class Entry {
        final int elementsBefore;
        final long bytesBefore;
        final int deepestBefore;
        Object value;
        boolean complete;
        /** Values in the subtree, this one included. */
        int elements;
        long bytes;
        /** Container levels the value spans: 1 for a flat container, 0 for a leaf (date, XML, byte array). */
        int height;

        Entry(int elementsBefore, long bytesBefore, int deepestBefore) {
            this.elementsBefore = elementsBefore;
            this.bytesBefore = bytesBefore;
            this.deepestBefore = deepestBefore;
        }

        static Entry leaf(Object value, long bytes) {
            Entry entry = new Entry(0, 0, 0);
            entry.value = value;
            entry.complete = true;
            entry.elements = 1;
            entry.bytes = bytes;
            entry.height = 0;
            return entry;
        }
    }
}
