/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx.c: the CPU's VMX capabilities as probed once, per-CPU VMX operation
 * (hotplug), VPIDs, cross-CPU INVEPT and the L1D flush before entries.
 */
#ifndef VMCTL_VMX_VMX_H
#define VMCTL_VMX_VMX_H

#include <linux/types.h>

struct vmctl_vmx_cpus;

struct vmx_caps {
	u32 revision;
	bool inout_info;	/* exit instruction info for INS/OUTS */
	u32 pin, proc, proc2, exit, entry;	/* controls we run with */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool ept_2m, vpid, wbinvd_exiting;
	bool pml;		/* page-modification logging, EPT A/D flags */
	bool flush_l1d, clear_cpu_buffers;	/* before each VM entry */
	bool flush_l1d_sw;	/* flush_l1d without the FLUSH_L1D MSR */
	u32 preempt_ticks;	/* VMX-preemption timer backstop; 0: none */
	bool irqchip;		/* virtual NMIs, both window exits, tsc_khz */
	bool host_debugctl;	/* IA32_DEBUGCTL exists (not in Bochs) */
	u64 host_xcr0;
	u32 xsave_size;		/* standard-format XSAVE area for host_xcr0 */
	u32 mxcsr_mask;		/* MXCSR bits FXRSTOR/XRSTOR accept */
};

extern struct vmx_caps vmx_caps;

/* Entries of a PML buffer (one page of guest-physical addresses). */
#define VMCTL_PML_ENTRIES	512

int vmx_probe(void);
int vmx_enable_all(void);
void vmx_disable_all(void);
unsigned int vmx_nr_cpus_on(void);
void vmx_report_cpus(struct vmctl_vmx_cpus *r);
int vmx_vpid_alloc(void);
void vmx_vpid_free(int vpid);
void vmx_invept_all_cpus(u64 eptp);
void vmx_flush_l1d(void);
const char *vmx_entry_flush_name(void);

#endif /* VMCTL_VMX_VMX_H */
