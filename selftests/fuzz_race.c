// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_race: what other threads and processes do while a vCPU is inside
 * RUN.  Each iteration ("race round") starts a VM whose guest touches
 * slot 0, slot 1, an MMIO page and ports in a loop, 1-2 vCPUs each RUN in
 * a loop by a thread of its own, then, after random short delays, 1-3 of:
 * closing a vCPU fd or the VM fd, munmap of the run area, munmap or
 * mremap of guest memory, replacing slot 0 or slot 1 again and again,
 * fork (the child RUNs, calls ioctls on and closes the inherited fds),
 * a second thread hammering the vCPU's ioctls (RUN included), IRQ_LINE
 * floods, CREATE_VCPU racing VM close, and kill -9 of a process whose
 * vCPUs are in RUN.  Then every RUN must return to a signal, everything is
 * closed, and the module's counters must be back to the baseline.
 * Timing makes a round's interleaving vary; the seed fixes what is done
 * and when it is tried.  Knobs and output: lib/fuzz.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "fuzz.h"
#include "fuzz_values.h"
#include "irqchip.h"
#include "modes.h"
#include "vm.h"

#define PAGE		4096
#define MAX_VCPUS	2

GUEST64(race_guest,
	"1:\n\t"
	"mov $" __stringify(DATA_GPA) ", %ebx\n\t"
	"incq (%rbx)\n\t"
	"mov $" __stringify(FUZZ_SLOT1_GPA) ", %ebx\n\t"
	"mov %rax, (%rbx)\n\t"
	"mov %rax, 4096(%rbx)\n\t"
	"mov $0x1234, %dx\n\t"
	"out %al, %dx\n\t"
	"mov $" __stringify(MMIO_GPA) ", %ebx\n\t"
	"mov (%rbx), %eax\n\t"
	"mov $" __stringify(DATA_GPA) ", %esi\n\t"
	"mov $4, %ecx\n\t"
	"rep outsb\n\t"
	"mov $" __stringify(DATA_GPA) " + 4094, %edi\n\t"
	"mov $4, %ecx\n\t"
	"rep insb\n\t"
	"mov $2000, %ecx\n"
	"2:\n\t"
	"loop 2b\n\t"
	"jmp 1b\n");

struct runner {
	pthread_t thread;
	int fd;			/* the vCPU fd it RUNs (may be closed under it) */
	atomic_int stop;
	atomic_int done;
	int err;		/* errno that ended it, or 0 */
	uint64_t runs;
};

struct round {
	struct fuzz *f;
	struct vm *vm;
	struct vcpu *vcpus[MAX_VCPUS];
	struct runner runners[MAX_VCPUS];
	int nr;
	void *slot1;		/* slot 1's memory */
	bool vm_closed, mem_gone, irqchip;
	bool vcpu_closed[MAX_VCPUS], run_unmapped[MAX_VCPUS];
	pthread_t hammer;
	atomic_int hammer_stop;
	bool hammering;
};

static bool have_irqchip;

static void on_signal(int sig)
{
	(void)sig;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *run_loop(void *arg)
{
	struct runner *r = arg;

	while (!atomic_load(&r->stop)) {
		r->runs++;
		if (!ioctl(r->fd, VMCTL_RUN, 0) || errno == EINTR)
			continue;
		if (errno == EBUSY) {	/* another thread's RUN, for now */
			sleep_us(100);
			continue;
		}
		r->err = errno;
		break;
	}
	atomic_store(&r->done, 1);
	return NULL;
}

/* Signal @t until @done is set; false if it does not within 10 s. */
static bool stop_thread(pthread_t t, atomic_int *stop, atomic_int *done)
{
	int i;

	atomic_store(stop, 1);
	for (i = 0; i < 10000 && !atomic_load(done); i++) {
		pthread_kill(t, SIGUSR1);
		sleep_us(1000);
	}
	if (!atomic_load(done))
		return false;
	pthread_join(t, NULL);
	return true;
}

static void set_slot(struct round *r, unsigned int id, uint64_t gpa,
		     void *mem, size_t size)
{
	struct vmctl_mem_slot slot = {
		.slot = id, .guest_phys = gpa, .size = size,
		.user_addr = (uintptr_t)mem,
	};

	r->f->calls++;
	ioctl(r->vm->fd, VMCTL_SET_MEM_SLOT, &slot);
}

static void round_start(struct fuzz *f, struct round *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->f = f;
	r->irqchip = have_irqchip && fuzz_chance(f, 30);
	r->vm = r->irqchip ? irqchip_vm_create() : vm_create("");
	r->slot1 = mmap(NULL, FUZZ_EXTRA_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	die_unless(r->slot1 != MAP_FAILED, "mmap");
	set_slot(r, 1, FUZZ_SLOT1_GPA, r->slot1, FUZZ_EXTRA_SIZE);
	r->nr = 1 + fuzz_below(f, MAX_VCPUS);
	for (i = 0; i < r->nr; i++) {
		r->vcpus[i] = vcpu_add(r->vm, i);
		vcpu_load_guest(r->vcpus[i], &race_guest);
		r->runners[i].fd = r->vcpus[i]->fd;
		pthread_create(&r->runners[i].thread, NULL, run_loop,
			       &r->runners[i]);
	}
	f->calls += 8 * r->nr + 4;
	f->guests += r->nr;
}

static void close_vcpu(struct round *r, int i)
{
	if (r->vcpu_closed[i])
		return;
	r->vcpu_closed[i] = true;
	close(r->vcpus[i]->fd);
	r->f->calls++;
}

static void unmap_run(struct round *r, int i)
{
	if (r->run_unmapped[i])
		return;
	r->run_unmapped[i] = true;
	munmap(r->vcpus[i]->run, r->vm->run_size);
	r->f->calls++;
}

/* Slot 0 (or 1) deleted and set again with other memory, many times. */
static void replace_slots(struct round *r)
{
	struct fuzz *f = r->f;
	unsigned int id = fuzz_below(f, 2), n = 1 + fuzz_below(f, 20), i;
	size_t size = id ? FUZZ_EXTRA_SIZE : GUEST_MEM_SIZE;
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED || r->vm_closed)
		goto out;
	if (!id && !r->mem_gone)	/* same code and tables: it goes on */
		memcpy(mem, r->vm->mem, size);
	for (i = 0; i < n; i++) {
		f->calls++;
		ioctl(r->vm->fd, VMCTL_DELETE_MEM_SLOT, id);
		if (fuzz_chance(f, 50))
			sleep_us(fuzz_below(f, 500));
		set_slot(r, id, id ? FUZZ_SLOT1_GPA : 0,
			 i & 1 ? mem : id ? r->slot1 : r->vm->mem, size);
	}
out:
	/* Pinned by the slot if it holds it; ours to unmap either way. */
	if (mem != MAP_FAILED)
		munmap(mem, size);
}

/* The guest's memory moves or goes away under the slot. */
static void move_memory(struct round *r)
{
	struct fuzz *f = r->f;
	size_t size = r->vm->mem_size;
	void *dst, *p;

	f->calls++;
	if (r->mem_gone)
		return;
	if (fuzz_chance(f, 40)) {
		munmap(r->vm->mem, size);
		r->mem_gone = true;
		return;
	}
	if (fuzz_chance(f, 50)) {	/* grow, wherever it lands */
		p = mremap(r->vm->mem, size, 2 * size, MREMAP_MAYMOVE);
		if (p != MAP_FAILED) {
			r->vm->mem = p;
			r->vm->mem_size = 2 * size;
		}
		return;
	}
	/* Move to a place reserved for it. */
	dst = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED)
		return;
	p = mremap(r->vm->mem, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (p == MAP_FAILED)
		munmap(dst, size);
	else
		r->vm->mem = p;
}

/* Another thread at the same vCPU: every ioctl, RUN included. */
static void *hammer(void *arg)
{
	struct round *r = arg;
	struct vmctl_sregs sregs;
	struct vmctl_regs regs;
	struct vmctl_exception e = { .vector = 6 };
	struct vmctl_vcpu_stats stats;
	struct vmctl_irq_line line = { .irq = 4 };
	int fd = r->vcpus[0]->fd;
	unsigned int i = 0;
	int ret;

	while (!atomic_load(&r->hammer_stop)) {
		switch (i++ % 8) {
		case 0:
			if (!ioctl(fd, VMCTL_GET_REGS, &regs))
				ioctl(fd, VMCTL_SET_REGS, &regs);
			break;
		case 1:
			if (!ioctl(fd, VMCTL_GET_SREGS, &sregs))
				ioctl(fd, VMCTL_SET_SREGS, &sregs);
			break;
		case 2:
			ioctl(fd, VMCTL_INJECT_EXCEPTION, &e);
			break;
		case 3:
			ioctl(fd, VMCTL_GET_VCPU_STATS, &stats);
			break;
		case 4:
			ioctl(fd, VMCTL_RUN, 0);
			break;
		case 5:
			line.level = !line.level;
			ioctl(r->vm->fd, VMCTL_IRQ_LINE, &line);
			break;
		case 6:
			ret = ioctl(r->vm->fd, VMCTL_CREATE_VCPU, 3 + i % 4);
			if (ret >= 0)
				close(ret);
			break;
		default:
			/* Both fit in stats; they read the vCPU list. */
			ioctl(r->vm->fd, i % 16 < 8 ? VMCTL_GET_VM_INFO :
				  VMCTL_GET_MEM_STATS, &stats);
		}
	}
	return NULL;
}

static void start_hammer(struct round *r)
{
	if (r->hammering)
		return;
	r->hammering = true;
	pthread_create(&r->hammer, NULL, hammer, r);
}

/* fork while RUN runs: the child uses, then drops, what it inherited. */
static void fork_child(struct round *r)
{
	struct fuzz *f = r->f;
	struct vmctl_regs regs;
	int status, i;
	pid_t pid;

	f->calls++;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		for (i = 0; i < r->nr; i++) {
			if (r->vcpu_closed[i])
				continue;
			alarm(1);	/* a RUN that would spin */
			ioctl(r->vcpus[i]->fd, VMCTL_RUN, 0);
			ioctl(r->vcpus[i]->fd, VMCTL_GET_REGS, &regs);
			ioctl(r->vcpus[i]->fd, VMCTL_SET_REGS, &regs);
			if (i & 1)
				close(r->vcpus[i]->fd);
		}
		if (!r->vm_closed)	/* closed by _exit */
			ioctl(r->vm->fd, VMCTL_CREATE_VCPU, 5);
		_exit(0);
	}
	if (fuzz_chance(f, 30))
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* A process with vCPUs in RUN (or still creating them) gets kill -9. */
static void kill_child(struct round *r)
{
	struct fuzz *f = r->f;
	long delay = fuzz_below(f, 30000);
	int status, n = 1 + fuzz_below(f, 3);
	pid_t pid;

	f->calls++;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		struct vcpu *first = vcpu_create_guest(&race_guest);
		struct runner runners[3] = { 0 };
		int i;

		for (i = 0; i < n; i++) {
			struct vcpu *v = i ? vcpu_add(first->vm, i) : first;

			if (i)
				vcpu_load_guest(v, &race_guest);
			runners[i].fd = v->fd;
			pthread_create(&runners[i].thread, NULL, run_loop,
				       &runners[i]);
		}
		for (;;)
			pause();
	}
	sleep_us(delay);
	kill(pid, SIGKILL);
	fuzz_log(f, "killed %d after %ld us", pid, delay);
	waitpid(pid, &status, 0);
	fuzz_log(f, "reaped %d", pid);
	if (!WIFSIGNALED(status))
		fuzz_fail(f, "the child to kill -9 ended by itself (status %#x)",
			  status);
}

static void action(struct round *r)
{
	struct fuzz *f = r->f;
	int i = fuzz_below(f, r->nr);
	int what = fuzz_below(f, 11);

	fuzz_log(f, "action %d on vCPU %d of %d", what, i, r->nr);
	switch (what) {
	case 0:
		close_vcpu(r, i);
		break;
	case 1:
		if (!r->vm_closed) {
			r->vm_closed = true;
			close(r->vm->fd);
			f->calls++;
		}
		break;
	case 2:
		unmap_run(r, i);
		break;
	case 3:
		move_memory(r);
		break;
	case 4:
	case 5:
		replace_slots(r);
		break;
	case 6:
		fork_child(r);
		break;
	case 7:
		start_hammer(r);
		break;
	case 8:
		kill_child(r);
		break;
	case 9:		/* everything at once, in a random order */
		unmap_run(r, i);
		close_vcpu(r, i);
		if (!r->vm_closed) {
			r->vm_closed = true;
			close(r->vm->fd);
		}
		move_memory(r);
		break;
	default:
		if (!r->vm_closed)
			set_slot(r, 3 + fuzz_below(f, 4),
				 MMIO_GPA + fuzz_below(f, 4) * PAGE, r->slot1,
				 PAGE);
	}
}

static void round_end(struct round *r)
{
	struct fuzz *f = r->f;
	int i;

	if (r->hammering) {
		atomic_store(&r->hammer_stop, 1);
		for (i = 0; i < 1000 && pthread_tryjoin_np(r->hammer, NULL); i++) {
			pthread_kill(r->hammer, SIGUSR1);
			sleep_us(1000);
		}
		if (i == 1000)
			fuzz_fail(f, "an ioctl of the hammer thread does not return");
	}
	fuzz_log(f, "round end");
	for (i = 0; i < r->nr; i++) {
		struct runner *rn = &r->runners[i];

		if (!stop_thread(rn->thread, &rn->stop, &rn->done)) {
			fuzz_fail(f, "RUN of vCPU %d does not return to signals", i);
			continue;
		}
		if (rn->err && rn->err != EBADF && !r->vcpu_closed[i])
			fuzz_fail(f, "RUN of vCPU %d: %s", i, strerror(rn->err));
		if (!r->vcpu_closed[i])
			fuzz_count_vcpu(f, r->vcpus[i]->fd);
		unmap_run(r, i);
		close_vcpu(r, i);
		free(r->vcpus[i]);
	}
	if (!r->vm_closed)
		close(r->vm->fd);
	if (!r->mem_gone)
		munmap(r->vm->mem, r->vm->mem_size);
	munmap(r->slot1, FUZZ_EXTRA_SIZE);
	close(r->vm->sys_fd);
	free(r->vm);
}

static void iteration(struct fuzz *f)
{
	struct round r;
	int n = 1 + fuzz_below(f, 3);

	round_start(f, &r);
	while (n--) {
		sleep_us(fuzz_below(f, 3000));
		action(&r);
	}
	sleep_us(fuzz_below(f, 3000));
	round_end(&r);
	f->races++;
	fuzz_check_baseline(f, 2000);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct fuzz f;

	fuzz_init(&f, "fuzz_race", argc, argv);
	have_irqchip = irqchip_available();
	sigaction(SIGUSR1, &sa, NULL);
	while (fuzz_next(&f))
		iteration(&f);
	return fuzz_finish(&f);
}
