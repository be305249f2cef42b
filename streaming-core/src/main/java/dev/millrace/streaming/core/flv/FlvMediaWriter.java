package dev.millrace.streaming.core.flv;

import static dev.millrace.streaming.core.flv.FlvFields.AAC_RAW;
import static dev.millrace.streaming.core.flv.FlvFields.AAC_SEQUENCE_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_CODED_FRAMES;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_MULTICHANNEL_CONFIG;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_MULTITRACK;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_SEQUENCE_END;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_SEQUENCE_START;
import static dev.millrace.streaming.core.flv.FlvFields.AVC_END_OF_SEQUENCE;
import static dev.millrace.streaming.core.flv.FlvFields.AVC_NALU;
import static dev.millrace.streaming.core.flv.FlvFields.AVC_SEQUENCE_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.CODEC_ID_AVC;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_COMMAND;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_DISPOSABLE;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_INTER;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_KEY;
import static dev.millrace.streaming.core.flv.FlvFields.MULTITRACK_ONE_TRACK;
import static dev.millrace.streaming.core.flv.FlvFields.SI24_MAX;
import static dev.millrace.streaming.core.flv.FlvFields.SI24_MIN;
import static dev.millrace.streaming.core.flv.FlvFields.SOUND_FLAGS_44K_16BIT_STEREO;
import static dev.millrace.streaming.core.flv.FlvFields.SOUND_FORMAT_AAC;
import static dev.millrace.streaming.core.flv.FlvFields.SOUND_FORMAT_EX_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_CODED_FRAMES;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_CODED_FRAMES_X;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_IS_EX_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_METADATA;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_MULTITRACK;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_SEQUENCE_END;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_SEQUENCE_START;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import io.netty.buffer.ByteBuf;

/**
 * Writes the header of an FLV audio or video tag body (equally, of an RTMP audio or video message) for a
 * {@link MediaPacket}; the caller appends {@link MediaPacket#content()} after it, so the payload is never copied.
 *
 * <p>The form chosen is the one every player understands, the same FFmpeg's and OBS's muxers pick:
 * <ul>
 *   <li>H.264 on track 0: legacy AVC [FLV 10.1 E.4.3.1]: {@code 0x17} key, {@code 0x27} inter, {@code 0x37}
 *       disposable; AVCPacketType 0 sequence header, 1 NAL units, 2 end of sequence; SI24 CompositionTime.</li>
 *   <li>HEVC, AV1, VP9, VP8, VVC, and H.264 on another track: enhanced video [E2]. SequenceStart and SequenceEnd
 *       with the keyframe FrameType (as FFmpeg writes them); frames as CodedFrames with an SI24 CompositionTime
 *       for avc1/hvc1/vvc1 when it is not 0, CodedFramesX when it is, and CodedFrames (no CompositionTime) for
 *       av01/vp09/vp08.</li>
 *   <li>Video {@link PacketType#METADATA} of any codec: enhanced Metadata with FrameType 5 ({@code 0xD4}), the form
 *       FFmpeg's demuxer requires before it parses the AMF instead of decoding it as a frame. On a track other than
 *       0 FrameType 0 is used instead, as OBS does: E2 reads FrameType 5 with packet type Multitrack as a command
 *       frame, which would lose the metadata.</li>
 *   <li>AAC frames and sequence headers on track 0: legacy {@code 0xAF}-style [E.4.2.1, E.4.2.2] with the packet's
 *       codecFlags, or {@code 0x0F} (44 kHz, 16 bit, stereo, what E.4.2.1 prescribes for AAC) when they are 0, then
 *       AACPacketType.</li>
 *   <li>MP3 frames on track 0: legacy SoundFormat 2 with codecFlags, or {@code 0x0F} when they are 0 (the packet
 *       came as ExHeader {@code .mp3} and carries none; decoders take the real values from the MP3 frame
 *       headers).</li>
 *   <li>Other legacy sound formats (PCM, ADPCM, Nellymoser, G.711, Speex...): byte 0 from SoundFormat and
 *       codecFlags; frames on track 0 only.</li>
 *   <li>Opus, FLAC, AC-3, E-AC-3, and AAC/MP3 on another track or of a type legacy FLV cannot express (sequence
 *       end, multichannel configuration, an MP3 sequence header): ExHeader audio [E2] with the FourCC.</li>
 *   <li>A trackId other than 0: wrapped as Multitrack OneTrack with the trackId, as OBS and FFmpeg write extra
 *       tracks.</li>
 *   <li>Script data: no header (size 0); the AMF payload is the whole body.</li>
 * </ul>
 * Legacy CodecID 12 (HEVC) is never written. No ModEx is written.
 */
public final class FlvMediaWriter {

    /** Largest header this class writes: enhanced video, multitrack, CompositionTime. */
    public static final int MAX_TAG_BODY_HEADER_SIZE = 10;

    private FlvMediaWriter() {
    }

    /**
     * The number of bytes {@link #writeTagBodyHeader} writes for {@code p}; the tag's DataSize is this plus
     * {@code p.size()}.
     *
     * @throws IllegalArgumentException if {@code p} has no FLV form (see {@link #writeTagBodyHeader})
     */
    public static int tagBodyHeaderSize(MediaPacket p) {
        switch (p.kind()) {
            case DATA:
                return 0;
            case VIDEO:
                if (isLegacyAvc(p)) {
                    if (p.type() == PacketType.FRAME) {
                        compositionTime(p); // range check, as writeTagBodyHeader does
                    }
                    return 5;
                }
                if (p.codec().fourCc() == 0) {
                    checkLegacyOnly(p);
                    return 1;
                }
                return 5 + (p.trackId() != 0 ? 2 : 0) + (exVideoPacketType(p) == VIDEO_CODED_FRAMES
                        && hasCompositionTime(p.codec()) ? 3 : 0);
            case AUDIO:
                if (isLegacyAac(p)) {
                    return 2;
                }
                if (isLegacyMp3(p)) {
                    return 1;
                }
                if (p.codec().fourCc() == 0) {
                    checkLegacyOnly(p);
                    return 1;
                }
                return 5 + (p.trackId() != 0 ? 2 : 0);
            default:
                throw new AssertionError(p.kind());
        }
    }

    /**
     * Writes the tag body header for {@code p} ({@link #tagBodyHeaderSize} bytes) to {@code out}. The packet is
     * borrowed and not changed.
     *
     * @throws IllegalArgumentException for a codec that exists only in legacy FLV (H.263, VP6, PCM, G.711...) with
     *     a packet type other than FRAME or a trackId other than 0, or a CompositionTime outside SI24
     */
    public static void writeTagBodyHeader(MediaPacket p, ByteBuf out) {
        switch (p.kind()) {
            case DATA:
                return;
            case VIDEO:
                writeVideo(p, out);
                return;
            case AUDIO:
                writeAudio(p, out);
                return;
            default:
                throw new AssertionError(p.kind());
        }
    }

    private static void writeVideo(MediaPacket p, ByteBuf out) {
        Codec codec = p.codec();
        if (isLegacyAvc(p)) {
            // FLV 10.1 E.4.3.1: FrameType | CodecID 7, AVCPacketType, SI24 CompositionTime.
            out.writeByte(frameType(p) << 4 | CODEC_ID_AVC);
            switch (p.type()) {
                case SEQUENCE_HEADER:
                    out.writeByte(AVC_SEQUENCE_HEADER);
                    out.writeMedium(0);
                    return;
                case FRAME:
                    out.writeByte(AVC_NALU);
                    out.writeMedium(compositionTime(p));
                    return;
                case SEQUENCE_END:
                    out.writeByte(AVC_END_OF_SEQUENCE);
                    out.writeMedium(0);
                    return;
                default:
                    throw new AssertionError(p.type());
            }
        }
        if (codec.fourCc() == 0) {
            checkLegacyOnly(p);
            out.writeByte(frameType(p) << 4 | codec.flvId());
            return;
        }
        int packetType = exVideoPacketType(p);
        boolean multitrack = p.trackId() != 0;
        int frameType = p.type() == PacketType.METADATA ? (multitrack ? 0 : FRAME_TYPE_COMMAND) : frameType(p);
        if (multitrack) {
            // E2: Multitrack packet type, then AvMultitrackType OneTrack | packet type, FourCC, trackId.
            out.writeByte(VIDEO_IS_EX_HEADER | frameType << 4 | VIDEO_MULTITRACK);
            out.writeByte(MULTITRACK_ONE_TRACK << 4 | packetType);
            out.writeInt(codec.fourCc());
            out.writeByte(p.trackId());
        } else {
            out.writeByte(VIDEO_IS_EX_HEADER | frameType << 4 | packetType);
            out.writeInt(codec.fourCc());
        }
        if (packetType == VIDEO_CODED_FRAMES && hasCompositionTime(codec)) {
            out.writeMedium(compositionTime(p));
        }
    }

    private static void writeAudio(MediaPacket p, ByteBuf out) {
        Codec codec = p.codec();
        if (isLegacyAac(p)) {
            // FLV 10.1 E.4.2.1 SoundFormat 10 | flags, E.4.2.2 AACPacketType.
            out.writeByte(SOUND_FORMAT_AAC << 4 | flagsOrDefault(p));
            out.writeByte(p.type() == PacketType.SEQUENCE_HEADER ? AAC_SEQUENCE_HEADER : AAC_RAW);
            return;
        }
        if (isLegacyMp3(p)) {
            out.writeByte(codec.flvId() << 4 | flagsOrDefault(p));
            return;
        }
        if (codec.fourCc() == 0) {
            checkLegacyOnly(p);
            out.writeByte(codec.flvId() << 4 | p.codecFlags());
            return;
        }
        int packetType = exAudioPacketType(p);
        if (p.trackId() != 0) {
            // E2: ExHeader | Multitrack, then AvMultitrackType OneTrack | packet type, FourCC, trackId.
            out.writeByte(SOUND_FORMAT_EX_HEADER << 4 | AUDIO_MULTITRACK);
            out.writeByte(MULTITRACK_ONE_TRACK << 4 | packetType);
            out.writeInt(codec.fourCc());
            out.writeByte(p.trackId());
        } else {
            out.writeByte(SOUND_FORMAT_EX_HEADER << 4 | packetType);
            out.writeInt(codec.fourCc());
        }
    }

    private static boolean isLegacyAvc(MediaPacket p) {
        return p.codec() == Codec.H264 && p.trackId() == 0 && p.type() != PacketType.METADATA;
    }

    private static boolean isLegacyAac(MediaPacket p) {
        return p.codec() == Codec.AAC && p.trackId() == 0
                && (p.type() == PacketType.FRAME || p.type() == PacketType.SEQUENCE_HEADER);
    }

    private static boolean isLegacyMp3(MediaPacket p) {
        return p.codec() == Codec.MP3 && p.trackId() == 0 && p.type() == PacketType.FRAME;
    }

    private static int flagsOrDefault(MediaPacket p) {
        return p.codecFlags() != 0 ? p.codecFlags() : SOUND_FLAGS_44K_16BIT_STEREO;
    }

    /** Legacy-only codecs (no FourCC) have frames and nothing else, on the default track. */
    private static void checkLegacyOnly(MediaPacket p) {
        if (p.type() != PacketType.FRAME || p.trackId() != 0) {
            throw new IllegalArgumentException(p.codec() + " exists only in legacy FLV, which cannot carry "
                    + p.type() + " on track " + p.trackId());
        }
        if (p.codec().flvId() < 0) {
            throw new IllegalArgumentException("no FLV form for " + p.codec());
        }
    }

    /** FrameType of a video packet: 1 for keyframes and decoder configuration, 3 disposable, 2 otherwise. */
    private static int frameType(MediaPacket p) {
        if (p.isKeyframe()) {
            return FRAME_TYPE_KEY;
        }
        return p.isDisposable() ? FRAME_TYPE_DISPOSABLE : FRAME_TYPE_INTER;
    }

    private static int exVideoPacketType(MediaPacket p) {
        switch (p.type()) {
            case SEQUENCE_HEADER:
                return VIDEO_SEQUENCE_START;
            case SEQUENCE_END:
                return VIDEO_SEQUENCE_END;
            case METADATA:
                return VIDEO_METADATA;
            case FRAME:
                if (hasCompositionTime(p.codec())) {
                    return compositionTime(p) != 0 ? VIDEO_CODED_FRAMES : VIDEO_CODED_FRAMES_X;
                }
                return VIDEO_CODED_FRAMES;
            default:
                throw new AssertionError(p.type());
        }
    }

    private static int exAudioPacketType(MediaPacket p) {
        switch (p.type()) {
            case SEQUENCE_HEADER:
                return AUDIO_SEQUENCE_START;
            case FRAME:
                return AUDIO_CODED_FRAMES;
            case SEQUENCE_END:
                return AUDIO_SEQUENCE_END;
            case METADATA:
                return AUDIO_MULTICHANNEL_CONFIG;
            default:
                throw new AssertionError(p.type());
        }
    }

    private static boolean hasCompositionTime(Codec codec) {
        return codec == Codec.H264 || codec == Codec.HEVC || codec == Codec.VVC;
    }

    /** PTS - DTS in whole milliseconds (rounded down), checked against SI24. */
    private static int compositionTime(MediaPacket p) {
        int cts = p.compositionOffsetMillis();
        if (cts < SI24_MIN || cts > SI24_MAX) {
            throw new IllegalArgumentException("CompositionTime outside SI24: " + cts + " ms");
        }
        return cts;
    }
}
