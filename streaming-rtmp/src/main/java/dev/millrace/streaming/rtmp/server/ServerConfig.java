package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.StreamAuthorizer;
import dev.millrace.streaming.core.StreamRegistry;
import dev.millrace.streaming.rtmp.RtmpLimits;

/**
 * What every connection of one {@code RtmpServer} shares. Internal: built by the server's builder.
 *
 * @param chunkSize the chunk size the server writes with
 * @param windowAckSize the window announced to clients (they acknowledge every window)
 * @param playWaitsForPublisher whether a player of an unpublished stream waits (true) or gets StreamNotFound
 */
public record ServerConfig(RtmpLimits limits, StreamAuthorizer authorizer, StreamRegistry registry, int chunkSize,
        int windowAckSize, boolean playWaitsForPublisher) {
}
