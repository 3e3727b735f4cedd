// SPDX-License-Identifier: MIT
/*
 * kernel/control.h - the domain's control/ directory in xenstore: the
 * toolstack's shutdown and sysrq requests.
 *
 * xl writes a request into control/shutdown ("poweroff" for `xl
 * shutdown`, "reboot" for `xl reboot`, "suspend" for `xl save`/`xl
 * suspend`; "halt" is the older spelling of poweroff) or one key into
 * control/sysrq (`xl sysrq DOM KEY`). As Linux does, the guest reads the
 * node and, if it is not empty, acknowledges the request by writing ""
 * into it in the same transaction (rerun on EAGAIN), then acts. Writing
 * "" rather than removing the node matters: libxl creates both nodes
 * writable by the guest, but a node re-created by dom0 after a removal
 * inherits the permissions of control/ (guest read-only), so the next
 * request could not be acknowledged. libxl takes any value other than
 * "suspend" (and a missing node) as the acknowledgement.
 * Design choice: the decisions are pure functions (value -> request,
 * request + state -> action; key -> answer) and the handlers work on a
 * struct xs_conn with the effects behind struct control_ops, so host
 * tests drive every case against the fake xenstored. The guest glue,
 * kernel/control_guest.c, is a device-linker-set entry (order 05) and
 * one thread. Suspend plugs in at ONE place: control_ops.suspend. While
 * it is NULL (this build: the guest side of SHUTDOWN_suspend does not
 * exist yet) a "suspend" request is acknowledged, refused with one
 * console line, and control/feature-suspend is not advertised.
 * Values are untrusted: matched exactly, at most CONTROL_VALUE_MAX
 * bytes, shown on the console with non-printable bytes replaced.
 * Reference: docs/misc/xenstore-paths.pandoc (the ~/control nodes), Linux
 * drivers/xen/manage.c (the acknowledgement), libxl_domain.c.
 */
#ifndef KERNEL_CONTROL_H
#define KERNEL_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "include/xenith.h"
#include "xen/xenstore.h"

#define CONTROL_SHUTDOWN_PATH "control/shutdown"
#define CONTROL_SYSRQ_PATH    "control/sysrq"
/* Longest request value read; a longer one is garbage (still cleared). */
#define CONTROL_VALUE_MAX 32

/* What a control/shutdown value asks for. */
enum control_req {
    CONTROL_REQ_NONE,     /* "" or no node: nothing pending */
    CONTROL_REQ_POWEROFF, /* "poweroff" */
    CONTROL_REQ_HALT,     /* "halt": poweroff semantics */
    CONTROL_REQ_REBOOT,   /* "reboot" */
    CONTROL_REQ_SUSPEND,  /* "suspend" */
    CONTROL_REQ_UNKNOWN,  /* anything else, or too long */
};

/* What the guest does about it. */
enum control_act {
    CONTROL_ACT_NONE,      /* nothing pending */
    CONTROL_ACT_POWEROFF,  /* begin the orderly shutdown, then poweroff */
    CONTROL_ACT_REBOOT,    /* begin the orderly shutdown, then reboot */
    CONTROL_ACT_SUSPEND,   /* hand over to control_ops.suspend */
    CONTROL_ACT_NOSUSPEND, /* suspend requested, not supported: refuse */
    CONTROL_ACT_REFUSE,    /* unknown request: refuse with a line */
    CONTROL_ACT_DUPLICATE, /* a shutdown is in progress: ignore */
};

struct control_state {
    bool shutting_down; /* a poweroff/reboot was accepted */
    enum xn_shutdown_reason reason;
};

/*
 * Parse a value of len bytes (len < 0: it did not fit the read buffer).
 * Exact, case-sensitive matches only. Pure.
 */
enum control_req control_parse_shutdown(const char *value, int len);

/*
 * The action for req given the state (updated: the first accepted
 * poweroff/halt/reboot sets shutting_down; later ones are DUPLICATE).
 * can_suspend: a suspend implementation is plugged in. Pure.
 */
enum control_act control_decide(struct control_state *st, enum control_req req,
                                bool can_suspend);

/*
 * A control/sysrq value: the key (one printable ASCII character), 0 for
 * "" (nothing pending), -EINVAL for anything else. Pure.
 */
int control_parse_sysrq(const char *value, int len);

/* Effects; host tests record them. */
struct control_ops {
    /* Begin the orderly shutdown (kernel/shutdown.h). */
    void (*shutdown)(void *arg, enum xn_shutdown_reason reason);
    /*
     * THE suspend plug-in point (issue 8 part 3): NULL in this build.
     * When set it is advertised as control/feature-suspend=1 and called
     * in the control thread after the request was acknowledged; returns
     * 0 (resumed) or 1 (cancelled) or -errno.
     */
    int (*suspend)(void *arg);
    /* Answer sysrq key: 0, or -EOPNOTSUPP (the handler refuses it). */
    int (*sysrq)(void *arg, int key);
    /* One console line, without a trailing newline. */
    void (*print)(void *arg, const char *line);
    void *arg;
};

struct control {
    struct xs_conn *xs;
    struct control_ops ops;
    struct control_state st;
    unsigned long requests; /* non-empty shutdown values seen */
    unsigned long sysrqs;   /* non-empty sysrq values seen */
    unsigned long errors;   /* xenstore errors while serving */
};

void control_init(struct control *c, struct xs_conn *xs,
                  const struct control_ops *ops);

/*
 * Write control/feature-poweroff and feature-reboot = "1" (and
 * feature-suspend when ops.suspend is set). 0, or the first -errno (the
 * rest is still tried; xl then falls back to what it does without).
 */
int control_advertise(struct control *c);

/*
 * Read and acknowledge control/shutdown, then act. Returns the action
 * taken (>= 0) or -errno (xenstore failed: nothing was acted on).
 */
int control_handle_shutdown(struct control *c);

/* Read and acknowledge control/sysrq, then answer or refuse the key.
 * Returns the key (> 0), 0 when nothing was pending, or -errno. */
int control_handle_sysrq(struct control *c);

/*
 * Wait until one of the n (<= 8) watches has an event queued, or
 * deadline_ns passes. Returns a bit mask of the watches with events (0
 * at the deadline: no console line, unlike xs_watch_wait()), or -EIO.
 */
int control_wait(struct xs_conn *xs, struct xs_watch *const *w, unsigned int n,
                 uint64_t deadline_ns);

#endif /* KERNEL_CONTROL_H */
