package dev.millrace.streaming.bench.load;

import io.netty.buffer.ByteBuf;

/**
 * The stamp the load harness puts in every H.264 frame it publishes, so that a player can tell which frame of which
 * stream it got and how long that took: an SEI NAL unit (ITU-T H.264 7.3.2.3, nal_unit_type 6) holding one
 * {@code user_data_unregistered} message (D.1.6, payloadType 5) with the harness's UUID, then the stream index, the
 * frame's sequence number and its send time ({@link System#nanoTime()}; publishers and players share one JVM, so the
 * clocks agree).
 *
 * <p>It is the frame's first AVCC NAL unit, so a player finds it at a fixed offset of the FLV VIDEODATA body and reads
 * it without parsing anything else:
 *
 * <pre>
 * offset  bytes  field
 *  0      1      FrameType | CodecID 7           (FLV 10.1 E.4.3.1)
 *  1      1      AVCPacketType 1 (NALU)
 *  2      3      CompositionTime
 *  5      4      NAL unit length = 40            (ISO 14496-15 5.3.3, lengthSizeMinusOne 3)
 *  9      1      NAL header 0x06: nal_ref_idc 0, nal_unit_type 6 (SEI)
 * 10      1      payloadType 5                   (user_data_unregistered)
 * 11      1      payloadSize 36
 * 12      16     uuid_iso_iec_11578 = {@link #UUID}
 * 28      4      stream index, big-endian
 * 32      8      sequence number, big-endian
 * 40      8      send time, System.nanoTime(), big-endian
 * 48      1      rbsp_trailing_bits 0x80
 * </pre>
 *
 * The numbers are written as they are, without emulation prevention bytes: servers forward the NAL unit untouched and
 * only the harness reads it.
 *
 * <p>Stateless and allocation-free.
 */
final class FrameStamp {

    /** The user_data_unregistered UUID that marks a harness stamp: "millrace-stamp-1" in ASCII. */
    static final byte[] UUID = {
        'm', 'i', 'l', 'l', 'r', 'a', 'c', 'e', '-', 's', 't', 'a', 'm', 'p', '-', '1'};

    /** The SEI NAL unit without its length prefix. */
    static final int NAL_BYTES = 40;
    /** What {@link #write} writes: the 4-byte AVCC length prefix and the NAL unit. */
    static final int AVCC_BYTES = 4 + NAL_BYTES;

    private static final int SEI_NAL_HEADER = 0x06;
    private static final int USER_DATA_UNREGISTERED = 5;
    private static final int PAYLOAD_BYTES = 16 + 4 + 8 + 8;
    private static final int RBSP_TRAILING_BITS = 0x80;

    /** Offsets in an FLV VIDEODATA body of AVC. */
    private static final int NAL_LENGTH_OFFSET = 5;
    private static final int UUID_OFFSET = 12;
    private static final int INDEX_OFFSET = 28;
    private static final int SEQUENCE_OFFSET = 32;
    private static final int SENT_OFFSET = 40;
    private static final int FLV_BODY_BYTES = 9 + NAL_BYTES;

    private static final long UUID_HIGH = longAt(UUID, 0);
    private static final long UUID_LOW = longAt(UUID, 8);

    private FrameStamp() {
    }

    /** Writes the length-prefixed SEI NAL unit ({@value #AVCC_BYTES} bytes) to {@code out}. */
    static void write(ByteBuf out, int streamIndex, long sequence, long sentNanos) {
        out.writeInt(NAL_BYTES);
        out.writeByte(SEI_NAL_HEADER);
        out.writeByte(USER_DATA_UNREGISTERED);
        out.writeByte(PAYLOAD_BYTES);
        out.writeBytes(UUID);
        out.writeInt(streamIndex);
        out.writeLong(sequence);
        out.writeLong(sentNanos);
        out.writeByte(RBSP_TRAILING_BITS);
    }

    /**
     * Whether {@code body}, an FLV VIDEODATA body of a coded AVC frame, starts with a harness stamp. Checks the codec,
     * the packet type, the NAL length and header, the SEI header and the UUID.
     *
     * @param body borrowed; its indexes are not changed
     */
    static boolean isStamped(ByteBuf body) {
        int at = body.readerIndex();
        return body.readableBytes() >= FLV_BODY_BYTES
                && (body.getUnsignedByte(at) & 0x8F) == 7 // not an enhanced header, CodecID 7 (AVC)
                && body.getUnsignedByte(at + 1) == 1 // AVCPacketType NALU
                && body.getInt(at + NAL_LENGTH_OFFSET) == NAL_BYTES
                && body.getUnsignedByte(at + 9) == SEI_NAL_HEADER
                && body.getUnsignedByte(at + 10) == USER_DATA_UNREGISTERED
                && body.getUnsignedByte(at + 11) == PAYLOAD_BYTES
                && body.getLong(at + UUID_OFFSET) == UUID_HIGH
                && body.getLong(at + UUID_OFFSET + 8) == UUID_LOW
                && body.getUnsignedByte(at + FLV_BODY_BYTES - 1) == RBSP_TRAILING_BITS;
    }

    /** The stream index of a body for which {@link #isStamped} is true. */
    static int streamIndex(ByteBuf body) {
        return body.getInt(body.readerIndex() + INDEX_OFFSET);
    }

    /** The sequence number of a body for which {@link #isStamped} is true. */
    static long sequence(ByteBuf body) {
        return body.getLong(body.readerIndex() + SEQUENCE_OFFSET);
    }

    /** The send time, {@link System#nanoTime()}, of a body for which {@link #isStamped} is true. */
    static long sentNanos(ByteBuf body) {
        return body.getLong(body.readerIndex() + SENT_OFFSET);
    }

    /** What marks an audio stamp: "mr-audio" in ASCII. */
    static final long AUDIO_MAGIC = longAt(new byte[] {'m', 'r', '-', 'a', 'u', 'd', 'i', 'o'}, 0);
    /** What {@link #writeAudio} writes: the magic and the send time. */
    static final int AUDIO_BYTES = 16;
    /** Offset of the stamp in an FLV AUDIODATA body of AAC: after SoundFormat/flags and AACPacketType. */
    private static final int AUDIO_OFFSET = 2;

    /**
     * Writes the audio stamp ({@value #AUDIO_BYTES} bytes: {@link #AUDIO_MAGIC}, then the send time) to {@code out},
     * the first bytes of a synthetic AAC frame. The synthetic frames are random bytes that no one decodes, so the
     * stamp replaces some of them; a replayed FLV's real AAC frames are never stamped.
     */
    static void writeAudio(ByteBuf out, long sentNanos) {
        out.writeLong(AUDIO_MAGIC);
        out.writeLong(sentNanos);
    }

    /**
     * Whether {@code body}, an FLV AUDIODATA body, is a raw AAC frame (E.4.2.1 SoundFormat 10, AACPacketType 1) that
     * starts with an audio stamp.
     *
     * @param body borrowed; its indexes are not changed
     */
    static boolean isAudioStamped(ByteBuf body) {
        int at = body.readerIndex();
        return body.readableBytes() >= AUDIO_OFFSET + AUDIO_BYTES
                && body.getUnsignedByte(at) >> 4 == 10
                && body.getUnsignedByte(at + 1) == 1
                && body.getLong(at + AUDIO_OFFSET) == AUDIO_MAGIC;
    }

    /** The send time of a body for which {@link #isAudioStamped} is true. */
    static long audioSentNanos(ByteBuf body) {
        return body.getLong(body.readerIndex() + AUDIO_OFFSET + 8);
    }

    private static long longAt(byte[] b, int from) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[from + i] & 0xFF);
        }
        return v;
    }
}
