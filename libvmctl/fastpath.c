// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The module's in-kernel fast paths for device models: doorbells (a
 * guest write to a registered address signals an eventfd without leaving
 * the kernel) and interrupt eventfds (an eventfd written by any thread
 * raises an I/O APIC pin or sends an MSI).  Thin wrappers over
 * VMCTL_DOORBELL and VMCTL_IRQFD; the module validates everything.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

static int doorbell(struct vmctl_vm *vm, uint32_t flags, int efd, int pio,
		    uint64_t addr, unsigned int len, const uint64_t *match)
{
	struct vmctl_doorbell d = {
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = flags | (pio ? VMCTL_DOORBELL_PIO : 0),
	};

	if (match) {
		d.flags |= VMCTL_DOORBELL_DATAMATCH;
		d.data = *match;
	}
	return ioctl(vm->fd, VMCTL_DOORBELL, &d) < 0 ? -errno : 0;
}

int vmctl_vm_add_doorbell(struct vmctl_vm *vm, int efd, int pio,
			  uint64_t addr, unsigned int len,
			  const uint64_t *match)
{
	return doorbell(vm, 0, efd, pio, addr, len, match);
}

int vmctl_vm_remove_doorbell(struct vmctl_vm *vm, int efd, int pio,
			     uint64_t addr, unsigned int len,
			     const uint64_t *match)
{
	return doorbell(vm, VMCTL_DOORBELL_DEASSIGN, efd, pio, addr, len,
			match);
}

static int irqfd(struct vmctl_vm *vm, const struct vmctl_irqfd *args)
{
	return ioctl(vm->fd, VMCTL_IRQFD, args) < 0 ? -errno : 0;
}

int vmctl_vm_add_irqfd(struct vmctl_vm *vm, int efd, unsigned int pin,
		       int resample_efd)
{
	struct vmctl_irqfd a = { .fd = efd, .pin = pin };

	if (resample_efd >= 0) {
		a.flags = VMCTL_IRQFD_RESAMPLE;
		a.resamplefd = resample_efd;
	}
	return irqfd(vm, &a);
}

int vmctl_vm_add_msi_irqfd(struct vmctl_vm *vm, int efd, uint64_t address,
			   uint32_t data)
{
	struct vmctl_irqfd a = {
		.fd = efd,
		.flags = VMCTL_IRQFD_MSI,
		.msi = { .address = address, .data = data },
	};

	return irqfd(vm, &a);
}

int vmctl_vm_remove_irqfd(struct vmctl_vm *vm, int efd)
{
	struct vmctl_irqfd a = { .fd = efd, .flags = VMCTL_IRQFD_DEASSIGN };

	return irqfd(vm, &a);
}
