package dev.millrace.streaming.rtmp;

/**
 * Everything an RTMP peer can make the server hold, and for how long: message and chunk sizes, AMF nesting, names,
 * connections, timeouts. Every length and count read from the wire is checked against one of these before anything
 * is allocated for it; breaking one closes that connection with one WARN line naming the reason (never a stream
 * key) and releases its buffers; other connections never notice.
 *
 * <p>The defaults admit every encoder we know of (4K HEVC keyframes, OBS, FFmpeg, Wirecast, Larix) and keep a
 * hostile connection to a few megabytes. Change them with {@code RtmpLimits.builder()...build()} or
 * {@code DEFAULT.toBuilder()}. Per-stream bounds (GOP cache, slow viewers) live in {@code StreamOptions}, because a
 * stream registry can be shared by several servers.
 *
 * <p>Protocol:
 * @param maxControlMessageBytes largest protocol or user control message (types 1-6); real ones are 4-10 bytes
 * @param maxCommandMessageBytes largest command or data message (types 15, 17, 18, 20; also unknown types)
 * @param maxAudioMessageBytes largest audio message (type 8)
 * @param maxVideoMessageBytes largest video message (type 9); RTMP's own ceiling is 16 MiB - 1
 * @param maxAggregateMessageBytes largest aggregate message (type 22)
 * @param minChunkSize smallest chunk size a peer may set; a floor against 1-byte-chunk CPU amplification
 * @param maxChunkSize largest chunk size a peer may set (RTMP 5.4.1: values above 0xFFFFFF act as 0xFFFFFF)
 * @param maxChunkStreams chunk streams with a header on one connection
 * @param maxBufferedBytes bytes held by partly received messages across all chunk streams of one connection
 * @param maxAmfDepth nesting depth of AMF objects and arrays (at most 256)
 * @param maxAmfStringBytes longest AMF string (long strings included)
 * @param maxAmfElements values in one AMF message, counting nested ones
 * @param maxAppNameLength longest application name ({@code live} in {@code rtmp://host/live/name})
 * @param maxStreamNameLength longest stream name, query string included
 * @param maxStreamsPerConnection message streams ({@code createStream}) one connection may hold
 *
 * <p>Connections:
 * @param maxConnections connections open at once, all addresses together
 * @param maxConnectionsPerAddress connections open at once from one IP address
 * @param maxPendingConnections connections that have not yet completed {@code connect} (handshaking or idle)
 *
 * <p>Timeouts (milliseconds):
 * @param handshakeTimeoutMillis from accept to the end of the handshake
 * @param connectTimeoutMillis from the end of the handshake to the {@code connect} command
 * @param streamRequestTimeoutMillis from {@code connect} to a {@code publish} or {@code play} command
 * @param authTimeoutMillis what the authorizer may take before the request is denied
 * @param firstMediaTimeoutMillis from {@code NetStream.Publish.Start} to the first audio or video message
 * @param idlePublisherTimeoutMillis a publisher that sends no media for this long is closed
 * @param pingIntervalMillis a connection the server heard nothing from for this long is sent a PingRequest
 * @param pingTimeoutMillis closed if it still sends nothing this long after the PingRequest
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
        int maxStreamNameLength,
        int maxStreamsPerConnection,
        int maxConnections,
        int maxConnectionsPerAddress,
        int maxPendingConnections,
        long handshakeTimeoutMillis,
        long connectTimeoutMillis,
        long streamRequestTimeoutMillis,
        long authTimeoutMillis,
        long firstMediaTimeoutMillis,
        long idlePublisherTimeoutMillis,
        long pingIntervalMillis,
        long pingTimeoutMillis) {

    /** RTMP's message length field is 24 bits. */
    public static final int MAX_MESSAGE_BYTES = 0xFFFFFF;

    /** The defaults: see the component descriptions. */
    public static final RtmpLimits DEFAULT = new Builder().build();

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
        positive(maxStreamsPerConnection, "maxStreamsPerConnection");
        positive(maxConnections, "maxConnections");
        positive(maxConnectionsPerAddress, "maxConnectionsPerAddress");
        positive(maxPendingConnections, "maxPendingConnections");
        positive(handshakeTimeoutMillis, "handshakeTimeoutMillis");
        positive(connectTimeoutMillis, "connectTimeoutMillis");
        positive(streamRequestTimeoutMillis, "streamRequestTimeoutMillis");
        positive(authTimeoutMillis, "authTimeoutMillis");
        positive(firstMediaTimeoutMillis, "firstMediaTimeoutMillis");
        positive(idlePublisherTimeoutMillis, "idlePublisherTimeoutMillis");
        positive(pingIntervalMillis, "pingIntervalMillis");
        positive(pingTimeoutMillis, "pingTimeoutMillis");
        if (maxAmfDepth > 256) {
            // The AMF readers descend recursively; 256 levels stay well inside a 1 MiB thread stack.
            throw new IllegalArgumentException("maxAmfDepth is at most 256: " + maxAmfDepth);
        }
        if (minChunkSize > maxChunkSize) {
            throw new IllegalArgumentException("minChunkSize > maxChunkSize");
        }
        if (maxStreamsPerConnection > 1024) {
            throw new IllegalArgumentException("maxStreamsPerConnection is at most 1024: " + maxStreamsPerConnection);
        }
        for (int v : new int[] {maxControlMessageBytes, maxCommandMessageBytes, maxAudioMessageBytes,
                maxVideoMessageBytes, maxAggregateMessageBytes, maxChunkSize}) {
            if (v > MAX_MESSAGE_BYTES) {
                throw new IllegalArgumentException("message and chunk sizes are at most 0xFFFFFF: " + v);
            }
        }
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The largest message of the given RTMP type id these limits admit. */
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

    private static void positive(long v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
    }

    /** Builds {@link RtmpLimits}; every setter is named after the component it sets. */
    public static final class Builder {
        private int maxControlMessageBytes = 64;
        private int maxCommandMessageBytes = 256 * 1024;
        private int maxAudioMessageBytes = 1024 * 1024;
        private int maxVideoMessageBytes = 8 * 1024 * 1024;
        private int maxAggregateMessageBytes = 8 * 1024 * 1024;
        private int minChunkSize = 128;
        private int maxChunkSize = MAX_MESSAGE_BYTES;
        private int maxChunkStreams = 64;
        private int maxBufferedBytes = 32 * 1024 * 1024;
        private int maxAmfDepth = 32;
        private int maxAmfStringBytes = 64 * 1024;
        private int maxAmfElements = 16 * 1024;
        private int maxAppNameLength = 128;
        private int maxStreamNameLength = 1024;
        private int maxStreamsPerConnection = 8;
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress = 1_000;
        private int maxPendingConnections = 1_000;
        private long handshakeTimeoutMillis = 10_000;
        private long connectTimeoutMillis = 10_000;
        private long streamRequestTimeoutMillis = 30_000;
        private long authTimeoutMillis = 10_000;
        private long firstMediaTimeoutMillis = 20_000;
        private long idlePublisherTimeoutMillis = 30_000;
        private long pingIntervalMillis = 30_000;
        private long pingTimeoutMillis = 30_000;

        private Builder() {
        }

        private Builder(RtmpLimits l) {
            maxControlMessageBytes = l.maxControlMessageBytes;
            maxCommandMessageBytes = l.maxCommandMessageBytes;
            maxAudioMessageBytes = l.maxAudioMessageBytes;
            maxVideoMessageBytes = l.maxVideoMessageBytes;
            maxAggregateMessageBytes = l.maxAggregateMessageBytes;
            minChunkSize = l.minChunkSize;
            maxChunkSize = l.maxChunkSize;
            maxChunkStreams = l.maxChunkStreams;
            maxBufferedBytes = l.maxBufferedBytes;
            maxAmfDepth = l.maxAmfDepth;
            maxAmfStringBytes = l.maxAmfStringBytes;
            maxAmfElements = l.maxAmfElements;
            maxAppNameLength = l.maxAppNameLength;
            maxStreamNameLength = l.maxStreamNameLength;
            maxStreamsPerConnection = l.maxStreamsPerConnection;
            maxConnections = l.maxConnections;
            maxConnectionsPerAddress = l.maxConnectionsPerAddress;
            maxPendingConnections = l.maxPendingConnections;
            handshakeTimeoutMillis = l.handshakeTimeoutMillis;
            connectTimeoutMillis = l.connectTimeoutMillis;
            streamRequestTimeoutMillis = l.streamRequestTimeoutMillis;
            authTimeoutMillis = l.authTimeoutMillis;
            firstMediaTimeoutMillis = l.firstMediaTimeoutMillis;
            idlePublisherTimeoutMillis = l.idlePublisherTimeoutMillis;
            pingIntervalMillis = l.pingIntervalMillis;
            pingTimeoutMillis = l.pingTimeoutMillis;
        }

        public Builder maxControlMessageBytes(int v) {
            maxControlMessageBytes = v;
            return this;
        }

        public Builder maxCommandMessageBytes(int v) {
            maxCommandMessageBytes = v;
            return this;
        }

        public Builder maxAudioMessageBytes(int v) {
            maxAudioMessageBytes = v;
            return this;
        }

        public Builder maxVideoMessageBytes(int v) {
            maxVideoMessageBytes = v;
            return this;
        }

        public Builder maxAggregateMessageBytes(int v) {
            maxAggregateMessageBytes = v;
            return this;
        }

        public Builder minChunkSize(int v) {
            minChunkSize = v;
            return this;
        }

        public Builder maxChunkSize(int v) {
            maxChunkSize = v;
            return this;
        }

        public Builder maxChunkStreams(int v) {
            maxChunkStreams = v;
            return this;
        }

        public Builder maxBufferedBytes(int v) {
            maxBufferedBytes = v;
            return this;
        }

        public Builder maxAmfDepth(int v) {
            maxAmfDepth = v;
            return this;
        }

        public Builder maxAmfStringBytes(int v) {
            maxAmfStringBytes = v;
            return this;
        }

        public Builder maxAmfElements(int v) {
            maxAmfElements = v;
            return this;
        }

        public Builder maxAppNameLength(int v) {
            maxAppNameLength = v;
            return this;
        }

        public Builder maxStreamNameLength(int v) {
            maxStreamNameLength = v;
            return this;
        }

        public Builder maxStreamsPerConnection(int v) {
            maxStreamsPerConnection = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxConnectionsPerAddress(int v) {
            maxConnectionsPerAddress = v;
            return this;
        }

        public Builder maxPendingConnections(int v) {
            maxPendingConnections = v;
            return this;
        }

        public Builder handshakeTimeoutMillis(long v) {
            handshakeTimeoutMillis = v;
            return this;
        }

        public Builder connectTimeoutMillis(long v) {
            connectTimeoutMillis = v;
            return this;
        }

        public Builder streamRequestTimeoutMillis(long v) {
            streamRequestTimeoutMillis = v;
            return this;
        }

        public Builder authTimeoutMillis(long v) {
            authTimeoutMillis = v;
            return this;
        }

        public Builder firstMediaTimeoutMillis(long v) {
            firstMediaTimeoutMillis = v;
            return this;
        }

        public Builder idlePublisherTimeoutMillis(long v) {
            idlePublisherTimeoutMillis = v;
            return this;
        }

        public Builder pingIntervalMillis(long v) {
            pingIntervalMillis = v;
            return this;
        }

        public Builder pingTimeoutMillis(long v) {
            pingTimeoutMillis = v;
            return this;
        }

        /** Validates and builds; throws IllegalArgumentException naming the first bad value. */
        public RtmpLimits build() {
            return new RtmpLimits(maxControlMessageBytes, maxCommandMessageBytes, maxAudioMessageBytes,
                    maxVideoMessageBytes, maxAggregateMessageBytes, minChunkSize, maxChunkSize, maxChunkStreams,
                    maxBufferedBytes, maxAmfDepth, maxAmfStringBytes, maxAmfElements, maxAppNameLength,
                    maxStreamNameLength, maxStreamsPerConnection, maxConnections, maxConnectionsPerAddress,
                    maxPendingConnections, handshakeTimeoutMillis, connectTimeoutMillis, streamRequestTimeoutMillis,
                    authTimeoutMillis, firstMediaTimeoutMillis, idlePublisherTimeoutMillis, pingIntervalMillis,
                    pingTimeoutMillis);
        }
    }
}
