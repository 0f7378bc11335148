/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupting a guest from the host: RUN in a thread of its own while the
 * caller sends it SIGUSR1 until RUN returns.  One signal is not enough: a
 * signal that lands before the thread enters the guest is consumed by
 * nothing and the guest would spin on.
 */
#ifndef SELFTEST_KICK_H
#define SELFTEST_KICK_H

#include "vm.h"

struct kicked_run {
	int ret;		/* VMCTL_RUN's result */
	int err;		/* errno after it */
	int kicks;		/* signals sent */
};

/* Kick every 20 ms, at most @max_kicks times, then wait for RUN's end. */
void vcpu_run_kicked(struct vcpu *vcpu, int max_kicks, struct kicked_run *r);

/* SIGUSR1 from now on ends a RUN (-EINTR) and does nothing else. */
void kick_signal_install(void);

/*
 * A thread's start routine (pthread_create()): RUN @vcpu (a struct vcpu)
 * again and again until RUN fails, e.g. EINTR from a kick.
 */
void *vcpu_run_until_error(void *vcpu);

#endif /* SELFTEST_KICK_H */
