// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's hypercalls that vmctl serves in the kernel
 * (Documentation/virt/kvm/x86/hypercalls.rst), each only when the vCPU's
 * CPUID offers its feature, so a table without them (SET_CPUID, the bare
 * platform) sends every number to user space as before:
 *
 *   KVM_HC_SEND_IPI     (KVM_FEATURE_PV_SEND_IPI, in-kernel APIC): one
 *                       fixed or NMI IPI to up to 128 APIC IDs, for the
 *                       price of one exit instead of an ICR write each.
 *   KVM_HC_SCHED_YIELD  (KVM_FEATURE_PV_SCHED_YIELD): a guest that IPIs a
 *                       vCPU the host preempted (steal_time.c) gives
 *                       that vCPU's thread our CPU (yield_to()).
 *   KVM_HC_KICK_CPU     (KVM_FEATURE_PV_UNHALT, in-kernel APIC): ends the
 *                       halt of the vCPU with that APIC ID, even one
 *                       halted with interrupts off (a PV-spinlock waiter
 *                       the lock's holder hands the lock to), then gives
 *                       it our CPU as sched-yield does.
 *
 * The ABI is KVM's: number in RAX, arguments in RBX, RCX, RDX, RSI, all
 * cut to 32 bits outside 64-bit mode, the result in RAX; from CPL > 0
 * -KVM_EPERM.
 */
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include "cpu/cpuid.h"
#include "cpu/kvm_hypercall.h"
#include "cpu/state.h"
#include "irqchip/apic.h"
#include "model/lapic.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/hoststate.h"
#include "vmx/vmx_ops.h"

static struct vmk_vcpu *vcpu_by_apic_id(struct vmk_vm *vm, u64 id)
{
	if (id >= VMCTL_MAX_VCPUS)
		return NULL;
	/* A vCPU whole, APIC included: vmctl_create_vcpu(). */
	return smp_load_acquire(&vm->vcpus[id]);
}

/* The set bits of @bitmap, APIC IDs from @first: how many took it. */
static u64 ipi_cluster(struct vmk_vcpu *vcpu, struct vmctl_apic_irq *irq,
		       u64 bitmap, u64 first, unsigned int bits)
{
	struct vmk_vcpu *v;
	unsigned int i;
	bool matched;
	u64 n = 0;

	for (i = 0; i < bits && first + i < VMCTL_MAX_VCPUS; i++) {
		if (!(bitmap & BIT_ULL(i)))
			continue;
		v = vcpu_by_apic_id(vcpu->vm, first + i);
		if (!v)
			continue;
		irq->dest = first + i;
		vmctl_apic_deliver(v, irq, &matched);
		n += matched;
	}
	return n;
}

/*
 * KVM_HC_SEND_IPI(bitmap low, bitmap high, first APIC ID, ICR): physical
 * destinations only, no shorthand (-KVM_EINVAL), as on KVM.  The high
 * word's IDs follow the low word's (32 of them outside 64-bit mode).
 */
static u64 send_ipi(struct vmk_vcpu *vcpu, const u64 *a, bool op64)
{
	unsigned int bits = op64 ? 64 : 32;
	u64 icr = a[3], first = a[2];
	struct vmctl_apic_irq irq = {
		.source = vcpu->id,
		.vector = icr & LAPIC_VECTOR_MASK,
		.delivery = (icr & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT,
		.level = icr & LAPIC_TRIGGER_LEVEL,
		.assert = icr & LAPIC_LEVEL_ASSERT,
	};

	if (icr & (LAPIC_DEST_LOGICAL_BIT | LAPIC_SHORTHAND_MASK))
		return -KVM_EINVAL;
	if (first >= VMCTL_MAX_VCPUS)
		return 0;
	return ipi_cluster(vcpu, &irq, a[0], first, bits) +
	       ipi_cluster(vcpu, &irq, a[1], first + bits, bits);
}

static long yield_to_task(void *arg)
{
	struct task_struct *t = arg;

	yield_to(t, true);
	return 0;
}

/*
 * KVM_HC_SCHED_YIELD(APIC ID): 0 whatever happens.  The target's thread
 * is the last one to RUN it, by its ID in the initial namespace, and only
 * while it is a thread of our own process (gone, and its ID taken by
 * another process, it is not ours).
 */
static u64 sched_yield(struct vmk_vcpu *vcpu, u64 id)
{
	struct vmk_vcpu *target = vcpu_by_apic_id(vcpu->vm, id);
	struct task_struct *t;

	if (!target || target == vcpu)
		return 0;
	rcu_read_lock();
	t = pid_task(find_pid_ns(READ_ONCE(target->tid), &init_pid_ns),
		     PIDTYPE_PID);
	if (t && (t->mm != current->mm || t == current))
		t = NULL;
	if (t)
		get_task_struct(t);
	rcu_read_unlock();
	if (!t)
		return 0;
	vmk_vcpu_unloaded(vcpu, yield_to_task, t);
	put_task_struct(t);
	return 0;
}

/*
 * KVM_HC_KICK_CPU(flags, APIC ID): 0 whatever happens, as on KVM; an ID
 * no vCPU has is ignored.  flags has no meaning (Linux passes 0).
 */
static u64 kick_cpu(struct vmk_vcpu *vcpu, u64 id)
{
	struct vmk_vcpu *target = vcpu_by_apic_id(vcpu->vm, id);

	if (!target)
		return 0;
	vmctl_apic_pv_kick(target);
	return sched_yield(vcpu, id);
}

static bool op_64bit(struct vmk_vcpu *vcpu)
{
	return (vcpu->efer & EFER_LMA) &&
	       (vmcs_read(SEG_AR(SEG_CS)) & VMX_AR_L);
}

bool vmctl_kvm_hypercall(struct vmk_vcpu *vcpu)
{
	bool op64 = op_64bit(vcpu);
	u64 nr = vcpu->gpr[GPR_RAX], a[4], ret;
	int i;

	if (!op64)
		nr = (u32)nr;
	switch (nr) {
	case KVM_HC_SEND_IPI:
		if (!vcpu->apic ||
		    !vmctl_kvm_feature(vcpu, KVM_FEATURE_PV_SEND_IPI))
			return false;
		break;
	case KVM_HC_SCHED_YIELD:
		if (!vmctl_kvm_feature(vcpu, KVM_FEATURE_PV_SCHED_YIELD))
			return false;
		break;
	case KVM_HC_KICK_CPU:
		if (!vcpu->apic ||
		    !vmctl_kvm_feature(vcpu, KVM_FEATURE_PV_UNHALT))
			return false;
		break;
	default:
		return false;
	}
	a[0] = vcpu->gpr[GPR_RBX];
	a[1] = vcpu->gpr[GPR_RCX];
	a[2] = vcpu->gpr[GPR_RDX];
	a[3] = vcpu->gpr[GPR_RSI];
	for (i = 0; i < ARRAY_SIZE(a) && !op64; i++)
		a[i] = (u32)a[i];
	if (vmctl_guest_cpl())
		ret = -KVM_EPERM;
	else if (nr == KVM_HC_SEND_IPI)
		ret = send_ipi(vcpu, a, op64);
	else if (nr == KVM_HC_KICK_CPU)
		ret = kick_cpu(vcpu, a[1]);
	else
		ret = sched_yield(vcpu, a[0]);
	vcpu->gpr[GPR_RAX] = op64 ? ret : (u32)ret;
	return true;
}
