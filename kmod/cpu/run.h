/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run.c: the run loop, VMCTL_RUN.
 */
#ifndef VMCTL_CPU_RUN_H
#define VMCTL_CPU_RUN_H

struct vmk_vcpu;

long vmk_vcpu_run(struct vmk_vcpu *vcpu);

#endif /* VMCTL_CPU_RUN_H */
