// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capability probe and per-CPU VMX operation.
 *
 * vmx_probe() checks, once, everything the module needs and prints exactly
 * one pr_err line naming the first thing missing.  vmx_enable_all()
 * registers a CPU-hotplug state whose callbacks run on each CPU: VMXON
 * when it comes online, VMCLEAR of the VMCSs active there + VMXOFF when it
 * goes offline.  Registering runs the online callback on every online CPU;
 * removing it runs the offline callback everywhere (module unload).
 */
#include <linux/module.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <asm/tlbflush.h>
#include <asm/special_insns.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <linux/vmctl.h>
#include "stats.h"
#include "vmx/vmcs_cpu.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

/* Optional features, switched off for testing (README). */
static bool vmctl_param_vpid = true;
module_param_named(vpid, vmctl_param_vpid, bool, 0444);
MODULE_PARM_DESC(vpid, "Tag guest TLB entries with VPIDs (default: on)");

static bool vmctl_param_ept_2m = true;
module_param_named(ept_2m, vmctl_param_ept_2m, bool, 0444);
MODULE_PARM_DESC(ept_2m, "Map 2 MiB of guest RAM per EPT entry where possible (default: on)");

static bool vmctl_param_pml = true;
module_param_named(pml, vmctl_param_pml, bool, 0444);
MODULE_PARM_DESC(pml, "Log dirty pages with page-modification logging where the CPU has it, else by write-protection (default: on)");

struct vmx_caps vmx_caps;

struct vmx_cpu {
	void *vmxon_region;
	bool on;
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);
static atomic_t vmx_cpus_on = ATOMIC_INIT(0);
static enum cpuhp_state vmx_hp_state;
static DEFINE_IDA(vpid_ida);

/* Controls: the bits we want must be allowed-1, must-be-1 bits are added. */
static bool vmx_adjust(u32 msr, u32 want, u32 optional, u32 *out)
{
	u32 lo, hi;

	rdmsr(msr, lo, hi);
	if ((want & hi) != want)
		return false;
	*out = ((want | (optional & hi)) | lo) & hi;
	return true;
}

struct probe_result {
	atomic_t no_fc, vmxe_set;
};

/* Runs on every CPU: firmware lock state and whether VMX is already on. */
static void vmx_probe_cpu(void *info)
{
	struct probe_result *r = info;
	u64 fc;

	if (__read_cr4() & X86_CR4_VMXE)
		atomic_inc(&r->vmxe_set);
	rdmsrl(MSR_VMX_FEATURE_CONTROL, fc);
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsrl(MSR_VMX_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		atomic_inc(&r->no_fc);
	}
}

static int vmx_missing(const char *what)
{
	pr_err("vmctl: CPU lacks a required VMX capability: %s\n", what);
	return -EOPNOTSUPP;
}

/*
 * The VMX-preemption timer as a backstop: a guest that spins with
 * interrupts masked must still come back to the run loop, which then sees
 * signals, reschedule requests and immediate_exit.  External-interrupt
 * exiting should already guarantee that, but Bochs 2.7 holds external
 * interrupts back while the guest's RFLAGS.IF is 0.  The timer counts
 * down once per 2^rate TSC ticks (IA32_VMX_MISC[4:0]) while the guest
 * runs; run.c reloads it before every entry.
 */
#define VMX_BACKSTOP_US		1000

static void vmx_probe_preemption_timer(void)
{
	struct vmx_caps *c = &vmx_caps;
	u64 misc, ticks;

	if (!(c->pin & PIN_PREEMPTION_TIMER))
		return;
	rdmsrl(MSR_VMX_MISC, misc);
	ticks = ((u64)tsc_khz * VMX_BACKSTOP_US / USEC_PER_MSEC) >>
		(misc & VMXCAP_MISC_PREEMPT_RATE_MASK);
	if (!ticks) {		/* TSC rate unknown: no sane deadline */
		c->pin &= ~PIN_PREEMPTION_TIMER;
		return;
	}
	c->preempt_ticks = min_t(u64, ticks, U32_MAX);
}

/*
 * The in-kernel irqchip needs virtual NMIs (NMI blocking of the guest
 * tracked by the CPU), interrupt- and NMI-window exiting, and a known TSC
 * rate for the APIC timer and CPUID 0x15.  Turned on per VMCS (vmcs.c).
 */
static void vmx_probe_irqchip(void)
{
	u32 want = PROC_INTR_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING;
	u32 lo, pin_hi, proc_hi;

	rdmsr(MSR_VMX_TRUE_PINBASED_CTLS, lo, pin_hi);
	rdmsr(MSR_VMX_TRUE_PROCBASED_CTLS, lo, proc_hi);
	vmx_caps.irqchip = (pin_hi & PIN_VIRTUAL_NMIS) &&
			   (proc_hi & want) == want && tsc_khz;
}

static int vmx_probe_controls(void)
{
	struct vmx_caps *c = &vmx_caps;
	u64 basic, ept;
	u32 want;

	rdmsrl(MSR_VMX_BASIC, basic);
	if (!(basic & VMXCAP_BASIC_TRUE_CTLS))
		return vmx_missing("true VMX controls (IA32_VMX_BASIC bit 55)");
	if (((basic >> 50) & 0xf) != 6)
		return vmx_missing("write-back VMCS memory type");
	c->revision = basic & VMXCAP_BASIC_REVISION_MASK;
	c->inout_info = basic & VMXCAP_BASIC_INOUT_INFO;

	if (!vmx_adjust(MSR_VMX_TRUE_PINBASED_CTLS,
			PIN_EXT_INTR_EXITING | PIN_NMI_EXITING,
			PIN_PREEMPTION_TIMER, &c->pin))
		return vmx_missing("external-interrupt and NMI exiting");
	vmx_probe_preemption_timer();
	vmx_probe_irqchip();
	want = PROC_HLT_EXITING | PROC_MWAIT_EXITING | PROC_RDPMC_EXITING |
	       PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
	       PROC_MOV_DR_EXITING | PROC_UNCOND_IO_EXITING |
	       PROC_USE_MSR_BITMAPS | PROC_MONITOR_EXITING |
	       PROC_TSC_OFFSETTING | PROC_SECONDARY_CTLS;
	if (!vmx_adjust(MSR_VMX_TRUE_PROCBASED_CTLS, want, 0, &c->proc))
		return vmx_missing("primary processor-based controls (HLT/MWAIT/CR8/MOV-DR/I/O exiting, MSR bitmaps, TSC offsetting)");
	if (c->proc & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING |
		       PROC_INVLPG_EXITING | PROC_RDTSC_EXITING))
		return vmx_missing("CR3/INVLPG/RDTSC exiting that can be turned off");
	if (!vmx_adjust(MSR_VMX_PROCBASED_CTLS2,
			PROC2_ENABLE_EPT, 0, &c->proc2))
		return vmx_missing("EPT");
	if (!vmx_adjust(MSR_VMX_PROCBASED_CTLS2,
			PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST,
			PROC2_WBINVD_EXITING | PROC2_ENABLE_PML |
			(vmctl_param_vpid ? PROC2_ENABLE_VPID : 0), &c->proc2))
		return vmx_missing("unrestricted guest");
	if (!vmx_adjust(MSR_VMX_TRUE_EXIT_CTLS,
			EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_PAT |
			EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
			EXIT_SAVE_DEBUG_CTLS, 0, &c->exit))
		return vmx_missing("VM-exit controls (64-bit host, save/load PAT and EFER)");
	if (!vmx_adjust(MSR_VMX_TRUE_ENTRY_CTLS,
			ENTRY_LOAD_PAT | ENTRY_LOAD_EFER |
			ENTRY_LOAD_DEBUG_CTLS, ENTRY_IA32E_MODE, &c->entry))
		return vmx_missing("VM-entry controls (load PAT and EFER)");
	c->entry &= ~ENTRY_IA32E_MODE;	/* follows the guest's EFER.LMA */

	rdmsrl(MSR_VMX_EPT_VPID_CAP, ept);
	if (!(ept & VMXCAP_EPT_PWL4))
		return vmx_missing("EPT 4-level page walk");
	if (!(ept & VMXCAP_EPT_MEMTYPE_WB))
		return vmx_missing("EPT write-back memory type");
	if (!(ept & VMXCAP_EPT_INVEPT) || !(ept & VMXCAP_EPT_INVEPT_SINGLE) ||
	    !(ept & VMXCAP_EPT_INVEPT_ALL))
		return vmx_missing("INVEPT single- and all-context");
	c->ept_2m = vmctl_param_ept_2m && (ept & VMXCAP_EPT_2M_PAGES);
	c->vpid = (c->proc2 & PROC2_ENABLE_VPID) &&
		  (ept & VMXCAP_VPID_INVVPID) && (ept & VMXCAP_VPID_INVVPID_SINGLE);
	if (vmctl_param_vpid && !c->vpid)
		return vmx_missing("VPID with INVVPID single-context (load with vpid=0 to run without)");
	c->wbinvd_exiting = c->proc2 & PROC2_WBINVD_EXITING;
	/* PML logs what sets EPT dirty flags: both or neither. */
	c->pml = vmctl_param_pml && (c->proc2 & PROC2_ENABLE_PML) &&
		 (ept & VMXCAP_EPT_AD);
	if (!c->pml)
		c->proc2 &= ~PROC2_ENABLE_PML;

	rdmsrl(MSR_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_VMX_CR4_FIXED1, c->cr4_fixed1);
	return 0;
}

/*
 * The guest FPU lives in an area we switch by hand: XSAVE format when the
 * host kernel enabled XSAVE, else the 512-byte FXSAVE format (host_xcr0
 * stays 0 and guests see no XSAVE).
 */
static int vmx_probe_fpu(void)
{
	u8 fx[512] __aligned(16) = { 0 };
	u32 eax, ebx, ecx, edx;

	if (!boot_cpu_has(X86_FEATURE_FXSR))
		return vmx_missing("FXSAVE/FXRSTOR");
	/* MXCSR_MASK, 0 on CPUs older than DAZ (SDM vol. 1, 11.6.6). */
	kernel_fpu_begin();
	asm volatile("fxsave64 %0" : "=m"(fx));
	kernel_fpu_end();
	vmx_caps.mxcsr_mask = *(u32 *)(fx + 28) ?: 0xffbf;
	vmx_caps.xsave_size = 512;
	if (!boot_cpu_has(X86_FEATURE_XSAVE) ||
	    !(__read_cr4() & X86_CR4_OSXSAVE))
		return 0;
	vmx_caps.host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx);
	vmx_caps.xsave_size = roundup_pow_of_two(ebx);
	if (vmx_caps.xsave_size > 2 * PAGE_SIZE)
		return vmx_missing("XSAVE area of at most 8 KiB");
	return 0;
}

/*
 * Follow the host kernel's own mitigation choices, so mitigations=off
 * (or l1tf=off) turns these off:
 * - VERW right before entry (vmenter.S) exactly when the host clears CPU
 *   buffers itself: X86_FEATURE_CLEAR_CPU_BUF (MDS/TAA/MMIO/RFDS on the
 *   way to user space; also set without MD_CLEAR microcode, where VERW
 *   may or may not help, as kvm-intel does) or X86_FEATURE_CLEAR_CPU_BUF_VM
 *   (kernels that decide for guests separately).  Both 6.1 and 6.12
 *   define both.
 * - L1D flush before entry when the host says the CPU is affected by
 *   L1TF and did not turn its mitigation off, unless an outer hypervisor
 *   says it is not needed (ARCH_CAP_SKIP_VMENTRY_L1DFLUSH): with the
 *   FLUSH_L1D MSR where the CPU has it, else by reading a buffer larger
 *   than the L1D; like kvm-intel's default ("cond") only after host code
 *   that may hold secrets ran on the CPU (run.c).
 * SPEC_CTRL needs nothing: the guest cannot touch it (not modelled, so
 * intercepted with #GP), the host's value stays in force.  The RSB is
 * refilled after every exit in vmenter.S where the host's flags say so.
 */
static void vmx_probe_mitigations(void)
{
	u64 arch = 0;

	if (cpu_mitigations_off())
		return;
	vmx_caps.clear_cpu_buffers = boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF) ||
				     boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM);
	if (!boot_cpu_has_bug(X86_BUG_L1TF) ||
	    l1tf_mitigation == L1TF_MITIGATION_OFF)
		return;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, arch);
	if (arch & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return;
	vmx_caps.flush_l1d = true;
	vmx_caps.flush_l1d_sw = !boot_cpu_has(X86_FEATURE_FLUSH_L1D);
}

/* Larger than any L1D so far; read one line per cache line. */
#define L1D_FLUSH_ORDER		4	/* 64 KiB */
#define L1D_FLUSH_SIZE		(PAGE_SIZE << L1D_FLUSH_ORDER)
#define L1D_LINE_SIZE		64

static u8 *l1d_flush_buf;

/* Interrupts off, right before entry (run.c). */
void vmx_flush_l1d(void)
{
	unsigned int i;

	if (!vmx_caps.flush_l1d_sw) {
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	/* Touch every page first so TLB misses do not stall the sweep. */
	for (i = 0; i < L1D_FLUSH_SIZE; i += PAGE_SIZE)
		READ_ONCE(l1d_flush_buf[i]);
	for (i = 0; i < L1D_FLUSH_SIZE; i += L1D_LINE_SIZE)
		READ_ONCE(l1d_flush_buf[i]);
}

/* For the load line (scripts/bench.sh parses "entry flush [^,]*"). */
const char *vmx_entry_flush_name(void)
{
	if (vmx_caps.flush_l1d)
		return vmx_caps.flush_l1d_sw ?
		       (vmx_caps.clear_cpu_buffers ? "L1D cond (software) + VERW" :
						     "L1D cond (software)") :
		       (vmx_caps.clear_cpu_buffers ? "L1D cond + VERW" :
						     "L1D cond");
	return vmx_caps.clear_cpu_buffers ? "VERW" : "none";
}

/*
 * VM exit clears IA32_DEBUGCTL, so vCPU load saves the host's value.  Some
 * (emulated) CPUs have no such MSR: probe it once here rather than take a
 * #GP on every vCPU load.
 */
static void vmx_probe_debugctl(void)
{
	u64 val;

	vmx_caps.host_debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &val);
}

int vmx_probe(void)
{
	struct probe_result r = {};
	int ret;

	if (!(cpuid_ecx(1) & BIT(5))) {
		pr_err("vmctl: this CPU has no VMX (Intel VT-x); cannot load\n");
		return -ENODEV;
	}
	on_each_cpu(vmx_probe_cpu, &r, 1);
	if (atomic_read(&r.no_fc)) {
		pr_err("vmctl: VMX is disabled by firmware (IA32_FEATURE_CONTROL locked without VMX); enable VT-x in the BIOS setup\n");
		return -EPERM;
	}
	if (atomic_read(&r.vmxe_set)) {
		pr_err("vmctl: VMX is already in use by another hypervisor (CR4.VMXE set); unload it: sudo rmmod kvm_intel (on Linux 6.12+ kvm turns VMX on at load unless booted or loaded with kvm.enable_virt_at_load=0)\n");
		return -EBUSY;
	}
	ret = vmx_probe_controls();
	if (ret)
		return ret;
	vmx_probe_mitigations();
	vmx_probe_debugctl();
	return vmx_probe_fpu();
}

static void vmx_cpu_off(struct vmx_cpu *vc)
{
	vmctl_vmcs_clear_cpu();
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	WRITE_ONCE(vc->on, false);
	atomic_dec(&vmx_cpus_on);
}

static int vmx_cpu_online(unsigned int cpu)
{
	struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
	unsigned long flags;
	u32 *region;
	int ret = 0;

	/*
	 * The module's, not a VM's: not charged to the memory cgroup of
	 * whoever loads the module or brings the CPU online.
	 */
	region = vmctl_alloc_page_gfp(ACCT_VMCS_PAGES, GFP_KERNEL);
	if (!region)
		return -ENOMEM;
	*region = vmx_caps.revision;

	local_irq_save(flags);
	WARN_ON_ONCE(smp_processor_id() != cpu);
	if (__read_cr4() & X86_CR4_VMXE) {
		pr_err("vmctl: VMX already in use on CPU %u (CR4.VMXE set)\n",
		       cpu);
		ret = -EBUSY;
		goto out;
	}
	vmctl_vmcs_cpu_init();
	cr4_set_bits(X86_CR4_VMXE);
	if (vmx_vmxon(__pa(region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("vmctl: VMXON failed on CPU %u\n", cpu);
		ret = -EIO;
		goto out;
	}
	vc->vmxon_region = region;
	WRITE_ONCE(vc->on, true);
	atomic_inc(&vmx_cpus_on);
	/* Drop translations another hypervisor may have left tagged. */
	if (vmx_invept(VMX_INVEPT_ALL, 0))
		pr_err("vmctl: INVEPT all-context failed on CPU %u\n", cpu);
out:
	local_irq_restore(flags);
	if (ret)
		vmctl_free_page(region, ACCT_VMCS_PAGES);
	return ret;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
	unsigned long flags;

	local_irq_save(flags);
	WARN_ON_ONCE(smp_processor_id() != cpu);
	if (vc->on)
		vmx_cpu_off(vc);
	local_irq_restore(flags);
	vmctl_free_page(vc->vmxon_region, ACCT_VMCS_PAGES);
	vc->vmxon_region = NULL;
	return 0;
}

int vmx_enable_all(void)
{
	int ret;

	if (vmx_caps.flush_l1d_sw) {
		l1d_flush_buf = (u8 *)__get_free_pages(GFP_KERNEL,
						       L1D_FLUSH_ORDER);
		if (!l1d_flush_buf)
			return -ENOMEM;
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vmctl:online",
				vmx_cpu_online, vmx_cpu_offline);
	if (ret < 0) {
		pr_err("vmctl: could not enable VMX on every CPU (%d)\n", ret);
		free_pages((unsigned long)l1d_flush_buf, L1D_FLUSH_ORDER);
		l1d_flush_buf = NULL;
		return ret;
	}
	vmx_hp_state = ret;
	return 0;
}

void vmx_disable_all(void)
{
	cpuhp_remove_state(vmx_hp_state);
	free_pages((unsigned long)l1d_flush_buf, L1D_FLUSH_ORDER);
	l1d_flush_buf = NULL;
}

unsigned int vmx_nr_cpus_on(void)
{
	return atomic_read(&vmx_cpus_on);
}

/*
 * A snapshot for VMCTL_GET_VMX_CPUS.  Each CPU's flag is written only by
 * its own hotplug callbacks, so a racing hotplug shows the CPU either way.
 */
void vmx_report_cpus(struct vmctl_vmx_cpus *r)
{
	unsigned int cpu;

	r->nr_cpus = min_t(unsigned int, nr_cpu_ids, VMCTL_MAX_CPU_REPORT);
	for (cpu = 0; cpu < r->nr_cpus; cpu++) {
		u64 bit = 1ULL << (cpu % 64);

		if (cpu_online(cpu))
			r->online[cpu / 64] |= bit;
		if (READ_ONCE(per_cpu(vmx_cpu, cpu).on))
			r->vmx_on[cpu / 64] |= bit;
	}
}

/*
 * Cross-CPU invalidations.  They run in IPI context; a CPU that is between
 * its offline callback and leaving the online mask is skipped (vc->on).
 */
static void vmx_invept_one(void *info)
{
	if (!this_cpu_read(vmx_cpu.on))
		return;
	if (vmx_invept(VMX_INVEPT_SINGLE, *(u64 *)info))
		pr_err_ratelimited("vmctl: INVEPT failed on CPU %d\n",
				   smp_processor_id());
}

void vmx_invept_all_cpus(u64 eptp)
{
	on_each_cpu(vmx_invept_one, &eptp, 1);
}

/* VPID 0 is the host's; 0 is also returned when VPIDs are off. */
int vmx_vpid_alloc(void)
{
	int vpid;

	if (!vmx_caps.vpid)
		return 0;
	vpid = ida_alloc_range(&vpid_ida, 1, 0xffff, GFP_KERNEL);
	return vpid < 0 ? 0 : vpid;	/* out of VPIDs: run untagged */
}

void vmx_vpid_free(int vpid)
{
	/*
	 * No flush here: a VMCS loads on a CPU only through
	 * vmctl_vmcs_activate(), which flushes its VPID there, so the next
	 * owner of this tag never sees our translations.
	 */
	if (vpid)
		ida_free(&vpid_ida, vpid);
}
