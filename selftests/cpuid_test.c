// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID is answered in the kernel from the vCPU's table: by default the
 * host's leaves with VMX hidden, the hypervisor bit and "vmctlvmctlvm" at
 * 0x40000000; SET_CPUID replaces the table and GET_CPUID reads it back.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "ucall.h"

#define CPUID_1_ECX_VMX		(1U << 5)
#define CPUID_1_ECX_HYPERVISOR	(1U << 31)

/* CPUID(leaf, subleaf) reported as RDI=EBX, RSI=ECX, RDX=EDX, RCX=EAX. */
#define G_CPUID_REPORT(leaf, subleaf)					\
	"mov $" #leaf ", %eax\n\t"					\
	"mov $" #subleaf ", %ecx\n\t"					\
	"cpuid\n\t"							\
	"mov %ebx, %edi\n\t"						\
	"mov %ecx, %esi\n\t"						\
	"mov %eax, %ecx\n\t"						\
	G_UCALL(UCALL_SYNC)

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static int guest_cpuid(struct vcpu *vcpu, struct cpuid_regs *r)
{
	struct ucall uc;
	int type = vcpu_ucall(vcpu, &uc);

	r->ebx = uc.args[0];
	r->ecx = uc.args[1];
	r->edx = uc.args[2];
	r->eax = uc.args[3];
	return type;
}

GUEST64(default_cpuid_guest,
	G_CPUID_REPORT(0x40000000, 0)
	G_CPUID_REPORT(1, 0)
	G_CPUID_REPORT(0, 0)
	"hlt\n");

TEST(default_table)
{
	struct vcpu *vcpu = vcpu_create_guest(&default_cpuid_guest);
	struct cpuid_regs r, host;
	char sig[13] = { 0 };

	ASSERT_EQ(UCALL_SYNC, guest_cpuid(vcpu, &r));
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	EXPECT_STREQ("vmctlvmctlvm", sig);
	EXPECT_GE(r.eax, 0x40000000);

	ASSERT_EQ(UCALL_SYNC, guest_cpuid(vcpu, &r));
	EXPECT_EQ(CPUID_1_ECX_HYPERVISOR, r.ecx & CPUID_1_ECX_HYPERVISOR);
	EXPECT_EQ(0, r.ecx & CPUID_1_ECX_VMX);

	/* Leaf 0 comes from the host: same vendor. */
	ASSERT_EQ(UCALL_SYNC, guest_cpuid(vcpu, &r));
	__cpuid(0, host.eax, host.ebx, host.ecx, host.edx);
	EXPECT_EQ(host.ebx, r.ebx);
	EXPECT_EQ(host.ecx, r.ecx);
	EXPECT_EQ(host.edx, r.edx);
	guest_destroy(vcpu);
}

static struct vmctl_cpuid *cpuid_alloc(uint32_t nent)
{
	struct vmctl_cpuid *c = calloc(1, sizeof(*c) +
				       nent * sizeof(c->entries[0]));

	c->nent = nent;
	return c;
}

/* The default table has the signature leaf, and E2BIG when it doesn't fit. */
TEST(get_default_table)
{
	struct vcpu *vcpu = vcpu_create_guest(&default_cpuid_guest);
	struct vmctl_cpuid *c = cpuid_alloc(VMCTL_MAX_CPUID_ENTRIES);
	int found = 0;
	uint32_t i;

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_CPUID, c));
	ASSERT_GT(c->nent, 1);
	ASSERT_LE(c->nent, VMCTL_MAX_CPUID_ENTRIES);
	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 0x40000000 &&
		    !memcmp(&c->entries[i].ebx, "vmct", 4))
			found = 1;
		if (c->entries[i].function == 1)
			EXPECT_EQ(0, c->entries[i].ecx & CPUID_1_ECX_VMX);
	}
	EXPECT_TRUE(found);

	c->nent = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, VMCTL_GET_CPUID, c));
	EXPECT_EQ(E2BIG, errno);
	free(c);
	guest_destroy(vcpu);
}

static const struct vmctl_cpuid_entry custom_entries[] = {
	{ .function = 1, .eax = 0x000306a9, .ebx = 0x00223344,	/* APIC ID 0 */
	  .ecx = 0x80000000, .edx = 0x55667788 },
	{ .function = 7, .index = 0,
	  .flags = VMCTL_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 1, .ebx = 2, .ecx = 3, .edx = 4 },
	{ .function = 7, .index = 1,
	  .flags = VMCTL_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 5, .ebx = 6, .ecx = 7, .edx = 8 },
};

GUEST64(custom_cpuid_guest,
	G_CPUID_REPORT(1, 5)		/* index ignored without the flag */
	G_CPUID_REPORT(7, 0)
	G_CPUID_REPORT(7, 1)
	G_CPUID_REPORT(7, 2)		/* absent subleaf */
	G_CPUID_REPORT(0x40000000, 0)	/* absent leaf */
	"hlt\n");

TEST(set_table_is_what_guest_sees)
{
	struct vcpu *vcpu = vcpu_create_guest(&custom_cpuid_guest);
	const uint32_t n = ARRAY_SIZE(custom_entries);
	struct vmctl_cpuid *c = cpuid_alloc(n);
	struct cpuid_regs r;
	uint32_t i;

	memcpy(c->entries, custom_entries, sizeof(custom_entries));
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_CPUID, c));

	for (i = 0; i < n; i++) {
		ASSERT_EQ(UCALL_SYNC, guest_cpuid(vcpu, &r));
		EXPECT_EQ(custom_entries[i].eax, r.eax);
		EXPECT_EQ(custom_entries[i].ebx, r.ebx);
		EXPECT_EQ(custom_entries[i].ecx, r.ecx);
		EXPECT_EQ(custom_entries[i].edx, r.edx);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(UCALL_SYNC, guest_cpuid(vcpu, &r));
		EXPECT_EQ(0, r.eax | r.ebx | r.ecx | r.edx);
	}

	/* GET_CPUID returns exactly the table that was set. */
	free(c);
	c = cpuid_alloc(VMCTL_MAX_CPUID_ENTRIES);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_CPUID, c));
	ASSERT_EQ(n, c->nent);
	EXPECT_EQ(0, memcmp(custom_entries, c->entries, sizeof(custom_entries)));
	free(c);
	guest_destroy(vcpu);
}

static const struct vmctl_cpuid_entry *
entry(const struct vmctl_cpuid *c, uint32_t fn, uint32_t idx)
{
	static const struct vmctl_cpuid_entry none;
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return &none;
}

#define CPUID_1_ECX_FMA		(1U << 12)
#define CPUID_1_ECX_XSAVE	(1U << 26)
#define CPUID_1_ECX_AVX		(1U << 28)
#define CPUID_1_ECX_F16C	(1U << 29)
#define CPUID_7_EBX_AVX2	(1U << 5)
#define CPUID_7_EBX_AVX512	0xdc230000U	/* F DQ IFMA PF ER CD BW VL */
#define XCR0_YMM		(1U << 2)
#define XCR0_AVX512		0xe0U		/* opmask, ZMM_Hi256, Hi16_ZMM */

/*
 * The default table agrees with itself: features whose state XSAVE
 * manages are offered only with that state in leaf 0xd, and without
 * XSAVE leaf 0xd is empty.  (The test machine's kernel runs without
 * XSAVE in use, which once left leaf 7 offering AVX2 and AVX-512.)
 */
TEST(xsave_features_agree)
{
	struct vcpu *vcpu = vcpu_create_guest(&default_cpuid_guest);
	struct vmctl_cpuid *c = cpuid_alloc(VMCTL_MAX_CPUID_ENTRIES);
	const struct vmctl_cpuid_entry *l1, *l7, *d;
	uint32_t xcr0, i;

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_CPUID, c));
	l1 = entry(c, 1, 0);
	l7 = entry(c, 7, 0);
	xcr0 = entry(c, 0xd, 0)->eax;
	TH_LOG("leaf 1 ECX %#x, leaf 7 EBX %#x, XCR0 mask %#x",
	       l1->ecx, l7->ebx, xcr0);
	if (!(l1->ecx & CPUID_1_ECX_XSAVE))
		for (i = 0; i < c->nent; i++) {
			d = &c->entries[i];
			if (d->function == 0xd)
				EXPECT_EQ(0, d->eax | d->ebx | d->ecx | d->edx)
					TH_LOG("leaf 0xd.%u without XSAVE",
					       d->index);
		}
	if (!(xcr0 & XCR0_YMM)) {
		EXPECT_EQ(0, l1->ecx & (CPUID_1_ECX_AVX | CPUID_1_ECX_FMA |
					CPUID_1_ECX_F16C));
		EXPECT_EQ(0, l7->ebx & CPUID_7_EBX_AVX2);
	}
	if ((xcr0 & XCR0_AVX512) != XCR0_AVX512)
		EXPECT_EQ(0, l7->ebx & CPUID_7_EBX_AVX512);
	free(c);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
