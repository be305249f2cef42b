package dev.millrace.streaming.bench.jmh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** AMF0 command and data message bodies that real publishers send, as benchmark inputs. */
final class CommandVectors {

    private CommandVectors() {
    }

    /**
     * The body of the {@code connect} command (type 20) FFmpeg 8.0.1 sent when publishing: the vector
     * {@code FFMPEG_8_0_1_CAPTURED_CONNECT} of streaming-rtmp's AMF tests, captured from the ffmpeg program of bytedeco
     * ffmpeg-8.0.1-1.5.13 ({@code ffmpeg -f lavfi -i testsrc=size=64x64:rate=1 -t 1 -c:v libx264 -f flv
     * rtmp://127.0.0.1:33051/live/stream}). 139 bytes: "connect", 1.0, {app, type, flashVer, tcUrl}.
     */
    static final String FFMPEG_CONNECT_HEX = ""
            + "0200 0763 6f6e 6e65 6374 003f f000 0000"
            + "0000 0003 0003 6170 7002 0004 6c69 7665"
            + "0004 7479 7065 0200 0a6e 6f6e 7072 6976"
            + "6174 6500 0866 6c61 7368 5665 7202 0023"
            + "464d 4c45 2f33 2e30 2028 636f 6d70 6174"
            + "6962 6c65 3b20 4c61 7666 3632 2e33 2e31"
            + "3030 2900 0574 6355 726c 0200 1b72 746d"
            + "703a 2f2f 3132 372e 302e 302e 313a 3333"
            + "3035 312f 6c69 7665 0000 09";

    static byte[] ffmpegConnect() {
        return hex(FFMPEG_CONNECT_HEX);
    }

    /**
     * The body of the data message (type 18) OBS sends before its first frame: {@code "@setDataFrame"} (added by
     * OBS's librtmp {@code RTMP_Write} for script tags), {@code "onMetaData"} and the ECMA array built by
     * {@code build_flv_meta_data} in OBS's plugins/obs-outputs/flv-mux.c, with its advisory count 20, its 20 fields
     * in its order and the values of a 1280x720 30 fps x264 stream at 2500 kbps with 160 kbps AAC, 48 kHz stereo.
     * Written from that source, not captured: the field names, order and types are OBS's, the numbers are one
     * plausible configuration. AMF0 markers: 0x02 string, 0x00 number, 0x01 boolean, 0x08 ECMA array.
     */
    static byte[] obsSetDataFrame() {
        Amf0Bytes b = new Amf0Bytes();
        b.string("@setDataFrame");
        b.string("onMetaData");
        b.ecmaArray(20);
        b.number("duration", 0.0);
        b.number("fileSize", 0.0);
        b.number("width", 1280.0);
        b.number("height", 720.0);
        b.string("videocodecid", "avc1");
        b.number("videodatarate", 2500.0);
        b.number("framerate", 30.0);
        b.string("audiocodecid", "mp4a");
        b.number("audiodatarate", 160.0);
        b.number("audiosamplerate", 48000.0);
        b.number("audiosamplesize", 16.0);
        b.number("audiochannels", 2.0);
        b.bool("stereo", true);
        b.bool("2.1", false);
        b.bool("3.1", false);
        b.bool("4.0", false);
        b.bool("4.1", false);
        b.bool("5.1", false);
        b.bool("7.1", false);
        b.string("encoder", "obs-output module (libobs version 30.2.3)");
        b.objectEnd();
        return b.toByteArray();
    }

    static byte[] hex(String s) {
        String digits = s.replace(" ", "");
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** Writes AMF0 (Adobe AMF0 specification) by hand, so inputs do not depend on the writer under test. */
    private static final class Amf0Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** AMF0 2.4 string: marker 0x02, U16 length, UTF-8. */
        void string(String value) {
            out.write(0x02);
            utf8(value);
        }

        /** AMF0 2.10 ECMA array: marker 0x08, U32 count (advisory). */
        void ecmaArray(int count) {
            out.write(0x08);
            u16(count >>> 16);
            u16(count & 0xFFFF);
        }

        /** A property: U16-length UTF-8 name, then an AMF0 2.2 number (marker 0x00, 8-byte IEEE 754 double). */
        void number(String name, double value) {
            utf8(name);
            out.write(0x00);
            long bits = Double.doubleToLongBits(value);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (bits >>> shift) & 0xFF);
            }
        }

        /** A property with an AMF0 2.3 boolean (marker 0x01, one byte). */
        void bool(String name, boolean value) {
            utf8(name);
            out.write(0x01);
            out.write(value ? 1 : 0);
        }

        /** A property with a string value. */
        void string(String name, String value) {
            utf8(name);
            string(value);
        }

        /** AMF0 2.11: empty name (U16 0) and the object-end marker 0x09. */
        void objectEnd() {
            u16(0);
            out.write(0x09);
        }

        private void utf8(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u16(bytes.length);
            out.writeBytes(bytes);
        }

        private void u16(int v) {
            out.write(v >>> 8);
            out.write(v & 0xFF);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
