// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RDMSR/WRMSR: an MSR the kernel models keeps what the guest writes
 * (and agrees with GET/SET_MSRS from the host); one it does not model
 * raises #GP in the guest.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "ucall.h"

#define MSR_LSTAR		0xc0000082
#define MSR_UNMODELLED		0xbad
#define MSR_APIC_BASE		0x1b
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

/* IA32_APIC_BASE with EDX = R8: the base moved above MAXPHYADDR. */
GUEST64(apic_base_guest,
	"mov $" __stringify(MSR_APIC_BASE) ", %ecx\n\t"
	"rdmsr\n\t"
	"mov %r8d, %edx\n"
	"apic_base_wrmsr:\n\t"
	"wrmsr\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(apic_base_wrmsr);

TEST(apic_base_above_maxphyaddr_is_gp)
{
	struct vcpu *vcpu = vcpu_create_guest(&apic_base_guest);
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} c = { .hdr.nent = VMCTL_MAX_CPUID_ENTRIES };
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = MSR_APIC_BASE };
	struct vmctl_sregs sregs;
	struct vmctl_regs regs;
	unsigned int maxphyaddr = 36, i;
	struct ucall uc;

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_CPUID, &c));
	for (i = 0; i < c.hdr.nent; i++)
		if (c.e[i].function == 0x80000008 && (c.e[i].eax & 0xff))
			maxphyaddr = c.e[i].eax & 0xff;
	ASSERT_LT(32, maxphyaddr);
	ASSERT_GT(52, maxphyaddr);
	TH_LOG("MAXPHYADDR %u", maxphyaddr);

	vcpu_get_regs(vcpu, &regs);
	regs.r8 = 1U << (maxphyaddr - 32);
	vcpu_set_regs(vcpu, &regs);
	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(X86_VECTOR_GP, uc.args[0]);
	EXPECT_EQ(guest_addr(&apic_base_guest, apic_base_wrmsr), uc.args[2]);

	/* The host is held to it too: SET_MSRS sets none, SET_SREGS fails. */
	ASSERT_EQ(1, ioctl(vcpu->fd, VMCTL_GET_MSRS, &m));
	m.e.data |= 1ULL << maxphyaddr;
	EXPECT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_MSRS, &m));
	vcpu_get_sregs(vcpu, &sregs);
	sregs.apic_base |= 1ULL << maxphyaddr;
	EXPECT_EQ(-1, ioctl(vcpu->fd, VMCTL_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
