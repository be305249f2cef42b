package dev.millrace.streaming.rtmp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.amf.Amf0Reader;
import dev.millrace.streaming.rtmp.amf.Amf0Writer;
import dev.millrace.streaming.rtmp.amf.Amf3Reader;
import dev.millrace.streaming.rtmp.amf.AmfDate;
import dev.millrace.streaming.rtmp.amf.AmfEcmaArray;
import dev.millrace.streaming.rtmp.amf.AmfMetadata;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import dev.millrace.streaming.rtmp.amf.AmfTypedObject;
import dev.millrace.streaming.rtmp.amf.AmfUndefined;
import dev.millrace.streaming.rtmp.amf.AmfUnsupported;
import dev.millrace.streaming.rtmp.amf.AmfXml;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@link Amf0Reader#readAll} and {@link Amf3Reader#read} with {@link RtmpLimits#DEFAULT} on arbitrary bytes (the
 * whole input is the message body).
 *
 * <p>Oracle (the package documentation of {@code dev.millrace.streaming.rtmp.amf} is the contract):
 * <ul>
 *   <li>the only exception is {@link RtmpProtocolException} with reason {@code BAD_AMF};</li>
 *   <li>{@code readAll} leaves the buffer empty; {@code read} consumes at least the type marker;</li>
 *   <li>the decoded tree respects the limits: at most {@code maxAmfElements} values (references expanded) and
 *       containers nested at most {@code maxAmfDepth} deep (so a reference can never make a cycle);</li>
 *   <li>everything AMF0 can encode survives {@link Amf0Writer#write} then {@code readAll} unchanged, compared by
 *       {@link #same}: same Java classes (an {@link AmfObject} is not an {@link AmfEcmaArray} here, although
 *       {@code Map.equals} says so), same entry order, doubles bit for bit except NaN payloads. Not encodable, and
 *       refused by the writer with {@link IllegalArgumentException}: an AMF3 byte array ({@code byte[]}) anywhere,
 *       or a property name or class name longer than 65535 UTF-8 bytes (malformed UTF-8 decodes to U+FFFD, three
 *       bytes, so a 65535-byte name on the wire may grow past that);</li>
 *   <li>{@link AmfMetadata#sanitizeForPlayers} on every decoded map returns only what its Javadoc keeps, never
 *       changes its argument, and its result survives the writer and reader unchanged.</li>
 * </ul>
 */
class AmfReaderFuzzTest {

    private static final RtmpLimits LIMITS = RtmpLimits.DEFAULT;
    private static final Amf0Reader AMF0 = Amf0Reader.of(LIMITS);
    private static final Amf3Reader AMF3 = Amf3Reader.of(LIMITS);
    /** Reads back what the writer wrote: decoded strings may have grown (U+FFFD), and nothing else is at stake. */
    private static final Amf0Reader REREAD = new Amf0Reader(Amf0Reader.MAX_DEPTH_CEILING, 1 << 22, 1 << 22);

    @FuzzTest
    void amf0ReaderRefusesOnlyWithBadAmfAndItsValuesSurviveTheWriter(byte[] input) {
        ByteBuf in = heap(input.length).writeBytes(input);
        List<Object> values;
        try {
            values = AMF0.readAll(in);
            assertThat(in.readableBytes()).as("bytes left by readAll").isZero();
        } catch (RtmpProtocolException e) {
            assertThat(e.reason()).as("%s for %s", e, ByteBufUtil.hexDump(input))
                    .isEqualTo(RtmpProtocolException.Reason.BAD_AMF);
            return;
        } finally {
            in.release();
        }
        int[] elements = {0};
        for (Object value : values) {
            checkLimits(value, 0, elements);
        }
        checkWriterRoundTrip(values);
        for (Object value : values) {
            checkSanitizing(value);
        }
    }

    @FuzzTest
    void amf3ReaderRefusesOnlyWithBadAmfAndItsValueSurvivesTheWriter(byte[] input) {
        ByteBuf in = heap(input.length).writeBytes(input);
        Object value;
        try {
            value = AMF3.read(in);
            assertThat(in.readerIndex()).as("bytes consumed by read").isPositive();
        } catch (RtmpProtocolException e) {
            assertThat(e.reason()).as("%s for %s", e, ByteBufUtil.hexDump(input))
                    .isEqualTo(RtmpProtocolException.Reason.BAD_AMF);
            return;
        } finally {
            in.release();
        }
        checkLimits(value, 0, new int[] {0});
        checkWriterRoundTrip(Collections.singletonList(value));
        checkSanitizing(value);
    }

    /**
     * A heap buffer built directly rather than through an allocator, so that the paranoid leak detector does not
     * record every access while fuzzing; no AMF code retains a buffer, and each one here is released in a finally.
     */
    private static ByteBuf heap(int initialCapacity) {
        return new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, initialCapacity, Integer.MAX_VALUE);
    }

    /** Counts values into {@code elements[0]} and checks the depth; {@code enclosing} containers hold {@code v}. */
    private static void checkLimits(Object v, int enclosing, int[] elements) {
        elements[0]++;
        assertThat(elements[0]).as("values decoded").isLessThanOrEqualTo(LIMITS.maxAmfElements());
        if (v instanceof Map<?, ?> || v instanceof List<?> || v instanceof AmfTypedObject) {
            assertThat(enclosing + 1).as("container nesting").isLessThanOrEqualTo(LIMITS.maxAmfDepth());
        }
        if (v instanceof AmfTypedObject t) {
            for (Object child : t.properties().values()) {
                checkLimits(child, enclosing + 1, elements);
            }
        } else if (v instanceof Map<?, ?> map) {
            for (Object child : map.values()) {
                checkLimits(child, enclosing + 1, elements);
            }
        } else if (v instanceof List<?> list) {
            for (Object child : list) {
                checkLimits(child, enclosing + 1, elements);
            }
        }
    }

    /** Writes {@code values} one after the other and reads them back as one message. */
    private static void checkWriterRoundTrip(List<Object> values) {
        boolean encodable = true;
        for (Object v : values) {
            encodable &= encodable(v);
        }
        ByteBuf out = heap(256);
        try {
            for (Object v : values) {
                if (encodable(v)) {
                    Amf0Writer.write(out, v);
                } else {
                    int before = out.writerIndex();
                    try {
                        Amf0Writer.write(out, v);
                        throw new AssertionError("the writer accepted a value it cannot encode: " + v);
                    } catch (IllegalArgumentException expected) {
                        assertThat(out.writerIndex()).as("writer index after a refusal").isEqualTo(before);
                    }
                }
            }
            if (!encodable) {
                return;
            }
            List<Object> again = REREAD.readAll(out);
            assertThat(again).as("values read back").hasSameSizeAs(values);
            for (int i = 0; i < values.size(); i++) {
                if (!same(values.get(i), again.get(i))) {
                    throw new AssertionError("value " + i + " changed in the round trip:\n  " + values.get(i)
                            + "\n  " + again.get(i));
                }
            }
        } finally {
            out.release();
        }
    }

    /** Whether the AMF0 writer can encode {@code v} (see the class description). */
    private static boolean encodable(Object v) {
        if (v instanceof byte[]) {
            return false;
        }
        if (v instanceof AmfTypedObject t) {
            return ByteBufUtil.utf8Bytes(t.className()) <= 0xFFFF && encodable(t.properties());
        }
        if (v instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (ByteBufUtil.utf8Bytes((String) e.getKey()) > 0xFFFF || !encodable(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof List<?> list) {
            for (Object child : list) {
                if (!encodable(child)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Structural equality that, unlike {@code equals}, tells an {@link AmfObject} from an {@link AmfEcmaArray} and
     * from another {@code Map} class, and compares entry order.
     */
    static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.getClass() != b.getClass()) {
            return false;
        }
        if (a instanceof Double || a instanceof Boolean || a instanceof String || a instanceof AmfDate
                || a instanceof AmfXml || a == AmfUndefined.INSTANCE || a == AmfUnsupported.INSTANCE) {
            return a.equals(b); // Double.equals and record equality compare doubles by doubleToLongBits
        }
        if (a instanceof AmfTypedObject ta) {
            AmfTypedObject tb = (AmfTypedObject) b;
            return ta.className().equals(tb.className()) && same(ta.properties(), tb.properties());
        }
        if (a instanceof Map<?, ?> ma) {
            Map<?, ?> mb = (Map<?, ?>) b;
            if (ma.size() != mb.size()) {
                return false;
            }
            Iterator<? extends Map.Entry<?, ?>> ib = mb.entrySet().iterator();
            for (Map.Entry<?, ?> ea : ma.entrySet()) {
                Map.Entry<?, ?> eb = ib.next();
                if (!ea.getKey().equals(eb.getKey()) || !same(ea.getValue(), eb.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> la) {
            List<?> lb = (List<?>) b;
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!same(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        throw new AssertionError("a value outside the AMF model: " + a.getClass().getName());
    }

    /** Sanitizes every map in the tree of {@code v}; see {@link #checkSanitized}. */
    private static void checkSanitizing(Object v) {
        if (v instanceof AmfTypedObject t) {
            checkSanitizing(t.properties());
        } else if (v instanceof Map<?, ?> map) {
            checkSanitized(map);
            for (Object child : map.values()) {
                checkSanitizing(child);
            }
        } else if (v instanceof List<?> list) {
            for (Object child : list) {
                checkSanitizing(child);
            }
        }
    }

    /**
     * The contract of {@link AmfMetadata#sanitizeForPlayers}: a new ECMA array, in source order, holding exactly the
     * entries with a non-empty name whose value is a number (as a Double), a boolean, a string or a map (ECMA arrays
     * stay ECMA arrays, other maps become anonymous objects), maps sanitized the same way; the source unchanged; and
     * the result encodes and decodes to itself.
     */
    @SuppressWarnings("unchecked")
    private static void checkSanitized(Map<?, ?> source) {
        String before = source.toString();
        AmfEcmaArray sanitized = AmfMetadata.sanitizeForPlayers((Map<String, ?>) source);
        assertThat(source.toString()).as("the source after sanitizing").isEqualTo(before);
        assertThat(sanitized).isNotSameAs(source);
        checkSanitizedAgainst(source, sanitized);
        if (!encodable(sanitized)) {
            return; // an over-long name: the writer's limit, checked in checkWriterRoundTrip
        }
        ByteBuf out = heap(256);
        try {
            Amf0Writer.write(out, sanitized);
            List<Object> again = REREAD.readAll(out);
            assertThat(again).hasSize(1);
            if (!same(sanitized, again.get(0))) {
                throw new AssertionError("sanitized metadata changed in the round trip:\n  " + sanitized + "\n  "
                        + again.get(0));
            }
        } finally {
            out.release();
        }
    }

    private static void checkSanitizedAgainst(Map<?, ?> source, AmfObject sanitized) {
        Iterator<Map.Entry<String, Object>> kept = sanitized.entrySet().iterator();
        for (Map.Entry<?, ?> e : source.entrySet()) {
            String key = (String) e.getKey();
            Object value = e.getValue();
            boolean keep = !key.isEmpty() && (value instanceof Number || value instanceof Boolean
                    || value instanceof String || value instanceof Map<?, ?>);
            if (!keep) {
                assertThat(sanitized).as("sanitized metadata").doesNotContainKey(key);
                continue;
            }
            assertThat(kept.hasNext()).as("sanitized metadata keeps %s", key).isTrue();
            Map.Entry<String, Object> k = kept.next();
            assertThat(k.getKey()).as("next sanitized key").isEqualTo(key);
            Object s = k.getValue();
            if (value instanceof Number n) {
                assertThat(s).isInstanceOf(Double.class).isEqualTo(n.doubleValue());
            } else if (value instanceof Map<?, ?> m) {
                assertThat(s.getClass()).as("sanitized class of %s", key)
                        .isEqualTo(value instanceof AmfEcmaArray ? AmfEcmaArray.class : AmfObject.class);
                checkSanitizedAgainst(m, (AmfObject) s);
            } else {
                assertThat(s).isSameAs(value);
            }
        }
        assertThat(kept.hasNext()).as("sanitized metadata holds only kept entries").isFalse();
    }
}
