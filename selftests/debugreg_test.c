// SPDX-License-Identifier: GPL-2.0
/*
 * Debug registers as the architecture has them: DR6 and DR7 are 32-bit
 * (a write with bits 63:32 set is #GP), DR7.GD makes the next MOV DR
 * raise #DB with DR6.BD set and clears GD, and breakpoints in DR0-3
 * enabled in DR7 raise #DB with their DR6.Bn bit: an instruction
 * breakpoint before the instruction, a data one after the write.
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "irqchip.h"
#include "ucall.h"

#define COUNT_GP	"0x80000"
#define COUNT_DB	"0x80004"
#define WATCHED		"0x80100"

#define DR6_B0		(1ULL << 0)
#define DR6_B1		(1ULL << 1)
#define DR6_BD		(1ULL << 13)
#define DR7_GD		(1ULL << 13)

/* Each step reports (RDI, RSI, RDX) = (#GP count, #DB count, DR6). */
GUEST64(dr_guest,
	/* Bits 63:32 of DR7 and DR6: #GP, skipped by the handler. */
	"movabs $0x100000400, %rax\n\t"
	"mov %rax, %dr7\n\t"
	"movabs $0x1ffff0ff0, %rax\n\t"
	"mov %rax, %dr6\n\t"
	"mov " COUNT_GP ", %edi\n\t"
	"mov " COUNT_DB ", %esi\n\t"
	"mov %dr7, %rdx\n\t"
	G_UCALL(UCALL_SYNC)
	/* General detect: the MOV faults once, then runs. */
	"mov $0x2400, %eax\n\t"
	"mov %rax, %dr7\n\t"
	"mov %dr0, %rax\n\t"
	"mov %dr7, %rcx\n\t"
	"mov " COUNT_GP ", %edi\n\t"
	"mov " COUNT_DB ", %esi\n\t"
	"mov %dr6, %rdx\n\t"
	G_UCALL(UCALL_SYNC)
	/* An instruction breakpoint on bp_insn (DR0, L0). */
	"xor %eax, %eax\n\t"
	"mov %rax, %dr6\n\t"
	"lea bp_insn(%rip), %rax\n\t"
	"mov %rax, %dr0\n\t"
	"mov $0x401, %eax\n\t"
	"mov %rax, %dr7\n"
	"bp_insn:\n\t"
	"nop\n\t"
	"mov $0x400, %eax\n\t"
	"mov %rax, %dr7\n\t"
	"mov " COUNT_GP ", %edi\n\t"
	"mov " COUNT_DB ", %esi\n\t"
	"mov %dr6, %rdx\n\t"
	G_UCALL(UCALL_SYNC)
	/* A 4-byte write breakpoint on WATCHED (DR1, L1, RW1=01, LEN1=11). */
	"xor %eax, %eax\n\t"
	"mov %rax, %dr6\n\t"
	"mov $" WATCHED ", %eax\n\t"
	"mov %rax, %dr1\n\t"
	"mov $0xd00404, %eax\n\t"
	"mov %rax, %dr7\n\t"
	"movl $1, " WATCHED "\n\t"
	"mov $0x400, %eax\n\t"
	"mov %rax, %dr7\n\t"
	"mov " COUNT_GP ", %edi\n\t"
	"mov " COUNT_DB ", %esi\n\t"
	"mov %dr6, %rdx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n"
	/* #GP: count, skip the 3-byte MOV to DR. */
	"gp_handler:\n\t"
	"add $8, %rsp\n\t"
	"incl " COUNT_GP "\n\t"
	"addq $3, (%rsp)\n\t"
	"iretq\n"
	/* #DB: count, return with RFLAGS.RF so the breakpoint lets it run. */
	"db_handler:\n\t"
	"incl " COUNT_DB "\n\t"
	"orl $0x10000, 16(%rsp)\n\t"
	"iretq\n");

GUEST_LABEL(gp_handler);
GUEST_LABEL(db_handler);

TEST(debug_registers)
{
	struct vcpu *vcpu = vcpu_create_guest(&dr_guest);
	struct ucall uc;

	idt_set_gate(vcpu->vm, 13, guest_addr(&dr_guest, gp_handler));
	idt_set_gate(vcpu->vm, 1, guest_addr(&dr_guest, db_handler));

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]) TH_LOG("#GP for DR7/DR6 bits 63:32");
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(0x400, uc.args[2]) TH_LOG("DR7 kept its value");

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("#DB for MOV DR with DR7.GD");
	EXPECT_EQ(DR6_BD, uc.args[2] & DR6_BD);
	EXPECT_EQ(0, uc.args[3] & DR7_GD) TH_LOG("#DB cleared DR7.GD");

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(2, uc.args[1]) TH_LOG("#DB for the instruction breakpoint");
	EXPECT_EQ(DR6_B0, uc.args[2] & (DR6_B0 | DR6_B1));

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(3, uc.args[1]) TH_LOG("#DB for the data breakpoint");
	EXPECT_EQ(DR6_B1, uc.args[2] & (DR6_B0 | DR6_B1));
	EXPECT_EQ(1, *(uint32_t *)gpa_to_hva(vcpu->vm, 0x80100));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
