/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exception handlers for 64-bit guests.  Every vector 0-31 goes to a
 * library stub that reports UCALL_EXCEPTION with args[0] = vector,
 * args[1] = error code (0 when the vector has none), args[2] = the RIP the
 * exception saved, and then IRETs back to it with all registers intact.
 */
#ifndef SELFTEST_EXCEPTIONS_H
#define SELFTEST_EXCEPTIONS_H

#include "vm.h"

#define EXCEPTION_VECTORS	32
#define EXCEPTION_STUB_SIZE	16

static inline unsigned long exception_stub_gpa(unsigned int vector)
{
	return EXC_STUBS_GPA + vector * EXCEPTION_STUB_SIZE;
}

/* Copy the stubs to EXC_STUBS_GPA. */
void exception_stubs_load(struct vm *vm);

#endif /* SELFTEST_EXCEPTIONS_H */
