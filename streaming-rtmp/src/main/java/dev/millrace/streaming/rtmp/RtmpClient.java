package dev.millrace.streaming.rtmp;

import dev.millrace.streaming.rtmp.client.ClientConfig;
import dev.millrace.streaming.rtmp.client.ClientConnector;
import dev.millrace.streaming.rtmp.client.RtmpClientException;
import dev.millrace.streaming.rtmp.client.RtmpConnection;
import dev.millrace.streaming.rtmp.client.TlsHandlerFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An RTMP client: connects to any RTMP server (Millrace, nginx-rtmp, SRS, YouTube, Twitch...) to publish or play.
 *
 * <pre>{@code
 * try (RtmpClient client = RtmpClient.builder().build()) {
 *     RtmpConnection conn = client.connect("rtmp://127.0.0.1/live").get(10, SECONDS);
 *     RtmpPublisher pub = conn.publish("cam?key=secret").get(10, SECONDS);
 *     pub.send(packet);          // takes ownership
 *     pub.flush();
 *     conn.close();
 * }
 * }</pre>
 *
 * <p>One client holds any number of connections (thousands of players is fine) on one event loop group. Futures
 * complete on the event loop of their connection; see {@link RtmpConnection}.
 *
 * <p>{@link #close()} closes every connection gracefully and shuts down the event loops the client created (never
 * a group the user supplied); idempotent; safe from any thread except one of the client's event loops.
 */
public final class RtmpClient implements AutoCloseable {

    /** How long {@link #close()} waits for the connections: their goodbyes may take 2 s to flush, plus margin. */
    private static final long CLOSE_WAIT_MILLIS = 7_000;

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ClientConnector connector;
    private final Object closeLock = new Object();
    private boolean closed;

    private RtmpClient(Builder b) {
        this.ownsGroup = b.group == null;
        boolean epoll = ownsGroup ? b.epoll && Epoll.isAvailable() : usesEpoll(b.group);
        this.group = ownsGroup
                ? new MultiThreadIoEventLoopGroup(b.threads, new DefaultThreadFactory("millrace-rtmp-client", true),
                        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory())
                : b.group;
        ClientConfig config = new ClientConfig(b.limits, b.chunkSize, b.connectTimeoutMillis,
                b.handshakeTimeoutMillis, b.commandTimeoutMillis, b.writeBufferLowBytes, b.writeBufferHighBytes, b.tls);
        this.connector = new ClientConnector(group, epoll ? EpollSocketChannel.class : NioSocketChannel.class, config);
    }

    private static boolean usesEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup && Epoll.isAvailable()
                && ((IoEventLoopGroup) group).isIoType(EpollIoHandler.class);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to {@code url}, the server URL up to and including the application ({@code rtmp://host[:port]/app};
     * see {@link dev.millrace.streaming.rtmp.client.RtmpUrl}); the stream name goes to
     * {@link RtmpConnection#publish} or {@link RtmpConnection#play}. TCP with TCP_NODELAY, the plain handshake, then
     * Set Chunk Size and {@code connect} as OBS sends them.
     *
     * @return completes with the connection on {@code NetConnection.Connect.Success}; fails with an
     *     {@link RtmpClientException}: {@code BAD_URL}, {@code CONNECT_FAILED} (refused, unknown host),
     *     {@code TIMEOUT} (TCP, handshake or the answer to {@code connect}), {@code REJECTED} (the server's
     *     {@code _error}, with its code and description), {@code CLOSED}, {@code PROTOCOL}. Cancelling it closes
     *     the connection.
     */
    public CompletableFuture<RtmpConnection> connect(String url) {
        return connector.connect(url);
    }

    /** The event loop group the connections run on. */
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    /** Closes every connection gracefully, then shuts down the event loops the client created. Idempotent. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            connector.closeAll(CLOSE_WAIT_MILLIS);
        } finally {
            if (ownsGroup) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Configures an {@link RtmpClient}. */
    public static final class Builder {
        private EventLoopGroup group;
        private int threads;
        private boolean epoll = true;
        private long connectTimeoutMillis = 10_000;
        private long handshakeTimeoutMillis = 10_000;
        private long commandTimeoutMillis = 10_000;
        private int chunkSize = 4096;
        private RtmpLimits limits = RtmpLimits.DEFAULT;
        private int writeBufferLowBytes = 512 * 1024;
        private int writeBufferHighBytes = 2 * 1024 * 1024;
        private TlsHandlerFactory tls;

        private Builder() {
        }

        /**
         * Runs the connections on the caller's event loop group (epoll or NIO), which the client then never shuts
         * down. By default the client creates its own.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /** Threads of the client's own event loop group; 0 (default) means Netty's default (2 x cores). */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads < 0");
            }
            this.threads = threads;
            return this;
        }

        /** Whether the client's own group uses epoll when available (default true); false forces NIO. */
        public Builder epoll(boolean epoll) {
            this.epoll = epoll;
            return this;
        }

        /** Time allowed to establish the TCP connection. Default 10 s. */
        public Builder connectTimeoutMillis(long millis) {
            if (millis > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("connect timeout above Integer.MAX_VALUE ms");
            }
            this.connectTimeoutMillis = positive(millis);
            return this;
        }

        /** Time allowed for the RTMP handshake (and TLS for rtmps), from TCP connection. Default 10 s. */
        public Builder handshakeTimeoutMillis(long millis) {
            this.handshakeTimeoutMillis = positive(millis);
            return this;
        }

        /**
         * Time allowed for each answer: {@code connect}'s result, {@code NetStream.Publish.Start} after
         * {@code publish}, {@code NetStream.Play.Start} after {@code play}. Default 10 s (platforms take a few
         * seconds to check a key).
         */
        public Builder commandTimeoutMillis(long millis) {
            this.commandTimeoutMillis = positive(millis);
            return this;
        }

        /** The chunk size the client sends with, announced before {@code connect}. Default 4096, as OBS. */
        public Builder chunkSize(int chunkSize) {
            if (chunkSize < 128 || chunkSize > 0xFFFFFF) {
                throw new IllegalArgumentException("chunk size out of 128..0xFFFFFF: " + chunkSize);
            }
            this.chunkSize = chunkSize;
            return this;
        }

        /** Bounds on what a server can make the client hold; see {@link RtmpLimits}. */
        public Builder limits(RtmpLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * A connection's outbound buffer watermarks: above {@code high} pending bytes it stops being writable
         * ({@code RtmpPublisher.isWritable()}), below {@code low} it is writable again. Default 512 KiB / 2 MiB.
         */
        public Builder writeBufferWaterMarks(int low, int high) {
            if (low <= 0 || high < low) {
                throw new IllegalArgumentException("need 0 < low <= high");
            }
            this.writeBufferLowBytes = low;
            this.writeBufferHighBytes = high;
            return this;
        }

        /**
         * Enables {@code rtmps://} URLs: {@code factory} makes each such connection's TLS handler, which goes first
         * in its pipeline (pass Netty's {@code sslContext::newHandler}). Without it rtmps URLs fail with
         * {@code BAD_URL}.
         */
        public Builder tls(TlsHandlerFactory factory) {
            this.tls = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Creates the client (and its event loop group, unless one was supplied). */
        public RtmpClient build() {
            return new RtmpClient(this);
        }

        private static long positive(long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            return millis;
        }
    }
}
