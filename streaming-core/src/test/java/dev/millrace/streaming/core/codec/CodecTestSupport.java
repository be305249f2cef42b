package dev.millrace.streaming.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/** Golden-file loading and buffer handling shared by the codec tests. */
final class CodecTestSupport {

    /** A parser of a whole record; borrowed buffer in, result or {@link CodecConfigException} out. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(ByteBuf record) throws CodecConfigException;
    }

    private CodecTestSupport() {
    }

    /** The bytes of {@code src/test/resources/golden/codec/<name>} (see the README there for their origin). */
    static byte[] golden(String name) {
        try (InputStream in = CodecTestSupport.class.getResourceAsStream("/golden/codec/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hex digits, spaces and line breaks ignored. */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    /** Parses {@code bytes} from a fresh buffer and releases it, checking the parser left the reader index alone. */
    static <T> T parse(Parser<T> parser, byte[] bytes) throws CodecConfigException {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            T result = parser.parse(buf);
            if (buf.readerIndex() != 0 || buf.readableBytes() != bytes.length) {
                throw new AssertionError("parser moved the buffer's indices");
            }
            return result;
        } finally {
            buf.release();
        }
    }
}
