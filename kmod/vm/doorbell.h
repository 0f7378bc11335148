/* SPDX-License-Identifier: GPL-2.0 */
/*
 * doorbell.c: doorbells (VMCTL_DOORBELL, KVM's ioeventfd): a guest write
 * to a registered port or MMIO address signals an eventfd in the kernel.
 */
#ifndef VMCTL_VM_DOORBELL_H
#define VMCTL_VM_DOORBELL_H

#include <linux/types.h>
#include <linux/vmctl.h>

struct vmk_vm;

int vmk_doorbell(struct vmk_vm *vm, const struct vmctl_doorbell *args);
/*
 * A guest write of @len bytes of @val to port (@pio) or guest-physical
 * @addr: true when a doorbell took it (its eventfd is signalled and the
 * write is done).  The exit handlers call it, preemption off.
 */
bool vmk_doorbell_ring(struct vmk_vm *vm, bool pio, u64 addr, u32 len,
		       u64 val);
/* VM teardown: no vCPU runs any more. */
void vmk_doorbells_free(struct vmk_vm *vm);

#endif /* VMCTL_VM_DOORBELL_H */
