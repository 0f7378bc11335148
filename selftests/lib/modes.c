// SPDX-License-Identifier: GPL-2.0
/*
 * Guest CPU modes.  The segment state given to SET_SREGS and the
 * descriptors written into the guest's GDT come from the same
 * struct vmctl_segment, so a segment reload in the guest (IRET from an
 * exception handler reloads CS and SS) finds what VM entry loaded.
 *
 * VM entry's guest-state checks (SDM vol. 3, 27.3.1.2) shape the values:
 * code and data segments are "accessed" types (CS 11, data 3), TR is a
 * busy TSS (type 11) in every mode, LDTR is unusable, and in IA-32e mode
 * CS.L=1 with CS.D=0.
 */
#include <stdint.h>
#include <string.h>

#include "exceptions.h"
#include "modes.h"

#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PDE_LARGE	(1ULL << 7)

#define SEG_TYPE_DATA_RW_ACCESSED	3
#define SEG_TYPE_CODE_RX_ACCESSED	11
#define SEG_TYPE_TSS_BUSY		11
#define IDT_GATE_INTR64			0x8e	/* present, DPL 0, type 14 */

static struct vmctl_segment flat_segment(uint16_t selector, uint8_t type,
					 int code64)
{
	struct vmctl_segment seg = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = !code64,
		.s = 1,
		.l = code64,
		.g = 1,
	};

	return seg;
}

static struct vmctl_segment tss_segment(void)
{
	struct vmctl_segment seg = {
		.base = TSS_GPA,
		.limit = 0x67,		/* the 104-byte TSS, no I/O bitmap */
		.selector = SEL_TSS,
		.type = SEG_TYPE_TSS_BUSY,
		.present = 1,
	};

	return seg;
}

/* The 8-byte GDT descriptor for @seg (SDM vol. 3, 3.4.5). */
static uint64_t descriptor(const struct vmctl_segment *seg)
{
	uint32_t limit = seg->g ? seg->limit >> 12 : seg->limit;

	return (limit & 0xffff) |
	       ((seg->base & 0xffffffULL) << 16) |
	       ((uint64_t)(seg->type & 0xf) << 40) |
	       ((uint64_t)(seg->s & 1) << 44) |
	       ((uint64_t)(seg->dpl & 3) << 45) |
	       ((uint64_t)(seg->present & 1) << 47) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(seg->avl & 1) << 52) |
	       ((uint64_t)(seg->l & 1) << 53) |
	       ((uint64_t)(seg->db & 1) << 54) |
	       ((uint64_t)(seg->g & 1) << 55) |
	       (((seg->base >> 24) & 0xffULL) << 56);
}

static void write_gdt(struct vm *vm)
{
	uint64_t *gdt = gpa_to_hva(vm, GDT_GPA);
	struct vmctl_segment code32 = flat_segment(SEL_CODE32,
						   SEG_TYPE_CODE_RX_ACCESSED, 0);
	struct vmctl_segment data = flat_segment(SEL_DATA,
						 SEG_TYPE_DATA_RW_ACCESSED, 0);
	struct vmctl_segment code64 = flat_segment(SEL_CODE64,
						   SEG_TYPE_CODE_RX_ACCESSED, 1);
	struct vmctl_segment tss = tss_segment();

	memset(gdt, 0, GDT_ENTRIES * 8);
	gdt[SEL_CODE32 >> 3] = descriptor(&code32);
	gdt[SEL_DATA >> 3] = descriptor(&data);
	gdt[SEL_CODE64 >> 3] = descriptor(&code64);
	gdt[SEL_TSS >> 3] = descriptor(&tss);
	gdt[(SEL_TSS >> 3) + 1] = (uint64_t)tss.base >> 32;
	memset(gpa_to_hva(vm, TSS_GPA), 0, 0x68);
}

/* PML4 -> PDPT -> 4 page directories of 2 MiB pages: the low 4 GiB. */
static void write_page_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(vm, PML4_GPA);
	uint64_t *pdpt = gpa_to_hva(vm, PDPT_GPA);
	uint64_t *pd = gpa_to_hva(vm, PD_GPA);
	unsigned int i;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = PDPT_GPA | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * 4096) | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_PRESENT | PTE_WRITE |
			PDE_LARGE;
}

/* 64-bit interrupt gates, vector v to the stub at exception_stub_gpa(v). */
static void write_idt(struct vm *vm)
{
	uint64_t *idt = gpa_to_hva(vm, IDT_GPA);
	unsigned int v;

	memset(idt, 0, 256 * 16);
	for (v = 0; v < EXCEPTION_VECTORS; v++) {
		uint64_t off = exception_stub_gpa(v);

		idt[2 * v] = (off & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
			     ((uint64_t)IDT_GATE_INTR64 << 40) |
			     (((off >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = off >> 32;
	}
}

void vm_init_tables(struct vm *vm)
{
	write_gdt(vm);
	write_page_tables(vm);
	write_idt(vm);
	exception_stubs_load(vm);
}

static void set_protected_segments(struct vmctl_sregs *sregs, int code64)
{
	struct vmctl_segment data = flat_segment(SEL_DATA,
						 SEG_TYPE_DATA_RW_ACCESSED, 0);

	sregs->cs = flat_segment(code64 ? SEL_CODE64 : SEL_CODE32,
				 SEG_TYPE_CODE_RX_ACCESSED, code64);
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
	sregs->tr = tss_segment();
	memset(&sregs->ldt, 0, sizeof(sregs->ldt));
	sregs->ldt.unusable = 1;
	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	sregs->gdt.base = GDT_GPA;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
}

void sregs_for_mode(struct vmctl_sregs *sregs, enum guest_mode mode)
{
	switch (mode) {
	case GUEST_REAL:
		/* The reset state, with CS:IP = (CODE_GPA >> 4):0. */
		sregs->cs.selector = CODE_GPA >> 4;
		sregs->cs.base = CODE_GPA;
		sregs->cr0 &= ~(X86_CR0_PE | X86_CR0_PG);
		sregs->cr4 = 0;
		sregs->efer = 0;
		break;
	case GUEST_PROT32:
		set_protected_segments(sregs, 0);
		/* No 32-bit IDT: an exception here ends in a triple fault. */
		memset(&sregs->idt, 0, sizeof(sregs->idt));
		sregs->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
		sregs->cr3 = 0;
		sregs->cr4 = 0;
		sregs->efer = 0;
		break;
	case GUEST_LONG64:
		set_protected_segments(sregs, 1);
		memset(&sregs->idt, 0, sizeof(sregs->idt));
		sregs->idt.base = IDT_GPA;
		sregs->idt.limit = 256 * 16 - 1;
		sregs->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
		sregs->cr3 = PML4_GPA;
		sregs->cr4 = X86_CR4_PAE;
		sregs->efer = X86_EFER_LME | X86_EFER_LMA;
		break;
	}
}

void vcpu_set_mode(struct vcpu *vcpu, enum guest_mode mode)
{
	struct vmctl_sregs sregs;
	struct vmctl_regs regs = { 0 };

	vcpu_get_sregs(vcpu, &sregs);
	sregs_for_mode(&sregs, mode);
	vcpu_set_sregs(vcpu, &sregs);

	regs.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IF;
	if (mode == GUEST_REAL) {
		regs.rip = 0;		/* CS.base is CODE_GPA */
		regs.rsp = 0xfff0;	/* SS.base 0: just below CODE_GPA */
	} else {
		regs.rip = CODE_GPA;
		regs.rsp = STACK_TOP;
	}
	vcpu_set_regs(vcpu, &regs);
}
