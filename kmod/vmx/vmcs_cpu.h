/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcs_cpu.c: where each VMCS is active, and making it current on this
 * CPU with preemption off (vmctl_vmcs_get/put).
 */
#ifndef VMCTL_VMX_VMCS_CPU_H
#define VMCTL_VMX_VMCS_CPU_H

struct vmctl_vcpu;

void vmctl_vmcs_cpu_init(void);
int vmctl_vmcs_activate(struct vmctl_vcpu *vcpu);
void vmctl_vmcs_release(struct vmctl_vcpu *vcpu);
void vmctl_vmcs_clear_cpu(void);
int vmctl_vmcs_get(struct vmctl_vcpu *vcpu);
void vmctl_vmcs_put(struct vmctl_vcpu *vcpu);

#endif /* VMCTL_VMX_VMCS_CPU_H */
