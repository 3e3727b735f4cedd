# SPDX-License-Identifier: MIT
"""Build the sandbox: a real Xen 4.17 host that runs nested in QEMU.

Everything comes from Debian's archive, by package name, into a cache
outside the work tree.  The build is split into stages, each cached under
a key made of its inputs (package versions, the mirror, and the hash of the
builder files), so a rebuild happens only when an input changed:

  xen      xen-hypervisor-4.17-amd64, dpkg -x'ed, the hypervisor gunzipped
  kernel   linux-image-<current>-amd64, dpkg -x'ed (vmlinuz + modules)
  rootfs   debootstrap minbase with the toolstack and the real clients
  dom0     the trimmed rootfs + needed modules + our /init, as one zstd cpio
  refguest a Linux PV domU initramfs (busybox, iperf3, fio, httpd) for
           side-by-side comparisons

Nothing is installed into the host system except the tools the build
needs (qemu, debootstrap, cpio, zstd): the hypervisor and kernel packages
are only extracted.
"""
import glob
import gzip
import hashlib
import json
import os
import re
import shutil

from .common import (REPO, Fatal, apt_download, apt_update, cache_dir,
                     debian_mirror, dpkg_extract, ensure_packages, info, run,
                     step)

HOST_PACKAGES = ["qemu-system-x86", "debootstrap", "cpio", "zstd",
                 "xz-utils", "kmod", "e2fsprogs", "busybox-static"]

XEN_PKG = "xen-hypervisor-4.17-amd64"

# dom0 root: the toolstack, bridge support and the real clients that the
# tests and benchmarks drive.
DOM0_PACKAGES = [
    "xen-utils-4.17", "xenstore-utils", "iproute2", "kmod", "procps",
    "bridge-utils", "busybox", "e2fsprogs", "curl", "wrk", "iperf3", "fio",
    "iputils-ping", "netcat-openbsd", "tcpdump", "socat", "dnsmasq-base",
    "util-linux", "python3-minimal", "dmsetup",
    # for the reference domU only (its HTTP server, see REF_BINARIES;
    # dom0 never starts it: debootstrap's fake start-stop-daemon)
    "nginx-light",
]

# Kernel modules dom0 loads (dependencies are resolved by modprobe).
DOM0_MODULES = [
    "xenfs", "xen-evtchn", "xen-gntdev", "xen-gntalloc", "xen-privcmd",
    "xen-blkback", "xen-netback", "bridge", "loop", "9p", "9pnet_virtio",
    "virtio_pci", "virtio_net", "e1000", "tun", "ext4",
    # dm-log-writes records every write and flush blkback passes on
    # (test/integration/flush_tests.py); loaded on demand, not at boot.
    "dm-mod", "dm-log-writes",
]

# Modules the reference Linux domU needs.
REF_MODULES = ["xen-netfront", "xen-blkfront", "ext4"]

# Binaries copied (with their libraries) into the reference guest.
REF_BINARIES = ["/usr/bin/iperf3", "/usr/bin/fio", "/usr/sbin/nginx"]

TOOLS_DIR = os.path.join(REPO, "tools", "sandbox")


def _builder_hash():
    """Hash of everything that shapes the sandbox image."""
    h = hashlib.sha256()
    files = [os.path.realpath(__file__)]
    files += sorted(glob.glob(os.path.join(TOOLS_DIR, "*")))
    for f in files:
        if os.path.isfile(f):
            h.update(os.path.basename(f).encode())
            h.update(open(f, "rb").read())
    return h.hexdigest()[:12]


def _key(*parts):
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]


def kernel_package():
    """The versioned linux-image package that linux-image-amd64 names."""
    p = run(["apt-cache", "depends", "linux-image-amd64"], quiet=True)
    m = re.search(r"Depends:\s*(linux-image-[0-9][^\s]*-amd64)", p.stdout)
    if not m:
        raise Fatal("cannot resolve linux-image-amd64 to a kernel package "
                    "with apt-cache depends")
    return m.group(1)


def _versions(pkgs):
    out = {}
    p = run(["apt-cache", "policy"] + pkgs, quiet=True)
    cur = None
    for line in p.stdout.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            cur = line[:-1]
        m = re.match(r"\s+Candidate:\s*(\S+)", line)
        if m and cur:
            out[cur] = m.group(1)
    missing = [x for x in pkgs if out.get(x) in (None, "(none)")]
    if missing:
        raise Fatal(f"Debian packages not available from the apt sources: "
                    f"{' '.join(missing)}")
    return out


class Layout:
    """Where each stage lives in the cache."""

    def __init__(self):
        apt_update()
        self.kpkg = kernel_package()
        self.kver = self.kpkg[len("linux-image-"):]
        self.mirror = debian_mirror()[0]
        vers = _versions([XEN_PKG, self.kpkg] + DOM0_PACKAGES)
        self.versions = vers
        bh = _builder_hash()
        self.xen_key = _key(vers[XEN_PKG])
        self.kernel_key = _key(vers[self.kpkg])
        self.rootfs_key = _key(DOM0_PACKAGES, self.mirror,
                               {p: vers[p] for p in DOM0_PACKAGES})
        self.dom0_key = _key(self.xen_key, self.kernel_key, self.rootfs_key,
                             DOM0_MODULES, bh)
        self.ref_key = _key(self.kernel_key, self.rootfs_key, REF_MODULES,
                            REF_BINARIES, bh)
        base = cache_dir()
        self.xen_dir = os.path.join(base, "xen-" + self.xen_key)
        self.kernel_dir = os.path.join(base, "kernel-" + self.kernel_key)
        self.rootfs_dir = os.path.join(base, "rootfs-" + self.rootfs_key)
        self.dom0_dir = os.path.join(base, "sandbox-" + self.dom0_key)
        self.ref_dir = os.path.join(base, "refguest-" + self.ref_key)

    @property
    def xen(self):
        return os.path.join(self.xen_dir, "xen.elf")

    @property
    def vmlinuz(self):
        return os.path.join(self.kernel_dir, "vmlinuz")

    @property
    def dom0_initrd(self):
        return os.path.join(self.dom0_dir, "dom0.cpio.zst")

    @property
    def ref_initrd(self):
        return os.path.join(self.ref_dir, "ref.cpio.zst")


def _stage_done(d):
    return os.path.exists(os.path.join(d, ".complete"))


def _stage_commit(tmp, final):
    open(os.path.join(tmp, ".complete"), "w").close()
    if os.path.exists(final):
        shutil.rmtree(final)
    os.rename(tmp, final)


def _stage_tmp(final):
    tmp = final + ".tmp"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    return tmp


def build_xen(lay):
    if _stage_done(lay.xen_dir):
        return
    with step(f"Xen hypervisor ({XEN_PKG} {lay.versions[XEN_PKG]})",
              lay.xen_dir):
        tmp = _stage_tmp(lay.xen_dir)
        deb = apt_download(XEN_PKG, os.path.join(tmp, "deb"))
        dpkg_extract(deb, os.path.join(tmp, "x"))
        gz = glob.glob(os.path.join(tmp, "x", "boot", "xen-4.17*-amd64.gz"))
        if not gz:
            raise Fatal(f"{XEN_PKG} holds no /boot/xen-*.gz")
        with gzip.open(gz[0]) as src, open(os.path.join(tmp, "xen.elf"),
                                           "wb") as dst:
            shutil.copyfileobj(src, dst)
        shutil.rmtree(os.path.join(tmp, "x"))
        shutil.rmtree(os.path.join(tmp, "deb"))
        _stage_commit(tmp, lay.xen_dir)


def build_kernel(lay):
    if _stage_done(lay.kernel_dir):
        return
    with step(f"Linux kernel ({lay.kpkg} {lay.versions[lay.kpkg]})",
              lay.kernel_dir):
        tmp = _stage_tmp(lay.kernel_dir)
        deb = apt_download(lay.kpkg, os.path.join(tmp, "deb"))
        dpkg_extract(deb, os.path.join(tmp, "root"))
        shutil.copy(os.path.join(tmp, "root", "boot", "vmlinuz-" + lay.kver),
                    lay.vmlinuz.replace(lay.kernel_dir, tmp))
        shutil.rmtree(os.path.join(tmp, "deb"))
        _stage_commit(tmp, lay.kernel_dir)


def build_rootfs(lay):
    if _stage_done(lay.rootfs_dir):
        return
    with step("dom0 root filesystem (debootstrap minbase; about 2 minutes)",
              lay.rootfs_dir):
        tmp = _stage_tmp(lay.rootfs_dir)
        root = os.path.join(tmp, "root")
        p = run(["debootstrap", "--variant=minbase",
                 "--include=" + ",".join(DOM0_PACKAGES), "bookworm", root,
                 lay.mirror], check=False, quiet=True)
        if p.returncode != 0:
            log = os.path.join(root, "debootstrap", "debootstrap.log")
            tail = ""
            if os.path.exists(log):
                tail = "\n".join(open(log).read().splitlines()[-15:])
            raise Fatal("debootstrap of the dom0 root failed:\n"
                        + "\n".join(p.stdout.splitlines()[-15:]) + "\n"
                        + tail)
        _stage_commit(tmp, lay.rootfs_dir)


TRIM = ["var/cache/apt", "var/lib/apt/lists", "usr/share/doc",
        "usr/share/man", "usr/share/info", "usr/share/locale",
        "usr/share/i18n", "usr/share/zoneinfo", "usr/lib/udev/hwdb.d",
        "usr/share/common-licenses", "var/cache/debconf",
        "usr/share/bash-completion", "var/log", "usr/share/lintian",
        "usr/lib/x86_64-linux-gnu/perl", "usr/share/perl"]


def _copy_modules(lay, names, dest_root):
    """Copy `names` and their dependencies into dest_root/lib/modules."""
    kroot = os.path.join(lay.kernel_dir, "root")
    mdir = os.path.join(kroot, "lib", "modules", lay.kver)
    if not os.path.exists(os.path.join(mdir, "modules.dep")):
        run(["depmod", "-b", kroot, lay.kver], quiet=True)
    p = run(["modprobe", "-d", kroot, "-S", lay.kver, "-a",
             "--show-depends"] + names, check=False, quiet=True)
    files = set()
    for line in p.stdout.splitlines():
        m = re.match(r"insmod\s+(\S+)", line)
        if m:
            files.add(m.group(1))
        elif line.startswith("builtin"):
            continue
        elif line.strip():
            raise Fatal(f"kernel module resolution failed: {line}")
    for f in files:
        rel = os.path.relpath(f, kroot)
        dst = os.path.join(dest_root, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(f, dst)
    dmdir = os.path.join(dest_root, "lib", "modules", lay.kver)
    os.makedirs(dmdir, exist_ok=True)
    for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        src = os.path.join(mdir, f)
        if os.path.exists(src):
            shutil.copy2(src, dmdir)
    run(["depmod", "-b", dest_root, lay.kver], quiet=True)
    return len(files)


def _pack_cpio(root, out):
    """One zstd-compressed newc cpio, used directly as the initramfs."""
    cmd = (f"cd '{root}' && find . -mindepth 1 -print0 | LC_ALL=C sort -z | "
           f"cpio --null -o -H newc --quiet | zstd -q -T0 -10 -o '{out}'")
    run(["bash", "-o", "pipefail", "-c", cmd], quiet=True)


def build_dom0(lay):
    if _stage_done(lay.dom0_dir):
        return
    with step("dom0 initramfs (trim, modules, /init, cpio+zstd)",
              lay.dom0_dir):
        tmp = _stage_tmp(lay.dom0_dir)
        root = os.path.join(tmp, "root")
        run(["cp", "-a", os.path.join(lay.rootfs_dir, "root"), root])
        for t in TRIM:
            shutil.rmtree(os.path.join(root, t), ignore_errors=True)
        shutil.rmtree(os.path.join(root, "lib", "modules"),
                      ignore_errors=True)
        os.makedirs(os.path.join(root, "var", "log"), exist_ok=True)
        n = _copy_modules(lay, DOM0_MODULES, root)
        info(f"     {n} kernel modules")
        for src, dst in (("dom0-init.sh", "init"),
                         ("agent.sh", "usr/local/sbin/xenith-agent")):
            d = os.path.join(root, dst)
            shutil.copy(os.path.join(TOOLS_DIR, src), d)
            os.chmod(d, 0o755)
        with open(os.path.join(root, "etc", "xenith-kver"), "w") as fh:
            fh.write(lay.kver + "\n")
        _pack_cpio(root, lay.dom0_initrd.replace(lay.dom0_dir, tmp))
        shutil.rmtree(root)
        _stage_commit(tmp, lay.dom0_dir)


def _ldd_closure(rootfs, binaries):
    """Libraries the binaries need, resolved inside the dom0 rootfs."""
    libs = set()
    for b in binaries:
        p = run(["chroot", rootfs, "ldd", b], check=False, quiet=True)
        for line in p.stdout.splitlines():
            m = re.search(r"(/\S+)\s+\(0x", line)
            if m:
                libs.add(m.group(1))
    return sorted(libs)


def _httpd_file(size):
    """apps/httpd's generated static file of `size` bytes."""
    import importlib.util
    path = os.path.join(REPO, "apps", "httpd", "gen_files.py")
    spec = importlib.util.spec_from_file_location("xenith_httpd_files", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.content(size)


def build_refguest(lay):
    if _stage_done(lay.ref_dir):
        return
    with step("reference Linux PV guest initramfs (busybox, iperf3, fio, "
              "nginx)",
              lay.ref_dir):
        tmp = _stage_tmp(lay.ref_dir)
        root = os.path.join(tmp, "root")
        src = os.path.join(lay.rootfs_dir, "root")
        for d in ("bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "run",
                  "usr/bin", "usr/sbin", "var/www", "mnt"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        bb = shutil.which("busybox") or "/bin/busybox"
        shutil.copy(bb, os.path.join(root, "bin", "busybox"))
        for b in REF_BINARIES:
            shutil.copy2(os.path.join(src, b.lstrip("/")),
                         os.path.join(root, b.lstrip("/")))
        for lib in _ldd_closure(src, REF_BINARIES):
            dst = os.path.join(root, lib.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(src, lib.lstrip("/")), dst)
        # lib64 loader path the binaries name
        if os.path.isdir(os.path.join(root, "usr", "lib64")) and \
                not os.path.exists(os.path.join(root, "lib64")):
            os.symlink("usr/lib64", os.path.join(root, "lib64"))
        _copy_modules(lay, REF_MODULES, root)
        d = os.path.join(root, "init")
        shutil.copy(os.path.join(TOOLS_DIR, "ref-init.sh"), d)
        os.chmod(d, 0o755)
        with open(os.path.join(root, "var", "www", "index.html"), "w") as fh:
            fh.write("<html><body>xenith reference guest</body></html>\n")
        # The very bytes xenith's httpd serves at /1k and /64k, so the
        # HTTP benchmark compares the same file (apps/httpd/gen_files.py).
        for name, size in (("1k", 1024), ("64k", 65536)):
            with open(os.path.join(root, "var", "www", name), "wb") as fh:
                fh.write(_httpd_file(size))
        _pack_cpio(root, lay.ref_initrd.replace(lay.ref_dir, tmp))
        shutil.rmtree(root)
        _stage_commit(tmp, lay.ref_dir)


def build(quiet_if_cached=False):
    """Build (or verify cached) every stage; return the Layout."""
    ensure_packages(HOST_PACKAGES, why="sandbox build")
    lay = Layout()
    stages = [(lay.xen_dir, build_xen), (lay.kernel_dir, build_kernel),
              (lay.rootfs_dir, build_rootfs), (lay.dom0_dir, build_dom0),
              (lay.ref_dir, build_refguest)]
    todo = [s for s in stages if not _stage_done(s[0])]
    if not todo:
        if not quiet_if_cached:
            info(f"sandbox is up to date ({lay.dom0_dir})")
        return lay
    with step(f"sandbox build ({len(todo)} of {len(stages)} stages)"):
        for _d, fn in stages:
            fn(lay)
    _gc(lay)
    return lay


def _gc(lay):
    """Drop stale stages of older keys (keep only the current ones)."""
    keep = {lay.xen_dir, lay.kernel_dir, lay.rootfs_dir, lay.dom0_dir,
            lay.ref_dir}
    base = cache_dir()
    for prefix in ("xen-", "kernel-", "rootfs-", "sandbox-", "refguest-"):
        for d in glob.glob(os.path.join(base, prefix + "*")):
            if d not in keep and os.path.isdir(d) and \
                    re.search(r"-[0-9a-f]{12}(\.tmp)?$", d):
                shutil.rmtree(d, ignore_errors=True)
