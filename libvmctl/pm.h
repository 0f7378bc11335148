/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ACPI power management device of hardware-reduced ACPI: the FADT's
 * sleep control and sleep status registers and its reset register, one
 * byte port each.  Writing SLP_EN with the \_S5 sleep type powers the VM
 * off, writing the reset value resets it: either ends the vCPUs with
 * that reason (VMCTL_END_ACPI_POWEROFF, VMCTL_END_RESET), and what a
 * reset means (boot again or stop) is the VM owner's choice.  Full ACPI
 * (a VM with the 8259s, acpi.h) uses the PM1 event block (status and
 * enable, 16 bits each; nothing to report) and the PM1 control block
 * instead of the sleep registers: SLP_EN with the \_S5 type in PM1
 * control powers off the same way.
 */
#ifndef VMCTL_PM_H
#define VMCTL_PM_H

#include <stdint.h>

#include <vmctl/libvmctl.h>

#define VMCTL_PM_PORT		0x600
#define VMCTL_PM_SLEEP_CONTROL	(VMCTL_PM_PORT + 0)
#define VMCTL_PM_SLEEP_STATUS	(VMCTL_PM_PORT + 1)
#define VMCTL_PM_RESET		(VMCTL_PM_PORT + 2)
#define VMCTL_PM1_EVT		(VMCTL_PM_PORT + 4)
#define VMCTL_PM1_EVT_LEN	4
#define VMCTL_PM1_CNT		(VMCTL_PM_PORT + 8)
#define VMCTL_PM1_CNT_LEN	2
#define VMCTL_PM_PORTS		10
#define VMCTL_PM_RESET_VALUE	0x01
/* SLP_TYPx for S5 (soft off), the value the DSDT's \_S5 gives. */
#define VMCTL_PM_SLP_TYP_S5	5

/* Sleep control register bits (ACPI 6.0, 4.8.3.7) */
#define VMCTL_PM_SLP_EN		(1U << 5)
#define VMCTL_PM_SLP_TYP_SHIFT	2
#define VMCTL_PM_SLP_TYP_MASK	(7U << VMCTL_PM_SLP_TYP_SHIFT)
/* PM1 control: the same fields 8 bits up (ACPI 6.0, 4.8.3.2.1) */
#define VMCTL_PM1_SCI_EN	(1U << 0)
#define VMCTL_PM1_SHIFT		8

/*
 * What a write at port offset (0 .. VMCTL_PM_PORTS - 1) asks for:
 * VMCTL_END_ACPI_POWEROFF, VMCTL_END_RESET, or VMCTL_END_NONE (the wake
 * status acknowledged, a sleep state other than S5, which the DSDT does
 * not offer, a value the reset register ignores, the PM1 event block).
 * Bytes, but 16 bits at PM1 control.
 */
enum vmctl_end_reason vmctl_pm_decode(unsigned int offset, uint16_t value);

#endif /* VMCTL_PM_H */
