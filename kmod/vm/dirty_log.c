// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty-page logging per slot, KVM's GET_DIRTY_LOG and CLEAR_DIRTY_LOG
 * with manual protection (uapi vmctl.h): GET copies a range of a logging
 * slot's bitmap to user space and changes nothing; CLEAR takes the bits
 * user space names out of the log and write-protects their pages in EPT
 * (vmk_mmu_clear_dirty()), so user space protects just before it copies.
 * The bits are set by guest write faults (mmu.c) or, with PML, from the
 * vCPUs' page-modification logs (vmk_dirty_log_flush_pml()), and by the
 * module's own writes to guest memory (guest_mem.c).  Both ioctls hold vm->lock, so
 * the slot (and its log) cannot go away under them: a slot deleted
 * meanwhile is deleted before or after, never during.
 *
 * GET answers for every write made before it was called, PML or not:
 * vCPUs that may be in the guest are made to exit, which reads their
 * buffers (pml_sync()).
 */
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <trace/events/ipi.h>	/* smp_send_reschedule() traces on 6.12 */
#include "vm/dirty_log.h"
#include "vm/memslot.h"
#include "vm/mmu.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/* Words of the log handled per lock hold: 64 KiB of guest memory each. */
#define CLEAR_CHUNK	64
/*
 * How long GET waits for the vCPUs it kicked: an IPI takes one out of the
 * guest at once, and the preemption-timer backstop within 1 ms where
 * Bochs holds the interrupt back (RFLAGS.IF 0, vmx.c).
 */
#define PML_WAIT_US	5000

/*
 * The logging slot @d names, its range checked (first_page a multiple of
 * 64, num_pages non-zero and a multiple of 64 unless it ends the slot);
 * vm->lock held.  ERR_PTR(-ENOENT or -EINVAL).
 */
static struct vmctl_slot *log_slot(struct vmk_vm *vm,
				   const struct vmctl_dirty_log *d)
{
	struct vmctl_slot *s;
	u64 pages;

	if (d->flags)
		return ERR_PTR(-EINVAL);
	if (d->slot >= VMCTL_MAX_MEM_SLOTS)
		return ERR_PTR(-ENOENT);
	s = rcu_dereference_protected(vm->slots[d->slot],
				      lockdep_is_held(&vm->lock));
	if (!s || !s->dirty)
		return ERR_PTR(-ENOENT);
	pages = s->size >> PAGE_SHIFT;
	if (d->first_page % BITS_PER_LONG || !d->num_pages ||
	    d->first_page >= pages || d->num_pages > pages - d->first_page ||
	    (d->num_pages % BITS_PER_LONG &&
	     d->first_page + d->num_pages != pages))
		return ERR_PTR(-EINVAL);
	return s;
}

/* Bytes of user bitmap for @d: num_pages bits in whole 64-bit words. */
static size_t log_bytes(const struct vmctl_dirty_log *d)
{
	return BITS_TO_LONGS(d->num_pages) * sizeof(long);
}

/*
 * PML: the CPU logged guest-physical pages whose EPT dirty flag it set
 * (clean leaves exist only in logging slots, vmx/ept.c) into the vCPU's
 * buffer, from the last entry down.  Move them into their slots' logs
 * and start the buffer again.  On every exit while a slot logs, and on
 * the buffer-full exit: so GET sees a running vCPU's writes after its
 * next exit (the VMX-preemption-timer backstop makes one at least every
 * millisecond) and a stopped vCPU's at once.  With the VMCS loaded.
 */
void vmk_dirty_log_flush_pml(struct vmk_vcpu *vcpu)
{
	u16 index = vmcs_read(VMCS_GUEST_PML_INDEX);
	unsigned int i;

	if (index != VMCTL_PML_ENTRIES - 1) {
		/* Past the last entry (0xffff): the buffer is full. */
		i = index >= VMCTL_PML_ENTRIES ? 0 : index + 1;
		rcu_read_lock();
		for (; i < VMCTL_PML_ENTRIES; i++) {
			u64 gpa = vcpu->pml[i];
			struct vmctl_slot *s = vmctl_slot_find(vcpu->vm, gpa);

			if (s)
				vmctl_slot_mark_dirty(s, gpa);
		}
		rcu_read_unlock();
		vmcs_write(VMCS_GUEST_PML_INDEX, VMCTL_PML_ENTRIES - 1);
	}
	/* The marks before the count: pairs with pml_sync(). */
	smp_store_release(&vcpu->pml_reads, vcpu->pml_reads + 1);
}

/* In VMCTL_RUN and not asleep in HLT: it may be in the guest. */
static bool may_be_in_guest(const struct vmk_vcpu *vcpu)
{
	return READ_ONCE(vcpu->loaded) && !READ_ONCE(vcpu->halted);
}

/*
 * A running vCPU's writes reach the logs at its next exit, up to the
 * backstop's 1 ms away: a pre-copy round can be shorter, and a GET that
 * missed them would call a guest that writes all along converged
 * (migrate_test auto_converge).  So every vCPU that may be in the guest
 * gets an IPI, and GET waits until it has read its buffer since, left
 * VMCTL_RUN or gone to sleep in HLT (its exit read the buffer), or for
 * PML_WAIT_US at most.  vm->lock held: vcpus[] stays.
 */
static void pml_sync(struct vmk_vm *vm)
{
	DECLARE_BITMAP(kicked, VMCTL_MAX_VCPUS) = { 0 };
	u32 seen[VMCTL_MAX_VCPUS];
	ktime_t end = ktime_add_us(ktime_get(), PML_WAIT_US);
	struct vmk_vcpu *vcpu;
	unsigned int i;
	int cpu;

	if (!vmx_caps.pml)
		return;
	for (i = 0; i < vm->nr_vcpus; i++) {
		vcpu = vm->vcpus[i];
		if (!vcpu || !may_be_in_guest(vcpu))
			continue;
		/* Its marks are in the log once this moves on. */
		seen[i] = smp_load_acquire(&vcpu->pml_reads);
		__set_bit(i, kicked);
		cpu = READ_ONCE(vcpu->cpu);
		if (cpu >= 0 && cpu != raw_smp_processor_id())
			smp_send_reschedule(cpu);
	}
	while (!bitmap_empty(kicked, VMCTL_MAX_VCPUS) &&
	       ktime_before(ktime_get(), end)) {
		for_each_set_bit(i, kicked, VMCTL_MAX_VCPUS) {
			u32 reads;

			vcpu = vm->vcpus[i];
			/* Pairs with vmk_dirty_log_flush_pml()'s release. */
			reads = smp_load_acquire(&vcpu->pml_reads);
			if (!may_be_in_guest(vcpu) || reads != seen[i])
				__clear_bit(i, kicked);
		}
		usleep_range(10, 50);
	}
}

int vmk_get_dirty_log(struct vmk_vm *vm, const struct vmctl_dirty_log *d)
{
	void __user *ubuf = u64_to_user_ptr(d->bitmap);
	struct vmctl_slot *s;
	int ret = 0;

	mutex_lock(&vm->lock);
	s = log_slot(vm, d);
	if (IS_ERR(s)) {
		ret = PTR_ERR(s);
	} else {
		pml_sync(vm);
		if (copy_to_user(ubuf, s->dirty + d->first_page / BITS_PER_LONG,
				 log_bytes(d)))
			ret = -EFAULT;
	}
	mutex_unlock(&vm->lock);
	return ret;
}

int vmk_clear_dirty_log(struct vmk_vm *vm, const struct vmctl_dirty_log *d)
{
	const unsigned long __user *ubuf = u64_to_user_ptr(d->bitmap);
	unsigned long mask[CLEAR_CHUNK], word, nr, done = 0;
	struct vmctl_slot *s;
	int ret = 0;

	mutex_lock(&vm->lock);
	s = log_slot(vm, d);
	if (IS_ERR(s)) {
		ret = PTR_ERR(s);
		goto out;
	}
	word = d->first_page / BITS_PER_LONG;
	nr = BITS_TO_LONGS(d->num_pages);
	while (done < nr) {
		unsigned int n = min_t(unsigned long, nr - done, CLEAR_CHUNK);

		if (copy_from_user(mask, ubuf + done, n * sizeof(long))) {
			ret = -EFAULT;
			break;
		}
		/* Bits past the slot's last page name no page. */
		if (done + n == nr && d->num_pages % BITS_PER_LONG)
			mask[n - 1] &= BIT(d->num_pages % BITS_PER_LONG) - 1;
		vmk_mmu_clear_dirty(vm, s, word + done, mask, n);
		done += n;
		cond_resched();
	}
out:
	mutex_unlock(&vm->lock);
	return ret;
}
