// SPDX-License-Identifier: GPL-2.0
/* A vCPU's whole state; see state.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "die.h"
#include "irqchip.h"
#include "state.h"

unsigned int vcpu_msr_list(struct vcpu *vcpu, uint32_t *list)
{
	struct {
		struct vmctl_msr_list hdr;
		uint32_t indices[STATE_MAX_MSRS];
	} l = { .hdr.nmsrs = STATE_MAX_MSRS };

	die_unless(ioctl(vcpu->fd, VMCTL_GET_MSR_INDEX_LIST, &l) == 0,
		   "VMCTL_GET_MSR_INDEX_LIST");
	memcpy(list, l.indices, l.hdr.nmsrs * sizeof(*list));
	return l.hdr.nmsrs;
}

static void state_ioctl(struct vcpu *vcpu, unsigned long req, void *arg,
			const char *what)
{
	die_unless(ioctl(vcpu->fd, req, arg) == 0, what);
}

void vm_save_state(struct vm *vm, struct vm_state *st)
{
	memset(st, 0, sizeof(*st));
	die_unless(ioctl(vm->fd, VMCTL_GET_CLOCK, &st->clock) == 0,
		   "VMCTL_GET_CLOCK");
	st->irqchip = !ioctl(vm->fd, VMCTL_GET_IOAPIC, &st->ioapic);
	die_unless(st->irqchip || errno == ENXIO, "VMCTL_GET_IOAPIC");
	st->pic_pit = !ioctl(vm->fd, VMCTL_GET_PIC_PIT, &st->pic_pit_state);
	die_unless(st->pic_pit || errno == ENXIO, "VMCTL_GET_PIC_PIT");
}

struct vm *vm_create_from_state(const struct vm_state *st)
{
	struct vm *vm = st->irqchip ? irqchip_vm_create() : vm_create("");

	die_unless(ioctl(vm->fd, VMCTL_SET_CLOCK, &st->clock) == 0,
		   "VMCTL_SET_CLOCK");
	if (st->irqchip)
		die_unless(ioctl(vm->fd, VMCTL_SET_IOAPIC, &st->ioapic) == 0,
			   "VMCTL_SET_IOAPIC");
	if (st->pic_pit) {
		die_unless(ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0) == 0,
			   "VMCTL_CREATE_PIC_PIT");
		die_unless(ioctl(vm->fd, VMCTL_SET_PIC_PIT,
				 &st->pic_pit_state) == 0,
			   "VMCTL_SET_PIC_PIT");
	}
	return vm;
}

void vcpu_save_state(struct vcpu *vcpu, struct vcpu_state *st)
{
	uint32_t list[STATE_MAX_MSRS];
	unsigned int i, n;

	memset(st, 0, sizeof(*st));
	state_ioctl(vcpu, VMCTL_GET_REGS, &st->regs, "VMCTL_GET_REGS");
	state_ioctl(vcpu, VMCTL_GET_SREGS, &st->sregs, "VMCTL_GET_SREGS");
	state_ioctl(vcpu, VMCTL_GET_XSAVE, &st->xsave, "VMCTL_GET_XSAVE");
	state_ioctl(vcpu, VMCTL_GET_XCRS, &st->xcrs, "VMCTL_GET_XCRS");
	state_ioctl(vcpu, VMCTL_GET_DEBUGREGS, &st->debugregs, "VMCTL_GET_DEBUGREGS");
	st->has_lapic = !ioctl(vcpu->fd, VMCTL_GET_LAPIC, &st->lapic);
	die_unless(st->has_lapic || errno == ENXIO, "VMCTL_GET_LAPIC");
	state_ioctl(vcpu, VMCTL_GET_MP_STATE, &st->mp_state, "VMCTL_GET_MP_STATE");
	state_ioctl(vcpu, VMCTL_GET_VCPU_EVENTS, &st->events, "VMCTL_GET_VCPU_EVENTS");
	st->cpuid.hdr.nent = VMCTL_MAX_CPUID_ENTRIES;
	state_ioctl(vcpu, VMCTL_GET_CPUID, &st->cpuid, "VMCTL_GET_CPUID");
	n = vcpu_msr_list(vcpu, list);
	st->msrs.hdr.nmsrs = n;
	for (i = 0; i < n; i++)
		st->msrs.e[i].index = list[i];
	die_unless(ioctl(vcpu->fd, VMCTL_GET_MSRS, &st->msrs) == (int)n,
		   "VMCTL_GET_MSRS of the listed MSRs");
}

void vcpu_load_state(struct vcpu *vcpu, const struct vcpu_state *st)
{
	int n = st->msrs.hdr.nmsrs;

	state_ioctl(vcpu, VMCTL_SET_CPUID, (void *)&st->cpuid, "VMCTL_SET_CPUID");
	state_ioctl(vcpu, VMCTL_SET_REGS, (void *)&st->regs, "VMCTL_SET_REGS");
	state_ioctl(vcpu, VMCTL_SET_SREGS, (void *)&st->sregs, "VMCTL_SET_SREGS");
	state_ioctl(vcpu, VMCTL_SET_XCRS, (void *)&st->xcrs, "VMCTL_SET_XCRS");
	state_ioctl(vcpu, VMCTL_SET_XSAVE, (void *)&st->xsave, "VMCTL_SET_XSAVE");
	state_ioctl(vcpu, VMCTL_SET_DEBUGREGS, (void *)&st->debugregs,
	    "VMCTL_SET_DEBUGREGS");
	die_unless(ioctl(vcpu->fd, VMCTL_SET_MSRS, &st->msrs) == n,
		   "VMCTL_SET_MSRS of the listed MSRs");
	if (st->has_lapic)
		state_ioctl(vcpu, VMCTL_SET_LAPIC, (void *)&st->lapic,
			    "VMCTL_SET_LAPIC");
	state_ioctl(vcpu, VMCTL_SET_MP_STATE, (void *)&st->mp_state,
	    "VMCTL_SET_MP_STATE");
	state_ioctl(vcpu, VMCTL_SET_VCPU_EVENTS, (void *)&st->events,
	    "VMCTL_SET_VCPU_EVENTS");
}
