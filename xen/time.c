// SPDX-License-Identifier: MIT
/*
 * xen/time.c - pvclock, wallclock and the one-shot timer for x86_64 PV.
 *
 * Design: pvclock_ns() is the formula from xen/include/public/xen.h done
 * with a 64x64->128 multiply by inline mulq (no libgcc helper, which would
 * touch the red zone in guest code); the seqlock readers follow the
 * read_seqbegin/read_seqretry pattern the header asks for. The timer VIRQ
 * handler does nothing but exist: the tick's job is to end SCHEDOP_block,
 * and the scheduler checks its timer list when it runs again. Uptime
 * (time_uptime_ns) is the same clock minus its reading at time_init(),
 * so it shares its monotonicity and needs no second clock source.
 */
#include "xen/time.h"

#include <errno.h>
#include <stddef.h>

#include "xen/evtchn.h"
#include "xen/hypercall.h"

static inline void read_barrier(void)
{
    /* x86 loads are not reordered with other loads: a compiler barrier. */
    __asm__ __volatile__("" ::: "memory");
}

/* (a * b) >> 32 without losing the high bits of the 96-bit product. */
static inline uint64_t mul_shr32(uint64_t a, uint32_t b)
{
#if defined(__x86_64__)
    uint64_t lo, hi;

    __asm__("mulq %3" : "=a"(lo), "=d"(hi) : "0"(a), "rm"((uint64_t)b));
    return (hi << 32) | (lo >> 32);
#else
    return (uint64_t)(((unsigned __int128)a * b) >> 32);
#endif
}

uint64_t pvclock_ns(const struct vcpu_time_info *t, uint64_t tsc)
{
    /* Unsigned subtraction: correct across a TSC wraparound. */
    uint64_t delta = tsc - t->tsc_timestamp;
    int shift = t->tsc_shift;

    if (shift < 0)
        delta >>= (unsigned int)-shift;
    else
        delta <<= (unsigned int)shift;
    return t->system_time + mul_shr32(delta, t->tsc_to_system_mul);
}

uint64_t pvclock_read_ns(const volatile struct vcpu_time_info *t,
                         uint64_t (*read_tsc)(void))
{
    struct vcpu_time_info snap;
    uint32_t version;
    uint64_t tsc;

    /*
     * The TSC is read inside the section (so it is consistent with the
     * fields) and the odd test comes after it, as Linux's pvclock does:
     * one shape of loop for both "update in progress" and "update raced".
     */
    do {
        version = t->version;
        read_barrier();
        snap.tsc_timestamp = t->tsc_timestamp;
        snap.system_time = t->system_time;
        snap.tsc_to_system_mul = t->tsc_to_system_mul;
        snap.tsc_shift = t->tsc_shift;
        tsc = read_tsc();
        read_barrier();
    } while ((version & 1) || t->version != version);
    return pvclock_ns(&snap, tsc);
}

void pvclock_wallclock_base(const volatile shared_info_t *s, uint64_t *sec,
                            uint32_t *nsec)
{
    uint32_t version, lo, hi, ns;

    for (;;) {
        version = s->wc_version;
        read_barrier();
        if (version & 1)
            continue;
        lo = s->wc_sec;
        ns = s->wc_nsec;
        hi = s->wc_sec_hi;
        read_barrier();
        if (s->wc_version == version)
            break;
    }
    *sec = ((uint64_t)hi << 32) | lo;
    *nsec = ns;
}

void pvclock_wall_add(uint64_t base_sec, uint32_t base_nsec, uint64_t ns,
                      uint64_t *sec, uint32_t *nsec)
{
    /* Division by a constant compiles to a multiply, no libgcc call. */
    uint64_t total_ns = (uint64_t)base_nsec + ns % 1000000000u;

    *sec = base_sec + ns / 1000000000u + total_ns / 1000000000u;
    *nsec = (uint32_t)(total_ns % 1000000000u);
}

/* ---- the running vCPU ---- */

static struct {
    shared_info_t *s;
    struct vcpu_info *v;
    uint64_t last_ns;
    uint64_t boot_ns; /* time_monotonic_ns() at time_init() */
    /* Kernel time = Xen system time + offset: a restored domain runs on
     * another clock (another host, or the same one later), and kernel
     * time must neither go back nor jump by the time spent saved. */
    int64_t offset;
    uint64_t suspended_at; /* kernel time at time_suspend() */
    evtchn_port_t timer_port;
    uint64_t ticks;
} tm;

uint64_t time_read_tsc(void)
{
    uint32_t lo, hi;

    /* lfence keeps rdtsc from executing before earlier loads. */
    __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static void timer_virq(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    tm.ticks++;
}

int time_init(shared_info_t *s, struct vcpu_info *v)
{
    evtchn_port_t port;
    int rc;

    if (!s || !v)
        return -EINVAL;
    tm.s = s;
    tm.v = v;
    tm.last_ns = 0;
    /* The uptime epoch: Xen's clock counts from the host's boot, which
     * says nothing about how long this domain has run. */
    tm.boot_ns = time_monotonic_ns();
    rc = evtchn_bind_virq(VIRQ_TIMER, &port);
    if (rc)
        return rc;
    tm.timer_port = port;
    return evtchn_bind(port, timer_virq, NULL);
}

uint64_t time_monotonic_ns(void)
{
    uint64_t now;

    if (!tm.v)
        return 0;
    now = pvclock_read_ns(&tm.v->time, time_read_tsc) + (uint64_t)tm.offset;
    /*
     * Successive Xen updates may be off by a few ns against the
     * extrapolation from the previous one: never report going backwards.
     */
    if (now < tm.last_ns)
        return tm.last_ns;
    tm.last_ns = now;
    return now;
}

uint64_t time_uptime_ns(void)
{
    /* time_monotonic_ns() never goes below the value sampled at init. */
    return tm.v ? time_monotonic_ns() - tm.boot_ns : 0;
}

uint64_t time_boot_ns(void)
{
    return tm.boot_ns;
}

void time_wall(uint64_t *sec, uint32_t *nsec)
{
    uint64_t base_sec;
    uint32_t base_nsec;

    if (!tm.s) {
        *sec = 0;
        *nsec = 0;
        return;
    }
    pvclock_wallclock_base(tm.s, &base_sec, &base_nsec);
    /* Xen's wallclock base is against its own system time: raw. */
    pvclock_wall_add(base_sec, base_nsec,
                     time_monotonic_ns() - (uint64_t)tm.offset, sec, nsec);
}

int time_set_timer(uint64_t deadline_ns)
{
    uint64_t raw = deadline_ns - (uint64_t)tm.offset;

    /* A deadline before the raw clock's origin is simply "now". */
    if (tm.offset > 0 && deadline_ns < (uint64_t)tm.offset)
        raw = 1;
    return hypercall_set_timer_op(raw);
}

void time_suspend(void)
{
    tm.suspended_at = time_monotonic_ns();
}

int time_resume(bool cancelled)
{
    uint64_t raw = pvclock_read_ns(&tm.v->time, time_read_tsc);
    evtchn_port_t port;
    int rc;

    /* Continue from where we stopped, cancelled or not (a cancelled
     * suspend may have waited, too). */
    tm.offset = (int64_t)(tm.suspended_at - raw);
    tm.last_ns = tm.suspended_at;
    if (cancelled)
        return 0;
    /* A new domain: the timer VIRQ needs a port again. */
    rc = evtchn_bind_virq(VIRQ_TIMER, &port);
    if (rc)
        return rc;
    tm.timer_port = port;
    return evtchn_bind(port, timer_virq, NULL);
}

evtchn_port_t time_timer_port(void)
{
    return tm.timer_port;
}
