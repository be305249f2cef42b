package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.chunk.ChunkEncoder;
import dev.millrace.streaming.rtmp.handshake.ClientHandshakeHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.util.concurrent.CompletableFuture;

/**
 * Builds one outgoing connection's pipeline: the TLS handler for {@code rtmps://} (from the configured
 * {@link TlsHandlerFactory}), the client handshake (removes itself when done), chunk decoder, chunk encoder, session.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {

    private final ClientConfig config;
    private final RtmpUrl url;
    private final CompletableFuture<RtmpConnection> connected;

    ClientChannelInitializer(ClientConfig config, RtmpUrl url, CompletableFuture<RtmpConnection> connected) {
        this.config = config;
        this.url = url;
        this.connected = connected;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (url.secure()) {
            p.addLast("tls", config.tls().newHandler(ch.alloc(), url.host(), url.port()));
        }
        p.addLast("handshake", new ClientHandshakeHandler(config.handshakeTimeoutMillis()))
                .addLast("chunkDecoder", new ChunkDecoder(config.limits()))
                .addLast("chunkEncoder", new ChunkEncoder())
                .addLast("session", new ClientSession(config, url, connected));
    }
}
