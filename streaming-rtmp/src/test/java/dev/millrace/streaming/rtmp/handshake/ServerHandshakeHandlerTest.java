package dev.millrace.streaming.rtmp.handshake;

import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.FFMPEG_C0C1;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.FMS_KEY;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.PACKET;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.UNTRACKED;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.buf;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.complexC1;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.concat;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.digestAround;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.digestAt;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.drainOutbound;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.feed;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.hex;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.hmacSha256;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.offsetOf;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.plainC1;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.Recorder;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerHandshakeHandlerTest {

    private static final long TIMEOUT_MILLIS = 5_000;

    /** C0: RTMP 1.0 section 5.2.2, version 3. */
    private static final byte[] C0 = hex("03");

    /**
     * What OBS sends right after C2 in the same segment: SetChunkSize(4096) as one chunk, then the start of the
     * connect command's first chunk.
     */
    private static final byte[] AFTER_C2 = hex(""
            + "02"              // RTMP 5.3.1.1: fmt 0, chunk stream id 2
            + "000000"          // 5.3.1.2.1: timestamp 0
            + "000004"          // message length 4
            + "01"              // message type id 1, Set Chunk Size (5.4.1)
            + "00000000"        // message stream id 0 (little endian)
            + "00001000"        // chunk size 4096
            + "03"              // fmt 0, chunk stream id 3
            + "000000"          // timestamp 0
            + "0000c5"          // message length 197
            + "14"              // message type id 20, AMF0 command (7.1.1)
            + "00000000"        // message stream id 0
            + "0200 07 636f6e6e656374"); // AMF0 string "connect"

    private static EmbeddedChannel server(Recorder recorder) {
        return new EmbeddedChannel(new ServerHandshakeHandler(TIMEOUT_MILLIS), recorder);
    }

    private static byte[] range(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    /** Reads the single buffer the server wrote for C0 + C1 and checks it is S0 + S1 + S2. */
    private static byte[] singleResponse(EmbeddedChannel ch) {
        List<byte[]> out = drainOutbound(ch);
        assertThat(out).hasSize(1);
        byte[] r = out.get(0);
        assertThat(r).hasSize(1 + 2 * PACKET);
        assertThat(r[0]).isEqualTo((byte) 3); // S0: RTMP 1.0 section 5.2.2, version 3
        return r;
    }

    private static void assertPlainResponse(byte[] r, byte[] c1) {
        // S1 (RTMP 1.0 section 5.2.3): time 0, then the zero field that a complex S1 uses for its version.
        assertThat(range(r, 1, 9)).isEqualTo(hex("00000000 00000000"));
        // S2: C1 echoed byte for byte, time included.
        assertThat(range(r, 1 + PACKET, 1 + 2 * PACKET)).isEqualTo(c1);
    }

    private static void assertComplexResponse(byte[] r, byte[] c1, int c1Scheme) {
        byte[] s1 = range(r, 1, 1 + PACKET);
        byte[] s2 = range(r, 1 + PACKET, 1 + 2 * PACKET);
        assertThat(range(s1, 0, 8)).isEqualTo(hex("00000000 0D0E0A0D")); // time 0, version 13.14.10.13
        // S1 digest: scheme 0, HMAC-SHA256 keyed with the 36-byte FMS key (field guide section 3).
        int s1Offset = offsetOf(s1, 0);
        assertThat(digestAt(s1, s1Offset)).isEqualTo(digestAround(s1, s1Offset, Arrays.copyOf(FMS_KEY, 36)));
        // S2 signature: HMAC-SHA256(key = HMAC-SHA256(68-byte FMS key, C1 digest), S2[0..1504)).
        byte[] key = hmacSha256(FMS_KEY, digestAt(c1, offsetOf(c1, c1Scheme)));
        assertThat(range(s2, 1504, PACKET)).isEqualTo(hmacSha256(key, range(s2, 0, 1504)));
    }

    @Test
    void answersPlainC1WithZeroVersionS1AndExactEchoInOneBuffer() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);
        byte[] c1 = plainC1(1);

        ch.writeInbound(buf(C0, c1));

        assertPlainResponse(singleResponse(ch), c1);
        assertThat(recorder.seen).isEmpty();
        assertThat(ch.pipeline().get(ServerHandshakeHandler.class)).isNotNull();

        ch.writeInbound(buf(random(2, PACKET))); // C2: random bytes, not an echo, are accepted

        assertThat(recorder.seen).containsExactly(new HandshakeCompleted(false));
        assertThat(ch.pipeline().get(ServerHandshakeHandler.class)).isNull();
        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void answersC1SignedWithEitherSchemeWithSignedS1AndS2(int scheme) {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);
        byte[] c1 = complexC1(20 + scheme, scheme, "00000000 09007C02");

        ch.writeInbound(buf(C0, c1));

        assertComplexResponse(singleResponse(ch), c1, scheme);
        ch.writeInbound(buf(random(3, PACKET)));
        assertThat(recorder.seen).containsExactly(new HandshakeCompleted(true));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void answersTheC1OfRealFfmpegWithTheComplexHandshake() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);

        ch.writeInbound(buf(FFMPEG_C0C1));

        assertComplexResponse(singleResponse(ch), range(FFMPEG_C0C1, 1, 1 + PACKET), 0);
        ch.writeInbound(buf(random(4, PACKET)));
        assertThat(recorder.seen).containsExactly(new HandshakeCompleted(true));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void answersAC1BuiltLikeFfmpegWithTheComplexHandshake() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);
        // rtmpproto.c rtmp_handshake: uptime 0, version 9.0.124.2, digest with scheme 0 and the 30-byte FP key.
        byte[] c1 = complexC1(5, 0, "00000000 09007C02");

        ch.writeInbound(buf(C0, c1));

        assertComplexResponse(singleResponse(ch), c1, 0);
        ch.writeInbound(buf(random(6, PACKET)));
        assertThat(recorder.events()).containsExactly(new HandshakeCompleted(true));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void fallsBackToPlainHandshakeWithZeroS1VersionWhenTheDigestIsGarbage() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);
        byte[] c1 = random(7, PACKET);
        System.arraycopy(hex("00000000 09007C02"), 0, c1, 0, 8); // claims a digest, carries none

        ch.writeInbound(buf(C0, c1));

        assertPlainResponse(singleResponse(ch), c1);
        ch.writeInbound(buf(random(8, PACKET)));
        assertThat(recorder.seen).containsExactly(new HandshakeCompleted(false));
        assertThat(ch.finish()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 8, 0, 4, 0x16, 0x47})
    void rejectsC0OtherThan3AndAnswersNothing(int c0) {
        // 6 and 8: RTMPE; 0x16: a TLS ClientHello; 0x47: "GET" from an HTTP client.
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);

        assertThatThrownBy(() -> ch.writeInbound(buf(new byte[] {(byte) c0}, complexC1(9, 0, "00000000 09007C02"))))
                .isInstanceOfSatisfying(RtmpProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(RtmpProtocolException.Reason.BAD_HANDSHAKE));

        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(recorder.seen).isEmpty();
        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1); // timer cancelled
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void rejectsBadC0AsSoonAsItsOneByteArrives() {
        EmbeddedChannel ch = server(new Recorder());

        assertThatThrownBy(() -> ch.writeInbound(buf(hex("06"))))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("RTMPE");

        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void waitsForTheLastByteOfC1BeforeAnswering() {
        EmbeddedChannel ch = server(new Recorder());
        byte[] c0c1 = concat(C0, plainC1(10));

        ch.writeInbound(buf(range(c0c1, 0, c0c1.length - 1)));
        assertThat(drainOutbound(ch)).isEmpty();

        ch.writeInbound(buf(range(c0c1, c0c1.length - 1, c0c1.length)));
        assertPlainResponse(singleResponse(ch), range(c0c1, 1, c0c1.length));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void passesBytesAfterC2InTheSameBufferToTheNextHandlerAfterTheEvent() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);
        ch.writeInbound(buf(C0, plainC1(11)));
        singleResponse(ch);

        ch.writeInbound(buf(random(12, PACKET), AFTER_C2));

        assertThat(recorder.seen).hasSize(2);
        assertThat(recorder.seen.get(0)).isEqualTo(new HandshakeCompleted(false));
        assertThat((byte[]) recorder.seen.get(1)).isEqualTo(AFTER_C2);
        assertThat(ch.pipeline().get(ServerHandshakeHandler.class)).isNull();

        // Later reads go straight to the next handler.
        ch.writeInbound(buf(hex("c3 0102")));
        assertThat(recorder.bytes()).isEqualTo(concat(AFTER_C2, hex("c3 0102")));
        assertThat(recorder.events()).hasSize(1);
        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void completesWhenC0C1C2AndMoreArriveInOneBuffer() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);
        byte[] c1 = plainC1(13);

        ch.writeInbound(buf(C0, c1, random(14, PACKET), AFTER_C2));

        assertPlainResponse(singleResponse(ch), c1);
        assertThat(recorder.events()).containsExactly(new HandshakeCompleted(false));
        assertThat(recorder.firstBytesIndex()).isEqualTo(1);
        assertThat(recorder.bytes()).isEqualTo(AFTER_C2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void plainHandshakeGivesTheSameResultForEveryInputSplitSize() {
        byte[] c1 = plainC1(15);
        byte[] input = concat(C0, c1, random(16, PACKET), AFTER_C2);
        for (int chunk = 1; chunk <= input.length; chunk++) {
            Recorder recorder = new Recorder();
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.config().setAllocator(UNTRACKED);
            ch.pipeline().addLast(new ServerHandshakeHandler(TIMEOUT_MILLIS), recorder);

            feed(ch, input, chunk);

            assertPlainResponse(singleResponse(ch), c1);
            assertThat(recorder.events()).as("chunk %d", chunk).containsExactly(new HandshakeCompleted(false));
            assertThat(recorder.seen.get(0)).as("chunk %d", chunk).isInstanceOf(HandshakeCompleted.class);
            assertThat(recorder.bytes()).as("chunk %d", chunk).isEqualTo(AFTER_C2);
            assertThat(ch.pipeline().get(ServerHandshakeHandler.class)).isNull();
            assertThat(ch.finish()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1536, 1537, 1538, 3000, 3073, 3074, 3111})
    void complexHandshakeGivesTheSameResultForRepresentativeSplitSizes(int chunk) {
        byte[] c1 = complexC1(17, 1, "00000000 80000702");
        byte[] input = concat(C0, c1, random(18, PACKET), AFTER_C2);
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = server(recorder);

        feed(ch, input, chunk);

        assertComplexResponse(singleResponse(ch), c1, 1);
        assertThat(recorder.events()).containsExactly(new HandshakeCompleted(true));
        assertThat(recorder.seen.get(0)).isInstanceOf(HandshakeCompleted.class);
        assertThat(recorder.bytes()).isEqualTo(AFTER_C2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void closesTheChannelWithTimeoutWhenC0C1NeverComes() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        Recorder recorder = new Recorder();
        ch.pipeline().addLast(new ServerHandshakeHandler(1_000), recorder);
        ch.writeInbound(buf(C0, range(plainC1(19), 0, 100)));

        ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();

        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThatThrownBy(ch::checkException)
                .isInstanceOfSatisfying(RtmpProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(RtmpProtocolException.Reason.TIMEOUT));
        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(recorder.events()).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void closesTheChannelWithTimeoutWhenC2NeverComes() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        Recorder recorder = new Recorder();
        ch.pipeline().addLast(new ServerHandshakeHandler(1_000), recorder);
        ch.writeInbound(buf(C0, plainC1(20), range(random(21, PACKET), 0, 1535)));
        singleResponse(ch);

        ch.advanceTimeBy(1_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isOpen()).isFalse();
        assertThatThrownBy(ch::checkException).isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("TIMEOUT");
        assertThat(recorder.seen).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void cancelsTheTimerOnCompletion() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new ServerHandshakeHandler(1_000), new Recorder());
        ch.writeInbound(buf(C0, plainC1(22), random(23, PACKET)));
        singleResponse(ch);

        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1); // nothing scheduled any more
        ch.advanceTimeBy(10_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.checkException();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void cancelsTheTimerWhenThePeerCloses() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new ServerHandshakeHandler(1_000), new Recorder());
        ch.writeInbound(buf(C0, range(plainC1(24), 0, 10)));

        ch.close();

        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1);
        ch.advanceTimeBy(10_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.checkException();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThatThrownBy(() -> new ServerHandshakeHandler(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
