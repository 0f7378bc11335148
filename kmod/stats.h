/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.c: module-wide accounting.  Every allocation of the module goes
 * through these, so VMCTL_GET_MODULE_STATS can prove a closed VM left
 * nothing behind.
 */
#ifndef VMCTL_STATS_H
#define VMCTL_STATS_H

#include <linux/gfp.h>
#include <linux/types.h>

struct vmctl_module_stats;

enum vmctl_acct {
	ACCT_VMS, ACCT_VCPUS, ACCT_SLOTS, ACCT_MAPPED, ACCT_EPT_PAGES,
	ACCT_VMCS_PAGES, ACCT_BYTES, NR_ACCT
};

void vmctl_acct_add(enum vmctl_acct what, long delta);
void vmctl_module_stats(struct vmctl_module_stats *st);
void *vmctl_zalloc(size_t size);
void vmctl_free(void *p, size_t size);
void *vmctl_alloc_page(enum vmctl_acct kind);
void *vmctl_alloc_page_gfp(enum vmctl_acct kind, gfp_t gfp);
void vmctl_free_page(void *p, enum vmctl_acct kind);

#endif /* VMCTL_STATS_H */
