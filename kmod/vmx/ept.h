/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept.c: a VM's EPT paging structures (4-level, write-back), filled one
 * leaf at a time on EPT violations and zapped by range; guest-physical
 * pages no slot holds get an MMIO marker (an EPT misconfiguration).  Every function
 * but init and destroy runs under the VM's MMU lock (vm->mmu_lock).
 */
#ifndef VMCTL_VMX_EPT_H
#define VMCTL_VMX_EPT_H

#include <linux/gfp.h>
#include <linux/types.h>

struct vmctl_ept {
	u64 *root;		/* PML4 */
	u64 eptp;
	bool ad;		/* accessed/dirty flags on: PML in use */
	unsigned long mapped;	/* guest RAM mapped now, 4 KiB pages */
};

/*
 * Table pages a mapping may need, allocated before the MMU lock is taken
 * (KVM's mmu memory caches): one per level below the root.
 */
#define VMCTL_EPT_CACHE_PAGES	3

struct vmctl_ept_cache {
	u64 *pages[VMCTL_EPT_CACHE_PAGES];
	unsigned int nr;
};

int vmctl_ept_cache_topup(struct vmctl_ept_cache *c, gfp_t gfp);
void vmctl_ept_cache_free(struct vmctl_ept_cache *c);

int vmctl_ept_init(struct vmctl_ept *ept);
void vmctl_ept_destroy(struct vmctl_ept *ept);
int vmctl_ept_map(struct vmctl_ept *ept, u64 gpa, u64 hpa, bool huge,
		  bool writable, bool log, struct vmctl_ept_cache *c);
int vmctl_ept_mark_mmio(struct vmctl_ept *ept, u64 gpa,
			struct vmctl_ept_cache *c);
bool vmctl_ept_zap(struct vmctl_ept *ept, u64 start, u64 end);
bool vmctl_ept_clean(struct vmctl_ept *ept, u64 gpa);
bool vmctl_ept_mapped(struct vmctl_ept *ept, u64 gpa);
void vmctl_ept_clear(struct vmctl_ept *ept);

#endif /* VMCTL_VMX_EPT_H */
