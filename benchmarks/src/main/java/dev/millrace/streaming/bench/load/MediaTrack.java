package dev.millrace.streaming.bench.load;

import dev.millrace.streaming.bench.CodecConfigVectors;
import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvFormatException;
import dev.millrace.streaming.core.flv.FlvHeader;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.core.flv.FlvTag;
import dev.millrace.streaming.core.flv.FlvTagReader;
import dev.millrace.streaming.rtmp.message.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The media every publisher of a run sends: decoder configurations, metadata, and an endless timeline of frame
 * templates that each publisher walks with its own {@link Cursor}. Synthetic ({@link #synthetic}) or replayed from an
 * FLV file ({@link #flv}).
 *
 * <p>The templates are shared and immutable; a publisher sends a retained duplicate of one (rebased to its timeline),
 * or, for an H.264 frame, a new packet with the {@link FrameStamp} in front of the template's NAL units. Thread-safe
 * once built; {@link #close()} releases the templates after the last publisher stopped.
 */
final class MediaTrack implements AutoCloseable {

    /** One timeline entry: a template and its timestamp within one pass. */
    private record Entry(MediaPacket template, long dtsMillis) {
    }

    private final String description;
    private final List<MediaPacket> configs;
    private final Map<String, Object> metadata;
    private final MediaPacket metadataPacket;
    /** FLV replay: one pass of the file, looped every {@link #loopMillis}. */
    private final List<Entry> timeline;
    private final long loopMillis;
    /** Synthetic: one GOP of video templates and a cycle of audio templates, timed by frame counters. */
    private final List<MediaPacket> videoFrames;
    private final List<MediaPacket> audioFrames;
    private final double fps;

    private MediaTrack(String description, List<MediaPacket> configs, Map<String, Object> metadata,
            MediaPacket metadataPacket, List<Entry> timeline, long loopMillis, List<MediaPacket> videoFrames,
            List<MediaPacket> audioFrames, double fps) {
        this.description = description;
        this.configs = configs;
        this.metadata = metadata;
        this.metadataPacket = metadataPacket;
        this.timeline = timeline;
        this.loopMillis = loopMillis;
        this.videoFrames = videoFrames;
        this.audioFrames = audioFrames;
        this.fps = fps;
    }

    /**
     * A synthetic H.264 + AAC stream: the real AVC and AAC sequence headers of {@link CodecConfigVectors}, a keyframe
     * about a third of each GOP's bytes, inter frames sized (with a fixed-seed spread of +-30 %) so that the FLV
     * message bytes, {@link FrameStamp} included, make {@code videoKbps}; AAC frames of 1024 samples at 48 kHz making
     * {@code audioKbps} (none when 0). Payload bytes are random, from a fixed seed.
     */
    static MediaTrack synthetic(int videoKbps, int audioKbps, int fps, double gopSeconds) {
        SplittableRandom random = new SplittableRandom(0x6d696c6cL);
        int gopFrames = Math.max(1, (int) Math.round(fps * gopSeconds));
        double bytesPerFrame = videoKbps * 125.0 / fps;
        double gopBytes = bytesPerFrame * gopFrames;
        double keyBytes = gopFrames == 1 ? gopBytes : gopBytes / 3;
        double[] weights = new double[gopFrames];
        double weightSum = 0;
        for (int i = 1; i < gopFrames; i++) {
            weights[i] = 0.7 + 0.6 * random.nextDouble();
            weightSum += weights[i];
        }
        // FLV message = 5-byte AVC header + stamp + 4-byte NAL length + slice NAL
        int overhead = 5 + FrameStamp.AVCC_BYTES + 4;
        List<MediaPacket> video = new ArrayList<>(gopFrames);
        for (int i = 0; i < gopFrames; i++) {
            double target = i == 0 ? keyBytes : (gopBytes - keyBytes) * weights[i] / weightSum;
            int nalBytes = Math.max(16, (int) Math.round(target) - overhead);
            byte[] payload = new byte[4 + nalBytes];
            random.nextBytes(payload);
            // ISO 14496-15 5.3.3: 4-byte length; H.264 7.3.1 NAL header: nal_ref_idc 3, type 5 (IDR) or 1 (non-IDR)
            payload[0] = (byte) (nalBytes >>> 24);
            payload[1] = (byte) (nalBytes >>> 16);
            payload[2] = (byte) (nalBytes >>> 8);
            payload[3] = (byte) nalBytes;
            payload[4] = (byte) (i == 0 ? 0x65 : 0x41);
            video.add(MediaPacket.video(Codec.H264, PacketType.FRAME, 0, 0, 0, i == 0, false,
                    Unpooled.wrappedBuffer(payload)));
        }
        List<MediaPacket> configs = new ArrayList<>(2);
        configs.add(MediaPacket.video(Codec.H264, PacketType.SEQUENCE_HEADER, 0, 0, 0, true, false,
                Unpooled.wrappedBuffer(CodecConfigVectors.avcDecoderConfigurationRecord())));
        List<MediaPacket> audio = new ArrayList<>();
        if (audioKbps > 0) {
            // FLV 10.1 E.4.2.1: SoundRate 3 (44 kHz, as FLV writes for any AAC), SoundSize 16 bit, stereo
            int flags = 0x0F;
            configs.add(MediaPacket.audio(Codec.AAC, PacketType.SEQUENCE_HEADER, 0, 0, flags,
                    Unpooled.wrappedBuffer(CodecConfigVectors.aacAudioSpecificConfig())));
            double framesPerSecond = (double) CodecConfigVectors.AAC_SAMPLE_RATE / CodecConfigVectors.AAC_FRAME_SAMPLES;
            double audioBytes = audioKbps * 125.0 / framesPerSecond - 2; // minus the 2-byte AAC header
            for (int j = 0; j < 16; j++) {
                int size = Math.max(FrameStamp.AUDIO_BYTES, (int) Math.round(audioBytes * (0.95 + 0.1 * j / 15.0)));
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                audio.add(MediaPacket.audio(Codec.AAC, PacketType.FRAME, 0, 0, flags, Unpooled.wrappedBuffer(payload)));
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("width", (double) CodecConfigVectors.AVC_WIDTH);
        meta.put("height", (double) CodecConfigVectors.AVC_HEIGHT);
        meta.put("framerate", (double) fps);
        meta.put("videocodecid", 7.0); // FLV 10.1 E.4.3.1 CodecID 7, AVC
        meta.put("videodatarate", (double) videoKbps);
        if (audioKbps > 0) {
            meta.put("audiocodecid", 10.0); // E.4.2.1 SoundFormat 10, AAC
            meta.put("audiodatarate", (double) audioKbps);
            meta.put("audiosamplerate", (double) CodecConfigVectors.AAC_SAMPLE_RATE);
            meta.put("audiosamplesize", 16.0);
            meta.put("stereo", true);
        }
        meta.put("encoder", "millrace-load-harness");
        String description = "synthetic H.264 " + videoKbps + " kbps " + fps + " fps GOP " + gopFrames + " frames"
                + (audioKbps > 0 ? " + AAC " + audioKbps + " kbps" : ", no audio");
        return new MediaTrack(description, Collections.unmodifiableList(configs), Collections.unmodifiableMap(meta),
                null, null, 0, video, audio, fps);
    }

    /**
     * Replays an FLV file (FLV 10.1 Annex E, legacy or enhanced): its first sequence header of each kind and its first
     * {@code onMetaData} are sent at the start of each publish; its frames form the timeline, looped with timestamps
     * continuing across loops (a loop lasts from the first frame to one mean video frame interval after the last).
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it is not an FLV file or holds no audio or video frame
     */
    static MediaTrack flv(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        List<MediaPacket> configs = new ArrayList<>(2);
        List<Entry> timeline = new ArrayList<>();
        MediaPacket metadataPacket = null;
        boolean videoConfig = false;
        boolean audioConfig = false;
        List<MediaPacket> parsed = new ArrayList<>(2);
        boolean done = false;
        try {
            FlvHeader header = FlvHeader.read(in);
            if (header == null) {
                throw new IllegalArgumentException(file + ": too short for an FLV file");
            }
            FlvTag tag;
            while ((tag = FlvTagReader.read(in, FlvTag.MAX_DATA_SIZE)) != null) {
                try {
                    long dts90k = tag.timestampMillis() * MediaPacket.TICKS_PER_MILLI;
                    if (tag.tagType() == MessageType.DATA_AMF0) {
                        if (metadataPacket == null && isOnMetaData(tag.content())) {
                            metadataPacket = MediaPacket.data(PacketType.METADATA, 0, tag.content().retainedSlice());
                        }
                        continue;
                    }
                    if (tag.tagType() == MessageType.VIDEO) {
                        FlvMediaParser.parseVideo(tag.content(), dts90k, parsed);
                    } else if (tag.tagType() == MessageType.AUDIO) {
                        FlvMediaParser.parseAudio(tag.content(), dts90k, parsed);
                    }
                    for (int i = 0; i < parsed.size(); i++) {
                        MediaPacket p = parsed.set(i, null);
                        boolean video = p.kind() == MediaKind.VIDEO;
                        if (p.type() == PacketType.FRAME) {
                            timeline.add(new Entry(p, p.dtsMillis()));
                        } else if (p.type() == PacketType.SEQUENCE_HEADER && !(video ? videoConfig : audioConfig)) {
                            videoConfig |= video;
                            audioConfig |= !video;
                            configs.add(p.shifted(-p.dts90k()));
                            p.release();
                        } else {
                            p.release();
                        }
                    }
                    parsed.clear();
                } finally {
                    tag.release();
                }
            }
            if (timeline.isEmpty()) {
                throw new IllegalArgumentException(file + ": no audio or video frames");
            }
            done = true;
        } catch (FlvFormatException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        } finally {
            in.release();
            for (MediaPacket p : parsed) {
                if (p != null) {
                    p.release();
                }
            }
            if (!done) {
                configs.forEach(MediaPacket::release);
                timeline.forEach(e -> e.template().release());
                if (metadataPacket != null) {
                    metadataPacket.release();
                }
            }
        }
        timeline.sort((a, b) -> Long.compare(a.dtsMillis(), b.dtsMillis())); // stable: tag order on ties
        long first = timeline.get(0).dtsMillis();
        long firstVideo = -1;
        long lastVideo = -1;
        int videoCount = 0;
        List<Entry> rebased = new ArrayList<>(timeline.size());
        for (Entry e : timeline) {
            long dts = e.dtsMillis() - first;
            rebased.add(new Entry(e.template(), dts));
            if (e.template().kind() == MediaKind.VIDEO) {
                firstVideo = firstVideo < 0 ? dts : firstVideo;
                lastVideo = dts;
                videoCount++;
            }
        }
        long frameMillis = videoCount > 1 ? Math.max(1, (lastVideo - firstVideo) / (videoCount - 1)) : 33;
        long loopMillis = rebased.get(rebased.size() - 1).dtsMillis() + frameMillis;
        String description = "FLV " + file.getFileName() + " (" + rebased.size() + " frames, loop " + loopMillis
                + " ms)";
        return new MediaTrack(description, Collections.unmodifiableList(configs), null, metadataPacket,
                Collections.unmodifiableList(rebased), loopMillis, null, null, 0);
    }

    /** AMF0 2.4: a string marker, length 10, "onMetaData". */
    private static boolean isOnMetaData(ByteBuf body) {
        int at = body.readerIndex();
        return body.readableBytes() > 13 && body.getUnsignedByte(at) == 0x02 && body.getUnsignedShort(at + 1) == 10
                && body.toString(at + 3, 10, java.nio.charset.StandardCharsets.US_ASCII).equals("onMetaData");
    }

    /** What the track is, for the summary. */
    String description() {
        return description;
    }

    /** Synthetic media, whose audio frames may carry a {@link FrameStamp} audio stamp; false for an FLV replay. */
    boolean synthetic() {
        return timeline == null;
    }

    /** The decoder configurations, timestamp 0. Borrowed: send {@code retainedDuplicate()}s. */
    List<MediaPacket> configs() {
        return configs;
    }

    /** Synthetic metadata values for {@code RtmpPublisher.sendMetadata}; null for an FLV replay. */
    Map<String, Object> metadata() {
        return metadata;
    }

    /** The FLV's own {@code onMetaData} as a data packet; null if synthetic or the file has none. Borrowed. */
    MediaPacket metadataPacket() {
        return metadataPacket;
    }

    /** A new walk through the timeline from timestamp 0. */
    Cursor cursor() {
        return new Cursor();
    }

    @Override
    public void close() {
        configs.forEach(MediaPacket::release);
        if (metadataPacket != null) {
            metadataPacket.release();
        }
        if (timeline != null) {
            timeline.forEach(e -> e.template().release());
        }
        if (videoFrames != null) {
            videoFrames.forEach(MediaPacket::release);
            audioFrames.forEach(MediaPacket::release);
        }
    }

    /**
     * A position in the endless timeline: the current template and its timestamp. Timestamps never decrease. Used by
     * one publisher at a time.
     */
    final class Cursor {
        private long videoIndex;
        private long audioIndex;
        private int entry;
        private long loop;
        private MediaPacket template;
        private long dtsMillis;

        private Cursor() {
            load();
        }

        /** The current template. Borrowed. */
        MediaPacket template() {
            return template;
        }

        /** The current template's timestamp on this cursor's timeline, in milliseconds. */
        long dtsMillis() {
            return dtsMillis;
        }

        /** Moves to the next template. */
        void advance() {
            if (timeline != null) {
                if (++entry == timeline.size()) {
                    entry = 0;
                    loop++;
                }
            } else if (template.kind() == MediaKind.VIDEO) {
                videoIndex++;
            } else {
                audioIndex++;
            }
            load();
        }

        private void load() {
            if (timeline != null) {
                Entry e = timeline.get(entry);
                template = e.template();
                dtsMillis = e.dtsMillis() + loop * loopMillis;
                return;
            }
            long videoMillis = Math.round(videoIndex * 1000.0 / fps);
            // 1024 samples at 48 kHz per AAC frame
            long audioMillis = audioIndex * CodecConfigVectors.AAC_FRAME_SAMPLES * 1000
                    / CodecConfigVectors.AAC_SAMPLE_RATE;
            if (audioFrames.isEmpty() || videoMillis <= audioMillis) {
                template = videoFrames.get((int) (videoIndex % videoFrames.size()));
                dtsMillis = videoMillis;
            } else {
                template = audioFrames.get((int) (audioIndex % audioFrames.size()));
                dtsMillis = audioMillis;
            }
        }
    }
}
