package dev.millrace.streaming.rtmp.amf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.millrace.streaming.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Test helpers. Buffers come from the pooled direct allocator so that the leak detector tracks them and the readers
 * run on direct memory; every helper releases what it allocates.
 */
final class AmfTestSupport {

    private AmfTestSupport() {
    }

    /** Bytes of a hex string; whitespace is ignored. */
    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s+", ""));
    }

    /** A new pooled direct buffer holding {@code hex}; the caller releases it. */
    static ByteBuf buffer(String hex) {
        return buffer(bytes(hex));
    }

    /** A new pooled direct buffer holding {@code bytes}; the caller releases it. */
    static ByteBuf buffer(byte[] bytes) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** Hex of the UTF-8 bytes of {@code text}, so that string contents in vectors stay readable. */
    static String utf8(String text) {
        return ByteBufUtil.hexDump(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads every value of {@code hex} and checks that all bytes were consumed. */
    static List<Object> readAll(Amf0Reader reader, String hex) {
        ByteBuf in = buffer(hex);
        try {
            List<Object> values = reader.readAll(in);
            assertThat(in.readableBytes()).isZero();
            return values;
        } finally {
            in.release();
        }
    }

    /** Reads one AMF0 value from {@code hex} and checks that all bytes were consumed. */
    static Object read0(Amf0Reader reader, String hex) {
        ByteBuf in = buffer(hex);
        try {
            Object value = reader.read(in);
            assertThat(in.readableBytes()).isZero();
            return value;
        } finally {
            in.release();
        }
    }

    /** Reads one AMF3 value from {@code hex} and checks that all bytes were consumed. */
    static Object read3(Amf3Reader reader, String hex) {
        ByteBuf in = buffer(hex);
        try {
            Object value = reader.read(in);
            assertThat(in.readableBytes()).isZero();
            return value;
        } finally {
            in.release();
        }
    }

    /** Asserts that {@code readAll} refuses {@code hex} with BAD_AMF and returns the exception. */
    static RtmpProtocolException refusedAmf0(Amf0Reader reader, String hex) {
        return refusedAmf0(reader, bytes(hex));
    }

    static RtmpProtocolException refusedAmf0(Amf0Reader reader, byte[] bytes) {
        ByteBuf in = buffer(bytes);
        try {
            RtmpProtocolException e = catchThrowableOfType(RtmpProtocolException.class, () -> reader.readAll(in));
            assertThat(e).as("BAD_AMF expected").isNotNull();
            assertThat(e.reason()).isEqualTo(RtmpProtocolException.Reason.BAD_AMF);
            return e;
        } finally {
            in.release();
        }
    }

    /** Asserts that {@code read} refuses {@code hex} with BAD_AMF and returns the exception. */
    static RtmpProtocolException refusedAmf3(Amf3Reader reader, String hex) {
        ByteBuf in = buffer(hex);
        try {
            RtmpProtocolException e = catchThrowableOfType(RtmpProtocolException.class, () -> reader.read(in));
            assertThat(e).as("BAD_AMF expected").isNotNull();
            assertThat(e.reason()).isEqualTo(RtmpProtocolException.Reason.BAD_AMF);
            return e;
        } finally {
            in.release();
        }
    }

    /** The hex of what {@link Amf0Writer} writes for each of {@code values} in turn. */
    static String written(Object... values) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            for (Object value : values) {
                Amf0Writer.write(out, value);
            }
            // One bulk copy: under the PARANOID leak detector every single-byte access records a stack trace.
            return ByteBufUtil.hexDump(ByteBufUtil.getBytes(out));
        } finally {
            out.release();
        }
    }

    /** An AmfObject of alternating keys and values. */
    static AmfObject object(Object... keysAndValues) {
        return fill(new AmfObject(), keysAndValues);
    }

    /** An AmfEcmaArray of alternating keys and values. */
    static AmfEcmaArray ecma(Object... keysAndValues) {
        return fill(new AmfEcmaArray(), keysAndValues);
    }

    private static <T extends AmfObject> T fill(T target, Object... keysAndValues) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            target.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return target;
    }

    /** Hex with whitespace removed and lower case, to compare with {@link #written}. */
    static String compact(String hex) {
        return hex.replaceAll("\\s+", "").toLowerCase(java.util.Locale.ROOT);
    }
}
