package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.chunk.ChunkEncoder;
import dev.millrace.streaming.rtmp.message.Command;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.ControlMessages;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A blocking RTMP client for tests: a real socket, our chunk codec run in EmbeddedChannels, and helpers to send
 * well-formed or deliberately broken sessions. Loopback only; every read has a deadline.
 */
final class TestRtmpClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new ChunkDecoder(RtmpLimits.DEFAULT));
    private final EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
    private final CommandCodec codec = new CommandCodec(RtmpLimits.DEFAULT);
    private boolean eof;

    TestRtmpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a TCP connection without handshaking. */
    static TestRtmpClient open(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        return new TestRtmpClient(s);
    }

    /** Opens a TCP connection from the given local loopback address (127.0.0.2 is another "machine"). */
    static TestRtmpClient openFrom(String localAddress, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new java.net.InetSocketAddress(InetAddress.getByName(localAddress), 0));
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setTcpNoDelay(true);
        return new TestRtmpClient(s);
    }

    /**
     * Reads for {@code duration}, answering every PingRequest with a PingResponse, as FFmpeg and librtmp do.
     * Returns the number of pings answered.
     */
    int answerPings(Duration duration) throws IOException {
        long deadline = System.nanoTime() + duration.toNanos();
        int answered = 0;
        while (!eof && System.nanoTime() < deadline) {
            RtmpMessage m = read(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (m == null) {
                continue;
            }
            try {
                ByteBuf b = m.content();
                if (m.typeId() == MessageType.USER_CONTROL && b.readableBytes() >= 6
                        && b.getUnsignedShort(b.readerIndex()) == ControlMessages.PING_REQUEST) {
                    send(ControlMessages.pingResponse(ByteBufAllocator.DEFAULT, b.getInt(b.readerIndex() + 2)));
                    answered++;
                }
            } finally {
                m.release();
            }
        }
        return answered;
    }

    /** Opens a connection and completes a simple handshake. */
    static TestRtmpClient handshaken(int port) throws IOException {
        TestRtmpClient c = open(port);
        c.handshake();
        return c;
    }

    void handshake() throws IOException {
        byte[] c0c1 = new byte[1537];
        c0c1[0] = 3;
        byte[] random = new byte[1528];
        ThreadLocalRandom.current().nextBytes(random);
        System.arraycopy(random, 0, c0c1, 9, random.length);
        out.write(c0c1);
        out.flush();
        byte[] s = readExactly(1 + 1536 + 1536, Duration.ofSeconds(5));
        byte[] c2 = new byte[1536];
        System.arraycopy(s, 1, c2, 0, 1536); // echo S1
        out.write(c2);
        out.flush();
    }

    /** connect(app) and read until the _result. */
    Command connect(String app) throws IOException {
        AmfObject obj = new AmfObject();
        obj.put("app", app);
        obj.put("flashVer", "FMLE/3.0 (compatible; test)");
        obj.put("tcUrl", "rtmp://127.0.0.1/" + app);
        obj.put("type", "nonprivate");
        send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "connect", 1.0, obj));
        return awaitCommand("_result", Duration.ofSeconds(5));
    }

    int createStream() throws IOException {
        send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "createStream", 2.0, null));
        Command r = awaitCommand("_result", Duration.ofSeconds(5));
        return (int) r.numberArgument(0, -1);
    }

    void play(int sid, String name) throws IOException {
        send(CommandCodec.command(ByteBufAllocator.DEFAULT, 8, sid, "play", 0.0, null, name, -2000.0));
    }

    void publish(int sid, String name) throws IOException {
        send(CommandCodec.command(ByteBufAllocator.DEFAULT, 8, sid, "publish", 0.0, null, name, "live"));
    }

    /** Encodes and sends a message (takes ownership). */
    void send(RtmpMessage msg) throws IOException {
        encoder.writeOutbound(msg);
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            try {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                out.write(bytes);
            } finally {
                b.release();
            }
        }
        out.flush();
    }

    /** Sends bytes as they are. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next message, or null at end of stream or when {@code timeout} passes. Caller releases. */
    RtmpMessage read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[16 * 1024];
        while (true) {
            RtmpMessage m = decoder.readInbound();
            if (m != null) {
                return m;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || eof) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                return null;
            } catch (IOException e) {
                eof = true;
                return null;
            }
            if (n < 0) {
                eof = true;
                return null;
            }
            decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
        }
    }

    /** Reads until a command named {@code name}; throws on timeout or close. */
    Command awaitCommand(String name, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            RtmpMessage m = read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m == null) {
                break;
            }
            try {
                if (m.typeId() == MessageType.COMMAND_AMF0) {
                    Command c = codec.decodeCommand(m);
                    if (c.name().equals(name)) {
                        return c;
                    }
                }
            } finally {
                m.release();
            }
        }
        throw new IOException("no " + name + " within " + timeout + (eof ? " (connection closed)" : ""));
    }

    /** Reads until an onStatus and returns its code. */
    String awaitStatus(Duration timeout) throws IOException {
        Command c = awaitCommand("onStatus", timeout);
        Object info = c.argument(0);
        return info instanceof java.util.Map ? String.valueOf(((java.util.Map<?, ?>) info).get("code")) : null;
    }

    /** Reads and discards until the server closes the connection; false if still open at the deadline. */
    boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof && System.nanoTime() < deadline) {
            RtmpMessage m = read(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (m != null) {
                m.release();
            }
        }
        return eof;
    }

    /** Counts video messages received within {@code duration}. */
    int countVideo(Duration duration) throws IOException {
        long deadline = System.nanoTime() + duration.toNanos();
        int n = 0;
        while (System.nanoTime() < deadline) {
            RtmpMessage m = read(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (m == null) {
                if (eof) {
                    break;
                }
                continue;
            }
            if (m.typeId() == MessageType.VIDEO) {
                n++;
            }
            m.release();
        }
        return n;
    }

    boolean isClosed() {
        return eof;
    }

    /** This client's local port, which the server's log lines show as the remote address. */
    int localPort() {
        return socket.getLocalPort();
    }

    static RtmpMessage setChunkSize(int size) {
        return ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, size);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
    }

    private byte[] readExactly(int n, Duration timeout) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        socket.setSoTimeout((int) timeout.toMillis());
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                throw new IOException("closed after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return b;
    }
}
