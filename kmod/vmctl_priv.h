/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl.ko internal objects and the functions each file offers the others.
 * One section per source file, in the order data flows: module, VMX,
 * accounting, VM, interrupt controllers, EPT, guest memory, vCPU, VMCS,
 * host state, run loop, exit handlers, CPUID, MSRs.
 */
#ifndef VMCTL_PRIV_H
#define VMCTL_PRIV_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/time64.h>
#include <linux/uidgid.h>
#include <linux/spinlock.h>
#include <linux/hrtimer.h>
#include <linux/wait.h>
#include <linux/vmctl.h>
#include <asm/desc_defs.h>
#include "model/emulate.h"
#include "model/ioapic.h"

#define VMCTL_VERSION		"0.1"
#define VMCTL_RUN_PAGES		2	/* struct vmctl_run + I/O data page */
#define VMCTL_IO_DATA_OFFSET	PAGE_SIZE

/* ---- vmx.c: capabilities, per-CPU VMX operation, VPIDs ---- */
struct vmx_caps {
	u32 revision;
	bool inout_info;	/* exit instruction info for INS/OUTS */
	u32 pin, proc, proc2, exit, entry;	/* controls we run with */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool ept_2m, vpid, wbinvd_exiting;
	bool flush_l1d, clear_cpu_buffers;	/* before each VM entry */
	bool flush_l1d_sw;	/* flush_l1d without the FLUSH_L1D MSR */
	u32 preempt_ticks;	/* VMX-preemption timer backstop; 0: none */
	bool irqchip;		/* virtual NMIs, both window exits, tsc_khz */
	bool host_debugctl;	/* IA32_DEBUGCTL exists (not in Bochs) */
	u64 host_xcr0;
	u32 xsave_size;		/* standard-format XSAVE area for host_xcr0 */
};

extern struct vmx_caps vmx_caps;

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

/* ---- stats.c: module-wide accounting ---- */
enum vmctl_acct {
	ACCT_VMS, ACCT_VCPUS, ACCT_SLOTS, ACCT_PINNED, ACCT_EPT_PAGES,
	ACCT_VMCS_PAGES, ACCT_BYTES, NR_ACCT
};

void vmctl_acct_add(enum vmctl_acct what, long delta);
void vmctl_module_stats(struct vmctl_module_stats *st);
void *vmctl_zalloc(size_t size);
void vmctl_free(void *p, size_t size);
void *vmctl_alloc_page(enum vmctl_acct kind);
void vmctl_free_page(void *p, enum vmctl_acct kind);

/* ---- vm.c: VM object, memory slots, the global VM list ---- */
struct vmctl_slot {
	u32 id;
	u32 flags;		/* VMCTL_MEM_* */
	u64 gpa;
	u64 size;
	u64 uaddr;
	unsigned long npages;
	struct page **pages;	/* pinned, one per 4 KiB of the slot */
};

struct vmctl_ept {
	u64 *root;		/* PML4 */
	u64 eptp;
};

struct vmctl_vm {
	struct kref ref;	/* VM fd + one per vCPU fd */
	struct list_head node;	/* vmctl_vm_list */
	u32 id;
	char name[VMCTL_NAME_LEN];
	pid_t owner;		/* tgid of the creator */
	time64_t created;	/* CLOCK_REALTIME seconds */
	kuid_t owner_uid;	/* creator's euid: who sees it over netlink */
	atomic_t vcpus_in_run;	/* run.c: vCPUs inside VMCTL_RUN ... */
	unsigned long last_run;	/* ... and jiffies when one last left it */
	struct mutex lock;	/* slots, EPT, vcpus[] */
	struct vmctl_slot __rcu *slots[VMCTL_MAX_MEM_SLOTS];
	u32 nr_slots;
	u64 mem_bytes;
	struct vmctl_ept ept;
	struct vmctl_vcpu *vcpus[VMCTL_MAX_VCPUS];	/* smp_load_acquire */
	u32 nr_vcpus;
	u32 vcpus_charged;	/* against the owner's limit; list lock */
	struct vmctl_irqchip *irqchip;	/* set once, before any vCPU */
	u64 tsc_origin;		/* host TSC when the guest's TSC read 0 */
};

/* Every live VM, for `vmctl ps` / netlink; walk under vmctl_vm_list_lock. */
extern struct list_head vmctl_vm_list;
extern struct mutex vmctl_vm_list_lock;

struct vmctl_vm *vmctl_vm_create(const struct vmctl_vm_config *cfg);
void vmctl_vm_put(struct vmctl_vm *vm);
int vmctl_charge_vcpu(struct vmctl_vm *vm);
void vmctl_uncharge_vcpu(struct vmctl_vm *vm);

/* What the VM's watcher hears of. */
enum vmctl_vm_event {
	VMCTL_VM_CREATED = 1,
	VMCTL_VM_DESTROYED,
	VMCTL_VCPU_SHUTDOWN,	/* RUN ended in a triple fault */
	VMCTL_VCPU_FAIL_ENTRY,	/* RUN ended in a failed entry (@hw_reason) */
};

struct vmctl_vm_watcher {
	void (*event)(struct vmctl_vm *vm, const struct vmctl_vcpu *vcpu,
		      enum vmctl_vm_event ev, u32 hw_reason);
};

void vmctl_vm_set_watcher(const struct vmctl_vm_watcher *w);
void vmctl_vm_notify(struct vmctl_vm *vm, const struct vmctl_vcpu *vcpu,
		     enum vmctl_vm_event ev, u32 hw_reason);

/* ---- vm_ioctl.c: the VM fd ---- */
int vmctl_create_vm(const struct vmctl_vm_config *cfg);

/* ---- memslot.c: memory slots ---- */
struct vmctl_slot *vmctl_slot_find(struct vmctl_vm *vm, u64 gpa);
int vmctl_slot_set(struct vmctl_vm *vm, const struct vmctl_mem_slot *m);
int vmctl_slot_delete(struct vmctl_vm *vm, unsigned long id);
void vmctl_slot_free(struct vmctl_slot *s);

/* ---- irqchip.c: the VM's I/O APIC and the APIC bus ---- */
struct vmctl_irqchip {
	spinlock_t lock;	/* the I/O APIC; taken before any APIC's */
	struct vmctl_ioapic ioapic;
};

int vmctl_create_irqchip(struct vmctl_vm *vm);
void vmctl_irqchip_free(struct vmctl_vm *vm);
int vmctl_irq_line(struct vmctl_vm *vm, const struct vmctl_irq_line *l);
/* Route an APIC-bus message to every matching local APIC. */
bool vmctl_irqchip_deliver(struct vmctl_vm *vm,
			   const struct vmctl_apic_irq *irq);
void vmctl_irqchip_eoi(struct vmctl_vm *vm, u8 vector);
/* The xAPIC and I/O APIC pages: true when @op was one and is done. */
bool vmctl_irqchip_mmio(struct vmctl_vcpu *vcpu, struct vmctl_mmio_op *op);
void vmctl_irqchip_fill_read(struct vmctl_mmio_op *op, u32 val, u32 byte);

/* ---- ept.c: EPT paging structures ---- */
int vmctl_ept_init(struct vmctl_ept *ept);
void vmctl_ept_destroy(struct vmctl_ept *ept);
int vmctl_ept_map_slot(struct vmctl_ept *ept, const struct vmctl_slot *s);
void vmctl_ept_unmap_slot(struct vmctl_ept *ept, const struct vmctl_slot *s);

/* ---- guest_mem.c: guest-physical access for the emulator ---- */
extern const struct vmctl_emu_ops vmctl_guest_mem_ops;

/* ---- vcpu.c: vCPU object and its fd ---- */
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

struct vmctl_vcpu {
	struct vmctl_vm *vm;
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
	u64 cr0, cr4;		/* as the guest sees them */
	u64 efer;		/* as the guest sees it (LMA included) */
	u64 cr2, cr8, xcr0;
	u64 dr[4], dr6, dr7;	/* shadowed: never loaded into hardware */
	u64 swapped[NR_SWAPPED_MSRS];
	u64 tsc_aux, apic_base, misc_enable, mtrr_def_type;
	void *fpu;		/* XSAVE area, standard format */
	struct vmctl_cpuid_entry *cpuid;
	u32 cpuid_nent;

	/* host state saved by vcpu_load, restored by vcpu_put */
	struct vmctl_host_state host;
	bool loaded;
	bool l1d_flush_due;	/* host code ran since the last entry */

	/* exit bookkeeping */
	u32 exit_reason;
	u64 exit_qual;
	/* the exit user space answers: finished on the next RUN */
	int (*complete_user_exit)(struct vmctl_vcpu *vcpu);
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
	wait_queue_head_t wq;	/* where the run loop sleeps in HLT */
	u32 proc_ctls;		/* VMCS_PROC_CTLS as last written */
	struct vmctl_vapic *apic;	/* NULL without an irqchip */
	bool in_guest;		/* between the APIC check and the exit */
	bool halted;		/* in HLT, waiting for an interrupt */
	bool halt_if;		/* RFLAGS.IF at the HLT */
	bool exc_pending;	/* from VMCTL_INJECT_EXCEPTION */
	struct vmctl_exception exc;
	u32 reinject_info, reinject_err, reinject_len;	/* IDT vectoring */

	struct vmctl_vcpu_stats stats;
};

struct vmctl_vcpu *vmctl_vcpu_create(struct vmctl_vm *vm, u32 id);
void vmctl_vcpu_free(struct vmctl_vcpu *vcpu);
int vmctl_vcpu_with_vmcs(struct vmctl_vcpu *vcpu,
			 int (*fn)(struct vmctl_vcpu *vcpu, void *arg),
			 void *arg);
/* The exit counters; safe while the vCPU runs (GET_VCPU_STATS, netlink). */
void vmctl_vcpu_get_stats(const struct vmctl_vcpu *vcpu,
			  struct vmctl_vcpu_stats *st);

/* ---- vcpu_ioctl.c: the vCPU fd ---- */
int vmctl_create_vcpu(struct vmctl_vm *vm, unsigned long id);

/* ---- apic.c: a vCPU's local APIC, its timer, injection, HLT, SIPI ---- */
struct vmctl_vapic {
	spinlock_t lock;	/* the model; other vCPUs, timer, IRQ_LINE */
	struct vmctl_lapic lapic;
	struct hrtimer timer;
	struct vmctl_vcpu *vcpu;
};

void vmctl_apic_clock(struct vmctl_lapic_clock *clock, u32 *crystal_hz);
int vmctl_apic_create(struct vmctl_vcpu *vcpu);
void vmctl_apic_free(struct vmctl_vcpu *vcpu);
void vmctl_apic_kick(struct vmctl_vcpu *vcpu);
bool vmctl_apic_deliver(struct vmctl_vcpu *vcpu,
			const struct vmctl_apic_irq *irq, bool *matched);
void vmctl_apic_take_init_sipi(struct vmctl_vcpu *vcpu, bool *init, int *sipi);
bool vmctl_apic_runnable(struct vmctl_vcpu *vcpu, bool halted, bool irq_wakes);
void vmctl_apic_inject(struct vmctl_vcpu *vcpu, bool event_queued);
u64 vmctl_apic_get_base(struct vmctl_vcpu *vcpu);
int vmctl_apic_set_base(struct vmctl_vcpu *vcpu, u64 base, bool host);
int vmctl_apic_rdmsr(struct vmctl_vcpu *vcpu, u32 index, u64 *data);
int vmctl_apic_wrmsr(struct vmctl_vcpu *vcpu, u32 index, u64 data);
u64 vmctl_apic_get_cr8(struct vmctl_vcpu *vcpu);
void vmctl_apic_set_cr8(struct vmctl_vcpu *vcpu, u64 cr8);
bool vmctl_apic_mmio(struct vmctl_vcpu *vcpu, struct vmctl_mmio_op *op);

/* ---- vmcs_cpu.c: where a VMCS is active ---- */
void vmctl_vmcs_cpu_init(void);
int vmctl_vmcs_activate(struct vmctl_vcpu *vcpu);
void vmctl_vmcs_release(struct vmctl_vcpu *vcpu);
void vmctl_vmcs_clear_cpu(void);
int vmctl_vmcs_get(struct vmctl_vcpu *vcpu);
void vmctl_vmcs_put(struct vmctl_vcpu *vcpu);

/* ---- vmcs.c: VMCS controls and constant host state ---- */
void vmctl_vmcs_setup(struct vmctl_vcpu *vcpu);

/* ---- reset.c: RESET, INIT, SIPI ---- */
void vmctl_vcpu_reset(struct vmctl_vcpu *vcpu, bool init);
void vmctl_vcpu_sipi(struct vmctl_vcpu *vcpu, u8 vector);

/* ---- sregs.c ---- */
void vmctl_get_sregs(struct vmctl_vcpu *vcpu, struct vmctl_sregs *s);
int vmctl_set_sregs(struct vmctl_vcpu *vcpu, const struct vmctl_sregs *s);

/* ---- cr.c: control registers, EFER, XCR0, debug registers ---- */
u64 vmctl_real_cr0(u64 cr0);
u64 vmctl_real_cr4(u64 cr4);
void vmctl_apply_cr0(struct vmctl_vcpu *vcpu, u64 cr0);
void vmctl_apply_cr4(struct vmctl_vcpu *vcpu, u64 cr4);
void vmctl_apply_efer(struct vmctl_vcpu *vcpu, u64 efer);
bool vmctl_cr0_valid(struct vmctl_vcpu *vcpu, u64 cr0, bool host);
bool vmctl_cr4_valid(struct vmctl_vcpu *vcpu, u64 cr4, bool host);
bool vmctl_efer_valid(struct vmctl_vcpu *vcpu, u64 efer, bool host);
u64 vmctl_guest_xcr0_mask(void);
int vmctl_handle_cr(struct vmctl_vcpu *vcpu);
int vmctl_handle_dr(struct vmctl_vcpu *vcpu);
int vmctl_handle_xsetbv(struct vmctl_vcpu *vcpu);

/* ---- hoststate.c: switching host <-> guest state around the loop ---- */
int vmctl_vcpu_load(struct vmctl_vcpu *vcpu);
void vmctl_vcpu_put(struct vmctl_vcpu *vcpu);
void vmctl_fpu_init_guest(void *area);

/* ---- vcpu_state.c: the vCPU state below the exit handlers ---- */
#define EXIT_TO_USER	0	/* run->exit_reason filled in */
#define EXIT_REENTER	1

/* Exceptions that push an error code (in protected mode only). */
#define EXC_WITH_ERROR_CODE	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | \
				 BIT(13) | BIT(14) | BIT(17) | BIT(21))

/* Does @vector push an error code in the guest's present mode? */
static inline bool vmctl_exc_has_error_code(struct vmctl_vcpu *vcpu,
					    u8 vector)
{
	return (vcpu->cr0 & X86_CR0_PE) && vector < 32 &&
	       (EXC_WITH_ERROR_CODE & BIT(vector));
}

/* Segment fields are laid out ES CS SS DS FS GS LDTR TR, 2 apart. */
#define SEG_LDTR	6
#define SEG_TR		7
#define SEG_SEL(i)	(VMCS_GUEST_ES_SEL + 2 * (i))
#define SEG_LIMIT(i)	(VMCS_GUEST_ES_LIMIT + 2 * (i))
#define SEG_AR(i)	(VMCS_GUEST_ES_AR + 2 * (i))
#define SEG_BASE(i)	(VMCS_GUEST_ES_BASE + 2 * (i))

#define DR6_FIXED1	0xffff0ff0ULL
#define DR7_FIXED1	0x400ULL

u64 vmctl_gpr_read(struct vmctl_vcpu *vcpu, int reg);
void vmctl_gpr_write(struct vmctl_vcpu *vcpu, int reg, u64 val);
u8 vmctl_guest_cpl(void);
void vmctl_skip_insn(struct vmctl_vcpu *vcpu);
void vmctl_skip_insn_len(struct vmctl_vcpu *vcpu, u32 len);
void vmctl_queue_exception(struct vmctl_vcpu *vcpu, u8 vector, bool has_err,
			   u32 err);
int vmctl_internal_error(struct vmctl_vcpu *vcpu, u32 suberror, u32 ndata,
			 const u64 *data);
int vmctl_unhandled_exit(struct vmctl_vcpu *vcpu);
void vmctl_emu_cpu_get(struct vmctl_vcpu *vcpu, struct vmctl_emu_cpu *cpu);
void vmctl_emu_cpu_set(struct vmctl_vcpu *vcpu,
		       const struct vmctl_emu_cpu *cpu);
void vmctl_set_seg(int i, u16 sel, u64 base, u32 limit, u32 ar);
void vmctl_set_tsc_offset(struct vmctl_vcpu *vcpu, u64 offset);

/* The exit userspace sees, and the kernel's own copy of it. */
static inline void vmctl_set_exit(struct vmctl_vcpu *vcpu, u32 reason)
{
	vcpu->user_exit = reason;
	vcpu->run->exit_reason = reason;
}

/* ---- run.c: the run loop ---- */
long vmctl_vcpu_run(struct vmctl_vcpu *vcpu);
/* vmenter.S; @verw: clear CPU buffers right before the entry */
int vmctl_vmenter(u64 *gpr, unsigned long launched, unsigned long verw);
void vmctl_vmexit(void);	/* HOST_RIP: not callable */

/* ---- exits.c, io.c, ept_violation.c: exit handlers ---- */
int vmctl_handle_exit(struct vmctl_vcpu *vcpu);
int vmctl_handle_io(struct vmctl_vcpu *vcpu);
int vmctl_handle_ept_violation(struct vmctl_vcpu *vcpu);

/* ---- cpuid.c ---- */
int vmctl_cpuid_init_default(struct vmctl_vcpu *vcpu);
int vmctl_cpuid_set(struct vmctl_vcpu *vcpu, const struct vmctl_cpuid *c,
		    const struct vmctl_cpuid_entry *ents);
void vmctl_cpuid_lookup(struct vmctl_vcpu *vcpu, u32 fn, u32 idx, u32 out[4]);
int vmctl_handle_cpuid(struct vmctl_vcpu *vcpu);

/* ---- msr.c ---- */
int vmctl_msr_get(struct vmctl_vcpu *vcpu, u32 index, u64 *data);
int vmctl_msr_set(struct vmctl_vcpu *vcpu, u32 index, u64 data, bool host);
void vmctl_msr_bitmap_init(void *bitmap);
int vmctl_handle_rdmsr(struct vmctl_vcpu *vcpu);
int vmctl_handle_wrmsr(struct vmctl_vcpu *vcpu);
bool vmctl_apic_base_in_pa(struct vmctl_vcpu *vcpu, u64 base);

#endif /* VMCTL_PRIV_H */
