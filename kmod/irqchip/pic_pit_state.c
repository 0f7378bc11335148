// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi's struct vmctl_pic_pit_state to and from the models (see
 * include/uapi/linux/vmctl.h): the models' bools are the uapi's flag
 * bits, the PIT's ticks are what vmctl_pit_save() leaves in ->held.
 * The uapi's own fields (version, flags, reserved) are checked here,
 * what the models can hold by the models' check functions.
 */
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include "irqchip/pic_pit.h"
#include "irqchip/pic_pit_state.h"

/* Which bool of a model each uapi flag bit is. */
struct flag_bit {
	size_t offset;
	u32 bit;
};

#define PIC_FLAG(field, bit) { offsetof(struct vmctl_pic_chip, field), bit }
static const struct flag_bit pic_flags[] = {
	PIC_FLAG(icw4, VMCTL_PIC_ICW4),
	PIC_FLAG(single, VMCTL_PIC_SINGLE),
	PIC_FLAG(auto_eoi, VMCTL_PIC_AUTO_EOI),
	PIC_FLAG(rotate_on_aeoi, VMCTL_PIC_ROTATE_AEOI),
	PIC_FLAG(special_mask, VMCTL_PIC_SPECIAL_MASK),
	PIC_FLAG(special_nested, VMCTL_PIC_SPECIAL_NESTED),
	PIC_FLAG(poll, VMCTL_PIC_POLL),
	PIC_FLAG(read_isr, VMCTL_PIC_READ_ISR),
};

#define PIT_FLAG(field, bit) { offsetof(struct vmctl_pit_counter, field), bit }
static const struct flag_bit pit_flags[] = {
	PIT_FLAG(counting, VMCTL_PIT_COUNTING),
	PIT_FLAG(armed, VMCTL_PIT_ARMED),
	PIT_FLAG(gate, VMCTL_PIT_GATE),
	PIT_FLAG(latched, VMCTL_PIT_LATCHED),
	PIT_FLAG(status_latched, VMCTL_PIT_STATUS_LATCHED),
	PIT_FLAG(read_msb, VMCTL_PIT_READ_MSB),
	PIT_FLAG(write_msb, VMCTL_PIT_WRITE_MSB),
	PIT_FLAG(null_count, VMCTL_PIT_NULL_COUNT),
};

/* Both tables have eight entries: bits 0-7. */
#define NR_FLAGS	8
#define ALL_FLAGS	0xffU
static_assert(ARRAY_SIZE(pic_flags) == NR_FLAGS &&
	      ARRAY_SIZE(pit_flags) == NR_FLAGS);

static u32 flags_out(const void *model, const struct flag_bit *map)
{
	u32 flags = 0;
	unsigned int i;

	for (i = 0; i < NR_FLAGS; i++)
		if (*(const bool *)(model + map[i].offset))
			flags |= map[i].bit;
	return flags;
}

static void flags_in(void *model, const struct flag_bit *map, u32 flags)
{
	unsigned int i;

	for (i = 0; i < NR_FLAGS; i++)
		*(bool *)(model + map[i].offset) = flags & map[i].bit;
}

static void chip_out(const struct vmctl_pic_chip *c,
		     struct vmctl_pic_chip_state *s)
{
	s->irr = c->irr;
	s->isr = c->isr;
	s->imr = c->imr;
	s->lines = c->lines;
	s->elcr = c->elcr;
	s->vector_base = c->vector_base;
	s->priority_add = c->priority_add;
	s->init_state = c->init_state;
	s->flags = flags_out(c, pic_flags);
}

static void chip_in(struct vmctl_pic_chip *c,
		    const struct vmctl_pic_chip_state *s)
{
	c->irr = s->irr;
	c->isr = s->isr;
	c->imr = s->imr;
	c->lines = s->lines;
	c->elcr = s->elcr;
	c->vector_base = s->vector_base;
	c->priority_add = s->priority_add;
	c->init_state = s->init_state;
	flags_in(c, pic_flags, s->flags);
}

static void counter_out(const struct vmctl_pit_counter *c,
			struct vmctl_pit_counter_state *s)
{
	s->ticks = c->held;
	s->reload = c->reload;
	s->latch = c->latch;
	s->mode = c->mode;
	s->rw = c->rw;
	s->bcd = c->bcd;
	s->status = c->status;
	s->write_lsb = c->write_lsb;
	s->flags = flags_out(c, pit_flags);
}

static void counter_in(struct vmctl_pit_counter *c,
		       const struct vmctl_pit_counter_state *s)
{
	c->held = s->ticks;
	c->start = 0;
	c->reload = s->reload;
	c->latch = s->latch;
	c->mode = s->mode;
	c->rw = s->rw;
	c->bcd = s->bcd;
	c->status = s->status;
	c->write_lsb = s->write_lsb;
	flags_in(c, pit_flags, s->flags);
}

int vmctl_pic_pit_get_state(struct vmk_vm *vm, struct vmctl_pic_pit_state *st)
{
	struct vmctl_pic pic;
	struct vmctl_pit pit;
	unsigned int i;
	int ret = vmctl_pic_pit_save(vm, &pic, &pit);

	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	st->version = VMCTL_PIC_PIT_STATE_VERSION;
	st->flags = pit.speaker ? VMCTL_PIC_PIT_SPEAKER : 0;
	for (i = 0; i < ARRAY_SIZE(st->pic); i++)
		chip_out(&pic.chip[i], &st->pic[i]);
	for (i = 0; i < ARRAY_SIZE(st->pit); i++)
		counter_out(&pit.c[i], &st->pit[i]);
	return 0;
}

int vmctl_pic_pit_set_state(struct vmk_vm *vm,
			    const struct vmctl_pic_pit_state *st)
{
	struct vmctl_pic pic = { 0 };
	struct vmctl_pit pit = { 0 };
	unsigned int i;

	/* Created once, never taken away: vmctl_pic_pit_load() finds it. */
	if (!vmctl_has_pic_pit(vm))
		return -ENXIO;
	if (st->version != VMCTL_PIC_PIT_STATE_VERSION ||
	    (st->flags & ~VMCTL_PIC_PIT_SPEAKER) ||
	    memchr_inv(st->reserved, 0, sizeof(st->reserved)))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(st->pic); i++) {
		if ((st->pic[i].flags & ~ALL_FLAGS) || st->pic[i].reserved)
			return -EINVAL;
		chip_in(&pic.chip[i], &st->pic[i]);
	}
	for (i = 0; i < ARRAY_SIZE(st->pit); i++) {
		if ((st->pit[i].flags & ~ALL_FLAGS) || st->pit[i].reserved)
			return -EINVAL;
		counter_in(&pit.c[i], &st->pit[i]);
	}
	pit.speaker = st->flags & VMCTL_PIC_PIT_SPEAKER;
	return vmctl_pic_pit_load(vm, &pic, &pit);
}
