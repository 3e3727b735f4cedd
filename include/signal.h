// SPDX-License-Identifier: MIT
/*
 * include/signal.h - newlib's <signal.h> plus the sigaction flags it
 * leaves out for this target (compatibility header).
 *
 * newlib's generic struct sigaction has sa_flags but defines only
 * SA_NOCLDSTOP, so ported code that writes `sa.sa_flags = SA_RESTART`
 * would not compile. The values are Linux's. What they mean in xenith
 * (lib/signal.c): SA_NODEFER and SA_RESETHAND act as POSIX says;
 * SA_RESTART, SA_ONSTACK and SA_NOCLDWAIT are accepted and change
 * nothing (no call is ever interrupted by a signal, there is no
 * alternate stack and no child). SA_SIGINFO is not offered: newlib's
 * struct has no sa_sigaction. Reference: POSIX.1-2017 <signal.h>.
 */
#ifndef INCLUDE_SIGNAL_H
#define INCLUDE_SIGNAL_H

#include_next <signal.h>

#ifdef XENITH_GUEST
#ifndef SA_NOCLDWAIT
#define SA_NOCLDWAIT 0x00000002
#endif
#ifndef SA_ONSTACK
#define SA_ONSTACK 0x08000000
#endif
#ifndef SA_RESTART
#define SA_RESTART 0x10000000
#endif
#ifndef SA_NODEFER
#define SA_NODEFER 0x40000000
#endif
#ifndef SA_RESETHAND
#define SA_RESETHAND ((int)0x80000000u)
#endif
#endif /* XENITH_GUEST */

#endif /* INCLUDE_SIGNAL_H */
