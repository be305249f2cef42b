package dev.millrace.streaming.core.codec;

import java.io.ByteArrayOutputStream;

/**
 * Test-only writer for hand-built bitstreams: one call per syntax element, so that a test can spell out a
 * parameter set field by field with a comment citing the spec. Independent of the production {@link BitReader}:
 * Exp-Golomb codes and emulation prevention are encoded here from their definitions (H.264 9.1, 7.4.1).
 */
final class Bits {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int current;
    private int used;

    /** Appends the low {@code n} bits of {@code value}, most significant first. */
    Bits u(int n, long value) {
        for (int i = n - 1; i >= 0; i--) {
            bit((int) (value >>> i) & 1);
        }
        return this;
    }

    Bits flag(boolean value) {
        return bit(value ? 1 : 0);
    }

    /** ue(v): codeNum + 1 in binary, preceded by one zero per bit after its leading one. */
    Bits ue(long codeNum) {
        long v = codeNum + 1;
        int length = 64 - Long.numberOfLeadingZeros(v);
        u(length - 1, 0);
        return u(length, v);
    }

    /** se(v): k > 0 maps to 2k - 1, k <= 0 to -2k (H.264 Table 9-3). */
    Bits se(long k) {
        return ue(k > 0 ? 2 * k - 1 : -2 * k);
    }

    Bits bit(int b) {
        current = current << 1 | b;
        if (++used == 8) {
            out.write(current);
            current = 0;
            used = 0;
        }
        return this;
    }

    /** Pads with zero bits to a byte boundary and returns the bytes. */
    byte[] bytes() {
        while (used != 0) {
            bit(0);
        }
        return out.toByteArray();
    }

    /**
     * Appends rbsp_trailing_bits (a one, then zeros to the byte boundary) and inserts an emulation prevention byte
     * wherever two zero bytes are followed by a byte 0x00 to 0x03: a NAL unit as it travels.
     */
    byte[] nal() {
        return escape(trailing());
    }

    /** Appends a one bit and zeros to the byte boundary (H.264 rbsp_trailing_bits, AV1 5.3.4 trailing_bits). */
    byte[] trailing() {
        bit(1);
        return bytes();
    }

    /** Like {@link #nal()} but without rbsp_trailing_bits: a NAL unit cut short (the zeros pad to a byte). */
    byte[] nalWithoutTrailingBits() {
        return escape(bytes());
    }

    static byte[] escape(byte[] rbsp) {
        ByteArrayOutputStream nal = new ByteArrayOutputStream();
        int zeros = 0;
        for (byte b : rbsp) {
            if (zeros >= 2 && (b & 0xFF) <= 3) {
                nal.write(3);
                zeros = 0;
            }
            nal.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return nal.toByteArray();
    }
}
