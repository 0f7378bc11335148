// SPDX-License-Identifier: GPL-2.0
/*
 * kill -9 in the middle of RUN: a child process spins its guest(s) inside
 * VMCTL_RUN and is SIGKILLed; everything its VMs held must be released
 * (module accounting back to the baseline) and the module keeps working.
 */
#include <signal.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stats.h"
#include "ucall.h"

GUEST64(spin_forever_guest,
	G_UCALL(UCALL_SYNC)
	"1:\n\t"
	"inc %rax\n\t"
	"jmp 1b\n");

GUEST64(hello_guest,
	G_UCALL(UCALL_DONE));

/* Runs a vCPU into its endless loop; RUN never returns until the kill. */
static void *spin_thread(void *arg)
{
	struct vcpu *vcpu = arg;

	vcpu_run(vcpu);
	return NULL;
}

/*
 * Child: @nr_vcpus vCPUs of one VM, each in a thread, each reporting
 * once (a byte on @ready_fd) and then spinning in RUN.
 */
static void child(int ready_fd, int nr_vcpus)
{
	struct vcpu *first = vcpu_create_guest(&spin_forever_guest);
	pthread_t thread;
	int i;

	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *vcpu = i ? vcpu_add(first->vm, i) : first;
		struct ucall uc;

		if (i)
			vcpu_load_guest(vcpu, &spin_forever_guest);
		if (vcpu_ucall(vcpu, &uc) != UCALL_SYNC)
			_exit(1);
		pthread_create(&thread, NULL, spin_thread, vcpu);
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void kill_mid_run(struct __test_metadata *_metadata, int nr_vcpus)
{
	struct vmctl_module_stats base, now;
	int sys_fd = vmctl_open();
	int pipefd[2], status;
	struct vcpu *vcpu;
	struct ucall uc;
	char c;
	pid_t pid;

	module_stats(sys_fd, &base);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(pipefd[0]);
		child(pipefd[1], nr_vcpus);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	close(pipefd[0]);
	usleep(300000);		/* let every thread get into RUN */
	module_stats(sys_fd, &now);
	EXPECT_EQ(base.nr_vms + 1, now.nr_vms);
	EXPECT_EQ(base.nr_vcpus + nr_vcpus, now.nr_vcpus);

	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_STATS_BASELINE(sys_fd, &base);

	/* And the module still runs guests. */
	vcpu = vcpu_create_guest(&hello_guest);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
	EXPECT_STATS_BASELINE(sys_fd, &base);
	close(sys_fd);
}

TEST(sigkill_one_vcpu)
{
	kill_mid_run(_metadata, 1);
}

TEST(sigkill_vcpus_on_every_cpu)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	kill_mid_run(_metadata, cpus < 2 ? 2 : cpus);
}

TEST_HARNESS_MAIN
