#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kvload.py - load and crash-consistency client for apps/kvstore.

Runs anywhere with python3 (dom0 has python3-minimal): no third-party
modules. `put` streams N puts over C connections, each pipelining up to
W requests, counts the OKs (an OK means durable), optionally runs
`xl destroy DOMAIN` right after the last acknowledgement (or after K of
them, with the puts still streaming: a crash mid-load), and writes the
acknowledged count per connection to a JSON file. `verify` reads that
file back and checks with GET that every acknowledged key holds exactly
its value. Key i is "k<i>" (i from --base on), its value "v<i>-<tag>"
(tag tells runs apart); connection c carries the keys i with i % C == c, in order, so
the acknowledged keys of a connection are a prefix of its sequence.
"""
import argparse
import json
import socket
import subprocess
import sys
import threading
import time


def key(i):
    return f"k{i}"


def value(i, tag):
    return f"v{i}-{tag}"


class Conn:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=120)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("server closed the connection")
            self.buf += d
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.decode()


def put_worker(a, c, acked, errors, lock, state):
    keys = [a.base + i for i in range(c, a.n, a.conns)]
    conn = Conn(a.host, a.port)
    sent = done = 0
    try:
        while done < len(keys):
            if state["stop"]:
                return
            batch = []
            while sent < len(keys) and sent - done < a.window:
                i = keys[sent]
                batch.append(f"PUT {key(i)} {value(i, a.tag)}\n")
                sent += 1
            if batch:
                conn.s.sendall("".join(batch).encode())
            r = conn.line()
            if r != "OK":
                errors.append(f"conn {c} key {keys[done]}: {r}")
                return
            done += 1
            acked[c] = done
            with lock:
                state["total"] += 1
                if a.destroy_at and state["total"] == a.destroy_at:
                    state["crash"] = time.time()
                    state["stop"] = True
                    destroy(a, state)
    except (OSError, ConnectionError) as e:
        if not state["stop"]:
            errors.append(f"conn {c}: {e}")


def destroy(a, state):
    # The destroyer was started before any thread: forking a threaded
    # python under the sandbox's emulator was seen to corrupt its heap.
    if state.get("destroyer"):
        state["destroyer"].stdin.write(b"go\n")
        state["destroyer"].stdin.flush()
        state["destroyer"].wait()
        state["destroyed"] = time.time()


def cmd_put(a):
    acked = [0] * a.conns
    errors = []
    lock = threading.Lock()
    state = {"total": 0, "stop": False}
    if a.destroy:
        state["destroyer"] = subprocess.Popen(
            ["sh", "-c", 'read x; exec xl destroy "$0"', a.destroy],
            stdin=subprocess.PIPE)
    t0 = time.time()
    ts = [threading.Thread(target=put_worker,
                           args=(a, c, acked, errors, lock, state))
          for c in range(a.conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    t1 = time.time()
    total = sum(acked)
    if not a.destroy_at and total == a.n and not errors:
        destroy(a, state)
    elif a.destroy and not a.destroy_at:
        # A failed run keeps the domain for the caller to inspect (and
        # destroy): a guest that stopped answering is evidence.
        state["destroyer"].kill()
    with open(a.state, "w") as f:
        json.dump({"n": a.n, "conns": a.conns, "tag": a.tag,
                   "base": a.base, "acked": acked}, f)
    print(f"kvload: {total} of {a.n} puts acknowledged in {t1 - t0:.2f} s "
          f"({total / (t1 - t0):.0f} puts/s, {a.conns} conns, window "
          f"{a.window})" + (", domain destroyed" if "destroyed" in state
                            else ""))
    for e in errors[:5]:
        print("kvload: error:", e)
    if a.destroy_at:
        return 0 if total >= a.destroy_at else 1
    return 0 if total == a.n and not errors else 1


def cmd_verify(a):
    with open(a.state) as f:
        st = json.load(f)
    conn = Conn(a.host, a.port)
    bad = checked = extra = 0
    for c, n in enumerate(st["acked"]):
        keys = [st.get("base", 0) + i
                for i in range(c, st["n"], st["conns"])]
        # Pipeline the GETs: acked keys must hold their value; the
        # unacknowledged ones may or may not be there.
        for lo in range(0, len(keys), 500):
            chunk = keys[lo:lo + 500]
            conn.s.sendall("".join(f"GET {key(i)}\n" for i in chunk).encode())
            for j, i in enumerate(chunk):
                r = conn.line()
                want = "VALUE " + value(i, st["tag"])
                if lo + j < n:
                    checked += 1
                    if r != want:
                        bad += 1
                        if bad <= 5:
                            print(f"kvload: key {key(i)}: got {r!r}")
                elif r == want:
                    extra += 1
    conn.s.sendall(b"COUNT\n")
    count = conn.line()
    print(f"kvload: verified {checked} acknowledged keys: {bad} wrong or "
          f"missing; {extra} unacknowledged puts also present; COUNT "
          f"{count}")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["put", "verify"])
    ap.add_argument("--host", default="10.0.0.50")
    ap.add_argument("--port", type=int, default=7000)
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--base", type=int, default=0,
                    help="first key number (keys base .. base+n-1)")
    ap.add_argument("--conns", type=int, default=4)
    ap.add_argument("--window", type=int, default=32)
    ap.add_argument("--tag", default=str(int(time.time())))
    ap.add_argument("--state", default="/tmp/kvload.json")
    ap.add_argument("--destroy", help="xl destroy this domain when done")
    ap.add_argument("--destroy-at", type=int, default=0,
                    help="destroy after this many acks, mid-stream")
    a = ap.parse_args()
    return cmd_put(a) if a.mode == "put" else cmd_verify(a)


if __name__ == "__main__":
    sys.exit(main())
