package dev.millrace.streaming.rtmp.client;

import static dev.millrace.streaming.rtmp.client.ClientTestSupport.COMMAND_TIMEOUT_MILLIS;
import static dev.millrace.streaming.rtmp.client.ClientTestSupport.concat;
import static dev.millrace.streaming.rtmp.client.ClientTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.rtmp.client.ClientTestSupport.Harness;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The client session in an EmbeddedChannel: what it sends, byte for byte (expected bytes written by hand from the
 * RTMP 1.0 and AMF0 specifications), and how it answers what a server sends.
 */
class ClientSessionTest {

    private static final String URL = "rtmp://127.0.0.1/live";

    /** Set Chunk Size 4096, before connect as OBS sends it. */
    private static final byte[] SET_CHUNK_SIZE_4096 = hex(""
            + "02"              // RTMP 5.3.1.1: fmt 0, chunk stream 2
            + "000000"          // 5.3.1.2.1: timestamp 0
            + "000004"          // message length 4
            + "01"              // type 1, Set Chunk Size (5.4.1)
            + "00000000"        // message stream 0 (little-endian, 5.3.1.2.5)
            + "00001000");      // 4096

    /** connect for rtmp://127.0.0.1/live, in one chunk thanks to the chunk size announced before it. */
    private static final byte[] CONNECT = hex(""
            + "03 000000 0000a1 14 00000000"  // fmt 0, chunk stream 3, ts 0, length 161, type 20 (AMF0 command), msid 0
            + "02 0007 'connect'"               // AMF0 2.4 string: the command name (RTMP 7.2.1.1)
            + "00 3ff0000000000000"             // AMF0 2.2 number 1.0: transaction id 1
            + "03"                              // AMF0 2.5 object: the command object
            + "0003 'app' 02 0004 'live'"
            + "0004 'type' 02 000a 'nonprivate'"
            + "0008 'flashVer' 02 001f 'FMLE/3.0 (compatible; Millrace)'"
            + "0006 'swfUrl' 02 0015 'rtmp://127.0.0.1/live'"
            + "0005 'tcUrl' 02 0015 'rtmp://127.0.0.1/live'"
            + "000009");                        // AMF0 2.11 object end

    /** The server's connect _result (RTMP 7.2.1.1): _result, 1, null properties, info. */
    private static final byte[] CONNECT_RESULT = hex(""
            + "03 000000 00004e 14 00000000"  // fmt 0, chunk stream 3, length 78, type 20, msid 0
            + "02 0007 '_result'"
            + "00 3ff0000000000000"             // transaction 1
            + "05"                              // AMF0 2.7 null: properties
            + "03 0005 'level' 02 0006 'status'"
            + "0004 'code' 02 001d 'NetConnection.Connect.Success'"
            + "000009");

    /** What servers send around the connect _result (field guide §1.1 step 4). */
    private static final byte[] SERVER_CONTROL = hex(""
            + "02 000000 000004 05 00000000 002625a0"      // Window Acknowledgement Size 2500000 (5.4.4)
            + "02 000000 000005 06 00000000 002625a0 02"   // Set Peer Bandwidth 2500000, limit type 2 dynamic (5.4.5)
            + "02 000000 000004 01 00000000 00001000");    // Set Chunk Size 4096 (5.4.1)

    /** The client's answer to that Set Peer Bandwidth: Window Acknowledgement Size 2500000. */
    private static final byte[] WINDOW_ACK_2500000 = hex(""
            + "42"              // fmt 1 on chunk stream 2 (same message stream and timestamp as Set Chunk Size)
            + "000000"          // timestamp delta 0
            + "000004 05"       // length 4, type 5
            + "002625a0");

    private static final String KEY_NAME = "cam?key=k1";

    /** releaseStream, FCPublish and createStream, pipelined (field guide §1.1, OBS order). */
    private static final byte[] PUBLISH_PREAMBLE = hex(""
            + "43 000000 000027 14"             // fmt 1, chunk stream 3: delta 0, length 39, type 20
            + "02 000d 'releaseStream' 00 4000000000000000 05 02 000a 'cam?key=k1'"  // txn 2, null, name
            + "43 000000 000023 14"             // length 35
            + "02 0009 'FCPublish' 00 4008000000000000 05 02 000a 'cam?key=k1'"      // txn 3
            + "43 000000 000019 14"             // length 25
            + "02 000c 'createStream' 00 4010000000000000 05");                      // txn 4, null

    /** createStream _result for transaction 4: stream id 1 is the 4th value (field guide §1.1 step 7). */
    private static final byte[] CREATE_STREAM_RESULT_4 = hex(""
            + "03 000000 00001d 14 00000000"
            + "02 0007 '_result' 00 4010000000000000 05 00 3ff0000000000000");

    /** publish(name, "live") on message stream 1, chunk stream 4 (first use: fmt 0). */
    private static final byte[] PUBLISH = hex(""
            + "04 000000 000028 14 01000000"   // msid 1, little-endian (5.3.1.2.5)
            + "02 0007 'publish' 00 4014000000000000 05 02 000a 'cam?key=k1' 02 0004 'live'");  // txn 5

    /** onStatus NetStream.Publish.Start on message stream 1 (RTMP 7.2.2). */
    private static final byte[] PUBLISH_START = hex(""
            + "05 000000 000049 14 01000000"
            + "02 0008 'onStatus' 00 0000000000000000 05"
            + "03 0005 'level' 02 0006 'status'"
            + "0004 'code' 02 0017 'NetStream.Publish.Start'"
            + "000009");

    private Harness connected() throws Exception {
        Harness h = new Harness(URL);
        h.handshakeCompleted();
        assertThat(h.sent()).isEqualTo(concat(SET_CHUNK_SIZE_4096, CONNECT));
        h.receive(CONNECT_RESULT);
        assertThat(h.connected).isCompleted();
        return h;
    }

    private RtmpPublisher publishing(Harness h) throws Exception {
        CompletableFuture<RtmpPublisher> f = h.connected.get().publish(KEY_NAME);
        assertThat(h.sent()).isEqualTo(PUBLISH_PREAMBLE);
        h.receive(CREATE_STREAM_RESULT_4);
        assertThat(h.sent()).isEqualTo(PUBLISH);
        assertThat(f).isNotDone();
        h.receive(PUBLISH_START);
        assertThat(f).isCompleted();
        return f.get();
    }

    @Test
    void sendsSetChunkSizeThenConnectAsOneFlushWhenTheHandshakeCompletes() throws Exception {
        try (Harness h = new Harness(URL)) {
            assertThat(h.sent()).isEmpty();
            h.handshakeCompleted();
            assertThat(h.sent()).isEqualTo(concat(SET_CHUNK_SIZE_4096, CONNECT));
            assertThat(h.connected).isNotDone();
        }
    }

    @Test
    void theConnectAnswerCompletesTheFutureWhateverTheReadSizes() throws Exception {
        byte[] server = concat(SERVER_CONTROL, CONNECT_RESULT);
        for (int size = 1; size <= server.length; size++) {
            try (Harness h = new Harness(URL)) {
                h.handshakeCompleted();
                h.sent();
                h.receive(server, size);
                assertThat(h.connected).as("read size %d", size).isCompleted();
                assertThat(h.connected.get().isActive()).isTrue();
                // Set Peer Bandwidth is answered with the window (field guide T15); nothing else is sent.
                assertThat(h.sent()).as("read size %d", size).isEqualTo(WINDOW_ACK_2500000);
            }
        }
    }

    @Test
    void aConnectErrorFailsWithTheServersCodeAndDescriptionAndCloses() throws Exception {
        try (Harness h = new Harness(URL)) {
            h.handshakeCompleted();
            h.sent();
            h.receive(hex(""
                    + "03 000000 000077 14 00000000"  // length 119
                    + "02 0006 '_error' 00 3ff0000000000000 05"
                    + "03 0005 'level' 02 0005 'error'"
                    + "0004 'code' 02 001e 'NetConnection.Connect.Rejected'"
                    + "000b 'description' 02 001a 'invalid application name x'"
                    + "000009"));
            RtmpClientException e = failure(h.connected);
            assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.REJECTED);
            assertThat(e.code()).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(e.description()).isEqualTo("invalid application name x");
            assertThat(h.ch.isActive()).isFalse();
        }
    }

    @Test
    void noConnectAnswerFailsWithTimeoutAfterTheCommandTimeout() throws Exception {
        try (Harness h = new Harness(URL)) {
            h.handshakeCompleted();
            h.sent();
            h.advanceMillis(COMMAND_TIMEOUT_MILLIS - 1);
            assertThat(h.connected).isNotDone();
            h.advanceMillis(1);
            RtmpClientException e = failure(h.connected);
            assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.TIMEOUT);
            assertThat(e.getMessage()).contains("connect");
            assertThat(h.ch.isActive()).isFalse();
        }
    }

    @Test
    void aServerThatClosesBeforeAnsweringConnectFailsTheFutureWithClosed() throws Exception {
        try (Harness h = new Harness(URL)) {
            h.handshakeCompleted();
            h.sent();
            serverCloses(h);
            RtmpClientException e = failure(h.connected);
            assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.CLOSED);
        }
    }

    @Test
    void answersPingRequestWithPingResponseEchoingTheTimestamp() throws Exception {
        try (Harness h = connected()) {
            h.receive(hex(""
                    + "02 000000 000006 04 00000000"   // fmt 0, chunk stream 2, length 6, type 4 User Control
                    + "0006"                            // RTMP 7.1.7 event 6: PingRequest
                    + "0012d687"));                     // timestamp 1234567
            assertThat(h.sent()).isEqualTo(hex(""
                    + "42 000000 000006 04"             // fmt 1 on chunk stream 2: length 6, type 4
                    + "0007"                            // event 7: PingResponse
                    + "0012d687"));                     // the same timestamp
        }
    }

    @Test
    void answersSetPeerBandwidthWithTheWindowOnlyWhenTheWindowChanges() throws Exception {
        try (Harness h = connected()) {
            // First one, dynamic: treated as hard, answered.
            h.receive(hex("02 000000 000005 06 00000000 002625a0 02"));
            assertThat(h.sent()).isEqualTo(WINDOW_ACK_2500000);
            // The same again: the window did not change.
            h.receive(hex("02 000000 000005 06 00000000 002625a0 02"));
            assertThat(h.sent()).isEmpty();
            // Soft 1000000: the smaller of 2500000 and 1000000 (RTMP 5.4.5).
            h.receive(hex("02 000000 000005 06 00000000 000f4240 01"));
            assertThat(h.sent()).isEqualTo(hex("82 000000 000f4240")); // fmt 2: same length and type as before
            // Soft 2000000: still 1000000.
            h.receive(hex("02 000000 000005 06 00000000 001e8480 01"));
            assertThat(h.sent()).isEmpty();
            // Dynamic after soft: ignored.
            h.receive(hex("02 000000 000005 06 00000000 002dc6c0 02"));
            assertThat(h.sent()).isEmpty();
            // Hard 3000000: applied.
            h.receive(hex("02 000000 000005 06 00000000 002dc6c0 00"));
            assertThat(h.sent()).isEqualTo(hex("82 000000 002dc6c0"));
        }
    }

    @Test
    void acknowledgesEveryHalfWindowOfReceivedBytes() throws Exception {
        try (Harness h = new Harness(URL)) {
            h.handshakeCompleted();
            h.sent();
            // 16 bytes: Window Acknowledgement Size 100.
            h.receive(hex("02 000000 000004 05 00000000 00000064"));
            assertThat(h.sent()).isEmpty();
            // 44 bytes: an audio message for a message stream nobody plays; 60 bytes read >= 100 / 2.
            byte[] audio = concat(hex("06 000000 000020 08 09000000"), new byte[32]);
            h.receive(audio);
            assertThat(h.sent()).isEqualTo(hex(""
                    + "42 000000 000004 03"   // fmt 1 on chunk stream 2: length 4, type 3 Acknowledgement (5.4.3)
                    + "0000003c"));           // sequence number: 60 bytes received
            h.receive(audio); // 104: 44 since the last acknowledgement
            assertThat(h.sent()).isEmpty();
            h.receive(audio); // 148
            assertThat(h.sent()).isEqualTo(hex("82 000000 00000094")); // fmt 2, 148
        }
    }

    @Test
    void anUnknownCallFromTheServerGetsAnEmptyResult() throws Exception {
        try (Harness h = connected()) {
            h.receive(hex(""
                    + "03 000000 000017 14 00000000"  // length 23
                    + "02 0009 'onBWCheck' 00 4000000000000000 05 05"));   // txn 2, null, null
            assertThat(h.sent()).isEqualTo(hex(""
                    + "43 000000 000015 14"            // fmt 1 on chunk stream 3: length 21
                    + "02 0007 '_result' 00 4000000000000000 05 05"));     // _result, txn 2, null, null
            // onBWDone (transaction 0) needs nothing.
            h.receive(hex("03 000000 000016 14 00000000 02 0008 'onBWDone' 00 0000000000000000 05 05"));
            assertThat(h.sent()).isEmpty();
        }
    }

    @Test
    void publishesAsObsDoesAndSendsPacketsAsFlvTagBodies() throws Exception {
        try (Harness h = connected()) {
            RtmpPublisher pub = publishing(h);
            assertThat(pub.isOpen()).isTrue();
            assertThat(pub.name()).isEqualTo(KEY_NAME);

            pub.send(MediaPacket.data(PacketType.METADATA, 0, Unpooled.wrappedBuffer(hex(""
                    + "02 000a 'onMetaData' 08 00000001 0005 'width' 00 4074000000000000 000009"))));
            pub.send(MediaPacket.audio(Codec.AAC, PacketType.SEQUENCE_HEADER, 0, 0, 0,
                    Unpooled.wrappedBuffer(hex("1208"))));
            pub.send(MediaPacket.video(Codec.H264, PacketType.SEQUENCE_HEADER, 0, 0, 0, true, false,
                    Unpooled.wrappedBuffer(hex("0142c00d"))));
            pub.send(MediaPacket.video(Codec.H264, PacketType.FRAME, 0, 40 * 90, 40 * 90, true, false,
                    Unpooled.wrappedBuffer(hex("00000002 6588"))));
            pub.send(MediaPacket.video(Codec.H264, PacketType.FRAME, 0, 80 * 90, 0, false, false,
                    Unpooled.wrappedBuffer(hex("00000002 419a"))));
            assertThat(h.sent()).as("nothing before flush").isEmpty();
            pub.flush();
            assertThat(h.sent()).isEqualTo(hex(""
                    // onMetaData as publishers send it: "@setDataFrame" first (field guide §4), chunk stream 5
                    + "05 000000 000035 12 01000000"      // fmt 0, ts 0, length 53, type 18 data, msid 1
                    + "02 000d '@setDataFrame'"
                    + "02 000a 'onMetaData' 08 00000001 0005 'width' 00 4074000000000000 000009"
                    // AAC sequence header, chunk stream 6 (FLV 10.1 E.4.2.1: AF = AAC 44 kHz 16 bit stereo)
                    + "06 000000 000004 08 01000000"
                    + "af 00 1208"                         // AACPacketType 0, AudioSpecificConfig
                    // AVC sequence header, chunk stream 7 (E.4.3.1: 17 = keyframe | AVC)
                    + "07 000000 000009 09 01000000"
                    + "17 00 000000 0142c00d"              // AVCPacketType 0, CompositionTime 0, avcC
                    // keyframe at 40 ms, CompositionTime 40: fmt 1 (length changed), delta 40
                    + "47 000028 00000b 09"
                    + "17 01 000028 00000002 6588"
                    // inter frame at 80 ms: fmt 2 (same length and type), delta 40
                    + "87 000028"
                    + "27 01 000000 00000002 419a"));

            pub.close();
            assertThat(pub.isOpen()).isFalse();
            assertThat(h.sent()).isEqualTo(hex(""
                    + "43 000000 000025 14"            // fmt 1 on chunk stream 3: length 37
                    + "02 000b 'FCUnpublish' 00 4018000000000000 05 02 000a 'cam?key=k1'"     // txn 6
                    + "43 000000 000022 14"            // length 34
                    + "02 000c 'deleteStream' 00 401c000000000000 05 00 3ff0000000000000"));  // txn 7, stream 1
            // Sending after close drops (and releases) the packet.
            pub.send(MediaPacket.audio(Codec.AAC, PacketType.FRAME, 0, 0, 0, Unpooled.wrappedBuffer(hex("21"))));
            pub.flush();
            assertThat(h.sent()).isEmpty();
            pub.close();
            assertThat(h.sent()).isEmpty();
            assertThat(h.ch.isActive()).as("the connection stays open").isTrue();
        }
    }

    @Test
    void sendMetadataWritesSetDataFrameOnMetaDataAndAnEcmaArray() throws Exception {
        try (Harness h = connected()) {
            RtmpPublisher pub = publishing(h);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("width", 320.0);
            meta.put("encoder", "x");
            pub.sendMetadata(meta);
            pub.flush();
            assertThat(h.sent()).isEqualTo(hex(""
                    + "05 000000 000042 12 01000000"   // chunk stream 5, ts 0, length 66, type 18, msid 1
                    + "02 000d '@setDataFrame' 02 000a 'onMetaData'"
                    + "08 00000002"                      // AMF0 2.10 ECMA array, count 2
                    + "0005 'width' 00 4074000000000000"
                    + "0007 'encoder' 02 0001 'x'"
                    + "000009"));
        }
    }

    @Test
    void anErrorStatusFailsThePublishWithItsCodeAndDescriptionAndDeletesTheStream() throws Exception {
        try (Harness h = connected()) {
            CompletableFuture<RtmpPublisher> f = h.connected.get().publish(KEY_NAME);
            h.sent();
            h.receive(CREATE_STREAM_RESULT_4);
            h.sent();
            h.receive(hex(""
                    + "05 000000 000069 14 01000000"  // length 105
                    + "02 0008 'onStatus' 00 0000000000000000 05"
                    + "03 0005 'level' 02 0005 'error'"
                    + "0004 'code' 02 0018 'NetStream.Publish.Denied'"
                    + "000b 'description' 02 0010 'wrong stream key'"
                    + "000009"));
            RtmpClientException e = failure(f);
            assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.REJECTED);
            assertThat(e.code()).isEqualTo("NetStream.Publish.Denied");
            assertThat(e.description()).isEqualTo("wrong stream key");
            assertThat(h.sent()).isEqualTo(hex(""
                    + "43 000000 000022 14"
                    + "02 000c 'deleteStream' 00 4018000000000000 05 00 3ff0000000000000"));  // txn 6, stream 1
        }
    }

    @Test
    void noPublishStartFailsWithTimeoutAndClosesTheConnection() throws Exception {
        try (Harness h = connected()) {
            RtmpConnection conn = h.connected.get();
            CompletableFuture<RtmpPublisher> f = conn.publish(KEY_NAME);
            h.sent();
            h.receive(CREATE_STREAM_RESULT_4);
            h.advanceMillis(COMMAND_TIMEOUT_MILLIS);
            RtmpClientException e = failure(f);
            assertThat(e.reason()).isEqualTo(RtmpClientException.Reason.TIMEOUT);
            assertThat(e.getMessage()).contains("NetStream.Publish.Start");
            assertThat(h.ch.isActive()).isFalse();
            assertThat(failure(conn.closeFuture()).reason()).isEqualTo(RtmpClientException.Reason.TIMEOUT);
        }
    }

    @Test
    void closingTheConnectionSaysGoodbyeForTheStreamFlushesThenCloses() throws Exception {
        try (Harness h = connected()) {
            RtmpConnection conn = h.connected.get();
            publishing(h);
            conn.close();
            h.ch.runPendingTasks();
            assertThat(h.sent()).isEqualTo(hex(""
                    + "43 000000 000025 14 02 000b 'FCUnpublish' 00 4018000000000000 05 02 000a 'cam?key=k1'"
                    + "43 000000 000022 14 02 000c 'deleteStream' 00 401c000000000000 05 00 3ff0000000000000"));
            assertThat(h.ch.isActive()).isFalse();
            assertThat(conn.closeFuture()).isCompletedWithValue(null);
            assertThat(conn.isActive()).isFalse();
            assertThat(failure(conn.publish("again")).reason()).isEqualTo(RtmpClientException.Reason.CLOSED);
        }
    }

    /** Records what a player listener sees. */
    private static final class Recorder implements PlayListener {
        final List<String> events = new ArrayList<>();
        final boolean packets;

        Recorder(boolean packets) {
            this.packets = packets;
        }

        @Override
        public boolean wantsPackets() {
            return packets;
        }

        @Override
        public void onStatus(String code, String description) {
            events.add("status " + code + " " + description);
        }

        @Override
        public void onMetadata(Map<String, Object> metadata) {
            events.add("metadata " + metadata);
        }

        @Override
        public void onMediaMessage(int typeId, long timestamp, ByteBuf body) {
            events.add("message " + typeId + " @" + timestamp + " " + ByteBufUtil.hexDump(body));
        }

        @Override
        public void onPacket(MediaPacket p) {
            events.add("packet " + p.kind() + " " + p.codec() + " " + p.type() + " dts90k=" + p.dts90k()
                    + (p.kind() == MediaKind.VIDEO && p.isKeyframe() ? " key" : "") + " "
                    + ByteBufUtil.hexDump(p.content()));
        }

        @Override
        public void onClose(Throwable cause) {
            events.add("close " + cause);
        }
    }

    /** play("x", -2000) and Set Buffer Length after createStream's _result; Play.Start completes it. */
    private RtmpPlayer playing(Harness h, Recorder listener) throws Exception {
        CompletableFuture<RtmpPlayer> f = h.connected.get().play("x", listener);
        assertThat(h.sent()).isEqualTo(hex(""
                + "43 000000 000019 14"                           // fmt 1 on chunk stream 3: length 25
                + "02 000c 'createStream' 00 4000000000000000 05"));  // txn 2, null
        h.receive(hex(""
                + "03 000000 00001d 14 00000000"
                + "02 0007 '_result' 00 4000000000000000 05 00 3ff0000000000000"));  // txn 2: stream 1
        assertThat(h.sent()).isEqualTo(hex(""
                + "04 000000 00001e 14 01000000"   // chunk stream 4, length 30, msid 1
                + "02 0004 'play' 00 4008000000000000 05 02 0001 'x'"   // txn 3, null, name
                + "00 c09f400000000000"             // start -2000: live (FFmpeg's default)
                + "42 000000 00000a 04"             // fmt 1 on chunk stream 2: length 10, User Control
                + "0003 00000001 00000bb8"));       // RTMP 7.1.7 event 3 Set Buffer Length: stream 1, 3000 ms
        h.receive(hex(""
                + "05 000000 000058 14 01000000"
                + "02 0008 'onStatus' 00 0000000000000000 05"
                + "03 0005 'level' 02 0006 'status'"
                + "0004 'code' 02 0014 'NetStream.Play.Start'"
                + "000b 'description' 02 0002 'go'"
                + "000009"));
        assertThat(f).isCompleted();
        return f.get();
    }

    @Test
    void aPlayerGetsMessagesPacketsMetadataAndAggregatesInOrderWhateverTheReadSizes() throws Exception {
        byte[] server = hex(""
                // video keyframe at 16 ms (FLV 10.1 E.4.3.1): 17 01, CompositionTime 0, one NAL unit
                + "07 000010 00000b 09 01000000 17 01 000000 00000002 6588"
                // onMetaData with the @setDataFrame prefix some servers forward
                + "05 000000 000035 12 01000000 02 000d '@setDataFrame'"
                + "02 000a 'onMetaData' 08 00000001 0005 'width' 00 4074000000000000 000009"
                // aggregate at 1000 ms (RTMP 7.1.6): a video tag at 100 ms and an audio tag at 125 ms
                + "08 0003e8 00002c 16 01000000"
                + "09 00000b 000064 00 000000 27 01 000000 00000002 419a 00000016"
                + "08 000003 00007d 00 000000 af 01 21 0000000e");
        for (int size = 1; size <= server.length; size++) {
            try (Harness h = connected()) {
                Recorder r = new Recorder(true);
                RtmpPlayer player = playing(h, r);
                assertThat(player.name()).isEqualTo("x");
                h.receive(server, size);
                assertThat(r.events).as("read size %d", size).containsExactly(
                        "status NetStream.Play.Start go",
                        "message 9 @16 " + h("17 01 000000 00000002 6588"),
                        "packet VIDEO H264 FRAME dts90k=1440 key " + h("00000002 6588"),
                        "metadata {width=320.0}",
                        // the payload starts at "onMetaData": the @setDataFrame prefix is not part of it
                        "packet DATA SCRIPT METADATA dts90k=0 "
                                + h("02 000a 'onMetaData' 08 00000001 0005 'width' 00 4074000000000000 000009"),
                        // sub-message timestamps rebased onto the aggregate's: 1000 + (100 - 100), 1000 + (125 - 100)
                        "message 9 @1000 " + h("27 01 000000 00000002 419a"),
                        "packet VIDEO H264 FRAME dts90k=90000 " + h("00000002 419a"),
                        "message 8 @1025 " + h("af 01 21"),
                        "packet AUDIO AAC FRAME dts90k=92250 " + h("21"));
            }
        }
    }

    @Test
    void aPlayerThatWantsNoPacketsGetsOnlyTheRawMessages() throws Exception {
        try (Harness h = connected()) {
            Recorder r = new Recorder(false);
            playing(h, r);
            h.receive(hex("08 000010 000003 08 01000000 af 01 21"));
            assertThat(r.events).containsExactly("status NetStream.Play.Start go", "message 8 @16 af0121");
        }
    }

    @Test
    void closingAPlayerDeletesItsStreamAndCallsOnCloseWithoutCause() throws Exception {
        try (Harness h = connected()) {
            Recorder r = new Recorder(true);
            RtmpPlayer player = playing(h, r);
            player.close();
            assertThat(h.sent()).isEqualTo(hex(""
                    + "43 000000 000022 14 02 000c 'deleteStream' 00 4010000000000000 05 00 3ff0000000000000"));
            assertThat(r.events).containsExactly("status NetStream.Play.Start go", "close null");
            h.receive(hex("08 000010 000003 08 01000000 af 01 21"));
            assertThat(r.events).hasSize(2);
        }
    }

    @Test
    void aServerCloseEndsAPlayerWithClosed() throws Exception {
        try (Harness h = connected()) {
            Recorder r = new Recorder(true);
            playing(h, r);
            RtmpConnection conn = h.connected.get();
            serverCloses(h);
            assertThat(r.events).hasSize(2);
            assertThat(r.events.get(1)).startsWith("close ").contains("CLOSED");
            assertThat(failure(conn.closeFuture()).reason()).isEqualTo(RtmpClientException.Reason.CLOSED);
        }
    }

    /** What a player sends once it knows its message stream id 1: play(x, -2000) and Set Buffer Length. */
    private static final byte[] PLAY_ON_STREAM_1 = hex(""
            + "04 000000 00001e 14 01000000 02 0004 'play' 00 4008000000000000 05 02 0001 'x' 00 c09f400000000000"
            + "42 000000 00000a 04 0003 00000001 00000bb8");

    @Test
    void aCreateStreamResultWithTheIdAsItsThirdValueIsUnderstood() throws Exception {
        try (Harness h = connected()) {
            CompletableFuture<RtmpPlayer> f = h.connected.get().play("x", new Recorder(true));
            h.sent();
            h.receive(hex(""
                    + "03 000000 00001c 14 00000000"
                    + "02 0007 '_result' 00 4000000000000000 00 3ff0000000000000"));  // txn 2, then 1.0 at once
            assertThat(h.sent()).isEqualTo(PLAY_ON_STREAM_1);
            assertThat(f).isNotDone();
        }
    }

    @Test
    void aCreateStreamResultWithoutAnIdFailsThePlayWithProtocol() throws Exception {
        try (Harness h = connected()) {
            CompletableFuture<RtmpPlayer> f = h.connected.get().play("x", new Recorder(true));
            h.sent();
            h.receive(hex("03 000000 000015 14 00000000 02 0007 '_result' 00 4000000000000000 05 05"));
            assertThat(failure(f).reason()).isEqualTo(RtmpClientException.Reason.PROTOCOL);
            assertThat(h.sent()).as("no stream to delete").isEmpty();
            assertThat(h.ch.isActive()).isTrue();
        }
    }

    @Test
    void aStartStatusOnMessageStreamZeroReachesTheOnlyStreamWaiting() throws Exception {
        try (Harness h = connected()) {
            Recorder r = new Recorder(true);
            CompletableFuture<RtmpPlayer> f = h.connected.get().play("x", r);
            h.sent();
            h.receive(hex("03 000000 00001d 14 00000000 02 0007 '_result' 00 4000000000000000 05 00 3ff0000000000000"));
            assertThat(h.sent()).isEqualTo(PLAY_ON_STREAM_1);
            h.receive(hex(""
                    + "05 000000 000046 14 00000000"   // message stream 0
                    + "02 0008 'onStatus' 00 0000000000000000 05"
                    + "03 0005 'level' 02 0006 'status' 0004 'code' 02 0014 'NetStream.Play.Start' 000009"));
            assertThat(f).isCompleted();
            assertThat(r.events).containsExactly("status NetStream.Play.Start null");
        }
    }

    /** The hex dump of a hand-written vector, to compare with what the listener printed. */
    private static String h(String vector) {
        return ByteBufUtil.hexDump(hex(vector));
    }

    /** The socket closed from the other side: the channel closes without passing through the pipeline. */
    private static void serverCloses(Harness h) {
        h.ch.unsafe().close(h.ch.unsafe().voidPromise());
        h.ch.runPendingTasks();
    }

    private static RtmpClientException failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RtmpClientException.class);
            return (RtmpClientException) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
