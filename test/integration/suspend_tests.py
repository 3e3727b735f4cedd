# SPDX-License-Identifier: MIT
"""Sandbox suspend/resume tests: xl save / xl restore of running guests
under load (kernel/suspend.c, the shared frontend lifecycle), xl save -c
(a cancelled suspend), and xl migrate of a PV guest refused by Debian's
Xen with the guest unharmed.  docs/lifecycle.md says what is expected.

The t_* functions join xntest.py's module through its _join(), like
lifecycle_tests.py, and use its helpers through X.  Every client runs in
dom0 with its own timeouts; no test asserts a speed.
"""
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


def put_script(path, text):
    X.dom0(f"cat > {path} <<'PYEOF'\n{text}\nPYEOF")


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


def t_save_restore_httpd_load():
    """httpd serves 8 keep-alive clients from dom0 while it is xl saved
    and restored: no request fails outside the pause window, and the
    /stats counters continue rather than reset."""
    ip = "10.0.0.80"
    with X.guest("httpd", "httpd: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        put_script("/tmp/httpload.py", HTTP_LOAD)
        before = stats_requests(ip)
        out = f"/tmp/hl-{name}.json"
        X.dom0(f"rm -f {out}.stop; nohup python3 /tmp/httpload.py {ip} 600 8 "
               f"{out} >/tmp/hl-{name}.out 2>&1 &")
        time.sleep(10)
        window, t_save, t_restore, size = save_restore(name)
        print(f"save {t_save:.2f} s, restore {t_restore:.2f} s, "
              f"file {size} bytes")
        # However long the save took: 15 s of service after the restore.
        time.sleep(15)
        X.dom0(f"touch {out}.stop; for i in $(seq 1 120); do grep -q done "
               f"/tmp/hl-{name}.out && exit 0; sleep 1; done; exit 1",
               timeout=200)
        _, js, _ = X.dom0(f"cat /tmp/hl-{name}.json")
        log = json.loads(js)
        lo, hi = window[0] - 1, window[1] + 5  # the pause, and reconnecting
        bad = [e for e in log if not e[2] and not (e[0] < hi and e[1] > lo)]
        after_restore = [e for e in log if e[2] and e[0] > window[1]]
        X.expect(len(log) > 50, f"{len(log)} requests made")
        X.expect(not bad, f"no request failed outside the pause window "
                 f"({len([e for e in log if not e[2]])} failed in it)")
        X.expect(len(after_restore) > 10,
                 f"{len(after_restore)} requests served after the restore")
        after = stats_requests(ip)
        X.expect(after > before + len(after_restore),
                 f"/stats requests continue: {before} -> {after}")
        con = console(name)
        X.expect("[xenith] restored after" in con,
                 "the guest says it was restored")
        X.expect(domid_of(name) is not None, "the restored domain runs")


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
    put_script("/tmp/echosplit.py", ECHO_SPLIT)
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


def t_save_restore_blk_verify():
    """blkbench verify rounds (checksummed writes, flush, read back) run
    across xl save / xl restore: no error, no corruption."""
    disk, _ = X.make_disk("t-sr-blk", 64)
    name = "xn-sr-blk"
    try:
        rc, out, _ = X.xenith("run", X.image("blkbench"), "--disk",
                              f"dom0:{disk}", "--name", name, "--cmdline",
                              "mode=verify bs=4096 qd=16 size=8M time=40",
                              "--detach", "--ready", "blkbench: verify ok",
                              "--timeout", "600", check=False)
        X.expect(rc == 0, "blkbench is verifying")
        save_restore(name)
        # It powers off when done (on_poweroff=preserve keeps it listed).
        X.dom0(f"for i in $(seq 1 180); do grep -q '\\[xenith\\] exit' "
               f"/var/log/xen/console/guest-{name}.log && exit 0; sleep 1; "
               f"done; exit 1", timeout=240)
        con = console(name)
        print(con[-1500:])
        X.expect("[xenith] restored after" in con, "the guest was restored")
        m = re.search(r"blkfront: \S+: (\d+) requests in flight", con)
        print(f"requests in flight at the save, replayed: "
              f"{m.group(1) if m else 0}")
        X.expect("verify FAILED" not in con and "write errors" not in con,
                 "no verify round failed")
        X.expect(re.search(r"blkbench: verify rounds=\d+ all ok", con),
                 "every verify round passed, across the save and restore")
        X.expect("[xenith] exit 0" in con, "blkbench exited 0")
    finally:
        X.dom0(f"xl destroy {name}; rm -f {disk}", check=False)


def t_save_restore_kvstore():
    """Acknowledged kvstore puts made before xl save are all present after
    xl restore, and puts continue."""
    disk, _ = X.make_disk("t-sr-kv", 64)
    kvload = os.path.join(X.REPO, "apps", "kvstore", "tools", "kvload.py")
    put_script("/tmp/kvload.py", open(kvload).read())
    name = "xn-sr-kv"
    ip = "10.0.0.82"
    try:
        rc, out, _ = X.xenith("run", X.image("kvstore"), "--net", "--disk",
                              f"dom0:{disk}", "--name", name, "--cmdline",
                              f"ip={ip}/24 gw=10.0.0.1", "--detach",
                              "--ready", "kvstore: listening",
                              "--timeout", "600", check=False)
        X.expect(rc == 0, "kvstore is up")
        X.dom0(f"python3 /tmp/kvload.py put -n 3000 --conns 4 --host {ip} "
               "--state /tmp/kv-sr1.json", timeout=600)
        save_restore(name)
        rc, _, _ = X.dom0(f"python3 /tmp/kvload.py verify --host {ip} "
                          "--state /tmp/kv-sr1.json", check=False, timeout=600)
        X.expect(rc == 0, "every put acknowledged before the save is there")
        rc, _, _ = X.dom0(f"python3 /tmp/kvload.py put -n 1000 --conns 2 "
                          f"--host {ip} --state /tmp/kv-sr2.json", check=False,
                          timeout=600)
        X.expect(rc == 0, "puts continue after the restore")
        rc, _, _ = X.dom0(f"python3 /tmp/kvload.py verify --host {ip} "
                          "--state /tmp/kv-sr2.json", check=False, timeout=600)
        X.expect(rc == 0, "and are read back")
    finally:
        X.dom0(f"xl destroy {name}; rm -f {disk}", check=False)


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
    if X.MODE != "pvh":
        raise X.TestFailure("PV guests cannot live-migrate on this Xen: "
                            "run migrate_echo_connection_pvh")
    ip = "10.0.0.85"
    with X.guest("echo", "echo: listening",
                 f"ip={ip}/24 gw=10.0.0.1") as (name, _):
        flag = echo_first_half(name, ip)
        for i in range(3):
            t0 = time.monotonic()
            rc, out, err = X.xenith("migrate", name, check=False, timeout=600)
            X.expect(rc == 0, f"migration {i + 1} of 3 succeeded "
                     f"({time.monotonic() - t0:.1f} s)")
            X.expect(domid_of(name) is not None,
                     f"the guest runs after migration {i + 1}")
            _, ping, _ = X.dom0(f"ping -c 2 -W 5 {ip}", check=False)
            X.expect(" 0% packet loss" in ping or " 50% packet loss" in ping,
                     f"dom0 reaches the guest after migration {i + 1}")
        X.dom0(f"touch {flag}")
        _, out, _ = X.dom0(f"for i in $(seq 1 90); do grep -q 'PHASE2\\|EOF"
                           f"\\|MISMATCH' /tmp/es-{name}.out && break; "
                           f"sleep 1; done; cat /tmp/es-{name}.out",
                           timeout=150)
        X.expect("PHASE2 ok" in out, "the connection opened before the "
                 "first migration works after the third")
        # xenconsoled names a log after the domain's name at creation: a
        # migrated guest's console goes to NAME--incoming.log (appended
        # by each incoming domain).
        _, con, _ = X.dom0(f"cat /var/log/xen/console/guest-{name}.log "
                           f"/var/log/xen/console/guest-{name}--incoming.log")
        X.expect(con.count("[xenith] restored after") == 3,
                 "the guest says it was restored three times")
