// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A pair (see pic.h).  Facts from Intel's 8259A datasheet: ICW1
 * (bit 4 set on the command port) starts initialisation, clears the
 * mask and the in-service register and resets the edge detectors, so
 * an input already high must go low and high again to interrupt; ICW2
 * gives the vector base, ICW3 (cascade wiring) follows unless ICW1 said
 * single, ICW4 (auto-EOI, special fully nested) only if ICW1 asked for
 * it.  On the command port OCW3 has bit 3 set, OCW2 does not.  Priority
 * rotates with priority_add, the input that currently ranks highest.
 * The ELCR bits of IRQs 0, 1, 2, 8 and 13 are hard-wired to edge.
 */
#include "pic.h"

#define ELCR_MASTER_MASK	0xf8
#define ELCR_SLAVE_MASK		0xde

#define ICW1			0x10
#define ICW1_ICW4		0x01
#define ICW1_SINGLE		0x02
#define OCW3			0x08
#define OCW3_POLL		0x04
#define OCW3_READ		0x02	/* bit 0 then picks ISR (1) or IRR */
#define OCW3_SMM_SET		0x40	/* bit 5 then sets or clears it */
#define ICW4_AEOI		0x02
#define ICW4_SFNM		0x10

enum ocw2_cmd {
	OCW2_ROTATE_AEOI_CLEAR = 0, OCW2_EOI = 1, OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3, OCW2_ROTATE_AEOI_SET = 4, OCW2_ROTATE_EOI = 5,
	OCW2_SET_PRIORITY = 6, OCW2_ROTATE_SPECIFIC_EOI = 7,
};

static const u8 elcr_mask[2] = { ELCR_MASTER_MASK, ELCR_SLAVE_MASK };

static void chip_reset(struct vmctl_pic_chip *c)
{
	u8 elcr = c->elcr, lines = c->lines;

	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->lines = lines;
	/* A level input still asserted keeps requesting. */
	c->irr = lines & elcr;
}

void vmctl_pic_init(struct vmctl_pic *pic)
{
	memset(pic, 0, sizeof(*pic));
}

/* Rank of the best input in @mask (0 highest), 8 for none. */
static unsigned int priority(const struct vmctl_pic_chip *c, u8 mask)
{
	unsigned int p;

	for (p = 0; p < 8; p++)
		if (mask & (1U << ((p + c->priority_add) & 7)))
			return p;
	return 8;
}

/* The input this chip would present now, or -1. */
static int chip_pending(const struct vmctl_pic_chip *c, bool master)
{
	unsigned int p = priority(c, c->irr & ~c->imr), cur;
	u8 in_service = c->isr;

	if (p == 8)
		return -1;
	/* Special mask: masked inputs in service do not block others. */
	if (c->special_mask)
		in_service &= ~c->imr;
	/* Special fully nested: the slave may interrupt its own service. */
	if (master && c->special_nested)
		in_service &= ~(1U << VMCTL_PIC_CASCADE);
	cur = priority(c, in_service);
	return p < cur ? (int)((p + c->priority_add) & 7) : -1;
}

/* One input of one chip changed: edge detection or level following. */
static void chip_set_line(struct vmctl_pic_chip *c, unsigned int irq,
			  bool level)
{
	u8 bit = 1U << irq;

	if (level && !(c->lines & bit))
		c->irr |= bit;		/* a rising edge, or a level going on */
	else if (!level && (c->elcr & bit))
		c->irr &= ~bit;		/* a level request ends with its line */
	c->lines = level ? c->lines | bit : c->lines & ~bit;
}

/* The slave's INT is a level on the master's input 2. */
static void update(struct vmctl_pic *pic)
{
	struct vmctl_pic_chip *m = &pic->chip[0];
	u8 bit = 1U << VMCTL_PIC_CASCADE;

	if (chip_pending(&pic->chip[1], false) >= 0)
		m->irr |= bit;
	else
		m->irr &= ~bit;
	pic->output = chip_pending(m, true) >= 0;
}

void vmctl_pic_set_irq(struct vmctl_pic *pic, unsigned int irq, bool level)
{
	if (irq >= VMCTL_PIC_IRQS || irq == VMCTL_PIC_CASCADE)
		return;
	chip_set_line(&pic->chip[irq >> 3], irq & 7, level);
	update(pic);
}

/* Input @irq of @c is acknowledged: in service, or done (auto-EOI). */
static void chip_ack(struct vmctl_pic_chip *c, unsigned int irq)
{
	u8 bit = 1U << irq;

	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (irq + 1) & 7;
	} else {
		c->isr |= bit;
	}
	/* An edge request is taken; a level one stays while its line does. */
	if (!(c->elcr & bit))
		c->irr &= ~bit;
}

u8 vmctl_pic_ack(struct vmctl_pic *pic)
{
	struct vmctl_pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq = chip_pending(m, true), irq2;
	u8 vector;

	if (irq < 0) {
		vector = m->vector_base + 7;
	} else if (irq == VMCTL_PIC_CASCADE) {
		irq2 = chip_pending(s, false);
		if (irq2 >= 0)
			chip_ack(s, irq2);
		else
			irq2 = 7;
		/* The cascade input goes in service even when irq2 is spurious. */
		chip_ack(m, irq);
		vector = s->vector_base + irq2;
	} else {
		chip_ack(m, irq);
		vector = m->vector_base + irq;
	}
	update(pic);
	return vector;
}

int vmctl_pic_check(const struct vmctl_pic *pic)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct vmctl_pic_chip *c = &pic->chip[i];

		if ((c->elcr & ~elcr_mask[i]) || (c->vector_base & 7) ||
		    c->priority_add > 7 || c->init_state > 3)
			return -EINVAL;
	}
	return 0;
}

void vmctl_pic_load(struct vmctl_pic *pic, const struct vmctl_pic *from)
{
	*pic = *from;
	update(pic);
}

static void ocw2(struct vmctl_pic_chip *c, u8 val)
{
	unsigned int irq = val & 7, p;

	switch ((enum ocw2_cmd)(val >> 5)) {
	case OCW2_ROTATE_AEOI_CLEAR:
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_on_aeoi = val >> 7;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		p = priority(c, c->isr);
		if (p == 8)
			break;
		irq = (p + c->priority_add) & 7;
		c->isr &= ~(1U << irq);
		if (val >> 5 == OCW2_ROTATE_EOI)
			c->priority_add = (irq + 1) & 7;
		break;
	case OCW2_SPECIFIC_EOI:
		c->isr &= ~(1U << irq);
		break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= ~(1U << irq);
		c->priority_add = (irq + 1) & 7;
		break;
	case OCW2_SET_PRIORITY:
		c->priority_add = (irq + 1) & 7;
		break;
	case OCW2_NOP:
		break;
	}
}

static void command_write(struct vmctl_pic_chip *c, u8 val)
{
	if (val & ICW1) {
		chip_reset(c);
		c->init_state = 1;
		c->icw4 = val & ICW1_ICW4;
		c->single = val & ICW1_SINGLE;
	} else if (val & OCW3) {
		if (val & OCW3_POLL)
			c->poll = true;
		if (val & OCW3_READ)
			c->read_isr = val & 1;
		if (val & OCW3_SMM_SET)
			c->special_mask = (val >> 5) & 1;
	} else {
		ocw2(c, val);
	}
}

static void data_write(struct vmctl_pic_chip *c, u8 val)
{
	switch (c->init_state) {
	case 0:
		c->imr = val;
		break;
	case 1:
		c->vector_base = val & 0xf8;
		c->init_state = c->single ? (c->icw4 ? 3 : 0) : 2;
		break;
	case 2:			/* ICW3: the wiring is fixed here */
		c->init_state = c->icw4 ? 3 : 0;
		break;
	default:
		c->auto_eoi = val & ICW4_AEOI;
		c->special_nested = val & ICW4_SFNM;
		c->init_state = 0;
		break;
	}
}

/* Poll: the acknowledge without the interrupt; bit 7 says one was there. */
static u8 poll_read(struct vmctl_pic *pic, unsigned int i)
{
	struct vmctl_pic_chip *c = &pic->chip[i];
	int irq = chip_pending(c, !i);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_ack(c, irq);
	return 0x80 | irq;
}

bool vmctl_pic_write(struct vmctl_pic *pic, u16 port, u8 val)
{
	unsigned int i;

	switch (port) {
	case VMCTL_PIC_MASTER:
	case VMCTL_PIC_SLAVE:
		command_write(&pic->chip[port == VMCTL_PIC_SLAVE], val);
		break;
	case VMCTL_PIC_MASTER + 1:
	case VMCTL_PIC_SLAVE + 1:
		data_write(&pic->chip[port == VMCTL_PIC_SLAVE + 1], val);
		break;
	case VMCTL_PIC_ELCR:
	case VMCTL_PIC_ELCR + 1:
		i = port - VMCTL_PIC_ELCR;
		pic->chip[i].elcr = val & elcr_mask[i];
		break;
	default:
		return false;
	}
	update(pic);
	return true;
}

bool vmctl_pic_read(struct vmctl_pic *pic, u16 port, u8 *val)
{
	struct vmctl_pic_chip *c;

	switch (port) {
	case VMCTL_PIC_MASTER:
	case VMCTL_PIC_SLAVE:
		c = &pic->chip[port == VMCTL_PIC_SLAVE];
		if (c->poll) {
			*val = poll_read(pic, port == VMCTL_PIC_SLAVE);
			update(pic);
		} else {
			*val = c->read_isr ? c->isr : c->irr;
		}
		return true;
	case VMCTL_PIC_MASTER + 1:
	case VMCTL_PIC_SLAVE + 1:
		*val = pic->chip[port == VMCTL_PIC_SLAVE + 1].imr;
		return true;
	case VMCTL_PIC_ELCR:
	case VMCTL_PIC_ELCR + 1:
		*val = pic->chip[port - VMCTL_PIC_ELCR].elcr;
		return true;
	default:
		return false;
	}
}
