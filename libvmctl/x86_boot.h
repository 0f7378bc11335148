/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 structures a loader builds so that a vCPU starts in the mode
 * its image needs, without firmware: a flat GDT with a TSS (VM entry
 * requires a usable TR), 2 MiB identity page tables for long mode, and
 * the segment and control registers that go with them (Intel SDM vol. 3,
 * 3.4.5 segment descriptors, 4.5 4-level paging, 9.8 mode switching).
 * Used by the flat/ELF loader (boot.c) and the Linux loader (bzimage.c),
 * which decide only where these go and which selectors they use.
 * Pure logic: buffers in, bytes and registers out.
 */
#ifndef VMCTL_X86_BOOT_H
#define VMCTL_X86_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vmctl.h>

#define VMCTL_X86_CR0_PE	(1ULL << 0)
#define VMCTL_X86_CR0_ET	(1ULL << 4)
#define VMCTL_X86_CR0_NE	(1ULL << 5)
#define VMCTL_X86_CR0_PG	(1ULL << 31)
#define VMCTL_X86_CR4_PAE	(1ULL << 5)
#define VMCTL_X86_EFER_LME	(1ULL << 8)
#define VMCTL_X86_EFER_LMA	(1ULL << 10)
#define VMCTL_X86_RFLAGS_FIXED	(1ULL << 1)	/* bit 1 always reads 1 */

#define VMCTL_X86_PAGE		4096ULL
#define VMCTL_X86_GIB		(1ULL << 30)

/*
 * A start in flat 32-bit protected mode or 64-bit long mode.  The GDT
 * and the TSS share one page: the TSS after the GDT's last entry, which
 * is the 16-byte TSS descriptor at selector tr.
 */
struct vmctl_x86_flat_boot {
	bool long_mode;
	uint64_t gdt;		/* guest physical, page aligned */
	uint64_t tss;		/* guest physical, in the GDT's page */
	uint16_t cs, ds, tr;	/* selectors: the descriptors' offsets */
	uint64_t pml4;		/* long mode: vmctl_x86_identity_map()'s */
};

/* Bytes of the TSS: no I/O bitmap, no interrupt redirection map. */
#define VMCTL_X86_TSS_SIZE	0x68

/*
 * Write the GDT (flat code at cs, 64-bit in long mode, flat data at ds,
 * a busy TSS at tr, null descriptors elsewhere) and the TSS into the
 * GDT's page, seen by the host at page.  The rest of the page is left as
 * it is.
 */
void vmctl_x86_flat_gdt(const struct vmctl_x86_flat_boot *b, void *page);

/* Segment, descriptor-table and control registers for that start. */
void vmctl_x86_flat_sregs(const struct vmctl_x86_flat_boot *b,
			  struct vmctl_sregs *sregs);

/* Bytes of identity page tables mapping nr_pds GiB. */
#define VMCTL_X86_IDENTITY_MAP_SIZE(nr_pds)	((2 + (nr_pds)) * VMCTL_X86_PAGE)

/*
 * Page tables for guest physical gpa (page aligned), seen by the host at
 * tables: a PML4, a PDPT, then nr_pds (1..512) page directories of 2 MiB
 * pages mapping [0, nr_pds GiB) one to one, writable.  CR3 is gpa.
 */
void vmctl_x86_identity_map(uint64_t gpa, unsigned int nr_pds, void *tables);

/*
 * Real mode with every segment register at selector (base selector * 16,
 * 64 KiB limit), TR and the tables as after reset, paging and
 * protection off.
 */
void vmctl_x86_real_sregs(uint16_t selector, struct vmctl_sregs *sregs);

#endif /* VMCTL_X86_BOOT_H */
