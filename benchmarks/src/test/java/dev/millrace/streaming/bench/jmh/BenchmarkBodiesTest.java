package dev.millrace.streaming.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.amf.AmfEcmaArray;
import dev.millrace.streaming.rtmp.message.Command;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark's setup, body and teardown outside JMH (under the PARANOID leak detector of the test run) and
 * checks that the body does the work it claims: the messages and bytes that reach the discarding context, the
 * packets every subscriber got. A benchmark that silently measured an error path or the wrong encoder path would
 * fail here.
 */
class BenchmarkBodiesTest {

    @Test
    void chunkDecodeBenchmarkDecodesEveryMessageOfTheLoopingStream() throws Exception {
        ChunkDecodeBenchmark b = new ChunkDecodeBenchmark();
        b.readBytes = SyntheticGop.chunkStream().length; // one whole GOP per read
        b.setUp();
        try {
            // the preamble: Set Chunk Size (4 bytes) and @setDataFrame onMetaData
            assertThat(b.context.messages).isEqualTo(2);
            assertThat(b.context.bytes).isEqualTo(4 + CommandVectors.obsSetDataFrame().length);
            b.decode();
            b.decode();
            assertThat(b.context.messages).isEqualTo(2 + 2 * 154);
            assertThat(b.context.bytes)
                    .isEqualTo(4 + CommandVectors.obsSetDataFrame().length + 2L * SyntheticGop.messageBytes());
            b.decodeInEmbeddedChannel();
            assertThat(b.releaser.messages).isEqualTo(2 + 154);
            b.readBufferOnly();
        } finally {
            b.tearDown();
        }
    }

    @Test
    void chunkDecodeBenchmarkSurvivesReadsThatSplitHeaders() throws Exception {
        ChunkDecodeBenchmark b = new ChunkDecodeBenchmark();
        b.readBytes = 1448;
        b.setUp();
        try {
            int streamLength = SyntheticGop.chunkStream().length;
            // Enough reads for three loops; every message completes, none is lost at a split header.
            int reads = (3 * streamLength + 1447) / 1448;
            for (int i = 0; i < reads; i++) {
                b.decode();
            }
            assertThat(b.context.messages).isBetween(2L + 3 * 154 - 1, 2L + 3 * 154);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void preChunkedWritesOnlyAHeaderInFrontOfTheSharedBody() throws Exception {
        ChunkEncodeBenchmark b = new ChunkEncodeBenchmark();
        b.messageBytes = 50_000;
        b.setUp();
        try {
            // Set Chunk Size: 1-byte basic header, 11-byte type 0 message header, 4 bytes (RTMP 5.3.1, 5.4.1)
            assertThat(b.context.messages).isEqualTo(1);
            assertThat(b.context.bytes).isEqualTo(16);
            b.preChunked();
            b.preChunked();
            b.preChunked();
            // two writes per message (header, shared body); body: 50000 bytes + 12 type 3 separators (50000 / 4096);
            // first header type 0 (1 + 11 bytes), then type 2 (1 + 3: only the 33 ms delta changes)
            assertThat(b.context.messages).isEqualTo(1 + 3 * 2);
            assertThat(b.context.bytes).isEqualTo(16 + (12 + 50_012) + 2 * (4 + 50_012));
            assertThat(b.chunkedBodyEncode()).isEqualTo(50_012);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void rtmpMessageWritesOneChunkedBufferPerMessage() throws Exception {
        ChunkEncodeBenchmark b = new ChunkEncodeBenchmark();
        b.messageBytes = 341;
        b.setUp();
        try {
            b.rtmpMessage();
            b.rtmpMessage();
            // one chunk each (341 < 4096): type 0 header (12 bytes) + 341, then type 2 (4 bytes) + 341
            assertThat(b.context.messages).isEqualTo(1 + 2);
            assertThat(b.context.bytes).isEqualTo(16 + (12 + 341) + (4 + 341));
            assertThat(b.chunkedBodyEncode()).isEqualTo(341);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void amf0BenchmarkDecodesTheRealCommandsAndEncodesTheReplies() {
        Amf0Benchmark b = new Amf0Benchmark();
        b.setUp();
        try {
            assertThat(CommandVectors.ffmpegConnect()).hasSize(139);
            Command connect = b.decodeFfmpegConnect();
            assertThat(connect.name()).isEqualTo("connect");
            assertThat(connect.transactionId()).isEqualTo(1.0);
            @SuppressWarnings("unchecked")
            Map<String, Object> commandObject = (Map<String, Object>) connect.commandObject();
            assertThat(commandObject).containsExactly(
                    Map.entry("app", "live"),
                    Map.entry("type", "nonprivate"),
                    Map.entry("flashVer", "FMLE/3.0 (compatible; Lavf62.3.100)"),
                    Map.entry("tcUrl", "rtmp://127.0.0.1:33051/live"));

            List<Object> metadata = b.decodeObsMetadata();
            assertThat(metadata).hasSize(3);
            assertThat(metadata.get(0)).isEqualTo("@setDataFrame");
            assertThat(metadata.get(1)).isEqualTo("onMetaData");
            AmfEcmaArray values = (AmfEcmaArray) metadata.get(2);
            assertThat(values).hasSize(20);
            assertThat(values.get("width")).isEqualTo(1280.0);
            assertThat(values.get("videocodecid")).isEqualTo("avc1");
            assertThat(values.get("stereo")).isEqualTo(true);
            assertThat(values.get("encoder")).isEqualTo("obs-output module (libobs version 30.2.3)");

            // AMF0: "onStatus" 11, 0.0 9, null 1, object 116 (level 16, code 29, description 44, details 23, end 3)
            assertThat(b.encodeOnStatus()).isEqualTo(137);
            // "_result" 10, 1.0 9, properties 311 (fmsVer 24, capabilities 23, mode 15, capsEx 17, two FourCC maps
            // of 114, end 3), information 120 (level 16, code 38, description 37, objectEncoding 25, end 3)
            assertThat(b.encodeConnectResult()).isEqualTo(450);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void flvTagBenchmarkWritesHeaderBodyHeaderAndBackPointer() {
        FlvTagWriteBenchmark audio = new FlvTagWriteBenchmark();
        audio.packet = FlvTagWriteBenchmark.Packet.AUDIO;
        audio.setUp();
        try {
            int bodyLength = FlvTagWriteBenchmark.pick(FlvTagWriteBenchmark.Packet.AUDIO).body().length;
            // FLV E.4.1 tag header 11, AAC body header (E.4.2.1 byte, AACPacketType) 2, PreviousTagSize 4
            assertThat(audio.framing()).isEqualTo(11 + 2 + 4);
            assertThat(audio.wholeTag()).isEqualTo(11 + bodyLength + 4);
        } finally {
            audio.tearDown();
        }
        FlvTagWriteBenchmark key = new FlvTagWriteBenchmark();
        key.packet = FlvTagWriteBenchmark.Packet.VIDEO_KEY;
        key.setUp();
        try {
            assertThat(key.media.isKeyframe()).isTrue();
            // E.4.3.1 AVC body header: frame type and codec, AVCPacketType, CompositionTime: 5 bytes
            assertThat(key.framing()).isEqualTo(11 + 5 + 4);
            assertThat(key.wholeTag()).isEqualTo(11 + 50_000 + 4);
        } finally {
            key.tearDown();
        }
        FlvTagWriteBenchmark inter = new FlvTagWriteBenchmark();
        inter.packet = FlvTagWriteBenchmark.Packet.VIDEO_INTER;
        inter.setUp();
        try {
            assertThat(inter.media.isKeyframe()).isFalse();
            assertThat(inter.framing()).isEqualTo(11 + 5 + 4);
        } finally {
            inter.tearDown();
        }
    }

    @Test
    void inlineFanoutDeliversEveryPacketToEverySubscriberThroughTheZeroCopyPath() {
        FanoutBenchmark benchmark = new FanoutBenchmark();
        FanoutBenchmark.InlineState state = new FanoutBenchmark.InlineState();
        state.subscribers = 3;
        state.setUp();
        try {
            List<FanoutRig.CountingSink> sinks = state.rig.sinks();
            for (FanoutRig.CountingSink s : sinks) {
                // onMetaData, AAC and AVC sequence headers
                assertThat(s.packets).isEqualTo(3);
                // Set Chunk Size, then a header and the shared body per packet
                assertThat(s.socket.messages).isEqualTo(1 + 3 * 2);
            }
            long before = sinks.get(0).socket.bytes;
            assertThat(benchmark.inline(state)).isEqualTo(3); // one drain per subscriber
            for (FanoutRig.CountingSink s : sinks) {
                // The keyframe: message 50000 bytes, chunked body 50012 (12 type 3 separators at 4096); first frame
                // after the AVC sequence header on chunk stream 7, same timestamp 0, new length: type 1 header
                // (1 + 7 bytes)
                assertThat(s.socket.bytes - before).isEqualTo(8 + 50_012);
                assertThat(s.socket.messages).isEqualTo(1 + 4 * 2);
            }
            for (int i = 1; i < 155; i++) {
                benchmark.inline(state);
            }
            for (FanoutRig.CountingSink s : sinks) {
                assertThat(s.packets).isEqualTo(3 + 155);
                assertThat(s.socket.messages).isEqualTo(1 + 2 * (3 + 155));
            }
            assertThat(state.rig.published()).isEqualTo(155);
        } finally {
            state.tearDown();
        }
    }

    @Test
    void eventLoopFanoutWaitsUntilEverySubscriberHasThePacket() throws Exception {
        FanoutBenchmark benchmark = new FanoutBenchmark();
        FanoutBenchmark.EventLoopState state = new FanoutBenchmark.EventLoopState();
        state.subscribers = 5;
        state.drainThreads = 2;
        state.setUp();
        try {
            for (int k = 1; k <= 20; k++) {
                benchmark.eventLoops(state);
                for (FanoutRig.CountingSink s : state.rig.sinks()) {
                    assertThat(s.packets).isEqualTo(3 + k);
                }
            }
        } finally {
            state.tearDown();
        }
    }
}
