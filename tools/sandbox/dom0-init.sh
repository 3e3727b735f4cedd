#!/bin/bash
# SPDX-License-Identifier: MIT
# PID 1 of the sandbox's dom0 (no systemd): what Debian's init.d/xen does,
# plus the sandbox plumbing.
#
# Order: kernel filesystems -> Xen modules -> xenfs -> xenstored ->
# xen-init-dom0 -> xenconsoled -> network (QEMU user NIC for the host
# channel; bridge xenbr0 + dnsmasq for guests) -> 9p share -> command
# agent.  The last line on the console, XENITH-DOM0-READY, is only a
# courtesy: the host decides readiness by a round trip through the agent.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
log() { echo "xenith-dom0: $*" > /dev/console; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /run /tmp /var/log/xen/console /share \
    /var/lib/xenith /var/run/xen /var/lib/xen /root
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/lock /run/xen      # /var/lock -> /run/lock: xl's lock file
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
# Guest disks and save files live on their own tmpfs: the root tmpfs is
# capped at half of dom0's RAM (sandbox.md trap 9).
mount -t tmpfs -o size=1200M tmpfs /var/lib/xenith
# Xen's locking.sh stats /dev/stdin; udev would make these (trap 3).
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname xenith-dom0

kargs=$(cat /proc/cmdline)
opt() { local v; for w in $kargs; do case "$w" in "$1="*) v=${w#*=} ;; esac; done; echo "$v"; }

modprobe -a xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd \
    xen-blkback xen-netback bridge loop tun 9p 9pnet_virtio virtio_pci \
    virtio_net e1000 || log "modprobe reported an error"
mount -t xenfs xenfs /proc/xen || log "cannot mount xenfs"

export XENSTORED_ROOTDIR=/run/xenstored
mkdir -p "$XENSTORED_ROOTDIR"
xsd=/usr/lib/xen-4.17/bin/xenstored
[ -x "$xsd" ] || xsd=$(ls /usr/lib/xen-*/bin/*xenstored 2>/dev/null | head -1)
"$xsd" --pid-file /run/xenstored.pid
for _ in $(seq 1 200); do
    xenstore-read -s / >/dev/null 2>&1 && break
    sleep 0.1
done
xenstore-read -s / >/dev/null 2>&1 || log "xenstored did not come up"
/usr/lib/xen-4.17/bin/xen-init-dom0 || log "xen-init-dom0 failed"
/usr/lib/xen-4.17/bin/xenconsoled --log=guest \
    --log-dir=/var/log/xen/console --pid-file=/run/xenconsoled.pid

# Host channel: the QEMU user-mode NIC (the first non-loopback link).
ip link set lo up
nic=""
for d in /sys/class/net/*; do
    n=${d##*/}
    case "$n" in lo|xenbr*|vif*|tap*) continue ;; esac
    nic=$n; break
done
if [ -n "$nic" ]; then
    ip link set "$nic" up
    ip addr add 10.0.2.15/24 dev "$nic"
    ip route add default via 10.0.2.2
else
    log "no network interface for the host channel"
fi

# Guest network: bridge xenbr0 with dom0 at 10.0.0.1; dnsmasq gives guests
# 10.0.0.100-199 by DHCP; static addresses below .100 are free to use.
ip link add xenbr0 type bridge
ip link set xenbr0 type bridge forward_delay 0 stp_state 0
ip addr add 10.0.0.1/24 dev xenbr0
ip link set xenbr0 up
echo 1 > /proc/sys/net/ipv4/ip_forward
dnsmasq --interface=xenbr0 --bind-interfaces --except-interface=lo \
    --dhcp-range=10.0.0.100,10.0.0.199,1h --dhcp-leasefile=/run/dnsmasq.leases \
    --pid-file=/run/dnsmasq.pid --user=root --port=0 --log-facility=/var/log/dnsmasq.log \
    || log "dnsmasq failed"

# Host <-> dom0 files: a 9p share of the host's sandbox state folder.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none \
    xenith /share 2>/dev/null || log "9p share not available"

port=$(opt xenith.agent_port); port=${port:-7000}
socat TCP-LISTEN:"$port",reuseaddr,fork EXEC:/usr/local/sbin/xenith-agent &
# Interactive shell for `./xenith sandbox shell` (a pty, for humans only).
socat TCP-LISTEN:7001,reuseaddr,fork \
    EXEC:"/bin/bash -li",pty,stderr,setsid,sigint,sane &
log "XENITH-DOM0-READY"

# PID 1 reaps orphans for ever.
trap '' TERM INT
while true; do wait; sleep 1; done
