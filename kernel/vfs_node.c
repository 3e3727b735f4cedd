// SPDX-License-Identifier: MIT
/*
 * kernel/vfs_node.c - nodes of the in-memory file systems, and quotas.
 *
 * Every file system (the read-only root, each tmpfs) is a tree of
 * struct vfs_node on the heap. What a node costs (the struct, its name,
 * its data capacity) is charged to its file system, and a charge that
 * would pass the quota fails with -ENOSPC before anything is allocated,
 * so a full tmpfs never takes the heap down with it. Data grows by
 * doubling (at least one 512-byte step, at most 1 MiB at once) so
 * appending is amortised O(1). A node removed from the tree while open
 * (unlink, rmdir, rename over it) lives until its last reference is
 * dropped, as POSIX wants. Borrowed data (an archive's file contents)
 * is never freed and is copied out on the first write (never happens on
 * the read-only root, whose writes are refused above this layer).
 * Reference: POSIX.1-2017 XSH unlink ("if one or more processes have
 * the file open ... the removal ... shall be postponed").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/vfs.h"

#define DATA_STEP_MIN 512u
#define DATA_STEP_MAX (1u << 20)
/* The largest file: far above any heap we run with, far below overflow. */
#define FILE_SIZE_MAX ((size_t)1 << 40)

static int64_t (*clock_fn)(void);
static unsigned int next_fs_id = 1;

void vfs_set_clock(int64_t (*now)(void))
{
    clock_fn = now;
}

int64_t vfs_now(void)
{
    return clock_fn ? clock_fn() : 0;
}

static size_t node_cost(size_t name_len)
{
    return sizeof(struct vfs_node) + name_len + 1;
}

/* Charge n bytes to fs; -ENOSPC past its quota. */
static int charge(struct vfs_fs *fs, size_t n)
{
    if (fs->quota && (n > fs->quota || fs->used > fs->quota - n))
        return -ENOSPC;
    fs->used += n;
    return 0;
}

static void uncharge(struct vfs_fs *fs, size_t n)
{
    fs->used = n > fs->used ? 0 : fs->used - n;
}

static struct vfs_node *node_alloc(struct vfs_fs *fs, const char *name,
                                   size_t len, mode_t mode)
{
    struct vfs_node *n;

    if (charge(fs, node_cost(len)))
        return NULL;
    n = calloc(1, sizeof(*n));
    if (n)
        n->name = malloc(len + 1);
    if (!n || !n->name) {
        free(n);
        uncharge(fs, node_cost(len));
        return NULL;
    }
    memcpy(n->name, name, len);
    n->name[len] = '\0';
    n->fs = fs;
    n->mode = mode;
    n->ino = fs->next_ino++;
    n->mtime = vfs_now();
    fs->nodes++;
    return n;
}

static void node_free(struct vfs_node *n)
{
    struct vfs_fs *fs = n->fs;

    if (!n->borrowed) {
        free(n->data);
        uncharge(fs, n->cap);
    }
    uncharge(fs, node_cost(strlen(n->name)));
    free(n->name);
    free(n);
    fs->nodes--;
}

struct vfs_fs *vfs_fs_create(const char *type, size_t quota, bool read_only)
{
    struct vfs_fs *fs = calloc(1, sizeof(*fs));

    if (!fs)
        return NULL;
    fs->type = type;
    fs->quota = quota;
    fs->read_only = read_only;
    fs->id = next_fs_id++;
    fs->next_ino = 1;
    fs->root = node_alloc(fs, "", 0, S_IFDIR | 0755);
    if (!fs->root) {
        free(fs);
        return NULL;
    }
    return fs;
}

static void destroy_tree(struct vfs_node *n)
{
    if (n->mounted) {
        vfs_fs_destroy(n->mounted);
        n->mounted = NULL;
    }
    while (n->children) {
        struct vfs_node *c = n->children;

        n->children = c->next;
        destroy_tree(c);
    }
    node_free(n);
}

void vfs_fs_destroy(struct vfs_fs *fs)
{
    if (!fs)
        return;
    destroy_tree(fs->root);
    free(fs);
}

int vfs_node_create(struct vfs_node *dir, const char *name, size_t len,
                    mode_t mode, struct vfs_node **out)
{
    struct vfs_node *n;

    if (!S_ISDIR(dir->mode) || dir->unlinked)
        return -ENOENT;
    if (len == 0 || len > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    n = node_alloc(dir->fs, name, len, mode);
    if (!n)
        return dir->fs->quota ? -ENOSPC : -ENOMEM;
    n->parent = dir;
    n->next = dir->children;
    dir->children = n;
    dir->nchildren++;
    dir->mtime = n->mtime;
    if (out)
        *out = n;
    return 0;
}

struct vfs_node *vfs_node_find(struct vfs_node *dir, const char *name,
                               size_t len)
{
    for (struct vfs_node *c = dir->children; c; c = c->next)
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    return NULL;
}

/* Take n out of its parent's list (it stays allocated). */
static void detach(struct vfs_node *n)
{
    struct vfs_node **pp = &n->parent->children;

    while (*pp && *pp != n)
        pp = &(*pp)->next;
    if (*pp)
        *pp = n->next;
    n->parent->nchildren--;
    n->parent->mtime = vfs_now();
    n->parent = NULL;
    n->next = NULL;
}

void vfs_node_unlink(struct vfs_node *n)
{
    if (!n->parent)
        return; /* a file system's root is never unlinked */
    detach(n);
    n->unlinked = true;
    if (n->refs == 0)
        destroy_tree(n); /* rmdir only removes empty directories */
}

int vfs_node_move(struct vfs_node *n, struct vfs_node *dir, const char *name,
                  size_t len)
{
    size_t old_len = strlen(n->name);
    char *nn;

    if (len == 0 || len > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    if (len > old_len && charge(n->fs, len - old_len))
        return -ENOSPC;
    nn = malloc(len + 1);
    if (!nn) {
        if (len > old_len)
            uncharge(n->fs, len - old_len);
        return -ENOMEM;
    }
    if (len < old_len)
        uncharge(n->fs, old_len - len);
    memcpy(nn, name, len);
    nn[len] = '\0';
    free(n->name);
    n->name = nn;
    detach(n);
    n->parent = dir;
    n->next = dir->children;
    dir->children = n;
    dir->nchildren++;
    dir->mtime = vfs_now();
    return 0;
}

void vfs_node_get(struct vfs_node *n)
{
    n->refs++;
}

void vfs_node_put(struct vfs_node *n)
{
    if (n->refs > 0)
        n->refs--;
    if (n->refs == 0 && n->unlinked)
        destroy_tree(n);
}

/* Capacity for a file of len bytes that had cap: powers of two up to
 * DATA_STEP_MAX, then whole steps of it. */
static size_t grown_cap(size_t cap, size_t len)
{
    size_t c = DATA_STEP_MIN;

    if (len <= DATA_STEP_MAX) {
        while (c < len)
            c *= 2;
        return c;
    }
    if (len < cap + DATA_STEP_MAX)
        len = cap + DATA_STEP_MAX;
    return (len + DATA_STEP_MAX - 1) / DATA_STEP_MAX * DATA_STEP_MAX;
}

int vfs_node_resize(struct vfs_node *n, size_t len)
{
    struct vfs_fs *fs = n->fs;
    unsigned char *d;
    size_t cap;

    if (len > FILE_SIZE_MAX)
        return -EFBIG;
    if (n->borrowed) {
        /* Copy an archive's bytes out before the first change. */
        const unsigned char *src = n->data;
        size_t keep = n->size < len ? n->size : len;

        cap = len;
        if (charge(fs, cap))
            return -ENOSPC;
        d = malloc(cap ? cap : 1);
        if (!d) {
            uncharge(fs, cap);
            return -ENOMEM;
        }
        memcpy(d, src, keep);
        memset(d + keep, 0, cap - keep);
        n->data = d;
        n->cap = cap;
        n->size = len;
        n->borrowed = false;
        return 0;
    }
    if (len <= n->cap / 4 && n->cap > DATA_STEP_MIN) {
        /* Shrunk well below its capacity (O_TRUNC, ftruncate): give
         * the memory back to the quota and the heap. */
        cap = len ? grown_cap(0, len) : 0;
        d = cap ? realloc(n->data, cap) : NULL;
        if (cap && !d)
            return -ENOMEM;
        if (!cap)
            free(n->data);
        uncharge(fs, n->cap - cap);
        n->data = d;
        n->cap = cap;
        n->size = len;
        return 0;
    }
    if (len <= n->cap) {
        if (len > n->size)
            memset(n->data + n->size, 0, len - n->size);
        n->size = len;
        return 0;
    }
    cap = grown_cap(n->cap, len);
    /* Near the quota, the exact size may still fit. */
    if (charge(fs, cap - n->cap)) {
        cap = len;
        if (charge(fs, cap - n->cap))
            return -ENOSPC;
    }
    d = realloc(n->data, cap);
    if (!d) {
        uncharge(fs, cap - n->cap);
        return -ENOMEM;
    }
    memset(d + n->size, 0, cap - n->size);
    n->data = d;
    n->cap = cap;
    n->size = len;
    return 0;
}

void vfs_node_borrow(struct vfs_node *n, const void *data, size_t len)
{
    if (!n->borrowed) {
        free(n->data);
        uncharge(n->fs, n->cap);
    }
    n->data = (unsigned char *)(uintptr_t)data;
    n->size = len;
    n->cap = 0;
    n->borrowed = true;
}
