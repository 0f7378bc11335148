// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest RAM: anonymous memory, reserved lazily (MAP_NORESERVE) and aligned
 * to 2 MiB with huge pages advised, so EPT can use 2 MiB mappings, and
 * mergeable by KSM unless the VM says no (the module follows the host's
 * merges and copy-on-write breaks through its MMU notifier).  Dirty-page
 * logging per slot: turned on and off, its bitmap read and cleared.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "internal.h"

#define HUGE_SIZE	(2ULL << 20)

/* size bytes of zeroed memory, 2 MiB aligned when size allows. */
static void *alloc_guest_ram(uint64_t size, bool mergeable)
{
	uint64_t align = size >= HUGE_SIZE ? HUGE_SIZE : VMCTL_PAGE_SIZE;
	uint64_t span = size + align - VMCTL_PAGE_SIZE;
	uint8_t *p, *start;

	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (start > p)
		munmap(p, start - p);
	if (p + span > start + size)
		munmap(start + size, p + span - (start + size));
	/* Only hints: without THP or KSM the memory still works. */
	madvise(start, size, MADV_HUGEPAGE);
	if (mergeable)
		madvise(start, size, MADV_MERGEABLE);
	return start;
}

void vmctl_vm_set_mergeable(struct vmctl_vm *vm, int mergeable)
{
	vm->no_merge = !mergeable;
}

int vmctl_vm_add_memory(struct vmctl_vm *vm, uint64_t guest_phys,
			uint64_t size, uint32_t flags)
{
	struct vmctl_mem_slot slot = { 0 };
	void *hva;
	int i, ret;

	vmctl_clear_detail();
	if (!size || (size | guest_phys) & (VMCTL_PAGE_SIZE - 1))
		return vmctl_fail(-EINVAL,
				  "memory at 0x%llx size 0x%llx: both must be non-zero multiples of 4 KiB",
				  (unsigned long long)guest_phys,
				  (unsigned long long)size);
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS && vm->mem[i].used; i++)
		;
	if (i == VMCTL_MAX_MEM_SLOTS)
		return vmctl_fail(-E2BIG, "all %d memory slots in use",
				  VMCTL_MAX_MEM_SLOTS);
	hva = alloc_guest_ram(size, !vm->no_merge);
	if (!hva)
		return vmctl_fail(-ENOMEM, "cannot reserve %llu bytes of guest memory",
				  (unsigned long long)size);

	slot.slot = i;
	slot.flags = flags;
	slot.guest_phys = guest_phys;
	slot.size = size;
	slot.user_addr = (uintptr_t)hva;
	if (ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &slot) < 0) {
		ret = -errno;
		munmap(hva, size);
		return vmctl_fail(ret, "VMCTL_SET_MEM_SLOT [0x%llx, 0x%llx)",
				  (unsigned long long)guest_phys,
				  (unsigned long long)(guest_phys + size));
	}
	vm->mem[i] = (struct vmctl_mem_region){
		.used = true, .gpa = guest_phys, .size = size, .hva = hva,
		.flags = flags,
	};
	return i;
}

int vmctl_vm_log_dirty(struct vmctl_vm *vm, int slot, int on)
{
	struct vmctl_mem_slot s = { 0 };
	struct vmctl_mem_region *m;

	vmctl_clear_detail();
	if (slot < 0 || slot >= VMCTL_MAX_MEM_SLOTS || !vm->mem[slot].used)
		return -EINVAL;
	m = &vm->mem[slot];
	s.slot = slot;
	s.flags = on ? m->flags | VMCTL_MEM_LOG_DIRTY :
		       m->flags & ~VMCTL_MEM_LOG_DIRTY;
	if (s.flags == m->flags)
		return 0;
	s.guest_phys = m->gpa;
	s.size = m->size;
	s.user_addr = (uintptr_t)m->hva;
	if (ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &s) < 0)
		return vmctl_fail(-errno, "VMCTL_SET_MEM_SLOT: dirty logging %s",
				  on ? "on" : "off");
	m->flags = s.flags;
	return 0;
}

static int dirty_log_ioctl(struct vmctl_vm *vm, unsigned long cmd, int slot,
			   uint64_t first_page, uint64_t num_pages,
			   const uint64_t *bitmap)
{
	struct vmctl_dirty_log d = {
		.first_page = first_page,
		.num_pages = num_pages,
		.bitmap = (uintptr_t)bitmap,
	};

	vmctl_clear_detail();
	if (slot < 0 || slot >= VMCTL_MAX_MEM_SLOTS)
		return -EINVAL;
	d.slot = slot;
	return ioctl(vm->fd, cmd, &d) < 0 ? -errno : 0;
}

int vmctl_vm_get_dirty_log(struct vmctl_vm *vm, int slot, uint64_t first_page,
			   uint64_t num_pages, uint64_t *bitmap)
{
	return dirty_log_ioctl(vm, VMCTL_GET_DIRTY_LOG, slot, first_page,
			       num_pages, bitmap);
}

int vmctl_vm_clear_dirty_log(struct vmctl_vm *vm, int slot,
			     uint64_t first_page, uint64_t num_pages,
			     const uint64_t *bitmap)
{
	return dirty_log_ioctl(vm, VMCTL_CLEAR_DIRTY_LOG, slot, first_page,
			       num_pages, bitmap);
}

int vmctl_vm_remove_memory(struct vmctl_vm *vm, int slot)
{
	vmctl_clear_detail();
	if (slot < 0 || slot >= VMCTL_MAX_MEM_SLOTS || !vm->mem[slot].used)
		return -EINVAL;
	if (ioctl(vm->fd, VMCTL_DELETE_MEM_SLOT, (unsigned long)slot) < 0)
		return -errno;
	munmap(vm->mem[slot].hva, vm->mem[slot].size);
	free(vm->mem[slot].user_dirty);
	vm->mem[slot].user_dirty = NULL;
	vm->mem[slot].used = false;
	return 0;
}

void *vmctl_vm_gpa_to_hva(struct vmctl_vm *vm, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		const struct vmctl_mem_region *m = &vm->mem[i];

		if (m->used && gpa >= m->gpa && gpa - m->gpa <= m->size &&
		    len <= m->size - (gpa - m->gpa))
			return (uint8_t *)m->hva + (gpa - m->gpa);
	}
	return NULL;
}

int vmctl_image_dst(struct vmctl_vm *vm, uint64_t gpa, uint64_t len,
		    void **dst)
{
	*dst = vmctl_vm_gpa_to_hva(vm, gpa, len);
	if (!*dst)
		return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
				  "[0x%llx, 0x%llx) is not in one RAM slot",
				  (unsigned long long)gpa,
				  (unsigned long long)(gpa + len));
	return 0;
}

uint64_t vmctl_vm_low_memory(struct vmctl_vm *vm)
{
	uint64_t end = 0;
	unsigned int i;

	/* Follow slots that continue exactly where the last one ended. */
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		const struct vmctl_mem_region *m = &vm->mem[i];

		if (m->used && m->gpa == end && m->size) {
			end += m->size;
			i = -1;		/* rescan for the next one */
		}
	}
	return end;
}
