/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memslot.c: a VM's memory slots, guest-physical ranges of pinned user
 * memory.  Readers that cannot sleep (the run loop) look slots up under
 * rcu_read_lock(); changes hold vm->lock.
 */
#ifndef VMCTL_VM_MEMSLOT_H
#define VMCTL_VM_MEMSLOT_H

#include <linux/types.h>

struct page;
struct vmk_vm;
struct vmctl_mem_slot;

struct vmctl_slot {
	u32 id;
	u32 flags;		/* VMCTL_MEM_* */
	u64 gpa;
	u64 size;
	u64 uaddr;
	unsigned long npages;
	struct page **pages;	/* pinned, one per 4 KiB of the slot */
};

struct vmctl_slot *vmctl_slot_find(struct vmk_vm *vm, u64 gpa);
int vmctl_slot_set(struct vmk_vm *vm, const struct vmctl_mem_slot *m);
int vmctl_slot_delete(struct vmk_vm *vm, unsigned long id);
void vmctl_slot_free(struct vmctl_slot *s);

#endif /* VMCTL_VM_MEMSLOT_H */
