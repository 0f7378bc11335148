// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's steal time (Documentation/virt/kvm/x86/msr.rst,
 * MSR_KVM_STEAL_TIME): a guest that finds KVM_FEATURE_STEAL_TIME writes
 * the GPA of a 64-byte aligned struct kvm_steal_time (bit 0: enable) and
 * reads there, in nanoseconds, how long its vCPU was ready to run but
 * the host ran something else.  That is what the scheduler counts as the
 * vCPU thread's run_delay (sched_info, as KVM uses it): time on a run
 * queue, waiting.  A halted vCPU asleep in the kernel is not waiting, so
 * idle time is never steal.
 *
 * Before an entry whose thread's run_delay moved since the last one, the
 * difference is added to the guest's steal field under the version
 * protocol of kvmclock (odd while the body changes).  The sum lives in
 * guest memory, as on KVM, so a snapshot carries it with the RAM and the
 * MSR is all the vCPU state.  A vCPU moved to another thread (RUN from
 * another thread, a restored snapshot) starts counting from that
 * thread's run_delay then.  When the run loop gives its CPU back to the
 * scheduler (vmk_vcpu_put() for a reschedule), the preempted byte says
 * so (KVM_VCPU_PREEMPTED) until the next entry: the guest's
 * vcpu_is_preempted() reads it (spinlocks, the sched-yield hypercall).
 *
 * Writes go through the guest-memory path (guest_mem.c), so the dirty
 * log sees them.  Reserved bits #GP as on KVM; a GPA outside RAM is
 * accepted and nothing is written.  A reset turns it off.
 */
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <asm/kvm_para.h>
#include "cpu/cpuid.h"
#include "cpu/steal_time.h"
#include "vm/guest_mem.h"
#include "vm/vcpu.h"

#define STEAL_ENABLE	BIT_ULL(0)	/* KVM_MSR_ENABLED */

u64 vmctl_steal_get(struct vmk_vcpu *vcpu)
{
	return vcpu->steal_msr;
}

/* A thread this vCPU has not counted for starts from its run_delay now. */
static void steal_baseline(struct vmk_vcpu *vcpu)
{
	vcpu->steal_pid = current->pid;
	vcpu->steal_run_delay = current->sched_info.run_delay;
}

int vmctl_steal_set(struct vmk_vcpu *vcpu, u64 data)
{
	if (data & KVM_STEAL_RESERVED_MASK || !sched_info_on())
		return -EINVAL;
	vcpu->steal_msr = data;
	steal_baseline(vcpu);
	/* The first entry writes the structure, preempted byte cleared. */
	vcpu->steal_preempted = data & STEAL_ENABLE;
	return 0;
}

static u64 st_gpa(struct vmk_vcpu *vcpu)
{
	return vcpu->steal_msr & KVM_STEAL_VALID_BITS;
}

/* The run delay not yet in the guest's structure, and its preempted byte. */
static void record(struct vmk_vcpu *vcpu, u64 delta)
{
	const struct vmctl_emu_ops *mem = &vmctl_guest_mem_ops;
	u64 gpa = st_gpa(vcpu);
	struct kvm_steal_time st;
	u32 version;

	if (mem->read_gpa(vcpu, gpa, &st, offsetof(typeof(st), flags)))
		return;
	version = (st.version | 1) + (st.version & 1 ? 2 : 0);
	st.version = version;		/* odd */
	mem->write_gpa(vcpu, gpa + offsetof(typeof(st), version),
		       &st.version, sizeof(st.version));
	smp_wmb();	/* odd version before the body */
	st.steal += delta;
	st.preempted = 0;
	mem->write_gpa(vcpu, gpa, &st.steal, sizeof(st.steal));
	mem->write_gpa(vcpu, gpa + offsetof(typeof(st), preempted),
		       &st.preempted, sizeof(st.preempted));
	smp_wmb();	/* the body before the even version */
	st.version = version + 1;	/* even */
	mem->write_gpa(vcpu, gpa + offsetof(typeof(st), version),
		       &st.version, sizeof(st.version));
}

/* Before an entry (may let go of the CPU: guest_mem.c). */
void vmctl_steal_update(struct vmk_vcpu *vcpu)
{
	u64 delay = current->sched_info.run_delay;

	if (current->pid != vcpu->steal_pid) {
		steal_baseline(vcpu);
		delay = vcpu->steal_run_delay;
	}
	if (delay == vcpu->steal_run_delay && !vcpu->steal_preempted)
		return;
	vcpu->steal_preempted = false;
	record(vcpu, delay - vcpu->steal_run_delay);
	vcpu->steal_run_delay = delay;
}

/*
 * The run loop is about to give its CPU to the scheduler: no sleeping
 * here, a page not present just goes without the mark.
 */
void vmctl_steal_preempted(struct vmk_vcpu *vcpu)
{
	u8 val = KVM_VCPU_PREEMPTED;

	if (!vmctl_steal_on(vcpu))
		return;
	if (!vmctl_guest_write_atomic(vcpu, st_gpa(vcpu) +
				      offsetof(struct kvm_steal_time,
					       preempted), &val, 1))
		vcpu->steal_preempted = true;
}
