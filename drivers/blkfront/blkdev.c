// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkdev.c - the block device registry: blkfront as a
 * devbus class (drivers/devbus/devbus.h owns enumeration, hot-plug and
 * the lifecycle steps), device names and the wake-ups the public API
 * (blkdev_api.c) sleeps on.
 *
 * Design choice: the driver is single-threaded and unaware of the
 * registry; every entry into it holds the device's recursive devbus
 * mutex, and completions only queue requests on their handle
 * (blkdev_api.c), so applications' callbacks never run under the lock.
 * After every service pass (a state change, failed requests) the
 * device's waiters are woken to look again. A slot keeps its index and
 * name for the domain's life; after xl block-attach of the same id the
 * driver is reset in place. Reference: io/blkif.h, io/xenbus.h,
 * docs/misc/xenstore-paths (device/vbd/N, backend/vbd/DOMID/N).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blkfront/blkdev.h"
#include "drivers/blkfront/blkfront.h"
#include "drivers/devbus/devbus.h"
#include "drivers/devbus/devbus_env.h"
#include "kernel/devinit.h"
#include "kernel/kfmt.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/p2m.h"

static struct blkdev_slot slots[BLKDEV_MAX];
/* Written only after a slot is complete; slots are never removed. */
static volatile unsigned int nr_slots;
static struct blkfront_config bf_cfg;

/* ---- registry ---- */
unsigned int blkdev_count(void)
{
    return nr_slots;
}

struct blkdev_slot *blkdev_slot(unsigned int idx)
{
    return idx < nr_slots ? &slots[idx] : NULL;
}

struct blkdev_slot *blkdev_find(const char *name)
{
    if (!name)
        return NULL;
    if (strncmp(name, "/dev/", 5) == 0)
        name += 5;
    for (unsigned int i = 0; i < nr_slots; i++)
        if (strcmp(slots[i].name, name) == 0)
            return &slots[i];
    return NULL;
}

void blkdev_lock(struct blkdev_slot *s)
{
    devbus_lock(s->bus);
}

void blkdev_unlock(struct blkdev_slot *s)
{
    devbus_unlock(s->bus);
}

void blkdev_wake(struct blkdev_slot *s)
{
    unsigned long flags = evtchn_irq_save();

    s->events++;
    sched_wake_all(&s->wq);
    evtchn_irq_restore(flags);
}

/* Event context: the ring has responses. */
static void slot_kick(struct xn_blkdev *dev, void *arg)
{
    (void)dev;
    blkdev_wake(arg);
}

/* ---- the devbus class ---- */

static void log_connected(struct blkdev_slot *s)
{
    struct blkfront *bf = s->bf;
    const struct xn_blkdev_info *in = &bf->dev.info;

    kfmt_printf("[xenith] %s: %llu MiB, sector %u/%u%s; ring %u page%s x %u "
                "queue%s, %u segs/req%s%s%s%s\n",
                s->name,
                (unsigned long long)(in->sectors * XN_BLK_SECTOR >> 20),
                in->sector_size, in->physical_sector_size,
                (in->flags & XN_BLKDEV_F_READONLY) ? ", read-only" : "",
                1u << bf->ring_order, bf->ring_order ? "s" : "", bf->nr_queues,
                bf->nr_queues > 1 ? "s" : "", bf->max_segs,
                bf->max_indirect_segs ? " (indirect)" : "",
                bf->feat_persistent ? ", persistent grants" : "",
                bf->feat_flush     ? ", flush"
                : bf->feat_barrier ? ", barrier"
                                   : "",
                bf->feat_discard ? ", discard" : "");
}

/* ---- data/xenith/blk/<name> (kernel/stats.h) ---- */

static const char *const bd_stat_names[] = {
    "reads", "writes", "flushes", "discards", "errors", "rd-bytes", "wr-bytes",
};

static void bd_stats_sample(void *arg, uint64_t *v)
{
    const struct blkfront_stats *st = &((struct blkdev_slot *)arg)->bf->stats;

    v[0] = st->reads;
    v[1] = st->writes;
    v[2] = st->flushes;
    v[3] = st->discards;
    v[4] = st->errors;
    v[5] = st->rd_bytes;
    v[6] = st->wr_bytes;
}

static void bd_stats_register(struct blkdev_slot *s)
{
    kfmt_snprintf(s->stats_dir, sizeof(s->stats_dir), "blk/%s", s->name);
    s->stats = (struct stats_source){
        .dir = s->stats_dir,
        .names = bd_stat_names,
        .count = sizeof(bd_stat_names) / sizeof(bd_stat_names[0]),
        .sample = bd_stats_sample,
        .arg = s,
    };
    (void)stats_register(&s->stats); /* counters are a convenience */
}

static void set_identity(struct blkdev_slot *s)
{
    struct blkfront *bf = s->bf;

    kfmt_snprintf(bf->dev.name, sizeof(bf->dev.name), "%s", s->name);
    bf->dev.cb.kick = slot_kick;
    bf->dev.cb.arg = s;
}

static int bd_create(struct devbus_dev *d, struct xs_conn *xs)
{
    struct blkdev_slot *s;
    const struct xenbus_front_env *env;
    int rc;

    if (nr_slots == BLKDEV_MAX)
        return -ENOSPC;
    s = &slots[nr_slots];
    memset(s, 0, sizeof(*s));
    env = devbus_env_create(p2m_virt_to_frame);
    s->bf = env ? calloc(1, sizeof(*s->bf)) : NULL;
    if (!s->bf) {
        devbus_env_destroy(env);
        return -ENOMEM;
    }
    rc = blkfront_init(s->bf, env, &bf_cfg);
    if (!rc)
        rc = blkfront_xs_probe(s->bf, xs, d->devid);
    if (rc < 0) {
        free(s->bf);
        devbus_env_destroy(env);
        return rc;
    }
    s->devid = d->devid;
    s->bus = d;
    blkdev_name(d->devid, s->name, sizeof(s->name));
    for (unsigned int i = 0; i < nr_slots; i++)
        if (strcmp(slots[i].name, s->name) == 0) /* two encodings, one name */
            kfmt_snprintf(s->name, sizeof(s->name), "vbd%u", d->devid);
    sched_waitq_init(&s->wq);
    set_identity(s);
    d->fe = &s->bf->fe;
    d->priv = s;
    bd_stats_register(s);
    nr_slots++; /* the slot is complete: publish it */
    return 0;
}

static void bd_reprobed(struct devbus_dev *d)
{
    set_identity(d->priv);
}

static void bd_connected(struct devbus_dev *d)
{
    log_connected(d->priv);
}

/* Failed requests and a new state: let waiters look. */
static void bd_after_service(struct devbus_dev *d)
{
    blkdev_wake(d->priv);
}

static const struct devbus_class blkdev_bus = {
    .type = "vbd",
    .max = BLKDEV_MAX,
    .create = bd_create,
    .reprobed = bd_reprobed,
    .connected = bd_connected,
    .after_service = bd_after_service,
};

/* Boot stage "devices" (kernel/devinit.h): linked with this registry,
 * i.e. by any xn_blk_* call or by -Wl,--undefined=xn_devinit_blk. */
static int blkdev_devinit(const start_info_t *si, uint64_t timeout_ns)
{
    int rc;

    (void)si;
    if (!devinit_bus_ready())
        return 0; /* the bus said why: no PV devices at all */
    rc = blkdev_fd_register();
    if (rc < 0)
        kfmt_printf("[xenith] /dev/xvd* unavailable: kernel/fdtab refused "
                    "(%d)\n",
                    rc);
    bf_cfg.timeout_ns = timeout_ns;
    bf_cfg.max_queues = 1; /* one vCPU: more queues buy nothing */
    return devbus_attach(&blkdev_bus, timeout_ns);
}

XN_DEVICE_INIT(blk, 20, blkdev_devinit);
