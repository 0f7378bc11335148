// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The in-kernel interrupt controllers seen from userspace: creating them,
 * driving I/O APIC pins and sending MSIs.  Device models raise their
 * interrupts through vmctl_irq_set() (device.h), which lands here; the
 * module does the rest (routing, delivery, waking a halted vCPU).  The
 * ISA IRQ to pin wiring is the MP table's, so guest and devices agree on
 * it.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"
#include "mptable.h"

int vmctl_vm_create_irqchip(struct vmctl_vm *vm)
{
	vmctl_clear_detail();
	if (vm->irqchip)
		return -EEXIST;
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	if (ioctl(vm->fd, VMCTL_CREATE_IRQCHIP, 0) < 0)
		return vmctl_fail(-errno, "VMCTL_CREATE_IRQCHIP");
	vm->irqchip = true;
	vmctl_devices_connect_irqchip(&vm->devices);
	return 0;
}

int vmctl_vm_create_pic_pit(struct vmctl_vm *vm)
{
	vmctl_clear_detail();
	if (!vm->irqchip)
		return vmctl_fail(-ENXIO,
				  "the 8259s and PIT need the in-kernel irqchip first");
	if (vm->pic_pit)
		return -EEXIST;
	if (ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0) < 0)
		return vmctl_fail(-errno, "VMCTL_CREATE_PIC_PIT");
	vm->pic_pit = true;
	return 0;
}

int vmctl_vm_irq_line(struct vmctl_vm *vm, unsigned int pin, int level)
{
	struct vmctl_irq_line line = { .irq = pin, .level = !!level };

	return ioctl(vm->fd, VMCTL_IRQ_LINE, &line) < 0 ? -errno : 0;
}

int vmctl_vm_signal_msi(struct vmctl_vm *vm, uint64_t address, uint32_t data)
{
	struct vmctl_msi msi = { .address = address, .data = data };

	return ioctl(vm->fd, VMCTL_SIGNAL_MSI, &msi) < 0 ? -errno : 0;
}

void vmctl_irq_connect_pin(struct vmctl_irq *irq, struct vmctl_vm *vm,
			   unsigned int pin)
{
	*irq = (struct vmctl_irq){ .kind = VMCTL_IRQ_PIN, .vm = vm, .pin = pin };
}

void vmctl_irq_connect_isa(struct vmctl_irq *irq, struct vmctl_vm *vm,
			   unsigned int isa_irq)
{
	vmctl_irq_connect_pin(irq, vm, vmctl_mptable_isa_pin(isa_irq));
}

int vmctl_irq_set(const struct vmctl_irq *irq, int level)
{
	switch (irq->kind) {
	case VMCTL_IRQ_PIN:
		return vmctl_vm_irq_line(irq->vm, irq->pin, level);
	default:
		return 0;
	}
}
