// SPDX-License-Identifier: MIT
/*
 * test/unit/net/test_xnif_tx.c - lib/net/xnif.c's transmit path against a
 * backend that stopped consuming (issue 11, finding 2): lwIP's output and
 * the core-unlock flush run under the core lock, so they must never wait
 * for the backend. They queue in order, refuse and count once the
 * backlog is full, and the interface's thread sends the backlog, oldest
 * first, when the backend makes room.
 *
 * The real xnif.c (with xnif_txq.c, xnif_gso.c, xnif_csum.c) runs over
 * lwIP's headers; the test plays lwIP's pbufs and netif registry, the
 * scheduler and the device. Any wait from the transmit side fails the
 * test (the old code waited up to 200 ms for ring space there); the
 * receive thread's own wait is where the test stops it (longjmp).
 * Checked that it can fail: a 200 ms wait for ring space put back into
 * xnif_tx() (the old behaviour) fails all three tests.
 * Reference: lib/net/xnif.h, lib/net/xnif_txq.h, xenith/netdev.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/net/xnif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "tcp_frames.h"

/* ---- lwIP, played by the test ---- */

static int pbufs_live;

struct pbuf *pbuf_alloc(pbuf_layer l, u16_t length, pbuf_type type)
{
    struct pbuf *p = calloc(1, sizeof(*p) + length);

    (void)l;
    (void)type;
    if (!p)
        return NULL;
    p->payload = p + 1;
    p->len = p->tot_len = length;
    p->ref = 1;
    pbufs_live++;
    return p;
}

void pbuf_ref(struct pbuf *p)
{
    p->ref++;
}

u8_t pbuf_free(struct pbuf *p)
{
    assert_true(p->ref > 0);
    if (--p->ref)
        return 0;
    assert_null(p->next); /* the test sends single pbufs */
    free(p);
    pbufs_live--;
    return 1;
}

u16_t pbuf_copy_partial(const struct pbuf *p, void *out, u16_t len,
                        u16_t off)
{
    u16_t n = off >= p->len ? 0 : (u16_t)(p->len - off);

    n = n < len ? n : len;
    memcpy(out, (const uint8_t *)p->payload + off, n);
    return n;
}

err_t pbuf_take_at(struct pbuf *p, const void *data, u16_t len, u16_t off)
{
    if ((size_t)off + len > p->len)
        return ERR_MEM;
    memcpy((uint8_t *)p->payload + off, data, len);
    return ERR_OK;
}

struct netif *netif_add(struct netif *netif, const ip4_addr_t *ip,
                        const ip4_addr_t *mask, const ip4_addr_t *gw,
                        void *state, netif_init_fn init, netif_input_fn input)
{
    (void)ip;
    (void)mask;
    (void)gw;
    netif->state = state;
    netif->input = input;
    return init(netif) == ERR_OK ? netif : NULL;
}

void netif_create_ip6_linklocal_address(struct netif *n, u8_t from_mac)
{
    (void)n;
    (void)from_mac;
}

void netif_set_up(struct netif *n)
{
    (void)n;
}

void netif_set_link_up(struct netif *n)
{
    (void)n;
}

void netif_set_link_down(struct netif *n)
{
    (void)n;
}

err_t ethernet_input(struct pbuf *p, struct netif *n)
{
    (void)n;
    pbuf_free(p);
    return ERR_OK;
}

err_t etharp_output(struct netif *n, struct pbuf *p, const ip4_addr_t *a)
{
    (void)n;
    (void)p;
    (void)a;
    return ERR_OK;
}

err_t ethip6_output(struct netif *n, struct pbuf *p, const ip6_addr_t *a)
{
    (void)n;
    (void)p;
    (void)a;
    return ERR_OK;
}

err_t tcpip_callback(tcpip_callback_fn fn, void *ctx)
{
    (void)fn;
    (void)ctx;
    return ERR_OK;
}

err_t tcpip_try_callback(tcpip_callback_fn fn, void *ctx)
{
    (void)fn;
    (void)ctx;
    return ERR_OK;
}

sys_mutex_t lock_tcpip_core;
static int core_locked;

void sys_mutex_lock(sys_mutex_t *m)
{
    (void)m;
    assert_int_equal(core_locked, 0);
    core_locked = 1;
}

void sys_mutex_unlock(sys_mutex_t *m)
{
    (void)m;
    assert_int_equal(core_locked, 1);
    core_locked = 0;
}

/* ---- the scheduler: transmit never waits ---- */

static void (*rx_fn)(void *);
static void *rx_arg;
static bool in_rx_thread;
static unsigned int rx_waits;
static jmp_buf rx_stop;

struct sched_thread *sched_thread_create(const char *name,
                                         void (*fn)(void *), void *arg,
                                         size_t stack)
{
    (void)name;
    (void)stack;
    rx_fn = fn;
    rx_arg = arg;
    return (struct sched_thread *)&rx_fn;
}

void sched_waitq_init(struct sched_waitq *wq)
{
    memset(wq, 0, sizeof(*wq));
}

void sched_wake_all(struct sched_waitq *wq)
{
    (void)wq;
}

int sched_yield(void)
{
    return 0;
}

uint64_t sched_deadline_after(uint64_t ns)
{
    return ns;
}

int sched_wait_locked(struct sched_waitq *wq, uint64_t deadline_ns)
{
    (void)wq;
    (void)deadline_ns;
    if (!in_rx_thread || core_locked)
        fail_msg("xnif waited for the backend %s",
                 core_locked ? "with the core lock held" : "from transmit");
    if (rx_waits++)
        longjmp(rx_stop, 1); /* one pass of the thread's loop is enough */
    return 0;
}

unsigned long evtchn_irq_save(void)
{
    return 0;
}

void evtchn_irq_restore(unsigned long flags)
{
    (void)flags;
}

/* Run one pass of the interface's receive thread (woken by a kick). */
static void run_rx_thread_once(void)
{
    assert_non_null(rx_fn);
    rx_waits = 0;
    in_rx_thread = true;
    if (setjmp(rx_stop) == 0)
        rx_fn(rx_arg);
    in_rx_thread = false;
    assert_int_equal(core_locked, 0);
}

/* ---- the device: a backend that may stop consuming ---- */

#define SENT_MAX 1024

struct fake_dev {
    struct xn_netdev dev;
    bool stalled;
    unsigned int tx_calls, polls;
    unsigned int nsent;
    uint32_t sent_seq[SENT_MAX]; /* TCP seq of each frame sent */
    uint16_t sent_gso[SENT_MAX];
};

static struct fake_dev fd;

static uint32_t frame_seq(const struct xn_pkt *pkt)
{
    uint8_t hdr[HDR];
    size_t got = 0;

    for (unsigned int i = 0; i < pkt->nr_frags && got < HDR; i++) {
        size_t n = pkt->frags[i].len < HDR - got ? pkt->frags[i].len
                                                 : HDR - got;

        memcpy(hdr + got, pkt->frags[i].data, n);
        got += n;
    }
    assert_int_equal(got, HDR);
    return (uint32_t)hdr[38] << 24 | (uint32_t)hdr[39] << 16 |
           (uint32_t)hdr[40] << 8 | hdr[41];
}

static int fd_tx(struct xn_netdev *dev, const struct xn_pkt *pkt)
{
    (void)dev;
    fd.tx_calls++;
    if (fd.stalled)
        return -EAGAIN;
    assert_true(fd.nsent < SENT_MAX);
    fd.sent_gso[fd.nsent] = pkt->gso_size;
    fd.sent_seq[fd.nsent++] = frame_seq(pkt);
    return 0;
}

static int fd_poll(struct xn_netdev *dev, unsigned int budget)
{
    (void)dev;
    (void)budget;
    fd.polls++;
    return 0; /* nothing received, nothing reclaimed while stalled */
}

static const struct xn_netdev_ops fd_ops = {.tx = fd_tx, .poll = fd_poll};

void xn_netdev_set_callbacks(struct xn_netdev *dev,
                             const struct xn_netdev_callbacks *cb)
{
    dev->cb = *cb;
}

/* ---- fixture ---- */

static struct xnif xi;

static int setup(void **state)
{
    (void)state;
    memset(&fd, 0, sizeof(fd));
    memcpy(fd.dev.name, "vif0", 5);
    fd.dev.mtu = 1500;
    fd.dev.ops = &fd_ops;
    rx_fn = NULL;
    core_locked = 0;
    pbufs_live = 0;
    if (xnif_attach(&xi, &fd.dev, 0))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(pbufs_live, 0); /* every reference given back */
    return 0;
}

/* A segment of `payload` bytes at seq, as lwIP hands it to linkoutput. */
static struct pbuf *segment(uint32_t seq, size_t payload)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)(HDR + payload), PBUF_RAM);

    assert_non_null(p);
    make_seg(p->payload, seq, payload, (uint16_t)seq, 0);
    return p;
}

/* lwIP's side of one output: core lock held, its own reference dropped
 * after (it keeps TCP segments on the unacked queue; here, free). */
static err_t output(uint32_t seq, size_t payload)
{
    struct pbuf *p = segment(seq, payload);
    err_t e;

    LOCK_TCPIP_CORE();
    e = xi.netif.linkoutput(&xi.netif, p);
    UNLOCK_TCPIP_CORE();
    pbuf_free(p);
    return e;
}

/* ---- tests ---- */

/* A stalled backend: every output returns at once (no wait), frames
 * queue up to the backlog's bound, the rest are refused and counted. */
static void stalled_backend_never_blocks_output(void **state)
{
    const unsigned int n = XNIF_TXQ_MAX + 44;

    (void)state;
    fd.stalled = true;
    for (unsigned int i = 0; i < n; i++)
        assert_int_equal(output(i * 1000, 1000), ERR_OK);
    assert_int_equal(fd.nsent, 0);
    assert_int_equal(xi.txq.len, XNIF_TXQ_MAX);
    assert_int_equal(xi.tx_drops, n - XNIF_TXQ_MAX);
    assert_int_equal(xi.txq.refused, n - XNIF_TXQ_MAX);
    /* Bounded work per output while stalled: a try, a reap, a retry. */
    assert_true(fd.tx_calls <= 2 * n);

    /* The backend makes room and signals: the interface's thread sends
     * the backlog, oldest first, outside any lwIP call. */
    fd.stalled = false;
    xi.kicks++;
    run_rx_thread_once();
    assert_int_equal(fd.nsent, XNIF_TXQ_MAX);
    for (unsigned int i = 0; i < XNIF_TXQ_MAX; i++)
        assert_int_equal(fd.sent_seq[i], i * 1000);
    assert_true(xnif_txq_empty(&xi.txq));
}

/* Frames that wait go first: a new output after the backend came back
 * (before the thread ran) sends the backlog, then itself. */
static void backlog_keeps_wire_order(void **state)
{
    (void)state;
    fd.stalled = true;
    for (unsigned int i = 0; i < 5; i++)
        assert_int_equal(output(i * 1000, 1000), ERR_OK);
    assert_int_equal(xi.txq.len, 5);
    fd.stalled = false;
    assert_int_equal(output(5000, 1000), ERR_OK);
    assert_int_equal(fd.nsent, 6);
    for (unsigned int i = 0; i < 6; i++)
        assert_int_equal(fd.sent_seq[i], i * 1000);
    assert_int_equal(xi.tx_drops, 0);
}

/* The core-unlock flush of a TSO merge under a stalled backend: no
 * wait, the segments are queued one by one in order, and leave in that
 * order later. */
static void stalled_flush_of_merge_never_blocks(void **state)
{
    (void)state;
    fd.dev.features = XN_NETDEV_F_TSO4;
    fd.stalled = true;
    LOCK_TCPIP_CORE();
    for (unsigned int i = 0; i < 4; i++) {
        struct pbuf *p = segment(100 + i * 1000, 1000);

        assert_int_equal(xi.netif.linkoutput(&xi.netif, p), ERR_OK);
        pbuf_free(p);
    }
    assert_int_equal(xi.gso.nsegs, 4); /* held back to merge */
    UNLOCK_TCPIP_CORE();               /* flushes: must not wait */
    assert_int_equal(xi.gso.nsegs, 0);
    assert_int_equal(xi.txq.len, 4);
    assert_int_equal(fd.nsent, 0);
    fd.stalled = false;
    xi.kicks++;
    run_rx_thread_once();
    assert_int_equal(fd.nsent, 4);
    for (unsigned int i = 0; i < 4; i++)
        assert_int_equal(fd.sent_seq[i], 100 + i * 1000);
    /* With room, the next burst leaves as one GSO packet. */
    LOCK_TCPIP_CORE();
    for (unsigned int i = 0; i < 3; i++) {
        struct pbuf *p = segment(4100 + i * 1000, 1000);

        assert_int_equal(xi.netif.linkoutput(&xi.netif, p), ERR_OK);
        pbuf_free(p);
    }
    UNLOCK_TCPIP_CORE();
    assert_int_equal(fd.nsent, 5);
    assert_int_equal(fd.sent_seq[4], 4100);
    assert_int_equal(fd.sent_gso[4], 1000);
    assert_int_equal(xi.tx_gso_pkts, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stalled_backend_never_blocks_output,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(backlog_keeps_wire_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stalled_flush_of_merge_never_blocks,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
