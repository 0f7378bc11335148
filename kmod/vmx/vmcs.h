/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcs.c: a new VMCS's controls and constant host state.
 */
#ifndef VMCTL_VMX_VMCS_H
#define VMCTL_VMX_VMCS_H

struct vmk_vcpu;

void vmctl_vmcs_setup(struct vmk_vcpu *vcpu);

#endif /* VMCTL_VMX_VMCS_H */
