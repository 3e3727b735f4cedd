#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lwreplay.py - read and replay a dm-log-writes log (runs in dom0).

The flush tests (flush_tests.py) put blkback on a dm-log-writes target,
which records every write the guest's disk receives, in the order it
reached stable storage, with each flush (REQ_PREFLUSH) as its own entry
and `dmsetup message ... mark NAME` as mark entries.  Replaying the
entries 0..N onto a copy of the disk's initial contents gives the disk
as a power loss right after entry N would have left it.

Log layout, as the kernel's drivers/md/dm-log-writes.c writes it (the
format is described there and in Documentation/admin-guide/
device-mapper/log-writes.rst): block 0 is the super block {le64 magic
0x6a736677736872, le64 version 1, le64 nr_entries, le32 sectorsize};
entries follow from byte `sectorsize` on, each one `sectorsize` block
{le64 sector, le64 nr_sectors, le64 flags, le64 data_len} (a mark's text
follows the entry in the same block), then nr_sectors * sectorsize bytes
of data unless it is a discard.  sector and nr_sectors count sectorsize
units.  Flags: 1 flush, 2 FUA, 4 discard, 8 mark, 16 metadata.
nr_entries is only rewritten on FUA and mark entries (and the end mark
that `dmsetup remove` adds), so read the log after a mark or a remove.

Usage: lwreplay.py list LOG           (JSON: entries, flushes, marks)
       lwreplay.py replay LOG OUT N   (apply entries 0..N onto OUT)
No third-party modules: dom0 has python3-minimal only.
"""
import json
import struct
import sys

MAGIC = 0x6a736677736872
FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8


class LogError(Exception):
    pass


def entries(f):
    """Yield (index, sector, nr_sectors, flags, mark, data_offset) and
    return the sector size through the first item."""
    f.seek(0)
    sb = f.read(28)
    if len(sb) < 28:
        raise LogError("log too short for a super block")
    magic, version, nr, ssize = struct.unpack("<QQQI", sb)
    if magic != MAGIC or version != 1:
        raise LogError(f"not a dm-log-writes log (magic {magic:#x}, "
                       f"version {version})")
    if ssize < 512 or ssize & (ssize - 1) or ssize > 65536:
        raise LogError(f"bad sector size {ssize}")
    yield ssize
    pos = ssize
    for i in range(nr):
        f.seek(pos)
        blk = f.read(ssize)
        if len(blk) < 32:
            raise LogError(f"entry {i} of {nr} lies past the end of the log")
        sector, nsec, flags, dlen = struct.unpack("<QQQQ", blk[:32])
        mark = None
        if flags & MARK:
            if dlen > ssize - 32:
                raise LogError(f"entry {i}: mark of {dlen} bytes")
            mark = blk[32:32 + dlen].decode("ascii", "replace")
        pos += ssize
        data = pos
        if not flags & DISCARD:
            pos += nsec * ssize
        yield i, sector, nsec, flags, mark, data


def cmd_list(path):
    with open(path, "rb") as f:
        it = entries(f)
        ssize = next(it)
        n, flushes, marks, writes = 0, [], [], 0
        for i, _sec, nsec, flags, mark, _d in it:
            n += 1
            if flags & FLUSH:
                flushes.append(i)
            if mark is not None:
                marks.append([i, mark])
            if nsec and not flags & DISCARD:
                writes += 1
    print(json.dumps({"sectorsize": ssize, "entries": n, "writes": writes,
                      "flushes": flushes, "marks": marks}))
    return 0


def cmd_replay(path, out, upto):
    upto = int(upto)
    with open(path, "rb") as f, open(out, "r+b") as o:
        it = entries(f)
        ssize = next(it)
        applied = 0
        for i, sec, nsec, flags, _mark, data in it:
            if i > upto:
                break
            if nsec == 0:
                continue
            o.seek(sec * ssize)
            if flags & DISCARD:
                o.write(b"\0" * (nsec * ssize))
            else:
                f.seek(data)
                buf = f.read(nsec * ssize)
                if len(buf) != nsec * ssize:
                    raise LogError(f"entry {i}: data past the end of the log")
                o.write(buf)
            applied += 1
    print(f"lwreplay: applied {applied} writes of entries 0..{upto}")
    return 0


def main(argv):
    try:
        if len(argv) == 2 and argv[0] == "list":
            return cmd_list(argv[1])
        if len(argv) == 4 and argv[0] == "replay":
            return cmd_replay(argv[1], argv[2], argv[3])
    except LogError as e:
        print(f"lwreplay: {e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
