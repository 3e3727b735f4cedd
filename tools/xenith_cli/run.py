# SPDX-License-Identifier: MIT
"""`./xenith run IMAGE_OR_APP`: boot an image as a Xen PV or PVH domU and
stream its console; exit with the guest's exit status.

Mode: `--mode pv|pvh`. For an app, pvh picks its NAME-pvh image
(cmake/xenith.cmake builds both); for an ELF file the mode is read from
its Xen notes (XEN_ELFNOTE_PHYS32_ENTRY = PVH, XEN_ELFNOTE_ENTRY = PV)
and --mode, if given, must agree. A PVH config says type="pvh" and
tsc_mode="native": under the sandbox's TCG-emulated SVM, Xen cannot
emulate RDTSCP for an HVM guest (no NRIP save) and crashes it otherwise.

Where it runs: on a real Xen host (`/proc/xen` and `xl` present) the local
toolstack is used directly; everywhere else the sandbox (QEMU-nested Xen)
is started if needed and the same dom0-side script runs there through the
agent.

Exit status (docs/internals.md): the guest prints `[xenith] exit N` and
powers off (N == 0) or crashes (N != 0).  We exit with N; with 134 for a
domain that crashed without an exit line; with 124 when --timeout expired;
with 0 for a guest (such as the reference Linux) that powered off without
one; with 137 (DESTROYED_STATUS) for a domain destroyed from outside
(`xl destroy`) before it shut down.  With --detach we return once the guest printed its first line (or
the --ready pattern) and leave it running.
"""
import argparse
import hashlib
import os
import re
import shlex
import subprocess
import sys
import time

from .common import Fatal, err, info
from . import config, sandbox

# A domain that vanished (xl destroy from outside) without an exit line:
# 128 + SIGKILL, what a shell reports for a process killed from outside.
DESTROYED_STATUS = 137

EXIT_RE = re.compile(rb"\[xenith\] exit (-?\d+)")
END_RE = re.compile(rb"^XENITH-END state=(\S+) domid=(\S+)")

DOM0_SCRIPT = r'''
set -u
name=$1; cfg=$2; timeout=$3; detach=$4; ready=$5; hook=$6
log=/var/log/xen/console/guest-$name.log
rm -f "$log"
t0=$(date +%s.%N)
# Whatever happens to this script (the host went away: SIGPIPE/HUP), the
# guest does not outlive it unless it was asked to (--detach).
keep=0
trap '[ "$keep" = 1 ] || xl destroy "$name" >/dev/null 2>&1' EXIT
trap 'exit 1' HUP PIPE TERM INT
paused=
[ -n "$hook" ] && paused=-p
if ! xl create $paused "$cfg" >/tmp/xl-create-$name.log 2>&1; then
    cat /tmp/xl-create-$name.log
    echo "XENITH-END state=create-failed domid=none"
    exit 0
fi
t1=$(date +%s.%N)
if ! domid=$(xl domid "$name" 2>/dev/null); then
    cat /tmp/xl-create-$name.log
    echo "XENITH-END state=create-failed domid=none"
    exit 0
fi
echo "XENITH-INFO xl-create-seconds=$(awk "BEGIN{print $t1-$t0}")"
if [ -n "$hook" ]; then
    # Created paused: the devices and their backend directories exist,
    # no frontend has run yet.
    if ! DOMID=$domid NAME=$name timeout 120 bash "$hook"; then
        echo "xenith run: the --paused-hook script failed"
        echo "XENITH-END state=create-failed domid=$domid"
        exit 0
    fi
    xl unpause "$name"
fi
touch "$log"
tail -n +1 -s 0.1 -F "$log" 2>/dev/null &
tp=$!
start=$(date +%s)
state=running
while true; do
    sleep 0.2
    s=$(xl list "$name" 2>/dev/null | awk 'NR==2{print $5}')
    if [ -z "$s" ]; then state=gone; break; fi
    case "$s" in *c*) state=crashed; break ;; *s*) state=shutdown; break ;; esac
    if [ "$detach" = 1 ]; then
        if [ -n "$ready" ]; then grep -qE "$ready" "$log" && { state=detached; break; }
        elif [ -s "$log" ]; then state=detached; break; fi
    fi
    if [ "$timeout" != 0 ] && [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
        state=timeout; break
    fi
done
sleep 0.5
kill $tp 2>/dev/null; wait $tp 2>/dev/null
[ "$state" = detached ] && keep=1
if [ "$state" != detached ]; then
    if [ "$state" = timeout ]; then
        echo "---- xl dmesg (tail) ----"; xl dmesg | tail -n 15
    fi
    xl destroy "$name" >/dev/null 2>&1
fi
echo "XENITH-END state=$state domid=$domid"
'''


class ConsoleFilter:
    """Pass the guest console through; pick out our own protocol lines."""

    def __init__(self, quiet=False):
        self.buf = b""
        self.exit_code = None
        self.end_state = None
        self.domid = None
        self.quiet = quiet
        self.lines = []
        self.info = {}
        self.shown = 0  # bytes of self.buf already written to stdout

    def write(self, data):
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            self._line(line + b"\n")
        # A line still waiting for its newline (the agent holds a final
        # newline back while it could start its status marker) is shown at
        # once unless it may be one of our protocol lines.
        if self.buf and not self.quiet and \
                not b"XENITH-".startswith(self.buf[:7]) and \
                len(self.buf) > self.shown:
            sys.stdout.buffer.write(self.buf[self.shown:])
            sys.stdout.buffer.flush()
            self.shown = len(self.buf)

    def flush(self):
        pass

    def finish(self):
        if self.buf:
            self._line(self.buf)
            self.buf = b""

    def _line(self, line):
        m = END_RE.match(line)
        if m:
            self.end_state = m.group(1).decode()
            self.domid = m.group(2).decode()
            return
        if line.startswith(b"XENITH-INFO "):
            k, _, v = line[12:].strip().decode().partition("=")
            self.info[k] = v
            return
        m = EXIT_RE.search(line)
        if m:
            self.exit_code = int(m.group(1))
        self.lines.append(line)
        if not self.quiet:
            sys.stdout.buffer.write(line[self.shown:].replace(b"\r\n",
                                                              b"\n"))
            sys.stdout.buffer.flush()
        self.shown = 0


def on_real_xen():
    return os.path.isdir("/proc/xen") and os.path.exists(
        "/proc/xen/capabilities") and subprocess.run(
        ["which", "xl"], capture_output=True).returncode == 0


def resolve_image(target, mode=None):
    """An ELF path, or an app folder/name that is built first (its PVH
    image when mode is pvh)."""
    if os.path.isfile(target):
        return os.path.abspath(target)
    from . import build
    path = build.build_app(target)
    if mode == "pvh":
        path = re.sub(r"\.stripped$", "", path) + "-pvh.stripped"
        if not os.path.isfile(path):
            raise Fatal(f"{target} has no PVH image ({path}); its "
                        f"xenith_add_image() says MODE pv")
    return path


XEN_ELFNOTE_ENTRY = 1
XEN_ELFNOTE_PHYS32_ENTRY = 18


def image_mode(path):
    """'pvh', 'pv', 'both' or None, from the ELF's "Xen" notes."""
    import struct
    try:
        data = open(path, "rb").read()
    except OSError:
        return None
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return None
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    types = set()
    for i in range(phnum):
        p_type, _f, off, _v, _p, size = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = off, off + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
            if name == b"Xen":
                types.add(ntype)
    pv = XEN_ELFNOTE_ENTRY in types
    pvh = XEN_ELFNOTE_PHYS32_ENTRY in types
    return "both" if pv and pvh else "pvh" if pvh else "pv" if pv else None


def image_memory(image):
    return config.image_memory(image)


def _mac(name):
    return config.mac_for(name)


def parse(argv):
    ap = argparse.ArgumentParser(
        prog="xenith run",
        description="Boot an image as a Xen PV domU (the local toolstack on "
        "a Xen host, else the sandbox) and stream its console.",
        epilog="exit status: the app's exit(n); 134 crashed; 124 --timeout "
        "expired; 125 xl create failed or dom0 lost; 137 destroyed from "
        "outside (xl destroy); 0 powered off without an exit line "
        "(docs/sandbox.md)")
    ap.add_argument("image", nargs="?",
                    help="ELF image, an app of this tree (apps/hello), or "
                    "an out-of-tree app folder (built first)")
    ap.add_argument("--reference-linux", action="store_true",
                    help="boot the reference Linux PV domU instead")
    ap.add_argument("--memory", type=int, help="guest memory in MB")
    ap.add_argument("--mode", choices=("pv", "pvh"),
                    help="boot mode (default: what the image is; an app "
                         "boots as PV unless pvh is asked for)")
    ap.add_argument("--net", action="store_true",
                    help="attach a vif on xenbr0 (dom0 is 10.0.0.1)")
    ap.add_argument("--disk", action="append", default=[],
                    metavar="FILE[:ro]",
                    help="host file (copied in, and back if writable), or "
                         "dom0:/path for a file already in dom0")
    ap.add_argument("--forward", action="append", default=[],
                    metavar="HOSTPORT:GUESTPORT",
                    help="127.0.0.1:HOSTPORT on this host reaches the "
                    "guest's TCP GUESTPORT (needs --net); repeatable")
    ap.add_argument("--cmdline", default="", help="guest command line")
    ap.add_argument("--rootfs", metavar="DIR|FILE",
                    help="pack DIR (cpio newc) as the guest's read-only "
                         "root, passed as the PV ramdisk (a FILE is "
                         "passed as it is); it replaces a root embedded "
                         "in the image, and its size is added to the "
                         "default memory")
    ap.add_argument("--timeout", type=int, default=0,
                    help="destroy the guest after S seconds (exit 124)")
    ap.add_argument("--detach", action="store_true",
                    help="return once the guest is up; print its name")
    ap.add_argument("--ready", default="",
                    help="with --detach: regex on the console meaning up")
    ap.add_argument("--name", help="domain name (default: generated)")
    ap.add_argument("--vcpus", type=int, default=1, help="default 1")
    ap.add_argument("--paused-hook", metavar="SCRIPT",
                    help="create the domain paused, run this bash script "
                         "(a host file) in dom0 with DOMID and NAME set, "
                         "then unpause (tests: edit backend nodes before "
                         "the frontend runs)")
    ap.add_argument("--print-config", action="store_true",
                    help="print the xl config this run would write (the "
                         "same writer as `xenith config`) and exit without "
                         "booting")
    ap.add_argument("--verbose", action="store_true",
                    help="show the xl config (on stderr) before booting, "
                         "and have the guest print its boot timeline: "
                         "each bring-up stage with its cost in us "
                         "(kernel option xenith.boottrace)")
    ap.add_argument("--on-reboot", default="preserve",
                    choices=("preserve", "restart", "destroy"),
                    help="xl on_reboot: what the toolstack does when the "
                         "guest reboots (xl reboot); restart boots the "
                         "same image again under the same name")
    a = ap.parse_args(argv)
    if not a.image and not a.reference_linux:
        ap.error("an image or app, or --reference-linux, is required")
    return a


class Dom0:
    """Where dom0 commands run: the sandbox agent, or the local host.
    dry: nothing is started or copied (put only names the dom0 path), for
    --print-config."""

    def __init__(self, dry=False):
        self.local = on_real_xen()
        self.dry = dry
        if not self.local and not dry:
            sandbox.start(quiet=True)

    def exec(self, script, out, timeout=None):
        if not self.local:
            return sandbox.agent_exec(script, out=out, timeout=timeout)
        p = subprocess.Popen(["bash", "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        for chunk in iter(lambda: p.stdout.read1(65536), b""):
            out.write(chunk)
        return p.wait()

    def capture(self, script, timeout=120):
        if not self.local:
            return sandbox.agent_capture(script, timeout=timeout)[1]
        return subprocess.run(["bash", "-c", script], check=True, text=True,
                              capture_output=True).stdout

    def put(self, path, name):
        if self.local:
            return path
        if self.dry:
            return "/share/" + name
        return sandbox.put_file(path, name)


def _stage_kernel(d0, path, kind):
    """Put an image where dom0 sees it, named by its content: an image
    already staged (the reference kernel and its 30 MB initramfs, say) is
    not copied again."""
    del kind
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()[:12]
    name = f"images/{digest}-{os.path.basename(path)}"
    if not d0.local:
        staged = os.path.join(sandbox.state_dir(), "share", name)
        if os.path.isfile(staged) and \
                os.path.getsize(staged) == os.path.getsize(path):
            return "/share/" + name
    return d0.put(path, name)


def guest_type(a, image):
    """The xl type for image: --mode if given (checked against the
    image's notes), else what the notes say."""
    have = image_mode(image) if image else None
    want = a.mode
    if want and have and have not in (want, "both"):
        raise Fatal(f"{image} is a {have.upper()} image, not {want.upper()}")
    return want or ("pvh" if have == "pvh" else "pv")


def _stage_rootfs(d0, directory):
    """Pack DIR as a cpio newc archive (tools/xenith_cli/rootfs.py), or
    take FILE as one, and put it where dom0 sees it; returns (dom0 path,
    size in bytes)."""
    import tempfile
    from . import rootfs
    # A fixed file name: the staged copy is named by content, so the
    # same tree is not copied to dom0 again.
    if os.path.isfile(directory):
        # An archive made elsewhere (or a deliberately broken one, for a
        # test): passed as it is; the guest validates it.
        return _stage_kernel(d0, directory, "ramdisk"), \
            os.path.getsize(directory)
    tmpdir = tempfile.mkdtemp(prefix="xenith-rootfs-")
    tmp = os.path.join(tmpdir, "rootfs.cpio")
    try:
        size = rootfs.pack_to(directory, tmp,
                              warn=lambda m: err(f"--rootfs: {m}"))
    except (rootfs.PackError, OSError) as e:
        raise Fatal(f"--rootfs {directory}: {e}")
    staged = _stage_kernel(d0, tmp, "ramdisk")
    if not d0.local:
        os.unlink(tmp)
        os.rmdir(tmpdir)
    return staged, size


def build_config(a, d0, name):
    """The domain `run` boots, as xl config text (config.xl(), the writer
    `xenith config` uses), with the disks to copy in and out and the
    image path. d0.put stages files where dom0 sees them (with
    --print-config: only names the path it would use)."""
    if a.reference_linux:
        lay = sandbox.sandbox_build.build(quiet_if_cached=True)
        kernel = _stage_kernel(d0, lay.vmlinuz, "kernel")
        ramdisk = _stage_kernel(d0, lay.ref_initrd, "ramdisk")
        mem = a.memory or 512
        extra = "console=hvc0 quiet " + a.cmdline
        image = None
        gtype = a.mode or "pv"
    else:
        image = resolve_image(a.image, a.mode)
        gtype = guest_type(a, image)
        kernel = _stage_kernel(d0, image, "kernel")
        ramdisk = None
        mem = a.memory or image_memory(image) or 16
        if a.rootfs:
            ramdisk, size = _stage_rootfs(d0, a.rootfs)
            if not a.memory:
                mem += (size + (1 << 20) - 1) >> 20
        extra = a.cmdline
        if a.verbose and "xenith.boottrace" not in extra.split():
            # Kernel options count only before a "--": put it first.
            extra = ("xenith.boottrace " + extra).strip()
    vifs = [{"bridge": "xenbr0", "mac": _mac(name)}] if a.net else []
    disks, copies = [], []
    for i, spec in enumerate(a.disk):
        ro = spec.endswith(":ro")
        path = spec[:-3] if ro else spec
        vdev = "xvd" + chr(ord("a") + i)
        if path.startswith("dom0:") or d0.local:
            dpath = path[5:] if path.startswith("dom0:") else \
                os.path.abspath(path)
        else:
            if not os.path.isfile(path):
                raise Fatal(f"--disk {path}: no such file")
            staged = d0.put(path, f"disks/{name}-{vdev}.img")
            dpath = f"/var/lib/xenith/disks/{name}-{vdev}.img"
            copies.append((path, staged, dpath, ro))
        disks.append({"target": dpath, "vdev": vdev, "readonly": ro,
                      "format": "raw"})
    # preserve: the end state stays readable (xl list) until we destroy.
    dom = config.Domain(name=name, kernel=kernel, ramdisk=ramdisk,
                        type=gtype, memory=mem, vcpus=a.vcpus, cmdline=extra, vifs=vifs,
                        disks=disks, on_poweroff="preserve",
                        on_crash="preserve", on_reboot=a.on_reboot)
    return config.xl(dom), copies, image


def _static_ip(cmdline):
    m = re.search(r"(?:^|\s)ip=([0-9.]+)", cmdline)
    return m.group(1) if m else ""


def setup_forwards(a, d0, name):
    """host:H -> QEMU hostfwd -> dom0:D -> socat -> guest:G."""
    done = []
    for spec in a.forward:
        try:
            hp, gp = (int(x) for x in spec.split(":"))
        except ValueError:
            raise Fatal(f"--forward {spec}: expected HOSTPORT:GUESTPORT")
        dport = 20000 + gp % 10000
        ip = _static_ip(a.cmdline)
        mac = _mac(name)
        helper = f"/run/xenith-fwd-{dport}"
        # The guest's address: static from its command line, else the
        # DHCP lease of its MAC, looked up per connection (the lease may
        # come after the forward is set up).
        script = f"""
[ -f {helper}.pid ] && kill $(cat {helper}.pid) 2>/dev/null
cat > {helper}.sh <<'EOF_FWD'
#!/bin/bash
ip={ip}
[ -n "$ip" ] || ip=$(awk '$2=="{mac}"{{print $3}}' /run/dnsmasq.leases | tail -1)
exec socat - TCP:"$ip":{gp}
EOF_FWD
chmod +x {helper}.sh
socat TCP-LISTEN:{dport},reuseaddr,fork EXEC:{helper}.sh </dev/null >/dev/null 2>&1 &
echo $! > {helper}.pid
"""
        d0.capture(script)
        if not d0.local:
            try:
                sandbox.qmp(f"hostfwd_remove tcp:127.0.0.1:{hp}")
            except Fatal:
                pass
            try:
                sandbox.qmp(f"hostfwd_add tcp:127.0.0.1:{hp}-:{dport}")
            except Fatal as e:
                raise Fatal(f"--forward {spec}: cannot listen on host port "
                            f"127.0.0.1:{hp} (in use?): {e}")
        info(f"forwarding 127.0.0.1:{hp} -> guest port {gp}")
        done.append((hp, dport))
    return done


def teardown_forwards(d0, done):
    for hp, dport in done:
        try:
            d0.capture(f"kill $(cat /run/xenith-fwd-{dport}.pid) "
                       f"2>/dev/null; rm -f /run/xenith-fwd-{dport}.*; true")
            if not d0.local:
                sandbox.qmp(f"hostfwd_remove tcp:127.0.0.1:{hp}")
        except (Fatal, OSError):
            pass


def _xen_log_tail(d0, domid):
    """What Xen itself logged about this domain, if anything (a guest that
    reported its own crash leaves nothing there)."""
    if not str(domid).isdigit():
        return ""
    script = (f"xl dmesg | awk '/d{domid}v[0-9]|[Dd]omain {domid}[ :(]/"
              "{n=22} n>0{print; n--}' | grep -vE '^\\(XEN\\)[ 0]*$' | "
              "tail -n 40")
    try:
        text = d0.capture(script)
    except (Fatal, OSError, TimeoutError, subprocess.CalledProcessError):
        return ""
    if text.strip():
        print(f"---- xl dmesg about domain {domid} ----\n" + text.rstrip(),
              file=sys.stderr)
    return text


def symbolize(elf, addr):
    """`func+0xoff` for an address, from the unstripped image's symbols."""
    if not elf or not os.path.isfile(elf):
        return None
    p = subprocess.run(["nm", "-n", "--defined-only", elf],
                       capture_output=True, text=True)
    best = None
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            a = int(parts[0], 16)
            if a <= addr:
                best = (a, parts[2])
            else:
                break
    return f"{best[1]}+{addr - best[0]:#x}" if best else None


def decode_xen_crash(text, elf):
    """Explain a crash that Xen handled because the guest could not: a
    fault while Xen was pushing the exception frame (create_bounce_frame),
    which is what a stack overflow into the guard page looks like in PV
    (64-bit PV kernels have no IST stack to take the fault on)."""
    rip = re.search(r"RIP:\s+\w+:\[<([0-9a-f]+)>\]", text)
    rsp = re.search(r"rsp: ([0-9a-f]+)", text)
    cr2 = re.search(r"cr2: ([0-9a-f]+)", text)
    if not rip:
        return None
    rip_v = int(rip.group(1), 16)
    where = symbolize(elf, rip_v) or "?"
    lines = [f"xenith run: Xen crashed the domain; rip={rip_v:#x} <{where}>"]
    if rsp and cr2:
        rsp_v, cr2_v = int(rsp.group(1), 16), int(cr2.group(1), 16)
        lines.append(f"xenith run: rsp={rsp_v:#x} cr2={cr2_v:#x}")
        if "Fault while accessing guest memory" in text and \
                rsp_v >> 12 == cr2_v >> 12:
            lines.append("xenith run: stack overflow: the stack pointer "
                         "reached an unmapped guard page, so no exception "
                         "frame could be pushed")
    return "\n".join(lines)


def cmd(argv):
    a = parse(argv)
    app = "linux" if a.reference_linux else re.sub(
        r"[^A-Za-z0-9]", "",
        os.path.basename(os.path.abspath(a.image)).split(".")[0])
    name = a.name or f"xn-{app[:12]}-{os.getpid() % 100000}"
    if a.print_config:
        cfg, _copies, _image = build_config(a, Dom0(dry=True), name)
        sys.stdout.write(cfg)
        return 0
    d0 = Dom0()
    cfg, copies, image_path = build_config(a, d0, name)
    if a.verbose:
        print(f"---- xl config of {name} ----\n{cfg}---- end of xl config "
              "----", file=sys.stderr, flush=True)
    script_prefix = "mkdir -p /var/lib/xenith/cfg /var/lib/xenith/disks\n"
    for _src, staged, dpath, _ro in copies:
        script_prefix += f"cp {shlex.quote(staged)} {shlex.quote(dpath)}\n"
    cfg_path = f"/var/lib/xenith/cfg/{name}.cfg"
    script_prefix += f"cat > {cfg_path} <<'XENITH_CFG_EOF'\n{cfg}XENITH_CFG_EOF\n"
    if d0.local:
        cfg_path = os.path.join("/tmp", f"{name}.cfg")
        script_prefix = f"cat > {cfg_path} <<'XENITH_CFG_EOF'\n{cfg}XENITH_CFG_EOF\n"
    hook = ""
    if a.paused_hook:
        hook = f"/tmp/xenith-hook-{name}.sh"
        script_prefix += (f"cat > {hook} <<'XENITH_HOOK_EOF'\n"
                          f"{open(a.paused_hook).read()}\nXENITH_HOOK_EOF\n")
    forwards = setup_forwards(a, d0, name)
    script = (script_prefix + "set -- " + " ".join(shlex.quote(str(x)) for x in
              (name, cfg_path, a.timeout, int(a.detach), a.ready, hook))
              + "\n" + DOM0_SCRIPT)
    filt = ConsoleFilter()
    t0 = time.monotonic()
    try:
        host_timeout = a.timeout + 120 if a.timeout else None
        d0.exec(script, out=filt, timeout=host_timeout)
    except TimeoutError:
        err("the dom0 side did not report back in time")
        sandbox.print_diagnostics(f"/var/log/xen/console/guest-{name}.log")
        return 124
    finally:
        filt.finish()
        if not a.detach:
            teardown_forwards(d0, forwards)
    dt = time.monotonic() - t0
    if not a.detach:
        for src, staged, dpath, ro in copies:
            if not ro:
                d0.capture(f"cp {shlex.quote(dpath)} {shlex.quote(staged)} "
                           f"&& rm -f {shlex.quote(dpath)}")
                os.replace(os.path.join(sandbox.state_dir(), "share",
                                        staged[len('/share/'):]), src)
            else:
                d0.capture(f"rm -f {shlex.quote(dpath)}")
    state = filt.end_state
    if state == "detached":
        print(name)
        return 0
    if state == "create-failed":
        err(f"xl create failed for {name} (see the output above)")
        return 125
    if state == "timeout":
        err(f"guest {name} did not finish within {a.timeout} s; destroyed")
        return 124
    if state is None:
        err("lost contact with dom0 before the guest finished")
        return 125
    if state == "gone" and filt.exit_code is None:
        # Not shut down by itself (on_poweroff/on_crash preserve would
        # have kept it in `xl list`): something outside destroyed it.
        err(f"guest {name} was destroyed from outside (xl destroy) before "
            "it shut down")
        info(f"guest {name} gone, exit status {DESTROYED_STATUS} "
             f"({time.monotonic() - t0:.1f} s)")
        return DESTROYED_STATUS
    if filt.exit_code is not None:
        code = filt.exit_code & 0xff
    elif state == "crashed":
        err(f"guest {name} crashed (no exit status on its console)")
        text = _xen_log_tail(d0, filt.domid)
        if not any(b"[xenith] CRASH" in ln for ln in filt.lines):
            elf = None
            if image_path:
                elf = re.sub(r"\.stripped$", "", image_path)
            why = decode_xen_crash(text, elf)
            if why:
                print(why)
        code = 134
    else:
        code = 0
    info(f"guest {name} {state}, exit status {code} ({dt:.1f} s)")
    return code
