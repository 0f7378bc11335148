// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 reset state of a vCPU, and what INIT and SIPI do to it (KVM's
 * kvm_vcpu_reset() and kvm_vcpu_deliver_sipi_vector(), bhyve's
 * vcpu_reset()): at creation (vcpu.c), and when the run loop takes an
 * INIT or a SIPI from the local APIC (run.c).  The VMCS is current.
 */
#include <linux/string.h>
#include <asm/page.h>
#include <asm/fpu/types.h>
#include "cpu/cpuid.h"
#include "cpu/cr.h"
#include "cpu/reset.h"
#include "cpu/state.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/vmx_ops.h"

#define RESET_CR0	0x60000010ULL	/* CD NW ET */
#define RESET_PAT	0x0007040600070406ULL

/*
 * The architectural state after RESET, or after INIT (@init), which
 * differs only in leaving the TSC counting and, as an event of the run
 * loop, dropping any exception or event on its way in (SDM vol. 3,
 * 10.1.1 and 10.1.2).
 */
void vmk_vcpu_reset(struct vmk_vcpu *vcpu, bool init)
{
	u32 sig[4];
	int i;

	for (i = SEG_ES; i <= SEG_GS; i++)
		vmctl_set_seg(i, 0, 0, 0xffff, 0x93);
	vmctl_set_seg(SEG_CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
	vmctl_set_seg(SEG_LDTR, 0, 0, 0xffff, 0x82);
	vmctl_set_seg(SEG_TR, 0, 0, 0xffff, 0x8b);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_RIP, 0xfff0);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RFLAGS, 2);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_DR7, DR7_FIXED1);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_PAT, RESET_PAT);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	/* One TSC for the whole VM: SMP guests check they agree. */
	if (!init)
		vmctl_set_tsc_offset(vcpu, -vcpu->vm->tsc_origin);

	memset(vcpu->gpr, 0, sizeof(vcpu->gpr));
	vmctl_cpuid_lookup(vcpu, 1, 0, sig);
	vcpu->gpr[GPR_RDX] = sig[0];	/* family, model, stepping */
	vcpu->efer = 0;
	vmctl_apply_cr0(vcpu, RESET_CR0);
	vmctl_apply_cr4(vcpu, 0);
	vcpu->cr2 = 0;
	vcpu->cr8 = 0;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr6 = DR6_FIXED1;
	vcpu->dr7 = DR7_FIXED1;
	memset(vcpu->swapped, 0, sizeof(vcpu->swapped));
	vcpu->tsc_aux = 0;
	/* kvmclock, PV EOI, steal time off until the guest asks */
	vcpu->pvclock_msr = 0;
	vcpu->pv_eoi_msr = 0;
	vcpu->pv_eoi_pending = false;
	vcpu->steal_msr = 0;
	vcpu->apic_base = 0xfee00000ULL | BIT(11) | (vcpu->id ? 0 : BIT(8));
	/* fast strings on; branch trace and PEBS unavailable */
	vcpu->misc_enable = BIT(0) | BIT(11) | BIT(12);
	vcpu->mtrr_def_type = 0;
	if (init) {
		vcpu->exc_pending = false;
		vcpu->reinject_info = 0;
	}
}

/* SIPI: real mode at vector:0000, i.e. CS base vector << 12. */
void vmk_vcpu_sipi(struct vmk_vcpu *vcpu, u8 vector)
{
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * SEG_CS, (u32)vector << 8);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * SEG_CS, (u64)vector << 12);
	vmcs_write(VMCS_GUEST_RIP, 0);
}
