/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction gadgets for fuzz_guest, assembled by gas for each mode:
 * control, debug and model-specific registers, XSETBV, every MMIO
 * instruction form (plain, read-modify-write, LOCK, SSE, string, stack),
 * port and string I/O, descriptor tables, jumps to anywhere.  A gadget
 * takes its operands from registers (addresses in RBX/RSI/RDI, a port in
 * DX, an MSR or count in RCX, values in RAX/RDX), which fuzz_guest loads
 * with crafted values in front of it.
 *
 * gadgets16/32/64 are tables of struct fuzz_gadget (offset from
 * fuzz_gadget_code, length), up to the matching _end symbol.
 */
#ifndef SELFTEST_FUZZ_GADGETS_H
#define SELFTEST_FUZZ_GADGETS_H

#include <stdint.h>

struct fuzz_gadget {
	uint32_t offset;
	uint32_t len;
};

extern const uint8_t fuzz_gadget_code[];
extern const struct fuzz_gadget gadgets16[], gadgets16_end[];
extern const struct fuzz_gadget gadgets32[], gadgets32_end[];
extern const struct fuzz_gadget gadgets64[], gadgets64_end[];

#endif /* SELFTEST_FUZZ_GADGETS_H */
