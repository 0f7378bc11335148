/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msr.c: the MSRs a guest can use, for its exits and for
 * VMCTL_GET/SET_MSRS.
 */
#ifndef VMCTL_CPU_MSR_H
#define VMCTL_CPU_MSR_H

#include <linux/types.h>

struct vmk_vcpu;

int vmctl_msr_get(struct vmk_vcpu *vcpu, u32 index, u64 *data);
int vmctl_msr_set(struct vmk_vcpu *vcpu, u32 index, u64 data, bool host);
void vmctl_msr_bitmap_init(void *bitmap);
u32 vmctl_msr_index_list(struct vmk_vcpu *vcpu, u32 *list, u32 room);
/* Room for every index vmctl_msr_index_list() may return. */
#define VMCTL_MSR_LIST_MAX	32
int vmctl_handle_rdmsr(struct vmk_vcpu *vcpu);
int vmctl_handle_wrmsr(struct vmk_vcpu *vcpu);
bool vmctl_apic_base_in_pa(struct vmk_vcpu *vcpu, u64 base);

#endif /* VMCTL_CPU_MSR_H */
