package dev.millrace.streaming.rtmp.handshake;

import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.testkit.Ffmpeg;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handshake handlers on real loopback sockets: against FFmpeg 8.0.1 (the program bytedeco ships) as publisher
 * and as player, and our client against our server.
 */
class HandshakeInteropTest {

    /**
     * Basic header of FFmpeg's first chunk after the handshake (RTMP 5.3.1.1: fmt 0, chunk stream id 3); a fmt-0
     * header is 12 bytes long, and the command name follows it.
     */
    private static final byte CONNECT_BASIC_HEADER = 0x03;

    /** AMF0 string "connect" (AMF0 2.4: marker 02, u16 length 7), at byte 12 of FFmpeg's first chunk. */
    private static final byte[] AMF0_CONNECT = hex("02 0007 636f6e6e656374");

    private static EventLoopGroup group;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What one server connection saw after its handshake. */
    record Seen(HandshakeCompleted event, byte[] firstBytes) {
    }

    /**
     * Records the {@link HandshakeCompleted} event and the first {@code wanted} bytes after it, then completes
     * {@code result} and closes the connection.
     */
    static final class FirstBytes extends ChannelInboundHandlerAdapter {
        private final int wanted;
        private final CompletableFuture<Seen> result;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private HandshakeCompleted event;

        FirstBytes(int wanted, CompletableFuture<Seen> result) {
            this.wanted = wanted;
            this.result = result;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof HandshakeCompleted e) {
                if (event != null) {
                    result.completeExceptionally(new AssertionError("second HandshakeCompleted"));
                }
                event = e;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                if (event == null) {
                    result.completeExceptionally(new AssertionError("bytes before HandshakeCompleted"));
                }
                bytes.writeBytes(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
            if (bytes.size() >= wanted && result.complete(new Seen(event, bytes.toByteArray()))) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new AssertionError("closed after " + bytes.size() + " bytes, event "
                    + event));
        }
    }

    private static Channel startServer(Supplier<ChannelHandler> next) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ServerHandshakeHandler(10_000), next.get());
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    private static int port(Channel server) {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Runs FFmpeg until {@code seen} completes, then kills it. Started here rather than through
     * {@link Ffmpeg#start}, whose processes are expected to end on their own; the environment is the same
     * ({@link Ffmpeg#libraryPath}: the bundled libraries and, on machines without them, the stub system ones).
     */
    private Seen runFfmpegAgainstServer(List<String> args, CompletableFuture<Seen> seen, Channel server)
            throws Exception {
        String exe = Ffmpeg.ffmpeg();
        List<String> command = new ArrayList<>(List.of(exe, "-hide_banner", "-nostdin"));
        command.addAll(args);
        Path log = tmp.resolve("ffmpeg.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Ffmpeg.libraryPath(pb.environment(), exe);
        Process ffmpeg = pb.start();
        // FFmpeg exits on its own only after a failure: the server closes the connection once it saw connect.
        ffmpeg.onExit().thenRun(() -> seen.completeExceptionally(
                new AssertionError("ffmpeg exited with " + ffmpeg.exitValue())));
        try {
            return seen.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no connect after the handshake; " + String.join(" ", command)
                    + " said:\n" + Files.readString(log), e);
        } finally {
            ffmpeg.destroyForcibly();
            ffmpeg.waitFor(10, TimeUnit.SECONDS);
            server.close().sync();
        }
    }

    private static void assertConnectChunk(byte[] first) {
        assertThat(first[0]).isEqualTo(CONNECT_BASIC_HEADER);
        assertThat(Arrays.copyOfRange(first, 12, 12 + AMF0_CONNECT.length)).isEqualTo(AMF0_CONNECT);
    }

    @Test
    void ffmpegPlayerAcceptsOurSignedS1AndS2AndSendsConnect() throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        Channel server = startServer(() -> new FirstBytes(12 + AMF0_CONNECT.length, seen));
        // As a player FFmpeg validates a complex S1 and S2 (rtmpproto.c rtmp_handshake, "Signature mismatch");
        // it sends connect only if both pass.
        Seen result = runFfmpegAgainstServer(List.of(
                "-loglevel", "debug", "-rw_timeout", "20000000",
                "-i", "rtmp://127.0.0.1:" + port(server) + "/live/handshake", "-t", "1", "-f", "null", "-"),
                seen, server);

        assertThat(result.event()).isEqualTo(new HandshakeCompleted(true));
        assertConnectChunk(result.firstBytes());
    }

    @Test
    void ffmpegPublisherCompletesTheComplexHandshakeAndSendsConnect() throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        Channel server = startServer(() -> new FirstBytes(12 + AMF0_CONNECT.length, seen));
        Seen result = runFfmpegAgainstServer(List.of(
                "-loglevel", "debug",
                "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", "-t", "1", "-c:v", "flv1",
                "-rw_timeout", "20000000", "-f", "flv", "rtmp://127.0.0.1:" + port(server) + "/live/handshake"),
                seen, server);

        assertThat(result.event()).isEqualTo(new HandshakeCompleted(true));
        assertConnectChunk(result.firstBytes());
    }

    @Test
    void ourClientAndServerCompleteOverTcpAndTheClientsFirstBytesArrive() throws Exception {
        byte[] setChunkSize = hex("02 000000 000004 01 00000000 00001000"); // RTMP 5.4.1, chunk size 4096
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        Channel server = startServer(() -> new FirstBytes(setChunkSize.length, seen));
        CompletableFuture<HandshakeCompleted> clientEvent = new CompletableFuture<>();
        Channel client = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Added before the connection exists: the handshake starts from channelActive.
                        ch.pipeline().addLast(new ClientHandshakeHandler(10_000), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof HandshakeCompleted e) {
                                    clientEvent.complete(e);
                                    ctx.write(Unpooled.wrappedBuffer(setChunkSize)); // flushed by the handler
                                }
                            }
                        });
                    }
                })
                .connect(server.localAddress()).sync().channel();
        try {
            assertThat(clientEvent.get(10, TimeUnit.SECONDS)).isEqualTo(new HandshakeCompleted(false));
            Seen result = seen.get(10, TimeUnit.SECONDS);
            assertThat(result.event()).isEqualTo(new HandshakeCompleted(false));
            assertThat(result.firstBytes()).isEqualTo(setChunkSize);
            assertThat(client.pipeline().get(ClientHandshakeHandler.class)).isNull();
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}
