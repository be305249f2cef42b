package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import dev.millrace.streaming.rtmp.message.Command;
import dev.millrace.streaming.rtmp.message.CommandCodec;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * AMF0 commands, once per connection or per stream rather than per packet, so they may allocate (strings, maps,
 * boxed numbers are the value model); what matters is that they stay in the microseconds:
 *
 * <ul>
 *   <li>{@link #decodeFfmpegConnect}: {@link CommandCodec#decodeCommand} of the connect FFmpeg 8.0.1 sent
 *       ({@link CommandVectors#FFMPEG_CONNECT_HEX}, 139 bytes).</li>
 *   <li>{@link #decodeObsMetadata}: {@link CommandCodec#decodeValues} of OBS's {@code @setDataFrame onMetaData}
 *       ({@link CommandVectors#obsSetDataFrame}, 20 properties).</li>
 *   <li>{@link #encodeOnStatus}: {@link CommandCodec#onStatus} for {@code NetStream.Play.Start}, as the session
 *       sends it to every player.</li>
 *   <li>{@link #encodeConnectResult}: the connect {@code _result} with the server's properties and enhanced RTMP
 *       capability maps, built as the session builds it (maps included), via {@link CommandCodec#reply}.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {BenchJvm.EXECUTOR, BenchJvm.EXECUTOR_CLASS},
        jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Thread)
public class Amf0Benchmark {

    private CommandCodec codec;
    /** Borrowed by every decode: the codec reads a duplicate and leaves the message as it is. */
    private RtmpMessage connect;
    private RtmpMessage metadata;

    @Setup(Level.Trial)
    public void setUp() {
        codec = new CommandCodec(RtmpLimits.DEFAULT);
        byte[] connectBody = CommandVectors.ffmpegConnect();
        connect = new RtmpMessage(3, MessageType.COMMAND_AMF0, 0, 0,
                Unpooled.directBuffer(connectBody.length).writeBytes(connectBody));
        byte[] metadataBody = CommandVectors.obsSetDataFrame();
        metadata = new RtmpMessage(4, MessageType.DATA_AMF0, 0, 1,
                Unpooled.directBuffer(metadataBody.length).writeBytes(metadataBody));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connect.release();
        metadata.release();
    }

    @Benchmark
    public Command decodeFfmpegConnect() {
        return codec.decodeCommand(connect);
    }

    @Benchmark
    public List<Object> decodeObsMetadata() {
        return codec.decodeValues(metadata);
    }

    @Benchmark
    public int encodeOnStatus() {
        RtmpMessage m = CommandCodec.onStatus(ByteBufAllocator.DEFAULT, 1, "status", "NetStream.Play.Start",
                "Started playing live/stream.", "live/stream");
        int length = m.length();
        m.release();
        return length;
    }

    @Benchmark
    public int encodeConnectResult() {
        // The connect reply's objects as the session builds them (RtmpSession.onConnect,
        // PlayerCapabilities.describeServer).
        AmfObject props = new AmfObject();
        props.put("fmsVer", "FMS/3,0,1,123");
        props.put("capabilities", 31.0);
        props.put("mode", 1.0);
        props.put("capsEx", 2.0);
        AmfObject video = new AmfObject();
        video.put("avc1", 4.0);
        video.put("hvc1", 4.0);
        video.put("av01", 4.0);
        video.put("vp09", 4.0);
        video.put("vp08", 4.0);
        video.put("vvc1", 4.0);
        AmfObject audio = new AmfObject();
        audio.put("mp4a", 4.0);
        audio.put(".mp3", 4.0);
        audio.put("Opus", 4.0);
        audio.put("fLaC", 4.0);
        audio.put("ac-3", 4.0);
        audio.put("ec-3", 4.0);
        props.put("videoFourCcInfoMap", video);
        props.put("audioFourCcInfoMap", audio);
        AmfObject info = new AmfObject();
        info.put("level", "status");
        info.put("code", "NetConnection.Connect.Success");
        info.put("description", "Connection succeeded.");
        info.put("objectEncoding", 0.0);
        RtmpMessage m = CommandCodec.reply(ByteBufAllocator.DEFAULT, "_result", 1.0, props, info);
        int length = m.length();
        m.release();
        return length;
    }
}
