# SPDX-License-Identifier: MIT
"""Sandbox tests of `xenith debug` (tools/xenith_cli/debug.py): gdb on the
host, the stub (tools/gdbstub/) in dom0, the guest's debugger mailbox
(arch/x86_64/gdb_mbox.h).

debug_gdb_session boots hello paused under a scripted gdb: it breaks in
main, prints argc and a local variable, steps line by line, breaks in a
function main calls and takes a backtrace (main its caller; past main,
the kernel's main thread), and continues to a clean exit (gdb sees the inferior exit, the
guest prints its exit line, xenith debug exits 0).
debug_attach_crashed attaches to a crashed domain kept by
on_crash="preserve" and checks that gdb shows the faulting frame (the
crash app's NULL write, in its own function) with a backtrace into main.

The t_* functions join xntest.py's module through its _join().
"""
import os
import re
import tempfile
import time

X = None  # the xntest module, set when xntest.py joins this one


def _gdb_script(lines):
    f = tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    return f.name


def t_debug_gdb_session():
    script = _gdb_script([
        "break main",
        "continue",
        "print argc",
        "next",
        "next",
        "next",
        "print status",
        "break xn_sleep_ns",
        "continue",
        "backtrace",
        "set backtrace past-main on",
        "backtrace",
        "info registers rip",
        "delete",
        "continue",
    ])
    try:
        rc, out, err = X.xenith("debug", X.image("hello"), "-x", script,
                                "--batch", "--cmdline", "a b",
                                "--timeout", "600", check=False, timeout=900)
    finally:
        os.unlink(script)
    both = out + err
    m = re.search(r"Breakpoint 1, main \(argc=(\d+)", both)
    X.expect(m is not None, "gdb stops at the breakpoint in main()")
    X.expect(m.group(1) == "3", f"main's argc is 3 (argv[0], a, b): "
             f"{m.group(1)}")
    X.expect(re.search(r"^\$1 = 3$", both, re.M) is not None,
             "print argc shows 3")
    X.expect(re.search(r"^\$2 = 0$", both, re.M) is not None,
             "print status (a local of main) shows 0")
    X.expect(re.search(r"^#0 .*xn_sleep_ns \(", both, re.M) is not None and
             re.search(r"^#1 .*main \(argc=3", both, re.M) is not None,
             "the backtrace from a breakpoint in xn_sleep_ns shows main as "
             "its caller")
    X.expect(re.search(r"^#2 .*main_thread", both, re.M) is not None,
             "past main, the backtrace goes on into the kernel's main thread")
    steps = [int(n) for n in re.findall(r"^(\d+)\t", both, re.M)]
    X.expect(len(steps) >= 3 and len(set(steps)) >= 2,
             f"each next stops on a source line and they move on ({steps})")
    X.expect(re.search(r"^rip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <xn_sleep_ns"
                       r"(\+\d+)?>", both, re.M) is not None,
             "info registers shows rip at the breakpoint in xn_sleep_ns")
    X.expect("exited normally" in both,
             "continue runs hello to its clean exit, and gdb sees it")
    X.expect("[xenith] exit 0" in both, "the guest printed its exit line")
    X.expect("token passed" in both, "hello ran to its end after the stops")
    X.expect(rc == 0, f"xenith debug exits 0 ({rc})")


def t_debug_attach_crashed():
    name = f"xn-dbgcrash-{os.getpid() % 100000}"
    # The delay lets `run --detach` return (on the first console line)
    # before the fault; the domain then crashes and xl keeps it.
    rc, out, _ = X.xenith("run", X.image("crash"), "--cmdline",
                          "null delay=20000", "--name", name, "--detach",
                          "--ready", "crash: provoking", check=False,
                          timeout=300)
    X.expect(rc == 0, "the crash app started detached")
    try:
        state = ""
        for _ in range(120):
            _, state, _ = X.dom0(f"xl list {name} | awk 'NR==2{{print $5}}'",
                                 check=False)
            if "c" in state:
                break
            time.sleep(1)
        X.expect("c" in state, f"the domain crashed and is kept ({state!r})")
        script = _gdb_script(["info program", "backtrace",
                              "info registers rip", "kill"])
        try:
            rc, out, err = X.xenith("debug", X.image("crash"), "--attach",
                                    name, "-x", script, "--batch",
                                    check=False, timeout=300)
        finally:
            os.unlink(script)
        both = out + err
        X.expect(re.search(r"stopped .*signal SIGSEGV", both) is not None,
                 "gdb reports the stop as the fault (SIGSEGV)")
        X.expect(re.search(r"^#0 .*do_null", both, re.M) is not None,
                 "frame #0 is the faulting function (do_null)")
        X.expect(re.search(r"^#\d+ .*main \(", both, re.M) is not None,
                 "the backtrace reaches main")
        X.expect(re.search(r"^rip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <do_null\+",
                           both, re.M) is not None,
                 "rip is the faulting instruction in do_null")
        _, left, _ = X.dom0(f"xl list {name} >/dev/null 2>&1 && echo still "
                            "|| echo gone", check=False)
        X.expect("gone" in left, "gdb's kill destroyed the kept domain")
    finally:
        X.dom0(f"xl destroy {name} 2>/dev/null; true", check=False)
