# SPDX-License-Identifier: MIT
"""Pack a directory as the cpio "newc" archive a xenith root is made of.

Used by `xenith_add_image(... ROOTFS DIR)` (cmake/xenith.cmake runs this
file as a script: `python3 rootfs.py DIR OUT`) and by `./xenith run
IMAGE --rootfs DIR` (the archive becomes the PV ramdisk). The guest's
reader is kernel/cpio.c, which documents the format and its checks.

What goes in: directories, regular files and symbolic links under DIR
(the link itself, never what it points to), sorted by path so the same
tree gives the same bytes; owners become 0, permission bits and mtimes
are kept. Refused, with the path named: files of 4 GiB or more (newc's
32-bit size field), names longer than the guest's NAME_MAX (255) or
paths longer than its PATH_MAX (1023). Skipped with a warning: sockets,
FIFOs and device nodes (the guest has nothing to back them). Hard links
are stored as separate files.
"""
import os
import stat
import sys

NAME_MAX = 255
PATH_MAX = 1023  # bytes, without the NUL
_TRAILER = "TRAILER!!!"


class PackError(Exception):
    pass


def _entry(ino, mode, mtime, name, data=b"", nlink=1):
    raw = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, nlink, mtime & 0xffffffff, len(data), 0, 0, 0, 0,
        len(raw), 0))
    out = hdr.encode() + raw
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(data) % 4)
    return out


def pack(root, warn=None):
    """The archive of directory `root`, as bytes."""
    if not os.path.isdir(root):
        raise PackError(f"{root}: not a directory")
    parts, ino = [], 1
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            st = os.lstat(full)
            if len(name.encode()) > NAME_MAX:
                raise PackError(f"{rel}: name longer than {NAME_MAX} bytes")
            if len(rel.encode()) > PATH_MAX:
                raise PackError(f"{rel}: path longer than {PATH_MAX} bytes")
            ino += 1
            mtime = int(st.st_mtime)
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(full).encode()
                parts.append(_entry(ino, stat.S_IFLNK | 0o777, mtime, rel,
                                    target))
            elif stat.S_ISDIR(st.st_mode):
                parts.append(_entry(ino, stat.S_IFDIR |
                                    stat.S_IMODE(st.st_mode), mtime, rel,
                                    nlink=2))
            elif stat.S_ISREG(st.st_mode):
                if st.st_size >= 1 << 32:
                    raise PackError(f"{rel}: 4 GiB or more")
                with open(full, "rb") as fh:
                    data = fh.read()
                parts.append(_entry(ino, stat.S_IFREG |
                                    stat.S_IMODE(st.st_mode), mtime, rel,
                                    data))
            elif warn:
                warn(f"{rel}: not a file, directory or link: skipped")
        # os.walk does not descend into symlinked directories: good.
    parts.append(_entry(0, 0, 0, _TRAILER))
    return b"".join(parts)


def pack_to(root, out, warn=None):
    data = pack(root, warn)
    tmp = out + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out)
    return len(data)


def main(argv):
    if len(argv) != 2:
        print("usage: rootfs.py DIR OUT.cpio", file=sys.stderr)
        return 2
    try:
        pack_to(argv[0], argv[1],
                warn=lambda m: print(f"rootfs: {m}", file=sys.stderr))
    except (PackError, OSError) as e:
        print(f"rootfs: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
