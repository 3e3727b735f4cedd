# SPDX-License-Identifier: MIT
"""`./xenith sandbox build|start|stop|status|shell|exec`: a persistent Xen
host nested in QEMU.

A sandbox instance (XENITH_SANDBOX, default "default") owns a state folder
`<cache>/run/<instance>/` holding QEMU's pid, the ports it was given, its
QMP socket, the serial log (Xen's and dom0's consoles) and `share/`, the
folder dom0 mounts over 9p at /share.  Ports are picked free at start, so
several instances on one machine never collide.

Commands reach dom0 through a tiny agent (tools/sandbox/agent.sh) behind a
QEMU user-mode port forward: the exit status and output come back as data,
never by scraping a login prompt.
"""
import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

from .common import Fatal, cache_dir, ensure_packages, err, file_lock, info
from . import sandbox_build

AGENT_PORT = 7000   # in dom0
SHELL_PORT = 7001   # in dom0
QEMU_MEM_MB = 4096
DOM0_MEM_MB = 1536
TCG_CPU = ("max,-smap,-xsave,-avx,-avx2,-fma,-f16c,-avx512f,-vaes,"
           "-vpclmulqdq")
READY_TIMEOUT = int(os.environ.get("XENITH_READY_TIMEOUT", "600"))


def instance():
    name = os.environ.get("XENITH_SANDBOX", "default")
    if not name.replace("-", "").replace("_", "").isalnum():
        raise Fatal(f"XENITH_SANDBOX='{name}' must be alphanumeric")
    return name


def state_dir():
    return cache_dir("run", instance())


def _state_file(name):
    return os.path.join(state_dir(), name)


def _read_state():
    try:
        with open(_state_file("state.json")) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"qemu-system" in fh.read()
    except OSError:
        return False


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------- accel --

def _kvm_usable():
    """Hardware KVM: VMX/SVM in the CPU flags and a real /dev/kvm."""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False, "cannot read /proc/cpuinfo"
    if " vmx" not in flags and " svm" not in flags:
        return False, "the CPU offers no VMX/SVM"
    if os.path.exists("/sys/module/kvm_pvm"):
        return False, "/dev/kvm is kvm-pvm, a software KVM (slower than TCG)"
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
    except OSError as e:
        return False, f"/dev/kvm is not usable ({e.strerror})"
    return True, "VMX/SVM and /dev/kvm available"


def choose_accel():
    forced = os.environ.get("XENITH_ACCEL")
    if forced:
        if forced not in ("kvm", "tcg"):
            raise Fatal(f"XENITH_ACCEL must be 'kvm' or 'tcg', not "
                        f"'{forced}'")
        if forced == "kvm":
            ok, why = _kvm_usable()
            if not ok:
                raise Fatal(f"XENITH_ACCEL=kvm but {why}; unset it to use "
                            "TCG")
        return forced, "forced by XENITH_ACCEL"
    ok, why = _kvm_usable()
    return ("kvm" if ok else "tcg"), why


# ------------------------------------------------------------- agent ----

def _agent_port():
    st = _read_state()
    if not st or not _pid_alive(st.get("pid", -1)):
        raise Fatal("the sandbox is not running; start it with "
                    "`./xenith sandbox start`", code=3)
    return st["agent_port"]


def agent_exec(script, stdin_data=b"", out=None, timeout=None, port=None):
    """Run a bash script in dom0; stream its output; return its status.

    `out` is a binary file object (default: our stdout) or None-like
    callable collector when given a list (output chunks are appended).
    """
    port = port or _agent_port()
    nonce = secrets.token_hex(8)
    body = script.encode()
    marker = f"\nXENITH-RC-{nonce} ".encode()
    deadline = time.monotonic() + timeout if timeout else None
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"{nonce} {len(body)} {len(stdin_data)}\n".encode()
                  + body + stdin_data)
        buf = b""
        while True:
            if deadline:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                s.settimeout(min(left, 5))
            else:
                s.settimeout(None)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                break
            buf += chunk
            i = buf.find(marker)
            if i >= 0 and buf.endswith(b"\n") and \
                    buf[i + len(marker):].strip().lstrip(b"-").isdigit():
                _emit(out, buf[:i])
                return int(buf[i + len(marker):].strip())
            # Hold back only what may still turn out to be the marker (it
            # starts at a newline, so at most a line's final newline is
            # held): everything else streams at once, so the last console
            # line shows when it is printed, not when the next one comes.
            hold = i if i >= 0 else _marker_prefix_at(buf, marker)
            _emit(out, buf[:hold])
            buf = buf[hold:]
        _emit(out, buf)
    raise Fatal("the dom0 agent closed the connection without an exit "
                "status (did dom0 die? see `./xenith sandbox status`)")


def _marker_prefix_at(buf, marker):
    """Where a possible beginning of marker (which starts with its only
    newline) sits at the end of buf: len(buf) if nowhere."""
    j = buf.rfind(b"\n", max(0, len(buf) - len(marker)))
    if j >= 0 and marker.startswith(buf[j:]):
        return j
    return len(buf)


def _emit(out, data):
    if not data:
        return
    if isinstance(out, list):
        out.append(data)
        return
    stream = out or sys.stdout.buffer
    stream.write(data)
    stream.flush()


def agent_capture(script, timeout=60, stdin_data=b"", check=True):
    chunks = []
    rc = agent_exec(script, stdin_data=stdin_data, out=chunks,
                    timeout=timeout)
    text = b"".join(chunks).decode(errors="replace")
    if check and rc != 0:
        raise Fatal(f"dom0 command failed ({rc}): {script.strip()[:200]}\n"
                    + text[-2000:])
    return rc, text


def qmp(command_line):
    """Run one HMP command through QEMU's QMP socket."""
    path = _state_file("qmp.sock")
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        f = s.makefile("rwb")
        f.readline()
        for msg in ({"execute": "qmp_capabilities"},
                    {"execute": "human-monitor-command",
                     "arguments": {"command-line": command_line}}):
            f.write(json.dumps(msg).encode() + b"\n")
            f.flush()
            while True:
                reply = json.loads(f.readline())
                if "return" in reply or "error" in reply:
                    break
        if "error" in reply:
            raise Fatal(f"QEMU monitor refused '{command_line}': "
                        f"{reply['error']}")
        # HMP reports its own failures as text in an otherwise successful
        # reply ("Could not set up host forwarding rule ...").
        text = reply["return"]
        if isinstance(text, str) and text.strip():
            raise Fatal(f"QEMU monitor: '{command_line}': {text.strip()}")
        return text


# ------------------------------------------------------------ diagnostics

def tail_file(path, n=30):
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            lines = fh.read().decode(errors="replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError:
        return "(no log)"


def print_diagnostics(extra_guest_log=None):
    """The tails of Xen's log, dom0's console and the guest's console."""
    print("---- last lines of the serial console (Xen + dom0) ----",
          file=sys.stderr)
    print(tail_file(_state_file("serial.log")), file=sys.stderr)
    try:
        _rc, text = agent_capture("xl dmesg | tail -n 30", timeout=20,
                                  check=False)
        print("---- xl dmesg (tail) ----", file=sys.stderr)
        print(text.rstrip(), file=sys.stderr)
        if extra_guest_log:
            _rc, text = agent_capture(
                f"tail -n 30 {shlex.quote(extra_guest_log)}", timeout=20,
                check=False)
            print("---- guest console (tail) ----", file=sys.stderr)
            print(text.rstrip(), file=sys.stderr)
    except (Fatal, OSError, TimeoutError):
        print("(dom0 agent unreachable)", file=sys.stderr)


# -------------------------------------------------------------- start ---

def _qemu_cmd(lay, accel, st):
    xen_args = ("console=com1 com1=115200,8n1 "
                f"dom0_mem={DOM0_MEM_MB}M,,max:{DOM0_MEM_MB}M "
                "dom0_max_vcpus=2 loglvl=all guest_loglvl=all "
                "sched=credit2")
    dom0_args = (f"console=hvc0 earlyprintk=xen loglevel=5 "
                 f"xenith.agent_port={AGENT_PORT}")
    sd = state_dir()
    fwd = (f"hostfwd=tcp:127.0.0.1:{st['agent_port']}-:{AGENT_PORT},"
           f"hostfwd=tcp:127.0.0.1:{st['shell_port']}-:{SHELL_PORT}")
    cmd = ["qemu-system-x86_64"]
    if accel == "kvm":
        cmd += ["-accel", "kvm", "-cpu", "host,-arch-capabilities"]
    else:
        # -smap: dom0 faults in create_bounce_frame otherwise (trap 2).
        # No XSAVE (and so no AVX family): with XSAVE offered, Xen's PV
        # context switches under TCG corrupt user FPU/SSE state now and
        # then; dom0 programs crashed at random (malloc corruption, ld.so
        # assertions, segfaults: notes trap 11).  With FXSAVE only, a
        # stress of 240 python runs gave 0 crashes where XSAVE gave many.
        cmd += ["-accel", "tcg,thread=multi", "-cpu",
                os.environ.get("XENITH_QEMU_CPU", TCG_CPU)]
    cmd += [
        "-machine", "pc", "-m", str(QEMU_MEM_MB), "-smp", "2",
        "-display", "none", "-monitor", "none", "-no-reboot",
        "-serial", f"file:{os.path.join(sd, 'serial.log')}",
        "-qmp", f"unix:{os.path.join(sd, 'qmp.sock')},server=on,wait=off",
        "-netdev", f"user,id=n0,{fwd}",
        "-device", "virtio-net-pci,netdev=n0",
        "-virtfs", f"local,path={os.path.join(sd, 'share')},"
                   "mount_tag=xenith,security_model=none,id=fs0",
        "-kernel", lay.xen,
        "-append", xen_args,
        "-initrd", f"{lay.vmlinuz} {dom0_args},{lay.dom0_initrd}",
        "-pidfile", os.path.join(sd, "qemu.pid"),
        "-daemonize",
    ]
    return cmd


def is_running():
    st = _read_state()
    return bool(st and _pid_alive(st.get("pid", -1)))


def start(quiet=False):
    """Start the sandbox if needed and wait until dom0 answers.

    Serialised per instance: two commands that both find the sandbox down
    (a user's `run` and a test, say) must not boot two QEMUs on one state
    folder; the second waits and then finds the first one's sandbox."""
    with file_lock(f"sandbox-{instance()}"):
        return _start_locked(quiet)


def _start_locked(quiet):
    if is_running():
        try:
            agent_capture("true", timeout=30)
            if not quiet:
                info(f"sandbox '{instance()}' is already running")
            return _read_state()
        except (Fatal, OSError, TimeoutError):
            err("sandbox process exists but dom0 does not answer; "
                "restarting it")
            _stop_locked(quiet=True)
    _kill_strays()  # a QEMU left behind on this state folder
    lay = sandbox_build.build(quiet_if_cached=True)
    accel, why = choose_accel()
    info(f"accelerator: {accel} ({why})"
         + ("" if accel == "kvm" else
            f", cpu {os.environ.get('XENITH_QEMU_CPU', TCG_CPU)}"))
    sd = state_dir()
    share = os.path.join(sd, "share")
    os.makedirs(share, exist_ok=True)
    for name in ("serial.log", "qmp.sock", "qemu.pid", "state.json"):
        p = os.path.join(sd, name)
        if os.path.exists(p):
            os.unlink(p)
    st = {"agent_port": _free_port(), "shell_port": _free_port(),
          "accel": accel, "forwards": {}}
    t0 = time.monotonic()
    p = subprocess.run(_qemu_cmd(lay, accel, st), text=True,
                       capture_output=True)
    if p.returncode != 0:
        raise Fatal(f"QEMU failed to start: {p.stderr.strip()}")
    st["pid"] = int(open(os.path.join(sd, "qemu.pid")).read().strip())
    st["started"] = time.time()
    with open(_state_file("state.json"), "w") as fh:
        json.dump(st, fh)
    info(f"sandbox '{instance()}' booting Xen + dom0 (pid {st['pid']}, "
         f"agent port {st['agent_port']})")
    last = 0
    while True:
        el = time.monotonic() - t0
        if not _pid_alive(st["pid"]):
            print_diagnostics()
            raise Fatal("QEMU exited while booting the sandbox (see the "
                        "serial console above)")
        try:
            agent_exec("true", out=[], timeout=10, port=st["agent_port"])
            break
        except (OSError, TimeoutError, Fatal):
            pass
        if el > READY_TIMEOUT:
            print_diagnostics()
            _stop_locked(quiet=True)
            raise Fatal(f"dom0 did not become ready within {READY_TIMEOUT} s "
                        "(XENITH_READY_TIMEOUT raises it)")
        if el - last >= 10:
            last = el
            info(f"  ... waiting for dom0 ({el:.0f} s)")
        time.sleep(0.5)
    st["ready_seconds"] = round(time.monotonic() - t0, 1)
    with open(_state_file("state.json"), "w") as fh:
        json.dump(st, fh)
    info(f"sandbox ready in {st['ready_seconds']} s ({accel})")
    return st


def stop(quiet=False):
    with file_lock(f"sandbox-{instance()}"):
        return _stop_locked(quiet)


def _strays():
    """QEMU processes serving this instance's state folder (by their
    -virtfs path), whatever state.json says."""
    mark = f"path={os.path.join(state_dir(), 'share')},".encode()
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as fh:
                    cl = fh.read()
            except OSError:
                continue
            if b"qemu-system" in cl and mark in cl:
                pids.append(int(d))
    return pids


def _kill_strays():
    for pid in _strays():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _stop_locked(quiet):
    st = _read_state()
    if not st or not _pid_alive(st.get("pid", -1)):
        _kill_strays()
    if not st:
        if not quiet:
            info(f"sandbox '{instance()}' is not running")
        return 0
    pid = st.get("pid", -1)
    if _pid_alive(pid):
        try:
            qmp("quit")
        except (OSError, Fatal, ValueError):
            pass
        for _ in range(50):
            if not _pid_alive(pid):
                break
            time.sleep(0.1)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
    _kill_strays()
    time.sleep(0.2)
    if _pid_alive(pid) or _strays():
        raise Fatal(f"could not stop QEMU (pid {pid})")
    os.unlink(_state_file("state.json"))
    if not quiet:
        info(f"sandbox '{instance()}' stopped")
    return 0


def status():
    st = _read_state()
    if not st or not _pid_alive(st.get("pid", -1)):
        print(f"sandbox '{instance()}': stopped")
        return 3
    try:
        _rc, text = agent_capture("xl list", timeout=30)
    except (Fatal, OSError, TimeoutError) as e:
        print(f"sandbox '{instance()}': running (pid {st['pid']}) but dom0 "
              f"does not answer: {e}")
        return 1
    up = time.time() - st.get("started", time.time())
    print(f"sandbox '{instance()}': running, pid {st['pid']}, accel "
          f"{st['accel']}, up {up:.0f} s, ready after "
          f"{st.get('ready_seconds', '?')} s, agent port "
          f"{st['agent_port']}, state {state_dir()}")
    print(text.rstrip())
    return 0


def shell():
    st = _read_state()
    if not st or not _pid_alive(st.get("pid", -1)):
        start()
        st = _read_state()
    ensure_packages(["socat"], why="for the interactive shell")
    if not sys.stdin.isatty():
        raise Fatal("`sandbox shell` needs a terminal; use `sandbox exec -- "
                    "CMD` from scripts")
    os.execvp("socat", ["socat", "-,raw,echo=0,escape=0x1d",
                        f"TCP:127.0.0.1:{st['shell_port']}"])


def exec_cmd(argv):
    timeout = None
    if argv[:1] == ["--timeout"]:
        timeout = float(argv[1])
        argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        raise Fatal("usage: ./xenith sandbox exec [--timeout S] -- CMD...")
    script = argv[0] if len(argv) == 1 else shlex.join(argv)
    if not is_running():
        start()
    try:
        return agent_exec(script, timeout=timeout)
    except TimeoutError:
        err(f"timed out after {timeout} s: {script}")
        print_diagnostics()
        return 124


def put_file(src, name):
    """Make a host file visible in dom0; return its dom0 path."""
    share = os.path.join(state_dir(), "share")
    dst = os.path.join(share, name)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = f"{dst}.{os.getpid()}.part"  # one per writer: tests run side by side
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
    return "/share/" + name


USAGE = """usage: xenith sandbox build|start|stop|status|shell|exec [--timeout S] -- CMD...

The persistent Xen host in QEMU (instance XENITH_SANDBOX, default
'default'; state in $XENITH_CACHE/run/<instance>/):
  build    build (or confirm cached) every stage of the sandbox image
  start    build if needed, boot Xen + dom0, wait until dom0 answers
  stop     quit QEMU (QMP quit, then SIGKILL after 5 s)
  status   running or not, accelerator, ports, xl list (exit 3: stopped)
  shell    an interactive root shell in dom0 (Ctrl-] leaves)
  exec     run CMD in dom0, return its output and exit status
           (--timeout S: give up after S seconds, exit 124)
Environment: XENITH_CACHE, XENITH_SANDBOX, XENITH_ACCEL=kvm|tcg,
XENITH_QEMU_CPU, XENITH_READY_TIMEOUT (seconds, default 600)."""


def cmd(argv):
    if argv[:1] in (["-h"], ["--help"], ["help"]):
        print(USAGE)
        return 0
    if not argv:
        raise Fatal("usage: xenith sandbox build|start|stop|status|shell|"
                    "exec -- CMD... (xenith sandbox --help)", code=2)
    sub, rest = argv[0], argv[1:]
    if sub == "build":
        sandbox_build.build()
        return 0
    if sub == "start":
        start()
        return 0
    if sub == "stop":
        return stop()
    if sub == "status":
        return status()
    if sub == "shell":
        return shell()
    if sub == "exec":
        return exec_cmd(rest)
    raise Fatal(f"unknown sandbox command '{sub}'", code=2)
