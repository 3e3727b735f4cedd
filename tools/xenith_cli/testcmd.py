# SPDX-License-Identifier: MIT
"""`./xenith test [CTEST ARGS...]`: everything, from a clean clone.

Steps: host packages and third-party deps (`./xenith setup`), configure and
build `build/` (host unit tests + the guest images through ExternalProject),
then ctest over every label: `unit` (cmocka, ASan+UBSan, fakes instead of
Xen) and `sandbox` (real images on the real hypervisor in QEMU; the first
run builds the sandbox into the cache).  Extra arguments go to ctest, e.g.
`./xenith test -L unit` or `./xenith test -R hello`.
"""
import os
import subprocess
import time

from .common import Fatal, ensure_packages, info, step
from . import build

# What the integration tests themselves run on the host (curl through
# --forward, pgrep to check that no QEMU is left behind).
TEST_HOST_PACKAGES = ["curl", "procps"]


def cmd(argv):
    t0 = time.monotonic()
    ensure_packages(TEST_HOST_PACKAGES, why="integration tests")
    bdir = build.configure_and_build()
    args = ["ctest", "--test-dir", bdir, "--output-on-failure",
            "--no-tests=error", "--timeout", "1800"] + list(argv)
    with step("ctest " + " ".join(argv)):
        rc = subprocess.run(args).returncode
    info(f"./xenith test finished in {time.monotonic() - t0:.0f} s "
         f"(ctest status {rc})")
    if rc != 0:
        raise Fatal("tests failed (see the ctest output above; logs in "
                    f"{os.path.join(bdir, 'Testing', 'Temporary')})", code=rc)
    return 0
