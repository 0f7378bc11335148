/*
 * ELF64 demo guest: vmctl starts it in 64-bit long mode at _start with
 * memory identity-mapped and a stack; it greets and powers off.
 */
#include <vmctl/libvmctl.h>

	.code64
	.text
	.globl	_start
_start:
	cld
	call	serial_init
	mov	$hello, %esi
	call	serial_puts
	mov	%cr0, %rax		/* CR0.PG and CR4.PAE set */
	bt	$31, %rax
	jnc	poweroff
	mov	%cr4, %rax
	bt	$5, %rax
	jnc	poweroff
	mov	$mode, %esi
	call	serial_puts
	jmp	poweroff

#include "serial.inc"

hello:	.asciz	"Hello from a vmctl guest!\r\n"
mode:	.asciz	"running in 64-bit long mode\r\n"
