# SPDX-License-Identifier: MIT
"""Sandbox lifecycle tests: control requests (kernel/control.c), the
orderly shutdown (kernel/shutdown.c), the OOM policy and data/xenith/
statistics; docs/lifecycle.md.

The t_* functions below are added to xntest.py's module by its _join(),
so ctest runs them as `xntest.py <name>` like every other test, and they
use xntest's helpers (dom0, guest, expect) through X.  Each test is
bounded in time (every dom0 command and wait has a timeout); none
asserts a speed.
"""
import re
import time

X = None  # the xntest module, set when xntest.py joins this one



def console_log(name):
    """The guest's console as xenconsoled logged it (all its boots)."""
    _, con, _ = X.dom0(f"cat /var/log/xen/console/guest-{name}.log")
    return con


def domid_of(name):
    rc, out, _ = X.dom0(f"xl domid {name}", check=False)
    return out.strip() if rc == 0 else None


def xl_state(name):
    _, out, _ = X.dom0(f"xl list {name} 2>/dev/null | awk 'NR==2{{print $5}}'",
                       check=False)
    return out.strip()


def mem_counters(domid):
    _, out, _ = X.dom0(f"xenstore-ls /local/domain/{domid}/data/xenith")
    return {k: int(v) for k, v in
            re.findall(r"^\s*([a-z-]+) = \"(\d+)\"", out, re.M)}


def t_lifecycle_shutdown_httpd():
    """xl shutdown -w: the app's drain hook and atexit handler run, the
    domain powers off (state s) well within a bound."""
    with X.guest("httpd", "httpd: listening",
                 "ip=10.0.0.70/24 gw=10.0.0.1") as (name, _out):
        X.dom0("curl -s -f -m 10 http://10.0.0.70/ >/dev/null")
        domid = domid_of(name)
        _, ls, _ = X.dom0(f"xenstore-ls /local/domain/{domid}/control")
        X.expect(re.search(r'feature-poweroff = "1"', ls) and
                 re.search(r'feature-reboot = "1"', ls),
                 "the guest advertises feature-poweroff and feature-reboot")
        X.expect(re.search(r'feature-suspend = "1"', ls),
                 "feature-suspend is advertised (xl save works)")
        t0 = time.monotonic()
        rc, out, _ = X.dom0(f"timeout 60 xl shutdown -w {name}", check=False,
                            timeout=120)
        dt = time.monotonic() - t0
        X.expect(rc == 0 and "has been shut down" in out,
                 f"xl shutdown -w returns once the domain is down "
                 f"({dt:.1f} s)")
        X.expect(dt < 60, "the domain went down within 60 s")
        X.expect("s" in xl_state(name), "xl lists the domain as shut down")
        con = console_log(name)
        for line in ("[xenith] control: 'poweroff' requested",
                     "httpd: poweroff requested: draining",
                     "httpd: drained",
                     "httpd: atexit: ", "[xenith] exit 0"):
            X.expect(line in con, f"console: {line!r}")
        X.expect(con.index("httpd: atexit") < con.index("[xenith] exit 0"),
                 "the atexit line comes before the exit line")


def t_lifecycle_reboot_httpd():
    """xl reboot with on_reboot=restart: a new domain of the same name
    boots the same image and serves again."""
    with X.guest("httpd", "httpd: listening", "ip=10.0.0.71/24 gw=10.0.0.1",
                 on_reboot="restart") as (name, _out):
        X.dom0("curl -s -f -m 10 http://10.0.0.71/ >/dev/null")
        old = domid_of(name)
        X.expect(old is not None, f"the first domain has id {old}")
        rc, _, _ = X.dom0(f"timeout 60 xl reboot {name}", check=False,
                          timeout=120)
        X.expect(rc == 0, "xl reboot is accepted")
        rc, out, _ = X.dom0(
            f"for i in $(seq 1 90); do n=$(xl domid {name} 2>/dev/null); "
            f"if [ -n \"$n\" ] && [ \"$n\" != {old} ] && "
            f"curl -s -f -m 3 http://10.0.0.71/ >/dev/null; then "
            f"echo NEW=$n; exit 0; fi; sleep 1; done; exit 1",
            check=False, timeout=200)
        m = re.search(r"NEW=(\d+)", out)
        X.expect(rc == 0 and m, "a new domain of the same name serves curl")
        X.expect(m.group(1) != old, f"it is a new domain ({old} -> "
                 f"{m.group(1)})")
        con = console_log(name)
        X.expect("[xenith] control: 'reboot' requested" in con,
                 "console: the reboot request was taken")
        tail = con[con.index("[xenith] exit 0"):]
        X.expect("httpd: atexit" in con and "httpd: listening" in tail,
                 "the old domain exited through atexit, the same image "
                 "booted again")
        _, lst, _ = X.dom0("xl list")
        X.expect(lst.count(name) == 1, "exactly one domain of that name")


def t_lifecycle_sysrq():
    """xl sysrq: a known key is answered, others refused, never ignored;
    the node is cleared after reading."""
    with X.guest("oom", "oom: holding", net=False) as (name, _out):
        for key in ("m", "x", "h"):
            X.dom0(f"xl sysrq {name} {key}")
        rc, _, _ = X.dom0(
            f"for i in $(seq 1 30); do grep -q \"sysrq 'h'\" "
            f"/var/log/xen/console/guest-{name}.log && exit 0; sleep 1; "
            f"done; exit 1", check=False, timeout=60)
        con = console_log(name)
        X.expect("[xenith] sysrq 'm': memory" in con and
                 "[xenith] mem: pages total" in con,
                 "sysrq m is answered with the memory statistics")
        X.expect("[xenith] sysrq 'x' not supported" in con,
                 "sysrq x is refused with a console line")
        X.expect(rc == 0 and "[xenith] sysrq 'h': keys" in con,
                 "sysrq h lists the keys")
        _, v, _ = X.dom0(f"xenstore-read /local/domain/{domid_of(name)}"
                         "/control/sysrq")
        X.expect(v.strip() == "", "control/sysrq is cleared after reading")


def t_lifecycle_oom():
    """The oom app exhausts the heap: malloc returns NULL with ENOMEM,
    the kernel reports it, and xl shutdown still works."""
    with X.guest("oom", "oom: holding", net=False) as (name, out):
        X.expect(re.search(r"oom: malloc returned NULL after \d+ KiB, "
                         r"errno=ENOMEM", out),
                 "malloc returned NULL with errno ENOMEM")
        X.expect("[xenith] oom: the heap cannot grow" in out and
                 "[xenith] mem: pages total" in out,
                 "the kernel reported the OOM with the allocator's stats")
        X.expect(out.count("[xenith] oom: the heap cannot grow") == 1,
                 "one report for the episode")
        domid = domid_of(name)
        rc, _, _ = X.dom0(
            f"for i in $(seq 1 20); do xenstore-read /local/domain/{domid}/"
            f"data/xenith/mem/oom-episodes 2>/dev/null | grep -qx 1 && "
            f"exit 0; sleep 1; done; exit 1", check=False, timeout=60)
        X.expect(rc == 0, "data/xenith/mem/oom-episodes = 1")
        rc, _, _ = X.dom0(f"timeout 60 xl shutdown -w {name}", check=False,
                          timeout=120)
        X.expect(rc == 0, "xl shutdown -w returns under OOM")
        X.expect("s" in xl_state(name), "the domain is shut down")
        con = console_log(name)
        for line in ("oom: shutdown hook ran", "oom: atexit ran",
                     "[xenith] exit 0"):
            X.expect(line in con, f"console: {line!r}")


def t_lifecycle_shutdown_overrun():
    """A shutdown hook that never returns (apps/oom hook=hang, under OOM
    too): the kernel's grace (xenith.shutdown_grace=2000) ends it and
    powers the domain off anyway, without running atexit handlers."""
    with X.guest("oom", "oom: holding", "xenith.shutdown_grace=2000 hook=hang",
                 net=False) as (name, _out):
        t0 = time.monotonic()
        rc, _, _ = X.dom0(f"timeout 60 xl shutdown -w {name}", check=False,
                          timeout=120)
        dt = time.monotonic() - t0
        X.expect(rc == 0, f"xl shutdown -w returns ({dt:.1f} s)")
        X.expect(dt >= 2, "not before the 2 s grace (the hook was waited for)")
        X.expect(dt < 60, "within 60 s")
        con = console_log(name)
        X.expect("oom: shutdown hook hangs" in con, "the hook ran and hung")
        X.expect("grace of 2000 ms overran" in con,
                 "the kernel says the grace overran")
        X.expect("oom: atexit ran" not in con and "[xenith] exit" not in con,
                 "no atexit handler and no exit line after an overrun")
        X.expect("no memory for the shutdown thread" not in con,
                 "the shutdown thread was prepared at boot, before the OOM")
        X.expect("s" in xl_state(name), "the domain is shut down")


def net_counters(domid):
    """data/xenith/net/vif0 as a dict."""
    _, out, _ = X.dom0(f"xenstore-ls /local/domain/{domid}/data/xenith/net/"
                       "vif0", check=False)
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r'^\s*([a-z-]+) = "(\d+)"', out, re.M)}


def t_lifecycle_stats_httpd():
    """data/xenith/mem in dom0's xenstore: the counters are there and
    move while wrk loads httpd."""
    with X.guest("httpd", "httpd: listening",
                 "ip=10.0.0.72/24 gw=10.0.0.1") as (name, _out):
        domid = domid_of(name)
        time.sleep(5)  # boot-time allocations published, refresh 2 s
        a = mem_counters(domid)
        names = ("pages-total", "pages-free", "pages-free-min",
                 "heap-bytes", "heap-peak-bytes", "oom-episodes")
        X.expect(all(k in a for k in names),
                 f"all memory counters are published: {sorted(a)}")
        X.expect(0 < a["pages-free"] <= a["pages-total"],
                 "pages-free is within pages-total")
        a_net = net_counters(domid)
        X.expect("rx-packets" in a_net and "tx-busy" in a_net,
                 f"the vif's counters are published: {sorted(a_net)}")
        X.dom0("wrk -c 100 -t 2 -d 5s http://10.0.0.72:80/", timeout=120)
        time.sleep(5)
        b = mem_counters(domid)
        moved = [k for k in names if a[k] != b[k]]
        print(f"before {a}\nafter  {b}")
        X.expect(moved, f"counters moved under load: {moved}")
        X.expect(b["heap-peak-bytes"] >= a["heap-peak-bytes"] and
                 b["pages-free-min"] <= a["pages-free-min"],
                 "high- and low-water marks only move one way")
        na, nb = a_net, net_counters(domid)
        print(f"vif0 before {na}\nvif0 after  {nb}")
        X.expect(nb.get("rx-packets", 0) > na.get("rx-packets", 0) + 1000 and
                 nb.get("tx-bytes", 0) > na.get("tx-bytes", 0),
                 "data/xenith/net/vif0 rx-packets and tx-bytes grew under wrk")
