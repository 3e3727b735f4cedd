// SPDX-License-Identifier: MIT
/*
 * include/sys/mman.h - memory mappings for xenith apps.
 *
 * newlib has no <sys/mman.h>. lib/mman.c implements the two mappings a
 * single-address-space unikernel can honour without page-table tricks:
 * private anonymous memory (zeroed, page aligned) and read-only (or
 * private copy-on-map) mappings of files, whose bytes are copied from
 * the file when mmap() is called (later writes to the file are not
 * seen; past the end of the file the pages read as zeros). Refused:
 * MAP_FIXED (EINVAL), PROT_EXEC (ENOTSUP: the heap is never executable),
 * MAP_SHARED with PROT_WRITE on a file (ENOTSUP), descriptors that are
 * not files (ENODEV). munmap() takes whole mappings only (EINVAL
 * otherwise). Values are Linux's. Reference: POSIX.1-2017 <sys/mman.h>.
 */
#ifndef INCLUDE_SYS_MMAN_H
#define INCLUDE_SYS_MMAN_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <sys/mman.h>
#else

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON      MAP_ANONYMOUS

#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */

#endif /* INCLUDE_SYS_MMAN_H */
