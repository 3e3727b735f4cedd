// SPDX-License-Identifier: MIT
/*
 * test/unit/control/test_shutdown.c - host tests of kernel/shutdown.c:
 * xenith.shutdown_grace parsing, the xn_on_shutdown() hook table, the
 * orderly sequence (hooks newest first with the deadline, then exit(0))
 * and what _exit() then asks Xen for.
 *
 * The kernel services it uses are played here: sched_thread_create()
 * records the thread instead of switching to it (the test runs its
 * function, as the scheduler would once it is woken), wait queues count
 * waits and wakes, the clocks are variables, exit() is wrapped
 * (-Wl,--wrap) to jump back into the test, and xn_shutdown() too.
 * Reference: xen/include/public/sched.h (SHUTDOWN_*).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/sched.h"
#include "kernel/shutdown.h"

#define MS 1000000ULL

/* ---- the kernel, played ---- */

static uint64_t mono_ns = 1000 * MS, up_ns = 10 * MS;
static void (*thread_fn)(void *);
static void *thread_arg;
static bool thread_fails;
static jmp_buf back;
static int exit_status = -1;
static int shutdown_reason = -1;
static char console[2048];
static unsigned waits, wakes, creates;

uint64_t time_monotonic_ns(void);
uint64_t time_uptime_ns(void);
struct sched_thread *sched_thread_create(const char *name, void (*fn)(void *),
                                         void *arg, size_t stack_size);
long console_write(const char *buf, size_t len);
void __wrap_exit(int status);

void sched_waitq_init(struct sched_waitq *wq)
{
    memset(wq, 0, sizeof(*wq));
}

int sched_wait_locked(struct sched_waitq *wq, uint64_t deadline_ns)
{
    (void)wq;
    (void)deadline_ns;
    waits++;
    return 0;
}

void sched_wake_all(struct sched_waitq *wq)
{
    (void)wq;
    wakes++;
}

unsigned long evtchn_irq_save(void)
{
    return 0;
}

void evtchn_irq_restore(unsigned long flags)
{
    (void)flags;
}

uint64_t time_monotonic_ns(void)
{
    return mono_ns;
}

uint64_t time_uptime_ns(void)
{
    return up_ns;
}

struct sched_thread *sched_thread_create(const char *name, void (*fn)(void *),
                                         void *arg, size_t stack_size)
{
    static char dummy;

    (void)stack_size;
    assert_string_equal(name, "shutdown");
    creates++;
    if (thread_fails)
        return NULL;
    thread_fn = fn;
    thread_arg = arg;
    return (struct sched_thread *)&dummy;
}

long console_write(const char *buf, size_t len)
{
    size_t used = strlen(console);

    if (used + len < sizeof(console)) {
        memcpy(console + used, buf, len);
        console[used + len] = '\0';
    }
    return (long)len;
}

void __wrap_exit(int status)
{
    exit_status = status;
    longjmp(back, 1);
}

void xn_shutdown(enum xn_shutdown_reason reason)
{
    shutdown_reason = (int)reason;
    longjmp(back, 1);
}

/* ---- hooks ---- */

static char order[16];
static uint64_t seen_deadline;
static enum xn_shutdown_reason seen_reason;

static void hook(enum xn_shutdown_reason r, uint64_t deadline, void *arg)
{
    size_t n = strlen(order);

    order[n] = *(const char *)arg;
    order[n + 1] = '\0';
    seen_deadline = deadline;
    seen_reason = r;
}

static void grace_parse(void **state)
{
    (void)state;
    assert_int_equal(shutdown_grace_parse(NULL), SHUTDOWN_GRACE_DEFAULT_MS);
    assert_int_equal(shutdown_grace_parse("0"), 0);
    assert_int_equal(shutdown_grace_parse("2500"), 2500);
    assert_int_equal(shutdown_grace_parse("600000"), 600000);
    assert_int_equal(shutdown_grace_parse("600001"), -EINVAL);
    assert_int_equal(shutdown_grace_parse(""), -EINVAL);
    assert_int_equal(shutdown_grace_parse("5s"), -EINVAL);
    assert_int_equal(shutdown_grace_parse("-5"), -EINVAL);
    assert_int_equal(shutdown_grace_parse(" 5"), -EINVAL);
    assert_int_equal(shutdown_grace_parse("99999999999999999999999"), -EINVAL);
}

/*
 * One test walks the module's one-way life (it keeps global state, as
 * the kernel does: a domain shuts down once).
 */
static void lifecycle(void **state)
{
    static const char a = 'a', b = 'b', c = 'c';

    (void)state;
    assert_int_equal(shutdown_exit_reason(0), XN_SHUTDOWN_POWEROFF);
    assert_int_equal(shutdown_exit_reason(3), XN_SHUTDOWN_CRASH);
    assert_int_equal(shutdown_deadline(), 0);

    assert_int_equal(xn_on_shutdown(NULL, NULL), XN_ERR_INVAL);
    assert_int_equal(xn_on_shutdown(hook, (void *)&a), XN_OK);
    assert_int_equal(xn_on_shutdown(hook, (void *)&b), XN_OK);
    assert_int_equal(xn_on_shutdown(hook, (void *)&c), XN_OK);
    for (int i = 3; i < XN_SHUTDOWN_HOOKS_MAX; i++)
        assert_int_equal(xn_on_shutdown(hook, (void *)&c), XN_OK);
    assert_int_equal(xn_on_shutdown(hook, (void *)&a), XN_ERR_NOMEM);

    /* boot: the thread is created and parked before any shutdown */
    thread_fails = true;
    assert_int_equal(shutdown_prepare(), -ENOMEM);
    thread_fails = false;
    assert_int_equal(shutdown_prepare(), 0);
    assert_int_equal(shutdown_prepare(), 0); /* once only */
    assert_int_equal(creates, 2);
    assert_non_null(thread_fn);

    assert_int_equal(shutdown_begin(XN_SHUTDOWN_CRASH, 1), -EINVAL);
    assert_int_equal(wakes, 0);
    assert_int_equal(shutdown_begin(XN_SHUTDOWN_REBOOT, 2000 * MS), 0);
    assert_int_equal(wakes, 1);   /* the parked thread is woken... */
    assert_int_equal(creates, 2); /* ...no new one is needed */
    assert_int_equal(shutdown_begin(XN_SHUTDOWN_POWEROFF, 1), -EALREADY);
    assert_int_equal(xn_on_shutdown(hook, (void *)&a), XN_ERR_BUSY);
    assert_int_equal(shutdown_deadline(), mono_ns + 2000 * MS);
    assert_non_null(strstr(console, "[xenith] shutdown: reboot, 8 hook(s), "
                                    "grace 2000 ms"));
    /* 0 means reboot from now on; a failure still means crash */
    assert_int_equal(shutdown_exit_reason(0), XN_SHUTDOWN_REBOOT);
    assert_int_equal(shutdown_exit_reason(1), XN_SHUTDOWN_CRASH);

    /* the shutdown thread runs: started already, so it does not wait;
     * hooks newest first, app-scale deadline, then exit(0) */
    if (setjmp(back) == 0)
        thread_fn(thread_arg);
    assert_int_equal(waits, 0);
    assert_string_equal(order, "ccccccba");
    assert_int_equal(seen_deadline, up_ns + 2000 * MS);
    assert_int_equal(seen_reason, XN_SHUTDOWN_REBOOT);
    assert_int_equal(exit_status, 0);

    /* the watchdog: the grace ran out */
    if (setjmp(back) == 0)
        shutdown_overrun();
    assert_int_equal(shutdown_reason, XN_SHUTDOWN_REBOOT);
    assert_non_null(strstr(console, "grace of 2000 ms overran"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grace_parse),
        cmocka_unit_test(lifecycle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
