# SPDX-License-Identifier: MIT
"""`./xenith test [CTEST ARGS...]`: everything, from a clean clone.

Steps: host packages and third-party deps (`./xenith setup`), configure and
build `build/` (host unit tests + the guest images through ExternalProject),
then ctest over every label: `unit` (cmocka, ASan+UBSan, fakes instead of
Xen) and `sandbox` (real images on the real hypervisor in QEMU; the first
run builds the sandbox into the cache).  Extra arguments go to ctest, e.g.
`./xenith test -L unit` or `./xenith test -R hello`.

Design choice: a run that proves nothing on Xen must not look like one
that does.  The CMake option XENITH_SANDBOX_TESTS is set on every run
from the environment variable of the same name (default ON), so a build/
once configured OFF does not stay OFF.  After ctest the number of sandbox
tests that were selected is counted: with none, a banner goes to stderr
and a summary line says so; and when the user did not narrow the run
(no ctest arguments, no XENITH_SANDBOX_TESTS=0) that is a failure (exit
status 4), because it means the suite lost its sandbox half.
"""
import os
import re
import subprocess
import sys
import time

from .common import Fatal, ensure_packages, info, step
from . import build

# What the integration tests themselves run on the host (curl through
# --forward, pgrep to check that no QEMU is left behind, pkg-config for
# the out-of-tree example, virt-xml-validate for the libvirt XML).
TEST_HOST_PACKAGES = ["curl", "procps", "pkg-config", "libvirt-clients"]

NO_SANDBOX_STATUS = 4


def _sandbox_wanted():
    v = os.environ.get("XENITH_SANDBOX_TESTS", "1").strip().lower()
    return v not in ("0", "off", "no", "false")


def _pvh_all():
    """XENITH_PVH_TESTS=all: every PVH variant of the app tests, not only
    the CI set (test/integration/CMakeLists.txt, XENITH_PVH_CI)."""
    v = os.environ.get("XENITH_PVH_TESTS", "ci").strip().lower()
    if v not in ("ci", "all"):
        raise Fatal(f"XENITH_PVH_TESTS={v}: ci (the default) or all")
    return v == "all"


def count_sandbox_tests(bdir, argv):
    """How many `sandbox`-labelled tests the ctest selection `argv` runs
    (repeated -L options are and-ed by ctest)."""
    p = subprocess.run(["ctest", "--test-dir", bdir, "-N"] + list(argv)
                       + ["-L", "sandbox"], capture_output=True, text=True)
    m = re.search(r"Total Tests:\s*(\d+)", p.stdout)
    return int(m.group(1)) if m else 0


def _jobs(argv):
    """ctest -j from XENITH_TEST_JOBS (default 1, one test after another:
    with 3, the whole suite with every PVH variant took 1653 s, but a
    kvstore PVH guest triple-faulted under the load, an open bug:
    docs/sandbox.md), unless the ctest arguments already say -j/--parallel."""
    if any(a.startswith(("-j", "--parallel")) for a in argv):
        return []
    v = os.environ.get("XENITH_TEST_JOBS", "1").strip()
    if not v.isdigit() or int(v) < 1:
        raise Fatal(f"XENITH_TEST_JOBS={v}: a number of tests, 1 or more")
    return ["-j", v]


def count_pvh_tests(bdir, argv):
    """How many PVH variants (sandbox.NAME_pvh) the selection runs, by
    name: ctest's total would count the sandbox.start/stop fixtures."""
    p = subprocess.run(["ctest", "--test-dir", bdir, "-N"] + list(argv),
                       capture_output=True, text=True)
    return len(re.findall(r"Test\s+#\d+: sandbox\.\w+_pvh$", p.stdout,
                          re.M))


def banner(lines):
    bar = "!" * 72
    print("\n".join([bar] + [f"!!  {ln}" for ln in lines] + [bar]),
          file=sys.stderr, flush=True)


def cmd(argv):
    if argv[:1] in (["-h"], ["--help"]):
        print("usage: ./xenith test [CTEST ARGS...]\n\n"
              "Set up, build everything and run ctest over every label: unit "
              "(host cmocka,\nASan+UBSan), install (cmake --install staged "
              "with DESTDIR and moved, the\nout-of-tree example, xenith new, "
              "libvirt XML), fuzz (libFuzzer smoke) and\nsandbox (real Xen "
              "in QEMU). Arguments go to ctest: ./xenith test -L unit,\n"
              "./xenith test -R hello. Exit 4 when no sandbox test ran "
              "although none was\ndeselected. XENITH_SANDBOX_TESTS=0 leaves "
              "the sandbox tests out (a banner says so).\n"
              "XENITH_PVH_TESTS=all runs every PVH variant of the app tests, "
              "not only the\nCI set (each PVH path once). XENITH_TEST_JOBS=N "
              "runs N tests side by side\n(default 1: one after another).")
        return 0
    t0 = time.monotonic()
    wanted = _sandbox_wanted()
    ensure_packages(TEST_HOST_PACKAGES, why="integration tests")
    bdir = build.configure_and_build(
        defs={"XENITH_SANDBOX_TESTS": "ON" if wanted else "OFF",
              "XENITH_PVH_ALL": "ON" if _pvh_all() else "OFF"})
    nsandbox = count_sandbox_tests(bdir, argv)
    if nsandbox:
        npvh = count_pvh_tests(bdir, argv)
        info(f"PVH variants selected: {npvh}" +
             ("" if _pvh_all() else " (the CI set; XENITH_PVH_TESTS=all "
              "for every one)"))
    jobs = _jobs(argv)
    args = ["ctest", "--test-dir", bdir, "--output-on-failure",
            "--no-tests=error", "--timeout", "1800"] + jobs + list(argv)
    if jobs != ["-j", "1"] and jobs:
        info(f"ctest runs {jobs[1]} tests side by side (XENITH_TEST_JOBS; "
             "sandbox tests share one sandbox, test/integration/"
             "CMakeLists.txt says which hold a lock or run alone)")
    with step("ctest " + " ".join(argv)):
        rc = subprocess.run(args).returncode
    info(f"./xenith test finished in {time.monotonic() - t0:.0f} s "
         f"(ctest status {rc})")
    if nsandbox == 0:
        why = ("XENITH_SANDBOX_TESTS=0 in the environment" if not wanted
               else f"the ctest selection {' '.join(argv)!r} has none"
               if argv else "no sandbox test is registered in build/")
        banner(["NO SANDBOX TEST RAN: nothing was booted on Xen.",
                f"Reason: {why}.",
                "Only host unit tests ran; this run proves nothing about",
                "the images on the real hypervisor."])
    info(f"summary: sandbox tests selected: {nsandbox}"
         + (" (NONE: not proven on Xen)" if nsandbox == 0 else ""))
    if rc != 0:
        raise Fatal("tests failed (see the ctest output above; logs in "
                    f"{os.path.join(bdir, 'Testing', 'Temporary')})", code=rc)
    if nsandbox == 0 and wanted and not argv:
        raise Fatal("no sandbox test ran although none was deselected",
                    code=NO_SANDBOX_STATUS)
    return 0
