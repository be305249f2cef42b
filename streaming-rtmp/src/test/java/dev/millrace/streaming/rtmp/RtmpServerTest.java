package dev.millrace.streaming.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamListener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RtmpServerTest {

    @Test
    void portZeroBindsAFreePortOnLoopback() throws Exception {
        try (RtmpServer a = RtmpServer.builder().port(0).start(); RtmpServer b = RtmpServer.builder().port(0).start()) {
            assertThat(a.port()).isPositive().isNotEqualTo(b.port());
            assertThat(a.localAddress().getAddress().isLoopbackAddress()).isTrue();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), a.port())) {
                assertThat(s.isConnected()).isTrue();
            }
        }
    }

    @Test
    void closeIsIdempotentAndCompletesTheCloseFuture() throws Exception {
        RtmpServer server = RtmpServer.builder().port(0).start();
        int port = server.port();
        server.close();
        server.close();
        assertThat(server.closeFuture()).isCompleted();
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            throw new AssertionError("still accepting on " + port);
        } catch (IOException expected) {
            // nothing listens any more
        }
    }

    @Test
    void aUserSuppliedEventLoopGroupIsUsedAndNeverShutDown() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            RtmpServer server = RtmpServer.builder().port(0).eventLoopGroup(group).start();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(3);
                out.write(new byte[1536]);
                out.flush();
                InputStream in = s.getInputStream();
                s.setSoTimeout(5000);
                assertThat(in.read()).as("S0 from a server on the caller's group").isEqualTo(3);
            }
            server.close();
            assertThat(group.isShuttingDown()).isFalse();
            // The group still works after the server is gone.
            RtmpServer again = RtmpServer.builder().port(0).eventLoopGroup(group).start();
            again.close();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void closeUnpublishesEveryStreamCleanly() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        RtmpServer server = RtmpServer.builder().port(0).listener(new StreamListener() {
            @Override
            public void onPublishStop(StreamInfo stream) {
                stopped.countDown();
            }
        }).start();
        var pub = server.registry().publish("live", "x", null, null);
        assertThat(pub.isActive()).isTrue();
        server.close();
        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.isActive()).isFalse();
        assertThat(server.registry().list()).isEmpty();
    }
}
