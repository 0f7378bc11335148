// SPDX-License-Identifier: GPL-2.0
/*
 * Switching the host state VM exits do not restore, once per vCPU load
 * (entry to the run loop, or after a reschedule), not once per exit.
 *
 * FPU/XSAVE: kernel_fpu_begin() saves the user's FPU state into its task
 * (restored on return to user space) and disables preemption (newer
 * kernels: bottom halves too, see must_put() in run.c); the guest's
 * registers are then loaded with XRSTOR (FXRSTOR on hosts without XSAVE)
 * from the vCPU's own area and saved back before kernel_fpu_end().  The same exported calls
 * exist in 6.1 and 6.12, unlike the KVM-only fpu guest-state API, and no
 * host code runs with guest FPU registers except interrupt handlers, which
 * may not use the FPU while we hold it (irq_fpu_usable() is false).
 *
 * MSRs: KERNEL_GS_BASE, STAR, LSTAR, CSTAR and SFMASK have no VMCS field;
 * the host's values only matter on the way back to user space, so the
 * guest's stay loaded across exits.  FS/GS bases are VMCS fields; data
 * selectors, LDT and the GDT limit come back from a VM exit clobbered and
 * are restored here.
 */
#include <linux/sched.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/fpu/api.h>
#include "vm/vcpu.h"
#include "vmx/hoststate.h"
#include "vmx/vmcs_cpu.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

static const u32 swapped_msrs[NR_SWAPPED_MSRS] = {
	[SWAP_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
	[SWAP_STAR] = MSR_STAR,
	[SWAP_LSTAR] = MSR_LSTAR,
	[SWAP_CSTAR] = MSR_CSTAR,
	[SWAP_SFMASK] = MSR_SYSCALL_MASK,
};

#define FXSAVE_MXCSR_OFFSET	24

void vmctl_fpu_init_guest(void *area)
{
	/* XSTATE_BV = 0: XRSTOR starts every component in its init state. */
	*(u16 *)area = 0x37f;		/* FCW after FNINIT */
	*(u32 *)(area + FXSAVE_MXCSR_OFFSET) = 0x1f80;
}

/* XSAVE format for the guest's XCR0, or FXSAVE without host XSAVE. */
static void fpu_restore(void *area, u64 mask)
{
	if (vmx_caps.host_xcr0)
		asm volatile("xrstor64 (%0)" : : "r"(area), "a"((u32)mask),
			     "d"((u32)(mask >> 32)) : "memory");
	else
		asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

static void fpu_save(void *area, u64 mask)
{
	if (vmx_caps.host_xcr0)
		asm volatile("xsave64 (%0)" : : "r"(area), "a"((u32)mask),
			     "d"((u32)(mask >> 32)) : "memory");
	else
		asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

int vmk_vcpu_load(struct vmk_vcpu *vcpu)
{
	struct vmctl_host_state *h = &vcpu->host;
	int i, ret;

	kernel_fpu_begin();
	ret = vmctl_vmcs_activate(vcpu);
	if (ret) {
		kernel_fpu_end();
		return ret;
	}
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=g"(h->ldt));
	native_store_gdt(&h->gdt);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	vmcs_write(VMCS_HOST_FS_BASE, h->fs_base);
	h->debugctl = 0;
	if (vmx_caps.host_debugctl)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	for (i = 0; i < NR_SWAPPED_MSRS; i++) {
		rdmsrl(swapped_msrs[i], h->msr[i]);
		wrmsrl(swapped_msrs[i], vcpu->swapped[i]);
	}
	fpu_restore(vcpu->fpu, vcpu->xcr0);
	vcpu->loaded = true;
	vcpu->l1d_flush_due = true;	/* other code ran here: run.c */
	return 0;
}

/*
 * Run @fn where it may sleep and take page faults, from a handler that
 * holds the vCPU on this CPU: loaded by the run loop (vmk_vcpu_load()) or
 * with its VMCS current for a state ioctl (vmctl_vmcs_get()).  The hold
 * is let go for @fn and taken back after, maybe on another CPU; the
 * VMCS keeps its contents.  VMREAD/VMWRITE failures of the batch before
 * carry over into the rebased mark.  Should the vCPU not come back (its
 * VMCS cannot be loaded), vcpu->reload_failed tells the run loop or
 * vmk_vcpu_with_vmcs() to end there, and -EIO the caller.
 */
int vmk_vcpu_unloaded(struct vmk_vcpu *vcpu, long (*fn)(void *arg),
		      void *arg)
{
	unsigned int failed = vmx_batch_end(vcpu->vmx_mark) ? 1 : 0;
	bool run_loop = vcpu->loaded;
	long ret;

	if (run_loop)
		vmk_vcpu_put(vcpu);
	else
		vmctl_vmcs_put(vcpu);
	ret = fn(arg);
	if (run_loop ? vmk_vcpu_load(vcpu) : vmctl_vmcs_get(vcpu)) {
		vcpu->reload_failed = true;
		return -EIO;
	}
	/* A failure before the put still makes vmx_batch_end() fail. */
	vcpu->vmx_mark = vmx_batch_begin() - failed;
	return ret;
}

void vmk_vcpu_put(struct vmk_vcpu *vcpu)
{
	struct vmctl_host_state *h = &vcpu->host;
	int i;

	fpu_save(vcpu->fpu, vcpu->xcr0);
	/* SWAPGS changes it without an exit. */
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->swapped[SWAP_KERNEL_GS_BASE]);

	native_load_gdt(&h->gdt);	/* VM exit set the limit to 0xffff */
	invalidate_tss_limit();		/* and the TR limit to 0x67 */
	if (h->ldt)
		asm volatile("lldt %w0" : : "q"(h->ldt));
	if (h->ds | h->es) {
		loadsegment(ds, h->ds);
		loadsegment(es, h->es);
	}
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs)
		load_gs_index(h->gs);
	/* After load_gs_index(), which goes through KERNEL_GS_BASE. */
	for (i = 0; i < NR_SWAPPED_MSRS; i++)
		wrmsrl(swapped_msrs[i], h->msr[i]);
	vcpu->loaded = false;
	kernel_fpu_end();
}
