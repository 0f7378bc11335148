/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_hypercall.c: KVM's hypercalls served in the kernel (send-IPI,
 * sched-yield, kick-CPU).
 */
#ifndef VMCTL_CPU_KVM_HYPERCALL_H
#define VMCTL_CPU_KVM_HYPERCALL_H

#include <linux/types.h>

struct vmk_vcpu;

/* VMCALL (RIP already past it): true when served here, RAX set. */
bool vmctl_kvm_hypercall(struct vmk_vcpu *vcpu);

#endif /* VMCTL_CPU_KVM_HYPERCALL_H */
