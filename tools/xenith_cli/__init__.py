# SPDX-License-Identifier: MIT
"""The `./xenith` command-line tool (standard library only)."""
