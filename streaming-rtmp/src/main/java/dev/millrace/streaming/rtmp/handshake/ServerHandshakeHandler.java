package dev.millrace.streaming.rtmp.handshake;

import static dev.millrace.streaming.rtmp.handshake.HandshakeDigest.NO_SCHEME;
import static dev.millrace.streaming.rtmp.handshake.HandshakeDigest.PACKET_BYTES;

import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The server side of the RTMP handshake (RTMP 1.0 section 5.2), first handler of an accepted connection's pipeline.
 *
 * <ol>
 *   <li>Reads C0 and C1 (1 + 1536 bytes). C0 must be 3; RTMPE (6, 8) and anything else close the connection.</li>
 *   <li>Answers S0 + S1 + S2 in one buffer, one write, one flush, without waiting for C2:
 *     <ul>
 *       <li>C1 bytes 4..7 all zero, or a C1 whose digest matches neither scheme: the plain handshake.
 *           S1 = time 0 + four zero bytes + 1528 random bytes, S2 = C1 echoed byte for byte (some clients compare
 *           S2 with C1). The zero S1 version matters: FFmpeg validates S1 whenever its version byte is 3 or more.</li>
 *       <li>C1 with a valid scheme-1 or scheme-0 digest (see {@link HandshakeDigest}): the complex handshake.
 *           S1 = time 0 + version 13.14.10.13 + random bytes with a scheme-0 digest, S2 = 1504 random bytes + their
 *           signature. FFmpeg players check both.</li>
 *     </ul></li>
 *   <li>Reads C2 (1536 bytes) without checking it: complex clients send random bytes and a signature, not an echo.</li>
 *   <li>Removes itself from the pipeline, fires {@link HandshakeCompleted} to the handlers after it, then passes
 *       on every byte that arrived after C2, in order (OBS and FFmpeg send SetChunkSize and connect in the same
 *       segment as C2). The handler that followed this one at removal time receives those bytes, so install the
 *       chunk decoder behind this handler when the channel is initialised.</li>
 * </ol>
 *
 * <p>Errors: a bad C0 closes the channel and throws {@link RtmpProtocolException} with
 * {@link Reason#BAD_HANDSHAKE}; everything that arrives afterwards is discarded. If the handshake is not complete
 * {@code timeoutMillis} after the channel became active, the handler fires an {@link RtmpProtocolException} with
 * {@link Reason#TIMEOUT} through {@code exceptionCaught} (so the pipeline's error handler logs it) and closes the
 * channel itself, so that a silent peer never holds a connection whatever the rest of the pipeline does.
 *
 * <p>Buffers: the S0 + S1 + S2 buffer comes from the channel's allocator and is owned by the write. Random bytes
 * come from {@link ThreadLocalRandom}: the handshake needs no secret. One instance per connection; all methods run
 * on the channel's event loop.
 */
public final class ServerHandshakeHandler extends HandshakeHandler {

    /** Version bytes of a complex S1; any value with a first byte of 3 or more marks S1 as signed. */
    private static final int COMPLEX_S1_VERSION = 0x0D0E0A0D;

    private boolean answered;
    private boolean complex;

    /**
     * @param timeoutMillis time the peer has, from channel activation, to complete the handshake; positive
     */
    public ServerHandshakeHandler(long timeoutMillis) {
        super(timeoutMillis);
    }

    @Override
    void decodeHandshake(ChannelHandlerContext ctx, ByteBuf in) {
        if (answered) {
            readC2(ctx, in);
        } else {
            readC0C1(ctx, in);
        }
    }

    private void readC0C1(ChannelHandlerContext ctx, ByteBuf in) {
        if (!in.isReadable()) {
            return;
        }
        // RTMP 1.0 section 5.2.2: C0 is one byte, the requested version. Checked before C1 arrives.
        int c0 = in.getUnsignedByte(in.readerIndex());
        if (c0 != RTMP_VERSION) {
            throw fail(ctx, in, c0 == 6 || c0 == 8
                    ? "C0 asks for RTMPE (version " + c0 + "), which is not supported"
                    : "C0 version " + c0 + ", expected 3");
        }
        if (in.readableBytes() < 1 + PACKET_BYTES) {
            return;
        }
        in.skipBytes(1);
        byte[] c1 = new byte[PACKET_BYTES];
        in.readBytes(c1);

        ByteBuf response = ctx.alloc().buffer(1 + 2 * PACKET_BYTES);
        try {
            response.writeByte(RTMP_VERSION); // S0
            writeS1S2(c1, response);
        } catch (RuntimeException e) {
            response.release();
            throw e;
        }
        answered = true;
        // RTMP 1.0 section 5.2.1: the server may send S0 and S1 after C0 and C1, and S2 after C1; the write takes
        // ownership of the response.
        ctx.writeAndFlush(response);
    }

    /** Appends S1 and S2, answering {@code c1}, to {@code response}. */
    private void writeS1S2(byte[] c1, ByteBuf response) {
        // RTMP 1.0 section 5.2.3: C1 = time(4) + zero(4) + random(1528). A non-zero "zero" field is a version and
        // announces a digest.
        boolean plainC1 = c1[4] == 0 && c1[5] == 0 && c1[6] == 0 && c1[7] == 0;
        int scheme = plainC1 ? NO_SCHEME : HandshakeDigest.validateC1(c1);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] s1 = new byte[PACKET_BYTES];
        random.nextBytes(s1);
        // Time 0: the epoch of the timestamps this server sends (RTMP 1.0 section 5.2.3 allows 0).
        s1[0] = 0;
        s1[1] = 0;
        s1[2] = 0;
        s1[3] = 0;
        if (scheme == NO_SCHEME) {
            s1[4] = 0;
            s1[5] = 0;
            s1[6] = 0;
            s1[7] = 0;
            response.writeBytes(s1);
            // S2 echoes C1 whole (RTMP 1.0 section 5.2.4 asks for C1's time and random bytes).
            response.writeBytes(c1);
            return;
        }
        complex = true;
        s1[4] = (byte) (COMPLEX_S1_VERSION >>> 24);
        s1[5] = (byte) (COMPLEX_S1_VERSION >>> 16);
        s1[6] = (byte) (COMPLEX_S1_VERSION >>> 8);
        s1[7] = (byte) COMPLEX_S1_VERSION;
        HandshakeDigest.signS1(s1);
        response.writeBytes(s1);
        byte[] s2 = new byte[PACKET_BYTES];
        random.nextBytes(s2);
        HandshakeDigest.signS2(s2, c1, scheme);
        response.writeBytes(s2);
    }

    private void readC2(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < PACKET_BYTES) {
            return;
        }
        // C2 is not checked: plain clients echo S1, complex ones send random bytes and a signature.
        in.skipBytes(PACKET_BYTES);
        complete(ctx, complex);
    }
}
