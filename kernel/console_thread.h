// SPDX-License-Identifier: MIT
/*
 * kernel/console_thread.h - the thread that moves buffered console output
 * into the PV console ring (xen/console.c never waits for xenconsoled).
 *
 * Design choice: the console's event channel, which xenconsoled signals
 * after it consumed output, wakes one small thread that calls
 * console_drain(); while output is buffered, a one-second timeout covers
 * a lost event (an idle console sets no timer). Writers
 * therefore never block on a slow or stalled xenconsoled, and buffered
 * output still leaves without waiting for the next write.
 * Reference: xen/include/public/io/console.h.
 */
#ifndef KERNEL_CONSOLE_THREAD_H
#define KERNEL_CONSOLE_THREAD_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

/* Bind port and start the thread (after sched_init). 0 or -errno. */
int console_thread_start(evtchn_port_t port);

/* After a restore: the console's new port (evtchn_resume() dropped the
 * old binding). 0 or -errno. */
int console_thread_rebind(evtchn_port_t port);

#endif /* KERNEL_CONSOLE_THREAD_H */
