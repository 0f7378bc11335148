// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The x86 boot structures (x86_boot.h): descriptors, the TSS, identity
 * page tables and the registers of each start mode, for every loader.
 */
#include <string.h>

#include "x86_boot.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)	/* in a PD entry: a 2 MiB page */
#define MIB2		(2ULL << 20)

#define SEG_TYPE_DATA	0x3	/* read/write, accessed */
#define SEG_TYPE_CODE	0xb	/* execute/read, accessed */
#define SEG_TYPE_TSS	0xb	/* busy 32/64-bit TSS, as after LTR */
#define SEG_TYPE_LDT	0x2
#define TSS_LIMIT	(VMCTL_X86_TSS_SIZE - 1)
#define TSS_IOMAP_BASE	0x66

/* Access bytes: present, DPL 0, code/data (S) or system, and the type. */
#define ACCESS_CODE	(0x90 | SEG_TYPE_CODE)
#define ACCESS_DATA	(0x90 | SEG_TYPE_DATA)
#define ACCESS_TSS	(0x80 | SEG_TYPE_TSS)
/* Flags nibble: G, D/B, L, AVL from the top down. */
#define FLAGS_32	0xc	/* 4 KiB granularity, 32-bit */
#define FLAGS_64	0xa	/* 4 KiB granularity, 64-bit code */

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));	/* host and guest are little-endian */
}

static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access,
			   uint8_t flags)
{
	return (limit & 0xffffULL) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)(limit >> 16 & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

void vmctl_x86_flat_gdt(const struct vmctl_x86_flat_boot *b, void *page)
{
	uint8_t *p = page, *tss = p + (b->tss - b->gdt);

	memset(p, 0, b->tr + 16);
	put64(p + b->cs, descriptor(0, 0xfffff, ACCESS_CODE,
				    b->long_mode ? FLAGS_64 : FLAGS_32));
	put64(p + b->ds, descriptor(0, 0xfffff, ACCESS_DATA, FLAGS_32));
	/* A 16-byte system descriptor: base bits 63:32 (0 here) follow. */
	put64(p + b->tr, descriptor(b->tss, TSS_LIMIT, ACCESS_TSS, 0));
	memset(tss, 0, VMCTL_X86_TSS_SIZE);
	/* I/O bitmap offset past the limit: no bitmap, every port faults. */
	tss[TSS_IOMAP_BASE] = VMCTL_X86_TSS_SIZE;
}

void vmctl_x86_identity_map(uint64_t gpa, unsigned int nr_pds, void *tables)
{
	uint8_t *t = tables;
	uint64_t pdpt = gpa + VMCTL_X86_PAGE;
	unsigned int i, j;

	memset(t, 0, VMCTL_X86_IDENTITY_MAP_SIZE(nr_pds));
	put64(t, pdpt | PTE_P | PTE_RW);
	for (i = 0; i < nr_pds; i++) {
		uint64_t pd = pdpt + (1 + i) * VMCTL_X86_PAGE;
		uint8_t *pd_host = t + (pd - gpa);

		put64(t + VMCTL_X86_PAGE + 8 * i, pd | PTE_P | PTE_RW);
		for (j = 0; j < 512; j++)
			put64(pd_host + 8 * j, (i * VMCTL_X86_GIB + j * MIB2) |
			      PTE_P | PTE_RW | PTE_PS);
	}
}

static struct vmctl_segment flat_segment(uint16_t selector, bool code,
					 bool long_mode)
{
	return (struct vmctl_segment){
		.limit = 0xffffffff, .selector = selector,
		.type = code ? SEG_TYPE_CODE : SEG_TYPE_DATA,
		.present = 1, .s = 1, .g = 1,
		.l = code && long_mode, .db = !(code && long_mode),
	};
}

/* What every start mode shares: no LDT, no IDT yet, CR2 clear. */
static void common_sregs(struct vmctl_sregs *sregs)
{
	sregs->ldt = (struct vmctl_segment){ .type = SEG_TYPE_LDT,
		.unusable = 1 };
	sregs->cr2 = 0;
}

void vmctl_x86_flat_sregs(const struct vmctl_x86_flat_boot *b,
			  struct vmctl_sregs *sregs)
{
	struct vmctl_segment data = flat_segment(b->ds, false, b->long_mode);

	sregs->cs = flat_segment(b->cs, true, b->long_mode);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	sregs->tr = (struct vmctl_segment){ .base = b->tss,
		.limit = TSS_LIMIT, .selector = b->tr, .type = SEG_TYPE_TSS,
		.present = 1 };
	sregs->gdt = (struct vmctl_dtable){ .base = b->gdt,
		.limit = b->tr + 16 - 1 };
	sregs->idt = (struct vmctl_dtable){ 0 };
	common_sregs(sregs);
	sregs->cr0 = VMCTL_X86_CR0_PE | VMCTL_X86_CR0_ET | VMCTL_X86_CR0_NE;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
	if (b->long_mode) {
		sregs->cr0 |= VMCTL_X86_CR0_PG;
		sregs->cr3 = b->pml4;
		sregs->cr4 = VMCTL_X86_CR4_PAE;
		sregs->efer = VMCTL_X86_EFER_LME | VMCTL_X86_EFER_LMA;
	}
}

static struct vmctl_segment real_segment(uint16_t selector, bool code)
{
	return (struct vmctl_segment){
		.base = (uint64_t)selector << 4, .limit = 0xffff,
		.selector = selector,
		.type = code ? SEG_TYPE_CODE : SEG_TYPE_DATA,
		.present = 1, .s = 1,
	};
}

void vmctl_x86_real_sregs(uint16_t selector, struct vmctl_sregs *sregs)
{
	struct vmctl_segment data = real_segment(selector, false);

	sregs->cs = real_segment(selector, true);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	sregs->tr = (struct vmctl_segment){ .limit = 0xffff,
		.type = SEG_TYPE_TSS, .present = 1 };
	sregs->gdt = (struct vmctl_dtable){ .limit = 0xffff };
	sregs->idt = (struct vmctl_dtable){ .limit = 0x3ff };
	common_sregs(sregs);
	sregs->cr0 = VMCTL_X86_CR0_ET | VMCTL_X86_CR0_NE;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}
