# SPDX-License-Identifier: MIT
"""Subcommand dispatch for `./xenith`.

Each subcommand is a module in this package exposing `cmd(argv) -> int`.
Modules are imported lazily so that a broken or slow module never affects
the others.
"""
import importlib
import os
import sys

from .common import INSTALLED, PREFIX, Fatal, err

COMMANDS = {
    "setup": ("deps", "install host packages and build third-party deps"),
    "build": ("build", "build an app image: ./xenith build apps/hello, or "
              "an out-of-tree app: xenith build [DIR]"),
    "new": ("new", "scaffold an out-of-tree app: xenith new NAME "
            "[--template hello|httpd|kvstore]"),
    "config": ("config", "write an xl config or libvirt XML for an image: "
               "xenith config IMAGE --format xl|libvirt"),
    "sandbox": ("sandbox", "build|start|stop|status|shell|exec -- CMD"),
    "run": ("run", "boot an image on Xen and stream its console: xenith "
            "run IMAGE|APP [options]"),
    "soak": ("soak", "wrk + iperf3 + kvstore for N minutes: no leak, no error"),
    "migrate": ("migrate", "live-migrate a running guest to this host"),
    "debug": ("debug", "boot an image paused under gdb, or attach gdb to a "
              "domain: xenith debug IMAGE|APP [--attach NAME] [-x SCRIPT]"),
    "test": ("testcmd", "build everything and run all tests (ctest)"),
    "fuzz": ("fuzz", "long libFuzzer runs: ./xenith fuzz [TARGET...] "
             "[--runs N | --minutes M]"),
    "bench": ("bench", "run benchmarks, record docs/benchmarks.md"),
}


# Commands that need the source tree (its tests, docs, benchmark guests):
# an installed copy says so instead of failing half-way.
REPO_ONLY = {"test", "fuzz", "bench", "soak"}


def usage():
    print("usage: xenith COMMAND [ARGS...]   (COMMAND --help for its "
          "options)\n\ncommands:")
    for name, (_, text) in COMMANDS.items():
        if INSTALLED and name in REPO_ONLY:
            continue
        print(f"  {name:<9} {text}")
    if INSTALLED:
        print(f"\ninstalled in {PREFIX}")


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        usage()
        return 0
    name = argv[0]
    if name not in COMMANDS:
        err(f"unknown command '{name}'")
        usage()
        return 2
    if INSTALLED and name in REPO_ONLY:
        err(f"`xenith {name}` runs from the source repository (it needs its "
            f"tests and tools); this copy is installed in {PREFIX}: use "
            f"./xenith {name} in a clone")
        return 2
    module = importlib.import_module("." + COMMANDS[name][0], __package__)
    try:
        return module.cmd(argv[1:])
    except Fatal as e:
        err(str(e))
        return e.code
    except BrokenPipeError:
        # A reader such as `| head` went away: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        err("interrupted")
        return 130
