# SPDX-License-Identifier: MIT
"""Sandbox suspend/resume tests: xl save / xl restore of running guests
under load (kernel/suspend.c, the shared frontend lifecycle), xl save -c
(a cancelled suspend), and xl migrate of a PV guest refused by Debian's
Xen with the guest unharmed.  docs/lifecycle.md says what is expected.

The t_* functions join xntest.py's module through its _join(), like
lifecycle_tests.py, and use its helpers through X.  Every client runs in
dom0 with its own timeouts; no test asserts a speed.
"""
import contextlib
import json
import os
import re
import time

X = None  # the xntest module, set when xntest.py joins this one

SAVES = "/var/lib/xenith/save"



def domid_of(name):
    rc, out, _ = X.dom0(f"xl domid {name}", check=False)
    return out.strip() if rc == 0 else None


def console(name):
    _, con, _ = X.dom0(f"cat /var/log/xen/console/guest-{name}.log")
    return con


def save_restore(name, checkpoint=False):
    """xl save (-c) then, unless a checkpoint, xl restore of the same
    file; returns (save seconds, restore seconds, file bytes) as dom0
    timed them.  The window of both is printed as dom0 epoch seconds."""
    f = f"{SAVES}/{name}.save"
    flag = "-c " if checkpoint else ""
    restore = "" if checkpoint else (
        f'r0=$(date +%s.%N); xl restore {f} >/tmp/restore-{name}.log 2>&1 '
        f'|| {{ cat /tmp/restore-{name}.log; exit 3; }}; r1=$(date +%s.%N);')
    script = (
        f"mkdir -p {SAVES}; s0=$(date +%s.%N); "
        f"xl save {flag}{name} {f} >/tmp/save-{name}.log 2>&1 "
        f"|| {{ cat /tmp/save-{name}.log; exit 2; }}; s1=$(date +%s.%N); "
        f"sz=$(stat -c %s {f}); {restore} rm -f {f}; "
        f'echo "WINDOW $s0 ${{r1:-$s1}} SAVE $s0 $s1 RESTORE ${{r0:-0}} '
        f'${{r1:-0}} SIZE $sz"')
    rc, out, _ = X.dom0(script, check=False, timeout=240)
    m = re.search(r"WINDOW (\S+) (\S+) SAVE (\S+) (\S+) RESTORE (\S+) (\S+) "
                  r"SIZE (\d+)", out)
    X.expect(rc == 0 and m, f"xl save{' -c' if checkpoint else ''}"
             f"{'' if checkpoint else ' + xl restore'} of {name}")
    v = [float(x) for x in m.groups()[:6]]
    return (v[0], v[1]), v[3] - v[2], v[5] - v[4], int(m.group(7))


def migrate(name, i, ip=None):
    """Migration i (1, 2, 3) of a test: ./xenith migrate NAME (PVH only:
    the caller has checked X.MODE); then the guest runs and, given its
    ip, dom0 pings it. Returns (window, seconds), the window in dom0
    epoch seconds (read in dom0 just before and after, so it holds the
    whole xl migrate, live phase included)."""
    _, t0, _ = X.dom0("date +%s.%N")
    rc, _, _ = X.xenith("migrate", name, check=False, timeout=900)
    _, t1, _ = X.dom0("date +%s.%N")
    window = (float(t0), float(t1))
    X.expect(rc == 0, f"migration {i} of 3 succeeded "
             f"({window[1] - window[0]:.1f} s in dom0)")
    X.expect(domid_of(name) is not None, f"the guest runs after migration {i}")
    if ip:
        _, ping, _ = X.dom0(f"ping -c 2 -W 5 {ip}", check=False)
        X.expect(" 0% packet loss" in ping or " 50% packet loss" in ping,
                 f"dom0 reaches the guest after migration {i}")
    return window, window[1] - window[0]


def migrated_console(name):
    """Every console line of a guest migrated at least once: xenconsoled
    names a log after the domain's name at creation, so a migrated
    guest's console goes to NAME--incoming.log (appended by each incoming
    domain) after guest-NAME.log."""
    _, con, _ = X.dom0(f"cat /var/log/xen/console/guest-{name}.log "
                       f"/var/log/xen/console/guest-{name}--incoming.log")
    return con


def need_pvh(test):
    if X.MODE != "pvh":
        raise X.TestFailure("PV guests cannot live-migrate on this Xen: "
                            f"run {test}_pvh")


HTTP_LOAD = r"""
import http.client, json, os, sys, threading, time
ip, secs, conns = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
stop = sys.argv[4] + ".stop"   # the test ends the run (secs is a bound)
end = time.time() + secs
log = []          # (start, end, ok)
lock = threading.Lock()
def worker():
    c = None
    while time.time() < end and not os.path.exists(stop):
        t0 = time.time()
        ok = False
        try:
            if c is None:
                c = http.client.HTTPConnection(ip, 80, timeout=60)
            c.request("GET", "/")
            r = c.getresponse()
            ok = r.status == 200 and len(r.read()) > 0
        except Exception:
            c = None
        with lock:
            log.append((t0, time.time(), ok))
        if not ok:
            time.sleep(0.2)
ts = [threading.Thread(target=worker) for _ in range(conns)]
[t.start() for t in ts]
[t.join() for t in ts]
json.dump(log, open(sys.argv[4], "w"))
print("HTTP-LOAD done", len(log))
"""


def stats_requests(ip):
    _, out, _ = X.dom0(f"curl -s -f -m 20 http://{ip}/stats")
    m = re.search(r"^requests (\d+)", out, re.M)
    X.expect(m, "/stats answers with a request counter")
    return int(m.group(1))


def http_load_start(name, ip):
    """Start HTTP_LOAD in dom0 (8 keep-alive clients, each request's
    start, end and outcome logged) against httpd at ip; returns its
    output file and /stats' request counter before it."""
    X.put_file("/tmp/httpload.py", HTTP_LOAD)
    before = stats_requests(ip)
    out = f"/tmp/hl-{name}.json"
    X.dom0(f"rm -f {out}.stop; nohup python3 /tmp/httpload.py {ip} 1800 8 "
           f"{out} >/tmp/hl-{name}.out 2>&1 &")
    time.sleep(10)
    return out, before


def http_load_stop(name, out):
    """End HTTP_LOAD; returns its log [(start, end, ok)] (dom0 epoch)."""
    X.dom0(f"touch {out}.stop; for i in $(seq 1 120); do grep -q done "
           f"/tmp/hl-{name}.out && exit 0; sleep 1; done; exit 1",
           timeout=200)
    _, js, _ = X.dom0(f"cat {out}")
    return json.loads(js)


def http_check(log, windows, what):
    """No request failed outside the pause windows (each widened by 1 s
    before and 5 s after, for reconnecting), and each window was followed
    by served requests. Prints per window the requests failed in it and
    the longest time without a served response across it (the pause as
    the clients saw it). Returns those figures [(failed, gap)]."""
    spans = [(w[0] - 1, w[1] + 5) for w in windows]

    def in_some(e):
        return any(e[0] < hi and e[1] > lo for lo, hi in spans)

    X.expect(len(log) > 50, f"{len(log)} requests made")
    bad = [e for e in log if not e[2] and not in_some(e)]
    X.expect(not bad, f"no request failed outside the {what} window(s) "
             f"({len([e for e in log if not e[2]])} failed in them)")
    ends = sorted(e[1] for e in log if e[2])
    figures = []
    for i, (lo, hi) in enumerate(spans):
        failed = len([e for e in log if not e[2] and e[0] < hi
                      and e[1] > lo])
        gaps = [b - a for a, b in zip(ends, ends[1:]) if b > lo and a < hi]
        after = [e for e in ends if e > windows[i][1]]
        if i + 1 < len(windows):
            after = [e for e in after if e < windows[i + 1][0]]
        gap = max(gaps, default=0.0)
        print(f"{what} {i + 1}: {failed} requests failed in the window, "
              f"longest time without a served request {gap:.1f} s")
        X.expect(len(after) > 10, f"{len(after)} requests served after "
                 f"{what} {i + 1}")
        figures.append((failed, gap))
    return figures


def t_save_restore_httpd_load():
    """httpd serves 8 keep-alive clients from dom0 while it is xl saved
    and restored: no request fails outside the pause window, and the
    /stats counters continue rather than reset."""
    ip = "10.0.0.80"
    with X.guest("httpd", "httpd: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        out, before = http_load_start(name, ip)
        window, t_save, t_restore, size = save_restore(name)
        print(f"save {t_save:.2f} s, restore {t_restore:.2f} s, "
              f"file {size} bytes")
        # However long the save took: 15 s of service after the restore.
        time.sleep(15)
        log = http_load_stop(name, out)
        http_check(log, [window], "save + restore")
        after = stats_requests(ip)
        served = len([e for e in log if e[2] and e[0] > window[1]])
        X.expect(after > before + served,
                 f"/stats requests continue: {before} -> {after}")
        con = console(name)
        X.expect("[xenith] restored after" in con,
                 "the guest says it was restored")
        X.expect(domid_of(name) is not None, "the restored domain runs")


def t_migrate_httpd_wrk():
    """PVH only (run as migrate_httpd_wrk_pvh): httpd (32 MB) serves 8
    keep-alive clients from dom0 through three xl migrations to this
    host: no request fails outside the migration windows, wrk from dom0
    gets no error between migrations, and /stats continues."""
    need_pvh("migrate_httpd_wrk")
    ip = "10.0.0.86"
    # The default 32 MB: at 16 MB httpd stopped answering under wrk after
    # the second migration (docs/lifecycle.md, not root-caused).
    with X.guest("httpd", "httpd: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        out, before = http_load_start(name, ip)
        windows = []
        for i in range(3):
            window, secs = migrate(name, i + 1, ip)
            windows.append(window)
            time.sleep(15)
            # wrk's own count of errors cannot say when they happened,
            # so it runs between the migrations, next to HTTP_LOAD.
            rc, w, _ = X.dom0(f"timeout 90 wrk -c 8 -t 2 -d 10s --timeout "
                              f"30s http://{ip}:80/", check=False, timeout=150)
            m = re.search(r"(\d+) requests in", w)
            ok = (rc == 0 and m and int(m.group(1)) > 0
                  and "Socket errors" not in w and "Non-2xx" not in w)
            if not ok:  # what the guest and dom0 look like, for the report
                X.dom0(f"xl list; ping -c 2 -W 5 {ip}; curl -s -m 10 "
                       f"http://{ip}/stats; bridge link; tail -n 5 "
                       f"/var/log/xen/console/guest-{name}--incoming.log",
                       check=False)
            X.expect(ok, f"wrk after migration {i + 1} (status {rc}): "
                     f"{m.group(1) if m else 0} requests, no error")
        log = http_load_stop(name, out)
        figures = http_check(log, windows, "migration")
        for i, (w, (failed, gap)) in enumerate(zip(windows, figures)):
            print(f"MIGRATION {i + 1}: {w[1] - w[0]:.1f} s, {failed} "
                  f"requests failed in it, longest gap {gap:.1f} s")
        after = stats_requests(ip)
        X.expect(after > before + len([e for e in log if e[2]]),
                 f"/stats requests continue: {before} -> {after}")
        X.expect(migrated_console(name).count("[xenith] restored after")
                 == 3, "the guest says it was restored three times")


ECHO_SPLIT = r"""
import os, socket, sys, time
ip, flag = sys.argv[1], sys.argv[2]
s = socket.create_connection((ip, 7), timeout=60)
def exchange(n, tag):
    for i in range(n):
        m = (b"%s-%d-" % (tag, i)) * (1 + i % 50)
        s.sendall(m)
        got = b""
        while len(got) < len(m):
            c = s.recv(65536)
            if not c:
                print("EOF"); sys.exit(1)
            got += c
        if got != m:
            print("MISMATCH", tag, i); sys.exit(1)
exchange(100, b"before")
print("PHASE1 ok", flush=True)
while not os.path.exists(flag):
    time.sleep(0.2)
exchange(100, b"after")
print("PHASE2 ok")
"""


def echo_first_half(name, ip):
    """Start ECHO_SPLIT in dom0 against ip and wait for its first 100
    exchanges; returns the flag file that lets it do the rest."""
    X.put_file("/tmp/echosplit.py", ECHO_SPLIT)
    flag = f"/tmp/echo-go-{name}"
    X.dom0(f"rm -f {flag}; nohup python3 /tmp/echosplit.py {ip} {flag} "
           f">/tmp/es-{name}.out 2>&1 &")
    X.dom0(f"for i in $(seq 1 60); do grep -q PHASE1 /tmp/es-{name}.out "
           f"&& exit 0; sleep 1; done; cat /tmp/es-{name}.out; exit 1",
           timeout=120)
    return flag


def t_save_restore_echo_connection():
    """An echo connection opened before xl save exchanges data correctly
    after xl restore (lwIP's state is in memory; the vif reconnects with
    the same MAC)."""
    ip = "10.0.0.81"
    with X.guest("echo", "echo: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        flag = echo_first_half(name, ip)
        _, mac_before, _ = X.dom0(f"xenstore-read /local/domain/"
                                  f"{domid_of(name)}/device/vif/0/mac")
        save_restore(name)
        X.dom0(f"touch {flag}")
        rc, out, _ = X.dom0(f"for i in $(seq 1 90); do grep -q 'PHASE2\\|EOF"
                            f"\\|MISMATCH' /tmp/es-{name}.out && break; "
                            f"sleep 1; done; cat /tmp/es-{name}.out",
                            timeout=150)
        X.expect("PHASE2 ok" in out,
                 "the connection opened before the save works after it")
        _, mac_after, _ = X.dom0(f"xenstore-read /local/domain/"
                                 f"{domid_of(name)}/device/vif/0/mac")
        X.expect(mac_after.strip() == mac_before.strip(),
                 f"the vif kept its MAC ({mac_after.strip()})")


@contextlib.contextmanager
def blkbench_verifying(tag, secs, memory=None):
    """blkbench verify rounds (checksummed writes, flush, read back) for
    secs guest seconds on a fresh 64 MB dom0 disk, detached once its
    first round passed; yields the domain's name, destroys it."""
    disk, _ = X.make_disk(f"t-{tag}", 64)
    name = f"xn-{tag}"
    mem = ["--memory", str(memory)] if memory else []
    try:
        rc, out, _ = X.xenith("run", X.image("blkbench"), "--disk",
                              f"dom0:{disk}", "--name", name, *mem,
                              "--cmdline", f"mode=verify bs=4096 qd=16 "
                              f"size=8M time={secs}", "--detach", "--ready",
                              "blkbench: verify ok", "--timeout", "1800",
                              check=False)
        X.expect(rc == 0, "blkbench is verifying")
        yield name
    finally:
        X.dom0(f"xl destroy {name}; rm -f {disk}", check=False)


def blk_rounds_ok(con, what):
    """The console shows no failed round; returns how many passed."""
    m = re.search(r"blkfront: \S+: (\d+) requests in flight", con)
    print(f"requests in flight at the last suspend, replayed: "
          f"{m.group(1) if m else 0}")
    X.expect("verify FAILED" not in con and "write errors" not in con
             and "flush failed" not in con, f"no verify round failed {what}")
    return con.count("blkbench: verify ok")


def t_save_restore_blk_verify():
    """blkbench verify rounds (checksummed writes, flush, read back) run
    across xl save / xl restore: no error, no corruption."""
    with blkbench_verifying("sr-blk", 40) as name:
        save_restore(name)
        # It powers off when done (on_poweroff=preserve keeps it listed).
        X.dom0(f"for i in $(seq 1 180); do grep -q '\\[xenith\\] exit' "
               f"/var/log/xen/console/guest-{name}.log && exit 0; sleep 1; "
               f"done; exit 1", timeout=240)
        con = console(name)
        print(con[-1500:])
        X.expect("[xenith] restored after" in con, "the guest was restored")
        blk_rounds_ok(con, "across the save and restore")
        X.expect(re.search(r"blkbench: verify rounds=\d+ all ok", con),
                 "every verify round passed, across the save and restore")
        X.expect("[xenith] exit 0" in con, "blkbench exited 0")


def t_migrate_blk_verify():
    """PVH only (run as migrate_blk_verify_pvh): blkbench (16 MB) runs
    verify rounds through three xl migrations to this host: no round
    fails, and after each migration another round passes (its I/O works
    on the new domain). The rounds are bounded by guest time, which
    runs on through each live phase, so the bound is far off and the
    guest is destroyed once the third migration was checked."""
    need_pvh("migrate_blk_verify")
    logs = "/var/log/xen/console/guest-{0}.log " \
           "/var/log/xen/console/guest-{0}--incoming.log"
    with blkbench_verifying("mig-blk", 7200, memory=16) as name:
        for i in range(3):
            _, secs = migrate(name, i + 1)
            con = migrated_console(name)
            n = blk_rounds_ok(con, f"up to migration {i + 1}")
            X.expect(con.count("[xenith] restored after") == i + 1,
                     f"the guest says it was restored ({i + 1})")
            rc, _, _ = X.dom0(
                f"for i in $(seq 1 300); do [ $(cat {logs.format(name)} "
                f"2>/dev/null | grep -c 'blkbench: verify ok') -gt {n} ] "
                f"&& exit 0; sleep 1; done; exit 1", check=False,
                timeout=360)
            X.expect(rc == 0, f"a verify round passed after migration "
                     f"{i + 1} ({n} before it)")
            print(f"MIGRATION {i + 1}: {secs:.1f} s")
        con = migrated_console(name)
        print(con[-1500:])
        rounds = blk_rounds_ok(con, "across the three migrations")
        X.expect("[xenith] exit" not in con and "CRASH" not in con,
                 f"blkbench still verifying after {rounds} rounds")


@contextlib.contextmanager
def kvstore_guest(tag, ip, memory=None):
    """kvstore on a fresh 64 MB dom0 disk at ip, kvload.py copied to
    dom0; yields the domain's name, destroys it."""
    disk, _ = X.make_disk(f"t-{tag}", 64)
    kvload = os.path.join(X.REPO, "apps", "kvstore", "tools", "kvload.py")
    X.put_file("/tmp/kvload.py", open(kvload).read())
    name = f"xn-{tag}"
    mem = ["--memory", str(memory)] if memory else []
    try:
        rc, out, _ = X.xenith("run", X.image("kvstore"), "--net", "--disk",
                              f"dom0:{disk}", "--name", name, *mem,
                              "--cmdline", f"ip={ip}/24 gw=10.0.0.1",
                              "--detach", "--ready", "kvstore: listening",
                              "--timeout", "600", check=False)
        X.expect(rc == 0, "kvstore is up")
        yield name
    finally:
        X.dom0(f"xl destroy {name}; rm -f {disk}", check=False)


def kv_put(ip, state, n, conns, base=0):
    rc, _, _ = X.dom0(f"python3 /tmp/kvload.py put -n {n} --conns {conns} "
                      f"--base {base} --host {ip} --state {state}",
                      check=False, timeout=600)
    return rc == 0


def kv_verify(ip, state):
    rc, _, _ = X.dom0(f"python3 /tmp/kvload.py verify --host {ip} "
                      f"--state {state}", check=False, timeout=600)
    return rc == 0


def t_save_restore_kvstore():
    """Acknowledged kvstore puts made before xl save are all present after
    xl restore, and puts continue."""
    ip = "10.0.0.82"
    with kvstore_guest("sr-kv", ip) as name:
        X.expect(kv_put(ip, "/tmp/kv-sr1.json", 3000, 4),
                 "3000 puts acknowledged")
        save_restore(name)
        X.expect(kv_verify(ip, "/tmp/kv-sr1.json"),
                 "every put acknowledged before the save is there")
        X.expect(kv_put(ip, "/tmp/kv-sr2.json", 1000, 2),
                 "puts continue after the restore")
        X.expect(kv_verify(ip, "/tmp/kv-sr2.json"), "and are read back")


def t_migrate_kvstore():
    """PVH only (run as migrate_kvstore_pvh): kvstore (64 MB) keeps every
    acknowledged put through three xl migrations to this host. Before
    each migration a put stream starts (new keys) and runs on during it;
    afterwards it must finish with every put acknowledged on the same
    connections, and every put acknowledged so far reads back."""
    need_pvh("migrate_kvstore")
    ip = "10.0.0.87"
    # Its default 64 MB: at 16 MB kvstore stopped answering under this
    # load before any migration (docs/lifecycle.md, not root-caused).
    with kvstore_guest("mig-kv", ip) as name:
        states = ["/tmp/kv-m0.json"]
        X.expect(kv_put(ip, states[0], 2000, 4), "2000 puts acknowledged")
        for i in range(1, 4):
            st, log = f"/tmp/kv-m{i}.json", f"/tmp/kv-m{i}.out"
            X.dom0(f"rm -f {log}; (python3 /tmp/kvload.py put -n 3000 "
                   f"--conns 4 --base {i * 100000} --host {ip} --state {st}"
                   f"; echo KVLOAD-RC=$?) >{log} 2>&1 </dev/null &")
            _, secs = migrate(name, i, ip)
            _, out, _ = X.dom0(f"cat {log}")
            print(f"MIGRATION {i}: {secs:.1f} s; the put stream was "
                  f"{'done' if 'KVLOAD-RC' in out else 'still running'} "
                  "when it ended")
            rc, out, _ = X.dom0(f"for i in $(seq 1 500); do grep -q "
                                f"KVLOAD-RC {log} && break; sleep 1; done; "
                                f"cat {log}", timeout=560)
            X.expect("KVLOAD-RC=0" in out, f"the puts started before "
                     f"migration {i} were all acknowledged")
            states.append(st)
            for j, s in enumerate(states):
                X.expect(kv_verify(ip, s), f"after migration {i}: every "
                         f"put of stream {j} is there")


def t_save_checkpoint_resumes_in_place():
    """xl save -c: the guest's suspend is cancelled (the hypercall returns
    1) and it resumes in place, same domain, nothing reconnected, and an
    open connection keeps working."""
    ip = "10.0.0.83"
    with X.guest("echo", "echo: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        flag = echo_first_half(name, ip)
        domid = domid_of(name)
        save_restore(name, checkpoint=True)
        X.dom0(f"touch {flag}")
        _, out, _ = X.dom0(f"for i in $(seq 1 60); do grep -q 'PHASE2\\|EOF"
                           f"\\|MISMATCH' /tmp/es-{name}.out && break; "
                           f"sleep 1; done; cat /tmp/es-{name}.out",
                           timeout=120)
        X.expect("PHASE2 ok" in out, "the connection works after xl save -c")
        X.expect(domid_of(name) == domid, f"the same domain {domid} runs on")
        con = console(name)
        X.expect("suspend cancelled, resumed in place" in con,
                 "the guest resumed in place")
        X.expect(con.count("link up") == 1,
                 "the vif was not reconnected (one link up in the log)")


def t_migrate_pv_refused_guest_unharmed():
    """Debian's Xen cannot log-dirty a PV guest (no shadow paging): xl
    migrate fails before the guest is touched, ./xenith says why in one
    sentence, and the guest keeps serving."""
    ip = "10.0.0.84"
    with X.guest("httpd", "httpd: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        rc, out, err = X.xenith("migrate", name, check=False, timeout=300)
        X.expect(rc != 0, "./xenith migrate of a PV guest fails here")
        X.expect("shadow paging" in (out + err) and "PVH" in (out + err),
                 "it says why (no shadow paging for PV) and points to PVH")
        X.dom0(f"curl -s -f -m 20 http://{ip}/ >/dev/null")
        X.expect(domid_of(name) is not None, "the guest still runs and serves")


def t_migrate_echo_connection():
    """PVH only (run as migrate_echo_connection_pvh): xl migrate to this
    host three times in a row while an echo connection opened before the
    first stays open; it exchanges data correctly after the last, and
    dom0 reaches the guest after each. PV cannot do this on Debian's Xen
    (migrate_pv_refused_guest_unharmed)."""
    need_pvh("migrate_echo_connection")
    ip = "10.0.0.85"
    with X.guest("echo", "echo: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        flag = echo_first_half(name, ip)
        for i in range(1, 4):
            migrate(name, i, ip)
        X.dom0(f"touch {flag}")
        _, out, _ = X.dom0(f"for i in $(seq 1 90); do grep -q 'PHASE2\\|EOF"
                           f"\\|MISMATCH' /tmp/es-{name}.out && break; "
                           f"sleep 1; done; cat /tmp/es-{name}.out",
                           timeout=150)
        X.expect("PHASE2 ok" in out, "the connection opened before the "
                 "first migration works after the third")
        X.expect(migrated_console(name).count("[xenith] restored after")
                 == 3, "the guest says it was restored three times")
