/*
 * The demo guest: a 16-bit real-mode flat binary loaded at 0x7c00.  It
 * initialises the UART, greets, shows that CPUID is virtualised (the
 * vendor, the hypervisor bit, the hypervisor's signature) and powers off.
 * vCPUs other than 0 (id in DI) halt at once.
 */
#include <vmctl/libvmctl.h>

	.code16
	.text
	.globl	_start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	cld
	test	%di, %di
	jnz	park

	call	serial_init
	mov	$hello, %esi
	call	serial_puts

	xor	%eax, %eax		/* leaf 0: vendor in EBX, EDX, ECX */
	cpuid
	mov	%ebx, vendor
	mov	%edx, vendor + 4
	mov	%ecx, vendor + 8
	mov	$vendor_msg, %esi
	call	serial_puts
	mov	$vendor, %esi
	call	serial_puts

	mov	$1, %eax		/* leaf 1: ECX bit 31 = hypervisor */
	cpuid
	bt	$31, %ecx
	jc	1f
	mov	$hv_clear, %esi
	call	serial_puts
	jmp	2f
1:	mov	$hv_set, %esi
	call	serial_puts
	mov	$0x40000000, %eax	/* hypervisor signature */
	cpuid
	mov	%ebx, vendor
	mov	%ecx, vendor + 4
	mov	%edx, vendor + 8
	mov	$vendor, %esi
	call	serial_puts
	mov	$close_paren, %esi
	call	serial_puts
2:	jmp	poweroff

park:
	cli
	hlt
	jmp	park

#include "serial.inc"

hello:		.asciz	"Hello from a vmctl guest!\r\n"
vendor_msg:	.asciz	"CPU vendor: "
hv_clear:	.asciz	", hypervisor bit: clear\r\n"
hv_set:		.asciz	", hypervisor bit: set ("
close_paren:	.asciz	")\r\n"
vendor:		.fill	13, 1, 0
