/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I/O APIC model: 24 input pins, the indirect register window (IOREGSEL at
 * +0x00, IOWIN at +0x10 of its MMIO page), a redirection-table entry per
 * pin with masking, edge and level triggering and remote IRR.  A pin that
 * fires becomes an APIC-bus message (struct vmctl_apic_irq) handed to the
 * owner's deliver callback, which routes it to the matching local APICs.
 * Pure logic like lapic.c, built into vmctl.ko and the unit tests; the
 * caller serialises calls (one lock per I/O APIC).
 */
#ifndef VMCTL_IOAPIC_H
#define VMCTL_IOAPIC_H

#include "lapic.h"

#define VMCTL_IOAPIC_BASE	0xfec00000ULL
#define VMCTL_IOAPIC_MMIO_SIZE	0x1000ULL
#define VMCTL_IOAPIC_PINS	24
#define VMCTL_IOAPIC_VERSION	0x11	/* 82093AA: no EOI register */

/* The window and its indirect registers */
#define IOAPIC_MMIO_REGSEL	0x00
#define IOAPIC_MMIO_WIN		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR0	0x10	/* pin n: low 0x10 + 2n, high + 1 */

/* Redirection-table entry bits beyond the LAPIC_ ones they share */
#define IOAPIC_RTE_DEST_SHIFT	56

struct vmctl_ioapic {
	u32 id;			/* 8-bit I/O APIC ID */
	u32 regsel;
	u64 redir[VMCTL_IOAPIC_PINS];
	u32 lines;		/* bit n: pin n is asserted */
	/* Route @irq; true when some local APIC accepted it. */
	bool (*deliver)(void *ctx, const struct vmctl_apic_irq *irq);
	void *ctx;
};

/* Reset state: every pin masked, edge-triggered, no line asserted. */
void vmctl_ioapic_init(struct vmctl_ioapic *io, u32 id,
		       bool (*deliver)(void *ctx,
				       const struct vmctl_apic_irq *irq),
		       void *ctx);

/*
 * 32-bit accesses at @offset in the MMIO page (the caller checks the
 * size).  Offsets other than IOREGSEL and IOWIN, and unimplemented
 * registers behind IOWIN, read 0 and ignore writes.
 */
u32 vmctl_ioapic_mmio_read(struct vmctl_ioapic *io, u64 offset);
void vmctl_ioapic_mmio_write(struct vmctl_ioapic *io, u64 offset, u32 val);

/*
 * Input @pin is now asserted (@level true) or not; polarity is the
 * device's business, so "asserted" is the logical state.  Edge pins fire
 * on the rising edge, level pins while asserted and remote IRR is clear.
 */
void vmctl_ioapic_set_irq(struct vmctl_ioapic *io, unsigned int pin,
			  bool level);

/*
 * A local APIC took an EOI for level-triggered @vector
 * (VMCTL_LAPIC_OUT_EOI): clear remote IRR of the pins using it and fire
 * again those still asserted.  Pins in the mask @lower are de-asserted
 * first (a resampled line: its device says again whether it still wants
 * service).  Returns the mask of pins whose remote IRR this cleared.
 */
u32 vmctl_ioapic_eoi(struct vmctl_ioapic *io, u8 vector, u32 lower);

/*
 * What a snapshot saves (VMCTL_GET/SET_IOAPIC).  set_regs refuses
 * (-EINVAL, nothing changed) bits no guest write sets (RTE bits 17-55,
 * delivery status), a remote IRR on an edge pin, an ID or regsel above
 * 8 bits, lines beyond the pins; then delivers what is due at once: an
 * asserted, unmasked level pin without remote IRR.
 */
struct vmctl_ioapic_regs {
	u32 id, regsel;
	u64 redir[VMCTL_IOAPIC_PINS];
	u32 lines;
};

void vmctl_ioapic_get_regs(const struct vmctl_ioapic *io,
			   struct vmctl_ioapic_regs *r);
int vmctl_ioapic_set_regs(struct vmctl_ioapic *io,
			  const struct vmctl_ioapic_regs *r);

#endif /* VMCTL_IOAPIC_H */
