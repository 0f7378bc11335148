/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 8254 programmable interval timer of a PC: three 16-bit counters at
 * 1.193182 MHz (ports 0x40-0x42, control word at 0x43) and the system
 * control port 0x61, whose bit 0 is counter 2's gate and bit 5 its
 * output (Linux calibrates with them).  Counter 0's output is ISA IRQ 0.
 * Modes 0 to 5 with their gate rules, LSB/MSB/both access with the read
 * and write flip-flops, the counter latch and read-back commands with
 * the status byte.  BCD counting is accepted and counts in binary.
 * Times are the caller's nanoseconds (monotonic); pure logic like
 * lapic.c, the caller serialises calls.
 */
#ifndef VMCTL_PIT_H
#define VMCTL_PIT_H

#include "compat.h"

#define VMCTL_PIT_HZ		1193182
#define VMCTL_PIT_PORT		0x40	/* counters 0-2; 0x43 control */
#define VMCTL_PIT_PORT61	0x61

struct vmctl_pit_counter {
	u32 reload;		/* 1-65536 once written */
	u64 start;		/* ns at which the held ticks were counted */
	u64 held;		/* ticks counted before start */
	u16 latch;		/* the counter latch command's value */
	u8 mode, rw, bcd;	/* the control word's fields */
	u8 status;		/* a latched status byte */
	u8 write_lsb;		/* LSB of a two-byte write in progress */
	bool counting;		/* started and not held by its gate */
	bool armed;		/* a count has been written since the mode */
	bool gate;
	bool latched, status_latched, read_msb, write_msb, null_count;
};

struct vmctl_pit {
	struct vmctl_pit_counter c[3];
	bool speaker;		/* port 0x61 bit 1, kept for reads */
};

/* Power-up: no counter programmed, counters 0 and 1 gated on. */
void vmctl_pit_init(struct vmctl_pit *pit);

/* Byte accesses at @now; true when @port is the PIT's or port 0x61. */
bool vmctl_pit_write(struct vmctl_pit *pit, u16 port, u8 val, u64 now);
bool vmctl_pit_read(struct vmctl_pit *pit, u16 port, u8 *val, u64 now);

/*
 * When counter 0's output next rises (ISA IRQ 0's edge) after @now, in
 * ns, or 0 when it never will without a new write: once in modes 0, 1,
 * 4 and 5, every period in modes 2 and 3.
 */
u64 vmctl_pit_irq0_next(const struct vmctl_pit *pit, u64 now);

/*
 * A snapshot's PIT, which does not depend on the clock it was taken
 * with: vmctl_pit_save() gives @pit with each counter's ticks so far at
 * @now in ->held (->start 0).  vmctl_pit_check() returns -EINVAL when
 * such a state holds what no guest could have made (a mode, access or
 * BCD out of range, a count above 65536 or, once armed, 0, a counter
 * counting unarmed, VMCTL_PIT_MAX_TICKS ticks or more: their sums with
 * the time to come must not wrap), else 0; vmctl_pit_load() takes it,
 * each counter going on from its ticks at @now.
 */
#define VMCTL_PIT_MAX_TICKS	(1ULL << 56)

void vmctl_pit_save(const struct vmctl_pit *pit, u64 now,
		    struct vmctl_pit *out);
int vmctl_pit_check(const struct vmctl_pit *pit);
void vmctl_pit_load(struct vmctl_pit *pit, const struct vmctl_pit *from,
		    u64 now);

#endif /* VMCTL_PIT_H */
