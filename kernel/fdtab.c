// SPDX-License-Identifier: MIT
/*
 * kernel/fdtab.c - descriptor ranges served by other modules (see fdtab.h).
 *
 * A handful of ranges in a fixed array, looked up linearly: there are at
 * most a few providers (sockets, later files), and the lookup is on
 * every read/write so it must not allocate or lock. Registration happens
 * in constructors, before threads other than main exist.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "kernel/fdtab.h"

/* Descriptors 0-2 belong to the console (lib/syscalls.c). */
#define FDTAB_CONSOLE_FDS 3

static struct {
    int first, count;
    const struct fdtab_ops *ops;
} ranges[FDTAB_MAX_RANGES];
static int nr_ranges;

int fdtab_register(int first, int count, const struct fdtab_ops *ops)
{
    if (first < 0 || count <= 0 || first > __INT_MAX__ - count || !ops ||
        !ops->read || !ops->write || !ops->close || !ops->fstat || !ops->fcntl)
        return -EINVAL;
    if (first < FDTAB_CONSOLE_FDS)
        return -EBUSY;
    for (int i = 0; i < nr_ranges; i++) {
        if (first < ranges[i].first + ranges[i].count &&
            ranges[i].first < first + count)
            return -EBUSY;
    }
    if (nr_ranges == FDTAB_MAX_RANGES)
        return -ENOSPC;
    ranges[nr_ranges].first = first;
    ranges[nr_ranges].count = count;
    ranges[nr_ranges].ops = ops;
    nr_ranges++;
    return 0;
}

const struct fdtab_ops *fdtab_lookup(int fd)
{
    for (int i = 0; i < nr_ranges; i++) {
        if (fd >= ranges[i].first && fd - ranges[i].first < ranges[i].count)
            return ranges[i].ops;
    }
    return NULL;
}

static struct {
    const char *prefix;
    fdtab_open_fn open_fn;
} paths[FDTAB_MAX_PATHS];
static int nr_paths;

int fdtab_register_path(const char *prefix, fdtab_open_fn open_fn)
{
    if (!prefix || !*prefix || !open_fn)
        return -EINVAL;
    for (int i = 0; i < nr_paths; i++)
        if (strcmp(paths[i].prefix, prefix) == 0)
            return -EBUSY;
    if (nr_paths == FDTAB_MAX_PATHS)
        return -ENOSPC;
    paths[nr_paths].prefix = prefix;
    paths[nr_paths].open_fn = open_fn;
    nr_paths++;
    return 0;
}

fdtab_open_fn fdtab_lookup_path(const char *path)
{
    for (int i = 0; path && i < nr_paths; i++)
        if (strncmp(path, paths[i].prefix, strlen(paths[i].prefix)) == 0)
            return paths[i].open_fn;
    return NULL;
}

void fdtab_reset(void)
{
    nr_ranges = 0;
    nr_paths = 0;
}
