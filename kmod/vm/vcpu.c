// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU object (its fd and ioctls: vcpu_ioctl.c): allocation in the
 * reset state, teardown, its exit counters, and running a state accessor
 * with its VMCS current on this CPU, preemption off (vmctl_vmcs_get/put).
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include "cpu/cpuid.h"
#include "cpu/msr.h"
#include "cpu/reset.h"
#include "irqchip/apic.h"
#include "stats.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/ept.h"
#include "vmx/hoststate.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_cpu.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/* Run @fn with this vCPU's VMCS current; VMX failures become -EIO. */
int vmk_vcpu_with_vmcs(struct vmk_vcpu *vcpu,
		       int (*fn)(struct vmk_vcpu *, void *), void *arg)
{
	int ret;

	ret = vmctl_vmcs_get(vcpu);
	if (ret)
		return ret;
	vcpu->vmx_mark = vmx_batch_begin();
	ret = fn(vcpu, arg);
	if (vcpu->reload_failed) {	/* the VMCS is not current: no put */
		vcpu->reload_failed = false;
		return -EIO;
	}
	if (!ret)
		ret = vmx_batch_end(vcpu->vmx_mark);
	vmctl_vmcs_put(vcpu);
	return ret;
}

/*
 * Only the run loop writes the counters; READ_ONCE hands readers that do
 * not hold the vCPU mutex (netlink, while the vCPU runs) whole values.
 */
void vmk_vcpu_get_stats(const struct vmk_vcpu *vcpu,
			struct vmctl_vcpu_stats *st)
{
	const struct vmctl_vcpu_stats *s = &vcpu->stats;
	int i;

	st->flags = 0;
	st->runs = READ_ONCE(s->runs);
	st->exits = READ_ONCE(s->exits);
	st->user_exits = READ_ONCE(s->user_exits);
	for (i = 0; i < VMCTL_NR_HW_EXIT_REASONS; i++)
		st->hw_exits[i] = READ_ONCE(s->hw_exits[i]);
}

/*
 * The run area: pages charged to the caller's memory cgroup like every
 * other allocation of the module, one virtually contiguous view of them
 * for the kernel (struct vmctl_run, then the I/O data page).
 */
static int run_area_alloc(struct vmk_vcpu *vcpu)
{
	int i;

	for (i = 0; i < VMCTL_RUN_PAGES; i++) {
		vcpu->run_pages[i] = alloc_page(GFP_KERNEL_ACCOUNT |
						__GFP_ZERO);
		if (!vcpu->run_pages[i])
			return -ENOMEM;
	}
	vcpu->run = vmap(vcpu->run_pages, VMCTL_RUN_PAGES, VM_MAP,
			 PAGE_KERNEL);
	if (!vcpu->run)
		return -ENOMEM;
	vmctl_acct_add(ACCT_BYTES, VMCTL_RUN_PAGES * PAGE_SIZE);
	return 0;
}

static void run_area_free(struct vmk_vcpu *vcpu)
{
	int i;

	if (vcpu->run) {
		vunmap(vcpu->run);
		vmctl_acct_add(ACCT_BYTES, -VMCTL_RUN_PAGES * PAGE_SIZE);
	}
	for (i = 0; i < VMCTL_RUN_PAGES; i++)
		if (vcpu->run_pages[i])
			__free_page(vcpu->run_pages[i]);
}

void vmk_vcpu_free(struct vmk_vcpu *vcpu)
{
	vmctl_apic_free(vcpu);
	vmctl_vmcs_release(vcpu);
	vmx_vpid_free(vcpu->vpid);
	vmctl_free_page(vcpu->vmcs, ACCT_VMCS_PAGES);
	vmctl_free_page(vcpu->msr_bitmap, ACCT_BYTES);
	if (vcpu->pml)
		vmctl_free_page(vcpu->pml, ACCT_BYTES);
	vmctl_free(vcpu->fpu, vmx_caps.xsave_size);
	vmctl_free(vcpu->cpuid,
		   VMCTL_MAX_CPUID_ENTRIES * sizeof(*vcpu->cpuid));
	run_area_free(vcpu);
	vmctl_ept_cache_free(&vcpu->ept_cache);
	mutex_destroy(&vcpu->lock);
	vmctl_free(vcpu, sizeof(*vcpu));
	vmctl_acct_add(ACCT_VCPUS, -1);
}

static struct vmk_vcpu *vcpu_alloc(struct vmk_vm *vm, u32 id)
{
	struct vmk_vcpu *vcpu = vmctl_zalloc(sizeof(*vcpu));

	if (!vcpu)
		return NULL;
	vmctl_acct_add(ACCT_VCPUS, 1);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->lock);
	init_waitqueue_head(&vcpu->wq);
	INIT_LIST_HEAD(&vcpu->loaded_node);
	vcpu->vmcs = vmctl_alloc_page(ACCT_VMCS_PAGES);
	vcpu->msr_bitmap = vmctl_alloc_page(ACCT_BYTES);
	if (vmx_caps.pml)
		vcpu->pml = vmctl_alloc_page(ACCT_BYTES);
	/* A power-of-two kmalloc size is naturally aligned, as XSAVE needs. */
	vcpu->fpu = vmctl_zalloc(vmx_caps.xsave_size);
	if (run_area_alloc(vcpu) || !vcpu->vmcs || !vcpu->msr_bitmap ||
	    !vcpu->fpu || (vmx_caps.pml && !vcpu->pml) ||
	    vmctl_cpuid_init_default(vcpu) ||
	    (vm->irqchip && vmctl_apic_create(vcpu))) {
		vmk_vcpu_free(vcpu);
		return NULL;
	}
	vcpu->vmcs_pa = __pa(vcpu->vmcs);
	*(u32 *)vcpu->vmcs = vmx_caps.revision;
	vmctl_msr_bitmap_init(vcpu->msr_bitmap);
	vmctl_fpu_init_guest(vcpu->fpu);
	vcpu->vpid = vmx_vpid_alloc();
	return vcpu;
}

static int vcpu_setup_vmcs(struct vmk_vcpu *vcpu, void *unused)
{
	vmctl_vmcs_setup(vcpu);
	vmk_vcpu_reset(vcpu, false);
	return 0;
}

/* A new vCPU in its reset state, not yet published in the VM. */
struct vmk_vcpu *vmk_vcpu_create(struct vmk_vm *vm, u32 id)
{
	struct vmk_vcpu *vcpu = vcpu_alloc(vm, id);
	int ret;

	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	ret = vmk_vcpu_with_vmcs(vcpu, vcpu_setup_vmcs, NULL);
	if (ret) {
		vmk_vcpu_free(vcpu);
		return ERR_PTR(ret);
	}
	return vcpu;
}
