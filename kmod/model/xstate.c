// SPDX-License-Identifier: GPL-2.0
/* What XSETBV and XRSTOR/FXRSTOR accept (see xstate.h). */
#include "xstate.h"

bool vmctl_xcr0_valid(u64 val, u64 allowed)
{
	u64 avx512 = val & VMCTL_XFEATURE_AVX512;

	if (!(val & VMCTL_XFEATURE_FP) || (val & ~allowed))
		return false;
	if ((val & VMCTL_XFEATURE_YMM) && !(val & VMCTL_XFEATURE_SSE))
		return false;
	return !avx512 || (avx512 == VMCTL_XFEATURE_AVX512 &&
			   (val & VMCTL_XFEATURE_YMM));
}

static u64 get_u64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

bool vmctl_xsave_area_valid(const u8 *area, u32 size, bool xsave,
			    u64 allowed, u32 mxcsr_mask)
{
	u32 mxcsr;
	int i;

	if (size < VMCTL_FXSAVE_SIZE ||
	    (xsave && size < VMCTL_XSAVE_HDR + VMCTL_XSAVE_HDR_SIZE))
		return false;
	memcpy(&mxcsr, area + VMCTL_FXSAVE_MXCSR, sizeof(mxcsr));
	if (mxcsr & ~mxcsr_mask)
		return false;
	if (!xsave)
		return true;
	/* XSTATE_BV, then XCOMP_BV (0: standard format) and reserved. */
	if (get_u64(area + VMCTL_XSAVE_HDR) & ~allowed)
		return false;
	for (i = 8; i < VMCTL_XSAVE_HDR_SIZE; i += 8)
		if (get_u64(area + VMCTL_XSAVE_HDR + i))
			return false;
	return true;
}
