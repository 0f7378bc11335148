// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS contents (controls, host state, the x86 reset state) and where a
 * VMCS is active.
 *
 * A VMCS is active on at most one CPU.  Each CPU keeps a list of the VMCSs
 * active on it so that CPU offline and module unload can VMCLEAR them.
 * The list is only touched on its own CPU with interrupts off: by
 * activation, by the VMCLEAR IPI and by the hotplug callback.
 */
#include <linux/smp.h>
#include <linux/percpu.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/nospec-branch.h>
#include "vmctl_priv.h"
#include "vmx_ops.h"

struct vmcs_cpu {
	struct list_head active;
	void *current_vmcs;
};

static DEFINE_PER_CPU(struct vmcs_cpu, vmcs_cpu);

/* Segment fields are laid out ES CS SS DS FS GS LDTR TR, 2 apart. */
#define SEG_LDTR	6
#define SEG_TR		7
#define SEG_SEL(i)	(VMCS_GUEST_ES_SEL + 2 * (i))
#define SEG_LIMIT(i)	(VMCS_GUEST_ES_LIMIT + 2 * (i))
#define SEG_AR(i)	(VMCS_GUEST_ES_AR + 2 * (i))
#define SEG_BASE(i)	(VMCS_GUEST_ES_BASE + 2 * (i))

#define RESET_CR0	0x60000010ULL	/* CD NW ET */
#define RESET_PAT	0x0007040600070406ULL
#define DR6_FIXED1	0xffff0ff0ULL
#define DR7_FIXED1	0x400ULL

void vmctl_vmcs_cpu_init(void)
{
	INIT_LIST_HEAD(this_cpu_ptr(&vmcs_cpu.active));
	this_cpu_write(vmcs_cpu.current_vmcs, NULL);
}

/* On the CPU the VMCS is active on, interrupts off. */
static void vmcs_clear_local(struct vmctl_vcpu *vcpu)
{
	if (vmx_vmclear(vcpu->vmcs_pa))
		pr_err("vmctl: VMCLEAR failed on CPU %d\n", vcpu->cpu);
	list_del_init(&vcpu->loaded_node);
	if (this_cpu_read(vmcs_cpu.current_vmcs) == vcpu->vmcs)
		this_cpu_write(vmcs_cpu.current_vmcs, NULL);
	vcpu->launched = false;
	/* Launch state and list are settled before the new owner looks. */
	smp_wmb();
	WRITE_ONCE(vcpu->cpu, -1);
}

static void vmcs_clear_ipi(void *info)
{
	struct vmctl_vcpu *vcpu = info;

	if (READ_ONCE(vcpu->cpu) == smp_processor_id())
		vmcs_clear_local(vcpu);
}

/* CPU going offline (interrupts off): VMCLEAR everything active here. */
void vmctl_vmcs_clear_cpu(void)
{
	struct vmctl_vcpu *vcpu, *tmp;

	list_for_each_entry_safe(vcpu, tmp, this_cpu_ptr(&vmcs_cpu.active),
				 loaded_node)
		vmcs_clear_local(vcpu);
}

/* Wherever the VMCS is active, VMCLEAR it there.  May sleep. */
void vmctl_vmcs_release(struct vmctl_vcpu *vcpu)
{
	int cpu = READ_ONCE(vcpu->cpu);

	/* -ENXIO: the CPU went offline, its hotplug callback cleared us. */
	if (cpu >= 0)
		smp_call_function_single(cpu, vmcs_clear_ipi, vcpu, 1);
}

/* Host fields that differ per CPU: refreshed when the VMCS moves. */
static void vmcs_host_cpu_state(void)
{
	struct desc_ptr gdt, idt;
	struct ldttss_desc *tss;
	u64 v;

	native_store_gdt(&gdt);
	asm volatile("sidt %0" : "=m"(idt));
	tss = (struct ldttss_desc *)(gdt.address + GDT_ENTRY_TSS * 8);
	vmcs_write(VMCS_HOST_TR_BASE, tss->base0 | ((u64)tss->base1 << 16) |
		   ((u64)tss->base2 << 24) | ((u64)tss->base3 << 32));
	vmcs_write(VMCS_HOST_GDTR_BASE, gdt.address);
	vmcs_write(VMCS_HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_write(VMCS_HOST_GS_BASE, v);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(VMCS_HOST_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, v);
}

/*
 * Make the VMCS current on this CPU; preemption off, interrupts on.  A
 * VMCS active elsewhere is VMCLEARed there first (its launch state must be
 * flushed to memory), then loaded here and launched afresh.  Switching
 * the CPU to another vCPU's VMCS issues an IBPB first (where the host
 * uses IBPB at all), as kvm-intel does, so one guest cannot steer the
 * indirect branches of another VM that runs next on this CPU.
 */
int vmctl_vmcs_activate(struct vmctl_vcpu *vcpu)
{
	int cpu = smp_processor_id();
	int old = READ_ONCE(vcpu->cpu);

	if (old == cpu) {
		if (this_cpu_read(vmcs_cpu.current_vmcs) == vcpu->vmcs)
			return 0;
		indirect_branch_prediction_barrier();
		if (vmx_vmptrld(vcpu->vmcs_pa))
			goto fail;
		this_cpu_write(vmcs_cpu.current_vmcs, vcpu->vmcs);
		return 0;
	}
	if (old >= 0)
		smp_call_function_single(old, vmcs_clear_ipi, vcpu, 1);
	smp_rmb();	/* pairs with vmcs_clear_local(): cpu after the rest */
	WARN_ON_ONCE(READ_ONCE(vcpu->cpu) >= 0);

	indirect_branch_prediction_barrier();
	local_irq_disable();
	if (vmx_vmclear(vcpu->vmcs_pa) || vmx_vmptrld(vcpu->vmcs_pa)) {
		local_irq_enable();
		goto fail;
	}
	list_add(&vcpu->loaded_node, this_cpu_ptr(&vmcs_cpu.active));
	this_cpu_write(vmcs_cpu.current_vmcs, vcpu->vmcs);
	vcpu->launched = false;
	WRITE_ONCE(vcpu->cpu, cpu);
	local_irq_enable();

	vmcs_host_cpu_state();
	/* This CPU may hold translations from an earlier visit. */
	if (vcpu->vpid && vmx_invvpid(VMX_INVVPID_SINGLE, vcpu->vpid))
		pr_err_ratelimited("vmctl: INVVPID failed on CPU %d\n", cpu);
	return 0;
fail:
	pr_err_ratelimited("vmctl: cannot load the VMCS of vCPU %u on CPU %d\n",
			   vcpu->id, cpu);
	return -EIO;
}

int vmctl_vmcs_get(struct vmctl_vcpu *vcpu)
{
	int ret;

	preempt_disable();
	ret = vmctl_vmcs_activate(vcpu);
	if (ret)
		preempt_enable();
	return ret;
}

void vmctl_vmcs_put(struct vmctl_vcpu *vcpu)
{
	preempt_enable();
}

static void vmcs_set_seg(int i, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmcs_write(SEG_SEL(i), sel);
	vmcs_write(SEG_BASE(i), base);
	vmcs_write(SEG_LIMIT(i), limit);
	vmcs_write(SEG_AR(i), ar);
}

void vmctl_vmcs_set_tsc_offset(struct vmctl_vcpu *vcpu, u64 offset)
{
	WRITE_ONCE(vcpu->tsc_offset, offset);
	vmcs_write(VMCS_TSC_OFFSET, offset);
}

/* The architectural state after RESET (SDM vol. 3, 10.1.1). */
void vmctl_vmcs_reset_state(struct vmctl_vcpu *vcpu)
{
	u32 sig[4];
	int i;

	for (i = SEG_ES; i <= SEG_GS; i++)
		vmcs_set_seg(i, 0, 0, 0xffff, 0x93);
	vmcs_set_seg(SEG_CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
	vmcs_set_seg(SEG_LDTR, 0, 0, 0xffff, 0x82);
	vmcs_set_seg(SEG_TR, 0, 0, 0xffff, 0x8b);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_RIP, 0xfff0);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_RFLAGS, 2);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_DR7, DR7_FIXED1);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_PAT, RESET_PAT);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	/* One TSC for the whole VM: SMP guests check they agree. */
	vmctl_vmcs_set_tsc_offset(vcpu, -vcpu->vm->tsc_origin);

	memset(vcpu->gpr, 0, sizeof(vcpu->gpr));
	vmctl_cpuid_lookup(vcpu, 1, 0, sig);
	vcpu->gpr[GPR_RDX] = sig[0];	/* family, model, stepping */
	vcpu->efer = 0;
	vmctl_apply_cr0(vcpu, RESET_CR0);
	vmctl_apply_cr4(vcpu, 0);
	vcpu->cr2 = 0;
	vcpu->cr8 = 0;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr6 = DR6_FIXED1;
	vcpu->dr7 = DR7_FIXED1;
	memset(vcpu->swapped, 0, sizeof(vcpu->swapped));
	vcpu->tsc_aux = 0;
	vcpu->apic_base = 0xfee00000ULL | BIT(11) | (vcpu->id ? 0 : BIT(8));
	/* fast strings on; branch trace and PEBS unavailable */
	vcpu->misc_enable = BIT(0) | BIT(11) | BIT(12);
	vcpu->mtrr_def_type = 0;
}

static void vmcs_controls(struct vmctl_vcpu *vcpu)
{
	u32 proc2 = vmx_caps.proc2;

	if (!vcpu->vpid)
		proc2 &= ~PROC2_ENABLE_VPID;
	/* Virtual NMIs: apic.c injects NMIs and waits for NMI windows. */
	vmcs_write(VMCS_PIN_CTLS, vmx_caps.pin |
		   (vcpu->apic ? PIN_VIRTUAL_NMIS : 0));
	vmcs_write(VMCS_PROC_CTLS, vmx_caps.proc);
	vcpu->proc_ctls = vmx_caps.proc;
	vmcs_write(VMCS_PROC_CTLS2, proc2);
	vmcs_write(VMCS_EXIT_CTLS, vmx_caps.exit);
	vmcs_write(VMCS_ENTRY_CTLS, vmx_caps.entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_MSR_BITMAP, __pa(vcpu->msr_bitmap));
	vmcs_write(VMCS_EPT_POINTER, vcpu->vm->ept.eptp);
	if (vcpu->vpid)
		vmcs_write(VMCS_VPID, vcpu->vpid);
	/*
	 * Guest/host masks: CR0.NE/CD/NW are forced in hardware but shadowed;
	 * CR0.PG moves EFER.LMA.  All of CR4 is owned by us: VMXE stays set
	 * for real and hidden, and PAE/PGE/PSE changes reload PDPTEs.
	 */
	vmcs_write(VMCS_CR0_MASK, X86_CR0_NE | X86_CR0_CD | X86_CR0_NW |
		   X86_CR0_PG);
	vmcs_write(VMCS_CR4_MASK, ~0UL);
}

/* Host state that never changes; per-CPU parts come with activation. */
static void vmcs_host_constant_state(struct vmctl_vcpu *vcpu)
{
	u64 v;

	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vcpu->host.cr3 = __read_cr3();
	vmcs_write(VMCS_HOST_CR3, vcpu->host.cr3);
	vcpu->host.cr4 = __read_cr4();
	vmcs_write(VMCS_HOST_CR4, vcpu->host.cr4);
	vmcs_write(VMCS_HOST_CS_SEL, __KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SEL, __KERNEL_DS);
	/* Data selectors come back as 0; vcpu_put reloads the user's. */
	vmcs_write(VMCS_HOST_DS_SEL, 0);
	vmcs_write(VMCS_HOST_ES_SEL, 0);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, GDT_ENTRY_TSS * 8);
	vmcs_write(VMCS_HOST_RIP, (unsigned long)vmctl_vmexit);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write(VMCS_HOST_PAT, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write(VMCS_HOST_EFER, v);
}

int vmctl_vmcs_init(struct vmctl_vcpu *vcpu)
{
	unsigned int mark;
	int ret;

	ret = vmctl_vmcs_get(vcpu);
	if (ret)
		return ret;
	mark = vmx_batch_begin();
	vmcs_controls(vcpu);
	vmcs_host_constant_state(vcpu);
	vmctl_vmcs_reset_state(vcpu);
	ret = vmx_batch_end(mark);
	vmctl_vmcs_put(vcpu);
	return ret;
}

static void seg_get(int i, struct vmctl_segment *s)
{
	u32 ar = vmcs_read(SEG_AR(i));

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read(SEG_SEL(i));
	s->base = vmcs_read(SEG_BASE(i));
	s->limit = vmcs_read(SEG_LIMIT(i));
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S);
	s->dpl = (ar >> VMX_AR_DPL_SHIFT) & 3;
	s->present = !!(ar & VMX_AR_P);
	s->avl = !!(ar & VMX_AR_AVL);
	s->l = !!(ar & VMX_AR_L);
	s->db = !!(ar & VMX_AR_DB);
	s->g = !!(ar & VMX_AR_G);
	s->unusable = !!(ar & VMX_AR_UNUSABLE);
}

static bool seg_valid(const struct vmctl_segment *s)
{
	return s->type <= 15 && s->dpl <= 3 && s->present <= 1 && s->s <= 1 &&
	       s->db <= 1 && s->l <= 1 && s->g <= 1 && s->avl <= 1 &&
	       s->unusable <= 1 && !s->padding;
}

static void seg_set(int i, const struct vmctl_segment *s)
{
	u32 ar = s->type | s->s * VMX_AR_S | s->dpl << VMX_AR_DPL_SHIFT |
		 s->present * VMX_AR_P | s->avl * VMX_AR_AVL | s->l * VMX_AR_L |
		 s->db * VMX_AR_DB | s->g * VMX_AR_G | s->unusable * VMX_AR_UNUSABLE;

	vmcs_set_seg(i, s->selector, s->base, s->limit, ar);
}

/* Where each segment of struct vmctl_sregs lives in the VMCS. */
static const struct {
	size_t offset;
	int seg;
} sregs_segs[] = {
	{ offsetof(struct vmctl_sregs, cs), SEG_CS },
	{ offsetof(struct vmctl_sregs, ds), SEG_DS },
	{ offsetof(struct vmctl_sregs, es), SEG_ES },
	{ offsetof(struct vmctl_sregs, fs), SEG_FS },
	{ offsetof(struct vmctl_sregs, gs), SEG_GS },
	{ offsetof(struct vmctl_sregs, ss), SEG_SS },
	{ offsetof(struct vmctl_sregs, tr), SEG_TR },
	{ offsetof(struct vmctl_sregs, ldt), SEG_LDTR },
};

static struct vmctl_segment *sregs_seg(const struct vmctl_sregs *s, int i)
{
	return (struct vmctl_segment *)((char *)s + sregs_segs[i].offset);
}

void vmctl_get_sregs(struct vmctl_vcpu *vcpu, struct vmctl_sregs *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(sregs_segs); i++)
		seg_get(sregs_segs[i].seg, sregs_seg(s, i));
	s->gdt.base = vmcs_read(VMCS_GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(VMCS_GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
	s->cr0 = vcpu->cr0;
	s->cr2 = vcpu->cr2;
	s->cr3 = vmcs_read(VMCS_GUEST_CR3);
	s->cr4 = vcpu->cr4;
	s->cr8 = vcpu->apic ? vmctl_apic_get_cr8(vcpu) : vcpu->cr8;
	s->efer = vcpu->efer;
	s->apic_base = vcpu->apic ? vmctl_apic_get_base(vcpu) : vcpu->apic_base;
}

static bool dtable_valid(const struct vmctl_dtable *d)
{
	return !d->padding[0] && !d->padding[1] && !d->padding[2];
}

int vmctl_set_sregs(struct vmctl_vcpu *vcpu, const struct vmctl_sregs *s)
{
	u64 old_efer = vcpu->efer;
	int i;

	if (s->flags || !dtable_valid(&s->gdt) || !dtable_valid(&s->idt) ||
	    s->cr8 > 15 || !vmctl_apic_base_in_pa(vcpu, s->apic_base) ||
	    (!vcpu->apic &&
			    (s->apic_base & 0xfff & ~(BIT(8) | BIT(11)))))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(sregs_segs); i++)
		if (!seg_valid(sregs_seg(s, i)))
			return -EINVAL;
	/* Checked against the new EFER, as a VMM restoring state needs. */
	vcpu->efer = s->efer;
	if (!vmctl_efer_valid(vcpu, s->efer, true) ||
	    !vmctl_cr0_valid(vcpu, s->cr0, true) ||
	    !vmctl_cr4_valid(vcpu, s->cr4, true) ||
	    (vcpu->apic && vmctl_apic_set_base(vcpu, s->apic_base, true))) {
		vcpu->efer = old_efer;
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(sregs_segs); i++)
		seg_set(sregs_segs[i].seg, sregs_seg(s, i));
	vmcs_write(VMCS_GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_write(VMCS_GUEST_CR3, s->cr3);
	vcpu->cr2 = s->cr2;
	vcpu->cr8 = s->cr8;
	if (vcpu->apic)
		vmctl_apic_set_cr8(vcpu, s->cr8);
	vcpu->apic_base = s->apic_base;
	vmctl_apply_cr4(vcpu, s->cr4);
	vmctl_apply_cr0(vcpu, s->cr0);	/* also settles EFER.LMA, PDPTEs */
	return 0;
}
