// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug with the module loaded.  A CPU going offline leaves VMX
 * operation (the VMCSs active on it are VMCLEARed, then VMXOFF) and one
 * coming online enters it (VMXON): VMCTL_CAP_NR_CPUS_VMX_ON, the CPU's
 * bits in VMCTL_GET_VMX_CPUS and the VMXON regions in the module's
 * vmcs_pages follow.  A VM whose vCPU runs
 * on the CPU that goes away keeps running on the others, and its thread
 * runs on that CPU again once it is back; a VMCS left active on the CPU
 * by an idle vCPU is taken over by the next RUN elsewhere; the module
 * unloads and loads while a CPU is offline and enters VMX there when the
 * CPU comes back; and a VM runs and closes after each of many onlines.
 *
 * Needs root, two online CPUs and one of them that can go offline (its
 * /sys/devices/system/cpu/cpuN/online); skips otherwise.  Every test puts
 * the CPU back online and the module back in, whatever happened.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "counter.h"
#include "module.h"
#include "stats.h"
#include "ucall.h"

#define CPU_SYSFS	"/sys/devices/system/cpu"

static int cpu_online_path(int cpu, char *buf, size_t len)
{
	return snprintf(buf, len, CPU_SYSFS "/cpu%d/online", cpu);
}

/* 1 online, 0 offline, -1 no hotplug control for @cpu. */
static int cpu_is_online(int cpu)
{
	char path[128], c = 0;
	int fd, n;

	cpu_online_path(cpu, path, sizeof(path));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1 ? c == '1' : -1;
}

/* Write 0 or 1 to the CPU's online file: 0, or -1 with errno. */
static int cpu_set_online(int cpu, int online)
{
	char path[128];
	int fd, n;

	cpu_online_path(cpu, path, sizeof(path));
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, online ? "1" : "0", 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

/* The highest-numbered online CPU that may go offline, or -1. */
static int pick_hotplug_cpu(void)
{
	int cpu;

	for (cpu = sysconf(_SC_NPROCESSORS_CONF) - 1; cpu > 0; cpu--)
		if (cpu_is_online(cpu) == 1)
			return cpu;
	return -1;
}

static long nr_cpus_vmx_on(int sys_fd)
{
	return ioctl(sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_NR_CPUS_VMX_ON);
}

/* Bit @cpu of VMCTL_GET_VMX_CPUS's online and vmx_on masks, as 0/1. */
struct cpu_bits {
	int online, vmx_on;
};

static int vmx_cpu_bits(int sys_fd, int cpu, struct cpu_bits *b)
{
	struct vmctl_vmx_cpus r;

	memset(&r, 0xff, sizeof(r));	/* the module must clear every bit */
	r.flags = 0;
	if (ioctl(sys_fd, VMCTL_GET_VMX_CPUS, &r))
		return -1;
	if (cpu >= (int)r.nr_cpus)
		return -1;
	b->online = r.online[cpu / 64] >> (cpu % 64) & 1;
	b->vmx_on = r.vmx_on[cpu / 64] >> (cpu % 64) & 1;
	return 0;
}

#define EXPECT_CPU_BITS(fd, cpu, on) do {				\
	struct cpu_bits __b;						\
	ASSERT_EQ(0, vmx_cpu_bits(fd, cpu, &__b));			\
	EXPECT_EQ(on, __b.online) TH_LOG("cpu%d online bit", cpu);	\
	EXPECT_EQ(on, __b.vmx_on) TH_LOG("cpu%d vmx_on bit", cpu);	\
} while (0)

FIXTURE(hotplug) {
	int sys_fd;
	int cpu;		/* the CPU taken offline and back */
	const char *skip;	/* why the tests cannot run here, or NULL */
};

FIXTURE_SETUP(hotplug)
{
	self->sys_fd = -1;
	self->cpu = -1;
	if (geteuid()) {
		self->skip = "needs root to take a CPU offline";
		return;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		self->skip = "needs two online CPUs";
		return;
	}
	self->cpu = pick_hotplug_cpu();
	if (self->cpu < 0) {
		self->skip = "no CPU can go offline (no " CPU_SYSFS "/cpuN/online)";
		return;
	}
	self->sys_fd = vmctl_open();
}

/* Whatever happened: the CPU online, the module loaded. */
FIXTURE_TEARDOWN(hotplug)
{
	if (self->sys_fd >= 0)
		close(self->sys_fd);
	if (self->cpu >= 0 && cpu_is_online(self->cpu) == 0 &&
	    cpu_set_online(self->cpu, 1))
		TH_LOG("could not bring CPU %d back online: %m", self->cpu);
	if (!vmctl_module_loaded() && vmctl_load())
		TH_LOG("could not load %s again", vmctl_module_path());
}

/* Take self->cpu offline (or online) and require it to have happened. */
#define ASSERT_SET_ONLINE(online) do {					\
	ASSERT_EQ(0, cpu_set_online(self->cpu, online))			\
		TH_LOG("cpu%d/online <- %d: %m", self->cpu, online);	\
	ASSERT_EQ(online, cpu_is_online(self->cpu));			\
} while (0)

/* A new VM's guest runs once on @cpu (pinned there), then the VM is closed. */
static void run_vm_once_on(struct __test_metadata *_metadata, int cpu)
{
	struct vcpu *vcpu;
	struct ucall uc;

	ASSERT_EQ(0, pin_to_cpu(0, cpu));
	vcpu = counting_guest_create();
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(cpu, sched_getcpu());
	guest_destroy(vcpu);
}

TEST_F_TIMEOUT(hotplug, vmx_off_and_on_with_the_cpu, 120)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	struct vmctl_module_stats before, offline, after;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	ASSERT_EQ(online, nr_cpus_vmx_on(self->sys_fd));
	EXPECT_CPU_BITS(self->sys_fd, 0, 1);
	EXPECT_CPU_BITS(self->sys_fd, self->cpu, 1);
	module_stats(self->sys_fd, &before);

	ASSERT_SET_ONLINE(0);
	EXPECT_EQ(online - 1, nr_cpus_vmx_on(self->sys_fd));
	EXPECT_CPU_BITS(self->sys_fd, 0, 1);
	EXPECT_CPU_BITS(self->sys_fd, self->cpu, 0);
	module_stats(self->sys_fd, &offline);
	/* Its VMXON region is freed with VMXOFF. */
	EXPECT_EQ(before.vmcs_pages - 1, offline.vmcs_pages);

	ASSERT_SET_ONLINE(1);
	EXPECT_EQ(online, nr_cpus_vmx_on(self->sys_fd));
	EXPECT_CPU_BITS(self->sys_fd, self->cpu, 1);
	module_stats(self->sys_fd, &after);
	EXPECT_STATS_EQ(&before, &after);
}

/*
 * The vCPU thread is pinned to the CPU, which then goes offline under it:
 * the scheduler moves the thread, the guest goes on counting elsewhere.
 * Back online, the thread is pinned there again and RUN returns there.
 */
TEST_F_TIMEOUT(hotplug, running_vm_survives_its_cpu_going_offline, 300)
{
	unsigned int cpu_bit;
	struct counter c;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	cpu_bit = 1U << self->cpu;
	counter_start(&c);
	ASSERT_EQ(0, pin_to_cpu(c.tid, self->cpu));
	counter_wait(&c, 1);		/* a report from before the pin */
	atomic_store(&c.cpus_seen, 0);
	counter_wait(&c, 3);
	EXPECT_EQ(cpu_bit, atomic_load(&c.cpus_seen));

	ASSERT_SET_ONLINE(0);
	atomic_store(&c.cpus_seen, 0);
	counter_wait(&c, 5);
	EXPECT_EQ(0, atomic_load(&c.cpus_seen) & cpu_bit);
	EXPECT_NE(0, atomic_load(&c.cpus_seen));

	ASSERT_SET_ONLINE(1);
	ASSERT_EQ(0, pin_to_cpu(c.tid, self->cpu));
	counter_wait(&c, 1);
	atomic_store(&c.cpus_seen, 0);
	counter_wait(&c, 3);
	EXPECT_EQ(cpu_bit, atomic_load(&c.cpus_seen));
	counter_stop(&c);

	EXPECT_EQ(0, c.bad_type);
	EXPECT_EQ(0, c.bad_count);
	EXPECT_GE(c.reports, 1 + 3 + 5 + 1 + 3);
}

/*
 * No thread in RUN: the vCPU last ran on the CPU, so its VMCS is still
 * active there when the CPU goes offline (the hotplug callback must
 * VMCLEAR it), and the next RUN on another CPU must load it afresh.
 */
TEST_F_TIMEOUT(hotplug, idle_vcpu_moves_off_an_offlined_cpu, 120)
{
	struct vcpu *vcpu;
	struct ucall uc;
	int count;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	vcpu = counting_guest_create();
	ASSERT_EQ(0, pin_to_cpu(0, self->cpu));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);

	ASSERT_EQ(0, pin_to_cpu(0, 0));
	ASSERT_SET_ONLINE(0);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);

	ASSERT_SET_ONLINE(1);
	ASSERT_EQ(0, pin_to_cpu(0, self->cpu));
	for (count = 3; count < 6; count++) {
		ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
		EXPECT_EQ(count, uc.args[0]);
		EXPECT_EQ(self->cpu, sched_getcpu());
	}
	guest_destroy(vcpu);
}

/*
 * The module unloaded while the CPU is offline (nothing to undo there),
 * loaded while it still is (VMX on the others only), and the CPU coming
 * back gets VMX from the hotplug callback: a guest then runs on it.
 */
TEST_F_TIMEOUT(hotplug, module_reloaded_while_cpu_offline, 120)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	if (self->skip)
		SKIP(return, "%s", self->skip);
	if (!vmctl_module_loaded() || access(vmctl_module_path(), R_OK))
		SKIP(return, "vmctl is not a loaded module from %s (VMCTL_KO)",
		     vmctl_module_path());
	close(self->sys_fd);		/* it would keep the module in */
	self->sys_fd = -1;

	ASSERT_SET_ONLINE(0);
	ASSERT_EQ(0, vmctl_unload());
	ASSERT_EQ(0, vmctl_load());
	self->sys_fd = vmctl_open();
	EXPECT_EQ(online - 1, nr_cpus_vmx_on(self->sys_fd));

	ASSERT_SET_ONLINE(1);
	EXPECT_EQ(online, nr_cpus_vmx_on(self->sys_fd));
	run_vm_once_on(_metadata, self->cpu);
}

/*
 * The CPU goes and comes back many times, and each time a VM runs on it
 * and is destroyed: the close sends IPIs to every CPU (INVVPID of the
 * freed VPID).  In the test machine a CPU just brought online could sleep
 * through the store that wakes an MWAIT-idle CPU (Bochs, README "The test
 * machine"): the bring-up, or the on_each_cpu() of that close, hung for
 * good, about once in 20 onlines after the other selftests.
 */
#define ONLINE_ROUNDS	16

TEST_F_TIMEOUT(hotplug, vm_runs_and_closes_after_each_online, 300)
{
	int round;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	for (round = 0; round < ONLINE_ROUNDS; round++) {
		ASSERT_EQ(0, pin_to_cpu(0, 0));
		ASSERT_SET_ONLINE(0);
		ASSERT_SET_ONLINE(1);
		run_vm_once_on(_metadata, self->cpu);
	}
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), nr_cpus_vmx_on(self->sys_fd));
}

TEST_HARNESS_MAIN
