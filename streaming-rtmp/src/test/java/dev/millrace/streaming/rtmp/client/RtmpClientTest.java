package dev.millrace.streaming.rtmp.client;

import static dev.millrace.streaming.rtmp.client.ClientTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.AuthDecision;
import dev.millrace.streaming.core.AuthRequest;
import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.StaticKeyAuthorizer;
import dev.millrace.streaming.core.StreamAuthorizer;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamListener;
import dev.millrace.streaming.rtmp.RtmpClient;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against our real server on loopback, and against sockets that misbehave. */
class RtmpClientTest {

    private static final String KEY = "k-5d1e0c77";
    private static final long T = 10;

    private static RtmpServer server;
    private static RtmpClient client;
    private static final List<String> serverEvents = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        StaticKeyAuthorizer keys = StaticKeyAuthorizer.builder().stream("cam", KEY).openPublish().build();
        server = RtmpServer.builder().port(0).threads(1).authorizer(keys).listener(new StreamListener() {
            @Override
            public void onPublishStart(StreamInfo s) {
                event("publishStart " + s.path());
            }

            @Override
            public void onPublishStop(StreamInfo s) {
                event("publishStop " + s.path());
            }
        }).start();
        client = RtmpClient.builder().threads(1).commandTimeoutMillis(5_000).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static void event(String e) {
        synchronized (serverEvents) {
            serverEvents.add(e);
            serverEvents.notifyAll();
        }
    }

    private static boolean awaitEvent(String e) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        synchronized (serverEvents) {
            while (!serverEvents.contains(e)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                serverEvents.wait(left);
            }
            return true;
        }
    }

    private static String url() {
        return "rtmp://127.0.0.1:" + server.port() + "/live";
    }

    private static RtmpConnection connect() throws Exception {
        return client.connect(url()).get(T, TimeUnit.SECONDS);
    }

    /** Describes packets as a player sees them; completes when {@code expected} packets arrived. */
    private static final class Collector implements PlayListener {
        final List<String> packets = Collections.synchronizedList(new ArrayList<>());
        final List<String> statuses = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch done;
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        volatile Map<String, Object> metadata;

        Collector(int expected) {
            this.done = new CountDownLatch(expected);
        }

        @Override
        public void onStatus(String code, String description) {
            statuses.add(code);
        }

        @Override
        public void onMetadata(Map<String, Object> m) {
            metadata = m;
        }

        @Override
        public void onPacket(MediaPacket p) {
            packets.add(describe(p));
            done.countDown();
        }

        @Override
        public void onClose(Throwable cause) {
            closed.complete(cause);
        }
    }

    private static String describe(MediaPacket p) {
        return p.codec() + " " + p.type() + " dts=" + p.dtsMillis() + " cts=" + p.compositionOffsetMillis()
                + (p.isKeyframe() ? " key " : " ") + ByteBufUtil.hexDump(p.content());
    }

    /** A short synthetic H.264 + AAC stream: metadata, headers, then 4 video frames and 6 audio frames. */
    private static List<MediaPacket> syntheticStream() {
        List<MediaPacket> out = new ArrayList<>();
        // "onMetaData", ECMA {width: 320, height: 240}: AMF0 as the server forwards it (sanitized, exact count).
        out.add(MediaPacket.data(PacketType.METADATA, 0, Unpooled.wrappedBuffer(hex(""
                + "02 000a 'onMetaData' 08 00000002"
                + "0005 'width' 00 4074000000000000 0006 'height' 00 406e000000000000 000009"))));
        // AudioSpecificConfig AAC LC 44.1 kHz mono (ISO 14496-3 1.6.2.1).
        out.add(MediaPacket.audio(Codec.AAC, PacketType.SEQUENCE_HEADER, 0, 0, 0x0F,
                Unpooled.wrappedBuffer(hex("1208"))));
        // avcC of a 320x240 baseline stream from libx264 (ffmpeg 8.0.1, testsrc2, -profile:v baseline).
        out.add(MediaPacket.video(Codec.H264, PacketType.SEQUENCE_HEADER, 0, 0, 0, true, false,
                Unpooled.wrappedBuffer(hex("01 42c00d ff e1 0016 6742c00dda0507ec044000000300400000 0c83c50aa8"
                        + " 01 0004 68ce0fc8"))));
        for (int i = 0; i < 4; i++) {
            out.add(MediaPacket.video(Codec.H264, PacketType.FRAME, 0, i * 40 * 90L, i == 1 ? 80 * 90 : 0, i == 0,
                    false, Unpooled.wrappedBuffer(hex("00000003 " + (i == 0 ? "65" : "41") + "88" + "0" + i))));
            for (int a = 0; a < (i % 2 == 0 ? 2 : 1); a++) {
                long dtsMillis = i * 40L + a * 23;
                out.add(MediaPacket.audio(Codec.AAC, PacketType.FRAME, 0, dtsMillis * 90, 0x0F,
                        Unpooled.wrappedBuffer(hex("21 0" + i + " 0" + a))));
            }
        }
        return out;
    }

    @Test
    void whatAPublisherSendsReachesAPlayerWithTheSameTimestampsSequenceHeadersFirst() throws Exception {
        List<MediaPacket> stream = syntheticStream();
        List<String> expected = new ArrayList<>();
        for (MediaPacket p : stream) {
            expected.add(describe(p));
        }
        Collector collector = new Collector(expected.size());
        try (RtmpConnection viewer = connect(); RtmpConnection encoder = connect()) {
            // The server holds a player of an unpublished stream until it is published.
            RtmpPlayer player = viewer.play("roundtrip", collector).get(T, TimeUnit.SECONDS);
            RtmpPublisher pub = encoder.publish("roundtrip").get(T, TimeUnit.SECONDS);
            for (MediaPacket p : stream) {
                pub.send(p);
            }
            pub.flush();
            assertThat(collector.done.await(T, TimeUnit.SECONDS)).as("got %s", collector.packets).isTrue();
            assertThat(collector.packets).containsExactlyElementsOf(expected);
            assertThat(collector.metadata).containsEntry("width", 320.0).containsEntry("height", 240.0);
            assertThat(collector.statuses).contains("NetStream.Play.Start");
            assertThat(player.name()).isEqualTo("roundtrip");
            assertThat(encoder.remoteAddress().toString()).endsWith(":" + server.port());
        }
    }

    @Test
    void aPublishWithAWrongKeyFailsWithDeniedAndTheServersDescription() throws Exception {
        try (RtmpConnection conn = connect()) {
            CompletableFuture<RtmpPublisher> f = conn.publish("cam?key=wrong");
            RtmpClientException e = failure(f);
            assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.REJECTED);
            assertThat(e.code()).isEqualTo("NetStream.Publish.Denied");
            assertThat(e.description()).isEqualTo("wrong stream key");
            // Our server closes after a refusal (field guide §1.4).
            assertThat(failure(conn.closeFuture()).reason()).isEqualTo(RtmpClientException.Reason.CLOSED);
        }
    }

    @Test
    void aPublishWithTheKeyInItsQueryIsAcceptedUnderThePublicName() throws Exception {
        try (RtmpConnection conn = connect()) {
            RtmpPublisher pub = conn.publish("cam?key=" + KEY).get(T, TimeUnit.SECONDS);
            assertThat(pub.name()).isEqualTo("cam?key=" + KEY);
            assertThat(server.registry().find("live", "cam").isPublishing()).isTrue();
        }
    }

    @Test
    void closingTheConnectionUnpublishesCleanly() throws Exception {
        RtmpConnection conn = connect();
        conn.publish("bye").get(T, TimeUnit.SECONDS);
        assertThat(awaitEvent("publishStart live/bye")).isTrue();
        conn.close();
        conn.closeFuture().get(T, TimeUnit.SECONDS);
        assertThat(conn.isActive()).isFalse();
        assertThat(awaitEvent("publishStop live/bye")).isTrue();
    }

    @Test
    void aPlayerEndsWithClosedWhenTheServerGoesAway() throws Exception {
        RtmpServer other = RtmpServer.builder().port(0).threads(1).start();
        try {
            RtmpConnection conn = client.connect("rtmp://127.0.0.1:" + other.port() + "/live")
                    .get(T, TimeUnit.SECONDS);
            Collector collector = new Collector(1);
            conn.play("gone", collector).get(T, TimeUnit.SECONDS);
            other.close();
            Throwable cause = collector.closed.get(T, TimeUnit.SECONDS);
            assertThat(cause).isInstanceOf(RtmpClientException.class);
            assertThat(((RtmpClientException) cause).reason()).isEqualTo(RtmpClientException.Reason.CLOSED);
            assertThat(failure(conn.closeFuture()).reason()).isEqualTo(RtmpClientException.Reason.CLOSED);
        } finally {
            other.close();
        }
    }

    @Test
    void connectingToAClosedPortFailsFast() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        RtmpClientException e = failure(client.connect("rtmp://127.0.0.1:" + port + "/live"));
        assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.CONNECT_FAILED);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void aHostNameIsResolvedAndConnected() throws Exception {
        // Resolved on Netty's global executor, not on the event loop; the loopback name is in every hosts file.
        try (RtmpConnection conn = client.connect("rtmp://localhost:" + server.port() + "/live")
                .get(T, TimeUnit.SECONDS)) {
            assertThat(conn.isActive()).isTrue();
            assertThat(conn.url().host()).isEqualTo("localhost");
        }
    }

    @Test
    void badUrlsFailWithBadUrl() throws Exception {
        assertThat(failure(client.connect("http://127.0.0.1/live")).reason())
                .isEqualTo(RtmpClientException.Reason.BAD_URL);
        assertThat(failure(client.connect("rtmps://127.0.0.1/live")).reason())
                .as("rtmps without a TLS handler factory").isEqualTo(RtmpClientException.Reason.BAD_URL);
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersFailsTheHandshakeWithinItsTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                RtmpClient impatient = RtmpClient.builder().threads(1).handshakeTimeoutMillis(300).build()) {
            long t0 = System.nanoTime();
            CompletableFuture<RtmpConnection> f = impatient.connect("rtmp://127.0.0.1:" + silent.getLocalPort()
                    + "/live");
            try (Socket accepted = silent.accept()) {
                assertThat(accepted.getInputStream().read()).as("C0").isEqualTo(3);
                RtmpClientException e = failure(f);
                assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.TIMEOUT);
                assertThat(e.getMessage()).contains("handshake");
                assertThat(System.nanoTime() - t0).isBetween(TimeUnit.MILLISECONDS.toNanos(300),
                        TimeUnit.MILLISECONDS.toNanos(3_000));
            }
        }
    }

    @Test
    void aServerThatHandshakesAndNeverAnswersConnectFailsWithinTheCommandTimeout() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                RtmpClient impatient = RtmpClient.builder().threads(1).commandTimeoutMillis(300).build()) {
            long t0 = System.nanoTime();
            CompletableFuture<RtmpConnection> f = impatient.connect("rtmp://127.0.0.1:" + mute.getLocalPort()
                    + "/live");
            try (Socket s = mute.accept()) {
                s.setSoTimeout(5_000);
                handshakeAsServer(s);
                RtmpClientException e = failure(f);
                assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.TIMEOUT);
                assertThat(e.getMessage()).contains("no answer to connect within 300 ms");
                assertThat(System.nanoTime() - t0).isBetween(TimeUnit.MILLISECONDS.toNanos(300),
                        TimeUnit.MILLISECONDS.toNanos(3_000));
                // What the client sent before it gave up and closed: Set Chunk Size first (then connect).
                assertThat(s.getInputStream().readAllBytes()).startsWith(hex("02 000000 000004 01 00000000 00001000"));
            }
        }
    }

    /** RTMP 1.0 section 5.2: read C0 + C1, send S0 + S1 + S2 (S2 = C1 echoed), read C2. */
    private static void handshakeAsServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] c0c1 = in.readNBytes(1 + 1536);
        assertThat(c0c1[0]).isEqualTo((byte) 3);
        byte[] reply = new byte[1 + 1536 + 1536];
        reply[0] = 3;
        System.arraycopy(c0c1, 1, reply, 1 + 1536, 1536);
        out.write(reply);
        out.flush();
        assertThat(in.readNBytes(1536)).hasSize(1536);
    }

    @Test
    void aPublishThatIsNeverAnsweredFailsWithinTheCommandTimeout() throws Exception {
        // An authorizer that never decides: the server neither accepts nor refuses within our timeout.
        StreamAuthorizer undecided = new StreamAuthorizer() {
            @Override
            public CompletionStage<AuthDecision> authorizePublish(AuthRequest request) {
                return new CompletableFuture<>();
            }

            @Override
            public CompletionStage<AuthDecision> authorizePlay(AuthRequest request) {
                return StreamAuthorizer.allowAll().authorizePlay(request);
            }
        };
        try (RtmpServer slow = RtmpServer.builder().port(0).threads(1)
                .limits(RtmpLimits.builder().authTimeoutMillis(60_000).build()).authorizer(undecided).start();
                RtmpClient impatient = RtmpClient.builder().threads(1).commandTimeoutMillis(400).build()) {
            RtmpConnection conn = impatient.connect("rtmp://127.0.0.1:" + slow.port() + "/live")
                    .get(T, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            RtmpClientException e = failure(conn.publish("x"));
            assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.TIMEOUT);
            assertThat(e.getMessage()).contains("NetStream.Publish.Start");
            assertThat(System.nanoTime() - t0).isBetween(TimeUnit.MILLISECONDS.toNanos(400),
                    TimeUnit.MILLISECONDS.toNanos(3_000));
            assertThat(failure(conn.closeFuture()).reason()).isEqualTo(RtmpClientException.Reason.TIMEOUT);
        }
    }

    @Test
    void whenWritableRunsOnceTheBacklogDrains() throws Exception {
        try (RtmpClient small = RtmpClient.builder().threads(1).writeBufferWaterMarks(1024, 2048).build()) {
            RtmpConnection conn = small.connect(url()).get(T, TimeUnit.SECONDS);
            RtmpPublisher pub = conn.publish("backlog").get(T, TimeUnit.SECONDS);
            AtomicBoolean writableAfterSend = new AtomicBoolean(true);
            AtomicBoolean ranBeforeFlush = new AtomicBoolean();
            CountDownLatch ran = new CountDownLatch(1);
            conn.eventLoop().submit(() -> {
                pub.send(MediaPacket.video(Codec.H264, PacketType.FRAME, 0, 0, 0, true, false,
                        ByteBufAllocator.DEFAULT.buffer(64 * 1024).writeZero(64 * 1024)));
                writableAfterSend.set(pub.isWritable());
                pub.whenWritable(ran::countDown);
                ranBeforeFlush.set(ran.getCount() == 0);
                pub.flush();
            }).get(T, TimeUnit.SECONDS);
            assertThat(writableAfterSend).as("64 KiB pending is above the 2 KiB high watermark").isFalse();
            assertThat(ranBeforeFlush).isFalse();
            assertThat(ran.await(T, TimeUnit.SECONDS)).isTrue();
            conn.close();
        }
    }

    @Test
    void anRtmpsUrlPutsTheTlsHandlerFirstWithTheHostAndPort() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<List<String>> pipeline = new AtomicReference<>();
        TlsHandlerFactory passThrough = (alloc, host, port) -> {
            seen.set(host + ":" + port);
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) throws Exception {
                    pipeline.set(ctx.pipeline().names());
                    super.channelActive(ctx);
                }
            };
        };
        try (RtmpClient tls = RtmpClient.builder().threads(1).tls(passThrough).build()) {
            RtmpConnection conn = tls.connect("rtmps://127.0.0.1:" + server.port() + "/live")
                    .get(T, TimeUnit.SECONDS);
            assertThat(seen.get()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(pipeline.get()).startsWith("tls", "handshake", "chunkDecoder", "chunkEncoder", "session");
            conn.close();
        }
    }

    @Test
    void aUserSuppliedEventLoopGroupIsUsedAndNeverShutDown() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            try (RtmpClient shared = RtmpClient.builder().eventLoopGroup(group).build()) {
                RtmpConnection conn = shared.connect(url()).get(T, TimeUnit.SECONDS);
                assertThat(conn.eventLoop().parent()).isSameAs(group);
            }
            assertThat(group.isShuttingDown()).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static RtmpClientException failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(T, TimeUnit.SECONDS);
            throw new AssertionError("did not fail");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RtmpClientException.class);
            return (RtmpClientException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("did not fail within " + T + " s");
        }
    }
}
