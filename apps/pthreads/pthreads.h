// SPDX-License-Identifier: MIT
/*
 * apps/pthreads/pthreads.h - shared check helper of the pthreads app.
 */
#ifndef APPS_PTHREADS_PTHREADS_H
#define APPS_PTHREADS_PTHREADS_H

#include <stdint.h>

/* Count a failed check and print it; returns cond. */
int check(int cond, const char *what);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t mono_ns(void);
/* The process and system calls part (sys.c); 0 or failures. */
void sys_checks(void);

#endif /* APPS_PTHREADS_PTHREADS_H */
