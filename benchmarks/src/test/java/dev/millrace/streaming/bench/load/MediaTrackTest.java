package dev.millrace.streaming.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.bench.CodecConfigVectors;
import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvHeader;
import dev.millrace.streaming.core.flv.FlvTag;
import dev.millrace.streaming.core.flv.FlvWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaTrackTest {

    /**
     * A short H.264/AAC FLV: onMetaData, both sequence headers, then video at 0, 40, 80 ms (a keyframe first) and
     * audio at 0 and 21 ms.
     */
    static Path writeFlv(Path dir) throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            new FlvHeader(true, true).write(out);
            tag(out, FlvTag.SCRIPT_DATA, 0, "02000a" + hex("onMetaData") + "00" + "0000000000000000"); // AMF0 string, number 0
            tag(out, FlvTag.VIDEO, 0, CodecConfigVectors.AVC_SEQUENCE_HEADER_HEX);
            tag(out, FlvTag.AUDIO, 0, CodecConfigVectors.AAC_SEQUENCE_HEADER_HEX);
            tag(out, FlvTag.VIDEO, 0, "1701000000" + "00000004" + "65aabbcc"); // IDR slice
            tag(out, FlvTag.AUDIO, 0, "af01" + "21100460");
            tag(out, FlvTag.AUDIO, 21, "af01" + "21100461");
            tag(out, FlvTag.VIDEO, 40, "2701000000" + "00000003" + "41aabb");
            tag(out, FlvTag.VIDEO, 80, "2701000000" + "00000003" + "41ccdd");
            Path file = dir.resolve("short.flv");
            Files.write(file, ByteBufUtil.getBytes(out));
            return file;
        } finally {
            out.release();
        }
    }

    private static String hex(String ascii) {
        return HexFormat.of().formatHex(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static void tag(ByteBuf out, int type, long timestamp, String bodyHex) {
        FlvWriter.writeTag(out, type, timestamp, Unpooled.wrappedBuffer(HexFormat.of().parseHex(bodyHex)));
    }

    @Test
    void flvReplayLoopsWithTimestampsThatKeepIncreasing(@TempDir Path dir) throws Exception {
        try (MediaTrack track = MediaTrack.flv(writeFlv(dir))) {
            assertThat(track.configs()).hasSize(2);
            assertThat(track.configs().get(0).codec()).isEqualTo(Codec.H264);
            assertThat(track.configs().get(0).type()).isEqualTo(PacketType.SEQUENCE_HEADER);
            assertThat(track.configs().get(1).codec()).isEqualTo(Codec.AAC);
            assertThat(track.metadataPacket()).isNotNull();
            assertThat(track.metadata()).isNull();
            MediaTrack.Cursor c = track.cursor();
            // one pass: 0 video, 0 audio, 21 audio, 40 video, 80 video; a loop lasts 80 + 40 (mean frame interval)
            long[] expected = {0, 0, 21, 40, 80, 120, 120, 141, 160, 200, 240};
            for (int i = 0; i < expected.length; i++) {
                assertThat(c.dtsMillis()).as("message %d", i).isEqualTo(expected[i]);
                c.advance();
            }
            MediaTrack.Cursor fresh = track.cursor();
            assertThat(fresh.template().kind()).isEqualTo(MediaKind.VIDEO);
            assertThat(fresh.template().isKeyframe()).isTrue();
            assertThat(ByteBufUtil.hexDump(fresh.template().content())).isEqualTo("0000000465aabbcc");
        }
    }

    @Test
    void refusesAFileThatIsNotFlv(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("not.flv");
        Files.writeString(file, "this is not an FLV file at all");
        assertThatThrownBy(() -> MediaTrack.flv(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an FLV header");
    }

    @Test
    void syntheticTrackHitsItsBitrateWithAThirdOfTheGopInTheKeyframe() {
        try (MediaTrack track = MediaTrack.synthetic(600, 64, 30, 2)) {
            MediaTrack.Cursor c = track.cursor();
            long videoBytes = 0;
            long audioBytes = 0;
            long keyBytes = 0;
            int videoFrames = 0;
            int audioFrames = 0;
            while (c.dtsMillis() < 10_000) { // five GOPs
                int size = c.template().size();
                if (c.template().kind() == MediaKind.VIDEO) {
                    // the FLV message: 5-byte header, stamp, payload
                    videoBytes += 5 + FrameStamp.AVCC_BYTES + size;
                    if (c.template().isKeyframe()) {
                        keyBytes += 5 + FrameStamp.AVCC_BYTES + size;
                    }
                    videoFrames++;
                } else {
                    audioBytes += 2 + size;
                    audioFrames++;
                }
                long before = c.dtsMillis();
                c.advance();
                assertThat(c.dtsMillis()).isGreaterThanOrEqualTo(before);
            }
            assertThat(videoFrames).isEqualTo(300);
            assertThat(audioFrames).isEqualTo(469); // 10 s x 46.875 frames/s, rounded up
            assertThat(videoBytes * 8 / 10.0 / 1000).isBetween(594.0, 606.0);
            assertThat(audioBytes * 8 / 10.0 / 1000).isBetween(62.0, 66.0);
            assertThat((double) keyBytes / videoBytes).isBetween(0.32, 0.35);
            assertThat(track.metadata()).containsEntry("videodatarate", 600.0).containsEntry("width", 1280.0);
        }
    }
}
