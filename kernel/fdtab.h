// SPDX-License-Identifier: MIT
/*
 * kernel/fdtab.h - descriptor ranges served by other modules.
 *
 * lib/syscalls.c owns descriptors 0-2 (the console); a module that
 * serves its own descriptors (lib/net: lwIP sockets from
 * LWIP_SOCKET_OFFSET) registers a range and its operations here at start
 * time, and read/write/close/fstat/isatty/fcntl/lseek on those
 * descriptors are forwarded. Design choice: registration at run time
 * instead of direct calls, so lib/syscalls.c references no socket code
 * and images without sockets do not link lwIP. Operations follow POSIX:
 * -1 with errno set on failure.
 */
#ifndef KERNEL_FDTAB_H
#define KERNEL_FDTAB_H

#include <sys/stat.h>
#include <sys/types.h>

struct fdtab_ops {
    ssize_t (*read)(int fd, void *buf, size_t len);
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*close)(int fd);
    int (*fstat)(int fd, struct stat *st);
    int (*fcntl)(int fd, int cmd, int arg);
    /* Optional (block devices): NULL makes lseek/pread/pwrite fail with
     * ESPIPE and fsync with EINVAL, as for a socket. */
    off_t (*lseek)(int fd, off_t off, int whence);
    ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
    ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
    int (*fsync)(int fd);
};

#define FDTAB_MAX_RANGES 4
/* Where each range starts, so they cannot overlap unseen: the console
 * 0-2, lwIP's sockets from 3 (lib/net/lwipopts.h, asserted in
 * lib/net/bsd_socket.c), block devices from FDTAB_BLK_FIRST
 * (drivers/blkfront/blkdev_fd.c), files from 256 (kernel/vfs.h). */
#define FDTAB_BLK_FIRST 208

/*
 * Serve descriptors [first, first + count) with ops (static storage).
 * 0, -EINVAL (bad range, missing op), -EBUSY (overlaps a registered
 * range or the console), -ENOSPC (table full).
 */
int fdtab_register(int first, int count, const struct fdtab_ops *ops);

/* The operations serving fd, or NULL. */
const struct fdtab_ops *fdtab_lookup(int fd);

/*
 * open() of a path that starts with prefix (static storage, e.g.
 * "/dev/xvd") calls open_fn(path, flags, mode), which returns a
 * descriptor or -1 with errno set. 0, -EINVAL, -EBUSY (prefix taken),
 * -ENOSPC (table full).
 */
typedef int (*fdtab_open_fn)(const char *path, int flags, int mode);

#define FDTAB_MAX_PATHS 4

int fdtab_register_path(const char *prefix, fdtab_open_fn open_fn);

/* The open function serving path, or NULL. */
fdtab_open_fn fdtab_lookup_path(const char *path);

/* Forget every range and path (host tests). */
void fdtab_reset(void);

#endif /* KERNEL_FDTAB_H */
