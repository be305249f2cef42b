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
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvMediaParser.Detail;
import dev.millrace.streaming.core.flv.FlvMediaParser.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tag bodies written by hand, one commented field at a time. Citations: FLV 10.1 Annex E (E.4.2 audio, E.4.3
 * video); E2 = enhanced RTMP v2 (veovera/enhanced-rtmp docs/enhanced/enhanced-rtmp-v2.md), "Enhanced Audio" and
 * "Enhanced Video"; ISO 14496-15 for the decoder configuration records used as payloads.
 *
 * <p>Every packet is described as {@code CODEC TYPE track dts pts key disposable flags payload}; all messages are
 * parsed at DTS 90000 (1 s).
 */
class FlvMediaParserTest {

    static final long DTS = 90_000;

    // ---------------------------------------------------------------------------------------- payloads

    /** AVCDecoderConfigurationRecord [ISO 14496-15 5.3.3.1], with a shortened SPS. */
    static final String AVCC = ""
            + "01"             // configurationVersion 1
            + "64 00 1f"       // AVCProfileIndication 100, profile_compatibility, AVCLevelIndication 31
            + "ff"             // reserved, lengthSizeMinusOne 3
            + "e1 0004 6764001f" // reserved, numOfSequenceParameterSets 1; length 4; SPS
            + "01 0004 68ee3c80"; // numOfPictureParameterSets 1; length 4; PPS

    /** HEVCDecoderConfigurationRecord [ISO 14496-15 8.3.3.1] without NAL unit arrays. */
    static final String HVCC = ""
            + "01"             // configurationVersion
            + "01"             // general_profile_space 0, tier 0, profile_idc 1 (Main)
            + "60000000"       // general_profile_compatibility_flags
            + "900000000000"   // general_constraint_indicator_flags
            + "5d"             // general_level_idc 93 (3.1)
            + "f000 fc fd f8 f8" // min_spatial_segmentation, parallelismType, chroma, bit depths
            + "0000 0f"        // avgFrameRate 0; numTemporalLayers etc., lengthSizeMinusOne 3
            + "00";            // numOfArrays 0

    /** One length-prefixed H.264 IDR slice NAL unit (type 5). */
    static final String AVC_IDR = "00000005 6588840021";
    /** One length-prefixed H.264 non-IDR slice (type 1). */
    static final String AVC_P = "00000003 419a02";
    /** One length-prefixed HEVC IDR_W_RADL NAL unit (type 19). */
    static final String HEVC_IDR = "00000004 26010af0";
    /** One length-prefixed HEVC TRAIL_R NAL unit (type 1). */
    static final String HEVC_TRAIL = "00000003 020190";

    /** E2 Metadata Frame: AMF0 "colorInfo", {colorConfig: {bitDepth: 10}}. */
    static final String COLOR_INFO = ""
            + "02 0009 636f6c6f72496e666f"        // string "colorInfo"
            + "03"                               // object
            + "000b 636f6c6f72436f6e666967 03"   // "colorConfig": object
            + "0008 6269744465707468"            // "bitDepth":
            + "00 4024000000000000"              // number 10.0
            + "000009"                           // end of colorConfig
            + "000009";                          // end of colorInfo

    /** AudioSpecificConfig [ISO 14496-3 1.6.2.1]: AAC LC, 44.1 kHz, 2 channels. */
    static final String ASC = "1210";
    /** Opus ID header [RFC 7845 5.1]. */
    static final String OPUS_HEAD = ""
            + "4f70757348656164" // "OpusHead"
            + "01 02"            // version 1, 2 channels
            + "3801"             // pre-skip 312 (little-endian)
            + "80bb0000"         // input sample rate 48000 (little-endian)
            + "0000 00";         // output gain 0, mapping family 0
    /** "fLaC" then the STREAMINFO metadata block [FLAC format, METADATA_BLOCK_STREAMINFO]. */
    static final String FLAC_HEADER = ""
            + "664c6143"         // "fLaC"
            + "80 000022"        // last-metadata-block 1, type 0 (STREAMINFO), length 34
            + "0480 0480"        // min/max block size 1152
            + "000000 000000"    // min/max frame size unknown
            + "0bb8 02 f0"       // 48000 Hz (20 bits), 2 channels (3 bits: 1), 16 bits (5 bits: 15), samples...
            + "00000000"         // ...total samples 0 (36 bits in all)
            + "00000000000000000000000000000000"; // MD5 unknown

    // ---------------------------------------------------------------------------------------- legacy video

    @Test
    void legacyAvcSequenceHeader() {
        assertVideo(""
                + "17"        // E.4.3.1: FrameType 1 (keyframe) | CodecID 7 (AVC)
                + "00"        // AVCPacketType 0: AVC sequence header
                + "000000"    // CompositionTime 0
                + AVCC,
                "H264 SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(AVCC));
    }

    @Test
    void legacyAvcKeyframeWithPositiveCompositionTime() {
        assertVideo(""
                + "17"        // FrameType 1 | CodecID 7
                + "01"        // AVCPacketType 1: NALUs
                + "000028"    // CompositionTime SI24 +40 ms
                + AVC_IDR,
                "H264 FRAME t0 dts=90000 pts=93600 key - flags=0 " + Hex.norm(AVC_IDR));
    }

    @Test
    void legacyAvcInterFrameWithNegativeCompositionTimeIsSignExtended() {
        assertVideo(""
                + "27"        // FrameType 2 (inter) | CodecID 7
                + "01"        // NALUs
                + "ffffd8"    // CompositionTime SI24 -40 ms
                + AVC_P,
                "H264 FRAME t0 dts=90000 pts=86400 - - flags=0 " + Hex.norm(AVC_P));
    }

    @Test
    void legacyAvcDisposableAndGeneratedKeyframes() {
        assertVideo("37 01 000014" + AVC_P, // FrameType 3 (disposable inter), CompositionTime +20 ms
                "H264 FRAME t0 dts=90000 pts=91800 - disposable flags=0 " + Hex.norm(AVC_P));
        assertVideo("47 01 000000" + AVC_IDR, // FrameType 4 (generated keyframe, E.4.3.1): a keyframe
                "H264 FRAME t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(AVC_IDR));
    }

    @Test
    void legacyAvcEndOfSequenceHasAnEmptyPayload() {
        assertVideo(""
                + "17"        // FrameType 1 | CodecID 7
                + "02"        // AVCPacketType 2: AVC end of sequence
                + "000000",   // CompositionTime 0
                "H264 SEQUENCE_END t0 dts=90000 pts=90000 key - flags=0 ");
    }

    @Test
    void legacyCodecId12IsHevcWithTheAvcLayout() {
        assertVideo(""
                + "1c"        // FrameType 1 | CodecID 12 (HEVC, pre-enhanced encoders)
                + "00 000000" // sequence header, CompositionTime 0
                + HVCC,
                "HEVC SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(HVCC));
        assertVideo("2c 01 000050" + HEVC_TRAIL, // inter, NALUs, CompositionTime +80 ms
                "HEVC FRAME t0 dts=90000 pts=97200 - - flags=0 " + Hex.norm(HEVC_TRAIL));
    }

    @Test
    void otherLegacyCodecsCarryOneFrameAfterByteZero() {
        assertVideo("22 00008400", // FrameType 2 | CodecID 2 (Sorenson H.263)
                "SORENSON_H263 FRAME t0 dts=90000 pts=90000 - - flags=0 00008400");
        assertVideo("13 aabbcc", // FrameType 1 | CodecID 3 (screen video)
                "SCREEN_VIDEO FRAME t0 dts=90000 pts=90000 key - flags=0 aabbcc");
        assertVideo("14 00 a1b2", // FrameType 1 | CodecID 4 (VP6); the adjustment byte stays in the payload
                "VP6 FRAME t0 dts=90000 pts=90000 key - flags=0 00a1b2");
        assertVideo("25 10 c3", // FrameType 2 | CodecID 5 (VP6 with alpha)
                "VP6_ALPHA FRAME t0 dts=90000 pts=90000 - - flags=0 10c3");
        assertVideo("36 0102", // FrameType 3 | CodecID 6 (screen video v2)
                "SCREEN_VIDEO_2 FRAME t0 dts=90000 pts=90000 - disposable flags=0 0102");
    }

    @Test
    void legacyInfoFramesAreIgnoredAndNeedTheirCommandByte() {
        assertVideoResult("57 00", Result.IGNORED, "IGNORED: video info/command frame 0 at offset 1"); // FrameType 5
        assertVideoResult("52 01", Result.IGNORED, "IGNORED: video info/command frame 1 at offset 1");
        assertVideoResult("57", Result.MALFORMED, "MALFORMED: VideoCommand missing at offset 1");
    }

    @Test
    void unknownLegacyCodecIdsAreUnsupported() {
        assertVideoResult("18 00", Result.UNSUPPORTED_CODEC, "UNSUPPORTED_CODEC: unknown legacy video CodecID 8 at offset 0");
        assertVideoResult("10 00", Result.UNSUPPORTED_CODEC, "UNSUPPORTED_CODEC: unknown legacy video CodecID 0 at offset 0");
        assertVideoResult("1f 00", Result.UNSUPPORTED_CODEC, "UNSUPPORTED_CODEC: unknown legacy video CodecID 15 at offset 0");
    }

    @Test
    void legacyAvcEdgeCases() {
        assertVideoResult("17 03 000000 00", Result.IGNORED, "IGNORED: reserved AVCPacketType 3 at offset 1");
        assertVideoResult("17 01 000000", Result.IGNORED, "IGNORED: empty coded frame at offset 5");
        assertVideoResult("17 00 000000", Result.MALFORMED, "MALFORMED: empty video decoder configuration at offset 5");
        assertVideoResult("17 01 0000", Result.MALFORMED, "MALFORMED: AVCPacketType and CompositionTime cut short 3 at offset 1");
        assertVideoResult("", Result.MALFORMED, "MALFORMED: empty video message at offset 0");
    }

    // ---------------------------------------------------------------------------------------- enhanced video

    @Test
    void enhancedSequenceStart() {
        assertVideo(""
                + "90"        // E2: IsExHeader 1 | FrameType 1 | VideoPacketType 0 (SequenceStart)
                + HVC1        // VideoFourCc 'hvc1'
                + HVCC,
                "HEVC SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(HVCC));
    }

    @Test
    void enhancedCodedFramesXHasCompositionTimeZero() {
        assertVideo(""
                + "93"        // IsExHeader | FrameType 1 | VideoPacketType 3 (CodedFramesX)
                + HVC1
                + HEVC_IDR,
                "HEVC FRAME t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(HEVC_IDR));
    }

    @Test
    void enhancedCodedFramesCarryNegativeCompositionTimeForHvc1() {
        assertVideo(""
                + "a1"        // IsExHeader | FrameType 2 (inter) | VideoPacketType 1 (CodedFrames)
                + HVC1
                + "ffffd8"    // compositionTimeOffset SI24 -40 ms
                + HEVC_TRAIL,
                "HEVC FRAME t0 dts=90000 pts=86400 - - flags=0 " + Hex.norm(HEVC_TRAIL));
        assertVideo("b1" + HVC1 + "000000" + HEVC_TRAIL, // FrameType 3: disposable
                "HEVC FRAME t0 dts=90000 pts=90000 - disposable flags=0 " + Hex.norm(HEVC_TRAIL));
    }

    @Test
    void enhancedAvc1AndVvc1CarryCompositionTime() {
        assertVideo("91" + AVC1 + "000028" + AVC_IDR, // CodedFrames, 'avc1', +40 ms
                "H264 FRAME t0 dts=90000 pts=93600 key - flags=0 " + Hex.norm(AVC_IDR));
        assertVideo("93" + AVC1 + AVC_IDR, // CodedFramesX
                "H264 FRAME t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(AVC_IDR));
        assertVideo("a1" + VVC1 + "000014" + "00000002 0201", // CodedFrames, 'vvc1', +20 ms
                "VVC FRAME t0 dts=90000 pts=91800 - - flags=0 000000020201");
    }

    @Test
    void av1Vp9AndVp8CodedFramesHaveNoCompositionTime() {
        assertVideo(""
                + "91"        // IsExHeader | FrameType 1 | CodedFrames
                + AV01        // 'av01': the body is the OBUs of one temporal unit, no SI24
                + "1200 320110", // temporal delimiter OBU, frame OBU
                "AV1 FRAME t0 dts=90000 pts=90000 key - flags=0 1200320110");
        assertVideo("90" + AV01 + "81040c00", // SequenceStart with an av1C record
                "AV1 SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 81040c00");
        assertVideo("a1" + VP09 + "8249834200", // inter CodedFrames, 'vp09': one frame
                "VP9 FRAME t0 dts=90000 pts=90000 - - flags=0 8249834200");
        assertVideo("a3" + VP09 + "86", // CodedFramesX is accepted for every codec
                "VP9 FRAME t0 dts=90000 pts=90000 - - flags=0 86");
        assertVideo("91" + VP08 + "9d012a", // 'vp08'
                "VP8 FRAME t0 dts=90000 pts=90000 key - flags=0 9d012a");
    }

    @Test
    void enhancedSequenceEndHasAnEmptyPayload() {
        assertVideo("92" + HVC1, // IsExHeader | FrameType 1 | VideoPacketType 2 (SequenceEnd)
                "HEVC SEQUENCE_END t0 dts=90000 pts=90000 key - flags=0 ");
    }

    @Test
    void metadataIsRecognisedByPacketTypeWhateverTheFrameType() {
        assertVideo(""
                + "84"        // IsExHeader | FrameType 0 (as OBS writes it) | VideoPacketType 4 (Metadata)
                + HVC1
                + COLOR_INFO,
                "HEVC METADATA t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(COLOR_INFO));
        assertVideo(""
                + "d4"        // IsExHeader | FrameType 5 (as FFmpeg writes it) | Metadata: not a command frame
                + HVC1
                + COLOR_INFO,
                "HEVC METADATA t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(COLOR_INFO));
    }

    @Test
    void modExBeforeCodedFramesIsSkipped() {
        assertVideo(""
                + "97"        // IsExHeader | FrameType 1 | VideoPacketType 7 (ModEx)
                + "02"        // modExDataSize - 1: 3 bytes of data
                + "0003e8"    // TimestampOffsetNano: UI24 1000 ns (read past, not applied)
                + "01"        // VideoPacketModExType 0 (TimestampOffsetNano) | next VideoPacketType 1 (CodedFrames)
                + HVC1
                + "000014"    // CompositionTime +20 ms
                + HEVC_IDR,
                "HEVC FRAME t0 dts=90000 pts=91800 key - flags=0 " + Hex.norm(HEVC_IDR));
    }

    @Test
    void modExWithSixteenBitSizeAndUnknownTypeIsSkipped() {
        assertVideo(""
                + "97"        // ModEx
                + "ff"        // UI8 sizeMinus1 255: a UI16 follows
                + "0100"      // UI16 sizeMinus1 256: 257 bytes of data
                + "00".repeat(257)
                + "13"        // VideoPacketModExType 1 (unknown, skipped) | next VideoPacketType 3 (CodedFramesX)
                + HVC1
                + HEVC_IDR,
                "HEVC FRAME t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(HEVC_IDR));
    }

    @Test
    void modExCanRepeatAndPrecedeMultitrack() {
        assertVideo(""
                + "97"        // ModEx
                + "02 0003e8" // 3 bytes: TimestampOffsetNano 1000 ns
                + "07"        // type 0 | next VideoPacketType 7: another ModEx
                + "00 aa"     // 1 byte of data
                + "06"        // type 0 | next VideoPacketType 6 (Multitrack)
                + "01"        // AvMultitrackType 0 (OneTrack) | VideoPacketType 1 (CodedFrames)
                + HVC1
                + "03"        // trackId 3
                + "000028"    // CompositionTime +40 ms
                + HEVC_IDR,
                "HEVC FRAME t3 dts=90000 pts=93600 key - flags=0 " + Hex.norm(HEVC_IDR));
    }

    @Test
    void modExLongerThanTheMessageIsMalformed() {
        assertVideoResult("97 05 0003e8 01", Result.MALFORMED,
                "MALFORMED: ModEx data and type beyond the message 6 at offset 2");
        assertVideoResult("97 ff 01", Result.MALFORMED, "MALFORMED: ModEx 16-bit size cut short at offset 2");
        assertVideoResult("97", Result.MALFORMED, "MALFORMED: ModEx size missing at offset 1");
    }

    @Test
    void enhancedCommandFramesAreIgnored() {
        assertVideoResult("d3 00", Result.IGNORED, "IGNORED: video info/command frame 0 at offset 1"); // StartSeek
        assertVideoResult("d1 01", Result.IGNORED, "IGNORED: video info/command frame 1 at offset 1"); // EndSeek
        assertVideoResult("d3", Result.MALFORMED, "MALFORMED: VideoCommand missing at offset 1");
        // E2 checks FrameType 5 before Multitrack: FrameType 5 with a multitrack Metadata is a command frame.
        assertVideoResult("d6 04" + HVC1 + "01" + COLOR_INFO, Result.IGNORED,
                "IGNORED: video info/command frame 4 at offset 1");
    }

    @Test
    void oneTrackMultitrackCarriesTheTrackId() {
        assertVideo(""
                + "96"        // IsExHeader | FrameType 1 | VideoPacketType 6 (Multitrack), as OBS writes track 1
                + "01"        // AvMultitrackType 0 (OneTrack) | VideoPacketType 1 (CodedFrames)
                + HVC1
                + "01"        // trackId 1
                + "000028"    // CompositionTime +40 ms
                + HEVC_IDR,
                "HEVC FRAME t1 dts=90000 pts=93600 key - flags=0 " + Hex.norm(HEVC_IDR));
        assertVideo("86 04" + HVC1 + "01" + COLOR_INFO, // FrameType 0, OneTrack | Metadata, track 1 (OBS)
                "HEVC METADATA t1 dts=90000 pts=90000 key - flags=0 " + Hex.norm(COLOR_INFO));
    }

    static final String MANY_TRACKS = ""
            + "a6"            // IsExHeader | FrameType 2 | Multitrack
            + "13"            // AvMultitrackType 1 (ManyTracks) | VideoPacketType 3 (CodedFramesX)
            + AVC1            // one FourCC for every track
            + "00"            // trackId 0
            + "000007"        // sizeOfTrack 7
            + AVC_P
            + "02"            // trackId 2
            + "000006"        // sizeOfTrack 6
            + "00000002 4101";

    @Test
    void manyTracksGiveOnePacketPerTrack() {
        assertVideo(MANY_TRACKS,
                "H264 FRAME t0 dts=90000 pts=90000 - - flags=0 " + Hex.norm(AVC_P),
                "H264 FRAME t2 dts=90000 pts=90000 - - flags=0 000000024101");
    }

    static final String MANY_TRACKS_MANY_CODECS = ""
            + "96"            // IsExHeader | FrameType 1 | Multitrack
            + "21"            // AvMultitrackType 2 (ManyTracksManyCodecs) | VideoPacketType 1 (CodedFrames)
            + AVC1            // track FourCC 'avc1'
            + "00"            // trackId 0
            + "00000c"        // sizeOfTrack 12: CompositionTime and the NAL unit
            + "000028"        // CompositionTime +40 ms (avc1)
            + AVC_IDR
            + AV01            // track FourCC 'av01'
            + "01"            // trackId 1
            + "000005"        // sizeOfTrack 5
            + "1200 320110";  // OBUs, no CompositionTime for av01

    @Test
    void manyTracksManyCodecsReadAFourCcPerTrack() {
        assertVideo(MANY_TRACKS_MANY_CODECS,
                "H264 FRAME t0 dts=90000 pts=93600 key - flags=0 " + Hex.norm(AVC_IDR),
                "AV1 FRAME t1 dts=90000 pts=90000 key - flags=0 1200320110");
    }

    @Test
    void anUnknownFourCcInAnyTrackFailsTheWholeMessage() {
        String unknownSecond = MANY_TRACKS_MANY_CODECS.replace(AV01, "78797a31"); // 'xyz1'
        assertVideoResult(unknownSecond, Result.UNSUPPORTED_CODEC,
                "UNSUPPORTED_CODEC: unknown track FourCC 'xyz1' (0x78797a31) at offset 22");
        assertVideoResult("91 78797a31 00", Result.UNSUPPORTED_CODEC,
                "UNSUPPORTED_CODEC: unknown FourCC 'xyz1' (0x78797a31) at offset 1");
        assertVideoResult("91" + MP4A + "00", Result.UNSUPPORTED_CODEC, // an audio FourCC in a video message
                "UNSUPPORTED_CODEC: unknown FourCC 'mp4a' (0x6d703461) at offset 1");
    }

    @Test
    void aTrackSizeBeyondTheMessageFailsTheWholeMessage() {
        String secondTooLong = MANY_TRACKS.replace("02" + "000006", "02" + "000007");
        assertVideoResult(secondTooLong, Result.MALFORMED, "MALFORMED: sizeOfTrack beyond the message 7 at offset 18");
    }

    @Test
    void emptyTracksAreSkipped() {
        assertVideo(""
                + "96 13" + AVC1 // key, ManyTracks | CodedFramesX
                + "00 000000"    // trackId 0, sizeOfTrack 0: nothing coded for this track
                + "01 000002 abcd",
                "H264 FRAME t1 dts=90000 pts=90000 key - flags=0 abcd");
        assertVideoResult("93" + HVC1, Result.IGNORED, "IGNORED: empty coded frame at offset 5");
    }

    @Test
    void reservedAndUnusedEnhancedVideoTypesAreIgnored() {
        assertVideoResult("98" + HVC1, Result.IGNORED, "IGNORED: reserved VideoPacketType 8 at offset 1");
        assertVideoResult("9f" + HVC1, Result.IGNORED, "IGNORED: reserved VideoPacketType 15 at offset 1");
        assertVideoResult("96 31" + HVC1, Result.IGNORED, "IGNORED: reserved AvMultitrackType 3 at offset 1");
        assertVideoResult("95" + AV01 + "0102", Result.IGNORED, // MPEG2TSSequenceStart: an AV1VideoDescriptor
                "IGNORED: MPEG2TSSequenceStart (not an av1C record) at offset 1");
    }

    @Test
    void multitrackInsideMultitrackIsMalformed() {
        assertVideoResult("96 06" + HVC1, Result.MALFORMED,
                "MALFORMED: Multitrack or ModEx as the packet type of a track 6 at offset 1");
        assertVideoResult("96 07" + HVC1, Result.MALFORMED,
                "MALFORMED: Multitrack or ModEx as the packet type of a track 7 at offset 1");
    }

    @Test
    void emptyEnhancedConfigurationAndMetadataAreMalformed() {
        assertVideoResult("90" + HVC1, Result.MALFORMED, "MALFORMED: empty video decoder configuration at offset 5");
        assertVideoResult("84" + HVC1, Result.MALFORMED, "MALFORMED: empty video metadata at offset 5");
    }

    // ---------------------------------------------------------------------------------------- legacy audio

    @Test
    void legacyAacSequenceHeaderAndRawFrame() {
        assertAudio(""
                + "af"        // E.4.2.1: SoundFormat 10 (AAC) | SoundRate 3 | SoundSize 1 | SoundType 1
                + "00"        // E.4.2.2: AACPacketType 0: AudioSpecificConfig
                + ASC,
                "AAC SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=f 1210");
        assertAudio(""
                + "ae"        // SoundFormat 10 | SoundRate 3 | SoundSize 1 | SoundType 0 (mono)
                + "01"        // AACPacketType 1: raw AAC frame data
                + "211004",
                "AAC FRAME t0 dts=90000 pts=90000 key - flags=e 211004");
    }

    @Test
    void legacyAacEdgeCases() {
        assertAudioResult("af 02 00", Result.IGNORED, "IGNORED: reserved AACPacketType 2 at offset 1");
        assertAudioResult("af", Result.MALFORMED, "MALFORMED: AACPacketType missing at offset 1");
        assertAudioResult("af 00", Result.MALFORMED, "MALFORMED: empty audio decoder configuration at offset 2");
        assertAudioResult("af 01", Result.IGNORED, "IGNORED: empty coded frame at offset 2");
    }

    @Test
    void legacyMp3G711AndOtherSoundFormatsKeepTheirFlags() {
        assertAudio("2f fffb9064", // SoundFormat 2 (MP3) | 44 kHz | 16 bit | stereo
                "MP3 FRAME t0 dts=90000 pts=90000 key - flags=f fffb9064");
        assertAudio("72 d5d5d5", // SoundFormat 7 (G.711 A-law) | SoundRate 0 | 16 bit | mono
                "G711_ALAW FRAME t0 dts=90000 pts=90000 key - flags=2 d5d5d5");
        assertAudio("82 ffff", // SoundFormat 8 (G.711 mu-law) | SoundRate 0 | 16 bit | mono
                "G711_MULAW FRAME t0 dts=90000 pts=90000 key - flags=2 ffff");
        assertAudio("3e 0100", // SoundFormat 3 (linear PCM, little endian) | 44 kHz | 16 bit | mono
                "LINEAR_PCM_LE FRAME t0 dts=90000 pts=90000 key - flags=e 0100");
        assertAudio("b6 1e", // SoundFormat 11 (Speex) | 16 kHz slot | 16 bit | mono
                "SPEEX FRAME t0 dts=90000 pts=90000 key - flags=6 1e");
        assertAudio("e2 fffb", // SoundFormat 14 (MP3 8 kHz)
                "MP3_8K FRAME t0 dts=90000 pts=90000 key - flags=2 fffb");
    }

    @Test
    void reservedSoundFormatsAreUnsupported() {
        assertAudioResult("c2 00", Result.UNSUPPORTED_CODEC, "UNSUPPORTED_CODEC: reserved SoundFormat 12 at offset 0");
        assertAudioResult("d2 00", Result.UNSUPPORTED_CODEC, "UNSUPPORTED_CODEC: reserved SoundFormat 13 at offset 0");
    }

    @Test
    void anEmptyAudioMessageIsSilenceAndIgnored() {
        assertAudioResult("", Result.IGNORED, "IGNORED: empty audio message (silence) at offset 0");
    }

    // ---------------------------------------------------------------------------------------- enhanced audio

    @Test
    void enhancedOpusSequenceStartFramesAndEnd() {
        assertAudio(""
                + "90"        // E2: SoundFormat 9 (ExHeader) | AudioPacketType 0 (SequenceStart)
                + OPUS        // AudioFourCc 'Opus'
                + OPUS_HEAD,
                "OPUS SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(OPUS_HEAD));
        assertAudio("90" + OPUS, // E2: the Opus sequence start payload may be empty
                "OPUS SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 ");
        assertAudio("91" + OPUS + "fcfffe", // AudioPacketType 1 (CodedFrames)
                "OPUS FRAME t0 dts=90000 pts=90000 key - flags=0 fcfffe");
        assertAudio("92" + OPUS, // AudioPacketType 2 (SequenceEnd)
                "OPUS SEQUENCE_END t0 dts=90000 pts=90000 key - flags=0 ");
    }

    @Test
    void enhancedFlacAc3Eac3Mp3AndMp4a() {
        assertAudio("90" + FLAC + FLAC_HEADER,
                "FLAC SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 " + Hex.norm(FLAC_HEADER));
        assertAudio("91" + FLAC + "fff8c9", "FLAC FRAME t0 dts=90000 pts=90000 key - flags=0 fff8c9");
        assertAudio("91" + AC3 + "0b77aa", "AC3 FRAME t0 dts=90000 pts=90000 key - flags=0 0b77aa");
        assertAudio("90" + AC3, "AC3 SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 "); // FFmpeg's empty start
        assertAudio("91" + EC3 + "0b77bb", "EAC3 FRAME t0 dts=90000 pts=90000 key - flags=0 0b77bb");
        assertAudio("91" + MP3 + "fffb9064", "MP3 FRAME t0 dts=90000 pts=90000 key - flags=0 fffb9064");
        assertAudio("90" + MP4A + ASC, "AAC SEQUENCE_HEADER t0 dts=90000 pts=90000 key - flags=0 1210");
        assertAudio("91" + MP4A + "211004", "AAC FRAME t0 dts=90000 pts=90000 key - flags=0 211004");
    }

    @Test
    void emptyAacAndFlacSequenceStartsAreMalformed() {
        assertAudioResult("90" + MP4A, Result.MALFORMED, "MALFORMED: empty audio decoder configuration at offset 5");
        assertAudioResult("90" + FLAC, Result.MALFORMED, "MALFORMED: empty audio decoder configuration at offset 5");
    }

    @Test
    void multichannelConfigBecomesAMetadataPacket() {
        assertAudio(""
                + "94"        // ExHeader | AudioPacketType 4 (MultichannelConfig)
                + OPUS
                + "01"        // AudioChannelOrder 1 (Native)
                + "06"        // channelCount 6
                + "0000003f", // audioChannelFlags: FL FR FC LFE1 BL BR (5.1)
                "OPUS METADATA t0 dts=90000 pts=90000 key - flags=0 01060000003f");
        assertAudio(""
                + "94" + OPUS
                + "02"        // AudioChannelOrder 2 (Custom)
                + "03"        // channelCount 3
                + "00 01 03", // FrontLeft, FrontRight, LowFrequency1
                "OPUS METADATA t0 dts=90000 pts=90000 key - flags=0 0203000103");
        assertAudio("94" + OPUS + "00 02", // Unspecified, 2 channels: nothing follows
                "OPUS METADATA t0 dts=90000 pts=90000 key - flags=0 0002");
        assertAudioResult("94" + OPUS + "03 02", Result.MALFORMED, "MALFORMED: reserved AudioChannelOrder 3 at offset 5");
        assertAudioResult("94" + OPUS + "02 03 0001", Result.MALFORMED,
                "MALFORMED: multichannel configuration cut short 5 at offset 5");
    }

    @Test
    void audioMultitrackOneTrackManyTracksAndManyCodecs() {
        assertAudio(""
                + "95"        // ExHeader | AudioPacketType 5 (Multitrack)
                + "01"        // AvMultitrackType 0 (OneTrack) | AudioPacketType 1 (CodedFrames)
                + OPUS
                + "01"        // trackId 1
                + "fcfffe",
                "OPUS FRAME t1 dts=90000 pts=90000 key - flags=0 fcfffe");
        assertAudio(AUDIO_MANY_TRACKS,
                "AAC FRAME t0 dts=90000 pts=90000 key - flags=0 211004",
                "AAC FRAME t1 dts=90000 pts=90000 key - flags=0 2110");
        assertAudio(AUDIO_MANY_CODECS,
                "OPUS FRAME t0 dts=90000 pts=90000 key - flags=0 fcff",
                "AC3 FRAME t1 dts=90000 pts=90000 key - flags=0 0b7701");
        assertAudio("95 04" + OPUS + "01" + "01 01 00000004", // OneTrack MultichannelConfig, track 1 (FFmpeg)
                "OPUS METADATA t1 dts=90000 pts=90000 key - flags=0 010100000004");
    }

    static final String AUDIO_MANY_TRACKS = ""
            + "95"            // ExHeader | Multitrack
            + "11"            // ManyTracks | CodedFrames
            + MP4A
            + "00 000003 211004"  // trackId 0, sizeOfTrack 3, raw AAC
            + "01 000002 2110";   // trackId 1, sizeOfTrack 2

    static final String AUDIO_MANY_CODECS = ""
            + "95"            // ExHeader | Multitrack
            + "21"            // ManyTracksManyCodecs | CodedFrames
            + OPUS + "00 000002 fcff"    // 'Opus', trackId 0, sizeOfTrack 2
            + AC3 + "01 000003 0b7701";  // 'ac-3', trackId 1, sizeOfTrack 3

    @Test
    void audioModExIsSkipped() {
        assertAudio(""
                + "97"        // ExHeader | AudioPacketType 7 (ModEx)
                + "02 0001f4" // 3 bytes: TimestampOffsetNano 500 ns
                + "01"        // AudioPacketModExType 0 | next AudioPacketType 1 (CodedFrames)
                + OPUS
                + "fcfffe",
                "OPUS FRAME t0 dts=90000 pts=90000 key - flags=0 fcfffe");
    }

    @Test
    void reservedOrUnknownEnhancedAudioIsNotParsed() {
        assertAudioResult("93" + OPUS, Result.IGNORED, "IGNORED: reserved AudioPacketType 3 at offset 1");
        assertAudioResult("96" + OPUS, Result.IGNORED, "IGNORED: reserved AudioPacketType 6 at offset 1");
        assertAudioResult("91 78797a31 00", Result.UNSUPPORTED_CODEC,
                "UNSUPPORTED_CODEC: unknown FourCC 'xyz1' (0x78797a31) at offset 1");
        assertAudioResult("91" + HVC1 + "00", Result.UNSUPPORTED_CODEC, // a video FourCC in an audio message
                "UNSUPPORTED_CODEC: unknown FourCC 'hvc1' (0x68766331) at offset 1");
        assertAudioResult("95 05" + OPUS, Result.MALFORMED,
                "MALFORMED: Multitrack or ModEx as the packet type of a track 5 at offset 1");
        assertAudioResult("91" + OPUS, Result.IGNORED, "IGNORED: empty coded frame at offset 5");
    }

    // ---------------------------------------------------------------------------------------- truncation

    /**
     * A valid body, and the length of its header: every shorter prefix cuts a field the parser must read. Command
     * frames are valid and IGNORED; every other vector is OK.
     */
    private record Vector(String name, boolean audio, String hex, int headerLength) {
        Result whole() {
            return name.contains("command") || name.contains("info frame") ? Result.IGNORED : Result.OK;
        }
    }

    private static final List<Vector> VECTORS = List.of(
            new Vector("legacy AVC sequence header", false, "17 00 000000" + AVCC, 5),
            new Vector("legacy AVC keyframe", false, "17 01 000028" + AVC_IDR, 5),
            new Vector("legacy AVC negative CTS", false, "27 01 ffffd8" + AVC_P, 5),
            new Vector("legacy AVC end of sequence", false, "17 02 000000", 5),
            new Vector("legacy HEVC CodecID 12", false, "1c 00 000000" + HVCC, 5),
            new Vector("legacy H.263", false, "22 00008400", 1),
            new Vector("legacy info frame", false, "57 00", 2),
            new Vector("hvc1 SequenceStart", false, "90" + HVC1 + HVCC, 5),
            new Vector("hvc1 CodedFramesX", false, "93" + HVC1 + HEVC_IDR, 5),
            new Vector("hvc1 CodedFrames", false, "a1" + HVC1 + "ffffd8" + HEVC_TRAIL, 8),
            new Vector("av01 CodedFrames", false, "91" + AV01 + "1200320110", 5),
            new Vector("hvc1 SequenceEnd", false, "92" + HVC1, 5),
            new Vector("metadata 0x84", false, "84" + HVC1 + COLOR_INFO, 5),
            new Vector("metadata 0xD4", false, "d4" + HVC1 + COLOR_INFO, 5),
            new Vector("command frame", false, "d3 00", 2),
            new Vector("ModEx", false, "97 02 0003e8 01" + HVC1 + "000014" + HEVC_IDR, 13),
            new Vector("ModEx 16-bit", false, "97 ff 0100" + "00".repeat(257) + "13" + HVC1 + HEVC_IDR, 266),
            new Vector("OneTrack track 1", false, "96 01" + HVC1 + "01 000028" + HEVC_IDR, 10),
            new Vector("AAC sequence header", true, "af 00" + ASC, 2),
            new Vector("AAC raw", true, "af 01 211004", 2),
            new Vector("MP3", true, "2f fffb9064", 1),
            new Vector("G.711", true, "72 d5d5d5", 1),
            new Vector("Opus SequenceStart", true, "90" + OPUS + OPUS_HEAD, 5),
            new Vector("Opus CodedFrames", true, "91" + OPUS + "fcfffe", 5),
            new Vector("fLaC SequenceStart", true, "90" + FLAC + FLAC_HEADER, 5),
            new Vector("ac-3", true, "91" + AC3 + "0b77aa", 5),
            new Vector("ec-3", true, "91" + EC3 + "0b77bb", 5),
            new Vector(".mp3", true, "91" + MP3 + "fffb9064", 5),
            new Vector("mp4a", true, "91" + MP4A + "211004", 5),
            new Vector("MultichannelConfig native", true, "94" + OPUS + "01 06 0000003f", 11),
            new Vector("MultichannelConfig custom", true, "94" + OPUS + "02 03 000103", 10),
            new Vector("audio OneTrack", true, "95 01" + OPUS + "01 fcfffe", 7),
            new Vector("audio ModEx", true, "97 02 0001f4 01" + OPUS + "fcfffe", 10));

    @Test
    void everyTruncationOfAHeaderIsMalformedAndNothingLeaks() {
        for (Vector v : VECTORS) {
            byte[] all = Hex.bytes(v.hex());
            assertThat(parse(v.audio(), all, all.length).result).as(v.name()).isEqualTo(v.whole());
            for (int n = 0; n < all.length; n++) {
                Parsed p = parse(v.audio(), all, n);
                String what = v.name() + " cut to " + n + " bytes";
                if (n == 0 && v.audio()) {
                    assertThat(p.result).as(what).isEqualTo(Result.IGNORED);
                } else if (n < v.headerLength()) {
                    assertThat(p.result).as(what).isEqualTo(Result.MALFORMED);
                }
                assertThat(p.packets.isEmpty()).as(what).isEqualTo(p.result != Result.OK);
            }
        }
    }

    @Test
    void sizedMultitrackBodiesAreMalformedWhenCutAnywhereButATrackBoundary() {
        assertCutsMalformedExceptAt(false, MANY_TRACKS, 17);
        assertCutsMalformedExceptAt(false, MANY_TRACKS_MANY_CODECS, 22);
        assertCutsMalformedExceptAt(true, AUDIO_MANY_TRACKS, 13);
        assertCutsMalformedExceptAt(true, AUDIO_MANY_CODECS, 12);
    }

    /** Every prefix is MALFORMED except the one ending after the first track, which is a valid one-track body. */
    private static void assertCutsMalformedExceptAt(boolean audio, String hex, int boundary) {
        byte[] all = Hex.bytes(hex);
        for (int n = 1; n < all.length; n++) {
            Parsed p = parse(audio, all, n);
            if (n == boundary) {
                assertThat(p.result).as("cut at the track boundary %d", n).isEqualTo(Result.OK);
                assertThat(p.packets).hasSize(1);
            } else {
                assertThat(p.result).as("cut to %d bytes", n).isEqualTo(Result.MALFORMED);
                assertThat(p.packets).isEmpty();
            }
        }
    }

    @Test
    void randomAndMutatedBodiesNeverThrowOrLeak() {
        // Seeded, so a failure reproduces. parse() checks that OK comes with packets and every other result without,
        // and that the body is left with exactly its own reference.
        Random random = new Random(0x464c56L);
        List<String> seeds = new ArrayList<>();
        VECTORS.forEach(v -> seeds.add(v.hex()));
        seeds.addAll(List.of(MANY_TRACKS, MANY_TRACKS_MANY_CODECS, AUDIO_MANY_TRACKS, AUDIO_MANY_CODECS));
        int ok = 0;
        for (String seed : seeds) {
            byte[] valid = Hex.bytes(seed);
            for (int i = 0; i < 200; i++) {
                byte[] mutated = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                }
                int length = random.nextBoolean() ? mutated.length : random.nextInt(mutated.length + 1);
                ok += parse(false, mutated, length).result == Result.OK ? 1 : 0;
                ok += parse(true, mutated, length).result == Result.OK ? 1 : 0;
            }
        }
        for (int i = 0; i < 4000; i++) {
            byte[] noise = new byte[random.nextInt(24)];
            random.nextBytes(noise);
            ok += parse(i % 2 == 0, noise, noise.length).result == Result.OK ? 1 : 0;
        }
        assertThat(ok).as("some inputs still parse, so the parser got past the headers").isGreaterThan(1000);
    }

    @Test
    void parsingDoesNotMoveTheBodyIndexesAndPacketsShareItsMemory() {
        ByteBuf body = hex("aaaa 93" + HVC1 + HEVC_IDR);
        try {
            body.readerIndex(2);
            List<MediaPacket> out = new ArrayList<>();
            assertThat(FlvMediaParser.parseVideo(body, DTS, out)).isEqualTo(Result.OK);
            try {
                assertThat(body.readerIndex()).isEqualTo(2);
                assertThat(body.refCnt()).isEqualTo(2);
                body.setByte(2 + 5 + 4, 0x28); // the first NAL unit header byte, written through the body
                assertThat((int) out.get(0).content().getUnsignedByte(4)).isEqualTo(0x28);
            } finally {
                out.forEach(MediaPacket::release);
            }
            assertThat(body.refCnt()).isEqualTo(1);
        } finally {
            body.release();
        }
    }

    @Test
    void packetsAreAppendedAfterWhatOutAlreadyHolds() {
        ByteBuf body = hex(MANY_TRACKS.replace("02" + "000006", "02" + "000009")); // second track too long
        ByteBuf other = hex("00");
        MediaPacket earlier = MediaPacket.data(PacketType.METADATA, 0, other);
        try {
            List<MediaPacket> out = new ArrayList<>(List.of(earlier));
            assertThat(FlvMediaParser.parseVideo(body, DTS, out)).isEqualTo(Result.MALFORMED);
            assertThat(out).containsExactly(earlier); // the first track's packet was rolled back, not the caller's
            assertThat(body.refCnt()).isEqualTo(1);
        } finally {
            earlier.release();
            body.release();
        }
    }

    @Test
    void detailIsResetByEveryParse() {
        Detail detail = new Detail();
        ByteBuf bad = hex("18 00");
        ByteBuf good = hex("af 01 21");
        List<MediaPacket> out = new ArrayList<>();
        try {
            FlvMediaParser.parseVideo(bad, DTS, out, detail);
            assertThat(detail.result()).isEqualTo(Result.UNSUPPORTED_CODEC);
            assertThat(detail.value()).isEqualTo(8);
            assertThat(FlvMediaParser.parseAudio(good, DTS, out, detail)).isEqualTo(Result.OK);
            assertThat(detail.result()).isEqualTo(Result.OK);
            assertThat(detail.reason()).isNull();
            assertThat(detail.value()).isEqualTo(Detail.NO_VALUE);
            assertThat(detail.toString()).isEqualTo("OK");
        } finally {
            out.forEach(MediaPacket::release);
            bad.release();
            good.release();
        }
    }

    // ---------------------------------------------------------------------------------------- helpers

    private static final class Parsed {
        Result result;
        String detail;
        final List<String> packets = new ArrayList<>();
    }

    private static void assertVideo(String hex, String... expected) {
        Parsed p = parse(false, Hex.bytes(hex), Hex.bytes(hex).length);
        assertThat(p.result).as(p.detail).isEqualTo(Result.OK);
        assertThat(p.packets).containsExactly(expected);
    }

    private static void assertAudio(String hex, String... expected) {
        Parsed p = parse(true, Hex.bytes(hex), Hex.bytes(hex).length);
        assertThat(p.result).as(p.detail).isEqualTo(Result.OK);
        assertThat(p.packets).containsExactly(expected);
    }

    private static void assertVideoResult(String hex, Result result, String detail) {
        Parsed p = parse(false, Hex.bytes(hex), Hex.bytes(hex).length);
        assertThat(p.result).isEqualTo(result);
        assertThat(p.detail).isEqualTo(detail);
        assertThat(p.packets).isEmpty();
    }

    private static void assertAudioResult(String hex, Result result, String detail) {
        Parsed p = parse(true, Hex.bytes(hex), Hex.bytes(hex).length);
        assertThat(p.result).isEqualTo(result);
        assertThat(p.detail).isEqualTo(detail);
        assertThat(p.packets).isEmpty();
    }

    /**
     * Parses the first {@code length} bytes of {@code bytes} from a pooled buffer, describes and releases every
     * packet, and checks that the body is left with exactly its own reference.
     */
    private static Parsed parse(boolean audio, byte[] bytes, int length) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer(Math.max(length, 1)).writeBytes(bytes, 0, length);
        Parsed parsed = new Parsed();
        List<MediaPacket> out = new ArrayList<>();
        Detail detail = new Detail();
        try {
            parsed.result = audio
                    ? FlvMediaParser.parseAudio(body, DTS, out, detail)
                    : FlvMediaParser.parseVideo(body, DTS, out, detail);
            parsed.detail = detail.toString();
            assertThat(detail.result()).isEqualTo(parsed.result);
            for (MediaPacket packet : out) {
                parsed.packets.add(describe(packet));
            }
        } finally {
            out.forEach(MediaPacket::release);
            assertThat(body.refCnt()).as("references left on the body").isEqualTo(1);
            assertThat(body.readerIndex()).isZero();
            body.release();
        }
        return parsed;
    }

    static String describe(MediaPacket p) {
        return p.codec() + " " + p.type() + " t" + p.trackId() + " dts=" + p.dts90k() + " pts=" + p.pts90k()
                + (p.isKeyframe() ? " key" : " -") + (p.isDisposable() ? " disposable" : " -")
                + " flags=" + Integer.toHexString(p.codecFlags()) + " " + dump(p.content());
    }
}
