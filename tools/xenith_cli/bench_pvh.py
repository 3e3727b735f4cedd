# SPDX-License-Identifier: MIT
"""`./xenith bench pvh`: PV next to PVH in one sandbox run (issue 9).

- boot to main(), the guest's own timeline (xenith.boottrace), hello and
  hello-pvh, the median of BOOT_RUNS boots each;
- `xl create` to the first console byte, both modes at memory=4;
- the memory floors: hello (boots and exits 0) and httpd (serves
  `wrk -c 100` for 5 s without an error), 1 MB steps, per mode;
- live-migration downtime as a client sees it: dom0 pings the guest
  every 50 ms during `xl migrate` to localhost, and the longest gap
  between two replies is the downtime (50 ms resolution). xenith's httpd
  as PVH and the Linux reference domU booted as PVH, migrated MIGRATIONS
  times each in a row, in the same run; after each migration the guest
  must still answer (curl for httpd, ping for Linux) or the figure says
  so. PV is not migrated: Debian's Xen cannot log-dirty a PV guest.
"""
import re
import statistics

from . import sandbox
from .bench import (BOOT_RUNS, Detached, boot_timeline, fmt_ms,
                    httpd_serves, measure_create, smallest_memory)

MIGRATIONS = 3
BOOT_RUNS_PVH = min(BOOT_RUNS, 5)

# dom0 side: ping the guest every 50 ms while it migrates to localhost;
# print the migration's duration and the longest gap between replies.
MIGRATE_SCRIPT = r'''
set -u
name=$1; ip=$2
ping -D -n -i 0.05 -W 1 "$ip" > /tmp/bench-mig-$name.ping 2>&1 &
pp=$!
sleep 1
a=$(date +%s%N)
xl migrate -s '' "$name" 'xl migrate-receive' > /tmp/bench-mig-$name.log 2>&1
rc=$?
b=$(date +%s%N)
sleep 2
kill -INT $pp; wait $pp
gap=$(grep -o '^\[[0-9.]*\]' /tmp/bench-mig-$name.ping | tr -d '[]' |
      awk 'NR > 1 { g = $1 - p; if (g > m) m = g } { p = $1 }
           END { printf "%d", m * 1000 }')
echo "MIG rc=$rc ms=$(( (b - a) / 1000000 )) gap_ms=${gap:-0}"
[ "$rc" = 0 ] || tail -5 /tmp/bench-mig-$name.log
'''


def _boot_total(image):
    """(median total us, stages of the median run) over BOOT_RUNS_PVH."""
    runs = sorted((boot_timeline(image) for _ in range(BOOT_RUNS_PVH)),
                  key=lambda t: t[-1][1])
    tl = runs[len(runs) // 2]
    prev, parts = 0, []
    for name, us in tl:
        parts.append(f"{name} +{us - prev}")
        prev = us
    return (f"{tl[-1][1]} us (min {runs[0][-1][1]}, max {runs[-1][-1][1]})",
            ", ".join(parts))


def httpd_floor(image, first, ip):
    """Smallest memory= in 1 MB steps from first at which httpd serves
    wrk -c 100 with no error, with its req/s."""
    for mb in range(first, 33):
        rps, errs = httpd_serves(image, mb, ip)
        if rps and errs == 0:
            return mb, rps
    return None, None


def migrate_downtimes(name, ip, check_after):
    """Per migration: (duration ms, longest ping gap ms, still answers)."""
    out = []
    for _ in range(MIGRATIONS):
        _rc, o = sandbox.agent_capture(
            "set -- " + f"'{name}' '{ip}'\n" + MIGRATE_SCRIPT,
            timeout=1800, check=False)
        m = re.search(r"MIG rc=(\d+) ms=(\d+) gap_ms=(\d+)", o)
        if not m or m.group(1) != "0":
            out.append(None)
            break
        rc, _ = sandbox.agent_capture(check_after, timeout=120, check=False)
        out.append((int(m.group(2)), int(m.group(3)), rc == 0))
    return out


def _fmt_migrations(res):
    cells = []
    for r in res:
        if r is None:
            cells.append("xl migrate failed")
            continue
        dur, gap, ok = r
        cells.append(f"{dur / 1000:.1f} s / {gap / 1000:.2f} s"
                     + ("" if ok else " (did not answer afterwards)"))
    return "; ".join(cells)


def suite_pvh():
    from . import build
    build.configure_and_build()
    sandbox.start(quiet=True)
    twin = lambda p: p[:-len(".stripped")] + "-pvh.stripped"  # noqa: E731
    hello, httpd = build.image_path("hello"), build.image_path("httpd")
    hello_pvh, httpd_pvh = twin(hello), twin(httpd)
    rows = []
    pv_total, pv_parts = _boot_total(hello)
    pvh_total, pvh_parts = _boot_total(hello_pvh)
    rows.append((f"hello, first instruction to main() (median of "
                 f"{BOOT_RUNS_PVH}), PV / PVH", f"{pv_total} / {pvh_total}"))
    rows.append(("Boot stages of the median run, PV (us, +cost)", pv_parts))
    rows.append(("Boot stages of the median run, PVH (us, +cost)",
                 pvh_parts))
    _c, pv_first = measure_create(hello, 4)
    _c, pvh_first = measure_create(hello_pvh, 4, gtype="pvh")
    rows.append(("`xl create` to first console byte, hello at memory=4: PV",
                 fmt_ms(pv_first)))
    rows.append(("`xl create` to first console byte, hello at memory=4: PVH",
                 fmt_ms(pvh_first)))
    mb_pv, mb_pvh = smallest_memory(hello), smallest_memory(hello_pvh, 1)
    f = lambda mb: f"{mb} MB" if mb else "none up to 32 MB"  # noqa: E731
    rows.append(("Smallest memory= at which hello boots and exits 0, "
                 "PV / PVH", f"{f(mb_pv)} / {f(mb_pvh)}"))
    for label, image, first, ip in (("PV", httpd, 3, "10.0.0.80"),
                                    ("PVH", httpd_pvh, 2, "10.0.0.81")):
        mb, rps = httpd_floor(image, first, ip)
        rows.append((f"Smallest memory= at which httpd serves wrk -c 100 "
                     f"5 s without errors, {label}",
                     f"{mb} MB ({rps:.0f} req/s)" if mb else
                     "none up to 32 MB"))
    with Detached([httpd_pvh, "--cmdline", "ip=10.0.0.82/24 gw=10.0.0.1"],
                  "httpd: listening") as g:
        x = migrate_downtimes(g.name, "10.0.0.82",
                              "curl -s -f -m 30 http://10.0.0.82/ "
                              ">/dev/null")
    with Detached(["--reference-linux", "--mode", "pvh", "--cmdline",
                   "ip=10.0.0.83/24 gw=10.0.0.1"], "XENITH-REF-READY") as g:
        lx = migrate_downtimes(g.name, "10.0.0.83",
                               "ping -c 1 -W 30 10.0.0.83 >/dev/null")
    rows.append((f"`xl migrate` to localhost, {MIGRATIONS} in a row, "
                 "duration / longest gap between ping replies (50 ms "
                 "pings from dom0): xenith httpd, PVH, memory=32",
                 _fmt_migrations(x)))
    rows.append(("Same, Linux reference domU booted as PVH, memory=512",
                 _fmt_migrations(lx)))
    med = lambda r: statistics.median(  # noqa: E731
        [v[1] for v in r if v]) if any(r) else None
    if med(x) is not None and med(lx) is not None:
        rows.append(("Median downtime, xenith / Linux (PVH)",
                     f"{med(x) / 1000:.2f} s / {med(lx) / 1000:.2f} s = "
                     f"{med(x) / med(lx):.2f}x"))
    return rows

