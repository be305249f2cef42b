package dev.millrace.streaming.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * One unit of media that flows from a publisher through a {@link Stream} to every subscriber: a video access unit,
 * audio frames, a decoder configuration or a script-data message.
 *
 * <p>The payload is in one canonical, container-independent form: AVCC/HVCC length-prefixed NAL units for H.264,
 * HEVC and VVC; OBUs of one temporal unit for AV1; one frame for VP8/VP9; raw AAC frames (no ADTS); the codec's
 * own frames for other audio; the decoder configuration record for {@link PacketType#SEQUENCE_HEADER}; AMF0 values
 * for {@link MediaKind#DATA}. Muxers (RTMP, FLV, MPEG-TS) build their container headers around it.
 *
 * <p>Timestamps are on a 90 kHz clock (exact for RTMP's milliseconds, native to MPEG-TS), unwrapped to 64 bits.
 *
 * <p>Reference counting: a packet has its own count. It owns one reference to its payload, released when the count
 * reaches zero, together with any {@linkplain #encoded shared encodings}. The payload bytes are immutable once the
 * packet is built: they are shared by every subscriber.
 */
public final class MediaPacket extends AbstractReferenceCounted implements ByteBufHolder {

    /** 90 kHz ticks per millisecond. */
    public static final int TICKS_PER_MILLI = 90;

    private static final int FLAG_KEYFRAME = 1;
    private static final int FLAG_DISPOSABLE = 2;

    private final MediaKind kind;
    private final Codec codec;
    private final PacketType type;
    private final int trackId;
    private final long dts90k;
    private final long pts90k;
    private final int flags;
    private final int codecFlags;
    private final ByteBuf payload;

    /** Shared encodings, newest first; written under {@code this} lock, read without it. */
    private volatile EncodingNode encodings;

    private MediaPacket(Codec codec, PacketType type, int trackId, long dts90k, long pts90k, int flags,
            int codecFlags, ByteBuf payload) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.kind = codec.kind();
        this.type = Objects.requireNonNull(type, "type");
        this.trackId = trackId;
        this.dts90k = dts90k;
        this.pts90k = pts90k;
        this.flags = flags;
        this.codecFlags = codecFlags;
        this.payload = Objects.requireNonNull(payload, "payload");
        if (trackId < 0 || trackId > 255) {
            throw new IllegalArgumentException("trackId out of 0..255: " + trackId);
        }
    }

    /**
     * A video packet. Takes ownership of {@code payload}.
     *
     * @param compositionOffset90k PTS minus DTS (may be negative)
     */
    public static MediaPacket video(Codec codec, PacketType type, int trackId, long dts90k, long compositionOffset90k,
            boolean keyframe, boolean disposable, ByteBuf payload) {
        requireKind(codec, MediaKind.VIDEO);
        int flags = (keyframe ? FLAG_KEYFRAME : 0) | (disposable ? FLAG_DISPOSABLE : 0);
        return new MediaPacket(codec, type, trackId, dts90k, dts90k + compositionOffset90k, flags, 0, payload);
    }

    /**
     * An audio packet. Takes ownership of {@code payload}.
     *
     * @param codecFlags for legacy FLV sound formats the low nibble of the tag's first byte (SoundRate, SoundSize,
     *     SoundType), so the FLV header can be rebuilt exactly; 0 otherwise
     */
    public static MediaPacket audio(Codec codec, PacketType type, int trackId, long dts90k, int codecFlags,
            ByteBuf payload) {
        requireKind(codec, MediaKind.AUDIO);
        return new MediaPacket(codec, type, trackId, dts90k, dts90k, FLAG_KEYFRAME, codecFlags & 0x0F, payload);
    }

    /** A script-data packet holding AMF0 values. Takes ownership of {@code payload}. */
    public static MediaPacket data(PacketType type, long dts90k, ByteBuf payload) {
        return new MediaPacket(Codec.SCRIPT, type, 0, dts90k, dts90k, 0, 0, payload);
    }

    private static void requireKind(Codec codec, MediaKind kind) {
        if (codec.kind() != kind) {
            throw new IllegalArgumentException(codec + " is not a " + kind + " codec");
        }
    }

    public MediaKind kind() {
        return kind;
    }

    public Codec codec() {
        return codec;
    }

    public PacketType type() {
        return type;
    }

    /** Enhanced RTMP multitrack id; 0 is the default track. */
    public int trackId() {
        return trackId;
    }

    /** Decode timestamp in 90 kHz ticks. */
    public long dts90k() {
        return dts90k;
    }

    /** Presentation timestamp in 90 kHz ticks. */
    public long pts90k() {
        return pts90k;
    }

    /** Decode timestamp in milliseconds (rounded down). */
    public long dtsMillis() {
        return Math.floorDiv(dts90k, TICKS_PER_MILLI);
    }

    /** PTS minus DTS in milliseconds, as FLV's CompositionTime carries it. */
    public int compositionOffsetMillis() {
        return (int) Math.floorDiv(pts90k - dts90k, TICKS_PER_MILLI);
    }

    /**
     * True for a video frame a decoder can start from (an IDR / IRAP / AV1 key frame), and for every audio packet,
     * decoder configuration and script-data packet: none of them depend on earlier frames.
     */
    public boolean isKeyframe() {
        return (flags & FLAG_KEYFRAME) != 0 || kind != MediaKind.VIDEO || type != PacketType.FRAME;
    }

    /** A video frame that no other frame references (FLV "disposable inter frame"). */
    public boolean isDisposable() {
        return (flags & FLAG_DISPOSABLE) != 0;
    }

    /** True for decoder configuration and metadata: what a new subscriber needs before any frame. */
    public boolean isConfig() {
        return type == PacketType.SEQUENCE_HEADER || type == PacketType.METADATA;
    }

    /** See {@link #audio}: the legacy FLV SoundRate/SoundSize/SoundType bits, or 0. */
    public int codecFlags() {
        return codecFlags;
    }

    /** The payload. Borrowed: valid while this packet is retained; never modify its bytes. */
    @Override
    public ByteBuf content() {
        int refCnt = refCnt();
        if (refCnt <= 0) {
            throw new IllegalReferenceCountException(refCnt);
        }
        return payload;
    }

    /** Payload size in bytes. */
    public int size() {
        return payload.readableBytes();
    }

    /**
     * Returns this packet's form for one output format, built by {@code encoding} on the first call and shared by
     * every later caller (on any thread): "encode once, send to N". Borrowed: the result lives as long as this packet;
     * a caller that writes it to a channel writes a {@code retainedDuplicate()} of it.
     */
    public <T extends ReferenceCounted> T encoded(Encoding<T> encoding) {
        T found = find(encoding);
        if (found != null) {
            return found;
        }
        synchronized (this) {
            found = find(encoding);
            if (found != null) {
                return found;
            }
            if (refCnt() <= 0) {
                throw new IllegalReferenceCountException(refCnt());
            }
            T built = Objects.requireNonNull(encoding.encode(this), "encoding result");
            encodings = new EncodingNode(encoding, built, encodings);
            return built;
        }
    }

    @SuppressWarnings("unchecked")
    private <T extends ReferenceCounted> T find(Encoding<T> encoding) {
        for (EncodingNode n = encodings; n != null; n = n.next) {
            if (n.encoding == encoding) {
                return (T) n.value;
            }
        }
        return null;
    }

    /**
     * A way of encoding packets for one output format (RTMP chunks with a given chunk size, an FLV tag...).
     * Identity matters: use one instance per format and configuration.
     */
    @FunctionalInterface
    public interface Encoding<T extends ReferenceCounted> {
        /** Builds the encoded form; the packet keeps the one reference returned. */
        T encode(MediaPacket packet);
    }

    private static final class EncodingNode {
        final Encoding<?> encoding;
        final ReferenceCounted value;
        final EncodingNode next;

        EncodingNode(Encoding<?> encoding, ReferenceCounted value, EncodingNode next) {
            this.encoding = encoding;
            this.value = value;
            this.next = next;
        }
    }

    @Override
    protected void deallocate() {
        EncodingNode n;
        synchronized (this) {
            n = encodings;
            encodings = null;
        }
        for (; n != null; n = n.next) {
            n.value.release();
        }
        payload.release();
    }

    /** A packet with the same fields and a copy of the payload (no shared encodings). */
    @Override
    public MediaPacket copy() {
        return replace(content().copy());
    }

    /** A packet with the same fields sharing the payload bytes (not retained). */
    @Override
    public MediaPacket duplicate() {
        return replace(content().duplicate());
    }

    /** A packet with the same fields sharing the payload bytes, with the payload retained. */
    @Override
    public MediaPacket retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    /** A packet with the same fields and {@code content} as payload (takes ownership of it). */
    @Override
    public MediaPacket replace(ByteBuf content) {
        return new MediaPacket(codec, type, trackId, dts90k, pts90k, flags, codecFlags, content);
    }

    /** A packet with the same fields and timestamps shifted by {@code delta90k}, sharing the retained payload. */
    public MediaPacket shifted(long delta90k) {
        return new MediaPacket(codec, type, trackId, dts90k + delta90k, pts90k + delta90k, flags, codecFlags,
                content().retainedDuplicate());
    }

    @Override
    public MediaPacket retain() {
        super.retain();
        return this;
    }

    @Override
    public MediaPacket retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public MediaPacket touch() {
        return this;
    }

    @Override
    public MediaPacket touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64).append("MediaPacket(").append(codec).append(' ').append(type);
        if (trackId != 0) {
            sb.append(" track=").append(trackId);
        }
        sb.append(" dts=").append(dtsMillis()).append("ms");
        if (pts90k != dts90k) {
            sb.append(" cts=").append(compositionOffsetMillis()).append("ms");
        }
        if (kind == MediaKind.VIDEO && (flags & FLAG_KEYFRAME) != 0) {
            sb.append(" key");
        }
        return sb.append(" size=").append(payload.readableBytes()).append(')').toString();
    }
}
