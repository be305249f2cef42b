package dev.millrace.streaming.rtmp.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.AuthDecision;
import dev.millrace.streaming.core.AuthRequest;
import dev.millrace.streaming.core.StreamAuthorizer;
import dev.millrace.streaming.core.StreamOptions;
import dev.millrace.streaming.core.TakeoverPolicy;
import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.rtmp.amf.AmfDate;
import dev.millrace.streaming.rtmp.amf.AmfEcmaArray;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import dev.millrace.streaming.rtmp.message.Command;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.ControlMessages;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import dev.millrace.streaming.rtmp.RtmpLimits;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The command state machine and message formats, over real sockets, with a test client that speaks RTMP through our
 * own chunk codec. Where a format matters to real clients the bytes are checked, not just the decoded values.
 */
class RtmpSessionTest {

    private static final Duration T = Duration.ofSeconds(5);

    /** avcC of a 320x240 baseline stream from libx264 (ffmpeg 8.0.1, testsrc2, -profile:v baseline). */
    static final byte[] AVC_CONFIG = hex("01 42c00d ff e1 0016 6742c00dda0507ec044000000300400000 0c83c50aa8"
            + " 01 0004 68ce0fc8");
    /** AudioSpecificConfig: AAC LC (2), 44.1 kHz (index 4), mono. */
    static final byte[] AAC_CONFIG = hex("1208");

    private RtmpServer server;
    private final List<TestRtmpClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(TestRtmpClient::close);
        if (server != null) {
            server.close();
        }
    }

    private RtmpServer start(RtmpServer.Builder b) throws InterruptedException {
        server = b.port(0).start();
        return server;
    }

    private TestRtmpClient client() throws Exception {
        TestRtmpClient c = TestRtmpClient.handshaken(server.port());
        clients.add(c);
        return c;
    }

    static byte[] hex(String s) {
        String h = s.replace(" ", "");
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    static RtmpMessage video(int sid, long ts, byte[] body) {
        return new RtmpMessage(7, MessageType.VIDEO, ts, sid, Unpooled.wrappedBuffer(body));
    }

    static RtmpMessage audio(int sid, long ts, byte[] body) {
        return new RtmpMessage(6, MessageType.AUDIO, ts, sid, Unpooled.wrappedBuffer(body));
    }

    /** Legacy AVC video tag body: frame type/codec byte, AVCPacketType, SI24 composition time (FLV 10.1 E.4.3.1). */
    static byte[] avc(boolean key, int packetType, byte[] data) {
        return concat(new byte[] {(byte) (key ? 0x17 : 0x27), (byte) packetType, 0, 0, 0}, data);
    }

    /** Legacy AAC audio tag body: 0xAF (AAC, 44 kHz, 16 bit, stereo), AACPacketType (FLV 10.1 E.4.2.1). */
    static byte[] aac(int packetType, byte[] data) {
        return concat(new byte[] {(byte) 0xAF, (byte) packetType}, data);
    }

    /** One NAL unit of {@code size} bytes, 4-byte length prefixed. */
    static byte[] nal(int type, int size) {
        byte[] b = new byte[4 + size];
        b[0] = (byte) (size >>> 24);
        b[1] = (byte) (size >>> 16);
        b[2] = (byte) (size >>> 8);
        b[3] = (byte) size;
        b[4] = (byte) type;
        return b;
    }

    private int publish(TestRtmpClient c, String name) throws Exception {
        c.connect("live");
        int sid = c.createStream();
        c.publish(sid, name);
        assertThat(c.awaitStatus(T)).isEqualTo("NetStream.Publish.Start");
        return sid;
    }

    @Test
    void connectIsAnsweredWithWindowBandwidthChunkSizeAndResultInThatOrder() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient c = client();
        AmfObject obj = new AmfObject();
        obj.put("app", "live");
        obj.put("tcUrl", "rtmp://127.0.0.1/live");
        c.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "connect", 1.0, obj));
        List<String> seen = new ArrayList<>();
        RtmpMessage result = null;
        while (result == null) {
            RtmpMessage m = c.read(T);
            assertThat(m).isNotNull();
            if (m.typeId() == MessageType.COMMAND_AMF0) {
                result = m;
            } else {
                seen.add(m.typeId() + ":" + ByteBufUtil.hexDump(m.content()));
                m.release();
            }
        }
        try {
            // Window Ack Size 2,500,000; Set Peer Bandwidth 2,500,000 dynamic; Set Chunk Size 4096 (RTMP 5.4).
            assertThat(seen).containsExactly("5:002625a0", "6:002625a002", "1:00001000");
            assertThat(result.chunkStreamId()).isEqualTo(3);
            Command r = new CommandCodec(RtmpLimits.DEFAULT).decodeCommand(result);
            assertThat(r.name()).isEqualTo("_result");
            assertThat(r.transactionId()).isEqualTo(1.0);
            Map<?, ?> props = (Map<?, ?>) r.commandObject();
            assertThat(props.get("fmsVer")).isEqualTo("FMS/3,0,1,123");
            assertThat(props.get("capabilities")).isEqualTo(31.0);
            Map<?, ?> info = (Map<?, ?>) r.argument(0);
            assertThat(info.get("code")).isEqualTo("NetConnection.Connect.Success");
            assertThat(info.get("objectEncoding")).isEqualTo(0.0);
        } finally {
            result.release();
        }
    }

    @Test
    void createStreamResultHasANullCommandObjectAndAStreamIdFromOne() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient c = client();
        c.connect("live");
        c.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "createStream", 2.0, null));
        RtmpMessage m;
        do {
            m = c.read(T);
            assertThat(m).isNotNull();
            if (m.typeId() != MessageType.COMMAND_AMF0) {
                m.release();
                m = null;
            }
        } while (m == null);
        try {
            // "_result", 2.0, null (AMF0 0x05, never undefined 0x06: FFmpeg cannot skip undefined), 1.0
            assertThat(ByteBufUtil.hexDump(m.content())).isEqualTo(
                    "02" + "0007" + ByteBufUtil.hexDump("_result".getBytes())
                            + "00" + "4000000000000000"
                            + "05"
                            + "00" + "3ff0000000000000");
        } finally {
            m.release();
        }
    }

    @Test
    void publishWorksInFlashStyleAndHaivisionOrder() throws Exception {
        start(RtmpServer.builder());
        // Flash style: createStream, publish, no FC* commands.
        TestRtmpClient flash = client();
        flash.connect("live");
        int sid = flash.createStream();
        flash.publish(sid, "flash");
        assertThat(flash.awaitStatus(T)).isEqualTo("NetStream.Publish.Start");

        // Haivision: _checkbw, createStream, then FCPublish, then publish.
        TestRtmpClient haivision = client();
        haivision.connect("live");
        haivision.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "_checkbw", 5.0, null));
        assertThat(haivision.awaitCommand("_result", T).transactionId()).isEqualTo(5.0);
        int sid2 = haivision.createStream();
        haivision.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "FCPublish", 4.0, null, "haivision"));
        haivision.awaitCommand("onFCPublish", T);
        haivision.publish(sid2, "haivision");
        assertThat(haivision.awaitStatus(T)).isEqualTo("NetStream.Publish.Start");
        assertThat(server.registry().find("live", "flash").isPublishing()).isTrue();
        assertThat(server.registry().find("live", "haivision").isPublishing()).isTrue();
    }

    @Test
    void anAmf3ClientConnectsAndPublishes() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient c = client();
        AmfObject obj = new AmfObject();
        obj.put("app", "live");
        obj.put("objectEncoding", 3.0);
        RtmpMessage amf0 = CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "connect", 1.0, obj);
        // Type 17: a format byte 0x00, then the AMF0 values (E-RTMP v2, AMF3 clarification).
        RtmpMessage amf3 = new RtmpMessage(3, MessageType.COMMAND_AMF3, 0, 0,
                Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[] {0}), amf0.content()));
        c.send(amf3);
        Command r = c.awaitCommand("_result", T);
        assertThat(((Map<?, ?>) r.argument(0)).get("code")).isEqualTo("NetConnection.Connect.Success");
        int sid = c.createStream();
        c.publish(sid, "amf3");
        assertThat(c.awaitStatus(T)).isEqualTo("NetStream.Publish.Start");
    }

    @Test
    void aPlayerGetsStatusThenMetadataThenHeadersThenTheKeyframeAllRebasedToZero() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient pub = client();
        int sid = publish(pub, "order");
        AmfEcmaArray meta = new AmfEcmaArray();
        meta.put("width", 320.0);
        meta.put("height", 240.0);
        meta.put("videocodecid", 7.0);
        meta.put("creationdate", new AmfDate(0, 0)); // a type FFmpeg's player cannot parse: must be dropped
        pub.send(new RtmpMessage(5, MessageType.DATA_AMF0, 0, sid, dataBody("@setDataFrame", "onMetaData", meta)));
        pub.send(audio(sid, 1000, aac(0, AAC_CONFIG)));
        pub.send(video(sid, 1000, avc(true, 0, AVC_CONFIG)));
        pub.send(video(sid, 1000, avc(true, 1, nal(5, 20))));
        pub.send(audio(sid, 1010, aac(1, new byte[] {1, 2, 3})));
        pub.send(video(sid, 1033, avc(false, 1, nal(1, 10))));
        awaitVideoFrames("order", 2);

        TestRtmpClient player = client();
        player.connect("live");
        int psid = player.createStream();
        player.play(psid, "order");
        List<String> got = new ArrayList<>();
        CommandCodec codec = new CommandCodec(RtmpLimits.DEFAULT);
        while (got.size() < 10) {
            RtmpMessage m = player.read(T);
            assertThat(m).as("after %s", got).isNotNull();
            try {
                switch (m.typeId()) {
                    case MessageType.USER_CONTROL:
                        got.add("uc" + ByteBufUtil.hexDump(m.content()));
                        break;
                    case MessageType.COMMAND_AMF0: {
                        Command cmd = codec.decodeCommand(m);
                        if (cmd.name().equals("onStatus")) {
                            got.add(((Map<?, ?>) cmd.argument(0)).get("code") + "@" + m.messageStreamId());
                        }
                        break;
                    }
                    case MessageType.DATA_AMF0: {
                        List<Object> values = codec.decodeValues(m);
                        got.add(values.get(0) + "@" + m.timestamp());
                        if ("onMetaData".equals(values.get(0))) {
                            Map<?, ?> sent = (Map<?, ?>) values.get(1);
                            assertThat(sent.get("width")).isEqualTo(320.0);
                            assertThat(sent.containsKey("creationdate")).isFalse();
                        }
                        break;
                    }
                    case MessageType.AUDIO:
                        got.add("audio" + ByteBufUtil.hexDump(m.content(), 0, 2) + "@" + m.timestamp());
                        break;
                    case MessageType.VIDEO:
                        got.add("video" + ByteBufUtil.hexDump(m.content(), 0, 2) + "@" + m.timestamp());
                        break;
                    default:
                        break;
                }
            } finally {
                m.release();
            }
        }
        assertThat(got).containsExactly(
                "uc0000" + String.format("%08x", psid), // StreamBegin(sid)
                "NetStream.Play.Reset@" + psid,
                "NetStream.Play.Start@" + psid,
                "|RtmpSampleAccess@0",
                "onMetaData@0",
                "audioaf00@0", // AAC sequence header
                "video1700@0", // AVC sequence header
                "video1701@0", // the cached keyframe, rebased to 0
                "audioaf01@10",
                "video2701@33");
    }

    private static io.netty.buffer.ByteBuf dataBody(Object... values) {
        io.netty.buffer.ByteBuf b = Unpooled.buffer();
        for (Object v : values) {
            dev.millrace.streaming.rtmp.amf.Amf0Writer.write(b, v);
        }
        return b;
    }

    private void awaitVideoFrames(String name, long n) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline) {
            var s = server.registry().find("live", name);
            if (s != null && s.info().stats().videoFrames() >= n) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("video frames did not arrive");
    }

    @Test
    void timestampsStayMonotonicAcrossTheExtendedRangeAndThe32BitWrap() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient pub = client();
        int sid = publish(pub, "wrap");
        TestRtmpClient player = client();
        player.connect("live");
        player.play(player.createStream(), "wrap");
        player.awaitStatus(T); // Reset
        player.awaitStatus(T); // Start

        pub.send(video(sid, 0xFFFFFF00L, avc(true, 0, AVC_CONFIG)));
        long[] sent = {0xFFFFFF00L, 0xFFFFFFF0L, 0x0000_0010L, 0x0000_0030L, 0x00FF_FFF0L, 0x0100_0010L};
        for (int i = 0; i < sent.length; i++) {
            pub.send(video(sid, sent[i], avc(i == 0, 1, nal(i == 0 ? 5 : 1, 8))));
        }
        List<Long> times = new ArrayList<>();
        while (times.size() < sent.length) {
            RtmpMessage m = player.read(T);
            assertThat(m).isNotNull();
            if (m.typeId() == MessageType.VIDEO && m.content().getByte(m.content().readerIndex() + 1) == 1) {
                times.add(m.timestamp());
            }
            m.release();
        }
        // Rebased to the first frame; the publisher's clock wrapped at 2^32 between the second and third frame.
        assertThat(times).containsExactly(0L, 0xF0L, 0x110L, 0x130L, 0x00FF_FFF0L + 0x100L, 0x0100_0010L + 0x100L);
    }

    @Test
    void pingRequestsAreAnsweredWithTheSameTimestamp() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient c = client();
        c.connect("live");
        c.send(ControlMessages.userControl(ByteBufAllocator.DEFAULT, ControlMessages.PING_REQUEST, 0x12345678));
        while (true) {
            RtmpMessage m = c.read(T);
            assertThat(m).isNotNull();
            try {
                if (m.typeId() == MessageType.USER_CONTROL) {
                    assertThat(ByteBufUtil.hexDump(m.content())).isEqualTo("0007" + "12345678"); // PingResponse
                    return;
                }
            } finally {
                m.release();
            }
        }
    }

    @Test
    void receivedBytesAreAcknowledgedEveryHalfWindow() throws Exception {
        start(RtmpServer.builder().windowAckSize(20_000));
        TestRtmpClient c = client();
        int sid = publish(c, "acks");
        for (int i = 0; i < 30; i++) {
            c.send(video(sid, i * 40L, avc(i == 0, 1, nal(i == 0 ? 5 : 1, 1000)))); // 1009 bytes of body each
        }
        long acked = -1;
        for (RtmpMessage m; (m = c.read(Duration.ofMillis(500))) != null; ) {
            if (m.typeId() == MessageType.ACKNOWLEDGEMENT) {
                acked = m.content().getUnsignedInt(m.content().readerIndex());
            }
            m.release();
        }
        assertThat(acked).as("an Acknowledgement arrived").isGreaterThanOrEqualTo(10_000);
    }

    @Test
    void aDeniedPublisherGetsPublishDeniedAndIsDisconnected() throws Exception {
        StreamAuthorizer denyAll = new StreamAuthorizer() {
            @Override
            public CompletionStage<AuthDecision> authorizePublish(AuthRequest request) {
                return CompletableFuture.supplyAsync(() -> AuthDecision.deny("no publishing today"));
            }

            @Override
            public CompletionStage<AuthDecision> authorizePlay(AuthRequest request) {
                return CompletableFuture.completedFuture(AuthDecision.allow());
            }
        };
        start(RtmpServer.builder().authorizer(denyAll));
        TestRtmpClient c = client();
        c.connect("live");
        int sid = c.createStream();
        c.publish(sid, "x");
        Command status = c.awaitCommand("onStatus", T);
        Map<?, ?> info = (Map<?, ?>) status.argument(0);
        assertThat(info.get("level")).isEqualTo("error");
        assertThat(info.get("code")).isEqualTo("NetStream.Publish.Denied");
        assertThat(info.get("description")).isEqualTo("no publishing today");
        assertThat(c.awaitClosed(T)).isTrue();
    }

    @Test
    void anAuthorizerThatNeverAnswersTimesOutAsADenial() throws Exception {
        StreamAuthorizer silent = new StreamAuthorizer() {
            @Override
            public CompletionStage<AuthDecision> authorizePublish(AuthRequest request) {
                return new CompletableFuture<>();
            }

            @Override
            public CompletionStage<AuthDecision> authorizePlay(AuthRequest request) {
                return new CompletableFuture<>();
            }
        };
        start(RtmpServer.builder().authorizer(silent).limits(RtmpLimits.builder().authTimeoutMillis(300).build()));
        TestRtmpClient c = client();
        c.connect("live");
        c.publish(c.createStream(), "x");
        assertThat(c.awaitStatus(T)).isEqualTo("NetStream.Publish.Denied");
        assertThat(c.awaitClosed(T)).isTrue();
    }

    @Test
    void withRejectPolicyASecondPublisherGetsBadNameAndTheFirstKeepsGoing() throws Exception {
        start(RtmpServer.builder().streamOptions(StreamOptions.DEFAULT.withTakeoverPolicy(TakeoverPolicy.REJECT)));
        TestRtmpClient first = client();
        publish(first, "busy");
        TestRtmpClient second = client();
        second.connect("live");
        second.publish(second.createStream(), "busy");
        assertThat(second.awaitStatus(T)).isEqualTo("NetStream.Publish.BadName");
        assertThat(second.awaitClosed(T)).isTrue();
        assertThat(first.isClosed()).isFalse();
        assertThat(server.registry().find("live", "busy").isPublishing()).isTrue();
    }

    @Test
    void withoutWaitingAPlayerOfAnUnpublishedStreamGetsStreamNotFound() throws Exception {
        start(RtmpServer.builder().playWaitsForPublisher(false));
        TestRtmpClient c = client();
        c.connect("live");
        c.play(c.createStream(), "nothing");
        assertThat(c.awaitStatus(T)).isEqualTo("NetStream.Play.StreamNotFound");
        assertThat(c.awaitClosed(T)).isTrue();
    }

    @Test
    void enhancedCodecsAndExtraTracksReachOnlyPlayersThatCanPlayThem() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient pub = client();
        int sid = publish(pub, "mixed");
        TestRtmpClient legacy = client();
        legacy.connect("live");
        legacy.play(legacy.createStream(), "mixed");
        TestRtmpClient modern = client();
        AmfObject obj = new AmfObject();
        obj.put("app", "live");
        obj.put("fourCcList", new ArrayList<Object>(List.of("avc1", "Opus")));
        obj.put("capsEx", 2.0); // Multitrack
        modern.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 3, 0, "connect", 1.0, obj));
        modern.awaitCommand("_result", T);
        modern.play(modern.createStream(), "mixed");
        for (TestRtmpClient p : List.of(legacy, modern)) {
            p.awaitStatus(T);
            p.awaitStatus(T);
        }

        // Enhanced audio, Opus (E-RTMP v2): 0x91 = ExHeader | CodedFrames, FourCC "Opus", one frame.
        pub.send(audio(sid, 0, hex("91 4f707573 fc")));
        // H.264 on track 1 as OneTrack multitrack messages: 0x96 = ExHeader | key | Multitrack; then
        // 0x00 = OneTrack | SequenceStart, "avc1", track 1, avcC; and 0x01 = OneTrack | CodedFrames, "avc1",
        // track 1, CTS 0, one NAL unit.
        pub.send(video(sid, 0, concat(hex("96 00 61766331 01"), AVC_CONFIG)));
        pub.send(video(sid, 0, concat(hex("96 01 61766331 01 000000"), nal(5, 4))));
        // H.264 on track 0, legacy: sequence header and a keyframe.
        pub.send(video(sid, 0, avc(true, 0, AVC_CONFIG)));
        pub.send(video(sid, 0, avc(true, 1, nal(5, 4))));

        assertThat(kinds(legacy)).containsExactly("video17", "video17");
        assertThat(kinds(modern)).containsExactlyInAnyOrder("audio91", "video96", "video96", "video17", "video17");
    }

    @Test
    void pauseStopsDeliveryAndUnpauseRestartsOnAKeyframe() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient pub = client();
        int sid = publish(pub, "pausing");
        pub.send(video(sid, 0, avc(true, 0, AVC_CONFIG)));
        pub.send(video(sid, 0, avc(true, 1, nal(5, 8))));
        TestRtmpClient player = client();
        player.connect("live");
        int psid = player.createStream();
        player.play(psid, "pausing");
        assertThat(kinds(player)).containsExactly("video17", "video17"); // header, keyframe

        player.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 8, psid, "pause", 0.0, null, true, 0.0));
        assertThat(player.awaitStatus(T)).isEqualTo("NetStream.Pause.Notify");
        pub.send(video(sid, 40, avc(false, 1, nal(1, 8))));
        assertThat(kinds(player)).as("nothing while paused").isEmpty();

        player.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 8, psid, "pause", 0.0, null, false, 0.0));
        assertThat(player.awaitStatus(T)).isEqualTo("NetStream.Unpause.Notify");
        // A fresh start: sequence header, then the cached GOP from its keyframe.
        assertThat(kinds(player)).containsExactly("video17", "video17", "video27");
    }

    @Test
    void receiveVideoFalseLeavesOnlyAudio() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient pub = client();
        int sid = publish(pub, "audioonly");
        TestRtmpClient player = client();
        player.connect("live");
        int psid = player.createStream();
        player.play(psid, "audioonly");
        player.awaitStatus(T);
        player.awaitStatus(T);
        player.send(CommandCodec.command(ByteBufAllocator.DEFAULT, 8, psid, "receiveVideo", 0.0, null, false));
        kinds(player); // let the command arrive before the media
        pub.send(audio(sid, 0, aac(0, AAC_CONFIG)));
        pub.send(video(sid, 0, avc(true, 0, AVC_CONFIG)));
        pub.send(video(sid, 0, avc(true, 1, nal(5, 8))));
        pub.send(audio(sid, 10, aac(1, new byte[] {1, 2})));
        assertThat(kinds(player)).containsExactly("audioaf", "audioaf");
    }

    @Test
    void framesBeforeTheirSequenceHeaderAreDroppedAndABrokenHeaderKeepsThePreviousOne() throws Exception {
        start(RtmpServer.builder());
        TestRtmpClient pub = client();
        int sid = publish(pub, "headers");
        TestRtmpClient player = client();
        player.connect("live");
        player.play(player.createStream(), "headers");
        player.awaitStatus(T);
        player.awaitStatus(T);

        pub.send(video(sid, 0, avc(false, 1, nal(1, 4))));           // before any header: no decoder can use it
        pub.send(video(sid, 10, avc(true, 0, AVC_CONFIG)));            // a good header
        pub.send(video(sid, 20, avc(true, 0, hex("01 42c00d ff e1 0040 6742")))); // SPS length past the end
        pub.send(video(sid, 30, avc(true, 1, nal(5, 4))));
        List<String> got = new ArrayList<>();
        for (RtmpMessage m; (m = player.read(Duration.ofMillis(700))) != null; ) {
            if (m.typeId() == MessageType.VIDEO) {
                got.add(ByteBufUtil.hexDump(m.content(), m.content().readerIndex(), Math.min(8, m.length())));
            }
            m.release();
        }
        assertThat(got).containsExactly("17000000000142c0", "1701000000000000");
        assertThat(server.registry().find("live", "headers").info().width()).isEqualTo(320);
    }

    /** The first byte of each media message received within a short window. */
    private static List<String> kinds(TestRtmpClient c) throws Exception {
        List<String> out = new ArrayList<>();
        for (RtmpMessage m; (m = c.read(Duration.ofMillis(700))) != null; ) {
            if (m.typeId() == MessageType.AUDIO || m.typeId() == MessageType.VIDEO) {
                out.add((m.typeId() == MessageType.AUDIO ? "audio" : "video")
                        + ByteBufUtil.hexDump(m.content(), m.content().readerIndex(), 1));
            }
            m.release();
        }
        return out;
    }
}
