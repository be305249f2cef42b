package dev.millrace.streaming.core.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/** Test bytes written as hex; whitespace is ignored so fields can be spaced out. */
final class Hex {

    // FourCCs as big-endian ASCII [E2 VideoFourCc, AudioFourCc].
    static final String AVC1 = "61766331";
    static final String HVC1 = "68766331";
    static final String VVC1 = "76766331";
    static final String AV01 = "61763031";
    static final String VP09 = "76703039";
    static final String VP08 = "76703038";
    static final String MP4A = "6d703461";
    static final String OPUS = "4f707573";
    static final String FLAC = "664c6143";
    static final String MP3 = "2e6d7033";
    static final String AC3 = "61632d33";
    static final String EC3 = "65632d33";

    private Hex() {
    }

    /** A pooled (leak-tracked) buffer holding the bytes; the caller releases it. */
    static ByteBuf hex(String hex) {
        byte[] bytes = bytes(hex);
        return PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s+", ""));
    }

    /** The readable bytes of {@code buf} as lower-case hex, without moving its reader index. */
    static String dump(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    /** {@code hex} without whitespace, lower case: the form {@link #dump} produces. */
    static String norm(String hex) {
        return hex.replaceAll("\\s+", "").toLowerCase();
    }
}
