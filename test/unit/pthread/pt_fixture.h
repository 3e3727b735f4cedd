// SPDX-License-Identifier: MIT
/*
 * test/unit/pthread/pt_fixture.h - one real scheduler for a whole test
 * group, on a fake Xen: the pvclock is frozen and only moves when the
 * idle thread blocks (to the timer it programmed) or when a test calls
 * pt_advance() to play a thread that computes for a while.
 */
#ifndef TEST_UNIT_PTHREAD_PT_FIXTURE_H
#define TEST_UNIT_PTHREAD_PT_FIXTURE_H

#include <stdint.h>

/* cmocka group setup / teardown. */
int pt_group_setup(void **state);
int pt_group_teardown(void **state);
/* cmocka per-test setup: clears stale ASan poison of freed stacks. */
int pt_test_setup(void **state);

/* Xen system time (the kernel's scale) and the domain's uptime. */
uint64_t pt_now(void);
/* Move the fake clock forward by ns, as if the caller computed. */
void pt_advance(uint64_t ns);
/* Free pages of the kernel's page allocator. */
unsigned long pt_free_pages(void);
/* Let every runnable thread run until only the caller is left. */
void pt_settle(void);

#endif /* TEST_UNIT_PTHREAD_PT_FIXTURE_H */
