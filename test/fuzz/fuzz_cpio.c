// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_cpio.c - libFuzzer target of the root archive reader
 * (kernel/cpio.c) and of path resolution over what it built
 * (kernel/vfs.c): the fuzzer plays whoever wrote the ramdisk.
 *
 * Design choice: the input is the archive itself (no framing), so seeds
 * are real newc archives (test/fuzz/gen_corpus.py). Checked: the result
 * is 0, -EINVAL (with a reason and a NUL-terminated entry name) or
 * -ENOMEM; an accepted archive gives a tree in which every name is 1..
 * NAME_MAX bytes without '/', no name is "." or "..", every file's data
 * lies inside the input, and every node, walked by path from "/" with
 * links followed, resolves (or fails with a POSIX error, never crashes)
 * and reads back its size through a descriptor.
 */
#include <errno.h>
#include <fcntl.h>

#include "fuzz_common.h"
#include "kernel/cpio.h"
#include "kernel/fdtab.h"
#include "kernel/vfs.h"

static const uint8_t *in;
static size_t in_len;

static void visit(struct vfs_node *dir, char *path, size_t len, int depth)
{
    for (struct vfs_node *c = dir->children; c; c = c->next) {
        size_t nl = strlen(c->name);
        struct vfs_node *n;
        int rc, fd;

        FUZZ_CHECK(nl >= 1 && nl <= VFS_NAME_MAX, "name length %zu", nl);
        FUZZ_CHECK(!strchr(c->name, '/'), "slash in a name");
        FUZZ_CHECK(strcmp(c->name, ".") && strcmp(c->name, ".."), "dot name");
        if (!c->borrowed && c->size)
            FUZZ_CHECK(0, "root data not borrowed");
        if (c->size)
            FUZZ_CHECK(c->data >= in && c->data + c->size <= in + in_len,
                       "data outside the archive");
        if (len + 1 + nl + 1 > VFS_PATH_MAX)
            continue;
        path[len] = '/';
        memcpy(path + len + 1, c->name, nl + 1);
        rc = vfs_lookup(path, 0, &n);
        FUZZ_CHECK(rc == 0 && n == c, "%s does not resolve to itself", path);
        rc = vfs_lookup(path, VFS_FOLLOW, &n);
        FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -ELOOP || rc == -ENOTDIR ||
                       rc == -ENAMETOOLONG,
                   "follow %s: %d", path, rc);
        fd = vfs_open(path, O_RDONLY, 0);
        if (fd >= 0) {
            static char buf[4096];
            ssize_t got, total = 0;

            while ((got = vfs_read(fd, buf, sizeof(buf))) > 0)
                total += got;
            FUZZ_CHECK(got == 0 || got == -EISDIR, "read %s: %zd", path, got);
            if (got == 0)
                FUZZ_CHECK((size_t)total == vfs_fd_node(fd)->size,
                           "short read of %s", path);
            vfs_close(fd);
        }
        if (S_ISDIR(c->mode) && depth < 64)
            visit(c, path, len + 1 + nl, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[VFS_PATH_MAX];
    struct vfs_fs *fs = vfs_fs_create("rootfs", 0, true);
    struct cpio_error err;
    unsigned int skipped;
    int rc;

    FUZZ_CHECK(fs != NULL, "no fs");
    in = data;
    in_len = size;
    rc = cpio_unpack(fs, data, size, &skipped, &err);
    FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM, "rc %d", rc);
    if (rc == -EINVAL) {
        FUZZ_CHECK(err.why[0] != '\0', "no reason");
        FUZZ_CHECK(memchr(err.entry, '\0', sizeof(err.entry)) != NULL,
                   "entry not terminated");
    }
    if (rc != 0) {
        vfs_fs_destroy(fs);
        return 0;
    }
    vfs_set_root(fs);
    path[0] = '\0';
    visit(fs->root, path, 0, 0);
    vfs_reset(); /* frees fs */
    fdtab_reset();
    return 0;
}
