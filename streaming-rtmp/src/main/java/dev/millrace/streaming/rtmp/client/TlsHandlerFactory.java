package dev.millrace.streaming.rtmp.client;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;

/**
 * Makes the TLS handler for an {@code rtmps://} connection; it becomes the first handler of the connection's
 * pipeline, before the RTMP handshake. Netty's {@code SslContext::newHandler} has this shape: pass
 * {@code sslContext::newHandler} so that the handler gets the host for SNI and certificate verification (OBS sets
 * both, and YouTube's RTMPS ingest needs SNI: RTMP-FIELD-GUIDE §8).
 *
 * <p>Called on the connection's event loop, once per connection.
 */
@FunctionalInterface
public interface TlsHandlerFactory {

    /**
     * @param alloc the channel's allocator
     * @param peerHost the host of the URL, as written (no brackets around an IPv6 literal)
     * @param peerPort the port connected to
     * @return a new handler for this one connection
     */
    ChannelHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort);
}
