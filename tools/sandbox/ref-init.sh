#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# PID 1 of the reference Linux PV domU (busybox only).
#
# Kernel command line words it understands:
#   ip=A.B.C.D/N gw=A.B.C.D   static address (default: DHCP via udhcpc)
#   xenith.ref.diskwrite      write 4 MiB of random data to /dev/xvda and
#                             print its sha256 as "XENITH-REF-DISK <sha>"
#   xenith.ref.bench=blk      run fio on /dev/xvda (sequential 1 MiB at
#                             depth 8, random 4 KiB at depth 32, a 64 KiB
#                             random read/write mix at depth 8; direct
#                             I/O, libaio, 10 s each) and print each terse
#                             result as "XENITH-REF-FIO <job> <terse>"
#   xenith.ref.poweroff       power off after the READY line
# It starts nginx on :80 (/var/www: index.html and httpd's /1k, /64k;
# busybox httpd if nginx fails) and iperf3 -s, prints
# "XENITH-REF-READY ip=<addr>", then waits for the toolstack.
/bin/busybox mkdir -p /proc /sys /dev /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t tmpfs tmpfs /tmp

say() { echo "$*" > /dev/hvc0 2>/dev/null || echo "$*"; }
arg() { for w in $(cat /proc/cmdline); do case "$w" in "$1="*) echo "${w#*=}"; return ;; esac; done; }
flag() { for w in $(cat /proc/cmdline); do [ "$w" = "$1" ] && return 0; done; return 1; }

# nginx (Debian's nginx-light binary) as the reference HTTP server: one
# worker, sendfile, keep-alive, no logs, /var/www; busybox httpd (which
# forks per request) only if nginx does not start.
start_httpd() {
    mkdir -p /var/log/nginx /var/lib/nginx /run /etc/nginx
    # `user root` needs root in the passwd and group files
    [ -s /etc/passwd ] || echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd
    [ -s /etc/group ] || echo 'root:x:0:' > /etc/group
    cat > /etc/nginx/xenith.conf <<'EOC'
user root;
worker_processes 1;
error_log /dev/null;
pid /run/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    default_type text/plain;
    server {
        listen 80 backlog=4096;
        root /var/www;
    }
}
EOC
    if nginx -c /etc/nginx/xenith.conf >/dev/null 2>&1; then
        say "XENITH-REF-HTTPD nginx"
    else
        httpd -p 80 -h /var/www
        say "XENITH-REF-HTTPD busybox (nginx did not start)"
    fi
}

modprobe xen-netfront 2>/dev/null
modprobe xen-blkfront 2>/dev/null
ip link set lo up

addr=""
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.5; done
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    static=$(arg ip)
    if [ -n "$static" ]; then
        ip addr add "$static" dev eth0
        gw=$(arg gw); [ -n "$gw" ] && ip route add default via "$gw"
        addr=${static%/*}
    else
        mkdir -p /usr/share/udhcpc
        cat > /usr/share/udhcpc/default.script <<'EOS'
#!/bin/sh
case "$1" in bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}"
    echo "$ip" > /tmp/dhcp-ip ;;
esac
EOS
        chmod +x /usr/share/udhcpc/default.script
        udhcpc -i eth0 -s /usr/share/udhcpc/default.script -t 20 -T 1 -n -q >/dev/null 2>&1
        addr=$(cat /tmp/dhcp-ip 2>/dev/null)
    fi
    start_httpd
    iperf3 -s -D >/dev/null 2>&1
fi

if flag xenith.ref.diskwrite; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/xvda ] && break; sleep 0.5; done
    if [ -b /dev/xvda ]; then
        dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null
        dd if=/tmp/pattern of=/dev/xvda bs=1M conv=fsync 2>/dev/null
        sync
        say "XENITH-REF-DISK $(sha256sum /tmp/pattern | cut -d' ' -f1)"
    else
        say "XENITH-REF-DISK none"
    fi
fi

if [ "$(arg xenith.ref.bench)" = blk ] && [ -b /dev/xvda ]; then
    for spec in "seqread read 1M 8" "seqwrite write 1M 8" \
                "randread randread 4k 32" "randwrite randwrite 4k 32" \
                "randrw64k randrw 64k 8"; do
        set -- $spec
        line=$(fio --name="$1" --filename=/dev/xvda --rw="$2" --bs="$3" \
                   --iodepth="$4" --direct=1 --ioengine=libaio --runtime=10 \
                   --time_based --minimal 2>&1 | tail -1)
        say "XENITH-REF-FIO $1 $line"
    done
fi

say "XENITH-REF-READY ip=${addr:-none}"
if flag xenith.ref.poweroff; then
    sync
    poweroff -f
fi
while true; do sleep 3600; done
