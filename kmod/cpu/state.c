// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU's state below the exit handlers (KVM's kvm_cache_regs.h and
 * the register helpers of x86.c): general registers, RIP and instruction
 * skipping, segments, the TSC offset, the exception queued for the next
 * entry, the emulator's view of the CPU, and the run-structure reports of
 * internal errors and unhandled exits.  Every exit handler, the run loop
 * and the state ioctls use these; they use nothing above themselves.
 * The vCPU's VMCS is current (the run loop, or vmctl_vmcs_get()).
 */
#include <linux/string.h>
#include <asm/msr-index.h>
#include "cpu/state.h"
#include "vm/vcpu.h"
#include "vmx/vmx_ops.h"

u64 vmctl_gpr_read(struct vmk_vcpu *vcpu, int reg)
{
	return reg == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : vcpu->gpr[reg];
}

void vmctl_gpr_write(struct vmk_vcpu *vcpu, int reg, u64 val)
{
	if (reg == GPR_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		vcpu->gpr[reg] = val;
}

u64 vmctl_sync_cr0(struct vmk_vcpu *vcpu)
{
	vcpu->cr0 = vmctl_cr0_seen(vcpu->cr0, vmcs_read(VMCS_GUEST_CR0),
				   VMCTL_CR0_OURS);
	return vcpu->cr0;
}

u8 vmctl_guest_cpl(void)
{
	return (vmcs_read(VMCS_GUEST_ES_AR + 2 * SEG_SS) >> VMX_AR_DPL_SHIFT) & 3;
}

/* Moving RIP ends STI / MOV SS blocking, as executing would. */
static void set_rip(u64 rip)
{
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_write(VMCS_GUEST_RIP, rip);
	if (intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(GUEST_INTR_STI | GUEST_INTR_MOV_SS));
}

void vmctl_skip_insn_len(struct vmk_vcpu *vcpu, u32 len)
{
	u64 rip = vmcs_read(VMCS_GUEST_RIP) + len;

	if (!(vcpu->efer & EFER_LMA) ||
	    !(vmcs_read(VMCS_GUEST_ES_AR + 2 * SEG_CS) & VMX_AR_L))
		rip = (u32)rip;
	set_rip(rip);
}

void vmctl_skip_insn(struct vmk_vcpu *vcpu)
{
	vmctl_skip_insn_len(vcpu, vmcs_read(VMCS_EXIT_INSN_LEN));
}

void vmctl_queue_exception(struct vmk_vcpu *vcpu, u8 vector, bool has_err,
			   u32 err)
{
	vcpu->exc.vector = vector;
	vcpu->exc.has_error_code = has_err;
	vcpu->exc.error_code = err;
	vcpu->exc_pending = true;
}

int vmctl_internal_error(struct vmk_vcpu *vcpu, u32 suberror, u32 ndata,
			 const u64 *data)
{
	struct vmctl_run *run = vcpu->run;

	memset(&run->internal, 0, sizeof(run->internal));
	vmctl_set_exit(vcpu, VMCTL_EXIT_INTERNAL_ERROR);
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	memcpy(run->internal.data, data, ndata * sizeof(*data));
	return EXIT_TO_USER;
}

void vmctl_emu_cpu_get(struct vmk_vcpu *vcpu, struct vmctl_emu_cpu *cpu)
{
	u32 cs_ar = vmcs_read(VMCS_GUEST_ES_AR + 2 * SEG_CS);
	int i;

	memcpy(cpu->gpr, vcpu->gpr, sizeof(cpu->gpr));
	cpu->gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	cpu->rip = vmcs_read(VMCS_GUEST_RIP);
	cpu->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	cpu->cr0 = vmctl_sync_cr0(vcpu);
	cpu->cr3 = vmcs_read(VMCS_GUEST_CR3);
	cpu->cr4 = vcpu->cr4;
	cpu->efer = vcpu->efer;
	for (i = 0; i < NR_SEGS; i++)
		cpu->seg_base[i] = vmcs_read(VMCS_GUEST_ES_BASE + 2 * i);
	cpu->cs_l = cs_ar & VMX_AR_L;
	cpu->cs_db = cs_ar & VMX_AR_DB;
	cpu->cpl = vmctl_guest_cpl();
}

void vmctl_emu_cpu_set(struct vmk_vcpu *vcpu,
		       const struct vmctl_emu_cpu *cpu)
{
	u64 rsp = vcpu->gpr[GPR_RSP];

	memcpy(vcpu->gpr, cpu->gpr, sizeof(vcpu->gpr));
	vcpu->gpr[GPR_RSP] = rsp;
	vmcs_write(VMCS_GUEST_RSP, cpu->gpr[GPR_RSP]);
	vmcs_write(VMCS_GUEST_RFLAGS, cpu->rflags);
	if (cpu->rip != vmcs_read(VMCS_GUEST_RIP))
		set_rip(cpu->rip);
}

int vmctl_unhandled_exit(struct vmk_vcpu *vcpu)
{
	u64 data[2] = { vcpu->exit_reason, vcpu->exit_qual };

	return vmctl_internal_error(vcpu, VMCTL_INTERNAL_UNHANDLED_EXIT, 2,
				    data);
}

void vmctl_set_seg(int i, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmcs_write(SEG_SEL(i), sel);
	vmcs_write(SEG_BASE(i), base);
	vmcs_write(SEG_LIMIT(i), limit);
	vmcs_write(SEG_AR(i), ar);
}

void vmctl_set_tsc_offset(struct vmk_vcpu *vcpu, u64 offset)
{
	WRITE_ONCE(vcpu->tsc_offset, offset);
	vmcs_write(VMCS_TSC_OFFSET, offset);
}

#define PENDING_DBG_BS	BIT(14)		/* single step */

/*
 * In an STI or MOV SS shadow, VM entry wants the pending single step (BS
 * in the pending debug exceptions) to agree with RFLAGS.TF (SDM 26.3.1.5;
 * the guest's IA32_DEBUGCTL.BTF is 0): the CPU leaves them so at an exit,
 * SET_REGS and SET_VCPU_EVENTS may not.
 */
void vmctl_sync_pending_dbg(void)
{
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	u64 dbg;

	if (!(intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS)))
		return;
	dbg = vmcs_read(VMCS_GUEST_PENDING_DBG) & ~PENDING_DBG_BS;
	if (vmcs_read(VMCS_GUEST_RFLAGS) & X86_EFLAGS_TF)
		dbg |= PENDING_DBG_BS;
	vmcs_write(VMCS_GUEST_PENDING_DBG, dbg);
}
