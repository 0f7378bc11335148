/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dirty_log.c: VMCTL_GET_DIRTY_LOG and VMCTL_CLEAR_DIRTY_LOG, a logging
 * slot's dirty bitmap read and cleared (re-protected) by range; the
 * vCPUs' page-modification logs moved into the bitmaps.
 */
#ifndef VMCTL_VM_DIRTY_LOG_H
#define VMCTL_VM_DIRTY_LOG_H

#include <linux/vmctl.h>

struct vmk_vcpu;
struct vmk_vm;

void vmk_dirty_log_flush_pml(struct vmk_vcpu *vcpu);
int vmk_get_dirty_log(struct vmk_vm *vm, const struct vmctl_dirty_log *d);
int vmk_clear_dirty_log(struct vmk_vm *vm, const struct vmctl_dirty_log *d);

#endif /* VMCTL_VM_DIRTY_LOG_H */
