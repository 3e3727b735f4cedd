// SPDX-License-Identifier: MIT
/*
 * xen/console.c - PV console ring writer and reader.
 *
 * Free-running 32-bit indices, masked by the ring size (a power of two),
 * as io/console.h defines. We are the producer of `out` and the consumer
 * of `in`; xenconsoled is the other side. Barrier pairing: read the
 * peer's index, rmb, touch data, wmb, publish our index; the final notify
 * tells xenconsoled. Design choice: writers never wait. What does not fit
 * the ring goes into a bounded buffer (CONSOLE_BUF_SIZE), drained into
 * the ring by the next write, by console_drain() (the kernel's console
 * thread, woken by xenconsoled's event) and by console_flush(); when even
 * the buffer is full the bytes are dropped and counted, and a line says
 * how many once the buffer drains. A stalled or dead xenconsoled thus
 * costs lost output, never the domain's time. Only console_flush() waits
 * (yielding the vCPU to Xen, bounded), for the shutdown and crash paths.
 * Only xen/hypercall.h is used, so a host test can link the fake
 * hypercalls and play xenconsoled.
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

/* Bytes waiting for room in the ring (circular), and what was dropped. */
static char cbuf[CONSOLE_BUF_SIZE];
static size_t cb_head, cb_len;
static unsigned long dropped, dropped_told;
static unsigned long (*lock_save)(void);
static void (*lock_restore)(unsigned long);

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
    cb_head = cb_len = 0;
    dropped = dropped_told = 0;
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

void console_set_lock(unsigned long (*save)(void),
                      void (*restore)(unsigned long))
{
    lock_save = save;
    lock_restore = restore;
}

static unsigned long lock(void)
{
    return lock_save ? lock_save() : 0;
}

static void unlock(unsigned long flags)
{
    if (lock_restore)
        lock_restore(flags);
}

unsigned long console_dropped(void)
{
    return dropped;
}

size_t console_buffered(void)
{
    return cb_len;
}

/* "N" in decimal into p (no libc: host tests and early boot alike). */
static size_t put_ulong(char *p, unsigned long v)
{
    char tmp[24];
    size_t n = 0, k = 0;

    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        p[k++] = tmp[--n];
    return k;
}

/* Buffer -> ring, as far as it fits (lock held); true when it moved. */
static bool drain_locked(void)
{
    bool moved = false;

    while (cb_len) {
        size_t start = cb_head, chunk = CONSOLE_BUF_SIZE - start;
        long n;

        if (chunk > cb_len)
            chunk = cb_len;
        n = console_ring_write(ring, cbuf + start, chunk);
        if (n <= 0)
            break;
        moved = true;
        cb_head = (cb_head + (size_t)n) % CONSOLE_BUF_SIZE;
        cb_len -= (size_t)n;
        if ((size_t)n < chunk)
            break;
    }
    if (cb_len == 0 && dropped != dropped_told) {
        static const char a[] = "[xenith] console: ",
                          b[] =
                              " bytes dropped (xenconsoled did not keep up)\n";
        char line[96];
        size_t k = 0;

        for (size_t i = 0; i < sizeof(a) - 1; i++)
            line[k++] = a[i];
        k += put_ulong(line + k, dropped - dropped_told);
        for (size_t i = 0; i < sizeof(b) - 1; i++)
            line[k++] = b[i];
        if (console_ring_write(ring, line, k) == (long)k) {
            dropped_told = dropped;
            moved = true;
        }
    }
    return moved;
}

long console_write(const char *buf, size_t len)
{
    unsigned long flags;
    size_t done = 0, take;
    bool moved;

    if (!ring)
        return early_write(buf, len);
    flags = lock();
    moved = drain_locked();
    /* Straight into the ring only when nothing older is waiting. */
    if (cb_len == 0) {
        long n = console_ring_write(ring, buf, len);

        if (n < 0) {
            unlock(flags);
            return n;
        }
        done = (size_t)n;
        moved |= n > 0;
    }
    take = len - done;
    if (take > CONSOLE_BUF_SIZE - cb_len)
        take = CONSOLE_BUF_SIZE - cb_len;
    for (size_t i = 0; i < take; i++)
        cbuf[(cb_head + cb_len + i) % CONSOLE_BUF_SIZE] = buf[done + i];
    cb_len += take;
    dropped += len - done - take;
    unlock(flags);
    if (moved)
        notify();
    return (long)len;
}

void console_drain(void)
{
    unsigned long flags;
    bool moved;

    if (!ring)
        return;
    flags = lock();
    moved = drain_locked();
    unlock(flags);
    if (moved)
        notify();
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
        XENCONS_RING_IDX cons;

        console_drain();
        cons = *(volatile XENCONS_RING_IDX *)&ring->out_cons;
        if ((XENCONS_RING_IDX)(ring->out_prod - cons) > OUT_SIZE)
            return -EIO;
        if (cons == ring->out_prod && cb_len == 0)
            return 0;
        if (!wait_more(&w))
            return -ETIMEDOUT;
    }
}
