// SPDX-License-Identifier: MIT
/*
 * kernel/panic.h - fatal errors in our own invariants.
 *
 * panic() is for bugs in xenith itself, never for what another domain
 * wrote (that marks a device broken instead). It prints a report in the
 * crash format ("[xenith] CRASH: panic: ...", the current thread and a
 * symbolised backtrace), drains the console and crashes the domain.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void
panic(const char *fmt, ...);

#endif /* KERNEL_PANIC_H */
