// SPDX-License-Identifier: MIT
/*
 * lib/fs_syscalls.c - the POSIX file calls newlib and apps make.
 *
 * Each call is a thin translation of kernel/vfs.h's -errno results into
 * POSIX's -1 and errno. open() of a path the VFS has (/dev/null too)
 * opens it; otherwise a module that registered the path's prefix in
 * kernel/fdtab (the block devices under /dev/) gets it; else the VFS
 * (ENOENT, or O_CREAT).
 * read/write/close/fstat/lseek/fcntl/pread/pwrite/fsync on the files'
 * descriptors need nothing here: the VFS registered its descriptor
 * range in kernel/fdtab, and lib/syscalls.c forwards them. Kept apart
 * from lib/syscalls.c so an image that never touches a file links no
 * file system (referencing xn_devinit_fs below is what links the boot
 * stage, kernel/vfs_boot.c, into every image that has these calls).
 * What is not there: hard links (link() fails with EPERM, as on a file
 * system without them), dup2() onto descriptors outside the files'
 * range (EBADF), file locks (fcntl F_GETLK/F_SETLK: EINVAL).
 * Reference: POSIX.1-2017 XSH open, stat, mkdir, rmdir, unlink, rename,
 * access, getcwd, chdir, symlink, readlink, truncate, dup.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/devinit.h"
#include "kernel/fdtab.h"
#include "kernel/vfs.h"

/* Link the boot stage that builds the root (kernel/vfs_boot.c). */
extern const struct devinit xn_devinit_fs;
const void *const fs_syscalls_boot_ref = &xn_devinit_fs;

int ftruncate(int fd, off_t len);
int truncate(const char *path, off_t len);
int lstat(const char *path, struct stat *st);
int fchdir(int fd);

static int posix(long rc)
{
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return (int)rc;
}

int open(const char *path, int flags, ...)
{
    fdtab_open_fn open_fn = fdtab_lookup_path(path);
    va_list ap;
    int mode = 0;

    if (flags & O_CREAT) {
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    /* A provider's prefix (block devices: "/dev/") yields to what the
     * VFS has under it (/dev/null ...). */
    if (open_fn) {
        struct vfs_node *n;

        if (vfs_lookup(path, VFS_FOLLOW, &n) != 0)
            return open_fn(path, flags, mode);
    }
    return posix(vfs_open(path, flags, (mode_t)mode));
}

int stat(const char *path, struct stat *st)
{
    return posix(vfs_stat(path, st, VFS_FOLLOW));
}

int lstat(const char *path, struct stat *st)
{
    return posix(vfs_stat(path, st, 0));
}

int mkdir(const char *path, mode_t mode)
{
    return posix(vfs_mkdir(path, mode));
}

int rmdir(const char *path)
{
    return posix(vfs_rmdir(path));
}

int unlink(const char *path)
{
    return posix(vfs_unlink(path));
}

int rename(const char *from, const char *to)
{
    return posix(vfs_rename(from, to));
}

int link(const char *old, const char *new)
{
    struct stat st;

    /* Say EPERM (no hard links here) only about a file that exists. */
    if (vfs_stat(old, &st, 0) < 0)
        return posix(vfs_stat(old, &st, 0));
    (void)new;
    errno = EPERM;
    return -1;
}

int symlink(const char *target, const char *path)
{
    return posix(vfs_symlink(target, path));
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
    ssize_t n = vfs_readlink(path, buf, len);

    if (n < 0) {
        errno = (int)-n;
        return -1;
    }
    return n;
}

int access(const char *path, int amode)
{
    return posix(vfs_access(path, amode));
}

int chdir(const char *path)
{
    return posix(vfs_chdir(path));
}

int fchdir(int fd)
{
    return posix(vfs_fchdir(fd));
}

/* As glibc: buf NULL allocates (size bytes, or as many as needed). */
char *getcwd(char *buf, size_t size)
{
    char tmp[VFS_PATH_MAX];
    int rc;

    if (buf && size == 0) {
        errno = EINVAL;
        return NULL;
    }
    rc = vfs_getcwd(tmp, sizeof(tmp));
    if (rc) {
        errno = -rc;
        return NULL;
    }
    if (!buf) {
        size_t need = strlen(tmp) + 1;

        if (size && size < need) {
            errno = ERANGE;
            return NULL;
        }
        buf = malloc(size ? size : need);
        if (!buf) {
            errno = ENOMEM;
            return NULL;
        }
        size = size ? size : need;
    }
    if (strlen(tmp) + 1 > size) {
        errno = ERANGE;
        return NULL;
    }
    strcpy(buf, tmp);
    return buf;
}

int ftruncate(int fd, off_t len)
{
    if (!vfs_is_fd(fd)) {
        errno = fdtab_lookup(fd) || fd <= 2 ? EINVAL : EBADF;
        return -1;
    }
    return posix(vfs_ftruncate(fd, len));
}

int truncate(const char *path, off_t len)
{
    int fd = vfs_open(path, O_WRONLY, 0), rc;

    if (fd < 0)
        return posix(fd);
    rc = vfs_ftruncate(fd, len);
    vfs_close(fd);
    return posix(rc);
}

/* The lowest free descriptor of the same provider (files: >= 256). */
int dup(int fd)
{
    return fcntl(fd, F_DUPFD, 0);
}

int dup2(int fd, int newfd)
{
    if (!vfs_is_fd(fd)) {
        errno = EBADF;
        return -1;
    }
    return posix(vfs_dup2(fd, newfd));
}
