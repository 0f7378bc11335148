// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM is the owner's ordinary memory (KVM's model, our code).
 *
 * Faults: an EPT violation on a slot's guest-physical page looks the page
 * up in the owner's page tables at the slot's user address: without
 * sleeping first (get_user_page_fast_only()), else with the vCPU let go
 * of its CPU (vmk_vcpu_unloaded()) through get_user_pages_unlocked(),
 * which faults it in.  The reference is dropped once the EPT entry is
 * made: nothing is pinned.  The entry is writable when the access is a
 * write (the fault then breaks copy-on-write) or the host's entry already
 * is; a read maps a page the host maps read-only (the zero page, a
 * MAP_PRIVATE file page) read-only, and the first write faults again.
 * Where the slot, the guest-physical and the user address allow it and
 * the host maps the user address with a huge page (THP, hugetlbfs), the
 * entry maps 2 MiB.
 *
 * Invalidations: the MMU notifier zaps the EPT entries of the user range
 * the host is changing and INVEPTs before invalidate_range_start()
 * returns.  A fault that looked the page up before an invalidation must
 * not install it after: as in KVM, invalidation ends bump mmu_seq and
 * invalidations in progress are counted with the union of their ranges;
 * the fault reads mmu_seq before the look-up and, under mmu_lock, gives
 * up (the guest retries the access) when it changed or an invalidation
 * in progress covers the page.  A slot added or deleted bumps mmu_seq as
 * well.  A guest-physical page in no slot gets an MMIO marker in EPT
 * (the same check under the lock), zapped when a slot covers it.
 *
 * Prefault (VMCTL_MEM_PREFAULT): a new slot's pages are all faulted in
 * and mapped the same way, 2 MiB at a time, before SET_MEM_SLOT returns;
 * afterwards they are ordinary mapped pages the notifier may zap.
 *
 * Dirty logging (VMCTL_MEM_LOG_DIRTY): a logging slot maps 4 KiB pages
 * only.  With PML (EPT A/D flags on) they map as any other but clean, so
 * the CPU logs their first write (dirty_log.c reads the log).  Without,
 * they map read-only until the guest writes them; the write fault marks
 * the page in the slot's log under mmu_lock before it maps it writable.
 * CLEAR_DIRTY_LOG takes bits out of the log and cleans (PML) or
 * write-protects their pages under the same lock (vmk_mmu_clear_dirty()).
 *
 * Aging: without EPT accessed bits, a mapped page counts as young and
 * clearing young zaps it.  Release (the owner's address space going
 * away) zaps everything and frees the tables.
 *
 * Counters (VMCTL_GET_MEM_STATS, netlink): faults per vCPU, written by
 * that vCPU alone, so no atomics on the fault path; notifier calls that
 * zapped and pages mapped (ept.c) under mmu_lock.  Readers take whole
 * values with READ_ONCE.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/pgtable.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include "stats.h"
#include "vm/memslot.h"
#include "vm/mmu.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/ept.h"
#include "vmx/hoststate.h"
#include "vmx/vmx.h"

#define SZ_2M_MASK	(SZ_2M - 1)

static struct vmk_vm *mn_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct vmk_vm, mmu_notifier);
}

/* Zap what the slots map of user range [start, end).  mmu_lock held. */
static bool zap_hva(struct vmk_vm *vm, unsigned long start,
		    unsigned long end)
{
	bool zapped = false;
	int i;

	rcu_read_lock();
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		struct vmctl_slot *s = rcu_dereference(vm->slots[i]);
		unsigned long lo, hi;

		if (!s)
			continue;
		lo = max_t(unsigned long, start, s->uaddr);
		hi = min_t(unsigned long, end, s->uaddr + s->size);
		if (lo < hi)
			zapped |= vmctl_ept_zap(&vm->ept, s->gpa + (lo - s->uaddr),
						s->gpa + (hi - s->uaddr));
	}
	rcu_read_unlock();
	return zapped;
}

static int mn_invalidate_range_start(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range)
{
	struct vmk_vm *vm = mn_vm(mn);
	bool zapped;

	spin_lock(&vm->mmu_lock);
	if (!vm->mmu_in_progress++) {
		vm->mmu_inv_start = range->start;
		vm->mmu_inv_end = range->end;
	} else {
		vm->mmu_inv_start = min(vm->mmu_inv_start, range->start);
		vm->mmu_inv_end = max(vm->mmu_inv_end, range->end);
	}
	zapped = zap_hva(vm, range->start, range->end);
	if (zapped)
		WRITE_ONCE(vm->mmu_zaps, vm->mmu_zaps + 1);
	spin_unlock(&vm->mmu_lock);
	/* No fault maps the range until the end: flush outside the lock. */
	if (zapped)
		vmx_invept_all_cpus(vm->ept.eptp);
	return 0;
}

static void mn_invalidate_range_end(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *range)
{
	struct vmk_vm *vm = mn_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_in_progress--;
	spin_unlock(&vm->mmu_lock);
}

static int mn_clear_young(struct mmu_notifier *mn, struct mm_struct *mm,
			  unsigned long start, unsigned long end)
{
	struct vmk_vm *vm = mn_vm(mn);
	bool young;

	spin_lock(&vm->mmu_lock);
	young = zap_hva(vm, start, end);
	if (young)
		WRITE_ONCE(vm->mmu_zaps, vm->mmu_zaps + 1);
	spin_unlock(&vm->mmu_lock);
	if (young)
		vmx_invept_all_cpus(vm->ept.eptp);
	return young;
}

static int mn_test_young(struct mmu_notifier *mn, struct mm_struct *mm,
			 unsigned long address)
{
	struct vmk_vm *vm = mn_vm(mn);
	bool young = false;
	int i;

	spin_lock(&vm->mmu_lock);
	rcu_read_lock();
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS && !young; i++) {
		struct vmctl_slot *s = rcu_dereference(vm->slots[i]);

		if (s && address >= s->uaddr && address - s->uaddr < s->size)
			young = vmctl_ept_mapped(&vm->ept,
						 s->gpa + (address - s->uaddr));
	}
	rcu_read_unlock();
	spin_unlock(&vm->mmu_lock);
	return young;
}

static void mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct vmk_vm *vm = mn_vm(mn);

	spin_lock(&vm->mmu_lock);
	vmctl_ept_clear(&vm->ept);
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops vmk_mmu_ops = {
	.invalidate_range_start = mn_invalidate_range_start,
	.invalidate_range_end = mn_invalidate_range_end,
	.clear_flush_young = mn_clear_young,
	.clear_young = mn_clear_young,
	.test_young = mn_test_young,
	.release = mn_release,
};

/* After vm->mm is set, before the VM is visible. */
int vmk_mmu_init(struct vmk_vm *vm)
{
	spin_lock_init(&vm->mmu_lock);
	vm->mmu_notifier.ops = &vmk_mmu_ops;
	return mmu_notifier_register(&vm->mmu_notifier, vm->mm);
}

/* Last reference gone: release (if the owner still lives) and wait. */
void vmk_mmu_destroy(struct vmk_vm *vm)
{
	mmu_notifier_unregister(&vm->mmu_notifier, vm->mm);
}

/* The VM's struct vmctl_mem_stats; vm->lock held (vcpus[] stays). */
void vmk_mmu_stats(struct vmk_vm *vm, struct vmctl_mem_stats *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	st->mapped_pages = READ_ONCE(vm->ept.mapped);
	st->invalidations = READ_ONCE(vm->mmu_zaps);
	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		struct vmk_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		st->faults_4k += READ_ONCE(vcpu->faults_4k);
		st->faults_2m += READ_ONCE(vcpu->faults_2m);
	}
}

/*
 * Guest-physical [start, end) changed hands (a slot unpublished, or one
 * published over what was MMIO): zap it, MMIO markers included, and make
 * faults in flight retry.
 */
void vmk_mmu_invalidate_gpa(struct vmk_vm *vm, u64 start, u64 end)
{
	bool zapped;

	smp_wmb();	/* the slot change before seq: pairs with the fault's */
	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	zapped = vmctl_ept_zap(&vm->ept, start, end);
	spin_unlock(&vm->mmu_lock);
	if (zapped)
		vmx_invept_all_cpus(vm->ept.eptp);
}

/*
 * CLEAR_DIRTY_LOG for @nr words of @s's log from word @word: the bits set
 * in both @mask and the log leave the log, and those pages' next guest
 * write is logged again (vmctl_ept_clean()); INVEPT before returning.  Under
 * mmu_lock, so a write fault marks and maps either before (then its
 * mapping is protected here) or after (then its mark stays).  vm->lock
 * held: @s stays.
 */
void vmk_mmu_clear_dirty(struct vmk_vm *vm, struct vmctl_slot *s,
			 unsigned long word, const unsigned long *mask,
			 unsigned int nr)
{
	bool flush = false;
	unsigned int i;

	spin_lock(&vm->mmu_lock);
	for (i = 0; i < nr; i++) {
		atomic_long_t *w = (atomic_long_t *)&s->dirty[word + i];
		unsigned long bits;

		if (!mask[i])
			continue;
		bits = atomic_long_fetch_andnot(mask[i], w) & mask[i];
		while (bits) {
			u64 page = (u64)(word + i) * BITS_PER_LONG + __ffs(bits);

			flush |= vmctl_ept_clean(&vm->ept,
						 s->gpa + (page << PAGE_SHIFT));
			bits &= bits - 1;
		}
	}
	spin_unlock(&vm->mmu_lock);
	if (flush)
		vmx_invept_all_cpus(vm->ept.eptp);
}

/* Does the host map @hva with a 2 MiB (or larger) page?  KVM's way. */
static bool host_maps_huge(struct mm_struct *mm, unsigned long hva)
{
	unsigned long flags;
	bool huge = false;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	/* Page tables are freed after an IPI or RCU: irqs off holds them. */
	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (!pgd_present(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (!p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (!pud_present(pud))
		goto out;
	if (pud_leaf(pud)) {
		huge = true;
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, hva));
	huge = pmd_present(pmd) && pmd_leaf(pmd);
out:
	local_irq_restore(flags);
	return huge;
}

struct fault {
	struct vmk_vcpu *vcpu;
	unsigned long hva;
	bool write;		/* the access writes */
	bool may_write;		/* the slot is writable */
	bool may_huge;		/* the slot allows a 2 MiB entry here */
	struct page *page;
	bool writable;
	unsigned long *dirty;	/* the slot's dirty log, or NULL */
	unsigned long index;	/* the page's bit in it */
};

/* With the vCPU off its CPU: fault the page in; fill the table cache. */
static long fault_slow(void *arg)
{
	struct fault *f = arg;
	long n;

	if (vmctl_ept_cache_topup(&f->vcpu->ept_cache, GFP_KERNEL_ACCOUNT))
		return -ENOMEM;
	if (f->page)
		return 0;
	n = get_user_pages_unlocked(f->hva, 1, &f->page,
				    f->write ? FOLL_WRITE : 0);
	if (n == 1) {
		f->writable = f->write;
		return 0;
	}
	f->page = NULL;
	/* A signal cut the fault short: the run loop takes it. */
	return signal_pending(current) ? 0 : -EFAULT;
}

/* The page behind f->hva, writable when possible; 0 or -errno. */
static int fault_page(struct fault *f)
{
	struct page *p;
	int ret = 0;

	/* Writable only where the host's entry already is: no COW broken. */
	if (f->may_write && get_user_page_fast_only(f->hva, FOLL_WRITE, &p)) {
		f->page = p;
		f->writable = true;
	} else if (!f->write && get_user_page_fast_only(f->hva, 0, &p)) {
		f->page = p;
	}
	if (!f->page || vmctl_ept_cache_topup(&f->vcpu->ept_cache,
					      GFP_NOWAIT | __GFP_ACCOUNT))
		ret = vmk_vcpu_unloaded(f->vcpu, fault_slow, f);
	if (ret || !f->page)
		return ret;
	if (!f->writable && f->may_write &&
	    get_user_page_fast_only(f->hva, FOLL_WRITE, &p)) {
		put_page(f->page);
		f->page = p;
		f->writable = true;
	}
	return 0;
}

/*
 * @gpa is in no slot: mark it MMIO in EPT, so the next access says so by
 * itself (ept.c).  Unless a slot appeared since @seq was read (adding one
 * bumps mmu_seq after publishing it and zaps its range).  Best effort:
 * without a table page to spare the next access is a violation again.
 */
static void mark_mmio(struct vmk_vcpu *vcpu, u64 gpa, unsigned long seq)
{
	struct vmk_vm *vm = vcpu->vm;

	if (vmctl_ept_cache_topup(&vcpu->ept_cache, GFP_NOWAIT | __GFP_ACCOUNT))
		return;
	spin_lock(&vm->mmu_lock);
	if (vm->mmu_seq == seq)
		vmctl_ept_mark_mmio(&vm->ept, gpa & PAGE_MASK, &vcpu->ept_cache);
	spin_unlock(&vm->mmu_lock);
}

/*
 * An EPT violation at @gpa: map it from the owner's mapping.  Returns 0
 * when the guest may retry the access (mapped, or raced: it faults
 * again), -ENOENT when @gpa is no RAM for this access (MMIO; marked so in
 * EPT when no slot holds it), -EFAULT
 * when the owner's mapping refuses it (nothing mapped there, or not
 * writable for a write), -ENOMEM, or -EIO (vCPU lost, see
 * vmk_vcpu_unloaded()).
 */
int vmk_mmu_fault(struct vmk_vcpu *vcpu, u64 gpa, bool write)
{
	struct vmk_vm *vm = vcpu->vm;
	struct fault f = { .vcpu = vcpu, .write = write };
	unsigned long seq, start, end;
	struct vmctl_slot *s;
	bool ram, huge;
	u64 hpa;
	int ret;

	seq = READ_ONCE(vm->mmu_seq);
	smp_rmb();	/* the look-up after the count: pairs with its lock */
	rcu_read_lock();
	s = vmctl_slot_find(vm, gpa);
	ram = s && !(write && (s->flags & VMCTL_MEM_READONLY));
	if (ram) {
		u64 g2m = gpa & ~(u64)SZ_2M_MASK;

		f.hva = s->uaddr + (gpa - s->gpa);
		f.dirty = s->dirty;
		f.index = (gpa - s->gpa) >> PAGE_SHIFT;
		/*
		 * A logging slot maps 4 KiB: with PML clean (the CPU logs
		 * the first write), else writable on a write only.
		 */
		f.may_write = !(s->flags & VMCTL_MEM_READONLY) &&
			      (write || !f.dirty || vm->ept.ad);
		f.may_huge = vmx_caps.ept_2m && !f.dirty && g2m >= s->gpa &&
			     g2m + SZ_2M <= s->gpa + s->size &&
			     !((s->uaddr - s->gpa) & SZ_2M_MASK);
	}
	rcu_read_unlock();
	if (!ram) {
		if (!s)
			mark_mmio(vcpu, gpa, seq);
		return -ENOENT;
	}

	ret = fault_page(&f);
	if (ret || !f.page)
		return ret;

	spin_lock(&vm->mmu_lock);
	huge = f.may_huge && host_maps_huge(vm->mm, f.hva);
	start = huge ? f.hva & ~SZ_2M_MASK : f.hva & PAGE_MASK;
	end = start + (huge ? SZ_2M : PAGE_SIZE);
	if (vm->mmu_seq != seq ||
	    (vm->mmu_in_progress && start < vm->mmu_inv_end &&
	     vm->mmu_inv_start < end))
		goto unlock;	/* the host changed it meanwhile: retry */
	hpa = page_to_phys(f.page);
	/*
	 * Marked under the lock that CLEAR_DIRTY_LOG clears and protects
	 * under; the slot's log lives until mmu_seq moves (memslot.c).
	 */
	if (f.dirty && f.writable && !vm->ept.ad)
		set_bit(f.index, f.dirty);
	if (huge)
		ret = vmctl_ept_map(&vm->ept, gpa & ~(u64)SZ_2M_MASK,
				    hpa & ~(u64)SZ_2M_MASK, true, f.writable,
				    false, &vcpu->ept_cache);
	else
		ret = vmctl_ept_map(&vm->ept, gpa & PAGE_MASK, hpa, false,
				    f.writable, f.dirty != NULL,
				    &vcpu->ept_cache);
	if (!ret && huge)
		WRITE_ONCE(vcpu->faults_2m, vcpu->faults_2m + 1);
	else if (!ret)
		WRITE_ONCE(vcpu->faults_4k, vcpu->faults_4k + 1);
unlock:
	spin_unlock(&vm->mmu_lock);
	put_page(f.page);
	return ret;
}

/*
 * Map guest-physical [gpa, gpa + n pages) of slot @s, all in one 2 MiB
 * block, from @pages (user addresses from @hva), 2 MiB at once when the
 * block is whole and the host maps it huge.  Returns 0, -EAGAIN (the
 * host changed the range since @seq: look it up again) or -ENOMEM.
 */
static int prefault_block(struct vmk_vm *vm, struct vmctl_slot *s,
			  u64 gpa, unsigned long hva, struct page **pages,
			  unsigned int n, unsigned long seq,
			  struct vmctl_ept_cache *c)
{
	bool logs = s->flags & VMCTL_MEM_LOG_DIRTY;
	bool writable = !(s->flags & VMCTL_MEM_READONLY) &&
			(!logs || vm->ept.ad);
	unsigned long end = hva + ((unsigned long)n << PAGE_SHIFT);
	unsigned int i;
	int ret = 0;

	spin_lock(&vm->mmu_lock);
	if (vm->mmu_seq != seq ||
	    (vm->mmu_in_progress && hva < vm->mmu_inv_end &&
	     vm->mmu_inv_start < end)) {
		ret = -EAGAIN;
	} else if (n == SZ_2M >> PAGE_SHIFT && vmx_caps.ept_2m && !logs &&
		   !((s->uaddr - s->gpa) & SZ_2M_MASK) &&
		   host_maps_huge(vm->mm, hva)) {
		ret = vmctl_ept_map(&vm->ept, gpa, page_to_phys(pages[0]),
				    true, writable, false, c);
	} else {
		for (i = 0; i < n && !ret; i++)
			ret = vmctl_ept_map(&vm->ept, gpa + i * PAGE_SIZE,
					    page_to_phys(pages[i]), false,
					    writable, logs, c);
	}
	spin_unlock(&vm->mmu_lock);
	return ret;
}

#define PREFAULT_PAGES_BYTES	((SZ_2M >> PAGE_SHIFT) * sizeof(struct page *))

/*
 * VMCTL_MEM_PREFAULT: fault in every page of the new slot @s (published
 * and marked prefaulting, so it stays; vm->lock not held) from the
 * owner's mapping, writable unless the slot is read-only, and map it in
 * EPT, as if the guest had touched it all.  By the owner's thread
 * (current->mm is vm->mm).  0, -EINTR (a fatal signal), -ENOMEM or
 * -EFAULT (the mapping refused a page).
 */
int vmk_mmu_prefault(struct vmk_vm *vm, struct vmctl_slot *s)
{
	unsigned int gup = s->flags & VMCTL_MEM_READONLY ? 0 : FOLL_WRITE;
	struct vmctl_ept_cache c = { };
	struct page **pages;
	u64 off = 0;
	int ret = 0;

	pages = vmctl_zalloc(PREFAULT_PAGES_BYTES);
	if (!pages)
		return -ENOMEM;
	while (off < s->size) {
		u64 gpa = s->gpa + off;
		unsigned long hva = s->uaddr + off, seq;
		unsigned int n, i;
		long got;

		/* Up to the next 2 MiB boundary of guest-physical space. */
		n = min_t(u64, s->size - off,
			  SZ_2M - (gpa & SZ_2M_MASK)) >> PAGE_SHIFT;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = vmctl_ept_cache_topup(&c, GFP_KERNEL_ACCOUNT);
		if (ret)
			break;
		seq = READ_ONCE(vm->mmu_seq);
		smp_rmb();	/* the look-up after the count */
		got = get_user_pages_unlocked(hva, n, pages, gup);
		if (got != n) {
			for (i = 0; got > 0 && i < got; i++)
				put_page(pages[i]);
			ret = got < 0 ? got : -EFAULT;
			break;
		}
		ret = prefault_block(vm, s, gpa, hva, pages, n, seq, &c);
		for (i = 0; i < n; i++)
			put_page(pages[i]);
		if (ret == -EAGAIN) {
			ret = 0;
			cond_resched();
			continue;	/* the same block again */
		}
		if (ret)
			break;
		off += (u64)n << PAGE_SHIFT;
	}
	vmctl_ept_cache_free(&c);
	vmctl_free(pages, PREFAULT_PAGES_BYTES);
	return ret;
}
