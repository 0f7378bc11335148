/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the test library puts things in guest-physical memory.  Plain
 * numbers only: these are pasted into guest assembly as well as C.
 *
 *   0x00000 IDT (real mode: the IVT)      0x09000 exception stubs
 *   0x01000 GDT                           0x0a000 stack (grows down from
 *   0x02000 TSS                                   STACK_TOP)
 *   0x03000 PML4                          0x10000 the test's guest code
 *   0x04000 PDPT                          0x80000 free for test data
 *   0x05000 4 page directories: the low 4 GiB identity-mapped with 2 MiB
 *           pages, so long-mode guests reach MMIO_GPA too.
 */
#ifndef SELFTEST_LAYOUT_H
#define SELFTEST_LAYOUT_H

#define GUEST_MEM_SIZE	0x100000	/* slot 0: [0, 1 MiB) */
#define IDT_GPA		0x0
#define GDT_GPA		0x1000
#define TSS_GPA		0x2000
#define PML4_GPA	0x3000
#define PDPT_GPA	0x4000
#define PD_GPA		0x5000
#define EXC_STUBS_GPA	0x9000
#define EXC_STUBS_SIZE	0x1000
#define STACK_TOP	0x10000
#define CODE_GPA	0x10000
#define CODE_MAX	0x70000
#define DATA_GPA	0x80000
#define MMIO_GPA	0xc0000000	/* outside every slot the library makes */

/* GDT selectors; SEL_TSS takes two slots (a 16-byte descriptor in long mode). */
#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
#define SEL_TSS		0x20
#define GDT_ENTRIES	6

#endif /* SELFTEST_LAYOUT_H */
