// SPDX-License-Identifier: MIT
/*
 * apps/netprobe/main.c - raw network device check, without any TCP/IP
 * stack: proves netfront's handshake, TX, RX and link tracking on Xen.
 *
 * Waits for device 0, prints what was negotiated (MAC, MTU, features,
 * queues, link), sends ARP requests for the gateway (10.0.0.1 from
 * ip=A.B.C.D, default 10.0.0.30) straight through xn_netdev_tx() and
 * prints every frame xn_netdev_poll() delivers; the ARP reply is the
 * proof that RX works. Design choice: the kick callback (event context)
 * only bumps a counter; the main thread polls, sleeping 10 ms when idle,
 * which keeps the app free of kernel wait-queue internals. It answers
 * ARP and ICMP echo for its address (from inside the rx callback), so
 * dom0's ping can load the rings. Modes:
 * default (exit 0 once the gateway answered, 1 if it never did, 2 without
 * a device) and `loop` (never exits: re-ARPs on every link up and prints
 * link changes, for xl network-detach / network-attach).
 * Reference: RFC 826 (ARP), IEEE 802.3 (Ethernet II framing).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenith.h>
#include <xenith/netdev.h>

#define MS        1000000ULL
#define ETH_P_ARP 0x0806
#define ETH_P_IP  0x0800

struct probe {
    struct xn_netdev *dev;
    uint8_t ip[4], gw[4];
    volatile unsigned int kicks;
    volatile unsigned int link_changes;
    unsigned int rx_frames;
    unsigned int echo_replies, arp_replies;
    bool gw_answered;
};

/* Whole frames up to this size are answered (ARP, ICMP echo). */
#define FRAME_MAX 1600

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void fmt_mac(char *b, const uint8_t *m)
{
    sprintf(b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
            m[5]);
}

static void fmt_ip(char *b, const uint8_t *p)
{
    sprintf(b, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

static int parse_ip(const char *s, uint8_t ip[4])
{
    unsigned int a, b, c, d;

    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 ||
        c > 255 || d > 255)
        return -1;
    ip[0] = (uint8_t)a;
    ip[1] = (uint8_t)b;
    ip[2] = (uint8_t)c;
    ip[3] = (uint8_t)d;
    return 0;
}

/* A broadcast "who has gw? tell ip" (RFC 826), padded to 60 bytes. */
static int send_arp_request(struct probe *p)
{
    uint8_t f[60];
    struct xn_pkt pkt = {.nr_frags = 1};

    memset(f, 0, sizeof(f));
    memset(f, 0xff, 6);
    memcpy(f + 6, p->dev->mac, 6);
    put16(f + 12, ETH_P_ARP);
    put16(f + 14, 1);        /* htype Ethernet */
    put16(f + 16, ETH_P_IP); /* ptype IPv4 */
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, 1); /* request */
    memcpy(f + 22, p->dev->mac, 6);
    memcpy(f + 28, p->ip, 4);
    memcpy(f + 38, p->gw, 4);
    pkt.frags[0].data = f;
    pkt.frags[0].len = sizeof(f);
    return xn_netdev_tx(p->dev, &pkt);
}

/* The Internet checksum (RFC 1071) of len bytes. */
static uint16_t csum(const uint8_t *d, size_t len)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        sum += get16(d + i);
    if (len & 1)
        sum += (uint32_t)d[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/*
 * Answer an ARP request for our address or an ICMP echo request to it,
 * transmitting from inside the rx callback (the device lock is
 * recursive). true if the frame was one of those.
 */
static bool answer(struct probe *p, uint8_t *f, size_t n)
{
    uint16_t type = get16(f + 12);
    struct xn_pkt out = {.nr_frags = 1};
    int rc;

    memcpy(f, f + 6, 6); /* back to the sender */
    if (type == ETH_P_ARP && n >= 42 && get16(f + 20) == 1 &&
        memcmp(f + 38, p->ip, 4) == 0) {
        memcpy(f + 6, p->dev->mac, 6);
        put16(f + 20, 2);
        memcpy(f + 32, f + 22, 10); /* target = the asker */
        memcpy(f + 22, p->dev->mac, 6);
        memcpy(f + 28, p->ip, 4);
        p->arp_replies++;
    } else if (type == ETH_P_IP && n >= 14 + 20 + 8 && (f[14] >> 4) == 4 &&
               f[14 + 9] == 1 && memcmp(f + 14 + 16, p->ip, 4) == 0) {
        size_t ihl = (size_t)(f[14] & 15) * 4;
        size_t tot = get16(f + 14 + 2);
        uint8_t *icmp = f + 14 + ihl;

        if (ihl < 20 || tot < ihl + 8 || 14 + tot > n || icmp[0] != 8)
            return false;
        memcpy(f + 6, p->dev->mac, 6);
        memcpy(f + 14 + 16, f + 14 + 12, 4); /* dst = the pinger */
        memcpy(f + 14 + 12, p->ip, 4);       /* same sum: ip csum holds */
        icmp[0] = 0;                         /* echo reply */
        icmp[2] = icmp[3] = 0;
        put16(icmp + 2, csum(icmp, tot - ihl));
        n = 14 + tot;
        p->echo_replies++;
    } else {
        return false;
    }
    out.frags[0].data = f;
    out.frags[0].len = n;
    rc = xn_netdev_tx(p->dev, &out);
    if (rc < 0)
        printf("netprobe: tx reply failed (%d)\n", rc);
    return true;
}

static void on_rx(struct xn_netdev *dev, const struct xn_rx_pkt *pkt, void *arg)
{
    struct probe *p = arg;
    uint8_t f[64];
    size_t n = 0;
    char src[18], dst[18], a[16], b[18], c[16];

    (void)dev;
    /* Gather the first bytes: enough for Ethernet + ARP. */
    for (unsigned int i = 0; i < pkt->nr_frags && n < sizeof(f); i++) {
        size_t k = pkt->frags[i].len;

        if (k > sizeof(f) - n)
            k = sizeof(f) - n;
        memcpy(f + n, pkt->frags[i].data, k);
        n += k;
    }
    p->rx_frames++;
    if (pkt->len <= FRAME_MAX && pkt->len >= 14) {
        static uint8_t whole[FRAME_MAX];
        size_t w = 0;

        for (unsigned int i = 0; i < pkt->nr_frags; i++) {
            memcpy(whole + w, pkt->frags[i].data, pkt->frags[i].len);
            w += pkt->frags[i].len;
        }
        /* Echo requests are answered quietly: a flood must not print. */
        if (answer(p, whole, w))
            return;
    }
    if (n < 14) {
        printf("netprobe: rx runt of %zu bytes\n", pkt->len);
        return;
    }
    fmt_mac(dst, f);
    fmt_mac(src, f + 6);
    if (get16(f + 12) == ETH_P_ARP && n >= 42) {
        fmt_ip(a, f + 28);
        fmt_mac(b, f + 22);
        fmt_ip(c, f + 38);
        printf("netprobe: rx %zu bytes %s > %s ARP %s %s is-at %s (to %s)\n",
               pkt->len, src, dst, get16(f + 20) == 2 ? "reply" : "request", a,
               b, c);
        if (get16(f + 20) == 2 && memcmp(f + 28, p->gw, 4) == 0 &&
            memcmp(f + 38, p->ip, 4) == 0)
            p->gw_answered = true;
        return;
    }
    printf("netprobe: rx %zu bytes %s > %s type %04x flags %#x frags %u\n",
           pkt->len, src, dst, get16(f + 12), (unsigned int)pkt->flags,
           pkt->nr_frags);
}

static void on_link(struct xn_netdev *dev, bool up, void *arg)
{
    struct probe *p = arg;

    p->link_changes++;
    printf("netprobe: %s link %s\n", dev->name, up ? "up" : "down");
}

static void on_kick(struct xn_netdev *dev, void *arg)
{
    struct probe *p = arg;

    (void)dev;
    p->kicks++; /* event context: nothing else */
}

static void print_device(struct probe *p)
{
    struct xn_netdev *d = p->dev;
    char mac[18];

    fmt_mac(mac, d->mac);
    printf("[xenith] %s: mac %s mtu %u features%s%s%s%s%s%s link %s\n", d->name,
           mac, d->mtu, d->features & XN_NETDEV_F_SG ? " sg" : "",
           d->features & XN_NETDEV_F_TX_CSUM4 ? " tx-csum4" : "",
           d->features & XN_NETDEV_F_TX_CSUM6 ? " tx-csum6" : "",
           d->features & XN_NETDEV_F_TSO4 ? " tso4" : "",
           d->features & XN_NETDEV_F_TSO6 ? " tso6" : "",
           d->features & XN_NETDEV_F_RX_CSUM ? " rx-csum" : "",
           d->link_up ? "up" : "down");
}

/* Poll for up to ms milliseconds or until the gateway answered. */
static int poll_for(struct probe *p, unsigned int ms, bool stop_on_answer)
{
    uint64_t end = xn_time_monotonic_ns() + ms * MS;

    while (xn_time_monotonic_ns() < end) {
        int n = xn_netdev_poll(p->dev, 64);

        if (n < 0) {
            printf("netprobe: poll failed (%d)\n", n);
            return n;
        }
        if (stop_on_answer && p->gw_answered)
            return 0;
        if (n == 0)
            xn_sleep_ns(10 * MS);
    }
    return 0;
}

/* ARP for the gateway up to 5 times, 1 s apart. */
static void arp_gateway(struct probe *p)
{
    char ip[16], gw[16];

    fmt_ip(ip, p->ip);
    fmt_ip(gw, p->gw);
    p->gw_answered = false;
    for (int i = 0; i < 5 && !p->gw_answered; i++) {
        int rc = send_arp_request(p);

        printf("netprobe: tx ARP who-has %s tell %s: %d\n", gw, ip, rc);
        poll_for(p, 1000, true);
    }
}

int main(int argc, char **argv)
{
    static struct probe p = {.ip = {10, 0, 0, 30}, .gw = {10, 0, 0, 1}};
    struct xn_netdev_callbacks cb = {
        .rx = on_rx,
        .link = on_link,
        .kick = on_kick,
        .arg = &p,
    };
    bool loop = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "loop") == 0)
            loop = true;
        else if (strncmp(argv[i], "ip=", 3) == 0 && parse_ip(argv[i] + 3, p.ip))
            printf("netprobe: bad %s\n", argv[i]);
        else if (strncmp(argv[i], "gw=", 3) == 0 && parse_ip(argv[i] + 3, p.gw))
            printf("netprobe: bad %s\n", argv[i]);
    }
    printf("netprobe: %u device(s)\n", xn_netdev_count());
    if (xn_netdev_wait_up(0, 30000 * MS) != 0) {
        printf("netprobe: device 0 did not come up\n");
        return 2;
    }
    p.dev = xn_netdev_get(0);
    xn_netdev_set_callbacks(p.dev, &cb);
    print_device(&p);

    arp_gateway(&p);
    printf("netprobe: gateway %s, %u frames, %u kicks\n",
           p.gw_answered ? "answered" : "silent", p.rx_frames, p.kicks);
    if (!loop)
        return p.gw_answered ? 0 : 1;

    /* loop: follow the link; ARP again after every (re)connection. */
    unsigned int echoes = 0;

    for (bool was_up = p.dev->link_up;;) {
        bool up = p.dev->link_up;

        if (up && !was_up) {
            print_device(&p);
            arp_gateway(&p);
            printf("netprobe: gateway %s after reconnect, %u frames, %u "
                   "kicks\n",
                   p.gw_answered ? "answered" : "silent", p.rx_frames, p.kicks);
        }
        was_up = up;
        if (up)
            poll_for(&p, 500, false);
        if (p.echo_replies != echoes) {
            echoes = p.echo_replies;
            printf("netprobe: %u echo replies, %u ARP replies, %u frames, "
                   "%u kicks\n",
                   echoes, p.arp_replies, p.rx_frames, p.kicks);
        } else
            xn_sleep_ns(100 * MS);
    }
}
