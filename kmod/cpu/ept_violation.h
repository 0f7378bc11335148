/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept_violation.c: EPT violations (RAM faulted in, or MMIO) and EPT
 * misconfigurations (MMIO markers).
 */
#ifndef VMCTL_CPU_EPT_VIOLATION_H
#define VMCTL_CPU_EPT_VIOLATION_H

struct vmk_vcpu;

int vmctl_handle_ept_violation(struct vmk_vcpu *vcpu);
int vmctl_handle_ept_misconfig(struct vmk_vcpu *vcpu);

#endif /* VMCTL_CPU_EPT_VIOLATION_H */
