// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_dfetch.c - the scribbler behind fake_dfetch.h: after
 * each RING_COPY_RESPONSE() of the driver under test, every byte of the
 * response slot in shared memory is inverted, so a second read of any
 * field from the ring sees a value that differs from the copy.
 *
 * Design choice: inversion changes every field whatever its type (ids
 * become out of range, statuses negative or huge, flag sets their
 * complement), so no field can read back "the same by luck". A test
 * binary in which the hook never ran proves nothing, so the process
 * exits with status 1 at the end if no response was scribbled.
 * Reference: xen/include/public/io/ring.h.
 */
#include "fake_dfetch.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

bool fake_dfetch_on = true;
unsigned long fake_dfetch_copies;

void fake_dfetch_copied(void *slot, size_t size)
{
    volatile uint8_t *p = slot;

    if (!fake_dfetch_on)
        return;
    fake_dfetch_copies++;
    for (size_t i = 0; i < size; i++)
        p[i] = (uint8_t)~p[i];
}

__attribute__((destructor)) static void fake_dfetch_report(void)
{
    if (fake_dfetch_copies)
        return;
    fprintf(stderr, "fake_dfetch: no response was copied through "
                    "RING_COPY_RESPONSE: the detector never ran\n");
    _exit(1);
}
