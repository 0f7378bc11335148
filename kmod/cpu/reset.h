/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reset.c: the x86 reset state, INIT and SIPI.
 */
#ifndef VMCTL_CPU_RESET_H
#define VMCTL_CPU_RESET_H

#include <linux/types.h>

struct vmctl_vcpu;

void vmctl_vcpu_reset(struct vmctl_vcpu *vcpu, bool init);
void vmctl_vcpu_sipi(struct vmctl_vcpu *vcpu, u8 vector);

#endif /* VMCTL_CPU_RESET_H */
