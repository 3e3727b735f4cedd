// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_env.h - the frontend environment (struct
 * xenbus_front_env) and Xen's grant table as host tests see them, shared
 * by every fake backend (fake_netback.c, fake_blkback.c).
 *
 * Pages are plain aligned heap blocks numbered by allocation order
 * (frame = FAKE_ENV_FRAME_BASE + index, never reused), so a grant
 * entry's frame leads back to exactly one page, and the fake backend
 * "maps" a grant with fake_env_page(). Event channels are numbered from
 * 1; fake_env_fire() runs the driver's handler for a port. Misuse by the
 * FRONTEND (freeing an unknown page, closing a port twice) aborts with a
 * reason on stderr, so a test fails instead of the fake guessing.
 */
#ifndef FAKES_FAKE_ENV_H
#define FAKES_FAKE_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

#include "xen/xenbus_front.h"

#define FAKE_ENV_GNT_ENTRIES 4096
#define FAKE_ENV_MAX_PAGES   65536
#define FAKE_ENV_FRAME_BASE  0x10000ul
#define FAKE_ENV_MAX_PORTS   64
#define FAKE_ENV_DOMID       0

struct fake_env {
    grant_entry_v1_t gnt[FAKE_ENV_GNT_ENTRIES];
    void *pages[FAKE_ENV_MAX_PAGES];      /* by frame - FRAME_BASE */
    bool block_start[FAKE_ENV_MAX_PAGES]; /* first page of an allocation */
    unsigned int nr_pages;                /* pages ever allocated */
    unsigned int live_pages;              /* allocated and not freed */
    int alloc_budget; /* >= 0: allocations left before NULL */

    /* event channels */
    unsigned int next_port;
    void (*port_fn[FAKE_ENV_MAX_PORTS])(void *ctx);
    void *port_ctx[FAKE_ENV_MAX_PORTS];
    bool port_open[FAKE_ENV_MAX_PORTS];
    unsigned int notifies[FAKE_ENV_MAX_PORTS];
    unsigned int opened, closed, forgotten;

    /* wait(): what the backend does while the frontend blocks */
    int (*on_wait)(void *arg, uint64_t timeout_ns); /* NULL: -ETIMEDOUT */
    void *wait_arg;
    unsigned int waits;
    uint64_t now_ns; /* the fake clock (advanced by wait()) */

    char last_log[256];
    char all_logs[8192]; /* every line, newline-separated (truncated) */
    unsigned int logs;
};

/* Fresh environment; also gnttab_init()s its grant table. */
void fake_env_init(struct fake_env *e);
/* Frees every page still allocated. */
void fake_env_fini(struct fake_env *e);
struct xenbus_front_env fake_env_ops(struct fake_env *e);

/* The page behind ref if granted to FAKE_ENV_DOMID (writable when write
 * is asked), else NULL: what the backend's map would get. */
void *fake_env_page(struct fake_env *e, grant_ref_t ref, bool write);

/* Deliver an event on port to the frontend (its handler runs). */
void fake_env_fire(struct fake_env *e, evtchn_port_t port);

/* What a save/restore does to the frontend's world: a new, empty grant
 * table (bookkeeping re-initialised, as the kernel does on resume) and
 * every event channel closed. Pages (guest memory) are kept. */
void fake_env_restore(struct fake_env *e);

#endif /* FAKES_FAKE_ENV_H */
