// SPDX-License-Identifier: GPL-2.0
/*
 * The gadgets (fuzz_gadgets.h).  G(bits, "insn") assembles one in the
 * given mode into .rodata.fuzz_code and records it in that mode's table;
 * the lists below name registers through macros so that one list serves
 * 16-bit code (32-bit registers with operand-size prefixes), 32-bit and
 * 64-bit code.
 */
#include "fuzz_gadgets.h"

#define G(bits, insn)							\
	".pushsection .rodata.fuzz_code, \"a\"\n"			\
	".code" #bits "\n"						\
	"0:\n\t" insn "\n"						\
	"1:\n"								\
	".code64\n"							\
	".popsection\n"							\
	".pushsection .rodata.fuzz_tab" #bits ", \"a\"\n\t"		\
	".long 0b - fuzz_gadget_code, 1b - 0b\n"			\
	".popsection\n"

/* Everything any mode has; A/B/C/D/SI/DI the native registers. */
#define COMMON(b, A, B, C, D, SI, DI)					\
	"# the gadgets of every mode\n"				\
	G(b, "mov %" A ", %cr0")	G(b, "mov %" A ", %cr3")	\
	G(b, "mov %" A ", %cr4")	G(b, "mov %cr0, %" A)		\
	G(b, "mov %cr2, %" A)		G(b, "mov %cr4, %" A)		\
	G(b, "clts")			G(b, "lmsw %ax")		\
	G(b, "smsw %ax")		G(b, "wrmsr")			\
	G(b, "rdmsr")			G(b, "xsetbv")			\
	G(b, "xgetbv")			G(b, "mov %" A ", %dr0")	\
	G(b, "mov %" A ", %dr3")	G(b, "mov %" A ", %dr6")	\
	G(b, "mov %" A ", %dr7")	G(b, "mov %dr7, %" A)		\
	G(b, "mov %dr6, %" A)		G(b, "mov %dr1, %" A)		\
	G(b, "mov %al, (%" B ")")	G(b, "mov %ax, (%" B ")")	\
	G(b, "mov %eax, (%" B ")")	G(b, "mov (%" B "), %al")	\
	G(b, "mov (%" B "), %ax")	G(b, "mov (%" B "), %eax")	\
	G(b, "mov -1(%" B "), %eax")	G(b, "mov %eax, 2(%" B ")")	\
	G(b, "movzbl (%" B "), %eax")	G(b, "movswl (%" B "), %eax")	\
	G(b, "movl $0x12345678, (%" B ")")	G(b, "movb $7, (%" B ")") \
	G(b, "add %eax, (%" B ")")	G(b, "lock orl $1, (%" B ")")	\
	G(b, "xchg %eax, (%" B ")")	G(b, "incl (%" B ")")		\
	G(b, "notl (%" B ")")		G(b, "bts %eax, (%" B ")")	\
	G(b, "btl $3, (%" B ")")	G(b, "cmpxchg %ecx, (%" B ")")	\
	G(b, "xadd %eax, (%" B ")")	G(b, "movnti %eax, (%" B ")")	\
	G(b, "test %eax, (%" B ")")	G(b, "cmpl $5, (%" B ")")	\
	G(b, "andl $0xff, (%" B ")")	G(b, "sete (%" B ")")		\
	G(b, "movdqu (%" B "), %xmm0")	G(b, "movups %xmm0, (%" B ")") \
	G(b, "movq (%" B "), %xmm1")	G(b, "movq %xmm1, (%" B ")")	\
	G(b, "cmpxchg8b (%" B ")")	G(b, "fldl (%" B ")")		\
	G(b, "fxsave (%" B ")")		G(b, "xsave (%" B ")")		\
	G(b, "xrstor (%" B ")")		G(b, "clflush (%" B ")")	\
	G(b, "lgdt (%" B ")")		G(b, "lidt (%" B ")")		\
	G(b, "sgdt (%" B ")")		G(b, "sidt (%" B ")")		\
	G(b, "invlpg (%" B ")")		G(b, "monitor")		\
	G(b, "mwait")			G(b, "movsb")			\
	G(b, "movsl")			G(b, "rep movsb")		\
	G(b, "rep movsl")		G(b, "stosb")			\
	G(b, "rep stosl")		G(b, "lodsl")			\
	G(b, "cmpsb")			G(b, "rep scasw")		\
	G(b, "rep insb")		G(b, "rep insw")		\
	G(b, "rep insl")		G(b, "rep outsb")		\
	G(b, "rep outsw")		G(b, "rep outsl")		\
	G(b, "insb")			G(b, "outsl")			\
	G(b, "in %dx, %al")		G(b, "in %dx, %eax")		\
	G(b, "out %al, %dx")		G(b, "out %eax, %dx")		\
	G(b, "in $0x71, %al")		G(b, "out %al, $0x70")		\
	G(b, "std")			G(b, "cld")			\
	G(b, "cpuid")			G(b, "rdtsc")			\
	G(b, "rdtscp")			G(b, "rdpmc")			\
	G(b, "hlt")			G(b, "cli\n\thlt")		\
	G(b, "sti")			G(b, "pause")			\
	G(b, "vmcall")			G(b, "vmmcall")		\
	G(b, "int3")			G(b, "int $0x20")		\
	G(b, "ud2")			G(b, "invd")			\
	G(b, "wbinvd")			G(b, "getsec")			\
	G(b, "rdrand %eax")		G(b, "rdseed %eax")		\
	G(b, "vmxon (%" B ")")		G(b, "vmptrld (%" B ")")	\
	G(b, "invept (%" B "), %" A)	G(b, "vmfunc")			\
	G(b, "rsm")			G(b, "div %ecx")		\
	G(b, "ltr %ax")			G(b, "lldt %ax")		\
	G(b, "str %ax")			G(b, "verr %ax")		\
	G(b, "mov %ax, %ds")		G(b, "mov %ax, %es")		\
	G(b, "mov %ax, %ss")		G(b, "mov %ax, %fs")		\
	G(b, "push %" A "\n\tpopf")	G(b, "pushf\n\tpop %" A)	\
	G(b, "jmp *%" A)		G(b, "call *%" A)		\
	G(b, "push %" A)						\
	G(b, "pop %" A)			G(b, "mov %" SI ", %" DI)	\
	G(b, "mov %" C ", %" D)

asm(".globl fuzz_gadget_code, gadgets16, gadgets16_end, gadgets32\n"
	".globl gadgets32_end, gadgets64, gadgets64_end\n"
	".pushsection .rodata.fuzz_code, \"a\"\n"
	"fuzz_gadget_code:\n"
	".popsection\n"
	".pushsection .rodata.fuzz_tab16, \"a\"\n.balign 4\ngadgets16:\n.popsection\n"
	".pushsection .rodata.fuzz_tab32, \"a\"\n.balign 4\ngadgets32:\n.popsection\n"
	".pushsection .rodata.fuzz_tab64, \"a\"\n.balign 4\ngadgets64:\n.popsection\n"
	COMMON(16, "eax", "ebx", "ecx", "edx", "esi", "edi")
	G(16, "iret")		G(16, "lret")
	G(16, "ljmp *(%ebx)")	G(16, "mov %ax, %ds\n\tmov (%bx), %al")
	G(16, "mov %ax, %es\n\tmov %bx, %di\n\trep stosb")
	G(16, "mov %ax, %ds\n\tmov %bx, %si\n\trep outsb")
	G(16, "int $0x10")	G(16, "pushl (%ebx)")
	G(16, "mov %eax, %esp")
	COMMON(32, "eax", "ebx", "ecx", "edx", "esi", "edi")
	G(32, "iret")		G(32, "lret")
	G(32, "ljmp *(%ebx)")	G(32, "sysenter")
	G(32, "pushl (%ebx)")	G(32, "popl (%ebx)")
	G(32, "into")		G(32, "bound %eax, (%ebx)")
	G(32, "mov %eax, %esp")
	COMMON(64, "rax", "rbx", "rcx", "rdx", "rsi", "rdi")
	G(64, "mov %rax, %cr8")	G(64, "mov %cr8, %rax")
	G(64, "mov %rax, (%rbx)")	G(64, "mov (%rbx), %rax")
	G(64, "mov %rax, 4093(%rbx)")	G(64, "movsq")
	G(64, "rep movsq")		G(64, "lodsq")
	G(64, "pushq (%rbx)")	G(64, "popq (%rbx)")
	G(64, "cmpxchg16b (%rbx)")	G(64, "lock xadd %rax, (%rbx)")
	G(64, "movdqa (%rbx), %xmm2")	G(64, "movntdq %xmm2, (%rbx)")
	G(64, "iretq")		G(64, "lretq")
	G(64, "syscall")		G(64, "sysretq")
	G(64, "swapgs")		G(64, "rdpid %rax")
	G(64, "mov %rax, %rsp")	G(64, "mov (%rax), %rsp")
	G(64, "xsaves (%rbx)")	G(64, "wrfsbase %rax")
	".pushsection .rodata.fuzz_tab16, \"a\"\ngadgets16_end:\n.popsection\n"
	".pushsection .rodata.fuzz_tab32, \"a\"\ngadgets32_end:\n.popsection\n"
	".pushsection .rodata.fuzz_tab64, \"a\"\ngadgets64_end:\n.popsection\n");
