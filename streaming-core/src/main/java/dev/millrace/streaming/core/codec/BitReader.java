package dev.millrace.streaming.core.codec;

import java.util.Objects;

/**
 * Reads a byte range most significant bit first, as the H.264, H.265, AV1 and MPEG-4 audio syntax tables do.
 * Every read that would pass the end of the range throws {@link CodecConfigException}, so a parser built on it
 * cannot fail any other way on truncated input.
 *
 * <p>The reader does not copy the range it is given ({@link #rbsp} does, to remove emulation prevention bytes);
 * the caller must not change those bytes while reading. Not thread-safe.
 */
public final class BitReader {

    private final byte[] data;
    private final long startBit;
    private final long endBit;
    /** Absolute bit index into {@link #data}. */
    private long position;

    /** Reads all of {@code data}. */
    public BitReader(byte[] data) {
        this(data, 0, data.length);
    }

    /** Reads {@code data[offset, offset + length)}. */
    public BitReader(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        this.data = data;
        this.startBit = (long) offset * 8;
        this.position = startBit;
        this.endBit = ((long) offset + length) * 8;
    }

    /**
     * Returns a reader over the raw byte sequence payload of a NAL unit: {@code nal[offset, offset + length)} with
     * every emulation prevention byte removed (H.264 7.4.1 and H.265 7.4.2: a 0x03 that follows two zero bytes).
     * The NAL unit header stays in the payload, so a parser reads it first.
     */
    public static BitReader rbsp(byte[] nal, int offset, int length) {
        return new BitReader(unescapeRbsp(nal, offset, length));
    }

    /**
     * Copies {@code nal[offset, offset + length)} without its emulation prevention bytes (H.264 7.3.1, H.265 7.3.1.1:
     * {@code emulation_prevention_three_byte} after {@code 0x00 0x00}).
     */
    public static byte[] unescapeRbsp(byte[] nal, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, nal.length);
        byte[] out = new byte[length];
        int n = 0;
        int zeros = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            byte b = nal[i];
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            zeros = b == 0 ? zeros + 1 : 0;
            out[n++] = b;
        }
        if (n == length) {
            return out;
        }
        byte[] trimmed = new byte[n];
        System.arraycopy(out, 0, trimmed, 0, n);
        return trimmed;
    }

    /** Bits not read yet. */
    public long bitsLeft() {
        return endBit - position;
    }

    /** Bits read or skipped so far, counted from the start of the range. */
    public long bitPosition() {
        return position - startBit;
    }

    /** Whether the next bit starts a byte. */
    public boolean byteAligned() {
        return (position & 7) == 0;
    }

    /** Reads one bit: 0 or 1. */
    public int readBit() throws CodecConfigException {
        require(1);
        int bit = (data[(int) (position >>> 3)] >> (7 - (int) (position & 7))) & 1;
        position++;
        return bit;
    }

    /** Reads one bit as a flag. */
    public boolean readFlag() throws CodecConfigException {
        return readBit() != 0;
    }

    /**
     * Reads {@code n} bits (0 to 32) as an unsigned number. For {@code n == 32} the result carries all 32 bits, so
     * it is negative when the top bit is set: use {@link Integer#toUnsignedLong} or {@link #readBitsLong}.
     */
    public int readBits(int n) throws CodecConfigException {
        if (n < 0 || n > 32) {
            throw new IllegalArgumentException("readBits reads 0 to 32 bits, not " + n);
        }
        return (int) readBitsLong(n);
    }

    /** Reads {@code n} bits (0 to 63) as an unsigned number. */
    public long readBitsLong(int n) throws CodecConfigException {
        if (n < 0 || n > 63) {
            throw new IllegalArgumentException("readBitsLong reads 0 to 63 bits, not " + n);
        }
        require(n);
        long value = 0;
        int left = n;
        while (left > 0) {
            int bitInByte = (int) (position & 7);
            int available = 8 - bitInByte;
            int take = Math.min(available, left);
            int current = data[(int) (position >>> 3)] & 0xFF;
            int bits = (current >>> (available - take)) & ((1 << take) - 1);
            value = (value << take) | bits;
            position += take;
            left -= take;
        }
        return value;
    }

    /**
     * Reads an unsigned Exp-Golomb code, {@code ue(v)} (H.264 9.1, H.265 9.2): 0 to 2^32 - 2. More than 31 leading
     * zero bits cannot be a valid code and throws.
     */
    public long readUE() throws CodecConfigException {
        int leadingZeros = 0;
        while (readBit() == 0) {
            leadingZeros++;
            if (leadingZeros > 31) {
                throw new CodecConfigException("Exp-Golomb code with more than 31 leading zero bits at bit "
                        + (bitPosition() - 32));
            }
        }
        return (1L << leadingZeros) - 1 + readBitsLong(leadingZeros);
    }

    /**
     * Reads {@code ue(v)} and checks it against {@code max}; {@code field} names the syntax element in the
     * exception message.
     */
    public int readUE(int max, String field) throws CodecConfigException {
        long value = readUE();
        if (value > max) {
            throw new CodecConfigException(field + " = " + value + " exceeds " + max);
        }
        return (int) value;
    }

    /** Reads a signed Exp-Golomb code, {@code se(v)} (H.264 9.1.1): -(2^31 - 1) to 2^31 - 1. */
    public long readSE() throws CodecConfigException {
        long codeNum = readUE();
        long magnitude = (codeNum + 1) >>> 1;
        return (codeNum & 1) != 0 ? magnitude : -magnitude;
    }

    /** Reads {@code se(v)} and checks it is within {@code [min, max]}. */
    public int readSE(int min, int max, String field) throws CodecConfigException {
        long value = readSE();
        if (value < min || value > max) {
            throw new CodecConfigException(field + " = " + value + " is outside [" + min + ", " + max + "]");
        }
        return (int) value;
    }

    /** Skips {@code n} bits. */
    public void skipBits(long n) throws CodecConfigException {
        if (n < 0) {
            throw new IllegalArgumentException("cannot skip " + n + " bits");
        }
        require(n);
        position += n;
    }

    /** Skips to the next byte boundary (no-op when aligned). */
    public void byteAlign() throws CodecConfigException {
        skipBits((8 - (position & 7)) & 7);
    }

    /** Reads {@code n} whole bytes into a new array; the reader must be byte aligned. */
    public byte[] readBytes(int n) throws CodecConfigException {
        if (!byteAligned()) {
            throw new IllegalStateException("readBytes needs a byte-aligned reader, at bit " + bitPosition());
        }
        if (n < 0) {
            throw new IllegalArgumentException("cannot read " + n + " bytes");
        }
        require((long) n * 8);
        byte[] out = new byte[n];
        System.arraycopy(data, (int) (position >>> 3), out, 0, n);
        position += (long) n * 8;
        return out;
    }

    private void require(long bits) throws CodecConfigException {
        if (bits > endBit - position) {
            throw new CodecConfigException("truncated: needs " + bits + " bits at bit " + bitPosition() + ", "
                    + (endBit - position) + " left");
        }
    }
}
