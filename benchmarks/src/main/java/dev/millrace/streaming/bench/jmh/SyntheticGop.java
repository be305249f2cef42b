package dev.millrace.streaming.bench.jmh;

import dev.millrace.streaming.bench.CodecConfigVectors;
import dev.millrace.streaming.rtmp.message.MessageType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One GOP (2 s) of a 600 kbps H.264 + AAC stream as an encoder publishes it over RTMP, the input of the benchmarks:
 * 30 fps video with a keyframe every 2 s, AAC-LC at 48 kHz (1024 samples a frame) and about 128 kbps.
 *
 * <ul>
 *   <li>Video: one 50,000-byte keyframe and 59 inter frames of 700..1,600 bytes (mean about 1,150), each an FLV
 *       VIDEODATA body (FLV 10.1 E.4.3.1: {@code 0x17}/{@code 0x27}, AVCPacketType 1, CompositionTime 0) around one
 *       AVCC NAL unit (4-byte length, then the NAL). Timestamps {@code round(i * 1000 / 30)} ms.</li>
 *   <li>Audio: 94 frames of 320..362 bytes (mean about 341, i.e. 128 kbps), each an FLV AUDIODATA body (E.4.2:
 *       {@code 0xAF}, AACPacketType 1) around raw AAC. Timestamps {@code round(j * 1024 * 1000 / 48000)} ms.</li>
 *   <li>About 150,000 bytes of message data in 154 messages, interleaved in timestamp order (video first on a
 *       tie), which is 600 kbps.</li>
 * </ul>
 * Sizes and payload bytes come from a {@link SplittableRandom} with a fixed seed: every run sees the same stream.
 *
 * <p>On the wire ({@link #chunkStream()}) the GOP is chunked the way OBS sends it (its librtmp: {@code RTMP_Write}
 * puts audio, video and script data on chunk stream 4 with a type 1 header, and {@code RTMP_SendPacket} turns that
 * into type 2 when the length and type repeat; FFmpeg likewise uses one chunk stream for all media), at OBS's chunk
 * size 4096, on message stream 1. The chunk bytes repeat seamlessly: the first message's header is computed against
 * the last one's, so a reader may feed {@code chunkStream()} in a loop after {@link #preamble()}, and timestamps keep
 * increasing by 2,000 ms a loop.
 */
final class SyntheticGop {

    static final int GOP_MILLIS = 2000;
    static final int CHUNK_SIZE = 4096;
    /** librtmp's media channel. */
    static final int CHUNK_STREAM_ID = 4;
    static final int MESSAGE_STREAM_ID = 1;
    static final int KEYFRAME_BYTES = 50_000;
    static final int VIDEO_FRAMES = 60;
    static final int AUDIO_FRAMES = 94;
    static final int MESSAGES = VIDEO_FRAMES + AUDIO_FRAMES;

    /** AVC sequence header as an FLV VIDEODATA body; see {@link CodecConfigVectors#AVC_SEQUENCE_HEADER_HEX}. */
    static final String AVC_SEQUENCE_HEADER_HEX = CodecConfigVectors.AVC_SEQUENCE_HEADER_HEX;

    /** AAC sequence header as an FLV AUDIODATA body; see {@link CodecConfigVectors#AAC_SEQUENCE_HEADER_HEX}. */
    static final String AAC_SEQUENCE_HEADER_HEX = CodecConfigVectors.AAC_SEQUENCE_HEADER_HEX;

    /** One RTMP media message: an FLV tag body with its type id and timestamp. */
    record Message(int typeId, long timestampMillis, boolean keyframe, byte[] body) {
    }

    private static final List<Message> MESSAGE_LIST = build();

    private SyntheticGop() {
    }

    /** The GOP's messages in send order (shared, do not modify the bodies). */
    static List<Message> messages() {
        return MESSAGE_LIST;
    }

    /** Total message data of one GOP, chunk headers not counted. */
    static int messageBytes() {
        int n = 0;
        for (Message m : MESSAGE_LIST) {
            n += m.body().length;
        }
        return n;
    }

    private static List<Message> build() {
        SplittableRandom random = new SplittableRandom(0x6d696c6cL);
        List<Message> video = new ArrayList<>(VIDEO_FRAMES);
        for (int i = 0; i < VIDEO_FRAMES; i++) {
            boolean key = i == 0;
            int size = key ? KEYFRAME_BYTES : 700 + random.nextInt(901);
            byte[] body = new byte[size];
            random.nextBytes(body);
            // FLV 10.1 E.4.3.1: FrameType 1 (key) or 2 (inter) | CodecID 7, AVCPacketType 1 (NALU), SI24 CTS 0
            body[0] = (byte) (key ? 0x17 : 0x27);
            body[1] = 0x01;
            body[2] = 0;
            body[3] = 0;
            body[4] = 0;
            // ISO 14496-15 5.3.3: one NAL unit with a 4-byte length; NAL header type 5 (IDR) or 1 (non-IDR)
            int nalLength = size - 9;
            body[5] = (byte) (nalLength >>> 24);
            body[6] = (byte) (nalLength >>> 16);
            body[7] = (byte) (nalLength >>> 8);
            body[8] = (byte) nalLength;
            body[9] = (byte) (key ? 0x65 : 0x41);
            video.add(new Message(MessageType.VIDEO, Math.round(i * 1000.0 / 30), key, body));
        }
        List<Message> audio = new ArrayList<>(AUDIO_FRAMES);
        for (int j = 0; j < AUDIO_FRAMES; j++) {
            byte[] body = new byte[320 + random.nextInt(43)];
            random.nextBytes(body);
            // FLV 10.1 E.4.2.1: SoundFormat 10 (AAC), 44 kHz, 16 bit, stereo; E.4.2.2 AACPacketType 1 (raw)
            body[0] = (byte) 0xAF;
            body[1] = 0x01;
            audio.add(new Message(MessageType.AUDIO, Math.round(j * 1024 * 1000.0 / 48000), false, body));
        }
        List<Message> all = new ArrayList<>(MESSAGES);
        int v = 0;
        int a = 0;
        while (v < video.size() || a < audio.size()) {
            if (a == audio.size()
                    || v < video.size() && video.get(v).timestampMillis() <= audio.get(a).timestampMillis()) {
                all.add(video.get(v++));
            } else {
                all.add(audio.get(a++));
            }
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * What a publisher sends before its media, once the session is set up: Set Chunk Size 4096 (chunk stream 2, at
     * the initial chunk size 128) and OBS's {@code @setDataFrame onMetaData} on chunk stream 4 with a type 0 header,
     * timestamp 0: it gives chunk stream 4 the header state that the type 1 headers of {@link #chunkStream()}
     * continue from.
     */
    static byte[] preamble() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // RTMP 5.4.1 Set Chunk Size: type 1, message stream 0, chunk stream 2, 4-byte size
        writeMessage(out, 0, 2, 0, MessageType.SET_CHUNK_SIZE, 0, new byte[] {0, 0, 0x10, 0}, 128);
        writeMessage(out, 0, CHUNK_STREAM_ID, 0, MessageType.DATA_AMF0, MESSAGE_STREAM_ID,
                CommandVectors.obsSetDataFrame(), CHUNK_SIZE);
        return out.toByteArray();
    }

    /** The GOP's messages as chunks (see the class comment); loops seamlessly. */
    static byte[] chunkStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(MESSAGES * 16 + messageBytes());
        for (int i = 0; i < MESSAGE_LIST.size(); i++) {
            Message m = MESSAGE_LIST.get(i);
            Message prev = MESSAGE_LIST.get(i == 0 ? MESSAGE_LIST.size() - 1 : i - 1);
            long prevTimestamp = i == 0 ? prev.timestampMillis() - GOP_MILLIS : prev.timestampMillis();
            // librtmp RTMP_SendPacket: a type 1 (length, type id, delta) header becomes type 2 (delta only) when the
            // length and type id equal those of the previous message on the chunk stream (RTMP 5.3.1.2.2-3).
            int fmt = prev.body().length == m.body().length && prev.typeId() == m.typeId() ? 2 : 1;
            writeMessage(out, fmt, CHUNK_STREAM_ID, m.timestampMillis() - prevTimestamp, m.typeId(),
                    MESSAGE_STREAM_ID, m.body(), CHUNK_SIZE);
        }
        return out.toByteArray();
    }

    /**
     * Writes one message as chunks on a chunk stream below 64: a type {@code fmt} first chunk (RTMP 5.3.1.1 1-byte
     * basic header; 5.3.1.2.1-3 message header of 11, 7 or 3 bytes, big-endian fields, message stream id
     * little-endian), then a type 3 basic header before every further {@code chunkSize} bytes (5.3.1.2.4). The
     * timestamp field (absolute for type 0, a delta otherwise) stays below 0xFFFFFF, so there is no extended
     * timestamp.
     */
    static void writeMessage(ByteArrayOutputStream out, int fmt, int csid, long timestampField, int typeId,
            int messageStreamId, byte[] body, int chunkSize) {
        if (csid < 2 || csid > 63 || timestampField < 0 || timestampField >= 0xFFFFFF) {
            throw new IllegalArgumentException("csid " + csid + ", timestamp field " + timestampField);
        }
        out.write(fmt << 6 | csid);
        u24(out, (int) timestampField);
        if (fmt <= 1) {
            u24(out, body.length);
            out.write(typeId);
        }
        if (fmt == 0) {
            out.write(messageStreamId);
            out.write(messageStreamId >>> 8);
            out.write(messageStreamId >>> 16);
            out.write(messageStreamId >>> 24);
        }
        for (int pos = 0; pos < body.length; pos += chunkSize) {
            if (pos > 0) {
                out.write(3 << 6 | csid);
            }
            out.write(body, pos, Math.min(chunkSize, body.length - pos));
        }
    }

    private static void u24(ByteArrayOutputStream out, int v) {
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
