// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's memory slots: guest-physical ranges backed by the owner's memory
 * at a user address.  Nothing is pinned or mapped when a slot is made:
 * EPT violations map its pages as the guest touches them and the MMU
 * notifier keeps them coherent with the owner's mapping (mmu.c).  A new
 * slot's range must be mapped (writable unless the slot is read-only) by
 * ordinary memory when it is made; what the owner does with the range
 * later is seen by the guest (mmu.c).  VMCTL_MEM_PREFAULT maps it all at
 * once instead (vmk_mmu_prefault()); a failure there removes the slot.
 * That takes time in proportion to the slot's size (seconds for GiBs), so
 * it runs without vm->lock: the slot is published first and marked
 * prefaulting, which keeps it (changing or deleting it is -EBUSY
 * meanwhile) while the VM's other ioctls, its vCPUs and netlink's view
 * of the VM (which waits for vm->lock under the list lock of all VMs) go
 * on.  Faults and the notifier may meet the slot half mapped: they are
 * ready for that as for any slot.
 * A slot with VMCTL_MEM_LOG_DIRTY has a dirty log (dirty_log.c); setting
 * the slot again with only that flag changed starts or stops logging.
 *
 * Slots are published with RCU so the run loop and the MMU notifier
 * (which cannot sleep) can look them up while a slot changes: a new one
 * zaps the MMIO markers EPT may hold for its range (mmu.c), and deletion
 * unpublishes, zaps its EPT range and INVEPTs everywhere
 * (vmk_mmu_invalidate_gpa()), waits for readers, then frees.  vm->lock
 * serialises changes.
 */
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include "stats.h"
#include "vm/memslot.h"
#include "vm/mmu.h"
#include "vm/vm.h"

/* Guest-physical addresses EPT 4-level paging can reach. */
#define VMCTL_GPA_LIMIT		(1ULL << 48)

void vmctl_slot_free(struct vmctl_slot *s)
{
	vmctl_free(s->dirty, vmctl_slot_dirty_bytes(s));
	vmctl_acct_add(ACCT_SLOTS, -1);
	vmctl_free(s, sizeof(*s));
}

/*
 * Is [start, end) of @mm mapped throughout by memory the fault path can
 * take pages from (not VM_IO/VM_PFNMAP), writable when @write?
 */
static int slot_check_mapping(struct mm_struct *mm, unsigned long start,
			      unsigned long end, bool write)
{
	unsigned long need = write ? VM_WRITE : VM_READ;
	struct vm_area_struct *vma;
	int ret = 0;

	mmap_read_lock(mm);
	while (start < end) {
		vma = find_vma(mm, start);
		if (!vma || vma->vm_start > start ||
		    (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    !(vma->vm_flags & need)) {
			ret = -EFAULT;
			break;
		}
		start = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

/* A new slot from @m, its dirty log too; not published. */
static struct vmctl_slot *slot_alloc(const struct vmctl_mem_slot *m)
{
	struct vmctl_slot *s = vmctl_zalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->id = m->slot;
	s->flags = m->flags;
	s->gpa = m->guest_phys;
	s->size = m->size;
	s->uaddr = m->user_addr;
	if (s->flags & VMCTL_MEM_LOG_DIRTY) {
		s->dirty = vmctl_zalloc(vmctl_slot_dirty_bytes(s));
		if (!s->dirty) {
			vmctl_free(s, sizeof(*s));
			return NULL;
		}
	}
	vmctl_acct_add(ACCT_SLOTS, 1);
	return s;
}

/*
 * @m names slot @old again, with VMCTL_MEM_LOG_DIRTY changed: replace it
 * by a copy with (or without) a fresh dirty log.  Its EPT range is zapped
 * (faults made with the old flags retry): pages come back read-only in a
 * logging slot, and 4 KiB only (mmu.c).  vm->lock held; dropped.
 */
static int slot_set_log(struct vmk_vm *vm, struct vmctl_slot *old,
			const struct vmctl_mem_slot *m)
{
	struct vmctl_slot *s = slot_alloc(m);

	if (!s) {
		mutex_unlock(&vm->lock);
		return -ENOMEM;
	}
	rcu_assign_pointer(vm->slots[m->slot], s);
	WRITE_ONCE(vm->nr_logging, vm->nr_logging + (s->dirty ? 1 : -1));
	vmk_mmu_invalidate_gpa(vm, s->gpa, s->gpa + s->size);
	mutex_unlock(&vm->lock);
	synchronize_rcu();	/* no look-up still holds old */
	vmctl_slot_free(old);
	return 0;
}

/* Does @m ask to change only VMCTL_MEM_LOG_DIRTY of @s? */
static bool slot_log_change(const struct vmctl_slot *s,
			    const struct vmctl_mem_slot *m)
{
	return s->gpa == m->guest_phys && s->size == m->size &&
	       s->uaddr == m->user_addr &&
	       (s->flags ^ m->flags) == VMCTL_MEM_LOG_DIRTY;
}

static int vmctl_slot_check(struct vmk_vm *vm, const struct vmctl_mem_slot *m)
{
	struct vmctl_slot *s;
	int i;

	if (rcu_access_pointer(vm->slots[m->slot]))
		return -EEXIST;
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		s = rcu_dereference_protected(vm->slots[i],
					      lockdep_is_held(&vm->lock));
		if (s && m->guest_phys < s->gpa + s->size &&
		    s->gpa < m->guest_phys + m->size)
			return -EEXIST;
	}
	if (vm->nr_slots >= VMCTL_MAX_MEM_SLOTS ||
	    vm->mem_bytes + m->size > VMCTL_MAX_MEM_SIZE)
		return -E2BIG;
	return 0;
}

/* Take @s out of the look-ups and EPT; vm->lock held.  Freed after RCU. */
static void slot_unpublish(struct vmk_vm *vm, struct vmctl_slot *s)
{
	RCU_INIT_POINTER(vm->slots[s->id], NULL);
	vmk_mmu_invalidate_gpa(vm, s->gpa, s->gpa + s->size);
	if (s->dirty)
		WRITE_ONCE(vm->nr_logging, vm->nr_logging - 1);
	vm->nr_slots--;
	vm->mem_bytes -= s->size;
}

int vmctl_slot_set(struct vmk_vm *vm, const struct vmctl_mem_slot *m)
{
	struct vmctl_slot *s;
	int ret;

	if (m->flags & ~VMCTL_MEM_VALID_FLAGS || m->slot >= VMCTL_MAX_MEM_SLOTS ||
	    !m->size || !PAGE_ALIGNED(m->size) ||
	    !PAGE_ALIGNED(m->guest_phys) || !PAGE_ALIGNED(m->user_addr) ||
	    m->guest_phys >= VMCTL_GPA_LIMIT ||
	    m->size > VMCTL_GPA_LIMIT - m->guest_phys)
		return -EINVAL;
	if (m->size > VMCTL_MAX_MEM_SIZE)
		return -E2BIG;
	if (m->user_addr + m->size < m->user_addr ||
	    !access_ok((void __user *)(unsigned long)m->user_addr, m->size))
		return -EFAULT;
	ret = slot_check_mapping(vm->mm, m->user_addr, m->user_addr + m->size,
				 !(m->flags & VMCTL_MEM_READONLY));
	if (ret)
		return ret;

	mutex_lock(&vm->lock);
	s = rcu_dereference_protected(vm->slots[m->slot],
				      lockdep_is_held(&vm->lock));
	if (s && s->prefaulting) {
		ret = -EBUSY;
		goto out;
	}
	if (s && slot_log_change(s, m))
		return slot_set_log(vm, s, m);
	ret = vmctl_slot_check(vm, m);
	if (ret)
		goto out;
	ret = -ENOMEM;
	s = slot_alloc(m);
	if (!s)
		goto out;
	rcu_assign_pointer(vm->slots[m->slot], s);
	if (s->dirty)
		WRITE_ONCE(vm->nr_logging, vm->nr_logging + 1);
	vm->nr_slots++;
	vm->mem_bytes += s->size;
	/* What was MMIO here may carry markers: gone before RAM is seen. */
	vmk_mmu_invalidate_gpa(vm, s->gpa, s->gpa + s->size);
	ret = 0;
	/* Published first: the notifier must see what gets mapped. */
	if (s->flags & VMCTL_MEM_PREFAULT) {
		s->prefaulting = true;
		mutex_unlock(&vm->lock);
		ret = vmk_mmu_prefault(vm, s);
		mutex_lock(&vm->lock);
		s->prefaulting = false;
		if (ret) {
			slot_unpublish(vm, s);
			mutex_unlock(&vm->lock);
			synchronize_rcu();	/* no look-up still holds s */
			vmctl_slot_free(s);
			return ret;
		}
	}
out:
	mutex_unlock(&vm->lock);
	return ret;
}

int vmctl_slot_delete(struct vmk_vm *vm, unsigned long id)
{
	struct vmctl_slot *s;

	if (id >= VMCTL_MAX_MEM_SLOTS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	s = rcu_dereference_protected(vm->slots[id],
				      lockdep_is_held(&vm->lock));
	if (!s || s->prefaulting) {
		mutex_unlock(&vm->lock);
		return s ? -EBUSY : -ENOENT;
	}
	slot_unpublish(vm, s);
	mutex_unlock(&vm->lock);
	synchronize_rcu();	/* no look-up still holds s */
	vmctl_slot_free(s);
	return 0;
}
