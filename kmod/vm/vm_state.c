// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's part of a snapshot (include/uapi/linux/vmctl.h): the I/O APIC
 * (its model, irqchip.c), the 8259s and PIT (pic_pit_state.c) and the
 * kvmclock line (kvmclock.c).  Each
 * argument is copied from user memory once, checked, then used.
 */
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmctl.h>
#include "cpu/kvmclock.h"
#include "irqchip/irqchip.h"
#include "irqchip/pic_pit_state.h"
#include "vm/vm.h"
#include "vm/vm_state.h"
#include "vmx/vmx.h"

u32 vmk_vm_state_offered(void)
{
	return VMCTL_VM_STATE_CLOCK |
	       (vmx_caps.irqchip ? VMCTL_VM_STATE_IOAPIC |
				   VMCTL_VM_STATE_PIC_PIT : 0);
}

static long get_ioapic(struct vmk_vm *vm, void __user *uarg)
{
	struct vmctl_ioapic_state st = { 0 };
	struct vmctl_ioapic_regs r;
	int ret = vmctl_irqchip_get_ioapic(vm, &r);

	if (ret)
		return ret;
	st.id = r.id;
	st.regsel = r.regsel;
	memcpy(st.redir, r.redir, sizeof(st.redir));
	st.lines = r.lines;
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long set_ioapic(struct vmk_vm *vm, void __user *uarg)
{
	struct vmctl_ioapic_state st;
	struct vmctl_ioapic_regs r;

	if (copy_from_user(&st, uarg, sizeof(st)))
		return -EFAULT;
	if (st.flags || memchr_inv(st.reserved, 0, sizeof(st.reserved)))
		return -EINVAL;
	r.id = st.id;
	r.regsel = st.regsel;
	memcpy(r.redir, st.redir, sizeof(r.redir));
	r.lines = st.lines;
	return vmctl_irqchip_set_ioapic(vm, &r);
}

static long get_pic_pit(struct vmk_vm *vm, void __user *uarg)
{
	struct vmctl_pic_pit_state st;
	int ret = vmctl_pic_pit_get_state(vm, &st);

	if (ret)
		return ret;
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long set_pic_pit(struct vmk_vm *vm, void __user *uarg)
{
	struct vmctl_pic_pit_state st;

	if (copy_from_user(&st, uarg, sizeof(st)))
		return -EFAULT;
	return vmctl_pic_pit_set_state(vm, &st);
}

static long set_clock(struct vmk_vm *vm, void __user *uarg)
{
	struct vmctl_clock c;
	long ret = -EBUSY;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (c.flags || memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	/* vCPU creation reads the origin under the same lock. */
	mutex_lock(&vm->lock);
	if (!vm->nr_vcpus)
		ret = vmctl_kvmclock_set_clock(vm, c.clock);
	mutex_unlock(&vm->lock);
	return ret;
}

long vmk_vm_state_ioctl(struct vmk_vm *vm, unsigned int cmd,
			void __user *uarg)
{
	struct vmctl_clock c = { 0 };

	switch (cmd) {
	case VMCTL_GET_IOAPIC:
		return get_ioapic(vm, uarg);
	case VMCTL_SET_IOAPIC:
		return set_ioapic(vm, uarg);
	case VMCTL_GET_PIC_PIT:
		return get_pic_pit(vm, uarg);
	case VMCTL_SET_PIC_PIT:
		return set_pic_pit(vm, uarg);
	case VMCTL_GET_CLOCK:
		c.clock = vmctl_kvmclock_get_clock(vm);
		return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
	case VMCTL_SET_CLOCK:
		return set_clock(vm, uarg);
	default:
		return -ENOTTY;
	}
}
