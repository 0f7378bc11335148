// SPDX-License-Identifier: GPL-2.0
/*
 * Exits that end a guest's progress: HLT, a triple fault (SHUTDOWN) and a
 * VM entry the CPU refuses (FAIL_ENTRY).  None may hurt the host, and a
 * vCPU whose state is fixed runs again.
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "modes.h"
#include "ucall.h"

GUEST64(hlt_guest,
	"hlt\n"
	"after_hlt:\n\t"
	"mov $0x55, %edi\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(after_hlt);

TEST(hlt_exits_then_continues)
{
	struct vcpu *vcpu = vcpu_create_guest(&hlt_guest);
	struct vmctl_regs regs;
	struct ucall uc;

	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_HLT, vcpu->run->exit_reason);
	/* Past the HLT: the next RUN must not halt again. */
	vcpu_get_regs(vcpu, &regs);
	EXPECT_EQ(guest_addr(&hlt_guest, after_hlt), regs.rip);
	EXPECT_EQ(regs.rip, vcpu->run->rip);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x55, uc.args[0]);
	guest_destroy(vcpu);
}

/*
 * INT3 through an IDT of limit 0: the #BP gate is beyond the limit (#GP),
 * so is the #GP gate (#DF), so is the #DF gate: triple fault.
 */
GUEST64(triple_fault_guest,
	"lidt zero_idtr(%rip)\n\t"
	"int3\n\t"
	G_UCALL(UCALL_DONE)
	"zero_idtr: .word 0\n\t"
	".quad 0\n");

TEST(triple_fault_is_shutdown)
{
	struct vcpu *vcpu = vcpu_create_guest(&triple_fault_guest);

	ASSERT_EQ(0, vcpu_run(vcpu));
	EXPECT_EQ(VMCTL_EXIT_SHUTDOWN, vcpu->run->exit_reason);
	guest_destroy(vcpu);
}

GUEST64(entry_guest,
	G_UCALL(UCALL_DONE));

/*
 * An available (not busy) TSS in TR fails VM entry's guest-state checks
 * (TR must be a busy TSS): the exit carries the basic reason 33 with
 * bit 31 set.  Marking TR busy again lets the same vCPU enter.
 */
TEST(invalid_guest_state_is_fail_entry)
{
	struct vcpu *vcpu = vcpu_create_guest(&entry_guest);
	struct vmctl_sregs sregs;
	struct ucall uc;

	vcpu_get_sregs(vcpu, &sregs);
	sregs.tr.type = 9;
	vcpu_set_sregs(vcpu, &sregs);
	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_FAIL_ENTRY, vcpu->run->exit_reason);
	EXPECT_EQ(VMCTL_HW_EXIT_FAILED_ENTRY | VMCTL_HW_EXIT_INVALID_GUEST_STATE,
		  vcpu->run->fail_entry.hardware_reason);

	sregs.tr.type = 11;
	vcpu_set_sregs(vcpu, &sregs);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

/* In IA-32e mode a 64-bit CS (L=1) must have D=0. */
TEST(long_mode_cs_with_db_is_fail_entry)
{
	struct vcpu *vcpu = vcpu_create_guest(&entry_guest);
	struct vmctl_sregs sregs;

	vcpu_get_sregs(vcpu, &sregs);
	sregs.cs.db = 1;
	vcpu_set_sregs(vcpu, &sregs);
	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_FAIL_ENTRY, vcpu->run->exit_reason);
	EXPECT_EQ(VMCTL_HW_EXIT_FAILED_ENTRY | VMCTL_HW_EXIT_INVALID_GUEST_STATE,
		  vcpu->run->fail_entry.hardware_reason);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
