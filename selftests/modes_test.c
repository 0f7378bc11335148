// SPDX-License-Identifier: GPL-2.0
/*
 * A guest runs and reports through the ucall in each CPU mode: real mode
 * from the reset state, 32-bit protected mode and 64-bit long mode.  Each
 * guest does something only its mode can do.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "modes.h"
#include "ucall.h"

/*
 * Real mode: loading DS with 0x8000 makes its base 0x80000 (a selector
 * would index the GDT in protected mode); SMSW shows CR0.PE clear.
 */
GUEST16(real_mode_guest,
	"mov %cs, %di\n\t"
	"smsw %si\n\t"
	"mov $" __stringify(DATA_GPA) " >> 4, %ax\n\t"
	"mov %ax, %ds\n\t"
	"movw $0xbeef, 0x10\n\t"	/* DS:0x10 = DATA_GPA + 0x10 */
	"mov %ds, %dx\n\t"
	G_UCALL(UCALL_SYNC)
	G_UCALL(UCALL_DONE)
	"hlt\n");

TEST(real_mode)
{
	struct vcpu *vcpu = vcpu_create_guest(&real_mode_guest);
	struct vmctl_sregs sregs;
	struct ucall uc;

	vcpu_get_sregs(vcpu, &sregs);
	ASSERT_EQ(0, sregs.cr0 & X86_CR0_PE);

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(CODE_GPA >> 4, uc.args[0] & 0xffff);
	EXPECT_EQ(0, uc.args[1] & X86_CR0_PE);
	EXPECT_EQ(DATA_GPA >> 4, uc.args[2] & 0xffff);
	EXPECT_EQ(0xbeef, *(uint16_t *)gpa_to_hva(vcpu->vm, DATA_GPA + 0x10));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/*
 * 32-bit protected mode: a 32-bit immediate (in 16-bit code the same
 * bytes decode as a 16-bit one), flat 32-bit addressing and stack.
 */
GUEST32(prot32_guest,
	"mov %cs, %edi\n\t"
	"mov %cr0, %esi\n\t"
	"mov $0x12345678, %eax\n\t"
	"mov %eax, " __stringify(DATA_GPA) "\n\t"
	"push $0xabcdef01\n\t"
	"pop %edx\n\t"
	"mov %esp, %ecx\n\t"
	G_UCALL(UCALL_SYNC)
	G_UCALL(UCALL_DONE)
	"hlt\n");

TEST(protected_mode_32)
{
	struct vcpu *vcpu = vcpu_create_guest(&prot32_guest);
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(SEL_CODE32, uc.args[0] & 0xffff);
	EXPECT_EQ(X86_CR0_PE, uc.args[1] & (X86_CR0_PE | X86_CR0_PG));
	EXPECT_EQ(0xabcdef01, uc.args[2]);
	EXPECT_EQ(STACK_TOP, uc.args[3]);
	EXPECT_EQ(0x12345678, *(uint32_t *)gpa_to_hva(vcpu->vm, DATA_GPA));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/* 64-bit long mode: 64-bit registers and stack, paging on. */
GUEST64(long_mode_guest,
	"mov %cs, %edi\n\t"
	"mov %cr0, %rsi\n\t"
	"movabs $0x1122334455667788, %rax\n\t"
	"mov %rax, " __stringify(DATA_GPA) "\n\t"
	"push %rax\n\t"
	"pop %rdx\n\t"
	"mov %cr4, %rcx\n\t"
	G_UCALL(UCALL_SYNC)
	G_UCALL(UCALL_DONE)
	"hlt\n");

TEST(long_mode_64)
{
	struct vcpu *vcpu = vcpu_create_guest(&long_mode_guest);
	struct vmctl_sregs sregs;
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(SEL_CODE64, uc.args[0] & 0xffff);
	EXPECT_EQ(X86_CR0_PE | X86_CR0_PG,
		  uc.args[1] & (X86_CR0_PE | X86_CR0_PG));
	EXPECT_EQ(0x1122334455667788ULL, uc.args[2]);
	EXPECT_EQ(X86_CR4_PAE, uc.args[3] & X86_CR4_PAE);
	EXPECT_EQ(0x1122334455667788ULL,
		  *(uint64_t *)gpa_to_hva(vcpu->vm, DATA_GPA));
	vcpu_get_sregs(vcpu, &sregs);
	EXPECT_EQ(X86_EFER_LMA | X86_EFER_LME,
		  sregs.efer & (X86_EFER_LMA | X86_EFER_LME));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
