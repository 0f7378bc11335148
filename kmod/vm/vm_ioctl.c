// SPDX-License-Identifier: GPL-2.0
/*
 * The VM fd (bhyve's vmm_dev.c, for the VM object of vm.c): VMCTL_CREATE_VM
 * makes one, and its ioctls add and delete memory slots (memslot.c),
 * create vCPUs (vcpu_ioctl.c), the irqchip (irqchip.c) and the PIC and
 * PIT (pic_pit.c), raise interrupt lines and send MSIs, register doorbells (doorbell.c) and
 * irqfds (irqfd.c), read and clear dirty logs (dirty_log.c), and report
 * the VM and how its RAM is mapped (mmu.c); its snapshot ioctls are in vm_state.c.  Closing it drops its
 * reference.
 */
#include <linux/module.h>
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include "irqchip/irqchip.h"
#include "irqchip/irqfd.h"
#include "irqchip/pic_pit.h"
#include "vm/dirty_log.h"
#include "vm/doorbell.h"
#include "vm/memslot.h"
#include "vm/mmu.h"
#include "vm/vcpu_ioctl.h"
#include "vm/vm.h"
#include "vm/vm_ioctl.h"
#include "vm/vm_state.h"

static void vmk_vm_info(struct vmk_vm *vm, struct vmctl_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	mutex_lock(&vm->lock);
	info->id = vm->id;
	info->nr_vcpus = vm->nr_vcpus;
	info->mem_bytes = vm->mem_bytes;
	memcpy(info->name, vm->name, sizeof(info->name));
	mutex_unlock(&vm->lock);
}

static long vmk_vm_ioctl(struct file *f, unsigned int cmd,
			 unsigned long arg)
{
	struct vmk_vm *vm = f->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VMCTL_SET_MEM_SLOT: {
		struct vmctl_mem_slot m;

		if (copy_from_user(&m, uarg, sizeof(m)))
			return -EFAULT;
		/* user_addr means an address in the owner's space. */
		if (current->mm != vm->mm)
			return -EPERM;
		return vmctl_slot_set(vm, &m);
	}
	case VMCTL_DELETE_MEM_SLOT:
		return vmctl_slot_delete(vm, arg);
	case VMCTL_CREATE_VCPU:
		return vmctl_create_vcpu(vm, arg);
	case VMCTL_GET_VM_INFO: {
		struct vmctl_vm_info info;

		vmk_vm_info(vm, &info);
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	}
	case VMCTL_GET_MEM_STATS: {
		struct vmctl_mem_stats st;

		mutex_lock(&vm->lock);
		vmk_mmu_stats(vm, &st);
		mutex_unlock(&vm->lock);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case VMCTL_CREATE_IRQCHIP:
		return arg ? -EINVAL : vmctl_create_irqchip(vm);
	case VMCTL_CREATE_PIC_PIT:
		return arg ? -EINVAL : vmctl_create_pic_pit(vm);
	case VMCTL_IRQ_LINE: {
		struct vmctl_irq_line l;

		if (copy_from_user(&l, uarg, sizeof(l)))
			return -EFAULT;
		return vmctl_irq_line(vm, &l);
	}
	case VMCTL_SIGNAL_MSI: {
		struct vmctl_msi msi;

		if (copy_from_user(&msi, uarg, sizeof(msi)))
			return -EFAULT;
		return vmctl_signal_msi(vm, &msi);
	}
	case VMCTL_DOORBELL: {
		struct vmctl_doorbell db;

		if (copy_from_user(&db, uarg, sizeof(db)))
			return -EFAULT;
		return vmk_doorbell(vm, &db);
	}
	case VMCTL_IRQFD: {
		struct vmctl_irqfd fd;

		if (copy_from_user(&fd, uarg, sizeof(fd)))
			return -EFAULT;
		return vmk_irqfd(vm, &fd);
	}
	case VMCTL_GET_DIRTY_LOG:
	case VMCTL_CLEAR_DIRTY_LOG: {
		struct vmctl_dirty_log d;

		if (copy_from_user(&d, uarg, sizeof(d)))
			return -EFAULT;
		return cmd == VMCTL_GET_DIRTY_LOG ? vmk_get_dirty_log(vm, &d) :
						     vmk_clear_dirty_log(vm, &d);
	}
	default:
		return vmk_vm_state_ioctl(vm, cmd, uarg);
	}
}

static int vmk_vm_release(struct inode *inode, struct file *f)
{
	vmk_vm_put(f->private_data);
	return 0;
}

static const struct file_operations vmk_vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vmk_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vmk_vm_release,
	.llseek = noop_llseek,
};

int vmctl_create_vm(const struct vmctl_vm_config *cfg)
{
	struct vmk_vm *vm;
	int ret;

	if (cfg->flags || !memchr(cfg->name, 0, sizeof(cfg->name)))
		return -EINVAL;
	vm = vmk_vm_create(cfg);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = anon_inode_getfd("vmctl-vm", &vmk_vm_fops, vm,
			       O_RDWR | O_CLOEXEC);
	if (ret < 0)
		vmk_vm_put(vm);
	return ret;
}
