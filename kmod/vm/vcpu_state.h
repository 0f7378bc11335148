/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcpu_state.c: the vCPU fd's save/restore ioctls (XSAVE, XCRs, debug
 * registers, the MSR list), what VMCTL_CHECK_CAP says of them.
 */
#ifndef VMCTL_VM_VCPU_STATE_H
#define VMCTL_VM_VCPU_STATE_H

#include <linux/types.h>

struct vmk_vcpu;

/* -ENOTTY for a @cmd that is not one of them. */
long vmk_vcpu_state_ioctl(struct vmk_vcpu *vcpu, unsigned int cmd,
			  void __user *uarg);
/* VMCTL_CAP_VCPU_STATE and VMCTL_CAP_XSAVE_SIZE. */
u32 vmk_vcpu_state_offered(void);
u32 vmk_guest_xsave_size(void);

#endif /* VMCTL_VM_VCPU_STATE_H */
