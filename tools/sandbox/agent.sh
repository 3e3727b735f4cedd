#!/bin/bash
# SPDX-License-Identifier: MIT
# xenith dom0 command agent: one connection = one command.
#
# socat runs this script with the TCP connection as stdin and stdout.
# Protocol (written by tools/xenith_cli/sandbox.py):
#   request:  one line "NONCE CMDLEN INLEN", then CMDLEN bytes of bash
#             script, then INLEN bytes given to the script as its stdin
#   response: the script's output (stdout and stderr merged, streamed),
#             then "\nXENITH-RC-NONCE STATUS\n"
# No terminal and no prompt scraping: the exit status travels as data.
read -r nonce cmdlen inlen || exit 1
case "$nonce$cmdlen$inlen" in *[!0-9a-f]*) exit 1 ;; esac
cmd=$(head -c "$cmdlen")
cd /root 2>/dev/null || cd /
if [ "$inlen" -gt 0 ]; then
    head -c "$inlen" | bash -c "$cmd" 2>&1
    rc=${PIPESTATUS[1]}
else
    bash -c "$cmd" </dev/null 2>&1
    rc=$?
fi
printf '\nXENITH-RC-%s %d\n' "$nonce" "$rc"
