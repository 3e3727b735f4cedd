// SPDX-License-Identifier: MIT
/*
 * include/setjmp.h - newlib's <setjmp.h> plus the POSIX names it leaves
 * out for this target (compatibility header).
 *
 * newlib declares _setjmp/_longjmp and sigsetjmp/siglongjmp only for
 * Cygwin and RTEMS; Lua built with LUA_USE_POSIX (and other ported
 * code) uses them. They are the plain setjmp/longjmp here: POSIX's
 * _setjmp differs from setjmp only in not saving the signal mask, and
 * newlib's setjmp never saves it. So sigsetjmp(env, 1) does not save the
 * mask either: a siglongjmp out of a handler that changed the one
 * process-wide mask (lib/signal.c) leaves it changed. Reference:
 * POSIX.1-2017 <setjmp.h>.
 */
#ifndef INCLUDE_SETJMP_H
#define INCLUDE_SETJMP_H

#include_next <setjmp.h>

#ifdef XENITH_GUEST
#ifndef _setjmp
#define _setjmp(env) setjmp(env)
#endif
#ifndef _longjmp
#define _longjmp(env, val) longjmp((env), (val))
#endif
#if !defined(__CYGWIN__) && !defined(__rtems__)
typedef jmp_buf sigjmp_buf;
#define sigsetjmp(env, savemask) setjmp(env)
#define siglongjmp(env, val) longjmp((env), (val))
#endif
#endif /* XENITH_GUEST */

#endif /* INCLUDE_SETJMP_H */
