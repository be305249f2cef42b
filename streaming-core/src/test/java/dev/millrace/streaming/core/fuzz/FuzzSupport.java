package dev.millrace.streaming.core.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;

/** Helpers shared by the fuzz targets of this package. */
final class FuzzSupport {

    /** Bytes before and after the bytes under test in a {@link #guarded} buffer. */
    static final int GUARD = 7;

    private static final byte GUARD_BYTE = (byte) 0xEE;

    private FuzzSupport() {
    }

    /**
     * A heap buffer holding {@code data} between {@value #GUARD} guard bytes on each side, its reader and writer
     * index around {@code data}: a parser that reads or slices outside its argument's readable bytes meets the
     * guards, and a slice's {@code arrayOffset} tells where in the backing array it lies. Not leak-tracked (it is
     * built directly, not through an allocator), so that fuzzing is not slowed by the paranoid leak detector; the
     * targets check its reference count themselves.
     */
    static ByteBuf guarded(byte[] data, int from, int length) {
        ByteBuf buf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, length + 2 * GUARD,
                length + 2 * GUARD);
        for (int i = 0; i < GUARD; i++) {
            buf.writeByte(GUARD_BYTE);
        }
        buf.writeBytes(data, from, length);
        for (int i = 0; i < GUARD; i++) {
            buf.writeByte(GUARD_BYTE);
        }
        buf.readerIndex(GUARD);
        buf.writerIndex(GUARD + length);
        return buf;
    }

    /**
     * Whether {@code slice} (a derived buffer of the heap buffer {@code of}) lies within {@code of}'s readable
     * bytes.
     */
    static boolean within(ByteBuf slice, ByteBuf of) {
        if (!slice.hasArray() || slice.array() != of.array()) {
            return false;
        }
        int start = slice.arrayOffset() + slice.readerIndex();
        int end = start + slice.readableBytes();
        int ofStart = of.arrayOffset() + of.readerIndex();
        int ofEnd = ofStart + of.readableBytes();
        return start >= ofStart && end <= ofEnd;
    }

    /**
     * The boundaries of the reads that deliver {@code length} bytes: selector bytes {@code a} and {@code b}
     * (0..255) place cuts at {@code length * a / 256} and {@code length * b / 256}; equal or outer cuts merge, so
     * there are one to three non-empty reads (one empty read for no bytes). Returns the ascending boundaries, first
     * 0, last {@code length}.
     */
    static int[] boundaries(int length, int a, int b) {
        int c1 = (int) ((long) length * a / 256);
        int c2 = (int) ((long) length * b / 256);
        int[] raw = {0, Math.min(c1, c2), Math.max(c1, c2), length};
        int[] out = new int[4];
        int n = 0;
        for (int cut : raw) {
            if (n == 0 || cut > out[n - 1]) {
                out[n++] = cut;
            }
        }
        if (n == 1) {
            return new int[] {0, 0};
        }
        int[] result = new int[n];
        System.arraycopy(out, 0, result, 0, n);
        return result;
    }

    /** Byte {@code i} of {@code input} as 0..255, or 0 past its end. */
    static int selector(byte[] input, int i) {
        return i < input.length ? input[i] & 0xFF : 0;
    }
}
