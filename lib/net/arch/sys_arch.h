// SPDX-License-Identifier: MIT
/*
 * lib/net/arch/sys_arch.h - lwIP's OS abstraction types on xenith.
 *
 * Semaphores, mutexes, mailboxes and threads are handles to objects that
 * lib/net/sys_arch.c builds from the scheduler's wait queues, mutexes
 * and threads. Design choice: opaque pointers (NULL = invalid), so the
 * lwIP headers that apps include never pull in kernel headers, and
 * lwIP's "valid"/"set_invalid" tests are plain pointer checks.
 * Reference: lwIP src/include/lwip/sys.h (the contract).
 */
#ifndef NET_ARCH_SYS_ARCH_H
#define NET_ARCH_SYS_ARCH_H

#include <stddef.h>

struct sys_sem;
struct sys_mutex;
struct sys_mbox;
struct sched_thread;

typedef struct sys_sem *sys_sem_t;
typedef struct sys_mutex *sys_mutex_t;
typedef struct sys_mbox *sys_mbox_t;
typedef struct sched_thread *sys_thread_t;
typedef unsigned long sys_prot_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL  NULL

#define sys_sem_valid(s)            ((s) != NULL && *(s) != NULL)
#define sys_sem_valid_val(s)        ((s) != NULL)
#define sys_sem_set_invalid(s)      (*(s) = NULL)
#define sys_sem_set_invalid_val(s)  ((s) = NULL)
#define sys_mutex_valid(m)          ((m) != NULL && *(m) != NULL)
#define sys_mutex_set_invalid(m)    (*(m) = NULL)
#define sys_mbox_valid(m)           ((m) != NULL && *(m) != NULL)
#define sys_mbox_valid_val(m)       ((m) != NULL)
#define sys_mbox_set_invalid(m)     (*(m) = NULL)
#define sys_mbox_set_invalid_val(m) ((m) = NULL)

#endif /* NET_ARCH_SYS_ARCH_H */
