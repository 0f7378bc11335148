// SPDX-License-Identifier: GPL-2.0
/*
 * Control registers, EFER, XCR0 and debug registers as the guest sees
 * them.
 *
 * The guest's CR0/CR4 are kept in the vCPU and in the read shadows; the
 * hardware values differ where VMX demands (CR0.NE, CR4.VMXE set) or
 * where we refuse a guest setting (CR0.CD/NW: caching stays on).  With
 * unrestricted guest, CR0.PE/PG may be clear; EFER.LMA follows CR0.PG
 * with EFER.LME and selects the "IA-32e mode guest" entry control.  With
 * EPT and PAE paging the PDPTEs come from the VMCS, so every change that
 * can enter PAE paging reloads them from guest memory.
 */
#include <asm/page.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/fpu/types.h>
#include <asm/trapnr.h>
#include "cpu/cr.h"
#include "cpu/state.h"
#include "irqchip/apic.h"
#include "model/xstate.h"
#include "vm/guest_mem.h"
#include "vm/vcpu.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/* CR4 bits a guest may set (we hide VMX, SMX, PCID, PKU, LA57, CET). */
#define CR4_GUEST_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_UMIP | \
			 X86_CR4_FSGSBASE | X86_CR4_OSXSAVE | X86_CR4_SMEP | \
			 X86_CR4_SMAP)
#define EFER_GUEST_BITS	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)
/* XSAVE components a guest may enable: x87, SSE, AVX, AVX-512. */
#define XCR0_GUEST_BITS	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
			 XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)
#define DR6_BD		BIT(13)		/* debug register access detected */
#define DR7_GD		BIT(13)		/* general detect */
#define DR7_ZERO	(BIT(11) | BIT(12) | BIT(14) | BIT(15))

u64 vmctl_real_cr0(u64 cr0)
{
	cr0 = (cr0 | X86_CR0_NE) & ~(X86_CR0_CD | X86_CR0_NW);
	cr0 |= vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);
	return cr0 & vmx_caps.cr0_fixed1;
}

u64 vmctl_real_cr4(u64 cr4)
{
	return (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

u64 vmctl_guest_xcr0_mask(void)
{
	return vmx_caps.host_xcr0 & XCR0_GUEST_BITS;
}

static bool guest_cs_l(void)
{
	return vmcs_read(VMCS_GUEST_ES_AR + 2 * SEG_CS) & VMX_AR_L;
}

static void load_pdptes(struct vmk_vcpu *vcpu)
{
	u64 pdpte[4] = {};
	int i;

	if (!(vcpu->cr0 & X86_CR0_PG) || !(vcpu->cr4 & X86_CR4_PAE) ||
	    (vcpu->efer & EFER_LMA))
		return;
	/* Unreadable: left not-present, the guest faults on its own. */
	vmctl_guest_mem_ops.read_gpa(vcpu, vmcs_read(VMCS_GUEST_CR3) &
				     GENMASK_ULL(31, 5), pdpte, sizeof(pdpte));
	for (i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static void update_efer(struct vmk_vcpu *vcpu)
{
	u64 efer = vcpu->efer & ~EFER_LMA;

	if ((efer & EFER_LME) && (vcpu->cr0 & X86_CR0_PG))
		efer |= EFER_LMA;
	vcpu->efer = efer;
	vmcs_write(VMCS_GUEST_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_set_bits(VMCS_ENTRY_CTLS, ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits(VMCS_ENTRY_CTLS, ENTRY_IA32E_MODE);
}

void vmctl_apply_cr0(struct vmk_vcpu *vcpu, u64 cr0)
{
	vcpu->cr0 = cr0;
	vmcs_write(VMCS_GUEST_CR0, vmctl_real_cr0(cr0));
	vmcs_write(VMCS_CR0_SHADOW, cr0);
	update_efer(vcpu);
	load_pdptes(vcpu);
}

void vmctl_apply_cr4(struct vmk_vcpu *vcpu, u64 cr4)
{
	vcpu->cr4 = cr4;
	vmcs_write(VMCS_GUEST_CR4, vmctl_real_cr4(cr4));
	vmcs_write(VMCS_CR4_SHADOW, cr4);
	load_pdptes(vcpu);
}

void vmctl_apply_efer(struct vmk_vcpu *vcpu, u64 efer)
{
	vcpu->efer = efer;
	update_efer(vcpu);
	load_pdptes(vcpu);
}

/*
 * @host: userspace restoring state may jump straight into any consistent
 * mode; the guest itself must follow the architectural transitions.
 */
bool vmctl_cr0_valid(struct vmk_vcpu *vcpu, u64 cr0, bool host)
{
	bool pg = cr0 & X86_CR0_PG, was_pg = vcpu->cr0 & X86_CR0_PG;

	if (cr0 >> 32 || (pg && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return false;
	if (host)
		return true;
	if (pg && !was_pg && (vcpu->efer & EFER_LME) &&
	    (!(vcpu->cr4 & X86_CR4_PAE) || guest_cs_l()))
		return false;
	if (!pg && was_pg && (vcpu->efer & EFER_LMA) && guest_cs_l())
		return false;
	return true;
}

bool vmctl_cr4_valid(struct vmk_vcpu *vcpu, u64 cr4, bool host)
{
	u64 allowed = CR4_GUEST_BITS & vmx_caps.cr4_fixed1;

	if (!vmx_caps.host_xcr0)
		allowed &= ~X86_CR4_OSXSAVE;
	if (cr4 & ~allowed)
		return false;
	return host || !(vcpu->efer & EFER_LMA) || (cr4 & X86_CR4_PAE);
}

bool vmctl_efer_valid(struct vmk_vcpu *vcpu, u64 efer, bool host)
{
	if (efer & ~EFER_GUEST_BITS)
		return false;
	return host || !(vcpu->cr0 & X86_CR0_PG) ||
	       !((efer ^ vcpu->efer) & EFER_LME);
}

static bool guest_64bit(struct vmk_vcpu *vcpu)
{
	return (vcpu->efer & EFER_LMA) && guest_cs_l();
}

static int cr_write(struct vmk_vcpu *vcpu, int cr, u64 val)
{
	switch (cr) {
	case 0:
		if (!vmctl_cr0_valid(vcpu, val, false))
			return -EINVAL;
		vmctl_apply_cr0(vcpu, val);
		return 0;
	case 3:		/* only with CR3-load exiting forced on by the CPU */
		vmcs_write(VMCS_GUEST_CR3, val);
		load_pdptes(vcpu);
		return 0;
	case 4:
		if (!vmctl_cr4_valid(vcpu, val, false))
			return -EINVAL;
		vmctl_apply_cr4(vcpu, val);
		return 0;
	case 8:
		if (val > 15)
			return -EINVAL;
		vcpu->cr8 = val;
		if (vcpu->apic)		/* CR8 is TPR[7:4] */
			vmctl_apic_set_cr8(vcpu, val);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int vmctl_handle_cr(struct vmk_vcpu *vcpu)
{
	u64 q = vcpu->exit_qual;
	int cr = CR_QUAL_NUM(q), reg = CR_QUAL_GPR(q);
	u64 val;
	int ret;

	switch (CR_QUAL_TYPE(q)) {
	case CR_TYPE_MOV_TO:
		val = vmctl_gpr_read(vcpu, reg);
		if (!guest_64bit(vcpu))
			val = (u32)val;
		ret = cr_write(vcpu, cr, val);
		if (ret == -EINVAL) {
			vmctl_queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return EXIT_REENTER;
		}
		if (ret)
			return vmctl_unhandled_exit(vcpu);
		break;
	case CR_TYPE_MOV_FROM:
		if (cr == 3)
			val = vmcs_read(VMCS_GUEST_CR3);
		else if (cr == 8)
			val = vcpu->apic ? vmctl_apic_get_cr8(vcpu) :
					   vcpu->cr8;
		else
			return vmctl_unhandled_exit(vcpu);
		vmctl_gpr_write(vcpu, reg, val);
		break;
	default:	/* CLTS, LMSW: they touch no bit we own */
		return vmctl_unhandled_exit(vcpu);
	}
	vmctl_skip_insn(vcpu);
	return EXIT_REENTER;
}

/* The VMCS holds DR7 for the CPU; general detect is ours to emulate. */
static void set_dr7(struct vmk_vcpu *vcpu, u64 dr7)
{
	vcpu->dr7 = dr7;
	vmcs_write(VMCS_GUEST_DR7, dr7 & ~DR7_GD);
}

/*
 * VMCTL_SET_DEBUGREGS: what MOV to each register would leave (the
 * caller refused bits 63:32 of DR6 and DR7).
 */
void vmctl_set_debugregs(struct vmk_vcpu *vcpu, const u64 db[4], u64 dr6,
			 u64 dr7)
{
	memcpy(vcpu->dr, db, sizeof(vcpu->dr));
	vcpu->dr6 = dr6 | DR6_FIXED1;
	set_dr7(vcpu, (dr7 | DR7_FIXED1) & ~DR7_ZERO);
}

/*
 * Every MOV DR exits and reads or writes the shadow here.  The guest's
 * breakpoints are in the CPU only while it runs with one enabled in DR7
 * (run.c); DR7.GD is emulated: the next MOV DR raises #DB with DR6.BD
 * instead, and clears GD as the CPU does when it delivers that #DB.
 */
int vmctl_handle_dr(struct vmk_vcpu *vcpu)
{
	u64 q = vcpu->exit_qual;
	int dr = DR_QUAL_NUM(q), reg = DR_QUAL_GPR(q);
	u64 val;

	if ((dr == 4 || dr == 5) && (vcpu->cr4 & X86_CR4_DE)) {
		vmctl_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return EXIT_REENTER;
	}
	if (vcpu->dr7 & DR7_GD) {
		vcpu->dr6 |= DR6_BD;
		set_dr7(vcpu, vcpu->dr7 & ~DR7_GD);
		vmctl_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		return EXIT_REENTER;
	}
	if (dr == 4 || dr == 5)
		dr += 2;
	if (q & DR_QUAL_FROM_DR) {
		val = dr < 4 ? vcpu->dr[dr] : dr == 6 ? vcpu->dr6 : vcpu->dr7;
		vmctl_gpr_write(vcpu, reg, val);
	} else {
		val = vmctl_gpr_read(vcpu, reg);
		/* DR6 and DR7 are 32-bit registers: the rest must be 0. */
		if (dr >= 6 && (val >> 32)) {
			vmctl_queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return EXIT_REENTER;
		}
		if (dr < 4)
			vcpu->dr[dr] = val;
		else if (dr == 6)
			vcpu->dr6 = val | DR6_FIXED1;
		else
			set_dr7(vcpu, (val | DR7_FIXED1) & ~DR7_ZERO);
	}
	vmctl_skip_insn(vcpu);
	return EXIT_REENTER;
}

int vmctl_handle_xsetbv(struct vmk_vcpu *vcpu)
{
	u64 val = (vcpu->gpr[GPR_RDX] << 32) | (u32)vcpu->gpr[GPR_RAX];

	if (!(vcpu->cr4 & X86_CR4_OSXSAVE)) {
		vmctl_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return EXIT_REENTER;
	}
	if ((u32)vcpu->gpr[GPR_RCX] || vmctl_guest_cpl() ||
	    !vmctl_xcr0_valid(val, vmctl_guest_xcr0_mask())) {
		vmctl_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return EXIT_REENTER;
	}
	vcpu->xcr0 = val;
	vmctl_skip_insn(vcpu);
	return EXIT_REENTER;
}
