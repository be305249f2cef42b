#!/usr/bin/env python3
"""Prints, as bytes on stdout, the payload of the first box of the given type inside an MP4 file's moov box.

Usage: mp4box.py FILE.mp4 TYPE    (TYPE: avcC, hvcC, av1C, vpcC or esds)
For esds it prints the DecoderSpecificInfo (the AudioSpecificConfig) instead of the whole box.
The payload excludes the 8-byte box header; vpcC and esds are FullBoxes, so their payload starts with
version and flags.
"""
import struct
import sys

CONTAINERS = {b'moov', b'trak', b'mdia', b'minf', b'stbl'}
SAMPLE_ENTRY_CHILDREN_OFFSET = {b'avc1': 78, b'hvc1': 78, b'hev1': 78, b'av01': 78, b'vp09': 78, b'mp4a': 28}


def boxes(data, start, end):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack('>I4s', data[pos:pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack('>Q', data[pos + 8:pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        yield kind, pos + header, pos + size
        pos += size


def find(data, start, end, wanted):
    for kind, body, stop in boxes(data, start, end):
        if kind == wanted:
            return data[body:stop]
        if kind in CONTAINERS:
            found = find(data, body, stop, wanted)
        elif kind == b'stsd':
            found = find(data, body + 8, stop, wanted)  # version/flags + entry_count
        elif kind in SAMPLE_ENTRY_CHILDREN_OFFSET:
            found = find(data, body + SAMPLE_ENTRY_CHILDREN_OFFSET[kind], stop, wanted)
        else:
            found = None
        if found is not None:
            return found
    return None


def descriptor(data, pos):
    tag = data[pos]
    pos += 1
    size = 0
    for _ in range(4):
        b = data[pos]
        pos += 1
        size = size << 7 | (b & 0x7F)
        if not b & 0x80:
            break
    return tag, pos, pos + size


def audio_specific_config(esds):
    tag, body, _ = descriptor(esds, 4)  # ES_Descriptor after version/flags
    assert tag == 3
    flags = esds[body + 2]
    pos = body + 3
    if flags & 0x80:
        pos += 2
    if flags & 0x40:
        pos += 1 + esds[pos]
    if flags & 0x20:
        pos += 2
    tag, body, _ = descriptor(esds, pos)  # DecoderConfigDescriptor
    assert tag == 4
    tag, body, stop = descriptor(esds, body + 13)  # DecoderSpecificInfo
    assert tag == 5
    return esds[body:stop]


def main():
    data = open(sys.argv[1], 'rb').read()
    wanted = sys.argv[2].encode('ascii')
    payload = find(data, 0, len(data), wanted)
    if payload is None:
        sys.exit('no %s box in %s' % (sys.argv[2], sys.argv[1]))
    if wanted == b'esds':
        payload = audio_specific_config(payload)
    sys.stdout.buffer.write(payload)


main()
