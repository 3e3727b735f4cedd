// SPDX-License-Identifier: MIT
/*
 * kernel/console_thread.c - thread "console": drains buffered console
 * output into the ring whenever xenconsoled signals (see the header).
 */
#include <errno.h>
#include <stdbool.h>

#include "kernel/console_thread.h"
#include "kernel/sched.h"
#include "xen/console.h"
#include "xen/evtchn.h"

/* A lost event must not keep output back for long. */
#define CONSOLE_THREAD_TICK_NS (1000ULL * 1000 * 1000)
#define CONSOLE_THREAD_STACK   (16u * 1024)

static struct sched_waitq wq;
static volatile bool kicked;

/* Event context: xenconsoled consumed (or wrote) something. */
static void console_event(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    kicked = true;
    sched_wake_all(&wq);
}

static void console_thread(void *arg)
{
    (void)arg;
    for (;;) {
        /* Idle with nothing buffered: no timer at all. */
        (void)sched_wait_event_timeout(
            &wq, kicked,
            console_buffered() ? CONSOLE_THREAD_TICK_NS : SCHED_NO_DEADLINE);
        kicked = false;
        if (console_buffered())
            console_drain();
    }
}

int console_thread_start(evtchn_port_t port)
{
    int rc;

    sched_waitq_init(&wq);
    rc = evtchn_bind(port, console_event, NULL);
    if (rc < 0)
        return rc;
    if (!sched_thread_create("console", console_thread, NULL,
                             CONSOLE_THREAD_STACK))
        return -ENOMEM;
    return 0;
}

int console_thread_rebind(evtchn_port_t port)
{
    return evtchn_bind(port, console_event, NULL);
}
