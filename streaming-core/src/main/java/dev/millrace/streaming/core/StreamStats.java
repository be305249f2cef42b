package dev.millrace.streaming.core;

/**
 * Counters of one stream.
 *
 * @param bytesIn media payload bytes received from publishers
 * @param videoFrames video frames received
 * @param audioFrames audio packets received
 * @param keyframes video keyframes received
 * @param bitrateKbps incoming media bitrate over the last few seconds, kbit/s
 * @param framesPerSecond incoming video frame rate over the last few seconds
 * @param viewers current subscribers
 * @param peakViewers most subscribers at once
 * @param droppedPackets packets dropped for slow subscribers (they skipped ahead to a keyframe)
 * @param slowViewersClosed subscribers closed because they stayed behind too long
 */
public record StreamStats(long bytesIn, long videoFrames, long audioFrames, long keyframes, long bitrateKbps,
        double framesPerSecond, int viewers, int peakViewers, long droppedPackets, long slowViewersClosed) {
}
