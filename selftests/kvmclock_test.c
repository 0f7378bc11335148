// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's paravirtual clock: CPUID 0x40000100 carries KVM's signature (ours
 * stays at 0x40000000) and 0x40000101 the features served; a guest that
 * enables MSR_KVM_SYSTEM_TIME_NEW finds a pvclock_vcpu_time_info whose
 * time advances with its TSC at the host's pace, and one that writes
 * MSR_KVM_WALL_CLOCK_NEW finds the wall-clock time of its boot.  A
 * disabled clock, a GPA outside RAM or a structure crossing a page write
 * nothing and raise nothing (as on KVM); without KVM's leaves (the bare
 * platform) the MSRs #GP.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "ucall.h"

#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define FEATURE_CLOCKSOURCE2	(1U << 3)
#define FEATURE_STABLE_BIT	(1U << 24)
#define PVCLOCK_TSC_STABLE_BIT	(1U << 0)
#define X86_VECTOR_GP		13
#define POISON			0xa5
#define SLEEP_NS		20000000ULL

/* Documentation/virt/kvm/x86/msr.rst */
struct pvclock_time {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags, pad[2];
};

struct pvclock_wall {
	uint32_t version, sec, nsec;
};

/* CPUID 0x40000000, 0x40000100 and 0x40000101 as the guest sees them. */
GUEST64(signature_guest,
	"mov $0x40000100, %eax\n\t"
	"cpuid\n\t"
	"mov %ebx, %edi\n\t"
	"mov %ecx, %esi\n\t"
	"mov %eax, %ecx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0x40000000, %eax\n\t"
	"cpuid\n\t"
	"mov %ebx, %esi\n\t"
	"mov %eax, %r10d\n\t"
	"mov $0x40000101, %eax\n\t"
	"cpuid\n\t"
	"mov %eax, %edi\n\t"
	"mov %r10d, %edx\n\t"
	G_UCALL(UCALL_DONE));

TEST(signature)
{
	struct vcpu *vcpu = vcpu_create_guest(&signature_guest);
	uint32_t sig[3];
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	sig[0] = uc.args[0];
	sig[1] = uc.args[1];
	sig[2] = uc.args[2];
	EXPECT_EQ(0, memcmp(sig, "KVMKVMKVM\0\0\0", 12));
	EXPECT_EQ(0x40000101, uc.args[3]);	/* its last leaf */
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	/* The others: kvm_pv_test.c. */
	EXPECT_EQ(FEATURE_CLOCKSOURCE2 | FEATURE_STABLE_BIT,
		  uc.args[0] & (FEATURE_CLOCKSOURCE2 | FEATURE_STABLE_BIT));
	EXPECT_EQ(0, memcmp(&(uint32_t){ uc.args[1] }, "vmct", 4));
	EXPECT_EQ(0x40000000, uc.args[2]);
	guest_destroy(vcpu);
}

/*
 * WRMSR R8 <- R9, RDMSR it back (RSI), then RDTSC (RDI) twice, with a
 * ucall after each.
 */
GUEST64(clock_guest,
	"mov %r8d, %ecx\n\t"
	"mov %r9, %rax\n\t"
	"mov %r9, %rdx\n\t"
	"shr $32, %rdx\n"
	"clock_wrmsr:\n\t"
	"wrmsr\n\t"
	"rdmsr\n\t"
	"shl $32, %rdx\n\t"
	"or %rax, %rdx\n\t"
	"mov %rdx, %rsi\n\t"
	"rdtsc\n\t"
	"shl $32, %rdx\n\t"
	"or %rax, %rdx\n\t"
	"mov %rdx, %rdi\n\t"
	G_UCALL(UCALL_SYNC)
	"rdtsc\n\t"
	"shl $32, %rdx\n\t"
	"or %rax, %rdx\n\t"
	"mov %rdx, %rdi\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(clock_wrmsr);

static struct vcpu *clock_vcpu(uint32_t msr, uint64_t value)
{
	struct vcpu *vcpu = vcpu_create_guest(&clock_guest);
	struct vmctl_regs regs;

	memset(gpa_to_hva(vcpu->vm, DATA_GPA), POISON, 0x2000);
	vcpu_get_regs(vcpu, &regs);
	regs.r8 = msr;
	regs.r9 = value;
	vcpu_set_regs(vcpu, &regs);
	return vcpu;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The guest's reading of the clock at its TSC @tsc. */
static uint64_t pvclock_read(const struct pvclock_time *t, uint64_t tsc)
{
	uint64_t delta = tsc - t->tsc_timestamp;

	if (t->tsc_shift < 0)
		delta >>= -t->tsc_shift;
	else
		delta <<= t->tsc_shift;
	return t->system_time +
	       (uint64_t)(((__uint128_t)delta * t->tsc_to_system_mul) >> 32);
}

static int all_poison(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++ != POISON)
			return 0;
	return 1;
}

TEST(system_time)
{
	struct vcpu *vcpu = clock_vcpu(MSR_KVM_SYSTEM_TIME_NEW, DATA_GPA | 1);
	struct pvclock_time t;
	uint64_t h0, h1, t1, t2;
	struct ucall uc;

	h0 = now_ns(CLOCK_MONOTONIC);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(DATA_GPA | 1, uc.args[1]);
	memcpy(&t, gpa_to_hva(vcpu->vm, DATA_GPA), sizeof(t));
	TH_LOG("version %u tsc_timestamp %llu system_time %llu mul %u shift %d flags %#x",
	       t.version, (unsigned long long)t.tsc_timestamp,
	       (unsigned long long)t.system_time, t.tsc_to_system_mul,
	       t.tsc_shift, t.flags);
	EXPECT_EQ(0, t.version & 1);
	EXPECT_NE(0, t.version);
	EXPECT_NE(0, t.tsc_to_system_mul);
	EXPECT_EQ(PVCLOCK_TSC_STABLE_BIT, t.flags);
	EXPECT_EQ(0, t.pad0);
	t1 = pvclock_read(&t, uc.args[0]);

	usleep(SLEEP_NS / 1000);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	h1 = now_ns(CLOCK_MONOTONIC);
	t2 = pvclock_read(&t, uc.args[0]);
	TH_LOG("guest clock advanced %llu ns, host %llu ns",
	       (unsigned long long)(t2 - t1), (unsigned long long)(h1 - h0));
	/* The guest's TSC converted as it would: at the host's pace. */
	EXPECT_LT(t1, t2);
	EXPECT_GE(t2 - t1, SLEEP_NS * 99 / 100);
	EXPECT_LE(t2 - t1, (h1 - h0) * 101 / 100);
	guest_destroy(vcpu);
}

TEST(wall_clock)
{
	struct vcpu *vcpu = clock_vcpu(MSR_KVM_WALL_CLOCK_NEW, DATA_GPA);
	struct pvclock_wall w;
	struct ucall uc;
	time_t now;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	now = time(NULL);
	EXPECT_EQ(DATA_GPA, uc.args[1]);
	memcpy(&w, gpa_to_hva(vcpu->vm, DATA_GPA), sizeof(w));
	TH_LOG("version %u boot %u.%09u, now %lld", w.version, w.sec, w.nsec,
	       (long long)now);
	EXPECT_EQ(0, w.version & 1);
	EXPECT_NE(0, w.version);
	EXPECT_LT(w.nsec, 1000000000U);
	/* The VM was created a moment ago. */
	EXPECT_LE(w.sec, now);
	EXPECT_GE(w.sec + 60, now);
	guest_destroy(vcpu);
}

/* Accepted, read back, nothing written to guest memory, no exception. */
static void expect_ignored(struct __test_metadata *_metadata, uint64_t value)
{
	struct vcpu *vcpu = clock_vcpu(MSR_KVM_SYSTEM_TIME_NEW, value);
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(value, uc.args[1]);
	EXPECT_TRUE(all_poison(gpa_to_hva(vcpu->vm, DATA_GPA), 0x2000));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

TEST(disabled_writes_nothing)
{
	expect_ignored(_metadata, DATA_GPA);
}

TEST(outside_ram_writes_nothing)
{
	expect_ignored(_metadata, MMIO_GPA | 1);
	expect_ignored(_metadata, (1ULL << 40) | 1);
}

TEST(crossing_page_writes_nothing)
{
	expect_ignored(_metadata, (DATA_GPA + 0xff0) | 1);
}

/* Without KVM's leaves (SET_CPUID), the MSRs are not there: #GP. */
TEST(bare_platform_is_gp)
{
	struct vcpu *vcpu = clock_vcpu(MSR_KVM_SYSTEM_TIME_NEW, DATA_GPA | 1);
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} c = { .hdr.nent = VMCTL_MAX_CPUID_ENTRIES };
	unsigned int i, n = 0;
	struct ucall uc;

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_CPUID, &c));
	for (i = 0; i < c.hdr.nent; i++)
		if (c.e[i].function < 0x40000100 ||
		    c.e[i].function > 0x400001ff)
			c.e[n++] = c.e[i];
	ASSERT_EQ(c.hdr.nent - 2, n);
	c.hdr.nent = n;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_CPUID, &c));

	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(X86_VECTOR_GP, uc.args[0]);
	EXPECT_EQ(guest_addr(&clock_guest, clock_wrmsr), uc.args[2]);
	EXPECT_TRUE(all_poison(gpa_to_hva(vcpu->vm, DATA_GPA), 0x2000));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
