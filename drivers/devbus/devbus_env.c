// SPDX-License-Identifier: MIT
/*
 * drivers/devbus/devbus_env.c - the guest's frontend environment (see
 * devbus_env.h).
 *
 * Each device gets a small table of port bindings (driver handler and
 * its context, per event channel), because xen/evtchn calls one handler
 * with one argument: the binding runs the driver's handler, then marks
 * the device's event flag and wakes its wait queue, which is what
 * wait() (blkfront's synchronous calls) sleeps on. Design choice: a
 * fixed table sized for the largest queue count of any class (two ports
 * per queue with split channels); opening more fails with -ENOSPC rather
 * than allocating in a path the backend drives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/devbus/devbus_env.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "xen/console.h"
#include "xen/evtchn.h"
#include "xen/p2m.h"
#include "xen/time.h"

#define ENV_PORTS 8

struct binding {
    struct devbus_env *env;
    void (*fn)(void *ctx);
    void *ctx;
    evtchn_port_t port;
    bool used;
};

struct devbus_env {
    struct xenbus_front_env ops; /* arg = this */
    unsigned long (*v2f)(const void *va);
    struct sched_waitq wq;
    volatile bool event;
    struct binding bind[ENV_PORTS];
};

static void *e_alloc_pages(void *arg, unsigned int order)
{
    void *p = mm_alloc_pages(order);

    (void)arg;
    if (p)
        memset(p, 0, MM_PAGE_SIZE << order); /* never leak old data */
    return p;
}

static void e_free_pages(void *arg, void *pages, unsigned int order)
{
    (void)arg;
    mm_free_pages(pages, order);
}

static unsigned long e_virt_to_frame(void *arg, const void *va)
{
    struct devbus_env *e = arg;

    return e->v2f(va);
}

/* Event context. */
static void e_event(evtchn_port_t port, void *arg)
{
    struct binding *b = arg;

    (void)port;
    b->fn(b->ctx);
    b->env->event = true;
    sched_wake_all(&b->env->wq);
}

static int e_evtchn_open(void *arg, domid_t remote, void (*fn)(void *ctx),
                         void *ctx, evtchn_port_t *port)
{
    struct devbus_env *e = arg;
    struct binding *b = NULL;
    int rc;

    for (unsigned int i = 0; i < ENV_PORTS && !b; i++)
        if (!e->bind[i].used)
            b = &e->bind[i];
    if (!b)
        return -ENOSPC;
    b->env = e;
    b->fn = fn;
    b->ctx = ctx;
    rc = evtchn_open_unbound(remote, e_event, b, port);
    if (rc < 0)
        return rc;
    b->port = *port;
    b->used = true;
    return 0;
}

/* Forget the binding of port (its slot can serve the next open). */
static void binding_drop(struct devbus_env *e, evtchn_port_t port)
{
    for (unsigned int i = 0; i < ENV_PORTS; i++)
        if (e->bind[i].used && e->bind[i].port == port)
            e->bind[i].used = false;
}

static void e_evtchn_close(void *arg, evtchn_port_t port)
{
    evtchn_close(port); /* unbinds the handler too */
    binding_drop(arg, port);
}

/* After a restore: Xen closed the port already; only unbind locally. */
static void e_evtchn_forget(void *arg, evtchn_port_t port)
{
    evtchn_unbind(port);
    binding_drop(arg, port);
}

static void e_notify(void *arg, evtchn_port_t port)
{
    (void)arg;
    evtchn_send(port);
}

static int e_wait(void *arg, uint64_t timeout_ns)
{
    struct devbus_env *e = arg;
    int rc = sched_wait_event_timeout(&e->wq, e->event, timeout_ns);

    e->event = false;
    return rc;
}

static uint64_t e_now(void *arg)
{
    (void)arg;
    return time_monotonic_ns();
}

static void e_log(void *arg, const char *msg)
{
    (void)arg;
    console_write(msg, strlen(msg));
    console_write("\n", 1);
}

const struct xenbus_front_env *
devbus_env_create(unsigned long (*virt_to_frame)(const void *va))
{
    struct devbus_env *e = calloc(1, sizeof(*e));

    if (!e)
        return NULL;
    e->v2f = virt_to_frame ? virt_to_frame : p2m_virt_to_frame;
    sched_waitq_init(&e->wq);
    e->ops = (struct xenbus_front_env){
        .alloc_pages = e_alloc_pages,
        .free_pages = e_free_pages,
        .virt_to_frame = e_virt_to_frame,
        .evtchn_open = e_evtchn_open,
        .evtchn_close = e_evtchn_close,
        .evtchn_forget = e_evtchn_forget,
        .notify = e_notify,
        .wait = e_wait,
        .log = e_log,
        .now = e_now,
        .arg = e,
    };
    return &e->ops;
}

void devbus_env_destroy(const struct xenbus_front_env *env)
{
    if (env)
        free(env->arg); /* ops is the first member of its devbus_env */
}
