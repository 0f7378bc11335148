/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exits.c: VM-exit dispatch.
 */
#ifndef VMCTL_CPU_EXITS_H
#define VMCTL_CPU_EXITS_H

struct vmctl_vcpu;

int vmctl_handle_exit(struct vmctl_vcpu *vcpu);

#endif /* VMCTL_CPU_EXITS_H */
