/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where things are in the PC a Linux guest sees: one definition for the
 * firmware tables that describe them (ACPI, MP table) and the devices
 * that sit there (pci.c), so the two cannot disagree.  The PM device's
 * ports are its own header's (pm.h).
 */
#ifndef VMCTL_PC_LAYOUT_H
#define VMCTL_PC_LAYOUT_H

#include <stdint.h>

/*
 * The PCI hole: guest-physical addresses below 4 GiB that the PCI root
 * bridge decodes for BARs, from 3 GiB up to the I/O APIC page.  RAM
 * beyond 3 GiB continues at 4 GiB (cli/cmd_run.c), and the I/O APIC
 * and local APIC pages above the hole are the irqchip's.
 */
#define VMCTL_PCI_HOLE_BASE	0xc0000000ULL
#define VMCTL_PCI_HOLE_END	0xfec00000ULL	/* exclusive */

/* Type-1 PCI configuration access: CONFIG_ADDRESS and CONFIG_DATA. */
#define VMCTL_PCI_CONFIG_PORT	0xcf8
#define VMCTL_PCI_CONFIG_PORTS	8

/*
 * PCI INTx routing: INTA-INTD (pin 0-3) of a device in slot 0-31 of
 * bus 0 reach I/O APIC inputs 16-23, rotated by slot as PCI-to-PCI
 * bridges swizzle, so neighbouring slots do not share a line.  The
 * DSDT's _PRT lists this table; Linux programs those inputs level
 * triggered (active low, which the in-kernel I/O APIC leaves to the
 * device: it takes "asserted").
 */
#define VMCTL_PCI_INTX_GSI_BASE	16
#define VMCTL_PCI_INTX_GSIS	8

static inline unsigned int vmctl_pci_intx_gsi(unsigned int slot,
					      unsigned int pin)
{
	return VMCTL_PCI_INTX_GSI_BASE + (slot + pin) % VMCTL_PCI_INTX_GSIS;
}

#endif /* VMCTL_PC_LAYOUT_H */
