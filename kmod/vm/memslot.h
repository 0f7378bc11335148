/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memslot.c: a VM's memory slots, guest-physical ranges of the owner's
 * memory, with their dirty logs.  Readers that cannot sleep (the run
 * loop, the MMU notifier) look slots up under rcu_read_lock(); changes
 * hold vm->lock.
 */
#ifndef VMCTL_VM_MEMSLOT_H
#define VMCTL_VM_MEMSLOT_H

#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include "vm/vm.h"
struct vmctl_mem_slot;

struct vmctl_slot {
	u32 id;
	u32 flags;		/* VMCTL_MEM_* */
	u64 gpa;
	u64 size;
	u64 uaddr;		/* in the owner's address space (vm->mm) */
	unsigned long *dirty;	/* VMCTL_MEM_LOG_DIRTY: a bit per page */
	bool prefaulting;	/* VMCTL_MEM_PREFAULT in progress (vm->lock) */
};

static inline size_t vmctl_slot_dirty_bytes(const struct vmctl_slot *s)
{
	return BITS_TO_LONGS(s->size >> PAGE_SHIFT) * sizeof(long);
}

/* @gpa (in @s) was written: into the dirty log, if @s keeps one. */
static inline void vmctl_slot_mark_dirty(struct vmctl_slot *s, u64 gpa)
{
	if (s->dirty)
		set_bit((gpa - s->gpa) >> PAGE_SHIFT, s->dirty);
}

/*
 * The slot holding @gpa, or NULL; under rcu_read_lock() or vm->lock.
 * Inline: the fault path (mmu.c) and memslot.c, which calls mmu.c, share
 * it without calling each other in a circle.
 */
static inline struct vmctl_slot *vmctl_slot_find(struct vmk_vm *vm, u64 gpa)
{
	struct vmctl_slot *s;
	int i;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		s = rcu_dereference_check(vm->slots[i],
					  lockdep_is_held(&vm->lock));
		if (s && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}
int vmctl_slot_set(struct vmk_vm *vm, const struct vmctl_mem_slot *m);
int vmctl_slot_delete(struct vmk_vm *vm, unsigned long id);
void vmctl_slot_free(struct vmctl_slot *s);

#endif /* VMCTL_VM_MEMSLOT_H */
