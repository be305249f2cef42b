package dev.millrace.streaming.rtmp.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.Map;

/**
 * Encodes Java values as AMF0 (Adobe AMF0 specification). Never writes references, AMF3 or the reserved types.
 *
 * <table>
 *   <caption>Java type to AMF0 type</caption>
 *   <tr><th>Java</th><th>AMF0</th></tr>
 *   <tr><td>any {@link Number}</td><td>number 0x00 (its {@code doubleValue()})</td></tr>
 *   <tr><td>{@link Boolean}</td><td>boolean 0x01</td></tr>
 *   <tr><td>{@link String}</td><td>string 0x02, or long string 0x0C above 65535 UTF-8 bytes</td></tr>
 *   <tr><td>null</td><td>null 0x05</td></tr>
 *   <tr><td>{@link AmfUndefined}</td><td>undefined 0x06</td></tr>
 *   <tr><td>{@link AmfEcmaArray}</td><td>ECMA array 0x08 with its exact size as count</td></tr>
 *   <tr><td>{@link AmfObject} or any other {@link Map} with String keys</td><td>object 0x03</td></tr>
 *   <tr><td>{@link List}</td><td>strict array 0x0A</td></tr>
 *   <tr><td>{@link AmfDate}</td><td>date 0x0B</td></tr>
 *   <tr><td>{@link AmfUnsupported}</td><td>unsupported 0x0D</td></tr>
 *   <tr><td>{@link AmfXml}</td><td>XML document 0x0F</td></tr>
 *   <tr><td>{@link AmfTypedObject}</td><td>typed object 0x10</td></tr>
 * </table>
 *
 * Strings are written as UTF-8 (an unpaired surrogate becomes {@code ?}).
 */
public final class Amf0Writer {

    private Amf0Writer() {
    }

    /**
     * Appends the AMF0 encoding of {@code value} to {@code out}.
     *
     * @param out borrowed: written to, not retained or released
     * @throws IllegalArgumentException if the value, or anything inside it, has no AMF0 encoding: another type, a
     *     map key that is not a String, a map key or class name longer than 65535 UTF-8 bytes, or nesting deeper
     *     than {@value Amf0Reader#MAX_DEPTH_CEILING} (a cycle); {@code out} is then left as it was
     */
    public static void write(ByteBuf out, Object value) {
        int writerIndex = out.writerIndex();
        try {
            writeValue(out, value, 0);
        } catch (IllegalArgumentException e) {
            out.writerIndex(writerIndex);
            throw e;
        }
    }

    private static void writeValue(ByteBuf out, Object value, int depth) {
        if (value == null) {
            out.writeByte(0x05); // AMF0 2.7
        } else if (value instanceof String s) {
            writeString(out, s);
        } else if (value instanceof Number n) {
            out.writeByte(0x00); // AMF0 2.2
            out.writeDouble(n.doubleValue());
        } else if (value instanceof Boolean b) {
            out.writeByte(0x01); // AMF0 2.3
            out.writeByte(b ? 1 : 0);
        } else if (value instanceof AmfEcmaArray array) {
            enter(depth);
            out.writeByte(0x08); // AMF0 2.10: U32 count, properties, end marker
            out.writeInt(array.size());
            writeProperties(out, array, depth + 1);
        } else if (value instanceof Map<?, ?> map) {
            enter(depth);
            out.writeByte(0x03); // AMF0 2.5
            writeProperties(out, map, depth + 1);
        } else if (value instanceof List<?> list) {
            enter(depth);
            out.writeByte(0x0A); // AMF0 2.12: U32 count, values
            out.writeInt(list.size());
            for (Object element : list) {
                writeValue(out, element, depth + 1);
            }
        } else if (value instanceof AmfDate date) {
            out.writeByte(0x0B); // AMF0 2.13: DOUBLE milliseconds, S16 time zone
            out.writeDouble(date.epochMillis());
            out.writeShort(date.timeZone());
        } else if (value instanceof AmfTypedObject typed) {
            enter(depth);
            out.writeByte(0x10); // AMF0 2.18: class name, properties, end marker
            writeShortUtf8(out, typed.className(), "class name");
            writeProperties(out, typed.properties(), depth + 1);
        } else if (value instanceof AmfXml xml) {
            out.writeByte(0x0F); // AMF0 2.17: U32 length, UTF-8
            out.writeInt(ByteBufUtil.utf8Bytes(xml.text()));
            ByteBufUtil.writeUtf8(out, xml.text());
        } else if (value == AmfUndefined.INSTANCE) {
            out.writeByte(0x06); // AMF0 2.8
        } else if (value == AmfUnsupported.INSTANCE) {
            out.writeByte(0x0D); // AMF0 2.15
        } else {
            throw new IllegalArgumentException("no AMF0 encoding for " + value.getClass().getName());
        }
    }

    /** AMF0 2.4 string (U16 length) or 2.14 long string (U32 length) when the UTF-8 form exceeds 65535 bytes. */
    private static void writeString(ByteBuf out, String s) {
        int length = ByteBufUtil.utf8Bytes(s);
        if (length <= 0xFFFF) {
            out.writeByte(0x02);
            out.writeShort(length);
        } else {
            out.writeByte(0x0C);
            out.writeInt(length);
        }
        ByteBufUtil.writeUtf8(out, s);
    }

    /** (UTF-8 name, value)* then the object end marker 00 00 09 (AMF0 2.5, 2.11). */
    private static void writeProperties(ByteBuf out, Map<?, ?> map, int depth) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("AMF0 property names are strings, not " + e.getKey());
            }
            writeShortUtf8(out, key, "property name");
            writeValue(out, e.getValue(), depth);
        }
        out.writeMedium(0x000009);
    }

    private static void writeShortUtf8(ByteBuf out, String s, String what) {
        int length = ByteBufUtil.utf8Bytes(s);
        if (length > 0xFFFF) {
            throw new IllegalArgumentException(what + " longer than 65535 UTF-8 bytes: " + length);
        }
        out.writeShort(length);
        ByteBufUtil.writeUtf8(out, s);
    }

    private static void enter(int depth) {
        if (depth >= Amf0Reader.MAX_DEPTH_CEILING) {
            throw new IllegalArgumentException("nesting deeper than " + Amf0Reader.MAX_DEPTH_CEILING
                    + " containers (a cycle?)");
        }
    }
}
