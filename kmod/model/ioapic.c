// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC model (see ioapic.h).  Facts from the 82093AA datasheet: the
 * version register holds the highest pin number in bits 23:16, and
 * delivery status and remote IRR are read-only in the redirection
 * entries.  The ID takes bits 31:24 of the ID and arbitration registers
 * (8 bits, as later I/O xAPICs have, not the 82093AA's 4) so that it can
 * match any ID the MP table gives it.
 */
#include "ioapic.h"

#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		(0xffU << IOAPIC_ID_SHIFT)
#define RTE_LO_WRITABLE		(LAPIC_VECTOR_MASK | LAPIC_DM_MASK | \
				 LAPIC_DEST_LOGICAL_BIT | LAPIC_POLARITY_LOW | \
				 LAPIC_TRIGGER_LEVEL | LAPIC_LVT_MASKED)
#define RTE_HI_WRITABLE		(0xffULL << IOAPIC_RTE_DEST_SHIFT)

void vmctl_ioapic_init(struct vmctl_ioapic *io, u32 id,
		       bool (*deliver)(void *ctx,
				       const struct vmctl_apic_irq *irq),
		       void *ctx)
{
	int pin;

	memset(io, 0, sizeof(*io));
	io->id = id & 0xff;
	io->deliver = deliver;
	io->ctx = ctx;
	for (pin = 0; pin < VMCTL_IOAPIC_PINS; pin++)
		io->redir[pin] = LAPIC_LVT_MASKED;
}

static bool rte_level(u64 rte)
{
	return rte & LAPIC_TRIGGER_LEVEL;
}

/* Send pin @pin's message; a level pin waits for its EOI after this. */
static void fire(struct vmctl_ioapic *io, unsigned int pin)
{
	u64 rte = io->redir[pin];
	struct vmctl_apic_irq irq = {
		.vector = rte & LAPIC_VECTOR_MASK,
		.delivery = (rte & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT,
		.logical = rte & LAPIC_DEST_LOGICAL_BIT,
		.level = rte_level(rte),
		.assert = true,
		.dest = rte >> IOAPIC_RTE_DEST_SHIFT,
	};

	/* The 8-bit physical 0xff is the broadcast in either APIC mode. */
	if (!irq.logical && irq.dest == 0xff)
		irq.dest = VMCTL_APIC_BROADCAST;
	if (io->deliver(io->ctx, &irq) && irq.level)
		io->redir[pin] |= LAPIC_REMOTE_IRR;
}

/* Fire a level pin that is asserted, unmasked and not awaiting EOI. */
static void recheck_level(struct vmctl_ioapic *io, unsigned int pin)
{
	u64 rte = io->redir[pin];

	if (rte_level(rte) && !(rte & (LAPIC_LVT_MASKED | LAPIC_REMOTE_IRR)) &&
	    (io->lines & (1U << pin)))
		fire(io, pin);
}

void vmctl_ioapic_set_irq(struct vmctl_ioapic *io, unsigned int pin,
			  bool level)
{
	bool was;
	u64 rte;

	if (pin >= VMCTL_IOAPIC_PINS)
		return;
	was = io->lines & (1U << pin);
	if (level)
		io->lines |= 1U << pin;
	else
		io->lines &= ~(1U << pin);
	rte = io->redir[pin];
	if (rte_level(rte))
		recheck_level(io, pin);
	else if (level && !was && !(rte & LAPIC_LVT_MASKED))
		fire(io, pin);
}

u32 vmctl_ioapic_eoi(struct vmctl_ioapic *io, u8 vector, u32 lower)
{
	unsigned int pin;
	u32 acked = 0;

	for (pin = 0; pin < VMCTL_IOAPIC_PINS; pin++) {
		u64 rte = io->redir[pin];

		if (!rte_level(rte) || !(rte & LAPIC_REMOTE_IRR) ||
		    (rte & LAPIC_VECTOR_MASK) != vector)
			continue;
		if (lower & (1U << pin))
			io->lines &= ~(1U << pin);
		io->redir[pin] &= ~(u64)LAPIC_REMOTE_IRR;
		acked |= 1U << pin;
		recheck_level(io, pin);
	}
	return acked;
}

static u32 reg_read(const struct vmctl_ioapic *io, u32 reg)
{
	unsigned int pin = (reg - IOAPIC_REG_REDIR0) / 2;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id << IOAPIC_ID_SHIFT;
	case IOAPIC_REG_VERSION:
		return VMCTL_IOAPIC_VERSION |
		       (VMCTL_IOAPIC_PINS - 1) << 16;
	}
	if (reg < IOAPIC_REG_REDIR0 || pin >= VMCTL_IOAPIC_PINS)
		return 0;
	return reg & 1 ? io->redir[pin] >> 32 : (u32)io->redir[pin];
}

static void write_rte(struct vmctl_ioapic *io, unsigned int pin, bool high,
		      u32 val)
{
	u64 rte = io->redir[pin];

	if (high) {
		rte = (rte & ~RTE_HI_WRITABLE) |
		      (((u64)val << 32) & RTE_HI_WRITABLE);
	} else {
		rte = (rte & ~(u64)RTE_LO_WRITABLE) | (val & RTE_LO_WRITABLE);
		/* Remote IRR means nothing to an edge pin. */
		if (!rte_level(rte))
			rte &= ~(u64)LAPIC_REMOTE_IRR;
	}
	io->redir[pin] = rte;
	/* Unmasking an asserted level pin delivers it now. */
	recheck_level(io, pin);
}

static void reg_write(struct vmctl_ioapic *io, u32 reg, u32 val)
{
	unsigned int pin = (reg - IOAPIC_REG_REDIR0) / 2;

	if (reg == IOAPIC_REG_ID)
		io->id = (val & IOAPIC_ID_MASK) >> IOAPIC_ID_SHIFT;
	else if (reg >= IOAPIC_REG_REDIR0 && pin < VMCTL_IOAPIC_PINS)
		write_rte(io, pin, reg & 1, val);
}

u32 vmctl_ioapic_mmio_read(struct vmctl_ioapic *io, u64 offset)
{
	if (offset == IOAPIC_MMIO_REGSEL)
		return io->regsel;
	if (offset == IOAPIC_MMIO_WIN)
		return reg_read(io, io->regsel);
	return 0;
}

void vmctl_ioapic_mmio_write(struct vmctl_ioapic *io, u64 offset, u32 val)
{
	if (offset == IOAPIC_MMIO_REGSEL)
		io->regsel = val & 0xff;
	else if (offset == IOAPIC_MMIO_WIN)
		reg_write(io, io->regsel, val);
}

/* ---- snapshots ---- */

void vmctl_ioapic_get_regs(const struct vmctl_ioapic *io,
			   struct vmctl_ioapic_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->id = io->id;
	r->regsel = io->regsel;
	memcpy(r->redir, io->redir, sizeof(r->redir));
	r->lines = io->lines;
}

int vmctl_ioapic_set_regs(struct vmctl_ioapic *io,
			  const struct vmctl_ioapic_regs *r)
{
	unsigned int pin;

	if (r->id > 0xff || r->regsel > 0xff ||
	    (r->lines >> VMCTL_IOAPIC_PINS))
		return -EINVAL;
	for (pin = 0; pin < VMCTL_IOAPIC_PINS; pin++) {
		u64 rte = r->redir[pin];

		if (rte & ~(RTE_LO_WRITABLE | RTE_HI_WRITABLE |
			    (u64)LAPIC_REMOTE_IRR))
			return -EINVAL;
		if ((rte & LAPIC_REMOTE_IRR) && !rte_level(rte))
			return -EINVAL;
	}
	io->id = r->id;
	io->regsel = r->regsel;
	memcpy(io->redir, r->redir, sizeof(io->redir));
	io->lines = r->lines;
	for (pin = 0; pin < VMCTL_IOAPIC_PINS; pin++)
		recheck_level(io, pin);
	return 0;
}
