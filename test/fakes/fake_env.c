// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_env.c - the frontend environment and grant table of
 * host tests (see fake_env.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_env.h"
#include "xen/gnttab.h"

#define PG 4096u

static void *op_alloc_pages(void *arg, unsigned int order)
{
    struct fake_env *e = arg;
    unsigned int n = 1u << order;
    uint8_t *p;

    if (e->alloc_budget == 0)
        return NULL;
    if (e->alloc_budget > 0)
        e->alloc_budget--;
    if (e->nr_pages + n > FAKE_ENV_MAX_PAGES) {
        fprintf(stderr, "fake_env: out of page slots\n");
        abort();
    }
    p = aligned_alloc(PG, (size_t)PG * n);
    if (!p)
        abort();
    memset(p, 0, (size_t)PG * n);
    e->block_start[e->nr_pages] = true;
    for (unsigned int i = 0; i < n; i++)
        e->pages[e->nr_pages++] = p + (size_t)i * PG;
    e->live_pages += n;
    return p;
}

static long page_index(struct fake_env *e, const void *p)
{
    for (unsigned int i = 0; i < e->nr_pages; i++)
        if (e->pages[i] == p)
            return i;
    return -1;
}

static void op_free_pages(void *arg, void *pages, unsigned int order)
{
    struct fake_env *e = arg;
    long i = page_index(e, pages);
    unsigned int n = 1u << order;

    if (i < 0 || (unsigned long)i + n > e->nr_pages || !e->block_start[i]) {
        fprintf(stderr, "fake_env: free of unknown block %p\n", pages);
        abort();
    }
    for (unsigned int k = 0; k < n; k++) {
        if (e->pages[i + k] != (uint8_t *)pages + (size_t)k * PG) {
            fprintf(stderr, "fake_env: bad order %u for %p\n", order, pages);
            abort();
        }
        e->pages[i + k] = NULL;
    }
    e->block_start[i] = false;
    e->live_pages -= n;
    free(pages);
}

static unsigned long op_virt_to_frame(void *arg, const void *va)
{
    struct fake_env *e = arg;
    long i = page_index(e, va);

    if (i < 0) {
        fprintf(stderr, "fake_env: frame of unknown page %p\n", va);
        abort();
    }
    return FAKE_ENV_FRAME_BASE + (unsigned long)i;
}

static int op_evtchn_open(void *arg, domid_t remote, void (*fn)(void *ctx),
                          void *ctx, evtchn_port_t *port)
{
    struct fake_env *e = arg;

    if (remote != FAKE_ENV_DOMID || !fn)
        return -EINVAL;
    if (e->next_port >= FAKE_ENV_MAX_PORTS)
        return -ENOSPC;
    *port = e->next_port++;
    e->port_fn[*port] = fn;
    e->port_ctx[*port] = ctx;
    e->port_open[*port] = true;
    e->opened++;
    return 0;
}

static void op_evtchn_close(void *arg, evtchn_port_t port)
{
    struct fake_env *e = arg;

    if (port >= FAKE_ENV_MAX_PORTS || !e->port_open[port]) {
        fprintf(stderr, "fake_env: close of port %u not open\n", port);
        abort();
    }
    e->port_open[port] = false;
    e->port_fn[port] = NULL;
    e->port_ctx[port] = NULL;
    e->closed++;
}

static void op_evtchn_forget(void *arg, evtchn_port_t port)
{
    struct fake_env *e = arg;

    if (port >= FAKE_ENV_MAX_PORTS) {
        fprintf(stderr, "fake_env: forget of port %u out of range\n", port);
        abort();
    }
    e->port_open[port] = false;
    e->port_fn[port] = NULL;
    e->port_ctx[port] = NULL;
    e->forgotten++;
}

static void op_notify(void *arg, evtchn_port_t port)
{
    struct fake_env *e = arg;

    if (port >= FAKE_ENV_MAX_PORTS || !e->port_open[port]) {
        fprintf(stderr, "fake_env: notify on port %u not open\n", port);
        abort();
    }
    e->notifies[port]++;
}

static int op_wait(void *arg, uint64_t timeout_ns)
{
    struct fake_env *e = arg;

    int rc;

    e->waits++;
    rc = e->on_wait ? e->on_wait(e->wait_arg, timeout_ns) : -ETIMEDOUT;
    /* The fake clock: a timeout takes its time, an event 1 ms. */
    e->now_ns += rc == -ETIMEDOUT ? timeout_ns : 1000000;
    return rc;
}

static uint64_t op_now(void *arg)
{
    return ((struct fake_env *)arg)->now_ns;
}

static void op_log(void *arg, const char *msg)
{
    struct fake_env *e = arg;

    size_t n = strlen(e->all_logs);

    snprintf(e->last_log, sizeof(e->last_log), "%s", msg);
    if (n < sizeof(e->all_logs) - 1)
        snprintf(e->all_logs + n, sizeof(e->all_logs) - n, "%s\n", msg);
    e->logs++;
}

struct xenbus_front_env fake_env_ops(struct fake_env *e)
{
    return (struct xenbus_front_env){
        .alloc_pages = op_alloc_pages,
        .free_pages = op_free_pages,
        .virt_to_frame = op_virt_to_frame,
        .evtchn_open = op_evtchn_open,
        .evtchn_close = op_evtchn_close,
        .evtchn_forget = op_evtchn_forget,
        .notify = op_notify,
        .wait = op_wait,
        .log = op_log,
        .now = op_now,
        .arg = e,
    };
}

void fake_env_init(struct fake_env *e)
{
    memset(e, 0, sizeof(*e));
    e->alloc_budget = -1;
    e->next_port = 1; /* port 0 is never valid */
    if (gnttab_init(e->gnt, FAKE_ENV_GNT_ENTRIES) < 0)
        abort();
}

void fake_env_fini(struct fake_env *e)
{
    for (unsigned int i = 0; i < e->nr_pages; i++)
        if (e->pages[i] && e->block_start[i])
            free(e->pages[i]);
    e->nr_pages = 0;
}

void *fake_env_page(struct fake_env *e, grant_ref_t ref, bool write)
{
    grant_entry_v1_t *g;
    unsigned long idx;

    if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= FAKE_ENV_GNT_ENTRIES)
        return NULL;
    g = &e->gnt[ref];
    if ((g->flags & GTF_type_mask) != GTF_permit_access ||
        g->domid != FAKE_ENV_DOMID || (write && (g->flags & GTF_readonly)))
        return NULL;
    idx = g->frame - FAKE_ENV_FRAME_BASE;
    if (g->frame < FAKE_ENV_FRAME_BASE || idx >= e->nr_pages)
        return NULL;
    return e->pages[idx];
}

void fake_env_fire(struct fake_env *e, evtchn_port_t port)
{
    if (port < FAKE_ENV_MAX_PORTS && e->port_open[port] && e->port_fn[port])
        e->port_fn[port](e->port_ctx[port]);
}

void fake_env_restore(struct fake_env *e)
{
    memset(e->gnt, 0, sizeof(e->gnt));
    if (gnttab_init(e->gnt, FAKE_ENV_GNT_ENTRIES) < 0)
        abort();
    for (unsigned int p = 0; p < FAKE_ENV_MAX_PORTS; p++) {
        e->port_open[p] = false;
        e->port_fn[p] = NULL;
        e->port_ctx[p] = NULL;
    }
}
