# SPDX-License-Identifier: MIT
"""`./xenith fuzz [TARGET...] [--runs N | --minutes M]`: long libFuzzer runs.

Builds `build/` (test/fuzz is an ExternalProject of the host tree, built
with clang), then runs each target (all by default: see
`build/fuzz/targets.txt`) one after the other, from its seed corpus in
test/fuzz/corpus/<target>/ plus a working corpus in
build/fuzz/corpus/<target>/ that keeps growing across runs (the
repository's seeds are never written). Per target it prints executions,
executions per second, coverage and, for a crash, the file that
reproduces it (`build/fuzz/<target> FILE`). Default: --minutes 5 each.
Exits 1 when any target crashed.
"""
import argparse
import os
import re
import subprocess
import time

from . import build
from .common import REPO, Fatal, info


def _targets(bdir):
    path = os.path.join(bdir, "fuzz", "targets.txt")
    if not os.path.exists(path):
        raise Fatal("no fuzz targets were built (build/fuzz/targets.txt "
                    "missing): is clang with libFuzzer installed? "
                    "(./xenith setup installs Debian's clang)")
    return [t for t in re.split(r"[;\s]+", open(path).read()) if t]


def _stat(text, key):
    m = re.search(r"stat::%s:\s+(\d+)" % key, text)
    return int(m.group(1)) if m else 0


def run_target(bdir, name, limit):
    exe = os.path.join(bdir, "fuzz", "fuzz_" + name)
    work = os.path.join(bdir, "fuzz", "corpus", name)
    crashes = os.path.join(bdir, "fuzz", "crashes")
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    args = [exe, "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1",
            f"-artifact_prefix={crashes}/{name}-"] + limit + \
        [work, os.path.join(REPO, "test", "fuzz", "corpus", name)]
    t0 = time.monotonic()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    secs = time.monotonic() - t0
    out = p.stdout
    execs = _stat(out, "number_of_executed_units")
    cov = re.findall(r"cov: (\d+) ft: (\d+)", out)
    crash = re.findall(r"Test unit written to (\S+)", out)
    log = os.path.join(crashes, name + ".log")
    with open(log, "w") as f:
        f.write(out)
    return {"name": name, "rc": p.returncode, "execs": execs,
            "rate": execs / secs if secs > 0 else 0, "secs": secs,
            "cov": cov[-1] if cov else ("?", "?"), "crash": crash, "log": log}


def cmd(argv):
    ap = argparse.ArgumentParser(
        prog="./xenith fuzz",
        description="Run libFuzzer targets (test/fuzz) for a long time.")
    ap.add_argument("targets", nargs="*", metavar="TARGET",
                    help="targets to run (default: all)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--runs", type=int, metavar="N",
                   help="executions per target")
    g.add_argument("--minutes", type=float, metavar="M",
                   help="minutes per target (default 5)")
    a = ap.parse_args(argv)
    if a.runs is not None and a.runs <= 0:
        raise Fatal("--runs must be a positive number of executions")
    if a.minutes is not None and a.minutes <= 0:
        raise Fatal("--minutes must be positive")
    bdir = build.configure_and_build()
    known = _targets(bdir)
    unknown = [t for t in a.targets if t not in known]
    if unknown:
        raise Fatal(f"unknown fuzz target(s) {', '.join(unknown)}; "
                    f"known: {', '.join(known)}")
    if a.runs is not None:
        limit = [f"-runs={a.runs}"]
    else:
        limit = [f"-max_total_time={int((a.minutes or 5) * 60)}"]
    bad = 0
    for name in a.targets or known:
        info(f"fuzz {name}: {' '.join(limit)}")
        r = run_target(bdir, name, limit)
        line = (f"{name}: {r['execs']} executions in {r['secs']:.0f} s "
                f"({r['rate']:.0f}/s), cov {r['cov'][0]} ft {r['cov'][1]}")
        if r["rc"] != 0:
            bad += 1
            line += f", FAILED (status {r['rc']}); log {r['log']}"
            for c in r["crash"]:
                line += f"\n  crash: {c} (reproduce: build/fuzz/fuzz_{name} {c})"
        print(line, flush=True)
    if bad:
        raise Fatal(f"{bad} fuzz target(s) failed (see above)", code=1)
    return 0
