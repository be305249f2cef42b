package dev.millrace.streaming.rtmp.amf;

import dev.millrace.streaming.rtmp.RtmpLimits;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes AMF0 values (Adobe AMF0 specification; AMF3 values behind the AVM+ marker 0x11 included) into the value
 * model described in the package documentation.
 *
 * <p>Every length and count read from the wire is checked against the limits given here before anything is
 * allocated for it; malformed, truncated or over-limit input throws {@link
 * dev.millrace.streaming.rtmp.RtmpProtocolException} with reason {@code BAD_AMF}, never another exception. After a
 * failure the reader index of the buffer is unspecified.
 *
 * <p>The limits apply per call: {@link #read} for one value, {@link #readAll} for the whole buffer (one RTMP
 * message). Every value counts towards {@code maxElements}; a declared string length or element count is checked
 * against the limit and against the readable bytes before anything is read or allocated. A reference (AMF0 0x07,
 * AMF3 object, string and traits references) returns the instance it names and costs what that value cost: its
 * values, its nesting below the reference and its string bytes; the string, XML and byte-array bytes of a call,
 * references expanded, may not exceed twice the input size (or {@code maxStringBytes} if larger). So a small input
 * never expands into a large graph, and a reference to a value still being read (a cycle) is refused.
 *
 * <p>Immutable and thread-safe: each call keeps its state (counters, reference tables) to itself.
 */
public final class Amf0Reader {

    /** Largest {@code maxDepth} a reader accepts; it bounds the recursion of the decoder. */
    public static final int MAX_DEPTH_CEILING = AmfParser.MAX_DEPTH_CEILING;

    private final int maxDepth;
    private final int maxStringBytes;
    private final int maxElements;

    /**
     * @param maxDepth objects and arrays nested deeper than this are refused (1..{@value #MAX_DEPTH_CEILING})
     * @param maxStringBytes longest string, long string, XML document or AMF3 byte array, in bytes
     * @param maxElements most values one call may decode, nested ones included
     * @throws IllegalArgumentException if a limit is out of range
     */
    public Amf0Reader(int maxDepth, int maxStringBytes, int maxElements) {
        AmfParser.checkLimits(maxDepth, maxStringBytes, maxElements);
        this.maxDepth = maxDepth;
        this.maxStringBytes = maxStringBytes;
        this.maxElements = maxElements;
    }

    /** A reader with {@code maxAmfDepth}, {@code maxAmfStringBytes} and {@code maxAmfElements} of {@code limits}. */
    public static Amf0Reader of(RtmpLimits limits) {
        return new Amf0Reader(limits.maxAmfDepth(), limits.maxAmfStringBytes(), limits.maxAmfElements());
    }

    /**
     * Reads one value and advances the reader index past it.
     *
     * @param in borrowed: not retained or released
     * @return the value, possibly null (AMF null)
     * @throws dev.millrace.streaming.rtmp.RtmpProtocolException BAD_AMF on malformed, truncated or over-limit input
     */
    public Object read(ByteBuf in) {
        return new AmfParser(maxDepth, maxStringBytes, maxElements, in.readableBytes()).readAmf0(in, 0);
    }

    /**
     * Reads values until the buffer is empty: an RTMP command or data message body. The values share one reference
     * table and one element budget, as parts of one message.
     *
     * @param in borrowed: not retained or released; left empty on success
     * @return the values in order, possibly empty, possibly holding nulls
     * @throws dev.millrace.streaming.rtmp.RtmpProtocolException BAD_AMF on malformed, truncated or over-limit input
     */
    public List<Object> readAll(ByteBuf in) {
        AmfParser parser = new AmfParser(maxDepth, maxStringBytes, maxElements, in.readableBytes());
        List<Object> values = new ArrayList<>();
        while (in.isReadable()) {
            values.add(parser.readAmf0(in, 0));
        }
        return values;
    }
}
