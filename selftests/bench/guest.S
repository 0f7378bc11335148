/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bench guest: 16-bit real-mode code, identical on both hypervisors,
 * copied to CODE_GPA and entered with CS = DS = 0 (no paging, no GDT).
 *
 * Each case is the same loop around one instruction:
 *
 *	rdtsc -> ESI:EDI
 *   1:	reload EAX, ECX, EDX from PARAM_*	(the exits clobber them)
 *	<the instruction>
 *	dec EBP; jnz 1b				(EBP = iterations, from the host)
 *	rdtsc, subtract, store in RESULT_TSC, OUT to DONE_PORT
 *
 * The guest reads the TSC itself: both hypervisors let RDTSC run without
 * an exit and add a constant offset, so a delta in the guest is a delta
 * of L1's TSC, and under Bochs (clock: sync=none) L1's TSC counts
 * instructions.  The delta therefore includes every instruction L1
 * executes for the exits: the exit path, the handler, the entry path and,
 * for OUT and MMIO, the ioctl return to the host program and back.
 * The "baseline" case has a NOP in place of the exiting instruction; its
 * cost per iteration is subtracted from the others.
 */
#include "layout.h"

	.section .rodata.bench_guest, "a"
	.code16
	.globl bench_guest_start, bench_guest_end

bench_guest_start:

.macro BENCH_CASE name, insn:vararg
	.globl bench_case_\name
bench_case_\name:
	mov	$MMIO_SEG, %ax
	mov	%ax, %fs
	rdtsc
	mov	%eax, %edi
	mov	%edx, %esi
1:	mov	PARAM_EAX, %eax
	mov	PARAM_ECX, %ecx
	mov	PARAM_EDX, %edx
	\insn
	dec	%ebp
	jnz	1b
	jmp	finish
.endm

	BENCH_CASE baseline, nop
	BENCH_CASE cpuid, cpuid
	BENCH_CASE vmcall, vmcall
	BENCH_CASE rdmsr, rdmsr
	BENCH_CASE out, out %al, %dx
	BENCH_CASE mmio, mov %fs:0, %eax

/*
 * The timer case needs the VM's in-kernel local APIC, reached through its
 * xAPIC page: the backend gives GS the base APIC_GPA (big real mode), the
 * host puts bench_timer_irq in the IVT at TIMER_VECTOR.  One iteration:
 * arm the one-shot timer with a count of 1 (it expires at once), STI;HLT
 * (the interrupt is pending, so HLT must not sleep), the handler's EOI,
 * IRET to the CLI.  Three exits (two APIC writes, HLT) and one injection.
 */
	.globl bench_case_hlt
bench_case_hlt:
	movl	$APIC_SVR_ENABLE, %gs:APIC_SVR
	movl	$TIMER_VECTOR, %gs:APIC_LVT_TIMER
	movl	$APIC_TDCR_DIV1, %gs:APIC_TDCR
	rdtsc
	mov	%eax, %edi
	mov	%edx, %esi
1:	movl	$1, %gs:APIC_TMICT
	sti
	hlt
	cli
	dec	%ebp
	jnz	1b
	jmp	finish

	.globl bench_timer_irq
bench_timer_irq:
	movl	$0, %gs:APIC_EOI
	iret

/*
 * The IPI cases, on the timer case's VM: the guest sends itself a fixed
 * IPI at IPI_VECTOR with IF=1, so it is taken right after the exit that
 * sent it; bench_ipi_irq ends it as Linux does with PV EOI: by clearing
 * the flag at PV_EOI_FLAG if the hypervisor set it, else by the EOI
 * register.  PARAM_EAX, when not 0, is first written to
 * MSR_KVM_PV_EOI_EN (the flag's address | enable).  One iteration:
 *   ipi        ICR write, EOI write: two exits, one injection
 *   ipi_pveoi  the same with PV EOI on: one exit
 *   pvipi      KVM_HC_SEND_IPI (to APIC ID 0) for the ICR write, PV EOI on
 */
.macro IPI_SETUP
	movl	$APIC_SVR_ENABLE, %gs:APIC_SVR
	movl	$0, %gs:APIC_ICR2		/* destination: APIC 0, itself */
	cmpl	$0, PARAM_EAX
	je	1f
	mov	$MSR_KVM_PV_EOI_EN, %ecx
	mov	PARAM_EAX, %eax
	xor	%edx, %edx
	wrmsr
1:	sti
	rdtsc
	mov	%eax, %edi
	mov	%edx, %esi
.endm

	.globl bench_case_ipi
bench_case_ipi:
	IPI_SETUP
2:	movl	$IPI_VECTOR, %gs:APIC_ICR	/* fixed, physical */
	dec	%ebp
	jnz	2b
	cli
	jmp	finish

	/* The hypercall's fourth argument is ESI: the TSC goes on the stack. */
	.globl bench_case_pvipi
bench_case_pvipi:
	IPI_SETUP
2:	push	%esi
	push	%edi
	mov	$KVM_HC_SEND_IPI, %eax
	mov	$1, %ebx			/* bitmap: APIC ID 0 */
	xor	%ecx, %ecx
	xor	%edx, %edx			/* bit 0 is APIC ID 0 */
	mov	$IPI_VECTOR, %esi		/* ICR: fixed, physical */
	vmcall
	pop	%edi
	pop	%esi
	dec	%ebp
	jnz	2b
	cli
	jmp	finish

	.globl bench_ipi_irq
bench_ipi_irq:
	btrw	$0, PV_EOI_FLAG
	jc	1f
	movl	$0, %gs:APIC_EOI
1:	iret

/*
 * First touch: the backend gives GS the base FAULT_GPA and a 4 GiB limit
 * (big real mode) over a slot the guest has not touched; each iteration
 * writes a byte PARAM_ECX bytes (4 KiB or 2 MiB) past the last, one EPT
 * violation that maps a page.  Run again over the same pages the loop
 * makes no exit: the host subtracts that run.
 */
	.globl bench_case_touch
bench_case_touch:
	mov	PARAM_ECX, %ecx		/* page 0 mapped before the TSC */
	xor	%ebx, %ebx
	rdtsc
	mov	%eax, %edi
	mov	%edx, %esi
1:	movb	%al, %gs:(%ebx)
	add	%ecx, %ebx
	dec	%ebp
	jnz	1b
	jmp	finish

finish:
	rdtsc
	sub	%edi, %eax
	sbb	%esi, %edx
	mov	%eax, RESULT_TSC
	mov	%edx, RESULT_TSC + 4
	/* The first exit of a new VM: entered here directly. */
	.globl bench_first_out
bench_first_out:
	out	%al, $DONE_PORT
	hlt

bench_guest_end:
	.code64
	.section .note.GNU-stack, "", @progbits
