// SPDX-License-Identifier: GPL-2.0
/*
 * Objects and their lifetime: the API version and capabilities; many VMs
 * and vCPUs created and destroyed with the module's accounting following
 * and returning to its baseline; VM names; a VM kept alive by its vCPUs;
 * VMs running at once in their own threads, each seeing only its memory.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stats.h"
#include "ucall.h"

FIXTURE(lifecycle) {
	int sys_fd;
	struct vmctl_module_stats base;
};

GUEST64(hello_guest,
	"mov $0x42, %edi\n\t"
	G_UCALL(UCALL_DONE));

/*
 * One VM run to completion, so lazily set-up state exists before the
 * baseline is taken.
 */
static int run_hello(void)
{
	struct vcpu *vcpu = vcpu_create_guest(&hello_guest);
	struct ucall uc;
	int type = vcpu_ucall(vcpu, &uc);

	guest_destroy(vcpu);
	return type;
}

FIXTURE_SETUP(lifecycle)
{
	self->sys_fd = vmctl_open();
	ASSERT_EQ(UCALL_DONE, run_hello());
	module_stats(self->sys_fd, &self->base);
}

FIXTURE_TEARDOWN(lifecycle)
{
	EXPECT_STATS_BASELINE(self->sys_fd, &self->base);
	close(self->sys_fd);
}

TEST_F(lifecycle, api_version)
{
	EXPECT_EQ(VMCTL_API_VERSION,
		  ioctl(self->sys_fd, VMCTL_GET_API_VERSION, 0));
}

static long cap(int fd, unsigned long c)
{
	return ioctl(fd, VMCTL_CHECK_CAP, c);
}

TEST_F(lifecycle, check_cap)
{
	int fd = self->sys_fd;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	EXPECT_EQ(VMCTL_MAX_VCPUS, cap(fd, VMCTL_CAP_MAX_VCPUS));
	EXPECT_EQ(VMCTL_MAX_MEM_SLOTS, cap(fd, VMCTL_CAP_MAX_MEM_SLOTS));
	EXPECT_EQ(VMCTL_MAX_MEM_SIZE >> 20, cap(fd, VMCTL_CAP_MAX_MEM_SIZE_MB));
	/* The real-mode and read-only tests rely on these. */
	EXPECT_EQ(1, cap(fd, VMCTL_CAP_UNRESTRICTED_GUEST));
	EXPECT_EQ(1, cap(fd, VMCTL_CAP_IMMEDIATE_EXIT));
	EXPECT_EQ(1, cap(fd, VMCTL_CAP_READONLY_MEM));
	/* Hardware-dependent yes/no answers. */
	EXPECT_GE(cap(fd, VMCTL_CAP_EPT_2M), 0);
	EXPECT_LE(cap(fd, VMCTL_CAP_EPT_2M), 1);
	EXPECT_GE(cap(fd, VMCTL_CAP_VPID), 0);
	EXPECT_LE(cap(fd, VMCTL_CAP_VPID), 1);
	/* Every online CPU is in VMX operation while the module is loaded. */
	EXPECT_EQ(cpus, cap(fd, VMCTL_CAP_NR_CPUS_VMX_ON));
	/* Unknown capabilities read as absent, not as errors. */
	EXPECT_EQ(0, cap(fd, 0));
	EXPECT_EQ(0, cap(fd, 1000));
}

TEST_F(lifecycle, run_size)
{
	long size = ioctl(self->sys_fd, VMCTL_GET_RUN_SIZE, 0);

	EXPECT_GE(size, (long)sizeof(struct vmctl_run));
	EXPECT_EQ(0, size % getpagesize());
}

#define NR_VMS		8
#define VCPUS_PER_VM	8

TEST_F_TIMEOUT(lifecycle, many_vms_and_vcpus, 120)
{
	struct vcpu *vcpus[NR_VMS][VCPUS_PER_VM];
	struct vmctl_module_stats now;
	struct vm *vms[NR_VMS];
	int i, j;

	for (i = 0; i < NR_VMS; i++) {
		vms[i] = vm_create("");
		for (j = 0; j < VCPUS_PER_VM; j++)
			vcpus[i][j] = vcpu_add(vms[i], j * 7);
	}
	module_stats(self->sys_fd, &now);
	EXPECT_EQ(self->base.nr_vms + NR_VMS, now.nr_vms);
	EXPECT_EQ(self->base.nr_vcpus + NR_VMS * VCPUS_PER_VM, now.nr_vcpus);
	EXPECT_EQ(self->base.nr_mem_slots + NR_VMS, now.nr_mem_slots);
	EXPECT_GT(now.vmcs_pages, self->base.vmcs_pages);
	EXPECT_GT(now.kernel_bytes, self->base.kernel_bytes);
	for (i = 0; i < NR_VMS; i++) {
		struct vmctl_vm_info info = { 0 };

		ASSERT_EQ(0, ioctl(vms[i]->fd, VMCTL_GET_VM_INFO, &info));
		EXPECT_EQ(0, info.flags);
		EXPECT_EQ(VCPUS_PER_VM, info.nr_vcpus);
		EXPECT_EQ(GUEST_MEM_SIZE, info.mem_bytes);
	}
	for (i = 0; i < NR_VMS; i++) {
		for (j = 0; j < VCPUS_PER_VM; j++)
			vcpu_destroy(vcpus[i][j]);
		vm_destroy(vms[i]);
	}
	EXPECT_STATS_BASELINE(self->sys_fd, &self->base);

	/* One VM with the most vCPUs it may have. */
	vms[0] = vm_create("full");
	{
		struct vcpu *all[VMCTL_MAX_VCPUS];

		for (j = 0; j < VMCTL_MAX_VCPUS; j++)
			all[j] = vcpu_add(vms[0], j);
		module_stats(self->sys_fd, &now);
		EXPECT_EQ(self->base.nr_vcpus + VMCTL_MAX_VCPUS, now.nr_vcpus);
		for (j = 0; j < VMCTL_MAX_VCPUS; j++)
			vcpu_destroy(all[j]);
	}
	vm_destroy(vms[0]);
}

TEST_F_TIMEOUT(lifecycle, create_run_destroy_repeatedly, 120)
{
	int i;

	for (i = 0; i < 20; i++)
		ASSERT_EQ(UCALL_DONE, run_hello());
}

/* A VM that ran has memory mapped, EPT tables, a VMCS; closing frees all. */
TEST_F(lifecycle, no_leak_after_run)
{
	struct vcpu *vcpu = vcpu_create_guest(&hello_guest);
	struct vmctl_module_stats now;
	struct ucall uc;

	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x42, uc.args[0]);
	module_stats(self->sys_fd, &now);
	EXPECT_EQ(0, now.flags);
	EXPECT_EQ(self->base.nr_vms + 1, now.nr_vms);
	EXPECT_EQ(self->base.nr_vcpus + 1, now.nr_vcpus);
	EXPECT_EQ(self->base.nr_mem_slots + 1, now.nr_mem_slots);
	EXPECT_GT(now.mapped_pages, self->base.mapped_pages);
	EXPECT_LE(now.mapped_pages,
		  self->base.mapped_pages + GUEST_MEM_SIZE / 4096);
	EXPECT_GT(now.ept_table_pages, self->base.ept_table_pages);
	EXPECT_GT(now.vmcs_pages, self->base.vmcs_pages);
	EXPECT_GT(now.kernel_bytes, self->base.kernel_bytes);
	guest_destroy(vcpu);
	EXPECT_STATS_BASELINE(self->sys_fd, &self->base);
}

TEST_F(lifecycle, vm_name)
{
	struct vmctl_vm_info a = { 0 }, b = { 0 };
	struct vm *named = vm_create("selftest-vm");
	struct vm *unnamed = vm_create("");
	char want[VMCTL_NAME_LEN];

	ASSERT_EQ(0, ioctl(named->fd, VMCTL_GET_VM_INFO, &a));
	ASSERT_EQ(0, ioctl(unnamed->fd, VMCTL_GET_VM_INFO, &b));
	EXPECT_STREQ("selftest-vm", a.name);
	snprintf(want, sizeof(want), "vm%u", b.id);
	EXPECT_STREQ(want, b.name);
	EXPECT_NE(a.id, b.id);
	EXPECT_EQ(0, a.nr_vcpus);
	vm_destroy(named);
	vm_destroy(unnamed);
}

/* Closing the VM fd first: its vCPU keeps it (and its memory) alive. */
TEST_F(lifecycle, vcpu_keeps_vm_alive)
{
	struct vcpu *vcpu = vcpu_create_guest(&hello_guest);
	struct vm *vm = vcpu->vm;
	struct vmctl_module_stats now;
	struct ucall uc;

	close(vm->fd);
	vm->fd = -1;
	module_stats(self->sys_fd, &now);
	EXPECT_EQ(self->base.nr_vms + 1, now.nr_vms);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x42, uc.args[0]);
	vcpu_destroy(vcpu);
	EXPECT_STATS_BASELINE(self->sys_fd, &self->base);
	vm_destroy(vm);
}

/*
 * Isolation: each VM reads the pattern its host thread put at DATA_GPA
 * and writes tag + i at DATA_GPA + 0x1000, reporting every read.  All VMs
 * use the same guest-physical addresses at the same time.
 */
#define ISO_VMS		4
#define ISO_WORDS	128

GUEST64(isolation_guest,
	"mov $" __stringify(DATA_GPA) ", %ebx\n\t"
	"xor %ecx, %ecx\n"
	"1:\n\t"
	"mov (%rbx,%rcx,8), %rdi\n\t"
	"lea (%r8,%rcx), %rax\n\t"
	"mov %rax, 0x1000(%rbx,%rcx,8)\n\t"
	"mov %rcx, %rsi\n\t"
	G_UCALL(UCALL_SYNC)
	"inc %ecx\n\t"
	"cmp $" __stringify(ISO_WORDS) ", %ecx\n\t"
	"jb 1b\n\t"
	G_UCALL(UCALL_DONE));

struct iso_vm {
	pthread_t thread;
	uint64_t tag;
	char error[128];	/* empty: all good */
};

static uint64_t iso_pattern(uint64_t tag, int i)
{
	return tag ^ (0x9e3779b97f4a7c15ULL * (i + 1));
}

static void *isolation_thread(void *arg)
{
	struct iso_vm *iso = arg;
	struct vcpu *vcpu = vcpu_create_guest(&isolation_guest);
	uint64_t *data = gpa_to_hva(vcpu->vm, DATA_GPA);
	struct vmctl_regs regs;
	struct ucall uc;
	int i;

	for (i = 0; i < ISO_WORDS; i++)
		data[i] = iso_pattern(iso->tag, i);
	vcpu_get_regs(vcpu, &regs);
	regs.r8 = iso->tag;
	vcpu_set_regs(vcpu, &regs);

	for (i = 0; i < ISO_WORDS; i++) {
		if (vcpu_ucall(vcpu, &uc) != UCALL_SYNC || uc.args[1] != (uint64_t)i) {
			snprintf(iso->error, sizeof(iso->error),
				 "report %d: bad ucall", i);
			goto out;
		}
		if (uc.args[0] != iso_pattern(iso->tag, i)) {
			snprintf(iso->error, sizeof(iso->error),
				 "word %d: read %#llx, its VM holds %#llx", i,
				 (unsigned long long)uc.args[0],
				 (unsigned long long)iso_pattern(iso->tag, i));
			goto out;
		}
	}
	if (vcpu_ucall(vcpu, &uc) != UCALL_DONE) {
		snprintf(iso->error, sizeof(iso->error), "no final ucall");
		goto out;
	}
	for (i = 0; i < ISO_WORDS; i++) {
		if (data[i] != iso_pattern(iso->tag, i) ||
		    data[0x1000 / 8 + i] != iso->tag + i) {
			snprintf(iso->error, sizeof(iso->error),
				 "word %d of this VM's memory changed", i);
			break;
		}
	}
out:
	guest_destroy(vcpu);
	return NULL;
}

TEST_F_TIMEOUT(lifecycle, vms_in_threads_are_isolated, 120)
{
	struct iso_vm iso[ISO_VMS];
	int i;

	memset(iso, 0, sizeof(iso));
	for (i = 0; i < ISO_VMS; i++) {
		iso[i].tag = (uint64_t)(i + 1) << 56;
		ASSERT_EQ(0, pthread_create(&iso[i].thread, NULL,
					    isolation_thread, &iso[i]));
	}
	for (i = 0; i < ISO_VMS; i++)
		pthread_join(iso[i].thread, NULL);
	for (i = 0; i < ISO_VMS; i++)
		EXPECT_STREQ("", iso[i].error) TH_LOG("VM %d", i);
}

TEST_HARNESS_MAIN
