/*
 * A guest that triple-faults at once, for the end-to-end test of
 * `vmctl run`'s shutdown exit status: with an empty real-mode IDT, INT3
 * faults, the fault faults, and the double fault shuts the CPU down.
 */
	.code16
	.text
	.globl	_start
_start:
	lidt	empty_idt
	int3
1:	jmp	1b

empty_idt:
	.word	0
	.long	0
