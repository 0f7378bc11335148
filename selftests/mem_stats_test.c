// SPDX-License-Identifier: GPL-2.0
/*
 * VMCTL_GET_MEM_STATS: how a VM's guest RAM is mapped.
 *
 * - A new VM has nothing mapped and no faults.
 * - The guest's first touch of each page of a slot is one 4 KiB fault
 *   and one more mapped page; touching it again costs nothing.
 * - MADV_DONTNEED on the slot's memory is an invalidation that unmaps
 *   every page of it; the guest's next touch faults each page in again.
 * - Faults are counted per vCPU and summed: two vCPUs touching the same
 *   pages one after the other add one fault per page in all.
 * - Prefaulted pages are mapped, but are not faults.
 * (2 MiB faults: ept_2m_test.)
 */
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stats.h"
#include "ucall.h"

#define SLOT_ID		1
#define SLOT_GPA	0x100000	/* right above slot 0 */
#define SLOT_PAGES	16
#define SLOT_SIZE	(SLOT_PAGES * 4096)

/* Writes then reads a qword in every page of the slot; again on each RUN. */
GUEST64(touch_guest,
	"1:\n\t"
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"mov $" __stringify(SLOT_PAGES) ", %ecx\n"
	"2:\n\t"
	"mov %rcx, (%rbx)\n\t"
	"mov (%rbx), %rax\n\t"
	"add $4096, %rbx\n\t"
	"loop 2b\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n\t");

FIXTURE(mem_stats)
{
	struct vcpu *vcpu;
	void *slot;
	struct vmctl_module_stats base;
};

static void mem_stats(struct __test_metadata *_metadata, struct vcpu *vcpu,
		      struct vmctl_mem_stats *st)
{
	memset(st, 0xff, sizeof(*st));
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_GET_MEM_STATS, st));
	EXPECT_EQ(0, st->flags);
	EXPECT_EQ(0, st->reserved[0] | st->reserved[1] | st->reserved[2]);
}

FIXTURE_SETUP(mem_stats)
{
	struct vmctl_mem_slot s = {
		.slot = SLOT_ID,
		.guest_phys = SLOT_GPA,
		.size = SLOT_SIZE,
	};
	int sys_fd = vmctl_open();

	module_stats(sys_fd, &self->base);
	close(sys_fd);
	self->vcpu = vcpu_create_guest(&touch_guest);
	self->slot = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->slot);
	s.user_addr = (unsigned long)self->slot;
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &s));
}

FIXTURE_TEARDOWN(mem_stats)
{
	int sys_fd = dup(self->vcpu->vm->sys_fd);

	guest_destroy(self->vcpu);
	munmap(self->slot, SLOT_SIZE);
	EXPECT_STATS_BASELINE(sys_fd, &self->base);
	close(sys_fd);
}

TEST_F(mem_stats, new_vm_has_nothing_mapped)
{
	struct vmctl_mem_stats st;

	mem_stats(_metadata, self->vcpu, &st);
	EXPECT_EQ(0, st.mapped_pages);
	EXPECT_EQ(0, st.faults_4k);
	EXPECT_EQ(0, st.faults_2m);
	EXPECT_EQ(0, st.invalidations);
}

TEST_F(mem_stats, first_touch_faults_dontneed_invalidates)
{
	struct vmctl_mem_stats a, b, c, d;
	struct ucall uc;

	/* The first round also maps the guest's code, stack and tables. */
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	mem_stats(_metadata, self->vcpu, &a);
	EXPECT_LE(SLOT_PAGES, a.faults_4k);
	EXPECT_EQ(a.faults_4k, a.mapped_pages);

	/* Mapped already: no fault, nothing new. */
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	mem_stats(_metadata, self->vcpu, &b);
	EXPECT_EQ(a.faults_4k, b.faults_4k);
	EXPECT_EQ(a.mapped_pages, b.mapped_pages);
	EXPECT_EQ(a.invalidations, b.invalidations);

	/* The owner drops the pages: the notifier unmaps every one. */
	ASSERT_EQ(0, madvise(self->slot, SLOT_SIZE, MADV_DONTNEED));
	mem_stats(_metadata, self->vcpu, &c);
	EXPECT_LT(b.invalidations, c.invalidations);
	EXPECT_EQ(b.mapped_pages - SLOT_PAGES, c.mapped_pages);
	EXPECT_EQ(b.faults_4k, c.faults_4k);

	/* New pages: one first-touch fault each. */
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	mem_stats(_metadata, self->vcpu, &d);
	EXPECT_EQ(c.faults_4k + SLOT_PAGES, d.faults_4k);
	EXPECT_EQ(b.mapped_pages, d.mapped_pages);
	EXPECT_EQ(0, d.faults_2m);
	TH_LOG("mapped %llu pages, %llu faults, %llu invalidations",
	       (unsigned long long)d.mapped_pages,
	       (unsigned long long)d.faults_4k,
	       (unsigned long long)d.invalidations);
}

/* vCPU 1 runs the same code after vCPU 0: the pages are mapped for it. */
TEST_F(mem_stats, faults_of_all_vcpus_are_summed)
{
	struct vmctl_mem_stats a, b;
	struct vcpu *second;
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	ASSERT_EQ(0, madvise(self->slot, SLOT_SIZE, MADV_DONTNEED));
	mem_stats(_metadata, self->vcpu, &a);
	second = vcpu_add(self->vcpu->vm, 1);
	vcpu_load_guest(second, &touch_guest);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(second, &uc));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	mem_stats(_metadata, self->vcpu, &b);
	EXPECT_EQ(a.faults_4k + SLOT_PAGES, b.faults_4k);
	vcpu_destroy(second);
}

TEST_F(mem_stats, prefaulted_pages_are_no_faults)
{
	struct vmctl_mem_slot s = {
		.slot = SLOT_ID + 1,
		.flags = VMCTL_MEM_PREFAULT,
		.guest_phys = SLOT_GPA + SLOT_SIZE,
		.size = SLOT_SIZE,
	};
	struct vmctl_mem_stats a, b;
	void *p;

	p = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	s.user_addr = (unsigned long)p;
	mem_stats(_metadata, self->vcpu, &a);
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &s));
	mem_stats(_metadata, self->vcpu, &b);
	EXPECT_EQ(a.mapped_pages + SLOT_PAGES, b.mapped_pages);
	EXPECT_EQ(a.faults_4k, b.faults_4k);
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT,
			   SLOT_ID + 1));
	mem_stats(_metadata, self->vcpu, &b);
	EXPECT_EQ(a.mapped_pages, b.mapped_pages);
	munmap(p, SLOT_SIZE);
}

TEST_HARNESS_MAIN
