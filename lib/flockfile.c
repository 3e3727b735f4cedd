// SPDX-License-Identifier: MIT
/*
 * lib/flockfile.c - POSIX stdio stream locks: flockfile, ftrylockfile,
 * funlockfile (newlib declares them but builds none for this target).
 *
 * Each FILE carries newlib's own recursive lock (_lock, one of the
 * retargetable locks of kernel/sched_newlib.c), the one every stdio call
 * takes, so holding it keeps other threads' printf()s out of a sequence
 * of writes, as POSIX wants. fileno() first makes newlib set the stream
 * up (the standard streams get their lock on first use). String streams
 * (sprintf) have no lock. Announced by _POSIX_THREAD_SAFE_FUNCTIONS.
 * Reference: POSIX.1-2017 flockfile; newlib's stdio/local.h
 * (_newlib_flockfile_start).
 */
#include <stdio.h>
#include <sys/lock.h>

void flockfile(FILE *fp)
{
    (void)fileno(fp); /* initialises the stream and its lock */
    if (!(fp->_flags & __SSTR))
        __lock_acquire_recursive(fp->_lock);
}

int ftrylockfile(FILE *fp)
{
    (void)fileno(fp);
    if (fp->_flags & __SSTR)
        return 0;
    return __lock_try_acquire_recursive(fp->_lock) ? 0 : -1;
}

void funlockfile(FILE *fp)
{
    if (!(fp->_flags & __SSTR))
        __lock_release_recursive(fp->_lock);
}
