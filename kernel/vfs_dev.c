// SPDX-License-Identifier: MIT
/*
 * kernel/vfs_dev.c - /dev/null, /dev/zero, /dev/random, /dev/urandom.
 *
 * Ported programs open these by path (SQLite and TLS libraries seed
 * from /dev/urandom, daemons point output at /dev/null). They are
 * character-device nodes the boot stage adds to the root beside the
 * archive's entries (an archive's own /dev entries are special files,
 * which kernel/cpio.c skips, so there is no conflict); their reads and
 * writes are served here instead of from node data, and they stay
 * writable on the read-only root. Design choice: random and urandom are
 * the same and never block; their bytes come from the source the boot
 * stage installs (RDRAND, as getentropy()), and without one a read
 * fails with EIO rather than returning predictable bytes.
 * Reference: Linux random(4), null(4).
 */
#include <errno.h>
#include <string.h>

#include "kernel/vfs.h"

static int (*random_fn)(void *buf, size_t len);

void vfs_dev_set_random(int (*fill)(void *buf, size_t len))
{
    random_fn = fill;
}

static const struct {
    const char *name;
    enum vfs_dev dev;
} devices[] = {
    {"null", VFS_DEV_NULL},
    {"zero", VFS_DEV_ZERO},
    {"random", VFS_DEV_RANDOM},
    {"urandom", VFS_DEV_RANDOM},
};

int vfs_dev_populate(struct vfs_fs *fs)
{
    struct vfs_node *dir = vfs_node_find(fs->root, "dev", 3), *n;
    int rc;

    if (dir && !S_ISDIR(dir->mode))
        return -ENOTDIR;
    if (!dir) {
        rc = vfs_node_create(fs->root, "dev", 3, S_IFDIR | 0755, &dir);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        const char *name = devices[i].name;

        if (vfs_node_find(dir, name, strlen(name)))
            continue;
        rc = vfs_node_create(dir, name, strlen(name), S_IFCHR | 0666, &n);
        if (rc)
            return rc;
        n->dev = devices[i].dev;
    }
    return 0;
}

ssize_t vfs_dev_read(const struct vfs_node *n, void *buf, size_t len)
{
    switch (n->dev) {
    case VFS_DEV_NULL:
        return 0;
    case VFS_DEV_ZERO:
        memset(buf, 0, len);
        return (ssize_t)len;
    case VFS_DEV_RANDOM:
        if (len > 256)
            len = 256; /* a short read, as Linux's beyond its chunk */
        if (!random_fn || random_fn(buf, len) != 0)
            return -EIO;
        return (ssize_t)len;
    default:
        return -ENXIO;
    }
}

ssize_t vfs_dev_write(const struct vfs_node *n, size_t len)
{
    /* Everything written to any of them is discarded. */
    return n->dev == VFS_DEV_NONE ? -ENXIO : (ssize_t)len;
}
