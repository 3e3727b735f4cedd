// SPDX-License-Identifier: MIT
/*
 * kernel/stats.c - the data/xenith/ counter registry and its rate-limited
 * publisher (contract in kernel/stats.h).
 *
 * Design choice: each refresh samples all sources first, then writes the
 * changed values in one xenstore transaction (rerun on EAGAIN by
 * xs_transaction_run()), and only after the commit records them as
 * published, so a failed refresh is simply repeated later. The list is
 * only touched from thread context and nothing between a check and an
 * update blocks, so cooperative threads need no lock.
 * Reference: io/xs_wire.h (XS_TRANSACTION_START/END), docs/misc/
 * xenstore-paths.pandoc (~/data is guest-writable).
 */
#include "kernel/stats.h"

#include <errno.h>
#include <string.h>

#include "kernel/kfmt.h"

static struct stats_source *sources;

/* [a-z0-9-]+ parts, separated by single '/' when slash is allowed. */
static bool name_ok(const char *s, bool slash, size_t max)
{
    size_t n = 0;
    bool part_empty = true;

    if (!s)
        return false;
    for (; s[n]; n++) {
        char ch = s[n];

        if (ch == '/' && slash && !part_empty) {
            part_empty = true;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
        part_empty = false;
    }
    return n > 0 && n < max && !part_empty;
}

int stats_register(struct stats_source *s)
{
    if (!s || !s->sample || !s->names || s->count == 0 ||
        s->count > STATS_MAX_COUNTERS || !name_ok(s->dir, true, STATS_DIR_MAX))
        return -EINVAL;
    for (unsigned int i = 0; i < s->count; i++)
        if (!name_ok(s->names[i], false, STATS_NAME_MAX))
            return -EINVAL;
    for (struct stats_source *o = sources; o; o = o->next)
        if (o == s || strcmp(o->dir, s->dir) == 0)
            return -EEXIST;
    s->valid = false;
    s->next = sources;
    sources = s;
    return 0;
}

void stats_unregister(struct stats_source *s)
{
    for (struct stats_source **pp = &sources; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            s->next = NULL;
            return;
        }
}

long stats_interval_parse(const char *value)
{
    unsigned long v = 0;

    if (!value)
        return STATS_INTERVAL_DEFAULT_MS;
    if (kfmt_parse_ulong(value, 3600UL * 1000, &v) < 0)
        return -EINVAL;
    if (v == 0)
        return 0;
    return (long)(v < STATS_INTERVAL_MIN_MS ? STATS_INTERVAL_MIN_MS : v);
}

void stats_pub_init(struct stats_pub *p, uint64_t interval_ns)
{
    memset(p, 0, sizeof(*p));
    p->interval_ns = interval_ns;
}

uint64_t stats_next_due(const struct stats_pub *p)
{
    return p->next_due;
}

/* One refresh: the values sampled, to be compared and written. */
struct refresh {
    uint64_t now[STATS_MAX_COUNTERS];
};

struct batch {
    struct refresh *r; /* one per source, in list order */
    unsigned int nsrc;
    int written;
};

static bool changed(const struct stats_source *s, const struct refresh *r,
                    unsigned int i)
{
    return !s->valid || s->published[i] != r->now[i];
}

static int write_changed(struct xs_conn *c, xs_tx_t tx, void *arg)
{
    struct batch *b = arg;
    unsigned int k = 0;

    b->written = 0; /* the body reruns from scratch on EAGAIN */
    for (struct stats_source *s = sources; s && k < b->nsrc; s = s->next, k++) {
        for (unsigned int i = 0; i < s->count; i++) {
            char path[sizeof(STATS_ROOT) + STATS_DIR_MAX + STATS_NAME_MAX];
            char val[24];
            int rc;

            if (!changed(s, &b->r[k], i))
                continue;
            kfmt_snprintf(path, sizeof(path), STATS_ROOT "/%s/%s", s->dir,
                          s->names[i]);
            kfmt_snprintf(val, sizeof(val), "%llu",
                          (unsigned long long)b->r[k].now[i]);
            rc = xs_write(c, tx, path, val);
            if (rc < 0)
                return rc;
            b->written++;
        }
    }
    return 0;
}

/* Sources per refresh; a registry with more is published in part. */
#define STATS_MAX_SOURCES 32

int stats_publish(struct stats_pub *p, struct xs_conn *c, uint64_t now_ns)
{
    static struct refresh r[STATS_MAX_SOURCES];
    struct batch b = {r, 0, 0};
    bool any = false;
    unsigned int k = 0;
    int rc;

    if (p->interval_ns == 0 || now_ns < p->next_due)
        return 0;
    p->next_due = now_ns + p->interval_ns;
    for (struct stats_source *s = sources; s && k < STATS_MAX_SOURCES;
         s = s->next, k++) {
        memset(&r[k], 0, sizeof(r[k]));
        s->sample(s->arg, r[k].now);
        for (unsigned int i = 0; i < s->count; i++)
            any = any || changed(s, &r[k], i);
    }
    b.nsrc = k;
    if (!any)
        return 0;
    rc = xs_transaction_run(c, write_changed, &b);
    if (rc < 0) {
        p->errors++;
        p->last_error = rc;
        return rc;
    }
    k = 0;
    for (struct stats_source *s = sources; s && k < b.nsrc; s = s->next, k++) {
        memcpy(s->published, r[k].now, sizeof(s->published));
        s->valid = true;
    }
    p->refreshes++;
    p->writes += (unsigned long)b.written;
    p->last_error = 0;
    return b.written;
}
