package dev.millrace.streaming.core;

import java.net.SocketAddress;
import java.time.Instant;

/**
 * Who is on the other end of a connection: a publisher, a player, an HTTP viewer. Immutable; safe to keep.
 *
 * @param id a number unique within this JVM, for correlating log lines and events
 * @param protocol {@code "rtmp"}, {@code "rtmps"}, {@code "http-flv"}...
 * @param remoteAddress the peer's address
 * @param app the application ({@code live} in {@code rtmp://host/live/name}), without any query string
 * @param client what the client says it is (RTMP {@code flashVer}, HTTP User-Agent), possibly empty
 * @param connectedAt when the connection was accepted
 */
public record ConnectionInfo(long id, String protocol, SocketAddress remoteAddress, String app, String client,
        Instant connectedAt) {

    @Override
    public String toString() {
        return protocol + "#" + id + "(" + remoteAddress + ")";
    }
}
