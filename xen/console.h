// SPDX-License-Identifier: MIT
/*
 * xen/console.h - the PV console (xenconsoled's ring page).
 *
 * The toolstack gives the domain one page with an input and an output
 * byte ring (io/console.h) plus an event channel. Design choice: the ring
 * arithmetic is a pure function over struct xencons_interface *, covered
 * by host tests; the rest only adds notification and bounded waiting.
 * Output translates "\n" to "\r\n" so terminals render lines properly.
 * The indices are written by another domain: a producer/consumer distance
 * larger than the ring marks the ring broken (-EIO) instead of trusting
 * it. Before console_init() (and if it fails) output goes to Xen's
 * emergency console_io, which release builds of Xen refuse for domUs.
 * Reference: xen/include/public/io/console.h.
 */
#ifndef XEN_CONSOLE_H
#define XEN_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/io/console.h>

/* Bound on console_flush() waiting for xenconsoled to drain (ns). */
#define CONSOLE_WAIT_NS (2ULL * 1000 * 1000 * 1000)
/* Output that waits for room in the ring; beyond it bytes are dropped. */
#define CONSOLE_BUF_SIZE 16384

/*
 * Copy up to len bytes of buf into intf's output ring, "\n" becoming
 * "\r\n" (a newline is only written when both bytes fit). Returns the
 * number of bytes of buf consumed (0 when full), or -EIO when the ring's
 * indices are inconsistent. Does not notify.
 */
long console_ring_write(struct xencons_interface *intf, const char *buf,
                        size_t len);

/*
 * Copy up to len pending input bytes into buf. Returns the number read
 * (0 when none), or -EIO for inconsistent indices.
 */
long console_ring_read(struct xencons_interface *intf, char *buf, size_t len);

/*
 * Use intf (mapped) and port for output. now_ns, if not NULL, bounds
 * waits in time; without it waits are bounded by a number of yields.
 * 0, or -EINVAL for a NULL intf.
 */
int console_init(struct xencons_interface *intf, evtchn_port_t port);

/* After a restore: the ring is the same page, its port is new. */
void console_resume(evtchn_port_t port);

/* Switch the wait bound to a clock once one exists (NULL reverts). */
void console_set_clock(uint64_t (*now_ns)(void));

/*
 * Queue buf for xenconsoled without ever waiting: into the ring, and
 * what does not fit into the bounded buffer; beyond that it is dropped
 * and counted (console_dropped()). Returns len, or -EIO when the ring's
 * indices are inconsistent. Before console_init: Xen's emergency
 * console_io.
 */
long console_write(const char *buf, size_t len);

/* Move buffered output into the ring as far as it fits (the console
 * thread calls this on xenconsoled's event). */
void console_drain(void);

/* Bytes dropped so far, bytes waiting in the buffer. */
unsigned long console_dropped(void);
size_t console_buffered(void);

/* Guard the buffer against event context (the kernel passes
 * evtchn_irq_save/restore); without it, no locking (host tests). */
void console_set_lock(unsigned long (*save)(void),
                      void (*restore)(unsigned long));

/* Non-blocking read of console input. 0 when nothing is pending. */
long console_read(char *buf, size_t len);

/*
 * Wait until xenconsoled consumed everything, buffer included
 * (out_cons == out_prod), at most CONSOLE_WAIT_NS. 0 or -ETIMEDOUT /
 * -EIO / -ENODEV (no ring).
 */
int console_flush(void);

#endif /* XEN_CONSOLE_H */
