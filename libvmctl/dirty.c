// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The userspace dirty log: pages of guest RAM the host's own threads
 * wrote (virtio device models: used rings, read data, random bytes,
 * discarded balloon pages).  Those writes go through the host's page
 * tables, never through EPT, so the module's dirty log cannot see them;
 * a live migration takes this bitmap with the module's, every round
 * (migrate.c).  One bit per page per slot, set with an atomic OR by any
 * thread after its write and taken with an atomic exchange, so a write
 * marked after a round took its word is in the next round.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

static uint64_t words(const struct vmctl_mem_region *m)
{
	return (m->size / VMCTL_PAGE_SIZE + 63) / 64;
}

void vmctl_vm_mark_dirty(struct vmctl_vm *vm, const void *hva, uint64_t len)
{
	const uint8_t *p = hva;
	unsigned int i;

	/* Off but during a migration: a device pays one load. */
	if (!len || !__atomic_load_n(&vm->user_dirty_on, __ATOMIC_ACQUIRE))
		return;
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		const struct vmctl_mem_region *m = &vm->mem[i];
		const uint8_t *base = m->hva;
		uint64_t page, last;

		if (!m->used || !m->user_dirty || p < base ||
		    (uint64_t)(p - base) >= m->size)
			continue;
		last = (uint64_t)(p - base) + len - 1;
		if (last >= m->size)
			last = m->size - 1;
		for (page = (p - base) / VMCTL_PAGE_SIZE;
		     page <= last / VMCTL_PAGE_SIZE; page++)
			__atomic_fetch_or(&m->user_dirty[page / 64],
					  1ULL << (page % 64), __ATOMIC_RELEASE);
	}
}

int vmctl_vm_user_dirty_start(struct vmctl_vm *vm)
{
	unsigned int i;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		struct vmctl_mem_region *m = &vm->mem[i];

		if (!m->used)
			continue;
		/* Kept until the slot goes: a device may be marking. */
		if (!m->user_dirty)
			m->user_dirty = calloc(words(m), sizeof(uint64_t));
		if (!m->user_dirty)
			return -ENOMEM;
	}
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++)
		vmctl_vm_user_dirty_take(vm, i, NULL);
	__atomic_store_n(&vm->user_dirty_on, true, __ATOMIC_RELEASE);
	return 0;
}

void vmctl_vm_user_dirty_stop(struct vmctl_vm *vm)
{
	__atomic_store_n(&vm->user_dirty_on, false, __ATOMIC_RELEASE);
}

void vmctl_vm_user_dirty_take(struct vmctl_vm *vm, unsigned int slot,
			      uint64_t *bitmap)
{
	struct vmctl_mem_region *m = &vm->mem[slot];
	uint64_t w, bits;

	if (!m->used || !m->user_dirty)
		return;
	for (w = 0; w < words(m); w++) {
		bits = __atomic_exchange_n(&m->user_dirty[w], 0,
					   __ATOMIC_ACQUIRE);
		if (bitmap)
			bitmap[w] |= bits;
	}
}
