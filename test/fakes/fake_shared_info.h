// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_shared_info.h - Xen's side of shared_info, in plain
 * memory.
 *
 * The test allocates a zeroed shared_info page and plays the hypervisor:
 * fake_xen_raise() sets a port pending exactly as Xen's 2-level
 * evtchn_set_pending() does (selector and upcall flag only when the port
 * is unmasked), and fake_xen_set_time() publishes a frozen pvclock so
 * that time_monotonic_ns() returns what the test says.
 */
#ifndef TEST_FAKES_FAKE_SHARED_INFO_H
#define TEST_FAKES_FAKE_SHARED_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

/* A zeroed, page-aligned shared_info (free with fake_shared_info_free). */
shared_info_t *fake_shared_info_alloc(void);
void fake_shared_info_free(shared_info_t *s);

/*
 * Xen's evtchn_set_pending for vcpu 0: set the pending bit; if it was
 * clear and the port is unmasked, set the selector bit and
 * evtchn_upcall_pending. Returns true if an upcall would be delivered
 * now (flag set and events not masked).
 */
bool fake_xen_raise(shared_info_t *s, evtchn_port_t port);

/*
 * Publish a pvclock that reads exactly ns regardless of the TSC
 * (mul = 0), bumping version by two like a completed update.
 */
void fake_xen_set_time(shared_info_t *s, uint64_t ns);

#endif /* TEST_FAKES_FAKE_SHARED_INFO_H */
