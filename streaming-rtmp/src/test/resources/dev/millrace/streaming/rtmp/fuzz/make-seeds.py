#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets in dev.millrace.streaming.rtmp.fuzz (see README.md).

Usage: make-seeds.py PUBLISH_CAPTURE PLAY_CAPTURE
The two captures are what capture-ffmpeg.py recorded from FFmpeg 8.0.1 publishing and playing. Everything else is
built here by hand, field by field, from RTMP 1.0 (section numbers below), AMF0 and AMF3. The script is
deterministic: the same captures give the same files.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(test_class, method, name, data):
    d = os.path.join(HERE, test_class + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ------------------------------------------------------------------------------------------------ AMF0 / AMF3

def s(text):                          # AMF0 2.4 string: marker, U16 length, UTF-8
    b = text.encode()
    return b"\x02" + struct.pack(">H", len(b)) + b


def name(text):                       # AMF0 property name: U16 length, UTF-8 (no marker)
    b = text.encode()
    return struct.pack(">H", len(b)) + b


def num(v):                           # AMF0 2.2 number
    return b"\x00" + struct.pack(">d", v)


NULL = b"\x05"                        # AMF0 2.7
END = b"\x00\x00\x09"                 # AMF0 2.11: empty name, object end marker


def obj(*pairs):                      # AMF0 2.5 anonymous object
    return b"\x03" + b"".join(name(k) + v for k, v in pairs) + END


def u29s(text):                       # AMF3 1.3.2 UTF-8-vr inline: U29 (length << 1 | 1), bytes
    b = text.encode()
    return u29(len(b) << 1 | 1) + b


def u29(v):                           # AMF3 1.3.1 U29, 1 to 4 bytes
    if v < 0x80:
        return bytes([v])
    if v < 0x4000:
        return bytes([0x80 | v >> 7, v & 0x7F])
    if v < 0x200000:
        return bytes([0x80 | v >> 14, 0x80 | (v >> 7) & 0x7F, v & 0x7F])
    return bytes([0x80 | v >> 22, 0x80 | (v >> 15) & 0x7F, 0x80 | (v >> 8) & 0x7F, v & 0xFF])


# ------------------------------------------------------------------------------------------------ chunks

def basic(fmt, csid):                 # RTMP 5.3.1.1 basic header, 1-, 2- or 3-byte form
    if csid < 64:
        return bytes([fmt << 6 | csid])
    if csid < 320:
        return bytes([fmt << 6, csid - 64])
    return bytes([fmt << 6 | 1]) + struct.pack("<H", csid - 64)


def u24(v):
    return struct.pack(">I", v)[1:]


def type0(csid, ts, length, type_id, msid):   # RTMP 5.3.1.2.1 (+ 5.3.1.3 extended timestamp)
    ext = ts >= 0xFFFFFF
    return (basic(0, csid) + u24(0xFFFFFF if ext else ts) + u24(length) + bytes([type_id])
            + struct.pack("<I", msid) + (struct.pack(">I", ts) if ext else b""))


def type1(csid, delta, length, type_id):      # RTMP 5.3.1.2.2
    return basic(1, csid) + u24(delta) + u24(length) + bytes([type_id])


def type2(csid, delta):                       # RTMP 5.3.1.2.3
    return basic(2, csid) + u24(delta)


def type3(csid):                              # RTMP 5.3.1.2.4
    return basic(3, csid)


def message(csid, ts, type_id, msid, payload, chunk_size=128, repeat_ext=True):
    """A whole message: type 0 first chunk, type 3 continuations (repeating the extended timestamp if asked)."""
    out = type0(csid, ts, len(payload), type_id, msid) + payload[:chunk_size]
    for i in range(chunk_size, len(payload), chunk_size):
        out += type3(csid)
        if ts >= 0xFFFFFF and repeat_ext:
            out += struct.pack(">I", ts)
        out += payload[i:i + chunk_size]
    return out


def pattern(n, first=0):
    return bytes((first + i) & 0xFF for i in range(n))


def set_chunk_size(size):                     # RTMP 5.4.1 on chunk stream 2, message stream 0
    return message(2, 0, 1, 0, struct.pack(">I", size))


# ------------------------------------------------------------------------------------------------ seeds

FFMPEG_CONNECT_OBS = (s("connect") + num(1.0)
                      + obj(("app", s("live")), ("type", s("nonprivate")),
                            ("flashVer", s("FMLE/3.0 (compatible; FMSc/1.0)")),
                            ("swfUrl", s("rtmp://127.0.0.1:1935/live")), ("tcUrl", s("rtmp://127.0.0.1:1935/live")),
                            ("fourCcList", b"\x0a" + struct.pack(">I", 3) + s("av01") + s("vp09") + s("hvc1"))))
OBS_SET_DATA_FRAME = (s("@setDataFrame") + s("onMetaData")
                      + b"\x08" + struct.pack(">I", 20)       # ECMA array, advisory count 20 (OBS)
                      + name("duration") + num(0.0) + name("width") + num(1280.0) + name("height") + num(720.0)
                      + name("videocodecid") + num(7.0) + END)
AVMPLUS_OBJECTS_AMF3 = (b"\x09\x07\x01"                                   # AMF3 array, 3 dense, no assoc
                        + b"\x0a\x2b\x01" + u29s("app") + u29s("tcUrl")    # object, traits: 2 sealed, dynamic
                        + b"\x06" + u29s("live") + b"\x06" + u29s("rtmp://localhost/live")
                        + u29s("flashVer") + b"\x06" + u29s("LNX 9,0,124,2") + b"\x01"
                        + b"\x0a\x01" + b"\x06\x04" + b"\x06\x06"            # traits ref 0, string refs
                        + u29s("capabilities") + b"\x04\x81\x6f" + b"\x01"
                        + b"\x0a\x02")                                      # object ref 1


def dechunk(data):
    """The message bodies of a capture at chunk size 128 that only type 0 and type 3 chunks start or carry."""
    msgs, streams, pos, chunk_size = [], {}, 0, 128
    while pos < len(data):
        b0 = data[pos]
        fmt, csid, hl = b0 >> 6, b0 & 0x3F, 1
        mh = [11, 7, 3, 0][fmt]
        st = streams.setdefault(csid, {"len": 0, "type": 0, "data": b""})
        if fmt <= 1:
            st["len"] = int.from_bytes(data[pos + hl + 3:pos + hl + 6], "big")
            st["type"] = data[pos + hl + 6]
        n = min(chunk_size, st["len"] - len(st["data"]))
        st["data"] += data[pos + hl + mh:pos + hl + mh + n]
        pos += hl + mh + n
        if len(st["data"]) == st["len"]:
            msgs.append((st["type"], st["data"]))
            st["data"] = b""
    return msgs


def chunk_decoder_seeds(publish, play):
    c, m = "ChunkDecoderFuzzTest", "decoderRaisesOnlyRtmpProtocolExceptionsAndHoldsNothingAfterFinish"
    # Two selector bytes choose the reads (FuzzSupport.boundaries): 00 00 one read; 40 c0 three reads.
    write(c, m, "ffmpeg-8.0.1-publish", b"\x40\xc0" + publish)
    write(c, m, "ffmpeg-8.0.1-play", b"\x80\x00" + play)
    write(c, m, "obs-connect", b"\x00\x00" + message(3, 0, 20, 0, FFMPEG_CONNECT_OBS))
    write(c, m, "set-chunk-size-then-long-video", b"\x20\xe0"
          + set_chunk_size(4096) + message(6, 40, 9, 1, pattern(5000), chunk_size=4096)
          + message(4, 40, 8, 1, pattern(300), chunk_size=4096))
    write(c, m, "obs-set-data-frame-and-media", b"\x00\x00"
          + message(4, 0, 18, 1, OBS_SET_DATA_FRAME)
          + type0(6, 0, 10, 9, 1) + b"\x17\x00\x00\x00\x00\x01\x64\x00\x1f\xff"
          + type1(6, 33, 6, 9) + b"\x27\x01\x00\x00\x42\x00"
          + type2(6, 33) + b"\x27\x01\x00\x00\x43\x00"
          + type3(6) + b"\x27\x01\x00\x00\x44\x00")         # type 3 starting a message: delta 33 again
    ext_ts = 0x01000000
    write(c, m, "extended-timestamp-repeated-in-type-3", b"\x00\x00"
          + message(6, ext_ts, 9, 1, pattern(300))
          # RTMP 5.3.1.2.4: a type 3 chunk starting the next message, its extended timestamp repeated (5.3.1.3)
          + type3(6) + struct.pack(">I", ext_ts) + pattern(128, 1)
          + type3(6) + struct.pack(">I", ext_ts) + pattern(128, 2)
          + type3(6) + struct.pack(">I", ext_ts) + pattern(44, 3))
    write(c, m, "extended-timestamp-not-repeated", b"\x33\x99"
          + message(6, 0xFFFFFF, 9, 1, pattern(300, 7), repeat_ext=False)
          + type1(6, 0xFFFFFF, 4, 9) + struct.pack(">I", 0x01000000) + b"\x27\x01\x00\x00")
    write(c, m, "two-and-three-byte-basic-headers", b"\x10\xf0"
          + message(64, 1, 8, 1, pattern(3)) + message(319, 2, 8, 1, pattern(130))
          + message(320, 3, 9, 1, pattern(200)) + message(65599, 4, 18, 1, s("onTextData"))
          + type2(64, 5) + pattern(3, 9))
    write(c, m, "interleaved-audio-and-video", b"\x7f\x80"
          + type0(6, 100, 300, 9, 1) + pattern(128) + type0(4, 100, 20, 8, 1) + pattern(20, 50)
          + type3(6) + pattern(128, 128) + type2(4, 23) + pattern(20, 70) + type3(6) + pattern(44, 0))
    write(c, m, "abort-drops-the-unfinished-message", b"\x00\x00"
          + type0(6, 0, 300, 9, 1) + pattern(128)
          + message(2, 0, 2, 0, struct.pack(">I", 6))          # RTMP 5.4.2 Abort, chunk stream 6
          + type0(6, 40, 5, 9, 1) + pattern(5, 1))
    write(c, m, "protocol-control-and-user-control", b"\x00\x80"
          + message(2, 0, 5, 0, struct.pack(">I", 2500000))     # 5.4.4 Window Acknowledgement Size
          + message(2, 0, 3, 0, struct.pack(">I", 4096))        # 5.4.3 Acknowledgement
          + message(2, 0, 4, 0, b"\x00\x03\x00\x00\x00\x01\x00\x00\x0b\xb8")  # 7.1.7 SetBufferLength
          + message(2, 0, 4, 0, b"\x00\x06\x00\x00\x12\x34")    # 7.1.7 PingRequest
          + message(2, 0, 6, 0, struct.pack(">IB", 2500000, 2)))  # 5.4.5 Set Peer Bandwidth, dynamic
    aggregate_tag = (b"\x09" + u24(5) + u24(1000) + b"\x00" + u24(0) + b"\x17\x01\x00\x00\x00"
                     + struct.pack(">I", 16))
    write(c, m, "aggregate-message", b"\x00\x00" + message(7, 1000, 22, 1, aggregate_tag * 2))
    # Shapes the decoder must refuse with RtmpProtocolException.
    write(c, m, "refused-length-change-mid-message", b"\x00\x00"
          + type0(6, 0, 300, 9, 1) + pattern(128) + type1(6, 0, 301, 9) + pattern(128))
    write(c, m, "refused-type-3-first", b"\x00\x00" + type3(5) + pattern(10))
    write(c, m, "refused-video-over-limit", b"\x00\x00" + type0(6, 0, 0xFFFFFF, 9, 1) + pattern(16))
    write(c, m, "refused-chunk-size-below-minimum", b"\x00\x00" + set_chunk_size(1) + message(6, 0, 9, 1,
                                                                                             pattern(4)))
    write(c, m, "refused-65-chunk-streams", b"\x00\x00"
          + b"".join(message(64 + i, i, 8, 1, b"\xaf\x01") for i in range(65)))


def round_trip_seeds():
    """Records of ChunkRoundTripFuzzTest: op, then the fields its Javadoc lists."""
    c, m = "ChunkRoundTripFuzzTest", "everyMessageTheEncoderWritesComesOutOfTheDecoderUnchanged"

    def media(slot, how, type_id, msid, ts_field, length, payload=b"", last=False):
        # The payload comes from the input: pad it to its length, except in the last record, where the target
        # continues it with a counting pattern.
        if not last:
            payload = payload + pattern(length - len(payload))
        length_field = length if length <= 0x7FF else 0xC00000 | length   # both top bits: a long message
        return bytes([how << 4 | slot, type_id, msid]) + ts_field + u24(length_field) + payload

    def absolute(ts):
        return b"\x80" + struct.pack(">I", ts)

    def delta(d):
        return b"\x00" + u24(d)

    # slots: 0..8 = csid 2..9 and 63, 9..11 = 64, 65, 318, 12..15 = 319, 320, 321, 65599
    write(c, m, "publisher-like", b"\x00\x00"
          + bytes([0x40]) + u24(4096 - 128)                               # Set Chunk Size 4096 on csid 2
          + media(3, 0, 20, 0, absolute(0), 40, s("createStream") + num(4.0) + NULL)
          + media(4, 0, 9, 1, absolute(0), 300)                           # video, pattern payload
          + media(2, 0, 8, 1, absolute(0), 7, b"\xaf\x00\x12\x08\x56\xe5\x00")
          + media(4, 0, 9, 1, delta(40), 300) + media(4, 0, 9, 1, delta(40), 250)
          + media(2, 0, 8, 1, delta(23), 7) + media(2, 0, 8, 1, delta(23), 7))
    write(c, m, "extended-timestamps-and-wrap", b"\x55\xaa"
          + media(4, 0, 9, 1, absolute(0xFFFFFE), 200) + media(4, 0, 9, 1, delta(1), 200)
          + media(4, 0, 9, 1, delta(0xFFFFFF), 300) + media(4, 0, 9, 1, absolute(0xFFFFFFF0), 10)
          + media(4, 0, 9, 1, delta(0x20), 10) + media(5, 0, 8, 1, absolute(0x01000000), 129))
    write(c, m, "pre-chunked-zero-copy-and-rechunked", b"\x00\xff"
          + media(4, 2, 9, 1, absolute(10), 400) + b"\x02"
          + media(4, 3, 9, 1, delta(33), 400) + b"\x01\x00"
          + media(12, 3, 9, 1, delta(33), 400) + b"\x04\x0b"
          + media(15, 2, 9, 7, absolute(0x01000000), 300) + b"\x00"
          + bytes([0x40 | 0x30]) + u24(0) + b"\x00\x00"                     # Set Chunk Size 128, pre-chunked at 1
          + media(9, 2, 8, 1, absolute(5), 3) + b"\x01")
    write(c, m, "abort-then-long-message", b"\x10\x20"
          + media(4, 0, 9, 1, absolute(0), 1000)
          + bytes([0x80 | 0x00]) + b"\x00\x06"                              # Abort naming csid 6, on csid 2
          + bytes([0x40]) + u24(0xFFFFFF)                                   # Set Chunk Size 0x100007F
          + media(4, 0, 9, 1, delta(1), 70000, last=True))
    write(c, m, "control-and-empty-messages", b"\x00\x00"
          + media(0, 0, 5, 0, absolute(0), 4, struct.pack(">I", 2500000))
          + media(0, 0, 4, 0, absolute(0), 6, b"\x00\x06\x00\x00\x12\x34")
          + media(7, 0, 18, 1, absolute(0), 0) + media(7, 0, 18, 1, delta(0), 0)
          + media(13, 1, 255, 255, absolute(3), 1) + media(14, 0, 0, 0, absolute(3), 64))


def amf_seeds(publish, play):
    c = "AmfReaderFuzzTest"
    m0 = "amf0ReaderRefusesOnlyWithBadAmfAndItsValuesSurviveTheWriter"
    m3 = "amf3ReaderRefusesOnlyWithBadAmfAndItsValueSurvivesTheWriter"
    for label, capture in (("publish", publish), ("play", play)):
        seen = set()
        for type_id, body in dechunk(capture):
            if type_id not in (18, 20):
                continue
            command = body[3:3 + struct.unpack(">H", body[1:3])[0]].decode()
            if command in seen:
                continue
            seen.add(command)
            write(c, m0, "ffmpeg-8.0.1-" + label + "-" + command.lstrip("@"), body)
    write(c, m0, "obs-connect-fourcclist", FFMPEG_CONNECT_OBS)
    write(c, m0, "obs-set-data-frame", OBS_SET_DATA_FRAME)
    write(c, m0, "server-connect-result",
          s("_result") + num(1.0) + obj(("fmsVer", s("FMS/3,0,1,123")), ("capabilities", num(31.0)))
          + obj(("level", s("status")), ("code", s("NetConnection.Connect.Success")),
                ("objectEncoding", num(3.0))))
    write(c, m0, "avmplus-objects-then-null", b"\x11" + AVMPLUS_OBJECTS_AMF3 + NULL)
    write(c, m0, "reference-date-xml-typed",
          b"\x0a" + struct.pack(">I", 2) + obj(("a", num(1.0))) + b"\x07\x00\x01"   # strict array, ref to [0]
          + b"\x0b" + struct.pack(">d", 1e12) + b"\xff\x88"                         # 2.13 date, time zone
          + b"\x0f" + struct.pack(">I", 3) + b"<a>"                                  # 2.17 XML document
          + b"\x10" + name("T") + name("n") + b"\x0d" + END                         # 2.18 typed, unsupported
          + b"\x06")                                                                 # 2.8 undefined
    write(c, m0, "long-string-and-ecma-array",
          b"\x0c" + struct.pack(">I", 5) + b"hello"
          + b"\x08" + struct.pack(">I", 0) + name("") + num(2.0) + name("k") + s("\xe9t\xe9") + END)
    write(c, m0, "object-without-end-marker", s("onMetaData") + b"\x03" + name("w") + num(640.0) + b"\x00")
    write(c, m0, "nested-objects", obj(("a", obj(("b", obj(("c", b"\x0a" + struct.pack(">I", 1) + obj())))))))
    write(c, m0, "refused-movieclip", s("x") + b"\x04")
    write(c, m3, "avmplus-objects", AVMPLUS_OBJECTS_AMF3)
    write(c, m3, "typed-object", b"\x0a\x13" + u29s("Point") + u29s("x") + b"\x04\xc0\x80\x80\x00")
    write(c, m3, "mixed-array", b"\x09\x05" + u29s("b") + b"\x03" + u29s("a") + b"\x02\x01\x04\x05\x01")
    write(c, m3, "vectors", b"\x09\x09\x01"
          + b"\x0d\x05\x00" + struct.pack(">ii", -1, 2)
          + b"\x0e\x03\x01" + struct.pack(">I", 0xFFFFFFFF)
          + b"\x0f\x03\x00" + struct.pack(">d", 1.0)
          + b"\x10\x05\x00" + b"\x01" + b"\x06" + u29s("live") + b"\x06\x00")  # type name "", 2 strings
    write(c, m3, "date-xml-bytearray-references", b"\x09\x0d\x01"
          + b"\x08\x01" + struct.pack(">d", 1e12) + b"\x07" + u29s("<a/>") + b"\x0c\x07abc"
          + b"\x08\x02" + b"\x0b\x04" + b"\x0c\x06")
    write(c, m3, "integers", b"\x09\x09\x01" + b"\x04\x00" + b"\x04\x7f" + b"\x04\xff\xff\xff\xff"
          + b"\x04\xc0\x80\x80\x00")
    write(c, m3, "dynamic-object-with-string-references", b"\x0a\x0b\x01"
          + u29s("name") + b"\x06" + u29s("millrace") + b"\x00" + b"\x06\x02" + b"\x01" + b"\x01")
    write(c, m3, "refused-dictionary", b"\x11\x03\x00")
    write(c, m3, "refused-externalizable", b"\x0a\x07" + u29s("flex.messaging.io.ArrayCollection"))


def main():
    publish = open(sys.argv[1], "rb").read()
    play = open(sys.argv[2], "rb").read()
    chunk_decoder_seeds(publish, play)
    round_trip_seeds()
    amf_seeds(publish, play)


if __name__ == "__main__":
    main()
