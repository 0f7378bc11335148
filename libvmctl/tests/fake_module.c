// SPDX-License-Identifier: LGPL-2.1-or-later
/* A fake vmctl module: see fake_module.h. */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <pthread.h>
#include <unistd.h>

#include <vmctl/libvmctl.h>

#include "fake_module.h"
#include "ioctl_shim.h"
#include "tmp_file.h"

#define RUN_SIZE	4096

struct fake_vcpu fv[MAX_FAKE_VCPUS];
unsigned int nr_fake_vcpus;
const struct step *scripts[MAX_FAKE_VCPUS];
unsigned int script_len[MAX_FAKE_VCPUS];

static int sys_fd = -1, vm_fd = -1;
static char vm_name[VMCTL_NAME_LEN];

static int tmpfile_fd(size_t size)
{
	char path[] = "/tmp/test_run_XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0) {
		unlink(path);
		if (ftruncate(fd, size) < 0) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static char dev_path[] = "/tmp/test_dev_XXXXXX";

int fake_device_setup(void **state)
{
	(void)state;
	if (tmp_file_make(dev_path))
		return -1;
	setenv("VMCTL_DEVICE", dev_path, 1);
	return 0;
}

int fake_device_teardown(void **state)
{
	(void)state;
	unlink(dev_path);
	return 0;
}

static struct fake_vcpu *vcpu_of(int fd)
{
	unsigned int i;

	for (i = 0; i < nr_fake_vcpus; i++)
		if (fv[i].fd == fd)
			return &fv[i];
	return NULL;
}

/* Collect what the last exit asked of userspace, then play the next. */
static int fake_run_locked(struct fake_vcpu *v);

/* The kick signal stays blocked from the immediate_exit check to entry. */
static int fake_run(struct fake_vcpu *v)
{
	sigset_t kick;
	int ret;

	__atomic_add_fetch(&v->runs, 1, __ATOMIC_SEQ_CST);
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &kick, &v->entry_mask);
	ret = fake_run_locked(v);
	pthread_sigmask(SIG_SETMASK, &v->entry_mask, NULL);
	return ret;
}

static int fake_run_locked(struct fake_vcpu *v)
{
	struct vmctl_run *run = v->run;
	const struct step *s;

	if (run->exit_reason == VMCTL_EXIT_IO && run->io.direction == VMCTL_IO_IN)
		v->last_in = ((uint8_t *)run)[run->io.data_offset];
	if (run->exit_reason == VMCTL_EXIT_HYPERCALL)
		v->last_hc_ret = run->hypercall.ret;
	if (run->exit_reason == VMCTL_EXIT_MMIO)
		memcpy(&v->last_in, run->mmio.data, 8);
	if (__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST)) {
		run->exit_reason = VMCTL_EXIT_INTR;
		errno = EINTR;
		return -1;
	}
	if (v->pc == v->nsteps) {	/* with the irqchip: for good */
		run->exit_reason = VMCTL_EXIT_HLT;
		run->rflags = 0x2;
		run->hlt.vm_stopped = 1;
		return 0;
	}
	s = &v->script[v->pc++];
	memset(&run->io, 0, sizeof(run->io));
	run->rip = 0x7c00 + v->pc;
	run->rflags = 0x2;
	switch (s->kind) {
	case S_OUT:
	case S_IN:
		run->exit_reason = VMCTL_EXIT_IO;
		run->io.direction = s->kind == S_OUT ? VMCTL_IO_OUT : VMCTL_IO_IN;
		run->io.size = 1;
		run->io.port = s->port;
		run->io.count = 1;
		run->io.data_offset = 512;
		((uint8_t *)run)[512] = s->value;
		break;
	case S_MMIO_RD:
		run->exit_reason = VMCTL_EXIT_MMIO;
		run->mmio.phys_addr = s->value;
		run->mmio.len = 4;
		break;
	case S_HC:
		run->exit_reason = VMCTL_EXIT_HYPERCALL;
		run->hypercall.nr = s->value;
		break;
	case S_HLT:
		run->exit_reason = VMCTL_EXIT_HLT;
		run->rflags = 0x2 | s->value;
		run->hlt.vm_stopped = s->port;
		break;
	case S_EXIT:
		run->exit_reason = s->value;
		if (s->value == VMCTL_EXIT_FAIL_ENTRY)
			run->fail_entry.hardware_reason = 0x80000021;
		if (s->value == VMCTL_EXIT_INTERNAL_ERROR) {
			run->internal.suberror = VMCTL_INTERNAL_EMULATION;
			run->internal.ndata = 1;
			run->internal.data[0] = 0x1234;
		}
		break;
	case S_BLOCK:
		/*
		 * In the guest until a signal, like a spinning vCPU.  As in
		 * the kernel, a signal that came before entry counts too.
		 */
		v->pc--;
		sigsuspend(&v->entry_mask);
		run->exit_reason = VMCTL_EXIT_INTR;
		errno = EINTR;
		return -1;
	}
	return 0;
}

bool fake_irqchip_cap;
bool fake_pic_pit_created;
bool fake_irqchip_created;
unsigned int fake_irq_pin;
int fake_irq_level = -1;
unsigned int fake_irq_calls;
struct vmctl_mem_slot fake_last_slot;
unsigned int fake_slot_calls;
struct vmctl_dirty_log fake_last_log;
unsigned long fake_last_log_cmd;

/* VMCTL_IRQ_LINE comes from any thread: publish with atomics. */
static int fake_irq_line(const struct vmctl_irq_line *line)
{
	if (!fake_irqchip_created) {
		errno = ENXIO;
		return -1;
	}
	__atomic_store_n(&fake_irq_pin, line->irq, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fake_irq_level, line->level, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&fake_irq_calls, 1, __ATOMIC_SEQ_CST);
	return 0;
}

unsigned int fake_doorbells;
unsigned int fake_msis;
unsigned int fake_tun_refused;
unsigned int fake_tun_offloads;

/* The doorbells in place, as the module would hold them. */
static struct vmctl_doorbell bells[MAX_FAKE_DOORBELLS];
static pthread_mutex_t bells_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * VMCTL_DOORBELL: kept and counted, as assigned minus removed; removing
 * one that is not there (another address, length or eventfd) is ENOENT,
 * as in the module.
 */
static int fake_doorbell(const struct vmctl_doorbell *d)
{
	bool deassign = d->flags & VMCTL_DOORBELL_DEASSIGN;
	int i, ret = -1;

	pthread_mutex_lock(&bells_lock);
	for (i = 0; i < MAX_FAKE_DOORBELLS; i++) {
		struct vmctl_doorbell *b = &bells[i];

		if (deassign ? b->len && b->addr == d->addr &&
			       b->len == d->len && b->fd == d->fd : !b->len)
			break;
	}
	if (i == MAX_FAKE_DOORBELLS) {
		errno = deassign ? ENOENT : ENOSPC;
	} else {
		bells[i] = deassign ? (struct vmctl_doorbell){ 0 } : *d;
		__atomic_add_fetch(&fake_doorbells, deassign ? -1 : 1,
				   __ATOMIC_SEQ_CST);
		ret = 0;
	}
	pthread_mutex_unlock(&bells_lock);
	return ret;
}

int fake_doorbell_fd(uint64_t addr)
{
	int i, fd = -1;

	pthread_mutex_lock(&bells_lock);
	for (i = 0; i < MAX_FAKE_DOORBELLS; i++)
		if (bells[i].len && bells[i].addr == addr)
			fd = bells[i].fd;
	pthread_mutex_unlock(&bells_lock);
	return fd;
}

bool fake_state;

/* The vCPU state ioctls with fake_state: 1 handled, 0 not (ENOTTY). */
static int fake_vcpu_state(unsigned long req, void *arg, int *ret)
{
	static const uint32_t msrs[] = { 0x10, 0x1b };
	struct vmctl_msr_list *l = arg;
	struct vmctl_cpuid *c = arg;
	struct vmctl_msrs *m = arg;

	*ret = 0;
	switch (req) {
	case VMCTL_GET_LAPIC:
	case VMCTL_SET_LAPIC:
		if (fake_irqchip_created)
			break;
		errno = ENXIO;
		*ret = -1;
		return 1;
	case VMCTL_GET_MSR_INDEX_LIST:
		if (l->nmsrs < 2) {
			errno = E2BIG;
			*ret = -1;
			return 1;
		}
		l->nmsrs = 2;
		memcpy(l->indices, msrs, sizeof(msrs));
		return 1;
	case VMCTL_GET_MSRS:
		memset(m->entries, 0, m->nmsrs * sizeof(m->entries[0]));
		*ret = m->nmsrs;
		return 1;
	case VMCTL_SET_MSRS:
		*ret = m->nmsrs;
		return 1;
	case VMCTL_GET_CPUID:
		/* Leaf 1 with SSE3 and FPU: a snapshot can ask for more. */
		c->nent = 1;
		c->entries[0] = (struct vmctl_cpuid_entry){ .function = 1,
							    .ecx = 1, .edx = 1 };
		return 1;
	case VMCTL_SET_CPUID:
		return 1;
	}
	switch (req) {
	case VMCTL_GET_XSAVE:
	case VMCTL_GET_XCRS:
	case VMCTL_GET_DEBUGREGS:
	case VMCTL_GET_VCPU_EVENTS:
	case VMCTL_GET_MP_STATE:
	case VMCTL_GET_LAPIC:
		memset(arg, 0, _IOC_SIZE(req));
		return 1;
	case VMCTL_SET_XSAVE:
	case VMCTL_SET_XCRS:
	case VMCTL_SET_DEBUGREGS:
	case VMCTL_SET_VCPU_EVENTS:
	case VMCTL_SET_MP_STATE:
	case VMCTL_SET_LAPIC:
		return 1;
	}
	return 0;
}

int fake_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	struct fake_vcpu *v;

	/* vmctl_open() asks this first: that fd is the device. */
	if (req == VMCTL_GET_API_VERSION) {
		sys_fd = fd;
		return VMCTL_API_VERSION;
	}
	if (fd == sys_fd) {
		switch (req) {
		case VMCTL_CREATE_VM:
			memcpy(vm_name, ((struct vmctl_vm_config *)arg)->name,
			       sizeof(vm_name));
			vm_fd = tmpfile_fd(0);
			fake_irqchip_created = false;
			fake_pic_pit_created = false;
			fake_irq_level = -1;
			fake_irq_calls = 0;
			return vm_fd;
		case VMCTL_GET_RUN_SIZE:
			return RUN_SIZE;
		case VMCTL_CHECK_CAP:
			return ((uintptr_t)arg == VMCTL_CAP_IRQCHIP ||
				(uintptr_t)arg == VMCTL_CAP_PIC_PIT) &&
			       fake_irqchip_cap;
		}
	} else if (fd == vm_fd) {
		switch (req) {
		case VMCTL_SET_MEM_SLOT:
			memcpy(&fake_last_slot, arg, sizeof(fake_last_slot));
			fake_slot_calls++;
			return 0;
		case VMCTL_GET_DIRTY_LOG:
		case VMCTL_CLEAR_DIRTY_LOG:
			fake_last_log_cmd = req;
			memcpy(&fake_last_log, arg, sizeof(fake_last_log));
			return 0;
		case VMCTL_CREATE_IRQCHIP:
			if (!fake_irqchip_cap || fake_irqchip_created ||
			    nr_fake_vcpus) {
				errno = !fake_irqchip_cap ? ENOTTY :
					fake_irqchip_created ? EEXIST : EBUSY;
				return -1;
			}
			fake_irqchip_created = true;
			return 0;
		case VMCTL_CREATE_PIC_PIT:
			fake_pic_pit_created = fake_irqchip_created;
			errno = ENXIO;
			return fake_pic_pit_created ? 0 : -1;
		case VMCTL_IRQ_LINE:
			return fake_irq_line(arg);
		case VMCTL_DOORBELL:
			return fake_doorbell(arg);
		case VMCTL_SIGNAL_MSI:
			__atomic_add_fetch(&fake_msis, 1, __ATOMIC_SEQ_CST);
			return 0;
		case VMCTL_GET_VM_INFO:
			memcpy(((struct vmctl_vm_info *)arg)->name, vm_name,
			       sizeof(vm_name));
			return 0;
		case VMCTL_GET_CLOCK:
		case VMCTL_GET_IOAPIC:
		case VMCTL_GET_PIC_PIT:
			if (!fake_state)
				break;
			memset(arg, 0, _IOC_SIZE(req));
			return 0;
		case VMCTL_SET_CLOCK:
		case VMCTL_SET_IOAPIC:
		case VMCTL_SET_PIC_PIT:
			if (!fake_state)
				break;
			return 0;
		case VMCTL_CREATE_VCPU:
			if (nr_fake_vcpus == MAX_FAKE_VCPUS) {
				errno = ENOSPC;
				return -1;
			}
			v = &fv[nr_fake_vcpus];
			memset(v, 0, sizeof(*v));
			v->fd = tmpfile_fd(RUN_SIZE);
			v->run = mmap(NULL, RUN_SIZE, PROT_READ | PROT_WRITE,
				      MAP_SHARED, v->fd, 0);
			v->script = scripts[nr_fake_vcpus];
			v->nsteps = script_len[nr_fake_vcpus];
			nr_fake_vcpus++;
			return v->fd;
		}
	} else if ((v = vcpu_of(fd))) {
		switch (req) {
		case VMCTL_RUN:
			return fake_run(v);
		case VMCTL_GET_SREGS:
			memcpy(arg, &v->sregs, sizeof(v->sregs));
			return 0;
		case VMCTL_SET_SREGS:
			memcpy(&v->sregs, arg, sizeof(v->sregs));
			v->sregs_set = true;
			return 0;
		case VMCTL_GET_REGS:
			memcpy(arg, &v->regs, sizeof(v->regs));
			return 0;
		case VMCTL_SET_REGS:
			memcpy(&v->regs, arg, sizeof(v->regs));
			return 0;
		}
		if (fake_state && fake_vcpu_state(req, arg, &ret))
			return ret;
	} else if (req == TUNSETOFFLOAD) {
		if ((uintptr_t)arg & __atomic_load_n(&fake_tun_refused,
						     __ATOMIC_SEQ_CST)) {
			errno = EINVAL;
			return -1;
		}
		if (real_ioctl(fd, req, arg))
			return -1;
		__atomic_store_n(&fake_tun_offloads, (uintptr_t)arg,
				 __ATOMIC_SEQ_CST);
		return 0;
	}
	return real_ioctl(fd, req, arg);
}

/*
 * Under LD_PRELOAD, FAKE_VMCTL_SCRIPT picks vCPU 0's guest: "spin" prints
 * "hi" and runs until stopped, "poweroff" prints "hi" and powers off,
 * "shutdown" triple-faults.
 */
__attribute__((constructor)) static void script_from_env(void)
{
	static const struct step spin[] = {
		{ S_OUT, 0x3f8, 'h' }, { S_OUT, 0x3f8, 'i' }, { S_BLOCK, 0, 0 },
	};
	static const struct step poweroff[] = {
		{ S_OUT, 0x3f8, 'h' }, { S_OUT, 0x3f8, 'i' },
		{ S_HC, 0, VMCTL_HC_POWEROFF },
	};
	static const struct step shutdown[] = {
		{ S_EXIT, 0, VMCTL_EXIT_SHUTDOWN },
	};
	const char *name = getenv("FAKE_VMCTL_SCRIPT");

	if (!name)
		return;
	if (!strcmp(name, "spin")) {
		scripts[0] = spin;
		script_len[0] = 3;
	} else if (!strcmp(name, "poweroff")) {
		scripts[0] = poweroff;
		script_len[0] = 3;
	} else if (!strcmp(name, "shutdown")) {
		scripts[0] = shutdown;
		script_len[0] = 1;
	}
}
