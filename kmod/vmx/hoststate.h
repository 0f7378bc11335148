/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hoststate.c: the host state a VM exit does not restore, switched once
 * per vCPU load (FPU/XSAVE, syscall MSRs, segments), not once per exit.
 */
#ifndef VMCTL_VMX_HOSTSTATE_H
#define VMCTL_VMX_HOSTSTATE_H

#include <linux/types.h>
#include <asm/desc_defs.h>

struct vmk_vcpu;

struct vmctl_host_state {
	u16 ds, es, fs, gs, ldt;
	struct desc_ptr gdt;
	u64 fs_base, debugctl;
	u64 msr[5];		/* enum vmctl_swapped_msr */
	unsigned long cr3, cr4;
};

/* MSRs swapped by hand on vCPU load/put (no VMCS field holds them). */
enum vmctl_swapped_msr {
	SWAP_KERNEL_GS_BASE, SWAP_STAR, SWAP_LSTAR, SWAP_CSTAR, SWAP_SFMASK,
	NR_SWAPPED_MSRS
};

int vmk_vcpu_load(struct vmk_vcpu *vcpu);
void vmk_vcpu_put(struct vmk_vcpu *vcpu);
int vmk_vcpu_unloaded(struct vmk_vcpu *vcpu, long (*fn)(void *arg),
		      void *arg);
void vmctl_fpu_init_guest(void *area);

#endif /* VMCTL_VMX_HOSTSTATE_H */
