// SPDX-License-Identifier: MIT
/*
 * test_vfs.c - kernel/vfs*.c: the name space, tmpfs and open files.
 *
 * Each test starts from a fresh writable root (a tmpfs) or a read-only
 * one, with /tmp-like mounts made by the test, and drives the same vfs_*
 * calls lib/fs_syscalls.c makes. Covered: path resolution with ".",
 * ".." (never above "/", across mounts), symbolic links (followed,
 * not followed, loops, absolute targets), NAME_MAX / PATH_MAX, a tmpfs
 * filled to its quota (ENOSPC, short writes, space given back), many
 * files, rename over existing entries, rmdir of a non-empty directory,
 * read-only refusals, and descriptor semantics (offsets, O_APPEND,
 * O_EXCL, dup, fcntl, files kept while open after unlink).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel/fdtab.h"
#include "kernel/vfs.h"

static int setup_rw(void **state)
{
    (void)state;
    vfs_set_root(vfs_fs_create("tmpfs", 0, false));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vfs_reset();
    fdtab_reset();
    return 0;
}

static ino_t ino_of(const char *path, int flags)
{
    struct stat st;

    assert_int_equal(vfs_stat(path, &st, flags), 0);
    return st.st_ino;
}

static void put_file(const char *path, const char *text)
{
    int fd = vfs_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    assert_true(fd >= VFS_FD_FIRST);
    assert_int_equal(vfs_write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(vfs_close(fd), 0);
}

static void expect_file(const char *path, const char *text)
{
    char buf[256];
    int fd = vfs_open(path, O_RDONLY, 0);
    ssize_t n;

    assert_true(fd >= VFS_FD_FIRST);
    n = vfs_read(fd, buf, sizeof(buf) - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    assert_string_equal(buf, text);
    assert_int_equal(vfs_close(fd), 0);
}

static void resolution_dots_and_slashes(void **state)
{
    ino_t b;
    struct stat st;

    (void)state;
    assert_int_equal(vfs_mkdir("/a", 0755), 0);
    assert_int_equal(vfs_mkdir("/a/b", 0755), 0);
    b = ino_of("/a/b", 0);
    assert_int_equal(ino_of("a/b", 0), b);
    assert_int_equal(ino_of("//a///b/", 0), b);
    assert_int_equal(ino_of("/a/./b/.", 0), b);
    assert_int_equal(ino_of("/a/b/../b", 0), b);
    assert_int_equal(vfs_stat("/a/c", &st, 0), -ENOENT);
    assert_int_equal(vfs_stat("/a/c/d", &st, 0), -ENOENT);
    assert_int_equal(vfs_stat("", &st, 0), -ENOENT);
    assert_int_equal(vfs_stat(NULL, &st, 0), -EINVAL);
    put_file("/a/f", "x");
    assert_int_equal(vfs_stat("/a/f/x", &st, 0), -ENOTDIR);
    assert_int_equal(vfs_stat("/a/f/", &st, 0), -ENOTDIR);
    assert_int_equal(vfs_mkdir("/a/f/d", 0755), -ENOTDIR);
    assert_int_equal(vfs_mkdir("/a/b", 0755), -EEXIST);
    assert_int_equal(vfs_mkdir("/", 0755), -EEXIST);
    assert_int_equal(vfs_mkdir("/a/new/", 0755), 0);
}

static void dotdot_never_leaves_root(void **state)
{
    char cwd[64];
    ino_t root = ino_of("/", 0);

    (void)state;
    assert_int_equal(vfs_mkdir("/a", 0755), 0);
    assert_int_equal(ino_of("/..", 0), root);
    assert_int_equal(ino_of("/../../../..", 0), root);
    assert_int_equal(ino_of("/../a/../../a/..", 0), root);
    assert_int_equal(ino_of("../../a", 0), ino_of("/a", 0));
    assert_int_equal(vfs_chdir("/a"), 0);
    assert_int_equal(ino_of("../../..", 0), root);
    assert_int_equal(vfs_chdir("../../../.."), 0);
    assert_int_equal(vfs_getcwd(cwd, sizeof(cwd)), 0);
    assert_string_equal(cwd, "/");
    assert_int_equal(vfs_rmdir("/.."), -ENOTEMPTY);
    assert_int_equal(vfs_rmdir("/"), -EINVAL);
}

static void mounts_are_transparent(void **state)
{
    char cwd[64];
    struct stat st, root;

    (void)state;
    assert_int_equal(vfs_mkdir("/a", 0755), 0);
    assert_int_equal(vfs_mount_tmpfs("/a/m", 0), 0); /* created */
    assert_int_equal(vfs_mount_tmpfs("/a/m", 0), -EBUSY);
    assert_int_equal(vfs_mount_tmpfs("/", 0), -EBUSY);
    assert_int_equal(vfs_mkdir("/a/m/d", 0755), 0);
    assert_int_equal(vfs_stat("/a/m/d", &st, 0), 0);
    assert_int_equal(vfs_stat("/", &root, 0), 0);
    assert_int_not_equal(st.st_dev, root.st_dev);
    assert_int_equal(ino_of("/a/m/d/../..", 0), ino_of("/a", 0));
    assert_int_equal(vfs_chdir("/a/m/d"), 0);
    assert_int_equal(vfs_getcwd(cwd, sizeof(cwd)), 0);
    assert_string_equal(cwd, "/a/m/d");
    assert_int_equal(vfs_getcwd(cwd, 6), -ERANGE);
    assert_int_equal(ino_of("../../../..", 0), ino_of("/", 0));
    assert_int_equal(vfs_rmdir("/a/m"), -EBUSY);
    assert_int_equal(vfs_rename("/a/m", "/a/n"), -EBUSY);
    assert_int_equal(vfs_rename("/a/m/d", "/a/d"), -EXDEV);
    put_file("/a/f", "x");
    assert_int_equal(vfs_mount_tmpfs("/a/f", 0), -ENOTDIR);
}

static void symlinks_are_supported(void **state)
{
    char buf[64];
    struct stat st;

    (void)state;
    assert_int_equal(vfs_mkdir("/a", 0755), 0);
    assert_int_equal(vfs_mkdir("/a/b", 0755), 0);
    put_file("/a/b/f", "data");
    assert_int_equal(vfs_symlink("b", "/a/l"), 0);           /* relative */
    assert_int_equal(vfs_symlink("/a/b/f", "/abs"), 0);      /* absolute */
    assert_int_equal(vfs_symlink("../../../a/b", "/up"), 0); /* clamped */
    assert_int_equal(vfs_symlink("nowhere", "/dangling"), 0);
    assert_int_equal(vfs_symlink("x", "/a/l"), -EEXIST);
    assert_int_equal(ino_of("/a/l", VFS_FOLLOW), ino_of("/a/b", 0));
    assert_int_equal(vfs_stat("/a/l", &st, 0), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(ino_of("/a/l/f", 0), ino_of("/a/b/f", 0));
    assert_int_equal(ino_of("/up/f", 0), ino_of("/a/b/f", 0));
    expect_file("/abs", "data");
    expect_file("/a/l/f", "data");
    assert_int_equal(vfs_readlink("/a/l", buf, sizeof(buf)), 1);
    assert_int_equal(buf[0], 'b');
    assert_int_equal(vfs_readlink("/a/b", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(vfs_stat("/dangling", &st, VFS_FOLLOW), -ENOENT);
    assert_int_equal(vfs_stat("/dangling", &st, 0), 0);
    /* O_NOFOLLOW refuses the link itself. */
    assert_int_equal(vfs_open("/abs", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
    /* Loops end. */
    assert_int_equal(vfs_symlink("y", "/x"), 0);
    assert_int_equal(vfs_symlink("x", "/y"), 0);
    assert_int_equal(vfs_stat("/x", &st, VFS_FOLLOW), -ELOOP);
    assert_int_equal(vfs_stat("/x/z", &st, 0), -ELOOP);
    /* Removing a link leaves its target. */
    assert_int_equal(vfs_unlink("/abs"), 0);
    expect_file("/a/b/f", "data");
    /* A trailing slash follows a link to a directory. */
    assert_int_equal(ino_of("/a/l/", 0), ino_of("/a/b", 0));
}

static void long_names_and_paths(void **state)
{
    char name[VFS_NAME_MAX + 3], path[VFS_PATH_MAX + 8];
    struct stat st;
    size_t n;

    (void)state;
    name[0] = '/';
    memset(name + 1, 'n', VFS_NAME_MAX);
    name[VFS_NAME_MAX + 1] = '\0';
    assert_int_equal(vfs_mkdir(name, 0755), 0); /* exactly NAME_MAX */
    assert_int_equal(vfs_stat(name, &st, 0), 0);
    name[VFS_NAME_MAX + 1] = 'n';
    name[VFS_NAME_MAX + 2] = '\0';
    assert_int_equal(vfs_mkdir(name, 0755), -ENAMETOOLONG);
    assert_int_equal(vfs_stat(name, &st, 0), -ENAMETOOLONG);
    assert_int_equal(vfs_open(name, O_CREAT | O_WRONLY, 0644), -ENAMETOOLONG);
    /* A path of PATH_MAX - 1 bytes resolves; one of PATH_MAX does not. */
    n = 0;
    path[n++] = '/';
    while (n < VFS_PATH_MAX - 2) {
        path[n++] = '.';
        path[n++] = '/';
    }
    path[n] = '\0';
    if (n < VFS_PATH_MAX - 1)
        path[n++] = '.', path[n] = '\0';
    assert_int_equal(strlen(path), VFS_PATH_MAX - 1);
    assert_int_equal(vfs_stat(path, &st, 0), 0);
    path[n++] = '/';
    path[n] = '\0';
    assert_int_equal(strlen(path), VFS_PATH_MAX);
    assert_int_equal(vfs_stat(path, &st, 0), -ENAMETOOLONG);
    /* A link whose target makes the path too long. */
    path[VFS_PATH_MAX - 10] = '\0';
    assert_int_equal(vfs_symlink(path, "/long"), 0);
    assert_int_equal(vfs_stat("/long/././././././././././.", &st, 0),
                     -ENAMETOOLONG);
}

static void full_tmpfs_gives_enospc(void **state)
{
    static char block[4096];
    struct vfs_fs *fs;
    struct stat st;
    long total = 0;
    ssize_t n;
    int fd;

    (void)state;
    memset(block, 'q', sizeof(block));
    assert_int_equal(vfs_mount_tmpfs("/q", 64 * 1024), 0);
    assert_int_equal(vfs_stat("/q", &st, 0), 0);
    fd = vfs_open("/q/big", O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    fs = vfs_fd_node(fd)->fs;
    for (;;) {
        n = vfs_write(fd, block, sizeof(block));
        if (n < 0)
            break;
        assert_true(n > 0);
        total += n;
        assert_true(total < 64 * 1024);
    }
    assert_int_equal(n, -ENOSPC);
    assert_true(fs->used <= fs->quota);
    /* Short writes used the room: less than a block is left. */
    assert_true(fs->quota - fs->used < sizeof(block));
    assert_true(total > 48 * 1024);
    /* New directories soon fail too: each costs a node. */
    {
        char d[16];
        int i, rc = 0;

        for (i = 0; i < 1000 && rc == 0; i++) {
            snprintf(d, sizeof(d), "/q/d%d", i);
            rc = vfs_mkdir(d, 0755);
        }
        assert_int_equal(rc, -ENOSPC);
        assert_true(i < 100);
    }
    assert_int_equal(vfs_ftruncate(fd, 1 << 20), -ENOSPC);
    /* Truncating gives the space back at once. */
    {
        size_t before = fs->used;

        assert_int_equal(vfs_ftruncate(fd, 100), 0);
        assert_true(fs->used < before - 32 * 1024);
        assert_int_equal(vfs_ftruncate(fd, 0), 0);
        assert_int_equal(vfs_lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(vfs_write(fd, block, sizeof(block)), sizeof(block));
        assert_int_equal(vfs_ftruncate(fd, 0), 0);
    }
    /* The heap is never asked past the quota; unlinking gives it back. */
    assert_int_equal(vfs_close(fd), 0);
    assert_int_equal(vfs_unlink("/q/big"), 0);
    fd = vfs_open("/q/again", O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(vfs_write(fd, block, sizeof(block)), sizeof(block));
    assert_int_equal(vfs_close(fd), 0);
}

static void many_files(void **state)
{
    enum { N = 3000 };
    static char seen[N];
    struct vfs_dirent ent;
    char path[64];
    int fd, count = 0, dots = 0;

    (void)state;
    assert_int_equal(vfs_mkdir("/many", 0755), 0);
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "/many/file-%05d", i);
        fd = vfs_open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        assert_true(fd >= 0);
        assert_int_equal(vfs_write(fd, path, strlen(path)),
                         (ssize_t)strlen(path));
        assert_int_equal(vfs_close(fd), 0);
    }
    fd = vfs_open("/many", O_RDONLY | O_DIRECTORY, 0);
    assert_true(fd >= 0);
    while (vfs_readdir(fd, &ent) == 1) {
        int i;

        if (strcmp(ent.name, ".") == 0 || strcmp(ent.name, "..") == 0) {
            dots++;
            continue;
        }
        assert_int_equal(sscanf(ent.name, "file-%05d", &i), 1);
        assert_true(i >= 0 && i < N);
        assert_int_equal(seen[i], 0);
        seen[i] = 1;
        assert_int_equal(ent.type, 8);
        count++;
    }
    assert_int_equal(dots, 2);
    assert_int_equal(count, N);
    assert_int_equal(vfs_rewinddir(fd), 0);
    assert_int_equal(vfs_readdir(fd, &ent), 1);
    assert_string_equal(ent.name, ".");
    assert_int_equal(vfs_close(fd), 0);
    expect_file("/many/file-01234", "/many/file-01234");
    assert_int_equal(vfs_rmdir("/many"), -ENOTEMPTY);
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "/many/file-%05d", i);
        assert_int_equal(vfs_unlink(path), 0);
    }
    assert_int_equal(vfs_rmdir("/many"), 0);
}

static void rename_rules(void **state)
{
    char buf[16];
    int fd;

    (void)state;
    put_file("/a", "old-a");
    put_file("/b", "old-b");
    fd = vfs_open("/b", O_RDONLY, 0);
    assert_true(fd >= 0);
    assert_int_equal(vfs_rename("/a", "/b"), 0); /* over a file */
    expect_file("/b", "old-a");
    assert_int_equal(vfs_open("/a", O_RDONLY, 0), -ENOENT);
    /* The replaced file lives on for whoever has it open. */
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 5);
    assert_memory_equal(buf, "old-b", 5);
    assert_int_equal(vfs_close(fd), 0);
    assert_int_equal(vfs_rename("/b", "/b"), 0);
    expect_file("/b", "old-a");
    assert_int_equal(vfs_mkdir("/d", 0755), 0);
    assert_int_equal(vfs_mkdir("/e", 0755), 0);
    assert_int_equal(vfs_mkdir("/full", 0755), 0);
    put_file("/full/x", "x");
    assert_int_equal(vfs_rename("/b", "/d"), -EISDIR);
    assert_int_equal(vfs_rename("/d", "/b"), -ENOTDIR);
    assert_int_equal(vfs_rename("/d", "/full"), -ENOTEMPTY);
    assert_int_equal(vfs_rename("/d", "/d/sub"), -EINVAL);
    assert_int_equal(vfs_rename("/d", "/e"), 0); /* over an empty dir */
    assert_int_equal(vfs_open("/d", O_RDONLY, 0), -ENOENT);
    assert_int_equal(vfs_rename("/e", "/full/e"), 0);
    assert_int_equal(vfs_rename("/nothing", "/x"), -ENOENT);
    assert_int_equal(vfs_rename("/b", "/missing/b"), -ENOENT);
    assert_int_equal(vfs_rename("/b", "/."), -EINVAL);
    assert_int_equal(vfs_rename("/b", "/full/x/y"), -ENOTDIR);
}

static void rmdir_and_unlink_rules(void **state)
{
    (void)state;
    assert_int_equal(vfs_mkdir("/d", 0755), 0);
    put_file("/d/f", "x");
    assert_int_equal(vfs_rmdir("/d"), -ENOTEMPTY);
    assert_int_equal(vfs_rmdir("/d/f"), -ENOTDIR);
    assert_int_equal(vfs_rmdir("/d/."), -EINVAL);
    assert_int_equal(vfs_unlink("/d"), -EISDIR);
    assert_int_equal(vfs_unlink("/d/nothing"), -ENOENT);
    assert_int_equal(vfs_unlink("/d/f"), 0);
    assert_int_equal(vfs_chdir("/d"), 0);
    assert_int_equal(vfs_rmdir("/d"), 0); /* even as the cwd */
    {
        char cwd[16];

        assert_int_equal(vfs_getcwd(cwd, sizeof(cwd)), -ENOENT);
    }
    assert_int_equal(vfs_mkdir("x", 0755), -ENOENT);
    assert_int_equal(vfs_chdir("/"), 0);
}

static void read_only_root_refuses_changes(void **state)
{
    struct vfs_fs *fs = vfs_fs_create("rootfs", 0, true);
    struct vfs_node *n;
    char buf[8];
    int fd;

    (void)state;
    vfs_reset();
    assert_int_equal(vfs_node_create(fs->root, "etc", 3, S_IFDIR | 0755, &n),
                     0);
    assert_int_equal(vfs_node_create(n, "hosts", 5, S_IFREG | 0644, &n), 0);
    vfs_node_borrow(n, "127.0.0.1", 9);
    vfs_set_root(fs);
    assert_int_equal(vfs_open("/etc/hosts", O_WRONLY, 0), -EROFS);
    assert_int_equal(vfs_open("/etc/hosts", O_RDONLY | O_TRUNC, 0), -EROFS);
    assert_int_equal(vfs_open("/etc/new", O_WRONLY | O_CREAT, 0644), -EROFS);
    assert_int_equal(vfs_mkdir("/etc/d", 0755), -EROFS);
    assert_int_equal(vfs_unlink("/etc/hosts"), -EROFS);
    assert_int_equal(vfs_rename("/etc/hosts", "/etc/h"), -EROFS);
    assert_int_equal(vfs_rmdir("/etc"), -EROFS);
    assert_int_equal(vfs_symlink("x", "/l"), -EROFS);
    assert_int_equal(vfs_access("/etc/hosts", W_OK), -EROFS);
    assert_int_equal(vfs_access("/etc/hosts", R_OK), 0);
    assert_int_equal(vfs_access("/etc/hosts", X_OK), -EACCES);
    assert_int_equal(vfs_access("/etc/none", F_OK), -ENOENT);
    fd = vfs_open("/etc/hosts", O_RDONLY, 0);
    assert_true(fd >= 0);
    assert_int_equal(vfs_ftruncate(fd, 0), -EINVAL);
    assert_int_equal(vfs_write(fd, "x", 1), -EBADF);
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 8);
    assert_memory_equal(buf, "127.0.0.", 8);
    assert_int_equal(vfs_close(fd), 0);
    /* A tmpfs mounted on it (its mount point made by the kernel). */
    assert_int_equal(vfs_mount_tmpfs("/tmp", 0), 0);
    put_file("/tmp/w", "writable");
    expect_file("/tmp/w", "writable");
}

static void descriptors(void **state)
{
    char buf[32];
    int fd, fd2, fd3;

    (void)state;
    fd = vfs_open("/f", O_RDWR | O_CREAT | O_EXCL, 0600);
    assert_int_equal(fd, VFS_FD_FIRST); /* the lowest free */
    assert_int_equal(vfs_open("/f", O_RDWR | O_CREAT | O_EXCL, 0600), -EEXIST);
    assert_int_equal(vfs_write(fd, "hello world", 11), 11);
    assert_int_equal(vfs_lseek(fd, 0, SEEK_CUR), 11);
    assert_int_equal(vfs_lseek(fd, -5, SEEK_END), 6);
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 5);
    assert_memory_equal(buf, "world", 5);
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 0);
    assert_int_equal(vfs_lseek(fd, -1, SEEK_SET), -EINVAL);
    assert_int_equal(vfs_lseek(fd, 0, 42), -EINVAL);
    /* A gap past the end reads as zeros. */
    assert_int_equal(vfs_pwrite(fd, "!", 1, 20), 1);
    assert_int_equal(vfs_pread(fd, buf, sizeof(buf), 0), 21);
    assert_int_equal(buf[15], 0);
    assert_int_equal(buf[20], '!');
    /* dup shares the offset; FD_CLOEXEC is per descriptor. */
    fd2 = vfs_fcntl(fd, F_DUPFD, 0);
    assert_int_equal(fd2, VFS_FD_FIRST + 1);
    fd3 = vfs_fcntl(fd, F_DUPFD_CLOEXEC, VFS_FD_FIRST + 10);
    assert_int_equal(fd3, VFS_FD_FIRST + 10);
    assert_int_equal(vfs_fcntl(fd3, F_GETFD, 0), FD_CLOEXEC);
    assert_int_equal(vfs_fcntl(fd, F_GETFD, 0), 0);
    assert_int_equal(vfs_fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    assert_int_equal(vfs_fcntl(fd, F_GETFD, 0), FD_CLOEXEC);
    assert_int_equal(vfs_lseek(fd2, 2, SEEK_SET), 2);
    assert_int_equal(vfs_lseek(fd, 0, SEEK_CUR), 2);
    assert_int_equal(vfs_fcntl(fd, F_GETFL, 0) & O_ACCMODE, O_RDWR);
    assert_int_equal(vfs_fcntl(fd, F_SETFL, O_APPEND), 0);
    assert_true(vfs_fcntl(fd2, F_GETFL, 0) & O_APPEND); /* shared */
    assert_int_equal(vfs_write(fd2, "?", 1), 1);
    assert_int_equal(vfs_lseek(fd, 0, SEEK_CUR), 22); /* appended */
    assert_int_equal(vfs_fcntl(fd, F_GETLK, 0), -EINVAL);
    assert_int_equal(vfs_dup2(fd, VFS_FD_FIRST + 10), VFS_FD_FIRST + 10);
    assert_int_equal(vfs_fcntl(fd3, F_GETFD, 0), 0);
    assert_int_equal(vfs_dup2(fd, 5), -EBADF);
    assert_int_equal(vfs_close(fd), 0);
    assert_int_equal(vfs_close(fd), -EBADF);
    assert_int_equal(vfs_read(fd, buf, 1), -EBADF);
    assert_int_equal(vfs_ftruncate(fd2, 3), 0);
    assert_int_equal(vfs_pread(fd2, buf, sizeof(buf), 0), 3);
    assert_int_equal(vfs_close(fd2), 0);
    assert_int_equal(vfs_close(fd3), 0);
    /* O_TRUNC, O_WRONLY cannot read, directories cannot be written. */
    fd = vfs_open("/f", O_WRONLY | O_TRUNC, 0);
    assert_int_equal(vfs_read(fd, buf, 1), -EBADF);
    assert_int_equal(vfs_close(fd), 0);
    expect_file("/f", "");
    assert_int_equal(vfs_mkdir("/d", 0755), 0);
    assert_int_equal(vfs_open("/d", O_WRONLY, 0), -EISDIR);
    assert_int_equal(vfs_open("/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
    fd = vfs_open("/d", O_RDONLY, 0);
    assert_int_equal(vfs_read(fd, buf, 1), -EISDIR);
    assert_int_equal(vfs_fchdir(fd), 0);
    assert_int_equal(vfs_close(fd), 0);
    put_file("rel", "in d");
    expect_file("/d/rel", "in d");
}

static void unlinked_file_stays_while_open(void **state)
{
    char buf[8];
    struct stat st;
    int fd;

    (void)state;
    put_file("/gone", "still");
    fd = vfs_open("/gone", O_RDWR, 0);
    assert_int_equal(vfs_unlink("/gone"), 0);
    assert_int_equal(vfs_stat("/gone", &st, 0), -ENOENT);
    assert_int_equal(vfs_fstat(fd, &st), 0);
    assert_int_equal(st.st_nlink, 0);
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 5);
    assert_int_equal(vfs_write(fd, "!", 1), 1);
    assert_int_equal(vfs_close(fd), 0); /* freed here (ASan checks) */
}

static void table_runs_out_and_fdtab_forwards(void **state)
{
    const struct fdtab_ops *ops;
    int fd;

    (void)state;
    assert_int_equal(vfs_file_init(), 0);
    put_file("/f", "abc");
    for (int i = 0; i < VFS_FD_MAX; i++)
        assert_int_equal(vfs_open("/f", O_RDONLY, 0), VFS_FD_FIRST + i);
    assert_int_equal(vfs_open("/f", O_RDONLY, 0), -EMFILE);
    ops = fdtab_lookup(VFS_FD_FIRST);
    assert_non_null(ops);
    assert_null(fdtab_lookup(VFS_FD_FIRST + VFS_FD_MAX));
    assert_int_equal(ops->close(VFS_FD_FIRST), 0);
    errno = 0;
    assert_int_equal(ops->close(VFS_FD_FIRST), -1);
    assert_int_equal(errno, EBADF);
    fd = vfs_open("/f", O_RDONLY, 0);
    assert_int_equal(fd, VFS_FD_FIRST);
    assert_int_equal(ops->lseek(fd, 1, SEEK_SET), 1);
    {
        char c;

        assert_int_equal(ops->read(fd, &c, 1), 1);
        assert_int_equal(c, 'b');
    }
}

static int fill_ab(void *buf, size_t len)
{
    memset(buf, 0xab, len);
    return 0;
}

static void dev_nodes_on_a_read_only_root(void **state)
{
    struct vfs_fs *fs = vfs_fs_create("rootfs", 0, true);
    unsigned char buf[300];
    struct stat st;
    int fd;

    (void)state;
    vfs_reset();
    assert_int_equal(vfs_dev_populate(fs), 0);
    assert_int_equal(vfs_dev_populate(fs), 0); /* idempotent */
    vfs_set_root(fs);
    assert_int_equal(vfs_stat("/dev/null", &st, 0), 0);
    assert_true(S_ISCHR(st.st_mode));
    fd = vfs_open("/dev/null", O_WRONLY | O_TRUNC, 0); /* RO root: fine */
    assert_true(fd >= 0);
    assert_int_equal(vfs_write(fd, "discarded", 9), 9);
    assert_int_equal(vfs_close(fd), 0);
    fd = vfs_open("/dev/null", O_RDONLY, 0);
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 0);
    assert_int_equal(vfs_close(fd), 0);
    fd = vfs_open("/dev/zero", O_RDONLY, 0);
    memset(buf, 1, sizeof(buf));
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), sizeof(buf));
    assert_int_equal(buf[0] | buf[299], 0);
    assert_int_equal(vfs_close(fd), 0);
    fd = vfs_open("/dev/urandom", O_RDONLY, 0);
    vfs_dev_set_random(NULL);
    assert_int_equal(vfs_read(fd, buf, 16), -EIO); /* no source: no bytes */
    vfs_dev_set_random(fill_ab);
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 256); /* short */
    assert_int_equal(buf[255], 0xab);
    assert_int_equal(vfs_close(fd), 0);
    vfs_dev_set_random(NULL);
    assert_int_equal(vfs_open("/dev/new", O_WRONLY | O_CREAT, 0644), -EROFS);
    assert_int_equal(vfs_unlink("/dev/null"), -EROFS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_rw, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(resolution_dots_and_slashes),
        T(dotdot_never_leaves_root),
        T(mounts_are_transparent),
        T(symlinks_are_supported),
        T(long_names_and_paths),
        T(full_tmpfs_gives_enospc),
        T(many_files),
        T(rename_rules),
        T(rmdir_and_unlink_rules),
        T(read_only_root_refuses_changes),
        T(descriptors),
        T(unlinked_file_stays_while_open),
        T(table_runs_out_and_fdtab_forwards),
        T(dev_nodes_on_a_read_only_root),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
