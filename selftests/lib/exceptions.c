// SPDX-License-Identifier: GPL-2.0
/*
 * The stubs: one 16-byte slot per vector (so the IDT can point at
 * EXC_STUBS_GPA + 16 * vector) that pushes a zero in place of the error
 * code for vectors without one, then the vector, and jumps to the common
 * part.  Vectors with an error code: 8, 10-14, 17, 21, 29, 30.
 */
#include <string.h>

#include "die.h"
#include "exceptions.h"

GUEST64(exception_stubs,
	".irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,"
	"21,22,23,24,25,26,27,28,29,30,31\n\t"
	".balign " __stringify(EXCEPTION_STUB_SIZE) "\n\t"
	".if ((1 << \\vec) & 0x60227d00) == 0\n\t"
	"push $0\n\t"
	".endif\n\t"
	"push $\\vec\n\t"
	"jmp exception_common\n\t"
	".endr\n"
	"exception_common:\n\t"
	"push %rax\n\t"
	"push %rdi\n\t"
	"push %rsi\n\t"
	"push %rdx\n\t"
	"mov 32(%rsp), %rdi\n\t"	/* vector */
	"mov 40(%rsp), %rsi\n\t"	/* error code */
	"mov 48(%rsp), %rdx\n\t"	/* RIP from the exception frame */
	G_UCALL(UCALL_EXCEPTION)
	"pop %rdx\n\t"
	"pop %rsi\n\t"
	"pop %rdi\n\t"
	"pop %rax\n\t"
	"add $16, %rsp\n\t"
	"iretq\n");

void exception_stubs_load(struct vm *vm)
{
	size_t size = exception_stubs.end - exception_stubs.start;

	if (size > EXC_STUBS_SIZE)
		die("exception stubs too large: %zu bytes", size);
	memcpy(gpa_to_hva(vm, EXC_STUBS_GPA), exception_stubs.start, size);
}
