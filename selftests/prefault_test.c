// SPDX-License-Identifier: GPL-2.0
/*
 * VMCTL_MEM_PREFAULT does not hold the VM up while it faults a slot in.
 *
 * The slot's memory is registered with userfaultfd, so the prefault
 * stops at its first page until this test supplies the pages: for as long
 * as the test likes, which a big slot on a loaded host would take too.
 * Meanwhile another thread's VM ioctls (GET_VM_INFO, GET_MEM_STATS,
 * CREATE_VCPU, a slot elsewhere) return at once, and changing or deleting
 * the slot being prefaulted is EBUSY.  Once the pages come, the prefault
 * finishes and maps the whole slot.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stats.h"
#include "vm.h"

#define PRE_ID		1
#define PRE_GPA		0x4000000	/* 64 MiB */
#define PRE_SIZE	0x40000		/* 256 KiB */
#define OTHER_GPA	0x8000000	/* 128 MiB */

struct prefault {
	struct vm *vm;
	void *mem;
	int ret;		/* SET_MEM_SLOT: 0 or errno */
};

static int set_slot(struct vm *vm, int id, uint64_t gpa, void *hva,
		    uint32_t flags)
{
	struct vmctl_mem_slot s = {
		.slot = id,
		.flags = flags,
		.guest_phys = gpa,
		.size = PRE_SIZE,
		.user_addr = (unsigned long)hva,
	};

	return ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &s) ? errno : 0;
}

static void *prefault_thread(void *arg)
{
	struct prefault *p = arg;

	p->ret = set_slot(p->vm, PRE_ID, PRE_GPA, p->mem, VMCTL_MEM_PREFAULT);
	return NULL;
}

/* What another thread asks while the prefault waits; errno per call. */
struct during {
	struct vm *vm;
	void *other;
	int info, stats, vcpu, other_slot, set_same, delete_same;
};

static int ok_or_errno(long r)
{
	return r < 0 ? errno : 0;
}

static void *during_thread(void *arg)
{
	struct during *d = arg;
	struct vmctl_mem_stats st;
	struct vmctl_vm_info info;
	long fd;

	d->info = ok_or_errno(ioctl(d->vm->fd, VMCTL_GET_VM_INFO, &info));
	d->stats = ok_or_errno(ioctl(d->vm->fd, VMCTL_GET_MEM_STATS, &st));
	fd = ioctl(d->vm->fd, VMCTL_CREATE_VCPU, 0);
	d->vcpu = ok_or_errno(fd);
	if (fd >= 0)
		close(fd);
	d->other_slot = set_slot(d->vm, PRE_ID + 1, OTHER_GPA, d->other, 0);
	d->set_same = set_slot(d->vm, PRE_ID, PRE_GPA, d->other, 0);
	d->delete_same = ok_or_errno(ioctl(d->vm->fd, VMCTL_DELETE_MEM_SLOT,
					   PRE_ID));
	return NULL;
}

static int userfaultfd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(prefault_leaves_the_vm_usable)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy copy = { .len = PRE_SIZE };
	struct vmctl_module_stats base, now;
	struct prefault p = { .ret = -1 };
	struct during d = { .info = -1 };
	struct pollfd pfd = { .events = POLLIN };
	struct timespec deadline;
	struct uffd_msg msg;
	pthread_t pt, dt;
	void *zeros;
	int done;

	p.vm = vm_create("");
	module_stats(p.vm->sys_fd, &base);
	pfd.fd = userfaultfd_open();
	if (pfd.fd < 0)
		SKIP(vm_destroy(p.vm); return,
		     "no userfaultfd (%s)", strerror(errno));
	p.mem = mmap(NULL, PRE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	d.other = mmap(NULL, PRE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zeros = mmap(NULL, PRE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p.mem);
	ASSERT_NE(MAP_FAILED, d.other);
	ASSERT_NE(MAP_FAILED, zeros);
	reg.range.start = (unsigned long)p.mem;
	reg.range.len = PRE_SIZE;
	ASSERT_EQ(0, ioctl(pfd.fd, UFFDIO_REGISTER, &reg));

	ASSERT_EQ(0, pthread_create(&pt, NULL, prefault_thread, &p));
	/* The prefault is inside the ioctl once its first page faults. */
	ASSERT_EQ(1, poll(&pfd, 1, 30000));
	ASSERT_EQ(sizeof(msg), read(pfd.fd, &msg, sizeof(msg)));
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	d.vm = p.vm;
	ASSERT_EQ(0, pthread_create(&dt, NULL, during_thread, &d));
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	/* A module that holds the VM's lock keeps this thread waiting. */
	done = pthread_timedjoin_np(dt, NULL, &deadline);
	EXPECT_EQ(0, done) TH_LOG("the VM's ioctls waited for the prefault");
	EXPECT_EQ(-1, p.ret) TH_LOG("the prefault did not wait for its page");

	/* The pages: the prefault goes on and maps them all. */
	copy.dst = (unsigned long)p.mem;
	copy.src = (unsigned long)zeros;
	ASSERT_EQ(0, ioctl(pfd.fd, UFFDIO_COPY, &copy));
	ASSERT_EQ(0, pthread_join(pt, NULL));
	if (done)
		ASSERT_EQ(0, pthread_join(dt, NULL));
	EXPECT_EQ(0, p.ret);
	EXPECT_EQ(0, d.info);
	EXPECT_EQ(0, d.stats);
	EXPECT_EQ(0, d.vcpu);
	EXPECT_EQ(0, d.other_slot);
	EXPECT_EQ(EBUSY, d.set_same);
	EXPECT_EQ(EBUSY, d.delete_same);
	module_stats(p.vm->sys_fd, &now);
	EXPECT_EQ(base.mapped_pages + PRE_SIZE / 4096, now.mapped_pages);
	/* An ordinary slot afterwards. */
	EXPECT_EQ(0, ioctl(p.vm->fd, VMCTL_DELETE_MEM_SLOT, PRE_ID));
	EXPECT_EQ(0, ioctl(p.vm->fd, VMCTL_DELETE_MEM_SLOT, PRE_ID + 1));

	vm_destroy(p.vm);
	close(pfd.fd);
	munmap(p.mem, PRE_SIZE);
	munmap(d.other, PRE_SIZE);
	munmap(zeros, PRE_SIZE);
}

TEST_HARNESS_MAIN
