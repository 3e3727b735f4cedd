// SPDX-License-Identifier: MIT
/*
 * kernel/vfs.c - path resolution and the operations on names.
 *
 * One root, one current directory (a unikernel is one process).
 * Resolution walks one component at a time from / or the cwd over
 * struct vfs_node trees (kernel/vfs_node.c); a directory with a file
 * system mounted on it is replaced by that file system's root, and ".."
 * of a mounted root goes to the parent of the directory it covers, so
 * mounts are invisible to paths. ".." of / is / (a path can never leave
 * the root, whatever an archive or an app writes). Symbolic links are
 * supported: a link met in the middle of a path is always followed, at
 * the end only when the call follows links (stat, open; not lstat,
 * unlink, rename, readlink), at most VFS_SYMLOOP_MAX times per lookup
 * (-ELOOP); an absolute target restarts at /. Limits: a component of
 * more than VFS_NAME_MAX bytes or a path of VFS_PATH_MAX bytes or more
 * (also after splicing in a link's target) is -ENAMETOOLONG. Changes
 * through these calls are refused on a read-only file system (-EROFS);
 * the kernel's own set-up (the archive, /etc defaults, mount points)
 * uses kernel/vfs_node.c directly. Reference: POSIX.1-2017 XBD 4.13,
 * XSH rename (the replace rules), rmdir, symlink, getcwd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/vfs.h"

static struct vfs_fs *root_fs;
static struct vfs_node *cwd;

void vfs_set_root(struct vfs_fs *fs)
{
    if (cwd)
        vfs_node_put(cwd);
    root_fs = fs;
    cwd = fs ? fs->root : NULL;
    if (cwd)
        vfs_node_get(cwd);
}

struct vfs_fs *vfs_root_fs(void)
{
    return root_fs;
}

void vfs_root_forget(void)
{
    if (cwd)
        vfs_node_put(cwd);
    cwd = NULL;
    vfs_fs_destroy(root_fs);
    root_fs = NULL;
}

/* ---- resolution ---- */

struct walk {
    struct vfs_node *dir;  /* directory holding the last component */
    struct vfs_node *node; /* what it names, NULL when missing */
    char name[VFS_NAME_MAX + 1];
    bool dots;  /* the last component is "." or ".." (or none) */
    bool slash; /* the path ended in '/' */
};

static struct vfs_node *mounted_root(struct vfs_node *n)
{
    while (n && n->mounted)
        n = n->mounted->root;
    return n;
}

struct vfs_node *vfs_node_dotdot(struct vfs_node *n)
{
    if (n->unlinked)
        return n; /* a removed directory (the cwd, an open one) */
    while (!n->parent) {
        if (!n->fs->covered)
            return n; /* the root: ".." of / is / */
        n = n->fs->covered;
    }
    return n->parent;
}

static bool is_dir(const struct vfs_node *n)
{
    return S_ISDIR(n->mode);
}

/* A file system's root (a mount's root is "busy": it cannot go). */
static bool is_fs_root(const struct vfs_node *n)
{
    return n == n->fs->root;
}

/*
 * Resolve path into *w. The last component may be missing (w->node
 * NULL, return 0); any missing or non-directory component before it is
 * an error.
 */
static int walk(const char *path, int flags, struct walk *w)
{
    char buf[VFS_PATH_MAX];
    struct vfs_node *cur;
    size_t len;
    char *p;
    int links = 0;

    if (!path || !root_fs)
        return path ? -ENOENT : -EINVAL;
    len = strnlen(path, VFS_PATH_MAX);
    if (len == 0)
        return -ENOENT;
    if (len == VFS_PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(buf, path, len + 1);
    cur = buf[0] == '/' ? root_fs->root : cwd;
    p = buf;
    for (;;) {
        struct vfs_node *next;
        char *start, *rest;
        size_t clen;
        bool last, slash;

        while (*p == '/')
            p++;
        if (*p == '\0') {
            /* "/" or a path that ended in slashes after a link. */
            w->dir = cur;
            w->node = cur;
            strcpy(w->name, ".");
            w->dots = true;
            w->slash = true;
            return 0;
        }
        start = p;
        while (*p && *p != '/')
            p++;
        clen = (size_t)(p - start);
        if (clen > VFS_NAME_MAX)
            return -ENAMETOOLONG;
        rest = p;
        while (*rest == '/')
            rest++;
        last = *rest == '\0';
        slash = p != rest;
        if (!is_dir(cur))
            return -ENOTDIR;
        if (clen == 1 && start[0] == '.')
            next = cur;
        else if (clen == 2 && start[0] == '.' && start[1] == '.')
            next = vfs_node_dotdot(cur);
        else
            next = mounted_root(vfs_node_find(cur, start, clen));
        if (next && S_ISLNK(next->mode) &&
            (!last || (flags & VFS_FOLLOW) || slash)) {
            /* Splice the target in front of what is left. */
            size_t tlen = next->size, rlen = strlen(rest);

            if (++links > VFS_SYMLOOP_MAX)
                return -ELOOP;
            if (tlen == 0)
                return -ENOENT;
            if (tlen + 1 + rlen + 1 > VFS_PATH_MAX)
                return -ENAMETOOLONG;
            memmove(buf + tlen + 1, rest, rlen + 1);
            memcpy(buf, next->data, tlen);
            buf[tlen] = (rlen || slash) ? '/' : '\0';
            if (buf[0] == '/')
                cur = root_fs->root;
            p = buf;
            continue;
        }
        if (last) {
            w->dir = cur;
            w->node = next;
            memcpy(w->name, start, clen);
            w->name[clen] = '\0';
            w->dots = next && (next == cur || (clen == 2 && start[0] == '.' &&
                                               start[1] == '.'));
            w->slash = slash;
            if (slash && next && !is_dir(next))
                return -ENOTDIR;
            return 0;
        }
        if (!next)
            return -ENOENT;
        cur = next;
        p = rest;
    }
}

int vfs_lookup(const char *path, int flags, struct vfs_node **out)
{
    struct walk w;
    int rc = walk(path, flags, &w);

    if (rc)
        return rc;
    if (!w.node)
        return -ENOENT;
    *out = w.node;
    return 0;
}

/* ---- changes ---- */

int vfs_mkdir(const char *path, mode_t mode)
{
    struct walk w;
    int rc = walk(path, 0, &w);

    if (rc)
        return rc;
    if (w.node)
        return -EEXIST;
    if (w.dir->fs->read_only)
        return -EROFS;
    return vfs_node_create(w.dir, w.name, strlen(w.name),
                           S_IFDIR | (mode & 07777), NULL);
}

int vfs_rmdir(const char *path)
{
    struct walk w;
    int rc = walk(path, 0, &w);

    if (rc)
        return rc;
    if (!w.node)
        return -ENOENT;
    if (!is_dir(w.node))
        return -ENOTDIR;
    if (strcmp(w.name, ".") == 0)
        return -EINVAL;
    if (w.dots)
        return -ENOTEMPTY;
    if (is_fs_root(w.node) || w.node->mounted)
        return -EBUSY;
    if (w.node->fs->read_only)
        return -EROFS;
    if (w.node->nchildren)
        return -ENOTEMPTY;
    vfs_node_unlink(w.node);
    return 0;
}

int vfs_unlink(const char *path)
{
    struct walk w;
    int rc = walk(path, 0, &w);

    if (rc)
        return rc;
    if (!w.node)
        return -ENOENT;
    if (is_dir(w.node))
        return -EISDIR;
    if (w.node->fs->read_only)
        return -EROFS;
    vfs_node_unlink(w.node);
    return 0;
}

/* True when n is d or below it. */
static bool is_within(const struct vfs_node *n, const struct vfs_node *d)
{
    for (; n; n = n->parent)
        if (n == d)
            return true;
    return false;
}

int vfs_rename(const char *from, const char *to)
{
    struct walk a, b;
    struct vfs_node *src, *dst;
    int rc = walk(from, 0, &a);

    if (rc)
        return rc;
    if (!a.node)
        return -ENOENT;
    rc = walk(to, 0, &b);
    if (rc)
        return rc;
    src = a.node;
    dst = b.node;
    if (a.dots || b.dots)
        return -EINVAL;
    if (is_fs_root(src) || src->mounted ||
        (dst && (is_fs_root(dst) || dst->mounted)))
        return -EBUSY;
    if (src->fs != b.dir->fs)
        return -EXDEV;
    if (src->fs->read_only)
        return -EROFS;
    if ((a.slash || b.slash) && !is_dir(src))
        return -ENOTDIR;
    if (dst == src)
        return 0; /* the same file: nothing to do */
    if (is_dir(src) && is_within(b.dir, src))
        return -EINVAL; /* into itself */
    if (dst) {
        if (is_dir(src) && !is_dir(dst))
            return -ENOTDIR;
        if (!is_dir(src) && is_dir(dst))
            return -EISDIR;
        if (is_dir(dst) && dst->nchildren)
            return -ENOTEMPTY;
    }
    rc = vfs_node_move(src, b.dir, b.name, strlen(b.name));
    if (rc == 0 && dst)
        vfs_node_unlink(dst);
    return rc;
}

int vfs_symlink(const char *target, const char *path)
{
    struct walk w;
    struct vfs_node *n;
    size_t tlen;
    int rc;

    if (!target)
        return -EINVAL;
    tlen = strnlen(target, VFS_PATH_MAX);
    if (tlen == 0)
        return -ENOENT;
    if (tlen == VFS_PATH_MAX)
        return -ENAMETOOLONG;
    rc = walk(path, 0, &w);
    if (rc)
        return rc;
    if (w.node)
        return -EEXIST;
    if (w.dir->fs->read_only)
        return -EROFS;
    rc = vfs_node_create(w.dir, w.name, strlen(w.name), S_IFLNK | 0777, &n);
    if (rc)
        return rc;
    rc = vfs_node_resize(n, tlen);
    if (rc) {
        vfs_node_unlink(n);
        return rc;
    }
    memcpy(n->data, target, tlen);
    return 0;
}

ssize_t vfs_readlink(const char *path, char *buf, size_t len)
{
    struct vfs_node *n;
    int rc = vfs_lookup(path, 0, &n);

    if (rc)
        return rc;
    if (!S_ISLNK(n->mode))
        return -EINVAL;
    if (len > n->size)
        len = n->size;
    memcpy(buf, n->data, len);
    return (ssize_t)len;
}

void vfs_node_stat(const struct vfs_node *n, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = n->fs->id;
    st->st_ino = n->ino;
    st->st_mode = n->mode;
    st->st_nlink = is_dir(n) ? 2 : (n->unlinked ? 0 : 1);
    st->st_size = (off_t)n->size;
    st->st_blksize = 4096;
    st->st_blocks = (n->size + 511) / 512;
    st->st_mtime = n->mtime;
    st->st_atime = n->mtime;
    st->st_ctime = n->mtime;
}

int vfs_stat(const char *path, struct stat *st, int flags)
{
    struct vfs_node *n;
    int rc = vfs_lookup(path, flags, &n);

    if (rc)
        return rc;
    vfs_node_stat(n, st);
    return 0;
}

int vfs_access(const char *path, int amode)
{
    struct vfs_node *n;
    int rc = vfs_lookup(path, VFS_FOLLOW, &n);

    if (rc)
        return rc;
    if (amode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    /* One user, who owns everything: only a read-only fs and a missing
     * execute bit refuse. */
    if ((amode & W_OK) && n->fs->read_only)
        return -EROFS;
    if ((amode & X_OK) && !(n->mode & 0111))
        return -EACCES;
    return 0;
}

int vfs_chdir_node(struct vfs_node *n)
{
    if (!is_dir(n))
        return -ENOTDIR;
    vfs_node_get(n);
    vfs_node_put(cwd);
    cwd = n;
    return 0;
}

int vfs_chdir(const char *path)
{
    struct vfs_node *n;
    int rc = vfs_lookup(path, VFS_FOLLOW, &n);

    return rc ? rc : vfs_chdir_node(n);
}

int vfs_getcwd(char *buf, size_t len)
{
    char tmp[VFS_PATH_MAX];
    size_t pos = sizeof(tmp) - 1;
    struct vfs_node *n = cwd;

    if (!n)
        return -ENOENT;
    tmp[pos] = '\0';
    for (;;) {
        size_t l;

        if (n->unlinked)
            return -ENOENT; /* the cwd was removed */
        while (is_fs_root(n) && n->fs->covered)
            n = n->fs->covered; /* a mount point is named in its parent */
        if (is_fs_root(n))
            break; /* the root */
        l = strlen(n->name);
        if (l + 1 > pos)
            return -ENAMETOOLONG;
        pos -= l;
        memcpy(tmp + pos, n->name, l);
        tmp[--pos] = '/';
        n = n->parent;
    }
    if (pos == sizeof(tmp) - 1)
        tmp[--pos] = '/';
    if (sizeof(tmp) - pos > len)
        return -ERANGE;
    memcpy(buf, tmp + pos, sizeof(tmp) - pos);
    return 0;
}

int vfs_mount_tmpfs(const char *path, size_t quota)
{
    struct walk w;
    struct vfs_node *dir;
    struct vfs_fs *fs;
    int rc = walk(path, VFS_FOLLOW, &w);

    if (rc)
        return rc;
    dir = w.node;
    if (!dir) {
        rc = vfs_node_create(w.dir, w.name, strlen(w.name), S_IFDIR | 0755,
                             &dir);
        if (rc)
            return rc;
    }
    if (!is_dir(dir))
        return -ENOTDIR;
    if (is_fs_root(dir) || dir->mounted)
        return -EBUSY;
    fs = vfs_fs_create("tmpfs", quota, false);
    if (!fs)
        return -ENOMEM;
    fs->root->mode = S_IFDIR | 01777;
    fs->covered = dir;
    dir->mounted = fs;
    vfs_node_get(dir); /* a mount point stays */
    return 0;
}

int vfs_open_node(const char *path, int flags, mode_t mode,
                  struct vfs_node **out)
{
    struct walk w;
    struct vfs_node *n;
    int acc = flags & O_ACCMODE;
    /* O_CREAT|O_EXCL never follows a final link (POSIX open). */
    bool excl = (flags & O_CREAT) && (flags & O_EXCL);
    int rc = walk(path, (flags & O_NOFOLLOW) || excl ? 0 : VFS_FOLLOW, &w);

    if (rc)
        return rc;
    n = w.node;
    if (n && excl)
        return -EEXIST;
    if (!n) {
        if (!(flags & O_CREAT))
            return -ENOENT;
        if (w.slash || (flags & O_DIRECTORY))
            return -EISDIR;
        if (w.dir->fs->read_only)
            return -EROFS;
        rc = vfs_node_create(w.dir, w.name, strlen(w.name),
                             S_IFREG | (mode & 07777), &n);
        if (rc)
            return rc;
    } else if (S_ISLNK(n->mode)) {
        return -ELOOP; /* O_NOFOLLOW on a link */
    }
    if ((flags & O_DIRECTORY) && !is_dir(n))
        return -ENOTDIR;
    if (is_dir(n) && (acc != O_RDONLY || (flags & O_TRUNC)))
        return -EISDIR;
    if (S_ISCHR(n->mode)) {
        /* /dev/null and friends: writable anywhere, nothing to truncate. */
        vfs_node_get(n);
        *out = n;
        return 0;
    }
    if ((acc != O_RDONLY || (flags & O_TRUNC)) && n->fs->read_only)
        return -EROFS;
    if ((flags & O_TRUNC) && acc != O_RDONLY && n->size) {
        rc = vfs_node_resize(n, 0);
        if (rc)
            return rc;
        n->mtime = vfs_now();
    }
    vfs_node_get(n);
    *out = n;
    return 0;
}
