/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcpu_ioctl.c: the vCPU fd, its ioctls and the mmap of its run area.
 */
#ifndef VMCTL_VM_VCPU_IOCTL_H
#define VMCTL_VM_VCPU_IOCTL_H

#include <linux/types.h>

struct vmk_vm;

int vmctl_create_vcpu(struct vmk_vm *vm, unsigned long id);

#endif /* VMCTL_VM_VCPU_IOCTL_H */
