/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept_violation.c: EPT violations, i.e. MMIO.
 */
#ifndef VMCTL_CPU_EPT_VIOLATION_H
#define VMCTL_CPU_EPT_VIOLATION_H

struct vmctl_vcpu;

int vmctl_handle_ept_violation(struct vmctl_vcpu *vcpu);

#endif /* VMCTL_CPU_EPT_VIOLATION_H */
