/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept.c: a VM's EPT paging structures (4-level, write-back), mapped
 * eagerly per memory slot.
 */
#ifndef VMCTL_VMX_EPT_H
#define VMCTL_VMX_EPT_H

#include <linux/types.h>

struct vmctl_slot;

struct vmctl_ept {
	u64 *root;		/* PML4 */
	u64 eptp;
};

int vmctl_ept_init(struct vmctl_ept *ept);
void vmctl_ept_destroy(struct vmctl_ept *ept);
int vmctl_ept_map_slot(struct vmctl_ept *ept, const struct vmctl_slot *s);
void vmctl_ept_unmap_slot(struct vmctl_ept *ept, const struct vmctl_slot *s);

#endif /* VMCTL_VMX_EPT_H */
