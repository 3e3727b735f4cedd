// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_xs_daemon.h - an in-process xenstored for host tests.
 *
 * The fake owns a struct xenstore_domain_interface and a tiny in-memory
 * tree, and plays the daemon side of the ring protocol whenever the
 * client blocks: its xs_transport.wait() consumes requests from the
 * request ring, executes them (read, write, mkdir, rm, directory, watch,
 * unwatch, transactions) and feeds replies and watch events into the
 * response ring, a few bytes per step if asked to, so partial and
 * wrapped messages are exercised. Tests script misbehaviour on top:
 * raw bytes injected before the next reply, EAGAIN on commits, stalls,
 * and a fake clock that only moves when the client waits. It is a test
 * double, not a model of every xenstored rule (no permissions, and a
 * transaction's writes apply at once). Reference: io/xs_wire.h.
 */
#ifndef FAKES_FAKE_XS_DAEMON_H
#define FAKES_FAKE_XS_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xenstore.h"

struct fake_xs {
    struct xenstore_domain_interface intf;

    /* knobs */
    size_t rsp_chunk;      /* max response bytes pushed per step (0 = all) */
    size_t req_chunk;      /* max request bytes consumed per step (0 = all) */
    bool stalled;          /* daemon does nothing; waits hit the deadline */
    unsigned fail_commits; /* next N commits answer EAGAIN */
    uint64_t step_ns;      /* fake time per wait() call */
    /*
     * Like xenstored, read the request ring only after a notify it has
     * not acted on yet; lose_notifies drops the next N notifies (an
     * event lost between the domains).
     */
    bool needs_notify;
    unsigned lose_notifies;
    /*
     * Called after every XS_WRITE is applied and answered: a test's
     * backend model reacts here (e.g. to the frontend's state node).
     */
    void (*on_write)(struct fake_xs *fx, const char *path, const char *value);
    /* Optional: called on every wait() after time advanced (a backend
     * that acts on its own schedule). */
    void (*on_tick)(struct fake_xs *fx);
    void *hook_arg;

    /* observations */
    uint64_t now_ns;
    unsigned notifies;
    unsigned lost_notifies;
    unsigned waits;
    unsigned wakes;
    unsigned requests;
    unsigned commits;
    uint32_t last_type;
    uint32_t last_tx;
    char last_log[256];
    unsigned logs;

    /* internals */
    unsigned char inbuf[16 + 4096 + 16];
    size_t in_got;
    unsigned char *out; /* pending response bytes */
    size_t out_len, out_cap;
    struct fake_xs_node *nodes;
    struct fake_xs_watch *watches;
    uint32_t next_tx;
    bool rsp_blocked;           /* ring filled with more pending */
    unsigned blocked_at_notify; /* notifies seen when it filled */
    unsigned acted_at_notify;   /* notifies seen at the last request read */
};

/* Fresh daemon; ring indices start at start_idx (test 32-bit wrap). */
void fake_xs_init(struct fake_xs *fx, uint32_t start_idx);
void fake_xs_fini(struct fake_xs *fx);

/* A transport whose callbacks drive fx. */
struct xs_transport fake_xs_transport(struct fake_xs *fx);

/* One daemon step (what wait() does): consume requests, push replies. */
void fake_xs_step(struct fake_xs *fx);

/* Directly set a node in the tree (no watch fired). */
void fake_xs_set(struct fake_xs *fx, const char *path, const char *value);

/* Set a node and fire watches, as another domain's write would. */
void fake_xs_set_fire(struct fake_xs *fx, const char *path, const char *value);

/* Value of a node, NULL if absent. */
const char *fake_xs_get(struct fake_xs *fx, const char *path);

/* Queue raw bytes to be sent before anything queued later. */
void fake_xs_inject(struct fake_xs *fx, const void *data, size_t len);

/* Queue one framed message (header + payload) of the given type. */
void fake_xs_inject_msg(struct fake_xs *fx, uint32_t type, uint32_t req_id,
                        const void *payload, uint32_t len);

/* Queue a watch event "path\0token\0". */
void fake_xs_inject_event(struct fake_xs *fx, const char *path,
                          const char *token);

/* What a restore looks like from xenstored: a new connection for the
 * domain that knows no watch and owes no reply (the rings keep their
 * indices, they are the domain's memory). */
void fake_xs_new_connection(struct fake_xs *fx);

/* Bytes queued but not yet pushed into the response ring. */
size_t fake_xs_pending(const struct fake_xs *fx);

#endif /* FAKES_FAKE_XS_DAEMON_H */
