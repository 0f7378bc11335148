// SPDX-License-Identifier: GPL-2.0
/*
 * VMCALL: number 0 is served in the kernel (the API version in RAX); every
 * other number exits to userspace with its arguments, and the value
 * userspace leaves in hypercall.ret is the guest's RAX afterwards.
 */
#include <stdint.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "ucall.h"

GUEST64(user_hypercall_guest,
	"mov $0x1234, %eax\n\t"
	"movabs $0x1111111111111111, %rbx\n\t"
	"movabs $0x2222222222222222, %rcx\n\t"
	"movabs $0x3333333333333333, %rdx\n\t"
	"movabs $0x4444444444444444, %rsi\n\t"
	"vmcall\n\t"
	"mov %rax, %rdi\n\t"
	"mov %rbx, %rsi\n\t"
	G_UCALL(UCALL_SYNC));

TEST(hypercall_to_userspace)
{
	struct vcpu *vcpu = vcpu_create_guest(&user_hypercall_guest);
	struct vmctl_run *run = vcpu->run;
	struct ucall uc;

	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_HYPERCALL, run->exit_reason);
	EXPECT_EQ(0x1234, run->hypercall.nr);
	EXPECT_EQ(0x1111111111111111ULL, run->hypercall.args[0]);
	EXPECT_EQ(0x2222222222222222ULL, run->hypercall.args[1]);
	EXPECT_EQ(0x3333333333333333ULL, run->hypercall.args[2]);
	EXPECT_EQ(0x4444444444444444ULL, run->hypercall.args[3]);
	run->hypercall.ret = 0xcafebabe12345678ULL;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0xcafebabe12345678ULL, uc.args[0]);
	EXPECT_EQ(0x1111111111111111ULL, uc.args[1]);
	guest_destroy(vcpu);
}

GUEST64(version_hypercall_guest,
	"xor %eax, %eax\n\t"
	"vmcall\n\t"
	"mov %rax, %rdi\n\t"
	G_UCALL(UCALL_SYNC));

/* Served in the kernel: the first exit userspace sees is the ucall. */
TEST(hypercall_get_version_in_kernel)
{
	struct vcpu *vcpu = vcpu_create_guest(&version_hypercall_guest);
	struct vmctl_vcpu_stats stats = { 0 };
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(VMCTL_API_VERSION, uc.args[0]);

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_VCPU_STATS, &stats));
	EXPECT_EQ(0, stats.flags);
	EXPECT_EQ(1, stats.runs);
	EXPECT_EQ(1, stats.user_exits);
	EXPECT_EQ(1, stats.hw_exits[VMCTL_HW_EXIT_VMCALL]);
	EXPECT_EQ(1, stats.hw_exits[VMCTL_HW_EXIT_IO_INSTRUCTION]);
	EXPECT_GE(stats.exits, 2);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
