/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bench guest's memory map and ports.  Plain numbers only: guest.S
 * pastes them into real-mode assembly, the C side uses them too.
 *
 * Guest RAM is 64 MiB in two slots, with the PC's hole at 640 KiB..1 MiB
 * in between: the MMIO case reads inside the hole, which real-mode code
 * reaches with a segment register (FS = MMIO_SEG) and no paging at all.
 */
#ifndef BENCH_LAYOUT_H
#define BENCH_LAYOUT_H

#define LOW_RAM_SIZE	0xa0000		/* slot 0: [0, 640 KiB) */
#define HIGH_RAM_GPA	0x100000	/* slot 1: [1 MiB, ...) */
#define GUEST_RAM_SIZE	0x4000000	/* both slots: 64 MiB */
#define HIGH_RAM_SIZE	(GUEST_RAM_SIZE - LOW_RAM_SIZE)

#define PARAM_EAX	0x500		/* reloaded before every exit */
#define PARAM_ECX	0x504
#define PARAM_EDX	0x508
#define RESULT_TSC	0x510		/* 64-bit TSC delta of one batch */
#define CODE_GPA	0x1000		/* guest.S runs here, CS = 0 */

#define MMIO_SEG	0xd000
#define MMIO_GPA	0xd0000		/* MMIO_SEG << 4, inside the hole */

/* The timer case: the local APIC's xAPIC page and its registers. */
#define APIC_GPA	0xfee00000
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_SVR_ENABLE	0x1ff		/* software enable, spurious 0xff */
#define APIC_LVT_TIMER	0x320		/* one-shot: just the vector */
#define APIC_TMICT	0x380		/* initial count */
#define APIC_TDCR	0x3e0
#define APIC_TDCR_DIV1	0xb
#define TIMER_VECTOR	0x40
#define IVT_TIMER	(TIMER_VECTOR * 4)	/* real-mode IVT entry */
#define APIC_ICR	0x300
#define APIC_ICR2	0x310

/* The IPI cases: KVM's PV EOI flag and send-IPI hypercall. */
#define IPI_VECTOR	0x50
#define IVT_IPI		(IPI_VECTOR * 4)
#define PV_EOI_FLAG	0x520		/* 4-byte aligned, in low RAM */
#define MSR_KVM_PV_EOI_EN 0x4b564d04
#define KVM_HC_SEND_IPI	10

/* The first-touch cases: a slot of their own, 2 MiB aligned. */
#define FAULT_GPA	0x10000000	/* 256 MiB */
#define FAULT_SLOT	2

#define BENCH_PORT	0xf0		/* the OUT case's port */
#define DONE_PORT	0xf1		/* "batch done, delta in RESULT_TSC" */
#define DOORBELL_PORT	0xf2		/* the doorbell case: OUT, in kernel */

#endif /* BENCH_LAYOUT_H */
