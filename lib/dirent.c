// SPDX-License-Identifier: MIT
/*
 * lib/dirent.c - opendir()/readdir()/closedir() over the file system.
 *
 * A DIR is a descriptor of the directory (kernel/vfs_file.c) and one
 * struct dirent that readdir() refills, as POSIX allows. The stream's
 * position is the descriptor's offset, an entry count, so telldir()/
 * seekdir() are lseek() on it. Errors keep errno from the VFS (ENOENT,
 * ENOTDIR, EMFILE, EBADF). Reference: POSIX.1-2017 opendir, readdir.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/vfs.h"

struct xn_dir {
    int fd;
    struct dirent ent;
};

DIR *fdopendir(int fd)
{
    struct vfs_node *n = vfs_fd_node(fd);
    DIR *d;

    if (!n) {
        errno = EBADF;
        return NULL;
    }
    if (!S_ISDIR(n->mode)) {
        errno = ENOTDIR;
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    d->fd = fd;
    return d;
}

DIR *opendir(const char *path)
{
    int fd = vfs_open(path, O_RDONLY | O_DIRECTORY, 0);
    DIR *d;

    if (fd < 0) {
        errno = -fd;
        return NULL;
    }
    d = fdopendir(fd);
    if (!d)
        vfs_close(fd);
    return d;
}

struct dirent *readdir(DIR *d)
{
    struct vfs_dirent e;
    int rc;

    if (!d) {
        errno = EBADF;
        return NULL;
    }
    rc = vfs_readdir(d->fd, &e);
    if (rc <= 0) {
        if (rc < 0)
            errno = -rc; /* 0: the end, errno untouched */
        return NULL;
    }
    d->ent.d_ino = e.ino;
    d->ent.d_off = vfs_lseek(d->fd, 0, SEEK_CUR);
    d->ent.d_reclen = sizeof(d->ent);
    d->ent.d_type = e.type;
    memcpy(d->ent.d_name, e.name, sizeof(d->ent.d_name));
    return &d->ent;
}

int closedir(DIR *d)
{
    int rc;

    if (!d) {
        errno = EBADF;
        return -1;
    }
    rc = vfs_close(d->fd);
    free(d);
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    return 0;
}

void rewinddir(DIR *d)
{
    if (d)
        vfs_rewinddir(d->fd);
}

int dirfd(DIR *d)
{
    if (!d) {
        errno = EINVAL;
        return -1;
    }
    return d->fd;
}

long telldir(DIR *d)
{
    return d ? (long)vfs_lseek(d->fd, 0, SEEK_CUR) : -1;
}

void seekdir(DIR *d, long pos)
{
    if (d && pos >= 0)
        vfs_lseek(d->fd, pos, SEEK_SET);
}
