/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcs_cpu.c: where each VMCS is active, and making it current on this
 * CPU with preemption off (vmctl_vmcs_get/put).
 */
#ifndef VMCTL_VMX_VMCS_CPU_H
#define VMCTL_VMX_VMCS_CPU_H

struct vmk_vcpu;

void vmctl_vmcs_cpu_init(void);
int vmctl_vmcs_activate(struct vmk_vcpu *vcpu);
void vmctl_vmcs_release(struct vmk_vcpu *vcpu);
void vmctl_vmcs_clear_cpu(void);
int vmctl_vmcs_get(struct vmk_vcpu *vcpu);
void vmctl_vmcs_put(struct vmk_vcpu *vcpu);

#endif /* VMCTL_VMX_VMCS_CPU_H */
