// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user limits: max_vms_per_user and max_vcpus_per_user (module
 * parameters, writable by root at run time).  Beyond either, creation
 * fails with EMFILE; a VM counts for as long as anything keeps it alive,
 * a run-area mapping included; freeing one makes room again.  The tests
 * set the limits a few above what this user (root) holds now and put the
 * old values back afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stats.h"
#include "sysfile.h"
#include "vm.h"

#define PARAMS		"/sys/module/vmctl/parameters/"
#define MAX_VMS		PARAMS "max_vms_per_user"
#define MAX_VCPUS	PARAMS "max_vcpus_per_user"

static int create_vm(int sys_fd)
{
	struct vmctl_vm_config cfg = { 0 };

	return ioctl(sys_fd, VMCTL_CREATE_VM, &cfg);
}

FIXTURE(limits) {
	int sys_fd;
	long max_vms, max_vcpus;	/* to restore */
	struct vmctl_module_stats base;
};

FIXTURE_SETUP(limits)
{
	self->sys_fd = vmctl_open();
	self->max_vms = read_long(MAX_VMS);
	self->max_vcpus = read_long(MAX_VCPUS);
	ASSERT_LT(0, self->max_vms);
	ASSERT_LT(0, self->max_vcpus);
	module_stats(self->sys_fd, &self->base);
}

FIXTURE_TEARDOWN(limits)
{
	write_long(MAX_VMS, self->max_vms);
	write_long(MAX_VCPUS, self->max_vcpus);
	EXPECT_STATS_BASELINE(self->sys_fd, &self->base);
	close(self->sys_fd);
}

TEST_F(limits, vms_per_user)
{
	long limit = self->base.nr_vms + 3;
	int fd[3], extra, i;

	ASSERT_EQ(0, write_long(MAX_VMS, limit));
	EXPECT_EQ(limit, read_long(MAX_VMS));
	for (i = 0; i < 3; i++) {
		fd[i] = create_vm(self->sys_fd);
		ASSERT_LE(0, fd[i]) TH_LOG("VM %d of 3: errno %d", i, errno);
	}
	errno = 0;
	EXPECT_EQ(-1, create_vm(self->sys_fd));
	EXPECT_EQ(EMFILE, errno);

	/* One freed: room for exactly one more. */
	close(fd[0]);
	fd[0] = create_vm(self->sys_fd);
	EXPECT_LE(0, fd[0]);
	errno = 0;
	EXPECT_EQ(-1, create_vm(self->sys_fd));
	EXPECT_EQ(EMFILE, errno);

	/* Raised at run time: room again. */
	ASSERT_EQ(0, write_long(MAX_VMS, limit + 1));
	extra = create_vm(self->sys_fd);
	EXPECT_LE(0, extra);
	close(extra);
	for (i = 0; i < 3; i++)
		close(fd[i]);
}

/* A VM whose fds are closed but whose run area is mapped still counts. */
TEST_F(limits, vm_alive_through_a_mapping_counts)
{
	long limit = self->base.nr_vms + 1;
	int vm_fd, vcpu_fd, fd;
	long run_size;
	void *run;

	ASSERT_EQ(0, write_long(MAX_VMS, limit));
	run_size = ioctl(self->sys_fd, VMCTL_GET_RUN_SIZE, 0);
	ASSERT_LT(0, run_size);
	vm_fd = create_vm(self->sys_fd);
	ASSERT_LE(0, vm_fd);
	vcpu_fd = ioctl(vm_fd, VMCTL_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu_fd);
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu_fd, 0);
	ASSERT_NE(MAP_FAILED, run);
	close(vcpu_fd);
	close(vm_fd);

	errno = 0;
	EXPECT_EQ(-1, create_vm(self->sys_fd));
	EXPECT_EQ(EMFILE, errno);
	ASSERT_EQ(0, munmap(run, run_size));
	fd = create_vm(self->sys_fd);
	EXPECT_LE(0, fd);
	close(fd);
}

/* vCPUs count across all of a user's VMs. */
TEST_F(limits, vcpus_per_user)
{
	long limit = self->base.nr_vcpus + 3;
	int vm1, vm2, v[5], i;

	ASSERT_EQ(0, write_long(MAX_VCPUS, limit));
	vm1 = create_vm(self->sys_fd);
	vm2 = create_vm(self->sys_fd);
	ASSERT_LE(0, vm1);
	ASSERT_LE(0, vm2);
	v[0] = ioctl(vm1, VMCTL_CREATE_VCPU, 0);
	v[1] = ioctl(vm1, VMCTL_CREATE_VCPU, 1);
	v[2] = ioctl(vm2, VMCTL_CREATE_VCPU, 0);
	for (i = 0; i < 3; i++)
		ASSERT_LE(0, v[i]) TH_LOG("vCPU %d: errno %d", i, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(vm2, VMCTL_CREATE_VCPU, 1));
	EXPECT_EQ(EMFILE, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(vm1, VMCTL_CREATE_VCPU, 2));
	EXPECT_EQ(EMFILE, errno);
	/* A refused vCPU id is not taken: it can be created later. */
	ASSERT_EQ(0, write_long(MAX_VCPUS, limit + 1));
	v[3] = ioctl(vm2, VMCTL_CREATE_VCPU, 1);
	EXPECT_LE(0, v[3]);
	/* Other errors give the charge back: EEXIST leaves room for one. */
	ASSERT_EQ(0, write_long(MAX_VCPUS, limit + 2));
	errno = 0;
	EXPECT_EQ(-1, ioctl(vm2, VMCTL_CREATE_VCPU, 1));
	EXPECT_EQ(EEXIST, errno);
	v[4] = ioctl(vm1, VMCTL_CREATE_VCPU, 2);
	EXPECT_LE(0, v[4]);
	for (i = 0; i < 5; i++)
		close(v[i]);
	close(vm1);
	close(vm2);
}

TEST_HARNESS_MAIN
