/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake guest for the emulator unit tests: RAM at guest-physical 0 but
 * for the VGA hole; the hole and everything above RAM is "MMIO" (the RAM
 * callbacks fail there with -EFAULT), page-table builders for every paging mode, and CPU states
 * for real mode, flat 32-bit protected mode and 64-bit mode.
 */
#ifndef VMCTL_TEST_GUEST_H
#define VMCTL_TEST_GUEST_H

#include "emulate.h"

#define RAM_SIZE	(8ULL << 20)
#define TABLES_GPA	(6ULL << 20)	/* page tables come from here */
#define MMIO_GPA	0xd0000000ULL	/* not RAM: an MMIO region */
#define HOLE_GPA	0xa0000ULL	/* not RAM below 1M: the VGA hole */
#define HOLE_END	0xc0000ULL

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_ALL		(PTE_P | PTE_RW | PTE_US)

#define EFER_LME	(1ULL << 8)

enum pt_mode { PT_32, PT_PAE, PT_4LEVEL };

struct guest {
	u8 *ram;
	u64 next_table;
	unsigned int nr_writes;		/* write_gpa calls */
};

extern const struct vmctl_emu_ops guest_ops;

struct guest *guest_new(void);
void guest_free(struct guest *g);
void guest_poke(struct guest *g, u64 gpa, const void *buf, unsigned int len);
void guest_peek(struct guest *g, u64 gpa, void *buf, unsigned int len);
u64 guest_alloc_table(struct guest *g);

/*
 * Map @gva to @gpa with a page of @size bytes (4K, 2M/4M or 1G) in the
 * tables of @mode rooted at @cr3.  @upper holds the rights of the tables
 * created on the way, @leaf those of the final entry.
 */
void guest_map(struct guest *g, enum pt_mode mode, u64 cr3, u64 gva,
	       u64 gpa, u64 size, u64 upper, u64 leaf);

/* CPU states; 64-bit mode identity-maps 4 GiB with 1G pages. */
void cpu_real(struct vmctl_emu_cpu *cpu);
void cpu_prot32(struct vmctl_emu_cpu *cpu);
void cpu_long64(struct vmctl_emu_cpu *cpu, struct guest *g);

#endif /* VMCTL_TEST_GUEST_H */
