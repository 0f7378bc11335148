// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration through libvmctl (vmctl_vm_migrate() into
 * vmctl_incoming_receive()) between two VMs of this process over a
 * socketpair, the guest running all along: it counts in ECX and, on
 * every count, checks that the page it is about to write (one of 64)
 * still holds what it wrote there 64 counts earlier, then writes the
 * count there and at 0x500.  A page lost or stale after the move makes
 * it stop with 0xbad at 0x508, so the pages it wrote while pre-copy ran
 * must arrive.  Before the destination starts, its RAM must equal the
 * paused source's byte for byte, and after it the count must go on from
 * where the source stopped.
 *
 * The failures: the connection cut in the middle of the RAM, and a
 * destination that refuses the VM after the last pages (the source paused
 * by then): the source must run on, not paused, counting, and migrate
 * fine after.  Prints the rounds, the pages of each, and the downtime
 * (TSC ticks from the source's pause to the destination's start:
 * instructions in the test machine, whose TSC counts them).
 *
 * Pre-copy that cannot converge gives up at its timeout, the source
 * running on at full speed; slowed down (auto-converge), the same guest
 * moves.  Held to a bandwidth (--max-bandwidth), the move takes at
 * least pre-copy's bytes over it.
 *
 * And a guest with a virtio disk (its image shared by both ends, as on
 * shared storage) and a virtio-rng, whose driver is the guest itself:
 * in 32-bit protected mode it writes a 4 KiB block full of its count to
 * the disk, reads it back into one of 64 pages and checks it, then takes
 * 64 random bytes, count after count, while it is migrated.  The
 * devices' threads write those pages and the used rings behind the
 * module's dirty log: the destination's RAM must still equal the paused
 * source's, and the guest's I/O go on there.
 *
 * And QEMU's migration-test guest at the size the issue asks: 64 MiB
 * whose pages' first bytes it adds one to, pass after pass, printing a
 * mark on the serial port after each.  With limits it cannot meet (a 1 ms
 * downtime, not slowed down) pre-copy gives up at its timeout and the
 * source runs on, marks coming; with limits it can, every page on the
 * destination is consistent with the passes counted (those before the
 * pause one more than those after it) and the marks keep coming there.
 */
#include <elf.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <x86intrin.h>

#include <vmctl/libvmctl.h>

#include "guest.h"
#include "kselftest_harness.h"

#define RAM		(2ULL << 20)
#define COUNT		0x500
#define BAD		0x508

/*
 * 16-bit real mode at 0x7c00:
 *	xor ax,ax; mov ds,ax; xor ecx,ecx
 * loop: inc ecx; mov [0x500],ecx
 *	mov bx,cx; and bx,63; shl bx,8; add bx,0x1000; mov es,bx
 *	cmp ecx,64; jbe 1f
 *	mov eax,ecx; sub eax,64; cmp eax,[es:0]; jne bad
 * 1:	mov [es:0],ecx; jmp loop
 * bad: mov [0x504],ecx; mov dword [0x508],0xbad; cli; hlt; jmp bad
 */
static const uint8_t guest[] = {
	0x31, 0xc0, 0x8e, 0xd8, 0x66, 0x31, 0xc9, 0x66, 0x41, 0x66, 0x89, 0x0e,
	0x00, 0x05, 0x89, 0xcb, 0x83, 0xe3, 0x3f, 0xc1, 0xe3, 0x08, 0x81, 0xc3,
	0x00, 0x10, 0x8e, 0xc3, 0x66, 0x83, 0xf9, 0x40, 0x76, 0x0f, 0x66, 0x89,
	0xc8, 0x66, 0x83, 0xe8, 0x40, 0x26, 0x66, 0x3b, 0x06, 0x00, 0x00, 0x75,
	0x08, 0x26, 0x66, 0x89, 0x0e, 0x00, 0x00, 0xeb, 0xce, 0x66, 0x89, 0x0e,
	0x04, 0x05, 0x66, 0xc7, 0x06, 0x08, 0x05, 0xad, 0x0b, 0x00, 0x00, 0xfa,
	0xf4, 0xeb, 0xee
};

/*
 * The disk guest: 32-bit protected mode from DISK_CODE (an ELF32), the
 * virtio-blk device in PCI slot 1, its queue of 8 at DESC/AVAIL/USED
 * (0x180000...), request header at 0x183000, status byte at 0x184000,
 * the block it writes at 0x185000, the 64 pages it reads into from
 * 0x190000.  One request in flight: chain 0 = header, data, status,
 * polled for on the used index.  On a failed request 0xbad1, on a block
 * read back wrong 0xbad2, at BAD.  Then, each count, 64 bytes from the
 * virtio-rng in slot 2 (queue at 0x186000...) into one of 16 pages
 * from 0x1d0000.
 */
#define DISK_CODE	0x100000
GUEST32(disk_guest,
	/* PCI slot 1: memory decoding on, BAR 0 into esi. */
	"mov $0x80000804, %eax\n\t"
	"mov $0xcf8, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $2, %eax\n\t"
	"mov $0xcfc, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $0x80000810, %eax\n\t"
	"mov $0xcf8, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $0xcfc, %dx\n\t"
	"in %dx, %eax\n\t"
	"and $0xfffffff0, %eax\n\t"
	"mov %eax, %esi\n\t"
	/* Reset, ACKNOWLEDGE | DRIVER, VERSION_1 only, FEATURES_OK. */
	"movb $0, 20(%esi)\n\t"
	"movb $3, 20(%esi)\n\t"
	"movl $1, 8(%esi)\n\t"
	"movl $1, 12(%esi)\n\t"
	"movl $0, 8(%esi)\n\t"
	"movl $0, 12(%esi)\n\t"
	"movb $0xb, 20(%esi)\n\t"
	/* Queue 0: 8 entries, its rings, enabled; DRIVER_OK. */
	"movw $0, 22(%esi)\n\t"
	"movw $8, 24(%esi)\n\t"
	"movl $0x180000, 32(%esi)\n\t"
	"movl $0, 36(%esi)\n\t"
	"movl $0x181000, 40(%esi)\n\t"
	"movl $0, 44(%esi)\n\t"
	"movl $0x182000, 48(%esi)\n\t"
	"movl $0, 52(%esi)\n\t"
	"movw $1, 28(%esi)\n\t"
	"movb $0xf, 20(%esi)\n\t"
	/* The virtio-rng in slot 2 likewise, its BAR 0 kept at 0x50c. */
	"mov $0x80001004, %eax\n\t"
	"mov $0xcf8, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $2, %eax\n\t"
	"mov $0xcfc, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $0x80001010, %eax\n\t"
	"mov $0xcf8, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $0xcfc, %dx\n\t"
	"in %dx, %eax\n\t"
	"and $0xfffffff0, %eax\n\t"
	"mov %eax, %edi\n\t"
	"mov %edi, 0x50c\n\t"
	"movb $0, 20(%edi)\n\t"
	"movb $3, 20(%edi)\n\t"
	"movl $1, 8(%edi)\n\t"
	"movl $1, 12(%edi)\n\t"
	"movl $0, 8(%edi)\n\t"
	"movl $0, 12(%edi)\n\t"
	"movb $0xb, 20(%edi)\n\t"
	"movw $0, 22(%edi)\n\t"
	"movw $8, 24(%edi)\n\t"
	"movl $0x186000, 32(%edi)\n\t"
	"movl $0, 36(%edi)\n\t"
	"movl $0x187000, 40(%edi)\n\t"
	"movl $0, 44(%edi)\n\t"
	"movl $0x188000, 48(%edi)\n\t"
	"movl $0, 52(%edi)\n\t"
	"movw $1, 28(%edi)\n\t"
	"movb $0xf, 20(%edi)\n\t"
	"mov $1, %ebp\n"
	/* The count n in ebp; its block at sector (n % 16) * 8. */
	"1:\n\t"
	"mov $0x185000, %edi\n\t"
	"mov %ebp, %eax\n\t"
	"mov $1024, %ecx\n\t"
	"cld\n\t"
	"rep stosl\n\t"
	"mov $1, %eax\n\t"			/* VIRTIO_BLK_T_OUT */
	"mov $0x185000, %ebx\n\t"
	"xor %ecx, %ecx\n\t"
	"call 9f\n\t"
	"test %al, %al\n\t"
	"jnz 8f\n\t"
	"mov %ebp, %ebx\n\t"			/* read into page n % 64 */
	"and $63, %ebx\n\t"
	"shl $12, %ebx\n\t"
	"add $0x190000, %ebx\n\t"
	"xor %eax, %eax\n\t"			/* VIRTIO_BLK_T_IN */
	"mov $2, %ecx\n\t"			/* device-writable */
	"call 9f\n\t"
	"test %al, %al\n\t"
	"jnz 8f\n\t"
	"mov %ebp, %edi\n\t"
	"and $63, %edi\n\t"
	"shl $12, %edi\n\t"
	"add $0x190000, %edi\n\t"
	"mov %ebp, %eax\n\t"
	"mov $1024, %ecx\n\t"
	"repe scasl\n\t"
	"jne 7f\n\t"
	/* 64 random bytes into page n % 16 from 0x1d0000. */
	"mov %ebp, %ebx\n\t"
	"and $15, %ebx\n\t"
	"shl $12, %ebx\n\t"
	"add $0x1d0000, %ebx\n\t"
	"mov %ebx, 0x186000\n\t"
	"movl $0, 0x186004\n\t"
	"movl $64, 0x186008\n\t"
	"movl $2, 0x18600c\n\t"
	"movzwl 0x187002, %eax\n\t"
	"mov %eax, %edx\n\t"
	"and $7, %edx\n\t"
	"movw $0, 0x187004(,%edx,2)\n\t"
	"inc %eax\n\t"
	"mov %ax, 0x187002\n\t"
	"mov 0x50c, %edx\n\t"
	"movw $0, 0x3000(%edx)\n"
	"4:\n\t"
	"pause\n\t"
	"cmp 0x188002, %ax\n\t"
	"jne 4b\n\t"
	"mov %ebp, 0x500\n\t"
	"inc %ebp\n\t"
	"jmp 1b\n"
	"7:\n\t"
	"movl $0xbad2, 0x508\n\t"
	"jmp 6f\n"
	"8:\n\t"
	"movl $0xbad1, 0x508\n"
	"6:\n\t"
	"mov %ebp, 0x504\n\t"
	"cli\n\t"
	"hlt\n\t"
	"jmp 6b\n"
	/* Request: type eax, block n's sector, buffer ebx, its flags ecx. */
	"9:\n\t"
	"mov %eax, 0x183000\n\t"
	"movl $0, 0x183004\n\t"
	"mov %ebp, %edx\n\t"
	"and $15, %edx\n\t"
	"shl $3, %edx\n\t"
	"mov %edx, 0x183008\n\t"
	"movl $0, 0x18300c\n\t"
	"movb $0xff, 0x184000\n\t"
	"movl $0x183000, 0x180000\n\t"	/* desc 0: header, NEXT 1 */
	"movl $0, 0x180004\n\t"
	"movl $16, 0x180008\n\t"
	"movl $0x10001, 0x18000c\n\t"
	"mov %ebx, 0x180010\n\t"		/* desc 1: data, NEXT 2 */
	"movl $0, 0x180014\n\t"
	"movl $4096, 0x180018\n\t"
	"or $0x20001, %ecx\n\t"
	"mov %ecx, 0x18001c\n\t"
	"movl $0x184000, 0x180020\n\t"	/* desc 2: status, WRITE */
	"movl $0, 0x180024\n\t"
	"movl $1, 0x180028\n\t"
	"movl $2, 0x18002c\n\t"
	"movzwl 0x181002, %eax\n\t"		/* chain 0 made available */
	"mov %eax, %edx\n\t"
	"and $7, %edx\n\t"
	"movw $0, 0x181004(,%edx,2)\n\t"
	"inc %eax\n\t"
	"mov %ax, 0x181002\n\t"
	"movw $0, 0x3000(%esi)\n"		/* notify queue 0 */
	"5:\n\t"
	"pause\n\t"
	"cmp 0x182002, %ax\n\t"
	"jne 5b\n\t"
	"movzbl 0x184000, %eax\n\t"
	"ret\n\t"
);

/*
 * The 64 MiB guest: 32-bit protected mode from DISK_CODE (an ELF32); the
 * first byte of every page from BIG_PAGES to BIG_END one more, each pass,
 * then the pass counted at COUNT and a '.' out of the UART at 0x3f8.
 */
#define BIG_RAM		(80ULL << 20)
#define BIG_PAGES	(16ULL << 20)
#define BIG_NR		((64ULL << 20) / 4096)
GUEST32(big_guest,
	"mov $0x3f8, %dx\n"
	"1:\n\t"
	"mov $0x1000000, %ebx\n"
	"2:\n\t"
	"incb (%ebx)\n\t"
	"add $0x1000, %ebx\n\t"
	"cmp $0x5000000, %ebx\n\t"
	"jne 2b\n\t"
	"incl 0x500\n\t"
	"mov $0x2e, %al\n\t"
	"out %al, %dx\n\t"
	"jmp 1b\n\t"
);

static struct vmctl *sys;	/* opened by each test's source() */

static volatile uint32_t *word(struct vmctl_vm *vm, uint64_t gpa)
{
	return vmctl_vm_gpa_to_hva(vm, gpa, 4);
}

/* Wait until the guest counted past n: 0, or -1 when it stopped. */
static int count_past(struct vmctl_vm *vm, uint32_t n)
{
	int i;

	for (i = 0; i < 20000 && *word(vm, COUNT) <= n; i++)
		usleep(1000);
	return *word(vm, COUNT) > n && *word(vm, BAD) != 0xbad ? 0 : -1;
}

/* A 32-bit guest as an ELF32 executable: one PT_LOAD at DISK_CODE. */
static bool write_guest32(int fd, const struct guest_code *g)
{
	size_t len = g->end - g->start;
	Elf32_Ehdr e = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = DISK_CODE, .e_phoff = sizeof(e),
		.e_ehsize = sizeof(e), .e_phentsize = sizeof(Elf32_Phdr),
		.e_phnum = 1,
	};
	Elf32_Phdr p = {
		.p_type = PT_LOAD, .p_offset = 4096, .p_vaddr = DISK_CODE,
		.p_paddr = DISK_CODE, .p_filesz = len, .p_memsz = len,
		.p_flags = PF_R | PF_X, .p_align = 4096,
	};

	return pwrite(fd, &e, sizeof(e), 0) == sizeof(e) &&
	       pwrite(fd, &p, sizeof(p), sizeof(e)) == sizeof(p) &&
	       pwrite(fd, g->start, len, 4096) == (ssize_t)len;
}

/* The counting guest, or with disk (an image) the disk guest, running. */
static struct vmctl_vm *source(const char *disk)
{
	char path[] = "/tmp/migrate_test.XXXXXX";
	struct vmctl_disk d = { .path = disk };
	struct vmctl_vm *vm = NULL;
	int fd = mkstemp(path);
	bool image;

	if (!sys && vmctl_open(&sys))
		return NULL;
	image = fd >= 0 && (disk ? write_guest32(fd, &disk_guest) :
			    write(fd, guest, sizeof(guest)) == sizeof(guest));
	if (!image || vmctl_vm_create(sys, "mig-src", &vm) ||
	    vmctl_vm_add_memory(vm, 0, RAM, 0) < 0 ||
	    (disk && (vmctl_disk_create(vm, &d) || vmctl_rng_create(vm))) ||
	    (disk ? vmctl_load_elf(vm, path) :
		    vmctl_load_flat(vm, path, VMCTL_ENTRY_DEFAULT,
				    VMCTL_ENTRY_DEFAULT)) ||
	    vmctl_vcpu_create(vm, 0, NULL) || vmctl_vm_start(vm) ||
	    count_past(vm, disk ? 100 : 1000)) {
		fprintf(stderr, "# source: %s\n", vmctl_error_detail());
		vm = NULL;
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return vm;
}

/*
 * The 64 MiB guest running, its UART's output into the pipe whose read
 * end is *marks (non-blocking), its first pass done.
 */
static struct vmctl_vm *big_source(int *marks)
{
	char path[] = "/tmp/migrate_test.XXXXXX";
	struct vmctl_vm *vm = NULL;
	int fd = mkstemp(path), p[2] = { -1, -1 };

	if (!sys && vmctl_open(&sys))
		return NULL;
	if (fd < 0 || !write_guest32(fd, &big_guest) ||
	    pipe2(p, O_NONBLOCK | O_CLOEXEC) ||
	    vmctl_vm_create(sys, "mig-src", &vm) ||
	    vmctl_vm_add_memory(vm, 0, BIG_RAM, 0) < 0 ||
	    vmctl_uart_create(vm, VMCTL_COM1_BASE, -1, p[1], NULL) ||
	    vmctl_load_elf(vm, path) || vmctl_vcpu_create(vm, 0, NULL) ||
	    vmctl_vm_start(vm) || count_past(vm, 0)) {
		fprintf(stderr, "# source: %s\n", vmctl_error_detail());
		vm = NULL;
	}
	*marks = p[0];
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return vm;
}

/* The marks that came out of the pipe since the last look. */
static unsigned int marks_read(int fd)
{
	char buf[4096];
	unsigned int n = 0;
	ssize_t got;
	int i;

	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < got; i++)
			n += buf[i] == '.';
	return n;
}

/* At least n more marks within 60 s: 0, or -1. */
static int marks_come(int fd, unsigned int n)
{
	unsigned int seen = 0;
	int i;

	marks_read(fd);
	for (i = 0; i < 600 && seen < n; i++) {
		usleep(100000);
		seen += marks_read(fd);
	}
	return seen >= n ? 0 : -1;
}

/*
 * The 64 MiB of a paused or not started big guest, consistent with its
 * count c: a run of pages whose first byte is c + 1 (this pass's), then
 * only c (mod 256).
 */
static int consistent(struct vmctl_vm *vm)
{
	const uint8_t *p = vmctl_vm_gpa_to_hva(vm, BIG_PAGES, BIG_NR * 4096);
	uint8_t c = *word(vm, COUNT);
	size_t i = 0;

	while (i < BIG_NR && p[i * 4096] == (uint8_t)(c + 1))
		i++;
	while (i < BIG_NR && p[i * 4096] == c)
		i++;
	if (i < BIG_NR)
		printf("# page %zu of 64 MiB holds %u, the count is %u\n", i,
		       p[i * 4096], c);
	return i == BIG_NR;
}

enum dest_kind { DEST_GOOD, DEST_HANG_UP, DEST_REFUSE };

struct dest {
	int fd;
	enum dest_kind kind;
	const char *disk;		/* the source's image, or NULL */
	int big_marks;			/* the big guest's UART pipe, or 0 */
	struct vmctl_vm *src;		/* paused once ours has its state */
	struct vmctl_vm *vm;
	int ret;
	int same_ram;			/* our RAM == the paused source's */
	int consistent;			/* the big guest's pages, received */
	uint64_t start_tsc;
};

/* Both VMs' RAM (size bytes) equal; the first difference said when not. */
static int same_ram(struct vmctl_vm *a, struct vmctl_vm *b, uint64_t size)
{
	const uint32_t *x = vmctl_vm_gpa_to_hva(a, 0, size);
	const uint32_t *y = vmctl_vm_gpa_to_hva(b, 0, size);
	size_t i;

	for (i = 0; i < size / 4; i++)
		if (x[i] != y[i]) {
			printf("# RAM differs at 0x%zx: 0x%x here, 0x%x there (count 0x%x there)\n",
			       i * 4, x[i], y[i], y[COUNT / 4]);
			return 0;
		}
	return 1;
}

static void *destination(void *arg)
{
	struct dest *d = arg;
	uint64_t ram = d->big_marks ? BIG_RAM : RAM;
	struct vmctl_incoming *inc;

	d->ret = vmctl_incoming_open(d->fd, &inc);
	if (d->ret)
		return NULL;
	d->ret = vmctl_vm_create(sys, "mig-dst", &d->vm);
	if (!d->ret && vmctl_vm_add_memory(d->vm, 0, ram, 0) < 0)
		d->ret = -ENOMEM;
	if (!d->ret && d->big_marks)
		d->ret = vmctl_uart_create(d->vm, VMCTL_COM1_BASE, -1,
					   d->big_marks, NULL);
	/* Shared storage: the source's image, locked once it lets go. */
	if (!d->ret && d->disk)
		d->ret = vmctl_disk_create(d->vm, &(struct vmctl_disk){
					   .path = d->disk, .incoming = 1 });
	if (!d->ret && d->disk)
		d->ret = vmctl_rng_create(d->vm);
	/* A VM unlike the source's: refused once all of it came. */
	if (!d->ret && d->kind == DEST_REFUSE)
		d->ret = vmctl_vm_create_pc(d->vm);
	if (!d->ret)
		d->ret = vmctl_incoming_receive(inc, d->vm);
	if (!d->ret) {
		d->same_ram = same_ram(d->vm, d->src, ram);
		d->consistent = d->big_marks && consistent(d->vm);
		d->ret = vmctl_vm_start(d->vm);
		d->start_tsc = __rdtsc();
	}
	vmctl_incoming_close(inc);
	return NULL;
}

/*
 * The connection cut: fds[0] the source's end, fds[1] the
 * destination's; the source's first CUT bytes pass, the destination's
 * answers all, then both ends close.
 */
#define CUT	(256 << 10)

struct cutter {
	int fds[2];
};

static void *cut(void *arg)
{
	struct cutter *c = arg;
	struct pollfd p[2] = { { .fd = c->fds[0], .events = POLLIN },
			       { .fd = c->fds[1], .events = POLLIN } };
	static char buf[64 << 10];
	size_t passed = 0;
	ssize_t n;
	int i;

	while (passed < CUT && poll(p, 2, -1) > 0) {
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = recv(p[i].fd, buf, i ? sizeof(buf) :
				 sizeof(buf) < CUT - passed ? sizeof(buf) :
				 CUT - passed, 0);
			if (n <= 0 || send(p[!i].fd, buf, n, MSG_NOSIGNAL) != n)
				goto out;
			if (!i)
				passed += n;
		}
	}
out:
	close(c->fds[0]);
	close(c->fds[1]);
	return NULL;
}

/* Migrate src to a destination of kind: migrate's result, d filled. */
static int migrate(struct vmctl_vm *src, struct dest *d,
		   const struct vmctl_migrate_opts *opts,
		   struct vmctl_migrate_stats *st)
{
	struct cutter c;
	pthread_t t, tc;
	int sv[2], cv[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	d->fd = sv[1];
	d->src = src;
	if (d->kind == DEST_HANG_UP) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cv))
			return -errno;
		c.fds[0] = sv[1];
		c.fds[1] = cv[0];
		d->fd = cv[1];
		pthread_create(&tc, NULL, cut, &c);
	}
	pthread_create(&t, NULL, destination, d);
	ret = vmctl_vm_migrate(src, sv[0], "cfg", 3, opts, st);
	if (ret)
		fprintf(stderr, "# source: %s\n", vmctl_error_detail());
	close(sv[0]);
	pthread_join(t, NULL);
	close(d->fd);
	if (d->kind == DEST_HANG_UP)
		pthread_join(tc, NULL);
	return ret;
}

static void report(const char *what, const struct vmctl_migrate_stats *st,
		   const struct dest *d)
{
	unsigned int i;

	printf("# %s: %u rounds, pages sent:", what, st->rounds);
	for (i = 0; i <= st->rounds; i++)
		printf(" %llu", (unsigned long long)st->round_pages[i]);
	printf(", paused %llu; %llu bytes; downtime %llu TSC ticks (%llu us, %llu foreseen); %llu ms; throttle %u%%\n",
	       (unsigned long long)st->final_pages,
	       (unsigned long long)st->bytes,
	       (unsigned long long)(d->start_tsc - st->pause_tsc),
	       (unsigned long long)st->downtime_us,
	       (unsigned long long)st->expected_downtime_us,
	       (unsigned long long)st->elapsed_ms, st->max_throttle_pct);
}

static void end(struct vmctl_vm *vm)
{
	struct vmctl_vm_end e;

	if (!vm)
		return;
	vmctl_vm_stop(vm);
	vmctl_vm_wait(vm, &e);
	vmctl_vm_destroy(vm);
}

/*
 * Moved while it runs; the pages it wrote meanwhile arrive.  Its
 * figures into stats, unless NULL.
 */
static void moved(struct __test_metadata *_metadata, const char *what,
		  const struct vmctl_migrate_opts *opts,
		  struct vmctl_migrate_stats *stats)
{
	struct vmctl_migrate_stats st;
	struct dest d = { .kind = DEST_GOOD };
	struct vmctl_vm *src;
	uint32_t at;

	src = source(NULL);
	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, migrate(src, &d, opts, &st));
	ASSERT_EQ(0, d.ret);
	EXPECT_TRUE(vmctl_vm_paused(src));
	EXPECT_TRUE(d.same_ram);
	/* Pre-copy ran while the guest wrote. */
	EXPECT_LT(0, st.rounds);
	EXPECT_LT(0, st.round_pages[1]);
	at = *word(src, COUNT);
	EXPECT_EQ(0, count_past(d.vm, at + 100000));
	EXPECT_NE(0xbad, *word(d.vm, BAD));
	report(what, &st, &d);
	if (stats)
		*stats = st;
	end(src);
	end(d.vm);
}

TEST(live)
{
	moved(_metadata, "converging", NULL, NULL);
}

TEST(round_cap)
{
	/* Never few enough dirty pages: the cap ends pre-copy. */
	struct vmctl_migrate_opts opts = { .max_rounds = 4,
					   .max_final_pages = 1 };

	moved(_metadata, "capped at 4 rounds", &opts, NULL);
}

/*
 * --max-bandwidth: pre-copy's pages (the first copy and one dirty
 * round, the cap) cannot leave faster than the limit, so the migration
 * takes at least their bytes over it: 2 s for the counting guest's 131
 * pages at 256 KiB/s, where the test machine's socketpair carries them
 * in a tenth of that.
 */
#define BANDWIDTH	(256ULL << 10)

TEST(max_bandwidth)
{
	struct vmctl_migrate_opts opts = { .max_rounds = 1,
					   .max_bandwidth = BANDWIDTH };
	struct vmctl_migrate_stats st = { 0 };
	uint64_t pages, least_ms;

	moved(_metadata, "at most 256 KiB/s", &opts, &st);
	ASSERT_EQ(1, st.rounds);
	pages = st.round_pages[0] + st.round_pages[1];
	least_ms = pages * 4096 * 1000 / BANDWIDTH;
	printf("# at most %llu bytes/s: %llu pages of pre-copy, %llu bytes, at least %llu ms, took %llu ms; the last round measured %llu bytes/s\n",
	       BANDWIDTH, (unsigned long long)pages,
	       (unsigned long long)pages * 4096,
	       (unsigned long long)least_ms,
	       (unsigned long long)st.elapsed_ms,
	       (unsigned long long)st.bandwidth);
	EXPECT_LE(least_ms, st.elapsed_ms);
}

/* The source runs on after a failed migration: not paused, counting. */
static void runs_on(struct __test_metadata *_metadata, struct vmctl_vm *src)
{
	EXPECT_FALSE(vmctl_vm_paused(src));
	EXPECT_EQ(0, count_past(src, *word(src, COUNT) + 100000));
}

TEST(failures)
{
	struct vmctl_migrate_stats st;
	struct dest d = { .kind = DEST_HANG_UP };
	struct vmctl_vm *src;

	src = source(NULL);
	ASSERT_NE(NULL, src);
	EXPECT_NE(0, migrate(src, &d, NULL, &st));
	EXPECT_NE(NULL, strstr(vmctl_error_detail(), "the VM stays here"));
	/* The destination saw the stream end, and made nothing run. */
	EXPECT_EQ(-EPROTO, d.ret);
	runs_on(_metadata, src);
	if (d.vm)
		vmctl_vm_destroy(d.vm);

	d = (struct dest){ .kind = DEST_REFUSE };
	EXPECT_EQ(-EINVAL, migrate(src, &d, NULL, &st));
	EXPECT_NE(NULL, strstr(vmctl_error_detail(),
			       "the destination refused"));
	/* Refused at the end: the source had paused, and resumed. */
	EXPECT_NE(0, st.pause_tsc);
	runs_on(_metadata, src);
	end(d.vm);

	/* And it still moves. */
	d = (struct dest){ .kind = DEST_GOOD };
	EXPECT_EQ(0, migrate(src, &d, NULL, &st));
	EXPECT_EQ(0, d.ret);
	EXPECT_TRUE(d.same_ram);
	EXPECT_EQ(0, count_past(d.vm, *word(src, COUNT) + 100000));
	end(src);
	end(d.vm);
}

/* The guest's counts in 300 ms, on whichever VM runs it. */
static uint32_t speed(struct vmctl_vm *vm)
{
	uint32_t at = *word(vm, COUNT);

	usleep(300000);
	return *word(vm, COUNT) - at;
}

/*
 * The counting guest writes its 65 pages over and over, so every round
 * finds all of them whatever it lasts: asked for a round of at most one
 * page, pre-copy never gets there on its own, and gives up at the
 * timeout, the source running on at full speed.  Slowed down
 * (auto-converge), the guest sleeps between its 10 ms slices, a round
 * falls in a sleep and finds nothing, and the guest moves.
 */
TEST(auto_converge)
{
	struct vmctl_migrate_opts opts = { .max_final_pages = 1,
					   .timeout_s = 3,
					   .no_auto_converge = 1 };
	struct vmctl_migrate_stats st;
	struct dest d = { .kind = DEST_GOOD };
	struct vmctl_vm *src;
	uint32_t before;

	src = source(NULL);
	ASSERT_NE(NULL, src);
	before = speed(src);
	EXPECT_EQ(-ETIMEDOUT, migrate(src, &d, &opts, &st));
	EXPECT_NE(NULL, strstr(vmctl_error_detail(),
			       "did not converge in time"));
	EXPECT_NE(NULL, strstr(vmctl_error_detail(), "the VM stays here"));
	EXPECT_EQ(0, st.max_throttle_pct);
	EXPECT_LT(2, st.rounds);
	/* The destination saw the stream end, and made nothing run. */
	EXPECT_NE(0, d.ret);
	if (d.vm)
		vmctl_vm_destroy(d.vm);
	runs_on(_metadata, src);
	EXPECT_LT(before / 3, speed(src));
	printf("# no auto-converge: gave up after %u rounds of %llu pages, %llu ms\n",
	       st.rounds, (unsigned long long)st.round_pages[1],
	       (unsigned long long)st.elapsed_ms);

	/* Slowed down, then refused at the end: at full speed again. */
	opts = (struct vmctl_migrate_opts){ .max_final_pages = 1,
					    .timeout_s = 120 };
	d = (struct dest){ .kind = DEST_REFUSE };
	EXPECT_EQ(-EINVAL, migrate(src, &d, &opts, &st));
	EXPECT_LE(20, st.max_throttle_pct);
	end(d.vm);
	EXPECT_FALSE(vmctl_vm_paused(src));
	EXPECT_LT(before / 3, speed(src));

	d = (struct dest){ .kind = DEST_GOOD };
	ASSERT_EQ(0, migrate(src, &d, &opts, &st));
	ASSERT_EQ(0, d.ret);
	EXPECT_TRUE(d.same_ram);
	EXPECT_LE(20, st.max_throttle_pct);
	EXPECT_GE(1, st.round_pages[st.rounds]);
	EXPECT_EQ(0, count_past(d.vm, *word(src, COUNT) + 100000));
	EXPECT_NE(0xbad, *word(d.vm, BAD));
	report("auto-converge", &st, &d);
	end(src);
	end(d.vm);
}

/*
 * The disk guest moved while it writes and reads its disk and takes
 * random bytes: the pages the devices wrote during pre-copy arrive (same
 * RAM), the destination takes the image over and the guest's I/O goes
 * on there.  Before that,
 * a destination that refuses at the end: the source takes its image
 * back and goes on with its I/O.
 */
TEST(disk_and_rng)
{
	char img[] = "/tmp/migrate_disk.XXXXXX";
	struct vmctl_migrate_stats st;
	struct dest d = { .kind = DEST_REFUSE, .disk = img };
	struct vmctl_vm *src;
	int fd = mkstemp(img);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	src = source(img);
	ASSERT_NE(NULL, src);

	EXPECT_EQ(-EINVAL, migrate(src, &d, NULL, &st));
	EXPECT_FALSE(vmctl_vm_paused(src));
	EXPECT_EQ(0, count_past(src, *word(src, COUNT) + 50));
	end(d.vm);

	d = (struct dest){ .kind = DEST_GOOD, .disk = img };
	ASSERT_EQ(0, migrate(src, &d, NULL, &st));
	ASSERT_EQ(0, d.ret);
	EXPECT_TRUE(d.same_ram);
	EXPECT_LT(0, st.rounds);
	EXPECT_EQ(0, count_past(d.vm, *word(src, COUNT) + 200));
	EXPECT_EQ(0, *word(d.vm, BAD));
	report("virtio disk and rng", &st, &d);
	end(src);
	end(d.vm);
	unlink(img);
}

/*
 * The 64 MiB guest: a 1 ms downtime, not slowed down, never fits the
 * 64 MiB each round finds: pre-copy gives up at its timeout, the source
 * running on, marks coming.  Then with a downtime a round can meet: the
 * destination's pages are consistent with the passes it counted before
 * it starts, again once it has run (paused to look), and marks come out
 * of its UART.  Three copies of 64 MiB at the test machine's 5.6 MB/s
 * and the 5 s given up: longer than the harness's default 30 s.  5 s,
 * not more: the first round already proves the giving up, and each
 * second of the test machine's clock costs about four of make check's.
 */
FIXTURE(big) {
	int unused;
};

FIXTURE_SETUP(big)
{
}

FIXTURE_TEARDOWN(big)
{
}

TEST_F_TIMEOUT(big, pages_64m, 600)
{
	struct vmctl_migrate_opts opts = { .max_downtime_ms = 1,
					   .timeout_s = 5,
					   .no_auto_converge = 1 };
	struct vmctl_migrate_stats st;
	struct dest d = { .kind = DEST_GOOD };
	int src_marks = -1, p[2];
	struct vmctl_vm *src;

	(void)self;
	(void)variant;
	src = big_source(&src_marks);
	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK | O_CLOEXEC));
	d.big_marks = p[1];
	EXPECT_EQ(-ETIMEDOUT, migrate(src, &d, &opts, &st));
	EXPECT_NE(NULL, strstr(vmctl_error_detail(),
			       "did not converge in time"));
	EXPECT_NE(0, d.ret);
	if (d.vm)
		vmctl_vm_destroy(d.vm);
	EXPECT_FALSE(vmctl_vm_paused(src));
	EXPECT_EQ(0, marks_come(src_marks, 3));
	printf("# 64 MiB, 1 ms downtime: gave up after %u rounds, %llu bytes, %llu ms\n",
	       st.rounds, (unsigned long long)st.bytes,
	       (unsigned long long)st.elapsed_ms);

	opts = (struct vmctl_migrate_opts){ .max_downtime_ms = 60000 };
	d = (struct dest){ .kind = DEST_GOOD, .big_marks = p[1] };
	ASSERT_EQ(0, migrate(src, &d, &opts, &st));
	ASSERT_EQ(0, d.ret);
	EXPECT_TRUE(d.same_ram);
	EXPECT_TRUE(d.consistent);
	EXPECT_EQ(0, marks_come(p[0], 3));
	EXPECT_EQ(0, count_past(d.vm, *word(src, COUNT) + 3));
	ASSERT_EQ(0, vmctl_vm_pause(d.vm));
	EXPECT_TRUE(consistent(d.vm));
	EXPECT_EQ(0, vmctl_vm_resume(d.vm));
	report("64 MiB", &st, &d);
	end(src);
	end(d.vm);
	close(src_marks);
	close(p[0]);
	close(p[1]);
}

TEST_HARNESS_MAIN
