package dev.millrace.streaming.core;

/**
 * Anything that consumes a stream: an RTMP or HTTP-FLV player connection, an HLS segmenter, a recorder, a relay
 * target, a transcoder. Attach one with {@link Stream#subscribe}.
 *
 * <p>Every method is called on the executor given at subscription (for a network sink, its channel's event loop),
 * one call at a time, in stream order. None may block: a sink that cannot keep up returns false from
 * {@link #isWritable()} and calls {@link Subscription#resume()} when it can take more; meanwhile the stream queues
 * for it, drops to the next keyframe when it falls too far behind, and closes it if it stays behind.
 */
public interface MediaSink {

    /**
     * A packet. The first packets after subscribing are the stream's metadata, sequence headers and cached GOP
     * (starting on a keyframe); then the live packets. Borrowed: retain the packet to keep it past this call.
     */
    void onPacket(MediaPacket packet);

    /** The end of a run of {@link #onPacket} calls: the moment to flush buffered writes. */
    default void onBatchEnd() {
    }

    /** Whether the sink can take more packets now. */
    default boolean isWritable() {
        return true;
    }

    /** A publisher started on the stream (also called right after subscribing if one is publishing). */
    default void onPublish(StreamInfo stream) {
    }

    /** The stream's publisher stopped. The subscription stays: packets follow if a publisher starts again. */
    default void onUnpublish(StreamInfo stream) {
    }

    /** The subscription ended; no call follows this one. */
    default void onClose(Subscription.CloseReason reason) {
    }
}
