// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 (see pit.h).  Facts from Intel's 8254 datasheet: a control
 * word (port 0x43) picks a counter (bits 7:6; 3 is the read-back
 * command), its access (bits 5:4; 0 latches the count), mode (3:1;
 * 6 and 7 are 2 and 3) and BCD (0).  A count of 0 means 65536.  Modes
 * 0 and 4 count while the gate is high and pause while it is low; modes
 * 1 and 5 start on a rising gate; modes 2 and 3 restart on a rising
 * gate and hold their output high while it is low.  Mode 0's output
 * rises at terminal count; mode 2's drops for the last clock of each
 * period; mode 3's is high for the first half.  The read-back status
 * byte: output (7), null count (6), access (5:4), mode (3:1), BCD (0).
 * Port 0x61 bit 4 toggles every 15.085 µs (memory refresh), which old
 * delay loops watch.
 */
#include "pit.h"

#define NSEC		1000000000U
#define REFRESH_NS	15085U
#define CONTROL		(VMCTL_PIT_PORT + 3)
#define RW_LATCH	0
#define RW_LSB		1
#define RW_MSB		2
#define RW_BOTH		3

void vmctl_pit_init(struct vmctl_pit *pit)
{
	memset(pit, 0, sizeof(*pit));
	pit->c[0].gate = true;
	pit->c[1].gate = true;
}

static u64 ticks(const struct vmctl_pit_counter *c, u64 now)
{
	if (!c->counting || now <= c->start)
		return c->held;
	return c->held + mul_u64_u32_div(now - c->start, VMCTL_PIT_HZ, NSEC);
}

static u64 ticks_to_ns(u64 t)
{
	return mul_u64_u32_div(t, NSEC, VMCTL_PIT_HZ);
}

/* Modes 1 and 5 wait for a rising gate; the others count once written. */
static bool gate_triggered(u8 mode)
{
	return mode == 1 || mode == 5;
}

static u16 count(const struct vmctl_pit_counter *c, u64 now)
{
	u64 t = ticks(c, now);
	u32 d = c->reload, half = d > 1 ? d / 2 : 1;

	if (!c->armed)
		return 0;
	switch (c->mode) {
	case 2:
		return d - t % d;
	case 3:		/* by twos, twice a period */
		return d - 2 * (t % half);
	default:	/* past terminal count it wraps and goes on */
		return d - t;
	}
}

static bool output(const struct vmctl_pit_counter *c, u64 now)
{
	u64 t = ticks(c, now);
	u32 d = c->reload;
	bool started = c->counting || c->held;

	if (!c->armed)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return t >= d;
	case 1:
		return !started || t >= d;
	case 2:
		return !c->counting || d < 2 || t % d != d - 1;
	case 3:
		return !c->counting || t % d < (d + 1) / 2;
	default:	/* 4, 5: low for the clock at terminal count */
		return !started || t != d;
	}
}

static void set_gate(struct vmctl_pit_counter *c, bool gate, u64 now)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->armed)
		return;
	if (!gate) {
		if (c->mode != 1 && c->mode != 5 && c->counting) {
			c->held = ticks(c, now);
			c->counting = false;
		}
		return;
	}
	if (c->mode != 0 && c->mode != 4)
		c->held = 0;	/* a (re)trigger starts a new count */
	c->start = now;
	c->counting = true;
}

static void load(struct vmctl_pit_counter *c, u32 val, u64 now)
{
	c->reload = val ? val : 0x10000;
	c->armed = true;
	c->null_count = false;
	c->held = 0;
	c->start = now;
	c->counting = c->gate && !gate_triggered(c->mode);
}

static void latch_count(struct vmctl_pit_counter *c, u64 now)
{
	if (c->latched)
		return;
	c->latch = count(c, now);
	c->latched = true;
	c->read_msb = false;
}

static void latch_status(struct vmctl_pit_counter *c, u64 now)
{
	if (c->status_latched)
		return;
	c->status = output(c, now) << 7 | c->null_count << 6 | c->rw << 4 |
		    c->mode << 1 | c->bcd;
	c->status_latched = true;
}

static void control_write(struct vmctl_pit *pit, u8 val, u64 now)
{
	struct vmctl_pit_counter *c;
	unsigned int i;

	if (val >> 6 == 3) {	/* read-back: bits 3:1 pick the counters */
		for (i = 0; i < 3; i++) {
			if (!(val & (2U << i)))
				continue;
			if (!(val & 0x20))
				latch_count(&pit->c[i], now);
			if (!(val & 0x10))
				latch_status(&pit->c[i], now);
		}
		return;
	}
	c = &pit->c[val >> 6];
	if (((val >> 4) & 3) == RW_LATCH) {
		latch_count(c, now);
		return;
	}
	c->rw = (val >> 4) & 3;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = val & 1;
	c->armed = false;
	c->counting = false;
	c->held = 0;
	c->null_count = true;
	c->latched = false;
	c->read_msb = false;
	c->write_msb = false;
}

static void data_write(struct vmctl_pit_counter *c, u8 val, u64 now)
{
	switch (c->rw) {
	case RW_LSB:
		load(c, val, now);
		break;
	case RW_MSB:
		load(c, val << 8, now);
		break;
	case RW_BOTH:
		if (!c->write_msb) {
			c->write_lsb = val;
			c->write_msb = true;
		} else {
			load(c, c->write_lsb | val << 8, now);
			c->write_msb = false;
		}
		break;
	default:		/* never programmed */
		break;
	}
}

static u8 data_read(struct vmctl_pit_counter *c, u64 now)
{
	u16 v = c->latched ? c->latch : count(c, now);
	bool msb = c->rw == RW_MSB || (c->rw == RW_BOTH && c->read_msb);

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->rw == RW_BOTH)
		c->read_msb = !c->read_msb;
	if (c->rw != RW_BOTH || !c->read_msb)
		c->latched = false;	/* its last byte read */
	return msb ? v >> 8 : v & 0xff;
}

bool vmctl_pit_write(struct vmctl_pit *pit, u16 port, u8 val, u64 now)
{
	if (port == VMCTL_PIT_PORT61) {
		set_gate(&pit->c[2], val & 1, now);
		pit->speaker = val & 2;
	} else if (port == CONTROL) {
		control_write(pit, val, now);
	} else if (port >= VMCTL_PIT_PORT && port < CONTROL) {
		data_write(&pit->c[port - VMCTL_PIT_PORT], val, now);
	} else {
		return false;
	}
	return true;
}

bool vmctl_pit_read(struct vmctl_pit *pit, u16 port, u8 *val, u64 now)
{
	if (port == VMCTL_PIT_PORT61) {
		*val = pit->c[2].gate | pit->speaker << 1 |
		       (mul_u64_u32_div(now, 1, REFRESH_NS) & 1) << 4 |
		       output(&pit->c[2], now) << 5;
	} else if (port == CONTROL) {
		*val = 0xff;	/* write-only */
	} else if (port >= VMCTL_PIT_PORT && port < CONTROL) {
		*val = data_read(&pit->c[port - VMCTL_PIT_PORT], now);
	} else {
		return false;
	}
	return true;
}

u64 vmctl_pit_irq0_next(const struct vmctl_pit *pit, u64 now)
{
	const struct vmctl_pit_counter *c = &pit->c[0];
	u64 t = ticks(c, now), next;
	u32 d = c->reload;

	if (!c->armed || !c->counting)
		return 0;
	if (c->mode == 2 || c->mode == 3) {
		next = c->start + ticks_to_ns((t / d + 1) * d - c->held);
		/* ns round down: never an edge that is not after @now */
		return next > now ? next : next + ticks_to_ns(d);
	}
	if (t >= d)
		return 0;
	return c->start + ticks_to_ns(d - c->held);
}

void vmctl_pit_save(const struct vmctl_pit *pit, u64 now,
		    struct vmctl_pit *out)
{
	unsigned int i;

	*out = *pit;
	for (i = 0; i < 3; i++) {
		out->c[i].held = ticks(&pit->c[i], now);
		out->c[i].start = 0;
	}
}

int vmctl_pit_check(const struct vmctl_pit *pit)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		const struct vmctl_pit_counter *c = &pit->c[i];

		if (c->mode > 5 || c->rw > RW_BOTH || c->bcd > 1 ||
		    c->reload > 0x10000 || (c->armed && !c->reload) ||
		    (c->counting && !c->armed) ||
		    c->held >= VMCTL_PIT_MAX_TICKS)
			return -EINVAL;
	}
	return 0;
}

void vmctl_pit_load(struct vmctl_pit *pit, const struct vmctl_pit *from,
		    u64 now)
{
	unsigned int i;

	*pit = *from;
	for (i = 0; i < 3; i++)
		pit->c[i].start = now;
}
