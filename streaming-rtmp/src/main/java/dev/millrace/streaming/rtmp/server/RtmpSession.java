package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.AuthDecision;
import dev.millrace.streaming.core.AuthRequest;
import dev.millrace.streaming.core.ConnectionInfo;
import dev.millrace.streaming.core.Publication;
import dev.millrace.streaming.core.Stream;
import dev.millrace.streaming.core.StreamNames;
import dev.millrace.streaming.core.Subscription;
import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import dev.millrace.streaming.rtmp.RtmpProtocolException.Reason;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.handshake.HandshakeCompleted;
import dev.millrace.streaming.rtmp.media.MediaMessageEncoding;
import dev.millrace.streaming.rtmp.message.Command;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.ControlMessages;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RTMP connection after the handshake: NetConnection and NetStream commands, publishing and playing.
 *
 * <p>Commands are handled as an order-independent state machine, because clients differ (OBS and FFmpeg pipeline
 * releaseStream, FCPublish and createStream; Haivision sends createStream before FCPublish; Flash-style clients
 * skip FC* entirely). Everything here runs on the channel's event loop; authorization results hop back onto it.
 */
final class RtmpSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RtmpSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final ServerConfig config;
    private final RtmpLimits limits;
    private final MediaMessageEncoding mediaEncoding;
    private final ConnectionLimiter limiter;
    private final CommandCodec codec;
    private final long id = IDS.incrementAndGet();

    private ChannelHandlerContext ctx;
    private ChunkDecoder decoder;
    private ScheduledFuture<?> watchdog;
    private long handshakeDoneNanos;
    private long connectedNanos;
    private boolean streamRequested;
    private boolean heardSinceTick;
    private long lastHeardNanos;
    private long pingSentNanos;
    private boolean connected;
    private boolean closing;
    private boolean warned;
    private ConnectionInfo info;
    private String app;
    private Map<String, String> appQuery = Map.of();
    private PlayerCapabilities capabilities = PlayerCapabilities.LEGACY;
    private long ackWindow;
    private long lastAckedBytes;
    private boolean wrote;
    private final NetStream[] streams;

    RtmpSession(ServerConfig config, MediaMessageEncoding mediaEncoding, ConnectionLimiter limiter) {
        this.config = config;
        this.limits = config.limits();
        this.mediaEncoding = mediaEncoding;
        this.limiter = limiter;
        this.codec = new CommandCodec(limits);
        this.streams = new NetStream[limits.maxStreamsPerConnection() + 1];
        this.ackWindow = config.windowAckSize();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.decoder = ctx.pipeline().get(ChunkDecoder.class);
        lastHeardNanos = System.nanoTime();
        long tick = watchdogTickMillis(limits);
        watchdog = ctx.executor().scheduleAtFixedRate(this::watchdog, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Checks often enough for the shortest timeout to hold within a quarter of itself, at most once a second. */
    static long watchdogTickMillis(RtmpLimits l) {
        long shortest = Math.min(Math.min(l.connectTimeoutMillis(), l.streamRequestTimeoutMillis()),
                Math.min(Math.min(l.firstMediaTimeoutMillis(), l.idlePublisherTimeoutMillis()),
                        Math.min(l.pingIntervalMillis(), l.pingTimeoutMillis())));
        return Math.max(20, Math.min(1_000, shortest / 4));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeCompleted) {
            handshakeDoneNanos = System.nanoTime();
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * Event loop, every tick: the timeouts of {@link RtmpLimits}. A peer that went quiet is pinged, and closed if it
     * stays quiet.
     */
    private void watchdog() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (heardSinceTick) {
            heardSinceTick = false;
            lastHeardNanos = now;
            pingSentNanos = 0;
        }
        if (!connected) {
            if (handshakeDoneNanos != 0 && elapsed(now, handshakeDoneNanos) > limits.connectTimeoutMillis()) {
                timeout("no connect command within " + limits.connectTimeoutMillis() + " ms of the handshake");
            }
            return;
        }
        if (!streamRequested && elapsed(now, connectedNanos) > limits.streamRequestTimeoutMillis()) {
            timeout("no publish or play within " + limits.streamRequestTimeoutMillis() + " ms of connect");
            return;
        }
        for (NetStream s : streams) {
            if (s != null && s.mode == Mode.PUBLISHING) {
                if (s.ingest.mediaSinceTick) {
                    s.ingest.mediaSinceTick = false;
                    s.lastMediaNanos = now;
                } else if (s.lastMediaNanos == 0 && elapsed(now, s.publishStartNanos) > limits.firstMediaTimeoutMillis()) {
                    timeout("no media within " + limits.firstMediaTimeoutMillis() + " ms of publishing");
                    return;
                } else if (s.lastMediaNanos != 0 && elapsed(now, s.lastMediaNanos) > limits.idlePublisherTimeoutMillis()) {
                    timeout("publisher sent no media for " + limits.idlePublisherTimeoutMillis() + " ms");
                    return;
                }
            }
        }
        if (pingSentNanos != 0) {
            if (elapsed(now, pingSentNanos) > limits.pingTimeoutMillis()) {
                timeout("no answer " + limits.pingTimeoutMillis() + " ms after a ping");
            }
        } else if (elapsed(now, lastHeardNanos) > limits.pingIntervalMillis()) {
            pingSentNanos = now;
            ctx.writeAndFlush(ControlMessages.userControl(ctx.alloc(), ControlMessages.PING_REQUEST,
                    (int) TimeUnit.NANOSECONDS.toMillis(now)), ctx.voidPromise());
        }
    }

    private static long elapsed(long now, long since) {
        return TimeUnit.NANOSECONDS.toMillis(now - since);
    }

    private void timeout(String detail) {
        fail(new RtmpProtocolException(Reason.TIMEOUT, detail));
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtmpMessage)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        RtmpMessage m = (RtmpMessage) msg;
        heardSinceTick = true;
        try {
            if (!closing) {
                dispatch(m);
            }
        } finally {
            m.release();
        }
    }

    private void dispatch(RtmpMessage m) {
        switch (m.typeId()) {
            case MessageType.SET_CHUNK_SIZE:
            case MessageType.ABORT:
            case MessageType.ACKNOWLEDGEMENT:
                return; // applied by the chunk decoder; acknowledgements are not relied on (field guide T12)
            case MessageType.WINDOW_ACK_SIZE:
                ackWindow = Math.max(1, readInt(m) & 0xFFFFFFFFL);
                return;
            case MessageType.SET_PEER_BANDWIDTH:
                requireLength(m, 5);
                return;
            case MessageType.USER_CONTROL:
                onUserControl(m);
                return;
            case MessageType.AUDIO:
            case MessageType.VIDEO: {
                NetStream s = publishingStream(m.messageStreamId());
                if (s != null) {
                    s.ingest.media(m.typeId(), m.timestamp(), m.content());
                } else {
                    log.debug("{}: dropping media on message stream {}, which is not publishing", this,
                            m.messageStreamId());
                }
                return;
            }
            case MessageType.DATA_AMF0:
            case MessageType.DATA_AMF3: {
                NetStream s = publishingStream(m.messageStreamId());
                if (s != null) {
                    s.ingest.data(m, ctx.alloc());
                }
                return;
            }
            case MessageType.COMMAND_AMF0:
            case MessageType.COMMAND_AMF3:
                onCommand(codec.decodeCommand(m));
                return;
            case MessageType.AGGREGATE: {
                NetStream s = publishingStream(m.messageStreamId());
                if (s != null) {
                    s.ingest.aggregate(m, limits);
                }
                return;
            }
            default:
                log.debug("{}: ignoring message type {}", this, m.typeId());
        }
    }

    private static void requireLength(RtmpMessage m, int n) {
        if (m.length() < n) {
            throw new RtmpProtocolException(Reason.BAD_CONTROL_MESSAGE,
                    "message type " + m.typeId() + " needs " + n + " bytes, has " + m.length());
        }
    }

    private static int readInt(RtmpMessage m) {
        requireLength(m, 4);
        return m.content().getInt(m.content().readerIndex());
    }

    private void onUserControl(RtmpMessage m) {
        requireLength(m, 2);
        ByteBuf b = m.content();
        int event = b.getUnsignedShort(b.readerIndex());
        if (event == ControlMessages.PING_REQUEST) {
            requireLength(m, 6);
            write(ControlMessages.pingResponse(ctx.alloc(), b.getInt(b.readerIndex() + 2)));
        }
        // SetBufferLength (3), PingResponse (7), BufferEmpty/Ready (31/32), SWF verification (26): nothing to do.
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (NetStream s : streams) {
            if (s != null && s.ingest != null) {
                s.ingest.flush();
            }
        }
        if (decoder != null) {
            long read = decoder.bytesRead();
            // Acknowledge at half the window, as FFmpeg does (field guide T11); the sequence number wraps at 2^32.
            if (read - lastAckedBytes >= ackWindow / 2) {
                lastAckedBytes = read;
                write(ControlMessages.acknowledgement(ctx.alloc(), read));
            }
        }
        if (wrote) {
            wrote = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    // ---------------------------------------------------------------- commands

    private void onCommand(Command c) {
        if (!connected && !c.name().equals("connect")) {
            // Some clients pipeline before the connect reply; anything but connect first is a protocol error.
            throw new RtmpProtocolException(Reason.BAD_COMMAND, "'" + safeName(c.name()) + "' before connect");
        }
        switch (c.name()) {
            case "connect":
                onConnect(c);
                break;
            case "createStream":
                onCreateStream(c);
                break;
            case "releaseStream":
            case "FCSubscribe":
            case "_checkbw":
                replyResult(c, null);
                break;
            case "FCPublish":
                onFcPublish(c);
                break;
            case "publish":
                onPublish(c);
                break;
            case "play":
                onPlay(c);
                break;
            case "FCUnpublish":
                onFcUnpublish(c);
                break;
            case "deleteStream":
                onDeleteStream(c);
                break;
            case "closeStream":
                stop(streamFor(c.messageStreamId()), true);
                break;
            case "getStreamLength":
                replyResult(c, 0.0);
                break;
            case "receiveAudio":
            case "receiveVideo":
                onReceive(c);
                break;
            case "pause":
                onPause(c);
                break;
            case "seek":
            case "_result":
            case "_error":
            case "onStatus":
            case "onBWDone":
                break; // live streams do not seek; replies to our own calls need nothing
            default:
                log.debug("{}: unknown command '{}'", this, safeName(c.name()));
                replyResult(c, null);
        }
    }

    private void onConnect(Command c) {
        if (connected) {
            throw new RtmpProtocolException(Reason.BAD_COMMAND, "second connect");
        }
        if (!(c.commandObject() instanceof Map)) {
            throw new RtmpProtocolException(Reason.BAD_COMMAND, "connect without a command object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> obj = (Map<String, Object>) c.commandObject();
        StreamRequest appRequest = StreamRequest.parse(stringProperty(obj, "app"));
        String flashVer = stringProperty(obj, "flashVer");
        connected = true;
        connectedNanos = System.nanoTime();
        limiter.connected(ctx.channel());
        SocketAddress remote = ctx.channel().remoteAddress();
        info = new ConnectionInfo(id, "rtmp", remote, appRequest.name(), flashVer == null ? "" : flashVer,
                Instant.now());
        if (!StreamNames.isValid(appRequest.name(), limits.maxAppNameLength())) {
            AmfObject err = status("error", "NetConnection.Connect.Rejected", "invalid application name");
            write(CommandCodec.reply(ctx.alloc(), "_error", c.transactionId(), null, err));
            warnClosing(Reason.BAD_NAME, "invalid application name");
            closeAfterFlush("invalid application name");
            return;
        }
        app = appRequest.name();
        appQuery = appRequest.query();
        capabilities = PlayerCapabilities.fromConnect(obj);

        // Order used by FFmpeg's listener, nginx and SRS; Set Chunk Size precedes the > 128-byte _result.
        write(ControlMessages.windowAckSize(ctx.alloc(), config.windowAckSize()));
        write(ControlMessages.setPeerBandwidth(ctx.alloc(), config.windowAckSize(), 2));
        write(ControlMessages.setChunkSize(ctx.alloc(), config.chunkSize()));
        AmfObject props = new AmfObject();
        props.put("fmsVer", "FMS/3,0,1,123");
        props.put("capabilities", 31.0);
        props.put("mode", 1.0);
        PlayerCapabilities.describeServer(props);
        AmfObject result = status("status", "NetConnection.Connect.Success", "Connection succeeded.");
        result.put("objectEncoding", 0.0);
        write(CommandCodec.reply(ctx.alloc(), "_result", c.transactionId(), props, result));
        log.debug("{}: connected to app '{}' ({})", this, app, info.client());
        config.registry().events().fire("onConnect", l -> l.onConnect(info));
    }

    private void onCreateStream(Command c) {
        for (int sid = 1; sid < streams.length; sid++) {
            if (streams[sid] == null) {
                streams[sid] = new NetStream(sid);
                replyResult(c, (double) sid);
                return;
            }
        }
        AmfObject err = status("error", "NetConnection.Call.Failed", "too many streams on one connection");
        write(CommandCodec.reply(ctx.alloc(), "_error", c.transactionId(), null, err));
    }

    private void onFcPublish(Command c) {
        // Some appliances wait for onFCPublish; librtmp ignores it. Never answer FCPublish with onStatus: OBS and
        // FFmpeg would start sending media before publish (field guide 1.4).
        replyResult(c, null);
        write(CommandCodec.command(ctx.alloc(), CommandCodec.NET_CONNECTION_CHUNK_STREAM, 0, "onFCPublish", 0.0, null,
                status("status", "NetStream.Publish.Start", "FCPublish received.")));
    }

    private void onPublish(Command c) {
        streamRequested = true;
        NetStream s = streamFor(c.messageStreamId());
        StreamRequest req = StreamRequest.parse(c.stringArgument(0));
        if (s == null) {
            refuse(null, c.messageStreamId(), "NetStream.Publish.BadName", "publish on a stream never created");
            return;
        }
        if (s.mode != Mode.IDLE) {
            refuse(s, s.sid, "NetStream.Publish.BadName", "stream already in use");
            return;
        }
        if (!StreamNames.isValid(req.name(), limits.maxStreamNameLength())) {
            warnClosing(Reason.BAD_NAME, "invalid stream name in publish");
            refuse(s, s.sid, "NetStream.Publish.BadName", "invalid stream name");
            return;
        }
        s.mode = Mode.PUBLISH_PENDING;
        s.requestedName = req.name();
        AuthRequest ar = new AuthRequest(AuthRequest.Action.PUBLISH, app, req.name(), req.queryWith(appQuery), info);
        authorize(s, ar);
    }

    private void onPlay(Command c) {
        streamRequested = true;
        NetStream s = streamFor(c.messageStreamId());
        StreamRequest req = StreamRequest.parse(c.stringArgument(0));
        if (s == null) {
            refuse(null, c.messageStreamId(), "NetStream.Play.Failed", "play on a stream never created");
            return;
        }
        if (s.mode != Mode.IDLE) {
            refuse(s, s.sid, "NetStream.Play.Failed", "stream already in use");
            return;
        }
        if (!StreamNames.isValid(req.name(), limits.maxStreamNameLength())) {
            warnClosing(Reason.BAD_NAME, "invalid stream name in play");
            refuse(s, s.sid, "NetStream.Play.StreamNotFound", "invalid stream name");
            return;
        }
        s.mode = Mode.PLAY_PENDING;
        s.reset = c.booleanArgument(3, true);
        AuthRequest ar = new AuthRequest(AuthRequest.Action.PLAY, app, req.name(), req.queryWith(appQuery), info);
        authorize(s, ar);
    }

    private void authorize(NetStream s, AuthRequest request) {
        int token = ++s.generation;
        ScheduledFuture<?> timeout = ctx.executor().schedule(
                () -> decided(s, token, request, null, "authorization timed out"),
                limits.authTimeoutMillis(), TimeUnit.MILLISECONDS);
        try {
            (request.action() == AuthRequest.Action.PUBLISH
                    ? config.authorizer().authorizePublish(request)
                    : config.authorizer().authorizePlay(request))
                    .whenComplete((d, err) -> {
                        timeout.cancel(false);
                        String failure = err != null ? "authorization failed" : d == null ? "no decision" : null;
                        if (err != null) {
                            log.warn("{}: authorizer failed for {}", this, request, err);
                        }
                        if (ctx.executor().inEventLoop()) {
                            decided(s, token, request, d, failure);
                        } else {
                            ctx.executor().execute(() -> decided(s, token, request, d, failure));
                        }
                    });
        } catch (RuntimeException e) {
            timeout.cancel(false);
            log.warn("{}: authorizer threw for {}", this, request, e);
            decided(s, token, request, null, "authorization failed");
        }
    }

    /** Event loop: an authorization result (or its timeout) for {@code s}. */
    private void decided(NetStream s, int token, AuthRequest request, AuthDecision d, String failure) {
        if (token != s.generation || closing || !ctx.channel().isActive()
                || (s.mode != Mode.PUBLISH_PENDING && s.mode != Mode.PLAY_PENDING)) {
            return; // stale: the stream was stopped, re-requested, or the connection closed meanwhile
        }
        s.generation++;
        boolean publish = request.action() == AuthRequest.Action.PUBLISH;
        if (d == null || !d.isAllowed()) {
            String reason = d != null ? d.reason() : failure;
            log.info("{}: {} refused: {}", this, request, reason);
            config.registry().events().fire("onAuthDenied", l -> l.onAuthDenied(request, reason));
            refuse(s, s.sid, publish ? "NetStream.Publish.Denied" : "NetStream.Play.Failed", reason);
            flushIfWritten();
            return;
        }
        String name = d.publicName() != null ? d.publicName() : request.name();
        if (!StreamNames.isValid(name, limits.maxStreamNameLength())) {
            refuse(s, s.sid, publish ? "NetStream.Publish.BadName" : "NetStream.Play.StreamNotFound",
                    "invalid public stream name");
        } else if (publish) {
            startPublishing(s, name);
        } else {
            startPlaying(s, name);
        }
        flushIfWritten();
    }

    private void startPublishing(NetStream s, String name) {
        Publication pub = config.registry().publish(app, name, info, () -> {
            log.info("{}: publishing {}/{} taken over by a newer publisher; closing", this, app, name);
            ctx.channel().close();
        });
        if (pub == null) {
            refuse(s, s.sid, "NetStream.Publish.BadName", "stream " + name + " is already being published");
            return;
        }
        s.mode = Mode.PUBLISHING;
        s.publishStartNanos = System.nanoTime();
        s.lastMediaNanos = 0;
        s.name = name;
        s.ingest = new Ingest(pub, this, codec);
        write(ControlMessages.userControl(ctx.alloc(), ControlMessages.STREAM_BEGIN, s.sid));
        write(CommandCodec.onStatus(ctx.alloc(), s.sid, "status", "NetStream.Publish.Start",
                "Started publishing stream " + name + ".", name));
        log.info("{}: publishing {}/{}", this, app, name);
    }

    private void startPlaying(NetStream s, String name) {
        Stream stream = null;
        Subscription sub = null;
        PlayerSink sink = null;
        for (int attempt = 0; attempt < 4 && sub == null; attempt++) {
            stream = config.playWaitsForPublisher() ? config.registry().getOrCreate(app, name)
                    : config.registry().find(app, name);
            if (stream == null || (!config.playWaitsForPublisher() && !stream.isPublishing())) {
                break;
            }
            if (sink == null) {
                // Play.Start must precede all media (librtmp drops media before it; FFmpeg loses the first message).
                write(ControlMessages.userControl(ctx.alloc(), ControlMessages.STREAM_BEGIN, s.sid));
                if (s.reset) {
                    write(CommandCodec.onStatus(ctx.alloc(), s.sid, "status", "NetStream.Play.Reset",
                            "Playing and resetting " + name + ".", name));
                }
                write(CommandCodec.onStatus(ctx.alloc(), s.sid, "status", "NetStream.Play.Start",
                        "Started playing " + name + ".", name));
                write(CommandCodec.data(ctx.alloc(), s.sid, "|RtmpSampleAccess", true, true));
                sink = new PlayerSink(ctx, s.sid, mediaEncoding, capabilities, !stream.isPublishing());
                s.sink = sink;
            }
            sub = stream.subscribe(sink, ctx.channel().eventLoop(), info);
        }
        if (sub == null) {
            refuse(s, s.sid, "NetStream.Play.StreamNotFound", "stream " + name + " is not published");
            return;
        }
        s.mode = Mode.PLAYING;
        s.subscription = sub;
        s.name = name;
        sink.attach(sub);
        log.info("{}: playing {}/{}", this, app, name);
    }

    private void onFcUnpublish(Command c) {
        replyResult(c, null);
        // The name sent is usually the one published to, which may be the key rather than the public name.
        String name = StreamRequest.parse(c.stringArgument(0)).name();
        NetStream only = null;
        int publishing = 0;
        for (NetStream s : streams) {
            if (s != null && s.mode == Mode.PUBLISHING) {
                if (name.equals(s.requestedName) || name.equals(s.name)) {
                    stop(s, true);
                    return;
                }
                only = s;
                publishing++;
            }
        }
        if (publishing == 1) {
            stop(only, true);
        }
    }

    private void onDeleteStream(Command c) {
        int sid = (int) c.numberArgument(0, -1);
        NetStream s = streamFor(sid);
        if (s != null) {
            stop(s, true);
            streams[sid] = null;
        }
    }

    private void onReceive(Command c) {
        NetStream s = streamFor(c.messageStreamId());
        if (s != null && s.sink != null) {
            boolean on = c.booleanArgument(0, true);
            if (c.name().equals("receiveAudio")) {
                s.sink.receiveAudio(on);
            } else {
                s.sink.receiveVideo(on);
            }
        }
    }

    private void onPause(Command c) {
        NetStream s = streamFor(c.messageStreamId());
        if (s == null || s.mode != Mode.PLAYING) {
            return;
        }
        boolean pause = c.booleanArgument(0, true);
        if (pause && s.subscription != null) {
            s.subscription.close();
            s.subscription = null;
            write(ControlMessages.userControl(ctx.alloc(), ControlMessages.STREAM_EOF, s.sid));
            write(CommandCodec.onStatus(ctx.alloc(), s.sid, "status", "NetStream.Pause.Notify",
                    "Paused " + s.name + ".", s.name));
        } else if (!pause && s.subscription == null) {
            Stream stream = config.registry().getOrCreate(app, s.name);
            write(ControlMessages.userControl(ctx.alloc(), ControlMessages.STREAM_BEGIN, s.sid));
            write(CommandCodec.onStatus(ctx.alloc(), s.sid, "status", "NetStream.Unpause.Notify",
                    "Unpaused " + s.name + ".", s.name));
            if (stream != null) {
                s.sink = new PlayerSink(ctx, s.sid, mediaEncoding, capabilities, !stream.isPublishing());
                s.subscription = stream.subscribe(s.sink, ctx.channel().eventLoop(), info);
                if (s.subscription != null) {
                    s.sink.attach(s.subscription);
                }
            }
        }
    }

    /** Ends whatever {@code s} does. {@code notify}: tell the client (NetStream.Unpublish.Success). */
    private void stop(NetStream s, boolean notify) {
        if (s == null) {
            return;
        }
        s.generation++;
        if (s.ingest != null) {
            s.ingest.publication().close();
            if (notify && ctx.channel().isActive()) {
                write(CommandCodec.onStatus(ctx.alloc(), s.sid, "status", "NetStream.Unpublish.Success",
                        "Stopped publishing " + s.name + ".", s.name));
            }
            log.info("{}: stopped publishing {}/{}", this, app, s.name);
        }
        if (s.subscription != null) {
            s.subscription.close();
            s.subscription = null;
        }
        s.sink = null;
        s.ingest = null;
        s.mode = Mode.IDLE;
    }

    private void refuse(NetStream s, int sid, String code, String reason) {
        write(CommandCodec.onStatus(ctx.alloc(), sid, "error", code, reason, null));
        if (s != null) {
            s.mode = Mode.IDLE;
        }
        // Close after an error status: OBS before 2020 and stock librtmp otherwise wait forever (field guide 1.4).
        closeAfterFlush(code);
    }

    private void replyResult(Command c, Object value) {
        if (c.transactionId() != 0) {
            write(CommandCodec.reply(ctx.alloc(), "_result", c.transactionId(), null, value));
        }
    }

    private static AmfObject status(String level, String code, String description) {
        AmfObject o = new AmfObject();
        o.put("level", level);
        o.put("code", code);
        o.put("description", description);
        return o;
    }

    private static String stringProperty(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        if (v == null && key.equals("tcUrl")) {
            v = obj.get("tcurl");
        }
        if (v instanceof String) {
            String s = (String) v;
            // Some clients (the "Neko" client) prefix values with a stray quote.
            return s.startsWith("'") ? s.substring(1) : s;
        }
        return null;
    }

    private NetStream streamFor(int msid) {
        if (msid > 0 && msid < streams.length) {
            return streams[msid];
        }
        return null;
    }

    // ---------------------------------------------------------------- media

    private NetStream publishingStream(int msid) {
        NetStream s = streamFor(msid);
        if (s != null && s.mode == Mode.PUBLISHING) {
            return s;
        }
        // Lenient: media on another message stream id while exactly one stream publishes.
        NetStream only = null;
        for (NetStream x : streams) {
            if (x != null && x.mode == Mode.PUBLISHING) {
                if (only != null) {
                    return null;
                }
                only = x;
            }
        }
        return only;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            for (NetStream s : streams) {
                if (s != null && s.subscription != null) {
                    s.subscription.resume();
                }
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        for (int i = 0; i < streams.length; i++) {
            stop(streams[i], false);
            streams[i] = null;
        }
        if (connected && info != null) {
            log.debug("{}: disconnected", this);
            config.registry().events().fire("onDisconnect", l -> l.onDisconnect(info));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
    }

    /**
     * The one WARN line of a connection closed for bad input: connection id, remote address, reason code and a
     * detail that never contains a stream name or key.
     */
    private void warnClosing(Reason reason, String detail) {
        if (!warned) {
            warned = true;
            log.warn("{}: closing connection: {}: {}", this, reason, detail);
        }
    }

    private void fail(Throwable cause) {
        if (closing) {
            return;
        }
        closing = true;
        if (cause instanceof RtmpProtocolException) {
            RtmpProtocolException e = (RtmpProtocolException) cause;
            if (!warned) {
                warned = true;
                log.warn("{}: closing connection: {}", this, e.getMessage());
            }
        } else if (cause instanceof IOException) {
            log.debug("{}: connection error: {}", this, cause.toString());
        } else {
            log.warn("{}: closing connection after an unexpected error", this, cause);
        }
        ctx.close();
    }

    private void closeAfterFlush(String why) {
        if (closing) {
            return;
        }
        closing = true;
        log.debug("{}: closing after {}", this, why);
        wrote = false;
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void write(Object msg) {
        ctx.write(msg, ctx.voidPromise());
        wrote = true;
    }

    private void flushIfWritten() {
        if (wrote) {
            wrote = false;
            ctx.flush();
        }
    }

    private static String safeName(String commandName) {
        return commandName.length() > 64 ? commandName.substring(0, 64) + "..." : commandName;
    }

    @Override
    public String toString() {
        return "rtmp#" + id + "(" + (ctx != null ? ctx.channel().remoteAddress() : "?") + ")";
    }

    // ---------------------------------------------------------------- per message stream state

    private enum Mode {
        IDLE,
        PUBLISH_PENDING,
        PUBLISHING,
        PLAY_PENDING,
        PLAYING
    }

    /** One message stream created by createStream. */
    private static final class NetStream {
        final int sid;
        Mode mode = Mode.IDLE;
        int generation;
        /** The public stream name. */
        String name;
        /** The name the client asked for (possibly a stream key: never logged). */
        String requestedName;
        boolean reset = true;
        /** Non-null while publishing. */
        Ingest ingest;
        long publishStartNanos;
        long lastMediaNanos;
        PlayerSink sink;
        Subscription subscription;

        NetStream(int sid) {
            this.sid = sid;
        }
    }
}
