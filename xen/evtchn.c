// SPDX-License-Identifier: MIT
/*
 * xen/evtchn.c - two-level event channels, upcall dispatch and the
 * vCPU event mask.
 *
 * Design: a single instance (one vCPU) holding the shared_info and
 * vcpu_info pointers from evtchn_init() and a flat handler table indexed
 * by port. Bits in shared_info are written concurrently by Xen, so every
 * read-modify-write on them is a locked atomic (__atomic builtins compile
 * to lock-prefixed instructions on x86). The upcall order follows
 * xen/include/public/xen.h ("evtchn_upcall_pending ... evtchn_pending_sel"):
 * clear evtchn_upcall_pending first, then xchg the selector, so an event
 * that lands during the scan re-raises the flag instead of being lost.
 * A forced callback (after unmask or re-enable) is a direct call of the
 * upcall body with events masked, as Mini-OS does; it needs no trap into
 * Xen because we are already on the vCPU that owns the events.
 * Storms: a backend that re-notifies faster than we handle must not keep
 * the vCPU in upcalls (the XSA-332 class of problem). Work per upcall is
 * bounded (UPCALL_MAX_ROUNDS scans, the same bound for a forced
 * callback), and each port may be dispatched at most EVTCHN_STORM_LIMIT
 * times per "epoch": the time between two evtchn_storm_tick() calls,
 * which the scheduler makes whenever a thread runs. A port over its limit
 * is masked with its event left pending, and the next tick - once
 * threads got the vCPU - unmasks it, which delivers the event again.
 * Reference: xen/include/public/event_channel.h.
 */
#include "xen/evtchn.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "xen/hypercall.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
/* Re-scan rounds per upcall before leaving the rest to the entry code. */
#define UPCALL_MAX_ROUNDS 16

struct evtchn_slot {
    evtchn_handler_t handler;
    void *arg;
    uint32_t epoch, count; /* dispatches in that epoch */
    bool throttled;        /* masked by us for a storm */
};

static struct {
    shared_info_t *s;
    struct vcpu_info *v;
    struct evtchn_slot slots[EVTCHN_NR_PORTS];
    struct evtchn_stats stats;
    uint32_t epoch;
    unsigned int nr_throttled;
    void (*cpu_mask)(bool masked); /* PVH: cli/sti; PV: NULL */
} ev;

static inline void compiler_barrier(void)
{
    __asm__ __volatile__("" ::: "memory");
}

static inline void word_set(xen_ulong_t *w, unsigned int bit)
{
    __atomic_fetch_or(w, (xen_ulong_t)1 << bit, __ATOMIC_SEQ_CST);
}

static inline void word_clear(xen_ulong_t *w, unsigned int bit)
{
    __atomic_fetch_and(w, ~((xen_ulong_t)1 << bit), __ATOMIC_SEQ_CST);
}

static inline bool word_test(const xen_ulong_t *w, unsigned int bit)
{
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit) & 1;
}

int evtchn_init(shared_info_t *s, struct vcpu_info *v)
{
    unsigned int i;

    if (!s || !v)
        return -EINVAL;
    ev.s = s;
    ev.v = v;
    memset(ev.slots, 0, sizeof(ev.slots));
    memset(&ev.stats, 0, sizeof(ev.stats));
    ev.nr_throttled = 0;
    /*
     * Mask every port: after a kexec-style restart or a resume, stale
     * bindings must not fire into handlers we no longer have.
     */
    for (i = 0; i < sizeof(s->evtchn_mask) / sizeof(s->evtchn_mask[0]); i++)
        __atomic_store_n(&s->evtchn_mask[i], ~(xen_ulong_t)0, __ATOMIC_SEQ_CST);
    return 0;
}

void evtchn_resume(void)
{
    struct evtchn_stats st = ev.stats; /* counters span the domain's life */

    if (ev.s)
        evtchn_init(ev.s, ev.v); /* same addresses, fresh state */
    ev.stats = st;
    ev.stats.bound = 0; /* every binding is gone */
}

int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg)
{
    unsigned long flags;

    if (port >= EVTCHN_NR_PORTS || !handler || !ev.s)
        return -EINVAL;
    flags = evtchn_irq_save();
    if (ev.slots[port].handler) {
        evtchn_irq_restore(flags);
        return -EBUSY;
    }
    ev.slots[port].arg = arg;
    ev.slots[port].handler = handler;
    ev.stats.bound++;
    evtchn_irq_restore(flags);
    evtchn_unmask(port);
    return 0;
}

void evtchn_unbind(evtchn_port_t port)
{
    unsigned long flags;

    if (port >= EVTCHN_NR_PORTS || !ev.s)
        return;
    evtchn_mask(port);
    flags = evtchn_irq_save();
    if (ev.slots[port].handler && ev.stats.bound)
        ev.stats.bound--;
    ev.slots[port].handler = NULL;
    ev.slots[port].arg = NULL;
    evtchn_irq_restore(flags);
}

/* ---- EVTCHNOP_* ---- */

int evtchn_bind_virq(uint32_t virq, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = {.virq = virq, .vcpu = 0};
    int rc;

    if (!port)
        return -EINVAL;
    rc = hypercall_event_channel_op(EVTCHNOP_bind_virq, &op);
    if (rc)
        return rc;
    if (op.port >= EVTCHN_NR_PORTS)
        return -EIO;
    *port = op.port;
    return 0;
}

int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};
    int rc;

    if (!port)
        return -EINVAL;
    rc = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    if (rc)
        return rc;
    if (op.port >= EVTCHN_NR_PORTS)
        return -EIO;
    *port = op.port;
    return 0;
}

int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                            evtchn_port_t *local)
{
    struct evtchn_bind_interdomain op = {.remote_dom = remote,
                                         .remote_port = remote_port};
    int rc;

    if (!local)
        return -EINVAL;
    rc = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &op);
    if (rc)
        return rc;
    if (op.local_port >= EVTCHN_NR_PORTS)
        return -EIO;
    *local = op.local_port;
    return 0;
}

int evtchn_open_unbound(domid_t remote, evtchn_handler_t handler, void *arg,
                        evtchn_port_t *port)
{
    int rc = evtchn_alloc_unbound(remote, port);

    if (rc < 0)
        return rc;
    rc = evtchn_bind(*port, handler, arg);
    if (rc < 0)
        evtchn_close(*port);
    return rc;
}

int evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = {.port = port};

    if (port >= EVTCHN_NR_PORTS)
        return -EINVAL;
    return hypercall_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = {.port = port};

    if (port >= EVTCHN_NR_PORTS)
        return -EINVAL;
    evtchn_unbind(port);
    return hypercall_event_channel_op(EVTCHNOP_close, &op);
}

/* ---- masks ---- */

void evtchn_mask(evtchn_port_t port)
{
    if (port >= EVTCHN_NR_PORTS || !ev.s)
        return;
    word_set(&ev.s->evtchn_mask[port / BITS_PER_WORD], port % BITS_PER_WORD);
}

/* Deliver whatever is pending, events masked, until nothing is left. */
static void force_callback(void)
{
    /* Bounded like an upcall: what is still pending after that waits for
     * the next event delivery or unmask. */
    for (unsigned int round = 0;
         round < UPCALL_MAX_ROUNDS &&
         __atomic_load_n(&ev.v->evtchn_upcall_pending, __ATOMIC_SEQ_CST);
         round++) {
        ev.v->evtchn_upcall_mask = 1;
        compiler_barrier();
        evtchn_do_upcall(NULL);
        compiler_barrier();
        ev.v->evtchn_upcall_mask = 0;
        compiler_barrier();
    }
}

void evtchn_unmask(evtchn_port_t port)
{
    unsigned int word = port / BITS_PER_WORD, bit = port % BITS_PER_WORD;

    if (port >= EVTCHN_NR_PORTS || !ev.s)
        return;
    word_clear(&ev.s->evtchn_mask[word], bit);
    /*
     * The edge was dropped if the port became pending while masked: Xen
     * set the pending bit but neither the selector nor the upcall flag.
     * Raise them ourselves (the same steps Xen's EVTCHNOP_unmask does).
     */
    if (word_test(&ev.s->evtchn_pending[word], bit)) {
        word_set(&ev.v->evtchn_pending_sel, word);
        __atomic_store_n(&ev.v->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
        /* Enabled: deliver now, masked like any upcall (the restore runs
         * force_callback() and gives the CPU half back). */
        if (!ev.v->evtchn_upcall_mask)
            evtchn_irq_restore(evtchn_irq_save());
    }
}

void evtchn_clear(evtchn_port_t port)
{
    if (port >= EVTCHN_NR_PORTS || !ev.s)
        return;
    word_clear(&ev.s->evtchn_pending[port / BITS_PER_WORD],
               port % BITS_PER_WORD);
}

bool evtchn_is_pending(evtchn_port_t port)
{
    if (port >= EVTCHN_NR_PORTS || !ev.s)
        return false;
    return word_test(&ev.s->evtchn_pending[port / BITS_PER_WORD],
                     port % BITS_PER_WORD);
}

bool evtchn_is_masked(evtchn_port_t port)
{
    if (port >= EVTCHN_NR_PORTS || !ev.s)
        return true;
    return word_test(&ev.s->evtchn_mask[port / BITS_PER_WORD],
                     port % BITS_PER_WORD);
}

void evtchn_upcall_state(bool *pending, bool *masked)
{
    *pending = ev.v && __atomic_load_n(&ev.v->evtchn_upcall_pending,
                                       __ATOMIC_SEQ_CST);
    *masked = !ev.v || ev.v->evtchn_upcall_mask;
}

/* ---- upcall ---- */

static void dispatch_word(unsigned int word)
{
    xen_ulong_t bits;

    bits = __atomic_load_n(&ev.s->evtchn_pending[word], __ATOMIC_SEQ_CST) &
           ~__atomic_load_n(&ev.s->evtchn_mask[word], __ATOMIC_SEQ_CST);
    while (bits) {
        unsigned int bit = (unsigned int)__builtin_ctzl(bits);
        evtchn_port_t port = word * BITS_PER_WORD + bit;
        struct evtchn_slot *slot = &ev.slots[port];

        bits &= bits - 1;
        if (slot->epoch != ev.epoch) {
            slot->epoch = ev.epoch;
            slot->count = 0;
        }
        if (++slot->count > EVTCHN_STORM_LIMIT) {
            /* A storm: mask, keep it pending, let threads run first. */
            word_set(&ev.s->evtchn_mask[word], bit);
            if (!slot->throttled) {
                slot->throttled = true;
                ev.nr_throttled++;
                ev.stats.throttled++;
            }
            continue;
        }
        /*
         * Clear before calling, so an event raised while the handler runs
         * sets the bit again and is seen on the next scan.
         */
        word_clear(&ev.s->evtchn_pending[word], bit);
        if (slot->handler) {
            ev.stats.dispatched++;
            slot->handler(port, slot->arg);
        } else {
            ev.stats.spurious++;
        }
    }
}

void evtchn_do_upcall(void *regs)
{
    unsigned int round;

    (void)regs;
    if (!ev.s)
        return;
    for (round = 0; round < UPCALL_MAX_ROUNDS; round++) {
        xen_ulong_t sel;

        if (!__atomic_load_n(&ev.v->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
            break;
        /* Clear the flag BEFORE taking the selector (see file comment). */
        __atomic_store_n(&ev.v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
        sel =
            __atomic_exchange_n(&ev.v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned int word = (unsigned int)__builtin_ctzl(sel);

            sel &= sel - 1;
            dispatch_word(word);
        }
    }
}

/* ---- vCPU event mask ---- */

unsigned long evtchn_irq_save(void)
{
    unsigned long old;

    if (!ev.v)
        return 1;
    if (ev.cpu_mask)
        ev.cpu_mask(true); /* first: no vector between the read and the set */
    old = ev.v->evtchn_upcall_mask;
    ev.v->evtchn_upcall_mask = 1;
    compiler_barrier();
    return old;
}

void evtchn_irq_restore(unsigned long flags)
{
    if (!ev.v)
        return;
    compiler_barrier();
    if (flags) {
        ev.v->evtchn_upcall_mask = 1;
        return;
    }
    ev.v->evtchn_upcall_mask = 0;
    /*
     * Xen only delivers an upcall on the 1->0 transition if we trap into
     * it; anything that became pending while masked is handled here.
     */
    compiler_barrier();
    if (__atomic_load_n(&ev.v->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
        force_callback();
    /* Last: what arrives from here on comes as a vector (PVH). */
    if (ev.cpu_mask)
        ev.cpu_mask(false);
}

void evtchn_set_cpu_mask(void (*fn)(bool masked))
{
    ev.cpu_mask = fn;
}

void evtchn_irq_enable(void)
{
    evtchn_irq_restore(0);
}

void evtchn_irq_disable(void)
{
    (void)evtchn_irq_save();
}

bool evtchn_irqs_disabled(void)
{
    return !ev.v || ev.v->evtchn_upcall_mask;
}

void evtchn_storm_tick(void)
{
    unsigned long flags = evtchn_irq_save();

    ev.epoch++;
    if (ev.nr_throttled) {
        ev.nr_throttled = 0;
        for (evtchn_port_t p = 0; p < EVTCHN_NR_PORTS; p++) {
            if (!ev.slots[p].throttled)
                continue;
            ev.slots[p].throttled = false;
            if (ev.slots[p].handler)
                evtchn_unmask(p); /* re-delivers what is pending */
        }
    }
    evtchn_irq_restore(flags);
}

void evtchn_get_stats(struct evtchn_stats *st)
{
    *st = ev.stats;
}
