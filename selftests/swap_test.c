// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM is ordinary process memory, so reclaim can swap it out.  The
 * test puts itself into a cgroup v2 memory cgroup whose memory.max is
 * 16 MiB, swap allowed, and its guest writes a 64 MiB pattern (its own
 * value in two qwords of every page): most of that cannot stay resident,
 * so the kernel swaps guest pages out while the guest runs (the MMU
 * notifier zaps their EPT entries first; a pinned page could not go and
 * the cgroup would OOM-kill the test), which memory.swap.current shows.
 * The guest then reads every page back, each a fault that swaps it in,
 * and finds its pattern whole; the host's view of the slot agrees.
 *
 * Needs root, the memory controller of cgroup v2 (mounted here when
 * nothing is) and active swap (scripts/guest-tests.sh turns on zram in
 * the test machine when its modules are there); skips, saying which is
 * missing, otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cgroup.h"
#include "sysfile.h"
#include "ucall.h"
#include "vm.h"

#define SLOT_ID		1
#define SLOT_GPA	0x40000000	/* 1 GiB */
#define SLOT_SIZE	0x4000000	/* 64 MiB */
#define SLOT_PAGES	(SLOT_SIZE / 4096)
#define PATTERN		0x5357415000000000	/* "SWAP" */
#define MEM_MAX		(16 << 20)

/*
 * Write: PATTERN ^ i at offsets 0 and 2048 of page i.  Check: RDI = pages
 * that do not hold it.
 */
GUEST64(swap_guest,
	"movabs $" __stringify(PATTERN) ", %r8\n\t"
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"xor %ecx, %ecx\n"
	"1:\n\t"
	"mov %r8, %rax\n\t"
	"xor %rcx, %rax\n\t"
	"mov %rax, (%rbx)\n\t"
	"mov %rax, 2048(%rbx)\n\t"
	"add $4096, %rbx\n\t"
	"inc %ecx\n\t"
	"cmp $" __stringify(SLOT_PAGES) ", %ecx\n\t"
	"jne 1b\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edi, %edi\n"
	"2:\n\t"
	"mov %r8, %rax\n\t"
	"xor %rcx, %rax\n\t"
	"cmp (%rbx), %rax\n\t"
	"jne 3f\n\t"
	"cmp 2048(%rbx), %rax\n\t"
	"je 4f\n"
	"3:\n\t"
	"inc %edi\n"
	"4:\n\t"
	"add $4096, %rbx\n\t"
	"inc %ecx\n\t"
	"cmp $" __stringify(SLOT_PAGES) ", %ecx\n\t"
	"jne 2b\n\t"
	G_UCALL(UCALL_DONE));

/* Active swap: a line after /proc/swaps' header. */
static bool have_swap(void)
{
	char line[256];
	int lines = 0;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	return lines > 1;
}

FIXTURE(swap) {
	struct vcpu *vcpu;
	uint64_t *mem;
	char cg[128];
	bool in_cg;
};

FIXTURE_SETUP(swap)
{
	snprintf(self->cg, sizeof(self->cg), CG_ROOT "/vmctl-swap-test-%d",
		 getpid());
	self->mem = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	/* 4 KiB pages: reclaim swaps those out one by one. */
	madvise(self->mem, SLOT_SIZE, MADV_NOHUGEPAGE);
}

FIXTURE_TEARDOWN(swap)
{
	if (self->vcpu)
		guest_destroy(self->vcpu);
	munmap(self->mem, SLOT_SIZE);
	if (self->in_cg)
		cg_leave(self->cg);
}

TEST_F_TIMEOUT(swap, guest_memory_swapped_out_and_back, 600)
{
	struct vmctl_mem_slot s = {
		.slot = SLOT_ID,
		.guest_phys = SLOT_GPA,
		.size = SLOT_SIZE,
		.user_addr = (unsigned long)self->mem,
	};
	const char *missing;
	long swapped, bad = 0;
	struct ucall uc;
	char buf[32];
	int p;

	missing = cg_memory();
	if (missing)
		SKIP(return, "%s", missing);
	if (!have_swap())
		SKIP(return, "no active swap (/proc/swaps)");

	ASSERT_EQ(0, cg_create(self->cg));
	self->in_cg = true;
	snprintf(buf, sizeof(buf), "%d", MEM_MAX);
	ASSERT_EQ(0, cg_put(self->cg, "memory.max", buf));
	ASSERT_EQ(0, cg_put(self->cg, "memory.swap.max", "max"));
	ASSERT_EQ(0, cg_join(self->cg));

	self->vcpu = vcpu_create_guest(&swap_guest);
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &s));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	swapped = cg_get(self->cg, "memory.swap.current");
	TH_LOG("64 MiB written under memory.max %d MiB: memory.current %ld KiB, memory.swap.current %ld KiB",
	       MEM_MAX >> 20, cg_get(self->cg, "memory.current") >> 10,
	       swapped >> 10);
	/* At least half of what could not stay resident went to swap. */
	ASSERT_LE((SLOT_SIZE - MEM_MAX) / 2, swapped);

	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(0, uc.args[0]) TH_LOG("pages the guest read back wrong");
	for (p = 0; p < SLOT_PAGES; p++) {
		uint64_t want = PATTERN ^ p;

		if (self->mem[p * 512] != want ||
		    self->mem[p * 512 + 256] != want)
			bad++;
	}
	EXPECT_EQ(0, bad) TH_LOG("pages the host reads wrong");
}

TEST_HARNESS_MAIN
