// SPDX-License-Identifier: MIT
/*
 * apps/fsdemo/main.c - the file system as a ported program sees it.
 *
 * Reports what the read-only root holds (the embedded root/ folder, or
 * the --rootfs DIR the toolstack passed as ramdisk): the first line of
 * /data/hello.txt read with fopen/fgets, a sorted listing of /data
 * (opendir/readdir; "/" marks directories, "@" links), the target of
 * /data/link, and the size and FNV-1a 64 hash of /data/big.bin when
 * there is one (read through read() and, compared, through mmap()).
 * Then it checks, printing "fsdemo: FAIL <what>" for each failure:
 * the root refuses writes (EROFS), /etc defaults exist, /dev/null
 * swallows a write and /dev/urandom gives bytes, /tmp takes
 * mkdir/write/rename/read/unlink/rmdir, lseek/fcntl/dup behave, getcwd
 * follows chdir, anonymous mmap is zeroed, and a tmpfs mounted with
 * xn_fs_mount_tmpfs() fills to ENOSPC at its quota. Last line
 * "fsdemo: all checks passed" and exit 0, else exit 1. Arguments:
 * "cat=PATH" prints a file (e.g. /etc/resolv.conf).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenith.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("fsdemo: FAIL %s (errno %d %s)\n", what, errno, strerror(errno));
        failures++;
    }
}

static uint64_t fnv1a(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void report_root(void)
{
    char line[256], *names[64], listing[1024] = "";
    struct dirent *e;
    struct stat st;
    size_t n = 0;
    FILE *f;
    DIR *d;

    f = fopen("/data/hello.txt", "r");
    if (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        printf("fsdemo: hello.txt: %s\n", line);
    } else {
        printf("fsdemo: hello.txt: missing (%s)\n", strerror(errno));
    }
    if (f)
        fclose(f);
    d = opendir("/data");
    if (!d) {
        printf("fsdemo: ls /data: missing (%s)\n", strerror(errno));
        return;
    }
    while ((e = readdir(d)) != NULL && n < 64) {
        char *s;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        s = malloc(strlen(e->d_name) + 2);
        strcpy(s, e->d_name);
        if (e->d_type == DT_DIR)
            strcat(s, "/");
        else if (e->d_type == DT_LNK)
            strcat(s, "@");
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (strlen(listing) + strlen(names[i]) + 2 < sizeof(listing)) {
            strcat(listing, i ? " " : "");
            strcat(listing, names[i]);
        }
        free(names[i]);
    }
    printf("fsdemo: ls /data: %s\n", listing);
    {
        ssize_t l = readlink("/data/link", line, sizeof(line) - 1);

        if (l >= 0) {
            line[l] = '\0';
            printf("fsdemo: /data/link -> %s\n", line);
        }
    }
    if (stat("/data/big.bin", &st) == 0) {
        unsigned char buf[4096];
        uint64_t h = 0xcbf29ce484222325ull, hm;
        int fd = open("/data/big.bin", O_RDONLY);
        ssize_t got;
        void *map;

        while ((got = read(fd, buf, sizeof(buf))) > 0)
            h = fnv1a(buf, (size_t)got, h);
        check(got == 0, "read big.bin to its end");
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        check(map != MAP_FAILED, "mmap big.bin read-only");
        if (map != MAP_FAILED) {
            hm = fnv1a(map, (size_t)st.st_size, 0xcbf29ce484222325ull);
            check(hm == h, "mmap of big.bin = what read() gave");
            check(munmap(map, (size_t)st.st_size) == 0, "munmap big.bin");
        }
        close(fd);
        printf("fsdemo: big.bin: %ld bytes fnv1a=%016llx\n", (long)st.st_size,
               (unsigned long long)h);
    }
}

static void check_root_is_read_only(void)
{
    errno = 0;
    check(open("/newfile", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS,
          "creating a file in / fails with EROFS");
    errno = 0;
    check(mkdir("/newdir", 0755) < 0 && errno == EROFS,
          "mkdir in / fails with EROFS");
    errno = 0;
    check(unlink("/etc/hosts") < 0 && errno == EROFS,
          "unlink in / fails with EROFS");
    check(access("/etc/hosts", R_OK) == 0, "/etc/hosts is there");
    check(access("/etc/resolv.conf", R_OK) == 0, "/etc/resolv.conf is there");
    check(access("/etc/services", R_OK) == 0, "/etc/services is there");
    check(access("/etc/protocols", R_OK) == 0, "/etc/protocols is there");
    errno = 0;
    check(access("/etc/hosts", W_OK) < 0 && errno == EROFS,
          "access(W_OK) on the root says EROFS");
}

static void check_dev(void)
{
    unsigned char r[16] = {0};
    int fd = open("/dev/null", O_WRONLY), any = 0;
    FILE *f;

    check(fd >= 0 && write(fd, "gone", 4) == 4, "write to /dev/null");
    if (fd >= 0)
        close(fd);
    f = fopen("/dev/urandom", "r");
    check(f != NULL, "fopen /dev/urandom");
    if (f && fread(r, 1, sizeof(r), f) == sizeof(r)) {
        for (size_t i = 0; i < sizeof(r); i++)
            any |= r[i];
        check(any != 0, "/dev/urandom gives bytes");
        printf("fsdemo: /dev/urandom: %zu bytes\n", sizeof(r));
    } else if (f) {
        /* No RDRAND: EIO, never predictable bytes. */
        check(errno == EIO, "/dev/urandom without a source says EIO");
        printf("fsdemo: /dev/urandom: EIO (no entropy source)\n");
    }
    if (f)
        fclose(f);
}

static int file_is(const char *path, const char *text)
{
    char buf[128];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strcmp(buf, text) == 0;
}

static void check_tmp(void)
{
    char cwd[64];
    struct stat st;
    FILE *f;
    DIR *d;
    int fd, fd2, entries = 0;

    check(mkdir("/tmp/work", 0755) == 0, "mkdir /tmp/work");
    f = fopen("/tmp/work/a.txt", "w");
    check(f != NULL, "fopen /tmp/work/a.txt for writing");
    if (f) {
        fprintf(f, "written %d\n", 42);
        check(fclose(f) == 0, "fclose");
    }
    check(rename("/tmp/work/a.txt", "/tmp/work/b.txt") == 0, "rename");
    check(stat("/tmp/work/a.txt", &st) < 0 && errno == ENOENT,
          "the old name is gone");
    check(file_is("/tmp/work/b.txt", "written 42\n"), "read back renamed");
    /* Rename over an existing file replaces it. */
    f = fopen("/tmp/work/c.txt", "w");
    if (f) {
        fputs("other", f);
        fclose(f);
    }
    check(rename("/tmp/work/c.txt", "/tmp/work/b.txt") == 0,
          "rename over an existing file");
    check(file_is("/tmp/work/b.txt", "other"), "the replaced content");
    fd = open("/tmp/work/b.txt", O_RDWR | O_APPEND);
    check(fd >= 0, "open O_APPEND");
    check(write(fd, "+", 1) == 1, "append");
    check(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    check((fcntl(fd, F_GETFL) & O_APPEND) != 0, "F_GETFL has O_APPEND");
    check(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 &&
              fcntl(fd, F_GETFD) == FD_CLOEXEC,
          "F_SETFD/F_GETFD");
    fd2 = dup(fd);
    check(fd2 > fd && lseek(fd2, 0, SEEK_CUR) == 0, "dup shares the offset");
    close(fd2);
    check(fstat(fd, &st) == 0 && st.st_size == 6 && S_ISREG(st.st_mode),
          "fstat size 6");
    close(fd);
    check(rmdir("/tmp/work") < 0 && errno == ENOTEMPTY,
          "rmdir of a non-empty directory: ENOTEMPTY");
    d = opendir("/tmp/work");
    while (d && readdir(d))
        entries++;
    if (d)
        closedir(d);
    check(entries == 3, "/tmp/work lists . .. b.txt");
    check(chdir("/tmp/work") == 0, "chdir");
    check(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tmp/work") == 0,
          "getcwd after chdir");
    check(file_is("b.txt", "other+"), "relative path after chdir");
    check(chdir("../../..") == 0 && getcwd(cwd, sizeof(cwd)) &&
              strcmp(cwd, "/") == 0,
          ".. stops at /");
    check(unlink("/tmp/work/b.txt") == 0, "unlink");
    check(rmdir("/tmp/work") == 0, "rmdir");
    printf("fsdemo: /tmp write/rename/read/unlink done\n");
}

static void check_mmap_and_quota(void)
{
    static char block[1024];
    unsigned char *p;
    long total = 0;
    int fd, zero = 1;

    p = mmap(NULL, 3 * 4096 + 1, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(p != MAP_FAILED && ((uintptr_t)p & 4095) == 0,
          "anonymous mmap is page aligned");
    if (p != MAP_FAILED) {
        for (int i = 0; i < 4 * 4096; i++)
            zero &= p[i] == 0;
        check(zero, "anonymous mmap is zeroed");
        check(munmap(p, 3 * 4096 + 1) == 0, "munmap");
    }
    check(xn_fs_mount_tmpfs("/scratch", 64 * 1024) == XN_OK,
          "xn_fs_mount_tmpfs /scratch");
    fd = open("/scratch/fill", O_WRONLY | O_CREAT, 0644);
    check(fd >= 0, "create in /scratch");
    for (;;) {
        ssize_t n = write(fd, block, sizeof(block));

        if (n <= 0)
            break;
        total += n;
    }
    check(errno == ENOSPC && total > 32 * 1024 && total < 64 * 1024,
          "/scratch fills to ENOSPC under its 64 KiB quota");
    close(fd);
    printf("fsdemo: /scratch full at %ld bytes (ENOSPC)\n", total);
}

static void cat(const char *path)
{
    char line[256];
    FILE *f = fopen(path, "r");

    if (!f) {
        printf("fsdemo: cat %s: %s\n", path, strerror(errno));
        return;
    }
    while (fgets(line, sizeof(line), f))
        printf("fsdemo: %s: %s", path, line);
    fclose(f);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "cat=", 4) == 0)
            cat(argv[i] + 4);
    report_root();
    check_root_is_read_only();
    check_dev();
    check_tmp();
    check_mmap_and_quota();
    if (failures) {
        printf("fsdemo: %d checks failed\n", failures);
        return 1;
    }
    printf("fsdemo: all checks passed\n");
    return 0;
}
