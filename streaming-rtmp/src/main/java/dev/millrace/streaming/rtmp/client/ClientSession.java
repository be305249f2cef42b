package dev.millrace.streaming.rtmp.client;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.amf.AmfEcmaArray;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.client.ClientStream.Phase;
import dev.millrace.streaming.rtmp.handshake.HandshakeCompleted;
import dev.millrace.streaming.rtmp.media.MediaMessageEncoding;
import dev.millrace.streaming.rtmp.message.Command;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.ControlMessages;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the handshake: the NetConnection {@code connect}, the NetStreams it opens for
 * publishing and playing, and the protocol duties of a well-behaved peer. Last handler of the pipeline (after the
 * handshake handler, {@link ChunkDecoder} and {@code ChunkEncoder}).
 *
 * <p>Sequence (RTMP-FIELD-GUIDE §8, as OBS does it): on {@link HandshakeCompleted}, Set Chunk Size and
 * {@code connect}; {@code _result} completes the connect future. {@code publish}: {@code releaseStream},
 * {@code FCPublish} and {@code createStream} pipelined, then {@code publish(name, "live")} on the message stream from
 * {@code createStream}'s {@code _result}; {@code NetStream.Publish.Start} completes the future. {@code play}:
 * {@code createStream}, then {@code play(name, -2000)} and Set Buffer Length; {@code NetStream.Play.Start}
 * completes the future. Replies are matched by transaction id and statuses by message stream id, so the order in
 * which a server interleaves them does not matter.
 *
 * <p>Duties: answer Ping Request with Ping Response; acknowledge every half window of received bytes once the
 * server set a window (RTMP 1.0 section 5.4.3, modulo 2^32); answer Set Peer Bandwidth with Window Acknowledgement
 * Size when the window changes (section 5.4.5); apply Set Chunk Size (the chunk decoder does); answer calls from the
 * server with an empty {@code _result}. Sending never waits for acknowledgements.
 *
 * <p>Failures: {@code _error} or an {@code onStatus} of level {@code error} fails the request it answers with
 * {@link RtmpClientException.Reason#REJECTED}. A missing answer fails it after the command timeout with
 * {@link RtmpClientException.Reason#TIMEOUT} and closes the connection (what the server holds for it is then
 * unknown). A protocol error closes the connection.
 *
 * <p>Closing through the pipeline ({@code channel.close()}) is graceful: every started stream says goodbye
 * ({@code FCUnpublish} + {@code deleteStream}, or {@code deleteStream}), which is flushed before the socket closes (at
 * most {@value #GOODBYE_FLUSH_MILLIS} ms later).
 *
 * <p>Threading: all state is confined to the channel's event loop; the methods called by {@link RtmpConnection},
 * {@link RtmpPublisher} and {@link RtmpPlayer} hop onto it when called from elsewhere.
 */
final class ClientSession extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** flashVer of {@code connect}: "FMLE/3.0" marks a publishing encoder for servers that look (SRS). */
    static final String FLASH_VER = "FMLE/3.0 (compatible; Millrace)";
    /** Chunk stream of NetConnection commands, as FFmpeg and our server use it. */
    static final int NET_CONNECTION_CHUNK_STREAM = CommandCodec.NET_CONNECTION_CHUNK_STREAM;
    /** Chunk stream of {@code publish} and {@code play}, which travel on their message stream (OBS uses 4). */
    static final int NET_STREAM_COMMAND_CHUNK_STREAM = 4;
    /** {@code connect} is transaction 1 (RTMP 1.0 section 7.2.1.1). */
    static final long CONNECT_TRANSACTION = 1;
    /** Set Buffer Length sent after {@code play}, in milliseconds (FFmpeg's default is 3000). */
    static final int BUFFER_LENGTH_MILLIS = 3000;
    /** Longest wait for the goodbye messages to leave before a graceful close closes anyway. */
    static final long GOODBYE_FLUSH_MILLIS = 2000;

    private enum State {
        HANDSHAKING,
        /** {@code connect} sent, waiting for its {@code _result}. */
        CONNECTING,
        CONNECTED,
        CLOSED
    }

    private final long id = IDS.incrementAndGet();
    private final ClientConfig config;
    private final RtmpUrl url;
    private final CompletableFuture<RtmpConnection> connectFuture;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final CommandCodec codec;
    private final MediaMessageEncoding encoding;
    /** Streams being opened or open; rarely more than one, so lookups scan. */
    private final List<ClientStream> streams = new ArrayList<>(2);

    private ChannelHandlerContext ctx;
    private ChunkDecoder decoder;
    private RtmpConnection connection;
    private volatile State state = State.HANDSHAKING;
    private ScheduledFuture<?> connectDeadline;
    private long nextTransaction = CONNECT_TRANSACTION + 1;
    /** Window Acknowledgement Size the server announced (RTMP 5.4.4); 0 until it does. */
    private long ackWindow;
    private long lastAcknowledged;
    /** The output window the server set with Set Peer Bandwidth, and its limit type; -1 before the first. */
    private long peerWindow = -1;
    private int peerLimitType = -1;
    /** The last Window Acknowledgement Size we sent; -1 before the first. */
    private long announcedWindow = -1;
    private boolean wrote;
    /** True once this side asked for the close: the connection then ends without a cause. */
    private volatile boolean closeRequested;
    /** Why the connection is failing, when it is. */
    private RtmpClientException failure;
    private ArrayDeque<Runnable> writableWaiters;

    /**
     * @param connectFuture completed with the connection on {@code connect}'s {@code _result}, or failed; if the
     *     caller cancels it before, the connection closes
     */
    ClientSession(ClientConfig config, RtmpUrl url, CompletableFuture<RtmpConnection> connectFuture) {
        this.config = config;
        this.url = url;
        this.connectFuture = connectFuture;
        this.codec = new CommandCodec(config.limits());
        this.encoding = MediaMessageEncoding.forPublishers(config.chunkSize());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.decoder = ctx.pipeline().get(ChunkDecoder.class);
    }

    // ---------------------------------------------------------------- connect

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeCompleted) {
            startConnect();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void startConnect() {
        if (state != State.HANDSHAKING) {
            return;
        }
        state = State.CONNECTING;
        // OBS sends Set Chunk Size before connect (RTMP-FIELD-GUIDE §1.1 step 3); the encoder switches right after it.
        queue(ControlMessages.setChunkSize(ctx.alloc(), config.chunkSize()));
        // RTMP 1.0 section 7.2.1.1; the properties and their order are OBS's (field guide §8 step 2).
        AmfObject properties = new AmfObject();
        properties.put("app", url.app());
        properties.put("type", "nonprivate");
        properties.put("flashVer", FLASH_VER);
        properties.put("swfUrl", url.tcUrl());
        properties.put("tcUrl", url.tcUrl());
        queue(CommandCodec.command(ctx.alloc(), NET_CONNECTION_CHUNK_STREAM, 0, "connect",
                (double) CONNECT_TRANSACTION, properties));
        flushIfWritten();
        connectDeadline = ctx.executor().schedule(this::connectTimedOut, config.commandTimeoutMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void connectTimedOut() {
        connectDeadline = null;
        if (state == State.CONNECTING) {
            failConnection(new RtmpClientException(RtmpClientException.Reason.TIMEOUT,
                    "no answer to connect within " + config.commandTimeoutMillis() + " ms"));
        }
    }

    private void connected(Command result) {
        Map<?, ?> info = info(result);
        if ("error".equalsIgnoreCase(string(info, "level"))) {
            failConnection(rejected("connect", info));
            return;
        }
        cancel(connectDeadline);
        connectDeadline = null;
        state = State.CONNECTED;
        connection = new RtmpConnection(this);
        log.debug("{}: connected", this);
        if (!connectFuture.complete(connection)) {
            // The caller cancelled the connect meanwhile.
            ctx.channel().close();
        }
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtmpMessage)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        RtmpMessage m = (RtmpMessage) msg;
        try {
            if (state != State.CLOSED) {
                dispatch(m);
            }
        } finally {
            m.release();
        }
    }

    private void dispatch(RtmpMessage m) {
        switch (m.typeId()) {
            case MessageType.AUDIO:
            case MessageType.VIDEO: {
                ClientStream s = stream(m.messageStreamId());
                if (s instanceof RtmpPlayer) {
                    ((RtmpPlayer) s).onMedia(m.typeId(), m.timestamp(), m.content());
                }
                return;
            }
            case MessageType.SET_CHUNK_SIZE:
            case MessageType.ABORT:
            case MessageType.ACKNOWLEDGEMENT:
                return; // applied by the chunk decoder; acknowledgements gate nothing (field guide T12, §8 step 6)
            case MessageType.WINDOW_ACK_SIZE:
                ackWindow = Math.max(1, u32(m, 0));
                return;
            case MessageType.SET_PEER_BANDWIDTH:
                onSetPeerBandwidth(m);
                return;
            case MessageType.USER_CONTROL:
                onUserControl(m);
                return;
            case MessageType.DATA_AMF0:
            case MessageType.DATA_AMF3: {
                ClientStream s = stream(m.messageStreamId());
                if (s instanceof RtmpPlayer) {
                    ((RtmpPlayer) s).onData(m, codec.decodeValues(m));
                }
                return;
            }
            case MessageType.COMMAND_AMF0:
            case MessageType.COMMAND_AMF3:
                onCommand(codec.decodeCommand(m));
                return;
            case MessageType.AGGREGATE: {
                ClientStream s = stream(m.messageStreamId());
                if (s instanceof RtmpPlayer) {
                    ((RtmpPlayer) s).onAggregate(m);
                }
                return;
            }
            default:
                log.debug("{}: ignoring message type {}", this, m.typeId());
        }
    }

    /** The 4-byte unsigned value at {@code offset} of a control message; checks the length. */
    private static long u32(RtmpMessage m, int offset) {
        requireLength(m, offset + 4);
        return m.content().getUnsignedInt(m.content().readerIndex() + offset);
    }

    private static void requireLength(RtmpMessage m, int n) {
        if (m.length() < n) {
            throw new RtmpProtocolException(Reason.BAD_CONTROL_MESSAGE,
                    "message type " + m.typeId() + " needs " + n + " bytes, has " + m.length());
        }
    }

    /**
     * RTMP 1.0 section 5.4.5: limit type 0 hard (use the window), 1 soft (the smaller of the current and the new),
     * 2 dynamic (hard if the previous was hard, else ignored; the first one counts as hard, so that the usual
     * {@code (2500000, 2)} right after connect is answered). A changed window is answered with Window
     * Acknowledgement Size (field guide T15); it never gates sending.
     */
    private void onSetPeerBandwidth(RtmpMessage m) {
        requireLength(m, 5);
        long window = u32(m, 0);
        int limitType = m.content().getUnsignedByte(m.content().readerIndex() + 4);
        long applied;
        switch (limitType) {
            case 0:
                applied = window;
                break;
            case 1:
                applied = peerWindow < 0 ? window : Math.min(peerWindow, window);
                break;
            case 2:
                if (peerLimitType > 0) {
                    return;
                }
                applied = window;
                limitType = 0;
                break;
            default:
                log.debug("{}: ignoring Set Peer Bandwidth with limit type {}", this, limitType);
                return;
        }
        peerWindow = applied;
        peerLimitType = limitType;
        if (applied != announcedWindow) {
            announcedWindow = applied;
            queue(ControlMessages.windowAckSize(ctx.alloc(), (int) applied));
        }
    }

    private void onUserControl(RtmpMessage m) {
        requireLength(m, 2);
        ByteBuf b = m.content();
        int event = b.getUnsignedShort(b.readerIndex());
        if (event == ControlMessages.PING_REQUEST) {
            // RTMP 1.0 section 7.1.7: answer with the same 4-byte timestamp
            requireLength(m, 6);
            queue(ControlMessages.pingResponse(ctx.alloc(), b.getInt(b.readerIndex() + 2)));
        }
        // StreamBegin, StreamEOF, StreamDry, StreamIsRecorded, BufferEmpty/Ready (31/32): nothing to do here; the
        // statuses that come with them reach the listener.
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (ackWindow > 0 && decoder != null && state != State.CLOSED) {
            long read = decoder.bytesRead();
            // Acknowledge at half the window, as FFmpeg does (field guide T11); the sequence number wraps at 2^32.
            if (read - lastAcknowledged >= ackWindow / 2) {
                lastAcknowledged = read;
                queue(ControlMessages.acknowledgement(ctx.alloc(), read));
            }
        }
        flushIfWritten();
        ctx.fireChannelReadComplete();
    }

    // ---------------------------------------------------------------- commands

    private void onCommand(Command c) {
        switch (c.name()) {
            case "_result":
                onResult(c);
                break;
            case "_error":
                onError(c);
                break;
            case "onStatus":
                onStatus(c);
                break;
            case "onBWDone":
            case "onFCPublish":
            case "onFCUnpublish":
            case "onFCSubscribe":
            case "onFCUnsubscribe":
            case "close":
                break; // informational (field guide §8 step 4); a server that ends the connection closes it
            default:
                // A call from the server (FMS's onBWCheck, say): an empty _result, so a server that waits goes on.
                if (c.transactionId() != 0) {
                    queue(CommandCodec.reply(ctx.alloc(), "_result", c.transactionId(), null, null));
                }
        }
    }

    private void onResult(Command c) {
        long txn = Math.round(c.transactionId());
        if (txn == CONNECT_TRANSACTION && state == State.CONNECTING) {
            connected(c);
            return;
        }
        for (int i = 0; i < streams.size(); i++) {
            ClientStream s = streams.get(i);
            if (s.phase == Phase.CREATING && s.createTransaction == txn) {
                created(s, c);
                return;
            }
        }
        // releaseStream, FCPublish, FCUnpublish, publish and play results need nothing.
    }

    /**
     * {@code createStream}'s {@code _result}: the message stream id is the 4th value (field guide §1.1 step 7); a
     * reply with only three values and a number in the third is read as that number.
     */
    private void created(ClientStream s, Command result) {
        Object id = result.arguments().isEmpty() && result.commandObject() instanceof Number
                ? result.commandObject() : result.argument(0);
        double sid = id instanceof Number ? ((Number) id).doubleValue() : -1;
        if (!(sid >= 0 && sid <= Integer.MAX_VALUE && sid == Math.rint(sid))) {
            failStream(s, new RtmpClientException(RtmpClientException.Reason.PROTOCOL,
                    "createStream answered without a valid stream id"));
            return;
        }
        s.streamId = (int) sid;
        s.phase = Phase.STARTING;
        s.startTransaction = nextTransaction++;
        s.writeStart();
    }

    private void onError(Command c) {
        long txn = Math.round(c.transactionId());
        Map<?, ?> info = info(c);
        if (txn == CONNECT_TRANSACTION && state == State.CONNECTING) {
            failConnection(rejected("connect", info));
            return;
        }
        for (int i = 0; i < streams.size(); i++) {
            ClientStream s = streams.get(i);
            if ((s.phase == Phase.CREATING && s.createTransaction == txn)
                    || (s.phase == Phase.STARTING && s.startTransaction == txn)) {
                failStream(s, rejected(s.publishing() ? "publish" : "play", info));
                return;
            }
        }
        // releaseStream and FCPublish may be refused by servers that do not know them (FFmpeg only warns).
        log.debug("{}: _error for transaction {}: {}", this, txn, string(info, "code"));
    }

    private void onStatus(Command c) {
        Map<?, ?> info = info(c);
        String level = string(info, "level");
        String code = string(info, "code");
        String description = string(info, "description");
        ClientStream s = stream(c.messageStreamId());
        if (s == null && c.messageStreamId() == 0) {
            if (state == State.CONNECTING && "error".equalsIgnoreCase(level)) {
                failConnection(rejected("connect", info));
                return;
            }
            s = onlyStartingStream();
        }
        if (s == null) {
            log.debug("{}: onStatus {} for unknown message stream {}", this, code, c.messageStreamId());
            return;
        }
        s.status(level, code, description);
        if (s.phase != Phase.STARTING) {
            if ("error".equalsIgnoreCase(level)) {
                log.info("{}: {} reported {}: {}", this, s, code, description);
            }
            return;
        }
        if ("error".equalsIgnoreCase(level)) {
            failStream(s, rejected(s.publishing() ? "publish" : "play", info));
        } else if (s.isStartCode(code)) {
            cancel(s.deadline);
            s.deadline = null;
            s.phase = Phase.ACTIVE;
            s.started();
        }
    }

    /** The stream with message stream id {@code msid}, once the server named it; null if none. */
    private ClientStream stream(int msid) {
        for (int i = 0; i < streams.size(); i++) {
            ClientStream s = streams.get(i);
            if (s.streamId == msid && (s.phase == Phase.STARTING || s.phase == Phase.ACTIVE)) {
                return s;
            }
        }
        return null;
    }

    /** For statuses sent on message stream 0: the one stream waiting to start, if exactly one is. */
    private ClientStream onlyStartingStream() {
        ClientStream only = null;
        for (int i = 0; i < streams.size(); i++) {
            ClientStream s = streams.get(i);
            if (s.phase == Phase.STARTING) {
                if (only != null) {
                    return null;
                }
                only = s;
            }
        }
        return only;
    }

    /** The info object of a reply or status: the 4th AMF value (field guide §1.3); null if absent. */
    private static Map<?, ?> info(Command c) {
        Object v = c.argument(0);
        return v instanceof Map ? (Map<?, ?>) v : null;
    }

    private static String string(Map<?, ?> info, String key) {
        Object v = info == null ? null : info.get(key);
        return v instanceof String ? (String) v : null;
    }

    private static RtmpClientException rejected(String what, Map<?, ?> info) {
        String code = string(info, "code");
        String description = string(info, "description");
        return new RtmpClientException(RtmpClientException.Reason.REJECTED,
                what + " refused: " + code + (description != null ? " (" + description + ")" : ""), code, description,
                null);
    }

    // ---------------------------------------------------------------- streams (any thread; state on the event loop)

    CompletableFuture<RtmpPublisher> publish(String name) {
        RtmpPublisher p = new RtmpPublisher(this, name, encoding);
        open(p);
        return p.future;
    }

    CompletableFuture<RtmpPlayer> play(String name, PlayListener listener) {
        RtmpPlayer p = new RtmpPlayer(this, name, listener);
        open(p);
        return p.future;
    }

    private void open(ClientStream s) {
        if (ctx.executor().inEventLoop()) {
            doOpen(s);
            return;
        }
        try {
            ctx.executor().execute(() -> doOpen(s));
        } catch (RejectedExecutionException e) {
            s.phase = Phase.CLOSED;
            s.failed(new RtmpClientException(RtmpClientException.Reason.CLOSED, "the event loop has shut down", e));
        }
    }

    private void doOpen(ClientStream s) {
        if (state != State.CONNECTED || closeRequested) {
            s.phase = Phase.CLOSED;
            s.failed(new RtmpClientException(RtmpClientException.Reason.CLOSED, "the connection is closed"));
            return;
        }
        streams.add(s);
        if (s.publishing()) {
            // Pipelined as OBS and FFmpeg do (field guide §1.1); their answers are not needed.
            writeConnectionCommand("releaseStream", s.name);
            writeConnectionCommand("FCPublish", s.name);
        }
        s.createTransaction = nextTransaction++;
        queue(CommandCodec.command(ctx.alloc(), NET_CONNECTION_CHUNK_STREAM, 0, "createStream",
                (double) s.createTransaction, null));
        s.deadline = ctx.executor().schedule(() -> streamTimedOut(s), config.commandTimeoutMillis(),
                TimeUnit.MILLISECONDS);
        flushIfWritten();
    }

    private void streamTimedOut(ClientStream s) {
        s.deadline = null;
        if (s.phase != Phase.CREATING && s.phase != Phase.STARTING) {
            return;
        }
        RtmpClientException e = new RtmpClientException(RtmpClientException.Reason.TIMEOUT,
                "no " + (s.phase == Phase.CREATING ? "answer to createStream" : s.publishing()
                        ? "NetStream.Publish.Start" : "NetStream.Play.Start")
                        + " within " + config.commandTimeoutMillis() + " ms");
        failStream(s, e);
        // What the server holds for this stream is unknown now: do not reuse the connection.
        failConnection(e);
    }

    /** Fails a stream that has not started; tells the server to drop it if it had created it. */
    private void failStream(ClientStream s, RtmpClientException cause) {
        cancel(s.deadline);
        s.deadline = null;
        if (s.phase == Phase.CLOSED) {
            return;
        }
        boolean created = s.phase != Phase.CREATING;
        s.phase = Phase.CLOSED;
        streams.remove(s);
        if (created && state == State.CONNECTED && !closeRequested && ctx.channel().isActive()) {
            writeConnectionCommand("deleteStream", (double) s.streamId);
        }
        s.failed(cause);
    }

    void closeStream(ClientStream s) {
        if (ctx.executor().inEventLoop()) {
            doCloseStream(s);
        } else {
            try {
                ctx.executor().execute(() -> doCloseStream(s));
            } catch (RejectedExecutionException e) {
                log.debug("{}: event loop shut down; {} not closed", this, s);
            }
        }
    }

    private void doCloseStream(ClientStream s) {
        switch (s.phase) {
            case CREATING:
            case STARTING:
                failStream(s, new RtmpClientException(RtmpClientException.Reason.CLOSED, "closed before it started"));
                break;
            case ACTIVE:
                s.phase = Phase.CLOSED;
                streams.remove(s);
                if (state == State.CONNECTED && !closeRequested) {
                    s.writeGoodbye();
                }
                s.ended(null);
                break;
            default:
                break;
        }
        flushIfWritten();
    }

    // ---------------------------------------------------------------- outbound helpers

    /** Writes a NetConnection command ({@code name}, next transaction, null, {@code args}) on chunk stream 3. */
    void writeConnectionCommand(String name, Object... args) {
        queue(CommandCodec.command(ctx.alloc(), NET_CONNECTION_CHUNK_STREAM, 0, values(name, nextTransaction++, args)));
    }

    /** Writes a NetStream command ({@code name}, {@code transaction}, null, {@code args}) on its message stream. */
    void writeStreamCommand(int messageStreamId, String name, long transaction, Object... args) {
        queue(CommandCodec.command(ctx.alloc(), NET_STREAM_COMMAND_CHUNK_STREAM, messageStreamId,
                values(name, transaction, args)));
    }

    private static Object[] values(String name, long transaction, Object[] args) {
        Object[] values = new Object[3 + args.length];
        values[0] = name;
        values[1] = (double) transaction;
        values[2] = null; // the command object slot: AMF0 null, never undefined (field guide §1.3)
        System.arraycopy(args, 0, values, 3, args.length);
        return values;
    }

    /** User Control Set Buffer Length (RTMP 1.0 section 7.1.7, event 3): stream id, then milliseconds. */
    void writeSetBufferLength(int messageStreamId) {
        queue(ControlMessages.setBufferLength(ctx.alloc(), messageStreamId, BUFFER_LENGTH_MILLIS));
    }

    /**
     * Returns an owned data message {@code "@setDataFrame", "onMetaData", ECMA array} on {@code messageStreamId}
     * (chunk stream 5, timestamp 0). Any thread.
     */
    RtmpMessage metadataMessage(int messageStreamId, Map<String, ?> values) {
        AmfEcmaArray array = new AmfEcmaArray();
        array.putAll(values);
        return CommandCodec.data(ctx.alloc(), messageStreamId, "@setDataFrame", "onMetaData", array);
    }

    /** Writes a message without flushing. Any thread; takes ownership of {@code msg}. */
    void writeUnflushed(Object msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    /** Any thread. */
    void flush() {
        ctx.flush();
    }

    /** Event loop: a write that the next flush point sends. Takes ownership of {@code msg}. */
    private void queue(Object msg) {
        ctx.write(msg, ctx.voidPromise());
        wrote = true;
    }

    private void flushIfWritten() {
        if (wrote) {
            wrote = false;
            ctx.flush();
        }
    }

    boolean isWritable() {
        return ctx.channel().isWritable();
    }

    void whenWritable(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            doWhenWritable(task);
        } else {
            ctx.executor().execute(() -> doWhenWritable(task));
        }
    }

    private void doWhenWritable(Runnable task) {
        if (state == State.CLOSED || ctx.channel().isWritable()) {
            run(task);
            return;
        }
        if (writableWaiters == null) {
            writableWaiters = new ArrayDeque<>(2);
        }
        writableWaiters.add(task);
    }

    private void runWritableWaiters() {
        if (writableWaiters == null) {
            return;
        }
        Runnable task;
        while ((task = writableWaiters.poll()) != null) {
            run(task);
        }
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{}: a whenWritable task threw", this, e);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            runWritableWaiters();
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---------------------------------------------------------------- closing

    /**
     * A close requested through the pipeline ({@link RtmpConnection#close()}, the client closing): say goodbye for
     * every started stream, flush, then close.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closeRequested || state == State.CLOSED) {
            ctx.close(promise);
            return;
        }
        closeRequested = true;
        boolean goodbye = false;
        if (state == State.CONNECTED) {
            for (int i = 0; i < streams.size(); i++) {
                ClientStream s = streams.get(i);
                if (s.phase == Phase.ACTIVE) {
                    s.writeGoodbye();
                    goodbye = true;
                }
            }
        }
        wrote = false;
        if (!goodbye) {
            ctx.flush();
            ctx.close(promise);
            return;
        }
        ChannelFuture flushed = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        ScheduledFuture<?> guard = ctx.executor().schedule(() -> closeOnce(ctx, promise), GOODBYE_FLUSH_MILLIS,
                TimeUnit.MILLISECONDS);
        flushed.addListener(f -> {
            guard.cancel(false);
            closeOnce(ctx, promise);
        });
    }

    private static void closeOnce(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!promise.isDone()) {
            ctx.close(promise);
        }
    }

    /** Fails the connection: records why, fails the connect future and closes the socket at once. */
    private void failConnection(RtmpClientException cause) {
        if (state == State.CLOSED) {
            return;
        }
        if (failure == null) {
            failure = cause;
        }
        connectFuture.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.CLOSED) {
            log.debug("{}: after close: {}", this, cause.toString());
            return;
        }
        RtmpClientException e = classify(cause);
        if (e.reason() == RtmpClientException.Reason.PROTOCOL) {
            log.warn("{}: closing connection: {}", this, cause.getMessage());
        } else {
            log.debug("{}: closing connection: {}", this, cause.toString());
        }
        failConnection(e);
    }

    private RtmpClientException classify(Throwable cause) {
        if (cause instanceof RtmpClientException) {
            return (RtmpClientException) cause;
        }
        if (cause instanceof RtmpProtocolException) {
            RtmpProtocolException p = (RtmpProtocolException) cause;
            if (p.reason() == Reason.TIMEOUT) {
                return new RtmpClientException(RtmpClientException.Reason.TIMEOUT, p.getMessage(), p);
            }
            return new RtmpClientException(RtmpClientException.Reason.PROTOCOL, p.getMessage(), p);
        }
        if (cause instanceof IOException) {
            return new RtmpClientException(RtmpClientException.Reason.CLOSED, "connection error: " + cause, cause);
        }
        return new RtmpClientException(RtmpClientException.Reason.PROTOCOL, "unexpected error: " + cause, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        cancel(connectDeadline);
        connectDeadline = null;
        // Closed on request: no cause, whatever went wrong meanwhile. Otherwise why it failed, or the server closed it.
        RtmpClientException cause = closeRequested ? null : failure;
        if (cause == null && !closeRequested) {
            cause = new RtmpClientException(RtmpClientException.Reason.CLOSED, was == State.HANDSHAKING
                    ? "the server closed the connection during the handshake" : was == State.CONNECTING
                    ? "the server closed the connection before answering connect"
                    : "the server closed the connection");
        }
        connectFuture.completeExceptionally(cause != null ? cause
                : new RtmpClientException(RtmpClientException.Reason.CLOSED, "closed before connect was answered"));
        List<ClientStream> open = new ArrayList<>(streams);
        streams.clear();
        for (ClientStream s : open) {
            cancel(s.deadline);
            s.deadline = null;
            Phase phase = s.phase;
            s.phase = Phase.CLOSED;
            if (phase == Phase.ACTIVE) {
                s.ended(cause);
            } else if (phase != Phase.CLOSED) {
                String awaited = s.publishing() ? "NetStream.Publish.Start" : "NetStream.Play.Start";
                s.failed(failure != null ? failure : new RtmpClientException(RtmpClientException.Reason.CLOSED,
                        (closeRequested ? "connection closed" : "the server closed the connection")
                                + " before " + awaited));
            }
        }
        runWritableWaiters();
        if (cause == null) {
            closeFuture.complete(null);
        } else {
            closeFuture.completeExceptionally(cause);
        }
        log.debug("{}: closed{}", this, cause == null ? "" : ": " + cause.getMessage());
        ctx.fireChannelInactive();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---------------------------------------------------------------- for RtmpConnection and the streams

    RtmpConnection connection() {
        return connection;
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    RtmpUrl url() {
        return url;
    }

    RtmpLimits limits() {
        return config.limits();
    }

    boolean isConnected() {
        return state == State.CONNECTED && !closeRequested;
    }

    CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public String toString() {
        return "rtmp-client#" + id + "(" + url + ")";
    }
}
