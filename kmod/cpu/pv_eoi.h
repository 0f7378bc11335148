/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pv_eoi.c: KVM's PV EOI, the guest's EOI made in its own memory without
 * an exit (MSR_KVM_PV_EOI_EN and the flag it points at).
 */
#ifndef VMCTL_CPU_PV_EOI_H
#define VMCTL_CPU_PV_EOI_H

#include <linux/types.h>
#include <asm/kvm_para.h>
#include "cpu/cpuid.h"
#include "vm/vcpu.h"

/*
 * @index is MSR_KVM_PV_EOI_EN and the vCPU offers PV EOI (inline: every
 * MSR exit asks).
 */
static inline bool vmctl_pv_eoi_msr(struct vmk_vcpu *vcpu, u32 index)
{
	return index == MSR_KVM_PV_EOI_EN && vcpu->apic &&
	       vmctl_kvm_feature(vcpu, KVM_FEATURE_PV_EOI);
}
u64 vmctl_pv_eoi_get(struct vmk_vcpu *vcpu);
int vmctl_pv_eoi_set(struct vmk_vcpu *vcpu, u64 data);

/* Enabled by the guest: the run loop asks the APIC and calls these. */
static inline bool vmctl_pv_eoi_on(const struct vmk_vcpu *vcpu)
{
	return vcpu->pv_eoi_msr & BIT_ULL(0);
}

void vmctl_pv_eoi_enter(struct vmk_vcpu *vcpu, bool ok);
void vmctl_pv_eoi_sync(struct vmk_vcpu *vcpu, bool keep);

#endif /* VMCTL_CPU_PV_EOI_H */
