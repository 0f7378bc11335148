// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <assert.h>
#include "guest.h"

#define PTE_PS		(1ULL << 7)

static bool in_ram(u64 gpa, unsigned int len)
{
	if (gpa < HOLE_END && gpa + len > HOLE_GPA)
		return false;
	return gpa < RAM_SIZE && len <= RAM_SIZE - gpa;
}

static int read_gpa(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	struct guest *g = ctx;

	if (!in_ram(gpa, len))
		return -EFAULT;
	memcpy(buf, g->ram + gpa, len);
	return 0;
}

static int write_gpa(void *ctx, u64 gpa, const void *buf, unsigned int len)
{
	struct guest *g = ctx;

	if (!in_ram(gpa, len))
		return -EFAULT;
	memcpy(g->ram + gpa, buf, len);
	g->nr_writes++;
	return 0;
}

const struct vmctl_emu_ops guest_ops = {
	.read_gpa = read_gpa,
	.write_gpa = write_gpa,
};

struct guest *guest_new(void)
{
	struct guest *g = calloc(1, sizeof(*g));

	assert(g);
	g->ram = calloc(1, RAM_SIZE);
	assert(g->ram);
	g->next_table = TABLES_GPA;
	return g;
}

void guest_free(struct guest *g)
{
	free(g->ram);
	free(g);
}

void guest_poke(struct guest *g, u64 gpa, const void *buf, unsigned int len)
{
	assert(in_ram(gpa, len));
	memcpy(g->ram + gpa, buf, len);
}

void guest_peek(struct guest *g, u64 gpa, void *buf, unsigned int len)
{
	assert(in_ram(gpa, len));
	memcpy(buf, g->ram + gpa, len);
}

u64 guest_alloc_table(struct guest *g)
{
	u64 gpa = g->next_table;

	g->next_table += 4096;
	assert(g->next_table <= RAM_SIZE);
	memset(g->ram + gpa, 0, 4096);
	return gpa;
}

static u64 get_entry(struct guest *g, u64 gpa, unsigned int esize)
{
	u64 e = 0;

	guest_peek(g, gpa, &e, esize);
	return e;
}

static void set_entry(struct guest *g, u64 gpa, unsigned int esize, u64 e)
{
	guest_poke(g, gpa, &e, esize);
}

void guest_map(struct guest *g, enum pt_mode mode, u64 cr3, u64 gva,
	       u64 gpa, u64 size, u64 upper, u64 leaf)
{
	unsigned int esize = mode == PT_32 ? 4 : 8;
	unsigned int bits = mode == PT_32 ? 10 : 9;
	unsigned int level = mode == PT_4LEVEL ? 4 : 2;
	unsigned int leaf_level = size >= (1ULL << 30) ? 3 :
				  size > 4096 ? 2 : 1;
	u64 table = cr3 & ~0xfffULL, addr, e;

	if (mode == PT_PAE) {
		addr = (cr3 & ~0x1fULL) + ((gva >> 30) & 3) * 8;
		e = get_entry(g, addr, 8);
		if (!(e & PTE_P)) {
			e = guest_alloc_table(g) | PTE_P;
			set_entry(g, addr, 8, e);
		}
		table = e & ~0xfffULL;
	}
	for (;; level--) {
		addr = table + ((gva >> (12 + bits * (level - 1))) &
				((1ULL << bits) - 1)) * esize;
		if (level == leaf_level) {
			set_entry(g, addr, esize,
				  gpa | leaf | (level > 1 ? PTE_PS : 0));
			return;
		}
		e = get_entry(g, addr, esize);
		if (!(e & PTE_P)) {
			e = guest_alloc_table(g) | upper;
			set_entry(g, addr, esize, e);
		}
		table = e & 0x000ffffffffff000ULL;
	}
}

void cpu_real(struct vmctl_emu_cpu *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
	cpu->rflags = 0x2;
}

void cpu_prot32(struct vmctl_emu_cpu *cpu)
{
	cpu_real(cpu);
	cpu->cr0 = X86_CR0_PE | X86_CR0_ET;
	cpu->cs_db = true;
}

void cpu_long64(struct vmctl_emu_cpu *cpu, struct guest *g)
{
	u64 gb;

	cpu_real(cpu);
	cpu->cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
	cpu->cr4 = X86_CR4_PAE;
	cpu->efer = EFER_LME | VMCTL_EFER_LMA;
	cpu->cs_l = true;
	cpu->cr3 = guest_alloc_table(g);
	for (gb = 0; gb < 4; gb++)
		guest_map(g, PT_4LEVEL, cpu->cr3, gb << 30, gb << 30, 1ULL << 30,
			  PTE_ALL, PTE_ALL);
}
