/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid.c: the CPUID table a guest sees, and its exit.
 */
#ifndef VMCTL_CPU_CPUID_H
#define VMCTL_CPU_CPUID_H

#include <linux/types.h>
#include <linux/vmctl.h>

struct vmk_vcpu;

/* KVM's paravirtual leaves, after ours at 0x40000000 (Linux scans both). */
#define VMCTL_KVM_LEAF		0x40000100
#define VMCTL_KVM_SIGNATURE	"KVMKVMKVM\0\0\0"

int vmctl_cpuid_init_default(struct vmk_vcpu *vcpu);
int vmctl_cpuid_set(struct vmk_vcpu *vcpu, const struct vmctl_cpuid *c,
		    const struct vmctl_cpuid_entry *ents);
void vmctl_cpuid_lookup(struct vmk_vcpu *vcpu, u32 fn, u32 idx, u32 out[4]);
int vmctl_handle_cpuid(struct vmk_vcpu *vcpu);
/* The vCPU's CPUID offers KVM's paravirtual feature @bit (KVM_FEATURE_*). */
#define vmctl_kvm_feature(vcpu, bit)	((vcpu)->kvm_features & BIT(bit))
u32 vmctl_xsave_size(u64 xcr0);

#endif /* VMCTL_CPU_CPUID_H */
