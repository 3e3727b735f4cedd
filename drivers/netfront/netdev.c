// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netdev.c - the network device registry: netfront as
 * a devbus class (drivers/devbus/devbus.h owns enumeration, hot-plug and
 * the lifecycle steps) and include/xenith/netdev.h's registry calls.
 *
 * Design choice: the driver is single-threaded and unaware of the
 * registry; every entry into it (the stack's tx/poll, the device-watch
 * thread's steps) holds the device's recursive devbus mutex, and link
 * changes are told to the stack only after that mutex is released (the
 * class's after_service hook, and the outermost unlock of tx/poll), so
 * the stack's link callback may block or transmit freely. A device
 * keeps its slot (index and struct xn_netdev address) for the domain's
 * life; after the toolstack re-created it (xl network-attach) the
 * driver is reset in place and its ops wrapped again.
 * Reference: xen/include/public/io/xenbus.h, io/netif.h,
 * docs/misc/xenstore-paths (device/vif/N, backend/vif/DOMID/N).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/devbus/devbus.h"
#include "drivers/devbus/devbus_env.h"
#include "drivers/netfront/netfront.h"
#include "kernel/devinit.h"
#include "kernel/kfmt.h"
#include "kernel/memprof.h"
#include "kernel/sched.h"
#include "kernel/stats.h"
#include "xen/evtchn.h"
#include "xen/p2m.h"
#include "xenith/netdev.h"

/* Most network devices one domain registers. */
#define NETDEV_MAX 8

struct netdev_slot {
    struct netfront *nf;
    struct devbus_dev *bus;            /* its lock guards the driver */
    const struct xn_netdev_ops *inner; /* the driver's own ops */
    struct xn_netdev_callbacks user;   /* the stack's callbacks */
    bool reported_up;                  /* what the stack was last told */
    struct stats_source stats;         /* data/xenith/net/vifN */
    char stats_dir[16];
};

static struct netdev_slot slots[NETDEV_MAX];
/* Written only after a slot is complete; slots are never removed. */
static volatile unsigned int nr_slots;
static struct sched_waitq link_wq; /* xn_netdev_wait_up() */
static struct netfront_config nf_cfg;
static bool probed;

static int locked_tx(struct xn_netdev *dev, const struct xn_pkt *pkt);
static int locked_poll(struct xn_netdev *dev, unsigned int budget);

static const struct xn_netdev_ops locked_ops = {
    .tx = locked_tx,
    .poll = locked_poll,
};

/* ---- locking and link reports ---- */

static struct netdev_slot *slot_of(const struct xn_netdev *dev)
{
    for (unsigned int i = 0; i < nr_slots; i++)
        if (&slots[i].nf->dev == dev)
            return &slots[i];
    return NULL;
}

static void format_mac(char *buf, size_t size, const uint8_t *m)
{
    kfmt_snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
                  m[3], m[4], m[5]);
}

/*
 * Tell the console, waiters and the stack about link changes since the
 * last report. Called with the device lock released; the loop covers a
 * change made by the callback itself (e.g. a tx that broke the device).
 */
static void report_link(struct netdev_slot *s)
{
    struct xn_netdev *dev = &s->nf->dev;

    while (dev->link_up != s->reported_up) {
        bool up = dev->link_up;
        char mac[18];

        /* Recorded first: a callback that blocks cannot cause a repeat. */
        s->reported_up = up;
        if (up) {
            format_mac(mac, sizeof(mac), dev->mac);
            kfmt_printf("[xenith] %s: link up (mac %s, mtu %u)\n", dev->name,
                        mac, dev->mtu);
            sched_wake_all(&link_wq);
        } else {
            kfmt_printf("[xenith] %s: link down%s%s\n", dev->name,
                        s->nf->fe.broken ? ": " : "",
                        s->nf->fe.broken ? s->nf->fe.last_error : "");
        }
        if (s->user.link)
            s->user.link(dev, up, s->user.arg);
    }
}

static void slot_lock(struct netdev_slot *s)
{
    devbus_lock(s->bus);
}

static void slot_unlock(struct netdev_slot *s)
{
    bool outermost = s->bus->lock.depth == 1;

    devbus_unlock(s->bus);
    if (outermost)
        report_link(s);
}

static int locked_tx(struct xn_netdev *dev, const struct xn_pkt *pkt)
{
    struct netdev_slot *s = slot_of(dev);
    int rc;

    if (!s)
        return -EINVAL;
    slot_lock(s);
    rc = s->inner->tx(dev, pkt);
    slot_unlock(s);
    return rc;
}

static int locked_poll(struct xn_netdev *dev, unsigned int budget)
{
    struct netdev_slot *s = slot_of(dev);
    int rc;

    if (!s)
        return -EINVAL;
    slot_lock(s);
    rc = s->inner->poll(dev, budget);
    slot_unlock(s);
    return rc;
}

/*
 * Point the driver at the stack's rx/kick (called directly, rx under the
 * lock, kick in event context) but never at its link callback, which
 * report_link() calls after unlocking. Events masked: kick reads cb.
 */
static void install_callbacks(struct netdev_slot *s)
{
    unsigned long flags = evtchn_irq_save();

    s->nf->dev.cb = s->user;
    s->nf->dev.cb.link = NULL;
    evtchn_irq_restore(flags);
}

/* After netfront_init() (create or reprobe): wrap the driver's ops. */
static void wrap_ops(struct netdev_slot *s)
{
    s->inner = &netfront_netdev_ops;
    s->nf->dev.ops = &locked_ops;
    install_callbacks(s);
}

/* ---- the public registry ---- */

unsigned int xn_netdev_count(void)
{
    return nr_slots;
}

struct xn_netdev *xn_netdev_get(unsigned int idx)
{
    return idx < nr_slots ? &slots[idx].nf->dev : NULL;
}

int xn_netdev_wait_up(unsigned int idx, uint64_t timeout_ns)
{
    if (!probed)
        return -ETIMEDOUT; /* no xenstore: no device will ever come */
    return sched_wait_event_timeout(
        &link_wq, idx < nr_slots && slots[idx].nf->dev.link_up, timeout_ns);
}

void xn_netdev_set_callbacks(struct xn_netdev *dev,
                             const struct xn_netdev_callbacks *cb)
{
    struct netdev_slot *s = slot_of(dev);
    static const struct xn_netdev_callbacks none;

    if (!s) {
        /* Not ours (a test device): plain copy, still atomic vs kick. */
        unsigned long flags = evtchn_irq_save();

        dev->cb = cb ? *cb : none;
        evtchn_irq_restore(flags);
        return;
    }
    slot_lock(s);
    s->user = cb ? *cb : none;
    install_callbacks(s);
    /* Changes only from here on: the stack reads dev->link_up itself. */
    s->reported_up = dev->link_up;
    slot_unlock(s);
}

/* ---- data/xenith/net/<dev> (kernel/stats.h) ---- */

static const char *const nd_stat_names[] = {
    "rx-packets", "rx-bytes",  "rx-errors", "tx-packets",
    "tx-bytes",   "tx-errors", "tx-busy",
};

/* The control thread's snapshot: plain loads of counters only the
 * driver writes (one vCPU, no torn 64-bit reads on x86_64). */
static void nd_stats_sample(void *arg, uint64_t *v)
{
    const struct netfront_stats *st = &((struct netdev_slot *)arg)->nf->stats;

    v[0] = st->rx_packets;
    v[1] = st->rx_bytes;
    v[2] = st->rx_errors;
    v[3] = st->tx_packets;
    v[4] = st->tx_bytes;
    v[5] = st->tx_errors;
    v[6] = st->tx_busy;
}

static void nd_stats_register(struct netdev_slot *s, unsigned int devid)
{
    kfmt_snprintf(s->stats_dir, sizeof(s->stats_dir), "net/vif%u", devid);
    s->stats = (struct stats_source){
        .dir = s->stats_dir,
        .names = nd_stat_names,
        .count = sizeof(nd_stat_names) / sizeof(nd_stat_names[0]),
        .sample = nd_stats_sample,
        .arg = s,
    };
    (void)stats_register(&s->stats); /* counters are a convenience */
}

/* ---- the devbus class ---- */

static int nd_create(struct devbus_dev *d, struct xs_conn *xs)
{
    struct netdev_slot *s;
    const struct xenbus_front_env *env;
    int rc;

    if (nr_slots == NETDEV_MAX)
        return -ENOSPC;
    s = &slots[nr_slots];
    memset(s, 0, sizeof(*s));
    env = devbus_env_create(p2m_virt_to_frame);
    s->nf = env ? calloc(1, sizeof(*s->nf)) : NULL;
    if (!s->nf) {
        devbus_env_destroy(env);
        return -ENOMEM;
    }
    rc = netfront_init(s->nf, env, &nf_cfg);
    if (!rc)
        rc = netfront_xs_probe(s->nf, xs, d->devid);
    if (rc < 0) {
        free(s->nf);
        devbus_env_destroy(env);
        return rc;
    }
    s->bus = d;
    d->fe = &s->nf->fe;
    d->priv = s;
    wrap_ops(s);
    nd_stats_register(s, d->devid);
    nr_slots++; /* the slot is complete: publish it */
    return 0;
}

/* The driver was reset in place: its ops are its own again. */
static void nd_reprobed(struct devbus_dev *d)
{
    wrap_ops(d->priv);
}

static void nd_after_service(struct devbus_dev *d)
{
    report_link(d->priv);
}

static const struct devbus_class netdev_bus = {
    .type = "vif",
    .max = NETDEV_MAX,
    .create = nd_create,
    .reprobed = nd_reprobed,
    .after_service = nd_after_service,
};

/* Boot stage "devices" (kernel/devinit.h): linked with this registry. */
static int netdev_devinit(const start_info_t *si, uint64_t timeout_ns)
{
    (void)si;
    if (!devinit_bus_ready())
        return 0; /* the bus said why: no PV devices at all */
    sched_waitq_init(&link_wq);
    nf_cfg.timeout_ns = timeout_ns;
    /* Buffer pages per queue from the memory profile (kernel/memprof.h). */
    {
        const struct memprof *mp = memprof_get();

        nf_cfg.rx_bufs = mp->nf_rx_bufs;
        nf_cfg.tx_bufs = mp->nf_tx_bufs;
    }
    probed = true;
    return devbus_attach(&netdev_bus, timeout_ns);
}

XN_DEVICE_INIT(net, 10, netdev_devinit);
