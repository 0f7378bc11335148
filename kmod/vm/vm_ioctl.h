/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_ioctl.c: the VM fd and its ioctls.
 */
#ifndef VMCTL_VM_VM_IOCTL_H
#define VMCTL_VM_VM_IOCTL_H

#include <linux/vmctl.h>

int vmctl_create_vm(const struct vmctl_vm_config *cfg);

#endif /* VMCTL_VM_VM_IOCTL_H */
