# SPDX-License-Identifier: MIT
"""Subcommand dispatch for `./xenith`.

Each subcommand is a module in this package exposing `cmd(argv) -> int`.
Modules are imported lazily so that a broken or slow module never affects
the others.
"""
import importlib
import os
import sys

from .common import Fatal, err

COMMANDS = {
    "setup": ("deps", "install host packages and build third-party deps"),
    "build": ("build", "build an app image: ./xenith build apps/hello"),
    "sandbox": ("sandbox", "build|start|stop|status|shell|exec -- CMD"),
    "run": ("run", "boot an image on Xen: ./xenith run apps/hello"),
    "soak": ("soak", "wrk + iperf3 + kvstore for N minutes: no leak, no error"),
    "migrate": ("migrate", "live-migrate a running guest to this host"),
    "test": ("testcmd", "build everything and run all tests (ctest)"),
    "fuzz": ("fuzz", "long libFuzzer runs: ./xenith fuzz [TARGET...] "
             "[--runs N | --minutes M]"),
    "bench": ("bench", "run benchmarks, record docs/benchmarks.md"),
}


def usage():
    print("usage: ./xenith COMMAND [ARGS...]\n\ncommands:")
    for name, (_, text) in COMMANDS.items():
        print(f"  {name:<9} {text}")


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        usage()
        return 0
    name = argv[0]
    if name not in COMMANDS:
        err(f"unknown command '{name}'")
        usage()
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
