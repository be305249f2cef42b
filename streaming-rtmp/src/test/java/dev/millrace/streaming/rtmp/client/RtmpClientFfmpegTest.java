package dev.millrace.streaming.rtmp.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.ConnectionInfo;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.StreamInfo;
import dev.millrace.streaming.core.StreamListener;
import dev.millrace.streaming.core.flv.FlvHeader;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.core.flv.FlvTag;
import dev.millrace.streaming.core.flv.FlvTagReader;
import dev.millrace.streaming.rtmp.RtmpClient;
import dev.millrace.streaming.rtmp.RtmpServer;
import dev.millrace.streaming.testkit.Ffmpeg;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against real FFmpeg (the 8.0.1 programs bytedeco bundles), through our server on loopback. */
class RtmpClientFfmpegTest {

    private static final Duration PROCESS_DEADLINE = Duration.ofSeconds(60);
    private static final long T = 20;

    private static RtmpServer server;
    private static RtmpClient client;
    private static final Map<String, CompletableFuture<Void>> playStarts = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = RtmpServer.builder().port(0).listener(new StreamListener() {
            @Override
            public void onPlayStart(StreamInfo stream, ConnectionInfo viewer) {
                playStart(stream.path()).complete(null);
            }
        }).start();
        client = RtmpClient.builder().threads(1).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static CompletableFuture<Void> playStart(String path) {
        return playStarts.computeIfAbsent(path, p -> new CompletableFuture<>());
    }

    private static String url() {
        return "rtmp://127.0.0.1:" + server.port() + "/live";
    }

    /** 2 s of 25 fps H.264 (with B-frames, keyframe every second) and AAC, as ffmpeg's lavfi sources make them. */
    private static List<String> encodeArgs() {
        return List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "2",
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k");
    }

    @Test
    void ffmpegPlaysWhatAnRtmpPublisherPublishes() throws Exception {
        // Real encoder output: the command above, to an FLV file, read back as packets.
        Path source = dir.resolve("source.flv");
        List<String> encode = new ArrayList<>(encodeArgs());
        encode.addAll(List.of("-f", "flv", "-y", source.toString()));
        Ffmpeg.Result encoded = Ffmpeg.run(dir.resolve("encode.log"), PROCESS_DEADLINE, encode);
        assertThat(encoded.ok()).as("%s", encoded).isTrue();
        List<MediaPacket> packets = readFlv(source);
        int videoFrames = 0;
        for (MediaPacket p : packets) {
            videoFrames += p.kind() == MediaKind.VIDEO && p.type() == PacketType.FRAME ? 1 : 0;
        }
        assertThat(videoFrames).isEqualTo(50);

        Path played = dir.resolve("played.flv");
        try (Ffmpeg.Running player = Ffmpeg.start(dir.resolve("player.log"), List.of("-rw_timeout", "20000000",
                "-i", url() + "/fromclient", "-c", "copy", "-f", "flv", "-y", played.toString()))) {
            // FFmpeg waits for the publisher (the server holds players of unpublished streams).
            playStart("live/fromclient").get(T, TimeUnit.SECONDS);
            RtmpConnection conn = client.connect(url()).get(T, TimeUnit.SECONDS);
            RtmpPublisher pub = conn.publish("fromclient").get(T, TimeUnit.SECONDS);
            for (MediaPacket p : packets) {
                pub.send(p);
            }
            pub.flush();
            // Unpublishing makes the server send Play.UnpublishNotify, on which FFmpeg ends (field guide §6).
            pub.close();
            Ffmpeg.Result result = player.await(PROCESS_DEADLINE);
            assertThat(result.ok()).as("%s", result).isTrue();
            conn.close();
        }
        String streams = probe(played);
        assertThat(field(streams, "video", "codec_name")).isEqualTo("h264");
        assertThat(field(streams, "video", "width")).isEqualTo("320");
        assertThat(field(streams, "video", "nb_read_frames")).isEqualTo("50");
        assertThat(field(streams, "audio", "codec_name")).isEqualTo("aac");
    }

    @Test
    void anRtmpPlayerPlaysWhatFfmpegPublishes() throws Exception {
        List<String> videoTypes = new ArrayList<>();
        List<String> audioTypes = new ArrayList<>();
        List<Long> videoDts = new ArrayList<>();
        CompletableFuture<Map<String, Object>> metadata = new CompletableFuture<>();
        CompletableFuture<Void> unpublished = new CompletableFuture<>();
        PlayListener listener = new PlayListener() {
            @Override
            public void onStatus(String code, String description) {
                if ("NetStream.Play.UnpublishNotify".equals(code)) {
                    unpublished.complete(null);
                }
            }

            @Override
            public void onMetadata(Map<String, Object> values) {
                metadata.complete(values);
            }

            @Override
            public void onPacket(MediaPacket p) {
                if (p.kind() == MediaKind.VIDEO) {
                    videoTypes.add(p.codec() + " " + p.type() + (p.isKeyframe() ? " key" : ""));
                    if (p.type() == PacketType.FRAME) {
                        videoDts.add(p.dtsMillis());
                    }
                } else if (p.kind() == MediaKind.AUDIO) {
                    audioTypes.add(p.codec() + " " + p.type());
                }
            }
        };
        try (RtmpConnection conn = client.connect(url()).get(T, TimeUnit.SECONDS)) {
            conn.play("fromffmpeg", listener).get(T, TimeUnit.SECONDS);
            List<String> publish = new ArrayList<>(encodeArgs());
            publish.addAll(List.of("-f", "flv", url() + "/fromffmpeg"));
            Ffmpeg.Result pub = Ffmpeg.run(dir.resolve("publisher.log"), PROCESS_DEADLINE, publish);
            assertThat(pub.ok()).as("%s", pub).isTrue();
            assertThat(publishedFrames(pub)).isEqualTo(50);
            unpublished.get(T, TimeUnit.SECONDS);
            // The listener ran on the connection's event loop; UnpublishNotify came after the media, and completing
            // the future there orders those writes before these reads.
            assertThat(metadata.get(T, TimeUnit.SECONDS)).containsEntry("width", 320.0)
                    .containsEntry("height", 240.0);
            assertThat(videoTypes.get(0)).isEqualTo("H264 SEQUENCE_HEADER key");
            assertThat(videoTypes.get(1)).isEqualTo("H264 FRAME key");
            assertThat(videoTypes).filteredOn(t -> t.contains("FRAME")).hasSize(50);
            assertThat(audioTypes.get(0)).isEqualTo("AAC SEQUENCE_HEADER");
            assertThat(audioTypes).filteredOn(t -> t.equals("AAC FRAME")).hasSizeGreaterThan(80);
            assertThat(videoDts).isSorted().doesNotHaveDuplicates();
        }
    }

    private static int publishedFrames(Ffmpeg.Result publisher) {
        Matcher m = Pattern.compile("frame=\\s*(\\d+)").matcher(publisher.output());
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    /** The packets of an FLV file: onMetaData as a metadata data packet, audio and video parsed. Caller owns. */
    private static List<MediaPacket> readFlv(Path file) throws Exception {
        ByteBuf in = Unpooled.wrappedBuffer(Files.readAllBytes(file));
        List<MediaPacket> out = new ArrayList<>();
        try {
            assertThat(FlvHeader.read(in)).isNotNull();
            FlvTag tag;
            while ((tag = FlvTagReader.read(in, FlvTag.MAX_DATA_SIZE)) != null) {
                try {
                    long dts90k = tag.timestampMillis() * MediaPacket.TICKS_PER_MILLI;
                    ByteBuf body = tag.content();
                    if (tag.tagType() == FlvTag.SCRIPT_DATA) {
                        // AMF0 2.4 "onMetaData": 02 000a then the name
                        boolean onMetaData = body.readableBytes() > 13 && body.toString(body.readerIndex() + 3, 10,
                                StandardCharsets.US_ASCII).equals("onMetaData");
                        if (onMetaData) {
                            out.add(MediaPacket.data(PacketType.METADATA, dts90k, body.retainedSlice()));
                        }
                    } else {
                        FlvMediaParser.Result r = tag.tagType() == FlvTag.VIDEO
                                ? FlvMediaParser.parseVideo(body, dts90k, out)
                                : FlvMediaParser.parseAudio(body, dts90k, out);
                        assertThat(r).isEqualTo(FlvMediaParser.Result.OK);
                    }
                } finally {
                    tag.release();
                }
            }
            assertThat(in.isReadable()).isFalse();
            return out;
        } catch (RuntimeException | Error e) {
            out.forEach(MediaPacket::release);
            throw e;
        } finally {
            in.release();
        }
    }

    private String probe(Path file) throws Exception {
        Ffmpeg.Result r = Ffmpeg.probe(dir.resolve("ffprobe.err"), PROCESS_DEADLINE, List.of("-v", "error",
                "-count_frames", "-show_entries", "stream=codec_type,codec_name,width,height,nb_read_frames",
                "-of", "default=noprint_wrappers=0", file.toString()));
        assertThat(r.ok()).as("%s", r).isTrue();
        return r.output();
    }

    private static String field(String streams, String codecType, String key) {
        for (String block : streams.split("\\[/STREAM\\]")) {
            if (block.contains("codec_type=" + codecType)) {
                Matcher m = Pattern.compile(key + "=(\\S+)").matcher(block);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }
}
