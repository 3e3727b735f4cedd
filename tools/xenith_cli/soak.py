# SPDX-License-Identifier: MIT
"""`./xenith soak [--minutes N] [--sample S]`: wrk, iperf3 and kvstore
puts against three guests at once, for N minutes, in the sandbox.

What it proves: under sustained mixed load, nothing leaks and nothing
fails.  Every S seconds it reads each guest's data/xenith/ counters from
dom0's xenstore (heap bytes, free pages, free grant refs, bound event
channels, device errors).  After a warm-up (the first sample after one
minute: pools and caches have filled), the heap must not end above where
it stood (newlib trims it, so it may move in between), the grant and
event channel counters must stay flat, every client run must succeed, and
kvstore must hold every acknowledged put at the end.  The result (a
table per guest, first/last/min/max of each counter) is printed and
recorded in docs/reliability.md between `<!-- soak -->` markers, with the
command, duration and host load.  Not run in CI: it takes as long as you
ask.  Exit status 0 when everything held, 1 otherwise.
"""
import argparse
import datetime
import os
import re
import shlex
import sys
import time

from .common import REPO, Fatal, err, info, write_doc_section
from . import build, sandbox

DOC = os.path.join(REPO, "docs", "reliability.md")
FLAT = ("mem/heap-bytes", "xen/grants-free", "xen/evtchn-bound")
ERRORS = ("net/vif0/rx-errors", "net/vif0/tx-errors", "blk/xvda/errors")

LOAD = r'''
set -u
end=$(( $(date +%s) + SECS ))
echo go > /tmp/soak-running
( while [ $(date +%s) -lt $end ]; do
    wrk -c 50 -t 2 -d 30s --timeout 30s http://10.0.0.90:80/ >>/tmp/soak-wrk.log 2>&1
    echo "WRK-RC $?" >>/tmp/soak-wrk.log
  done ) &
( r=""; while [ $(date +%s) -lt $end ]; do
    timeout 60 iperf3 -c 10.0.0.91 -t 20 $r >/tmp/soak-iperf-last.log 2>&1
    echo "IPERF-RC $?" >>/tmp/soak-iperf.log
    [ -z "$r" ] && r=-R || r=""
  done ) &
( b=0; while [ $(date +%s) -lt $end ]; do
    # The same 2000 keys over and over (new values each batch): kvstore's
    # index stays its size, so its heap must stay flat; the log grows.
    python3 /tmp/kvload.py put -n 2000 --conns 2 --host 10.0.0.92 \
        --state /tmp/soak-kv-$b.json >>/tmp/soak-kv.log 2>&1
    echo "KV-RC $? $b" >>/tmp/soak-kv.log
    b=$((b + 1))
  done ) &
wait
rm -f /tmp/soak-running
'''


def _counters(domid):
    _rc, out = sandbox.agent_capture(
        f"xenstore-ls -f /local/domain/{domid}/data/xenith", check=False)
    vals = {}
    for m in re.finditer(r"/data/xenith/(\S+) = \"(\d+)\"", out):
        vals[m.group(1)] = int(m.group(2))
    return vals


def _boot(args, ready):
    p = build_run(args + ["--net", "--detach", "--ready", ready,
                          "--timeout", "0"])
    name = p.strip().splitlines()[-1] if p.strip() else ""
    if not name.startswith("xn-"):
        raise Fatal(f"soak guest {' '.join(args)} did not come up:\n{p}")
    _rc, domid = sandbox.agent_capture(f"xl domid {name}")
    return name, domid.strip()


def build_run(argv):
    import subprocess
    p = subprocess.run([os.path.join(REPO, "xenith"), "run"] + argv,
                       capture_output=True, text=True, timeout=900)
    return p.stdout


def _record(text):
    write_doc_section(DOC, "soak", "Soak", text)


def cmd(argv):
    ap = argparse.ArgumentParser(
        prog="./xenith soak",
        description="wrk + iperf3 + kvstore puts together for N minutes; "
                    "heap, grant and event-channel counters must stay flat")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--sample", type=float, default=60,
                    help="seconds between counter samples (default 60)")
    ap.add_argument("--no-record", action="store_true",
                    help="do not write docs/reliability.md")
    a = ap.parse_args(argv)
    if a.minutes < 2:
        raise Fatal("--minutes must be at least 2 (one is the warm-up)")
    build.configure_and_build()
    sandbox.start(quiet=True)
    load0 = open("/proc/loadavg").read().split()[:3]
    disk = "/var/lib/xenith/disks/soak-kv.img"
    sandbox.agent_capture(f"mkdir -p /var/lib/xenith/disks; rm -f {disk} "
                          f"/tmp/soak-*; truncate -s 256M {disk}")
    kvload = os.path.join(REPO, "apps", "kvstore", "tools", "kvload.py")
    sandbox.agent_capture("cat > /tmp/kvload.py", stdin_data=open(
        kvload, "rb").read())
    guests = {}
    logs, kv_ok, samples = "", False, {}
    try:
        guests["httpd"] = _boot([build.image_path("httpd"), "--cmdline",
                                 "ip=10.0.0.90/24 gw=10.0.0.1"],
                                "httpd: listening")
        guests["iperf"] = _boot([build.image_path("iperf"), "--cmdline",
                                 "ip=10.0.0.91/24 gw=10.0.0.1"],
                                "iperf: listening")
        guests["kvstore"] = _boot([build.image_path("kvstore"), "--disk",
                                   f"dom0:{disk}", "--cmdline",
                                   "ip=10.0.0.92/24 gw=10.0.0.1"],
                                  "kvstore: listening")
        secs = int(a.minutes * 60)
        sandbox.agent_capture(
            f"nohup bash -c {shlex.quote(LOAD.replace('SECS', str(secs)))}"
            " >/tmp/soak-load.log 2>&1 &")
        info(f"soak: {a.minutes:g} min of wrk + iperf3 + kvstore puts")
        samples = {g: [] for g in guests}
        t0 = time.monotonic()
        while time.monotonic() - t0 < secs:
            time.sleep(min(a.sample, max(1, secs - (time.monotonic() - t0))))
            for g, (_n, domid) in guests.items():
                samples[g].append((time.monotonic() - t0, _counters(domid)))
            info(f"soak: {(time.monotonic() - t0) / 60:.1f} min")
        sandbox.agent_capture("while [ -e /tmp/soak-running ]; do sleep 1; "
                              "done", timeout=300, check=False)
        _rc, logs = sandbox.agent_capture(
            "cat /tmp/soak-wrk.log /tmp/soak-iperf.log /tmp/soak-kv.log",
            check=False, timeout=60)
        runs = re.findall(r"KV-RC (\d+) (\d+)", logs)
        kv_ok = bool(runs) and all(rc == "0" for rc, _b in runs)
        if runs:
            # Every batch wrote the same keys: the last one's values hold.
            _rc, res = sandbox.agent_capture(
                f"python3 /tmp/kvload.py verify --host 10.0.0.92 --state "
                f"/tmp/soak-kv-{runs[-1][1]}.json >/dev/null 2>&1; "
                "echo VERIFY-$?", timeout=600, check=False)
            kv_ok &= "VERIFY-0" in res
    finally:
        for name, _d in guests.values():
            sandbox.agent_capture(f"xl destroy {name}", check=False)
        sandbox.agent_capture(f"rm -f {disk}", check=False)
    wrk_runs = logs.count("WRK-RC")
    wrk_bad = len(re.findall(r"WRK-RC [1-9]", logs)) + \
        len(re.findall(r"Socket errors|Non-2xx", logs))
    iperf_runs = logs.count("IPERF-RC")
    iperf_bad = len(re.findall(r"IPERF-RC [1-9]", logs))
    kv_runs = logs.count("KV-RC")
    ok = wrk_runs and iperf_runs and kv_runs and not wrk_bad and \
        not iperf_bad and kv_ok
    rows = []
    for g, ss in samples.items():
        warm = [v for t, v in ss if t >= 60] or [v for _t, v in ss]
        for key in FLAT + ERRORS:
            vals = [v[key] for v in warm if key in v]
            if not vals:
                continue
            if key in ERRORS:
                flat = vals[-1] == 0
            elif key == "mem/heap-bytes":
                # newlib trims the heap's top, so it moves with work that
                # allocates and frees (iperf's per-test buffers): a leak
                # is an end above where it stood after the warm-up.
                flat = vals[-1] <= vals[0]
            else:
                flat = min(vals) == max(vals)
            ok &= flat
            rows.append((g, key, vals[0], vals[-1], min(vals), max(vals),
                         ("flat" if min(vals) == max(vals) else "no growth")
                         if flat else "MOVED"))
    load1 = open("/proc/loadavg").read().split()[:3]
    today = datetime.date.today().isoformat()
    lines = [f"Measured {today} with `./xenith soak --minutes {a.minutes:g}` "
             f"(host load before {' '.join(load0)}, after "
             f"{' '.join(load1)}): {'PASSED' if ok else 'FAILED'}.", "",
             f"Clients: {wrk_runs} wrk -c 50 runs ({wrk_bad} with errors), "
             f"{iperf_runs} iperf3 runs ({iperf_bad} failed), {kv_runs} "
             f"batches of 2000 kvstore puts (the same 2000 keys each; every put acknowledged "
             f"and the last values read back: {'yes' if kv_ok else 'NO'}).",
             "",
             "| Guest | Counter | after warm-up | at the end | min | max | |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {g} | {k} | {a0} | {z} | {lo} | {hi} | {f} |"
              for g, k, a0, z, lo, hi, f in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if not a.no_record:
        _record(text)
    if not ok:
        err("soak: something moved or failed (see the table)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(cmd(sys.argv[1:]))
