// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
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

void vcpu_load_guest_isr(struct vcpu *vcpu, const struct guest_code *code,
			 unsigned int vector, const char *isr)
{
	vcpu_load_guest(vcpu, code);
	if (isr)
		idt_set_gate(vcpu->vm, vector, guest_addr(code, isr));
}

void vcpu_get_stats(struct vcpu *vcpu, struct vmctl_vcpu_stats *st)
{
	die_unless(ioctl(vcpu->fd, VMCTL_GET_VCPU_STATS, st) == 0,
		   "VMCTL_GET_VCPU_STATS");
}

int run_to_done(struct vcpu *vcpu, struct ucall *uc)
{
	struct vmctl_vcpu_stats st;
	int type = vcpu_ucall(vcpu, uc);

	vcpu_get_stats(vcpu, &st);
	if (st.user_exits != 1)
		fprintf(stderr, "# %llu exits to user space\n",
			(unsigned long long)st.user_exits);
	return st.user_exits == 1 ? type : UCALL_NONE;
}

void smp_vm_create(struct vm **vm, struct vcpu **bsp, struct vcpu **ap)
{
	*vm = irqchip_vm_create();
	*bsp = vcpu_add(*vm, 0);
	*ap = vcpu_add(*vm, 1);
}

void smp_vm_destroy(struct vm *vm, struct vcpu *bsp, struct vcpu *ap)
{
	if (!vm)
		return;
	vcpu_destroy(ap);
	vcpu_destroy(bsp);
	vm_destroy(vm);
}
