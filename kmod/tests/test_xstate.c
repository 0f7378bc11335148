// SPDX-License-Identifier: GPL-2.0
/*
 * What XSETBV and XRSTOR/FXRSTOR accept (xstate.c): the values a guest's
 * XSETBV and VMCTL_SET_XCRS/SET_XSAVE may load into the CPU.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "xstate.h"

#define ALL	(VMCTL_XFEATURE_FP | VMCTL_XFEATURE_SSE | VMCTL_XFEATURE_YMM | \
		 VMCTL_XFEATURE_AVX512)
#define AREA	1024

static void test_xcr0(void **state)
{
	(void)state;
	assert_true(vmctl_xcr0_valid(1, ALL));
	assert_true(vmctl_xcr0_valid(3, ALL));
	assert_true(vmctl_xcr0_valid(7, ALL));
	assert_true(vmctl_xcr0_valid(0xe7, ALL));
	assert_false(vmctl_xcr0_valid(0, ALL));		/* x87 off */
	assert_false(vmctl_xcr0_valid(2, ALL));
	assert_false(vmctl_xcr0_valid(5, ALL));		/* AVX without SSE */
	assert_false(vmctl_xcr0_valid(0x27, ALL));	/* AVX-512 in part */
	assert_false(vmctl_xcr0_valid(0xe3, ALL));	/* AVX-512 no AVX */
	assert_false(vmctl_xcr0_valid(7, 3));		/* not allowed */
	assert_false(vmctl_xcr0_valid(1ULL << 9, ALL));	/* PKRU */
	assert_false(vmctl_xcr0_valid(1ULL << 63, ALL));
}

static void set_u64(u8 *area, u32 off, u64 v)
{
	memcpy(area + off, &v, sizeof(v));
}

static void set_mxcsr(u8 *area, u32 v)
{
	memcpy(area + VMCTL_FXSAVE_MXCSR, &v, sizeof(v));
}

static void test_mxcsr(void **state)
{
	u8 area[AREA] = { 0 };

	(void)state;
	set_mxcsr(area, 0x1f80);
	assert_true(vmctl_xsave_area_valid(area, AREA, true, 7, 0xffbf));
	assert_true(vmctl_xsave_area_valid(area, 512, false, 0, 0xffbf));
	set_mxcsr(area, 0x1fc0);			/* DAZ */
	assert_false(vmctl_xsave_area_valid(area, AREA, true, 7, 0xffbf));
	assert_false(vmctl_xsave_area_valid(area, 512, false, 0, 0xffbf));
	assert_true(vmctl_xsave_area_valid(area, AREA, true, 7, 0xffff));
	set_mxcsr(area, 0x10000);			/* reserved */
	assert_false(vmctl_xsave_area_valid(area, AREA, true, 7, 0xffff));
}

static void test_header(void **state)
{
	u8 area[AREA] = { 0 };
	int i;

	(void)state;
	set_u64(area, VMCTL_XSAVE_HDR, 7);
	assert_true(vmctl_xsave_area_valid(area, AREA, true, 7, 0xffff));
	/* A component the guest cannot enable. */
	set_u64(area, VMCTL_XSAVE_HDR, 0xf);
	assert_false(vmctl_xsave_area_valid(area, AREA, true, 7, 0xffff));
	/* FXRSTOR ignores the header. */
	assert_true(vmctl_xsave_area_valid(area, 512, false, 0, 0xffff));
	set_u64(area, VMCTL_XSAVE_HDR, 3);
	/* Compacted format, and every reserved header byte. */
	for (i = 8; i < VMCTL_XSAVE_HDR_SIZE; i++) {
		area[VMCTL_XSAVE_HDR + i] = 1;
		assert_false(vmctl_xsave_area_valid(area, AREA, true, 7,
						    0xffff));
		area[VMCTL_XSAVE_HDR + i] = 0;
	}
	set_u64(area, VMCTL_XSAVE_HDR + 8, 1ULL << 63);
	assert_false(vmctl_xsave_area_valid(area, AREA, true, 7, 0xffff));
}

static void test_size(void **state)
{
	u8 area[AREA] = { 0 };

	(void)state;
	assert_false(vmctl_xsave_area_valid(area, 511, false, 0, 0xffff));
	assert_false(vmctl_xsave_area_valid(area, 512, true, 7, 0xffff));
	assert_true(vmctl_xsave_area_valid(area, 576, true, 7, 0xffff));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xcr0),
		cmocka_unit_test(test_mxcsr),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
