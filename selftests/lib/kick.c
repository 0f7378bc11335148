// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "kick.h"

struct runner {
	struct vcpu *vcpu;
	atomic_int done;
	int ret;
	int err;
};

static void *run_once(void *arg)
{
	struct runner *r = arg;

	r->ret = vcpu_run(r->vcpu);
	r->err = errno;
	atomic_store(&r->done, 1);
	return NULL;
}

/* The signal only has to end RUN: no SA_RESTART, nothing to do. */
static void on_kick(int sig)
{
	(void)sig;
}

void kick_signal_install(void)
{
	struct sigaction sa = { .sa_handler = on_kick };

	die_unless(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SIGUSR1");
}

void *vcpu_run_until_error(void *vcpu)
{
	while (vcpu_run(vcpu) == 0)
		;
	return NULL;
}

void vcpu_run_kicked(struct vcpu *vcpu, int max_kicks, struct kicked_run *out)
{
	struct runner r = { .vcpu = vcpu };
	pthread_t thread;

	kick_signal_install();
	errno = pthread_create(&thread, NULL, run_once, &r);
	die_unless(errno == 0, "pthread_create");
	memset(out, 0, sizeof(*out));
	while (!atomic_load(&r.done) && out->kicks < max_kicks) {
		usleep(20000);
		pthread_kill(thread, SIGUSR1);
		out->kicks++;
	}
	pthread_join(thread, NULL);
	out->ret = r.ret;
	out->err = r.err;
}
