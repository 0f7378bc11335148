// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RDMSR/WRMSR: an MSR the kernel models keeps what the guest writes
 * (and agrees with GET/SET_MSRS from the host); one it does not model
 * raises #GP in the guest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "ucall.h"

#define MSR_LSTAR		0xc0000082
#define MSR_UNMODELLED		0xbad
#define X86_VECTOR_GP		13

/* The guest writes LSTAR, reads it back; then reads it once more. */
GUEST64(lstar_guest,
	"mov $" __stringify(MSR_LSTAR) ", %ecx\n\t"
	"mov $0x12345678, %eax\n\t"
	"mov $0xffff8000, %edx\n\t"
	"wrmsr\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"rdmsr\n\t"
	"mov %eax, %edi\n\t"
	"mov %edx, %esi\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(MSR_LSTAR) ", %ecx\n\t"
	"rdmsr\n\t"
	"mov %eax, %edi\n\t"
	"mov %edx, %esi\n\t"
	G_UCALL(UCALL_SYNC));

static uint64_t get_msr(struct vcpu *vcpu, uint32_t index)
{
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };

	if (ioctl(vcpu->fd, VMCTL_GET_MSRS, &m) != 1)
		return 0xdeadbeef;
	return m.e.data;
}

static int set_msr(struct vcpu *vcpu, uint32_t index, uint64_t data)
{
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index, .e.data = data };

	return ioctl(vcpu->fd, VMCTL_SET_MSRS, &m);
}

TEST(modelled_msr)
{
	struct vcpu *vcpu = vcpu_create_guest(&lstar_guest);
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x12345678, uc.args[0]);
	EXPECT_EQ(0xffff8000, uc.args[1]);
	EXPECT_EQ(0xffff800012345678ULL, get_msr(vcpu, MSR_LSTAR));

	ASSERT_EQ(1, set_msr(vcpu, MSR_LSTAR, 0x00007fff87654321ULL));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x87654321, uc.args[0]);
	EXPECT_EQ(0x00007fff, uc.args[1]);
	guest_destroy(vcpu);
}

GUEST64(unmodelled_rdmsr_guest,
	"mov $" __stringify(MSR_UNMODELLED) ", %ecx\n"
	"unmodelled_rdmsr:\n\t"
	"rdmsr\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(unmodelled_rdmsr);
GUEST_LABEL(unmodelled_wrmsr);

TEST(unmodelled_rdmsr_is_gp)
{
	struct vcpu *vcpu = vcpu_create_guest(&unmodelled_rdmsr_guest);
	struct ucall uc;

	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(X86_VECTOR_GP, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(guest_addr(&unmodelled_rdmsr_guest, unmodelled_rdmsr),
		  uc.args[2]);
	guest_destroy(vcpu);
}

GUEST64(unmodelled_wrmsr_guest,
	"mov $" __stringify(MSR_UNMODELLED) ", %ecx\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n"
	"unmodelled_wrmsr:\n\t"
	"wrmsr\n\t"
	G_UCALL(UCALL_DONE));

TEST(unmodelled_wrmsr_is_gp)
{
	struct vcpu *vcpu = vcpu_create_guest(&unmodelled_wrmsr_guest);
	struct ucall uc;

	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(X86_VECTOR_GP, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(guest_addr(&unmodelled_wrmsr_guest, unmodelled_wrmsr),
		  uc.args[2]);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
