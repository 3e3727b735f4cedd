// SPDX-License-Identifier: MIT
/*
 * test/unit/pthread/pt_fixture.c - the fake Xen under the pthread tests
 * (see pt_fixture.h); the same construction as test/unit/test_sched.c.
 */
#include "pt_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <sanitizer/asan_interface.h>

#include "fake_hypercall.h"
#include "fake_shared_info.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/time.h"

#define REGION_PAGES 4096 /* 16 MiB: a few 256 KiB pthread stacks */

/*
 * Threads' stacks live in a heap block and the idle thread never
 * returns: LeakSanitizer's stop-the-world walk hangs on that (see
 * test_sched.c). Leaks of descriptors are checked by counters instead.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

static shared_info_t *s;
static void *region;
static uint64_t now_ns;

static void set_now(uint64_t ns)
{
    now_ns = ns;
    fake_xen_set_time(s, ns);
}

/* Xen while the guest is blocked: jump to the programmed timer. */
static void on_block(void *arg)
{
    (void)arg;
    /* Blocking with no timer in the future would hang forever. */
    assert_true(fake_hc.timer_deadline > now_ns);
    set_now(fake_hc.timer_deadline);
    fake_xen_raise(s, time_timer_port());
    s->vcpu_info[0].evtchn_upcall_mask = 0;
}

int pt_group_setup(void **state)
{
    (void)state;
    s = fake_shared_info_alloc();
    fake_hypercall_reset();
    fake_hc.on_block = on_block;
    if (evtchn_init(s, &s->vcpu_info[0]))
        return -1;
    set_now(1000000);
    if (time_init(s, &s->vcpu_info[0]))
        return -1;
    if (posix_memalign(&region, MM_PAGE_SIZE, REGION_PAGES * MM_PAGE_SIZE))
        return -1;
    if (mm_init(region, REGION_PAGES) || sched_init())
        return -1;
    evtchn_irq_enable();
    return 0;
}

int pt_group_teardown(void **state)
{
    (void)state;
    /* The reaper and idle threads live in region: nothing runs after. */
    free(region);
    fake_shared_info_free(s);
    return 0;
}

int pt_test_setup(void **state)
{
    (void)state;
    /*
     * A thread that ends by pthread_exit() never unwinds its frames, so
     * ASan's redzones stay in the shadow of its (freed) stack; the next
     * thread given those pages would trip over them in
     * __asan_handle_no_return. Between tests only idle and the reaper
     * live, both parked: forget the stale poison of the whole region.
     */
    __asan_unpoison_memory_region(region, REGION_PAGES * MM_PAGE_SIZE);
    return 0;
}

uint64_t pt_now(void)
{
    return time_monotonic_ns();
}

void pt_advance(uint64_t ns)
{
    set_now(now_ns + ns);
}

unsigned long pt_free_pages(void)
{
    struct mm_stats st;

    mm_stats(&st);
    return st.free_pages;
}

void pt_settle(void)
{
    /* Each yield lets every runnable thread run once. */
    for (int i = 0; i < 16; i++)
        sched_yield();
}
