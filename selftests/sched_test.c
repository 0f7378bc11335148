// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU and the host scheduler: the vCPU thread moves between CPUs in
 * the middle of a run and the guest does not notice; a signal ends RUN
 * with EINTR and the guest continues afterwards, also when the guest has
 * its interrupts masked (the module's VMX-preemption-timer backstop);
 * immediate_exit makes RUN return EINTR without entering the guest.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "counter.h"
#include "kick.h"
#include "modes.h"
#include "ucall.h"

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
	struct counter c;
	int round;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two online CPUs");
	counter_start(&c);
	for (round = 0; round < 20 && !atomic_load(&c.stop); round++) {
		pin_to_cpu(c.tid, round & 1);
		counter_wait(&c, 3);
	}
	counter_stop(&c);

	EXPECT_EQ(0, c.bad_type);
	EXPECT_EQ(0, c.bad_count);
	EXPECT_GE(c.reports, 60);
	EXPECT_EQ(3, c.cpus_seen & 3);
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

/* RUN, kicked with signals, must end with EINTR / VMCTL_EXIT_INTR. */
#define ASSERT_KICKED_OUT(vcpu, max_kicks, r) do {			\
	vcpu_run_kicked(vcpu, max_kicks, r);				\
	if ((r)->ret == 0)						\
		TH_LOG("RUN returned after %d kicks: %s", (r)->kicks,	\
		       exit_str((vcpu)->run, buf, sizeof(buf)));	\
	ASSERT_EQ(-1, (r)->ret);					\
	ASSERT_EQ(EINTR, (r)->err);					\
	EXPECT_EQ(VMCTL_EXIT_INTR, (vcpu)->run->exit_reason);		\
} while (0)

TEST_F_TIMEOUT(sched, signal_interrupts_run, 60)
{
	struct vmctl_regs regs;
	struct kicked_run r;
	struct ucall uc;
	char buf[128];

	self->vcpu = vcpu_create_guest(&spin_guest);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	ASSERT_KICKED_OUT(self->vcpu, 500, &r);

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
 * the module's VMX-preemption-timer backstop rescues this CPU.  Where the
 * CPU has that timer, the vCPU's counters must show its exits (basic
 * reason 52): the loop runs far longer than one backstop period (1 ms).
 */
GUEST64(spin_if0_guest,
	G_UCALL(UCALL_SYNC)
	"mov $400000000, %ecx\n"
	"if0_loop:\n\t"
	"dec %ecx\n\t"
	"jnz if0_loop\n\t"
	G_UCALL(UCALL_DONE));

GUEST_LABEL(if0_loop);

/* Is @flag among the "vmx flags" of /proc/cpuinfo (Linux 5.8+)? */
static bool cpu_has_vmx_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096], word[64];
	bool found = false;

	if (!f)
		return false;
	snprintf(word, sizeof(word), " %s ", flag);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vmx flags", 9))
			continue;
		line[strcspn(line, "\n")] = ' ';	/* the last flag too */
		found = strstr(line, word);
		break;
	}
	fclose(f);
	return found;
}

TEST_F_TIMEOUT(sched, signal_interrupts_run_with_guest_if_clear, 120)
{
	struct vmctl_vcpu_stats stats = { 0 };
	struct vmctl_regs regs;
	struct kicked_run r;
	struct ucall uc;
	char buf[128];

	self->vcpu = vcpu_create_guest(&spin_if0_guest);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	vcpu_get_regs(self->vcpu, &regs);
	regs.rflags &= ~X86_RFLAGS_IF;
	vcpu_set_regs(self->vcpu, &regs);

	ASSERT_KICKED_OUT(self->vcpu, 2000, &r);
	ASSERT_EQ(0, ioctl(self->vcpu->fd, VMCTL_GET_VCPU_STATS, &stats));
	TH_LOG("%d kicks, %llu exits, %llu by the VMX-preemption timer",
	       r.kicks, (unsigned long long)stats.exits,
	       (unsigned long long)stats.hw_exits[VMCTL_HW_EXIT_PREEMPTION_TIMER]);
	if (cpu_has_vmx_flag("preemption_timer"))
		EXPECT_GT(stats.hw_exits[VMCTL_HW_EXIT_PREEMPTION_TIMER], 0);

	/* Stopped inside the loop; the last round, not the rest of 400M. */
	vcpu_get_regs(self->vcpu, &regs);
	EXPECT_GE(regs.rip, guest_addr(&spin_if0_guest, if0_loop));
	EXPECT_LT(regs.rip, guest_addr(&spin_if0_guest, if0_loop) + 8);
	EXPECT_GT(regs.rcx, 1);
	regs.rcx = 1;
	vcpu_set_regs(self->vcpu, &regs);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
}

TEST_F(sched, immediate_exit)
{
	struct vmctl_regs before, after;
	struct vmctl_run *run;
	struct ucall uc;

	self->vcpu = counting_guest_create();
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
