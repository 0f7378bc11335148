// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The devices every PC guest gets from vmctl_load_linux(), created once
 * per VM in the order listed: kvmtool's dev_init list, in one place.  A
 * model is its own file whose constructor claims its ranges and adds
 * itself to the VM (device.h); registering it is its line in pc_devices[]
 * (and its constructor's prototype above), nothing else.
 */
#include "internal.h"

int vmctl_rtc_create(struct vmctl_vm *vm);
int vmctl_absent_ports_create(struct vmctl_vm *vm);
int vmctl_pm_create(struct vmctl_vm *vm);
int vmctl_pci_host_create(struct vmctl_vm *vm);

static int (*const pc_devices[])(struct vmctl_vm *vm) = {
	vmctl_rtc_create,		/* CMOS clock at 0x70-0x71 (rtc.c) */
	vmctl_absent_ports_create,	/* no PIC, PIT, i8042... (absent.c) */
	vmctl_pm_create,		/* ACPI sleep and reset registers (pm.c) */
	vmctl_pci_host_create,		/* PCI bus 0, host bridge (pci_vm.c) */
};

int vmctl_pc_devices_create(struct vmctl_vm *vm)
{
	unsigned int i;
	int ret;

	if (vm->pc_devices)
		return 0;
	for (i = 0; i < ARRAY_SIZE(pc_devices); i++) {
		ret = pc_devices[i](vm);
		if (ret)
			return ret;
	}
	vm->pc_devices = true;
	return 0;
}

int vmctl_vm_create_pc(struct vmctl_vm *vm)
{
	int ret = 0;

	vmctl_clear_detail();
	if (!vm->irqchip && vmctl_check_cap(vm->sys, VMCTL_CAP_IRQCHIP) > 0)
		ret = vmctl_vm_create_irqchip(vm);
	return ret ? ret : vmctl_pc_devices_create(vm);
}
