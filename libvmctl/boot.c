// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CPU state an image starts in: real mode for flat binaries, flat
 * 32-bit protected mode for ELF32, long mode with identity-mapped 2 MiB
 * pages for ELF64.  Protected and long mode need a GDT (with a TSS, which
 * VM entry requires in TR), page tables and a stack in guest memory: the
 * "boot area", placed in the lowest free pages.  Pure logic, unit-tested.
 */
#include <string.h>

#include "internal.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define RFLAGS_FIXED	(1ULL << 1)
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define GIB		(1ULL << 30)
#define MIB2		(2ULL << 20)

#define SEG_TYPE_DATA	0x3	/* read/write, accessed */
#define SEG_TYPE_CODE	0xb	/* execute/read, accessed */
#define SEG_TYPE_TSS	0xb	/* busy 32/64-bit TSS, as after LTR */
#define TSS_LIMIT	0x67
#define GDT_ENTRIES	5	/* null, code, data, 16-byte TSS */

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static unsigned int nr_pds(uint64_t mem_size)
{
	uint64_t mapped = mem_size > GIB ? round_up(mem_size, GIB) : GIB;

	return mapped / GIB;
}

int vmctl_boot_area_plan(const struct vmctl_load_plan *plan,
			 uint64_t mem_size, struct vmctl_boot_area *area)
{
	uint64_t size = VMCTL_PAGE_SIZE, gpa = VMCTL_PAGE_SIZE, limit;
	unsigned int i, pds = 0;

	memset(area, 0, sizeof(*area));
	if (plan->mode == VMCTL_MODE_REAL)
		return 0;
	if (plan->mode == VMCTL_MODE_LONG64) {
		pds = nr_pds(mem_size);
		size += (2 + pds) * VMCTL_PAGE_SIZE;
	}
	size += VMCTL_BOOT_STACK_SIZE;

	/* Slide up past every segment in the way until nothing overlaps. */
	for (i = 0; i < plan->nr_segs; i++) {
		const struct vmctl_load_seg *s = &plan->segs[i];
		uint64_t start = s->gpa & ~(VMCTL_PAGE_SIZE - 1);
		uint64_t end = round_up(s->gpa + s->mem_size, VMCTL_PAGE_SIZE);

		if (gpa < end && start < gpa + size) {
			gpa = end;
			i = -1;		/* look at every segment again */
		}
	}
	/* The GDT base must be reachable from 32-bit code. */
	limit = mem_size < 4 * GIB ? mem_size : 4 * GIB;
	if (gpa > limit || size > limit - gpa)
		return vmctl_fail(-VMCTL_E_NO_BOOT_ROOM,
				  "need 0x%llx bytes of free memory above 0x1000",
				  (unsigned long long)size);

	area->gpa = gpa;
	area->size = size;
	area->gdt = gpa;
	area->tss = gpa + GDT_ENTRIES * 8;
	if (pds) {
		area->pml4 = gpa + VMCTL_PAGE_SIZE;
		area->nr_pds = pds;
	}
	area->stack_top = gpa + size;
	return 0;
}

/* A GDT descriptor; flags are G, D/B, L, AVL from the top nibble down. */
static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access,
			   uint8_t flags)
{
	return (limit & 0xffffULL) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)(limit >> 16 & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));	/* host and guest are little-endian */
}

void vmctl_boot_area_fill(const struct vmctl_boot_area *area,
			  enum vmctl_cpu_mode mode, void *mem)
{
	uint8_t *p = mem;
	bool long64 = mode == VMCTL_MODE_LONG64;
	unsigned int i, j;

	memset(p, 0, area->size);
	put64(p + VMCTL_GDT_CODE, descriptor(0, 0xfffff, 0x9b,
					     long64 ? 0xa : 0xc));
	put64(p + VMCTL_GDT_DATA, descriptor(0, 0xfffff, 0x93, 0xc));
	put64(p + VMCTL_GDT_TSS, descriptor(area->tss, TSS_LIMIT, 0x8b, 0));
	/* TSS: the I/O bitmap offset at its limit means "no bitmap". */
	p[area->tss - area->gpa + 0x66] = TSS_LIMIT + 1;

	for (i = 0; i < area->nr_pds; i++) {
		uint64_t pdpt = area->pml4 + VMCTL_PAGE_SIZE;
		uint64_t pd = pdpt + (1 + i) * VMCTL_PAGE_SIZE;
		uint8_t *pd_host = p + (pd - area->gpa);

		put64(p + (pdpt - area->gpa) + 8 * i, pd | PTE_P | PTE_RW);
		for (j = 0; j < 512; j++)
			put64(pd_host + 8 * j,
			      (i * GIB + j * MIB2) | PTE_P | PTE_RW | PTE_PS);
	}
	if (area->nr_pds)
		put64(p + (area->pml4 - area->gpa),
		      (area->pml4 + VMCTL_PAGE_SIZE) | PTE_P | PTE_RW);
}

static struct vmctl_segment segment(uint16_t selector, uint64_t base,
				    uint32_t limit, uint8_t type, bool code,
				    enum vmctl_cpu_mode mode)
{
	bool real = mode == VMCTL_MODE_REAL;

	return (struct vmctl_segment){
		.base = base, .limit = limit, .selector = selector,
		.type = type, .present = 1, .s = 1,
		.l = code && mode == VMCTL_MODE_LONG64,
		.db = !real && !(code && mode == VMCTL_MODE_LONG64),
		.g = !real,
	};
}

void vmctl_boot_cpu_state(const struct vmctl_load_plan *plan,
			  const struct vmctl_boot_area *area,
			  struct vmctl_regs *regs, struct vmctl_sregs *sregs)
{
	struct vmctl_segment code, data;

	memset(regs, 0, sizeof(*regs));
	regs->rflags = RFLAGS_FIXED;

	if (plan->mode == VMCTL_MODE_REAL) {
		/* CS is the entry's 64 KiB-aligned segment; so are the rest. */
		uint16_t sel = (plan->entry >> 4) & 0xf000;
		uint64_t base = (uint64_t)sel << 4;
		uint64_t load = plan->segs[0].gpa;

		code = segment(sel, base, 0xffff, SEG_TYPE_CODE, true,
			       plan->mode);
		data = segment(sel, base, 0xffff, SEG_TYPE_DATA, false,
			       plan->mode);
		regs->rip = plan->entry - base;
		regs->rsp = load >= base && load - base <= 0xffff ?
			    load - base : 0;
		sregs->tr = (struct vmctl_segment){ .limit = 0xffff,
			.type = SEG_TYPE_TSS, .present = 1 };
		sregs->gdt = (struct vmctl_dtable){ .limit = 0xffff };
		sregs->idt = (struct vmctl_dtable){ .limit = 0x3ff };
		sregs->cr0 = CR0_ET | CR0_NE;
		sregs->cr3 = 0;
		sregs->cr4 = 0;
		sregs->efer = 0;
	} else {
		code = segment(VMCTL_GDT_CODE, 0, 0xffffffff, SEG_TYPE_CODE,
			       true, plan->mode);
		data = segment(VMCTL_GDT_DATA, 0, 0xffffffff, SEG_TYPE_DATA,
			       false, plan->mode);
		regs->rip = plan->entry;
		regs->rsp = area->stack_top;
		sregs->tr = (struct vmctl_segment){ .base = area->tss,
			.limit = TSS_LIMIT, .selector = VMCTL_GDT_TSS,
			.type = SEG_TYPE_TSS, .present = 1 };
		sregs->gdt = (struct vmctl_dtable){ .base = area->gdt,
			.limit = GDT_ENTRIES * 8 - 1 };
		sregs->idt = (struct vmctl_dtable){ 0 };
		sregs->cr0 = CR0_PE | CR0_ET | CR0_NE;
		sregs->cr3 = 0;
		sregs->cr4 = 0;
		sregs->efer = 0;
		if (plan->mode == VMCTL_MODE_LONG64) {
			sregs->cr0 |= CR0_PG;
			sregs->cr3 = area->pml4;
			sregs->cr4 = CR4_PAE;
			sregs->efer = EFER_LME | EFER_LMA;
		}
	}
	sregs->cs = code;
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	sregs->ldt = (struct vmctl_segment){ .type = 0x2, .unusable = 1 };
}
