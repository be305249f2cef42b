package dev.millrace.streaming.core.flv;

import io.netty.buffer.ByteBuf;

/**
 * The FLV file header [FLV 10.1 E.2] together with PreviousTagSize0 [E.3], the 13 bytes before the first tag of an
 * FLV file or HTTP-FLV stream.
 *
 * <pre>
 * 'F' 'L' 'V'  UI8 Version (1)
 * UB[5] reserved  UB[1] TypeFlagsAudio  UB[1] reserved  UB[1] TypeFlagsVideo
 * UI32 DataOffset (9: the header's length)
 * UI32 PreviousTagSize0 (0)
 * </pre>
 *
 * @param audio TypeFlagsAudio: audio tags are present
 * @param video TypeFlagsVideo: video tags are present
 */
public record FlvHeader(boolean audio, boolean video) {

    /** Bytes {@link #write} writes: the 9-byte header plus the 4-byte PreviousTagSize0. */
    public static final int BYTES = 13;

    /** DataOffset of FLV version 1 [E.2]. */
    static final int HEADER_LENGTH = 9;

    /**
     * Largest DataOffset {@link #read} accepts. E.2 allows a longer header "to accommodate larger headers in future
     * versions"; nothing writes one, so the extra bytes are skipped up to this bound.
     */
    static final int MAX_DATA_OFFSET = 1024;

    private static final int SIGNATURE = 0x464C56; // "FLV"
    private static final int VERSION = 1;
    private static final int FLAG_AUDIO = 0x04;
    private static final int FLAG_VIDEO = 0x01;

    /** Writes the header and PreviousTagSize0 ({@value #BYTES} bytes) to {@code out}. */
    public void write(ByteBuf out) {
        out.writeMedium(SIGNATURE);
        out.writeByte(VERSION);
        out.writeByte((audio ? FLAG_AUDIO : 0) | (video ? FLAG_VIDEO : 0));
        out.writeInt(HEADER_LENGTH);
        out.writeInt(0); // E.3: PreviousTagSize0 is always 0
    }

    /**
     * Reads the header and PreviousTagSize0 from {@code in}, advancing its reader index past them.
     *
     * <p>Returns {@code null}, with the reader index unchanged, while fewer than {@value #BYTES} bytes (or DataOffset +
     * 4 for a longer header) are readable. Reserved flag bits and a non-zero PreviousTagSize0 are ignored, as FFmpeg
     * does.
     *
     * @throws FlvFormatException if the signature is not "FLV", the version is not 1, or DataOffset is below 9 or above
     *     {@value #MAX_DATA_OFFSET}
     */
    public static FlvHeader read(ByteBuf in) {
        if (in.readableBytes() < BYTES) {
            return null;
        }
        int at = in.readerIndex();
        if (in.getUnsignedMedium(at) != SIGNATURE) {
            throw new FlvFormatException(String.format("not an FLV header: signature %06x", in.getUnsignedMedium(at)));
        }
        int version = in.getUnsignedByte(at + 3);
        if (version != VERSION) {
            throw new FlvFormatException("unsupported FLV version " + version);
        }
        int flags = in.getUnsignedByte(at + 4);
        long dataOffset = in.getUnsignedInt(at + 5);
        if (dataOffset < HEADER_LENGTH || dataOffset > MAX_DATA_OFFSET) {
            throw new FlvFormatException("FLV DataOffset out of " + HEADER_LENGTH + ".." + MAX_DATA_OFFSET + ": "
                    + dataOffset);
        }
        int total = (int) dataOffset + 4;
        if (in.readableBytes() < total) {
            return null;
        }
        in.skipBytes(total);
        return new FlvHeader((flags & FLAG_AUDIO) != 0, (flags & FLAG_VIDEO) != 0);
    }
}
