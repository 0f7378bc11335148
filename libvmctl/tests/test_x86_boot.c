// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The x86 boot builder against values worked out from the SDM: the
 * descriptors' bytes, the TSS, identity page tables, and the registers
 * of the real, protected and long mode starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "x86_boot.h"

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The Linux loader's layout: null, null, CS 0x10, DS 0x18, TR 0x20. */
static const struct vmctl_x86_flat_boot linux64 = {
	.long_mode = true, .gdt = 0x1000, .tss = 0x1080,
	.cs = 0x10, .ds = 0x18, .tr = 0x20, .pml4 = 0x2000,
};

static void test_gdt_long_mode(void **state)
{
	static uint8_t page[4096];

	(void)state;
	memset(page, 0xcc, sizeof(page));
	vmctl_x86_flat_gdt(&linux64, page);
	assert_int_equal(get64(page), 0);
	assert_int_equal(get64(page + 0x08), 0);
	/* 64-bit code: G, L, present, DPL 0, execute/read, accessed. */
	assert_int_equal(get64(page + 0x10), 0x00af9b000000ffffULL);
	assert_int_equal(get64(page + 0x18), 0x00cf93000000ffffULL);
	/* Busy TSS at 0x1080, limit 0x67; bits 127:64 of it zero. */
	assert_int_equal(get64(page + 0x20), 0x00008b0010800067ULL);
	assert_int_equal(get64(page + 0x28), 0);
	assert_int_equal(page[0x30], 0xcc);		/* left alone */
	/* The TSS: zero, its I/O map base at its limit (no bitmap). */
	assert_int_equal(get64(page + 0x80), 0);
	assert_int_equal(page[0x80 + 0x66], 0x68);
	assert_int_equal(page[0x80 + 0x67], 0);
	assert_int_equal(page[0x80 + 0x68], 0xcc);
	assert_int_equal(page[0x7f], 0xcc);
}

static void test_gdt_protected_mode(void **state)
{
	/* The ELF loader's layout: TSS right after a 5-entry GDT. */
	const struct vmctl_x86_flat_boot b = {
		.gdt = 0x3000, .tss = 0x3028, .cs = 0x08, .ds = 0x10,
		.tr = 0x18,
	};
	static uint8_t page[4096];

	(void)state;
	memset(page, 0xcc, sizeof(page));
	vmctl_x86_flat_gdt(&b, page);
	assert_int_equal(get64(page), 0);
	assert_int_equal(get64(page + 0x08), 0x00cf9b000000ffffULL);
	assert_int_equal(get64(page + 0x10), 0x00cf93000000ffffULL);
	assert_int_equal(get64(page + 0x18), 0x00008b0030280067ULL);
	assert_int_equal(get64(page + 0x20), 0);
	assert_int_equal(page[0x28 + 0x66], 0x68);
	assert_int_equal(page[0x28 + 0x68], 0xcc);
}

static void test_identity_map(void **state)
{
	static uint8_t t[VMCTL_X86_IDENTITY_MAP_SIZE(2)];
	const uint8_t *pml4 = t, *pdpt = t + 4096;
	const uint8_t *pd0 = t + 2 * 4096, *pd1 = t + 3 * 4096;

	(void)state;
	assert_int_equal(sizeof(t), 4 * 4096);
	memset(t, 0xcc, sizeof(t));
	vmctl_x86_identity_map(0x200000, 2, t);
	/* Present and writable; PD entries map 2 MiB pages (PS). */
	assert_int_equal(get64(pml4), 0x201003);
	assert_int_equal(get64(pml4 + 8), 0);
	assert_int_equal(get64(pdpt), 0x202003);
	assert_int_equal(get64(pdpt + 8), 0x203003);
	assert_int_equal(get64(pdpt + 16), 0);
	assert_int_equal(get64(pd0), 0x83);
	assert_int_equal(get64(pd0 + 8), 0x200083);
	assert_int_equal(get64(pd1), 0x40000083);
	assert_int_equal(get64(pd1 + 8 * 511), 0x7fe00083);
}

static void test_long_mode_sregs(void **state)
{
	struct vmctl_sregs s = { .apic_base = 0xfee00900, .cr2 = 0x1234 };

	(void)state;
	vmctl_x86_flat_sregs(&linux64, &s);
	assert_int_equal(s.cr0, 0x80000031);		/* PG, NE, ET, PE */
	assert_int_equal(s.cr3, 0x2000);
	assert_int_equal(s.cr4, 0x20);			/* PAE */
	assert_int_equal(s.efer, 0x500);		/* LMA, LME */
	assert_int_equal(s.cr2, 0);
	assert_int_equal(s.cs.selector, 0x10);
	assert_true(s.cs.l && !s.cs.db && s.cs.g && s.cs.present && s.cs.s);
	assert_int_equal(s.cs.type, 0xb);
	assert_int_equal(s.ss.selector, 0x18);
	assert_true(!s.ss.l && s.ss.db && s.ss.g);
	assert_int_equal(s.ss.type, 0x3);
	assert_int_equal(s.ss.limit, 0xffffffff);
	assert_memory_equal(&s.ds, &s.ss, sizeof(s.ss));
	assert_int_equal(s.tr.base, 0x1080);
	assert_int_equal(s.tr.limit, 0x67);
	assert_int_equal(s.tr.selector, 0x20);
	assert_int_equal(s.tr.type, 0xb);
	assert_int_equal(s.gdt.base, 0x1000);
	assert_int_equal(s.gdt.limit, 0x2f);
	assert_int_equal(s.idt.limit, 0);
	assert_true(s.ldt.unusable);
	assert_int_equal(s.apic_base, 0xfee00900);	/* not ours */
}

static void test_protected_mode_sregs(void **state)
{
	struct vmctl_x86_flat_boot b = linux64;
	struct vmctl_sregs s;

	(void)state;
	b.long_mode = false;
	memset(&s, 0xff, sizeof(s));
	vmctl_x86_flat_sregs(&b, &s);
	assert_int_equal(s.cr0, 0x31);
	assert_int_equal(s.cr3, 0);
	assert_int_equal(s.cr4, 0);
	assert_int_equal(s.efer, 0);
	assert_true(!s.cs.l && s.cs.db && s.cs.g);
}

static void test_real_mode_sregs(void **state)
{
	struct vmctl_sregs s;

	(void)state;
	memset(&s, 0xff, sizeof(s));
	vmctl_x86_real_sregs(0x1000, &s);
	assert_int_equal(s.cs.base, 0x10000);
	assert_int_equal(s.cs.limit, 0xffff);
	assert_int_equal(s.cs.selector, 0x1000);
	assert_int_equal(s.cs.type, 0xb);
	assert_true(!s.cs.g && !s.cs.db && !s.cs.l && s.cs.present);
	assert_int_equal(s.es.type, 0x3);
	assert_int_equal(s.es.base, 0x10000);
	assert_int_equal(s.tr.limit, 0xffff);
	assert_int_equal(s.gdt.limit, 0xffff);
	assert_int_equal(s.idt.limit, 0x3ff);
	assert_int_equal(s.cr0, 0x30);			/* NE, ET: no PE */
	assert_int_equal(s.cr3 | s.cr4 | s.efer | s.cr2, 0);
	assert_true(s.ldt.unusable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gdt_long_mode),
		cmocka_unit_test(test_gdt_protected_mode),
		cmocka_unit_test(test_identity_map),
		cmocka_unit_test(test_long_mode_sregs),
		cmocka_unit_test(test_protected_mode_sregs),
		cmocka_unit_test(test_real_mode_sregs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
