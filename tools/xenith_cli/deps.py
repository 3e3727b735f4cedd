# SPDX-License-Identifier: MIT
"""`./xenith setup`: host packages and third-party guest dependencies.

Design: every third-party input comes from a Debian package and is built
into the cache (never into the repository).  Each artefact lives in a cache
folder whose name is derived from the Debian package version plus a hash of
the exact build recipe (flags and this builder's revision), so changing a
flag rebuilds and an unchanged recipe is reused instantly.  Builds happen in
a temporary folder next to the final one and are renamed into place only on
success, so an interrupted build never leaves a half-usable cache entry.
The recipe for newlib follows ../shared/notes/dependencies.md (target
x86_64-xen-elf, flags inside CC_FOR_TARGET, retargetable locking, C99
formats, -D__DYNAMIC_REENT__).

Python API: `ensure_all() -> dict` with keys `xen_include` (the folder that
contains `xen/`), `newlib_prefix` (holds `x86_64-xen-elf/{include,lib}`),
`newlib_include`, `newlib_lib`, `lwip_src` (lwIP's pristine source tree,
the folder holding `src/`, from the ORIG tarball of Debian's `lwip`).
"""
import functools
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from .common import (INSTALLED, PREFIX, Fatal, apt_download, apt_update,
                     cache_dir,
                     dpkg_extract, ensure_deb_src, ensure_packages, file_lock,
                     info, pkg_version, run, step)

# Bump when the recipe below changes in a way the flags do not capture.
BUILDER_REV = "1"

# clang: the libFuzzer targets of test/fuzz (Debian's clang ships
# libclang_rt.fuzzer); `./xenith test` runs their smoke, `./xenith fuzz`.
# gdb: `xenith debug` (and its sandbox tests) run it on the host.
HOST_PACKAGES = ["cmake", "gcc", "make", "xz-utils", "libcmocka-dev",
                 "binutils", "dpkg-dev", "clang", "gdb"]

NEWLIB_TARGET = "x86_64-xen-elf"
NEWLIB_TARGET_FLAGS = [
    "-nostdinc", "-ffreestanding", "-mno-red-zone", "-fno-stack-protector",
    "-fno-pie", "-fno-pic", "-mcmodel=small",
    "-fno-asynchronous-unwind-tables", "-fno-exceptions",
    "-fcf-protection=none", "-Wa,--noexecstack", "-D__DYNAMIC_REENT__",
]
NEWLIB_CONFIGURE = [
    "--disable-multilib", "--enable-newlib-io-long-long",
    "--enable-newlib-io-c99-formats", "--enable-newlib-retargetable-locking",
    "--enable-newlib-global-stdio-streams", "--disable-nls",
]
NEWLIB_CFLAGS = "-O2 -g"


def _recipe_hash(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True).encode())
        h.update(b"\0")
    return h.hexdigest()[:12]


def _safe(version):
    return version.replace(":", "_").replace("/", "_")


def _publish(tmp, final):
    """Atomically move a finished build into place (first writer wins)."""
    try:
        os.rename(tmp, final)
    except OSError:
        if os.path.isdir(final):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            raise


def ensure_host_packages():
    ensure_packages(HOST_PACKAGES, why="xenith build prerequisites")


def ensure_xen_headers():
    """Debian libxen-dev's public headers; returns the folder holding xen/."""
    ver = pkg_version("libxen-dev")
    final = os.path.join(cache_dir("deps"),
                         f"xen-headers-{_safe(ver)}-{BUILDER_REV}")
    inc = os.path.join(final, "include")
    if os.path.isfile(os.path.join(inc, "xen", "xen.h")):
        return inc
    with file_lock("deps-xen"):
        if os.path.isfile(os.path.join(inc, "xen", "xen.h")):
            return inc
        with step(f"fetch Xen public headers (libxen-dev {ver})", final):
            tmp = tempfile.mkdtemp(dir=cache_dir("deps"), prefix=".xen-")
            deb = apt_download("libxen-dev", os.path.join(tmp, "deb"))
            dpkg_extract(deb, os.path.join(tmp, "root"))
            src = os.path.join(tmp, "root", "usr", "include")
            if not os.path.isfile(os.path.join(src, "xen", "xen.h")):
                raise Fatal("libxen-dev has no usr/include/xen/xen.h; the "
                            "package layout changed")
            os.makedirs(os.path.join(tmp, "out"))
            shutil.move(src, os.path.join(tmp, "out", "include"))
            shutil.rmtree(os.path.join(tmp, "root"))
            shutil.rmtree(os.path.join(tmp, "deb"))
            _publish(os.path.join(tmp, "out"), final)
            shutil.rmtree(tmp, ignore_errors=True)
    return inc


def _newlib_cc():
    gccinc = run(["gcc", "-print-file-name=include"],
                 quiet=True).stdout.strip()
    return "gcc " + " ".join(NEWLIB_TARGET_FLAGS[:1] + ["-idirafter", gccinc]
                             + NEWLIB_TARGET_FLAGS[1:])


def ensure_newlib():
    """newlib built for the guest; returns the install prefix."""
    ver = pkg_version("newlib-source")
    gccver = run(["gcc", "-dumpfullversion"], quiet=True).stdout.strip()
    key = _recipe_hash(BUILDER_REV, NEWLIB_TARGET_FLAGS, NEWLIB_CONFIGURE,
                       NEWLIB_CFLAGS, gccver)
    final = os.path.join(cache_dir("deps"), f"newlib-{_safe(ver)}-{key}")
    stamp = os.path.join(final, ".complete")
    if os.path.exists(stamp):
        return final
    with file_lock("deps-newlib"):
        if os.path.exists(stamp):
            return final
        tmp = tempfile.mkdtemp(dir=cache_dir("deps"), prefix=".newlib-")
        try:
            _build_newlib(ver, tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _build_newlib(ver, tmp, final):
    with step(f"fetch newlib-source {ver}"):
        deb = apt_download("newlib-source", os.path.join(tmp, "deb"))
        dpkg_extract(deb, os.path.join(tmp, "root"))
        tars = glob.glob(os.path.join(tmp, "root", "usr", "src", "newlib",
                                      "newlib-*.tar.*"))
        if not tars:
            raise Fatal("newlib-source has no usr/src/newlib/newlib-*.tar.*")
        os.makedirs(os.path.join(tmp, "src"))
        run(["tar", "-xf", tars[0], "-C", os.path.join(tmp, "src")],
            quiet=True)
        tops = os.listdir(os.path.join(tmp, "src"))
        if len(tops) != 1:
            raise Fatal(f"unexpected newlib tarball layout: {tops}")
        srcdir = os.path.join(tmp, "src", tops[0])
    # The install prefix is baked into nothing we use at run time, so we
    # install into the temporary tree and rename it afterwards.
    prefix = os.path.join(tmp, "install")
    bld = os.path.join(tmp, "build")
    os.makedirs(bld)
    env = dict(os.environ,
               CC_FOR_TARGET=_newlib_cc(), AR_FOR_TARGET="ar",
               AS_FOR_TARGET="as", LD_FOR_TARGET="ld",
               RANLIB_FOR_TARGET="ranlib", NM_FOR_TARGET="nm",
               OBJDUMP_FOR_TARGET="objdump", OBJCOPY_FOR_TARGET="objcopy",
               CFLAGS_FOR_TARGET=NEWLIB_CFLAGS,
               # Docs are not needed; never require texinfo.
               MAKEINFO="true")
    with step("configure newlib for " + NEWLIB_TARGET):
        run([os.path.join(srcdir, "configure"), "--target=" + NEWLIB_TARGET,
             "--prefix=" + prefix] + NEWLIB_CONFIGURE,
            cwd=bld, env=env, quiet=True)
    jobs = str(os.cpu_count() or 1)
    with step(f"build newlib (make -j{jobs})"):
        run(["make", "-j" + jobs, "all-target-newlib", "MAKEINFO=true"],
            cwd=bld, env=env, quiet=True)
    with step("install newlib", prefix):
        run(["make", "install-target-newlib", "MAKEINFO=true"],
            cwd=bld, env=env, quiet=True)
    libc = os.path.join(prefix, NEWLIB_TARGET, "lib", "libc.a")
    if not os.path.isfile(libc):
        raise Fatal(f"newlib install produced no {libc}")
    with open(os.path.join(prefix, ".complete"), "w") as fh:
        json.dump({"version": ver, "cc": env["CC_FOR_TARGET"],
                   "configure": NEWLIB_CONFIGURE}, fh)
    _publish(prefix, final)


def _src_version(pkg):
    """Version of a Debian SOURCE package (needs deb-src)."""
    p = run(["apt-cache", "showsrc", pkg], quiet=True, check=False)
    versions = [ln.split(":", 1)[1].strip() for ln in p.stdout.splitlines()
                if ln.startswith("Version:")]
    if not versions:
        raise Fatal(f"Debian source package '{pkg}' is not available "
                    "(deb-src entries missing?)")
    # Several suites may list it; apt-get source takes the newest.
    return sorted(versions, key=functools.cmp_to_key(_deb_cmp))[-1]


def _deb_cmp(a, b):
    p = subprocess.run(["dpkg", "--compare-versions", a, "lt", b])
    if p.returncode == 0:
        return -1
    return 0 if a == b else 1


def ensure_lwip():
    """lwIP's pristine source from the Debian source package `lwip`.

    Only the ORIG tarball is used: Debian's patches port sockets.c to the
    Hurd and break the build elsewhere (dependencies.md). Returns the
    folder holding src/ (src/core, src/api, src/include ...)."""
    if ensure_deb_src():
        apt_update(force=True)
    else:
        apt_update()
    ver = _src_version("lwip")
    final = os.path.join(cache_dir("deps"),
                         f"lwip-{_safe(ver)}-{BUILDER_REV}")
    marker = os.path.join(final, "src", "include", "lwip", "init.h")
    if os.path.isfile(marker):
        return final
    with file_lock("deps-lwip"):
        if os.path.isfile(marker):
            return final
        tmp = tempfile.mkdtemp(dir=cache_dir("deps"), prefix=".lwip-")
        try:
            with step(f"fetch lwip {ver} (orig tarball)", final):
                run(["apt-get", "source", "--download-only", "-q",
                     f"lwip={ver}"], cwd=tmp, quiet=True)
                tars = glob.glob(os.path.join(tmp, "lwip_*.orig.tar.*"))
                if len(tars) != 1:
                    raise Fatal(f"apt-get source lwip gave {tars}, expected "
                                "one lwip_*.orig.tar.*")
                out = os.path.join(tmp, "x")
                os.makedirs(out)
                run(["tar", "-xf", tars[0], "-C", out], quiet=True)
                tops = os.listdir(out)
                if len(tops) != 1 or not os.path.isfile(os.path.join(
                        out, tops[0], "src", "include", "lwip", "init.h")):
                    raise Fatal(f"unexpected lwip tarball layout: {tops}")
                _publish(os.path.join(out, tops[0]), final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def ensure_all():
    """Everything a build needs; returns the paths as a dict."""
    ensure_host_packages()
    xen_inc = ensure_xen_headers()
    newlib = ensure_newlib()
    lwip = ensure_lwip()
    return {
        "xen_include": xen_inc,
        "newlib_prefix": newlib,
        "newlib_include": os.path.join(newlib, NEWLIB_TARGET, "include"),
        "newlib_lib": os.path.join(newlib, NEWLIB_TARGET, "lib"),
        "lwip_src": lwip,
    }


# What an installed xenith needs on the host to build out-of-tree apps
# (newlib and lwIP are in the prefix already).
INSTALLED_HOST_PACKAGES = ["cmake", "gcc", "make", "binutils", "pkg-config"]


def cmd(argv):
    if argv and argv[0] in ("-h", "--help"):
        print("usage: xenith setup [--print]\n\n"
              "In the source tree: install host packages and build the "
              "guest's third-party\ndependencies (Xen headers, newlib, lwIP) "
              "into the cache; --print shows their\npaths as JSON.\n"
              "Installed: install the host packages that building an "
              "out-of-tree app needs\n(" + " ".join(INSTALLED_HOST_PACKAGES)
              + ").")
        return 0
    if INSTALLED:
        ensure_packages(INSTALLED_HOST_PACKAGES,
                        why="building apps against " + PREFIX)
        info(f"host ready to build apps against {PREFIX}")
        return 0
    paths = ensure_all()
    for k, v in paths.items():
        if v:
            info(f"{k}: {v}")
    if "--print" in argv:
        print(json.dumps(paths, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(cmd(sys.argv[1:]))
