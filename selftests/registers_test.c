// SPDX-License-Identifier: GPL-2.0
/*
 * Register state through the ABI: what SET_REGS, SET_SREGS and SET_MSRS
 * store is what GET_* return and what the guest sees, and what the guest
 * leaves is what the host reads.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "modes.h"
#include "ucall.h"

#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_KERNEL_GS_BASE	0xc0000102

#define X86_FLAGS_CF	(1UL << 0)
#define X86_FLAGS_ZF	(1UL << 6)

/*
 * Reports registers the host set; then sets R12 and RBP and leaves the
 * flags the host set in R13.
 */
GUEST64(regs_guest,
	"mov %r8, %rdi\n\t"
	"mov %r15, %rsi\n\t"
	"mov %rbp, %rdx\n\t"
	"mov %rbx, %rcx\n\t"
	G_UCALL(UCALL_SYNC)
	"regs_second:\n\t"
	"movabs $0x0c0c0c0c0c0c0c0c, %r12\n\t"
	"mov %rsp, %rbp\n\t"
	"pushfq\n\t"
	"pop %r13\n\t"
	G_UCALL(UCALL_SYNC)
	"regs_end:\n\t"
	"hlt\n");

GUEST_LABEL(regs_second);
GUEST_LABEL(regs_end);

TEST(regs_round_trip)
{
	struct vcpu *vcpu = vcpu_create_guest(&regs_guest);
	struct vmctl_regs set, got;
	uint64_t *r = (uint64_t *)&set;
	struct ucall uc;
	unsigned int i;

	vcpu_get_regs(vcpu, &set);
	/* Every GPR gets its own value; RIP, RSP and RFLAGS stay usable. */
	for (i = 0; i < 16; i++)
		if (i != offsetof(struct vmctl_regs, rsp) / 8)
			r[i] = 0x0101010101010101ULL * (i + 1) + i;
	set.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IF | X86_FLAGS_CF |
		     X86_FLAGS_ZF;
	vcpu_set_regs(vcpu, &set);
	vcpu_get_regs(vcpu, &got);
	EXPECT_EQ(0, memcmp(&set, &got, sizeof(set)));

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(set.r8, uc.args[0]);
	EXPECT_EQ(set.r15, uc.args[1]);
	EXPECT_EQ(set.rbp, uc.args[2]);
	EXPECT_EQ(set.rbx, uc.args[3]);
	vcpu_get_regs(vcpu, &got);
	EXPECT_EQ(guest_addr(&regs_guest, regs_second), got.rip);
	EXPECT_EQ(got.rip, vcpu->run->rip);

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	vcpu_get_regs(vcpu, &got);
	EXPECT_EQ(0x0c0c0c0c0c0c0c0cULL, got.r12);
	EXPECT_EQ(set.rsp, got.rbp);
	EXPECT_EQ(set.rflags, got.r13 & 0xfff);
	EXPECT_EQ(set.r14, got.r14);
	EXPECT_EQ(guest_addr(&regs_guest, regs_end), got.rip);
}

static void expect_segment_eq(struct __test_metadata *_metadata,
			      const char *name,
			      const struct vmctl_segment *a,
			      const struct vmctl_segment *b)
{
	EXPECT_EQ(a->unusable, b->unusable) TH_LOG("%s", name);
	if (a->unusable)
		return;
	EXPECT_EQ(a->base, b->base) TH_LOG("%s", name);
	EXPECT_EQ(a->limit, b->limit) TH_LOG("%s", name);
	EXPECT_EQ(a->selector, b->selector) TH_LOG("%s", name);
	EXPECT_EQ(a->type, b->type) TH_LOG("%s", name);
	EXPECT_EQ(a->present, b->present) TH_LOG("%s", name);
	EXPECT_EQ(a->dpl, b->dpl) TH_LOG("%s", name);
	EXPECT_EQ(a->db, b->db) TH_LOG("%s", name);
	EXPECT_EQ(a->s, b->s) TH_LOG("%s", name);
	EXPECT_EQ(a->l, b->l) TH_LOG("%s", name);
	EXPECT_EQ(a->g, b->g) TH_LOG("%s", name);
}

/* FS.base as SET_SREGS gave it is what the guest's %fs: accesses use. */
GUEST64(fs_guest,
	"mov %fs:8, %rdi\n\t"
	"mov %cr2, %rsi\n\t"
	G_UCALL(UCALL_SYNC));

TEST(sregs_round_trip)
{
	struct vcpu *vcpu = vcpu_create_guest(&fs_guest);
	uint64_t *data = gpa_to_hva(vcpu->vm, DATA_GPA);
	struct vmctl_sregs set, got;
	struct ucall uc;

	vcpu_get_sregs(vcpu, &set);
	set.fs.base = DATA_GPA;
	set.gs.base = 0xffff888012345000ULL;
	set.cr2 = 0xfffff00dULL;
	vcpu_set_sregs(vcpu, &set);
	vcpu_get_sregs(vcpu, &got);

	expect_segment_eq(_metadata, "cs", &set.cs, &got.cs);
	expect_segment_eq(_metadata, "ds", &set.ds, &got.ds);
	expect_segment_eq(_metadata, "es", &set.es, &got.es);
	expect_segment_eq(_metadata, "fs", &set.fs, &got.fs);
	expect_segment_eq(_metadata, "gs", &set.gs, &got.gs);
	expect_segment_eq(_metadata, "ss", &set.ss, &got.ss);
	expect_segment_eq(_metadata, "tr", &set.tr, &got.tr);
	expect_segment_eq(_metadata, "ldt", &set.ldt, &got.ldt);
	EXPECT_EQ(set.gdt.base, got.gdt.base);
	EXPECT_EQ(set.gdt.limit, got.gdt.limit);
	EXPECT_EQ(set.idt.base, got.idt.base);
	EXPECT_EQ(set.idt.limit, got.idt.limit);
	EXPECT_EQ(set.cr0, got.cr0);
	EXPECT_EQ(set.cr2, got.cr2);
	EXPECT_EQ(set.cr3, got.cr3);
	EXPECT_EQ(set.cr4, got.cr4);
	EXPECT_EQ(set.efer, got.efer);
	EXPECT_EQ(0, got.flags);

	data[1] = 0x1357924680acebdfULL;
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x1357924680acebdfULL, uc.args[0]);
	EXPECT_EQ(0xfffff00dULL, uc.args[1]);
	guest_destroy(vcpu);
}

#define NR_TEST_MSRS	5

static const struct vmctl_msr_entry test_msrs[NR_TEST_MSRS] = {
	{ .index = MSR_SYSENTER_ESP, .data = 0xffff880000001000ULL },
	{ .index = MSR_SYSENTER_EIP, .data = 0xffffffff81000000ULL },
	{ .index = MSR_STAR, .data = 0x0023001000000000ULL },
	{ .index = MSR_LSTAR, .data = 0xffffffff81234560ULL },
	{ .index = MSR_KERNEL_GS_BASE, .data = 0x00007f0000001000ULL },
};

struct msr_list {
	struct vmctl_msrs hdr;
	struct vmctl_msr_entry e[NR_TEST_MSRS];
};

TEST(msrs_round_trip)
{
	struct vcpu *vcpu = vcpu_create_guest(&fs_guest);
	struct msr_list m = { .hdr.nmsrs = NR_TEST_MSRS };
	unsigned int i;

	memcpy(m.e, test_msrs, sizeof(test_msrs));
	ASSERT_EQ(NR_TEST_MSRS, ioctl(vcpu->fd, VMCTL_SET_MSRS, &m));

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = NR_TEST_MSRS;
	for (i = 0; i < NR_TEST_MSRS; i++)
		m.e[i].index = test_msrs[i].index;
	ASSERT_EQ(NR_TEST_MSRS, ioctl(vcpu->fd, VMCTL_GET_MSRS, &m));
	for (i = 0; i < NR_TEST_MSRS; i++)
		EXPECT_EQ(test_msrs[i].data, m.e[i].data)
			TH_LOG("MSR %#x", test_msrs[i].index);
	guest_destroy(vcpu);
}

/* Processing stops at an MSR the kernel does not know: the count says where. */
TEST(msrs_stop_at_unknown)
{
	struct vcpu *vcpu = vcpu_create_guest(&fs_guest);
	struct msr_list m = { .hdr.nmsrs = 3 };

	m.e[0] = test_msrs[3];
	m.e[1].index = 0xbad;
	m.e[2] = test_msrs[4];
	EXPECT_EQ(1, ioctl(vcpu->fd, VMCTL_SET_MSRS, &m));
	EXPECT_EQ(1, ioctl(vcpu->fd, VMCTL_GET_MSRS, &m));
	EXPECT_EQ(test_msrs[3].data, m.e[0].data);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
