// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CPU state an image starts in: real mode for flat binaries, flat
 * 32-bit protected mode for ELF32, long mode with identity-mapped 2 MiB
 * pages for ELF64.  Protected and long mode need a GDT (with a TSS, which
 * VM entry requires in TR), page tables and a stack in guest memory: the
 * "boot area", placed in the lowest free pages.  This file decides where;
 * x86_boot.c builds what goes there and the registers.  Pure logic,
 * unit-tested.
 */
#include <string.h>

#include "internal.h"
#include "x86_boot.h"

#define GDT_ENTRIES	5	/* null, code, data, 16-byte TSS */

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static unsigned int nr_pds(uint64_t mem_size)
{
	uint64_t mapped = mem_size > VMCTL_X86_GIB ?
			  round_up(mem_size, VMCTL_X86_GIB) : VMCTL_X86_GIB;

	return mapped / VMCTL_X86_GIB;
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
		size += VMCTL_X86_IDENTITY_MAP_SIZE(pds);
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
	limit = mem_size < 4 * VMCTL_X86_GIB ? mem_size : 4 * VMCTL_X86_GIB;
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

static struct vmctl_x86_flat_boot flat_boot(const struct vmctl_boot_area *area,
					    enum vmctl_cpu_mode mode)
{
	return (struct vmctl_x86_flat_boot){
		.long_mode = mode == VMCTL_MODE_LONG64,
		.gdt = area->gdt, .tss = area->tss,
		.cs = VMCTL_GDT_CODE, .ds = VMCTL_GDT_DATA, .tr = VMCTL_GDT_TSS,
		.pml4 = area->pml4,
	};
}

void vmctl_boot_area_fill(const struct vmctl_boot_area *area,
			  enum vmctl_cpu_mode mode, void *mem)
{
	struct vmctl_x86_flat_boot b = flat_boot(area, mode);
	uint8_t *p = mem;

	memset(p, 0, area->size);
	vmctl_x86_flat_gdt(&b, p + (area->gdt - area->gpa));
	if (area->nr_pds)
		vmctl_x86_identity_map(area->pml4, area->nr_pds,
				       p + (area->pml4 - area->gpa));
}

void vmctl_boot_cpu_state(const struct vmctl_load_plan *plan,
			  const struct vmctl_boot_area *area,
			  struct vmctl_regs *regs, struct vmctl_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rflags = VMCTL_X86_RFLAGS_FIXED;

	if (plan->mode == VMCTL_MODE_REAL) {
		/* CS is the entry's 64 KiB-aligned segment; so are the rest. */
		uint16_t sel = (plan->entry >> 4) & 0xf000;
		uint64_t base = (uint64_t)sel << 4;
		uint64_t load = plan->segs[0].gpa;

		vmctl_x86_real_sregs(sel, sregs);
		regs->rip = plan->entry - base;
		regs->rsp = load >= base && load - base <= 0xffff ?
			    load - base : 0;
	} else {
		struct vmctl_x86_flat_boot b = flat_boot(area, plan->mode);

		vmctl_x86_flat_sregs(&b, sregs);
		regs->rip = plan->entry;
		regs->rsp = area->stack_top;
	}
}
