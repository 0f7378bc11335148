// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbells (VMCTL_DOORBELL): a guest OUT or MMIO write to a registered
 * address signals its eventfd in the kernel and the vCPU's exits to user
 * space do not move; data match, length and space are exact; deassign
 * gives the address back to user space; every error the header names,
 * with the module's accounting back to its baseline; the eventfd or the
 * VM closed while doorbells are registered; and threads assigning,
 * deassigning and closing eventfds while a vCPU rings them.
 */
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

#define PORT		0x710
#define MMIO_DB		(MMIO_GPA + 0x40)

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	die_unless(fd >= 0, "eventfd");
	return fd;
}

/* The eventfd's count, read (so reset); 0 when nothing was signalled. */
static uint64_t efd_take(int fd)
{
	uint64_t v = 0;

	return read(fd, &v, sizeof(v)) == sizeof(v) ? v : 0;
}

static int doorbell(struct vm *vm, uint32_t flags, uint64_t addr,
		    uint32_t len, uint64_t data, int fd)
{
	struct vmctl_doorbell d = {
		.addr = addr, .data = data, .len = len, .fd = fd,
		.flags = flags,
	};

	return ioctl(vm->fd, VMCTL_DOORBELL, &d);
}

static uint64_t user_exits(struct vcpu *vcpu)
{
	struct vmctl_vcpu_stats st;

	vcpu_get_stats(vcpu, &st);
	return st.user_exits;
}

/* The exit is an OUT of @size bytes of @val to PORT. */
static bool is_out(struct vcpu *vcpu, unsigned int size, uint32_t val)
{
	const struct vmctl_run *run = vcpu->run;
	uint32_t got = 0;

	if (run->exit_reason != VMCTL_EXIT_IO || run->io.port != PORT ||
	    run->io.direction != VMCTL_IO_OUT || run->io.size != size)
		return false;
	memcpy(&got, (const char *)run + run->io.data_offset, size);
	return got == val;
}

FIXTURE(doorbell) {
	struct vcpu *vcpu;
	int efd, efd2;
	struct vmctl_module_stats base;
};

FIXTURE_SETUP(doorbell)
{
	int fd = vmctl_open();

	module_stats(fd, &self->base);
	close(fd);
	self->vcpu = NULL;
	self->efd = new_eventfd();
	self->efd2 = new_eventfd();
}

FIXTURE_TEARDOWN(doorbell)
{
	int fd;

	if (self->vcpu)
		guest_destroy(self->vcpu);
	close(self->efd);
	close(self->efd2);
	fd = vmctl_open();
	EXPECT_STATS_BASELINE(fd, &self->base);
	close(fd);
}

GUEST64(ring_guest,
	"mov $" __stringify(PORT) ", %dx\n\t"
	"mov $0x1234, %ax\n\t"
	"out %ax, %dx\n\t"			/* the port doorbell */
	"mov $" __stringify(MMIO_DB) ", %eax\n\t"
	"movl $0xabcd, (%rax)\n\t"		/* the MMIO doorbell */
	"mov $" __stringify(PORT) ", %dx\n\t"
	"mov $0x1234, %ax\n\t"
	"out %ax, %dx\n\t"			/* the port doorbell again */
	GUEST_END);

TEST_F(doorbell, writes_ring_in_kernel_without_user_exits)
{
	struct vmctl_vcpu_stats st;
	struct ucall uc;

	self->vcpu = vcpu_create_guest(&ring_guest);
	/* RAM mapped up front: the MMIO doorbell is the one EPT violation. */
	vm_prefault_ram(self->vcpu->vm);
	ASSERT_EQ(0, doorbell(self->vcpu->vm, VMCTL_DOORBELL_PIO, PORT, 2, 0,
			      self->efd));
	ASSERT_EQ(0, doorbell(self->vcpu->vm, 0, MMIO_DB, 4, 0, self->efd2));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(2, efd_take(self->efd));
	EXPECT_EQ(1, efd_take(self->efd2));
	/* The three writes exited to the kernel only: the ucall is all. */
	vcpu_get_stats(self->vcpu, &st);
	EXPECT_EQ(1, st.user_exits);
	EXPECT_EQ(3, st.hw_exits[VMCTL_HW_EXIT_IO_INSTRUCTION]);
	EXPECT_EQ(1, st.hw_exits[VMCTL_HW_EXIT_EPT_VIOLATION]);
}

GUEST64(match_guest,
	"mov $" __stringify(PORT) ", %dx\n\t"
	"mov $0x1111, %ax\n\t"
	"out %ax, %dx\n\t"			/* no doorbell takes 0x1111 */
	"mov $0x1234, %ax\n\t"
	"out %ax, %dx\n\t"			/* efd */
	"mov $0x5678, %ax\n\t"
	"out %ax, %dx\n\t"			/* efd2 */
	"mov $0x34, %al\n\t"
	"out %al, %dx\n\t"			/* one byte: no doorbell */
	"mov $" __stringify(MMIO_DB) ", %eax\n\t"
	"movw $0x1234, (%rax)\n\t"		/* MMIO: another space */
	GUEST_END);

TEST_F(doorbell, data_match_length_and_space_are_exact)
{
	struct vm *vm;
	struct ucall uc;

	self->vcpu = vcpu_create_guest(&match_guest);
	vm = self->vcpu->vm;
	ASSERT_EQ(0, doorbell(vm, VMCTL_DOORBELL_PIO | VMCTL_DOORBELL_DATAMATCH,
			      PORT, 2, 0x1234, self->efd));
	ASSERT_EQ(0, doorbell(vm, VMCTL_DOORBELL_PIO | VMCTL_DOORBELL_DATAMATCH,
			      PORT, 2, 0x5678, self->efd2));
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	EXPECT_TRUE(is_out(self->vcpu, 2, 0x1111));
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	EXPECT_TRUE(is_out(self->vcpu, 1, 0x34));
	EXPECT_EQ(1, efd_take(self->efd));
	EXPECT_EQ(1, efd_take(self->efd2));
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	EXPECT_EQ(VMCTL_EXIT_MMIO, self->vcpu->run->exit_reason);
	EXPECT_EQ(MMIO_DB, self->vcpu->run->mmio.phys_addr);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(4, user_exits(self->vcpu));
	EXPECT_EQ(0, efd_take(self->efd));
}

GUEST64(twice_guest,
	"mov $" __stringify(PORT) ", %dx\n\t"
	"out %al, %dx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(PORT) ", %dx\n\t"
	"out %al, %dx\n\t"
	GUEST_END);

TEST_F(doorbell, deassign_gives_the_write_back_to_user_space)
{
	struct vm *vm;
	struct ucall uc;

	self->vcpu = vcpu_create_guest(&twice_guest);
	vm = self->vcpu->vm;
	ASSERT_EQ(0, doorbell(vm, VMCTL_DOORBELL_PIO, PORT, 1, 0, self->efd));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(1, efd_take(self->efd));
	ASSERT_EQ(0, doorbell(vm, VMCTL_DOORBELL_PIO | VMCTL_DOORBELL_DEASSIGN,
			      PORT, 1, 0, self->efd));
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	EXPECT_EQ(VMCTL_EXIT_IO, self->vcpu->run->exit_reason);
	EXPECT_EQ(PORT, self->vcpu->run->io.port);
	EXPECT_EQ(0, efd_take(self->efd));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
}

TEST_F(doorbell, errors_change_nothing)
{
	const uint32_t pio = VMCTL_DOORBELL_PIO, dm = VMCTL_DOORBELL_DATAMATCH;
	const uint32_t de = VMCTL_DOORBELL_DEASSIGN;
	struct vmctl_module_stats before;
	struct vmctl_doorbell pad = {
		.addr = PORT, .len = 1, .fd = self->efd, .flags = pio,
		.padding = 1,
	};
	struct vm *vm = vm_create("");
	int pipefd[2], closed;

	module_stats(vm->sys_fd, &before);
	ASSERT_EQ(0, pipe(pipefd));
	closed = new_eventfd();
	close(closed);
	ASSERT_EQ(VMCTL_MAX_DOORBELLS,
		  ioctl(vm->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_DOORBELL));

	/* EINVAL: flags, padding, length, range, data, not an eventfd */
	ASSERT_ERRNO(EINVAL, doorbell(vm, 1U << 3, PORT, 1, 0, self->efd));
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, VMCTL_DOORBELL, &pad));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio, PORT, 0, 0, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio, PORT, 3, 0, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, 0, MMIO_DB, 16, 0, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio, PORT, 8, 0, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio, 0xffff, 2, 0, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio, 0x10000, 1, 0, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, 0, ~0ULL - 3, 8, 0, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio, PORT, 2, 1, self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio | dm, PORT, 2, 0x10000,
				      self->efd));
	ASSERT_ERRNO(EINVAL, doorbell(vm, pio, PORT, 1, 0, pipefd[0]));
	/* EBADF */
	ASSERT_ERRNO(EBADF, doorbell(vm, pio, PORT, 1, 0, -1));
	ASSERT_ERRNO(EBADF, doorbell(vm, pio, PORT, 1, 0, closed));
	/* ENOENT: nothing registered, then not this one */
	ASSERT_ERRNO(ENOENT, doorbell(vm, pio | de, PORT, 1, 0, self->efd));
	ASSERT_EQ(0, doorbell(vm, pio | dm, PORT, 1, 7, self->efd));
	ASSERT_ERRNO(ENOENT, doorbell(vm, pio | dm | de, PORT, 1, 8,
				      self->efd));
	ASSERT_ERRNO(ENOENT, doorbell(vm, pio | dm | de, PORT, 1, 7,
				      self->efd2));
	ASSERT_ERRNO(ENOENT, doorbell(vm, pio | de, PORT, 1, 0, self->efd));
	ASSERT_ERRNO(ENOENT, doorbell(vm, dm | de, PORT, 1, 7, self->efd));
	/* EEXIST: the same writes taken twice, whatever the eventfd */
	ASSERT_ERRNO(EEXIST, doorbell(vm, pio | dm, PORT, 1, 7, self->efd2));
	ASSERT_ERRNO(EEXIST, doorbell(vm, pio, PORT, 1, 0, self->efd2));
	/* Not the same writes: other data, length or space. */
	ASSERT_EQ(0, doorbell(vm, pio | dm, PORT, 1, 8, self->efd2));
	ASSERT_EQ(0, doorbell(vm, pio, PORT, 2, 0, self->efd));
	ASSERT_EQ(0, doorbell(vm, 0, PORT, 1, 0, self->efd));
	ASSERT_ERRNO(EEXIST, doorbell(vm, pio | dm, PORT, 2, 3, self->efd2));
	ASSERT_EQ(0, doorbell(vm, pio | dm | de, PORT, 1, 7, self->efd));
	ASSERT_EQ(0, doorbell(vm, pio | dm | de, PORT, 1, 8, self->efd2));
	ASSERT_EQ(0, doorbell(vm, pio | de, PORT, 2, 0, self->efd));
	ASSERT_EQ(0, doorbell(vm, de, PORT, 1, 0, self->efd));
	EXPECT_STATS_BASELINE(vm->sys_fd, &before);

	/* ENOSPC at the limit; every doorbell goes with the VM. */
	for (unsigned int i = 0; i < VMCTL_MAX_DOORBELLS; i++)
		ASSERT_EQ(0, doorbell(vm, 0, MMIO_GPA + 8 * i, 8, 0,
				      self->efd));
	ASSERT_ERRNO(ENOSPC, doorbell(vm, pio, PORT, 1, 0, self->efd));
	close(pipefd[0]);
	close(pipefd[1]);
	vm_destroy(vm);
}

/* The doorbell holds its own reference: closing the eventfd is harmless. */
TEST_F(doorbell, eventfd_closed_while_registered)
{
	struct ucall uc;

	self->vcpu = vcpu_create_guest(&ring_guest);
	/* RAM mapped up front: the MMIO doorbell is the one EPT violation. */
	vm_prefault_ram(self->vcpu->vm);
	ASSERT_EQ(0, doorbell(self->vcpu->vm, VMCTL_DOORBELL_PIO, PORT, 2, 0,
			      self->efd));
	ASSERT_EQ(0, doorbell(self->vcpu->vm, 0, MMIO_DB, 4, 0, self->efd2));
	close(self->efd);
	self->efd = new_eventfd();
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(1, user_exits(self->vcpu));
	EXPECT_EQ(1, efd_take(self->efd2));
}

/* The VM fd closed first, the vCPU's last: everything goes then. */
TEST_F(doorbell, vm_fd_closed_while_registered)
{
	struct vcpu *vcpu = vcpu_create_guest(&ring_guest);
	struct vm *vm = vcpu->vm;
	struct ucall uc;

	ASSERT_EQ(0, doorbell(vm, VMCTL_DOORBELL_PIO, PORT, 2, 0, self->efd));
	ASSERT_EQ(0, doorbell(vm, 0, MMIO_DB, 4, 0, self->efd2));
	close(vm->fd);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(2, efd_take(self->efd));
	EXPECT_EQ(1, efd_take(self->efd2));
	vm->fd = -1;
	vcpu_destroy(vcpu);
	vm_destroy(vm);
}

/* ---- a vCPU ringing while other threads change the doorbells ---- */

GUEST64(spin_ring_guest,
	"mov $" __stringify(PORT) ", %dx\n"
	"1: out %al, %dx\n\t"
	"mov $" __stringify(MMIO_DB) ", %ebx\n\t"
	"movb %al, (%rbx)\n\t"
	"jmp 1b\n\t");

struct churn {
	struct vm *vm;
	atomic_int stop;
};

/*
 * Assign, deassign or just close eventfds under the running vCPU.  The
 * two threads share addresses (EEXIST, ENOENT) and fd numbers get reused:
 * what matters is that nothing breaks and nothing stays behind.
 */
static void *churn_doorbells(void *arg)
{
	struct churn *c = arg;
	unsigned int i;

	for (i = 0; !atomic_load(&c->stop); i++) {
		int fd = new_eventfd();
		uint32_t flags = i & 1 ? VMCTL_DOORBELL_PIO : 0;
		uint64_t addr = i & 1 ? PORT : MMIO_DB;

		doorbell(c->vm, flags, addr, 1, 0, fd);
		if (i % 3 == 0)
			close(fd);	/* closed while registered */
		doorbell(c->vm, flags | VMCTL_DOORBELL_DEASSIGN, addr, 1, 0,
			 fd);
		if (i % 3)
			close(fd);
	}
	return NULL;
}

TEST_F(doorbell, race_assign_deassign_close_while_ringing)
{
	struct vcpu *vcpu = vcpu_create_guest(&spin_ring_guest);
	struct churn c = { .vm = vcpu->vm };

	self->vcpu = vcpu;	/* the teardown closes the VM */
	pthread_t runner, churner[2];
	int i;

	/* Every write no doorbell took exits; a kick ends the runner. */
	kick_signal_install();
	ASSERT_EQ(0, pthread_create(&runner, NULL, vcpu_run_until_error,
				    vcpu));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&churner[i], NULL,
					    churn_doorbells, &c));
	usleep(300000);
	atomic_store(&c.stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(churner[i], NULL);
	do {
		pthread_kill(runner, SIGUSR1);
		usleep(20000);
	} while (pthread_tryjoin_np(runner, NULL));
	/* The teardown closes the VM with doorbells still registered. */
	ASSERT_EQ(0, doorbell(vcpu->vm, VMCTL_DOORBELL_PIO, PORT, 2, 0,
			      self->efd));
}

TEST_HARNESS_MAIN
