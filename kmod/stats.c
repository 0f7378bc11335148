// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide accounting.  Every object the module allocates goes through
 * the helpers here, so VMCTL_GET_MODULE_STATS can prove that a closed VM
 * left nothing behind (tests compare the numbers before and after).
 */
#include <linux/atomic.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/vmctl.h>
#include "stats.h"

static atomic64_t acct[NR_ACCT];

void vmctl_acct_add(enum vmctl_acct what, long delta)
{
	atomic64_add(delta, &acct[what]);
}

void vmctl_module_stats(struct vmctl_module_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->nr_vms = atomic64_read(&acct[ACCT_VMS]);
	st->nr_vcpus = atomic64_read(&acct[ACCT_VCPUS]);
	st->nr_mem_slots = atomic64_read(&acct[ACCT_SLOTS]);
	st->mapped_pages = atomic64_read(&acct[ACCT_MAPPED]);
	st->ept_table_pages = atomic64_read(&acct[ACCT_EPT_PAGES]);
	st->vmcs_pages = atomic64_read(&acct[ACCT_VMCS_PAGES]);
	st->kernel_bytes = atomic64_read(&acct[ACCT_BYTES]);
}

/* Charged to the caller's memory cgroup; may be large (dirty logs). */
void *vmctl_zalloc(size_t size)
{
	void *p = kvzalloc(size, GFP_KERNEL_ACCOUNT);

	if (p)
		vmctl_acct_add(ACCT_BYTES, size);
	return p;
}

void vmctl_free(void *p, size_t size)
{
	if (!p)
		return;
	kvfree(p);
	vmctl_acct_add(ACCT_BYTES, -(long)size);
}

/*
 * A zeroed, page-aligned page; @kind says which page counter it feeds.
 * @gfp: GFP_KERNEL_ACCOUNT, or a non-sleeping variant of it; GFP_KERNEL
 * for the module's own pages (per CPU), which belong to no VM's owner.
 */
void *vmctl_alloc_page_gfp(enum vmctl_acct kind, gfp_t gfp)
{
	void *p = (void *)get_zeroed_page(gfp);

	if (!p)
		return NULL;
	vmctl_acct_add(ACCT_BYTES, PAGE_SIZE);
	if (kind != ACCT_BYTES)
		vmctl_acct_add(kind, 1);
	return p;
}

void *vmctl_alloc_page(enum vmctl_acct kind)
{
	return vmctl_alloc_page_gfp(kind, GFP_KERNEL_ACCOUNT);
}

void vmctl_free_page(void *p, enum vmctl_acct kind)
{
	if (!p)
		return;
	free_page((unsigned long)p);
	vmctl_acct_add(ACCT_BYTES, -(long)PAGE_SIZE);
	if (kind != ACCT_BYTES)
		vmctl_acct_add(kind, -1);
}
