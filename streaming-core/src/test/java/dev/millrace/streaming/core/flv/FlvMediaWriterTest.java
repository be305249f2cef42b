package dev.millrace.streaming.core.flv;

import static dev.millrace.streaming.core.flv.Hex.AC3;
import static dev.millrace.streaming.core.flv.Hex.AV01;
import static dev.millrace.streaming.core.flv.Hex.AVC1;
import static dev.millrace.streaming.core.flv.Hex.EC3;
import static dev.millrace.streaming.core.flv.Hex.FLAC;
import static dev.millrace.streaming.core.flv.Hex.HVC1;
import static dev.millrace.streaming.core.flv.Hex.MP3;
import static dev.millrace.streaming.core.flv.Hex.MP4A;
import static dev.millrace.streaming.core.flv.Hex.OPUS;
import static dev.millrace.streaming.core.flv.Hex.VP08;
import static dev.millrace.streaming.core.flv.Hex.VP09;
import static dev.millrace.streaming.core.flv.Hex.VVC1;
import static dev.millrace.streaming.core.flv.Hex.dump;
import static dev.millrace.streaming.core.flv.Hex.hex;
import static dev.millrace.streaming.core.flv.Hex.norm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvMediaParser.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected headers written by hand (FLV 10.1 E.4.2/E.4.3; E2 = enhanced RTMP v2 "Enhanced Audio"/"Enhanced Video"),
 * then round trips through {@link FlvMediaParser}.
 */
class FlvMediaWriterTest {

    private static final long DTS = 1234 * 90L;
    private static final long MS40 = 40 * 90L;

    // ---------------------------------------------------------------------------------------- H.264

    @Test
    void h264OnTrackZeroUsesTheLegacyAvcHeader() {
        assertHeader(video(Codec.H264, PacketType.FRAME, 0, MS40, true, false),
                "17"          // E.4.3.1: FrameType 1 (key) | CodecID 7 (AVC)
                + "01"        // AVCPacketType 1 (NALU)
                + "000028");  // CompositionTime +40
        assertHeader(video(Codec.H264, PacketType.FRAME, 0, -MS40, false, false),
                "27 01 ffffd8"); // FrameType 2 (inter), CompositionTime -40 as SI24
        assertHeader(video(Codec.H264, PacketType.FRAME, 0, 0, false, true),
                "37 01 000000"); // FrameType 3 (disposable inter)
        assertHeader(video(Codec.H264, PacketType.SEQUENCE_HEADER, 0, 0, true, false),
                "17 00 000000"); // AVCPacketType 0 (sequence header)
        assertHeader(video(Codec.H264, PacketType.SEQUENCE_END, 0, 0, true, false),
                "17 02 000000"); // AVCPacketType 2 (end of sequence)
    }

    @Test
    void h264MetadataAndOtherTracksUseEnhancedVideo() {
        assertHeader(video(Codec.H264, PacketType.METADATA, 0, 0, false, false),
                "d4"          // E2: IsExHeader | FrameType 5 | VideoPacketType 4 (Metadata), as FFmpeg writes it
                + AVC1);
        assertHeader(video(Codec.H264, PacketType.FRAME, 2, 0, true, false),
                "96"          // IsExHeader | FrameType 1 | VideoPacketType 6 (Multitrack)
                + "03"        // AvMultitrackType 0 (OneTrack) | VideoPacketType 3 (CodedFramesX)
                + AVC1
                + "02");      // trackId 2
        assertHeader(video(Codec.H264, PacketType.FRAME, 2, MS40, false, false),
                "a6 01" + AVC1 + "02" // inter, OneTrack | CodedFrames, trackId 2
                + "000028");  // CompositionTime +40
    }

    // ---------------------------------------------------------------------------------------- enhanced video

    @Test
    void hevcUsesEnhancedVideoAndCodedFramesXWhenCompositionTimeIsZero() {
        assertHeader(video(Codec.HEVC, PacketType.SEQUENCE_HEADER, 0, 0, true, false),
                "90" + HVC1); // IsExHeader | FrameType 1 | SequenceStart
        assertHeader(video(Codec.HEVC, PacketType.FRAME, 0, 0, true, false),
                "93" + HVC1); // FrameType 1 | CodedFramesX
        assertHeader(video(Codec.HEVC, PacketType.FRAME, 0, -MS40, false, false),
                "a1" + HVC1 + "ffffd8"); // FrameType 2 | CodedFrames, CompositionTime -40
        assertHeader(video(Codec.HEVC, PacketType.FRAME, 0, 0, false, true),
                "b3" + HVC1); // FrameType 3 (disposable) | CodedFramesX
        assertHeader(video(Codec.HEVC, PacketType.SEQUENCE_END, 0, 0, true, false),
                "92" + HVC1); // FrameType 1 | SequenceEnd
        assertHeader(video(Codec.HEVC, PacketType.METADATA, 0, 0, false, false),
                "d4" + HVC1); // FrameType 5 | Metadata
    }

    @Test
    void compositionTimeIsWholeMillisecondsRoundedDown() {
        assertHeader(video(Codec.HEVC, PacketType.FRAME, 0, 45, false, false),
                "a3" + HVC1); // +0.5 ms is 0 ms: CodedFramesX
        assertHeader(video(Codec.HEVC, PacketType.FRAME, 0, -45, false, false),
                "a1" + HVC1 + "ffffff"); // -0.5 ms rounds down to -1 ms
    }

    @Test
    void otherTracksAreWrappedAsOneTrackMultitrack() {
        assertHeader(video(Codec.HEVC, PacketType.FRAME, 1, MS40, true, false),
                "96"          // IsExHeader | FrameType 1 | Multitrack (OBS's track 1 form)
                + "01"        // OneTrack | CodedFrames
                + HVC1
                + "01"        // trackId 1
                + "000028");  // CompositionTime +40
        assertHeader(video(Codec.HEVC, PacketType.SEQUENCE_HEADER, 1, 0, true, false),
                "96 00" + HVC1 + "01"); // OneTrack | SequenceStart, track 1
        assertHeader(video(Codec.HEVC, PacketType.METADATA, 1, 0, false, false),
                "86"          // FrameType 0, as OBS: FrameType 5 before Multitrack would make it a command frame
                + "04" + HVC1 + "01"); // OneTrack | Metadata, track 1
    }

    @Test
    void av1Vp9AndVp8FramesNeverCarryCompositionTime() {
        assertHeader(video(Codec.AV1, PacketType.FRAME, 0, MS40, true, false), "91" + AV01); // CodedFrames
        assertHeader(video(Codec.AV1, PacketType.SEQUENCE_HEADER, 0, 0, true, false), "90" + AV01);
        assertHeader(video(Codec.VP9, PacketType.FRAME, 0, 0, false, false), "a1" + VP09);
        assertHeader(video(Codec.VP8, PacketType.FRAME, 0, 0, true, false), "91" + VP08);
        assertHeader(video(Codec.VVC, PacketType.FRAME, 0, 20 * 90, false, false), "a1" + VVC1 + "000014");
        assertHeader(video(Codec.VVC, PacketType.FRAME, 0, 0, false, false), "a3" + VVC1);
        assertHeader(video(Codec.AV1, PacketType.FRAME, 3, 0, false, false), "a6 01" + AV01 + "03");
    }

    @Test
    void legacyOnlyVideoCodecsWriteOneByte() {
        assertHeader(video(Codec.VP6, PacketType.FRAME, 0, 0, true, false), "14"); // FrameType 1 | CodecID 4
        assertHeader(video(Codec.SORENSON_H263, PacketType.FRAME, 0, 0, false, false), "22"); // inter | 2
        assertHeader(video(Codec.SORENSON_H263, PacketType.FRAME, 0, 0, false, true), "32"); // disposable | 2
        assertHeader(video(Codec.SCREEN_VIDEO_2, PacketType.FRAME, 0, 0, true, false), "16"); // key | 6
    }

    @Test
    void rejectsWhatLegacyOnlyCodecsCannotCarry() {
        assertRejected(video(Codec.VP6, PacketType.FRAME, 1, 0, true, false), "track 1");
        assertRejected(video(Codec.VP6, PacketType.SEQUENCE_HEADER, 0, 0, true, false), "SEQUENCE_HEADER");
        assertRejected(audio(Codec.G711_ALAW, PacketType.FRAME, 1, 2), "track 1");
        assertRejected(audio(Codec.SPEEX, PacketType.SEQUENCE_END, 0, 6), "SEQUENCE_END");
    }

    @Test
    void rejectsCompositionTimeOutsideSi24() {
        assertRejected(video(Codec.H264, PacketType.FRAME, 0, 0x80_0000L * 90, false, false), "SI24");
        assertRejected(video(Codec.HEVC, PacketType.FRAME, 0, -0x80_0001L * 90, false, false), "SI24");
        assertHeader(video(Codec.H264, PacketType.FRAME, 0, -0x80_0000L * 90, false, false), "27 01 800000");
    }

    // ---------------------------------------------------------------------------------------- audio

    @Test
    void aacOnTrackZeroUsesTheLegacyHeader() {
        assertHeader(audio(Codec.AAC, PacketType.SEQUENCE_HEADER, 0, 0),
                "af"          // E.4.2.1: SoundFormat 10 | 0x0F (44 kHz, 16 bit, stereo) for flags 0
                + "00");      // E.4.2.2: AACPacketType 0
        assertHeader(audio(Codec.AAC, PacketType.FRAME, 0, 0x0E),
                "ae 01");     // the packet's own flags (mono), AACPacketType 1
    }

    @Test
    void aacThatLegacyFlvCannotExpressUsesTheExHeader() {
        assertHeader(audio(Codec.AAC, PacketType.FRAME, 1, 0),
                "95"          // E2: SoundFormat 9 (ExHeader) | AudioPacketType 5 (Multitrack)
                + "01"        // OneTrack | CodedFrames
                + MP4A
                + "01");      // trackId 1
        assertHeader(audio(Codec.AAC, PacketType.SEQUENCE_HEADER, 2, 0), "95 00" + MP4A + "02");
        assertHeader(audio(Codec.AAC, PacketType.SEQUENCE_END, 0, 0x0F), "92" + MP4A);
        assertHeader(audio(Codec.AAC, PacketType.METADATA, 0, 0), "94" + MP4A); // MultichannelConfig
    }

    @Test
    void mp3FramesOnTrackZeroAreLegacy() {
        assertHeader(audio(Codec.MP3, PacketType.FRAME, 0, 0), "2f"); // SoundFormat 2 | 0x0F default
        assertHeader(audio(Codec.MP3, PacketType.FRAME, 0, 0x02), "22"); // 5.5 kHz slot, 16 bit, mono as given
        assertHeader(audio(Codec.MP3, PacketType.SEQUENCE_HEADER, 0, 0), "90" + MP3);
        assertHeader(audio(Codec.MP3, PacketType.FRAME, 1, 0), "95 01" + MP3 + "01");
    }

    @Test
    void otherLegacySoundFormatsWriteTheirFlags() {
        assertHeader(audio(Codec.G711_ALAW, PacketType.FRAME, 0, 0x02), "72"); // SoundFormat 7 | 16 bit mono
        assertHeader(audio(Codec.G711_MULAW, PacketType.FRAME, 0, 0x02), "82"); // SoundFormat 8
        assertHeader(audio(Codec.LINEAR_PCM_LE, PacketType.FRAME, 0, 0x0E), "3e");
        assertHeader(audio(Codec.LINEAR_PCM_PLATFORM, PacketType.FRAME, 0, 0), "00"); // flags 0 kept for PCM
        assertHeader(audio(Codec.SPEEX, PacketType.FRAME, 0, 0x06), "b6");
    }

    @Test
    void opusFlacAc3AndEac3UseTheExHeader() {
        assertHeader(audio(Codec.OPUS, PacketType.SEQUENCE_HEADER, 0, 0), "90" + OPUS); // SequenceStart
        assertHeader(audio(Codec.OPUS, PacketType.FRAME, 0, 0), "91" + OPUS); // CodedFrames
        assertHeader(audio(Codec.OPUS, PacketType.SEQUENCE_END, 0, 0), "92" + OPUS); // SequenceEnd
        assertHeader(audio(Codec.OPUS, PacketType.METADATA, 0, 0), "94" + OPUS); // MultichannelConfig
        assertHeader(audio(Codec.OPUS, PacketType.FRAME, 3, 0), "95 01" + OPUS + "03"); // track 3
        assertHeader(audio(Codec.FLAC, PacketType.SEQUENCE_HEADER, 0, 0), "90" + FLAC);
        assertHeader(audio(Codec.FLAC, PacketType.FRAME, 0, 0), "91" + FLAC);
        assertHeader(audio(Codec.AC3, PacketType.FRAME, 0, 0), "91" + AC3);
        assertHeader(audio(Codec.EAC3, PacketType.FRAME, 0, 0), "91" + EC3);
    }

    @Test
    void scriptDataHasNoHeader() {
        ByteBuf payload = hex("02000a6f6e4d65746144617461");
        assertHeader(MediaPacket.data(PacketType.METADATA, DTS, payload), "");
    }

    @Test
    void largestHeaderMatchesTheConstant() {
        MediaPacket p = video(Codec.HEVC, PacketType.FRAME, 1, MS40, true, false);
        try {
            assertThat(FlvMediaWriter.tagBodyHeaderSize(p)).isEqualTo(FlvMediaWriter.MAX_TAG_BODY_HEADER_SIZE);
        } finally {
            p.release();
        }
    }

    // ---------------------------------------------------------------------------------------- round trips

    @Test
    void writtenBodiesParseBackToTheSamePackets() {
        List<MediaPacket> packets = List.of(
                video(Codec.H264, PacketType.SEQUENCE_HEADER, 0, 0, true, false),
                video(Codec.H264, PacketType.FRAME, 0, MS40, true, false),
                video(Codec.H264, PacketType.FRAME, 0, -MS40, false, false),
                video(Codec.H264, PacketType.FRAME, 0, 0, false, true),
                video(Codec.H264, PacketType.SEQUENCE_END, 0, 0, true, false),
                video(Codec.H264, PacketType.METADATA, 0, 0, false, false),
                video(Codec.H264, PacketType.FRAME, 5, MS40, false, false),
                video(Codec.HEVC, PacketType.SEQUENCE_HEADER, 0, 0, true, false),
                video(Codec.HEVC, PacketType.FRAME, 0, 0, true, false),
                video(Codec.HEVC, PacketType.FRAME, 0, -MS40, false, true),
                video(Codec.HEVC, PacketType.METADATA, 0, 0, false, false),
                video(Codec.HEVC, PacketType.METADATA, 1, 0, false, false),
                video(Codec.HEVC, PacketType.FRAME, 1, MS40, true, false),
                video(Codec.HEVC, PacketType.SEQUENCE_END, 1, 0, true, false),
                video(Codec.AV1, PacketType.SEQUENCE_HEADER, 0, 0, true, false),
                video(Codec.AV1, PacketType.FRAME, 0, 0, false, false),
                video(Codec.VP9, PacketType.FRAME, 2, 0, true, false),
                video(Codec.VP8, PacketType.FRAME, 0, 0, true, false),
                video(Codec.VVC, PacketType.FRAME, 0, -MS40, true, false),
                video(Codec.VP6, PacketType.FRAME, 0, 0, true, false),
                video(Codec.SORENSON_H263, PacketType.FRAME, 0, 0, false, true),
                audio(Codec.AAC, PacketType.SEQUENCE_HEADER, 0, 0x0F),
                audio(Codec.AAC, PacketType.FRAME, 0, 0x0E),
                audio(Codec.AAC, PacketType.FRAME, 1, 0),
                audio(Codec.AAC, PacketType.SEQUENCE_END, 0, 0),
                audio(Codec.MP3, PacketType.FRAME, 0, 0x0F),
                audio(Codec.MP3, PacketType.SEQUENCE_HEADER, 0, 0),
                audio(Codec.G711_MULAW, PacketType.FRAME, 0, 0x02),
                audio(Codec.OPUS, PacketType.SEQUENCE_HEADER, 0, 0),
                audio(Codec.OPUS, PacketType.FRAME, 2, 0),
                audio(Codec.OPUS, PacketType.SEQUENCE_END, 0, 0),
                audio(Codec.FLAC, PacketType.SEQUENCE_HEADER, 0, 0),
                audio(Codec.AC3, PacketType.FRAME, 0, 0),
                audio(Codec.EAC3, PacketType.FRAME, 1, 0));
        List<String> written = new ArrayList<>();
        List<String> parsed = new ArrayList<>();
        try {
            for (MediaPacket p : packets) {
                written.add(FlvMediaParserTest.describe(p));
                parsed.add(roundTrip(p));
            }
        } finally {
            packets.forEach(MediaPacket::release);
        }
        assertThat(parsed).isEqualTo(written);
    }

    @Test
    void aacFlagsZeroComeBackAsTheDefaultWritten() {
        MediaPacket p = audio(Codec.AAC, PacketType.FRAME, 0, 0);
        try {
            assertThat(roundTrip(p)).isEqualTo("AAC FRAME t0 dts=111060 pts=111060 key - flags=f 0a0b0c");
        } finally {
            p.release();
        }
    }

    @Test
    void av1CompositionTimeHasNoFieldAndIsNotCarried() {
        MediaPacket p = video(Codec.AV1, PacketType.FRAME, 0, MS40, true, false);
        try {
            assertThat(roundTrip(p)).isEqualTo("AV1 FRAME t0 dts=111060 pts=111060 key - flags=0 0a0b0c");
        } finally {
            p.release();
        }
    }

    // ---------------------------------------------------------------------------------------- helpers

    /** A video packet at {@link #DTS} with payload {@code 0a0b0c} (empty for SEQUENCE_END). */
    private static MediaPacket video(Codec codec, PacketType type, int trackId, long cts90k, boolean key,
            boolean disposable) {
        return MediaPacket.video(codec, type, trackId, DTS, cts90k, key, disposable,
                hex(type == PacketType.SEQUENCE_END ? "" : "0a0b0c"));
    }

    /** An audio packet at {@link #DTS} with payload {@code 0a0b0c} (empty for SEQUENCE_END). */
    private static MediaPacket audio(Codec codec, PacketType type, int trackId, int codecFlags) {
        return MediaPacket.audio(codec, type, trackId, DTS, codecFlags,
                hex(type == PacketType.SEQUENCE_END ? "" : "0a0b0c"));
    }

    /** Writes the header of {@code p} (then releases it) and compares with {@code expectedHex}. */
    private static void assertHeader(MediaPacket p, String expectedHex) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            int size = FlvMediaWriter.tagBodyHeaderSize(p);
            FlvMediaWriter.writeTagBodyHeader(p, out);
            assertThat(dump(out)).as(p.toString()).isEqualTo(norm(expectedHex));
            assertThat(size).as("tagBodyHeaderSize of %s", p).isEqualTo(out.readableBytes());
            assertThat(p.content().readerIndex()).isZero();
        } finally {
            out.release();
            p.release();
        }
    }

    private static void assertRejected(MediaPacket p, String message) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            assertThatThrownBy(() -> FlvMediaWriter.tagBodyHeaderSize(p))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
            assertThatThrownBy(() -> FlvMediaWriter.writeTagBodyHeader(p, out))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        } finally {
            out.release();
            p.release();
        }
    }

    /** Header plus payload, parsed back at the packet's DTS; returns the one packet's description. */
    private static String roundTrip(MediaPacket p) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer();
        List<MediaPacket> out = new ArrayList<>();
        try {
            FlvMediaWriter.writeTagBodyHeader(p, body);
            body.writeBytes(p.content(), p.content().readerIndex(), p.size());
            Result r = p.kind() == MediaKind.AUDIO
                    ? FlvMediaParser.parseAudio(body, p.dts90k(), out)
                    : FlvMediaParser.parseVideo(body, p.dts90k(), out);
            assertThat(r).as(p.toString()).isEqualTo(Result.OK);
            assertThat(out).hasSize(1);
            return FlvMediaParserTest.describe(out.get(0));
        } finally {
            out.forEach(MediaPacket::release);
            body.release();
        }
    }
}
