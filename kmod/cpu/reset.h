/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reset.c: the x86 reset state, INIT and SIPI.
 */
#ifndef VMCTL_CPU_RESET_H
#define VMCTL_CPU_RESET_H

#include <linux/types.h>

struct vmk_vcpu;

void vmk_vcpu_reset(struct vmk_vcpu *vcpu, bool init);
void vmk_vcpu_sipi(struct vmk_vcpu *vcpu, u8 vector);

#endif /* VMCTL_CPU_RESET_H */
