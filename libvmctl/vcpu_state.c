// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A vCPU's and a VM's save/restore state: thin wrappers of the module's
 * ioctls (<linux/vmctl.h>, "Saving and restoring a vCPU").
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

static int fd_ioctl(int fd, unsigned long req, const void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

static int state_ioctl(struct vmctl_vcpu *vcpu, unsigned long req,
		       const void *arg)
{
	return fd_ioctl(vcpu->fd, req, arg);
}

int vmctl_vcpu_get_msrs(struct vmctl_vcpu *vcpu, struct vmctl_msrs *msrs)
{
	return state_ioctl(vcpu, VMCTL_GET_MSRS, msrs);
}

int vmctl_vcpu_set_msrs(struct vmctl_vcpu *vcpu, const struct vmctl_msrs *msrs)
{
	return state_ioctl(vcpu, VMCTL_SET_MSRS, msrs);
}

int vmctl_vcpu_get_msr_list(struct vmctl_vcpu *vcpu,
			    struct vmctl_msr_list *list)
{
	return state_ioctl(vcpu, VMCTL_GET_MSR_INDEX_LIST, list);
}

int vmctl_vcpu_get_xsave(struct vmctl_vcpu *vcpu, struct vmctl_xsave *xsave)
{
	return state_ioctl(vcpu, VMCTL_GET_XSAVE, xsave);
}

int vmctl_vcpu_set_xsave(struct vmctl_vcpu *vcpu,
			 const struct vmctl_xsave *xsave)
{
	return state_ioctl(vcpu, VMCTL_SET_XSAVE, xsave);
}

int vmctl_vcpu_get_xcrs(struct vmctl_vcpu *vcpu, struct vmctl_xcrs *xcrs)
{
	return state_ioctl(vcpu, VMCTL_GET_XCRS, xcrs);
}

int vmctl_vcpu_set_xcrs(struct vmctl_vcpu *vcpu, const struct vmctl_xcrs *xcrs)
{
	return state_ioctl(vcpu, VMCTL_SET_XCRS, xcrs);
}

int vmctl_vcpu_get_debugregs(struct vmctl_vcpu *vcpu,
			     struct vmctl_debugregs *dr)
{
	return state_ioctl(vcpu, VMCTL_GET_DEBUGREGS, dr);
}

int vmctl_vcpu_set_debugregs(struct vmctl_vcpu *vcpu,
			     const struct vmctl_debugregs *dr)
{
	return state_ioctl(vcpu, VMCTL_SET_DEBUGREGS, dr);
}

int vmctl_vcpu_get_events(struct vmctl_vcpu *vcpu,
			  struct vmctl_vcpu_events *ev)
{
	return state_ioctl(vcpu, VMCTL_GET_VCPU_EVENTS, ev);
}

int vmctl_vcpu_set_events(struct vmctl_vcpu *vcpu,
			  const struct vmctl_vcpu_events *ev)
{
	return state_ioctl(vcpu, VMCTL_SET_VCPU_EVENTS, ev);
}

int vmctl_vcpu_get_mp_state(struct vmctl_vcpu *vcpu, struct vmctl_mpstate *mp)
{
	return state_ioctl(vcpu, VMCTL_GET_MP_STATE, mp);
}

int vmctl_vcpu_set_mp_state(struct vmctl_vcpu *vcpu,
			    const struct vmctl_mpstate *mp)
{
	return state_ioctl(vcpu, VMCTL_SET_MP_STATE, mp);
}

int vmctl_vcpu_get_lapic(struct vmctl_vcpu *vcpu,
			 struct vmctl_lapic_state *lapic)
{
	return state_ioctl(vcpu, VMCTL_GET_LAPIC, lapic);
}

int vmctl_vcpu_set_lapic(struct vmctl_vcpu *vcpu,
			 const struct vmctl_lapic_state *lapic)
{
	return state_ioctl(vcpu, VMCTL_SET_LAPIC, lapic);
}

int vmctl_vm_get_ioapic(struct vmctl_vm *vm, struct vmctl_ioapic_state *io)
{
	return fd_ioctl(vm->fd, VMCTL_GET_IOAPIC, io);
}

int vmctl_vm_set_ioapic(struct vmctl_vm *vm,
			const struct vmctl_ioapic_state *io)
{
	return fd_ioctl(vm->fd, VMCTL_SET_IOAPIC, io);
}

int vmctl_vm_get_pic_pit(struct vmctl_vm *vm, struct vmctl_pic_pit_state *pp)
{
	return fd_ioctl(vm->fd, VMCTL_GET_PIC_PIT, pp);
}

int vmctl_vm_set_pic_pit(struct vmctl_vm *vm,
			 const struct vmctl_pic_pit_state *pp)
{
	return fd_ioctl(vm->fd, VMCTL_SET_PIC_PIT, pp);
}

int vmctl_vm_get_clock(struct vmctl_vm *vm, struct vmctl_clock *clock)
{
	return fd_ioctl(vm->fd, VMCTL_GET_CLOCK, clock);
}

int vmctl_vm_set_clock(struct vmctl_vm *vm, const struct vmctl_clock *clock)
{
	return fd_ioctl(vm->fd, VMCTL_SET_CLOCK, clock);
}
