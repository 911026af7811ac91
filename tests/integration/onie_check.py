#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ONIE TlvInfo images for the tests, from the spec and nothing of
nvmemfs: "TlvInfo\\0", version 1, a big-endian 16-bit length of what
follows, type/length/value records, the last one the CRC-32 (type 0xfe,
length 4) of everything before its value, big-endian (zlib's CRC-32).

  build OUT SIZE REC...   write a TlvInfo of records "tt:hexvalue" and
                          its CRC record, padded with 0xff to SIZE bytes
  dump IMG                the records but the CRC, as build takes them;
                          exit 1 with the reason if the image is not valid
  total IMG               header + records + CRC record, in bytes
  cut OLD NEW OUT...      what a write of NEW over OLD cut short left
                          in each OUT: "old", "new" or "torn" (new bytes
                          up to some point, old ones after it, and a CRC
                          that does not match), one line each; anything
                          else is said and fails
"""
import sys
import zlib


def build(out, size, recs):
    body = b""
    for r in recs:
        t, v = r.split(":")
        v = bytes.fromhex(v)
        body += bytes([int(t, 16), len(v)]) + v
    body += b"\xfe\x04"
    img = b"TlvInfo\x00\x01" + (len(body) + 4).to_bytes(2, "big") + body
    img += (zlib.crc32(img) & 0xffffffff).to_bytes(4, "big")
    if len(img) > size:
        sys.exit("image larger than %d" % size)
    with open(out, "wb") as f:
        f.write(img + b"\xff" * (size - len(img)))


def parse(path):
    return parse_bytes(open(path, "rb").read())


def parse_bytes(img):
    """The records and the total length, or exit 1 saying why."""
    if img[:9] != b"TlvInfo\x00\x01":
        sys.exit("bad header")
    end = 11 + int.from_bytes(img[9:11], "big")
    if end > len(img):
        sys.exit("length past the image")
    pos, recs = 11, []
    while pos < end:
        if end - pos < 2 or end - pos - 2 < img[pos + 1]:
            sys.exit("record at %d runs past the area" % pos)
        t, n = img[pos], img[pos + 1]
        if t == 0xfe:
            if n != 4 or pos + 6 != end:
                sys.exit("CRC record at %d is not the last or not 4 bytes" % pos)
            want = int.from_bytes(img[pos + 2:pos + 6], "big")
            if zlib.crc32(img[:pos + 2]) & 0xffffffff != want:
                sys.exit("bad CRC")
            if end > 2048:
                sys.exit("%d bytes, more than 2048" % end)
            return recs, end
        recs.append("%02x:%s" % (t, img[pos + 2:pos + 2 + n].hex()))
        pos += 2 + n
    sys.exit("no CRC record")


def cut(old, new, out):
    old, new, out = (open(p, "rb").read() for p in (old, new, out))
    if len(old) != len(out) or len(new) != len(out):
        sys.exit("sizes differ")
    if out == old:
        return "old"
    if out == new:
        return "new"
    k = 0
    while out[k] == new[k]:
        k += 1
    if out[k:] != old[k:]:
        sys.exit("bytes changed that the write did not reach")
    try:
        parse_bytes(out)
    except SystemExit:
        return "torn"
    sys.exit("a torn write left a valid TlvInfo")


def main():
    cmd = sys.argv[1]
    if cmd == "build":
        build(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif cmd == "dump":
        print(" ".join(parse(sys.argv[2])[0]))
    elif cmd == "cut":
        bad = 0
        for out in sys.argv[4:]:
            try:
                print(out, cut(sys.argv[2], sys.argv[3], out))
            except SystemExit as e:
                print(out, "BAD:", e)
                bad = 1
        sys.exit(bad)
    elif cmd == "total":
        print(parse(sys.argv[2])[1])
    else:
        sys.exit("unknown command " + cmd)


main()
