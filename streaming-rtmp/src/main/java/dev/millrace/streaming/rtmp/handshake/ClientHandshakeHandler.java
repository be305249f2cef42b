package dev.millrace.streaming.rtmp.handshake;

import static dev.millrace.streaming.rtmp.handshake.HandshakeDigest.PACKET_BYTES;

import dev.millrace.streaming.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of the RTMP handshake (RTMP 1.0 section 5.2), first handler of an outgoing connection's pipeline.
 * It behaves like OBS (librtmp without RTMPE or SWF verification), which every ingest platform accepts:
 *
 * <ol>
 *   <li>When the channel is active (or when added to an active channel) it writes and flushes C0 = 3 and a plain
 *       C1 = time 0 + four zero bytes + 1528 random bytes.</li>
 *   <li>Reads S0, S1 and S2 (1 + 1536 + 1536 bytes). S0 must be 3, otherwise the connection closes. S1 and S2 are
 *       never validated: a server may answer a plain C1 with a signed S1 and a random S2.</li>
 *   <li>Writes C2 = S1 echoed byte for byte (RTMP 1.0 section 5.2.4).</li>
 *   <li>Removes itself from the pipeline, fires {@link HandshakeCompleted}{@code (false)} to the handlers after it,
 *       flushes (so C2 leaves together with anything those handlers wrote for the event, such as SetChunkSize and
 *       connect), then passes on every byte that arrived after S2, in order.</li>
 * </ol>
 *
 * <p>Errors: a bad S0 closes the channel and throws {@link RtmpProtocolException} with
 * {@link Reason#BAD_HANDSHAKE}; everything that arrives afterwards is discarded. If the handshake is not complete
 * {@code timeoutMillis} after the channel became active, the handler fires an {@link RtmpProtocolException} with
 * {@link Reason#TIMEOUT} through {@code exceptionCaught} and closes the channel.
 *
 * <p>Buffers: C0 + C1 and C2 come from the channel's allocator and are owned by their writes. One instance per
 * connection; all methods run on the channel's event loop.
 */
public final class ClientHandshakeHandler extends HandshakeHandler {

    /**
     * @param timeoutMillis time the server has, from channel activation, to complete the handshake; positive
     */
    public ClientHandshakeHandler(long timeoutMillis) {
        super(timeoutMillis);
    }

    /** Sends C0 + C1 once the channel is active. */
    @Override
    void started(ChannelHandlerContext ctx) {
        ByteBuf c0c1 = ctx.alloc().buffer(1 + PACKET_BYTES);
        c0c1.writeByte(RTMP_VERSION); // C0
        // RTMP 1.0 section 5.2.3: C1 = time(4) + zero(4) + random(1528). Time 0 is the epoch of the timestamps
        // this client sends; the zero field marks a plain C1.
        c0c1.writeInt(0);
        c0c1.writeInt(0);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < (PACKET_BYTES - 8) / Long.BYTES; i++) {
            c0c1.writeLong(random.nextLong());
        }
        // The write takes ownership of c0c1.
        ctx.writeAndFlush(c0c1);
    }

    @Override
    void decodeHandshake(ChannelHandlerContext ctx, ByteBuf in) {
        if (!in.isReadable()) {
            return;
        }
        // RTMP 1.0 section 5.2.2: S0 is the version the server chose. Checked before S1 arrives.
        int s0 = in.getUnsignedByte(in.readerIndex());
        if (s0 != RTMP_VERSION) {
            throw fail(ctx, in, "S0 version " + s0 + ", expected 3");
        }
        if (in.readableBytes() < 1 + 2 * PACKET_BYTES) {
            return;
        }
        in.skipBytes(1);
        ByteBuf c2 = ctx.alloc().buffer(PACKET_BYTES);
        c2.writeBytes(in, PACKET_BYTES); // C2 = S1
        in.skipBytes(PACKET_BYTES); // S2 is not checked
        // RTMP 1.0 section 5.2.1: C2 after S1; other data only after S2. The write takes ownership of c2; the flush
        // below sends it with whatever the next handlers write when they see the event.
        ctx.write(c2);
        complete(ctx, false);
        ctx.flush();
    }
}
