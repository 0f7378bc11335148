// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The in-kernel interrupt controllers seen from userspace: creating them
 * and driving I/O APIC pins.  Device models in this library raise their
 * lines through here; the module does the rest (routing, delivery,
 * waking a halted vCPU).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"
#include "mptable.h"

int vmctl_vm_create_irqchip(struct vmctl_vm *vm)
{
	unsigned int i;

	vmctl_clear_detail();
	if (vm->irqchip)
		return -EEXIST;
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	if (ioctl(vm->fd, VMCTL_CREATE_IRQCHIP, 0) < 0)
		return vmctl_fail(-errno, "VMCTL_CREATE_IRQCHIP");
	vm->irqchip = true;
	for (i = 0; i < ARRAY_SIZE(vm->uarts); i++)
		if (vm->uarts[i])
			vmctl_uart_wire_irqchip(vm, vm->uarts[i],
						vm->uarts[i]->base);
	return 0;
}

int vmctl_vm_irq_line(struct vmctl_vm *vm, unsigned int pin, int level)
{
	struct vmctl_irq_line line = { .irq = pin, .level = !!level };

	return ioctl(vm->fd, VMCTL_IRQ_LINE, &line) < 0 ? -errno : 0;
}

static void uart_line(void *opaque, int level)
{
	struct vmctl_uart *u = opaque;
	int ret = vmctl_vm_irq_line(u->irq_vm, u->irq_pin, level);

	/* Called under the UART's lock: irq_warned needs no other. */
	if (ret && !u->irq_warned) {
		u->irq_warned = true;
		vmctl_log("UART at 0x%x: VMCTL_IRQ_LINE pin %u: %s",
			  u->base, u->irq_pin, vmctl_strerror(ret));
	}
}

/* The PC's wiring: COM1 and COM3 on ISA IRQ 4, COM2 and COM4 on 3. */
static int isa_irq(uint16_t base)
{
	switch (base) {
	case 0x3f8:
	case 0x3e8:
		return 4;
	case 0x2f8:
	case 0x2e8:
		return 3;
	default:
		return -1;
	}
}

void vmctl_uart_wire_irqchip(struct vmctl_vm *vm, struct vmctl_uart *u,
			     uint16_t base)
{
	int irq = isa_irq(base);

	if (irq < 0) {
		vmctl_log("UART at 0x%x is not at a COM port: no interrupt line",
			  base);
		return;
	}
	u->irq_vm = vm;
	u->irq_pin = vmctl_mptable_isa_pin(irq);
	vmctl_uart_set_irq(u, uart_line, u);
}
