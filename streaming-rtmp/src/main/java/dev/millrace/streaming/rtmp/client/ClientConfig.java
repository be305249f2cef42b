package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.rtmp.RtmpLimits;
import java.util.Objects;

/**
 * Settings shared by every connection of one {@link dev.millrace.streaming.rtmp.RtmpClient}. Internal: public only
 * for {@code RtmpClient}, which validates the values.
 *
 * @param limits bounds on what the server can make the client hold
 * @param chunkSize the outbound chunk size, announced with Set Chunk Size before {@code connect}
 * @param connectTimeoutMillis time allowed for the TCP connection
 * @param handshakeTimeoutMillis time allowed for the RTMP handshake (and TLS, for rtmps), from TCP connection
 * @param commandTimeoutMillis time allowed for each answer: {@code connect}'s result, {@code publish}'s
 *     {@code NetStream.Publish.Start}, {@code play}'s {@code NetStream.Play.Start}
 * @param writeBufferLowBytes the connection becomes writable again below this many pending bytes
 * @param writeBufferHighBytes the connection stops being writable above this many pending bytes
 * @param tls makes the TLS handler of {@code rtmps://} connections; null: rtmps is refused
 */
public record ClientConfig(RtmpLimits limits, int chunkSize, long connectTimeoutMillis, long handshakeTimeoutMillis,
        long commandTimeoutMillis, int writeBufferLowBytes, int writeBufferHighBytes, TlsHandlerFactory tls) {

    public ClientConfig {
        Objects.requireNonNull(limits, "limits");
        if (chunkSize < 128 || chunkSize > 0xFFFFFF) {
            throw new IllegalArgumentException("chunk size out of 128..0xFFFFFF: " + chunkSize);
        }
        if (connectTimeoutMillis <= 0 || handshakeTimeoutMillis <= 0 || commandTimeoutMillis <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (connectTimeoutMillis > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connect timeout above Integer.MAX_VALUE ms");
        }
        if (writeBufferLowBytes <= 0 || writeBufferHighBytes < writeBufferLowBytes) {
            throw new IllegalArgumentException("need 0 < writeBufferLowBytes <= writeBufferHighBytes");
        }
    }
}
