// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_dfetch.h - the double-fetch detector of the host unit
 * tests: forced into a driver's test build with `-include`, it replaces
 * io/ring.h's RING_COPY_RESPONSE() by the same volatile copy followed by
 * fake_dfetch_copied(), which scribbles over the response slot in shared
 * memory (every byte inverted) right after the driver's copy.
 *
 * Design choice: the driver source is unchanged (drivers must not change
 * for tests); the include order does the work - this header includes
 * io/ring.h first, redefines the macro, and the driver's own later
 * include is a no-op behind ring.h's include guard. A driver that reads a
 * response field from the ring again after copying it (a double fetch: a
 * check on one read, a use of another) then sees a different, hostile
 * value - an id out of range, a negative status, other flags - and the
 * unchanged data-path tests, run again in this build, fail. Reads that do
 * not go through RING_COPY_RESPONSE() are not caught here; that is why
 * the rule is that every response is copied with it exactly once.
 * Reference: xen/include/public/io/ring.h (RING_COPY_RESPONSE, XSA-155).
 */
#ifndef FAKES_FAKE_DFETCH_H
#define FAKES_FAKE_DFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* io/ring.h expects its includer to provide these barriers (the same
 * definitions as the drivers' headers, which then keep these). */
#ifndef xen_mb
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/xen.h>
#include <xen/io/ring.h>

/* Scribbling on (default) or off; responses copied so far. */
extern bool fake_dfetch_on;
extern unsigned long fake_dfetch_copies;

/* The driver copied size bytes of the response at slot: invert them. */
void fake_dfetch_copied(void *slot, size_t size);

#undef RING_COPY_RESPONSE
#define RING_COPY_RESPONSE(_r, _idx, _rsp)                                     \
    do {                                                                       \
        *(_rsp) = *(volatile __typeof__(_rsp))RING_GET_RESPONSE(_r, _idx);     \
        fake_dfetch_copied(RING_GET_RESPONSE(_r, _idx), sizeof(*(_rsp)));      \
    } while (0)

#endif /* FAKES_FAKE_DFETCH_H */
