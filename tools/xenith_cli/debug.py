# SPDX-License-Identifier: MIT
"""`xenith debug IMAGE|APP [run options] [-x GDBSCRIPT] [--batch]`: boot
the guest paused with a gdb stub attached and run gdb on it, so you can
break in main(), step, and print variables and a backtrace.
`xenith debug IMAGE --attach NAME` attaches to a running domain, or to
one kept by on_crash="preserve" (gdb then shows the faulting frame).

How: Debian's xen-utils has no gdbsx, so the stub is our own
(tools/gdbstub/): a dom0 program over libxenctrl (pause, vCPU context,
foreign mappings of guest memory) plus the guest's debugger mailbox
(arch/x86_64/gdb_mbox.h), where #BP/#DB park the vCPU while the stub
serves gdb. `xenith run`'s --paused-hook starts the stub in dom0 while
the domain is still paused from `xl create -p`; the stub takes its own
pause, so the guest runs only when gdb says continue. gdb runs here, on
the unstripped image (IMAGE without .stripped), connected to the stub
through a QEMU host forward (the sandbox) or directly (a real Xen host).
Exit status: the guest's, as `xenith run` reports it (gdb's own when
gdb could not start or the stub failed).
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

from .common import INSTALLED, PREFIX, REPO, Fatal, err, info

STUB_PORT = 1234  # the stub's port in dom0 (one debug session at a time)


def stub_binary():
    """The dom0 stub built by the host tree (or installed)."""
    if INSTALLED:
        path = os.path.join(PREFIX, "libexec", "xenith", "xenith-gdbstub")
    else:
        from . import build
        build.configure_and_build(["xenith-gdbstub"])
        path = os.path.join(build.BUILD_DIR, "tools", "gdbstub",
                            "xenith-gdbstub")
    if not os.path.isfile(path):
        raise Fatal(f"the gdb stub is missing ({path}); rebuild with "
                    "./xenith build")
    return path


def mailbox_address(elf):
    """xn_gdb_mbox's address in the unstripped image."""
    try:
        out = subprocess.run(["nm", elf], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise Fatal(f"nm {elf} failed ({e}); binutils is needed")
    m = re.search(r"^([0-9a-f]+) [dD] xn_gdb_mbox$", out, re.M)
    if not m:
        raise Fatal(f"{elf} has no debugger mailbox (xn_gdb_mbox): not a "
                    "xenith image, or built before `xenith debug` existed")
    return m.group(1)


def unstripped(image):
    elf = re.sub(r"\.stripped$", "", image)
    if not os.path.isfile(elf):
        raise Fatal(f"{elf} (the image with symbols, beside {image}) is "
                    "missing: gdb needs it")
    return elf


def stub_script(stub, addr, name_expr, domid_expr):
    """bash for dom0: start the stub in the background, wait until it
    listens (or say why it did not)."""
    return f"""
n={name_expr}; d={domid_expr}
cp {shlex.quote(stub)} /tmp/xenith-gdbstub && chmod +x /tmp/xenith-gdbstub
log=/tmp/xenith-gdbstub-$n.log; rm -f "$log" "$log.rc"
( /tmp/xenith-gdbstub "$d" {addr} {STUB_PORT} >"$log" 2>&1; echo $? >"$log.rc" ) \\
    </dev/null >/dev/null 2>&1 &
for i in $(seq 1 300); do
    grep -q listening "$log" 2>/dev/null && exit 0
    [ -s "$log.rc" ] && {{ cat "$log"; exit 1; }}
    sleep 0.1
done
echo "xenith-gdbstub did not start within 30 s"; cat "$log"; exit 1
"""


def parse(argv):
    ap = argparse.ArgumentParser(
        prog="xenith debug",
        description="Boot IMAGE paused under gdb (break in main, step, "
                    "print, backtrace), or --attach to a running or "
                    "crashed-but-preserved domain.",
        epilog="Other options are xenith run's (--cmdline, --memory, "
               "--mode, --net, --disk, ...). Example: xenith debug "
               "apps/hello -x cmds.gdb --batch")
    ap.add_argument("image", help="the image (NAME.stripped; gdb reads "
                                  "NAME beside it) or an app")
    ap.add_argument("--attach", metavar="NAME",
                    help="attach to this existing domain instead of booting")
    ap.add_argument("-x", dest="scripts", action="append", default=[],
                    metavar="GDBSCRIPT", help="gdb command file (repeatable)")
    ap.add_argument("--batch", action="store_true",
                    help="run gdb with -batch (scripts, then exit)")
    ap.add_argument("--mode", choices=("pv", "pvh"),
                    help="boot mode, as xenith run --mode")
    ap.add_argument("--name", help="domain name (default: generated)")
    ap.add_argument("--host-port", type=int, default=0,
                    help="host port for gdb (sandbox; default: a free one)")
    a, run_args = ap.parse_known_args(argv)
    return a, run_args


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cmd(argv):
    from . import run as runmod
    from . import sandbox

    a, run_args = parse(argv)
    if not shutil.which("gdb"):
        raise Fatal("gdb is not installed: apt-get install gdb")
    image = runmod.resolve_image(a.image, a.mode)
    elf = unstripped(image)
    addr = mailbox_address(elf)
    d0 = runmod.Dom0()
    stub = d0.put(stub_binary(), "tools/xenith-gdbstub")
    name = a.attach or a.name or f"xn-dbg-{os.getpid() % 100000}"

    result = {}
    runner = None
    if a.attach:
        d0.capture(stub_script(stub, addr, shlex.quote(name),
                               f"$(xl domid {shlex.quote(name)})"),
                   timeout=60)
    else:
        import tempfile
        hook = tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False)
        hook.write(stub_script(stub, addr, '"$NAME"', '"$DOMID"'))
        hook.close()
        rargs = [image, "--paused-hook", hook.name, "--name", name] + \
            (["--mode", a.mode] if a.mode else []) + run_args

        def boot():
            try:
                result["rc"] = runmod.cmd(rargs)
            except Fatal as e:
                err(str(e))
                result["rc"] = getattr(e, "code", 1)
            finally:
                os.unlink(hook.name)

        runner = threading.Thread(target=boot, daemon=True)
        runner.start()
        # The hook returns once the stub listens; dom0 says so.
        deadline = time.monotonic() + 600
        while True:
            if not runner.is_alive():
                err("the guest ended before the gdb stub started")
                return result.get("rc", 1)
            out = d0.capture(f"grep -c listening /tmp/xenith-gdbstub-"
                             f"{shlex.quote(name)}.log 2>/dev/null; true",
                             timeout=30)
            if out.strip() not in ("", "0"):
                break
            if time.monotonic() > deadline:
                raise Fatal("the gdb stub did not start in dom0 within 600 s")
            time.sleep(0.5)

    if d0.local:
        target = f"127.0.0.1:{STUB_PORT}"
    else:
        hp = a.host_port or _free_port()
        try:
            sandbox.qmp(f"hostfwd_remove tcp:127.0.0.1:{hp}")
        except Fatal:
            pass
        sandbox.qmp(f"hostfwd_add tcp:127.0.0.1:{hp}-:{STUB_PORT}")
        target = f"127.0.0.1:{hp}"
    info(f"gdb stub for {name} in dom0; gdb connects to {target}")
    gdb = ["gdb", "-q", "-nx", elf, "-ex", "set pagination off",
           "-ex", f"target remote {target}"]
    for s in a.scripts:
        gdb += ["-x", s]
    if a.batch:
        gdb.insert(1, "-batch")
    try:
        grc = subprocess.call(gdb)
    finally:
        if not d0.local:
            try:
                sandbox.qmp(f"hostfwd_remove tcp:{target}")
            except Fatal:
                pass
    # The stub's status: 9 = gdb killed the program, so the domain goes.
    rc_out = d0.capture(f"cat /tmp/xenith-gdbstub-{shlex.quote(name)}.log.rc"
                        " 2>/dev/null; true", timeout=30).strip()
    if rc_out == "9":
        d0.capture(f"xl destroy {shlex.quote(name)} 2>/dev/null; true")
    elif rc_out == "":
        # gdb is gone but the stub still waits (gdb never connected):
        # stop it, which lets the guest run on.
        d0.capture("pkill -f /tmp/xenith-gdbstub; true")
    if runner:
        if rc_out == "9":
            info(f"gdb killed {name}; destroyed")
        runner.join()
        rc = result.get("rc", 1)
        return rc if grc == 0 else grc
    return grc


if __name__ == "__main__":
    sys.exit(cmd(sys.argv[1:]))
