// SPDX-License-Identifier: GPL-2.0
/*
 * EPT paging structures (4-level walk, write-back memory type), filled on
 * demand: the fault path (vm/mmu.c) maps one 4 KiB page, or one 2 MiB
 * page where the host maps the range with a huge page, and the MMU
 * notifier zaps by range what the host changes.  The caller holds the
 * VM's MMU lock for all of it; table pages come from a cache filled
 * before the lock was taken.
 *
 * The rule: a CPU may cache any present EPT entry, paging-structure
 * entries included, until an INVEPT for this EPTP on that CPU.  So before
 * a paging-structure page is freed, or an entry that points to a table
 * becomes a leaf (or the reverse), the entry is cleared and the VM's EPT
 * context is invalidated on every CPU (vmx_invept_all_cpus()); only then
 * is the page freed and the new entry written.  Otherwise a CPU could
 * walk a freed page, reused by anyone, as EPT entries.  Entries going
 * from not present to present need no INVEPT (not-present entries are
 * never cached), nor do leaves that gain a permission (an EPT violation
 * drops the cached translation it faulted on, SDM 28.4.3.1).  Leaves
 * zapped by vmctl_ept_zap() are invalidated by the caller, before the
 * host reuses the pages they mapped.
 *
 * MMIO markers (KVM's MMIO SPTEs): a 4 KiB entry that is write-only, an
 * EPT misconfiguration, marks a page no slot holds once the guest has
 * touched it, so later accesses exit as misconfigurations that say MMIO
 * without a slot look-up.  A slot added over a marker zaps it like a
 * leaf (vm/memslot.c), which is all the invalidation it needs: markers
 * live only in the EPT range they describe.  No other entry we write is
 * misconfigured.
 *
 * With page-modification logging (vmx_caps.pml) the EPTP turns accessed
 * and dirty flags on; leaves are made with both set, so nothing is
 * logged, except in slots that log dirty pages, whose leaves start clean
 * so that the CPU logs their first write (vm/dirty_log.c).
 *
 * A zapped writable leaf marks its page dirty: the guest may have written
 * it without the host's page tables knowing (as KVM does without A/D
 * bits).  Guest pages mapped now are counted, for the module (ACCT_MAPPED)
 * and for the VM (ept->mapped, read without the lock), in 4 KiB units.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/vmctl.h>
#include "stats.h"
#include "vmx/ept.h"
#include "vmx/vmx.h"

#define EPT_R		BIT_ULL(0)
#define EPT_W		BIT_ULL(1)
#define EPT_X		BIT_ULL(2)
#define EPT_RWX		(EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB	(6ULL << 3)	/* leaf memory type */
#define EPT_LARGE	BIT_ULL(7)	/* PDE maps 2 MiB */
#define EPT_A		BIT_ULL(8)	/* accessed (leaf), with EPTP_AD */
#define EPT_D		BIT_ULL(9)	/* dirty (leaf), with EPTP_AD */
/* Write-only: a misconfiguration, which no other entry of ours is. */
#define EPT_MMIO_MARKER	EPT_W
#define EPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define EPTP_WB		6ULL
#define EPTP_PWL4	(3ULL << 3)	/* page-walk length - 1 */
#define EPTP_AD		BIT_ULL(6)	/* accessed and dirty flags on */

#define EPT_LEVELS	4
#define EPT_SHIFT(l)	(12 + 9 * (l))	/* level 0: PTE ... level 3: PML4E */
#define EPT_SIZE(l)	(1ULL << EPT_SHIFT(l))
#define EPT_INDEX(g, l)	(((g) >> EPT_SHIFT(l)) & 511)
#define EPT_GPA_END	(1ULL << 48)

int vmctl_ept_cache_topup(struct vmctl_ept_cache *c, gfp_t gfp)
{
	while (c->nr < VMCTL_EPT_CACHE_PAGES) {
		/* Counted as a table page once it is one (ept_take()). */
		u64 *p = vmctl_alloc_page_gfp(ACCT_BYTES, gfp);

		if (!p)
			return -ENOMEM;
		c->pages[c->nr++] = p;
	}
	return 0;
}

void vmctl_ept_cache_free(struct vmctl_ept_cache *c)
{
	while (c->nr)
		vmctl_free_page(c->pages[--c->nr], ACCT_BYTES);
}

static u64 *ept_take(struct vmctl_ept_cache *c)
{
	if (!c->nr)
		return NULL;
	vmctl_acct_add(ACCT_EPT_PAGES, 1);
	return c->pages[--c->nr];
}

int vmctl_ept_init(struct vmctl_ept *ept)
{
	ept->root = vmctl_alloc_page(ACCT_EPT_PAGES);
	if (!ept->root)
		return -ENOMEM;
	ept->eptp = __pa(ept->root) | EPTP_PWL4 | EPTP_WB;
	ept->ad = vmx_caps.pml;
	if (ept->ad)
		ept->eptp |= EPTP_AD;
	return 0;
}

static bool is_leaf(u64 e, int level)
{
	return level == 0 || (e & EPT_LARGE);
}

/* @pages (4 KiB units) more or fewer mapped; MMU lock held or VM gone. */
static void count_mapped(struct vmctl_ept *ept, long pages)
{
	WRITE_ONCE(ept->mapped, ept->mapped + pages);
	vmctl_acct_add(ACCT_MAPPED, pages);
}

/* A leaf leaves: its page dirty if the guest could write it; uncounted. */
static void leaf_gone(struct vmctl_ept *ept, u64 e, int level)
{
	if (e & EPT_W)
		SetPageDirty(pfn_to_page((e & EPT_ADDR_MASK) >> PAGE_SHIFT));
	count_mapped(ept, -(long)(EPT_SIZE(level) >> PAGE_SHIFT));
}

/* Frees @table (at @level) and everything under it; already unhooked. */
static void ept_free_table(struct vmctl_ept *ept, u64 *table, int level)
{
	int i;

	for (i = 0; i < 512; i++) {
		u64 e = table[i];

		if (!(e & EPT_R))
			continue;
		if (is_leaf(e, level))
			leaf_gone(ept, e, level);
		else
			ept_free_table(ept, __va(e & EPT_ADDR_MASK), level - 1);
	}
	vmctl_free_page(table, ACCT_EPT_PAGES);
}

void vmctl_ept_destroy(struct vmctl_ept *ept)
{
	if (ept->root)
		ept_free_table(ept, ept->root, EPT_LEVELS - 1);
	ept->root = NULL;
}

/* Every leaf and table gone but the root (process exit); INVEPTs. */
void vmctl_ept_clear(struct vmctl_ept *ept)
{
	int i;

	/* Guests use one or two of these: an INVEPT each is cheap. */
	for (i = 0; i < 512; i++) {
		u64 old = ept->root[i];

		if (!(old & EPT_R))
			continue;
		WRITE_ONCE(ept->root[i], 0);
		vmx_invept_all_cpus(ept->eptp);
		ept_free_table(ept, __va(old & EPT_ADDR_MASK), EPT_LEVELS - 2);
	}
}

/*
 * The entry at @level (0: 4 KiB, 1: 2 MiB) for @gpa, with the tables
 * above it made from @c; a 2 MiB leaf found on the way to a 4 KiB entry
 * is split (dropped: its 4 KiB parts fault in again).  NULL when the
 * cache ran dry.
 */
static u64 *ept_walk_alloc(struct vmctl_ept *ept, u64 gpa, int level,
			   struct vmctl_ept_cache *c)
{
	u64 *table = ept->root, *e;
	int l;

	for (l = EPT_LEVELS - 1; l > level; l--) {
		e = &table[EPT_INDEX(gpa, l)];
		if ((*e & EPT_R) && (*e & EPT_LARGE)) {
			leaf_gone(ept, *e, l);
			WRITE_ONCE(*e, 0);
			vmx_invept_all_cpus(ept->eptp);
		}
		if (!(*e & EPT_R)) {
			u64 *next = ept_take(c);

			if (!next)
				return NULL;
			WRITE_ONCE(*e, __pa(next) | EPT_RWX);
		}
		table = __va(*e & EPT_ADDR_MASK);
	}
	return &table[EPT_INDEX(gpa, level)];
}

/*
 * Map [gpa, gpa + 4 KiB or 2 MiB) onto host-physical @hpa.  A 2 MiB leaf
 * replaces a page table found in its place (the 4 KiB leaves under it
 * map parts of the same huge page); a 4 KiB leaf splits a 2 MiB leaf
 * found above it, and replaces an MMIO marker.  -ENOMEM when the cache
 * ran dry.
 */
int vmctl_ept_map(struct vmctl_ept *ept, u64 gpa, u64 hpa, bool huge,
		  bool writable, bool log, struct vmctl_ept_cache *c)
{
	int level = huge ? 1 : 0;
	u64 *e, leaf;

	e = ept_walk_alloc(ept, gpa, level, c);
	if (!e)
		return -ENOMEM;
	if (huge && (*e & EPT_R) && !(*e & EPT_LARGE)) {
		u64 *pt = __va(*e & EPT_ADDR_MASK);

		WRITE_ONCE(*e, 0);
		vmx_invept_all_cpus(ept->eptp);
		ept_free_table(ept, pt, 0);
	}
	leaf = (hpa & EPT_ADDR_MASK) | EPT_R | EPT_X | EPT_MT_WB | EPT_A;
	/* Dirty already (no log entry) unless its first write is logged. */
	if (!log || !ept->ad)
		leaf |= EPT_D;
	if (huge)
		leaf |= EPT_LARGE;
	if (writable)
		leaf |= EPT_W;
	if (*e & EPT_R) {
		if ((*e & EPT_ADDR_MASK) == (leaf & EPT_ADDR_MASK)) {
			/* Another vCPU mapped it: keep what it was allowed. */
			WRITE_ONCE(*e, leaf | (*e & EPT_W));
			return 0;
		}
		/* Not seen before: never let two frames share a slot. */
		leaf_gone(ept, *e, level);
		WRITE_ONCE(*e, 0);
		vmx_invept_all_cpus(ept->eptp);
	}
	WRITE_ONCE(*e, leaf);
	count_mapped(ept, EPT_SIZE(level) >> PAGE_SHIFT);
	return 0;
}

/*
 * Mark the 4 KiB page at @gpa, which no slot holds, as MMIO: the next
 * access exits as an EPT misconfiguration, which says MMIO by itself
 * (KVM's MMIO SPTEs).  Only where nothing is mapped.  -ENOMEM when the
 * cache ran dry.
 */
int vmctl_ept_mark_mmio(struct vmctl_ept *ept, u64 gpa,
			struct vmctl_ept_cache *c)
{
	u64 *e = ept_walk_alloc(ept, gpa, 0, c);

	if (!e)
		return -ENOMEM;
	if (!(*e & EPT_R))
		WRITE_ONCE(*e, EPT_MMIO_MARKER);
	return 0;
}

/* Zap the leaves of [start, end) under @table at @level (@base: its GPA). */
static bool zap_table(struct vmctl_ept *ept, u64 *table, int level, u64 base,
		      u64 start, u64 end)
{
	bool zapped = false;
	int i;

	for (i = 0; i < 512; i++) {
		u64 lo = base + i * EPT_SIZE(level), e = table[i];

		if (lo >= end)
			break;
		if (lo + EPT_SIZE(level) <= start || !e)
			continue;
		if (e == EPT_MMIO_MARKER) {
			WRITE_ONCE(table[i], 0);
			zapped = true;
		} else if (is_leaf(e, level)) {
			leaf_gone(ept, e, level);
			WRITE_ONCE(table[i], 0);
			zapped = true;
		} else {
			zapped |= zap_table(ept, __va(e & EPT_ADDR_MASK),
					    level - 1, lo, start, end);
		}
	}
	return zapped;
}

/*
 * Unmap guest-physical [start, end), MMIO markers included: a 2 MiB leaf
 * that overlaps it goes whole.  Tables stay.  Returns whether anything was mapped: then the
 * caller INVEPTs before the pages may change.
 */
bool vmctl_ept_zap(struct vmctl_ept *ept, u64 start, u64 end)
{
	return zap_table(ept, ept->root, EPT_LEVELS - 1, 0, start,
			 min(end, EPT_GPA_END));
}

/*
 * The guest's next write to the 4 KiB page at @gpa must be logged again
 * (dirty logging): with EPT A/D flags (PML) its leaf's dirty flag is
 * cleared, so the write sets it and the CPU logs the page; without them
 * the leaf loses its write permission, so the write faults.  A 2 MiB
 * leaf over it goes whole.  A leaf the guest could write marks its page
 * dirty for the host.  Returns whether anything changed: then the caller
 * INVEPTs.
 */
bool vmctl_ept_clean(struct vmctl_ept *ept, u64 gpa)
{
	u64 *table = ept->root, *e, old;
	int l;

	for (l = EPT_LEVELS - 1; ; l--) {
		e = &table[EPT_INDEX(gpa, l)];
		if (!(*e & EPT_R))
			return false;
		if (is_leaf(*e, l))
			break;
		table = __va(*e & EPT_ADDR_MASK);
	}
	if (l) {
		leaf_gone(ept, *e, l);
		WRITE_ONCE(*e, 0);
		return true;
	}
	old = READ_ONCE(*e);
	if (!(old & EPT_W) || (ept->ad && !(old & EPT_D)))
		return false;
	SetPageDirty(pfn_to_page((old & EPT_ADDR_MASK) >> PAGE_SHIFT));
	/* The CPU may set A and D meanwhile: only ours may clear them. */
	if (ept->ad)
		atomic64_andnot(EPT_D, (atomic64_t *)e);
	else
		WRITE_ONCE(*e, old & ~EPT_W);
	return true;
}

/* Is @gpa mapped (aging without accessed bits: mapped means used)? */
bool vmctl_ept_mapped(struct vmctl_ept *ept, u64 gpa)
{
	u64 *table = ept->root, e;
	int l;

	for (l = EPT_LEVELS - 1; ; l--) {
		e = READ_ONCE(table[EPT_INDEX(gpa, l)]);
		if (!(e & EPT_R))
			return false;
		if (is_leaf(e, l))
			return true;
		table = __va(e & EPT_ADDR_MASK);
	}
}
