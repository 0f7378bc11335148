// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ACPI power management device (see pm.h).  Linux's poweroff writes
 * WAK_STS to the sleep status register, then SLP_TYP | SLP_EN to the
 * sleep control register and polls the status until the machine is
 * gone; its reboot writes the FADT's reset value to the reset register.
 * With full ACPI it writes SLP_TYP, then SLP_TYP | SLP_EN to PM1
 * control.  Reads return 0: never "woken", nothing to report; but PM1
 * control says SCI_EN, in ACPI mode from the start, and PM1 enable reads
 * back what was written (ACPICA checks that a fixed event's enable bit,
 * the global lock's, sticks).
 */
#include "internal.h"
#include "pm.h"

#define PM1_EN		(VMCTL_PM1_EVT + VMCTL_PM1_EVT_LEN / 2 - VMCTL_PM_PORT)

enum vmctl_end_reason vmctl_pm_decode(unsigned int offset, uint16_t value)
{
	switch (offset) {
	case VMCTL_PM1_CNT + 1 - VMCTL_PM_PORT:	/* its high byte alone */
		value <<= VMCTL_PM1_SHIFT;
		/* fall through */
	case VMCTL_PM1_CNT - VMCTL_PM_PORT:
		return vmctl_pm_decode(VMCTL_PM_SLEEP_CONTROL - VMCTL_PM_PORT,
				       (value >> VMCTL_PM1_SHIFT) & 0xff);
	case VMCTL_PM_SLEEP_CONTROL - VMCTL_PM_PORT:
		value &= 0xff;
		if ((value & VMCTL_PM_SLP_EN) &&
		    (value & VMCTL_PM_SLP_TYP_MASK) >> VMCTL_PM_SLP_TYP_SHIFT ==
		    VMCTL_PM_SLP_TYP_S5)
			return VMCTL_END_ACPI_POWEROFF;
		return VMCTL_END_NONE;
	case VMCTL_PM_RESET - VMCTL_PM_PORT:
		return (value & 0xff) == VMCTL_PM_RESET_VALUE ? VMCTL_END_RESET :
						       VMCTL_END_NONE;
	default:
		return VMCTL_END_NONE;
	}
}

static uint64_t pm_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct vmctl_vm *vm = opaque;

	if (offset == PM1_EN)
		return size == 1 ? vm->pm1_en & 0xff : vm->pm1_en;
	return offset == VMCTL_PM1_CNT - VMCTL_PM_PORT ? VMCTL_PM1_SCI_EN : 0;
}

static void pm_write(void *opaque, uint64_t offset, unsigned int size,
		     uint64_t value)
{
	struct vmctl_vm *vm = opaque;
	enum vmctl_end_reason why = vmctl_pm_decode(offset, value);

	if (offset == PM1_EN)
		vm->pm1_en = size == 1 ? (vm->pm1_en & 0xff00) | (value & 0xff) :
					 value;
	if (why != VMCTL_END_NONE)
		vmctl_vm_guest_end(vm, why);
}

static const struct vmctl_io_ops pm_ops = {
	.read = pm_read,
	.write = pm_write,
};

/* A line in the PC's device list: ports, and PM1 enable in the VM. */
int vmctl_pm_create(struct vmctl_vm *vm)
{
	return vmctl_vm_register_pio(vm, VMCTL_PM_PORT, VMCTL_PM_PORTS,
				     &pm_ops, vm);
}
