/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmclock.c: KVM's paravirtual clock (MSR_KVM_SYSTEM_TIME_NEW and
 * MSR_KVM_WALL_CLOCK_NEW), the structures it writes into guest memory.
 */
#ifndef VMCTL_CPU_KVMCLOCK_H
#define VMCTL_CPU_KVMCLOCK_H

#include <linux/types.h>

struct vmk_vcpu;
struct vmk_vm;

/* @index is one of the two MSRs and the vCPU's CPUID offers kvmclock. */
bool vmctl_kvmclock_msr(struct vmk_vcpu *vcpu, u32 index);
u64 vmctl_kvmclock_get(struct vmk_vcpu *vcpu, u32 index);
int vmctl_kvmclock_set(struct vmk_vcpu *vcpu, u32 index, u64 data);
/* The guest's TSC changed (TSC write): rewrite its time structure. */
void vmctl_kvmclock_update(struct vmk_vcpu *vcpu);
u64 vmctl_kvmclock_get_clock(struct vmk_vm *vm);
int vmctl_kvmclock_set_clock(struct vmk_vm *vm, u64 ns);

#endif /* VMCTL_CPU_KVMCLOCK_H */
