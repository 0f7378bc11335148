// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt eventfds (VMCTL_IRQFD): a write from another thread wakes a
 * halted guest through an MSI or an I/O APIC pin with no exit to user
 * space; a level pin resampled on EOI; a doorbell whose eventfd is an
 * irqfd (a guest write interrupts the guest without leaving the kernel);
 * every error the header names, with the module's accounting back to its
 * baseline; the eventfd or the VM closed while registered; and threads
 * assigning, writing and closing irqfds while the vCPU takes their
 * interrupts, the VM closed under a writer.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "assert_errno.h"
#include "die.h"
#include "irqchip.h"
#include "kick.h"
#include "stats.h"
#include "ucall.h"

#define VEC_MSI		0x50
#define VEC_EDGE	0x52
#define VEC_LEVEL	0x53
#define PIN_EDGE	4
#define PIN_LEVEL	5
#define PORT		0x710
#define COUNT0		"0x80000"
#define COUNT0_GPA	0x80000
#define MSI_TO_0(vec)	{ .address = 0xfee00000, .data = (vec) }

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	die_unless(fd >= 0, "eventfd");
	return fd;
}

static void efd_write(int fd)
{
	uint64_t one = 1;

	die_unless(write(fd, &one, sizeof(one)) == sizeof(one), "eventfd write");
}

/* Wait up to @ms for a signal on @fd and take its count (0: none). */
static uint64_t efd_wait(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) != 1 || read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int irqfd_msi(struct vm *vm, int fd, uint32_t vector)
{
	struct vmctl_irqfd a = {
		.fd = fd, .flags = VMCTL_IRQFD_MSI, .msi = MSI_TO_0(vector),
	};

	return ioctl(vm->fd, VMCTL_IRQFD, &a);
}

static int irqfd_pin(struct vm *vm, int fd, uint32_t pin, int resamplefd)
{
	struct vmctl_irqfd a = { .fd = fd, .pin = pin };

	if (resamplefd >= 0) {
		a.flags = VMCTL_IRQFD_RESAMPLE;
		a.resamplefd = resamplefd;
	}
	return ioctl(vm->fd, VMCTL_IRQFD, &a);
}

static int irqfd_deassign(struct vm *vm, int fd)
{
	struct vmctl_irqfd a = { .fd = fd, .flags = VMCTL_IRQFD_DEASSIGN };

	return ioctl(vm->fd, VMCTL_IRQFD, &a);
}

static bool irqfd_available(void)
{
	int fd = vmctl_open();
	long ret = ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_IRQFD);

	close(fd);
	return ret > 0 && irqchip_available();
}

static volatile uint32_t *guest_count(struct vm *vm)
{
	return gpa_to_hva(vm, COUNT0_GPA);
}

/* Wait up to 10 s for the guest's count to reach @n. */
static bool count_reaches(struct vm *vm, uint32_t n)
{
	int i;

	for (i = 0; i < 1000 && *guest_count(vm) < n; i++)
		usleep(10000);
	return *guest_count(vm) >= n;
}

FIXTURE(irqfd) {
	struct vm *vm;
	struct vcpu *vcpu;
	int efd;
	struct vmctl_module_stats base;
};

FIXTURE_SETUP(irqfd)
{
	int fd;

	self->vm = NULL;
	if (!irqfd_available())
		SKIP(return, "VMCTL_CAP_IRQFD: 0");
	fd = vmctl_open();
	module_stats(fd, &self->base);
	close(fd);
	self->vm = irqchip_vm_create();
	self->vcpu = vcpu_add(self->vm, 0);
	self->efd = new_eventfd();
}

FIXTURE_TEARDOWN(irqfd)
{
	int fd;

	if (!self->vm)
		return;
	if (self->vcpu)
		vcpu_destroy(self->vcpu);
	vm_destroy(self->vm);
	if (self->efd >= 0)
		close(self->efd);
	fd = vmctl_open();
	EXPECT_STATS_BASELINE(fd, &self->base);
	close(fd);
}

struct writer {
	struct vm *vm;
	int fd, resamplefd;
	uint32_t times;
	uint64_t resampled;	/* resamplefd counts seen */
	uint32_t count_at_resample;
};

/*
 * Write the eventfd @times, each time once the guest counted the
 * interrupt before (and, resampling, once its EOI came back).
 */
static void *write_irqfd(void *arg)
{
	struct writer *w = arg;
	uint32_t i;

	usleep(50000);		/* let the vCPU fall asleep first */
	for (i = 0; i < w->times; i++) {
		if (!count_reaches(w->vm, i))
			break;
		efd_write(w->fd);
		if (w->resamplefd >= 0) {
			w->resampled += efd_wait(w->resamplefd, 10000);
			w->count_at_resample = *guest_count(w->vm);
		}
	}
	return NULL;
}

GUEST64(msi_wake_guest,
	XAPIC_ENABLE
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_XAPIC("msi_wake_isr", COUNT0));
GUEST_LABEL(msi_wake_isr);

TEST_F(irqfd, msi_from_another_thread_wakes_halted_guest)
{
	struct writer w = { .vm = self->vm, .fd = self->efd, .times = 1,
			    .resamplefd = -1 };
	struct vmctl_vcpu_stats st;
	struct ucall uc;
	pthread_t t;

	vcpu_load_guest_isr(self->vcpu, &msi_wake_guest, VEC_MSI, msi_wake_isr);
	ASSERT_EQ(0, irqfd_msi(self->vm, self->efd, VEC_MSI));
	ASSERT_EQ(0, pthread_create(&t, NULL, write_irqfd, &w));
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	pthread_join(t, NULL);
	EXPECT_EQ(1, uc.args[0]);
	vcpu_get_stats(self->vcpu, &st);
	EXPECT_LE(1, st.hw_exits[VMCTL_HW_EXIT_HLT]);
}

GUEST64(edge_guest,
	XAPIC_ENABLE
	IOAPIC_W(0x18, 0x52)			/* pin 4: VEC_EDGE, edge */
	IOAPIC_W(0x19, 0)
	G_UCALL(UCALL_SYNC)
	WAIT_COUNT(COUNT0, 2)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_XAPIC("edge_isr", COUNT0));
GUEST_LABEL(edge_isr);

TEST_F(irqfd, pin_pulsed_once_per_write)
{
	struct writer w = { .vm = self->vm, .fd = self->efd, .times = 2,
			    .resamplefd = -1 };
	struct ucall uc;
	pthread_t t;

	vcpu_load_guest_isr(self->vcpu, &edge_guest, VEC_EDGE, edge_isr);
	ASSERT_EQ(0, irqfd_pin(self->vm, self->efd, PIN_EDGE, -1));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	ASSERT_EQ(0, pthread_create(&t, NULL, write_irqfd, &w));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	pthread_join(t, NULL);
	EXPECT_EQ(2, uc.args[0]);
}

/* Pin 5 level; the handler reads remote IRR before its EOI. */
GUEST64(level_guest,
	XAPIC_ENABLE
	IOAPIC_W(0x1a, 0x8053)			/* pin 5: VEC_LEVEL, level */
	IOAPIC_W(0x1b, 0)
	G_UCALL(UCALL_SYNC)
	WAIT_COUNT(COUNT0, 2)
	"mov " COUNT0 ", %edi\n\t"
	"mov $" __stringify(IOAPIC_REGSEL) ", %ebx\n\t"
	"movl $0x1a, (%rbx)\n\t"
	"mov 0x10(%rbx), %esi\n\t"		/* remote IRR now: clear */
	GUEST_END
	ISR_XAPIC("level_isr", COUNT0));
GUEST_LABEL(level_isr);

TEST_F(irqfd, level_pin_resampled_on_eoi)
{
	int rfd = new_eventfd();
	struct writer w = { .vm = self->vm, .fd = self->efd, .times = 2,
			    .resamplefd = rfd };
	struct ucall uc;
	pthread_t t;

	vcpu_load_guest_isr(self->vcpu, &level_guest, VEC_LEVEL, level_isr);
	ASSERT_EQ(0, irqfd_pin(self->vm, self->efd, PIN_LEVEL, rfd));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	ASSERT_EQ(0, pthread_create(&t, NULL, write_irqfd, &w));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	pthread_join(t, NULL);
	/* One interrupt per write: the EOI lowered the line each time. */
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(2, w.resampled);
	EXPECT_EQ(2, w.count_at_resample);
	EXPECT_FALSE(uc.args[1] & (1U << 14)) TH_LOG("remote IRR");
	/* A resampling irqfd's own teardown: its EOI notifier goes. */
	ASSERT_EQ(0, irqfd_deassign(self->vm, self->efd));
	close(rfd);
}

/* The data path: a doorbell's eventfd is an irqfd of the same VM. */
GUEST64(chain_guest,
	XAPIC_ENABLE
	"mov $" __stringify(PORT) ", %dx\n\t"
	"out %al, %dx\n\t"
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_XAPIC("chain_isr", COUNT0));
GUEST_LABEL(chain_isr);

TEST_F(irqfd, doorbell_into_irqfd_never_leaves_the_kernel)
{
	struct vmctl_doorbell db = {
		.addr = PORT, .len = 1, .fd = self->efd,
		.flags = VMCTL_DOORBELL_PIO,
	};
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &chain_guest, VEC_MSI, chain_isr);
	ASSERT_EQ(0, irqfd_msi(self->vm, self->efd, VEC_MSI));
	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_DOORBELL, &db));
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
}

TEST_F(irqfd, errors_change_nothing)
{
	struct vmctl_irqfd bad[] = {
		{ .fd = self->efd, .flags = 1U << 3 },
		{ .fd = self->efd, .pin = VMCTL_IOAPIC_PINS },
		{ .fd = self->efd, .resamplefd = self->efd },
		{ .fd = self->efd, .msi = MSI_TO_0(0x30) },
		{ .fd = self->efd, .flags = VMCTL_IRQFD_MSI,
		  .msi = { .address = 0xfed00000, .data = 0x30 } },
		{ .fd = self->efd, .flags = VMCTL_IRQFD_MSI,
		  .msi = { .address = 0xfee00000, .data = 0x30 | 2U << 8 } },
		{ .fd = self->efd, .flags = VMCTL_IRQFD_MSI, .pin = 1,
		  .msi = MSI_TO_0(0x30) },
		{ .fd = self->efd, .flags = VMCTL_IRQFD_MSI,
		  .msi = { .address = 0xfee00000, .data = 0x30, .flags = 1 } },
		{ .fd = self->efd,
		  .flags = VMCTL_IRQFD_MSI | VMCTL_IRQFD_RESAMPLE,
		  .msi = MSI_TO_0(0x30) },
		{ .fd = self->efd, .flags = VMCTL_IRQFD_DEASSIGN, .pin = 1 },
	};
	struct vmctl_irqfd bad_resample = {
		.fd = self->efd, .flags = VMCTL_IRQFD_RESAMPLE,
		.resamplefd = -1,
	};
	int fds[VMCTL_MAX_IRQFDS + 1], pipefd[2], closed, fd;
	struct vmctl_module_stats before;
	struct vm *plain = vm_create("");
	unsigned int i;

	ASSERT_EQ(VMCTL_MAX_IRQFDS,
		  ioctl(self->vm->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_IRQFD));
	/* ENXIO: no irqchip */
	ASSERT_ERRNO(ENXIO, irqfd_msi(plain, self->efd, 0x30));
	vm_destroy(plain);
	module_stats(self->vm->sys_fd, &before);
	/* EINVAL: flags, pin, unused fields, the MSI, not an eventfd */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, ioctl(self->vm->fd, VMCTL_IRQFD, &bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
	}
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_ERRNO(EINVAL, irqfd_pin(self->vm, pipefd[0], 1, -1));
	ASSERT_ERRNO(EINVAL, irqfd_pin(self->vm, self->efd, 1, pipefd[0]));
	ASSERT_ERRNO(EINVAL, irqfd_deassign(self->vm, pipefd[0]));
	close(pipefd[0]);
	close(pipefd[1]);
	/* EBADF: fd, resamplefd */
	closed = new_eventfd();
	close(closed);
	ASSERT_ERRNO(EBADF, irqfd_pin(self->vm, -1, 1, -1));
	ASSERT_ERRNO(EBADF, irqfd_pin(self->vm, closed, 1, -1));
	ASSERT_ERRNO(EBADF, ioctl(self->vm->fd, VMCTL_IRQFD, &bad_resample));
	ASSERT_ERRNO(EBADF, irqfd_deassign(self->vm, closed));
	/* ENOENT: not an irqfd (yet, or any more) */
	ASSERT_ERRNO(ENOENT, irqfd_deassign(self->vm, self->efd));
	ASSERT_EQ(0, irqfd_pin(self->vm, self->efd, 1, -1));
	/* EEXIST: one eventfd, one irqfd per VM, whatever it raises */
	ASSERT_ERRNO(EEXIST, irqfd_pin(self->vm, self->efd, 2, -1));
	ASSERT_ERRNO(EEXIST, irqfd_msi(self->vm, self->efd, 0x30));
	ASSERT_EQ(0, irqfd_deassign(self->vm, self->efd));
	ASSERT_ERRNO(ENOENT, irqfd_deassign(self->vm, self->efd));
	EXPECT_STATS_BASELINE(self->vm->sys_fd, &before);

	/* ENOSPC at the limit; the VM's end takes them all. */
	for (i = 0; i <= VMCTL_MAX_IRQFDS; i++)
		fds[i] = new_eventfd();
	for (i = 0; i < VMCTL_MAX_IRQFDS; i++)
		ASSERT_EQ(0, irqfd_pin(self->vm, fds[i], i % VMCTL_IOAPIC_PINS,
				       -1));
	ASSERT_ERRNO(ENOSPC, irqfd_pin(self->vm, fds[i], 1, -1));
	for (i = 0; i <= VMCTL_MAX_IRQFDS; i++)
		close(fds[i]);
	/* Closing an eventfd ends its irqfd: room again. */
	fd = new_eventfd();
	ASSERT_EQ(0, irqfd_pin(self->vm, fd, 1, -1));
	close(fd);
}

TEST_F(irqfd, eventfd_closed_while_registered)
{
	struct vmctl_module_stats before;
	int rfd = new_eventfd();

	module_stats(self->vm->sys_fd, &before);
	ASSERT_EQ(0, irqfd_pin(self->vm, self->efd, PIN_LEVEL, rfd));
	efd_write(self->efd);
	close(self->efd);
	close(rfd);
	self->efd = -1;
	/* The irqfd and its references went with the eventfd. */
	EXPECT_STATS_BASELINE(self->vm->sys_fd, &before);
}

TEST_F(irqfd, vm_closed_while_registered)
{
	uint64_t v = 0;

	ASSERT_EQ(0, irqfd_msi(self->vm, self->efd, VEC_MSI));
	close(self->vm->fd);
	self->vm->fd = -1;
	vcpu_destroy(self->vcpu);
	self->vcpu = NULL;
	/* Nothing of the VM listens any more: the count stays unread. */
	efd_write(self->efd);
	ASSERT_EQ(sizeof(v), read(self->efd, &v, sizeof(v)));
	EXPECT_EQ(1, v);
}

/* ---- threads churning irqfds while the vCPU takes their interrupts ---- */

GUEST64(sleep_guest,
	XAPIC_ENABLE
	"sti\n"
	"1: hlt\n\t"
	"jmp 1b\n\t"
	ISR_XAPIC("sleep_isr", COUNT0));
GUEST_LABEL(sleep_isr);

struct churn {
	struct vm *vm;
	atomic_int stop;
	int fd;			/* write_until_stopped()'s eventfd */
};

/*
 * Assign, write, then deassign or just close, under a running vCPU (pin
 * 4 stays masked: only the MSIs interrupt it).
 */
static void *churn_irqfds(void *arg)
{
	struct churn *c = arg;
	unsigned int i;

	for (i = 0; !atomic_load(&c->stop); i++) {
		int fd = new_eventfd();

		if (i & 1)
			irqfd_msi(c->vm, fd, VEC_MSI);
		else
			irqfd_pin(c->vm, fd, PIN_EDGE, -1);
		efd_write(fd);
		if (i % 3 == 0)
			irqfd_deassign(c->vm, fd);
		close(fd);
	}
	return NULL;
}

/* Write while the VM goes away under it. */
static void *write_until_stopped(void *arg)
{
	struct churn *c = arg;

	while (!atomic_load(&c->stop)) {
		efd_write(c->fd);
		usleep(100);
	}
	return NULL;
}

TEST_F(irqfd, race_assign_write_close_and_vm_end)
{
	struct churn c = { .vm = self->vm }, w = { .fd = self->efd };
	pthread_t runner, churner[2], writer;
	int i;

	vcpu_load_guest_isr(self->vcpu, &sleep_guest, VEC_MSI, sleep_isr);
	kick_signal_install();
	ASSERT_EQ(0, pthread_create(&runner, NULL, vcpu_run_until_error,
				    self->vcpu));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&churner[i], NULL, churn_irqfds,
					    &c));
	usleep(300000);
	atomic_store(&c.stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(churner[i], NULL);
	EXPECT_LE(1, *guest_count(self->vm));
	do {
		pthread_kill(runner, SIGUSR1);
		usleep(20000);
	} while (pthread_tryjoin_np(runner, NULL));

	/* The VM ends while another thread writes its irqfd. */
	ASSERT_EQ(0, irqfd_msi(self->vm, self->efd, VEC_MSI));
	ASSERT_EQ(0, pthread_create(&writer, NULL, write_until_stopped, &w));
	usleep(20000);
	vcpu_destroy(self->vcpu);
	self->vcpu = NULL;
	close(self->vm->fd);
	self->vm->fd = -1;
	usleep(20000);
	atomic_store(&w.stop, 1);
	pthread_join(writer, NULL);
}

TEST_HARNESS_MAIN
