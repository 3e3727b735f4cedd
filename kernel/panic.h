// SPDX-License-Identifier: MIT
/*
 * kernel/panic.h - how the domain ends: panic() for fatal errors in our
 * own invariants, the crash reporter's console hooks, and xn_shutdown()
 * (include/xenith.h), in one module that the bring-up (kernel/main.c),
 * the libc shim (lib/syscalls.c) and the arch crash path all depend on,
 * and which depends on none of them.
 *
 * panic() is for bugs in xenith itself, never for what another domain
 * wrote (that marks a device broken instead). It prints a report in the
 * crash format ("[xenith] CRASH: panic: ...", the current thread and a
 * symbolised backtrace), drains the console and crashes the domain.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
                                                           ...);

/* Route arch/'s crash reports through the console (after console_init),
 * naming the current thread. */
void panic_init(void);

/*
 * Seed the stack protector's guard (-fstack-protector-strong with a
 * global guard, __stack_chk_guard) from RDRAND, else from the TSC mixed
 * with entropy (documented weak fallback). First thing at boot: no
 * protected frame may be live. A smashed canary panics.
 */
void panic_guard_seed(const void *entropy);

/* "rdrand", "tsc" or "built-in": where the guard came from. */
const char *panic_guard_source(void);

#endif /* KERNEL_PANIC_H */
