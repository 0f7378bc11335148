/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exits.c: VM-exit dispatch.
 */
#ifndef VMCTL_CPU_EXITS_H
#define VMCTL_CPU_EXITS_H

struct vmk_vcpu;

int vmctl_handle_exit(struct vmk_vcpu *vcpu);

#endif /* VMCTL_CPU_EXITS_H */
