package dev.millrace.streaming.rtmp;

/**
 * Bounds on everything an RTMP peer can make the server hold. Every length and count read from the wire is checked
 * against one of these before anything is allocated for it; breaking one closes that connection with one logged
 * reason. The defaults admit every encoder we know of (4K HEVC keyframes, OBS, FFmpeg, Wirecast, Larix) and keep
 * a hostile connection to a few megabytes.
 *
 * @param maxControlMessageBytes largest protocol control or user control message (types 1-6); real ones are 4-10 bytes
 * @param maxCommandMessageBytes largest command or data message (types 15, 17, 18, 20): connect, publish, onMetaData
 * @param maxAudioMessageBytes largest audio message (type 8)
 * @param maxVideoMessageBytes largest video message (type 9); RTMP's own ceiling is 16 MiB - 1
 * @param maxAggregateMessageBytes largest aggregate message (type 22)
 * @param minChunkSize smallest chunk size a peer may set; guards against 1-byte-chunk CPU amplification
 * @param maxChunkSize largest chunk size a peer may set (RTMP 5.4.1: values above 0xFFFFFF act as 0xFFFFFF)
 * @param maxChunkStreams chunk streams with a header on one connection
 * @param maxBufferedBytes bytes held by partly received messages across all chunk streams of one connection
 * @param maxAmfDepth nesting depth of AMF objects and arrays (at most 256)
 * @param maxAmfStringBytes longest AMF string (long strings included)
 * @param maxAmfElements values in one AMF message, counting nested ones
 * @param maxAppNameLength longest application name ({@code live} in {@code rtmp://host/live/name})
 * @param maxStreamNameLength longest stream name, query string included
 */
public record RtmpLimits(
        int maxControlMessageBytes,
        int maxCommandMessageBytes,
        int maxAudioMessageBytes,
        int maxVideoMessageBytes,
        int maxAggregateMessageBytes,
        int minChunkSize,
        int maxChunkSize,
        int maxChunkStreams,
        int maxBufferedBytes,
        int maxAmfDepth,
        int maxAmfStringBytes,
        int maxAmfElements,
        int maxAppNameLength,
        int maxStreamNameLength) {

    /** RTMP's message length field is 24 bits. */
    public static final int MAX_MESSAGE_BYTES = 0xFFFFFF;

    /** The defaults: see the field descriptions. */
    public static final RtmpLimits DEFAULT = new RtmpLimits(
            64,
            256 * 1024,
            1024 * 1024,
            8 * 1024 * 1024,
            8 * 1024 * 1024,
            128,
            MAX_MESSAGE_BYTES,
            64,
            32 * 1024 * 1024,
            32,
            64 * 1024,
            16 * 1024,
            128,
            1024);

    public RtmpLimits {
        positive(maxControlMessageBytes, "maxControlMessageBytes");
        positive(maxCommandMessageBytes, "maxCommandMessageBytes");
        positive(maxAudioMessageBytes, "maxAudioMessageBytes");
        positive(maxVideoMessageBytes, "maxVideoMessageBytes");
        positive(maxAggregateMessageBytes, "maxAggregateMessageBytes");
        positive(minChunkSize, "minChunkSize");
        positive(maxChunkSize, "maxChunkSize");
        positive(maxChunkStreams, "maxChunkStreams");
        positive(maxBufferedBytes, "maxBufferedBytes");
        positive(maxAmfDepth, "maxAmfDepth");
        positive(maxAmfStringBytes, "maxAmfStringBytes");
        positive(maxAmfElements, "maxAmfElements");
        positive(maxAppNameLength, "maxAppNameLength");
        positive(maxStreamNameLength, "maxStreamNameLength");
        if (maxAmfDepth > 256) {
            // The AMF readers descend recursively; 256 levels stay well inside a 1 MiB thread stack.
            throw new IllegalArgumentException("maxAmfDepth is at most 256: " + maxAmfDepth);
        }
        if (minChunkSize > maxChunkSize) {
            throw new IllegalArgumentException("minChunkSize > maxChunkSize");
        }
        for (int v : new int[] {maxControlMessageBytes, maxCommandMessageBytes, maxAudioMessageBytes,
                maxVideoMessageBytes, maxAggregateMessageBytes, maxChunkSize}) {
            if (v > MAX_MESSAGE_BYTES) {
                throw new IllegalArgumentException("message and chunk sizes are at most 0xFFFFFF: " + v);
            }
        }
    }

    /** The largest message of the given RTMP type id this configuration admits. */
    public int maxMessageBytes(int typeId) {
        switch (typeId) {
            case 1: case 2: case 3: case 4: case 5: case 6:
                return maxControlMessageBytes;
            case 8:
                return maxAudioMessageBytes;
            case 9:
                return maxVideoMessageBytes;
            case 22:
                return maxAggregateMessageBytes;
            default:
                return maxCommandMessageBytes;
        }
    }

    private static void positive(int v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
    }
}
