// SPDX-License-Identifier: MIT
/*
 * xen/console.c - PV console ring writer and reader.
 *
 * Free-running 32-bit indices, masked by the ring size (a power of two),
 * as io/console.h defines. We are the producer of `out` and the consumer
 * of `in`; xenconsoled is the other side. Barrier pairing: read the
 * peer's index, rmb, touch data, wmb, publish our index; the final notify
 * tells xenconsoled. Waits yield the vCPU to Xen (so dom0 can run) and
 * are bounded, because a dead xenconsoled must not hang the domain (in
 * particular on the way to shutdown). Only xen/hypercall.h is used, so a
 * host test can link the fake hypercalls and play xenconsoled.
 * Reference: xen/include/public/io/console.h.
 */
#include "console.h"

#include <errno.h>
#include <stdbool.h>

#include "hypercall.h"

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE  sizeof(((struct xencons_interface *)0)->in)

/* Without a clock: this many yields to Xen before giving up. */
#define CONSOLE_WAIT_YIELDS 200000u

static inline void cons_mb(void)
{
    __asm__ volatile("mfence" ::: "memory");
}

/* x86 keeps loads and stores in order; only the compiler needs telling. */
static inline void cons_rmb(void)
{
    __asm__ volatile("" ::: "memory");
}

static inline void cons_wmb(void)
{
    __asm__ volatile("" ::: "memory");
}

static struct xencons_interface *ring;
static evtchn_port_t ring_port;
static uint64_t (*clock_ns)(void);

long console_ring_write(struct xencons_interface *intf, const char *buf,
                        size_t len)
{
    /* Read the consumer's index once: it may change under us. */
    XENCONS_RING_IDX cons = *(volatile XENCONS_RING_IDX *)&intf->out_cons;
    XENCONS_RING_IDX prod = intf->out_prod;
    size_t used, done = 0;

    cons_mb();
    used = (XENCONS_RING_IDX)(prod - cons);
    if (used > OUT_SIZE)
        return -EIO;
    while (done < len) {
        size_t need = buf[done] == '\n' ? 2 : 1;

        if (OUT_SIZE - used < need)
            break;
        if (need == 2) {
            intf->out[MASK_XENCONS_IDX(prod++, intf->out)] = '\r';
            used++;
        }
        intf->out[MASK_XENCONS_IDX(prod++, intf->out)] = buf[done++];
        used++;
    }
    cons_wmb(); /* data before the index that publishes it */
    intf->out_prod = prod;
    return (long)done;
}

long console_ring_read(struct xencons_interface *intf, char *buf, size_t len)
{
    XENCONS_RING_IDX prod = *(volatile XENCONS_RING_IDX *)&intf->in_prod;
    XENCONS_RING_IDX cons = intf->in_cons;
    size_t avail, n = 0;

    cons_rmb(); /* index before the data it covers */
    avail = (XENCONS_RING_IDX)(prod - cons);
    if (avail > IN_SIZE)
        return -EIO;
    while (n < len && n < avail)
        buf[n++] = intf->in[MASK_XENCONS_IDX(cons++, intf->in)];
    cons_mb(); /* finish reading before freeing the slots */
    intf->in_cons = cons;
    return (long)n;
}

int console_init(struct xencons_interface *intf, evtchn_port_t port)
{
    if (!intf)
        return -EINVAL;
    ring = intf;
    ring_port = port;
    return 0;
}

void console_resume(evtchn_port_t port)
{
    ring_port = port; /* same ring page (ours), the new domain's port */
}

void console_set_clock(uint64_t (*now_ns)(void))
{
    clock_ns = now_ns;
}

static void notify(void)
{
    struct evtchn_send send = {.port = ring_port};

    hypercall_event_channel_op(EVTCHNOP_send, &send);
}

/* A bounded wait: call with *state zeroed; false once the bound passed. */
struct wait_bound {
    uint64_t deadline;
    unsigned int spins;
};

static bool wait_more(struct wait_bound *w)
{
    if (clock_ns) {
        uint64_t now = clock_ns();

        if (w->deadline == 0)
            w->deadline = now + CONSOLE_WAIT_NS;
        else if (now >= w->deadline)
            return false;
    } else if (++w->spins > CONSOLE_WAIT_YIELDS) {
        return false;
    }
    /* Let dom0 (xenconsoled) run; we have nothing better to do. */
    hypercall_sched_op_yield();
    return true;
}

static long early_write(const char *buf, size_t len)
{
    int rc =
        hypercall_console_io(CONSOLEIO_write, (unsigned int)len, (char *)buf);

    return rc < 0 ? rc : (long)len;
}

long console_write(const char *buf, size_t len)
{
    struct wait_bound w = {0, 0};
    size_t done = 0;

    if (!ring)
        return early_write(buf, len);
    while (done < len) {
        long n = console_ring_write(ring, buf + done, len - done);

        if (n < 0)
            return done ? (long)done : n;
        done += (size_t)n;
        if (n > 0)
            notify();
        if (done < len && !wait_more(&w))
            return done ? (long)done : -ETIMEDOUT;
    }
    return (long)len;
}

long console_read(char *buf, size_t len)
{
    long n;

    if (!ring)
        return 0;
    n = console_ring_read(ring, buf, len);
    if (n > 0)
        notify(); /* room for more input */
    return n;
}

int console_flush(void)
{
    struct wait_bound w = {0, 0};

    if (!ring)
        return -ENODEV;
    notify();
    for (;;) {
        XENCONS_RING_IDX cons = *(volatile XENCONS_RING_IDX *)&ring->out_cons;

        if ((XENCONS_RING_IDX)(ring->out_prod - cons) > OUT_SIZE)
            return -EIO;
        if (cons == ring->out_prod)
            return 0;
        if (!wait_more(&w))
            return -ETIMEDOUT;
    }
}
