package dev.millrace.streaming.rtmp.handshake;

import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.PACKET;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.UNTRACKED;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.buf;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.concat;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.drainOutbound;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.feed;
import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.hex;
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

class ClientHandshakeHandlerTest {

    private static final long TIMEOUT_MILLIS = 5_000;

    /** S0: RTMP 1.0 section 5.2.2, version 3. */
    private static final byte[] S0 = hex("03");

    /**
     * An S1 with time 0x1234 and a non-zero version (13.14.10.13, as nginx-rtmp's complex S1) but no valid digest:
     * the client echoes it and validates nothing.
     */
    private static final byte[] S1 = concat(hex("00001234 0D0E0A0D"), random(1, PACKET - 8));

    /** An S2 that is neither an echo of C1 nor validly signed: a client must still accept it. */
    private static final byte[] S2 = random(2, PACKET);

    /** What a server sends right after S2: Window Acknowledgement Size 2500000 on chunk stream 2. */
    private static final byte[] AFTER_S2 = hex(""
            + "02"              // RTMP 5.3.1.1: fmt 0, chunk stream id 2
            + "000000"          // 5.3.1.2.1: timestamp 0
            + "000004"          // message length 4
            + "05"              // message type id 5, Window Acknowledgement Size (5.4.4)
            + "00000000"        // message stream id 0
            + "002625a0");      // 2500000

    private static byte[] range(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    /** Reads the single C0 + C1 buffer and checks its fixed bytes. */
    private static void assertC0PlainC1(EmbeddedChannel ch) {
        List<byte[]> out = drainOutbound(ch);
        assertThat(out).hasSize(1);
        byte[] c0c1 = out.get(0);
        assertThat(c0c1).hasSize(1 + PACKET);
        // C0 = 3 (5.2.2); C1 (5.2.3): time 0, zero field 0, so that servers use the plain handshake.
        assertThat(range(c0c1, 0, 9)).isEqualTo(hex("03 00000000 00000000"));
        assertThat(range(c0c1, 9, 1 + PACKET)).isNotEqualTo(new byte[PACKET - 8]);
    }

    @Test
    void sendsC0AndPlainC1OnceWhenTheChannelIsActive() {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(TIMEOUT_MILLIS), new Recorder());

        assertC0PlainC1(ch);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void sendsC0AndC1WhenAddedToAnAlreadyActiveChannel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(ch.isActive()).isTrue();

        ch.pipeline().addLast(new ClientHandshakeHandler(TIMEOUT_MILLIS));

        assertC0PlainC1(ch);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void echoesS1AsC2AcceptsAnyS2AndLeavesThePipeline() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(TIMEOUT_MILLIS), recorder);
        assertC0PlainC1(ch);

        ch.writeInbound(buf(S0, S1, S2));

        List<byte[]> out = drainOutbound(ch);
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isEqualTo(S1); // C2 = S1 byte for byte (5.2.4)
        assertThat(recorder.seen).containsExactly(new HandshakeCompleted(false));
        assertThat(ch.pipeline().get(ClientHandshakeHandler.class)).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void sendsNoC2BeforeAllOfS2Arrived() {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(TIMEOUT_MILLIS), new Recorder());
        assertC0PlainC1(ch);

        ch.writeInbound(buf(S0, S1, range(S2, 0, PACKET - 1)));
        assertThat(drainOutbound(ch)).isEmpty();

        ch.writeInbound(buf(range(S2, PACKET - 1, PACKET)));
        assertThat(drainOutbound(ch)).containsExactly(S1);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void flushesC2TogetherWithWhatTheNextHandlerWritesForTheEvent() {
        byte[] setChunkSize = hex("02 000000 000004 01 00000000 00001000");
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(TIMEOUT_MILLIS),
                new Recorder(setChunkSize));
        assertC0PlainC1(ch);

        ch.writeInbound(buf(S0, S1, S2));

        // The recorder wrote without flushing; both left in the handler's one flush, C2 first.
        assertThat(drainOutbound(ch)).containsExactly(S1, setChunkSize);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void passesBytesAfterS2InOrderAfterTheEvent() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(TIMEOUT_MILLIS), recorder);
        assertC0PlainC1(ch);

        ch.writeInbound(buf(S0, S1, S2, AFTER_S2));
        ch.writeInbound(buf(hex("42 000000 000000")));

        assertThat(recorder.seen.get(0)).isEqualTo(new HandshakeCompleted(false));
        assertThat(recorder.events()).hasSize(1);
        assertThat(recorder.bytes()).isEqualTo(concat(AFTER_S2, hex("42 000000 000000")));
        assertThat(drainOutbound(ch)).containsExactly(S1);
        assertThat(ch.finish()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1536, 1537, 1538, 3000, 3073, 3074, 3089})
    void givesTheSameResultForRepresentativeSplitSizes(int chunk) {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(TIMEOUT_MILLIS), recorder);
        assertC0PlainC1(ch);

        feed(ch, concat(S0, S1, S2, AFTER_S2), chunk);

        assertThat(drainOutbound(ch)).containsExactly(S1);
        assertThat(recorder.events()).containsExactly(new HandshakeCompleted(false));
        assertThat(recorder.seen.get(0)).isInstanceOf(HandshakeCompleted.class);
        assertThat(recorder.bytes()).isEqualTo(AFTER_S2);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void givesTheSameResultForEveryInputSplitSize() {
        byte[] input = concat(S0, S1, S2, AFTER_S2);
        for (int chunk = 1; chunk <= input.length; chunk++) {
            Recorder recorder = new Recorder();
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.config().setAllocator(UNTRACKED);
            ch.pipeline().addLast(new ClientHandshakeHandler(TIMEOUT_MILLIS), recorder);
            assertC0PlainC1(ch);

            feed(ch, input, chunk);

            assertThat(drainOutbound(ch)).as("chunk %d", chunk).containsExactly(S1);
            assertThat(recorder.events()).as("chunk %d", chunk).containsExactly(new HandshakeCompleted(false));
            assertThat(recorder.seen.get(0)).isInstanceOf(HandshakeCompleted.class);
            assertThat(recorder.bytes()).as("chunk %d", chunk).isEqualTo(AFTER_S2);
            assertThat(ch.finish()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 0, 0x48})
    void rejectsS0OtherThan3AndSendsNoC2(int s0) {
        // 6: an RTMPE answer; 0x48: "HTTP/1.1 400" from a web server.
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandshakeHandler(TIMEOUT_MILLIS), recorder);
        assertC0PlainC1(ch);

        assertThatThrownBy(() -> ch.writeInbound(buf(new byte[] {(byte) s0}, S1, S2)))
                .isInstanceOfSatisfying(RtmpProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(RtmpProtocolException.Reason.BAD_HANDSHAKE));

        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(ch.isOpen()).isFalse();
        assertThat(recorder.seen).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void closesTheChannelWithTimeoutWhenTheServerStaysSilent() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        Recorder recorder = new Recorder();
        ch.pipeline().addLast(new ClientHandshakeHandler(2_000), recorder);
        assertC0PlainC1(ch);
        ch.writeInbound(buf(S0, S1));

        ch.advanceTimeBy(1_999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();

        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThatThrownBy(ch::checkException)
                .isInstanceOfSatisfying(RtmpProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(RtmpProtocolException.Reason.TIMEOUT));
        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(recorder.seen).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void cancelsTheTimerOnCompletion() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new ClientHandshakeHandler(2_000), new Recorder());
        assertC0PlainC1(ch);
        ch.writeInbound(buf(S0, S1, S2));
        assertThat(drainOutbound(ch)).containsExactly(S1);

        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1);
        ch.advanceTimeBy(10_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.checkException();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThatThrownBy(() -> new ClientHandshakeHandler(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
