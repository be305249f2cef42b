package dev.millrace.streaming.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FrameStampTest {

    /** An FLV VIDEODATA body of an AVC inter frame whose first NAL unit is {@code nal} (with its length prefix). */
    private static ByteBuf body(String nalHex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(""
                + "27"        // FLV 10.1 E.4.3.1: FrameType 2 (inter) | CodecID 7 (AVC)
                + "01"        // AVCPacketType 1: NALU
                + "000000"    // CompositionTime 0
                + nalHex
                + "00000005" + "419a0b0c0d")); // then the slice: length 5, NAL header 0x41 (non-IDR)
    }

    private static final String STAMP_HEX = ""
            + "00000028"                          // NAL unit length 40
            + "06"                                // H.264 7.3.1: nal_ref_idc 0, nal_unit_type 6 (SEI)
            + "05"                                // D.1: payloadType 5, user_data_unregistered
            + "24"                                // payloadSize 36
            + "6d696c6c726163652d7374616d702d31"  // uuid_iso_iec_11578 "millrace-stamp-1"
            + "00000003"                          // stream index 3
            + "0000000000000102"                  // sequence 258
            + "fffffffffffffff6"                  // send time -10 (nanoTime may be negative)
            + "80";                               // rbsp_trailing_bits

    @Test
    void writesTheSeiNalUnitByteForByte() {
        ByteBuf out = Unpooled.buffer();
        try {
            FrameStamp.write(out, 3, 258, -10);
            assertThat(out.readableBytes()).isEqualTo(FrameStamp.AVCC_BYTES);
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(STAMP_HEX);
        } finally {
            out.release();
        }
    }

    @Test
    void readsBackWhatWasWrittenAtAnyReaderIndex() {
        ByteBuf body = Unpooled.buffer();
        try {
            body.writeBytes(HexFormat.of().parseHex("ffff")); // junk before the body
            body.skipBytes(2);
            body.writeBytes(HexFormat.of().parseHex("1701000000"));
            long now = System.nanoTime();
            FrameStamp.write(body, 7, 123_456_789_012L, now);
            body.writeBytes(HexFormat.of().parseHex("00000003650102"));
            assertThat(FrameStamp.isStamped(body)).isTrue();
            assertThat(FrameStamp.streamIndex(body)).isEqualTo(7);
            assertThat(FrameStamp.sequence(body)).isEqualTo(123_456_789_012L);
            assertThat(FrameStamp.sentNanos(body)).isEqualTo(now);
            assertThat(body.readerIndex()).isEqualTo(2);
        } finally {
            body.release();
        }
    }

    @Test
    void acceptsTheHandWrittenStamp() {
        ByteBuf b = body(STAMP_HEX);
        assertThat(FrameStamp.isStamped(b)).isTrue();
        assertThat(FrameStamp.streamIndex(b)).isEqualTo(3);
        assertThat(FrameStamp.sequence(b)).isEqualTo(258);
        assertThat(FrameStamp.sentNanos(b)).isEqualTo(-10);
    }

    @Test
    void rejectsUserDataWithAnotherUuid() {
        // x264 writes its version string as user_data_unregistered with its own UUID
        String foreign = STAMP_HEX.replace("6d696c6c726163652d7374616d702d31", "dc45e9bde6d948b7962cd820d923eeef");
        assertThat(FrameStamp.isStamped(body(foreign))).isFalse();
    }

    @Test
    void rejectsAnotherSeiPayloadType() {
        String recoveryPoint = STAMP_HEX.substring(0, 10) + "06" + STAMP_HEX.substring(12); // payloadType 6
        assertThat(FrameStamp.isStamped(body(recoveryPoint))).isFalse();
    }

    @Test
    void rejectsAFrameThatStartsWithItsSlice() {
        assertThat(FrameStamp.isStamped(body("0000002c" + "41" + "00".repeat(43)))).isFalse();
    }

    @Test
    void rejectsASequenceHeaderAndOtherCodecsAndShortBodies() {
        ByteBuf stamped = body(STAMP_HEX);
        stamped.setByte(1, 0); // AVCPacketType 0: sequence header
        assertThat(FrameStamp.isStamped(stamped)).isFalse();
        ByteBuf hevc = body(STAMP_HEX);
        hevc.setByte(0, 0x2C); // CodecID 12
        assertThat(FrameStamp.isStamped(hevc)).isFalse();
        ByteBuf enhanced = body(STAMP_HEX);
        enhanced.setByte(0, 0xA7); // IsExHeader set
        assertThat(FrameStamp.isStamped(enhanced)).isFalse();
        assertThat(FrameStamp.isStamped(body(STAMP_HEX).slice(0, 48))).isFalse();
    }

    @Test
    void audioStampSitsAfterTheAacHeaderAndOnlyInRawAacFrames() {
        ByteBuf body = Unpooled.buffer();
        try {
            body.writeBytes(HexFormat.of().parseHex("af01")); // E.4.2.1: SoundFormat 10 (AAC), AACPacketType 1 (raw)
            FrameStamp.writeAudio(body, -10);
            body.writeBytes(new byte[150]);
            assertThat(ByteBufUtil.hexDump(body, 0, 2 + FrameStamp.AUDIO_BYTES))
                    .isEqualTo("af01" + "6d722d617564696f" + "fffffffffffffff6"); // "mr-audio", send time -10
            assertThat(FrameStamp.isAudioStamped(body)).isTrue();
            assertThat(FrameStamp.audioSentNanos(body)).isEqualTo(-10);

            body.setByte(1, 0); // an AAC sequence header is never a stamped frame
            assertThat(FrameStamp.isAudioStamped(body)).isFalse();
            body.setByte(1, 1);
            body.setByte(0, 0x2f); // MP3
            assertThat(FrameStamp.isAudioStamped(body)).isFalse();
            body.setByte(0, 0xaf);
            body.setByte(2, 'M'); // real AAC bytes, not the magic
            assertThat(FrameStamp.isAudioStamped(body)).isFalse();
        } finally {
            body.release();
        }
    }
}
