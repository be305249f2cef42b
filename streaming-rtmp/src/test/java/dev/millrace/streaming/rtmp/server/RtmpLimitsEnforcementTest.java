package dev.millrace.streaming.rtmp.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.testkit.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection and timeout limits of {@link RtmpLimits}, each shown to hold on a real server. (The protocol limits
 * are covered by the chunk and AMF tests and by BadInputTest.)
 */
class RtmpLimitsEnforcementTest {

    private static final Duration T = Duration.ofSeconds(5);

    private RtmpServer server;
    private final List<TestRtmpClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(TestRtmpClient::close);
        if (server != null) {
            server.close();
        }
    }

    private void start(RtmpLimits limits) throws InterruptedException {
        server = RtmpServer.builder().port(0).limits(limits).start();
    }

    private TestRtmpClient keep(TestRtmpClient c) {
        clients.add(c);
        return c;
    }

    private TestRtmpClient connected(String from) throws Exception {
        TestRtmpClient c = keep(TestRtmpClient.openFrom(from, server.port()));
        c.handshake();
        c.connect("live");
        return c;
    }

    /** A connection the server closes at once, before answering the handshake. */
    private boolean refused(String from) throws Exception {
        TestRtmpClient c = keep(TestRtmpClient.openFrom(from, server.port()));
        return c.awaitClosed(T);
    }

    @Test
    void maxConnectionsHolds() throws Exception {
        start(RtmpLimits.builder().maxConnections(2).build());
        connected("127.0.0.1");
        TestRtmpClient second = connected("127.0.0.2");
        assertThat(refused("127.0.0.3")).isTrue();
        second.close();
        awaitOpenConnections(1);
        connected("127.0.0.3");
    }

    @Test
    void maxConnectionsPerAddressHolds() throws Exception {
        start(RtmpLimits.builder().maxConnectionsPerAddress(2).build());
        connected("127.0.0.1");
        connected("127.0.0.1");
        assertThat(refused("127.0.0.1")).isTrue();
        connected("127.0.0.2"); // another address is not affected
    }

    @Test
    void maxPendingConnectionsHolds() throws Exception {
        start(RtmpLimits.builder().maxPendingConnections(1).build());
        TestRtmpClient silent = keep(TestRtmpClient.open(server.port())); // no handshake: pending
        awaitOpenConnections(1);
        assertThat(refused("127.0.0.1")).isTrue();
        silent.handshake();
        silent.connect("live"); // no longer pending
        connected("127.0.0.1");
    }

    @Test
    void connectTimeoutHolds() throws Exception {
        start(RtmpLimits.builder().connectTimeoutMillis(300).build());
        try (LogCapture logs = LogCapture.of(RtmpSession.class, Level.WARN)) {
            TestRtmpClient c = keep(TestRtmpClient.handshaken(server.port()));
            long t0 = System.nanoTime();
            assertThat(c.awaitClosed(T)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250),
                    Duration.ofMillis(2_000));
            assertThat(logs.lines()).singleElement().satisfies(l -> assertThat(l.message())
                    .contains("TIMEOUT: no connect command within 300 ms"));
        }
    }

    @Test
    void streamRequestTimeoutHolds() throws Exception {
        start(RtmpLimits.builder().streamRequestTimeoutMillis(300).build());
        TestRtmpClient idle = connected("127.0.0.1");
        assertThat(idle.awaitClosed(T)).isTrue();
        TestRtmpClient player = connected("127.0.0.1");
        player.play(player.createStream(), "x");
        assertThat(player.awaitClosed(Duration.ofMillis(800))).as("a player is not idle").isFalse();
    }

    @Test
    void firstMediaTimeoutHolds() throws Exception {
        start(RtmpLimits.builder().firstMediaTimeoutMillis(300).build());
        TestRtmpClient c = connected("127.0.0.1");
        c.publish(c.createStream(), "silent");
        assertThat(c.awaitStatus(T)).isEqualTo("NetStream.Publish.Start");
        assertThat(c.awaitClosed(T)).isTrue();
        long deadline = System.nanoTime() + T.toNanos();
        while (server.registry().find("live", "silent") != null && System.nanoTime() < deadline) {
            Thread.sleep(10); // the server unpublishes as it closes, just after the client sees the close
        }
        assertThat(server.registry().find("live", "silent")).isNull();
    }

    @Test
    void idlePublisherTimeoutHolds() throws Exception {
        start(RtmpLimits.builder().idlePublisherTimeoutMillis(400).build());
        TestRtmpClient c = connected("127.0.0.1");
        int sid = c.createStream();
        c.publish(sid, "stalls");
        assertThat(c.awaitStatus(T)).isEqualTo("NetStream.Publish.Start");
        for (int i = 0; i < 8; i++) {
            c.send(RtmpSessionTest.audio(sid, i * 100L, RtmpSessionTest.aac(0, RtmpSessionTest.AAC_CONFIG)));
            assertThat(c.awaitClosed(Duration.ofMillis(100))).as("alive while sending").isFalse();
        }
        assertThat(c.awaitClosed(T)).as("closed once it stalls").isTrue();
    }

    @Test
    void quietPeersArePingedAndClosedOnlyIfTheyDoNotAnswer() throws Exception {
        start(RtmpLimits.builder().pingIntervalMillis(200).pingTimeoutMillis(300).build());
        TestRtmpClient answering = connected("127.0.0.1");
        answering.play(answering.createStream(), "quiet");
        TestRtmpClient deaf = connected("127.0.0.2");
        deaf.play(deaf.createStream(), "quiet");
        assertThat(answering.answerPings(Duration.ofSeconds(2))).isGreaterThanOrEqualTo(2);
        assertThat(answering.isClosed()).isFalse();
        assertThat(deaf.awaitClosed(T)).isTrue();
    }

    private void awaitOpenConnections(int n) throws InterruptedException {
        // Closing is asynchronous on the server side; poll its count briefly.
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline && server.registry() != null) {
            if (openConnections() == n) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("open connections did not reach " + n + " (now " + openConnections() + ")");
    }

    private int openConnections() {
        return server.connectionCount();
    }
}
