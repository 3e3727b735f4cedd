# SPDX-License-Identifier: MIT
"""Sandbox flush tests: kvstore's durability seen through a disk that
records what reached stable storage (docs/reliability.md, "Flush
semantics").

The sandbox's disks are files on dom0's tmpfs, where a missing flush is
invisible.  Here blkback sits on a dm-log-writes target (two loop
devices on tmpfs: the data and the log): dm-log-writes logs a write only
once a later flush made it durable, and marks from `dmsetup message`
land in the log in order.  After every batch of puts is acknowledged, a
mark goes in; replaying the log up to a mark (lwreplay.py, in dom0)
gives the disk a power loss at that moment would leave, and kvstore
booted on it must hold every put acknowledged before the mark.  The same
check with kvstore's commit flush switched off (kvstore.test-noflush)
must fail, and t_flush_kvstore_noflush_caught asserts that it does.
t_kvstore_destroy_random destroys kvstore after a random K-th ack,
several rounds, and checks both the live disk and the power-loss image.

The t_* functions join xntest.py's module through its _join(), like
lifecycle_tests.py.  Every wait is bounded; none asserts a speed.
"""
import json
import os
import random
import re

X = None  # the xntest module, set when xntest.py joins this one

DISKS = "/var/lib/xenith/disks"
HERE = os.path.dirname(os.path.realpath(__file__))



def _install_tools():
    for src, dst in ((os.path.join(X.REPO, "apps", "kvstore", "tools",
                                   "kvload.py"), "/tmp/kvload.py"),
                     (os.path.join(HERE, "lwreplay.py"), "/tmp/lwreplay.py")):
        X.put_file(dst, open(src).read())


def lw_create(tag, mb=16):
    """A dm-log-writes device over a zeroed data file; returns its path."""
    X.dom0(f"""set -e
modprobe -a dm-mod dm-log-writes
mkdir -p {DISKS}
rm -f {DISKS}/{tag}-data.img {DISKS}/{tag}-log.img
truncate -s {mb}M {DISKS}/{tag}-data.img
truncate -s 512M {DISKS}/{tag}-log.img
d=$(losetup -f --show {DISKS}/{tag}-data.img)
l=$(losetup -f --show {DISKS}/{tag}-log.img)
DM_DISABLE_UDEV=1 dmsetup create {tag} --table "0 $(blockdev --getsz $d) \
log-writes $d $l"
test -b /dev/mapper/{tag}
echo "lw: $d $l"
""")
    return f"/dev/mapper/{tag}"


def lw_mark(tag, mark):
    X.dom0(f"dmsetup message {tag} 0 mark {mark}")


def lw_remove(tag):
    """Tear the target down (it logs its pending writes and an end mark,
    and rewrites the super block); drop the loop devices and the data
    file, keep the log."""
    X.dom0(f"""set -e
DM_DISABLE_UDEV=1 dmsetup remove {tag}
for f in {DISKS}/{tag}-data.img {DISKS}/{tag}-log.img; do
    losetup -j $f | cut -d: -f1 | xargs -r -n1 losetup -d
done
rm -f {DISKS}/{tag}-data.img
""", check=False)


def lw_list(tag):
    _, out, _ = X.dom0(f"python3 /tmp/lwreplay.py list {DISKS}/{tag}-log.img")
    return json.loads(out[out.index("{"):])


def lw_image(tag, upto, mb=16):
    """The disk after replaying log entries 0..upto onto zeros."""
    img = f"{DISKS}/{tag}-replay.img"
    X.dom0(f"rm -f {img} && truncate -s {mb}M {img} && python3 "
           f"/tmp/lwreplay.py replay {DISKS}/{tag}-log.img {img} {upto}")
    return img


def kv_boot(disk, ip, extra=""):
    """kvstore detached on `disk`; returns (name, keys recovered)."""
    rc, out, _ = X.xenith("run", X.image("kvstore"), "--net", "--disk",
                          f"dom0:{disk}", "--cmdline",
                          f"ip={ip}/24 gw=10.0.0.1 {extra}".strip(),
                          "--detach", "--ready",
                          "kvstore: (listening|cannot|no disk)",
                          "--timeout", "300", check=False)
    name = out.strip().splitlines()[-1] if out.strip() else ""
    X.expect(rc == 0 and name.startswith("xn-"), f"kvstore boots on {disk}")
    m = re.search(r"kvstore: listening on \d+ \((\d+) keys recovered\)", out)
    X.expect(m is not None, f"kvstore opened its store on {disk}")
    return name, int(m.group(1)), out


def kv_put(ip, n, base, tag, state, destroy=None, destroy_at=0):
    args = (f"python3 /tmp/kvload.py put -n {n} --base {base} --conns 2 "
            f"--host {ip} --tag {tag} --state {state}")
    if destroy:
        args += f" --destroy {destroy} --destroy-at {destroy_at}"
    rc, out, _ = X.dom0(args, check=False, timeout=600)
    X.expect(rc == 0, f"kvload put {n} keys from k{base} "
             f"({out.strip().splitlines()[-1] if out.strip() else '?'})")


def kv_verify(ip, state):
    rc, out, _ = X.dom0(f"python3 /tmp/kvload.py verify --host {ip} "
                        f"--state {state}", check=False, timeout=600)
    return rc == 0, out.strip()


def batches_then_check(tag, noflush, nbatch, per):
    """Puts in batches with a mark after each, a destroy, then for each
    mark: replay, boot, verify.  Returns [(batch, ok, detail)]."""
    ip, ip2 = "10.0.0.67", "10.0.0.68"
    _install_tools()
    dev = lw_create(tag)
    results, names = [], []
    try:
        name, _, out = kv_boot(dev, ip,
                               "kvstore.test-noflush" if noflush else "")
        names.append(name)
        X.expect("flush yes" in out, "blkback on dm-log-writes offers "
                 "flush (kvstore reports 'flush yes')")
        for b in range(nbatch):
            kv_put(ip, per, b * per, f"{tag}{b}", f"/tmp/{tag}-b{b}.json")
            lw_mark(tag, f"batch-{b}")
        X.dom0(f"xl destroy {name}")
        names.pop()
        lw_remove(tag)
        log = lw_list(tag)
        print(f"log: {log['entries']} entries, {log['writes']} writes, "
              f"{len(log['flushes'])} flushes, marks {log['marks']}")
        marks = {m: i for i, m in log["marks"]}
        for b in range(nbatch):
            X.expect(f"batch-{b}" in marks, f"mark batch-{b} is in the log")
            img = lw_image(tag, marks[f"batch-{b}"])
            name, keys, _ = kv_boot(img, ip2)
            names.append(name)
            oks = [kv_verify(ip2, f"/tmp/{tag}-b{j}.json")
                   for j in range(b + 1)]
            ok = all(o for o, _ in oks)
            results.append((b, ok, f"{keys} keys recovered; " +
                            " | ".join(d.splitlines()[-1] for _, d in oks)))
            print(f"power loss after batch {b}: {results[-1]}")
            X.dom0(f"xl destroy {name}")
            names.pop()
            if not ok:
                break
    finally:
        for n in names:
            X.dom0(f"xl destroy {n}", check=False)
        lw_remove(tag)
        X.dom0(f"rm -f {DISKS}/{tag}-*.img /tmp/{tag}-b*.json", check=False)
    return results, log


def t_flush_kvstore_log_writes():
    """Every put acknowledged before a mark survives a power loss at the
    mark: 3 batches of 150 puts."""
    results, log = batches_then_check("xnlw", False, 3, 150)
    X.expect(len(log["flushes"]) >= 3, f"the guest's flushes reached the "
             f"device ({len(log['flushes'])} flush entries)")
    X.expect(len(results) == 3, "every batch was checked")
    for b, ok, detail in results:
        X.expect(ok, f"power loss after batch {b}: every acknowledged put "
                 f"is there ({detail})")


def t_flush_kvstore_noflush_caught():
    """The same check with kvstore's commit flush removed
    (kvstore.test-noflush) must see lost puts: it proves the check can
    fail."""
    results, log = batches_then_check("xnlwn", True, 1, 150)
    print(f"without the flush: {results}")
    X.expect(results and not results[0][1], "without the commit flush, "
             "the power-loss image lacks acknowledged puts "
             f"({results[0][2] if results else 'no result'})")


def t_kvstore_destroy_random():
    """xl destroy right after a random K-th acknowledgement, puts still
    streaming, 3 rounds on one disk: after each, a new kvstore on the
    live disk holds every acknowledged put; and the power-loss image at
    the moment of the destroy (log replayed up to a mark set right
    after it) holds them too."""
    tag, ip = "xnlwd", "10.0.0.69"
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    print(f"seed {seed}")
    _install_tools()
    dev = lw_create(tag)
    names = []
    try:
        name, _, _ = kv_boot(dev, ip)
        names.append(name)
        for r in range(3):
            k = rng.randint(1, 600)
            kv_put(ip, 800, 0, f"d{r}", f"/tmp/{tag}-r{r}.json",
                   destroy=name, destroy_at=k)
            names.pop()
            lw_mark(tag, f"destroyed-{r}")
            name, keys, _ = kv_boot(dev, ip)
            names.append(name)
            ok, detail = kv_verify(ip, f"/tmp/{tag}-r{r}.json")
            X.expect(ok, f"round {r}: destroyed after ack {k}; the live "
                     f"disk holds every acknowledged put ({keys} keys; "
                     f"{detail.splitlines()[-1]})")
        X.dom0(f"xl destroy {name}")
        names.pop()
        lw_remove(tag)
        marks = {m: i for i, m in lw_list(tag)["marks"]}
        for r in (0, 2):
            img = lw_image(tag, marks[f"destroyed-{r}"])
            name, keys, _ = kv_boot(img, "10.0.0.68")
            names.append(name)
            ok, detail = kv_verify("10.0.0.68", f"/tmp/{tag}-r{r}.json")
            X.expect(ok, f"round {r}: the power-loss image at the destroy "
                     f"holds every acknowledged put ({keys} keys; "
                     f"{detail.splitlines()[-1]})")
            X.dom0(f"xl destroy {name}")
            names.pop()
    finally:
        for n in names:
            X.dom0(f"xl destroy {n}", check=False)
        lw_remove(tag)
        X.dom0(f"rm -f {DISKS}/{tag}-*.img /tmp/{tag}-r*.json", check=False)
