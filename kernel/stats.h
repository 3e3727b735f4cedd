// SPDX-License-Identifier: MIT
/*
 * kernel/stats.h - counters published under the domain's own
 * data/xenith/ in xenstore, so dom0 sees a running guest's health with
 * `xenstore-ls /local/domain/<domid>/data/xenith`.
 *
 * A module that has counters registers a struct stats_source (its
 * storage, usually static): a directory below data/xenith/ ("mem",
 * "net/vif0", "blk/xvda"), the counter names, and a sample() callback
 * that copies the current values. The control service's thread
 * (kernel/control_guest.c) calls stats_publish() at most once per
 * interval (xenith.stats_interval=MS, default 2000) and writes only the
 * counters that changed since the last successful write, all in one
 * transaction (a reader sees one refresh, never half of it), so an idle
 * domain causes no xenstore traffic. Design choice: a registration list
 * rather than a linker set, because device slots appear at run time
 * (hot-plug) and a registry may register a source per device; the
 * publisher is pure code over a struct xs_conn, host-tested with the
 * fake xenstored. libxl creates data/ writable by the guest; nodes the
 * guest creates below it are its own. Values are unsigned decimal.
 * Reference: docs/misc/xenstore-paths.pandoc (~/data), io/xs_wire.h.
 */
#ifndef KERNEL_STATS_H
#define KERNEL_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "xen/xenstore.h"

#define STATS_ROOT                "data/xenith"
#define STATS_MAX_COUNTERS        16
#define STATS_DIR_MAX             48 /* bytes of a source's dir, NUL included */
#define STATS_NAME_MAX            32 /* bytes of a counter name, NUL included */
#define STATS_INTERVAL_DEFAULT_MS 2000u
#define STATS_INTERVAL_MIN_MS     500u /* a bound on the xenstore load */

struct stats_source {
    /* Filled by the registrant: */
    const char *dir;          /* below STATS_ROOT: [a-z0-9_-] parts, '/' */
    const char *const *names; /* count names: [a-z0-9_-] */
    unsigned int count;       /* 1 .. STATS_MAX_COUNTERS */
    /*
     * Copy the count current values into values[]. Runs in the control
     * thread; must not block (a snapshot under the module's own rules).
     */
    void (*sample)(void *arg, uint64_t *values);
    void *arg;

    /* Publisher-private: */
    struct stats_source *next;
    uint64_t published[STATS_MAX_COUNTERS];
    bool valid; /* published[] is what xenstore holds */
};

/*
 * Add s to the published set (from its next refresh on). 0, -EINVAL (a
 * field out of the rules above), -EEXIST (s or its dir registered
 * already). Thread context, any time after boot.
 */
int stats_register(struct stats_source *s);

/* Remove s (its nodes stay in xenstore with their last values). */
void stats_unregister(struct stats_source *s);

struct stats_pub {
    uint64_t interval_ns;
    uint64_t next_due;       /* 0: at the first call */
    unsigned long refreshes; /* transactions committed */
    unsigned long writes;    /* nodes written */
    unsigned long errors;    /* refreshes that failed */
    int last_error;          /* -errno of the last failure, 0 */
};

/*
 * Parse xenith.stats_interval (decimal ms; NULL = default; "0" = off).
 * Returns the interval in ms (0 = off, else >= STATS_INTERVAL_MIN_MS:
 * smaller values are raised to it), or -EINVAL for garbage.
 */
long stats_interval_parse(const char *value);

void stats_pub_init(struct stats_pub *p, uint64_t interval_ns);

/*
 * Refresh if due at now_ns: sample every source, write what changed
 * under STATS_ROOT in one transaction. Returns the number of nodes
 * written (0: not due, or nothing changed), or -errno (the values are
 * written again on the next refresh). Never blocks longer than the
 * connection's timeout per request.
 */
int stats_publish(struct stats_pub *p, struct xs_conn *c, uint64_t now_ns);

/* When the next refresh is due (now_ns scale). */
uint64_t stats_next_due(const struct stats_pub *p);

#endif /* KERNEL_STATS_H */
