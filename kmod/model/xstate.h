/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What XSETBV and XRSTOR/FXRSTOR accept (SDM vol. 1, 13.3 and 13.8):
 * the checks behind a guest's XSETBV and behind VMCTL_SET_XCRS and
 * VMCTL_SET_XSAVE, whose values the module loads into the CPU itself
 * (a value the instruction refuses would fault in the host).  Pure logic
 * like lapic.c: built into vmctl.ko and into the unit tests (kmod/tests/).
 */
#ifndef VMCTL_XSTATE_H
#define VMCTL_XSTATE_H

#include "compat.h"

/* XCR0 components (architectural bit numbers). */
#define VMCTL_XFEATURE_FP	(1ULL << 0)
#define VMCTL_XFEATURE_SSE	(1ULL << 1)
#define VMCTL_XFEATURE_YMM	(1ULL << 2)
#define VMCTL_XFEATURE_AVX512	(7ULL << 5)	/* opmask, ZMM_Hi256, Hi16_ZMM */

/* Offsets in the FXSAVE legacy area and the XSAVE header. */
#define VMCTL_FXSAVE_MXCSR	24
#define VMCTL_FXSAVE_MXCSR_MASK	28
#define VMCTL_FXSAVE_SIZE	512
#define VMCTL_XSAVE_HDR		512	/* XSTATE_BV, XCOMP_BV, reserved */
#define VMCTL_XSAVE_HDR_SIZE	64
#define VMCTL_MXCSR_DEFAULT_MASK 0xffbfU	/* MXCSR_MASK 0: no DAZ */

/*
 * May XCR0 become @val, given the components @allowed (a subset of the
 * host's XCR0)?  x87 always on, AVX only with SSE, the three AVX-512
 * components together and only with AVX.
 */
bool vmctl_xcr0_valid(u64 val, u64 allowed);

/*
 * May @area (@size bytes) be loaded with XRSTOR in the standard format
 * (@xsave) or with FXRSTOR?  MXCSR within @mxcsr_mask; with XSAVE,
 * XSTATE_BV within @allowed and the rest of the header zero.
 */
bool vmctl_xsave_area_valid(const u8 *area, u32 size, bool xsave,
			    u64 allowed, u32 mxcsr_mask);

#endif /* VMCTL_XSTATE_H */
