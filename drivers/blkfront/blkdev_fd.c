// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkdev_fd.c - /dev/xvd* as POSIX descriptors.
 *
 * open("/dev/xvda", ...) through newlib reaches lib/syscalls.c, which
 * asks kernel/fdtab for the module serving "/dev/"; this file registers
 * itself there (from the registry's boot stage, so every image that has the
 * block registry has its descriptors; an app that only open()s a path, and so
 * references no block code, needs xenith_add_image(... DEVICES blk) to link the
 * registry, see kernel/devinit.h) and serves descriptors [BLKFD_FIRST,
 * BLKFD_FIRST + BLKFD_MAX) with read/write/lseek/pread/ pwrite/fsync (=
 * flush)/fstat (S_IFBLK, st_size = capacity)/close, each a handle of the
 * xn_blk_* API. Design choice: a descriptor behaves like a Linux block device
 * opened without O_DIRECT: any offset and length work; a partial sector at
 * either end of a transfer is read (and for a write, modified and written back)
 * through a one-sector bounce buffer, so only programs that want byte
 * granularity pay for it; the aligned middle goes straight to the device. Reads
 * at or past the end return 0, writes there fail with ENOSPC; a read-only disk
 * refuses O_WRONLY / O_RDWR with EROFS. One descriptor is used by one thread at
 * a time. Reference: POSIX open, pread, pwrite, lseek, fsync, fstat.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "include/xenith.h"
#include "drivers/blkfront/blkdev.h"
#include "kernel/fdtab.h"

/* After the console (0-2) and lwIP's sockets (3-202, lib/net/lwipopts.h),
 * inside the guest's FD_SETSIZE of 256. */
#define BLKFD_FIRST      FDTAB_BLK_FIRST
#define BLKFD_MAX        32
#define BLKFD_SECTOR_MAX 65536u

struct blkfd {
    struct xn_blk *b;
    off_t pos;
    int flags;
    uint8_t *bounce; /* one physical sector, allocated on first use */
};

static struct blkfd fds[BLKFD_MAX];

static int set_errno(xn_result r)
{
    switch (r) {
    case XN_OK:
        return 0;
    case XN_ERR_INVAL:
        errno = EINVAL;
        break;
    case XN_ERR_NOMEM:
        errno = ENOMEM;
        break;
    case XN_ERR_TIMEOUT:
        errno = ETIMEDOUT;
        break;
    case XN_ERR_BUSY:
        errno = EBUSY;
        break;
    case XN_ERR_ROFS:
        errno = EROFS;
        break;
    case XN_ERR_NODEV:
        errno = ENXIO;
        break;
    case XN_ERR_NOTSUP:
        errno = EOPNOTSUPP;
        break;
    case XN_ERR_IO:
    default:
        errno = EIO;
        break;
    }
    return -1;
}

static struct blkfd *fd_get(int fd)
{
    int i = fd - BLKFD_FIRST;

    if (i < 0 || i >= BLKFD_MAX || !fds[i].b) {
        errno = EBADF;
        return NULL;
    }
    return &fds[i];
}

/* Current geometry; -1/errno while the backend is away. */
static int geometry(struct blkfd *f, struct xn_blk_info *in)
{
    xn_blk_get_info(f->b, in);
    if (!in->connected || in->align == 0 || in->align > BLKFD_SECTOR_MAX) {
        errno = ENXIO;
        return -1;
    }
    if (!f->bounce) {
        f->bounce = malloc(BLKFD_SECTOR_MAX);
        if (!f->bounce) {
            errno = ENOMEM;
            return -1;
        }
    }
    return 0;
}

/*
 * Transfer [off, off + len) (already clamped to the disk). Partial
 * sectors at the ends go through the bounce buffer: read for a read,
 * read-modify-write for a write.
 */
static int transfer(struct blkfd *f, const struct xn_blk_info *in, bool write,
                    uint8_t *buf, uint64_t off, uint64_t len)
{
    uint64_t al = in->align, end = off + len;
    uint64_t m0 = (off + al - 1) / al * al, m1 = end / al * al;
    xn_result r;

    if (off % al) {
        /* Head: the sector holding off (maybe the tail too). */
        uint64_t s = off - off % al, n = al - off % al;

        if (n > len)
            n = len;
        r = xn_blk_read(f->b, s, f->bounce, al);
        if (r == XN_OK && write) {
            memcpy(f->bounce + off % al, buf, n);
            r = xn_blk_write(f->b, s, f->bounce, al);
        } else if (r == XN_OK) {
            memcpy(buf, f->bounce + off % al, n);
        }
        if (r != XN_OK)
            return set_errno(r);
    }
    if (m1 > m0) {
        uint8_t *p = buf + (m0 - off);

        r = write ? xn_blk_write(f->b, m0, p, m1 - m0)
                  : xn_blk_read(f->b, m0, p, m1 - m0);
        if (r != XN_OK)
            return set_errno(r);
    }
    if (end % al && m1 >= m0) {
        /* Tail: a sector the head did not cover. */
        uint64_t n = end - m1;

        r = xn_blk_read(f->b, m1, f->bounce, al);
        if (r == XN_OK && write) {
            memcpy(f->bounce, buf + (m1 - off), n);
            r = xn_blk_write(f->b, m1, f->bounce, al);
        } else if (r == XN_OK) {
            memcpy(buf + (m1 - off), f->bounce, n);
        }
        if (r != XN_OK)
            return set_errno(r);
    }
    return 0;
}

static ssize_t do_pio(int fd, bool write, void *buf, size_t len, off_t off)
{
    struct blkfd *f = fd_get(fd);
    struct xn_blk_info in;

    if (!f)
        return -1;
    if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY)) {
        errno = EBADF;
        return -1;
    }
    if (off < 0) {
        errno = EINVAL;
        return -1;
    }
    if (len == 0)
        return 0;
    if (geometry(f, &in) < 0)
        return -1;
    if ((uint64_t)off >= in.size) {
        if (!write)
            return 0; /* end of the device */
        errno = ENOSPC;
        return -1;
    }
    if (len > in.size - (uint64_t)off)
        len = (size_t)(in.size - (uint64_t)off);
    if (len > (size_t)INT32_MAX)
        len = INT32_MAX; /* ssize_t-safe, and far beyond any buffer here */
    if (transfer(f, &in, write, buf, (uint64_t)off, len) < 0)
        return -1;
    return (ssize_t)len;
}

static ssize_t fd_pread(int fd, void *buf, size_t len, off_t off)
{
    return do_pio(fd, false, buf, len, off);
}

static ssize_t fd_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    /* Only read from: the write path copies buf before returning. */
    return do_pio(fd, true, (void *)buf, len, off);
}

static ssize_t fd_read(int fd, void *buf, size_t len)
{
    struct blkfd *f = fd_get(fd);
    ssize_t n;

    if (!f)
        return -1;
    n = do_pio(fd, false, buf, len, f->pos);
    if (n > 0)
        f->pos += n;
    return n;
}

static ssize_t fd_write(int fd, const void *buf, size_t len)
{
    struct blkfd *f = fd_get(fd);
    ssize_t n;

    if (!f)
        return -1;
    n = do_pio(fd, true, (void *)buf, len, f->pos);
    if (n > 0)
        f->pos += n;
    return n;
}

static off_t fd_lseek(int fd, off_t off, int whence)
{
    struct blkfd *f = fd_get(fd);
    struct xn_blk_info in;
    off_t base;

    if (!f)
        return -1;
    switch (whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = f->pos;
        break;
    case SEEK_END:
        xn_blk_get_info(f->b, &in);
        if (!in.connected) {
            errno = ENXIO;
            return -1;
        }
        base = (off_t)in.size;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    if ((off < 0 && base + off < 0) ||
        (off > 0 && base > (off_t)(((uint64_t)1 << 62)) - off)) {
        errno = EINVAL;
        return -1;
    }
    f->pos = base + off;
    return f->pos;
}

static int fd_fsync(int fd)
{
    struct blkfd *f = fd_get(fd);

    if (!f)
        return -1;
    return set_errno(xn_blk_flush(f->b));
}

static int fd_fstat(int fd, struct stat *st)
{
    struct blkfd *f = fd_get(fd);
    struct xn_blk_info in;

    if (!f)
        return -1;
    xn_blk_get_info(f->b, &in);
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFBLK | (in.read_only ? 0440 : 0660);
    st->st_nlink = 1;
    st->st_size = (off_t)in.size;
    st->st_blksize = in.align > 4096 ? in.align : 4096;
    st->st_blocks = (blkcnt_t)(in.size / 512);
    return 0;
}

static int fd_fcntl(int fd, int cmd, int arg)
{
    struct blkfd *f = fd_get(fd);

    if (!f)
        return -1;
    switch (cmd) {
    case F_GETFL:
        return f->flags;
    case F_SETFL:
        /* Only O_NONBLOCK/O_APPEND may change; I/O never blocks long. */
        f->flags = (f->flags & O_ACCMODE) | (arg & ~O_ACCMODE);
        return 0;
    case F_GETFD:
    case F_SETFD:
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

static int fd_close(int fd)
{
    struct blkfd *f = fd_get(fd);

    if (!f)
        return -1;
    /* Synchronous calls leave nothing in flight, so this succeeds. */
    if (xn_blk_close(f->b) != XN_OK) {
        errno = EBUSY;
        return -1;
    }
    free(f->bounce);
    memset(f, 0, sizeof(*f));
    return 0;
}

static int fd_open(const char *path, int flags, int mode)
{
    struct xn_blk_info in;
    struct xn_blk *b;
    xn_result r;

    (void)mode;
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
        errno = EEXIST; /* the device node exists */
        return -1;
    }
    r = xn_blk_open(path, &b);
    if (r == XN_ERR_NODEV) {
        errno = ENOENT;
        return -1;
    }
    if (r != XN_OK)
        return set_errno(r);
    xn_blk_get_info(b, &in);
    if (in.read_only && (flags & O_ACCMODE) != O_RDONLY) {
        xn_blk_close(b);
        errno = EROFS;
        return -1;
    }
    for (int i = 0; i < BLKFD_MAX; i++) {
        if (fds[i].b)
            continue;
        fds[i] = (struct blkfd){.b = b, .flags = flags & ~(O_CREAT | O_TRUNC)};
        return BLKFD_FIRST + i;
    }
    xn_blk_close(b);
    errno = EMFILE;
    return -1;
}

static const struct fdtab_ops blkfd_ops = {
    .read = fd_read,
    .write = fd_write,
    .close = fd_close,
    .fstat = fd_fstat,
    .fcntl = fd_fcntl,
    .lseek = fd_lseek,
    .pread = fd_pread,
    .pwrite = fd_pwrite,
    .fsync = fd_fsync,
};

int blkdev_fd_register(void)
{
    int rc = fdtab_register(BLKFD_FIRST, BLKFD_MAX, &blkfd_ops);

    if (rc == 0)
        rc = fdtab_register_path("/dev/", fd_open);
    return rc;
}
