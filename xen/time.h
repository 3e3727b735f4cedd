// SPDX-License-Identifier: MIT
/*
 * xen/time.h - Xen pvclock, wallclock and the one-shot timer.
 *
 * Xen publishes per-vCPU time as (tsc_timestamp, system_time, mul, shift)
 * in vcpu_info.time and the boot wallclock in shared_info; both are
 * seqlocks (odd version = update in progress). Design choice: the math
 * and the seqlock reads are pure functions over the Xen structures, with
 * the TSC reader passed in, so host tests can play Xen (including an
 * update racing with the read); time_* wraps them for the running vCPU.
 * Two scales: the kernel keeps Xen's system time (it counts from the
 * host's boot and is what set_timer_op takes), applications get uptime
 * (the same clock minus its value when this domain started).
 * Reference: xen/include/public/xen.h (struct vcpu_time_info,
 * struct shared_info wc_*), SCHEDOP/set_timer_op in xen.h.
 */
#ifndef XEN_TIME_H
#define XEN_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

/*
 * system_time + ((((tsc - tsc_timestamp) << tsc_shift) * mul) >> 32), with
 * a signed shift (negative shifts right), modulo-2^64 TSC delta and a full
 * 64x32 product (no overflow before the >> 32). Pure.
 */
uint64_t pvclock_ns(const struct vcpu_time_info *t, uint64_t tsc);

/*
 * Consistent nanoseconds from a live vcpu_time_info: the seqlock read
 * (version, fields and TSC, read barrier, version again; retry while odd
 * or changed). read_tsc is called inside the read section.
 */
uint64_t pvclock_read_ns(const volatile struct vcpu_time_info *t,
                         uint64_t (*read_tsc)(void));

/*
 * Wallclock at system time 0 from shared_info (wc_version seqlock,
 * wc_sec_hi for the upper 32 bits of seconds).
 */
void pvclock_wallclock_base(const volatile shared_info_t *s, uint64_t *sec,
                            uint32_t *nsec);

/*
 * Add ns nanoseconds of system time to a wallclock base; normalises nsec.
 */
void pvclock_wall_add(uint64_t base_sec, uint32_t base_nsec, uint64_t ns,
                      uint64_t *sec, uint32_t *nsec);

/* ---- the running vCPU ---- */

/*
 * Adopt shared_info s and vcpu_info v (the time area is v->time) and bind
 * VIRQ_TIMER to a handler that just acknowledges the tick: waking the
 * vCPU from SCHEDOP_block is all the scheduler needs. Requires
 * evtchn_init(). 0 or -errno.
 */
int time_init(shared_info_t *s, struct vcpu_info *v);

/*
 * Xen system time in nanoseconds (since the HOST booted); never goes
 * backwards. 0 before time_init(). The kernel's time base: timer
 * deadlines are absolute values of it (set_timer_op takes this scale).
 */
uint64_t time_monotonic_ns(void);

/*
 * Nanoseconds since this domain started: time_monotonic_ns() minus its
 * value sampled by time_init() (the first thing start_kernel() does once
 * the console works, a few ms after the domain's first instruction).
 * What applications see (xn_time_monotonic_ns, CLOCK_MONOTONIC, times);
 * never goes backwards. 0 before time_init().
 */
uint64_t time_uptime_ns(void);

/* time_monotonic_ns() at time_init(): uptime 0 on the kernel's scale. */
uint64_t time_boot_ns(void);

/* Current UTC wallclock. */
void time_wall(uint64_t *sec, uint32_t *nsec);

/*
 * Arm Xen's one-shot timer for absolute system time deadline_ns
 * (set_timer_op); 0 cancels. VIRQ_TIMER fires when it expires.
 */
int time_set_timer(uint64_t deadline_ns);

/* The TSC read used by time_monotonic_ns() (serialised rdtsc). */
uint64_t time_read_tsc(void);

/* Timer VIRQ port once bound, for diagnostics. */
evtchn_port_t time_timer_port(void);

/*
 * Suspend/resume: remember kernel time before the domain is saved; after
 * it runs again (restored, or the suspend cancelled) make kernel time go
 * on from that value - never backwards, never jumping by the time spent
 * saved - and, for a restored domain, bind the timer VIRQ again (call
 * after evtchn_resume()). 0 or -errno.
 */
void time_suspend(void);
int time_resume(bool cancelled);

#endif /* XEN_TIME_H */
