// SPDX-License-Identifier: GPL-2.0
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "counter.h"
#include "die.h"
#include "ucall.h"

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

struct vcpu *counting_guest_create(void)
{
	return vcpu_create_guest(&counting_guest);
}

static void *count_thread(void *arg)
{
	struct counter *c = arg;
	struct ucall uc;
	uint64_t expect = 1;

	atomic_store(&c->tid, syscall(SYS_gettid));
	while (!atomic_load(&c->stop)) {
		int type = vcpu_ucall(c->vcpu, &uc);
		int cpu = sched_getcpu();

		if (type != UCALL_SYNC) {
			c->bad_type = type ? type : -1;
			break;
		}
		if (uc.args[0] != expect) {
			c->bad_count = uc.args[0];
			break;
		}
		if (cpu >= 0 && cpu < 32)
			atomic_fetch_or(&c->cpus_seen, 1U << cpu);
		expect++;
		atomic_fetch_add(&c->reports, 1);
	}
	atomic_store(&c->stop, 1);
	return NULL;
}

void counter_start(struct counter *c)
{
	memset(c, 0, sizeof(*c));
	c->vcpu = counting_guest_create();
	errno = pthread_create(&c->thread, NULL, count_thread, c);
	die_unless(errno == 0, "pthread_create");
	while (!atomic_load(&c->tid))
		usleep(1000);
}

void counter_stop(struct counter *c)
{
	atomic_store(&c->stop, 1);
	pthread_join(c->thread, NULL);
	guest_destroy(c->vcpu);
	c->vcpu = NULL;
}

void counter_wait(struct counter *c, int n)
{
	int target = atomic_load(&c->reports) + n;

	while (atomic_load(&c->reports) < target && !atomic_load(&c->stop))
		usleep(1000);
}

int pin_to_cpu(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}
