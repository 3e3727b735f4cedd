// SPDX-License-Identifier: MIT
/*
 * include/sys/utsname.h - uname() for xenith apps (compatibility header:
 * newlib has none for this target).
 *
 * lib/sysinfo.c fills it with fixed values: sysname "xenith", nodename
 * the host name (gethostname/sethostname, default "xenith"), release the
 * xenith version, version "Xen PV unikernel", machine "x86_64". The
 * field size is Linux's (65), which programs that copy fields assume.
 * Reference: POSIX.1-2017 <sys/utsname.h>.
 */
#ifndef INCLUDE_SYS_UTSNAME_H
#define INCLUDE_SYS_UTSNAME_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <sys/utsname.h>
#else

#ifdef __cplusplus
extern "C" {
#endif

#define _UTSNAME_LENGTH 65

struct utsname {
    char sysname[_UTSNAME_LENGTH];
    char nodename[_UTSNAME_LENGTH];
    char release[_UTSNAME_LENGTH];
    char version[_UTSNAME_LENGTH];
    char machine[_UTSNAME_LENGTH];
};

int uname(struct utsname *buf);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */
#endif /* INCLUDE_SYS_UTSNAME_H */
