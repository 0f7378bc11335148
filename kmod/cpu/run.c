// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop: VMCTL_RUN.
 *
 * Host state is switched once per load (hoststate.c); the loop re-enters
 * the guest for every exit handled in the kernel and leaves for user space
 * exits, a pending signal (-EINTR, VMCTL_EXIT_INTR) or a VMX failure.  A
 * reschedule request puts the vCPU, schedules and loads it again, maybe on
 * another CPU (the VMCS follows, vmcs_cpu.c).
 *
 * External interrupts exit with "acknowledge interrupt on exit" off: the
 * interrupt stays pending in the local APIC and the host takes it through
 * its own IDT as soon as we re-enable interrupts.  Simpler than KVM's
 * dispatch and just as correct.  NMIs exit too (NMI exiting) and are
 * handed to the host's NMI handler with INT 2 before interrupts are on.
 * Where the CPU has it, the VMX-preemption timer is armed for about 1 ms
 * on every entry (vmx.c): a guest that never exits on its own still
 * comes back to the checks in run_once() even if an (emulated) CPU holds
 * external interrupts back while the guest's RFLAGS.IF is 0.
 *
 * The loop owns the vCPU's waiting and resets, as KVM's vcpu_run() and
 * vcpu_block() do: with the in-kernel irqchip it asks the local APIC
 * (apic.c) before each entry whether INIT or SIPI arrived (reset.c does
 * what they say) and whether a halted vCPU may run, and sleeps on
 * vcpu->wq until it may; right before the entry (interrupts off) the APIC
 * injects the next interrupt or NMI or asks for the window exit that will
 * let it in.  HLT is skipped and slept in the kernel, rather than
 * entered in the HLT activity state: the host keeps control of the wait
 * (signals, immediate RUN return) with no VMX state that user space or a
 * later INIT would have to know about.
 *
 * An exit that needs user space's answer (port I/O in, MMIO, hypercalls)
 * leaves its completion in vcpu->complete_user_exit; the next RUN calls
 * it before entering (KVM's complete_userspace_io).
 *
 * KVM's paravirtual state in guest memory follows the loop: the PV EOI
 * flag is set or cleared right after the injection and looked at after
 * each exit (pv_eoi.c); steal time is brought up to date before an entry
 * and the preempted mark set when the loop gives its CPU to the
 * scheduler (steal_time.c).
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/irqflags.h>
#include <linux/interrupt.h>
#include <linux/preempt.h>
#include <asm/debugreg.h>
#include <asm/hardirq.h>
#include <asm/special_insns.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "cpu/exits.h"
#include "cpu/pv_eoi.h"
#include "cpu/reset.h"
#include "cpu/run.h"
#include "cpu/state.h"
#include "cpu/steal_time.h"
#include "irqchip/apic.h"
#include "vm/dirty_log.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/hoststate.h"
#include "vmx/vmenter.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/*
 * What user space supplied for the last exit goes into the guest: the
 * handler that sent the exit out left its completion (KVM's
 * complete_userspace_io).
 */
static int complete_user_exit(struct vmk_vcpu *vcpu)
{
	int (*complete)(struct vmk_vcpu *vcpu) = vcpu->complete_user_exit;

	if (!complete)
		return EXIT_REENTER;
	vcpu->complete_user_exit = NULL;
	return complete(vcpu);
}

/*
 * VM entry checks the event it injects against the guest state it enters
 * (SDM 26.2.1.3, 26.3.1.5) and fails, with the event still in the VMCS,
 * when they disagree.  Userspace may change that state after an event
 * was queued (SET_REGS, SET_SREGS), so each one is made to fit here: a
 * hardware exception pushes an error code exactly when the mode asks for
 * one (0 when none was given); an external interrupt needs RFLAGS.IF and
 * no STI or MOV SS blocking, an NMI no STI or MOV SS blocking, and one
 * that no longer fits is dropped.  Returns the interruption information
 * to write, 0 for none.
 */
static u32 entry_event(struct vmk_vcpu *vcpu, u32 info)
{
	u32 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	switch (info & INTR_INFO_TYPE_MASK) {
	case INTR_TYPE_HW_EXCEPTION:
		info &= ~INTR_INFO_DELIVER_CODE;
		if (vmctl_exc_has_error_code(vcpu, vector))
			info |= INTR_INFO_DELIVER_CODE;
		return info;
	case INTR_TYPE_EXT_INTR:
		if (!(vmcs_read(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF) ||
		    (intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS)))
			return 0;
		return info;
	case INTR_TYPE_NMI:
		if (intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS))
			return 0;
		/* Only re-injected: its cut-short delivery blocks no NMI. */
		if (intr & GUEST_INTR_NMI)
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
				   intr & ~GUEST_INTR_NMI);
		return info;
	default:		/* INT n, INT3, INTO, INT1: as the insn does */
		return info;
	}
}

/* Returns true when an event goes in with this entry. */
static bool inject_events(struct vmk_vcpu *vcpu)
{
	u32 info, err;

	if (vcpu->reinject_info & INTR_INFO_VALID) {
		/* An event whose delivery the last exit interrupted. */
		info = entry_event(vcpu, vcpu->reinject_info);
		err = vcpu->reinject_err;
		vmcs_write(VMCS_ENTRY_INSN_LEN, vcpu->reinject_len);
		vcpu->reinject_info = 0;
	} else if (vcpu->exc_pending) {
		info = entry_event(vcpu, vcpu->exc.vector |
				   INTR_TYPE_HW_EXCEPTION | INTR_INFO_VALID);
		err = vcpu->exc.has_error_code ? vcpu->exc.error_code : 0;
		vcpu->exc_pending = false;
	} else {
		return false;
	}
	if (!info)
		return false;
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERRCODE, err & 0xffff);
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
	return true;
}

static void save_idt_vectoring(struct vmk_vcpu *vcpu)
{
	u32 idt = vmcs_read(VMCS_IDT_VECTORING_INFO);
	u32 type = idt & INTR_INFO_TYPE_MASK;

	if (!(idt & INTR_INFO_VALID))
		return;
	vcpu->reinject_info = idt & (INTR_INFO_VALID | INTR_INFO_DELIVER_CODE |
				     INTR_INFO_TYPE_MASK |
				     INTR_INFO_VECTOR_MASK);
	if (idt & INTR_INFO_DELIVER_CODE)
		vcpu->reinject_err = vmcs_read(VMCS_IDT_VECTORING_ERRCODE);
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vcpu->reinject_len = vmcs_read(VMCS_EXIT_INSN_LEN);
}

/*
 * L1TF: flush the L1D before an entry only when host code that may hold
 * secrets ran on this CPU since the last one: an interrupt or NMI handler
 * (the host's entry code marks the CPU for kvm-intel, and we read the same
 * mark) or anything before a vCPU load (RUN after user space, a
 * reschedule, a migration).  The in-kernel exit handlers in between touch
 * only this vCPU's own state.  This is kvm-intel's default policy
 * ("cond"); a kernel built without kvm-intel has no mark: flush always.
 */
static bool l1d_flush_due(struct vmk_vcpu *vcpu)
{
	bool due = vcpu->l1d_flush_due;

	vcpu->l1d_flush_due = false;
#if IS_ENABLED(CONFIG_KVM_INTEL)
	due |= kvm_get_cpu_l1tf_flush_l1d();
	kvm_clear_cpu_l1tf_flush_l1d();
#else
	due = true;
#endif
	return due;
}

/* Breakpoint enables L0-3/G0-3: the guest's debug registers go in. */
#define DR7_BP_ENABLED	0xffULL

static void load_guest_dr(struct vmk_vcpu *vcpu)
{
	set_debugreg(vcpu->dr[0], 0);
	set_debugreg(vcpu->dr[1], 1);
	set_debugreg(vcpu->dr[2], 2);
	set_debugreg(vcpu->dr[3], 3);
	set_debugreg(vcpu->dr6, 6);
}

/* What a guest #DB set in DR6 is the guest's. */
static void save_guest_dr6(struct vmk_vcpu *vcpu)
{
	unsigned long dr6;

	get_debugreg(dr6, 6);
	vcpu->dr6 = dr6;
}

/* One entry and exit, interrupts off.  Returns vmctl_vmenter()'s value. */
static int enter_guest(struct vmk_vcpu *vcpu)
{
	struct vmctl_host_state *h = &vcpu->host;
	unsigned long cr3 = __read_cr3(), cr4 = __read_cr4();
	u64 host_xcr0 = vmx_caps.host_xcr0;
	bool swap_xcr0 = host_xcr0 && vcpu->xcr0 != host_xcr0;
	bool guest_dr = vcpu->dr7 & DR7_BP_ENABLED;
	bool queued;
	int ret;

	/* CR3 changes with PCID and lazy TLB; CR4 with a few features. */
	if (unlikely(cr3 != h->cr3)) {
		vmcs_write(VMCS_HOST_CR3, cr3);
		h->cr3 = cr3;
	}
	if (unlikely(cr4 != h->cr4)) {
		vmcs_write(VMCS_HOST_CR4, cr4);
		h->cr4 = cr4;
	}
	queued = inject_events(vcpu);
	if (vcpu->apic) {
		bool pv_eoi = vmctl_pv_eoi_on(vcpu);
		bool eoi_ok = vmctl_apic_inject(vcpu, queued, pv_eoi);

		if (pv_eoi)
			vmctl_pv_eoi_enter(vcpu, eoi_ok);
	}
	/*
	 * The timer counts down only while the guest runs and would resume
	 * from what is left; one VMWRITE per entry restarts the full
	 * deadline, simpler than saving the value on exit (vmx.c).
	 */
	if (vmx_caps.preempt_ticks)
		vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, vmx_caps.preempt_ticks);
	if (native_read_cr2() != vcpu->cr2)
		native_write_cr2(vcpu->cr2);
	if (swap_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	if (unlikely(guest_dr))
		load_guest_dr(vcpu);

	if (vmx_caps.flush_l1d && l1d_flush_due(vcpu))
		vmx_flush_l1d();
	ret = vmctl_vmenter(vcpu->gpr, vcpu->launched,
			    vmx_caps.clear_cpu_buffers);

	if (swap_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	vcpu->cr2 = native_read_cr2();
	/* A VM exit clears DEBUGCTL and sets DR7 to 0x400. */
	if (h->debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	/* The host's DR0-3, DR6 and DR7 back, the guest's out of sight. */
	if (unlikely(guest_dr))
		save_guest_dr6(vcpu);
	if (hw_breakpoint_active() || unlikely(guest_dr))
		hw_breakpoint_restore();
	return ret;
}

static int vmx_failure(struct vmk_vcpu *vcpu, const char *what)
{
	u64 d[2] = { vmcs_read(VMCS_INSN_ERROR), vcpu->launched };

	pr_err_ratelimited("vmctl: %s for vCPU %u failed, VM-instruction error %llu\n",
			   what, vcpu->id, d[0]);
	return vmctl_internal_error(vcpu, VMCTL_INTERNAL_VMX_FAILURE, 2, d);
}

/*
 * VMLAUNCH/VMRESUME failed its checks: reported once, and the event this
 * entry tried to inject (the one thing here userspace may have made
 * invalid) is dropped, or it would fail every RUN after.  A VM exit
 * clears the field by itself; an exit for a failed entry does not
 * (drop_failed_event()).
 */
static int entry_failure(struct vmk_vcpu *vcpu)
{
	int ret = vmx_failure(vcpu, vcpu->launched ? "VMRESUME" : "VMLAUNCH");

	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	return ret;
}

/*
 * An entry that failed on guest state or MSR loading (an exit with the
 * failed-entry bit) leaves the VM-entry interruption information valid
 * (unlike other VM exits, it does not save guest state, and the valid
 * bit is cleared with that; so does Bochs 2.7's VMexit()): the event was not delivered, and it was checked against the state user
 * space is now about to replace.  It is dropped with the report of the
 * failed entry, or the next entry would inject it into whatever state is
 * loaded then (a #GP's error code into real mode: VM-instruction error
 * 7).  Nothing was being delivered, so there is no IDT-vectoring
 * information to save either (KVM ignores it too).
 */
static void drop_failed_event(struct vmk_vcpu *vcpu)
{
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
}

static void snapshot(struct vmk_vcpu *vcpu)
{
	struct vmctl_run *run = vcpu->run;

	run->rip = vmcs_read(VMCS_GUEST_RIP);
	run->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	run->cr8 = vcpu->apic ? vmctl_apic_get_cr8(vcpu) : vcpu->cr8;
}

static bool runnable(struct vmk_vcpu *vcpu)
{
	return vmctl_apic_runnable(vcpu, vcpu->halted, vcpu->halt_if);
}

/*
 * Sleep, vCPU put, until the APIC has work for it or a signal comes
 * (KVM's vcpu_block(), bhyve's vm_handle_hlt()).
 */
static int block(struct vmk_vcpu *vcpu)
{
	int ret;

	vmk_vcpu_put(vcpu);
	ret = wait_event_interruptible(vcpu->wq, runnable(vcpu));
	if (vmk_vcpu_load(vcpu))
		return -EIO;
	if (ret) {
		vmctl_set_exit(vcpu, VMCTL_EXIT_INTR);
		return -EINTR;
	}
	return EXIT_REENTER;
}

/*
 * With the in-kernel APIC, before each entry: INIT resets the vCPU, SIPI
 * starts it, and a vCPU halted or waiting for SIPI sleeps until its APIC
 * says it can run.  Returns 0 to enter now, else what run_once() returns
 * (after a sleep, the checks start over: what woke us is taken then).
 */
static int apic_events(struct vmk_vcpu *vcpu)
{
	bool init, run;
	int sipi;

	/* What is taken and the answer come from one look at the APIC. */
	run = vmctl_apic_take_init_sipi(vcpu, &init, &sipi);
	if (init)
		vmk_vcpu_reset(vcpu, true);
	if (sipi >= 0)
		vmk_vcpu_sipi(vcpu, sipi);
	if (!run)
		return block(vcpu);
	return 0;
}

/*
 * Time to leave the loaded section: the scheduler wants the CPU, or (when
 * kernel_fpu_begin() disabled bottom halves, as newer kernels do) softirqs
 * are waiting for the local_bh_enable() in kernel_fpu_end().
 */
static bool must_put(void)
{
	return need_resched() || (softirq_count() && local_softirq_pending());
}

/* Returns EXIT_TO_USER, EXIT_REENTER (go on) or -EINTR. */
static int run_once(struct vmk_vcpu *vcpu)
{
	u32 info;
	int ret;

	if (signal_pending(current)) {
		vmctl_set_exit(vcpu, VMCTL_EXIT_INTR);
		return -EINTR;
	}
	if (must_put()) {
		vmctl_steal_preempted(vcpu);
		vmk_vcpu_put(vcpu);
		cond_resched();
		if (vmk_vcpu_load(vcpu))
			return -EIO;
		return EXIT_REENTER;
	}
	if (vcpu->apic) {
		ret = apic_events(vcpu);
		if (ret)
			return ret;
	}
	if (vmctl_steal_on(vcpu)) {
		vmctl_steal_update(vcpu);
		if (vcpu->reload_failed) {	/* it let go of the CPU */
			vcpu->reload_failed = false;
			return -EIO;
		}
	}
	vcpu->vmx_mark = vmx_batch_begin();
	local_irq_disable();
	/* A wakeup or signal since the checks above would wait a tick. */
	if (must_put() || signal_pending(current)) {
		local_irq_enable();
		return EXIT_REENTER;
	}
	if (vcpu->apic) {
		WRITE_ONCE(vcpu->in_guest, true);
		/* Then read the APIC: pairs with vmctl_apic_kick(). */
		smp_mb();
	}
	ret = enter_guest(vcpu);
	if (vcpu->apic)
		WRITE_ONCE(vcpu->in_guest, false);
	if (ret) {
		local_irq_enable();
		return entry_failure(vcpu);
	}
	vcpu->exit_reason = vmcs_read(VMCS_EXIT_REASON);
	if (!(vcpu->exit_reason & VMCTL_HW_EXIT_FAILED_ENTRY)) {
		vcpu->launched = true;
		if (vcpu->exit_reason == VMCTL_HW_EXIT_EXCEPTION_NMI) {
			info = vmcs_read(VMCS_EXIT_INTR_INFO);
			if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
				asm volatile("int $2");
		}
	}
	local_irq_enable();

	vcpu->exit_qual = vmcs_read(VMCS_EXIT_QUAL);
	if (vcpu->exit_reason & VMCTL_HW_EXIT_FAILED_ENTRY)
		drop_failed_event(vcpu);
	else
		save_idt_vectoring(vcpu);
	/*
	 * The PML log into the dirty logs: at each exit while a slot logs,
	 * and when it is full.  Here rather than in the exit dispatch: with
	 * no call of its own there, the dispatch needs no stack frame and
	 * tail-calls its handler, on every exit (README, "Performance").
	 */
	if (vcpu->pml && (READ_ONCE(vcpu->vm->nr_logging) ||
			  (vcpu->exit_reason & VMCTL_HW_EXIT_BASIC_MASK) ==
			  VMCTL_HW_EXIT_PML_FULL))
		vmk_dirty_log_flush_pml(vcpu);
	/* Before the exit's own work: an EOI it may need came first. */
	if (vcpu->pv_eoi_pending)
		vmctl_pv_eoi_sync(vcpu, true);
	ret = vcpu->reload_failed ? EXIT_REENTER : vmctl_handle_exit(vcpu);
	if (vcpu->reload_failed) {	/* a handler let go of the CPU */
		vcpu->reload_failed = false;
		return -EIO;
	}
	if (vmx_batch_end(vcpu->vmx_mark))
		return vmx_failure(vcpu, "VMREAD/VMWRITE");
	return ret;
}

/*
 * How this RUN ended, from the kernel's own copy of the exit, for the
 * VM's watcher (netlink.c): a triple fault or a failed entry.
 */
static void report_end(struct vmk_vcpu *vcpu)
{
	if (vcpu->user_exit == VMCTL_EXIT_SHUTDOWN)
		vmk_vm_notify(vcpu->vm, vcpu, VMCTL_VCPU_SHUTDOWN, 0);
	else if (vcpu->user_exit == VMCTL_EXIT_FAIL_ENTRY)
		vmk_vm_notify(vcpu->vm, vcpu, VMCTL_VCPU_FAIL_ENTRY,
			      vcpu->exit_reason);
}

/* User space and snapshots see no EOI left in guest memory (pv_eoi.c). */
static int pv_eoi_leave(struct vmk_vcpu *vcpu, int ret)
{
	if (!vcpu->pv_eoi_pending)
		return ret;
	vmctl_pv_eoi_sync(vcpu, false);
	if (vcpu->reload_failed) {	/* it let go of the CPU */
		vcpu->reload_failed = false;
		return -EIO;
	}
	return ret;
}

static long vcpu_run(struct vmk_vcpu *vcpu)
{
	struct vmctl_run *run = vcpu->run;
	int ret;

	vcpu->stats.runs++;
	vmctl_set_exit(vcpu, VMCTL_EXIT_NONE);
	ret = vmk_vcpu_load(vcpu);
	if (ret) {
		u64 d = ret;

		vmctl_internal_error(vcpu, VMCTL_INTERNAL_VMX_FAILURE, 1, &d);
		return 0;
	}
	vcpu->vmx_mark = vmx_batch_begin();
	ret = complete_user_exit(vcpu);
	if (vcpu->reload_failed) {
		vcpu->reload_failed = false;
		ret = -EIO;
	}
	if (ret == EXIT_REENTER && READ_ONCE(run->immediate_exit)) {
		vmctl_set_exit(vcpu, VMCTL_EXIT_INTR);
		ret = -EINTR;
	}
	while (ret == EXIT_REENTER)
		ret = run_once(vcpu);
	if (ret != -EIO)
		ret = pv_eoi_leave(vcpu, ret);
	if (ret == -EIO) {	/* reload after a reschedule failed */
		u64 d = ret;

		vmctl_internal_error(vcpu, VMCTL_INTERNAL_VMX_FAILURE, 1, &d);
		return 0;
	}
	if (ret == EXIT_TO_USER)
		vcpu->stats.user_exits++;
	snapshot(vcpu);
	vmk_vcpu_put(vcpu);
	return ret == -EINTR ? -EINTR : 0;
}

/* VMCTL_RUN; the VM counts its vCPUs inside it, for `vmctl ps`. */
long vmk_vcpu_run(struct vmk_vcpu *vcpu)
{
	struct vmk_vm *vm = vcpu->vm;
	long ret;

	atomic_inc(&vm->vcpus_in_run);
	if (vcpu->tid != current->pid)
		WRITE_ONCE(vcpu->tid, current->pid);
	ret = vcpu_run(vcpu);
	WRITE_ONCE(vm->last_run, jiffies);
	atomic_dec(&vm->vcpus_in_run);
	if (!ret)
		report_end(vcpu);
	return ret;
}
