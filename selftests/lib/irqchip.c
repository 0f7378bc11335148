// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "die.h"
#include "irqchip.h"

#define IDT_GATE_INTR64		0x8e	/* present, DPL 0, type 14 */

bool irqchip_available(void)
{
	int fd = vmctl_open();
	long ret = ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_IRQCHIP);

	close(fd);
	return ret > 0;
}

struct vm *irqchip_vm_create(void)
{
	struct vm *vm = vm_create("");

	die_unless(ioctl(vm->fd, VMCTL_CREATE_IRQCHIP, 0) == 0,
		   "VMCTL_CREATE_IRQCHIP");
	return vm;
}

void idt_set_gate(struct vm *vm, unsigned int vector, unsigned long handler)
{
	uint64_t *idt = gpa_to_hva(vm, IDT_GPA);

	if (vector > 255)
		die("no vector %u", vector);
	idt[2 * vector] = (handler & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
			  ((uint64_t)IDT_GATE_INTR64 << 40) |
			  (((handler >> 16) & 0xffff) << 48);
	idt[2 * vector + 1] = handler >> 32;
}

void vcpu_get_stats(struct vcpu *vcpu, struct vmctl_vcpu_stats *st)
{
	die_unless(ioctl(vcpu->fd, VMCTL_GET_VCPU_STATS, st) == 0,
		   "VMCTL_GET_VCPU_STATS");
}
