// SPDX-License-Identifier: MIT
/*
 * apps/blkbench/fdtest.c - the /dev/xvd* descriptor path, end to end.
 *
 * mode=fdtest opens /dev/<dev> with open(2) and checks what a POSIX
 * program relies on: fstat's st_size equals the disk size, pwrite then
 * pread of pattern blocks at scattered offsets, lseek + write + lseek +
 * read, SEEK_END, fsync, and refusals (misaligned offset: EINVAL, read
 * past the end: 0 bytes). Design choice: a separate file so the
 * benchmark does not depend on the libc path. Reference: POSIX pread,
 * pwrite, lseek, fsync, fstat.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"

#define BS 4096

static int fail(const char *what)
{
    printf("blkbench: fdtest FAILED: %s (errno %d: %s)\n", what, errno,
           strerror(errno));
    return 1;
}

int blkbench_fdtest(const char *dev, uint64_t seed);

int blkbench_fdtest(const char *dev, uint64_t seed)
{
    static uint8_t a[BS], b[BS];
    char path[32];
    struct stat st;
    off_t size, offs[4];
    int fd;

    snprintf(path, sizeof(path), "/dev/%s", dev);
    fd = open(path, O_RDWR);
    if (fd < 0)
        return fail("open");
    if (fstat(fd, &st) < 0)
        return fail("fstat");
    size = st.st_size;
    if (size < 4 * BS || !S_ISBLK(st.st_mode))
        return fail("fstat: size or mode");
    offs[0] = 0;
    offs[1] = BS;
    offs[2] = (size / 2) / BS * BS;
    offs[3] = size - BS;
    for (int i = 0; i < 4; i++) {
        pattern_fill(a, BS, (uint64_t)offs[i] / BS, seed);
        if (pwrite(fd, a, BS, offs[i]) != BS)
            return fail("pwrite");
    }
    for (int i = 0; i < 4; i++) {
        memset(b, 0, BS);
        if (pread(fd, b, BS, offs[i]) != BS)
            return fail("pread");
        if (pattern_check(b, BS, (uint64_t)offs[i] / BS, seed) != PATTERN_OK)
            return fail("pread data");
    }
    /* The file offset: pread/pwrite leave it alone, read/write move it. */
    if (lseek(fd, 0, SEEK_CUR) != 0)
        return fail("pread moved the offset");
    if (lseek(fd, 2 * BS, SEEK_SET) != 2 * BS)
        return fail("lseek SEEK_SET");
    pattern_fill(a, BS, 2, seed + 1);
    if (write(fd, a, BS) != BS || lseek(fd, 0, SEEK_CUR) != 3 * BS)
        return fail("write");
    if (lseek(fd, -BS, SEEK_CUR) != 2 * BS || read(fd, b, BS) != BS ||
        pattern_check(b, BS, 2, seed + 1) != PATTERN_OK)
        return fail("read after lseek");
    if (lseek(fd, 0, SEEK_END) != size || read(fd, b, BS) != 0)
        return fail("SEEK_END / read at the end");
    /* Byte granularity: 100 bytes across a sector boundary, both ways. */
    pattern_fill(a, BS, 7, seed);
    if (pwrite(fd, a, BS, 7 * BS) != BS ||
        pwrite(fd, "hello", 5, 7 * BS + 510) != 5)
        return fail("unaligned pwrite");
    memcpy(a + 510, "hello", 5);
    if (pread(fd, b, 100, 7 * BS + 460) != 100 || memcmp(b, a + 460, 100))
        return fail("unaligned pread data");
    if (pread(fd, b, BS, size - 10) != 10)
        return fail("pread clamped at the end");
    if (fsync(fd) < 0)
        return fail("fsync");
    if (close(fd) < 0)
        return fail("close");
    if (read(fd, b, BS) != -1 || errno != EBADF)
        return fail("read after close");
    printf("blkbench: fdtest ok size=%" PRIu64 "\n", (uint64_t)size);
    return 0;
}
