// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_arch.h - counters of the fake arch guard-page calls.
 */
#ifndef TEST_FAKES_FAKE_ARCH_H
#define TEST_FAKES_FAKE_ARCH_H

extern unsigned int fake_arch_guarded;
extern unsigned int fake_arch_guard_calls;

#endif /* TEST_FAKES_FAKE_ARCH_H */
