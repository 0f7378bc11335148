/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_state.c: the VM fd's save/restore ioctls (the I/O APIC, the clock),
 * what VMCTL_CHECK_CAP says of them.
 */
#ifndef VMCTL_VM_VM_STATE_H
#define VMCTL_VM_VM_STATE_H

#include <linux/types.h>

struct vmk_vm;

/* -ENOTTY for a @cmd that is not one of them. */
long vmk_vm_state_ioctl(struct vmk_vm *vm, unsigned int cmd,
			void __user *uarg);
/* VMCTL_CAP_VM_STATE. */
u32 vmk_vm_state_offered(void);

#endif /* VMCTL_VM_VM_STATE_H */
