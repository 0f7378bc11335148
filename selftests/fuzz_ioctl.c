// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ioctl: every ioctl of every fd type (/dev/vmctl, VM, vCPU; MSIs,
 * doorbells and irqfds with their eventfds written and closed under them), with
 * random and crafted arguments (absurd sizes and counts, unknown flags,
 * bad pointers: NULL, kernel addresses, unmapped, read-only, a struct that
 * runs into an unmapped page), random ioctl numbers, mmap of each fd, and
 * RUN of a guest that exits for every kind of I/O while the run page is
 * rewritten between exits (io.size, count, port, direction, data_offset,
 * mmio.len, addresses, the exit reason itself), and the save/restore
 * state read, changed a little and written back.
 *
 * One iteration: a VM (slot 0 and the library's tables), up to 4 vCPUs,
 * 60 random operations, then a check that vCPU 0, given a valid state
 * again, still runs (nothing the caller did wedged it), then everything
 * closed and the module's counters back to the baseline.  A failed VM
 * entry is allowed only after a random SET_SREGS (the CPU refusing
 * invalid guest state is the documented FAIL_ENTRY); a VMX instruction
 * error never is.  Same after SET_REGS (a non-canonical RIP, reserved
 * RFLAGS bits) and after a random ioctl number that happened to succeed on
 * a vCPU.  Knobs and output: lib/fuzz.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_values.h"
#include "modes.h"
#include "vm.h"

#define PAGE		4096
#define MAX_VCPUS	4
#define OPS		60
#define BUF_SIZE	(64 * 1024)
#define TEST_PORT	0x1234

/* Every kind of I/O exit, in a loop. */
GUEST64(io_loop_guest,
	"1:\n\t"
	"mov $" __stringify(TEST_PORT) ", %dx\n\t"
	"in %dx, %al\n\t"
	"in %dx, %ax\n\t"
	"in %dx, %eax\n\t"
	"out %al, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $" __stringify(DATA_GPA) " + 4090, %edi\n\t"
	"mov $9, %ecx\n\t"
	"rep insb\n\t"
	"mov $" __stringify(DATA_GPA) " + 4090, %edi\n\t"
	"mov $3000, %ecx\n\t"
	"rep insl\n\t"
	"mov $" __stringify(DATA_GPA) " + 4093, %esi\n\t"
	"mov $7, %ecx\n\t"
	"rep outsw\n\t"
	"std\n\t"
	"mov $" __stringify(DATA_GPA) " + 8, %edi\n\t"
	"mov $20, %ecx\n\t"
	"rep insb\n\t"
	"cld\n\t"
	"mov $" __stringify(MMIO_GPA) ", %ebx\n\t"
	"mov (%rbx), %al\n\t"
	"mov 2(%rbx), %ax\n\t"
	"mov 4(%rbx), %eax\n\t"
	"mov 8(%rbx), %rax\n\t"
	"mov %rax, 16(%rbx)\n\t"
	"movb $1, 4095(%rbx)\n\t"
	"mov $" __stringify(MMIO_GPA) ", %esi\n\t"
	"mov $" __stringify(DATA_GPA) ", %edi\n\t"
	"mov $3, %ecx\n\t"
	"rep movsl\n\t"
	"mov $0x77, %eax\n\t"
	"vmcall\n\t"
	"hlt\n\t"
	"jmp 1b\n");

struct vfd {
	int fd;
	unsigned int id;
	struct vmctl_run *run;	/* mapped, or NULL */
	bool state_fuzzed;	/* by SET_(S)REGS: FAIL_ENTRY is the CPU's right */
};

struct state {
	struct fuzz *f;
	struct vm *vm;
	struct vfd vcpus[MAX_VCPUS];
	int nr_vcpus;
	int extra_vm;		/* a VM from a fuzzed CREATE_VM, or -1 */
	int efd[2];		/* eventfds for doorbells and irqfds */
	bool irqchip;
	bool slot0_changed;	/* deleted or replaced by a random call */
};

/* Buffers: plenty of valid room, and pages to aim bad pointers at. */
static uint8_t *buf;
static uint8_t *rw_page, *none_page, *ro_page;
static void *slot_mem;		/* for fuzzed slots: 16 pages */
static size_t run_size;

/* A pointer for an ioctl's struct of @size bytes: mostly valid. */
static void *arg_ptr(struct fuzz *f, size_t size)
{
	switch (fuzz_below(f, 12)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)fuzz_interesting(f);
	case 2:
		return (void *)0xffffffff81000000ULL;	/* kernel text */
	case 3:
		return none_page;
	case 4:		/* the struct runs into the unmapped page */
		return rw_page + PAGE - (size > 1 ? fuzz_below(f, size - 1) + 1 : 1);
	case 5:
		return ro_page;
	default:
		return buf;
	}
}

static long xioctl(struct fuzz *f, int fd, unsigned long cmd, unsigned long arg)
{
	long ret;

	f->calls++;
	ret = ioctl(fd, cmd, arg);
	fuzz_log(f, "ioctl(%d, %#lx, %#lx) = %ld%s%s", fd, cmd, arg, ret,
		 ret < 0 ? " " : "", ret < 0 ? strerror(errno) : "");
	return ret;
}

/* An ioctl number near ours: any direction, size and number. */
static unsigned long random_cmd(struct fuzz *f)
{
	unsigned int type = fuzz_chance(f, 90) ? VMCTL_IO : fuzz_below(f, 256);

	if (fuzz_chance(f, 5))
		return fuzz_rand(f) & 0xffffffff;
	return _IOC(fuzz_below(f, 4), type, fuzz_below(f, 0x40),
		    fuzz_chance(f, 50) ? fuzz_below(f, 0x400) :
					  fuzz_below(f, 1 << 14));
}

static void random_ioctl(struct state *s, int fd)
{
	struct fuzz *f = s->f;
	unsigned long cmd = random_cmd(f);

	/* RUN by another number is still RUN: only with a timer. */
	fuzz_fill(f, buf, BUF_SIZE);
	int i;

	if (xioctl(f, fd, cmd, fuzz_chance(f, 70) ? (unsigned long)arg_ptr(f, 256) :
						      fuzz_interesting(f)))
		return;
	for (i = 0; i < s->nr_vcpus; i++)	/* it may have been SET_REGS */
		if (s->vcpus[i].fd == fd)
			s->vcpus[i].state_fuzzed = true;
}

static void fill_arg(struct fuzz *f, void *p, size_t size)
{
	if ((uint8_t *)p >= buf && (uint8_t *)p < buf + BUF_SIZE)
		fuzz_fill(f, p, size);
}

static void sys_op(struct state *s)
{
	struct fuzz *f = s->f;
	int fd = s->vm->sys_fd;
	struct vmctl_vm_config *cfg;
	struct vmctl_vmx_cpus *cpus;
	long ret;

	switch (fuzz_below(f, 7)) {
	case 0:
		xioctl(f, fd, VMCTL_GET_API_VERSION, fuzz_interesting(f));
		break;
	case 1:
		xioctl(f, fd, VMCTL_CHECK_CAP, fuzz_chance(f, 50) ?
		       fuzz_below(f, 16) : fuzz_interesting(f));
		break;
	case 2:
		cfg = arg_ptr(f, sizeof(*cfg));
		fill_arg(f, cfg, sizeof(*cfg));
		if (cfg == (void *)buf && fuzz_chance(f, 60)) {
			cfg->flags = 0;
			if (fuzz_chance(f, 70))
				cfg->name[fuzz_below(f, VMCTL_NAME_LEN)] = 0;
		}
		ret = xioctl(f, fd, VMCTL_CREATE_VM, (unsigned long)cfg);
		if (ret >= 0) {
			if (s->extra_vm >= 0)
				close(s->extra_vm);
			s->extra_vm = ret;
		}
		break;
	case 3:
		xioctl(f, fd, VMCTL_GET_RUN_SIZE, fuzz_interesting(f));
		break;
	case 4:
		xioctl(f, fd, VMCTL_GET_MODULE_STATS,
		       (unsigned long)arg_ptr(f, sizeof(struct vmctl_module_stats)));
		break;
	case 5:
		cpus = arg_ptr(f, sizeof(*cpus));
		fill_arg(f, cpus, sizeof(*cpus));
		if (cpus == (void *)buf && fuzz_chance(f, 70))
			cpus->flags = 0;
		xioctl(f, fd, VMCTL_GET_VMX_CPUS, (unsigned long)cpus);
		break;
	default:
		random_ioctl(s, fd);
	}
}

static void add_vcpu(struct state *s, unsigned long id)
{
	struct fuzz *f = s->f;
	struct vfd *v;
	long fd = xioctl(f, s->vm->fd, VMCTL_CREATE_VCPU, id);
	void *run;

	if (fd < 0)
		return;
	if (s->nr_vcpus == MAX_VCPUS) {
		close(fd);
		return;
	}
	v = &s->vcpus[s->nr_vcpus++];
	v->fd = fd;
	v->id = id;
	v->state_fuzzed = false;
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	v->run = run == MAP_FAILED ? NULL : run;
	if (!v->run)
		fuzz_fail(f, "mmap of vCPU %lu's run area: %m", id);
}

static void set_slot(struct state *s)
{
	struct fuzz *f = s->f;
	struct vmctl_mem_slot *m = arg_ptr(f, sizeof(*m));
	static const uint64_t sizes[] = { PAGE, 2 * PAGE, 16 * PAGE, 0, 1,
					  PAGE + 1, 1ULL << 30, 1ULL << 40 };

	if (m == (void *)buf) {
		m->slot = fuzz_chance(f, 80) ? fuzz_below(f, VMCTL_MAX_MEM_SLOTS + 2) :
					       fuzz_interesting(f);
		m->flags = fuzz_chance(f, 70) ? fuzz_below(f, 2) :
						 fuzz_interesting(f);
		m->guest_phys = fuzz_chance(f, 70) ?
			(fuzz_pick(f, fuzz_edges) & ~(PAGE - 1ULL)) :
			fuzz_interesting(f);
		m->size = fuzz_chance(f, 80) ? fuzz_pick(f, sizes) :
					       fuzz_interesting(f);
		switch (fuzz_below(f, 6)) {
		case 0:
			m->user_addr = fuzz_interesting(f);
			break;
		case 1:
			m->user_addr = (uintptr_t)ro_page;
			break;
		case 2:
			m->user_addr = (uintptr_t)none_page;
			break;
		default:
			m->user_addr = (uintptr_t)slot_mem +
				       fuzz_below(f, 16) * PAGE;
		}
	}
	if (!xioctl(f, s->vm->fd, VMCTL_SET_MEM_SLOT, (unsigned long)m) &&
	    m->slot == 0)
		s->slot0_changed = true;
}

/* An fd for a doorbell or irqfd: mostly our eventfds, sometimes not. */
static int some_fd(struct state *s)
{
	struct fuzz *f = s->f;

	switch (fuzz_below(s->f, 8)) {
	case 0:
		return s->vm->fd;		/* not an eventfd */
	case 1:
		return fuzz_interesting(f);
	default:
		return s->efd[fuzz_below(f, 2)];
	}
}

static void msi_fill(struct fuzz *f, struct vmctl_msi *m)
{
	m->address = fuzz_chance(f, 80) ?
		0xfee00000 | fuzz_below(f, 4) << 12 | fuzz_below(f, 4) << 2 :
		fuzz_interesting(f);
	m->data = fuzz_chance(f, 80) ?
		(0x20 + fuzz_below(f, 0xe0)) | fuzz_below(f, 8) << 8 |
		fuzz_below(f, 4) << 14 : fuzz_interesting(f);
	m->flags = fuzz_chance(f, 90) ? 0 : fuzz_interesting(f);
}

/* SIGNAL_MSI, DOORBELL and IRQFD, and the eventfds behind them. */
static void irq_op(struct state *s)
{
	struct fuzz *f = s->f;
	struct vmctl_doorbell *d = (void *)buf;
	struct vmctl_irqfd *q = (void *)buf;
	uint64_t one = 1;
	int fd = s->vm->fd;

	memset(buf, 0, 64);
	switch (fuzz_below(f, 5)) {
	case 0:
		msi_fill(f, (void *)buf);
		xioctl(f, fd, VMCTL_SIGNAL_MSI, (unsigned long)(fuzz_chance(f, 90) ?
			(void *)buf : arg_ptr(f, sizeof(struct vmctl_msi))));
		break;
	case 1:
		d->flags = fuzz_chance(f, 85) ? fuzz_below(f, 8) : fuzz_interesting(f);
		d->addr = d->flags & VMCTL_DOORBELL_PIO ?
			(fuzz_chance(f, 70) ? TEST_PORT : fuzz_interesting(f)) :
			(fuzz_chance(f, 70) ? MMIO_GPA + 8 * fuzz_below(f, 4) :
					      fuzz_pick(f, fuzz_edges));
		d->len = fuzz_chance(f, 80) ? 1U << fuzz_below(f, 4) :
					     fuzz_interesting(f);
		d->data = d->flags & VMCTL_DOORBELL_DATAMATCH ? fuzz_below(f, 4) :
			  fuzz_chance(f, 95) ? 0 : fuzz_interesting(f);
		d->fd = some_fd(s);
		d->padding = fuzz_chance(f, 95) ? 0 : fuzz_rand(f);
		xioctl(f, fd, VMCTL_DOORBELL, (unsigned long)(fuzz_chance(f, 90) ?
			(void *)d : arg_ptr(f, sizeof(*d))));
		break;
	case 2:
		q->flags = fuzz_chance(f, 85) ? fuzz_below(f, 8) : fuzz_interesting(f);
		q->fd = some_fd(s);
		q->resamplefd = q->flags & VMCTL_IRQFD_RESAMPLE ? some_fd(s) : 0;
		q->pin = q->flags & VMCTL_IRQFD_MSI ? 0 :
			 fuzz_chance(f, 85) ? fuzz_below(f, 26) : fuzz_interesting(f);
		if (q->flags & VMCTL_IRQFD_MSI)
			msi_fill(f, &q->msi);
		xioctl(f, fd, VMCTL_IRQFD, (unsigned long)(fuzz_chance(f, 90) ?
			(void *)q : arg_ptr(f, sizeof(*q))));
		break;
	case 3:		/* ring: the irqfd fires in the kernel */
		f->calls++;
		/* A full counter (EAGAIN) is fine. */
		one = write(s->efd[fuzz_below(f, 2)], &one, sizeof(one));
		break;
	default:	/* close one under its doorbells and irqfds */
		f->calls++;
		one = fuzz_below(f, 2);
		close(s->efd[one]);
		s->efd[one] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
}

static void vm_op(struct state *s)
{
	struct fuzz *f = s->f;
	struct vmctl_irq_line *line;
	unsigned long id;
	int fd = s->vm->fd;

	switch (fuzz_below(f, 11)) {
	case 9:
	case 10:
		irq_op(s);
		break;
	case 0:
	case 1:
		set_slot(s);
		break;
	case 2:
		id = fuzz_chance(f, 80) ? fuzz_below(f, VMCTL_MAX_MEM_SLOTS + 2) :
					  fuzz_interesting(f);
		if (!xioctl(f, fd, VMCTL_DELETE_MEM_SLOT, id) && id == 0)
			s->slot0_changed = true;
		break;
	case 3:
		add_vcpu(s, fuzz_chance(f, 80) ? fuzz_below(f, VMCTL_MAX_VCPUS + 2) :
						 fuzz_interesting(f));
		break;
	case 4:
		if (fuzz_chance(f, 50))
			xioctl(f, fd, VMCTL_GET_VM_INFO,
			       (unsigned long)arg_ptr(f, sizeof(struct vmctl_vm_info)));
		else
			xioctl(f, fd, VMCTL_GET_MEM_STATS,
			       (unsigned long)arg_ptr(f, sizeof(struct vmctl_mem_stats)));
		break;
	case 5:
		if (!xioctl(f, fd, VMCTL_CREATE_IRQCHIP, fuzz_interesting(f)))
			s->irqchip = true;
		break;
	case 6:
		line = arg_ptr(f, sizeof(*line));
		if (line == (void *)buf) {
			line->irq = fuzz_chance(f, 80) ? fuzz_below(f, 26) :
							 fuzz_interesting(f);
			line->level = fuzz_chance(f, 80) ? fuzz_below(f, 2) :
							   fuzz_interesting(f);
			line->flags = fuzz_chance(f, 80) ? 0 : fuzz_interesting(f);
		}
		xioctl(f, fd, VMCTL_IRQ_LINE, (unsigned long)line);
		break;
	case 7:
		if (s->extra_vm >= 0)
			random_ioctl(s, s->extra_vm);
		break;
	default:
		random_ioctl(s, fd);
	}
}

/* Absurd values in the fields that describe the last exit. */
static void scribble_run(struct fuzz *f, struct vmctl_run *run)
{
	uint8_t *data = (uint8_t *)run + PAGE;

	if (fuzz_chance(f, 70))
		fuzz_fill(f, data, fuzz_chance(f, 50) ? 64 : run_size - PAGE);
	if (fuzz_chance(f, 20)) {
		fuzz_fill(f, &run->io, sizeof(run->padding));
		return;
	}
	if (fuzz_chance(f, 50))
		run->exit_reason = fuzz_interesting(f);
	if (fuzz_chance(f, 30))
		run->flags = fuzz_interesting(f);
	if (fuzz_chance(f, 5))
		run->immediate_exit = fuzz_rand(f);
	switch (run->exit_reason) {
	case VMCTL_EXIT_IO:
	default:
		if (fuzz_chance(f, 50))
			run->io.direction = fuzz_interesting(f);
		if (fuzz_chance(f, 70))
			run->io.size = fuzz_interesting(f);
		if (fuzz_chance(f, 30))
			run->io.port = fuzz_interesting(f);
		if (fuzz_chance(f, 60))
			run->io.count = fuzz_interesting(f);
		if (fuzz_chance(f, 50))
			run->io.data_offset = fuzz_interesting(f);
		break;
	case VMCTL_EXIT_MMIO:
		if (fuzz_chance(f, 50))
			run->mmio.phys_addr = fuzz_interesting(f);
		if (fuzz_chance(f, 70))
			run->mmio.len = fuzz_interesting(f);
		if (fuzz_chance(f, 50))
			run->mmio.is_write = fuzz_rand(f);
		break;
	case VMCTL_EXIT_HYPERCALL:
		fuzz_fill(f, &run->hypercall, sizeof(run->hypercall));
		break;
	}
	if (fuzz_chance(f, 20))
		fuzz_fill(f, &run->rip, sizeof(run->rip) * 16);
}

/* One exit of RUN: counted; a VMX failure is the host's. */
static void judge_exit(struct state *s, long ret, struct vfd *v)
{
	struct vmctl_run *run = v->run;
	struct fuzz *f = s->f;

	if (ret) {
		if (errno != EINTR && errno != EBUSY && errno != EINVAL)
			f->run_errors++;
		if (errno == EINTR)
			f->exits[VMCTL_EXIT_INTR]++;
		return;
	}
	fuzz_count_exit(f, run);
	if (run->exit_reason == VMCTL_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror == VMCTL_INTERNAL_VMX_FAILURE)
		fuzz_fail(f, "RUN: VMX failure, VM-instruction error %llu",
			  (unsigned long long)run->internal.data[0]);
	if (run->exit_reason == VMCTL_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror == VMCTL_INTERNAL_EPT_MISCONFIG)
		fuzz_fail(f, "RUN: EPT misconfiguration at %#llx",
			  (unsigned long long)run->internal.data[0]);
	if (run->exit_reason == VMCTL_EXIT_FAIL_ENTRY && !v->state_fuzzed)
		fuzz_fail(f, "RUN: VM entry failed (reason %#llx) without fuzzed sregs",
			  (unsigned long long)run->fail_entry.hardware_reason);
}

/* The I/O guest in a valid state, then RUNs with the run page scribbled. */
static void run_op(struct state *s, struct vfd *v)
{
	struct fuzz *f = s->f;
	struct vcpu vcpu = { .vm = s->vm, .fd = v->fd, .id = v->id, .run = v->run };
	int i, n = 1 + fuzz_below(f, 24);
	long ret;

	if (fuzz_chance(f, 50) && !s->slot0_changed) {
		if (!fuzz_load_guest(&vcpu, &io_loop_guest, false))
			v->state_fuzzed = false;
		f->calls += 3;
	}
	f->guests++;
	for (i = 0; i < n; i++) {
		char str[160];

		ret = xioctl(f, v->fd, VMCTL_RUN, 0);
		if (v->run)
			fuzz_log(f, "  exit: %s", exit_str(v->run, str, sizeof(str)));
		judge_exit(s, ret, v);
		if (v->run && fuzz_chance(f, 90)) {
			scribble_run(f, v->run);
			fuzz_log(f, "  run page now: %s, immediate_exit %u",
				 exit_str(v->run, str, sizeof(str)),
				 v->run->immediate_exit);
		}
	}
}

static void regs_op(struct state *s, struct vfd *v)
{
	struct fuzz *f = s->f;
	struct vmctl_sregs *sregs = (void *)buf;
	struct vmctl_regs *regs = (void *)buf;
	uint8_t *p;

	if (fuzz_chance(f, 50)) {
		if (xioctl(f, v->fd, VMCTL_GET_REGS, (unsigned long)regs))
			fuzz_fill(f, regs, sizeof(*regs));
		p = (uint8_t *)regs + 8 * fuzz_below(f, sizeof(*regs) / 8);
		*(uint64_t *)p = fuzz_interesting(f);
		fuzz_log(f, "regs: offset %d = %#llx", (int)(p - (uint8_t *)regs),
			 (unsigned long long)*(uint64_t *)p);
		if (!xioctl(f, v->fd, VMCTL_SET_REGS, (unsigned long)(fuzz_chance(f, 90) ?
			    (void *)regs : arg_ptr(f, sizeof(*regs)))))
			v->state_fuzzed = true;
		return;
	}
	if (xioctl(f, v->fd, VMCTL_GET_SREGS, (unsigned long)sregs))
		fuzz_fill(f, sregs, sizeof(*sregs));
	/* A few fields, or a few bytes anywhere. */
	if (fuzz_chance(f, 50)) {
		switch (fuzz_below(f, 6)) {
		case 0:
			sregs->cr0 ^= 1ULL << fuzz_below(f, 64);
			break;
		case 1:
			sregs->cr4 ^= 1ULL << fuzz_below(f, 64);
			break;
		case 2:
			sregs->efer ^= 1ULL << fuzz_below(f, 64);
			break;
		case 3:
			sregs->cr3 = fuzz_interesting(f);
			break;
		case 4:
			sregs->apic_base = fuzz_interesting(f);
			break;
		default:
			sregs->cr8 = fuzz_interesting(f);
		}
	} else {
		p = (uint8_t *)sregs + fuzz_below(f, sizeof(*sregs));
		*p = fuzz_rand(f);
		fuzz_log(f, "sregs: byte %d = %#x", (int)(p - (uint8_t *)sregs), *p);
	}
	fuzz_log(f, "sregs: cr0 %#llx cr4 %#llx efer %#llx cs.l %u db %u type %u",
		 (unsigned long long)sregs->cr0, (unsigned long long)sregs->cr4,
		 (unsigned long long)sregs->efer, sregs->cs.l, sregs->cs.db,
		 sregs->cs.type);
	if (!xioctl(f, v->fd, VMCTL_SET_SREGS, (unsigned long)(fuzz_chance(f, 90) ?
		    (void *)sregs : arg_ptr(f, sizeof(*sregs)))))
		v->state_fuzzed = true;
}

static void msrs_op(struct state *s, struct vfd *v)
{
	struct fuzz *f = s->f;
	struct vmctl_msrs *m = (void *)buf;
	unsigned int i, n = fuzz_below(f, VMCTL_MAX_MSR_ENTRIES + 1);

	m->nmsrs = fuzz_chance(f, 90) ? n : fuzz_interesting(f);
	m->flags = fuzz_chance(f, 90) ? 0 : fuzz_interesting(f);
	for (i = 0; i < n; i++) {
		m->entries[i].index = fuzz_chance(f, 85) ? fuzz_pick(f, fuzz_msrs) :
							   fuzz_rand(f);
		m->entries[i].reserved = fuzz_chance(f, 95) ? 0 : fuzz_rand(f);
		m->entries[i].data = fuzz_interesting(f);
	}
	if (fuzz_chance(f, 10))	/* the array runs into an unmapped page */
		m = (void *)(rw_page + PAGE - sizeof(*m) - 16 * fuzz_below(f, 3));
	xioctl(f, v->fd, fuzz_chance(f, 50) ? VMCTL_SET_MSRS : VMCTL_GET_MSRS,
	       (unsigned long)m);
}

static void cpuid_op(struct state *s, struct vfd *v)
{
	struct fuzz *f = s->f;
	struct vmctl_cpuid *c = (void *)buf;
	unsigned int i, n = fuzz_below(f, VMCTL_MAX_CPUID_ENTRIES + 2);

	if (fuzz_chance(f, 50)) {
		c->nent = fuzz_chance(f, 80) ? n : fuzz_interesting(f);
		c->flags = 0;
		xioctl(f, v->fd, VMCTL_GET_CPUID, (unsigned long)c);
		return;
	}
	fuzz_fill(f, c, sizeof(*c) + n * sizeof(c->entries[0]));
	c->nent = fuzz_chance(f, 90) ? n : fuzz_interesting(f);
	c->flags = fuzz_chance(f, 90) ? 0 : fuzz_interesting(f);
	for (i = 0; i < n; i++) {
		if (fuzz_chance(f, 80))
			c->entries[i].function = fuzz_chance(f, 50) ?
				fuzz_below(f, 0x20) : 0x80000000 + fuzz_below(f, 9);
		if (fuzz_chance(f, 80))
			c->entries[i].flags &= 1;
		if (fuzz_chance(f, 80))
			c->entries[i].padding = 0;
	}
	xioctl(f, v->fd, VMCTL_SET_CPUID, (unsigned long)c);
}

static void exception_op(struct state *s, struct vfd *v)
{
	struct fuzz *f = s->f;
	struct vmctl_exception *e = (void *)buf;

	memset(e, 0, sizeof(*e));
	e->vector = fuzz_chance(f, 90) ? fuzz_below(f, 34) : fuzz_rand(f);
	e->has_error_code = fuzz_chance(f, 90) ? fuzz_below(f, 2) : fuzz_rand(f);
	e->error_code = fuzz_chance(f, 80) ? fuzz_below(f, 0x10000) :
					     fuzz_interesting(f);
	if (fuzz_chance(f, 5))
		e->padding = fuzz_rand(f);
	if (fuzz_chance(f, 5))
		e->flags = fuzz_interesting(f);
	fuzz_log(f, "exception: vector %u has_error_code %u error_code %#x padding %#x flags %#llx",
		 e->vector, e->has_error_code, e->error_code, e->padding,
		 (unsigned long long)e->flags);
	xioctl(f, v->fd, VMCTL_INJECT_EXCEPTION, (unsigned long)(fuzz_chance(f, 90) ?
		(void *)e : arg_ptr(f, sizeof(*e))));
}

/*
 * The save/restore state: read, a few bytes or one field changed (often
 * nothing), written back; or either half alone with a bad pointer.  What
 * a SET takes must not make the next entry fail (the vCPU's state is not
 * marked fuzzed).
 */
static void state_op(struct state *s, struct vfd *v)
{
	static const struct state_ioctls {
		unsigned long get, set;
		size_t size;
	} all[] = {
		{ VMCTL_GET_XSAVE, VMCTL_SET_XSAVE, sizeof(struct vmctl_xsave) },
		{ VMCTL_GET_XCRS, VMCTL_SET_XCRS, sizeof(struct vmctl_xcrs) },
		{ VMCTL_GET_DEBUGREGS, VMCTL_SET_DEBUGREGS,
		  sizeof(struct vmctl_debugregs) },
		{ VMCTL_GET_VCPU_EVENTS, VMCTL_SET_VCPU_EVENTS,
		  sizeof(struct vmctl_vcpu_events) },
		{ VMCTL_GET_MP_STATE, VMCTL_SET_MP_STATE,
		  sizeof(struct vmctl_mpstate) },
		{ VMCTL_GET_LAPIC, VMCTL_SET_LAPIC,
		  sizeof(struct vmctl_lapic_state) },
	};
	struct fuzz *f = s->f;
	struct state_ioctls st = fuzz_pick(f, all);
	uint64_t val;
	unsigned int n;
	size_t at;

	if (fuzz_chance(f, 10)) {
		xioctl(f, v->fd, fuzz_chance(f, 50) ? st.get : st.set,
		       (unsigned long)arg_ptr(f, st.size));
		return;
	}
	memset(buf, 0, st.size);
	xioctl(f, v->fd, st.get, (unsigned long)buf);
	for (n = fuzz_below(f, 4); n; n--) {
		at = fuzz_below(f, st.size);
		if (fuzz_chance(f, 50)) {
			buf[at] ^= 1U << fuzz_below(f, 8);
		} else {
			val = fuzz_interesting(f);
			at &= ~7UL;	/* every struct is a multiple of 8 */
			memcpy(buf + at, &val, sizeof(val));
		}
	}
	xioctl(f, v->fd, st.set, (unsigned long)buf);
}

/* mmap of any fd at any offset, size and protection; unmapped again. */
static void mmap_op(struct state *s, int fd)
{
	struct fuzz *f = s->f;
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC, PROT_WRITE,
				     PROT_NONE };
	size_t size = fuzz_chance(f, 50) ? run_size :
		      (fuzz_below(f, 6) + 1) * PAGE;
	off_t off = fuzz_chance(f, 60) ? 0 : (off_t)fuzz_below(f, 4) * PAGE;
	void *p;

	f->calls++;
	p = mmap(NULL, size, fuzz_pick(f, prots),
		 fuzz_chance(f, 80) ? MAP_SHARED : MAP_PRIVATE, fd, off);
	if (p != MAP_FAILED)
		munmap(p, size);
}

static void vcpu_op(struct state *s)
{
	struct fuzz *f = s->f;
	struct vfd *v;

	if (!s->nr_vcpus) {
		add_vcpu(s, 0);
		return;
	}
	v = &s->vcpus[fuzz_below(f, s->nr_vcpus)];
	switch (fuzz_below(f, 11)) {
	case 0:
	case 1:
		run_op(s, v);
		break;
	case 10:
		state_op(s, v);
		break;
	case 2:
		regs_op(s, v);
		break;
	case 3:
		msrs_op(s, v);
		break;
	case 4:
		cpuid_op(s, v);
		break;
	case 5:
		exception_op(s, v);
		break;
	case 6:
		xioctl(f, v->fd, VMCTL_GET_VCPU_STATS,
		       (unsigned long)arg_ptr(f, sizeof(struct vmctl_vcpu_stats)));
		break;
	case 7:
		mmap_op(s, v->fd);
		break;
	default:
		random_ioctl(s, v->fd);
	}
}

/* Nothing the calls did may leave vCPU 0 unable to run (fuzz.h). */
static void check_restart(struct state *s)
{
	struct vfd *v = &s->vcpus[0];
	struct vcpu vcpu = { .vm = s->vm, .fd = v->fd, .id = v->id, .run = v->run };

	if (!s->nr_vcpus || v->id != 0 || !v->run || s->slot0_changed)
		return;
	fuzz_check_restart(s->f, &vcpu, s->irqchip);
}

static void iteration(struct fuzz *f)
{
	struct state s = { .f = f, .extra_vm = -1 };
	int i;

	s.efd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s.efd[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s.vm = vm_create("");
	f->calls += 3;
	fuzz_timer(true);
	if (fuzz_chance(f, 30) &&
	    !xioctl(f, s.vm->fd, VMCTL_CREATE_IRQCHIP, 0))
		s.irqchip = true;
	add_vcpu(&s, 0);
	for (i = 0; i < OPS; i++) {
		switch (fuzz_below(f, 10)) {
		case 0:
			sys_op(&s);
			break;
		case 1:
		case 2:
			vm_op(&s);
			break;
		case 3:
			mmap_op(&s, fuzz_chance(f, 50) ? s.vm->fd : s.vm->sys_fd);
			break;
		default:
			vcpu_op(&s);
		}
	}
	check_restart(&s);
	fuzz_timer(false);
	for (i = 0; i < s.nr_vcpus; i++) {
		fuzz_count_vcpu(f, s.vcpus[i].fd);
		if (s.vcpus[i].run)
			munmap(s.vcpus[i].run, run_size);
		close(s.vcpus[i].fd);
	}
	if (s.extra_vm >= 0)
		close(s.extra_vm);
	vm_destroy(s.vm);
	close(s.efd[0]);
	close(s.efd[1]);
	fuzz_check_baseline(f, 1000);
}

int main(int argc, char **argv)
{
	struct fuzz f;
	uint8_t *pages;

	fuzz_init(&f, "fuzz_ioctl", argc, argv);
	run_size = ioctl(f.sys_fd, VMCTL_GET_RUN_SIZE, 0);
	buf = malloc(BUF_SIZE);
	pages = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	slot_mem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!buf || pages == MAP_FAILED || slot_mem == MAP_FAILED) {
		printf("Bail out! out of memory\n");
		return 1;
	}
	rw_page = pages;
	none_page = pages + PAGE;
	ro_page = pages + 2 * PAGE;
	mprotect(none_page, PAGE, PROT_NONE);
	mprotect(ro_page, PAGE, PROT_READ);

	while (fuzz_next(&f))
		iteration(&f);
	return fuzz_finish(&f);
}
