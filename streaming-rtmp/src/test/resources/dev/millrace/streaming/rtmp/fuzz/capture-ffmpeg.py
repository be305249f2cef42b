#!/usr/bin/env python3
"""Records what a real FFmpeg sends to an RTMP server after the handshake.

A minimal RTMP listener: plain handshake (RTMP 1.0 section 5.2, S1 with zero version bytes so that FFmpeg does not
check a digest), then it reads the client's chunk stream (RTMP 5.3) just far enough to answer the commands
FFmpeg waits for (connect, createStream, publish or play), and saves every byte the client sent after C2.

Usage: capture-ffmpeg.py OUTPUT_FILE SECONDS PORT_FILE
It writes its port to PORT_FILE, serves one connection, stops SECONDS after the connect, and writes OUTPUT_FILE.
"""
import socket
import struct
import sys
import time


def amf0(v):
    if v is None:
        return b"\x05"
    if isinstance(v, bool):
        return b"\x01" + (b"\x01" if v else b"\x00")
    if isinstance(v, (int, float)):
        return b"\x00" + struct.pack(">d", float(v))
    if isinstance(v, str):
        b = v.encode()
        return b"\x02" + struct.pack(">H", len(b)) + b
    if isinstance(v, dict):
        out = b"\x03"
        for k, x in v.items():
            kb = k.encode()
            out += struct.pack(">H", len(kb)) + kb + amf0(x)
        return out + b"\x00\x00\x09"
    raise TypeError(v)


def chunk(csid, type_id, msid, payload):
    """One message as type 0 chunk + type 3 continuations at the default chunk size 128."""
    out = (bytes([csid]) + b"\x00\x00\x00"                 # fmt 0, timestamp 0
           + struct.pack(">I", len(payload))[1:] + bytes([type_id])  # UI24 length, type id
           + struct.pack("<I", msid))                               # message stream id, little-endian
    for i in range(0, len(payload), 128):
        if i:
            out += bytes([0xC0 | csid])
        out += payload[i:i + 128]
    return out


def amf0_read(buf, pos):
    """Reads one AMF0 number or string (enough for the command name and transaction id)."""
    m = buf[pos]
    if m == 0:
        return struct.unpack(">d", buf[pos + 1:pos + 9])[0], pos + 9
    if m == 2:
        n = struct.unpack(">H", buf[pos + 1:pos + 3])[0]
        return buf[pos + 3:pos + 3 + n].decode(), pos + 3 + n
    return None, pos


class Dechunker:
    """Just enough of RTMP 5.3 to find whole command messages (no extended timestamps, one message at a time)."""

    def __init__(self):
        self.buf = b""
        self.chunk_size = 128
        self.streams = {}

    def feed(self, data):
        self.buf += data
        msgs = []
        while True:
            if not self.buf:
                return msgs
            b0 = self.buf[0]
            fmt, csid = b0 >> 6, b0 & 0x3F
            hdr = 1
            if csid == 0:
                csid, hdr = 64 + self.buf[1], 2
            elif csid == 1:
                csid, hdr = 64 + self.buf[1] + 256 * self.buf[2], 3
            mh = [11, 7, 3, 0][fmt]
            if len(self.buf) < hdr + mh:
                return msgs
            st = self.streams.setdefault(csid, {"len": 0, "type": 0, "data": b""})
            h = self.buf[hdr:hdr + mh]
            if fmt <= 1:
                st["len"] = int.from_bytes(h[3:6], "big")
                st["type"] = h[6]
            ext = 4 if fmt < 3 and h[0:3] == b"\xff\xff\xff" else 0
            need = min(self.chunk_size, st["len"] - len(st["data"]))
            if len(self.buf) < hdr + mh + ext + need:
                return msgs
            st["data"] += self.buf[hdr + mh + ext:hdr + mh + ext + need]
            self.buf = self.buf[hdr + mh + ext + need:]
            if len(st["data"]) == st["len"]:
                if st["type"] == 1:
                    self.chunk_size = int.from_bytes(st["data"][:4], "big")
                msgs.append((st["type"], st["data"]))
                st["data"] = b""


def main():
    out_file, seconds, port_file = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(port_file, "w") as f:
        f.write(str(srv.getsockname()[1]))
    conn, _ = srv.accept()

    def read_exactly(n):
        data = b""
        while len(data) < n:
            more = conn.recv(n - len(data))
            if not more:
                raise EOFError
            data += more
        return data

    c0c1 = read_exactly(1 + 1536)
    s1 = b"\x00" * 8 + bytes(range(256)) * 6
    conn.sendall(b"\x03" + s1[:1536] + c0c1[1:])
    read_exactly(1536)  # C2
    captured = b""
    dechunker = Dechunker()
    conn.settimeout(0.1)
    deadline = None
    while deadline is None or time.time() < deadline:
        try:
            data = conn.recv(65536)
        except socket.timeout:
            continue
        if not data:
            break
        captured += data
        for type_id, body in dechunker.feed(data):
            if type_id != 20:
                continue
            name, pos = amf0_read(body, 0)
            tid, _ = amf0_read(body, pos)
            if name == "connect":
                deadline = time.time() + seconds
                conn.sendall(chunk(2, 5, 0, struct.pack(">I", 2500000))            # Window Acknowledgement Size
                             + chunk(2, 6, 0, struct.pack(">IB", 2500000, 2))      # Set Peer Bandwidth, dynamic
                             + chunk(3, 20, 0, amf0("_result") + amf0(tid)
                                     + amf0({"fmsVer": "FMS/3,0,1,123", "capabilities": 31})
                                     + amf0({"level": "status", "code": "NetConnection.Connect.Success",
                                             "description": "Connection succeeded.", "objectEncoding": 0})))
            elif name == "createStream":
                conn.sendall(chunk(3, 20, 0, amf0("_result") + amf0(tid) + amf0(None) + amf0(1)))
            elif name in ("publish", "play"):
                code = "NetStream.Publish.Start" if name == "publish" else "NetStream.Play.Start"
                conn.sendall(chunk(5, 20, 1, amf0("onStatus") + amf0(0) + amf0(None)
                                   + amf0({"level": "status", "code": code, "description": name})))
    conn.close()
    with open(out_file, "wb") as f:
        f.write(captured)


if __name__ == "__main__":
    main()
