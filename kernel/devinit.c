// SPDX-License-Identifier: MIT
/*
 * kernel/devinit.c - entry 00 of the device linker set (kernel/devinit.h):
 * the grant table and the xenstore connection every PV device needs.
 *
 * Design choice: the bus is brought up by the set itself, not by
 * start_kernel(), so an image without devices never maps a grant table
 * (48 KiB of bookkeeping) nor links the xenstore client; it is linked
 * exactly when a device class is, because every device probe calls
 * devinit_bus_ready(). A failure is reported once here and leaves the
 * domain without PV devices (each class then probes nothing).
 * Reference: xen/include/public/grant_table.h, io/xs_wire.h.
 */
#include "kernel/devinit.h"

#include "kernel/kfmt.h"
#include "xen/gnttab.h"
#include "xen/xenstore.h"

static bool bus_up;

static int bus_probe(const start_info_t *si, uint64_t timeout_ns)
{
    int rc;

    (void)timeout_ns;
    rc = gnttab_setup();
    if (rc) {
        kfmt_printf("[xenith] grant table setup failed (%d): no PV devices\n",
                    rc);
        return 0;
    }
    rc = xenstore_init(si->store_mfn, si->store_evtchn);
    if (rc) {
        kfmt_printf("[xenith] xenstore_init failed (%d): no PV devices\n", rc);
        return 0;
    }
    bus_up = true;
    return 0;
}

XN_DEVICE_INIT(bus, 00, bus_probe);

bool devinit_bus_ready(void)
{
    return bus_up;
}
