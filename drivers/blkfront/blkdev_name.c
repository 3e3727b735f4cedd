// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkdev_name.c - names of Xen virtual block devices.
 *
 * The toolstack gives each vbd a number (device/vbd/<N>, also its
 * "virtual-device" node) that encodes the name the guest should use,
 * and xl's own messages use it ("xvdb"). Design choice: decode that
 * number instead of reading the backend's free-form "dev" node, so the
 * name is known before any backend answers and cannot be chosen by
 * another domain. Pure: host-tested in test/unit/blkdev.
 * Reference: xen docs/misc/vbd-interface.txt (the xvd, sd and hd
 * encodings and the extended 1<<28 form).
 */
#include <errno.h>
#include <stdio.h>

#include "drivers/blkfront/blkdev.h"

/* Disk index 0 -> "a", 25 -> "z", 26 -> "aa" (as Linux names them). */
static int disk_letters(unsigned int disk, char *out, size_t size)
{
    char tmp[8];
    size_t n = 0;

    for (unsigned long d = (unsigned long)disk + 1; d && n < sizeof(tmp);
         d = (d - 1) / 26)
        tmp[n++] = (char)('a' + (d - 1) % 26);
    if (n + 1 > size)
        return -ENAMETOOLONG;
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return 0;
}

static int compose(char *buf, size_t size, const char *prefix,
                   unsigned int disk, unsigned int part)
{
    char letters[8];
    int n;

    if (disk_letters(disk, letters, sizeof(letters)) < 0)
        return -ENAMETOOLONG;
    if (part)
        n = snprintf(buf, size, "%s%s%u", prefix, letters, part);
    else
        n = snprintf(buf, size, "%s%s", prefix, letters);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int blkdev_name(unsigned int devid, char *buf, size_t size)
{
    unsigned int major = (devid >> 8) & 0xff, minor = devid & 0xff;
    int n;

    if (!buf || size == 0)
        return -ENAMETOOLONG;
    if ((devid >> 28) == 1) /* extended: 1 << 28 | disk << 8 | part */
        return compose(buf, size, "xvd", (devid >> 8) & 0xfffff, devid & 0xff);
    if ((devid >> 16) == 0) {
        switch (major) {
        case 202: /* xvd: 16 minors per disk */
            return compose(buf, size, "xvd", minor >> 4, minor & 15);
        case 8: /* sd, first 16 disks */
            return compose(buf, size, "sd", minor >> 4, minor & 15);
        case 3: /* hda, hdb: 64 minors per disk */
            return compose(buf, size, "hd", minor >> 6, minor & 63);
        case 22: /* hdc, hdd */
            return compose(buf, size, "hd", 2 + (minor >> 6), minor & 63);
        default:
            break;
        }
    }
    n = snprintf(buf, size, "vbd%u", devid);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
