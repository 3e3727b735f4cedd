#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of test/fuzz/corpus/<target>/ (a few small,
meaningful inputs per target, in each target's input format; see the
header of test/fuzz/fuzz_<target>.c). Design choice: seeds are generated,
never hand-edited binaries, so a format change is one edit here; the
script is deterministic and rewrites every seed. Run it from anywhere:
    python3 test/fuzz/gen_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u8(v):
    return struct.pack("<B", v & 0xff)


def u16(v):
    return struct.pack("<H", v & 0xffff)


def u32(v):
    return struct.pack("<I", v & 0xffffffff)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4_tcp(payload, flags=0x10, seq=1000):
    tcp = struct.pack("!HHIIBBHHH", 1234, 80, seq, 1, 5 << 4, flags, 65535,
                      0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp


def ipv6_udp(payload):
    udp = struct.pack("!HHHH", 53, 5353, 8 + len(payload), 0) + payload
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64, b"\1" * 16,
                     b"\2" * 16)
    return b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd" + ip + udp


def xs_framed(kind, typ, body):
    # daemon record: framed (kind & 3 == 1), type masked (4), in-flight id (8)
    return u8(kind) + u8(typ) + u8(len(body)) + body


def newc(name, mode, data=b""):
    """One cpio newc entry (kernel/cpio.h has the format)."""
    raw = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(raw), 0))
    out = hdr.encode() + raw
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


TRAILER = newc("TRAILER!!!", 0)

SEEDS = {
    "cpio": {
        "tree": newc(".", 0o40755) + newc("etc", 0o40755)
        + newc("etc/hosts", 0o100644, b"127.0.0.1 localhost\n")
        + newc("srv/www/index.html", 0o100644, b"<h1>x</h1>")
        + newc("srv/l", 0o120777, b"www/index.html")
        + newc("up", 0o120777, b"../../..") + TRAILER,
        "loop": newc("a", 0o120777, b"b") + newc("b", 0o120777, b"a/c")
        + TRAILER,
        "dotdot": newc("x/../y", 0o100644, b"no") + TRAILER,
        "cut": (newc("f", 0o100644, b"0123456789") + TRAILER)[:120],
    },
    "args": {
        "plain": b"hello world",
        "options_env": b'xenith.oom=crash KEY=v OTHER=1 -- a "b c" xenith.x',
        "unterminated": b'a "b c d',
        "many_words": b" ".join(b"w%d" % i for i in range(80)),
    },
    "http": {
        "get": u8(255) + b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
        "head_split": u8(3) + b"HEAD /a%20b?q=1 HTTP/1.0\r\n"
                              b"Connection: keep-alive\r\n\r\n",
        "pipelined": u8(40) + b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                              b"GET /x HTTP/1.1\r\nHost: a\r\n"
                              b"Content-Length: 0\r\n\r\n",
        "dotdot": u8(255) + b"GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n",
        "absolute": u8(255) + b"GET http://h/p HTTP/1.1\r\n\r\n",
        # Found by a long run: "%23" decodes to a '#' inside the name.
        "decoded-hash": u8(3) + b"HEAD /a%23bq=1 HTTP/1.0\r\n"
                                b"Connection: kee*-alive\r\n\r\n",
    },
    "xnif_csum": {
        "tcp4": u16(54) + ipv4_tcp(b"hello, world"),
        "udp6": u16(62) + ipv6_udp(b"abc"),
        "short_hdr": u16(20) + ipv4_tcp(b"x"),
    },
    "xnif_gso": {
        "two_segments": u16(len(ipv4_tcp(b"a" * 100))) + ipv4_tcp(b"a" * 100)
        + u16(len(ipv4_tcp(b"b" * 100, seq=1100)))
        + ipv4_tcp(b"b" * 100, seq=1100),
        "psh": u16(len(ipv4_tcp(b"z" * 40, 0x18))) + ipv4_tcp(b"z" * 40, 0x18),
    },
    "kvlog": {
        "empty_disk": u8(0),
        # built: (op, klen-1, vlen, key) records, 0xff, then damage
        "three_records": u8(2) + b"".join(
            u8(op) + u8(3) + u16(vl) + b"key" + bytes([48 + i])
            for i, (op, vl) in enumerate([(0, 10), (2, 300), (1, 0)])),
        "damaged": u8(2) + u8(0) + u8(3) + u16(20) + b"abcd" + u8(0xff)
        + u16(4096 + 40) + u8(1),
        "sector4k": u8(3) + u8(0) + u8(7) + u16(100) + b"k" * 8,
    },
    "xenstore": {
        # op read (0), size, then the daemon's turn: 1 record, a reply
        "read_reply": u8(0) + u8(4) + u8(0) + xs_framed(13, 2, b"value"),
        "watch_event": u8(4) + u8(4) + u8(0) + xs_framed(13, 4, b"OK\0")
        + u8(0) + u8(2) + u8(6) + b"a/w/x\0" + u8(6) + u8(4),
        "error_reply": u8(0) + u8(4) + u8(0) + xs_framed(13, 16, b"ENOENT\0"),
        "garbage": u8(0) + u8(4) + u8(3) + u8(0) + u8(40) + bytes(range(40)),
    },
    "netfront_rx": {
        # put_packet: op 0, len, slot_max, flags, offset, extra?
        "one_packet": u8(0) + u16(60) + u16(4096) + u8(0) + u16(0) + u8(0)
        + u8(3) + u8(5) + u8(8),
        "multi_slot_gso": u8(0) + u16(9000) + u16(4032) + u8(1) + u16(64)
        + u8(1) + u8(1) + u8(0) + u16(1448) + u8(1) + u8(3) + u8(5) + u8(8),
        "raw_bad_id": u8(1) + u16(77) + u16(0) + u16(0) + u16(60) + u8(3)
        + u8(5) + u8(8),
    },
    "netfront_tx": {
        # submit: op 0, frags-1, start, flags, lens...; pop 1; complete 2
        "send_complete": u8(0) + u8(0) + u16(0) + u8(0) + u16(60) + u8(1)
        + u8(2) + u8(0) + u8(0) + u8(4) + u8(6),
        "sg_gso": u8(0) + u8(2) + u16(10) + u8(0x15) + u16(3000) + u16(3000)
        + u16(3000) + u16(1448) + u8(1) + u8(2) + u8(0) + u8(0) + u8(4)
        + u8(7),
        "forged_id": u8(0) + u8(0) + u16(0) + u8(0) + u16(60) + u8(1)
        + u8(3) + u16(200) + u16(0) + u8(4) + u8(6),
    },
    "blkfront": {
        # shape, submit (op 0: slot, op, sector, buf, len/512), serve, poll
        "write_read": u8(8) + u8(0) + u8(0) + u8(1) + u16(8) + u8(0) + u8(8)
        + u8(1) + u8(6) + u8(0) + u8(1) + u8(0) + u16(8) + u8(0) + u8(8)
        + u8(1) + u8(6),
        "indirect_flush": u8(0x90 | 2) + u8(0) + u8(2) + u8(0) + u16(0)
        + u8(1) + u8(100) + u8(0) + u8(3) + u8(2) + u16(0) + u8(0) + u8(0)
        + u8(1) + u8(6),
        "forged_status": u8(0) + u8(0) + u8(0) + u8(0) + u16(0) + u8(0)
        + u8(1) + u8(2) + u8(3) + u8(0) + u8(0) + u8(200) + u8(4) + u8(6),
    },
}


def main():
    for target, seeds in SEEDS.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            os.unlink(os.path.join(d, name))
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    print(f"wrote {sum(len(s) for s in SEEDS.values())} seeds")


if __name__ == "__main__":
    main()
