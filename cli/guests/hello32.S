/*
 * ELF32 demo guest: vmctl starts it in flat 32-bit protected mode at
 * _start with a stack; it greets and powers off.
 */
#include <vmctl/libvmctl.h>

	.code32
	.text
	.globl	_start
_start:
	cld
	call	serial_init
	mov	$hello, %esi
	call	serial_puts
	mov	%cr0, %eax		/* CR0.PE set, CR0.PG clear */
	and	$0x80000001, %eax
	cmp	$1, %eax
	jne	poweroff
	mov	$mode, %esi
	call	serial_puts
	jmp	poweroff

#include "serial.inc"

hello:	.asciz	"Hello from a vmctl guest!\r\n"
mode:	.asciz	"running in 32-bit protected mode\r\n"
