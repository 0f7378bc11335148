/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one kernel/userspace seam of the pure models in this folder: the
 * fixed-width types, errno values, string functions and the one 64-bit
 * helper they use, from the kernel in vmctl.ko and from libc in the
 * userspace unit tests (kmod/tests/).  Nothing in model/ includes any
 * other kernel header but the architectural <asm/processor-flags.h>.
 */
#ifndef VMCTL_MODEL_COMPAT_H
#define VMCTL_MODEL_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/math64.h>
#else
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int64_t s64;

static inline u64 mul_u64_u32_div(u64 a, u32 mul, u32 divisor)
{
	__uint128_t q = (__uint128_t)a * mul / divisor;

	/* The kernel's raises a divide error when q needs 65 bits: trap. */
	if (q >> 64)
		__builtin_trap();
	return q;
}
#endif

#endif /* VMCTL_MODEL_COMPAT_H */
