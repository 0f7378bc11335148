// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-walk tests on hand-built page tables in a fake guest memory:
 * every paging mode and page size, access rights, linear copies that
 * cross pages, and the fault a linear access raises.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "guest.h"

struct fixture {
	struct guest *g;
	struct vmctl_emu_cpu cpu;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->g = guest_new();
	cpu_prot32(&f->cpu);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	guest_free(f->g);
	free(f);
	return 0;
}

/* Turn on @mode with a fresh root table. */
static void paging(struct fixture *f, enum pt_mode mode)
{
	struct vmctl_emu_cpu *cpu = &f->cpu;

	if (mode == PT_4LEVEL)
		cpu_long64(cpu, f->g);	/* for the mode bits: new CR3 below */
	cpu->cr0 |= X86_CR0_PG | X86_CR0_WP;
	cpu->cr3 = guest_alloc_table(f->g);
	if (mode == PT_PAE)
		cpu->cr4 |= X86_CR4_PAE;
	else if (mode == PT_32)
		cpu->cr4 |= X86_CR4_PSE;
}

static int xlate(struct fixture *f, u64 gva, bool write, u64 *gpa)
{
	*gpa = ~0ULL;
	return vmctl_gva_to_gpa(&f->cpu, &guest_ops, f->g, gva, write, gpa);
}

static void expect_gpa(struct fixture *f, u64 gva, u64 want)
{
	u64 gpa;

	assert_int_equal(xlate(f, gva, false, &gpa), 0);
	assert_int_equal(gpa, want);
	assert_int_equal(xlate(f, gva, true, &gpa), 0);
	assert_int_equal(gpa, want);
}

static void expect_fault(struct fixture *f, u64 gva, bool write)
{
	u64 gpa;

	assert_int_equal(xlate(f, gva, write, &gpa), VMCTL_EMU_PAGE_FAULT);
}

static void test_no_paging(void **state)
{
	struct fixture *f = *state;

	expect_gpa(f, 0x12345678, 0x12345678);
	/* Linear addresses are 32 bits without paging. */
	expect_gpa(f, 0x100000abcULL, 0xabc);
}

static void test_32bit_4k(void **state)
{
	struct fixture *f = *state;

	paging(f, PT_32);
	guest_map(f->g, PT_32, f->cpu.cr3, 0xc0801000, 0x345000, 4096,
		  PTE_ALL, PTE_ALL);
	expect_gpa(f, 0xc0801000, 0x345000);
	expect_gpa(f, 0xc0801ffc, 0x345ffc);
	expect_fault(f, 0xc0802000, false);	/* same table, no PTE */
	expect_fault(f, 0xc0c01000, false);	/* no PDE */
}

static void test_32bit_4m_pse(void **state)
{
	struct fixture *f = *state;

	paging(f, PT_32);
	guest_map(f->g, PT_32, f->cpu.cr3, 0x80000000, 0x400000, 4ULL << 20,
		  PTE_ALL, PTE_ALL);
	expect_gpa(f, 0x80123456, 0x523456);
	/* Without CR4.PSE the PS bit is ignored: the PDE points to a page
	 * table, here the zeroed RAM at 4M, so nothing is present.
	 */
	f->cpu.cr4 &= ~X86_CR4_PSE;
	expect_fault(f, 0x80123456, false);
}

static void test_32bit_pse36(void **state)
{
	struct fixture *f = *state;
	u32 pde = 0x00c00000 | (0x3 << 13) | PTE_ALL | (1 << 7);

	paging(f, PT_32);
	/* A 4M PDE with physical bits 33:32 = 3 in PDE bits 14:13. */
	guest_poke(f->g, f->cpu.cr3 + (0x40000000 >> 22) * 4, &pde, 4);
	expect_gpa(f, 0x40000010, 0x300c00010ULL);
}

static void test_pae(void **state)
{
	struct fixture *f = *state;

	paging(f, PT_PAE);
	guest_map(f->g, PT_PAE, f->cpu.cr3, 0xc0001000, 0x123000, 4096,
		  PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_PAE, f->cpu.cr3, 0x40200000, 0x600000, 2ULL << 20,
		  PTE_ALL, PTE_ALL);
	expect_gpa(f, 0xc0001234, 0x123234);
	expect_gpa(f, 0x40212345, 0x612345);
	expect_fault(f, 0xc0002000, false);
	expect_fault(f, 0x00001000, false);	/* PDPTE 0 not present */
}

static void test_4level(void **state)
{
	struct fixture *f = *state;

	paging(f, PT_4LEVEL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0xffff888000001000ULL,
		  0x321000, 4096, PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7f0000200000ULL, 0x400000,
		  2ULL << 20, PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x8040000000ULL,
		  0x1c0000000ULL, 1ULL << 30, PTE_ALL, PTE_ALL);
	expect_gpa(f, 0xffff888000001abcULL, 0x321abc);
	expect_gpa(f, 0x7f00002fffffULL, 0x4fffff);
	expect_gpa(f, 0x8075432100ULL, 0x1f5432100ULL);
	expect_fault(f, 0xffff888000002000ULL, false);	/* no PTE */
	expect_fault(f, 0x7f0000400000ULL, false);	/* no PDE */
	expect_fault(f, 0x8080000000ULL, false);	/* no PDPTE */
	expect_fault(f, 0x100000000000ULL, false);	/* no PML4E */
	/* Non-canonical addresses never translate. */
	expect_fault(f, 0x0000888000001000ULL | (1ULL << 60), false);
}

static void test_4level_reserved_ps(void **state)
{
	struct fixture *f = *state;
	u64 e;

	paging(f, PT_4LEVEL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x1000, 0x1000, 4096,
		  PTE_ALL, PTE_ALL);
	expect_gpa(f, 0x1000, 0x1000);
	/* PS in a PML4E is reserved */
	guest_peek(f->g, f->cpu.cr3, &e, 8);
	e |= 1 << 7;
	guest_poke(f->g, f->cpu.cr3, &e, 8);
	expect_fault(f, 0x1000, false);
}

static void test_la57_unhandled(void **state)
{
	struct fixture *f = *state;
	u64 gpa;

	paging(f, PT_4LEVEL);
	f->cpu.cr4 |= X86_CR4_LA57;
	assert_int_equal(xlate(f, 0x1000, false, &gpa), VMCTL_EMU_UNHANDLED);
}

static void test_write_protect(void **state)
{
	struct fixture *f = *state;
	u64 gpa;

	paging(f, PT_4LEVEL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x10000000, 0x200000, 4096,
		  PTE_ALL, PTE_P | PTE_US);
	assert_int_equal(xlate(f, 0x10000000, false, &gpa), 0);
	assert_int_equal(gpa, 0x200000);
	/* Supervisor write: faults with CR0.WP, allowed without. */
	expect_fault(f, 0x10000000, true);
	f->cpu.cr0 &= ~X86_CR0_WP;
	assert_int_equal(xlate(f, 0x10000000, true, &gpa), 0);
	assert_int_equal(gpa, 0x200000);
	/* User writes fault regardless of CR0.WP. */
	f->cpu.cpl = 3;
	expect_fault(f, 0x10000000, true);
	assert_int_equal(xlate(f, 0x10000000, false, &gpa), 0);
}

static void test_rights_upper_levels(void **state)
{
	struct fixture *f = *state;
	u64 gpa;

	paging(f, PT_PAE);
	/* Rights come from every level: read-only, supervisor PDE. */
	guest_map(f->g, PT_PAE, f->cpu.cr3, 0x1000, 0x5000, 4096,
		  PTE_P, PTE_ALL);
	assert_int_equal(xlate(f, 0x1000, false, &gpa), 0);
	expect_fault(f, 0x1000, true);
	f->cpu.cpl = 3;
	expect_fault(f, 0x1000, false);
}

static void test_user_supervisor(void **state)
{
	struct fixture *f = *state;
	u64 gpa;

	paging(f, PT_32);
	guest_map(f->g, PT_32, f->cpu.cr3, 0x1000, 0x5000, 4096,
		  PTE_ALL, PTE_P | PTE_RW);
	assert_int_equal(xlate(f, 0x1000, true, &gpa), 0);
	f->cpu.cpl = 3;
	expect_fault(f, 0x1000, false);
	expect_fault(f, 0x1000, true);
}

static void test_table_outside_ram(void **state)
{
	struct fixture *f = *state;
	u64 gpa;

	paging(f, PT_4LEVEL);
	f->cpu.cr3 = MMIO_GPA;
	assert_int_equal(xlate(f, 0x1000, false, &gpa), -EFAULT);
}

static void test_linear_crossing(void **state)
{
	struct fixture *f = *state;
	static const u8 data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	u8 buf[8] = { 0 };

	paging(f, PT_4LEVEL);
	/* Two adjacent linear pages on non-adjacent physical pages. */
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7000000000ULL, 0x300000,
		  4096, PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7000001000ULL, 0x100000,
		  4096, PTE_ALL, PTE_ALL);
	assert_int_equal(vmctl_write_linear(&f->cpu, &guest_ops, f->g,
					    0x7000000ffdULL, data, 8), 0);
	guest_peek(f->g, 0x300ffd, buf, 3);
	guest_peek(f->g, 0x100000, buf + 3, 5);
	assert_memory_equal(buf, data, 8);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vmctl_read_linear(&f->cpu, &guest_ops, f->g,
					   0x7000000ffdULL, buf, 8), 0);
	assert_memory_equal(buf, data, 8);
}

static void test_linear_crossing_fault(void **state)
{
	struct fixture *f = *state;
	static const u8 data[4] = { 1, 2, 3, 4 };
	u8 buf[4];

	paging(f, PT_4LEVEL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7000000000ULL, 0x300000,
		  4096, PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7000001000ULL, 0x301000,
		  4096, PTE_ALL, PTE_P);
	/* The next page is read-only: the write faults and writes nothing. */
	f->g->nr_writes = 0;
	assert_int_equal(vmctl_write_linear(&f->cpu, &guest_ops, f->g,
					    0x7000000ffeULL, data, 4),
			 VMCTL_EMU_PAGE_FAULT);
	assert_int_equal(f->g->nr_writes, 0);
	/* Reading it is fine; reading into the unmapped page is not. */
	assert_int_equal(vmctl_read_linear(&f->cpu, &guest_ops, f->g,
					   0x7000000ffeULL, buf, 4), 0);
	assert_int_equal(vmctl_read_linear(&f->cpu, &guest_ops, f->g,
					   0x7000001ffeULL, buf, 4),
			 VMCTL_EMU_PAGE_FAULT);
	/* The RAM callbacks' error comes through for non-RAM. */
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7000004000ULL, MMIO_GPA,
		  4096, PTE_ALL, PTE_ALL);
	assert_int_equal(vmctl_read_linear(&f->cpu, &guest_ops, f->g,
					   0x7000004000ULL, buf, 4), -EFAULT);
}

static void test_linear_wraps_32bit(void **state)
{
	struct fixture *f = *state;
	static const u8 data[4] = { 9, 8, 7, 6 };
	u8 buf[4];

	paging(f, PT_32);
	guest_map(f->g, PT_32, f->cpu.cr3, 0xfffff000, 0x210000, 4096,
		  PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_32, f->cpu.cr3, 0, 0x220000, 4096,
		  PTE_ALL, PTE_ALL);
	guest_poke(f->g, 0x210ffe, data, 2);
	guest_poke(f->g, 0x220000, data + 2, 2);
	/* 32-bit linear addresses wrap from 4G-1 to 0. */
	assert_int_equal(vmctl_read_linear(&f->cpu, &guest_ops, f->g,
					   0xfffffffe, buf, 4), 0);
	assert_memory_equal(buf, data, 4);
}

static void test_linear_wraps_compat_mode(void **state)
{
	struct fixture *f = *state;
	static const u8 data[4] = { 9, 8, 7, 6 };
	u8 buf[4];

	/* 4-level tables, but 32-bit code: linear addresses still wrap. */
	paging(f, PT_4LEVEL);
	f->cpu.cs_l = false;
	f->cpu.cs_db = true;
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0xfffff000, 0x210000, 4096,
		  PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0, 0x220000, 4096,
		  PTE_ALL, PTE_ALL);
	guest_poke(f->g, 0x210ffe, data, 2);
	guest_poke(f->g, 0x220000, data + 2, 2);
	assert_int_equal(vmctl_read_linear(&f->cpu, &guest_ops, f->g,
					   0xfffffffe, buf, 4), 0);
	assert_memory_equal(buf, data, 4);
}

/*
 * What string I/O injects (vmctl_linear_check()): the first page that
 * does not translate, and the #PF error code: P for a present entry that
 * refused the access, W for a write, U at CPL 3; #GP when non-canonical.
 */
static void test_linear_check_fault(void **state)
{
	struct fixture *f = *state;
	u64 addr = 0;
	u32 err = ~0U;

	paging(f, PT_4LEVEL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7000000000ULL, 0x300000,
		  4096, PTE_ALL, PTE_ALL);
	guest_map(f->g, PT_4LEVEL, f->cpu.cr3, 0x7000001000ULL, 0x301000,
		  4096, PTE_ALL, PTE_P | PTE_US);
	/* Both pages readable; the second is read-only. */
	assert_int_equal(vmctl_linear_check(&f->cpu, &guest_ops, f->g,
					    0x7000000f00ULL, 0x200, false,
					    &addr, &err), 0);
	assert_int_equal(vmctl_linear_check(&f->cpu, &guest_ops, f->g,
					    0x7000000f00ULL, 0x200, true,
					    &addr, &err), VMCTL_EMU_PAGE_FAULT);
	assert_int_equal(addr, 0x7000001000ULL);
	assert_int_equal(err, VMCTL_PF_PRESENT | VMCTL_PF_WRITE);
	/* Not present, read at CPL 3. */
	f->cpu.cpl = 3;
	assert_int_equal(vmctl_linear_check(&f->cpu, &guest_ops, f->g,
					    0x7000002010ULL, 4, false,
					    &addr, &err), VMCTL_EMU_PAGE_FAULT);
	assert_int_equal(addr, 0x7000002010ULL);
	assert_int_equal(err, VMCTL_PF_USER);
	/* Within one page, the whole length. */
	assert_int_equal(vmctl_linear_check(&f->cpu, &guest_ops, f->g,
					    0x7000000000ULL, 4096, true,
					    &addr, &err), 0);
	assert_int_equal(vmctl_linear_check(&f->cpu, &guest_ops, f->g,
					    0x0000800000000000ULL, 1, true,
					    &addr, &err), VMCTL_EMU_GP_FAULT);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_no_paging),
		T(test_32bit_4k),
		T(test_32bit_4m_pse),
		T(test_32bit_pse36),
		T(test_pae),
		T(test_4level),
		T(test_4level_reserved_ps),
		T(test_la57_unhandled),
		T(test_write_protect),
		T(test_rights_upper_levels),
		T(test_user_supervisor),
		T(test_table_outside_ram),
		T(test_linear_crossing),
		T(test_linear_crossing_fault),
		T(test_linear_check_fault),
		T(test_linear_wraps_32bit),
		T(test_linear_wraps_compat_mode),
	};

	return cmocka_run_group_tests_name("gwalk", tests, NULL, NULL);
}
