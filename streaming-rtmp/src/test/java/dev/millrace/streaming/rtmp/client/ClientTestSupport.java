package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.chunk.ChunkEncoder;
import dev.millrace.streaming.rtmp.handshake.HandshakeCompleted;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Hex vectors and an EmbeddedChannel pipeline around one {@link ClientSession}, for tests without sockets. */
final class ClientTestSupport {

    static final long COMMAND_TIMEOUT_MILLIS = 5_000;

    static final ClientConfig CONFIG = new ClientConfig(RtmpLimits.DEFAULT, 4096, 10_000, 10_000,
            COMMAND_TIMEOUT_MILLIS, 512 * 1024, 2 * 1024 * 1024, null);

    private ClientTestSupport() {
    }

    /**
     * Bytes from hex digits; spaces are ignored and {@code 'text'} stands for the ASCII bytes of text (so that
     * AMF strings read as what they say; lengths and markers are still written out by hand).
     */
    static byte[] hex(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\n') {
                i++;
            } else if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                out.writeBytes(s.substring(i + 1, end).getBytes(StandardCharsets.US_ASCII));
                i = end + 1;
            } else {
                out.write(Integer.parseInt(s.substring(i, i + 2), 16));
                i += 2;
            }
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A session in an EmbeddedChannel with our chunk codec, as the client pipeline has it after the handshake. */
    static final class Harness implements AutoCloseable {
        final CompletableFuture<RtmpConnection> connected = new CompletableFuture<>();
        final EmbeddedChannel ch;

        Harness(String url) {
            this(CONFIG, url);
        }

        Harness(ClientConfig config, String url) {
            ch = new EmbeddedChannel(new ChunkDecoder(config.limits()), new ChunkEncoder(),
                    new ClientSession(config, RtmpUrl.parse(url), connected));
            ch.freezeTime();
        }

        /** What the handshake handler fires when it is done. */
        void handshakeCompleted() {
            ch.pipeline().fireUserEventTriggered(new HandshakeCompleted(false));
        }

        /** Feeds server bytes, as one read. */
        void receive(byte[] bytes) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        }

        /** Feeds server bytes in reads of {@code size} bytes. */
        void receive(byte[] bytes, int size) {
            for (int from = 0; from < bytes.length; from += size) {
                ch.writeInbound(Unpooled.copiedBuffer(bytes, from, Math.min(size, bytes.length - from)));
            }
        }

        /** Everything the session flushed since the last call, as one byte array. */
        byte[] sent() {
            ch.runPendingTasks();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Object o;
            while ((o = ch.readOutbound()) != null) {
                try {
                    ByteBuf b = o instanceof ByteBufHolder ? ((ByteBufHolder) o).content() : (ByteBuf) o;
                    byte[] bytes = new byte[b.readableBytes()];
                    b.getBytes(b.readerIndex(), bytes);
                    out.writeBytes(bytes);
                } finally {
                    ReferenceCountUtil.release(o);
                }
            }
            return out.toByteArray();
        }

        void advanceMillis(long millis) {
            ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            ch.runPendingTasks();
        }

        @Override
        public void close() {
            ch.finishAndReleaseAll();
        }
    }
}
