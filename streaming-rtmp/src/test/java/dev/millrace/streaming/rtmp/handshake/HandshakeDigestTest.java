package dev.millrace.streaming.rtmp.handshake;

import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.FFMPEG_C0C1;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.FMS_KEY;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.FP_KEY;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.PACKET;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.complexC1;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.digestAround;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.digestAt;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.hex;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.hmacSha256;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.offsetOf;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.plainC1;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandshakeDigestTest {

    @Test
    void hmacHelperOfTheTestsMatchesRfc4231TestCase2() {
        // RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?"
        assertThat(hmacSha256("Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    @Test
    void keysOfTheTestsHaveTheLengthsPeersUse() {
        assertThat(FP_KEY).hasSize(62);
        assertThat(FMS_KEY).hasSize(68);
    }

    @Test
    void scheme0OffsetIsSumOfBytes8To11Mod728Plus12() {
        byte[] p = new byte[PACKET];
        p[8] = 0x01;
        p[9] = 0x02;
        p[10] = 0x03;
        p[11] = 0x04;
        assertThat(HandshakeDigest.digestOffset(p, 0)).isEqualTo(22); // 1+2+3+4 = 10; 10 + 12
        Arrays.fill(p, 8, 12, (byte) 0xFF);
        assertThat(HandshakeDigest.digestOffset(p, 0)).isEqualTo(304); // 4*255 = 1020; 1020 - 728 = 292; + 12
        Arrays.fill(p, 8, 12, (byte) 0xB6);
        assertThat(HandshakeDigest.digestOffset(p, 0)).isEqualTo(12); // 4*182 = 728; 0 + 12
    }

    @Test
    void scheme1OffsetIsSumOfBytes772To775Mod728Plus776() {
        byte[] p = new byte[PACKET];
        assertThat(HandshakeDigest.digestOffset(p, 1)).isEqualTo(776);
        Arrays.fill(p, 772, 776, (byte) 0xFF);
        assertThat(HandshakeDigest.digestOffset(p, 1)).isEqualTo(1068); // 292 + 776
        p[772] = (byte) 0xB5; // 181 + 3*255 = 946; 946 - 728 = 218; + 776
        assertThat(HandshakeDigest.digestOffset(p, 1)).isEqualTo(994);
        Arrays.fill(p, 772, 776, (byte) 0xB5); // 4*181 = 724; 724 + 776 = 1500
        assertThat(HandshakeDigest.digestOffset(p, 1)).isEqualTo(1500);
    }

    @Test
    void validatesFfmpegC1AsScheme0() {
        byte[] c1 = Arrays.copyOfRange(FFMPEG_C0C1, 1, 1 + PACKET);
        // Independent check of the captured vector: the digest FFmpeg wrote sits at 494 (see FFMPEG_C0C1).
        assertThat(digestAround(c1, 494, Arrays.copyOf(FP_KEY, 30))).isEqualTo(digestAt(c1, 494));

        assertThat(HandshakeDigest.validateC1(c1)).isEqualTo(0);
    }

    @Test
    void validatesC1SignedWithScheme0() {
        assertThat(HandshakeDigest.validateC1(complexC1(1, 0, "00000000 09007C02"))).isEqualTo(0);
    }

    @Test
    void validatesC1SignedWithScheme1() {
        assertThat(HandshakeDigest.validateC1(complexC1(2, 1, "00001000 80000702"))).isEqualTo(1);
    }

    @Test
    void rejectsC1WithGarbageDigest() {
        byte[] c1 = random(3, PACKET);
        c1[4] = 0x09; // non-zero version, so it claims a digest
        assertThat(HandshakeDigest.validateC1(c1)).isEqualTo(HandshakeDigest.NO_SCHEME);
    }

    @Test
    void rejectsC1WhoseDigestWasCorruptedByOneBit() {
        byte[] c1 = complexC1(4, 0, "00000000 09007C02");
        c1[offsetOf(c1, 0) + 31] ^= 0x01;
        assertThat(HandshakeDigest.validateC1(c1)).isEqualTo(HandshakeDigest.NO_SCHEME);
    }

    @Test
    void rejectsC1SignedWithTheServerKeyOrTheFullPlayerKey() {
        byte[] c1 = random(5, PACKET);
        c1[4] = 0x09;
        int offset = offsetOf(c1, 0);
        System.arraycopy(digestAround(c1, offset, Arrays.copyOf(FMS_KEY, 36)), 0, c1, offset, 32);
        assertThat(HandshakeDigest.validateC1(c1)).isEqualTo(HandshakeDigest.NO_SCHEME);

        System.arraycopy(digestAround(c1, offset, FP_KEY), 0, c1, offset, 32);
        assertThat(HandshakeDigest.validateC1(c1)).isEqualTo(HandshakeDigest.NO_SCHEME);
    }

    @Test
    void plainC1HasNoScheme() {
        assertThat(HandshakeDigest.validateC1(plainC1(6))).isEqualTo(HandshakeDigest.NO_SCHEME);
    }

    @Test
    void signsS1WithScheme0AndThe36ByteServerKey() {
        byte[] s1 = random(7, PACKET);
        byte[] before = s1.clone();
        int offset = HandshakeDigest.signS1(s1);

        assertThat(offset).isEqualTo(offsetOf(before, 0));
        assertThat(digestAt(s1, offset)).isEqualTo(digestAround(before, offset, Arrays.copyOf(FMS_KEY, 36)));
        assertThat(Arrays.copyOfRange(s1, 0, offset)).isEqualTo(Arrays.copyOfRange(before, 0, offset));
        assertThat(Arrays.copyOfRange(s1, offset + 32, PACKET))
                .isEqualTo(Arrays.copyOfRange(before, offset + 32, PACKET));
    }

    @Test
    void signsS2WithKeyDerivedFromTheC1DigestOfEitherScheme() {
        for (int scheme = 0; scheme <= 1; scheme++) {
            byte[] c1 = complexC1(8 + scheme, scheme, "00000000 09007C02");
            byte[] s2 = random(10, PACKET);
            byte[] before = s2.clone();
            HandshakeDigest.signS2(s2, c1, scheme);

            byte[] key = hmacSha256(FMS_KEY, digestAt(c1, offsetOf(c1, scheme)));
            assertThat(Arrays.copyOfRange(s2, 1504, PACKET))
                    .isEqualTo(hmacSha256(key, Arrays.copyOfRange(before, 0, 1504)));
            assertThat(Arrays.copyOfRange(s2, 0, 1504)).isEqualTo(Arrays.copyOfRange(before, 0, 1504));
        }
    }

    @Test
    void rejectsPacketsThatAreNot1536Bytes() {
        assertThatThrownBy(() -> HandshakeDigest.validateC1(new byte[1535]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HandshakeDigest.signS1(new byte[1537]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
