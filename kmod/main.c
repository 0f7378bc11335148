// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl.ko: module entry points, the /dev/vmctl misc device and the
 * system ioctls.  VM and vCPU fds have their own file_operations
 * (vm_ioctl.c, vcpu_ioctl.c), so an fd of the wrong kind fails with
 * -ENOTTY by construction.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include "irqchip/irqfd.h"
#include "netlink.h"
#include "stats.h"
#include "vm/vcpu.h"
#include "vm/vcpu_state.h"
#include "vm/vm_state.h"
#include "vm/vm_ioctl.h"
#include "vmx/vmx.h"

/* MODULE_VERSION; kmod/Makefile reads it for the DKMS tree. */
#define VMCTL_VERSION	"0.1"

static long vmctl_check_cap(unsigned long cap)
{
	switch (cap) {
	case VMCTL_CAP_MAX_VCPUS:
		return VMCTL_MAX_VCPUS;
	case VMCTL_CAP_MAX_MEM_SLOTS:
		return VMCTL_MAX_MEM_SLOTS;
	case VMCTL_CAP_MAX_MEM_SIZE_MB:
		return VMCTL_MAX_MEM_SIZE >> 20;
	case VMCTL_CAP_READONLY_MEM:
	case VMCTL_CAP_DIRTY_LOG:
	case VMCTL_CAP_UNRESTRICTED_GUEST:
	case VMCTL_CAP_IMMEDIATE_EXIT:
		return 1;
	case VMCTL_CAP_DIRTY_LOG_PML:
		return vmx_caps.pml ? VMCTL_PML_ENTRIES : 0;
	case VMCTL_CAP_EPT_2M:
		return vmx_caps.ept_2m;
	case VMCTL_CAP_VPID:
		return vmx_caps.vpid;
	case VMCTL_CAP_NR_CPUS_VMX_ON:
		return vmx_nr_cpus_on();
	case VMCTL_CAP_IRQCHIP:
		return vmx_caps.irqchip;
	case VMCTL_CAP_TSC_KHZ:		/* guest TSC = host TSC + offset */
		return tsc_khz;
	case VMCTL_CAP_SIGNAL_MSI:
	case VMCTL_CAP_PIC_PIT:
		return vmx_caps.irqchip;
	case VMCTL_CAP_DOORBELL:
		return VMCTL_MAX_DOORBELLS;
	case VMCTL_CAP_IRQFD:
		return vmx_caps.irqchip ? VMCTL_MAX_IRQFDS : 0;
	case VMCTL_CAP_VCPU_STATE:
		return vmk_vcpu_state_offered();
	case VMCTL_CAP_XSAVE_SIZE:
		return vmk_guest_xsave_size();
	case VMCTL_CAP_VM_STATE:
		return vmk_vm_state_offered();
	default:
		return 0;
	}
}

/* flags is the only input; every other field is output. */
static long vmctl_get_vmx_cpus(struct vmctl_vmx_cpus __user *uarg)
{
	struct vmctl_vmx_cpus r = { 0 };

	if (get_user(r.flags, &uarg->flags))
		return -EFAULT;
	if (r.flags)
		return -EINVAL;
	vmx_report_cpus(&r);
	return copy_to_user(uarg, &r, sizeof(r)) ? -EFAULT : 0;
}

static long vmctl_dev_ioctl(struct file *f, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VMCTL_GET_API_VERSION:
		return arg ? -EINVAL : VMCTL_API_VERSION;
	case VMCTL_CHECK_CAP:
		return vmctl_check_cap(arg);
	case VMCTL_GET_RUN_SIZE:
		return arg ? -EINVAL : VMCTL_RUN_PAGES * PAGE_SIZE;
	case VMCTL_CREATE_VM: {
		struct vmctl_vm_config cfg;

		if (copy_from_user(&cfg, uarg, sizeof(cfg)))
			return -EFAULT;
		return vmctl_create_vm(&cfg);
	}
	case VMCTL_GET_MODULE_STATS: {
		struct vmctl_module_stats st;

		vmctl_module_stats(&st);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case VMCTL_GET_VMX_CPUS:
		return vmctl_get_vmx_cpus(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmctl_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vmctl_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice vmctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = VMCTL_DEVICE_NAME,
	.fops = &vmctl_dev_fops,
	.mode = 0660,
};

static int __init vmctl_init(void)
{
	int ret;

	ret = vmx_probe();
	if (ret)
		return ret;
	ret = vmx_enable_all();
	if (ret)
		return ret;
	ret = vmk_irqfd_init();
	if (ret)
		goto vmx_off;
	ret = vmctl_nl_init();
	if (ret)
		goto irqfd_exit;
	ret = misc_register(&vmctl_dev);
	if (ret) {
		pr_err("vmctl: cannot register /dev/%s (%d)\n",
		       VMCTL_DEVICE_NAME, ret);
		goto nl_exit;
	}
	pr_info("vmctl: VMX on %u CPUs: EPT 4-level write-back%s, unrestricted guest, VPID %s, INVEPT single/all, dirty log by %s, entry flush %s, guest FPU by %s (%u bytes), API %d\n",
		vmx_nr_cpus_on(), vmx_caps.ept_2m ? " with 2 MiB pages" : "",
		vmx_caps.vpid ? "on" : "off",
		vmx_caps.pml ? "PML" : "write-protection",
		vmx_entry_flush_name(),
		vmx_caps.host_xcr0 ? "XSAVE" : "FXSAVE", vmx_caps.xsave_size,
		VMCTL_API_VERSION);
	return 0;

nl_exit:
	vmctl_nl_exit();
irqfd_exit:
	vmk_irqfd_exit();
vmx_off:
	vmx_disable_all();
	return ret;
}

static void __exit vmctl_exit(void)
{
	misc_deregister(&vmctl_dev);
	vmctl_nl_exit();
	vmk_irqfd_exit();
	vmx_disable_all();
	pr_info("vmctl: unloaded, VMX off\n");
}

module_init(vmctl_init);
module_exit(vmctl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmctl: a small VT-x hypervisor");
MODULE_VERSION(VMCTL_VERSION);
