package dev.millrace.streaming.rtmp.amf;

import dev.millrace.streaming.rtmp.RtmpLimits;
import io.netty.buffer.ByteBuf;

/**
 * Decodes one AMF3 value (Adobe AMF3 specification) into the value model described in the package documentation.
 * RTMP messages of types 15 and 17 carry AMF0 values with single AMF3 values behind the 0x11 marker, which
 * {@link Amf0Reader} handles; this reader is for bare AMF3 data.
 *
 * <p>Each call starts with empty string, object and traits reference tables (a new AMF3 context, as every AMF3
 * value behind an AMF0 0x11 marker is: E2 "Important AMF3-encoded Historical Specification Clarification").
 * Limits and failures are as for {@link Amf0Reader}: every violation throws {@link
 * dev.millrace.streaming.rtmp.RtmpProtocolException} with reason {@code BAD_AMF}.
 *
 * <p>Not supported, each a BAD_AMF: externalizable objects (their body format is defined by their class) and
 * dictionaries (0x11; their keys may be any value, which the model has no type for). Immutable and thread-safe.
 */
public final class Amf3Reader {

    private final int maxDepth;
    private final int maxStringBytes;
    private final int maxElements;

    /**
     * @param maxDepth objects, arrays and vectors nested deeper than this are refused
     *     (1..{@value Amf0Reader#MAX_DEPTH_CEILING})
     * @param maxStringBytes longest string, XML value or byte array, in bytes
     * @param maxElements most values one call may decode, nested ones and vector elements included
     * @throws IllegalArgumentException if a limit is out of range
     */
    public Amf3Reader(int maxDepth, int maxStringBytes, int maxElements) {
        AmfParser.checkLimits(maxDepth, maxStringBytes, maxElements);
        this.maxDepth = maxDepth;
        this.maxStringBytes = maxStringBytes;
        this.maxElements = maxElements;
    }

    /** A reader with {@code maxAmfDepth}, {@code maxAmfStringBytes} and {@code maxAmfElements} of {@code limits}. */
    public static Amf3Reader of(RtmpLimits limits) {
        return new Amf3Reader(limits.maxAmfDepth(), limits.maxAmfStringBytes(), limits.maxAmfElements());
    }

    /**
     * Reads one value and advances the reader index past it.
     *
     * @param in borrowed: not retained or released
     * @return the value, possibly null (AMF3 null)
     * @throws dev.millrace.streaming.rtmp.RtmpProtocolException BAD_AMF on malformed, truncated or over-limit input
     */
    public Object read(ByteBuf in) {
        AmfParser parser = new AmfParser(maxDepth, maxStringBytes, maxElements, in.readableBytes());
        parser.resetAmf3Tables();
        return parser.readAmf3(in, 0);
    }
}
