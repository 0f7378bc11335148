// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit dispatch: a table indexed by basic exit reason (KVM's
 * kvm_vmx_exit_handlers[]), and the handlers of the simple exits.  A
 * handler returns EXIT_REENTER to go straight back into the guest or
 * EXIT_TO_USER after filling the run structure; one whose exit needs user
 * space's answer leaves its completion in vcpu->complete_user_exit for
 * the next RUN.  Reasons without a handler reach user space as
 * VMCTL_INTERNAL_UNHANDLED_EXIT with the reason in data[0].
 */
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include "cpu/cpuid.h"
#include "cpu/cr.h"
#include "cpu/ept_violation.h"
#include "cpu/exits.h"
#include "cpu/io.h"
#include "cpu/kvm_hypercall.h"
#include "cpu/msr.h"
#include "cpu/state.h"
#include "irqchip/apic.h"
#include "irqchip/irqchip.h"
#include "vm/vcpu.h"
#include "vmx/vmx_ops.h"

static int handle_reenter(struct vmk_vcpu *vcpu)
{
	return EXIT_REENTER;
}

/* NMIs were already handed to the host right after the exit (run.c). */
static int handle_exception_nmi(struct vmk_vcpu *vcpu)
{
	u32 info = vmcs_read(VMCS_EXIT_INTR_INFO);

	if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
		return EXIT_REENTER;
	return vmctl_unhandled_exit(vcpu);
}

static int handle_triple_fault(struct vmk_vcpu *vcpu)
{
	vmctl_set_exit(vcpu, VMCTL_EXIT_SHUTDOWN);
	return EXIT_TO_USER;
}

/*
 * Without the in-kernel APIC, HLT goes to user space.  With it, the vCPU
 * is marked halted and the run loop sleeps until an interrupt can wake
 * it (run.c).  With RFLAGS.IF=0 only an NMI, INIT, SIPI or PV kick ends
 * the halt: user space hears of it (VMCTL_EXIT_HLT), with whether every
 * vCPU of the VM is now stopped so (Linux powering off without ACPI halts
 * every CPU so; a PV-spinlock waiter halts so until the holder kicks it).
 * Its next RUN sleeps on like any other halt.
 */
static int handle_hlt(struct vmk_vcpu *vcpu)
{
	bool irq_wakes = vmcs_read(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF;

	vmctl_skip_insn(vcpu);
	if (vcpu->apic) {
		if (vmctl_apic_halt(vcpu, irq_wakes) || irq_wakes)
			return EXIT_REENTER;
		vcpu->run->hlt.vm_stopped = vmctl_irqchip_stopped(vcpu->vm);
	}
	vmctl_set_exit(vcpu, VMCTL_EXIT_HLT);
	return EXIT_TO_USER;
}

/* INVD, WBINVD: caches are coherent with what the guest sees; skip. */
static int handle_skip(struct vmk_vcpu *vcpu)
{
	vmctl_skip_insn(vcpu);
	return EXIT_REENTER;
}

/* VMX, MONITOR/MWAIT: not offered to the guest (hidden in CPUID). */
static int handle_ud(struct vmk_vcpu *vcpu)
{
	vmctl_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return EXIT_REENTER;
}

/* RDPMC: no PMU is modelled (CPUID leaf 0xa reads as zeros). */
static int handle_gp(struct vmk_vcpu *vcpu)
{
	vmctl_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return EXIT_REENTER;
}

/* On the next RUN: user space's result goes to RAX. */
static int complete_hypercall(struct vmk_vcpu *vcpu)
{
	vcpu->gpr[GPR_RAX] = READ_ONCE(vcpu->run->hypercall.ret);
	return EXIT_REENTER;
}

static int handle_vmcall(struct vmk_vcpu *vcpu)
{
	struct vmctl_run *run = vcpu->run;
	u64 nr = vcpu->gpr[GPR_RAX];

	vmctl_skip_insn(vcpu);
	if (nr == VMCTL_HC_GET_VERSION) {
		vcpu->gpr[GPR_RAX] = VMCTL_API_VERSION;
		return EXIT_REENTER;
	}
	if (vmctl_kvm_hypercall(vcpu))
		return EXIT_REENTER;
	vmctl_set_exit(vcpu, VMCTL_EXIT_HYPERCALL);
	run->hypercall.nr = nr;
	run->hypercall.args[0] = vcpu->gpr[GPR_RBX];
	run->hypercall.args[1] = vcpu->gpr[GPR_RCX];
	run->hypercall.args[2] = vcpu->gpr[GPR_RDX];
	run->hypercall.args[3] = vcpu->gpr[GPR_RSI];
	run->hypercall.ret = 0;
	vcpu->complete_user_exit = complete_hypercall;
	return EXIT_TO_USER;
}

static int (*const exit_handlers[])(struct vmk_vcpu *vcpu) = {
	[VMCTL_HW_EXIT_EXCEPTION_NMI] = handle_exception_nmi,
	[VMCTL_HW_EXIT_EXTERNAL_INTERRUPT] = handle_reenter,
	[VMCTL_HW_EXIT_TRIPLE_FAULT] = handle_triple_fault,
	[VMCTL_HW_EXIT_INTERRUPT_WINDOW] = handle_reenter,	/* apic.c injects */
	[VMCTL_HW_EXIT_NMI_WINDOW] = handle_reenter,
	[VMCTL_HW_EXIT_CPUID] = vmctl_handle_cpuid,
	[VMCTL_HW_EXIT_HLT] = handle_hlt,
	[VMCTL_HW_EXIT_INVD] = handle_skip,
	[VMCTL_HW_EXIT_RDPMC] = handle_gp,
	[VMCTL_HW_EXIT_VMCALL] = handle_vmcall,
	[VMCTL_HW_EXIT_VMCLEAR] = handle_ud,
	[VMCTL_HW_EXIT_VMLAUNCH] = handle_ud,
	[VMCTL_HW_EXIT_VMPTRLD] = handle_ud,
	[VMCTL_HW_EXIT_VMPTRST] = handle_ud,
	[VMCTL_HW_EXIT_VMREAD] = handle_ud,
	[VMCTL_HW_EXIT_VMRESUME] = handle_ud,
	[VMCTL_HW_EXIT_VMWRITE] = handle_ud,
	[VMCTL_HW_EXIT_VMXOFF] = handle_ud,
	[VMCTL_HW_EXIT_VMXON] = handle_ud,
	[VMCTL_HW_EXIT_CR_ACCESS] = vmctl_handle_cr,
	[VMCTL_HW_EXIT_DR_ACCESS] = vmctl_handle_dr,
	[VMCTL_HW_EXIT_IO_INSTRUCTION] = vmctl_handle_io,
	[VMCTL_HW_EXIT_RDMSR] = vmctl_handle_rdmsr,
	[VMCTL_HW_EXIT_WRMSR] = vmctl_handle_wrmsr,
	[VMCTL_HW_EXIT_MWAIT] = handle_ud,
	[VMCTL_HW_EXIT_MONITOR] = handle_ud,
	[VMCTL_HW_EXIT_EPT_VIOLATION] = vmctl_handle_ept_violation,
	[VMCTL_HW_EXIT_EPT_MISCONFIG] = vmctl_handle_ept_misconfig,
	[VMCTL_HW_EXIT_PML_FULL] = handle_reenter,	/* flushed: run.c */
	[VMCTL_HW_EXIT_INVEPT] = handle_ud,
	[VMCTL_HW_EXIT_PREEMPTION_TIMER] = handle_reenter,	/* backstop, vmx.c */
	[VMCTL_HW_EXIT_INVVPID] = handle_ud,
	[VMCTL_HW_EXIT_WBINVD] = handle_skip,
	[VMCTL_HW_EXIT_XSETBV] = vmctl_handle_xsetbv,
	[VMCTL_HW_EXIT_VMFUNC] = handle_ud,
};

int vmctl_handle_exit(struct vmk_vcpu *vcpu)
{
	u32 reason = vcpu->exit_reason;
	u32 basic = reason & VMCTL_HW_EXIT_BASIC_MASK;
	struct vmctl_run *run = vcpu->run;

	vcpu->stats.exits++;
	if (basic < VMCTL_NR_HW_EXIT_REASONS)
		vcpu->stats.hw_exits[basic]++;
	if (reason & VMCTL_HW_EXIT_FAILED_ENTRY) {
		vmctl_set_exit(vcpu, VMCTL_EXIT_FAIL_ENTRY);
		run->fail_entry.hardware_reason = reason;
		run->fail_entry.qualification = vcpu->exit_qual;
		return EXIT_TO_USER;
	}
	if (basic < ARRAY_SIZE(exit_handlers) && exit_handlers[basic])
		return exit_handlers[basic](vcpu);
	return vmctl_unhandled_exit(vcpu);
}
