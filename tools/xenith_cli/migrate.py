# SPDX-License-Identifier: MIT
"""`./xenith migrate NAME`: live-migrate a running guest to this same
host (`xl migrate` with a local `xl migrate-receive`, no ssh), in the
sandbox's dom0 or on a real Xen host.

Live migration needs the hypervisor to log the pages a guest dirties
while it keeps running. For a PV guest Xen does that with shadow paging,
and Debian's Xen 4.17 is built without it (CONFIG_SHADOW_PAGING): xl then
fails with "Failed to enable logdirty" before the guest is suspended, and
the guest runs on unharmed. We say so in one sentence and point to what
works instead (xl save/restore, or PVH). Exit status: 0 migrated, 1 not
migrated (the cause printed), 124 timeout.
"""
import argparse
import io
import re
import shlex
import sys

from .common import err, info
from .run import Dom0

LOGDIRTY_RE = re.compile(rb"Failed to enable logdirty|logdirty", re.I)

SCRIPT = r'''
set -u
if ! xl domid "$name" >/dev/null 2>&1; then
    echo "XENITH-MIGRATE no-such-domain"; exit 0
fi
if xl migrate -s '' "$name" 'xl migrate-receive' >/tmp/migrate-$name.log 2>&1
then
    echo "XENITH-MIGRATE ok"
else
    cat /tmp/migrate-$name.log
    echo "XENITH-MIGRATE failed"
fi
'''


def cmd(argv):
    ap = argparse.ArgumentParser(
        prog="./xenith migrate",
        description="live-migrate a running guest to this host (xl migrate "
                    "to a local xl migrate-receive)")
    ap.add_argument("name", help="the domain name (./xenith run --name, or "
                                 "the name --detach printed)")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args(argv)
    d0 = Dom0()
    out = io.BytesIO()
    try:
        d0.exec(f"name={shlex.quote(a.name)}\n" + SCRIPT, out,
                timeout=a.timeout)
    except TimeoutError:
        err(f"xl migrate of {a.name} did not finish in {a.timeout:.0f} s")
        return 124
    text = out.getvalue()
    if b"XENITH-MIGRATE ok" in text:
        info(f"{a.name} migrated")
        return 0
    if b"XENITH-MIGRATE no-such-domain" in text:
        err(f"no domain named {a.name} (xl list shows the running ones)")
        return 1
    sys.stdout.write(text.decode(errors="replace").replace(
        "XENITH-MIGRATE failed\n", ""))
    if LOGDIRTY_RE.search(text):
        err(f"{a.name} was not migrated: this Xen cannot live-migrate a PV "
            "guest, because it is built without shadow paging "
            "(CONFIG_SHADOW_PAGING), which tracks the pages a PV guest "
            "dirties; the guest keeps running - use xl save/xl restore, or "
            "boot it as PVH (issue 9) to migrate")
        return 1
    err(f"{a.name} was not migrated: xl migrate failed (its output above)")
    return 1
