package dev.millrace.streaming.rtmp.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the fuzz targets of this package: how an input is cut into reads, and allocation tracking. */
final class FuzzSupport {

    private FuzzSupport() {
    }

    /**
     * The boundaries of the reads that deliver {@code length} bytes: the input's two selector bytes {@code a} and
     * {@code b} (0..255) place cuts at {@code length * a / 256} and {@code length * b / 256}; equal or outer cuts
     * merge, so there are one to three non-empty reads. Returns the ascending boundaries, first 0, last
     * {@code length}.
     */
    static int[] boundaries(int length, int a, int b) {
        int c1 = (int) ((long) length * a / 256);
        int c2 = (int) ((long) length * b / 256);
        int lo = Math.min(c1, c2);
        int hi = Math.max(c1, c2);
        int[] raw = {0, lo, hi, length};
        int[] out = new int[4];
        int n = 0;
        for (int cut : raw) {
            if (n == 0 || cut > out[n - 1]) {
                out[n++] = cut;
            }
        }
        if (n == 1) {
            return new int[] {0, 0}; // empty input: one empty read
        }
        int[] result = new int[n];
        System.arraycopy(out, 0, result, 0, n);
        return result;
    }

    /** Byte {@code i} of {@code input} as 0..255, or 0 past its end. */
    static int selector(byte[] input, int i) {
        return i < input.length ? input[i] & 0xFF : 0;
    }

    /** Records every buffer it allocates so that a target can assert that each one was released. */
    static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        /** Throws unless every buffer allocated here has a reference count of 0. */
        void assertAllReleased(String context) {
            for (int i = 0; i < allocated.size(); i++) {
                ByteBuf b = allocated.get(i);
                if (b.refCnt() != 0) {
                    throw new AssertionError(context + ": buffer " + i + " of " + allocated.size()
                            + " still has refCnt " + b.refCnt() + " (capacity " + b.capacity() + ")");
                }
            }
        }
    }
}
