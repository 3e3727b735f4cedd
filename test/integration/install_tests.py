# SPDX-License-Identifier: MIT
"""Sandbox tests of the installed product (issue 10): out-of-tree images
and the installed `xenith` CLI, on real Xen.

They use the prefix and the images that test/install/install_test.py
(ctest fixture `installed`) left in XENITH_INSTALL_TEST_DIR: the prefix
was staged with DESTDIR and moved before anything was built with it, and
the CLI used here is that prefix's bin/xenith, run from outside the
repository (cwd a temporary folder), so it reaches the sandbox through
its own installed copy of the dom0 scripts. The t_* functions join
xntest.py's module through its _join(), like lifecycle_tests.py.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

X = None  # the xntest module, set when xntest.py joins this one



def work_dir():
    d = os.environ.get("XENITH_INSTALL_TEST_DIR")
    if not d or not os.path.isdir(os.path.join(d, "prefix")):
        raise X.TestFailure(f"no installed prefix in XENITH_INSTALL_TEST_DIR="
                            f"{d!r}: the install.prefix test (fixture "
                            "`installed`) must run first")
    return d


def installed_xenith(*args, timeout=900, check=True, cwd=None):
    """The installed prefix's bin/xenith, run outside the repository."""
    exe = os.path.join(work_dir(), "prefix", "bin", "xenith")
    t0 = time.monotonic()
    p = subprocess.run([exe] + list(args), capture_output=True, text=True,
                       timeout=timeout, cwd=cwd or tempfile.gettempdir())
    print(f"$ PREFIX/bin/xenith {' '.join(args)}   -> {p.returncode} "
          f"({time.monotonic() - t0:.1f} s)")
    if p.stdout:
        print(p.stdout.rstrip()[-6000:])
    if p.stderr:
        print(p.stderr.rstrip()[-3000:])
    if check and p.returncode != 0:
        raise X.TestFailure(f"installed xenith {' '.join(args)} exited "
                            f"{p.returncode}")
    return p.returncode, p.stdout, p.stderr


def t_oot_boot():
    """The out-of-tree example (built with CMake and with make against the
    moved prefix) boots on Xen through the installed CLI."""
    images = os.path.join(work_dir(), "images")
    rc, out, _ = installed_xenith("run",
                                  os.path.join(images, "oot-cmake.stripped"),
                                  "--cmdline", "exit=5 hello-oot",
                                  "--timeout", "120", check=False)
    X.expect("out-of-tree: oot built against an installed xenith" in out,
             "the CMake-built out-of-tree image runs on Xen (argv[0] is "
             "its name)")
    X.expect("out-of-tree: argv[2]=hello-oot" in out,
             "its command line reaches main()")
    X.expect(re.search(r"out-of-tree: slept \d+ us; sockaddr_in is 16 "
                       "bytes", out), "it slept and saw lwIP's types")
    X.expect(rc == 5, f"the installed `xenith run` exits with the app's "
             f"status (5, got {rc})")
    rc, out, _ = installed_xenith("run",
                                  os.path.join(images, "oot-make.stripped"),
                                  "--timeout", "120", check=False)
    X.expect("out-of-tree: oot built against an installed xenith" in out
             and rc == 0, "the pkg-config-built image runs and exits 0")


def _detached(args, ready, what):
    """Run the installed `xenith run ... --detach`; return the domain."""
    rc, out, _ = installed_xenith("run", *args, "--detach", "--ready", ready,
                                  "--timeout", "600", check=False)
    lines = out.strip().splitlines()
    name = lines[-1] if lines else ""
    X.expect(rc == 0 and name.startswith("xn-"), f"{what} is up ({name})")
    return name


def t_new_templates_boot():
    """Each `xenith new` template (scaffolded and built from the installed
    prefix by install.new_templates) boots on Xen and does its job."""
    root = os.path.join(work_dir(), "new")
    img = {t: os.path.join(root, f"my{t}", "build", f"my{t}.stripped")
           for t in ("hello", "httpd", "kvstore")}
    for t, p in img.items():
        if not os.path.isfile(p):
            raise X.TestFailure(f"no {p}: install.new_templates (fixture "
                                "`templates`) did not build it")
    # hello: `xenith run .` in the app folder (builds, then boots).
    rc, out, _ = installed_xenith("run", ".", "--cmdline", "exit=7",
                                  "--timeout", "120", check=False,
                                  cwd=os.path.join(root, "myhello"))
    X.expect("Hello from xenith!" in out and "argv[0]=myhello" in out,
             "hello template: greets, argv[0] is the app's name")
    X.expect(rc == 7, f"hello template: `xenith run .` exits 7 (got {rc})")
    # httpd: dom0 fetches a page and the 64 KiB static file.
    name = _detached([img["httpd"], "--net", "--cmdline",
                      "ip=10.0.0.88/24 gw=10.0.0.1"], "httpd: listening",
                     "httpd template")
    try:
        _, page, _ = X.dom0("curl -s -f -m 20 http://10.0.0.88/")
        X.expect("<html" in page.lower(), "httpd template serves its page")
        _, n, _ = X.dom0("curl -s -f -m 30 http://10.0.0.88/64k | wc -c")
        X.expect(n.strip() == "65536", "httpd template serves /64k whole")
    finally:
        X.dom0(f"xl destroy {name}", check=False)
    # kvstore: PUT then GET over TCP, on a disk in dom0.
    disk, _ = X.make_disk("t-new-kv", 64)
    name = _detached([img["kvstore"], "--net", "--disk", f"dom0:{disk}",
                      "--cmdline", "ip=10.0.0.89/24 gw=10.0.0.1"],
                     "kvstore: listening", "kvstore template")
    try:
        _, res, _ = X.dom0("printf 'PUT tk tv\\nGET tk\\n' | "
                           "nc -q 2 -w 10 10.0.0.89 7000")
        X.expect("tv" in res, f"kvstore template: PUT then GET returns the "
                 f"value ({res.strip()!r})")
    finally:
        X.dom0(f"xl destroy {name}; rm -f {disk}", check=False)


def t_xl_config_boot():
    """`xenith config --format xl` of the out-of-tree image, booted with
    plain `xl create` in dom0 (no `xenith run`): the console shows the
    app, with its command line and a vif on the bridge."""
    images = os.path.join(work_dir(), "images")
    rc, share, _ = X.xenith("sandbox", "exec", "--", "true")
    st = os.path.join(os.environ.get("XENITH_CACHE") or os.path.expanduser(
        "~/.cache/xenith"), "run", os.environ.get("XENITH_SANDBOX",
                                                  "default"), "share")
    os.makedirs(os.path.join(st, "cfgtest"), exist_ok=True)
    shutil.copy(os.path.join(images, "oot-cmake.stripped"),
                os.path.join(st, "cfgtest", "oot.stripped"))
    name = "xn-cfgtest"
    cfg = os.path.join(st, "cfgtest", "oot.cfg")
    installed_xenith("config", os.path.join(images, "oot-cmake.stripped"),
                     "--format", "xl", "--name", name, "--kernel-path",
                     "/share/cfgtest/oot.stripped", "--memory", "24",
                     "--vif", "bridge=xenbr0", "--cmdline",
                     "exit=0 from-xl-config", "--on-poweroff", "preserve",
                     "-o", cfg)
    text = open(cfg).read()
    print(text)
    X.expect('kernel = "/share/cfgtest/oot.stripped"' in text and
             "memory = 24" in text, "the config names the kernel and memory")
    log = f"/var/log/xen/console/guest-{name}.log"
    try:
        _, out, _ = X.dom0(
            f"xl destroy {name} 2>/dev/null; rm -f {log}; "
            "xl create /share/cfgtest/oot.cfg && "
            "for i in $(seq 1 120); do "
            f"s=$(xl list {name} | awk 'NR==2{{print $5}}'); "
            "case \"$s\" in *s*) break;; esac; sleep 0.5; done; "
            f"echo STATE=$s; xl list -l {name} | grep -c '\"bridge\": "
            f"\"xenbr0\"'; sleep 1; cat {log}", timeout=200)
        X.expect("out-of-tree: argv[2]=from-xl-config" in out,
                 "xl create of the generated config boots the image with "
                 "its command line")
        X.expect(re.search(r"STATE=-*s", out) is not None,
                 "the guest powered off by itself (on_poweroff=preserve "
                 "kept it for this check)")
        X.expect(re.search(r"^\s*1\s*$", out, re.M) is not None,
                 "the domain has the vif on xenbr0")
    finally:
        X.dom0(f"xl destroy {name}", check=False)
        shutil.rmtree(os.path.join(st, "cfgtest"), ignore_errors=True)


def t_run_destroyed_from_outside():
    """A guest destroyed with `xl destroy` while `xenith run` streams it:
    run exits 137, not 0 (issue 10 part 4; docs/sandbox.md)."""
    name = f"xn-dtest-{os.getpid() % 100000}"
    exe = os.path.join(X.REPO, "xenith")
    p = subprocess.Popen([exe, "run", X.image("hello"), "--name", name,
                          "--cmdline", "hold=300", "--timeout", "400"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # Read as it streams: the line shows before its newline does (the
        # agent holds a final newline back while it could be its marker).
        seen = b""
        while b"hello: holding" not in seen:
            chunk = p.stdout.read1(4096)
            if not chunk:
                break
            seen += chunk
        print(seen.decode(errors="replace"), flush=True)
        if b"hello: holding" not in seen:
            p.wait(timeout=60)
            raise X.TestFailure(f"hello did not reach its hold (run exited "
                                f"{p.returncode})")
        X.expect(True, "hello is up and holding (the console line streamed "
                 "before the next one)")
        X.dom0(f"xl destroy {name}")
        rest = p.communicate(timeout=120)[0].decode(errors="replace")
        print(rest)
        X.expect(p.returncode == 137, f"run exits 137 when the domain is "
                 f"destroyed from outside (got {p.returncode})")
        X.expect("destroyed from outside" in rest,
                 "run says the domain was destroyed from outside")
    finally:
        if p.poll() is None:
            p.kill()
        X.dom0(f"xl destroy {name}", check=False)
