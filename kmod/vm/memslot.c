// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's memory slots: guest-physical ranges backed by pinned user
 * memory and mapped into EPT (ept.c) when they are created.
 *
 * Slots are published with RCU so the run loop (which cannot sleep) can
 * look them up while a slot is deleted: deletion unmaps EPT, INVEPTs
 * everywhere, waits for readers, then unpins.  vm->lock serialises
 * changes.
 */
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include "stats.h"
#include "vm/memslot.h"
#include "vm/vm.h"
#include "vmx/ept.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/* Guest-physical addresses EPT 4-level paging can reach. */
#define VMCTL_GPA_LIMIT		(1ULL << 48)

struct vmctl_slot *vmctl_slot_find(struct vmk_vm *vm, u64 gpa)
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

void vmctl_slot_free(struct vmctl_slot *s)
{
	unpin_user_pages_dirty_lock(s->pages, s->npages, true);
	vmctl_acct_add(ACCT_PINNED, -(long)s->npages);
	vmctl_acct_add(ACCT_SLOTS, -1);
	vmctl_free(s->pages, s->npages * sizeof(*s->pages));
	vmctl_free(s, sizeof(*s));
}

static int vmctl_slot_pin(struct vmctl_slot *s)
{
	unsigned long done = 0;
	long n;

	while (done < s->npages) {
		n = pin_user_pages_fast(s->uaddr + done * PAGE_SIZE,
					min(s->npages - done, 65536UL),
					FOLL_WRITE | FOLL_LONGTERM,
					s->pages + done);
		if (n <= 0) {
			unpin_user_pages(s->pages, done);
			return n == -ENOMEM ? -ENOMEM : -EFAULT;
		}
		done += n;
	}
	vmctl_acct_add(ACCT_PINNED, s->npages);
	return 0;
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

	mutex_lock(&vm->lock);
	ret = vmctl_slot_check(vm, m);
	if (ret)
		goto out;
	ret = -ENOMEM;
	s = vmctl_zalloc(sizeof(*s));
	if (!s)
		goto out;
	s->id = m->slot;
	s->flags = m->flags;
	s->gpa = m->guest_phys;
	s->size = m->size;
	s->uaddr = m->user_addr;
	s->npages = m->size >> PAGE_SHIFT;
	s->pages = vmctl_zalloc(s->npages * sizeof(*s->pages));
	if (!s->pages)
		goto free_slot;
	ret = vmctl_slot_pin(s);
	if (ret)
		goto free_pages;
	vmctl_acct_add(ACCT_SLOTS, 1);
	ret = vmctl_ept_map_slot(&vm->ept, s);
	if (ret) {
		/* Partly mapped: take it out of every TLB before unpinning. */
		vmctl_ept_unmap_slot(&vm->ept, s);
		vmx_invept_all_cpus(vm->ept.eptp);
		vmctl_slot_free(s);
		goto out;
	}
	rcu_assign_pointer(vm->slots[m->slot], s);
	vm->nr_slots++;
	vm->mem_bytes += s->size;
	goto out;

free_pages:
	vmctl_free(s->pages, s->npages * sizeof(*s->pages));
free_slot:
	vmctl_free(s, sizeof(*s));
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
	if (!s) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	vmctl_ept_unmap_slot(&vm->ept, s);
	vmx_invept_all_cpus(vm->ept.eptp);
	RCU_INIT_POINTER(vm->slots[id], NULL);
	vm->nr_slots--;
	vm->mem_bytes -= s->size;
	mutex_unlock(&vm->lock);
	synchronize_rcu();	/* no emulator walk still uses s->pages */
	vmctl_slot_free(s);
	return 0;
}
