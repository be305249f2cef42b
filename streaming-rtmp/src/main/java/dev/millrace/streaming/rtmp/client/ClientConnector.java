package dev.millrace.streaming.rtmp.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens client connections on an event loop group and keeps track of them. Internal: public only for
 * {@link dev.millrace.streaming.rtmp.RtmpClient}.
 */
public final class ClientConnector {

    private final ClientConfig config;
    private final Bootstrap bootstrap;
    private final ChannelGroup channels = new DefaultChannelGroup("rtmp-client", GlobalEventExecutor.INSTANCE);
    private volatile boolean closed;

    /**
     * @param channelClass the socket channel type of {@code group} (epoll or NIO)
     */
    public ClientConnector(EventLoopGroup group, Class<? extends Channel> channelClass, ClientConfig config) {
        this.config = config;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLowBytes(), config.writeBufferHighBytes()))
                .resolver(OffLoopResolverGroup.INSTANCE);
    }

    /** See {@link dev.millrace.streaming.rtmp.RtmpClient#connect}. */
    public CompletableFuture<RtmpConnection> connect(String url) {
        CompletableFuture<RtmpConnection> connected = new CompletableFuture<>();
        RtmpUrl target;
        try {
            target = RtmpUrl.parse(url);
        } catch (IllegalArgumentException e) {
            connected.completeExceptionally(new RtmpClientException(RtmpClientException.Reason.BAD_URL,
                    e.getMessage(), e));
            return connected;
        }
        if (target.secure() && config.tls() == null) {
            connected.completeExceptionally(new RtmpClientException(RtmpClientException.Reason.BAD_URL,
                    "rtmps:// needs a TLS handler factory (RtmpClient.Builder.tls)"));
            return connected;
        }
        if (closed) {
            connected.completeExceptionally(new RtmpClientException(RtmpClientException.Reason.CLOSED,
                    "the client is closed"));
            return connected;
        }
        ChannelFuture connecting;
        try {
            connecting = bootstrap.clone().handler(new ClientChannelInitializer(config, target, connected))
                    .connect(address(target));
        } catch (RuntimeException e) {
            connected.completeExceptionally(new RtmpClientException(RtmpClientException.Reason.CONNECT_FAILED,
                    "cannot connect to " + target + ": " + e, e));
            return connected;
        }
        Channel channel = connecting.channel();
        channels.add(channel);
        if (closed) {
            channel.close(); // raced with close(): the group may have been closed before this channel joined it
        }
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                connected.completeExceptionally(connectFailure(target, f.cause()));
            }
        });
        connected.whenComplete((c, e) -> {
            if (connected.isCancelled()) {
                channel.close();
            }
        });
        return connected;
    }

    /** An IP literal as a resolved address (no lookup); a host name unresolved, for the off-loop resolver. */
    private static InetSocketAddress address(RtmpUrl url) {
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(url.host());
        return literal != null ? new InetSocketAddress(literal, url.port())
                : InetSocketAddress.createUnresolved(url.host(), url.port());
    }

    private static RtmpClientException connectFailure(RtmpUrl url, Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return new RtmpClientException(RtmpClientException.Reason.TIMEOUT,
                    "TCP connection to " + url + " timed out", cause);
        }
        if (cause instanceof UnknownHostException) {
            return new RtmpClientException(RtmpClientException.Reason.CONNECT_FAILED,
                    "unknown host " + url.host(), cause);
        }
        return new RtmpClientException(RtmpClientException.Reason.CONNECT_FAILED,
                "cannot connect to " + url + ": " + cause.getMessage(), cause);
    }

    /** Connections open or opening. */
    public int connectionCount() {
        return channels.size();
    }

    /**
     * Closes every connection gracefully (see {@link RtmpConnection#close()}) and waits for them, at most
     * {@code timeoutMillis}. Later {@link #connect} calls fail. Must not run on one of the connections' event loops.
     */
    public void closeAll(long timeoutMillis) {
        closed = true;
        channels.close().awaitUninterruptibly(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
