// SPDX-License-Identifier: GPL-2.0
/*
 * What the module allocates for a VM is charged to the memory cgroup of
 * the process that makes it, as ordinary process memory is: a VM cannot
 * take the host's memory around its owner's limit.
 *
 * The test moves itself into a cgroup of its own and makes VMs whose
 * kernel memory is mostly dirty-log bitmaps (a 16 GiB slot that logs
 * dirty pages: 512 KiB each, never touched in userspace) and vCPUs.  The
 * cgroup's memory.current must grow by at least what the module's
 * kernel_bytes grew, less what the kernel may have charged ahead (a batch
 * of 64 pages per CPU, two CPUs), and fall back when the VMs are gone.
 */
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cgroup.h"
#include "stats.h"
#include "vm.h"

#define NR_VMS		3
#define NR_VCPUS	4
#define BIG_GPA		0x100000000ULL	/* 4 GiB */
#define BIG_SIZE	(16ULL << 30)	/* VMCTL_MAX_MEM_SIZE */
#define CHARGE_BATCH	(64 * 4096L)	/* MEMCG_CHARGE_BATCH pages */

FIXTURE(memcg) {
	char cg[128];
	bool in_cg;
	void *big;
};

FIXTURE_SETUP(memcg)
{
	snprintf(self->cg, sizeof(self->cg), CG_ROOT "/vmctl-memcg-test-%d",
		 getpid());
	/* Address space only: the slots are never touched. */
	self->big = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->big);
}

FIXTURE_TEARDOWN(memcg)
{
	munmap(self->big, BIG_SIZE);
	if (self->in_cg)
		cg_leave(self->cg);
}

/* A VM with NR_VCPUS vCPUs and a 16 GiB slot that logs dirty pages. */
static struct vm *big_vm(struct __test_metadata *_metadata, void *big,
			 struct vcpu **vcpus)
{
	struct vmctl_mem_slot s = {
		.slot = 1,
		.flags = VMCTL_MEM_LOG_DIRTY,
		.guest_phys = BIG_GPA,
		.size = BIG_SIZE - (1 << 20),	/* slot 0 has 1 MiB */
		.user_addr = (unsigned long)big,
	};
	struct vm *vm = vm_create("");
	int i;

	EXPECT_EQ(0, ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &s));
	for (i = 0; i < NR_VCPUS; i++)
		vcpus[i] = vcpu_add(vm, i);
	return vm;
}

TEST_F(memcg, vm_kernel_memory_is_charged_to_the_owner)
{
	struct vmctl_module_stats before, after;
	struct vcpu *vcpus[NR_VMS][NR_VCPUS];
	struct vm *vms[NR_VMS];
	long cur0, cur1, cur2, kernel;
	const char *missing;
	int sys_fd, i, j;

	missing = cg_memory();
	if (missing)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, cg_create(self->cg));
	self->in_cg = true;
	ASSERT_EQ(0, cg_join(self->cg));

	sys_fd = vmctl_open();
	module_stats(sys_fd, &before);
	cur0 = cg_get(self->cg, "memory.current");
	for (i = 0; i < NR_VMS; i++)
		vms[i] = big_vm(_metadata, self->big, vcpus[i]);
	module_stats(sys_fd, &after);
	cur1 = cg_get(self->cg, "memory.current");
	kernel = after.kernel_bytes - before.kernel_bytes;
	TH_LOG("%d VMs: the module holds %ld KiB more, memory.current grew by %ld KiB",
	       NR_VMS, kernel >> 10, (cur1 - cur0) >> 10);
	ASSERT_LE(4 * CHARGE_BATCH, kernel);
	EXPECT_LE(kernel - 2 * CHARGE_BATCH, cur1 - cur0);

	for (i = 0; i < NR_VMS; i++) {
		for (j = 0; j < NR_VCPUS; j++)
			vcpu_destroy(vcpus[i][j]);
		vm_destroy(vms[i]);
	}
	EXPECT_STATS_BASELINE(sys_fd, &before);
	cur2 = cg_get(self->cg, "memory.current");
	EXPECT_GE(cur0 + 2 * CHARGE_BATCH, cur2);
	close(sys_fd);
}

TEST_HARNESS_MAIN
