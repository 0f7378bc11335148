// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory access for the instruction emulator and string
 * I/O: RAM slots only, through the pinned pages' kernel mapping.  Runs in
 * the run loop (no sleeping), so slots are looked up under RCU.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include "vm/guest_mem.h"
#include "vm/memslot.h"
#include "vm/vcpu.h"

static int guest_mem_copy(void *ctx, u64 gpa, void *buf, unsigned int len,
			  bool write)
{
	struct vmk_vcpu *vcpu = ctx;
	int ret = 0;

	rcu_read_lock();
	while (len) {
		struct vmctl_slot *s = vmctl_slot_find(vcpu->vm, gpa);
		unsigned int off = offset_in_page(gpa);
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		u8 *va;

		if (!s || (write && (s->flags & VMCTL_MEM_READONLY))) {
			ret = -EFAULT;
			break;
		}
		va = page_address(s->pages[(gpa - s->gpa) >> PAGE_SHIFT]);
		if (write)
			memcpy(va + off, buf, n);
		else
			memcpy(buf, va + off, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	rcu_read_unlock();
	return ret;
}

static int guest_mem_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return guest_mem_copy(ctx, gpa, buf, len, false);
}

static int guest_mem_write(void *ctx, u64 gpa, const void *buf,
			   unsigned int len)
{
	return guest_mem_copy(ctx, gpa, (void *)buf, len, true);
}

const struct vmctl_emu_ops vmctl_guest_mem_ops = {
	.read_gpa = guest_mem_read,
	.write_gpa = guest_mem_write,
};
