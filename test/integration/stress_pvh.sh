#!/bin/bash
# SPDX-License-Identifier: MIT
# test/integration/stress_pvh.sh - reproduce the PVH triple fault under
# load (docs/sandbox.md, "What is known of that triple fault"). Not in
# CI: it runs until a guest dies or ROUNDS rounds pass.
#
# Each round runs four PVH tests side by side (httpd under wrk, blkbench
# verify, iperf3, kvstore durability) in the sandbox XENITH_SANDBOX
# names (start it first: ./xenith sandbox start), then prints how many
# triple faults Xen has logged since the sandbox booted. A failed test
# keeps its log in $OUT (default /tmp/xenith-stress); its autopsy shows
# the console and Xen's dump of the vCPU.
set -u
cd "$(dirname "$0")/../.."
export XENITH_SANDBOX="${XENITH_SANDBOX:-dev}"
OUT="${OUT:-/tmp/xenith-stress}"
mkdir -p "$OUT"
for i in $(seq 1 "${ROUNDS:-20}"); do
    pids=()
    for t in net_httpd_curl_wrk_pvh blk_verify_pvh net_iperf3_pvh \
             kvstore_durability_pvh; do
        python3 test/integration/xntest.py "$t" > "$OUT/$t.$i.log" 2>&1 &
        pids+=("$!:$t")
    done
    bad=0
    for p in "${pids[@]}"; do
        wait "${p%%:*}" || { echo "round $i: ${p#*:} failed ($OUT/${p#*:}.$i.log)"; bad=1; }
    done
    n=$(./xenith sandbox exec -- 'xl dmesg | grep -c "Triple fault"' 2>/dev/null | tail -1)
    echo "round $i done $(date +%T): triple faults logged by Xen so far: ${n:-?}"
    [ "$bad" = 0 ] || exit 1
done
