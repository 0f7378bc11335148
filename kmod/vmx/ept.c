// SPDX-License-Identifier: GPL-2.0
/*
 * EPT paging structures (4-level walk, write-back memory type).
 *
 * Slots are mapped eagerly when they are created, so the run loop never
 * builds tables.  A 2 MiB leaf is used where the guest-physical address
 * is 2 MiB aligned and the 512 pinned pages behind it are physically
 * contiguous and aligned (transparent huge pages give exactly that).
 * A deleted slot leaves empty tables that the next slot in that range
 * reuses, except an empty page table where a 2 MiB leaf goes.
 *
 * The rule: a CPU may cache any present EPT entry, paging-structure
 * entries included, until an INVEPT for this EPTP on that CPU.  So before
 * a paging-structure page is freed, or an entry that points to a table
 * becomes a leaf, the entry is cleared and the VM's EPT context is
 * invalidated on every CPU (vmx_invept_all_cpus()); only then is the page
 * freed and the new entry written.  Otherwise a CPU could walk a freed
 * page, reused by anyone, as EPT entries.  Entries going from not present
 * to present need no INVEPT (not-present entries are never cached), and
 * leaves that are cleared are invalidated by the callers (vm.c) before
 * the pages they mapped are unpinned.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/vmctl.h>
#include "stats.h"
#include "vm/memslot.h"
#include "vmx/ept.h"
#include "vmx/vmx.h"

#define EPT_R		BIT_ULL(0)
#define EPT_W		BIT_ULL(1)
#define EPT_X		BIT_ULL(2)
#define EPT_MT_WB	(6ULL << 3)	/* leaf memory type */
#define EPT_LARGE	BIT_ULL(7)	/* PDE maps 2 MiB */
#define EPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define EPTP_WB		6ULL
#define EPTP_PWL4	(3ULL << 3)	/* page-walk length - 1 */

#define EPT_LEVELS	4
#define EPT_SHIFT(l)	(12 + 9 * (l))	/* level 0: PTE ... level 3: PML4E */
#define EPT_INDEX(g, l)	(((g) >> EPT_SHIFT(l)) & 511)
#define SZ_2M_PAGES	512

int vmctl_ept_init(struct vmctl_ept *ept)
{
	ept->root = vmctl_alloc_page(ACCT_EPT_PAGES);
	if (!ept->root)
		return -ENOMEM;
	ept->eptp = __pa(ept->root) | EPTP_PWL4 | EPTP_WB;
	return 0;
}

static void ept_free_table(u64 *table, int level)
{
	int i;

	for (i = 0; level > 0 && i < 512; i++)
		if ((table[i] & (EPT_R | EPT_W | EPT_X)) &&
		    !(table[i] & EPT_LARGE))
			ept_free_table(__va(table[i] & EPT_ADDR_MASK),
				       level - 1);
	vmctl_free_page(table, ACCT_EPT_PAGES);
}

void vmctl_ept_destroy(struct vmctl_ept *ept)
{
	if (ept->root)
		ept_free_table(ept->root, EPT_LEVELS - 1);
	ept->root = NULL;
}

/*
 * The entry for @gpa at @level, building the tables above it when
 * @alloc.  NULL when a table is missing or a 2 MiB leaf sits above
 * @level (never split: slots do not overlap).
 */
static u64 *ept_walk(struct vmctl_ept *ept, u64 gpa, int level, bool alloc)
{
	u64 *table = ept->root;
	int l;

	for (l = EPT_LEVELS - 1; l > level; l--) {
		u64 *e = &table[EPT_INDEX(gpa, l)];

		if (!(*e & EPT_R)) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = vmctl_alloc_page(ACCT_EPT_PAGES);
			if (!next)
				return NULL;
			WRITE_ONCE(*e, __pa(next) | EPT_R | EPT_W | EPT_X);
		} else if (*e & EPT_LARGE) {
			return NULL;
		}
		table = __va(*e & EPT_ADDR_MASK);
	}
	return &table[EPT_INDEX(gpa, level)];
}

static bool ept_can_map_2m(const struct vmctl_slot *s, unsigned long i)
{
	unsigned long pfn = page_to_pfn(s->pages[i]);
	unsigned long j;

	if (!vmx_caps.ept_2m || !IS_ALIGNED(s->gpa + i * PAGE_SIZE, SZ_2M) ||
	    i + SZ_2M_PAGES > s->npages || !IS_ALIGNED(pfn, SZ_2M_PAGES))
		return false;
	for (j = 1; j < SZ_2M_PAGES; j++)
		if (page_to_pfn(s->pages[i + j]) != pfn + j)
			return false;
	return true;
}

/*
 * An empty page table under a PDE about to become a 2 MiB leaf: unhook
 * it, flush every CPU's cached walk through it, then free it.
 */
static void ept_drop_empty_pt(struct vmctl_ept *ept, u64 *pde)
{
	u64 old = *pde;

	if (!(old & EPT_R) || (old & EPT_LARGE))
		return;
	WRITE_ONCE(*pde, 0);
	vmx_invept_all_cpus(ept->eptp);
	ept_free_table(__va(old & EPT_ADDR_MASK), 0);
}

int vmctl_ept_map_slot(struct vmctl_ept *ept, const struct vmctl_slot *s)
{
	u64 perm = EPT_R | EPT_X | EPT_MT_WB;
	unsigned long i = 0;
	u64 *e;

	if (!(s->flags & VMCTL_MEM_READONLY))
		perm |= EPT_W;
	while (i < s->npages) {
		u64 gpa = s->gpa + i * PAGE_SIZE;
		u64 hpa = page_to_phys(s->pages[i]);

		if (ept_can_map_2m(s, i)) {
			e = ept_walk(ept, gpa, 1, true);
			if (!e)
				return -ENOMEM;
			ept_drop_empty_pt(ept, e);
			WRITE_ONCE(*e, hpa | perm | EPT_LARGE);
			i += SZ_2M_PAGES;
			continue;
		}
		e = ept_walk(ept, gpa, 0, true);
		if (!e)
			return -ENOMEM;
		WRITE_ONCE(*e, hpa | perm);
		i++;
	}
	return 0;
}

void vmctl_ept_unmap_slot(struct vmctl_ept *ept, const struct vmctl_slot *s)
{
	u64 gpa = s->gpa, end = s->gpa + s->size;
	u64 *e;

	while (gpa < end) {
		e = ept_walk(ept, gpa, 1, false);
		if (e && (*e & EPT_LARGE)) {
			WRITE_ONCE(*e, 0);
			gpa += SZ_2M;
			continue;
		}
		e = ept_walk(ept, gpa, 0, false);
		if (e)
			WRITE_ONCE(*e, 0);
		gpa += PAGE_SIZE;
	}
}
