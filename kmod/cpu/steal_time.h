/* SPDX-License-Identifier: GPL-2.0 */
/*
 * steal_time.c: KVM's steal time, the host scheduler's run delay of the
 * vCPU thread written into the guest's struct kvm_steal_time.
 */
#ifndef VMCTL_CPU_STEAL_TIME_H
#define VMCTL_CPU_STEAL_TIME_H

#include <linux/types.h>
#include <asm/kvm_para.h>
#include "cpu/cpuid.h"
#include "vm/vcpu.h"

/*
 * @index is MSR_KVM_STEAL_TIME and the vCPU offers steal time (inline:
 * every MSR exit asks).
 */
static inline bool vmctl_steal_msr(struct vmk_vcpu *vcpu, u32 index)
{
	return index == MSR_KVM_STEAL_TIME &&
	       vmctl_kvm_feature(vcpu, KVM_FEATURE_STEAL_TIME);
}
u64 vmctl_steal_get(struct vmk_vcpu *vcpu);
int vmctl_steal_set(struct vmk_vcpu *vcpu, u64 data);

static inline bool vmctl_steal_on(const struct vmk_vcpu *vcpu)
{
	return vcpu->steal_msr & BIT_ULL(0);
}

void vmctl_steal_update(struct vmk_vcpu *vcpu);
void vmctl_steal_preempted(struct vmk_vcpu *vcpu);

#endif /* VMCTL_CPU_STEAL_TIME_H */
