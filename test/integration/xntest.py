#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sandbox integration tests: real Xen 4.17, real xl, real Linux backends.

Each test is a function `t_<name>`; ctest runs `xntest.py <name>` (see
CMakeLists.txt next to this file).  The tests drive only the public
commands (`./xenith sandbox ...`, `./xenith run ...`) so they check what a
user gets.  They run in their own sandbox instance (XENITH_SANDBOX=test,
set by ctest), started once by the `sandbox_start` fixture and stopped by
`sandbox_stop`.

A check that cannot be made is a failure, never a silent pass.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__))))
XENITH = os.path.join(REPO, "xenith")


class TestFailure(Exception):
    pass


def xenith(*args, timeout=900, check=True, inp=None):
    """Run ./xenith; return (status, stdout, stderr); echo both."""
    t0 = time.monotonic()
    p = subprocess.run([XENITH] + list(args), capture_output=True,
                       text=True, timeout=timeout, input=inp)
    dt = time.monotonic() - t0
    print(f"$ ./xenith {' '.join(args)}   -> {p.returncode} ({dt:.1f} s)")
    if p.stdout:
        print(p.stdout.rstrip()[-6000:])
    if p.stderr:
        print(p.stderr.rstrip()[-3000:], file=sys.stderr)
    if check and p.returncode != 0:
        raise TestFailure(f"./xenith {' '.join(args)} exited "
                          f"{p.returncode}")
    return p.returncode, p.stdout, p.stderr


def dom0(script, check=True, timeout=300):
    return xenith("sandbox", "exec", "--timeout", str(timeout), "--",
                  script, check=check, timeout=timeout + 60)


def expect(cond, what):
    if not cond:
        raise TestFailure(what)
    print(f"ok: {what}")


# ----------------------------------------------------------- sandbox ---

def t_sandbox_start():
    xenith("sandbox", "start", timeout=1800)
    rc, out, _ = xenith("sandbox", "status")
    expect("running" in out, "sandbox status reports running")


def t_sandbox_stop():
    xenith("sandbox", "stop")
    rc, out, _ = xenith("sandbox", "status", check=False)
    expect(rc == 3 and "stopped" in out, "sandbox status reports stopped")
    st = os.path.join(os.environ.get("XENITH_CACHE") or os.path.expanduser(
        "~/.cache/xenith"), "run", os.environ.get("XENITH_SANDBOX",
                                                  "default"))
    pids = subprocess.run(["pgrep", "-f", f"qemu-system.*{st}/"],
                          capture_output=True, text=True).stdout.split()
    expect(not pids, "no QEMU process of this sandbox is left")


def t_xl_info():
    _, out, _ = dom0("xl info")
    expect(re.search(r"^xen_major\s*:\s*4$", out, re.M), "xen_major is 4")
    expect(re.search(r"^xen_minor\s*:\s*17$", out, re.M), "xen_minor is 17")
    expect(re.search(r"^virt_caps\s*:.*\bpv\b", out, re.M),
           "Xen offers PV guests")


def t_exec_status():
    rc, out, _ = dom0("echo out-line; echo err-line >&2; exit 7",
                      check=False)
    expect(rc == 7, "exec returns the dom0 command's exit status (7)")
    expect("out-line" in out and "err-line" in out,
           "exec returns stdout and stderr")
    rc, out, _ = dom0("printf 'no-newline'")
    expect(out == "no-newline", "output is returned byte-exact")


def t_share_and_bridge():
    _, out, _ = dom0("mount | grep ' /share ' ; ip -br addr show xenbr0; "
                     "test -e /proc/xen/privcmd && echo privcmd-ok; "
                     "pgrep -x xenconsoled >/dev/null && echo consoled-ok; "
                     "pgrep -x dnsmasq >/dev/null && echo dhcp-ok")
    expect("type 9p" in out, "host share is mounted in dom0 over 9p")
    expect("10.0.0.1/24" in out, "xenbr0 carries dom0's guest address")
    for word in ("privcmd-ok", "consoled-ok", "dhcp-ok"):
        expect(word in out, f"dom0 service check: {word}")


def _sha_from(out):
    m = re.search(r"XENITH-REF-DISK ([0-9a-f]{64})", out)
    if not m:
        raise TestFailure("the reference guest printed no disk checksum")
    return m.group(1)


def t_reference_linux_disk_roundtrip():
    """Guest writes a host file-backed disk; data comes back to the host."""
    with tempfile.TemporaryDirectory() as d:
        img = os.path.join(d, "ref.img")
        with open(img, "wb") as fh:
            fh.truncate(64 << 20)
        rc, out, _ = xenith("run", "--reference-linux", "--net", "--disk",
                            img, "--cmdline",
                            "ip=10.0.0.51/24 xenith.ref.diskwrite "
                            "xenith.ref.poweroff", "--timeout", "300")
        expect(rc == 0, "reference guest powered off cleanly (status 0)")
        sha = _sha_from(out)
        import hashlib
        got = hashlib.sha256(open(img, "rb").read(4 << 20)).hexdigest()
        expect(got == sha, "data the guest wrote is in the disk file")


def t_reference_linux_net():
    """dom0 pings the guest and reads its data disk; host curls it."""
    dom0("mkdir -p /var/lib/xenith/disks && rm -f /var/lib/xenith/disks/"
         "t-net.img && truncate -s 32M /var/lib/xenith/disks/t-net.img")
    rc, out, _ = xenith("run", "--reference-linux", "--net", "--detach",
                        "--ready", "XENITH-REF-READY", "--disk",
                        "dom0:/var/lib/xenith/disks/t-net.img",
                        "--forward", "18081:80", "--cmdline",
                        "ip=10.0.0.52/24 gw=10.0.0.1 xenith.ref.diskwrite",
                        "--timeout", "300")
    name = out.strip().splitlines()[-1]
    try:
        expect(name.startswith("xn-"), f"detached guest is named ({name})")
        _, ping, _ = dom0("ping -c 3 -W 5 10.0.0.52")
        expect(" 0% packet loss" in ping, "dom0 pings the guest")
        sha = _sha_from(out)
        _, o2, _ = dom0("head -c 4194304 /var/lib/xenith/disks/t-net.img "
                        "| sha256sum")
        expect(o2.split()[0] == sha, "dom0 reads back what the guest wrote")
        ok = False
        for _ in range(5):
            p = subprocess.run(["curl", "-s", "-m", "10",
                                "http://127.0.0.1:18081/"],
                               capture_output=True, text=True)
            if "xenith reference guest" in p.stdout:
                ok = True
                break
            time.sleep(2)
        expect(ok, "host reaches the guest's web server through --forward")
    finally:
        dom0(f"xl destroy {name}; rm -f /var/lib/xenith/disks/t-net.img",
             check=False)


def t_dhcp():
    rc, out, _ = xenith("run", "--reference-linux", "--net", "--cmdline",
                        "xenith.ref.poweroff", "--timeout", "300")
    m = re.search(r"XENITH-REF-READY ip=(10\.0\.0\.\d+)", out)
    expect(m is not None, "the guest got a DHCP address on xenbr0")
    expect(100 <= int(m.group(1).split(".")[-1]) <= 199,
           "the DHCP address is in dnsmasq's range")


def t_create_failure_is_readable():
    rc, out, err = xenith("run", "--reference-linux", "--memory", "1",
                          "--timeout", "60", check=False)
    expect(rc != 0, "a guest xl cannot build makes `run` fail")
    expect("xl create failed" in err, "the error names xl create")


# ---------------------------------------------------------- unikernels

def image(app):
    """The stripped image the guest build produced for `app`."""
    build = os.environ.get("XENITH_GUEST_BUILD") or os.path.join(
        REPO, "build", "guest")
    path = os.path.join(build, "apps", app, app + ".stripped")
    if not os.path.isfile(path):
        raise TestFailure(f"no image at {path}: the guest build did not "
                          f"produce {app}")
    return path


def t_hello_default():
    rc, out, _ = xenith("run", image("hello"), "--timeout", "120",
                        check=False)
    expect(re.search(r"hello", out, re.I), "hello prints its greeting")
    expect("[xenith] exit 0" in out, "the exit line reports status 0")
    expect(rc == 0, "run exits 0 when the app exits 0")
    expect(re.search(r"slept \d+", out, re.I) is not None,
           "hello reports the sleep it measured with pvclock")
    expect(re.search(r"token", out, re.I) is not None,
           "hello's two threads passed the token")


def t_hello_exit3():
    rc, out, _ = xenith("run", image("hello"), "--cmdline", "a b exit=3",
                        "--timeout", "120", check=False)
    expect(re.search(r"hello", out, re.I), "hello prints its greeting")
    for arg in ("a", "b", "exit=3"):
        expect(re.search(rf"argv\[\d+\]\s*=\s*\"?{re.escape(arg)}\"?",
                         out), f"argument '{arg}' reaches main()")
    expect("[xenith] exit 3" in out, "the exit line reports status 3")
    expect(rc == 3, "run exits 3 when the app exits 3")


def _crash(kind, fault_re):
    rc, out, _ = xenith("run", image("crash"), "--cmdline", kind,
                        "--timeout", "120", check=False)
    expect("[xenith] CRASH" in out, f"{kind}: a crash report is printed")
    expect(re.search(fault_re, out, re.I), f"{kind}: the fault type is named")
    expect(re.search(r"\brip\b", out, re.I) and
           re.search(r"\brsp\b", out, re.I), f"{kind}: registers are shown")
    expect(re.search(r"backtrace", out, re.I), f"{kind}: a backtrace follows")
    expect(re.search(r"<?\bmain\b", out), f"{kind}: the backtrace names "
           "functions (main)")
    expect("[xenith] exit" not in out, f"{kind}: no exit line")
    expect(rc == 134, f"{kind}: the domain is reported as crashed (134)")


def t_crash_null():
    _crash("null", r"page fault")


def t_crash_div0():
    _crash("div0", r"divide")


def t_crash_stack():
    """A stack overflow into the guard page: a 64-bit PV kernel has no IST
    stack, so Xen cannot push the exception frame and crashes the domain
    itself; `./xenith run` decodes Xen's report with the image's symbols."""
    rc, out, _ = xenith("run", image("crash"), "--cmdline", "stack",
                        "--timeout", "120", check=False)
    expect("stack overflow" in out, "stack: the overflow is named")
    expect(re.search(r"rip=0x[0-9a-f]+ <do_recurse\+0x[0-9a-f]+>", out),
           "stack: the faulting function is named (do_recurse)")
    expect(re.search(r"rsp=0x[0-9a-f]+ cr2=0x[0-9a-f]+", out),
           "stack: registers are shown")
    expect("[xenith] exit" not in out, "stack: no exit line")
    expect(rc == 134, "stack: the domain is reported as crashed (134)")


# ------------------------------------------------------------------------

def main():
    if len(sys.argv) != 2 or not hasattr(sys.modules[__name__],
                                         "t_" + sys.argv[1]):
        names = [n[2:] for n in dir(sys.modules[__name__])
                 if n.startswith("t_")]
        print(f"usage: xntest.py {'|'.join(names)}", file=sys.stderr)
        return 2
    try:
        getattr(sys.modules[__name__], "t_" + sys.argv[1])()
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as e:
        print(f"FAIL: timed out: {e}", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
