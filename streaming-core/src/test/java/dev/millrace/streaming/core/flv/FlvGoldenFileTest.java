package dev.millrace.streaming.core.flv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvMediaParser.Detail;
import dev.millrace.streaming.core.flv.FlvMediaParser.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reads whole FLV files written by FFmpeg 8.0.1 (commands in {@code src/test/resources/golden/flv/README.md}) and
 * parses every tag body. Expected counts, sizes and first timestamps come from the same FFmpeg's ffprobe
 * ({@code -count_frames -show_entries stream=nb_read_frames} and {@code -show_packets}), as listed in that README.
 */
class FlvGoldenFileTest {

    @Test
    void h264AacFileParsesCompletely() throws IOException {
        Summary s = read("h264_aac.flv");
        assertThat(s.header).isEqualTo(new FlvHeader(true, true));
        // 1 onMetaData + 27 video (sequence header, 25 frames, end of sequence) + 46 audio (header, 45 frames)
        assertThat(s.tags).isEqualTo(74);
        assertThat(s.scriptTags).isEqualTo(1);
        assertThat(s.videoCodecs).containsOnly(Codec.H264);
        assertThat(s.audioCodecs).containsOnly(Codec.AAC);
        assertThat(s.firstVideo).isEqualTo(PacketType.SEQUENCE_HEADER);
        assertThat(s.firstAudio).isEqualTo(PacketType.SEQUENCE_HEADER);
        assertThat(s.videoFrames).isEqualTo(25); // ffprobe nb_read_frames, stream 0
        assertThat(s.videoFrameBytes).isEqualTo(4463); // ffprobe: sum of the 25 packet sizes
        assertThat(s.audioFrames).isEqualTo(45); // ffprobe nb_read_frames, stream 1
        assertThat(s.audioFrameBytes).isEqualTo(2983);
        assertThat(s.firstFrameKeyframe).isTrue();
        assertThat(s.firstFrameDts90k).isZero(); // ffprobe: first video packet dts 0
        assertThat(s.firstFramePts90k).isEqualTo(80 * 90); // ffprobe: pts 80 ms (B-frames)
        assertThat(s.keyframes).isEqualTo(1); // -g 25: one IDR in 25 frames
        assertThat(s.sequenceEnds).isEqualTo(1); // FFmpeg ends H.264 with an end-of-sequence tag
        assertThat(s.metadata).isZero();
        assertThat(s.audioCodecFlags).containsOnly(0x0F); // 0xAF: FFmpeg writes the E.4.2.1 AAC flags
    }

    @Test
    void hevcOpusFileParsesCompletely() throws IOException {
        Summary s = read("hevc_opus.flv");
        assertThat(s.header).isEqualTo(new FlvHeader(true, true));
        // 1 onMetaData + 27 video (SequenceStart, colorInfo Metadata, 25 frames)
        // + 53 audio (SequenceStart, MultichannelConfig, 51 frames)
        assertThat(s.tags).isEqualTo(81);
        assertThat(s.scriptTags).isEqualTo(1);
        assertThat(s.videoCodecs).containsOnly(Codec.HEVC);
        assertThat(s.audioCodecs).containsOnly(Codec.OPUS);
        assertThat(s.firstVideo).isEqualTo(PacketType.SEQUENCE_HEADER);
        assertThat(s.firstAudio).isEqualTo(PacketType.SEQUENCE_HEADER);
        assertThat(s.videoFrames).isEqualTo(25); // ffprobe nb_read_frames, stream 0
        assertThat(s.videoFrameBytes).isEqualTo(4209);
        assertThat(s.audioFrames).isEqualTo(51); // ffprobe nb_read_frames, stream 1
        assertThat(s.audioFrameBytes).isEqualTo(3767);
        assertThat(s.firstFrameKeyframe).isTrue();
        assertThat(s.firstFrameDts90k).isZero();
        assertThat(s.firstFramePts90k).isEqualTo(80 * 90); // ffprobe: pts 80 ms, sent as an SI24 CompositionTime
        assertThat(s.keyframes).isEqualTo(1);
        assertThat(s.sequenceEnds).isZero(); // FFmpeg writes no end of sequence for HEVC
        assertThat(s.metadata).isEqualTo(2); // video 0xD4 colorInfo, audio MultichannelConfig (mono)
        assertThat(s.audioCodecFlags).containsOnly(0);
    }

    @Test
    void remuxingEveryParsedPacketReproducesFfmpegsFilesByteForByte() throws IOException {
        // FFmpeg's muxer picks the same forms as FlvMediaWriter (legacy H.264/AAC, enhanced HEVC with CodedFramesX
        // when PTS == DTS, 0xD4 metadata, ExHeader Opus), so a parse/write cycle must give back the same file.
        for (String name : List.of("h264_aac.flv", "hevc_opus.flv")) {
            byte[] file = resource(name);
            ByteBuf in = PooledByteBufAllocator.DEFAULT.buffer(file.length).writeBytes(file);
            ByteBuf remuxed = PooledByteBufAllocator.DEFAULT.buffer(file.length);
            List<MediaPacket> out = new ArrayList<>();
            try {
                FlvHeader.read(in).write(remuxed);
                for (FlvTag tag; (tag = FlvTagReader.read(in, 1 << 20)) != null; ) {
                    try {
                        if (tag.tagType() == FlvTag.SCRIPT_DATA) {
                            FlvWriter.writeTag(remuxed, tag.tagType(), tag.timestampMillis(), tag.content());
                            continue;
                        }
                        long dts90k = tag.timestampMillis() * MediaPacket.TICKS_PER_MILLI;
                        Result r = tag.tagType() == FlvTag.VIDEO
                                ? FlvMediaParser.parseVideo(tag.content(), dts90k, out)
                                : FlvMediaParser.parseAudio(tag.content(), dts90k, out);
                        assertThat(r).isEqualTo(Result.OK);
                        assertThat(out).hasSize(1);
                        MediaPacket p = out.get(0);
                        int dataSize = FlvMediaWriter.tagBodyHeaderSize(p) + p.size();
                        FlvWriter.writeTagHeader(remuxed, tag.tagType(), p.dtsMillis(), dataSize);
                        FlvMediaWriter.writeTagBodyHeader(p, remuxed);
                        remuxed.writeBytes(p.content(), p.content().readerIndex(), p.size());
                        FlvWriter.writePreviousTagSize(remuxed, dataSize);
                    } finally {
                        out.forEach(MediaPacket::release);
                        out.clear();
                        tag.release();
                    }
                }
                byte[] result = new byte[remuxed.readableBytes()];
                remuxed.readBytes(result);
                assertThat(result).as(name).isEqualTo(file);
            } finally {
                in.release();
                remuxed.release();
            }
        }
    }

    private static final class Summary {
        FlvHeader header;
        int tags;
        int scriptTags;
        final List<Codec> videoCodecs = new ArrayList<>();
        final List<Codec> audioCodecs = new ArrayList<>();
        final List<Integer> audioCodecFlags = new ArrayList<>();
        PacketType firstVideo;
        PacketType firstAudio;
        int videoFrames;
        long videoFrameBytes;
        int audioFrames;
        long audioFrameBytes;
        boolean firstFrameKeyframe;
        long firstFrameDts90k = -1;
        long firstFramePts90k = -1;
        int keyframes;
        int sequenceEnds;
        int metadata;
    }

    private static Summary read(String name) throws IOException {
        byte[] file = resource(name);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(file.length).writeBytes(file);
        Summary s = new Summary();
        Detail detail = new Detail();
        List<MediaPacket> out = new ArrayList<>();
        try {
            s.header = FlvHeader.read(buf);
            for (FlvTag tag; (tag = FlvTagReader.read(buf, 1 << 20)) != null; ) {
                try {
                    s.tags++;
                    long dts90k = tag.timestampMillis() * MediaPacket.TICKS_PER_MILLI;
                    if (tag.tagType() == FlvTag.SCRIPT_DATA) {
                        s.scriptTags++;
                        continue;
                    }
                    Result r = tag.tagType() == FlvTag.VIDEO
                            ? FlvMediaParser.parseVideo(tag.content(), dts90k, out, detail)
                            : FlvMediaParser.parseAudio(tag.content(), dts90k, out, detail);
                    assertThat(r).as("%s in %s: %s", tag, name, detail).isEqualTo(Result.OK);
                    for (MediaPacket p : out) {
                        count(s, p);
                    }
                } finally {
                    out.forEach(MediaPacket::release);
                    out.clear();
                    tag.release();
                }
            }
            assertThat(buf.isReadable()).as("bytes left after the last tag").isFalse();
        } finally {
            buf.release();
        }
        return s;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FlvGoldenFileTest.class.getResourceAsStream("/golden/flv/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static void count(Summary s, MediaPacket p) {
        assertThat(p.trackId()).isZero();
        if (p.type() == PacketType.SEQUENCE_END) {
            s.sequenceEnds++;
        } else if (p.type() == PacketType.METADATA) {
            s.metadata++;
        }
        if (p.kind() == MediaKind.VIDEO) {
            if (!s.videoCodecs.contains(p.codec())) {
                s.videoCodecs.add(p.codec());
            }
            if (s.firstVideo == null) {
                s.firstVideo = p.type();
            }
            if (p.type() == PacketType.FRAME) {
                if (s.videoFrames == 0) {
                    s.firstFrameKeyframe = p.isKeyframe();
                    s.firstFrameDts90k = p.dts90k();
                    s.firstFramePts90k = p.pts90k();
                }
                s.videoFrames++;
                s.videoFrameBytes += p.size();
                s.keyframes += p.isKeyframe() ? 1 : 0;
            }
        } else {
            if (!s.audioCodecs.contains(p.codec())) {
                s.audioCodecs.add(p.codec());
            }
            if (!s.audioCodecFlags.contains(p.codecFlags())) {
                s.audioCodecFlags.add(p.codecFlags());
            }
            if (s.firstAudio == null) {
                s.firstAudio = p.type();
            }
            if (p.type() == PacketType.FRAME) {
                s.audioFrames++;
                s.audioFrameBytes += p.size();
            }
        }
    }
}
