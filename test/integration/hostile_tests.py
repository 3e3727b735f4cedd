# SPDX-License-Identifier: MIT
"""Sandbox hostile-dom0 tests: garbage and absurd values in the backend's
xenstore nodes before the frontend runs (docs/reliability.md, "Hostile
dom0").

`./xenith run --paused-hook` creates the guest paused (`xl create -p`),
runs a dom0 script while the devices' backend directories exist but no
frontend has read them, then unpauses.  Keys the backend writes once at
probe (max-ring-page-order, feature-max-indirect-segments,
multi-queue-max-queues; the toolstack's mac) are overwritten in the real
backend directory.  Keys blkback writes itself at connect (sectors,
sector-size, state) would be rewritten by it, so those cases point the
frontend's `backend` node at a fake backend directory that only the
test's script writes: a backend that is hostile on purpose.  Each test
checks the console for a message that names the key, that the guest
keeps running, and that it answers `xl shutdown`.

The t_* functions join xntest.py's module through its _join().  Every
wait is bounded; none asserts a speed.
"""
import os
import re
import shlex
import tempfile

X = None  # the xntest module, set when xntest.py joins this one

VBD = "51712"  # xvda



# Point the frontend at a copy of its backend directory that only this
# script writes, then play the backend from it: state InitWait, and when
# the frontend announces Initialised, what CONNECT_WRITES says.  Closed
# once the frontend closes.  Runs detached, for at most 60 s.
FAKE_VBD = r'''
set -e
fe=/local/domain/$DOMID/device/vbd/{vbd}
rb=$(xenstore-read $fe/backend)
fb=/local/domain/0/backend/xnhostile/$DOMID/{vbd}
xenstore-rm $fb 2>/dev/null || true
for k in $(xenstore-list $rb); do
    xenstore-write -- $fb/$k "$(xenstore-read $rb/$k)"
done
xenstore-write -- $fb/state 2
xenstore-chmod -r $fb n0 r$DOMID
xenstore-write -- $fe/backend $fb
cat > /tmp/xnhostile-$DOMID.sh <<'EOF'
fe=$1; fb=$2; done=0
for i in $(seq 1 600); do
    s=$(xenstore-read $fe/state 2>/dev/null) || exit 0
    case "$done$s" in
    03|04) {connect}; done=1 ;;
    *5) xenstore-write -- $fb/state 6 ;;
    esac
    sleep 0.1
done
EOF
setsid nohup bash /tmp/xnhostile-$DOMID.sh $fe $fb >/dev/null 2>&1 &
echo "hostile: frontend $fe now points at $fb"
'''


def fake_vbd(connect):
    return FAKE_VBD.replace("{vbd}", VBD).replace("{connect}", connect)


def hellodev():
    """apps/hello built with both device classes (apps/hello/CMakeLists)."""
    path = os.path.join(os.path.dirname(X.image("hello")), "hellodev.stripped")
    if not os.path.isfile(path):
        raise X.TestFailure(f"no image at {path}")
    return path


def hostile_run(hook, disk=True, net=False):
    """hellodev (hold=150) with the hook; returns (name, disk path)."""
    dpath = None
    if disk:
        dpath, _ = X.make_disk("t-hostile", 16)
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
        f.write("set -u\n" + hook)
    try:
        args = ["run", hellodev(), "--cmdline", "hold=150",
                "--paused-hook", f.name, "--detach", "--ready",
                "hello: holding", "--timeout", "300"]
        if disk:
            args += ["--disk", f"dom0:{dpath}"]
        if net:
            args += ["--net"]
        rc, out, _ = X.xenith(*args, check=False)
    finally:
        os.unlink(f.name)
    name = out.strip().splitlines()[-1] if out.strip() else ""
    X.expect(rc == 0 and name.startswith("xn-"),
             "the guest boots with the hostile backend and reaches main()")
    return name, dpath


def check_alive_and_shutdown(name, wants):
    """Each regex of `wants` on the console (waited for, bounded); the
    guest still running; then xl shutdown -w brings it down cleanly."""
    log = f"/var/log/xen/console/guest-{name}.log"
    for key, rx in wants:
        rc, _, _ = X.dom0(f"for i in $(seq 1 30); do grep -qE "
                          f"{shlex.quote(rx)} {log} "
                          "&& exit 0; sleep 1; done; exit 1", check=False,
                          timeout=120)
        _, con, _ = X.dom0(f"cat {log}")
        hits = [ln for ln in con.splitlines() if re.search(rx, ln)]
        X.expect(rc == 0 and hits, f"{key}: the console names the key "
                 f"({hits[0].strip() if hits else 'no such line'})")
    _, st, _ = X.dom0(f"xl list {name} | awk 'NR==2{{print $5}}'")
    X.expect(st.strip() and not re.search(r"[cs]", st),
             f"the guest is still running (xl state {st.strip()})")
    rc, out, _ = X.dom0(f"timeout 90 xl shutdown -w {name}", check=False,
                        timeout=150)
    X.expect(rc == 0 and "has been shut down" in out,
             "the guest answers xl shutdown")
    _, con, _ = X.dom0(f"cat {log}")
    X.expect("[xenith] exit 0" in con, "it went down through its orderly "
             "shutdown ([xenith] exit 0)")


def _cleanup(name, dpath):
    X.dom0(f"xl destroy {name} 2>/dev/null; rm -f {dpath or ''} "
           "/tmp/xnhostile-*.sh; xenstore-rm /local/domain/0/backend/"
           "xnhostile 2>/dev/null; true", check=False)


# Optional transport keys: each must be named in a console line saying it
# was ignored (the safe default used instead).
FEATURE_CHECKS = [
    ("max-ring-page-order", r"blkfront.*max-ring-page-order"),
    ("multi-queue-max-queues (vbd)", r"blkfront.*multi-queue-max-queues"),
    ("feature-max-indirect-segments",
     r"blkfront.*feature-max-indirect-segments"),
    ("multi-queue-max-queues (vif)", r"netfront.*multi-queue-max-queues"),
]


def t_hostile_garbage_features():
    """Garbage in optional feature keys of both backends (blkback's
    max-ring-page-order, multi-queue-max-queues,
    feature-max-indirect-segments; netback's multi-queue-max-queues): the
    guest ignores each, saying so, and uses the safe default."""
    hook = (f"b=/local/domain/0/backend/vbd/$DOMID/{VBD}\n"
            "n=/local/domain/0/backend/vif/$DOMID/0\n"
            "xenstore-write -- $b/max-ring-page-order banana "
            "$b/multi-queue-max-queues 'x y' "
            "$b/feature-max-indirect-segments -3 "
            "$n/multi-queue-max-queues banana\n")
    name, dpath = hostile_run(hook, net=True)
    try:
        check_alive_and_shutdown(name, FEATURE_CHECKS)
    finally:
        _cleanup(name, dpath)


def t_hostile_absurd_features():
    """Absurd numbers in the same keys: an order of 2^32, 0 queues, 4
    indirect segments (below the 11 of a direct request), 0 vif queues."""
    hook = (f"b=/local/domain/0/backend/vbd/$DOMID/{VBD}\n"
            "n=/local/domain/0/backend/vif/$DOMID/0\n"
            "xenstore-write -- $b/max-ring-page-order 4294967296 "
            "$b/multi-queue-max-queues 0 "
            "$b/feature-max-indirect-segments 4 "
            "$n/multi-queue-max-queues 0\n")
    name, dpath = hostile_run(hook, net=True)
    try:
        check_alive_and_shutdown(name, FEATURE_CHECKS)
    finally:
        _cleanup(name, dpath)


def t_hostile_refused_sectors_and_mac():
    """Mandatory values that cannot be trusted: `sectors` garbage at
    connect (fake blkback), and `mac` garbage in both the frontend's and
    the backend's directory: both devices are refused."""
    hook = (fake_vbd("xenstore-write -- $fb/sectors banana $fb/sector-size "
                     "512 $fb/info 0 $fb/state 4") +
            "n=/local/domain/0/backend/vif/$DOMID/0\n"
            "xenstore-write -- $n/mac banana "
            "/local/domain/$DOMID/device/vif/0/mac banana\n")
    name, dpath = hostile_run(hook, net=True)
    try:
        check_alive_and_shutdown(name, [
            ("sectors", r"blkfront.*sectors (invalid|missing)"),
            ("mac", r"netfront.*invalid MAC in \S*/mac")])
    finally:
        _cleanup(name, dpath)


def t_hostile_refused_sector_size():
    """sector-size 3 at connect (fake blkback): refused."""
    hook = fake_vbd("xenstore-write -- $fb/sectors 32768 $fb/sector-size 3 "
                    "$fb/info 0 $fb/state 4")
    name, dpath = hostile_run(hook)
    try:
        check_alive_and_shutdown(name, [
            ("sector-size", r"blkfront.*sector-size")])
    finally:
        _cleanup(name, dpath)


def t_hostile_state_flapping():
    """The backend's state flaps through every value, garbage included,
    for 20 s while the frontend connects (fake blkback)."""
    flap = ("for j in $(seq 1 10); do for v in 4 1 5 3 banana 6 2 99 7 "
            "-1 4; do xenstore-write -- $fb/state $v; sleep 0.2; done; done; "
            "xenstore-write -- $fb/state banana")
    name, dpath = hostile_run(fake_vbd(flap))
    try:
        check_alive_and_shutdown(name, [
            ("state", r"(blkfront|xenbus).*state")])
    finally:
        _cleanup(name, dpath)
