// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Slowing a VM's vCPUs down while a migration's pre-copy cannot keep
 * up with the guest (auto-converge), as QEMU's cpu-throttle does: a
 * thread kicks every vCPU out of the guest each time it has had a
 * 10 ms slice, and each then sleeps pct / (100 - pct) of a slice on
 * its own thread before entering again.  The kick sets immediate_exit
 * (a vCPU about to enter comes straight back); only the sleeper clears
 * it again, under vm->lock and only when no pause or stop set it too,
 * so neither is lost and no vCPU keeps bouncing off it.
 */
#include <errno.h>
#include <time.h>

#include "internal.h"

#define SLICE_NS	10000000ULL	/* QEMU's CPU_THROTTLE_TIMESLICE_NS */
#define MAX_PCT		99
#define NS_PER_S	1000000000ULL

static struct timespec in_ns(uint64_t ns)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ns += t.tv_nsec;
	t.tv_sec += ns / NS_PER_S;
	t.tv_nsec = ns % NS_PER_S;
	return t;
}

static bool ending(const struct vmctl_vm *vm)
{
	return vm->stopping || !vm->live_threads;
}

/* Under vm->lock: every vCPU still in its loop out, to sleep ns. */
static void kick_to_sleep(struct vmctl_vm *vm, uint64_t ns)
{
	unsigned int i;

	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		struct vmctl_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu || !vcpu->thread_started || vcpu->thread_exited)
			continue;
		__atomic_store_n(&vcpu->throttle_ns, ns, __ATOMIC_SEQ_CST);
		vmctl_vcpu_kick(vcpu);
	}
}

static void *throttler(void *arg)
{
	struct vmctl_vm *vm = arg;
	struct timespec next;
	unsigned int pct;

	pthread_mutex_lock(&vm->lock);
	while (vm->throttle_pct && !ending(vm)) {
		pct = vm->throttle_pct;
		/* A paused VM is not slowed down: its vCPUs are parked. */
		if (!vm->paused)
			kick_to_sleep(vm, SLICE_NS * pct / (100 - pct));
		/* Their sleep, then a slice of running. */
		next = in_ns(SLICE_NS * 100 / (100 - pct));
		while (vm->throttle_pct == pct && !ending(vm) &&
		       pthread_cond_timedwait(&vm->cond, &vm->lock,
					      &next) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

int vmctl_vm_throttle(struct vmctl_vm *vm, unsigned int pct)
{
	bool join;
	int ret = 0;

	if (pct > MAX_PCT)
		pct = MAX_PCT;
	/* One caller at a time starts or reaps the thread. */
	pthread_mutex_lock(&vm->pause_lock);
	pthread_mutex_lock(&vm->lock);
	vm->throttle_pct = pct;
	pthread_cond_broadcast(&vm->cond);
	join = !pct && vm->throttling;
	if (join) {
		vm->throttling = false;
	} else if (pct && !vm->throttling && vm->running && !ending(vm)) {
		ret = -pthread_create(&vm->throttler, NULL, throttler, vm);
		vm->throttling = !ret;
	}
	pthread_mutex_unlock(&vm->lock);
	if (join)
		pthread_join(vm->throttler, NULL);
	pthread_mutex_unlock(&vm->pause_lock);
	return ret;
}

void vmctl_vcpu_throttle_sleep(struct vmctl_vcpu *vcpu)
{
	struct vmctl_vm *vm = vcpu->vm;
	struct timespec until;

	pthread_mutex_lock(&vm->lock);
	until = in_ns(vcpu->throttle_ns);
	vcpu->throttle_ns = 0;
	while (vm->throttle_pct && !vm->paused && !vm->stopping &&
	       pthread_cond_timedwait(&vm->cond, &vm->lock, &until) !=
	       ETIMEDOUT)
		;
	/* A pause or a stop set it too: theirs to clear, not ours. */
	if (!vm->paused && !vm->stopping)
		__atomic_store_n(&vcpu->run->immediate_exit, 0,
				 __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&vm->lock);
}
