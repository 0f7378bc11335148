/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sregs.c: VMCTL_GET_SREGS / VMCTL_SET_SREGS.
 */
#ifndef VMCTL_CPU_SREGS_H
#define VMCTL_CPU_SREGS_H

#include <linux/vmctl.h>

struct vmk_vcpu;

void vmctl_get_sregs(struct vmk_vcpu *vcpu, struct vmctl_sregs *s);
int vmctl_set_sregs(struct vmk_vcpu *vcpu, const struct vmctl_sregs *s);

#endif /* VMCTL_CPU_SREGS_H */
