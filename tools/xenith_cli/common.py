# SPDX-License-Identifier: MIT
"""Shared helpers for `./xenith`: paths, logging, progress steps, apt.

Design: every long step is wrapped in `step()`, which prints what it is
doing, then its duration (and the size of what it produced, when given a
path).  Every host package the project needs is installed through
`ensure_packages()`, which serialises apt with a lock file so concurrent
invocations never fight over dpkg.  The Debian mirror is read from the
machine's own apt sources, never hard-coded.
"""
import contextlib
import fcntl
import glob
import os
import re
import shutil
import subprocess
import sys
import time

_PKG_DIR = os.path.dirname(os.path.realpath(__file__))


def _layout():
    """(repository, prefix): where this copy of the CLI lives. In the
    source tree it is tools/xenith_cli/ (the repository has CMakeLists.txt
    and tools/sandbox/); installed, it is
    PREFIX/share/xenith/python/xenith_cli/, found relative to itself so a
    moved prefix still works."""
    repo = os.path.dirname(os.path.dirname(_PKG_DIR))
    if os.path.isfile(os.path.join(repo, "CMakeLists.txt")) and \
            os.path.isdir(os.path.join(repo, "tools", "sandbox")):
        return repo, None
    return None, os.path.normpath(os.path.join(_PKG_DIR, *[".."] * 4))


REPO, PREFIX = _layout()
INSTALLED = PREFIX is not None
if INSTALLED:
    # An installed copy's data folder, share/xenith, holds the tree's
    # tools/sandbox/ at the same relative path (cmake/install-host.cmake):
    # sandbox_build.py finds the dom0 scripts as REPO/tools/sandbox, and
    # the same bytes give the same sandbox cache key as the source tree's
    # (an installed CLI reuses the sandbox the repository built). Commands
    # that need the real source tree refuse to run (main.REPO_ONLY).
    REPO = os.path.join(PREFIX, "share", "xenith")
# App templates of `xenith new`: apps/<t>/ in the tree,
# share/xenith/templates/<t>/ installed.
TEMPLATES_DIR = (os.path.join(PREFIX, "share", "xenith", "templates")
                 if INSTALLED else os.path.join(REPO, "apps"))


def xenith_prefix():
    """The installed prefix out-of-tree apps build against: this copy's
    own when installed; XENITH_PREFIX in the source tree."""
    if INSTALLED:
        return PREFIX
    p = os.environ.get("XENITH_PREFIX")
    if not p or not os.path.isfile(os.path.join(
            p, "lib", "cmake", "xenith", "xenithConfig.cmake")):
        raise Fatal("building an out-of-tree app needs an installed xenith: "
                    "`./xenith build && cmake --install build --prefix P`, "
                    "then use P/bin/xenith (or set XENITH_PREFIX=P)"
                    + (f"; XENITH_PREFIX={p} has no "
                       "lib/cmake/xenith/xenithConfig.cmake" if p else ""))
    return os.path.abspath(p)


class Fatal(Exception):
    """An error with one clear sentence naming the cause and the fix."""

    def __init__(self, msg, code=1):
        super().__init__(msg)
        self.code = code


def err(msg):
    print(f"xenith: error: {msg}", file=sys.stderr, flush=True)


def info(msg):
    print(f"xenith: {msg}", file=sys.stderr, flush=True)


def write_doc_section(path, marker, heading, text):
    """Put text between `<!-- marker -->` and `<!-- /marker -->` in the
    Markdown file path (appended under `## heading` the first time), so a
    measured section is rewritten in place, never duplicated."""
    import re
    doc = open(path).read() if os.path.exists(path) else "# Results\n"
    begin, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    block = f"{begin}\n{text}{end}"
    if begin in doc and end in doc:
        doc = re.sub(re.escape(begin) + r".*?" + re.escape(end),
                     lambda _m: block, doc, flags=re.S)
    else:
        doc = doc.rstrip("\n") + f"\n\n## {heading}\n\n{block}\n"
    with open(path, "w") as fh:
        fh.write(doc)
    info(f"updated {os.path.relpath(path, REPO)} (section {heading})")


def cache_dir(*parts):
    """The cache outside the work tree (XENITH_CACHE overrides)."""
    base = os.environ.get("XENITH_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "xenith")
    path = os.path.join(base, *parts)
    os.makedirs(path, exist_ok=True)
    return path


def human_size(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024.0
    return f"{n:.1f} GB"


def path_size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                with contextlib.suppress(OSError):
                    total += os.path.getsize(p)
    return total


@contextlib.contextmanager
def step(title, output=None):
    """Report a long step: its start, its duration and its output size."""
    info(f"[..] {title}")
    t0 = time.monotonic()
    yield
    dt = time.monotonic() - t0
    size = ""
    if output and os.path.exists(output):
        size = f", {human_size(path_size(output))}"
    info(f"[ok] {title} ({dt:.1f} s{size})")


def run(cmd, check=True, quiet=False, **kw):
    """Run a command; on failure raise Fatal with its tail of output."""
    if quiet:
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.STDOUT)
    p = subprocess.run(cmd, text=True, **kw)
    if check and p.returncode != 0:
        tail = ""
        if quiet and p.stdout:
            tail = "\n" + "\n".join(p.stdout.splitlines()[-25:])
        shown = cmd if isinstance(cmd, str) else " ".join(cmd)
        raise Fatal(f"command failed ({p.returncode}): {shown}{tail}")
    return p


@contextlib.contextmanager
def file_lock(name):
    path = os.path.join(cache_dir("locks"), name + ".lock")
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def debian_mirror():
    """The Debian archive URI and suite configured on this machine."""
    for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        text = open(f).read()
        for stanza in re.split(r"\n\s*\n", text):
            fields = dict(re.findall(r"^(\S+):\s*(.*)$", stanza, re.M))
            types = fields.get("Types", "").split()
            if "deb" not in types:
                continue
            suites = fields.get("Suites", "").split()
            comps = fields.get("Components", "").split()
            for uri in fields.get("URIs", "").split():
                if "main" in comps and any(
                        s in ("bookworm", "stable") for s in suites):
                    if "security" not in uri:
                        return uri, fields.get("Signed-By"), suites
    if os.path.exists("/etc/apt/sources.list"):
        for line in open("/etc/apt/sources.list"):
            m = re.match(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(bookworm|stable)\s",
                         line)
            if m and "security" not in m.group(1):
                return m.group(1), None, [m.group(2)]
    raise Fatal("no Debian 'bookworm' archive found in /etc/apt/sources.list*"
                "; add one so xenith can fetch its packages")


SRC_FILE = "/etc/apt/sources.list.d/xenith-deb-src.sources"


def ensure_deb_src():
    """Add deb-src for the machine's own Debian archive (idempotent)."""
    for f in glob.glob("/etc/apt/sources.list.d/*.sources"):
        if "deb-src" in open(f).read():
            return False
    uri, signed_by, suites = debian_mirror()
    suites = [s for s in suites if "security" not in s]
    text = (f"Types: deb-src\nURIs: {uri}\nSuites: {' '.join(suites)}\n"
            "Components: main\n")
    if signed_by:
        text += f"Signed-By: {signed_by}\n"
    with open(SRC_FILE, "w") as fh:
        fh.write(text)
    return True


def _sudo():
    return [] if os.geteuid() == 0 else ["sudo"]


_updated = False


def apt_update(force=False):
    global _updated
    if _updated and not force:
        return
    with file_lock("apt"):
        stamp = os.path.join(cache_dir("locks"), "apt-update.stamp")
        fresh = (os.path.exists(stamp)
                 and time.time() - os.path.getmtime(stamp) < 3600)
        if force or not fresh:
            with step("apt-get update"):
                run(_sudo() + ["apt-get", "update", "-q"], quiet=True)
            open(stamp, "w").close()
    _updated = True


def missing_packages(pkgs):
    p = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Status}\n"]
                       + list(pkgs), text=True, capture_output=True)
    ok = {line.split()[0] for line in p.stdout.splitlines()
          if line.endswith("install ok installed")}
    return [x for x in pkgs if x not in ok]


def ensure_packages(pkgs, why=""):
    """apt-get install whatever of `pkgs` the host lacks."""
    need = missing_packages(pkgs)
    if not need:
        return
    if ensure_deb_src():
        apt_update(force=True)
    else:
        apt_update()
    title = f"install host packages: {' '.join(need)}"
    if why:
        title += f" ({why})"
    with file_lock("apt"), step(title):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        p = run(_sudo() + ["apt-get", "install", "-y", "-q",
                           "--no-install-recommends"] + need,
                check=False, quiet=True, env=env)
        if p.returncode != 0:
            raise Fatal(f"could not install {' '.join(need)} with apt-get "
                        f"(is the Debian archive reachable?):\n"
                        + "\n".join(p.stdout.splitlines()[-10:]))


def pkg_version(pkg):
    """Candidate version of a Debian package (after apt_update)."""
    p = run(["apt-cache", "policy", pkg], quiet=True)
    m = re.search(r"Candidate:\s*(\S+)", p.stdout)
    if not m or m.group(1) == "(none)":
        raise Fatal(f"Debian package '{pkg}' is not available from the "
                    "configured apt sources")
    return m.group(1)


def apt_download(pkg, dest_dir):
    """Download one .deb into dest_dir; return its path."""
    os.makedirs(dest_dir, exist_ok=True)
    apt_update()
    run(["apt-get", "download", "-q", pkg], cwd=dest_dir, quiet=True)
    debs = sorted(glob.glob(os.path.join(dest_dir, f"{pkg}_*.deb")),
                  key=os.path.getmtime)
    if not debs:
        raise Fatal(f"apt-get download {pkg} produced no .deb")
    return debs[-1]


def dpkg_extract(deb, dest):
    os.makedirs(dest, exist_ok=True)
    run(["dpkg-deb", "-x", deb, dest], quiet=True)


def which_or_fail(tool, pkg):
    if shutil.which(tool) is None:
        ensure_packages([pkg], why=f"for {tool}")
