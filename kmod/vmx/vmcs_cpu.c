// SPDX-License-Identifier: GPL-2.0
/*
 * Where each VMCS is active (KVM's loaded_vmcs in vmx.c): VMPTRLD on the
 * CPU that runs the vCPU, VMCLEAR where it was before, and the host
 * fields that differ per CPU, refreshed when the VMCS moves.
 *
 * A VMCS is active on at most one CPU.  Each CPU keeps a list of the VMCSs
 * active on it so that CPU offline and module unload (vmx.c) can VMCLEAR
 * them.  The list is only touched on its own CPU with interrupts off: by
 * activation, by the VMCLEAR IPI and by the hotplug callback.
 */
#include <linux/smp.h>
#include <linux/percpu.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/nospec-branch.h>
#include "vm/vcpu.h"
#include "vmx/vmcs_cpu.h"
#include "vmx/vmx_ops.h"

struct vmcs_cpu {
	struct list_head active;
	void *current_vmcs;
};

static DEFINE_PER_CPU(struct vmcs_cpu, vmcs_cpu);

void vmctl_vmcs_cpu_init(void)
{
	INIT_LIST_HEAD(this_cpu_ptr(&vmcs_cpu.active));
	this_cpu_write(vmcs_cpu.current_vmcs, NULL);
}

/* On the CPU the VMCS is active on, interrupts off. */
static void vmcs_clear_local(struct vmk_vcpu *vcpu)
{
	if (vmx_vmclear(vcpu->vmcs_pa))
		pr_err("vmctl: VMCLEAR failed on CPU %d\n", vcpu->cpu);
	list_del_init(&vcpu->loaded_node);
	if (this_cpu_read(vmcs_cpu.current_vmcs) == vcpu->vmcs)
		this_cpu_write(vmcs_cpu.current_vmcs, NULL);
	vcpu->launched = false;
	/* Launch state and list are settled before the new owner looks. */
	smp_wmb();
	WRITE_ONCE(vcpu->cpu, -1);
}

static void vmcs_clear_ipi(void *info)
{
	struct vmk_vcpu *vcpu = info;

	if (READ_ONCE(vcpu->cpu) == smp_processor_id())
		vmcs_clear_local(vcpu);
}

/* CPU going offline (interrupts off): VMCLEAR everything active here. */
void vmctl_vmcs_clear_cpu(void)
{
	struct vmk_vcpu *vcpu, *tmp;

	list_for_each_entry_safe(vcpu, tmp, this_cpu_ptr(&vmcs_cpu.active),
				 loaded_node)
		vmcs_clear_local(vcpu);
}

/* Wherever the VMCS is active, VMCLEAR it there.  May sleep. */
void vmctl_vmcs_release(struct vmk_vcpu *vcpu)
{
	int cpu = READ_ONCE(vcpu->cpu);

	/* -ENXIO: the CPU went offline, its hotplug callback cleared us. */
	if (cpu >= 0)
		smp_call_function_single(cpu, vmcs_clear_ipi, vcpu, 1);
}

/* Host fields that differ per CPU: refreshed when the VMCS moves. */
static void vmcs_host_cpu_state(void)
{
	struct desc_ptr gdt, idt;
	struct ldttss_desc *tss;
	u64 v;

	native_store_gdt(&gdt);
	asm volatile("sidt %0" : "=m"(idt));
	tss = (struct ldttss_desc *)(gdt.address + GDT_ENTRY_TSS * 8);
	vmcs_write(VMCS_HOST_TR_BASE, tss->base0 | ((u64)tss->base1 << 16) |
		   ((u64)tss->base2 << 24) | ((u64)tss->base3 << 32));
	vmcs_write(VMCS_HOST_GDTR_BASE, gdt.address);
	vmcs_write(VMCS_HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_write(VMCS_HOST_GS_BASE, v);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(VMCS_HOST_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, v);
}

/*
 * Make the VMCS current on this CPU; preemption off, interrupts on.  A
 * VMCS active elsewhere is VMCLEARed there first (its launch state must be
 * flushed to memory), then loaded here and launched afresh.  Switching
 * the CPU to another vCPU's VMCS issues an IBPB first (where the host
 * uses IBPB at all), as kvm-intel does, so one guest cannot steer the
 * indirect branches of another VM that runs next on this CPU.
 */
int vmctl_vmcs_activate(struct vmk_vcpu *vcpu)
{
	int cpu = smp_processor_id();
	int old = READ_ONCE(vcpu->cpu);

	if (old == cpu) {
		if (this_cpu_read(vmcs_cpu.current_vmcs) == vcpu->vmcs)
			return 0;
		indirect_branch_prediction_barrier();
		if (vmx_vmptrld(vcpu->vmcs_pa))
			goto fail;
		this_cpu_write(vmcs_cpu.current_vmcs, vcpu->vmcs);
		return 0;
	}
	if (old >= 0)
		smp_call_function_single(old, vmcs_clear_ipi, vcpu, 1);
	smp_rmb();	/* pairs with vmcs_clear_local(): cpu after the rest */
	WARN_ON_ONCE(READ_ONCE(vcpu->cpu) >= 0);

	indirect_branch_prediction_barrier();
	local_irq_disable();
	if (vmx_vmclear(vcpu->vmcs_pa) || vmx_vmptrld(vcpu->vmcs_pa)) {
		local_irq_enable();
		goto fail;
	}
	list_add(&vcpu->loaded_node, this_cpu_ptr(&vmcs_cpu.active));
	this_cpu_write(vmcs_cpu.current_vmcs, vcpu->vmcs);
	vcpu->launched = false;
	WRITE_ONCE(vcpu->cpu, cpu);
	local_irq_enable();

	vmcs_host_cpu_state();
	/*
	 * This CPU may hold translations tagged with this VPID from an
	 * earlier visit, or from the VPID's earlier owner (vmx_vpid_free()
	 * leaves them to this flush).
	 */
	if (vcpu->vpid && vmx_invvpid(VMX_INVVPID_SINGLE, vcpu->vpid))
		pr_err_ratelimited("vmctl: INVVPID failed on CPU %d\n", cpu);
	return 0;
fail:
	pr_err_ratelimited("vmctl: cannot load the VMCS of vCPU %u on CPU %d\n",
			   vcpu->id, cpu);
	return -EIO;
}

int vmctl_vmcs_get(struct vmk_vcpu *vcpu)
{
	int ret;

	preempt_disable();
	ret = vmctl_vmcs_activate(vcpu);
	if (ret)
		preempt_enable();
	return ret;
}

void vmctl_vmcs_put(struct vmk_vcpu *vcpu)
{
	preempt_enable();
}
