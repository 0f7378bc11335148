// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory is the owner's ordinary memory, reached through the
 * owner's mapping of each slot.
 *
 * - Only the creating process runs the VM: a forked child's RUN and
 *   SET_MEM_SLOT fail with EPERM, the parent's still work.
 * - The kernel's own guest-memory accesses (string I/O here) read what
 *   the mapping holds now: after munmap + mmap of the slot's range, OUTS
 *   sends the new bytes.
 * - So does the guest itself, through EPT entries made on demand and
 *   zapped when the owner changes the mapping: after munmap + mmap,
 *   MADV_DONTNEED (zeros), mremap onto the range, a MAP_PRIVATE file
 *   mapping (read lazily, written copy-on-write: the file keeps its
 *   bytes), the guest reads and writes what the owner sees.
 * - A write where the owner's mapping is read-only exits with
 *   VMCTL_EXIT_MEMORY_FAULT (RIP unmoved); once the mapping is writable
 *   again RUN retries the write.
 * - Memory the guest never touched is not resident after the VM runs.
 * - VMCTL_MEM_PREFAULT faults in and maps a whole slot before RUN (also
 *   read-only); afterwards the notifier zaps it as any other; a page the
 *   mapping cannot give fails the call with EFAULT and leaves no slot.
 * - A thread replacing and dropping the pages while the guest writes
 *   them: no host warning, and the module's counters back to baseline.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stats.h"
#include "ucall.h"

#define SLOT_ID		1
#define SLOT_GPA	0x100000	/* right above slot 0 */
#define SLOT_SIZE	0x10000
#define OUT_PORT	0x3f0
#define OUT_LEN		16

/* OUTSB of OUT_LEN bytes from SLOT_GPA, then done; again on each RUN. */
GUEST64(outs_guest,
	"1:\n\t"
	"mov $" __stringify(SLOT_GPA) ", %esi\n\t"
	"mov $" __stringify(OUT_LEN) ", %ecx\n\t"
	"mov $" __stringify(OUT_PORT) ", %dx\n\t"
	"rep outsb\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n\t");

/*
 * Each RUN: write RSI to the slot's second qword, read its first into
 * RDI, report.  The first RUN only reads.
 */
GUEST64(rw_guest,
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"jmp 2f\n"
	"1:\n\t"
	"mov %rsi, 8(%rbx)\n"
	"2:\n\t"
	"mov (%rbx), %rdi\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n\t");

/* Writes then reads back a counter in every page of the slot, forever. */
GUEST64(hammer_guest,
	"xor %r8, %r8\n"
	"1:\n\t"
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"mov $" __stringify(SLOT_SIZE / 4096) ", %ecx\n"
	"2:\n\t"
	"mov %r8, (%rbx)\n\t"
	"mov (%rbx), %rax\n\t"
	"add $4096, %rbx\n\t"
	"loop 2b\n\t"
	"inc %r8\n\t"
	"mov %r8, %rdi\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n\t");

FIXTURE(mem)
{
	struct vcpu *vcpu;
	void *slot;
	struct vmctl_module_stats base;
};

FIXTURE_SETUP(mem)
{
	struct vmctl_mem_slot s = { 0 };
	int sys_fd = vmctl_open();

	module_stats(sys_fd, &self->base);
	close(sys_fd);
	self->vcpu = vcpu_create_guest(&outs_guest);
	self->slot = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->slot);
	memset(self->slot, 0x11, SLOT_SIZE);
	s.slot = SLOT_ID;
	s.guest_phys = SLOT_GPA;
	s.size = SLOT_SIZE;
	s.user_addr = (unsigned long)self->slot;
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &s));
}

FIXTURE_TEARDOWN(mem)
{
	int sys_fd = self->vcpu->vm->sys_fd;

	sys_fd = dup(sys_fd);
	guest_destroy(self->vcpu);
	munmap(self->slot, SLOT_SIZE);
	EXPECT_STATS_BASELINE(sys_fd, &self->base);
	close(sys_fd);
}

/* Runs the guest to its OUTS exit; returns the bytes it sent. */
static int run_outs(struct __test_metadata *_metadata, struct vcpu *vcpu,
		    uint8_t *out)
{
	struct vmctl_run *run = vcpu->run;
	int done = 0;

	while (done < OUT_LEN) {
		if (vcpu_run(vcpu))
			return -1;
		EXPECT_EQ(VMCTL_EXIT_IO, run->exit_reason);
		if (run->exit_reason != VMCTL_EXIT_IO)
			return -1;
		EXPECT_EQ(OUT_PORT, run->io.port);
		memcpy(out + done, (uint8_t *)run + run->io.data_offset,
		       run->io.count);
		done += run->io.count;
	}
	return done;
}

TEST_F(mem, outs_reads_the_current_mapping)
{
	struct ucall uc;
	uint8_t out[OUT_LEN], want[OUT_LEN];
	void *p;

	ASSERT_EQ(OUT_LEN, run_outs(_metadata, self->vcpu, out));
	memset(want, 0x11, OUT_LEN);
	EXPECT_EQ(0, memcmp(want, out, OUT_LEN));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));

	/* New pages at the same address: the slot names them now. */
	ASSERT_EQ(0, munmap(self->slot, SLOT_SIZE));
	p = mmap(self->slot, SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(self->slot, p);
	memset(self->slot, 0x22, SLOT_SIZE);
	ASSERT_EQ(OUT_LEN, run_outs(_metadata, self->vcpu, out));
	memset(want, 0x22, OUT_LEN);
	EXPECT_EQ(0, memcmp(want, out, OUT_LEN));
}

TEST_F(mem, forked_child_cannot_run)
{
	struct vmctl_mem_slot s = { 0 };
	struct ucall uc;
	uint8_t out[OUT_LEN];
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		errno = 0;
		if (ioctl(self->vcpu->fd, VMCTL_RUN, 0) != -1 ||
		    errno != EPERM)
			bad |= 1;
		s.slot = SLOT_ID + 1;
		s.guest_phys = SLOT_GPA + SLOT_SIZE;
		s.size = 4096;
		s.user_addr = (unsigned long)self->slot;
		errno = 0;
		if (ioctl(self->vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &s) != -1 ||
		    errno != EPERM)
			bad |= 2;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The owner still runs it. */
	ASSERT_EQ(OUT_LEN, run_outs(_metadata, self->vcpu, out));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
}

/* RUN rw_guest once, writing @val (unless first): returns what it read. */
static uint64_t rw_step(struct __test_metadata *_metadata, struct vcpu *vcpu,
			uint64_t val)
{
	struct vmctl_regs regs;
	struct ucall uc;

	vcpu_get_regs(vcpu, &regs);
	regs.rsi = val;
	vcpu_set_regs(vcpu, &regs);
	EXPECT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	return uc.args[0];
}

static void fill(void *p, int byte)
{
	memset(p, byte, SLOT_SIZE);
}

static uint64_t bytes8(int byte)
{
	uint64_t v;

	memset(&v, byte, sizeof(v));
	return v;
}

TEST_F(mem, guest_sees_munmap_mmap)
{
	uint64_t *m = self->slot;
	void *p;

	vcpu_load_guest(self->vcpu, &rw_guest);
	EXPECT_EQ(bytes8(0x11), rw_step(_metadata, self->vcpu, 0));
	ASSERT_EQ(0, munmap(self->slot, SLOT_SIZE));
	p = mmap(self->slot, SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(self->slot, p);
	fill(p, 0x22);
	EXPECT_EQ(bytes8(0x22), rw_step(_metadata, self->vcpu, 0xabc));
	EXPECT_EQ(0xabc, m[1]);
}

TEST_F(mem, dontneed_reads_zeros)
{
	uint64_t *m = self->slot;

	vcpu_load_guest(self->vcpu, &rw_guest);
	EXPECT_EQ(bytes8(0x11), rw_step(_metadata, self->vcpu, 0));
	EXPECT_EQ(bytes8(0x11), rw_step(_metadata, self->vcpu, 5));
	EXPECT_EQ(5, m[1]);
	ASSERT_EQ(0, madvise(self->slot, SLOT_SIZE, MADV_DONTNEED));
	EXPECT_EQ(0, rw_step(_metadata, self->vcpu, 6));
	EXPECT_EQ(6, m[1]);
	EXPECT_EQ(0, m[0]);
}

TEST_F(mem, guest_sees_mremap)
{
	uint64_t *m = self->slot;
	void *other, *p;

	vcpu_load_guest(self->vcpu, &rw_guest);
	EXPECT_EQ(bytes8(0x11), rw_step(_metadata, self->vcpu, 0));
	other = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, other);
	fill(other, 0x44);
	p = mremap(other, SLOT_SIZE, SLOT_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
		   self->slot);
	ASSERT_EQ(self->slot, p);
	EXPECT_EQ(bytes8(0x44), rw_step(_metadata, self->vcpu, 7));
	EXPECT_EQ(7, m[1]);
}

TEST_F(mem, private_file_mapping_is_copy_on_write)
{
	uint64_t *m = self->slot, v;
	char page[4096];
	int fd, i;
	void *p;

	fd = memfd_create("guest_mem_test", 0);
	ASSERT_LE(0, fd);
	memset(page, 0x55, sizeof(page));
	for (i = 0; i < SLOT_SIZE / 4096; i++)
		ASSERT_EQ(4096, write(fd, page, sizeof(page)));
	p = mmap(self->slot, SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, fd, 0);
	ASSERT_EQ(self->slot, p);
	vcpu_load_guest(self->vcpu, &rw_guest);
	EXPECT_EQ(bytes8(0x55), rw_step(_metadata, self->vcpu, 0));
	EXPECT_EQ(bytes8(0x55), rw_step(_metadata, self->vcpu, 8));
	EXPECT_EQ(8, m[1]);
	/* The guest's write went to the process's private copy. */
	ASSERT_EQ(sizeof(v), pread(fd, &v, sizeof(v), 8));
	EXPECT_EQ(bytes8(0x55), v);
	close(fd);
}

TEST_F(mem, write_to_readonly_mapping_exits)
{
	struct vmctl_run *run = self->vcpu->run;
	struct vmctl_regs regs;
	uint64_t *m = self->slot;
	struct ucall uc;

	vcpu_load_guest(self->vcpu, &rw_guest);
	EXPECT_EQ(bytes8(0x11), rw_step(_metadata, self->vcpu, 0));
	ASSERT_EQ(0, mprotect(self->slot, SLOT_SIZE, PROT_READ));
	vcpu_get_regs(self->vcpu, &regs);
	regs.rsi = 9;
	vcpu_set_regs(self->vcpu, &regs);
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	ASSERT_EQ(VMCTL_EXIT_MEMORY_FAULT, run->exit_reason);
	EXPECT_EQ(SLOT_GPA + 8, run->memory_fault.gpa);
	EXPECT_EQ(VMCTL_MEMORY_FAULT_WRITE, run->memory_fault.flags);
	EXPECT_EQ(bytes8(0x11), m[1]);
	/* Fixed: the same write goes through. */
	ASSERT_EQ(0, mprotect(self->slot, SLOT_SIZE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(9, m[1]);
}

#define BIG_GPA		0x4000000	/* 64 MiB */
#define BIG_SIZE	0x4000000

TEST_F(mem, untouched_memory_is_not_resident)
{
	struct vmctl_mem_slot s = { 0 };
	unsigned char vec[BIG_SIZE / 4096];
	long resident = 0;
	void *big;
	int i;

	big = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	s.slot = SLOT_ID + 1;
	s.guest_phys = BIG_GPA;
	s.size = BIG_SIZE;
	s.user_addr = (unsigned long)big;
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &s));
	vcpu_load_guest(self->vcpu, &rw_guest);
	EXPECT_EQ(bytes8(0x11), rw_step(_metadata, self->vcpu, 0));
	ASSERT_EQ(0, mincore(big, BIG_SIZE, vec));
	for (i = 0; i < BIG_SIZE / 4096; i++)
		resident += vec[i] & 1;
	EXPECT_EQ(0, resident);
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT,
			   SLOT_ID + 1));
	munmap(big, BIG_SIZE);
}

#define PRE_GPA		0x4000000	/* 64 MiB */
#define PRE_SIZE	0x400000	/* 4 MiB: two 2 MiB blocks */

/* SET_MEM_SLOT of [PRE_GPA, + size) at @hva with @flags; 0 or errno. */
static int set_slot(struct vcpu *vcpu, int id, void *hva, uint64_t size,
		    uint32_t flags)
{
	struct vmctl_mem_slot s = {
		.slot = id,
		.flags = flags,
		.guest_phys = PRE_GPA,
		.size = size,
		.user_addr = (unsigned long)hva,
	};

	return ioctl(vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &s) ? errno : 0;
}

static long resident_pages(void *p, uint64_t size)
{
	unsigned char vec[PRE_SIZE / 4096];
	long n = 0;
	uint64_t i;

	if (size > PRE_SIZE || mincore(p, size, vec))
		return -1;
	for (i = 0; i < size / 4096; i++)
		n += vec[i] & 1;
	return n;
}

/* Memory never touched by anyone: PREFAULT maps all of it at once. */
TEST_F(mem, prefault_maps_the_slot_before_run)
{
	struct vmctl_module_stats before, after;
	int sys_fd = self->vcpu->vm->sys_fd;
	uint64_t *p;

	p = mmap(NULL, PRE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Without the flag: nothing mapped or resident. */
	module_stats(sys_fd, &before);
	ASSERT_EQ(0, set_slot(self->vcpu, SLOT_ID + 1, p, PRE_SIZE, 0));
	module_stats(sys_fd, &after);
	EXPECT_EQ(before.mapped_pages, after.mapped_pages);
	EXPECT_EQ(0, resident_pages(p, PRE_SIZE));
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT,
			   SLOT_ID + 1));

	ASSERT_EQ(0, set_slot(self->vcpu, SLOT_ID + 1, p, PRE_SIZE,
			      VMCTL_MEM_PREFAULT));
	module_stats(sys_fd, &after);
	EXPECT_EQ(before.mapped_pages + PRE_SIZE / 4096, after.mapped_pages);
	EXPECT_EQ(PRE_SIZE / 4096, resident_pages(p, PRE_SIZE));
	/* Ordinary mapped memory afterwards: the notifier still zaps it. */
	ASSERT_EQ(0, madvise(p, PRE_SIZE, MADV_DONTNEED));
	module_stats(sys_fd, &after);
	EXPECT_EQ(before.mapped_pages, after.mapped_pages);
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT,
			   SLOT_ID + 1));
	munmap(p, PRE_SIZE);
}

/* A read-only slot prefaults read-only: the owner's pages stay shared. */
TEST_F(mem, prefault_readonly_slot)
{
	struct vmctl_module_stats before, after;
	int sys_fd = self->vcpu->vm->sys_fd;
	void *p;

	p = mmap(NULL, PRE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	module_stats(sys_fd, &before);
	ASSERT_EQ(0, set_slot(self->vcpu, SLOT_ID + 1, p, PRE_SIZE,
			      VMCTL_MEM_PREFAULT | VMCTL_MEM_READONLY));
	module_stats(sys_fd, &after);
	EXPECT_EQ(before.mapped_pages + PRE_SIZE / 4096, after.mapped_pages);
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT,
			   SLOT_ID + 1));
	munmap(p, PRE_SIZE);
}

/*
 * A page the mapping cannot give (beyond the end of a shared file: the
 * owner would get SIGBUS): EFAULT, and no slot or mapping is left.
 */
TEST_F(mem, prefault_failure_leaves_no_slot)
{
	struct vmctl_module_stats before, after;
	int sys_fd = self->vcpu->vm->sys_fd;
	int fd;
	void *p;

	fd = memfd_create("guest_mem_test", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, PRE_SIZE / 2));
	p = mmap(NULL, PRE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	module_stats(sys_fd, &before);
	EXPECT_EQ(EFAULT, set_slot(self->vcpu, SLOT_ID + 1, p, PRE_SIZE,
				   VMCTL_MEM_PREFAULT));
	module_stats(sys_fd, &after);
	EXPECT_EQ(before.nr_mem_slots, after.nr_mem_slots);
	EXPECT_EQ(before.mapped_pages, after.mapped_pages);
	/* The id and the range are free again. */
	EXPECT_EQ(0, set_slot(self->vcpu, SLOT_ID + 1, p, PRE_SIZE / 2,
			      VMCTL_MEM_PREFAULT));
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT,
			   SLOT_ID + 1));
	munmap(p, PRE_SIZE);
	close(fd);
}

struct hammer {
	void *slot;
	volatile int stop;
	long rounds;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;

	while (!h->stop) {
		if (h->rounds & 1)
			madvise(h->slot, SLOT_SIZE, MADV_DONTNEED);
		else
			mmap(h->slot, SLOT_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		h->rounds++;
		usleep(1000);
	}
	return NULL;
}

TEST_F_TIMEOUT(mem, mapping_changes_while_the_guest_runs, 300)
{
	struct hammer h = { .slot = self->slot };
	struct ucall uc;
	pthread_t t;
	int i;

	vcpu_load_guest(self->vcpu, &hammer_guest);
	ASSERT_EQ(0, pthread_create(&t, NULL, hammer_thread, &h));
	for (i = 0; i < 200; i++)
		if (vcpu_ucall(self->vcpu, &uc) != UCALL_SYNC)
			break;
	h.stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(200, i);
	TH_LOG("%ld changes of the mapping during %d guest rounds",
	       h.rounds, i);
	EXPECT_LT(0, h.rounds);
}

TEST_HARNESS_MAIN
