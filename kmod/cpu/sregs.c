// SPDX-License-Identifier: GPL-2.0
/*
 * VMCTL_GET_SREGS / VMCTL_SET_SREGS: segments, descriptor tables, control
 * registers, EFER and the APIC base between struct vmctl_sregs and the
 * VMCS (KVM's __get_sregs()/__set_sregs() in x86.c).  A VMM restoring
 * state may jump into any consistent mode, so the checks are the host's
 * (cr.c, @host true), not the guest's transitions.  The VMCS is current.
 */
#include <linux/string.h>
#include "cpu/cr.h"
#include "cpu/msr.h"
#include "cpu/sregs.h"
#include "cpu/state.h"
#include "irqchip/apic.h"
#include "vm/vcpu.h"
#include "vmx/vmx_ops.h"

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

/*
 * Fields in range, and what VM entry would refuse (SDM 26.3.1.2)
 * refused here instead, so the caller hears EINVAL rather than a failed
 * entry: a limit no descriptor can hold (G must be 1 when bits 31:20 are
 * set, 0 when bits 11:0 are not all ones), and a base the register
 * cannot hold: canonical for FS, GS, TR and LDTR, 32 bits for CS, SS, DS
 * and ES.  An unusable segment is not checked, but CS and TR are always
 * used.
 */
static bool seg_valid(int seg, const struct vmctl_segment *s)
{
	bool used = !s->unusable || seg == SEG_CS || seg == SEG_TR;

	if (s->type > 15 || s->dpl > 3 || s->present > 1 || s->s > 1 ||
	    s->db > 1 || s->l > 1 || s->g > 1 || s->avl > 1 ||
	    s->unusable > 1 || s->padding)
		return false;
	if (!used)
		return true;
	if (s->g ? (s->limit & 0xfff) != 0xfff : s->limit >> 20)
		return false;
	if (seg == SEG_FS || seg == SEG_GS || seg == SEG_TR ||
	    seg == SEG_LDTR)
		return vmctl_canonical(s->base);
	return !(s->base >> 32);
}

static void seg_set(int i, const struct vmctl_segment *s)
{
	u32 ar = s->type | s->s * VMX_AR_S | s->dpl << VMX_AR_DPL_SHIFT |
		 s->present * VMX_AR_P | s->avl * VMX_AR_AVL | s->l * VMX_AR_L |
		 s->db * VMX_AR_DB | s->g * VMX_AR_G | s->unusable * VMX_AR_UNUSABLE;

	vmctl_set_seg(i, s->selector, s->base, s->limit, ar);
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

void vmctl_get_sregs(struct vmk_vcpu *vcpu, struct vmctl_sregs *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(sregs_segs); i++)
		seg_get(sregs_segs[i].seg, sregs_seg(s, i));
	s->gdt.base = vmcs_read(VMCS_GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(VMCS_GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
	s->cr0 = vmctl_sync_cr0(vcpu);
	s->cr2 = vcpu->cr2;
	s->cr3 = vmcs_read(VMCS_GUEST_CR3);
	s->cr4 = vcpu->cr4;
	s->cr8 = vcpu->apic ? vmctl_apic_get_cr8(vcpu) : vcpu->cr8;
	s->efer = vcpu->efer;
	s->apic_base = vcpu->apic ? vmctl_apic_get_base(vcpu) : vcpu->apic_base;
}

static bool dtable_valid(const struct vmctl_dtable *d)
{
	return !d->padding[0] && !d->padding[1] && !d->padding[2] &&
	       vmctl_canonical(d->base);
}

int vmctl_set_sregs(struct vmk_vcpu *vcpu, const struct vmctl_sregs *s)
{
	u64 old_efer = vcpu->efer;
	int i;

	if (s->flags || !dtable_valid(&s->gdt) || !dtable_valid(&s->idt) ||
	    s->cr8 > 15 || !vmctl_apic_base_in_pa(vcpu, s->apic_base) ||
	    (!vcpu->apic &&
			    (s->apic_base & 0xfff & ~(BIT(8) | BIT(11)))))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(sregs_segs); i++)
		if (!seg_valid(sregs_segs[i].seg, sregs_seg(s, i)))
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
