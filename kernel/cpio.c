// SPDX-License-Identifier: MIT
/*
 * kernel/cpio.c - read a cpio "newc" archive into a file system.
 *
 * Two passes over the archive: the first checks every header (magic,
 * hex digits, namesize within [1, VFS_PATH_MAX] and inside the archive,
 * the name's NUL exactly at its end, filesize inside the archive,
 * directories without data, symbolic-link targets of 1..VFS_PATH_MAX-1
 * bytes without NUL, paths without ".." and with components of at most
 * VFS_NAME_MAX bytes, a trailer) so that a malformed archive is refused
 * before anything is created; the second creates the nodes, borrowing
 * file data from the archive in place. Offsets are compared against the
 * remaining length, never added first, so no size can wrap. Paths are
 * normalised: leading "/" and "./", repeated and trailing slashes and
 * "." components go; ".." is refused, not resolved, because an archive
 * has no business naming anything above its root. Hard links (nlink > 1)
 * are taken as separate files with the data each entry carries.
 * Reference: cpio(5), "New ASCII Format".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cpio.h"

static const char *const field_names[13] = {
    "ino",       "mode",     "uid",      "gid",      "nlink",
    "mtime",     "filesize", "devmajor", "devminor", "rdevmajor",
    "rdevminor", "namesize", "check"};

enum {
    F_INO,
    F_MODE,
    F_UID,
    F_GID,
    F_NLINK,
    F_MTIME,
    F_FILESIZE,
    F_NAMESIZE = 11
};

static size_t pad4(size_t n)
{
    return (4 - (n & 3)) & 3;
}

static int hex8(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < 8; i++) {
        unsigned char c = p[i];
        unsigned int d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* Name the entry for the console: printable bytes only, cut short. */
static void name_entry(struct cpio_error *err, const unsigned char *name,
                       size_t max, unsigned int index)
{
    size_t i, n = 0;

    for (i = 0; i < max && name[i] && n + 1 < sizeof(err->entry); i++)
        err->entry[n++] =
            (name[i] >= 0x20 && name[i] < 0x7f) ? (char)name[i] : '?';
    err->entry[n] = '\0';
    if (n == 0)
        snprintf(err->entry, sizeof(err->entry), "#%u", index);
}

static int fail(struct cpio_error *err, const char *why)
{
    snprintf(err->why, sizeof(err->why), "%s", why);
    return -EINVAL;
}

/* Normalise name (len bytes, no NUL inside) into out. */
static int normalise(const char *name, size_t len, char *out,
                     struct cpio_error *err)
{
    size_t i = 0, o = 0;

    while (i < len) {
        size_t s, c;

        while (i < len && name[i] == '/')
            i++;
        s = i;
        while (i < len && name[i] != '/')
            i++;
        c = i - s;
        if (c == 0 || (c == 1 && name[s] == '.'))
            continue;
        if (c == 2 && name[s] == '.' && name[s + 1] == '.')
            return fail(err, "path with '..'");
        if (c > VFS_NAME_MAX)
            return fail(err, "name component longer than NAME_MAX");
        if (o)
            out[o++] = '/';
        memcpy(out + o, name + s, c); /* o + c <= len < VFS_PATH_MAX */
        o += c;
    }
    out[o] = '\0';
    return 0;
}

int cpio_next(const unsigned char *buf, size_t len, size_t *off,
              struct cpio_entry *e, struct cpio_error *err)
{
    const unsigned char *h;
    uint32_t f[13];
    size_t pos = *off, rest, name_len, data_off;

    unsigned int index = ++err->index;

    err->offset = pos;
    snprintf(err->entry, sizeof(err->entry), "#%u", index);
    if (pos > len || len - pos < CPIO_HEADER_LEN)
        return fail(err, pos == len ? "no trailer (archive cut short)"
                                    : "truncated header");
    h = buf + pos;
    if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
        return fail(err, "bad magic (not cpio newc)");
    for (int i = 0; i < 13; i++)
        if (hex8(h + 6 + 8 * i, &f[i])) {
            snprintf(err->why, sizeof(err->why),
                     "header field %s is not 8 hex digits", field_names[i]);
            return -EINVAL;
        }
    rest = len - pos - CPIO_HEADER_LEN;
    name_len = f[F_NAMESIZE];
    if (name_len == 0 || name_len > VFS_PATH_MAX)
        return fail(err, "absurd name size");
    if (name_len > rest)
        return fail(err, "name runs past the end of the archive");
    name_entry(err, h + CPIO_HEADER_LEN, name_len, index);
    if (h[CPIO_HEADER_LEN + name_len - 1] != '\0' ||
        memchr(h + CPIO_HEADER_LEN, '\0', name_len - 1))
        return fail(err, "name without its NUL at namesize");
    if (name_len == sizeof("TRAILER!!!") &&
        memcmp(h + CPIO_HEADER_LEN, "TRAILER!!!", name_len) == 0)
        return 0;
    data_off = CPIO_HEADER_LEN + name_len;
    data_off += pad4(data_off);
    if (data_off - CPIO_HEADER_LEN > rest)
        return fail(err, "name padding runs past the end of the archive");
    rest -= data_off - CPIO_HEADER_LEN;
    if (f[F_FILESIZE] > rest)
        return fail(err, "absurd file size (past the end of the archive)");
    if (normalise((const char *)h + CPIO_HEADER_LEN, name_len - 1, e->path,
                  err))
        return -EINVAL;
    e->mode = f[F_MODE];
    e->mtime = f[F_MTIME];
    e->nlink = f[F_NLINK];
    e->data = h + data_off;
    e->size = f[F_FILESIZE];
    switch (e->mode & S_IFMT) {
    case S_IFDIR:
        if (e->size)
            return fail(err, "directory with data");
        break;
    case S_IFLNK:
        if (e->size == 0 || e->size >= VFS_PATH_MAX)
            return fail(err, "absurd symbolic link target size");
        if (memchr(e->data, '\0', e->size))
            return fail(err, "symbolic link target with a NUL");
        break;
    default:
        break;
    }
    if (e->path[0] == '\0' && !S_ISDIR(e->mode))
        return fail(err, "the root entry is not a directory");
    rest -= e->size;
    *off = pos + data_off + e->size +
           (pad4(e->size) < rest ? pad4(e->size) : rest);
    return 1;
}

/* Directory for e's path, creating missing ones; *base = last component. */
static int parent_of(struct vfs_fs *fs, const char *path, struct vfs_node **dir,
                     const char **base, struct cpio_error *err)
{
    struct vfs_node *d = fs->root;
    const char *p = path, *slash;

    while ((slash = strchr(p, '/')) != NULL) {
        struct vfs_node *c = vfs_node_find(d, p, (size_t)(slash - p));
        int rc;

        if (!c) {
            rc = vfs_node_create(d, p, (size_t)(slash - p), S_IFDIR | 0755, &c);
            if (rc)
                return rc;
        } else if (!S_ISDIR(c->mode)) {
            return fail(err, "a parent of the entry is not a directory");
        }
        d = c;
        p = slash + 1;
    }
    *dir = d;
    *base = p;
    return 0;
}

static int add_entry(struct vfs_fs *fs, const struct cpio_entry *e,
                     unsigned int *skipped, struct cpio_error *err)
{
    mode_t type = e->mode & S_IFMT;
    struct vfs_node *dir = NULL, *n;
    const char *base = NULL;
    int rc;

    if (type != S_IFDIR && type != S_IFREG && type != S_IFLNK) {
        (*skipped)++; /* devices, fifos, sockets: nothing to back them */
        return 0;
    }
    if (e->path[0] == '\0') {
        fs->root->mode = S_IFDIR | (e->mode & 07777);
        fs->root->mtime = e->mtime;
        return 0;
    }
    rc = parent_of(fs, e->path, &dir, &base, err);
    if (rc)
        return rc;
    n = vfs_node_find(dir, base, strlen(base));
    if (n && (n->mode & S_IFMT) != type)
        return fail(err, "entry conflicts with an earlier one of another "
                         "type");
    if (!n) {
        rc = vfs_node_create(dir, base, strlen(base), type, &n);
        if (rc)
            return rc;
    }
    n->mode = type | (e->mode & 07777);
    n->mtime = e->mtime;
    if (type != S_IFDIR)
        vfs_node_borrow(n, e->data, e->size);
    return 0;
}

int cpio_unpack(struct vfs_fs *fs, const void *buf, size_t len,
                unsigned int *skipped, struct cpio_error *err)
{
    static struct cpio_entry e; /* 1 KiB of path: not on a thread stack */
    size_t off = 0;
    int rc;

    *skipped = 0;
    err->index = 0;
    /* Pass 1: the whole archive is well-formed. */
    while ((rc = cpio_next(buf, len, &off, &e, err)) == 1)
        ;
    if (rc < 0)
        return rc;
    /* Pass 2: create. */
    off = 0;
    err->index = 0;
    while ((rc = cpio_next(buf, len, &off, &e, err)) == 1) {
        rc = add_entry(fs, &e, skipped, err);
        if (rc)
            return rc;
    }
    return rc;
}
