/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr.c: control registers, EFER, XCR0 and debug registers as the guest
 * sees them, their checks, and the exits that write them.
 */
#ifndef VMCTL_CPU_CR_H
#define VMCTL_CPU_CR_H

#include <linux/types.h>

struct vmk_vcpu;

u64 vmctl_real_cr0(u64 cr0);
u64 vmctl_real_cr4(u64 cr4);
void vmctl_apply_cr0(struct vmk_vcpu *vcpu, u64 cr0);
void vmctl_apply_cr4(struct vmk_vcpu *vcpu, u64 cr4);
void vmctl_apply_efer(struct vmk_vcpu *vcpu, u64 efer);
bool vmctl_cr0_valid(struct vmk_vcpu *vcpu, u64 cr0, bool host);
bool vmctl_cr4_valid(struct vmk_vcpu *vcpu, u64 cr4, bool host);
bool vmctl_efer_valid(struct vmk_vcpu *vcpu, u64 efer, bool host);
u64 vmctl_guest_xcr0_mask(void);
int vmctl_handle_cr(struct vmk_vcpu *vcpu);
int vmctl_handle_dr(struct vmk_vcpu *vcpu);
void vmctl_set_debugregs(struct vmk_vcpu *vcpu, const u64 db[4], u64 dr6,
			 u64 dr7);
int vmctl_handle_xsetbv(struct vmk_vcpu *vcpu);

#endif /* VMCTL_CPU_CR_H */
