/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code inside the test binary.
 *
 * GUEST16/GUEST32/GUEST64(name, body) assemble @body (a string of AT&T
 * assembly) for real, 32-bit protected or 64-bit mode between the labels
 * name_start and name_end, and define `name`, a struct guest_code that
 * vcpu_create_guest() copies to CODE_GPA and starts.
 *
 * The blob runs at a different address than the one it was linked at, so
 * it must be position independent: relative jumps and calls, RIP-relative
 * data in 64-bit mode, or the absolute guest addresses from layout.h.  The
 * host finds the guest address of a label L inside the blob with
 * guest_addr(&name, L) after declaring it with GUEST_LABEL(L).
 *
 * The ucall: the guest reports to the host with G_UCALL(type), an OUT of the
 * type byte to UCALL_PORT; the arguments travel in RDI, RSI, RDX and RCX
 * (the host reads them with GET_REGS).  Only AL is clobbered.
 */
#ifndef SELFTEST_GUEST_H
#define SELFTEST_GUEST_H

#include "layout.h"

#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)

#define UCALL_PORT	0xe9

/* ucall types: plain numbers, since guest assembly pastes them. */
#define UCALL_NONE	0	/* not a ucall: the exit is something else */
#define UCALL_SYNC	1	/* a report; the guest continues afterwards */
#define UCALL_DONE	2	/* the guest has finished */
#define UCALL_EXCEPTION	3	/* library stub: vector, error code, RIP */

#define G_UCALL(type) \
	"mov $" __stringify(type) ", %al\n\t" \
	"out %al, $" __stringify(UCALL_PORT) "\n\t"

enum guest_mode { GUEST_REAL, GUEST_PROT32, GUEST_LONG64 };

struct guest_code {
	const char *name;
	const char *start;
	const char *end;
	enum guest_mode mode;
};

#define __GUEST_CODE(name, directive, gmode, body)			\
	extern const char name##_start[], name##_end[];			\
	asm(".pushsection .rodata.guest_code, \"a\"\n"			\
	    ".balign 16\n"						\
	    #name "_start:\n\t"						\
	    directive "\n\t"						\
	    body "\n"							\
	    ".code64\n"							\
	    #name "_end:\n"						\
	    ".popsection\n");						\
	static const struct guest_code name __attribute__((unused)) = {	\
		#name, name##_start, name##_end, gmode			\
	}

#define GUEST16(name, body) __GUEST_CODE(name, ".code16", GUEST_REAL, body)
#define GUEST32(name, body) __GUEST_CODE(name, ".code32", GUEST_PROT32, body)
#define GUEST64(name, body) __GUEST_CODE(name, ".code64", GUEST_LONG64, body)

/* Declares a label defined inside a blob, for guest_addr(). */
#define GUEST_LABEL(label) extern const char label[]

/* Guest-physical address of @label, a label inside @code's blob. */
static inline unsigned long guest_addr(const struct guest_code *code,
				       const char *label)
{
	return CODE_GPA + (unsigned long)(label - code->start);
}

#endif /* SELFTEST_GUEST_H */
