// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walk: linear to guest-physical addresses for the
 * emulator's own accesses (instruction fetch, the RAM side of MOVS), and
 * the #PF or #GP an access that does not translate raises (string I/O).
 * Modes: paging off, 32-bit (4K, and 4M pages with CR4.PSE), PAE (4K, 2M)
 * and 4-level (4K, 2M, 1G).  Rights checked: present, write (supervisor
 * writes only with CR0.WP) and user (CPL 3); NX does not apply to data.
 * Not modelled: 5-level paging (VMCTL_EMU_UNHANDLED), SMEP/SMAP,
 * protection keys, reserved-bit checks, and setting accessed/dirty bits.
 */
#include "decode.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL	/* 8-byte entries */
#define PTE32_ADDR	0xfffff000ULL		/* 4-byte entries */
#define PDE32_4M_ADDR	0xffc00000ULL		/* 4M page bits 31:22 */
#define PDPTR_ADDR	0xffffffe0ULL		/* PAE CR3 */

static int read_entry(const struct vmctl_emu_ops *ops, void *ctx, u64 gpa,
		      unsigned int size, u64 *entry)
{
	u8 b[8];
	unsigned int i;
	int ret;

	ret = ops->read_gpa(ctx, gpa, b, size);
	if (ret)
		return ret;
	*entry = 0;
	for (i = 0; i < size; i++)
		*entry |= (u64)b[i] << (8 * i);
	return 0;
}

/* Guest-physical base of a large page mapped by @entry at @level. */
static u64 large_page_base(u64 entry, unsigned int esize, u64 page_size)
{
	/* PSE-36: bits 20:13 of a 4M PDE are physical bits 39:32. */
	if (esize == 4)
		return (entry & PDE32_4M_ADDR) | ((entry >> 13) & 0xff) << 32;
	return entry & PTE_ADDR & ~(page_size - 1);
}

/* Why a walk found no translation (walk()'s *@why). */
enum walk_fault { WALK_NOT_PRESENT, WALK_RIGHTS, WALK_NON_CANONICAL };

static int walk(const struct vmctl_emu_cpu *cpu,
		const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		bool write, u64 *gpa, enum walk_fault *why)
{
	bool user = cpu->cpl == 3, large = false;
	unsigned int level, esize, bits, shift;
	u64 table, entry, rights = PTE_RW | PTE_US, page_size;
	int ret;

	if (!(cpu->cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffffULL;
		return 0;
	}
	if (cpu->efer & VMCTL_EFER_LMA) {
		if (cpu->cr4 & X86_CR4_LA57)
			return VMCTL_EMU_UNHANDLED;
		if (vmctl_sext(gva, 6) != gva) {
			*why = WALK_NON_CANONICAL;
			return VMCTL_EMU_PAGE_FAULT;
		}
		level = 4;
		esize = 8;
		table = cpu->cr3 & PTE_ADDR;
	} else if (cpu->cr4 & X86_CR4_PAE) {
		/* PDPTEs carry no access rights, only the present bit. */
		ret = read_entry(ops, ctx, (cpu->cr3 & PDPTR_ADDR) +
				 ((gva >> 30) & 3) * 8, 8, &entry);
		if (ret)
			return ret;
		if (!(entry & PTE_P)) {
			*why = WALK_NOT_PRESENT;
			return VMCTL_EMU_PAGE_FAULT;
		}
		level = 2;
		esize = 8;
		table = entry & PTE_ADDR;
	} else {
		level = 2;
		esize = 4;
		table = cpu->cr3 & PTE32_ADDR;
	}
	bits = esize == 8 ? 9 : 10;

	for (;; level--) {
		shift = 12 + bits * (level - 1);
		ret = read_entry(ops, ctx,
				 table + ((gva >> shift) & ((1U << bits) - 1)) *
				 esize, esize, &entry);
		if (ret)
			return ret;
		if (!(entry & PTE_P)) {
			*why = WALK_NOT_PRESENT;
			return VMCTL_EMU_PAGE_FAULT;
		}
		rights &= entry;
		if (level == 1)
			break;
		if (entry & PTE_PS) {
			/* PML4E.PS is reserved; a 32-bit PDE needs CR4.PSE. */
			if (level == 4) {
				*why = WALK_RIGHTS;	/* RSVD, not modelled */
				return VMCTL_EMU_PAGE_FAULT;
			}
			large = esize == 8 || (cpu->cr4 & X86_CR4_PSE);
			if (large)
				break;
		}
		table = entry & (esize == 8 ? PTE_ADDR : PTE32_ADDR);
	}

	*why = WALK_RIGHTS;
	if (user && !(rights & PTE_US))
		return VMCTL_EMU_PAGE_FAULT;
	if (write && !(rights & PTE_RW) && (user || (cpu->cr0 & X86_CR0_WP)))
		return VMCTL_EMU_PAGE_FAULT;

	page_size = 1ULL << shift;
	if (large)
		*gpa = large_page_base(entry, esize, page_size);
	else
		*gpa = entry & (esize == 8 ? PTE_ADDR : PTE32_ADDR);
	*gpa |= gva & (page_size - 1);
	return 0;
}

/* Non-canonical addresses count as unmapped here: #GP on hardware. */
int vmctl_gva_to_gpa(const struct vmctl_emu_cpu *cpu,
		     const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		     bool write, u64 *gpa)
{
	enum walk_fault why;

	return walk(cpu, ops, ctx, gva, write, gpa, &why);
}

int vmctl_linear_check(const struct vmctl_emu_cpu *cpu,
		       const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		       unsigned int len, bool write, u64 *fault_addr,
		       u32 *pf_err)
{
	u64 wrap = vmctl_code_size(cpu) == 8 ? ~0ULL : 0xffffffffULL;
	u64 end = gva + len, gpa;
	enum walk_fault why;
	int ret;

	for (gva &= wrap; ; gva = (gva & ~(VMCTL_PAGE_SIZE - 1)) +
				  VMCTL_PAGE_SIZE) {
		ret = walk(cpu, ops, ctx, gva & wrap, write, &gpa, &why);
		if (ret == VMCTL_EMU_PAGE_FAULT) {
			if (why == WALK_NON_CANONICAL)
				return VMCTL_EMU_GP_FAULT;
			*fault_addr = gva & wrap;
			*pf_err = (why == WALK_RIGHTS ? VMCTL_PF_PRESENT : 0) |
				  (write ? VMCTL_PF_WRITE : 0) |
				  (cpu->cpl == 3 ? VMCTL_PF_USER : 0);
		}
		if (ret)
			return ret;
		if ((gva & ~(VMCTL_PAGE_SIZE - 1)) + VMCTL_PAGE_SIZE >= end)
			return 0;
	}
}

/*
 * Copy one 4K page at a time, each with its own translation: to @rbuf
 * when reading, from @wbuf when writing.  With neither, only check that
 * every page translates for the access.
 */
static int copy_linear(const struct vmctl_emu_cpu *cpu,
		       const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		       u8 *rbuf, const u8 *wbuf, unsigned int len, bool write)
{
	u64 wrap = vmctl_code_size(cpu) == 8 ? ~0ULL : 0xffffffffULL;
	unsigned int chunk;
	u64 gpa;
	int ret;

	for (; len; gva += chunk, len -= chunk) {
		gva &= wrap;
		chunk = VMCTL_PAGE_SIZE - (gva & (VMCTL_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		ret = vmctl_gva_to_gpa(cpu, ops, ctx, gva, write, &gpa);
		if (ret)
			return ret;
		if (rbuf) {
			ret = ops->read_gpa(ctx, gpa, rbuf, chunk);
			rbuf += chunk;
		} else if (wbuf) {
			ret = ops->write_gpa(ctx, gpa, wbuf, chunk);
			wbuf += chunk;
		}
		if (ret)
			return ret;
	}
	return 0;
}

int vmctl_read_linear(const struct vmctl_emu_cpu *cpu,
		      const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		      void *buf, unsigned int len)
{
	return copy_linear(cpu, ops, ctx, gva, buf, NULL, len, false);
}

int vmctl_write_linear(const struct vmctl_emu_cpu *cpu,
		       const struct vmctl_emu_ops *ops, void *ctx, u64 gva,
		       const void *buf, unsigned int len)
{
	/* Translate every page first: a faulting write changes nothing. */
	int ret = copy_linear(cpu, ops, ctx, gva, NULL, NULL, len, true);

	if (ret)
		return ret;
	return copy_linear(cpu, ops, ctx, gva, NULL, buf, len, true);
}
