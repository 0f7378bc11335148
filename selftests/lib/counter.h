/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest that counts and a host thread that keeps it running, for tests
 * that move the vCPU thread between CPUs (or take its CPU away) in the
 * middle of a run: the guest counts in RDI from 1 and reports each count
 * with a ucall after a short spin, so moves land inside guest execution;
 * the thread checks that the counts arrive in sequence and notes on which
 * CPUs RUN returned.
 */
#ifndef SELFTEST_COUNTER_H
#define SELFTEST_COUNTER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "vm.h"

/* A new VM whose vCPU 0 runs the counting guest (guest_destroy() it). */
struct vcpu *counting_guest_create(void);

struct counter {
	struct vcpu *vcpu;
	pthread_t thread;
	atomic_int tid;		/* the thread's, once it runs */
	atomic_int reports;	/* ucalls seen */
	atomic_int stop;	/* set by the caller, or by the thread on error */
	atomic_uint cpus_seen;	/* bit n: RUN returned on CPU n (n < 32) */
	uint64_t bad_count;	/* first count out of sequence, or 0 */
	int bad_type;		/* first exit that was no UCALL_SYNC, or 0 */
};

/* Create the guest and start the thread; returns once the thread runs. */
void counter_start(struct counter *c);
/* Stop and join the thread, destroy the guest; the results stay. */
void counter_stop(struct counter *c);
/* Wait until @n more reports arrive or the thread stops. */
void counter_wait(struct counter *c, int n);

/* sched_setaffinity to the single CPU @cpu; returns its result. */
int pin_to_cpu(pid_t tid, int cpu);

#endif /* SELFTEST_COUNTER_H */
