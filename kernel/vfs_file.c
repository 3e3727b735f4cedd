// SPDX-License-Identifier: MIT
/*
 * kernel/vfs_file.c - open files and their descriptors.
 *
 * Descriptors VFS_FD_FIRST .. VFS_FD_FIRST + VFS_FD_MAX - 1 are
 * registered in kernel/fdtab, so lib/syscalls.c's read/write/close/
 * fstat/fcntl/lseek/pread/pwrite/fsync reach this file without knowing
 * it. Design choice, as POSIX: a descriptor points to an open file
 * description (struct vfs_file: node, offset, status flags), which dup
 * and F_DUPFD share; FD_CLOEXEC belongs to the descriptor (there is no
 * exec: it is only kept and reported). The lowest free descriptor of the
 * range is used. A directory's offset counts its entries ("." and ".."
 * first), which is what readdir() walks. Writes past the end fill the
 * gap with zeros; a write that does not fit the file system's quota
 * writes what fits (a short count) and -ENOSPC only when nothing does.
 * The vfs_* calls return -errno; the fdtab operations at the end follow
 * POSIX (-1 and errno). Reference: POSIX.1-2017 XSH open, read, write,
 * lseek, fcntl, dup2, XBD 3.258 (open file description).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/fdtab.h"
#include "kernel/vfs.h"

struct vfs_file {
    struct vfs_node *node;
    off_t pos;
    int flags; /* O_ACCMODE | O_APPEND | O_NONBLOCK */
    unsigned int refs;
};

static struct {
    struct vfs_file *f;
    bool cloexec;
} fds[VFS_FD_MAX];

#define SETFL_MASK (O_APPEND | O_NONBLOCK)
/* The most one call moves: ssize_t's range (newlib has no SSIZE_MAX). */
#define IO_MAX ((size_t)LONG_MAX)

static struct vfs_file *file_of(int fd)
{
    int i = fd - VFS_FD_FIRST;

    if (i < 0 || i >= VFS_FD_MAX)
        return NULL;
    return fds[i].f;
}

bool vfs_is_fd(int fd)
{
    return file_of(fd) != NULL;
}

struct vfs_node *vfs_fd_node(int fd)
{
    struct vfs_file *f = file_of(fd);

    return f ? f->node : NULL;
}

/* The lowest free descriptor >= from, or -EMFILE. */
static int fd_alloc(int from, struct vfs_file *f, bool cloexec)
{
    int i = from < VFS_FD_FIRST ? 0 : from - VFS_FD_FIRST;

    for (; i < VFS_FD_MAX; i++) {
        if (!fds[i].f) {
            fds[i].f = f;
            fds[i].cloexec = cloexec;
            f->refs++;
            return VFS_FD_FIRST + i;
        }
    }
    return -EMFILE;
}

static void file_put(struct vfs_file *f)
{
    if (--f->refs == 0) {
        vfs_node_put(f->node);
        free(f);
    }
}

int vfs_open(const char *path, int flags, mode_t mode)
{
    struct vfs_node *n;
    struct vfs_file *f;
    int fd, rc = vfs_open_node(path, flags, mode, &n);

    if (rc)
        return rc;
    f = calloc(1, sizeof(*f));
    if (!f) {
        vfs_node_put(n);
        return -ENOMEM;
    }
    f->node = n;
    f->flags = flags & (O_ACCMODE | SETFL_MASK);
    fd = fd_alloc(0, f, (flags & O_CLOEXEC) != 0);
    if (fd < 0) {
        vfs_node_put(n);
        free(f);
    }
    return fd;
}

int vfs_close(int fd)
{
    struct vfs_file *f = file_of(fd);

    if (!f)
        return -EBADF;
    fds[fd - VFS_FD_FIRST].f = NULL;
    file_put(f);
    return 0;
}

static bool can_read(const struct vfs_file *f)
{
    return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(const struct vfs_file *f)
{
    return (f->flags & O_ACCMODE) != O_RDONLY;
}

static ssize_t read_at(struct vfs_file *f, void *buf, size_t len, off_t off)
{
    struct vfs_node *n = f->node;
    size_t avail;

    if (!can_read(f))
        return -EBADF;
    if (S_ISDIR(n->mode))
        return -EISDIR;
    if (S_ISCHR(n->mode))
        return vfs_dev_read(n, buf, len > IO_MAX ? IO_MAX : len);
    if (off < 0)
        return -EINVAL;
    if ((uint64_t)off >= n->size)
        return 0;
    avail = n->size - (size_t)off;
    if (len > avail)
        len = avail;
    if (len > IO_MAX)
        len = IO_MAX;
    memcpy(buf, n->data + off, len);
    return (ssize_t)len;
}

static ssize_t write_at(struct vfs_file *f, const void *buf, size_t len,
                        off_t off)
{
    struct vfs_node *n = f->node;
    size_t end;
    int rc;

    if (!can_write(f))
        return -EBADF;
    if (S_ISCHR(n->mode))
        return vfs_dev_write(n, len > IO_MAX ? IO_MAX : len);
    if (off < 0)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (len > IO_MAX)
        len = IO_MAX;
    if ((uint64_t)off > SIZE_MAX - len)
        return -EFBIG;
    end = (size_t)off + len;
    if (end > n->size) {
        rc = vfs_node_resize(n, end);
        if (rc == -ENOSPC && n->fs->quota > n->fs->used) {
            /* Write what the quota still has room for. */
            size_t room = n->cap + (n->fs->quota - n->fs->used);

            if (room > (size_t)off && room < end) {
                len = room - (size_t)off;
                rc = vfs_node_resize(n, room);
            }
        }
        if (rc)
            return rc;
    }
    memcpy(n->data + off, buf, len);
    n->mtime = vfs_now();
    return (ssize_t)len;
}

ssize_t vfs_read(int fd, void *buf, size_t len)
{
    struct vfs_file *f = file_of(fd);
    ssize_t n;

    if (!f)
        return -EBADF;
    n = read_at(f, buf, len, f->pos);
    if (n > 0)
        f->pos += n;
    return n;
}

ssize_t vfs_write(int fd, const void *buf, size_t len)
{
    struct vfs_file *f = file_of(fd);
    ssize_t n;

    if (!f)
        return -EBADF;
    if (f->flags & O_APPEND)
        f->pos = (off_t)f->node->size;
    n = write_at(f, buf, len, f->pos);
    if (n > 0)
        f->pos += n;
    return n;
}

ssize_t vfs_pread(int fd, void *buf, size_t len, off_t off)
{
    struct vfs_file *f = file_of(fd);

    return f ? read_at(f, buf, len, off) : -EBADF;
}

ssize_t vfs_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    struct vfs_file *f = file_of(fd);

    return f ? write_at(f, buf, len, off) : -EBADF;
}

off_t vfs_lseek(int fd, off_t off, int whence)
{
    struct vfs_file *f = file_of(fd);
    off_t base;

    if (!f)
        return -EBADF;
    switch (whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = f->pos;
        break;
    case SEEK_END:
        base = S_ISDIR(f->node->mode) ? (off_t)f->node->nchildren + 2
                                      : (off_t)f->node->size;
        break;
    default:
        return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = base + off;
    return f->pos;
}

int vfs_fstat(int fd, struct stat *st)
{
    struct vfs_file *f = file_of(fd);

    if (!f)
        return -EBADF;
    vfs_node_stat(f->node, st);
    return 0;
}

int vfs_ftruncate(int fd, off_t len)
{
    struct vfs_file *f = file_of(fd);
    int rc;

    if (!f)
        return -EBADF;
    if (len < 0 || !can_write(f) || !S_ISREG(f->node->mode))
        return -EINVAL;
    if (f->node->fs->read_only)
        return -EROFS;
    if ((uint64_t)len > SIZE_MAX)
        return -EFBIG;
    rc = vfs_node_resize(f->node, (size_t)len);
    if (rc == 0)
        f->node->mtime = vfs_now();
    return rc;
}

int vfs_fchdir(int fd)
{
    struct vfs_file *f = file_of(fd);

    if (!f)
        return -EBADF;
    if (!S_ISDIR(f->node->mode))
        return -ENOTDIR;
    return vfs_chdir_node(f->node);
}

int vfs_fcntl(int fd, int cmd, int arg)
{
    struct vfs_file *f = file_of(fd);
    int i = fd - VFS_FD_FIRST;

    if (!f)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (arg < 0 || arg >= VFS_FD_FIRST + VFS_FD_MAX)
            return -EINVAL;
        return fd_alloc(arg, f, cmd == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return fds[i].cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
        fds[i].cloexec = (arg & FD_CLOEXEC) != 0;
        return 0;
    case F_GETFL:
        return f->flags;
    case F_SETFL:
        f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
    default:
        return -EINVAL;
    }
}

int vfs_dup2(int fd, int newfd)
{
    struct vfs_file *f = file_of(fd);
    int i = newfd - VFS_FD_FIRST;

    if (!f)
        return -EBADF;
    if (i < 0 || i >= VFS_FD_MAX)
        return -EBADF;
    if (newfd == fd)
        return fd;
    if (fds[i].f)
        vfs_close(newfd);
    return fd_alloc(newfd, f, false);
}

int vfs_readdir(int fd, struct vfs_dirent *ent)
{
    struct vfs_file *f = file_of(fd);
    struct vfs_node *d, *c;
    off_t k;

    if (!f)
        return -EBADF;
    d = f->node;
    if (!S_ISDIR(d->mode))
        return -ENOTDIR;
    k = f->pos;
    if (k < 0)
        return -EINVAL;
    if (k < 2) {
        c = k == 0 ? d : vfs_node_dotdot(d);
        ent->ino = c->ino;
        ent->type = 4;
        strcpy(ent->name, k == 0 ? "." : "..");
        f->pos++;
        return 1;
    }
    c = d->children;
    for (off_t j = 2; c && j < k; j++)
        c = c->next;
    if (!c)
        return 0;
    ent->ino = c->ino;
    ent->type = S_ISDIR(c->mode) ? 4 : S_ISLNK(c->mode) ? 10 : 8;
    strcpy(ent->name, c->name);
    f->pos++;
    return 1;
}

int vfs_rewinddir(int fd)
{
    struct vfs_file *f = file_of(fd);

    if (!f)
        return -EBADF;
    f->pos = 0;
    return 0;
}

void vfs_reset(void)
{
    for (int i = 0; i < VFS_FD_MAX; i++)
        if (fds[i].f)
            vfs_close(VFS_FD_FIRST + i);
    vfs_root_forget();
}

/* ---- the fdtab operations: POSIX results ---- */

static long posix_rc(long rc)
{
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return rc;
}

static ssize_t op_read(int fd, void *buf, size_t len)
{
    return posix_rc(vfs_read(fd, buf, len));
}

static ssize_t op_write(int fd, const void *buf, size_t len)
{
    return posix_rc(vfs_write(fd, buf, len));
}

static int op_close(int fd)
{
    return (int)posix_rc(vfs_close(fd));
}

static int op_fstat(int fd, struct stat *st)
{
    return (int)posix_rc(vfs_fstat(fd, st));
}

static int op_fcntl(int fd, int cmd, int arg)
{
    return (int)posix_rc(vfs_fcntl(fd, cmd, arg));
}

static off_t op_lseek(int fd, off_t off, int whence)
{
    return posix_rc(vfs_lseek(fd, off, whence));
}

static ssize_t op_pread(int fd, void *buf, size_t len, off_t off)
{
    return posix_rc(vfs_pread(fd, buf, len, off));
}

static ssize_t op_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    return posix_rc(vfs_pwrite(fd, buf, len, off));
}

static int op_fsync(int fd)
{
    /* Memory is as durable as it gets. */
    return (int)posix_rc(file_of(fd) ? 0 : -EBADF);
}

static const struct fdtab_ops vfs_fd_ops = {
    .read = op_read,
    .write = op_write,
    .close = op_close,
    .fstat = op_fstat,
    .fcntl = op_fcntl,
    .lseek = op_lseek,
    .pread = op_pread,
    .pwrite = op_pwrite,
    .fsync = op_fsync,
};

int vfs_file_init(void)
{
    return fdtab_register(VFS_FD_FIRST, VFS_FD_MAX, &vfs_fd_ops);
}
