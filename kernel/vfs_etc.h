// SPDX-License-Identifier: MIT
/*
 * kernel/vfs_etc.h - default /etc files of the root (kernel/vfs_etc.c).
 */
#ifndef KERNEL_VFS_ETC_H
#define KERNEL_VFS_ETC_H

#include <stddef.h>

#include "kernel/vfs.h"

#define VFS_ETC_RESOLV_MAX 256

/*
 * Add /etc/hosts, /etc/resolv.conf, /etc/services and /etc/protocols to
 * fs where missing (the kernel's own change: fs may be read-only).
 * cmdline is the kernel command line (dns=). 0 or -errno.
 */
int vfs_etc_defaults(struct vfs_fs *fs, const char *cmdline);

/*
 * resolv.conf text for the last dns=A[,B...] word of cmdline into buf:
 * the number of servers (0: no dns=), -EINVAL (not dotted quads),
 * -ENOSPC (does not fit size).
 */
int vfs_etc_resolv(const char *cmdline, char *buf, size_t size);

#endif /* KERNEL_VFS_ETC_H */
