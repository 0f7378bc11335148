// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU and the host scheduler: the vCPU thread moves between CPUs in
 * the middle of a run and the guest does not notice; a signal ends RUN
 * with EINTR and the guest continues afterwards; immediate_exit makes RUN
 * return EINTR without entering the guest.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "modes.h"
#include "ucall.h"

/* Counts in RDI from 1, spinning between ucalls so CPU moves land mid-run. */
GUEST64(counting_guest,
	"xor %edi, %edi\n"
	"1:\n\t"
	"inc %rdi\n\t"
	"mov $20000, %ecx\n"
	"2:\n\t"
	"dec %ecx\n\t"
	"jnz 2b\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n");

struct mover {
	struct vcpu *vcpu;
	pid_t tid;
	atomic_int reports;	/* ucalls seen */
	atomic_int stop;
	uint64_t bad_count;	/* first count out of sequence, or 0 */
	int bad_type;		/* first unexpected ucall type, or 0 */
	unsigned int cpus_seen;	/* bit n: a ucall returned on CPU n */
};

static void *count_thread(void *arg)
{
	struct mover *m = arg;
	struct ucall uc;
	uint64_t expect = 1;

	m->tid = syscall(SYS_gettid);
	while (!atomic_load(&m->stop)) {
		int type = vcpu_ucall(m->vcpu, &uc);
		int cpu = sched_getcpu();

		if (type != UCALL_SYNC) {
			m->bad_type = type ? type : -1;
			break;
		}
		if (uc.args[0] != expect) {
			m->bad_count = uc.args[0];
			break;
		}
		if (cpu >= 0 && cpu < 32)
			m->cpus_seen |= 1U << cpu;
		expect++;
		atomic_fetch_add(&m->reports, 1);
	}
	atomic_store(&m->stop, 1);
	return NULL;
}

static void pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(tid, sizeof(set), &set);
}

/* Wait until @n more reports arrive or the thread stops. */
static void wait_reports(struct mover *m, int n)
{
	int target = atomic_load(&m->reports) + n;

	while (atomic_load(&m->reports) < target && !atomic_load(&m->stop))
		usleep(1000);
}

FIXTURE(sched) {
	struct vcpu *vcpu;
};

FIXTURE_SETUP(sched) { }

FIXTURE_TEARDOWN(sched)
{
	if (self->vcpu)
		guest_destroy(self->vcpu);
}

TEST_F_TIMEOUT(sched, migrate_between_cpus, 120)
{
	struct mover m = { 0 };
	pthread_t thread;
	int round;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two online CPUs");
	self->vcpu = vcpu_create_guest(&counting_guest);
	m.vcpu = self->vcpu;
	ASSERT_EQ(0, pthread_create(&thread, NULL, count_thread, &m));
	while (!m.tid)
		usleep(1000);
	for (round = 0; round < 20 && !atomic_load(&m.stop); round++) {
		pin(m.tid, round & 1);
		wait_reports(&m, 3);
	}
	atomic_store(&m.stop, 1);
	pthread_join(thread, NULL);

	EXPECT_EQ(0, m.bad_type);
	EXPECT_EQ(0, m.bad_count);
	EXPECT_GE(m.reports, 60);
	EXPECT_EQ(3, m.cpus_seen & 3);
}

/* Spins until the host sets R12, then reports its loop count. */
GUEST64(spin_guest,
	G_UCALL(UCALL_SYNC)
	"xor %edi, %edi\n"
	"spin_loop:\n\t"
	"inc %rdi\n\t"
	"test %r12, %r12\n\t"
	"jz spin_loop\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(spin_loop);

struct runner {
	struct vcpu *vcpu;
	atomic_int running;
	int ret;
	int err;
};

static void *run_once(void *arg)
{
	struct runner *r = arg;

	atomic_store(&r->running, 1);
	r->ret = vcpu_run(r->vcpu);
	r->err = errno;
	atomic_store(&r->running, 2);
	return NULL;
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

TEST_F_TIMEOUT(sched, signal_interrupts_run, 60)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct runner r = { 0 };
	struct vmctl_regs regs;
	pthread_t thread;
	struct ucall uc;
	int kicks = 0;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	self->vcpu = vcpu_create_guest(&spin_guest);
	r.vcpu = self->vcpu;
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));

	ASSERT_EQ(0, pthread_create(&thread, NULL, run_once, &r));
	/* Kick until RUN returns: a kick before the entry would be lost. */
	while (atomic_load(&r.running) != 2 && kicks < 500) {
		usleep(20000);
		pthread_kill(thread, SIGUSR1);
		kicks++;
	}
	pthread_join(thread, NULL);
	ASSERT_EQ(-1, r.ret);
	ASSERT_EQ(EINTR, r.err);
	EXPECT_EQ(VMCTL_EXIT_INTR, self->vcpu->run->exit_reason);

	/* Stopped inside the loop; let it finish. */
	vcpu_get_regs(self->vcpu, &regs);
	EXPECT_GE(regs.rip, guest_addr(&spin_guest, spin_loop));
	EXPECT_LT(regs.rip, guest_addr(&spin_guest, spin_loop) + 16);
	regs.r12 = 1;
	vcpu_set_regs(self->vcpu, &regs);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_GE(uc.args[0], 1);
}

/*
 * The same with the guest's interrupts off (RFLAGS.IF=0) and a long but
 * finite loop: host interrupts must still end the run (external-interrupt
 * exiting does not depend on the guest's IF).  A guest that reaches the
 * end of the loop first was never interrupted: under Bochs 2.7, whose VM
 * entry leaves host interrupts masked for a guest entered with IF=0, only
 * a VMX-preemption-timer deadline in the module would rescue this CPU.
 */
GUEST64(spin_if0_guest,
	G_UCALL(UCALL_SYNC)
	"mov $400000000, %ecx\n"
	"1:\n\t"
	"dec %ecx\n\t"
	"jnz 1b\n\t"
	G_UCALL(UCALL_DONE));

TEST_F_TIMEOUT(sched, signal_interrupts_run_with_guest_if_clear, 120)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct runner r = { 0 };
	struct vmctl_regs regs;
	pthread_t thread;
	struct ucall uc;
	int kicks = 0;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	self->vcpu = vcpu_create_guest(&spin_if0_guest);
	r.vcpu = self->vcpu;
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	vcpu_get_regs(self->vcpu, &regs);
	regs.rflags &= ~X86_RFLAGS_IF;
	vcpu_set_regs(self->vcpu, &regs);

	ASSERT_EQ(0, pthread_create(&thread, NULL, run_once, &r));
	while (atomic_load(&r.running) != 2 && kicks < 2000) {
		usleep(20000);
		pthread_kill(thread, SIGUSR1);
		kicks++;
	}
	pthread_join(thread, NULL);
	if (r.ret == 0 && exit_is_ucall(self->vcpu->run))
		TH_LOG("the guest ran 400M iterations without an exit");
	ASSERT_EQ(-1, r.ret);
	ASSERT_EQ(EINTR, r.err);
	EXPECT_EQ(VMCTL_EXIT_INTR, self->vcpu->run->exit_reason);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
}

TEST_F(sched, immediate_exit)
{
	struct vmctl_regs before, after;
	struct vmctl_run *run;
	struct ucall uc;

	self->vcpu = vcpu_create_guest(&counting_guest);
	run = self->vcpu->run;
	if (!ioctl(self->vcpu->vm->sys_fd, VMCTL_CHECK_CAP,
		   VMCTL_CAP_IMMEDIATE_EXIT))
		SKIP(return, "no VMCTL_CAP_IMMEDIATE_EXIT");
	vcpu_get_regs(self->vcpu, &before);
	run->immediate_exit = 1;
	ASSERT_EQ(-1, vcpu_run(self->vcpu));
	ASSERT_EQ(EINTR, errno);
	EXPECT_EQ(VMCTL_EXIT_INTR, run->exit_reason);
	vcpu_get_regs(self->vcpu, &after);
	EXPECT_EQ(before.rip, after.rip);
	EXPECT_EQ(before.rdi, after.rdi);

	run->immediate_exit = 0;
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
}

TEST_HARNESS_MAIN
