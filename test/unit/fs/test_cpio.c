// SPDX-License-Identifier: MIT
/*
 * test_cpio.c - kernel/cpio.c: the read-only root from a newc archive.
 *
 * The archive is untrusted (a ramdisk any toolstack may pass): besides a
 * good archive (files, directories, symbolic links, missing parents,
 * "./" names, a device entry that is skipped), these tests feed it
 * truncated headers, absurd name and file sizes, a name without its NUL,
 * "..", non-hex fields, bad magic, a missing trailer, and conflicting
 * entries, and check that each is refused with the entry named, that
 * nothing is created from a malformed archive, and (ASan) that nothing
 * is read out of bounds; then thousands of random corruptions.
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

#include "kernel/cpio.h"
#include "kernel/fdtab.h"
#include "kernel/vfs.h"
#include "kernel/vfs_etc.h"

static unsigned char arc[1 << 16];
static size_t arc_len;

/* Append one entry; namesize is strlen(name) + 1 unless forced. */
static void add_raw(const char *name, size_t namesize, unsigned int mode,
                    const void *data, size_t size, size_t fake_size)
{
    char hdr[CPIO_HEADER_LEN + 1];
    size_t nl = strlen(name);

    snprintf(hdr, sizeof(hdr),
             "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", 1u,
             mode, 0u, 0u, 1u, 1700000000u,
             fake_size != (size_t)-1 ? fake_size : size, 0u, 0u, 0u, 0u,
             namesize, 0u);
    memcpy(arc + arc_len, hdr, CPIO_HEADER_LEN);
    arc_len += CPIO_HEADER_LEN;
    memcpy(arc + arc_len, name, nl + 1);
    arc_len += nl + 1;
    while (arc_len & 3)
        arc[arc_len++] = 0;
    if (size)
        memcpy(arc + arc_len, data, size);
    arc_len += size;
    while (arc_len & 3)
        arc[arc_len++] = 0;
}

static void add(const char *name, unsigned int mode, const char *data)
{
    add_raw(name, strlen(name) + 1, mode, data, data ? strlen(data) : 0,
            (size_t)-1);
}

static void trailer(void)
{
    add("TRAILER!!!", 0, NULL);
}

static struct vfs_fs *fs;
static struct cpio_error err;
static unsigned int skipped;

static int setup(void **state)
{
    (void)state;
    arc_len = 0;
    memset(arc, 0, sizeof(arc));
    memset(&err, 0, sizeof(err));
    fs = vfs_fs_create("rootfs", 0, true);
    return fs ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (vfs_root_fs() == fs)
        vfs_reset(); /* frees fs */
    else
        vfs_fs_destroy(fs);
    fdtab_reset();
    return 0;
}

static int unpack(void)
{
    return cpio_unpack(fs, arc, arc_len, &skipped, &err);
}

static void expect_refused(const char *entry, const char *why)
{
    assert_int_equal(unpack(), -EINVAL);
    assert_string_equal(err.entry, entry);
    assert_non_null(strstr(err.why, why));
    assert_null(fs->root->children); /* nothing was created */
}

static void good_archive(void **state)
{
    struct stat st;
    char buf[64];
    int fd;

    (void)state;
    add(".", S_IFDIR | 0755, NULL);
    add("etc", S_IFDIR | 0755, NULL);
    add("etc/hosts", S_IFREG | 0644, "127.0.0.1 localhost\n");
    add("./srv/www/index.html", S_IFREG | 0644, "<h1>hi</h1>"); /* parents */
    add("/srv//www/./", S_IFDIR | 0700, NULL);                  /* again */
    add("srv/link", S_IFLNK | 0777, "www/index.html");
    add("dev/console", S_IFCHR | 0600, NULL);
    add("empty", S_IFREG | 0644, NULL);
    trailer();
    assert_int_equal(unpack(), 0);
    assert_int_equal(skipped, 1);
    vfs_set_root(fs);
    assert_int_equal(vfs_stat("/srv/www", &st, 0), 0);
    assert_int_equal(st.st_mode, S_IFDIR | 0700);
    assert_int_equal(st.st_mtime, 1700000000);
    assert_int_equal(vfs_stat("/srv/link", &st, 0), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(vfs_stat("/dev/console", &st, 0), -ENOENT);
    assert_int_equal(vfs_stat("/empty", &st, 0), 0);
    assert_int_equal(st.st_size, 0);
    fd = vfs_open("/srv/link", O_RDONLY, 0);
    assert_true(fd >= 0);
    assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 11);
    assert_memory_equal(buf, "<h1>hi</h1>", 11);
    /* Borrowed in place: the node's data is inside the archive. */
    assert_true(vfs_fd_node(fd)->data >= arc &&
                vfs_fd_node(fd)->data < arc + arc_len);
    assert_int_equal(vfs_close(fd), 0);
    assert_int_equal(vfs_open("/etc/hosts", O_RDWR, 0), -EROFS);
}

static void empty_archive_is_only_a_trailer(void **state)
{
    (void)state;
    trailer();
    assert_int_equal(unpack(), 0);
    assert_null(fs->root->children);
}

static void truncated_header(void **state)
{
    (void)state;
    add("a", S_IFREG | 0644, "x");
    trailer();
    arc_len = 50; /* inside the first header */
    expect_refused("#1", "truncated header");
    arc_len = 0;
    add("a", S_IFREG | 0644, "x");
    add("b", S_IFREG | 0644, "y"); /* no trailer: cut after an entry */
    expect_refused("#3", "no trailer");
    arc_len -= 60; /* inside the second entry's header */
    expect_refused("#2", "truncated header");
}

static void absurd_sizes(void **state)
{
    (void)state;
    add_raw("big", 4, S_IFREG | 0644, "data", 4, 0xffffffffu);
    trailer();
    expect_refused("big", "absurd file size");
    arc_len = 0;
    add_raw("huge-name", 0xfffffff0u, S_IFREG | 0644, "", 0, (size_t)-1);
    trailer();
    expect_refused("#1", "absurd name size");
    arc_len = 0;
    add_raw("zero", 0, S_IFREG | 0644, "", 0, (size_t)-1);
    trailer();
    expect_refused("#1", "absurd name size");
    arc_len = 0;
    /* A name size that is plausible but runs past the end. */
    add_raw("n", 1000, S_IFREG | 0644, "", 0, (size_t)-1);
    expect_refused("#1", "past the end");
    arc_len = 0;
    add_raw("d", 2, S_IFDIR | 0755, "data", 4, (size_t)-1);
    trailer();
    expect_refused("d", "directory with data");
    arc_len = 0;
    add_raw("l", 2, S_IFLNK | 0777, "", 0, (size_t)-1);
    trailer();
    expect_refused("l", "symbolic link target size");
}

static void name_without_nul(void **state)
{
    (void)state;
    /* namesize 3 covers "abc" without its NUL. */
    add_raw("abcd", 3, S_IFREG | 0644, "x", 1, (size_t)-1);
    trailer();
    expect_refused("abc", "without its NUL");
    arc_len = 0;
    /* A NUL inside the name (namesize past it). */
    add_raw("ab", 6, S_IFREG | 0644, "", 0, (size_t)-1);
    trailer();
    expect_refused("ab", "without its NUL");
}

static void paths_with_dotdot(void **state)
{
    (void)state;
    add("ok", S_IFREG | 0644, "fine");
    add("a/../../etc/passwd", S_IFREG | 0644, "root::0:0");
    trailer();
    expect_refused("a/../../etc/passwd", "'..'");
    arc_len = 0;
    add("..", S_IFDIR | 0755, NULL);
    trailer();
    expect_refused("..", "'..'");
    arc_len = 0;
    add("x/..", S_IFDIR | 0755, NULL);
    trailer();
    expect_refused("x/..", "'..'");
    /* A link may point anywhere: resolution clamps it at /. */
    arc_len = 0;
    add("up", S_IFLNK | 0777, "../../../../");
    trailer();
    assert_int_equal(unpack(), 0);
    vfs_set_root(fs);
    {
        struct stat a, b;

        assert_int_equal(vfs_stat("/up", &a, VFS_FOLLOW), 0);
        assert_int_equal(vfs_stat("/", &b, 0), 0);
        assert_int_equal(a.st_ino, b.st_ino);
    }
}

static void long_components(void **state)
{
    char name[VFS_NAME_MAX + 8];

    (void)state;
    memset(name, 'x', VFS_NAME_MAX + 1);
    name[VFS_NAME_MAX + 1] = '\0';
    add(name, S_IFREG | 0644, "x");
    trailer();
    assert_int_equal(unpack(), -EINVAL);
    assert_non_null(strstr(err.why, "NAME_MAX"));
    assert_int_equal(strlen(err.entry), sizeof(err.entry) - 1); /* cut */
}

static void bad_fields(void **state)
{
    (void)state;
    add("a", S_IFREG | 0644, "x");
    trailer();
    memcpy(arc, "070707", 6); /* odc, not newc */
    expect_refused("#1", "bad magic");
    arc[5] = '1';
    arc[6 + 8 * 6 + 3] = 'g'; /* filesize */
    expect_refused("#1", "filesize");
    arc[6 + 8 * 6 + 3] = ' ';
    expect_refused("#1", "filesize");
}

static void symlink_target_with_nul(void **state)
{
    (void)state;
    add_raw("l", 2, S_IFLNK | 0777, "a\0b", 3, (size_t)-1);
    trailer();
    expect_refused("l", "NUL");
}

static void conflicting_entries(void **state)
{
    (void)state;
    add("a", S_IFREG | 0644, "file");
    add("a/b", S_IFREG | 0644, "under a file");
    trailer();
    assert_int_equal(unpack(), -EINVAL);
    assert_string_equal(err.entry, "a/b");
    assert_non_null(strstr(err.why, "not a directory"));
    arc_len = 0;
    vfs_fs_destroy(fs);
    fs = vfs_fs_create("rootfs", 0, true);
    add("d", S_IFDIR | 0755, NULL);
    add("d", S_IFREG | 0644, "x");
    trailer();
    assert_int_equal(unpack(), -EINVAL);
    assert_non_null(strstr(err.why, "another type"));
    /* The same file twice: the later one wins. */
    arc_len = 0;
    vfs_fs_destroy(fs);
    fs = vfs_fs_create("rootfs", 0, true);
    add("f", S_IFREG | 0644, "one");
    add("f", S_IFREG | 0600, "second");
    trailer();
    assert_int_equal(unpack(), 0);
    assert_int_equal(vfs_node_find(fs->root, "f", 1)->size, 6);
}

static void the_root_entry_must_be_a_directory(void **state)
{
    (void)state;
    add(".", S_IFREG | 0644, "x");
    trailer();
    expect_refused(".", "root entry");
}

/* Random corruption of a good archive: refused or accepted, never a
 * read outside it (ASan) nor a crash. */
static void random_corruption(void **state)
{
    static unsigned char copy[sizeof(arc)];
    unsigned int seed = 12345, refused = 0;
    size_t good_len;

    (void)state;
    add("etc", S_IFDIR | 0755, NULL);
    add("etc/hosts", S_IFREG | 0644, "127.0.0.1 localhost\n");
    add("bin/l", S_IFLNK | 0777, "../etc/hosts");
    add("data", S_IFREG | 0644, "0123456789abcdef0123456789abcdef");
    trailer();
    good_len = arc_len;
    for (int round = 0; round < 5000; round++) {
        struct vfs_fs *f = vfs_fs_create("rootfs", 0, true);
        unsigned char *buf;
        size_t len = good_len;
        int flips = 1 + round % 4;

        memcpy(copy, arc, good_len);
        for (int i = 0; i < flips; i++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % good_len] = (unsigned char)(seed >> 20);
        }
        if (round % 7 == 0) {
            seed = seed * 1103515245u + 12345u;
            len = (seed >> 8) % good_len;
        }
        /* An exact-size heap copy, so ASan sees any overrun. */
        buf = malloc(len ? len : 1);
        memcpy(buf, copy, len);
        if (cpio_unpack(f, buf, len, &skipped, &err) != 0)
            refused++;
        vfs_fs_destroy(f);
        free(buf);
    }
    assert_true(refused > 1000);
}

static void etc_defaults_fill_gaps_only(void **state)
{
    char buf[128];
    int fd;
    ssize_t n;

    (void)state;
    add("etc/hosts", S_IFREG | 0644, "10.0.0.1 dom0\n"); /* the archive's */
    trailer();
    assert_int_equal(unpack(), 0);
    assert_int_equal(
        vfs_etc_defaults(fs, "ip=10.0.0.5/24 dns=10.0.0.1,9.9.9.9 x"), 0);
    vfs_set_root(fs);
    fd = vfs_open("/etc/hosts", O_RDONLY, 0);
    n = vfs_read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    assert_string_equal(buf, "10.0.0.1 dom0\n"); /* kept */
    vfs_close(fd);
    fd = vfs_open("/etc/resolv.conf", O_RDONLY, 0);
    n = vfs_read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    assert_string_equal(buf, "nameserver 10.0.0.1\nnameserver 9.9.9.9\n");
    vfs_close(fd);
    assert_int_equal(vfs_access("/etc/services", R_OK), 0);
    assert_int_equal(vfs_access("/etc/protocols", R_OK), 0);
    assert_int_equal(vfs_open("/etc/services", O_WRONLY, 0), -EROFS);
}

static void resolv_from_the_command_line(void **state)
{
    char buf[VFS_ETC_RESOLV_MAX];

    (void)state;
    assert_int_equal(vfs_etc_resolv("a b", buf, sizeof(buf)), 0);
    assert_int_equal(vfs_etc_resolv("", buf, sizeof(buf)), 0);
    assert_int_equal(vfs_etc_resolv("dns=1.2.3.4", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "nameserver 1.2.3.4\n");
    /* The last dns= wins. */
    assert_int_equal(
        vfs_etc_resolv("dns=1.1.1.1 dns=8.8.8.8", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "nameserver 8.8.8.8\n");
    assert_int_equal(vfs_etc_resolv("dns=1.2.3", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(vfs_etc_resolv("dns=1.2.3.400", buf, sizeof(buf)),
                     -EINVAL);
    assert_int_equal(vfs_etc_resolv("dns=1.2.3.4,", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(vfs_etc_resolv("dns=1.2.3.4;rm", buf, sizeof(buf)),
                     -EINVAL);
    assert_int_equal(vfs_etc_resolv("dns=1.2.3.4,5.6.7.8", buf, 20), -ENOSPC);
    /* Without dns= the default file says where servers come from. */
    assert_int_equal(vfs_etc_defaults(fs, NULL), 0);
    assert_non_null(
        vfs_node_find(vfs_node_find(fs->root, "etc", 3), "resolv.conf", 11));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(good_archive),
        T(empty_archive_is_only_a_trailer),
        T(truncated_header),
        T(absurd_sizes),
        T(name_without_nul),
        T(paths_with_dotdot),
        T(long_components),
        T(bad_fields),
        T(symlink_target_with_nul),
        T(conflicting_entries),
        T(the_root_entry_must_be_a_directory),
        T(random_corruption),
        T(etc_defaults_fill_gaps_only),
        T(resolv_from_the_command_line),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
