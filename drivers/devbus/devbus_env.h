// SPDX-License-Identifier: MIT
/*
 * drivers/devbus/devbus_env.h - the guest's frontend environment: the one
 * implementation of struct xenbus_front_env (xen/xenbus_front.h) that
 * every device class runs on in the guest.
 *
 * Pages come from kernel/mm (zeroed: a backend never sees old data),
 * frames from the page-to-frame translation the creator passes (PV: the
 * p2m, which drivers must not include), event channels from xen/evtchn
 * (an unbound port whose handler runs the driver's handler in event
 * context, then wakes whoever waits on this device), logs go to the PV
 * console. Design choice: one environment per device, so a wait() sleeps
 * on that device's events only. Guest only: host tests use
 * test/fakes/fake_front_env.c for the same seam.
 * Reference: xen/include/public/event_channel.h (EVTCHNOP_alloc_unbound).
 */
#ifndef DEVBUS_DEVBUS_ENV_H
#define DEVBUS_DEVBUS_ENV_H

#include "xen/xenbus_front.h"

/*
 * A new environment for one device; virt_to_frame gives a page's frame
 * (NULL: xen/p2m's PV translation). NULL when out of memory. It lives as
 * long as the device (devices are never freed).
 */
const struct xenbus_front_env *
devbus_env_create(unsigned long (*virt_to_frame)(const void *va));

/* Free an environment whose device was never created (NULL is fine). */
void devbus_env_destroy(const struct xenbus_front_env *env);

#endif /* DEVBUS_DEVBUS_ENV_H */
