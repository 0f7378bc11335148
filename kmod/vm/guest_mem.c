// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory access for the instruction emulator, string I/O
 * and the PDPTE loads: RAM slots only, through the owner's own mapping of
 * them (the slot's user address), as the owner's threads see it.  So a
 * page the owner unmapped, replaced or gave back (MADV_DONTNEED) reads as
 * what the mapping holds now, and the kernel keeps no page array.
 *
 * Callers run with the vCPU loaded (run loop) or its VMCS current (state
 * ioctls): preemption off, no page faults taken.  Each page is copied
 * with faults disabled first; a page the mapping does not have present
 * is copied again with the vCPU let go of its CPU (vmk_vcpu_unloaded()),
 * where the fault may sleep.  Every page written goes into its slot's
 * dirty log, when the slot keeps one.  Only the owner's threads reach
 * guest memory (RUN refuses other address spaces, vcpu_ioctl.c): from
 * anywhere else the access fails.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include "vm/guest_mem.h"
#include "vm/memslot.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/hoststate.h"

struct user_copy {
	void __user *uaddr;
	void *buf;
	unsigned int len;
	bool write;
};

static long user_copy_slow(void *arg)
{
	struct user_copy *c = arg;
	unsigned long left;

	if (c->write)
		left = copy_to_user(c->uaddr, c->buf, c->len);
	else
		left = copy_from_user(c->buf, c->uaddr, c->len);
	return left ? -EFAULT : 0;
}

static int user_copy(struct vmk_vcpu *vcpu, struct user_copy *c,
		     bool may_sleep)
{
	unsigned long left;

	pagefault_disable();
	if (c->write)
		left = __copy_to_user_inatomic(c->uaddr, c->buf, c->len);
	else
		left = __copy_from_user_inatomic(c->buf, c->uaddr, c->len);
	pagefault_enable();
	if (!left)
		return 0;
	if (!may_sleep)
		return -EFAULT;
	return vmk_vcpu_unloaded(vcpu, user_copy_slow, c);
}

/*
 * The page at @gpa was written: into its slot's dirty log.  Looked up
 * after the write, so a log started meanwhile sees it (the caller copies
 * the page only after starting the log).
 */
static void mark_dirty(struct vmk_vm *vm, u64 gpa)
{
	struct vmctl_slot *s;

	rcu_read_lock();
	s = vmctl_slot_find(vm, gpa);
	if (s)
		vmctl_slot_mark_dirty(s, gpa);
	rcu_read_unlock();
}

static int guest_mem_copy(void *ctx, u64 gpa, void *buf, unsigned int len,
			  bool write, bool may_sleep)
{
	struct vmk_vcpu *vcpu = ctx;
	struct user_copy c = { .write = write };
	int ret;

	if (current->mm != vcpu->vm->mm)
		return -EFAULT;
	while (len) {
		struct vmctl_slot *s;
		bool ok;

		c.len = min_t(unsigned int, len,
			      PAGE_SIZE - offset_in_page(gpa));
		c.buf = buf;
		rcu_read_lock();
		s = vmctl_slot_find(vcpu->vm, gpa);
		ok = s && !(write && (s->flags & VMCTL_MEM_READONLY));
		if (ok)
			c.uaddr = u64_to_user_ptr(s->uaddr + (gpa - s->gpa));
		rcu_read_unlock();
		if (!ok)
			return -EFAULT;
		ret = user_copy(vcpu, &c, may_sleep);
		if (ret)
			return ret;
		if (write)
			mark_dirty(vcpu->vm, gpa);
		gpa += c.len;
		buf += c.len;
		len -= c.len;
	}
	return 0;
}

static int guest_mem_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return guest_mem_copy(ctx, gpa, buf, len, false, true);
}

static int guest_mem_write(void *ctx, u64 gpa, const void *buf,
			   unsigned int len)
{
	return guest_mem_copy(ctx, gpa, (void *)buf, len, true, true);
}

/*
 * With interrupts off (right before an entry): only what the mapping has
 * present, -EFAULT for the rest, which the caller must be able to leave
 * for later.  Dirty logging as for any other write.
 */
int vmctl_guest_write_atomic(struct vmk_vcpu *vcpu, u64 gpa, const void *buf,
			     unsigned int len)
{
	return guest_mem_copy(vcpu, gpa, (void *)buf, len, true, false);
}

const struct vmctl_emu_ops vmctl_guest_mem_ops = {
	.read_gpa = guest_mem_read,
	.write_gpa = guest_mem_write,
};
