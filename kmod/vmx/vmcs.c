// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS contents that are not guest state: the execution, exit and entry
 * controls, and the host state that never changes (the per-CPU part
 * comes with activation, vmcs_cpu.c).  The guest state is written by
 * cpu/reset.c, cpu/sregs.c and the accessors of cpu/state.c.
 */
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmenter.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

static void vmcs_controls(struct vmk_vcpu *vcpu)
{
	u32 proc2 = vmx_caps.proc2;

	if (!vcpu->vpid)
		proc2 &= ~PROC2_ENABLE_VPID;
	/* Virtual NMIs: apic.c injects NMIs and waits for NMI windows. */
	vmcs_write(VMCS_PIN_CTLS, vmx_caps.pin |
		   (vcpu->apic ? PIN_VIRTUAL_NMIS : 0));
	vmcs_write(VMCS_PROC_CTLS, vmx_caps.proc);
	vcpu->proc_ctls = vmx_caps.proc;
	vmcs_write(VMCS_PROC_CTLS2, proc2);
	vmcs_write(VMCS_EXIT_CTLS, vmx_caps.exit);
	vmcs_write(VMCS_ENTRY_CTLS, vmx_caps.entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_MSR_BITMAP, __pa(vcpu->msr_bitmap));
	vmcs_write(VMCS_EPT_POINTER, vcpu->vm->ept.eptp);
	if (vcpu->pml) {	/* PML is in proc2 exactly when pml is set */
		vmcs_write(VMCS_PML_ADDRESS, __pa(vcpu->pml));
		vmcs_write(VMCS_GUEST_PML_INDEX, VMCTL_PML_ENTRIES - 1);
	}
	if (vcpu->vpid)
		vmcs_write(VMCS_VPID, vcpu->vpid);
	/*
	 * Guest/host masks: CR0.NE/CD/NW are forced in hardware but shadowed;
	 * CR0.PG moves EFER.LMA.  The other CR0 bits change without an exit
	 * (vmctl_sync_cr0() reads them).  All of CR4 is owned by us: VMXE
	 * stays set for real and hidden, and PAE/PGE/PSE changes reload
	 * PDPTEs.
	 */
	vmcs_write(VMCS_CR0_MASK, VMCTL_CR0_OURS);
	vmcs_write(VMCS_CR4_MASK, ~0UL);
}

/* Host state that never changes; per-CPU parts come with activation. */
static void vmcs_host_constant_state(struct vmk_vcpu *vcpu)
{
	u64 v;

	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vcpu->host.cr3 = __read_cr3();
	vmcs_write(VMCS_HOST_CR3, vcpu->host.cr3);
	vcpu->host.cr4 = __read_cr4();
	vmcs_write(VMCS_HOST_CR4, vcpu->host.cr4);
	vmcs_write(VMCS_HOST_CS_SEL, __KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SEL, __KERNEL_DS);
	/* Data selectors come back as 0; vcpu_put reloads the user's. */
	vmcs_write(VMCS_HOST_DS_SEL, 0);
	vmcs_write(VMCS_HOST_ES_SEL, 0);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, GDT_ENTRY_TSS * 8);
	vmcs_write(VMCS_HOST_RIP, (unsigned long)vmctl_vmexit);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write(VMCS_HOST_PAT, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write(VMCS_HOST_EFER, v);
}

/* A new vCPU's VMCS, current: everything but the guest state. */
void vmctl_vmcs_setup(struct vmk_vcpu *vcpu)
{
	vmcs_controls(vcpu);
	vmcs_host_constant_state(vcpu);
}
