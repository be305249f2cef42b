package dev.millrace.streaming.core;

import java.time.Instant;

/**
 * A snapshot of one stream: its names, its publisher, what it carries and its counters. Immutable.
 *
 * @param app the application
 * @param name the public stream name (never a stream key)
 * @param publisher the publishing connection, or null while nobody publishes
 * @param publishedAt when the current publisher started, or null
 * @param videoCodec codec of the main video track, or null
 * @param width display width in pixels, 0 when unknown
 * @param height display height in pixels, 0 when unknown
 * @param audioCodec codec of the main audio track, or null
 * @param audioSampleRate Hz, 0 when unknown
 * @param audioChannels 0 when unknown
 * @param stats counters since the stream was created
 */
public record StreamInfo(String app, String name, ConnectionInfo publisher, Instant publishedAt, Codec videoCodec,
        int width, int height, Codec audioCodec, int audioSampleRate, int audioChannels, StreamStats stats) {

    /** {@code app/name}. */
    public String path() {
        return app + "/" + name;
    }
}
