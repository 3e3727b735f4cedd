// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_sched_libc.h - counter of live fake libc areas
 * (0xdead after a bad or double release).
 */
#ifndef TEST_FAKES_FAKE_SCHED_LIBC_H
#define TEST_FAKES_FAKE_SCHED_LIBC_H

extern unsigned int fake_libc_live;

#endif /* TEST_FAKES_FAKE_SCHED_LIBC_H */
