#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets in dev.millrace.streaming.core.fuzz (see README.md).

Usage: make-seeds.py (no arguments). Reads the golden files of this module (src/test/resources/golden/flv and
golden/codec, made by FFmpeg 8.0.1; see their READMEs) and builds the rest by hand, field by field, from FLV 10.1
Annex E, enhanced RTMP v2 (E2), ISO/IEC 14496-15 and ISO/IEC 14496-3. Deterministic.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "..", "golden"))


def write(test_class, method, name, data):
    d = os.path.join(HERE, test_class + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def golden(path):
    with open(os.path.join(GOLDEN, path), "rb") as f:
        return f.read()


def u24(v):
    return struct.pack(">I", v)[1:]


def tags(flv):
    """(offset, length with back pointer, type, body) of every tag after the 13-byte header (E.2, E.3)."""
    out, pos = [], 13
    while pos + 11 <= len(flv):
        size = int.from_bytes(flv[pos + 1:pos + 4], "big")
        out.append((pos, 11 + size + 4, flv[pos] & 0x1F, flv[pos + 11:pos + 11 + size]))
        pos += 11 + size + 4
    return out


def tag(tag_type, ts, body, stream_id=0, first_bits=0):
    """E.4.1 tag header (UB2 reserved, UB1 filter, UB5 type; UI24 size; UI24+UI8 timestamp; UI24 stream id), body,
    UI32 PreviousTagSize."""
    return (bytes([first_bits | tag_type]) + u24(len(body)) + u24(ts & 0xFFFFFF) + bytes([ts >> 24])
            + u24(stream_id) + body + struct.pack(">I", 11 + len(body)))


def fourcc(s):
    return s.encode("ascii")


H264 = golden("flv/h264_aac.flv")
HEVC = golden("flv/hevc_opus.flv")


def first_body(flv, tag_type, prefix):
    for _, _, t, body in tags(flv):
        if t == tag_type and body.startswith(prefix):
            return body
    raise KeyError(prefix.hex())


def tag_reader_seeds():
    c = "FlvTagReaderFuzzTest"
    m = "tagsFromAGrowingBufferAreTheirHeadersAndBodiesOrAFlvFormatException"
    # Byte 0: limit selector (0: 0xFFFFFF, 1: 0, 2: 1, 3: 100, 4: 4096, 5: 65536), bit 7 releases each tag at
    # once; bytes 1, 2: cuts.
    h = tags(H264)
    write(c, m, "golden-h264-aac-first-6-tags", b"\x00\x40\xc0" + H264[:h[6][0]])
    write(c, m, "golden-h264-aac-first-6-tags-released-at-once", b"\x80\x01\x90" + H264[:h[6][0]])
    v = tags(HEVC)
    write(c, m, "golden-hevc-opus-first-8-tags", b"\x00\x00\x80" + HEVC[:v[8][0]])
    write(c, m, "tags-without-file-header", b"\x00\x10\x20" + H264[13:h[4][0]])
    write(c, m, "refused-data-size-over-limit-1", b"\x02\x00\x00" + H264[13:h[2][0]])
    write(c, m, "refused-filter-bit", b"\x00\x00\x00" + tag(9, 0, b"\x17\x01\x00\x00\x00", first_bits=0x20))
    write(c, m, "reserved-bits-stream-id-and-32-bit-timestamp", b"\x00\x00\x00"
          + tag(9, 0x01020304, b"\x27\x01\x00\x00\x00", stream_id=1, first_bits=0xC0) + tag(31, 5, b""))
    write(c, m, "refused-flv-version-2", b"\x00\x00\x00" + b"FLV\x02\x05" + struct.pack(">II", 9, 0))
    write(c, m, "flv-header-with-longer-data-offset", b"\x00\x00\x00" + b"FLV\x01\x05" + struct.pack(">I", 12)
          + b"xyz" + struct.pack(">I", 0) + tag(8, 0, b"\xaf\x01\x21"))

    m = "aggregateBodiesAreVisitedWhollyOrRefusedAndReadAgreesWithForEachTag"
    three = H264[h[1][0]:h[4][0]]            # video sequence header, AAC sequence header, keyframe
    write(c, m, "golden-three-tags", b"\x00" + three)
    write(c, m, "last-back-pointer-missing", b"\x00" + three[:-4])
    write(c, m, "refused-two-stray-bytes", b"\x00" + three + b"\x00\x00")
    write(c, m, "refused-tag-body-cut-short", b"\x00" + three[:-20])
    write(c, m, "refused-over-limit-100", b"\x03" + three)
    write(c, m, "refused-filter-bit", b"\x00" + tag(8, 7, b"\xaf\x01", first_bits=0x20))


# E2 Enhanced Video: UB1 IsExHeader, UB3 FrameType, UB4 PacketType; then FourCC.
def ex_video(frame_type, packet_type):
    return bytes([0x80 | frame_type << 4 | packet_type])


# E2 Enhanced Audio: SoundFormat 9 (ExHeader) in the high nibble, AudioPacketType in the low one.
def ex_audio(packet_type):
    return bytes([0x90 | packet_type])


def media_seeds():
    c = "FlvMediaParserFuzzTest"
    mv = "videoBodiesParseWithoutThrowingOrLeakingAndRoundTripThroughTheWriter"
    ma = "audioBodiesParseWithoutThrowingOrLeakingAndRoundTripThroughTheWriter"
    write(c, mv, "golden-avc-sequence-header", first_body(H264, 9, b"\x17\x00"))
    write(c, mv, "golden-avc-keyframe", first_body(H264, 9, b"\x17\x01"))
    write(c, mv, "golden-avc-inter-frame", first_body(H264, 9, b"\x27\x01"))
    write(c, mv, "golden-avc-end-of-sequence", first_body(H264, 9, b"\x17\x02"))
    write(c, mv, "golden-hevc-sequence-start", first_body(HEVC, 9, b"\x90hvc1"))
    write(c, mv, "golden-hevc-metadata-colorinfo", first_body(HEVC, 9, b"\xd4hvc1"))
    write(c, mv, "golden-hevc-coded-frames-inter", first_body(HEVC, 9, b"\xa1hvc1"))
    write(c, mv, "golden-hevc-coded-frames-x", first_body(HEVC, 9, b"\xa3hvc1"))
    nal = struct.pack(">I", 3) + b"\x26\x01\xaf"
    write(c, mv, "legacy-hevc-codec-id-12", b"\x1c\x01" + u24(0x28) + nal)       # pre-E2 encoders: AVC layout
    write(c, mv, "av1-coded-frames", ex_video(1, 1) + fourcc("av01") + b"\x12\x00\x0a\x0b\x00\x00\x00\x2d\x4c")
    write(c, mv, "vp9-sequence-start", ex_video(1, 0) + fourcc("vp09") + golden("codec/vp9-profile0-640x360-30fps.vpcC"))
    write(c, mv, "multitrack-one-track", ex_video(1, 6) + bytes([0 << 4 | 1]) + fourcc("hvc1") + b"\x01"
          + u24(0xFFFFF6) + nal)                                                   # trackId 1, CompositionTime -10
    write(c, mv, "multitrack-many-tracks", ex_video(2, 6) + bytes([1 << 4 | 3]) + fourcc("avc1")
          + b"\x00" + u24(len(nal)) + nal + b"\x02" + u24(len(nal)) + nal)       # CodedFramesX, tracks 0 and 2
    avcc = golden("codec/h264-openh264-640x360-30fps.avcC")
    write(c, mv, "multitrack-many-codecs-sequence-start", ex_video(1, 6) + bytes([2 << 4 | 0])
          + fourcc("avc1") + b"\x00" + u24(len(avcc)) + avcc
          + fourcc("av01") + b"\x01" + u24(17) + golden("codec/av1-svtav1-1280x720-30fps.av1C"))
    write(c, mv, "modex-timestamp-offset-nano", ex_video(1, 7) + b"\x02" + u24(500000) + bytes([0 << 4 | 1])
          + fourcc("avc1") + u24(40) + nal)                                        # UI8 size-1, UI24 ns, type|next
    write(c, mv, "modex-16-bit-size", ex_video(2, 7) + b"\xff" + struct.pack(">H", 1) + b"\x00\x00"
          + bytes([0xF << 4 | 3]) + fourcc("hvc1") + nal)
    write(c, mv, "command-frames", b"\x50\x00")                                    # legacy FrameType 5
    write(c, mv, "enhanced-command-frame", ex_video(5, 1) + b"\x01")
    write(c, mv, "mpeg2ts-sequence-start-ignored", ex_video(1, 5) + fourcc("av01") + b"\x80\x01")
    write(c, mv, "unknown-fourcc", ex_video(1, 1) + fourcc("xxxx") + b"\x00")
    write(c, mv, "sorenson-h263", b"\x22" + b"\x00\x00\x84\x00\x01")
    write(c, mv, "vp6-with-adjustment-byte", b"\x34\x00" + b"\x00\x78\x46")       # disposable VP6
    write(c, mv, "vvc-sequence-end", ex_video(1, 2) + fourcc("vvc1"))

    write(c, ma, "golden-aac-sequence-header", first_body(H264, 8, b"\xaf\x00"))
    write(c, ma, "golden-aac-raw", first_body(H264, 8, b"\xaf\x01"))
    write(c, ma, "golden-opus-sequence-start", first_body(HEVC, 8, b"\x90Opus"))
    write(c, ma, "golden-opus-multichannel-config", first_body(HEVC, 8, b"\x94Opus"))
    write(c, ma, "golden-opus-coded-frames", first_body(HEVC, 8, b"\x91Opus"))
    write(c, ma, "legacy-mp3", b"\x2f" + b"\xff\xfb\x90\x64\x00")
    write(c, ma, "legacy-pcm-and-g711", b"\x3e" + b"\x00\x01\x02\x03")
    write(c, ma, "speex", b"\xb2" + b"\x1d\x00")
    write(c, ma, "aac-reserved-packet-type", b"\xaf\x02\x00")
    write(c, ma, "multitrack-many-tracks-aac", ex_audio(5) + bytes([1 << 4 | 1]) + fourcc("mp4a")
          + b"\x00" + u24(3) + b"\x21\x10\x04" + b"\x01" + u24(2) + b"\x21\x10")
    write(c, ma, "multitrack-many-codecs-sequence-start", ex_audio(5) + bytes([2 << 4 | 0])
          + fourcc("Opus") + b"\x00" + u24(0)                                      # E2: empty Opus config allowed
          + fourcc("fLaC") + b"\x01" + u24(4) + b"\x80\x00\x00\x22")
    write(c, ma, "modex-then-ac3-frame", ex_audio(7) + b"\x00\x07" + bytes([0 << 4 | 1]) + fourcc("ac-3")
          + b"\x0b\x77\x00\x00")
    write(c, ma, "multichannel-config-custom", ex_audio(4) + fourcc("Opus") + b"\x02\x03\x00\x01\x02")
    write(c, ma, "multichannel-config-native", ex_audio(4) + fourcc("Opus") + b"\x01\x06" + struct.pack(">I", 0x3F))
    write(c, ma, "mp3-sequence-end-track-3", ex_audio(5) + bytes([0 << 4 | 2]) + fourcc(".mp3") + b"\x03")


def sps_of(record, hevc):
    """The first SPS of an avcC (14496-15 5.3.3.1.1) or hvcC (8.3.3.1.2)."""
    if not hevc:
        n = int.from_bytes(record[6:8], "big")
        return record[8:8 + n]
    pos, arrays = 23, record[22]
    for _ in range(arrays):
        nal_type, count = record[pos] & 0x3F, int.from_bytes(record[pos + 1:pos + 3], "big")
        pos += 3
        for _ in range(count):
            n = int.from_bytes(record[pos:pos + 2], "big")
            if nal_type == 33:
                return record[pos + 2:pos + 2 + n]
            pos += 2 + n
    raise KeyError("no SPS")


class Bits:
    def __init__(self):
        self.bits = ""

    def put(self, value, n):
        self.bits += format(value, "0%db" % n)
        return self

    def bytes(self):
        b = self.bits + "0" * (-len(self.bits) % 8)
        return bytes(int(b[i:i + 8], 2) for i in range(0, len(b), 8))


def codec_seeds():
    c = "CodecConfigFuzzTest"
    folder = os.path.join(GOLDEN, "codec")
    for f in sorted(os.listdir(folder)):
        data = golden("codec/" + f)
        if f.endswith(".avcC"):
            write(c, "avcDecoderConfigurationRecordsParseOrThrowCodecConfigException", "golden-" + f, data)
            write(c, "avcSequenceParameterSetsParseOrThrowCodecConfigException", "golden-sps-of-" + f,
                  sps_of(data, False))
        elif f.endswith(".hvcC"):
            write(c, "hevcDecoderConfigurationRecordsParseOrThrowCodecConfigException", "golden-" + f, data)
            write(c, "hevcSequenceParameterSetsParseOrThrowCodecConfigException", "golden-sps-of-" + f,
                  sps_of(data, True))
        elif f.endswith(".asc"):
            write(c, "audioSpecificConfigsParseOrThrowCodecConfigException", "golden-" + f, data)
        elif f.endswith(".av1C"):
            write(c, "av1CodecConfigurationRecordsParseOrThrowCodecConfigException", "golden-" + f, data)
        elif f.endswith(".vpcC"):
            write(c, "vp9CodecConfigurationRecordsParseOrThrowCodecConfigException", "golden-" + f, data)
    m = "audioSpecificConfigsParseOrThrowCodecConfigException"
    # ISO/IEC 14496-3 1.6.2.1: UB5 audioObjectType (31: escape, UB6 + 32), UB4 samplingFrequencyIndex (15: UB24
    # explicit), UB4 channelConfiguration, then per object type.
    write(c, m, "he-aac-explicit-sbr", Bits().put(5, 5).put(6, 4).put(2, 4).put(3, 4).put(2, 5)  # SBR, 48k ext
          .put(0, 3).bytes())                                                                    # GASpecificConfig
    write(c, m, "he-aac-v2-ps", Bits().put(29, 5).put(8, 4).put(1, 4).put(5, 4).put(2, 5).put(0, 3).bytes())
    write(c, m, "escaped-object-type-and-explicit-rate", Bits().put(31, 5).put(1, 6).put(15, 4).put(44100, 24)
          .put(2, 4).put(0, 3).bytes())                                                          # AOT 33
    write(c, m, "channel-configuration-0-with-pce", Bits().put(2, 5).put(4, 4).put(0, 4)
          .put(0, 1).put(0, 1).put(0, 1)                                                         # GASpecificConfig
          # 4.4.1.1 program_config_element: tag, object type, sf index, counts of front/side/back/lfe/assoc/cc
          .put(0, 4).put(1, 2).put(4, 4).put(1, 4).put(0, 4).put(1, 4).put(1, 2).put(0, 3).put(0, 4)
          .put(0, 1).put(0, 1).put(0, 1)                                                         # no mixdowns
          .put(1, 1).put(0, 4)                                                                   # front: CPE 0
          .put(0, 1).put(1, 4)                                                                   # back: SCE 1
          .put(0, 4)                                                                             # LFE 0
          .put(0, 8).bytes())                                                                    # comment length


def main():
    tag_reader_seeds()
    media_seeds()
    codec_seeds()


if __name__ == "__main__":
    main()
