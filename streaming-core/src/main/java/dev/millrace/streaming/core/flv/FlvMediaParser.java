package dev.millrace.streaming.core.flv;

import static dev.millrace.streaming.core.flv.FlvFields.AAC_RAW;
import static dev.millrace.streaming.core.flv.FlvFields.AAC_SEQUENCE_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_CODED_FRAMES;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_MOD_EX;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_MULTICHANNEL_CONFIG;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_MULTITRACK;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_SEQUENCE_END;
import static dev.millrace.streaming.core.flv.FlvFields.AUDIO_SEQUENCE_START;
import static dev.millrace.streaming.core.flv.FlvFields.AVC_END_OF_SEQUENCE;
import static dev.millrace.streaming.core.flv.FlvFields.AVC_NALU;
import static dev.millrace.streaming.core.flv.FlvFields.AVC_SEQUENCE_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.CHANNEL_ORDER_CUSTOM;
import static dev.millrace.streaming.core.flv.FlvFields.CHANNEL_ORDER_NATIVE;
import static dev.millrace.streaming.core.flv.FlvFields.CHANNEL_ORDER_UNSPECIFIED;
import static dev.millrace.streaming.core.flv.FlvFields.CODEC_ID_AVC;
import static dev.millrace.streaming.core.flv.FlvFields.CODEC_ID_HEVC_LEGACY;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_COMMAND;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_DISPOSABLE;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_GENERATED_KEY;
import static dev.millrace.streaming.core.flv.FlvFields.FRAME_TYPE_KEY;
import static dev.millrace.streaming.core.flv.FlvFields.MULTITRACK_MANY_TRACKS_MANY_CODECS;
import static dev.millrace.streaming.core.flv.FlvFields.MULTITRACK_ONE_TRACK;
import static dev.millrace.streaming.core.flv.FlvFields.SOUND_FORMAT_AAC;
import static dev.millrace.streaming.core.flv.FlvFields.SOUND_FORMAT_EX_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_CODED_FRAMES;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_CODED_FRAMES_X;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_IS_EX_HEADER;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_METADATA;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_MOD_EX;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_MPEG2TS_SEQUENCE_START;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_MULTITRACK;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_SEQUENCE_END;
import static dev.millrace.streaming.core.flv.FlvFields.VIDEO_SEQUENCE_START;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Turns FLV audio and video tag bodies (the payloads of RTMP audio and video messages, which are the same bytes) into
 * {@link MediaPacket}s: legacy FLV 10.1 (Annex E.4.2 AUDIODATA, E.4.3 VIDEODATA) and enhanced RTMP v1/v2 (E2
 * "Enhanced Audio", "Enhanced Video"; a v1 stream is a subset).
 *
 * <p>Contract of both methods:
 * <ul>
 *   <li>The body is borrowed and its indexes are not changed. Every packet added to {@code out} holds a
 *       {@code retainedSlice} of it (zero copy) and is owned by the caller.</li>
 *   <li>On any result but {@link Result#OK} nothing is added to {@code out} (packets of earlier tracks of a
 *       multitrack message are released again) and no reference is left behind.</li>
 *   <li>Malformed input never throws: every read is bounds-checked and reported as {@link Result#MALFORMED}.</li>
 *   <li>Timestamps: every packet gets {@code dts90k}; CompositionTime (SI24 milliseconds, sign-extended) becomes
 *       the packet's PTS - DTS times 90.</li>
 *   <li>Why a body was not {@code OK} can be learnt without allocation: pass a {@link Detail} (one per connection,
 *       reused) to the four-argument overloads; it receives a constant reason text, the offending value and the
 *       byte offset.</li>
 * </ul>
 *
 * <p>Video, legacy (byte 0 bit 7 clear): FrameType 1 and 4 are keyframes, 3 is disposable, 5 (video info/command
 * frame) is {@link Result#IGNORED}. CodecID 7 (AVC) and 12 (HEVC as pre-enhanced encoders sent it) carry
 * AVCPacketType (0 sequence header, 1 NAL units, 2 end of sequence) and an SI24 CompositionTime; CodecIDs 2-6 carry
 * one frame after byte 0 (for VP6 that includes its adjustment byte). Other CodecIDs are
 * {@link Result#UNSUPPORTED_CODEC}.
 *
 * <p>Video, enhanced (bit 7 set), fields in E2 order:
 * <ol>
 *   <li>ModEx loop. The only defined ModEx, TimestampOffsetNano, shifts this message by less than 1 ms; its data is
 *       skipped and not applied, like any unknown ModEx type, because {@link FlvMediaWriter} writes no ModEx and
 *       FFmpeg, the main consumer, truncates it to milliseconds anyway.</li>
 *   <li>FrameType 5 with any packet type but Metadata: a command frame, {@link Result#IGNORED}.</li>
 *   <li>Multitrack: OneTrack, ManyTracks, ManyTracksManyCodecs; one packet per track, with its trackId.</li>
 *   <li>FourCC via {@link Codec#byFourCc}; an unknown FourCC fails the whole message with
 *       {@link Result#UNSUPPORTED_CODEC} (E2: unrecognised critical signalling MUST fail in a controlled
 *       manner), also when only one track of a ManyTracksManyCodecs message is unknown.</li>
 *   <li>SequenceStart: {@link PacketType#SEQUENCE_HEADER}. CodedFrames: {@link PacketType#FRAME}, with an SI24
 *       CompositionTime for avc1/hvc1/vvc1 only. CodedFramesX: FRAME with CompositionTime 0. SequenceEnd:
 *       {@link PacketType#SEQUENCE_END} with an empty payload. Metadata: {@link PacketType#METADATA} with the AMF
 *       bytes as payload, recognised by the packet type alone whatever the frame type (OBS writes 0x84, FFmpeg
 *       0xD4).</li>
 *   <li>MPEG2TSSequenceStart is {@link Result#IGNORED}: it carries an AV1VideoDescriptor for MPEG-2 TS carriage,
 *       not the av1C record that a canonical AV1 sequence header holds, and AV1 streams repeat their sequence
 *       header OBU in-band anyway.</li>
 * </ol>
 *
 * <p>Audio: an empty body is E2's "silence" message, {@link Result#IGNORED}. Legacy SoundFormats become
 * {@link MediaPacket#audio} with the low nibble of byte 0 (SoundRate, SoundSize, SoundType) as codecFlags; AAC
 * (10) carries AACPacketType 0 (sequence header) or 1 (raw frames); SoundFormats 12 and 13 are
 * {@link Result#UNSUPPORTED_CODEC}. ExHeader (SoundFormat 9): ModEx loop, Multitrack, FourCC ({@code mp4a},
 * {@code Opus}, {@code fLaC}, {@code .mp3}, {@code ac-3}, {@code ec-3}) as for video; SequenceStart,
 * CodedFrames, SequenceEnd, and MultichannelConfig as a {@link PacketType#METADATA} packet holding the
 * configuration's bytes (channel order, count, then the mask or the speaker map).
 *
 * <p>Reserved packet types, multitrack types and AVC/AAC packet types are {@link Result#IGNORED}: the message is
 * dropped without failing the stream, which leaves room for later revisions of E2.
 *
 * <p>Empty payloads: an empty coded frame is skipped ({@link Result#IGNORED} when nothing else is left); an empty
 * sequence header is {@link Result#MALFORMED} except for Opus (E2: "If the Opus sequence start payload is empty, use
 * the MultichannelConfig"), MP3, AC-3 and E-AC-3, whose configuration lives in the frames (FFmpeg writes an empty
 * SequenceStart for them); empty metadata is {@link Result#MALFORMED}.
 *
 * <p>Limits of the check: the payload itself is opaque here. A single-track body cut inside its payload parses as a
 * shorter payload; a body cut inside its header, or a multitrack body whose track sizes exceed it, is MALFORMED.
 */
public final class FlvMediaParser {

    /** Outcome of parsing one tag body. */
    public enum Result {
        /** At least one packet was added to {@code out}. */
        OK,
        /** Well-formed but carries nothing for the media pipeline (command frame, silence, reserved type...). */
        IGNORED,
        /** A legacy codec id or FourCC Millrace does not know. */
        UNSUPPORTED_CODEC,
        /** Cut short or inconsistent. */
        MALFORMED
    }

    /**
     * Why the last parse it was passed to returned what it did. Not thread-safe: one instance per connection or
     * caller, reused for every message; filling it allocates nothing.
     */
    public static final class Detail {

        /** {@link #value()} when the problem has no value. */
        public static final long NO_VALUE = Long.MIN_VALUE;

        private Result result;
        private String reason;
        private long value;
        private boolean valueIsFourCc;
        private int offset;

        public Detail() {
            clear();
        }

        /** The result of the last parse. */
        public Result result() {
            return result;
        }

        /** A constant text naming the field or condition, or {@code null} after {@link Result#OK}. */
        public String reason() {
            return reason;
        }

        /** The offending value (a codec id, FourCC, packet type, size), or {@link #NO_VALUE}. */
        public long value() {
            return value;
        }

        /** Byte offset from the body's reader index where the condition was found. */
        public int offset() {
            return offset;
        }

        void clear() {
            result = Result.OK;
            reason = null;
            value = NO_VALUE;
            valueIsFourCc = false;
            offset = 0;
        }

        Result set(Result result, String reason, int offset, long value, boolean valueIsFourCc) {
            this.result = result;
            this.reason = reason;
            this.offset = offset;
            this.value = value;
            this.valueIsFourCc = valueIsFourCc;
            return result;
        }

        /** For logs; allocates. */
        @Override
        public String toString() {
            if (reason == null) {
                return result.toString();
            }
            StringBuilder sb = new StringBuilder(64).append(result).append(": ").append(reason);
            if (value != NO_VALUE) {
                sb.append(' ');
                if (valueIsFourCc) {
                    sb.append('\'').append(Codec.fourCcToString((int) value)).append("' (0x")
                            .append(Integer.toHexString((int) value)).append(')');
                } else {
                    sb.append(value);
                }
            }
            return sb.append(" at offset ").append(offset).toString();
        }
    }

    private static final long NONE = Detail.NO_VALUE;
    private static final long TICKS_PER_MILLI = MediaPacket.TICKS_PER_MILLI;

    private FlvMediaParser() {
    }

    /** As {@link #parseVideo(ByteBuf, long, List, Detail)} without a detail. */
    public static Result parseVideo(ByteBuf body, long dts90k, List<MediaPacket> out) {
        return parseVideo(body, dts90k, out, null);
    }

    /** As {@link #parseAudio(ByteBuf, long, List, Detail)} without a detail. */
    public static Result parseAudio(ByteBuf body, long dts90k, List<MediaPacket> out) {
        return parseAudio(body, dts90k, out, null);
    }

    /**
     * Parses a video tag body (VIDEODATA or an enhanced video body); see the class description.
     *
     * @param body borrowed; not modified
     * @param dts90k the message's timestamp on the 90 kHz clock
     * @param out receives owned packets, only when the result is {@link Result#OK}
     * @param detail receives the reason for the result, or {@code null}
     */
    public static Result parseVideo(ByteBuf body, long dts90k, List<MediaPacket> out, Detail detail) {
        if (detail != null) {
            detail.clear();
        }
        int start = body.readerIndex();
        int end = body.writerIndex();
        if (start == end) {
            return problem(detail, Result.MALFORMED, "empty video message", 0, NONE);
        }
        int b0 = body.getUnsignedByte(start);
        int frameType = (b0 >> 4) & 0x07;
        if ((b0 & VIDEO_IS_EX_HEADER) == 0) {
            return legacyVideo(body, start, end, b0, frameType, dts90k, out, detail);
        }
        return enhancedVideo(body, start, end, b0, frameType, dts90k, out, detail);
    }

    /**
     * Parses an audio tag body (AUDIODATA or an ExHeader audio body); see the class description.
     *
     * @param body borrowed; not modified
     * @param dts90k the message's timestamp on the 90 kHz clock
     * @param out receives owned packets, only when the result is {@link Result#OK}
     * @param detail receives the reason for the result, or {@code null}
     */
    public static Result parseAudio(ByteBuf body, long dts90k, List<MediaPacket> out, Detail detail) {
        if (detail != null) {
            detail.clear();
        }
        int start = body.readerIndex();
        int end = body.writerIndex();
        if (start == end) {
            return problem(detail, Result.IGNORED, "empty audio message (silence)", 0, NONE);
        }
        int b0 = body.getUnsignedByte(start);
        int soundFormat = b0 >> 4;
        if (soundFormat == SOUND_FORMAT_EX_HEADER) {
            return enhancedAudio(body, start, end, b0, dts90k, out, detail);
        }
        int codecFlags = b0 & 0x0F;
        int pos = start + 1;
        if (soundFormat == SOUND_FORMAT_AAC) {
            // FLV 10.1 E.4.2.2 AACAUDIODATA: UI8 AACPacketType, then the AudioSpecificConfig or raw AAC frame data.
            if (pos == end) {
                return problem(detail, Result.MALFORMED, "AACPacketType missing", pos - start, NONE);
            }
            int aacPacketType = body.getUnsignedByte(pos++);
            if (aacPacketType == AAC_SEQUENCE_HEADER) {
                return single(detail, pos - start, addAudio(body, start, pos, end, Codec.AAC,
                        PacketType.SEQUENCE_HEADER, 0, dts90k, codecFlags, out, detail));
            }
            if (aacPacketType == AAC_RAW) {
                return single(detail, pos - start, addAudio(body, start, pos, end, Codec.AAC, PacketType.FRAME, 0,
                        dts90k, codecFlags, out, detail));
            }
            return problem(detail, Result.IGNORED, "reserved AACPacketType", pos - 1 - start, aacPacketType);
        }
        Codec codec = Codec.byFlvId(MediaKind.AUDIO, soundFormat);
        if (codec == null) {
            return problem(detail, Result.UNSUPPORTED_CODEC, "reserved SoundFormat", 0, soundFormat);
        }
        return single(detail, pos - start, addAudio(body, start, pos, end, codec, PacketType.FRAME, 0, dts90k,
                codecFlags, out, detail));
    }

    // ---------------------------------------------------------------------------------------------------- video

    private static Result legacyVideo(ByteBuf body, int start, int end, int b0, int frameType, long dts90k,
            List<MediaPacket> out, Detail detail) {
        int pos = start + 1;
        if (frameType == FRAME_TYPE_COMMAND) {
            // FLV 10.1 E.4.3.1: "If FrameType = 5, instead of a video payload, the message stream contains a UI8".
            return command(body, start, pos, end, detail);
        }
        int codecId = b0 & 0x0F;
        Codec codec = Codec.byFlvId(MediaKind.VIDEO, codecId);
        if (codec == null) {
            return problem(detail, Result.UNSUPPORTED_CODEC, "unknown legacy video CodecID", 0, codecId);
        }
        if (codecId != CODEC_ID_AVC && codecId != CODEC_ID_HEVC_LEGACY) {
            return single(detail, pos - start, addVideo(body, start, pos, end, codec, PacketType.FRAME, 0, dts90k, 0,
                    frameType, out, detail));
        }
        // FLV 10.1 E.4.3.1 AVCVIDEOPACKET: UI8 AVCPacketType, SI24 CompositionTime, data.
        if (end - pos < 4) {
            return problem(detail, Result.MALFORMED, "AVCPacketType and CompositionTime cut short", pos - start,
                    end - pos);
        }
        int avcPacketType = body.getUnsignedByte(pos);
        long cts90k = body.getMedium(pos + 1) * TICKS_PER_MILLI;
        pos += 4;
        switch (avcPacketType) {
            case AVC_SEQUENCE_HEADER:
                return single(detail, pos - start, addVideo(body, start, pos, end, codec, PacketType.SEQUENCE_HEADER,
                        0, dts90k, 0, frameType, out, detail));
            case AVC_NALU:
                return single(detail, pos - start, addVideo(body, start, pos, end, codec, PacketType.FRAME, 0,
                        dts90k, cts90k, frameType, out, detail));
            case AVC_END_OF_SEQUENCE:
                return single(detail, pos - start, addVideo(body, start, pos, end, codec, PacketType.SEQUENCE_END, 0,
                        dts90k, 0, frameType, out, detail));
            default:
                return problem(detail, Result.IGNORED, "reserved AVCPacketType", pos - 4 - start, avcPacketType);
        }
    }

    private static Result enhancedVideo(ByteBuf body, int start, int end, int b0, int frameType, long dts90k,
            List<MediaPacket> out, Detail detail) {
        int pos = start + 1;
        int packetType = b0 & 0x0F;
        while (packetType == VIDEO_MOD_EX) {
            pos = skipModEx(body, start, pos, end, detail);
            if (pos < 0) {
                return Result.MALFORMED;
            }
            packetType = body.getUnsignedByte(pos - 1) & 0x0F;
        }
        if (frameType == FRAME_TYPE_COMMAND && packetType != VIDEO_METADATA) {
            // E2: a VideoCommand UI8 follows and no video body.
            return command(body, start, pos, end, detail);
        }
        boolean multitrack = false;
        int multitrackType = MULTITRACK_ONE_TRACK;
        if (packetType == VIDEO_MULTITRACK) {
            if (pos == end) {
                return problem(detail, Result.MALFORMED, "AvMultitrackType missing", pos - start, NONE);
            }
            int b = body.getUnsignedByte(pos++);
            multitrack = true;
            multitrackType = b >> 4;
            packetType = b & 0x0F;
            if (packetType == VIDEO_MULTITRACK || packetType == VIDEO_MOD_EX) {
                return problem(detail, Result.MALFORMED, "Multitrack or ModEx as the packet type of a track",
                        pos - 1 - start, packetType);
            }
            if (multitrackType > MULTITRACK_MANY_TRACKS_MANY_CODECS) {
                return problem(detail, Result.IGNORED, "reserved AvMultitrackType", pos - 1 - start, multitrackType);
            }
        }
        if (packetType == VIDEO_MPEG2TS_SEQUENCE_START) {
            return problem(detail, Result.IGNORED, "MPEG2TSSequenceStart (not an av1C record)", pos - start, NONE);
        }
        if (packetType > VIDEO_METADATA) {
            return problem(detail, Result.IGNORED, "reserved VideoPacketType", pos - start, packetType);
        }
        return tracks(body, start, pos, end, MediaKind.VIDEO, packetType, frameType, multitrack, multitrackType,
                dts90k, out, detail);
    }

    /** The body of one video track, [pos, end): SequenceStart, CodedFrames(X), SequenceEnd or Metadata. */
    private static Result videoTrack(ByteBuf body, int start, int pos, int end, Codec codec, int packetType,
            int frameType, int trackId, long dts90k, List<MediaPacket> out, Detail detail) {
        switch (packetType) {
            case VIDEO_SEQUENCE_START:
                return addVideo(body, start, pos, end, codec, PacketType.SEQUENCE_HEADER, trackId, dts90k, 0,
                        frameType, out, detail);
            case VIDEO_CODED_FRAMES:
                if (hasCompositionTime(codec)) {
                    // E2: SI24 compositionTimeOffset for avc1, hvc1 (and vvc1) CodedFrames only.
                    if (end - pos < 3) {
                        return problem(detail, Result.MALFORMED, "CompositionTime cut short", pos - start, NONE);
                    }
                    long cts90k = body.getMedium(pos) * TICKS_PER_MILLI;
                    return addVideo(body, start, pos + 3, end, codec, PacketType.FRAME, trackId, dts90k, cts90k,
                            frameType, out, detail);
                }
                return addVideo(body, start, pos, end, codec, PacketType.FRAME, trackId, dts90k, 0, frameType, out,
                        detail);
            case VIDEO_CODED_FRAMES_X:
                return addVideo(body, start, pos, end, codec, PacketType.FRAME, trackId, dts90k, 0, frameType, out,
                        detail);
            case VIDEO_SEQUENCE_END:
                return addVideo(body, start, pos, end, codec, PacketType.SEQUENCE_END, trackId, dts90k, 0, frameType,
                        out, detail);
            case VIDEO_METADATA:
                return addVideo(body, start, pos, end, codec, PacketType.METADATA, trackId, dts90k, 0, frameType, out,
                        detail);
            default:
                throw new AssertionError("packet type not filtered: " + packetType);
        }
    }

    /**
     * Adds one video packet with payload [from, to). Returns OK, IGNORED for an empty frame (skipped, detail untouched)
     * or MALFORMED for an empty sequence header or metadata.
     */
    private static Result addVideo(ByteBuf body, int start, int from, int to, Codec codec, PacketType type,
            int trackId, long dts90k, long cts90k, int frameType, List<MediaPacket> out, Detail detail) {
        if (from == to) {
            if (type == PacketType.FRAME) {
                return Result.IGNORED;
            }
            if (type == PacketType.SEQUENCE_HEADER) {
                return problem(detail, Result.MALFORMED, "empty video decoder configuration", from - start, NONE);
            }
            if (type == PacketType.METADATA) {
                return problem(detail, Result.MALFORMED, "empty video metadata", from - start, NONE);
            }
        }
        int length = type == PacketType.SEQUENCE_END ? 0 : to - from;
        boolean frame = type == PacketType.FRAME;
        boolean keyframe = type != PacketType.METADATA
                && (frameType == FRAME_TYPE_KEY || frameType == FRAME_TYPE_GENERATED_KEY);
        // The retained slice is owned by the packet, released with it.
        out.add(MediaPacket.video(codec, type, trackId, dts90k, frame ? cts90k : 0, keyframe,
                frame && frameType == FRAME_TYPE_DISPOSABLE, body.retainedSlice(from, length)));
        return Result.OK;
    }

    private static boolean hasCompositionTime(Codec codec) {
        return codec == Codec.H264 || codec == Codec.HEVC || codec == Codec.VVC;
    }

    /** A command frame: one UI8 VideoCommand must follow; the message carries no media. */
    private static Result command(ByteBuf body, int start, int pos, int end, Detail detail) {
        if (pos == end) {
            return problem(detail, Result.MALFORMED, "VideoCommand missing", pos - start, NONE);
        }
        return problem(detail, Result.IGNORED, "video info/command frame", pos - start, body.getUnsignedByte(pos));
    }

    // ---------------------------------------------------------------------------------------------------- audio

    private static Result enhancedAudio(ByteBuf body, int start, int end, int b0, long dts90k,
            List<MediaPacket> out, Detail detail) {
        int pos = start + 1;
        int packetType = b0 & 0x0F;
        while (packetType == AUDIO_MOD_EX) {
            pos = skipModEx(body, start, pos, end, detail);
            if (pos < 0) {
                return Result.MALFORMED;
            }
            packetType = body.getUnsignedByte(pos - 1) & 0x0F;
        }
        boolean multitrack = false;
        int multitrackType = MULTITRACK_ONE_TRACK;
        if (packetType == AUDIO_MULTITRACK) {
            if (pos == end) {
                return problem(detail, Result.MALFORMED, "AvMultitrackType missing", pos - start, NONE);
            }
            int b = body.getUnsignedByte(pos++);
            multitrack = true;
            multitrackType = b >> 4;
            packetType = b & 0x0F;
            if (packetType == AUDIO_MULTITRACK || packetType == AUDIO_MOD_EX) {
                return problem(detail, Result.MALFORMED, "Multitrack or ModEx as the packet type of a track",
                        pos - 1 - start, packetType);
            }
            if (multitrackType > MULTITRACK_MANY_TRACKS_MANY_CODECS) {
                return problem(detail, Result.IGNORED, "reserved AvMultitrackType", pos - 1 - start, multitrackType);
            }
        }
        if (packetType != AUDIO_SEQUENCE_START && packetType != AUDIO_CODED_FRAMES
                && packetType != AUDIO_SEQUENCE_END && packetType != AUDIO_MULTICHANNEL_CONFIG) {
            return problem(detail, Result.IGNORED, "reserved AudioPacketType", pos - start, packetType);
        }
        return tracks(body, start, pos, end, MediaKind.AUDIO, packetType, 0, multitrack, multitrackType, dts90k, out,
                detail);
    }

    /** The body of one audio track, [pos, end). */
    private static Result audioTrack(ByteBuf body, int start, int pos, int end, Codec codec, int packetType,
            int trackId, long dts90k, List<MediaPacket> out, Detail detail) {
        switch (packetType) {
            case AUDIO_SEQUENCE_START:
                return addAudio(body, start, pos, end, codec, PacketType.SEQUENCE_HEADER, trackId, dts90k, 0, out,
                        detail);
            case AUDIO_CODED_FRAMES:
                return addAudio(body, start, pos, end, codec, PacketType.FRAME, trackId, dts90k, 0, out, detail);
            case AUDIO_SEQUENCE_END:
                return addAudio(body, start, pos, end, codec, PacketType.SEQUENCE_END, trackId, dts90k, 0, out,
                        detail);
            case AUDIO_MULTICHANNEL_CONFIG: {
                // E2: UI8 audioChannelOrder, UI8 channelCount, then UI8[channelCount] (Custom) or UI32 mask (Native).
                if (end - pos < 2) {
                    return problem(detail, Result.MALFORMED, "multichannel configuration cut short", pos - start,
                            NONE);
                }
                int order = body.getUnsignedByte(pos);
                int length;
                if (order == CHANNEL_ORDER_UNSPECIFIED) {
                    length = 2;
                } else if (order == CHANNEL_ORDER_NATIVE) {
                    length = 2 + 4;
                } else if (order == CHANNEL_ORDER_CUSTOM) {
                    length = 2 + body.getUnsignedByte(pos + 1);
                } else {
                    return problem(detail, Result.MALFORMED, "reserved AudioChannelOrder", pos - start, order);
                }
                if (end - pos < length) {
                    return problem(detail, Result.MALFORMED, "multichannel configuration cut short", pos - start,
                            length);
                }
                return addAudio(body, start, pos, pos + length, codec, PacketType.METADATA, trackId, dts90k, 0, out,
                        detail);
            }
            default:
                throw new AssertionError("packet type not filtered: " + packetType);
        }
    }

    /**
     * Adds one audio packet with payload [from, to). Returns OK, IGNORED for an empty frame (skipped, detail
     * untouched) or MALFORMED for an empty sequence header of a codec that needs one.
     */
    private static Result addAudio(ByteBuf body, int start, int from, int to, Codec codec, PacketType type,
            int trackId, long dts90k, int codecFlags, List<MediaPacket> out, Detail detail) {
        if (from == to) {
            if (type == PacketType.FRAME) {
                return Result.IGNORED;
            }
            if (type == PacketType.SEQUENCE_HEADER && (codec == Codec.AAC || codec == Codec.FLAC)) {
                return problem(detail, Result.MALFORMED, "empty audio decoder configuration", from - start, NONE);
            }
        }
        int length = type == PacketType.SEQUENCE_END ? 0 : to - from;
        // The retained slice is owned by the packet, released with it.
        out.add(MediaPacket.audio(codec, type, trackId, dts90k, codecFlags, body.retainedSlice(from, length)));
        return Result.OK;
    }

    // ---------------------------------------------------------------------------------------------------- shared

    /**
     * E2 ModEx: {@code UI8 sizeMinus1} (255: {@code UI16 sizeMinus1} follows), {@code UI8[size] modExData},
     * {@code UB4 modExType}, {@code UB4 nextPacketType}. Returns the position after that last byte (whose low nibble
     * is the next packet type), or -1 with {@code detail} set.
     */
    private static int skipModEx(ByteBuf body, int start, int pos, int end, Detail detail) {
        if (pos == end) {
            problem(detail, Result.MALFORMED, "ModEx size missing", pos - start, NONE);
            return -1;
        }
        int size = body.getUnsignedByte(pos++) + 1;
        if (size == 256) {
            if (end - pos < 2) {
                problem(detail, Result.MALFORMED, "ModEx 16-bit size cut short", pos - start, NONE);
                return -1;
            }
            size = body.getUnsignedShort(pos) + 1;
            pos += 2;
        }
        if (end - pos < size + 1) {
            problem(detail, Result.MALFORMED, "ModEx data and type beyond the message", pos - start, size);
            return -1;
        }
        // modExType (high nibble of the byte after the data): TimestampOffsetNano or unknown, both skipped (see
        // the class description).
        return pos + size + 1;
    }

    /**
     * E2 ExVideoTagBody / ExAudioTagBody loop from the FourCC on: {@code FOURCC} unless ManyTracksManyCodecs, then
     * per track {@code [FOURCC] [UI8 trackId] [UI24 sizeOfTrack]} and the track's body.
     */
    private static Result tracks(ByteBuf body, int start, int pos, int end, MediaKind kind, int packetType,
            int frameType, boolean multitrack, int multitrackType, long dts90k, List<MediaPacket> out,
            Detail detail) {
        boolean manyCodecs = multitrack && multitrackType == MULTITRACK_MANY_TRACKS_MANY_CODECS;
        boolean sized = multitrack && multitrackType != MULTITRACK_ONE_TRACK;
        Codec codec = null;
        if (!manyCodecs) {
            if (end - pos < 4) {
                return problem(detail, Result.MALFORMED, "FourCC cut short", pos - start, NONE);
            }
            int fourCc = body.getInt(pos);
            codec = Codec.byFourCc(kind, fourCc);
            if (codec == null) {
                return problem(detail, Result.UNSUPPORTED_CODEC, "unknown FourCC", pos - start, fourCc, true);
            }
            pos += 4;
        }
        int mark = out.size();
        do {
            if (manyCodecs) {
                if (end - pos < 4) {
                    return rollback(out, mark, problem(detail, Result.MALFORMED, "track FourCC cut short",
                            pos - start, NONE));
                }
                int fourCc = body.getInt(pos);
                codec = Codec.byFourCc(kind, fourCc);
                if (codec == null) {
                    return rollback(out, mark, problem(detail, Result.UNSUPPORTED_CODEC, "unknown track FourCC",
                            pos - start, fourCc, true));
                }
                pos += 4;
            }
            int trackId = 0;
            if (multitrack) {
                if (pos == end) {
                    return rollback(out, mark, problem(detail, Result.MALFORMED, "trackId missing", pos - start,
                            NONE));
                }
                trackId = body.getUnsignedByte(pos++);
            }
            int trackEnd = end;
            if (sized) {
                if (end - pos < 3) {
                    return rollback(out, mark, problem(detail, Result.MALFORMED, "sizeOfTrack cut short",
                            pos - start, NONE));
                }
                int size = body.getUnsignedMedium(pos);
                pos += 3;
                if (size > end - pos) {
                    return rollback(out, mark, problem(detail, Result.MALFORMED, "sizeOfTrack beyond the message",
                            pos - 3 - start, size));
                }
                trackEnd = pos + size;
            }
            Result r = kind == MediaKind.VIDEO
                    ? videoTrack(body, start, pos, trackEnd, codec, packetType, frameType, trackId, dts90k, out,
                            detail)
                    : audioTrack(body, start, pos, trackEnd, codec, packetType, trackId, dts90k, out, detail);
            if (r != Result.OK && r != Result.IGNORED) {
                return rollback(out, mark, r);
            }
            pos = trackEnd;
        } while (sized && pos < end);
        if (out.size() == mark) {
            return problem(detail, Result.IGNORED, "empty coded frame", pos - start, NONE);
        }
        return Result.OK;
    }

    /** For a single-track body: an IGNORED from addVideo/addAudio means the one frame was empty. */
    private static Result single(Detail detail, int offset, Result r) {
        if (r == Result.IGNORED) {
            return problem(detail, Result.IGNORED, "empty coded frame", offset, NONE);
        }
        return r;
    }

    /** Releases and removes the packets added since {@code mark}. */
    private static Result rollback(List<MediaPacket> out, int mark, Result r) {
        for (int i = out.size() - 1; i >= mark; i--) {
            out.remove(i).release();
        }
        return r;
    }

    private static Result problem(Detail detail, Result r, String reason, int offset, long value) {
        return problem(detail, r, reason, offset, value, false);
    }

    private static Result problem(Detail detail, Result r, String reason, int offset, long value,
            boolean valueIsFourCc) {
        return detail == null ? r : detail.set(r, reason, offset, value, valueIsFourCc);
    }
}
