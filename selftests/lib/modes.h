/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU modes for guests: the descriptor tables and page tables in guest
 * memory (layout.h) and the register state that enters each mode.
 */
#ifndef SELFTEST_MODES_H
#define SELFTEST_MODES_H

#include "vm.h"

#define X86_CR0_PE	(1UL << 0)
#define X86_CR0_ET	(1UL << 4)
#define X86_CR0_NE	(1UL << 5)
#define X86_CR0_PG	(1UL << 31)
#define X86_CR4_PAE	(1UL << 5)
#define X86_EFER_LME	(1UL << 8)
#define X86_EFER_LMA	(1UL << 10)

#define X86_RFLAGS_FIXED	(1UL << 1)	/* bit 1 always reads 1 */
#define X86_RFLAGS_IF		(1UL << 9)

/*
 * Write the GDT (flat code/data, 64-bit code, a TSS), the TSS, identity
 * page tables for the low 4 GiB and the 64-bit IDT whose 32 vectors lead
 * to the library's exception stubs (exceptions.h).  vm_create() does it.
 */
void vm_init_tables(struct vm *vm);

/*
 * Segment, control and EFER state for @mode over the tables above (real
 * mode: the vCPU's reset state with CS based at CODE_GPA).  @sregs must
 * hold the vCPU's current state; fields a mode does not use are kept.
 */
void sregs_for_mode(struct vmctl_sregs *sregs, enum guest_mode mode);

/*
 * Put @vcpu in @mode with RIP at CODE_GPA, a stack and clean GPRs.
 * RFLAGS.IF is set: nothing delivers interrupts to these guests, and
 * Bochs 2.7 keeps host interrupts masked for a guest entered with IF=0
 * (VM entry loads RFLAGS before the CPU counts as in VMX non-root), so
 * a guest spinning with IF=0 would never exit there.
 */
void vcpu_set_mode(struct vcpu *vcpu, enum guest_mode mode);

#endif /* SELFTEST_MODES_H */
