package dev.millrace.streaming.rtmp;

import dev.millrace.streaming.core.StreamAuthorizer;
import dev.millrace.streaming.core.StreamListener;
import dev.millrace.streaming.core.StreamOptions;
import dev.millrace.streaming.core.StreamRegistry;
import dev.millrace.streaming.core.TakeoverPolicy;
import dev.millrace.streaming.rtmp.server.ServerConfig;
import dev.millrace.streaming.rtmp.server.ServerChannelInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RTMP server: encoders publish to it, players play from it.
 *
 * <pre>{@code
 * try (RtmpServer server = RtmpServer.builder()
 *         .port(1935)
 *         .authorizer(myKeys)
 *         .listener(myEvents)
 *         .start()) {
 *     server.closeFuture().join();
 * }
 * }</pre>
 *
 * <p>{@link #close()} is idempotent: it stops accepting, unpublishes every stream cleanly, closes every connection
 * and shuts down the event loops it created (never a group the user supplied).
 */
public final class RtmpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtmpServer.class);

    private final ServerConfig config;
    private final StreamRegistry registry;
    private final boolean ownsRegistry;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final Object closeLock = new Object();
    private boolean closed;

    private RtmpServer(Builder b) throws InterruptedException {
        this.ownsRegistry = b.registry == null;
        this.registry = ownsRegistry ? new StreamRegistry(b.streamOptions, b.listeners) : b.registry;
        this.ownsGroup = b.group == null;
        boolean epoll = ownsGroup ? b.epoll && Epoll.isAvailable() : usesEpoll(b.group);
        this.group = ownsGroup
                ? new MultiThreadIoEventLoopGroup(b.threads, new DefaultThreadFactory("millrace-rtmp", true),
                        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory())
                : b.group;
        this.channels = new DefaultChannelGroup("rtmp-connections", GlobalEventExecutor.INSTANCE);
        this.config = new ServerConfig(b.limits, b.authorizer, registry, b.chunkSize, b.windowAckSize,
                b.playWaitsForPublisher);
        Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(b.writeBufferLowBytes, b.writeBufferHighBytes))
                .childHandler(new ServerChannelInitializer(config, channels));
        try {
            InetSocketAddress bind = new InetSocketAddress(b.bindAddress, b.port);
            this.serverChannel = bootstrap.bind(bind).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            shutdownOwned();
            throw e;
        }
        log.info("RTMP server listening on {} ({})", serverChannel.localAddress(), epoll ? "epoll" : "nio");
    }

    private static boolean usesEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup && Epoll.isAvailable()
                && ((IoEventLoopGroup) group).isIoType(EpollIoHandler.class);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound port (useful after binding port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Connections open now (refused ones never count). */
    public int connectionCount() {
        return channels.size();
    }

    /** The streams of this server (shared with other servers if a registry was supplied). */
    public StreamRegistry registry() {
        return registry;
    }

    /** Completes when the server has closed. */
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    /** Stops the server; idempotent and safe from any thread except one of the server's own event loops. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            // Stop accepting, then close every connection (each unpublishes or stops playing on its way out and
            // raises its events), then the registry, which delivers the events still queued.
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            if (ownsRegistry) {
                registry.close();
            }
        } finally {
            shutdownOwned();
            closeFuture.complete(null);
            log.info("RTMP server on port {} closed", ((InetSocketAddress) serverChannel.localAddress()).getPort());
        }
    }

    private void shutdownOwned() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Configures and starts an {@link RtmpServer}. */
    public static final class Builder {
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = 1935;
        private EventLoopGroup group;
        private int threads;
        private boolean epoll = true;
        private StreamAuthorizer authorizer = StreamAuthorizer.allowAll();
        private final List<StreamListener> listeners = new ArrayList<>();
        private StreamRegistry registry;
        private StreamOptions streamOptions = StreamOptions.DEFAULT;
        private RtmpLimits limits = RtmpLimits.DEFAULT;
        private int chunkSize = 4096;
        private int windowAckSize = 2_500_000;
        private boolean playWaitsForPublisher = true;
        private int writeBufferLowBytes = 512 * 1024;
        private int writeBufferHighBytes = 2 * 1024 * 1024;

        private Builder() {
        }

        /** Address to listen on; default loopback. Use {@code InetAddress.getByName("0.0.0.0")} for all. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Port to listen on; 0 picks a free one ({@link RtmpServer#port()}). Default 1935. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Runs the server on the caller's event loop group (epoll or NIO), which the server then never shuts down.
         * By default the server creates its own.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /** Threads of the server's own event loop group; 0 (default) means Netty's default (2 x cores). */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads < 0");
            }
            this.threads = threads;
            return this;
        }

        /** Whether to use epoll when available (default true); false forces NIO. */
        public Builder epoll(boolean epoll) {
            this.epoll = epoll;
            return this;
        }

        /** Who may publish and play. Default: everyone (development only). */
        public Builder authorizer(StreamAuthorizer authorizer) {
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
            return this;
        }

        /** Adds a listener (ignored when {@link #registry} supplies one: its listeners are used). */
        public Builder listener(StreamListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Shares a registry with other servers (HTTP playback, say). The registry's own options and listeners apply;
         * the caller closes it.
         */
        public Builder registry(StreamRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** GOP cache, slow-subscriber bounds, flush window, takeover policy. */
        public Builder streamOptions(StreamOptions options) {
            this.streamOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** What a second publisher on a busy stream does; shorthand for the stream options' policy. */
        public Builder takeoverPolicy(TakeoverPolicy policy) {
            this.streamOptions = streamOptions.withTakeoverPolicy(Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /** Protocol, connection and timeout limits; see {@link RtmpLimits}. */
        public Builder limits(RtmpLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The chunk size the server sends with (announced right after connect). Default 4096. */
        public Builder chunkSize(int chunkSize) {
            if (chunkSize < 128 || chunkSize > 0xFFFFFF) {
                throw new IllegalArgumentException("chunk size out of 128..0xFFFFFF: " + chunkSize);
            }
            this.chunkSize = chunkSize;
            return this;
        }

        /** Window acknowledgement size announced to clients. Default 2,500,000. */
        public Builder windowAckSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("window must be positive");
            }
            this.windowAckSize = bytes;
            return this;
        }

        /**
         * Whether a player of a stream nobody publishes waits for a publisher (true, the default, as nginx-rtmp and
         * SRS do) or is refused at once with {@code NetStream.Play.StreamNotFound}.
         */
        public Builder playWaitsForPublisher(boolean wait) {
            this.playWaitsForPublisher = wait;
            return this;
        }

        /**
         * A player's outbound buffer watermarks: above {@code high} bytes pending the player counts as slow until
         * it drains below {@code low}. Pending media is shared between players, so this bounds lag, not memory.
         */
        public Builder writeBufferWaterMarks(int low, int high) {
            if (low <= 0 || high < low) {
                throw new IllegalArgumentException("need 0 < low <= high");
            }
            this.writeBufferLowBytes = low;
            this.writeBufferHighBytes = high;
            return this;
        }

        /** Binds and starts the server. */
        public RtmpServer start() throws InterruptedException {
            return new RtmpServer(this);
        }
    }
}
