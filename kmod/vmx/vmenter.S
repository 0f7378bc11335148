/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch.
 *
 * int vmctl_vmenter(u64 *gpr, unsigned long launched, unsigned long verw)
 *
 * Clears the CPU buffers with VERW when @verw is set (vmx.c decides, after
 * the host kernel's own choice), loads the guest's general registers from
 * @gpr (hardware encoding order, RSP slot unused: it lives in the VMCS),
 * enters the guest with VMLAUNCH or VMRESUME, and after the VM exit (which
 * lands on vmctl_vmexit with RSP = HOST_RSP) stores them back.  Returns 0
 * after a VM exit (including a failed entry that exits with bit 31 of the
 * reason set), 1 when the VMLAUNCH/VMRESUME or the HOST_RSP write itself
 * failed (VMfail: caller reads VM_INSTRUCTION_ERROR).  Interrupts must be
 * off.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>
#include <asm/ibt.h>

#define VMCS_HOST_RSP	0x6c14

#define G_RAX	0*8
#define G_RCX	1*8
#define G_RDX	2*8
#define G_RBX	3*8
#define G_RBP	5*8
#define G_RSI	6*8
#define G_RDI	7*8
#define G_R8	8*8
#define G_R9	9*8
#define G_R10	10*8
#define G_R11	11*8
#define G_R12	12*8
#define G_R13	13*8
#define G_R14	14*8
#define G_R15	15*8

.section .text, "ax"

SYM_FUNC_START(vmctl_vmenter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* @gpr stays on top of the stack: the exit path finds it there. */
	push %rdi

	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe .Lfail_early

	/*
	 * VERW as late as can be: after it only the guest's own registers
	 * are loaded, so no host data goes back into the buffers.
	 */
	test %rdx, %rdx
	jz .Lno_verw
	verw x86_verw_sel(%rip)
.Lno_verw:

	/* ZF from here selects VMLAUNCH; the MOVs below keep the flags. */
	test %rsi, %rsi

	mov G_RAX(%rdi), %rax
	mov G_RCX(%rdi), %rcx
	mov G_RDX(%rdi), %rdx
	mov G_RBX(%rdi), %rbx
	mov G_RBP(%rdi), %rbp
	mov G_RSI(%rdi), %rsi
	mov G_R8(%rdi), %r8
	mov G_R9(%rdi), %r9
	mov G_R10(%rdi), %r10
	mov G_R11(%rdi), %r11
	mov G_R12(%rdi), %r12
	mov G_R13(%rdi), %r13
	mov G_R14(%rdi), %r14
	mov G_R15(%rdi), %r15
	mov G_RDI(%rdi), %rdi

	jz .Lvmlaunch

	/*
	 * A successful entry never falls through: the VM exit resumes at
	 * vmctl_vmexit (HOST_RIP).  Tell objtool the unwind state there is
	 * the one here.
	 */
	UNWIND_HINT_SAVE
	vmresume
	jmp .Lvmfail
.Lvmlaunch:
	vmlaunch
	jmp .Lvmfail

SYM_INNER_LABEL(vmctl_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	push %rax
	mov 8(%rsp), %rax
	mov %rcx, G_RCX(%rax)
	mov %rdx, G_RDX(%rax)
	mov %rbx, G_RBX(%rax)
	mov %rbp, G_RBP(%rax)
	mov %rsi, G_RSI(%rax)
	mov %rdi, G_RDI(%rax)
	mov %r8, G_R8(%rax)
	mov %r9, G_R9(%rax)
	mov %r10, G_R10(%rax)
	mov %r11, G_R11(%rax)
	mov %r12, G_R12(%rax)
	mov %r13, G_R13(%rax)
	mov %r14, G_R14(%rax)
	mov %r15, G_R15(%rax)
	popq G_RAX(%rax)

	/*
	 * The guest may have filled the return stack buffer: stuff it before
	 * the first unbalanced RET (on CPUs the host kernel says need it).
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	xor %eax, %eax
.Lclear:
	/* No guest value survives in a register the caller can see. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	add $8, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

.Lvmfail:
	mov $1, %eax
	jmp .Lclear

.Lfail_early:
	mov $1, %eax
	add $8, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(vmctl_vmenter)
