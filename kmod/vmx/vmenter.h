/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmenter.S: one VM entry and the exit back, with the guest's general
 * registers loaded and saved.
 */
#ifndef VMCTL_VMX_VMENTER_H
#define VMCTL_VMX_VMENTER_H

#include <linux/types.h>

/* vmenter.S; @verw: clear CPU buffers right before the entry */
int vmctl_vmenter(u64 *gpr, unsigned long launched, unsigned long verw);
void vmctl_vmexit(void);	/* HOST_RIP: not callable */

#endif /* VMCTL_VMX_VMENTER_H */
