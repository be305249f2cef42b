package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.chunk.ChunkEncoder;
import dev.millrace.streaming.rtmp.handshake.ServerHandshakeHandler;
import dev.millrace.streaming.rtmp.media.MediaMessageEncoding;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;

/**
 * Builds each accepted connection's pipeline: handshake (removes itself when done), chunk decoder, chunk encoder,
 * session. A connection over the connection limits is closed before any of that. Internal.
 */
public final class ServerChannelInitializer extends ChannelInitializer<Channel> {

    private final ServerConfig config;
    private final ChannelGroup channels;
    private final MediaMessageEncoding mediaEncoding;
    private final ConnectionLimiter limiter;

    public ServerChannelInitializer(ServerConfig config, ChannelGroup channels) {
        this.config = config;
        this.channels = channels;
        this.mediaEncoding = MediaMessageEncoding.forPlayers(config.chunkSize());
        this.limiter = new ConnectionLimiter(config.limits());
    }

    @Override
    protected void initChannel(Channel ch) {
        if (limiter.admit(ch) != null) {
            ch.close();
            return;
        }
        channels.add(ch);
        ch.pipeline()
                .addLast("handshake", new ServerHandshakeHandler(config.limits().handshakeTimeoutMillis()))
                .addLast("chunkDecoder", new ChunkDecoder(config.limits()))
                .addLast("chunkEncoder", new ChunkEncoder())
                .addLast("session", new RtmpSession(config, mediaEncoding, limiter));
    }
}
