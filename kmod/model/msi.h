/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MSI decoding: the address and data a device writes (Intel SDM vol. 3A,
 * "Message Signalled Interrupts") as the APIC-bus message the local APICs
 * take (struct vmctl_apic_irq).  Pure logic like lapic.c, built into
 * vmctl.ko and the unit tests.
 */
#ifndef VMCTL_MSI_H
#define VMCTL_MSI_H

#include "lapic.h"

#define VMCTL_MSI_ADDR_BASE		0xfee00000ULL
#define VMCTL_MSI_ADDR_DEST_SHIFT	12
#define VMCTL_MSI_ADDR_RH		(1U << 3)	/* redirection hint */
#define VMCTL_MSI_ADDR_LOGICAL		(1U << 2)	/* destination mode */

/*
 * Decode @address and @data into @irq.  Returns 0 when @irq is to be
 * delivered, 1 for a level-triggered de-assert message (no interrupt),
 * -EINVAL for an address outside 0xfeexxxxx, reserved bits set, or a
 * delivery mode the APICs do not take from a device (SMI, ExtINT and the
 * reserved ones).
 */
int vmctl_msi_decode(u64 address, u32 data, struct vmctl_apic_irq *irq);

#endif /* VMCTL_MSI_H */
