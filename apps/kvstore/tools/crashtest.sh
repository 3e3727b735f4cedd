#!/bin/sh
# SPDX-License-Identifier: MIT
# apps/kvstore/tools/crashtest.sh - crash consistency of apps/kvstore on
# real Xen: a fresh 64 MiB disk in dom0, a kvstore guest, N pipelined puts
# from dom0 (kvload.py), `xl destroy` right after the K-th acknowledged
# put (K = N: after the last one), a new guest on the same disk, and a
# check that every acknowledged key holds its value.
# Usage: apps/kvstore/tools/crashtest.sh [IMAGE_OR_APP] [N] [K] [CONNS]
set -eu
cd "$(dirname "$0")/../../.."
IMG=${1:-apps/kvstore}
N=${2:-10000}
K=${3:-$N}
CONNS=${4:-4}
DISK=/var/lib/xenith/disks/kv-crashtest.img

boot() { # boot IP -> prints the domain name
    for try in 1 2 3; do
        if out=$(./xenith run "$IMG" --net --disk "dom0:$DISK" \
                 --cmdline "ip=$1/24 gw=10.0.0.1" --detach \
                 --ready 'kvstore: listening' 2>&1); then
            echo "$out" | grep '^kvstore:' >&2
            echo "$out" | tail -1
            return 0
        fi
        echo "$out" | tail -3 >&2
        sleep 10 # xl's block hotplug may still hold the last guest's disk
    done
    return 1
}

./xenith sandbox exec -- "mkdir -p /var/lib/xenith/disks && rm -f $DISK &&
    truncate -s 64M $DISK"
./xenith sandbox exec -- "$(printf 'cat > /tmp/kvload.py <<"PYEOF"\n%s\nPYEOF' \
    "$(cat apps/kvstore/tools/kvload.py)")"
DOM=$(boot 10.0.0.54)
ARGS="-n $N --conns $CONNS --host 10.0.0.54 --destroy $DOM \
      --state /tmp/kv-crashtest.json"
if [ "$K" -lt "$N" ]; then ARGS="$ARGS --destroy-at $K"; fi
./xenith sandbox exec -- "python3 /tmp/kvload.py put $ARGS"
sleep 5
DOM=$(boot 10.0.0.55)
rc=0
./xenith sandbox exec -- "python3 /tmp/kvload.py verify --host 10.0.0.55 \
    --state /tmp/kv-crashtest.json" || rc=$?
./xenith sandbox exec -- "xl destroy $DOM; rm -f $DISK"
exit $rc
