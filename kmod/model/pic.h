/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PC's pair of 8259A programmable interrupt controllers: the master
 * (ports 0x20-0x21, ISA IRQs 0-7) and the slave on its input 2 (ports
 * 0xa0-0xa1, IRQs 8-15), with the edge/level control registers (ELCR,
 * ports 0x4d0-0x4d1) of the PIIX chipsets.  Initialisation words ICW1-4,
 * operation words OCW1-3 (mask, EOI of every kind, priority rotation,
 * special mask, poll, IRR/ISR reads), auto-EOI, edge and level inputs.
 * Not modelled: single (uncascaded) mode, 8080 call mode, buffered
 * mode and ICW1's level-triggered bit, which no PC guest relies on (the
 * ELCR decides, per input).  Pure logic like lapic.c; the caller
 * serialises calls and reads @output after each one.
 */
#ifndef VMCTL_PIC_H
#define VMCTL_PIC_H

#include "compat.h"

#define VMCTL_PIC_MASTER	0x20
#define VMCTL_PIC_SLAVE		0xa0
#define VMCTL_PIC_ELCR		0x4d0	/* master's; 0x4d1 the slave's */
#define VMCTL_PIC_IRQS		16
#define VMCTL_PIC_CASCADE	2	/* the master input the slave drives */

struct vmctl_pic_chip {
	u8 irr, isr, imr;
	u8 lines;		/* inputs asserted now */
	u8 elcr;		/* bit n: input n level-triggered */
	u8 vector_base;		/* ICW2, bits 7:3 */
	u8 priority_add;	/* the input with the highest priority */
	u8 init_state;		/* 0: operating; 1-3: ICW2-4 expected */
	bool icw4, single, auto_eoi, rotate_on_aeoi, special_mask;
	bool special_nested, poll, read_isr;
};

struct vmctl_pic {
	struct vmctl_pic_chip chip[2];	/* master, slave */
	bool output;		/* the master's INTR pin */
};

/* Power-up state: both chips uninitialised, all inputs edge, IMR 0. */
void vmctl_pic_init(struct vmctl_pic *pic);

/* ISA IRQ @irq (< VMCTL_PIC_IRQS) is now asserted or not. */
void vmctl_pic_set_irq(struct vmctl_pic *pic, unsigned int irq, bool level);

/*
 * A byte access to @port: true when the port is one of the PIC pair's
 * or the ELCR's (a read then sets *@val).
 */
bool vmctl_pic_write(struct vmctl_pic *pic, u16 port, u8 val);
bool vmctl_pic_read(struct vmctl_pic *pic, u16 port, u8 *val);

/*
 * The CPU's interrupt acknowledge: the vector of the highest-priority
 * request, now in service (unless auto-EOI), or the master's IRQ 7
 * vector when the request went away (a spurious interrupt, as on
 * hardware).
 */
u8 vmctl_pic_ack(struct vmctl_pic *pic);

/*
 * A state from outside (a snapshot): vmctl_pic_check() returns -EINVAL
 * when @pic holds what no guest could have made (ELCR bits of inputs
 * wired to edge, a vector base with bits 2:0, a rank or an
 * initialisation step out of range), else 0; vmctl_pic_load() then
 * takes it and recomputes the cascade and @output.
 */
int vmctl_pic_check(const struct vmctl_pic *pic);
void vmctl_pic_load(struct vmctl_pic *pic, const struct vmctl_pic *from);

#endif /* VMCTL_PIC_H */
