// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input for every ioctl: unknown flags, non-zero padding, bad sizes,
 * alignment, overlap, limits, unmapped memory, ioctls on the wrong kind of
 * fd.  Each must fail with the errno the ABI header gives, change nothing
 * (the module's accounting returns to its baseline) and leave the VM
 * working (teardown runs a guest on it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "assert_errno.h"
#include "stats.h"
#include "ucall.h"

#define PAGE	4096UL

/*
 * The header names no errno for these (an over-long array in GET/SET_MSRS
 * and SET_CPUID, a command whose encoded size is wrong): E2BIG or EINVAL,
 * resp. ENOTTY or EINVAL, are both honest answers.
 */
#define ASSERT_ERRNO2(err1, err2, call) do {				\
	long __ret = (call);						\
	int __err = errno;						\
	ASSERT_EQ(-1, __ret) TH_LOG("%s", #call);			\
	ASSERT_TRUE(__err == (err1) || __err == (err2))			\
		TH_LOG("%s: errno %d", #call, __err);			\
} while (0)

/* The same command number with another size encoded in it. */
#define RESIZED(cmd, size) \
	(((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | \
	 ((unsigned long)(size) << _IOC_SIZESHIFT))

GUEST64(alive_guest,
	G_UCALL(UCALL_DONE));

FIXTURE(bad) {
	struct vmctl_module_stats base;
	int sys_fd;
	struct vm *vm;
	struct vcpu *vcpu;
};

FIXTURE_SETUP(bad)
{
	self->sys_fd = vmctl_open();
	module_stats(self->sys_fd, &self->base);
	self->vm = vm_create("");
	self->vcpu = vcpu_add(self->vm, 0);
}

FIXTURE_TEARDOWN(bad)
{
	struct ucall uc;

	vcpu_load_guest(self->vcpu, &alive_guest);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	vcpu_destroy(self->vcpu);
	vm_destroy(self->vm);
	EXPECT_STATS_BASELINE(self->sys_fd, &self->base);
	close(self->sys_fd);
}

TEST_F(bad, system_ioctls)
{
	struct vmctl_vmx_cpus cpus = { 0 };
	struct vmctl_vm_config cfg = { 0 };
	int fd = self->sys_fd;

	ASSERT_ERRNO(ENOTTY, ioctl(fd, _IO(VMCTL_IO, 0x7f), 0));
	ASSERT_ERRNO(ENOTTY, ioctl(fd, _IO('X', 0x00), 0));
	cfg.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_CREATE_VM, &cfg));
	cfg.flags = 1ULL << 63;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_CREATE_VM, &cfg));
	cfg.flags = 0;
	memset(cfg.name, 'a', sizeof(cfg.name));	/* no NUL */
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_CREATE_VM, &cfg));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_CREATE_VM, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_GET_MODULE_STATS, NULL));
	cpus.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_GET_VMX_CPUS, &cpus));
	cpus.flags = 1U << 31;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_GET_VMX_CPUS, &cpus));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_GET_VMX_CPUS, NULL));
	ASSERT_ERRNO2(ENOTTY, EINVAL,
		      ioctl(fd, RESIZED(VMCTL_CREATE_VM, sizeof(cfg) - 8),
			    &cfg));
}

/* Every ioctl belongs to one kind of fd; elsewhere it is ENOTTY. */
TEST_F(bad, ioctl_on_wrong_fd)
{
	struct vmctl_mem_slot slot = { 0 };
	struct vmctl_vm_config cfg = { 0 };
	struct vmctl_vm_info info;
	struct vmctl_regs regs;
	int sys = self->sys_fd, vm = self->vm->fd, vcpu = self->vcpu->fd;

	/* VM ioctls on /dev/vmctl and on a vCPU fd. */
	ASSERT_ERRNO(ENOTTY, ioctl(sys, VMCTL_SET_MEM_SLOT, &slot));
	ASSERT_ERRNO(ENOTTY, ioctl(sys, VMCTL_CREATE_VCPU, 1));
	ASSERT_ERRNO(ENOTTY, ioctl(sys, VMCTL_GET_VM_INFO, &info));
	ASSERT_ERRNO(ENOTTY, ioctl(vcpu, VMCTL_SET_MEM_SLOT, &slot));
	ASSERT_ERRNO(ENOTTY, ioctl(vcpu, VMCTL_CREATE_VCPU, 1));
	ASSERT_ERRNO(ENOTTY, ioctl(vcpu, VMCTL_GET_VM_INFO, &info));
	/* vCPU ioctls on /dev/vmctl and on a VM fd. */
	ASSERT_ERRNO(ENOTTY, ioctl(sys, VMCTL_RUN, 0));
	ASSERT_ERRNO(ENOTTY, ioctl(sys, VMCTL_GET_REGS, &regs));
	ASSERT_ERRNO(ENOTTY, ioctl(vm, VMCTL_RUN, 0));
	ASSERT_ERRNO(ENOTTY, ioctl(vm, VMCTL_GET_REGS, &regs));
	/* System ioctls on a VM fd and on a vCPU fd. */
	ASSERT_ERRNO(ENOTTY, ioctl(vm, VMCTL_CREATE_VM, &cfg));
	ASSERT_ERRNO(ENOTTY, ioctl(vcpu, VMCTL_CREATE_VM, &cfg));
	ASSERT_ERRNO(ENOTTY, ioctl(vm, VMCTL_GET_API_VERSION, 0));
	/* Unknown numbers. */
	ASSERT_ERRNO(ENOTTY, ioctl(vm, _IO(VMCTL_IO, 0x1f), 0));
	ASSERT_ERRNO(ENOTTY, ioctl(vcpu, _IO(VMCTL_IO, 0x2f), 0));
}

static struct vmctl_mem_slot slot_at(void *mem, unsigned int id,
				     uint64_t gpa, uint64_t size)
{
	struct vmctl_mem_slot s = {
		.slot = id,
		.guest_phys = gpa,
		.size = size,
		.user_addr = (unsigned long)mem,
	};

	return s;
}

FIXTURE(slots) {
	struct vmctl_module_stats base;
	int sys_fd;
	struct vm *vm;
	void *mem;		/* 64 pages for extra slots */
};

#define SLOT_PAGES	64
#define FREE_GPA	0x40000000UL	/* above slot 0 */

FIXTURE_SETUP(slots)
{
	self->sys_fd = vmctl_open();
	module_stats(self->sys_fd, &self->base);
	self->vm = vm_create("");
	self->mem = mmap(NULL, SLOT_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(slots)
{
	vm_destroy(self->vm);
	munmap(self->mem, SLOT_PAGES * PAGE);
	EXPECT_STATS_BASELINE(self->sys_fd, &self->base);
	close(self->sys_fd);
}

TEST_F(slots, invalid_is_einval)
{
	unsigned int undefined = ~VMCTL_MEM_VALID_FLAGS;
	int fd = self->vm->fd;
	char *mem = self->mem;
	struct vmctl_mem_slot s;

	s = slot_at(mem, 1, FREE_GPA, PAGE);
	s.flags = undefined & -undefined;	/* the lowest undefined flag */
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, 1, FREE_GPA + 8, PAGE);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, 1, FREE_GPA, PAGE + 8);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem + 8, 1, FREE_GPA, PAGE);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, 1, FREE_GPA, 0);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, VMCTL_MAX_MEM_SLOTS, FREE_GPA, PAGE);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, ~0U, FREE_GPA, PAGE);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	/* The guest range may not wrap around. */
	s = slot_at(mem, 1, -PAGE, 2 * PAGE);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_MEM_SLOT, NULL));
}

TEST_F(slots, overlap_is_eexist)
{
	int fd = self->vm->fd;
	char *mem = self->mem;
	struct vmctl_mem_slot s;

	/* Slot 0 holds [0, GUEST_MEM_SIZE). */
	s = slot_at(mem, 0, FREE_GPA, PAGE);
	ASSERT_ERRNO(EEXIST, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, 1, GUEST_MEM_SIZE - PAGE, 2 * PAGE);
	ASSERT_ERRNO(EEXIST, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, 1, DATA_GPA, PAGE);
	ASSERT_ERRNO(EEXIST, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	/* Adjacent is fine, and so is re-adding a deleted slot. */
	s = slot_at(mem, 1, GUEST_MEM_SIZE, 2 * PAGE);
	ASSERT_EQ(0, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, 2, GUEST_MEM_SIZE + PAGE, PAGE);
	ASSERT_ERRNO(EEXIST, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	ASSERT_EQ(0, ioctl(fd, VMCTL_DELETE_MEM_SLOT, 1));
	ASSERT_EQ(0, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
}

TEST_F(slots, limits_are_e2big)
{
	const uint64_t huge = VMCTL_MAX_MEM_SIZE + PAGE;
	struct vmctl_vm_info info = { 0 };
	int fd = self->vm->fd;
	char *mem = self->mem;
	struct vmctl_mem_slot s;
	void *big;
	unsigned int i;

	/* Address space only: the module must refuse before touching it. */
	big = mmap(NULL, huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	s = slot_at(big, 1, 1ULL << 32, huge);
	ASSERT_ERRNO(E2BIG, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	/* Within the per-slot limit, but slot 0 brings the VM over it. */
	s = slot_at(big, 1, 1ULL << 32, VMCTL_MAX_MEM_SIZE);
	ASSERT_ERRNO(E2BIG, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	munmap(big, huge);

	/* Every slot id in use; slot ids stop at the limit. */
	for (i = 1; i < VMCTL_MAX_MEM_SLOTS; i++) {
		s = slot_at(mem + i * PAGE, i, FREE_GPA + i * PAGE, PAGE);
		ASSERT_EQ(0, ioctl(fd, VMCTL_SET_MEM_SLOT, &s))
			TH_LOG("slot %u", i);
	}
	ASSERT_EQ(0, ioctl(fd, VMCTL_GET_VM_INFO, &info));
	EXPECT_EQ(GUEST_MEM_SIZE + (VMCTL_MAX_MEM_SLOTS - 1) * PAGE,
		  info.mem_bytes);
	s = slot_at(mem, VMCTL_MAX_MEM_SLOTS, FREE_GPA, PAGE);
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	s = slot_at(mem, 5, FREE_GPA + 100 * PAGE, PAGE);
	ASSERT_ERRNO(EEXIST, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
}

TEST_F(slots, unmapped_is_efault)
{
	int fd = self->vm->fd;
	struct vmctl_mem_slot s;
	void *hole, *ro;

	hole = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	/* A gap in the middle of the range. */
	ASSERT_EQ(0, munmap((char *)hole + 2 * PAGE, PAGE));
	s = slot_at(hole, 1, FREE_GPA, 4 * PAGE);
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	munmap(hole, 4 * PAGE);
	s = slot_at(hole, 1, FREE_GPA, PAGE);
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));

	/* Not writable. */
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	s = slot_at(ro, 1, FREE_GPA, PAGE);
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
	munmap(ro, PAGE);

	/* Kernel addresses. */
	s = slot_at((void *)0xffff888000000000UL, 1, FREE_GPA, PAGE);
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_MEM_SLOT, &s));
}

TEST_F(slots, delete_missing)
{
	ASSERT_ERRNO(EINVAL, ioctl(self->vm->fd, VMCTL_DELETE_MEM_SLOT,
				   VMCTL_MAX_MEM_SLOTS));
	ASSERT_ERRNO(ENOENT, ioctl(self->vm->fd, VMCTL_DELETE_MEM_SLOT, 5));
}

TEST_F(bad, create_vcpu)
{
	int fd = self->vm->fd;

	ASSERT_ERRNO(EEXIST, ioctl(fd, VMCTL_CREATE_VCPU, 0));
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_CREATE_VCPU, VMCTL_MAX_VCPUS));
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_CREATE_VCPU, -1UL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_GET_VM_INFO, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(self->vcpu->fd, VMCTL_GET_VCPU_STATS,
				   NULL));
}

TEST_F(bad, regs_and_sregs)
{
	int fd = self->vcpu->fd;
	struct vmctl_sregs sregs, good;

	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_GET_REGS, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_REGS, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_GET_SREGS, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_SREGS, NULL));

	vcpu_get_sregs(self->vcpu, &good);
	sregs = good;
	sregs.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.cs.padding = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.ldt.padding = 0x80;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.gdt.padding[2] = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.idt.padding[0] = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	/* Nothing of that reached the vCPU. */
	vcpu_get_sregs(self->vcpu, &sregs);
	EXPECT_EQ(0, memcmp(&good, &sregs, sizeof(good)));
}

/*
 * Segment state VM entry refuses (SDM 26.3.1.2) is refused by SET_SREGS:
 * fuzz_ioctl (seed 2, iteration 106) set FS's limit to 0x2affff with
 * G=0 and a GDT base of 0x37 << 56, and RUN then failed its entry.
 */
TEST_F(bad, sregs_entry_would_refuse)
{
	int fd = self->vcpu->fd;
	struct vmctl_sregs sregs, good;

	vcpu_get_sregs(self->vcpu, &good);
	sregs = good;
	sregs.fs.limit = 0x2affff;		/* G=0: 20 bits at most */
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs.fs.g = 1;				/* G=1: bits 11:0 all ones */
	sregs.fs.limit = 0x2af000;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs.fs.limit = 0x2affffff;
	ASSERT_EQ(0, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs.fs.unusable = 1;			/* not checked: not used */
	sregs.fs.limit = 0x2affff;
	sregs.fs.g = 0;
	ASSERT_EQ(0, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs.cs.unusable = 1;			/* CS is always used */
	sregs.cs.limit = 0x123456;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));

	sregs = good;
	sregs.gdt.base = 0x37ULL << 56;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.idt.base = 1ULL << 47;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.tr.base = 0x0000800000000000ULL;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.cs.base = 1ULL << 32;		/* CS, SS, DS, ES: 32 bits */
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_SREGS, &sregs));
	sregs = good;
	sregs.gs.base = 0xffff800000000000ULL;	/* FS, GS: canonical is fine */
	ASSERT_EQ(0, ioctl(fd, VMCTL_SET_SREGS, &sregs));

	ASSERT_EQ(0, ioctl(fd, VMCTL_SET_SREGS, &good));
	vcpu_get_sregs(self->vcpu, &sregs);
	EXPECT_EQ(0, memcmp(&good, &sregs, sizeof(good)));
}

#define TOO_MANY_MSRS	(VMCTL_MAX_MSR_ENTRIES + 1)

TEST_F(bad, msrs)
{
	int fd = self->vcpu->fd;
	struct vmctl_msrs *m = calloc(1, sizeof(*m) +
				      TOO_MANY_MSRS * sizeof(m->entries[0]));
	unsigned int i;

	ASSERT_NE(NULL, m);
	for (i = 0; i < TOO_MANY_MSRS; i++)
		m->entries[i].index = 0xc0000082;	/* LSTAR */
	m->nmsrs = TOO_MANY_MSRS;
	ASSERT_ERRNO2(E2BIG, EINVAL, ioctl(fd, VMCTL_GET_MSRS, m));
	ASSERT_ERRNO2(E2BIG, EINVAL, ioctl(fd, VMCTL_SET_MSRS, m));
	m->nmsrs = 1;
	m->flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_GET_MSRS, m));
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MSRS, m));
	m->flags = 0;
	m->entries[0].reserved = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_GET_MSRS, m));
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_MSRS, m));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_GET_MSRS, NULL));
	free(m);
}

#define TOO_MANY_CPUID	(VMCTL_MAX_CPUID_ENTRIES + 1)

TEST_F(bad, cpuid)
{
	int fd = self->vcpu->fd;
	struct vmctl_cpuid *c = calloc(1, sizeof(*c) +
				       TOO_MANY_CPUID * sizeof(c->entries[0]));
	unsigned int i;

	ASSERT_NE(NULL, c);
	for (i = 0; i < TOO_MANY_CPUID; i++)
		c->entries[i].function = i;
	c->nent = TOO_MANY_CPUID;
	ASSERT_ERRNO2(E2BIG, EINVAL, ioctl(fd, VMCTL_SET_CPUID, c));
	c->nent = 2;
	c->flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_CPUID, c));
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_GET_CPUID, c));
	c->flags = 0;
	c->entries[1].padding = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_CPUID, c));
	c->entries[1].padding = 0;
	c->entries[1].flags = 1U << 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_SET_CPUID, c));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_SET_CPUID, NULL));
	free(c);
}

TEST_F(bad, inject_exception)
{
	int fd = self->vcpu->fd;
	struct vmctl_exception e = { 0 };

	e.vector = 2;		/* NMI is not an exception to inject */
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_INJECT_EXCEPTION, &e));
	e.vector = 32;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_INJECT_EXCEPTION, &e));
	/*
	 * #CP, with its error code or without: the guest has no CET, and
	 * VM entry on a CPU without CET failed with VM-instruction error 7.
	 */
	e.vector = 21;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_INJECT_EXCEPTION, &e));
	e.has_error_code = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_INJECT_EXCEPTION, &e));
	e.has_error_code = 0;
	e.vector = 255;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_INJECT_EXCEPTION, &e));
	e.vector = 6;
	e.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_INJECT_EXCEPTION, &e));
	e.flags = 0;
	e.padding = 1;
	ASSERT_ERRNO(EINVAL, ioctl(fd, VMCTL_INJECT_EXCEPTION, &e));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VMCTL_INJECT_EXCEPTION, NULL));
}

TEST_F(bad, run_mmap)
{
	size_t size = self->vm->run_size;
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu->fd, size);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, self->vm->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
}

TEST_HARNESS_MAIN
