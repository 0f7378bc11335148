/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcpu.c: the vCPU object: what the kernel keeps of a guest CPU beyond
 * its VMCS, its creation in the reset state and its teardown.
 * (struct vmk_vcpu: the kernel's, not libvmctl's struct vmctl_vcpu.)
 */
#ifndef VMCTL_VM_VCPU_H
#define VMCTL_VM_VCPU_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/vmctl.h>
#include "model/emulate.h"
#include "vmx/ept.h"
#include "vmx/hoststate.h"

struct page;
struct vmk_vm;
struct vmctl_vapic;

#define VMCTL_RUN_PAGES		2	/* struct vmctl_run + I/O data page */
#define VMCTL_IO_DATA_OFFSET	PAGE_SIZE

struct vmk_vcpu {
	struct vmk_vm *vm;
	u32 id;
	struct mutex lock;	/* serialises this vCPU's ioctls */
	/*
	 * The run area (VMCTL_RUN_PAGES, mmap'd by userspace) is hostile:
	 * userspace may rewrite any byte of it at any time, from another
	 * thread even during RUN.  The kernel writes it and never trusts
	 * it.  What completing an exit needs (exit reason, I/O size, count,
	 * port and direction, MMIO length and address) is kept in this
	 * struct from the moment of the exit; what userspace supplies (IN
	 * and MMIO read data, the hypercall result) is copied out once,
	 * into kernel memory, and only then used.
	 */
	struct vmctl_run *run;
	struct page *run_pages[VMCTL_RUN_PAGES];	/* run is their vmap */
	u32 user_exit;		/* run->exit_reason as the kernel set it */

	/* VMCS and where it is active */
	void *vmcs;
	u64 vmcs_pa;
	int cpu;		/* CPU the VMCS is active on, or -1 */
	bool launched;
	struct list_head loaded_node;	/* per-CPU list of active VMCSs */
	int vpid;
	void *msr_bitmap;

	/* guest state not held in the VMCS */
	u64 gpr[NR_GPRS];	/* GPR_RSP unused: it lives in the VMCS */
	/*
	 * As the guest sees them; CR0's guest-owned bits (PE, TS, WP, ...)
	 * only as of vmctl_sync_cr0(): the guest changes them without exits.
	 */
	u64 cr0, cr4;
	u64 efer;		/* as the guest sees it (LMA included) */
	u64 cr2, cr8, xcr0;
	u64 dr[4], dr6, dr7;	/* in the CPU while DR7 enables one */
	u64 swapped[NR_SWAPPED_MSRS];
	u64 tsc_aux, apic_base, misc_enable, mtrr_def_type;
	void *fpu;		/* XSAVE area, standard format */
	struct vmctl_cpuid_entry *cpuid;
	u32 cpuid_nent;

	/* host state saved by vcpu_load, restored by vcpu_put */
	struct vmctl_host_state host;
	bool loaded;
	bool l1d_flush_due;	/* host code ran since the last entry */
	/*
	 * VMREAD/VMWRITE failures are counted per CPU; the batch being
	 * checked starts here (vmx_batch_begin()), rebased when the vCPU
	 * lets go of its CPU in the middle (vmk_vcpu_unloaded()).
	 */
	unsigned int vmx_mark;
	bool reload_failed;	/* vmk_vcpu_unloaded() could not take it back */

	/* exit bookkeeping */
	u32 exit_reason;
	u64 exit_qual;
	/* the exit user space answers: finished on the next RUN */
	int (*complete_user_exit)(struct vmk_vcpu *vcpu);
	struct vmctl_mmio_op mmio;
	u8 io_size;		/* IN in flight: 1, 2 or 4 bytes */
	struct {		/* string I/O in flight */
		u64 gva;
		u32 count, size;
		bool rep, down;
		u8 addr_size;	/* bytes: 2, 4 or 8 */
		u8 insn_len;
	} str;
	u64 tsc_offset;		/* mirror of VMCS_TSC_OFFSET, for apic.c */
	u64 pvclock_msr;	/* MSR_KVM_SYSTEM_TIME_NEW, kvmclock.c */
	u32 pvclock_version;	/* of the structure last written */
	u32 kvm_features;	/* KVM_FEATURE_* bits of the CPUID, cpuid.c */
	u64 pv_eoi_msr;		/* MSR_KVM_PV_EOI_EN, pv_eoi.c */
	bool pv_eoi_pending;	/* the guest's flag is set: it may skip an EOI */
	bool steal_preempted;	/* the guest's preempted byte is set */
	u64 steal_msr;		/* MSR_KVM_STEAL_TIME, steal_time.c */
	u64 steal_run_delay;	/* the thread's run_delay accounted so far */
	pid_t steal_pid;	/* that thread */
	pid_t tid;		/* the thread in RUN last (sched-yield) */
	wait_queue_head_t wq;	/* where the run loop sleeps in HLT */
	u32 proc_ctls;		/* VMCS_PROC_CTLS as last written */
	struct vmctl_vapic *apic;	/* NULL without an irqchip */
	struct vmctl_ept_cache ept_cache;	/* for EPT faults (vm/mmu.c) */
	/* Faults that mapped RAM, by this vCPU only (read: READ_ONCE). */
	unsigned long faults_4k, faults_2m;
	u64 *pml;		/* the PML buffer, with vmx_caps.pml */
	u32 pml_reads;		/* buffer read into the logs (smp_load_acquire) */
	bool in_guest;		/* between the APIC check and the exit */
	bool halted;		/* in HLT, waiting for an interrupt */
	bool halt_if;		/* RFLAGS.IF at the HLT */
	bool exc_pending;	/* from VMCTL_INJECT_EXCEPTION */
	struct vmctl_exception exc;
	u32 reinject_info, reinject_err, reinject_len;	/* IDT vectoring */

	struct vmctl_vcpu_stats stats;
};

struct vmk_vcpu *vmk_vcpu_create(struct vmk_vm *vm, u32 id);
void vmk_vcpu_free(struct vmk_vcpu *vcpu);
int vmk_vcpu_with_vmcs(struct vmk_vcpu *vcpu,
		       int (*fn)(struct vmk_vcpu *vcpu, void *arg),
		       void *arg);
/* The exit counters; safe while the vCPU runs (GET_VCPU_STATS, netlink). */
void vmk_vcpu_get_stats(const struct vmk_vcpu *vcpu,
			struct vmctl_vcpu_stats *st);

#endif /* VMCTL_VM_VCPU_H */
