# SPDX-License-Identifier: MIT
"""Sandbox file-system tests: apps/fsdemo on real Xen.

t_fs_embedded_root boots fsdemo with the root its image embeds
(apps/fsdemo/root/, xenith_add_image ROOTFS); t_fs_rootfs_ramdisk packs
a directory made here (random text, a nested file, a symbolic link, a
200 KiB random file whose FNV-1a hash the guest must report, through
read() and mmap()) with `./xenith run --rootfs DIR`, so the root comes
in as the PV ramdisk and replaces the embedded one; t_fs_bad_archive
passes a hand-made archive with a '..' entry and checks the guest
refuses it with a console line naming the entry, then runs on an empty
root. Every run also exercises /tmp (mkdir, write, rename, rename over
a file, read, unlink, rmdir), EROFS on the root, /etc defaults
(resolv.conf from dns=), and a tmpfs filled to ENOSPC: fsdemo prints
"fsdemo: FAIL ..." and exits 1 if any of that goes wrong.

The t_* functions join xntest.py's module through its _join().
"""
import os
import random
import re
import tempfile

X = None  # the xntest module, set when xntest.py joins this one



def _fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


def _fsdemo(*extra, cmdline=""):
    args = ["run", X.image("fsdemo"), "--timeout", "180"] + list(extra)
    if cmdline:
        args += ["--cmdline", cmdline]
    return X.xenith(*args, check=False)


def _common_checks(rc, out):
    X.expect("fsdemo: FAIL" not in out, "no fsdemo check failed")
    X.expect(re.search(r"fsdemo: /dev/urandom: (16 bytes|EIO)", out),
             "/dev/null took a write and /dev/urandom answered")
    X.expect("fsdemo: /tmp write/rename/read/unlink done" in out,
             "/tmp took mkdir, write, rename, read, unlink and rmdir")
    X.expect(re.search(r"fsdemo: /scratch full at \d+ bytes \(ENOSPC\)",
                       out), "a 64 KiB tmpfs filled up to ENOSPC")
    X.expect("fsdemo: all checks passed" in out and rc == 0,
             f"fsdemo passed its checks and exited 0 (status {rc})")


def t_fs_embedded_root():
    rc, out, _ = _fsdemo(cmdline="dns=10.0.0.1,10.0.0.2 "
                                 "cat=/etc/resolv.conf cat=/etc/motd")
    X.expect(re.search(r"\[xenith\] rootfs: \d+ entries from the image",
                       out), "the root came from the embedded archive")
    X.expect("fsdemo: hello.txt: hello from the embedded root" in out,
             "fopen/fgets read a file of the embedded root")
    X.expect("fsdemo: ls /data: hello.txt link@ sub/" in out,
             "readdir lists /data (file, link, directory)")
    X.expect("fsdemo: /data/link -> hello.txt" in out,
             "the symbolic link survived packing")
    X.expect("fsdemo: /etc/resolv.conf: nameserver 10.0.0.1" in out and
             "fsdemo: /etc/resolv.conf: nameserver 10.0.0.2" in out,
             "/etc/resolv.conf was generated from dns=")
    X.expect("fsdemo: /etc/motd: xenith fsdemo (embedded root)" in out,
             "the archive's own /etc files are there beside the defaults")
    _common_checks(rc, out)


def t_fs_rootfs_ramdisk():
    token = "%016x" % random.getrandbits(64)
    big = os.urandom(200 * 1024 + 123)
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "data", "nested", "deeper"))
        with open(os.path.join(d, "data", "hello.txt"), "w") as fh:
            fh.write(f"hello from --rootfs {token}\nline two\n")
        with open(os.path.join(d, "data", "nested", "deeper", "x"),
                  "w") as fh:
            fh.write("x")
        with open(os.path.join(d, "data", "big.bin"), "wb") as fh:
            fh.write(big)
        os.symlink("nested/deeper/x", os.path.join(d, "data", "link"))
        rc, out, _ = _fsdemo("--rootfs", d, cmdline="cat=/etc/hosts")
    X.expect(re.search(r"\[xenith\] rootfs: \d+ entries from the ramdisk",
                       out), "the root came from the PV ramdisk")
    X.expect(f"fsdemo: hello.txt: hello from --rootfs {token}" in out,
             "the guest read the file packed from the host directory")
    X.expect("fsdemo: ls /data: big.bin hello.txt link@ nested/" in out,
             "readdir lists the packed /data (and not the embedded one)")
    X.expect("fsdemo: /data/link -> nested/deeper/x" in out,
             "readlink returns the packed link's target")
    want = "fsdemo: big.bin: %d bytes fnv1a=%016x" % (len(big), _fnv1a(big))
    X.expect(want in out, "a 200 KiB random file reads back byte-exact "
             "(read() and mmap() agree with the host's hash)")
    X.expect("fsdemo: /etc/hosts: 127.0.0.1\tlocalhost" in out,
             "/etc/hosts defaults were added to the packed root")
    _common_checks(rc, out)


def _newc(name, mode, data=b""):
    raw = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(raw), 0))
    out = hdr.encode() + raw
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def t_fs_bad_archive():
    arc = (_newc("data", 0o40755) +
           _newc("data/hello.txt", 0o100644, b"should never be seen\n") +
           _newc("data/../../etc/passwd", 0o100644, b"root::0:0::/:\n") +
           _newc("TRAILER!!!", 0))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "bad.cpio")
        with open(path, "wb") as fh:
            fh.write(arc)
        rc, out, _ = _fsdemo("--rootfs", path)
    X.expect("[xenith] rootfs: refused the archive from the ramdisk: entry "
             "'data/../../etc/passwd'" in out and "'..'" in out,
             "the bad archive is refused, naming the entry and the reason")
    X.expect("fsdemo: hello.txt: missing" in out,
             "nothing of the refused archive is visible (not even its "
             "valid entries)")
    X.expect("fsdemo: ls /data: missing" in out, "the root is empty")
    _common_checks(rc, out)
