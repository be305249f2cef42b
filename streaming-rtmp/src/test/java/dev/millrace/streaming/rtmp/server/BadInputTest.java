package dev.millrace.streaming.rtmp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.Stream;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.testkit.Ffmpeg;
import dev.millrace.streaming.testkit.LogCapture;
import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and hostile sessions. Each must close only its own connection, quickly, while a real FFmpeg publisher
 * keeps streaming to a player on the same server.
 */
class BadInputTest {

    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(5);

    private static RtmpServer server;
    private static Ffmpeg.Running healthyPublisher;
    private static TestRtmpClient watcher;

    @TempDir
    static Path dir;

    private TestRtmpClient bad;
    private LogCapture warnings;
    private Reason expectedReason;

    @BeforeAll
    static void start() throws Exception {
        server = RtmpServer.builder().port(0).limits(RtmpLimits.builder().handshakeTimeoutMillis(1_500)
                .connectTimeoutMillis(1_500).build()).start();
        healthyPublisher = Ffmpeg.start(dir.resolve("healthy.log"), List.of(
                "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "120",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                "-f", "flv", "rtmp://127.0.0.1:" + server.port() + "/live/healthy"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Stream s = server.registry().find("live", "healthy");
            if (s != null && s.info().stats().videoFrames() > 0) {
                break;
            }
            Thread.sleep(20);
        }
        watcher = TestRtmpClient.handshaken(server.port());
        watcher.connect("live");
        watcher.play(watcher.createStream(), "healthy");
        assertThat(watcher.countVideo(Duration.ofSeconds(1))).as("healthy stream flows").isPositive();
    }

    @AfterAll
    static void stop() {
        if (watcher != null) {
            watcher.close();
        }
        if (healthyPublisher != null) {
            healthyPublisher.close();
        }
        server.close();
    }

    @BeforeEach
    void openBad() throws Exception {
        warnings = LogCapture.of(RtmpSession.class, Level.WARN);
        bad = TestRtmpClient.open(server.port());
    }

    @AfterEach
    void checkOthersUnharmed() throws Exception {
        int port = bad.localPort();
        bad.close();
        List<LogCapture.Line> lines = warnings.lines(l -> l.message().contains(":" + port + ")"));
        warnings.close();
        if (expectedReason != null) {
            assertThat(lines).as("exactly one WARN line for the bad connection").hasSize(1);
            assertThat(lines.get(0).message()).contains("closing connection: " + expectedReason.name());
        } else {
            assertThat(lines).isEmpty();
        }
        assertThat(watcher.countVideo(Duration.ofMillis(500))).as("the healthy stream keeps flowing").isPositive();
        assertThat(watcher.isClosed()).isFalse();
        assertThat(healthyPublisher.isAlive()).isTrue();
    }

    private void assertClosed(Reason reason) throws Exception {
        expectedReason = reason;
        assertThat(bad.awaitClosed(CLOSE_DEADLINE)).as("server closed the bad connection").isTrue();
    }

    /** A chunk with a type-0 header on {@code csid} (2..63) carrying a whole message; msid little-endian. */
    private static byte[] message(int csid, int typeId, int msid, byte[] payload, int declaredLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(csid); // fmt 0
        b.write(0);
        b.write(0);
        b.write(0); // timestamp 0
        b.write(declaredLength >>> 16);
        b.write(declaredLength >>> 8);
        b.write(declaredLength);
        b.write(typeId);
        b.write(msid);
        b.write(msid >>> 8);
        b.write(msid >>> 16);
        b.write(msid >>> 24);
        b.write(payload, 0, payload.length);
        return b.toByteArray();
    }

    private static byte[] message(int csid, int typeId, byte[] payload) {
        return message(csid, typeId, 0, payload, payload.length);
    }

    private static byte[] hex(String s) {
        String h = s.replace(" ", "");
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    @Test
    void rtmpeVersionByteIsRefused() throws Exception {
        byte[] c0c1 = new byte[1537];
        c0c1[0] = 6; // RTMPE
        bad.sendRaw(c0c1);
        assertClosed(Reason.BAD_HANDSHAKE);
    }

    @Test
    void aStalledHandshakeTimesOut() throws Exception {
        bad.sendRaw(new byte[] {3, 0, 0, 0, 0});
        assertClosed(Reason.TIMEOUT);
    }

    @Test
    void aDeclaredLengthOverTheLimitClosesBeforeTheBodyArrives() throws Exception {
        bad.handshake();
        bad.sendRaw(message(3, 20, 0, new byte[0], 0xFFFFFF)); // 16 MiB command, no body sent
        assertClosed(Reason.MESSAGE_TOO_LARGE);
    }

    @Test
    void anOversizedVideoMessageIsRefused() throws Exception {
        bad.handshake();
        bad.connect("live");
        bad.sendRaw(message(7, 9, 1, new byte[16], 0xFFFFF0));
        assertClosed(Reason.MESSAGE_TOO_LARGE);
    }

    @Test
    void brokenAmfInConnectClosesTheConnection() throws Exception {
        bad.handshake();
        // string marker, length 7, "con" and then nothing: the value is truncated
        bad.sendRaw(message(3, 20, hex("02 0007 636f6e")));
        assertClosed(Reason.BAD_AMF);
    }

    @Test
    void deeplyNestedAmfIsRefused() throws Exception {
        bad.handshake();
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(hex("02 0007 636f6e6e656374 00 3ff0000000000000")); // "connect", 1.0
        for (int i = 0; i < 5_000; i++) {
            p.writeBytes(hex("03 0001 61")); // object { "a": object { ...
        }
        bad.sendRaw(message(2, 1, hex("00010000"))); // chunk size 65536, so the message travels in one chunk
        bad.sendRaw(message(3, 20, p.toByteArray()));
        assertClosed(Reason.BAD_AMF);
    }

    @Test
    void aHugeDeclaredAmfStringIsRefused() throws Exception {
        bad.handshake();
        bad.sendRaw(message(3, 20, hex("0c ffffffff 6162"))); // long string of 4 GiB, 2 bytes present
        assertClosed(Reason.BAD_AMF);
    }

    @Test
    void setChunkSizeZeroIsRefused() throws Exception {
        bad.handshake();
        bad.sendRaw(message(2, 1, hex("00000000")));
        assertClosed(Reason.BAD_CHUNK_SIZE);
    }

    @Test
    void setChunkSizeWithTheHighBitIsRefused() throws Exception {
        bad.handshake();
        bad.sendRaw(message(2, 1, hex("80001000")));
        assertClosed(Reason.BAD_CHUNK_SIZE);
    }

    @Test
    void oneByteChunksAreRefused() throws Exception {
        bad.handshake();
        bad.sendRaw(message(2, 1, hex("00000001")));
        assertClosed(Reason.BAD_CHUNK_SIZE);
    }

    @Test
    void truncatedControlMessagesAreRefused() throws Exception {
        bad.handshake();
        bad.sendRaw(message(2, 5, hex("0026"))); // Window Acknowledgement Size needs 4 bytes
        assertClosed(Reason.BAD_CONTROL_MESSAGE);
    }

    @Test
    void aTruncatedUserControlMessageIsRefused() throws Exception {
        bad.handshake();
        bad.sendRaw(message(2, 4, hex("00")));
        assertClosed(Reason.BAD_CONTROL_MESSAGE);
    }

    @Test
    void aType3ChunkOnAFreshChunkStreamIsRefused() throws Exception {
        bad.handshake();
        bad.sendRaw(hex("c9 0102030405")); // fmt 3, csid 9: no previous header to repeat
        assertClosed(Reason.BAD_CHUNK_HEADER);
    }

    @Test
    void aMessageLengthThatChangesMidMessageIsRefused() throws Exception {
        bad.handshake();
        bad.connect("live");
        // fmt 0 on csid 7: video message of 300 bytes; 128 arrive (default chunk size)...
        byte[] first = message(7, 9, 1, new byte[128], 300);
        // ...then a fmt 1 header on csid 7 declaring another length in the middle of that message.
        byte[] second = hex("47 000000 000010 09 00112233");
        bad.sendRaw(first);
        bad.sendRaw(second);
        assertClosed(Reason.MESSAGE_LENGTH_CHANGED);
    }

    @Test
    void tooManyChunkStreamsAreRefused() throws Exception {
        bad.handshake();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int csid = 0; csid < 300; csid++) {
            // 2-byte basic header form: csid = 64 + b1; each starts a 200-byte message and sends its first
            // 128-byte chunk, so every chunk stream holds an unfinished message.
            b.write(0x00);
            b.write(csid);
            b.writeBytes(hex("000000 0000c8 09 01000000"));
            b.writeBytes(new byte[128]);
        }
        bad.sendRaw(b.toByteArray());
        assertClosed(Reason.TOO_MANY_CHUNK_STREAMS);
    }

    @Test
    void commandsBeforeConnectAreRefused() throws Exception {
        bad.handshake();
        bad.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "createStream", 2.0, null));
        assertClosed(Reason.BAD_COMMAND);
    }

    @Test
    void pathTraversalInTheStreamNameIsRefused() throws Exception {
        bad.handshake();
        bad.connect("live");
        int sid = bad.createStream();
        bad.publish(sid, "../../etc/passwd");
        assertThat(bad.awaitStatus(CLOSE_DEADLINE)).isEqualTo("NetStream.Publish.BadName");
        assertClosed(Reason.BAD_NAME);
        assertThat(server.registry().list()).noneMatch(s -> s.name().contains(".."));
    }

    @Test
    void pathTraversalInTheAppIsRefused() throws Exception {
        bad.handshake();
        dev.millrace.streaming.rtmp.amf.AmfObject obj = new dev.millrace.streaming.rtmp.amf.AmfObject();
        obj.put("app", "../live");
        bad.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "connect", 1.0, obj));
        bad.awaitCommand("_error", CLOSE_DEADLINE);
        assertClosed(Reason.BAD_NAME);
    }

    @Test
    void anAbruptDisconnectMidMessageHarmsNothing() throws Exception {
        bad.handshake();
        bad.connect("live");
        int sid = bad.createStream();
        bad.publish(sid, "abrupt");
        assertThat(bad.awaitStatus(CLOSE_DEADLINE)).isEqualTo("NetStream.Publish.Start");
        bad.sendRaw(message(7, 9, sid, new byte[100], 5000)); // half a video message, then gone
        bad.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.registry().find("live", "abrupt") != null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.registry().find("live", "abrupt")).as("the stream is unpublished").isNull();
    }

    @Test
    void garbageAfterTheHandshakeClosesTheConnection() throws Exception {
        bad.handshake();
        byte[] junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        bad.sendRaw(junk);
        assertClosed(Reason.MESSAGE_TOO_LARGE);
    }
}
