# SPDX-License-Identifier: MIT
"""Sandbox tests of the POSIX layer (docs/porting.md): apps/pthreads on
real Xen.

pthreads_posix boots the app and checks every line it prints: join with
return values, detached threads, producer/consumer over condition
variables, condition waits that time out (the elapsed time is printed and
must not be shorter than asked; a generous upper bound only catches a
timer that is wildly off, it is not a speed check), key destructors,
mutex types, the preemption guarantee (another thread runs while one is
busy calling pthread functions), uname/sysconf/clocks/ids, signals the
program raises itself, and fork/system/exec refused with one console
line each.  pthreads_abort checks abort(): the SIGABRT default action
ends the domain with status 134 and says so; pthreads_main_exit that
pthread_exit() in main() lets the last thread finish first.
resolve_dns checks the resolver (lib/net/resolve.c) with apps/resolve: a
name only dom0's DNS knows (a dnsmasq answering DNS on 10.0.0.1, its
queries logged) resolves to its IPv4 and IPv6 addresses, /etc/hosts
answers localhost for both families, an unknown name fails, and
getnameinfo() reverses through /etc/hosts and /etc/services.

The t_* functions join xntest.py's module through its _join().
"""
import re

X = None  # the xntest module, set when xntest.py joins this one



def _ms(out, what):
    m = re.search(rf"pthreads: timedwait {what} ETIMEDOUT after "
                  r"(\d+)\.(\d{3}) ms \(asked (\d+) ms\)", out)
    X.expect(m is not None, f"a {what} timedwait timed out and was measured")
    return int(m.group(1)) + int(m.group(2)) / 1000, int(m.group(3))


def t_pthreads_posix():
    rc, out, _ = X.xenith("run", X.image("pthreads"), "--timeout", "300",
                          check=False)
    X.expect("pthreads: FAIL" not in out, "no check inside the guest failed")
    X.expect(re.search(r"pthreads: join ok: 4 threads returned .* = 60",
                       out), "join returns each thread's value")
    X.expect("pthreads: detach ok: 20 detached threads ran" in out,
             "detached threads run (and are reaped)")
    X.expect("pthreads: producer/consumer ok: 1000 items, sum 500500" in out,
             "producer/consumer over condvars delivers every item once")
    for clock in ("CLOCK_MONOTONIC", "CLOCK_REALTIME"):
        got, asked = _ms(out, clock)
        X.expect(asked <= got < asked + 5000,
                 f"{clock} timedwait: {got:.3f} ms, not before the "
                 f"{asked} ms deadline (and not seconds late)")
    X.expect("pthreads: key destructors ran: abB" in out,
             "key destructors ran in order, a stored value in round 2")
    X.expect("pthreads: mutex types and rwlock ok" in out,
             "recursive/errorcheck mutexes and the rwlock behave")
    m = re.search(r"pthreads: preemption: another thread ran "
                  r"(\d+)\.\d{3} ms into a 300 ms busy loop", out)
    X.expect(m is not None and int(m.group(1)) < 250,
             "a busy thread calling pthread functions let another run")
    m = re.search(r"pthreads: uname (\S+) \S+ \S+ .* (\S+)$", out, re.M)
    X.expect(m is not None and m.group(1) == "xenith" and
             m.group(2) == "x86_64", "uname names xenith on x86_64")
    X.expect(re.search(r"sysconf nprocessors_onln=1 pagesize=4096 "
                       r"clk_tck=\d+ open_max=\d+ phys_pages=[1-9]", out),
             "sysconf answers")
    X.expect("pthreads: ids pid=1 ppid=0 uid=0 euid=0 gid=0 egid=0" in out,
             "fixed process and user ids")
    X.expect("pthreads: system calls ok" in out,
             "rlimits, umask, isatty behave")
    for clock in ("REALTIME", "MONOTONIC", "PROCESS_CPUTIME_ID",
                  "THREAD_CPUTIME_ID", "REALTIME_COARSE",
                  "MONOTONIC_COARSE"):
        X.expect(re.search(rf"pthreads: clock {clock} \d+\.\d{{9}} res", out),
                 f"clock_gettime(CLOCK_{clock}) works")
    m = re.search(r"pthreads: time (\d{4})-\d\d-\d\dT.*localtime=UTC ok",
                  out)
    X.expect(m is not None and int(m.group(1)) >= 2020,
             "gmtime/localtime agree (UTC) on a plausible date")
    X.expect("pthreads: signals ok" in out,
             "handlers, mask and pending signals work for raise/kill")
    for call in ("fork", "system", "execlp"):
        n = len(re.findall(rf"\[xenith\] {call}\(\): not supported", out))
        X.expect(n == 1, f"{call} printed its ENOSYS line once ({n})")
    X.expect("pthreads: fork/system/exec ENOSYS ok" in out,
             "fork/system/exec return ENOSYS")
    X.expect("pthreads: all ok" in out and "[xenith] exit 0" in out,
             "the app reports all ok and exits 0")
    X.expect(rc == 0, "run exits 0")


def t_pthreads_abort():
    rc, out, _ = X.xenith("run", X.image("pthreads"), "--cmdline", "abort",
                          "--timeout", "300", check=False)
    X.expect("pthreads: calling abort()" in out, "the app reached abort()")
    X.expect("[xenith] signal 6 (SIGABRT): default action ends the domain"
             in out, "the SIGABRT default action is named on the console")
    X.expect("[xenith] exit 134" in out, "exit status 134 (128 + SIGABRT)")
    X.expect(rc == 134, "run exits 134")


def t_pthreads_main_exit():
    """pthread_exit() in main(): the domain lives on until the last
    pthread has ended, then exits 0."""
    rc, out, _ = X.xenith("run", X.image("pthreads"), "--cmdline",
                          "mainexit", "--timeout", "300", check=False)
    i_main = out.find("pthreads: main calls pthread_exit")
    i_last = out.find("pthreads: last thread done")
    i_exit = out.find("[xenith] exit 0")
    X.expect(i_main >= 0, "main() reached pthread_exit")
    X.expect(i_last > i_main, "the other thread ran to its end after it")
    X.expect(i_exit > i_last, "then the domain exited with status 0")
    X.expect(rc == 0, "run exits 0")


def t_resolve_dns():
    hosts = "/tmp/xntest-dns-hosts"
    log = "/tmp/xntest-dns.log"
    pid = "/run/xntest-dns.pid"
    X.dom0(f"printf '10.0.0.77 xntest-svc.lan\\nfd00::77 xntest-svc.lan\\n'"
           f" > {hosts}; rm -f {log}; dnsmasq --port=53 "
           f"--listen-address=10.0.0.1 --bind-interfaces --no-resolv "
           f"--no-hosts --addn-hosts={hosts} --log-queries "
           f"--log-facility={log} --pid-file={pid} --user=root")
    try:
        rc, out, _ = X.xenith(
            "run", X.image("resolve"), "--net", "--cmdline",
            "ip=10.0.0.91/24 gw=10.0.0.1 dns=10.0.0.1 xntest-svc.lan "
            "localhost nosuch.lan", "--timeout", "180", check=False)
        _, qlog, _ = X.dom0(f"cat {log}", check=False)
    finally:
        X.dom0(f"kill $(cat {pid}) 2>/dev/null; rm -f {pid}; true",
               check=False)
    X.expect(rc == 0 and "resolve: done" in out, "resolve ran to its end")
    want = {
        "xntest-svc.lan any": "10.0.0.77/80 fd00::77/80",
        "xntest-svc.lan inet": "10.0.0.77/80",
        "xntest-svc.lan inet6": "fd00::77/80",
        "localhost any": "127.0.0.1/80 ::1/80",
        "localhost inet6": "::1/80",
        "rev 127.0.0.1 80": "localhost http",
        "rev ::1 443": "localhost https",
        "rev 10.9.9.9 5": "10.9.9.9 5",
    }
    for key, val in want.items():
        X.expect(f"resolve: {key} -> {val}\n" in out,
                 f"{key} -> {val}")
    X.expect(re.search(r"resolve: nosuch.lan any -> error: ", out)
             is not None, "an unknown name fails with a resolver error")
    X.expect("resolve: rev 10.9.9.9 5 -> error: " in out,
             "NI_NAMEREQD without a name for the address is an error")
    X.expect(re.search(r"query\[A\] xntest-svc.lan from 10.0.0.91", qlog)
             is not None and
             re.search(r"query\[AAAA\] xntest-svc.lan from 10.0.0.91",
                       qlog) is not None,
             "the guest asked dom0's DNS for the A and AAAA records")
    X.expect("localhost" not in qlog,
             "localhost came from /etc/hosts, not from DNS")
