// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Running a VM: one thread per vCPU loops on VMCTL_RUN and serves the
 * exits the module hands up.  The first vCPU that ends the VM (poweroff,
 * triple fault, failed entry, ...) records why and kicks the others out:
 * immediate_exit catches a vCPU about to enter, the kick signal one
 * already in the guest.  The VM's devices (device.h) start before the
 * vCPU threads and stop after they are joined.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

#define KICK_SIGNAL	SIGUSR1
#define RFLAGS_IF	(1ULL << 9)
#define MAX_MMIO_WARNINGS 8

/* The vCPU this thread runs, for device callbacks that end the VM. */
static __thread struct vmctl_vcpu *this_vcpu;

static void kick_handler(int sig)
{
	(void)sig;	/* only here so the signal interrupts VMCTL_RUN */
}

static pthread_once_t kick_once = PTHREAD_ONCE_INIT;

static void install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: VMCTL_RUN must return -EINTR. */
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
}

void vmctl_vcpu_kick(struct vmctl_vcpu *vcpu)
{
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, KICK_SIGNAL);
}

/* Called with vm->lock held. */
static void kick_all(struct vmctl_vm *vm)
{
	unsigned int i;

	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		struct vmctl_vcpu *vcpu = vm->vcpus[i];

		if (vcpu && vcpu->thread_started)
			vmctl_vcpu_kick(vcpu);
	}
	pthread_cond_broadcast(&vm->cond);
}

/* The first caller decides why the VM ended; everyone stops. */
static void end_vm(struct vmctl_vm *vm, const struct vmctl_vm_end *end)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->end.reason == VMCTL_END_NONE)
		vm->end = *end;
	vm->stopping = true;
	kick_all(vm);
	pthread_mutex_unlock(&vm->lock);
}

void vmctl_vm_guest_end(struct vmctl_vm *vm, enum vmctl_end_reason why)
{
	struct vmctl_vm_end end = { .reason = why, .vcpu = -1 };

	if (this_vcpu && this_vcpu->vm == vm) {
		end.vcpu = this_vcpu->id;
		end.rip = this_vcpu->run->rip;
	}
	end_vm(vm, &end);
}

static bool stopping(struct vmctl_vm *vm)
{
	return __atomic_load_n(&vm->stopping, __ATOMIC_SEQ_CST);
}

static void unclaimed_pio(void *ctx, uint64_t port, bool is_write)
{
	struct vmctl_vm *vm = ctx;
	bool first;

	pthread_mutex_lock(&vm->lock);
	first = !(vm->pio_warned[port / 8] & (1 << (port % 8)));
	vm->pio_warned[port / 8] |= 1 << (port % 8);
	pthread_mutex_unlock(&vm->lock);
	if (first)
		vmctl_log("guest %s unclaimed port 0x%llx: no device there, reads return all-ones and writes are ignored",
			  is_write ? "wrote to" : "read from",
			  (unsigned long long)port);
}

static void unclaimed_mmio(void *ctx, uint64_t gpa, bool is_write)
{
	struct vmctl_vm *vm = ctx;
	unsigned int n;

	pthread_mutex_lock(&vm->lock);
	n = vm->mmio_warned;
	if (n <= MAX_MMIO_WARNINGS)
		vm->mmio_warned++;
	pthread_mutex_unlock(&vm->lock);
	if (n < MAX_MMIO_WARNINGS)
		vmctl_log("guest %s unclaimed MMIO address 0x%llx: reads return all-ones and writes are ignored",
			  is_write ? "wrote to" : "read from",
			  (unsigned long long)gpa);
	else if (n == MAX_MMIO_WARNINGS)
		vmctl_log("further unclaimed MMIO accesses are not logged");
}

enum step { STEP_CONTINUE, STEP_HALTED, STEP_ENDED };

static enum step vm_ended(struct vmctl_vcpu *vcpu, enum vmctl_end_reason why)
{
	struct vmctl_vm_end end = {
		.reason = why, .vcpu = vcpu->id, .rip = vcpu->run->rip,
	};

	end_vm(vcpu->vm, &end);
	return STEP_ENDED;
}

static enum step vcpu_error(struct vmctl_vcpu *vcpu, int err)
{
	struct vmctl_vm_end end = {
		.reason = VMCTL_END_ERROR, .vcpu = vcpu->id, .err = err,
		.rip = vcpu->run->rip,
	};

	snprintf(end.detail, sizeof(end.detail), "%s", vmctl_error_detail());

	end_vm(vcpu->vm, &end);
	return STEP_ENDED;
}

/*
 * HLT with interrupts on comes here only without the in-kernel irqchip
 * (with it, the module sleeps in HLT until an interrupt is due): nothing
 * can interrupt this vCPU, so it waits for the VM to be stopped.
 */
static void wait_for_interrupt(struct vmctl_vcpu *vcpu)
{
	struct vmctl_vm *vm = vcpu->vm;

	vmctl_log("vCPU %u halted with interrupts enabled at rip 0x%llx; without the in-kernel irqchip no interrupt can wake it, so it waits until the VM is stopped",
		  vcpu->id, (unsigned long long)vcpu->run->rip);
	pthread_mutex_lock(&vm->lock);
	while (!vm->stopping && !vm->paused)
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
}

static enum step handle_exit(struct vmctl_vcpu *vcpu)
{
	struct vmctl_run *run = vcpu->run;
	struct vmctl_vm *vm = vcpu->vm;
	struct vmctl_vm_end end;

	switch (run->exit_reason) {
	case VMCTL_EXIT_IO:
		if (vmctl_serve_pio_exit(&vm->pio, run, vcpu->run_size,
					 unclaimed_pio, vm))
			return vcpu_error(vcpu, vmctl_fail(-EPROTO,
					  "malformed I/O exit from the module"));
		return STEP_CONTINUE;
	case VMCTL_EXIT_MMIO:
		if (vmctl_serve_mmio_exit(&vm->mmio, run, unclaimed_mmio, vm))
			return vcpu_error(vcpu, vmctl_fail(-EPROTO,
					  "malformed MMIO exit from the module"));
		return STEP_CONTINUE;
	case VMCTL_EXIT_HYPERCALL:
		if (run->hypercall.nr == VMCTL_HC_POWEROFF)
			return vm_ended(vcpu, VMCTL_END_POWEROFF);
		run->hypercall.ret = (uint64_t)(int64_t)VMCTL_HC_ENOSYS;
		return STEP_CONTINUE;
	case VMCTL_EXIT_HLT:
		if (run->rflags & RFLAGS_IF) {
			wait_for_interrupt(vcpu);
			return STEP_CONTINUE;
		}
		/*
		 * Interrupts off.  Without the irqchip nothing can wake
		 * this vCPU.  With it, the module says whether any vCPU
		 * can still run (one may kick this one, as Linux's PV
		 * spinlocks do, or start one the guest never started):
		 * if none can, the guest has stopped, as Linux does when
		 * it powers off without ACPI; else the next RUN sleeps
		 * until this vCPU can go on.
		 */
		if (!vm->irqchip)
			return STEP_HALTED;
		if (run->hlt.vm_stopped)
			return vm_ended(vcpu, VMCTL_END_HALT);
		return STEP_CONTINUE;
	case VMCTL_EXIT_SHUTDOWN:
		return vm_ended(vcpu, VMCTL_END_SHUTDOWN);
	case VMCTL_EXIT_FAIL_ENTRY:
		end = (struct vmctl_vm_end){
			.reason = VMCTL_END_FAIL_ENTRY, .vcpu = vcpu->id,
			.rip = run->rip,
			.hw_reason = run->fail_entry.hardware_reason,
			.qualification = run->fail_entry.qualification,
		};
		end_vm(vm, &end);
		return STEP_ENDED;
	case VMCTL_EXIT_INTERNAL_ERROR:
		end = (struct vmctl_vm_end){
			.reason = VMCTL_END_INTERNAL, .vcpu = vcpu->id,
			.rip = run->rip, .suberror = run->internal.suberror,
			.data0 = run->internal.ndata ? run->internal.data[0] : 0,
		};
		end_vm(vm, &end);
		return STEP_ENDED;
	case VMCTL_EXIT_INTR:
		return STEP_CONTINUE;
	case VMCTL_EXIT_MEMORY_FAULT:	/* the library never unmaps RAM */
		return vcpu_error(vcpu, vmctl_fail(-EFAULT,
				  "guest %s at 0x%llx: the process's memory there is gone or read-only",
				  run->memory_fault.flags &
				  VMCTL_MEMORY_FAULT_WRITE ? "write" : "read",
				  (unsigned long long)run->memory_fault.gpa));
	default:
		return vcpu_error(vcpu, vmctl_fail(-EPROTO,
				  "unknown exit reason %u from the module",
				  run->exit_reason));
	}
}

/*
 * Held by vmctl_vm_pause(): the exit this vCPU last took is served, so
 * the state it shows is whole; wait here until resumed or stopped.
 */
static void park(struct vmctl_vcpu *vcpu)
{
	struct vmctl_vm *vm = vcpu->vm;

	pthread_mutex_lock(&vm->lock);
	vm->parked++;
	pthread_cond_broadcast(&vm->cond);
	while (vm->paused && !vm->stopping)
		pthread_cond_wait(&vm->cond, &vm->lock);
	vm->parked--;
	/* Under the lock: a pause to come sets it again after this. */
	if (!vm->stopping)
		__atomic_store_n(&vcpu->run->immediate_exit, 0,
				 __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&vm->lock);
}

static bool paused(struct vmctl_vm *vm)
{
	return __atomic_load_n(&vm->paused, __ATOMIC_SEQ_CST);
}

static void notify_done(struct vmctl_vm *vm)
{
	uint64_t one = 1;

	if (write(vm->done_fd, &one, sizeof(one)) < 0)
		vmctl_log("cannot signal the VM's end: %s", strerror(errno));
}

static void *vcpu_thread(void *arg)
{
	struct vmctl_vcpu *vcpu = arg;
	struct vmctl_vm *vm = vcpu->vm;
	enum step step = STEP_CONTINUE;
	sigset_t mask;

	/* Process-directed signals belong to the application's threads. */
	sigfillset(&mask);
	sigdelset(&mask, KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	this_vcpu = vcpu;

	while (step == STEP_CONTINUE && !stopping(vm)) {
		if (paused(vm)) {
			park(vcpu);
			continue;
		}
		if (__atomic_load_n(&vcpu->throttle_ns, __ATOMIC_SEQ_CST)) {
			vmctl_vcpu_throttle_sleep(vcpu);
			continue;
		}
		if (ioctl(vcpu->fd, VMCTL_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			step = vcpu_error(vcpu, vmctl_fail(-errno,
					  "VMCTL_RUN on vCPU %u", vcpu->id));
			break;
		}
		step = handle_exit(vcpu);
	}

	pthread_mutex_lock(&vm->lock);
	vcpu->thread_exited = true;
	if (step == STEP_HALTED) {
		vm->halted++;
		vm->end_rip_halt = vcpu->run->rip;
		vm->end_vcpu_halt = vcpu->id;
	}
	if (--vm->live_threads == 0) {
		if (vm->end.reason == VMCTL_END_NONE)
			vm->end = (struct vmctl_vm_end){
				.reason = VMCTL_END_HALT,
				.vcpu = vm->end_vcpu_halt,
				.rip = vm->end_rip_halt,
			};
		notify_done(vm);
	}
	/* A pause waits for the threads still there. */
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

int vmctl_vm_start(struct vmctl_vm *vm)
{
	unsigned int i, n = 0;
	int ret = 0;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	for (i = 0; i < VMCTL_MAX_VCPUS; i++)
		n += vm->vcpus[i] != NULL;
	if (!n)
		return vmctl_fail(-EINVAL, "the VM has no vCPU");
	/* Devices' own threads run before and after the vCPUs'. */
	ret = vmctl_devices_start(&vm->devices);
	if (ret)
		return ret;
	pthread_once(&kick_once, install_kick_handler);

	pthread_mutex_lock(&vm->lock);
	vm->end = (struct vmctl_vm_end){ .reason = VMCTL_END_NONE, .vcpu = -1 };
	vm->stopping = false;
	vm->paused = false;
	vm->halted = 0;
	vm->running = true;
	vm->live_threads = n;
	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		struct vmctl_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		vcpu->run->immediate_exit = 0;
		vcpu->thread_exited = false;
		vcpu->throttle_ns = 0;
		ret = -pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
		if (ret) {
			/* Threads already running see stopping and end. */
			vm->live_threads -= n;
			vm->end = (struct vmctl_vm_end){
				.reason = VMCTL_END_ERROR, .vcpu = i, .err = ret,
			};
			vm->stopping = true;
			kick_all(vm);
			if (!vm->live_threads)
				notify_done(vm);
			break;
		}
		vcpu->thread_started = true;
		n--;
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

void vmctl_vm_stop(struct vmctl_vm *vm)
{
	struct vmctl_vm_end end = { .reason = VMCTL_END_STOPPED, .vcpu = -1 };

	end_vm(vm, &end);
}

int vmctl_vm_pause(struct vmctl_vm *vm)
{
	int ret = 0;

	pthread_mutex_lock(&vm->pause_lock);
	pthread_mutex_lock(&vm->lock);
	if (!vm->running || vm->stopping) {
		ret = -ESRCH;
	} else if (!vm->paused) {
		vm->paused = true;
		kick_all(vm);
		while (vm->parked < vm->live_threads && !vm->stopping)
			pthread_cond_wait(&vm->cond, &vm->lock);
		ret = vm->stopping ? -ESRCH : 0;
	}
	pthread_mutex_unlock(&vm->lock);
	/* No vCPU runs: the devices' threads finish what they were doing. */
	if (!ret)
		vmctl_devices_stop(&vm->devices);
	pthread_mutex_unlock(&vm->pause_lock);
	return ret;
}

int vmctl_vm_resume(struct vmctl_vm *vm)
{
	int ret = 0;

	pthread_mutex_lock(&vm->pause_lock);
	pthread_mutex_lock(&vm->lock);
	if (!vm->running || vm->stopping)
		ret = -ESRCH;
	pthread_mutex_unlock(&vm->lock);
	if (!ret && vm->paused)
		ret = vmctl_devices_start(&vm->devices);
	if (!ret) {
		pthread_mutex_lock(&vm->lock);
		vm->paused = false;
		pthread_cond_broadcast(&vm->cond);
		pthread_mutex_unlock(&vm->lock);
	}
	pthread_mutex_unlock(&vm->pause_lock);
	return ret;
}

int vmctl_vm_paused(struct vmctl_vm *vm)
{
	return paused(vm);
}

int vmctl_vm_done_fd(struct vmctl_vm *vm)
{
	return vm->done_fd;
}

int vmctl_vm_wait(struct vmctl_vm *vm, struct vmctl_vm_end *end)
{
	unsigned int i;
	uint64_t v;

	if (!vm->running)
		return -EINVAL;
	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		struct vmctl_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu || !vcpu->thread_started)
			continue;
		pthread_join(vcpu->thread, NULL);
		vcpu->thread_started = false;
	}
	vmctl_vm_throttle(vm, 0);
	/* Not while vmctl_vm_resume() starts them again. */
	pthread_mutex_lock(&vm->pause_lock);
	vmctl_devices_stop(&vm->devices);
	pthread_mutex_unlock(&vm->pause_lock);
	/* Consume the end notification so the fd is ready for a restart. */
	if (read(vm->done_fd, &v, sizeof(v)) < 0)
		v = 0;
	vm->running = false;
	if (end)
		*end = vm->end;
	return 0;
}
