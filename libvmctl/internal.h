/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmctl internals: the handles' contents and the pure-logic pieces
 * (I/O table, ELF and flat planning, boot CPU state) that the unit tests
 * in tests/ call directly.  The device layer is device.h; each device
 * model's insides are in its own header.
 */
#ifndef VMCTL_INTERNAL_H
#define VMCTL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <linux/vmctl.h>
#include <vmctl/libvmctl.h>

#include "device.h"

#define VMCTL_PAGE_SIZE		4096ULL
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* ---- errors and logging (error.c) ---- */

/* Record the specifics of a failure for vmctl_error_detail(); returns err. */
int vmctl_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Where a loader writes [gpa, gpa + len): the host address, or the
 * loaders' range error (-VMCTL_E_IMAGE_RANGE, with its message) when the
 * range is not inside one RAM slot.
 */
int vmctl_image_dst(struct vmctl_vm *vm, uint64_t gpa, uint64_t len,
		    void **dst);
void vmctl_clear_detail(void);
void vmctl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * CRC-32 of buf continuing crc (0 to start), as zlib's crc32() (crc32.c).
 */
uint32_t vmctl_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * Every feature flag of the CPUID table saved (a snapshot's) is in host
 * (a new vCPU's here): 0, or -EOPNOTSUPP naming the leaf and bits
 * (cpuid_check.c).
 */
int vmctl_cpuid_check(const struct vmctl_cpuid *saved,
		      const struct vmctl_cpuid *host);

/* ---- the I/O dispatch table (io_table.c) ---- */

struct vmctl_io_range {
	uint64_t base;
	uint64_t len;
	const struct vmctl_io_ops *ops;
	void *opaque;
};

struct vmctl_io_table {
	struct vmctl_io_range *ranges;	/* sorted by base, disjoint */
	size_t nr;
	size_t room;
};

int vmctl_io_table_add(struct vmctl_io_table *t, uint64_t base, uint64_t len,
		       const struct vmctl_io_ops *ops, void *opaque);
const struct vmctl_io_range *vmctl_io_table_find(const struct vmctl_io_table *t,
						 uint64_t addr);
void vmctl_io_table_free(struct vmctl_io_table *t);

/*
 * Carry out one access through the table.  Returns false when no device
 * claims addr: reads then yield all-ones, writes are dropped.
 */
bool vmctl_io_table_access(const struct vmctl_io_table *t, uint64_t addr,
			   unsigned int size, bool is_write, uint64_t *value);

/*
 * Serve a VMCTL_EXIT_IO or VMCTL_EXIT_MMIO exit in run (run_size bytes)
 * with table; unclaimed(ctx, addr, is_write) is called for accesses no
 * device claims.  Returns 0 or -EINVAL for a malformed exit.
 */
typedef void (*vmctl_unclaimed_fn)(void *ctx, uint64_t addr, bool is_write);
int vmctl_serve_pio_exit(const struct vmctl_io_table *t, struct vmctl_run *run,
			 size_t run_size, vmctl_unclaimed_fn unclaimed,
			 void *ctx);
int vmctl_serve_mmio_exit(const struct vmctl_io_table *t,
			  struct vmctl_run *run, vmctl_unclaimed_fn unclaimed,
			  void *ctx);

/* ---- image files (load.c) ---- */

/* A file mapped read-only; len 0 leaves data NULL. */
struct vmctl_image {
	const uint8_t *data;
	size_t len;
};

int vmctl_map_image(const char *path, struct vmctl_image *img);
/* Safe on a zeroed, never-mapped image. */
void vmctl_unmap_image(struct vmctl_image *img);

/* ---- image planning (elf.c, flat.c, boot.c): no I/O, no ioctls ---- */

enum vmctl_cpu_mode { VMCTL_MODE_REAL, VMCTL_MODE_PROT32, VMCTL_MODE_LONG64 };

#define VMCTL_MAX_LOAD_SEGS	16

struct vmctl_load_seg {
	uint64_t file_off;
	uint64_t file_size;
	uint64_t gpa;
	uint64_t mem_size;	/* >= file_size; the rest is zeroed */
};

struct vmctl_load_plan {
	enum vmctl_cpu_mode mode;
	uint64_t entry;
	unsigned int nr_segs;
	struct vmctl_load_seg segs[VMCTL_MAX_LOAD_SEGS];
};

int vmctl_elf_plan(const void *img, size_t len, uint64_t mem_size,
		   struct vmctl_load_plan *plan);
int vmctl_flat_plan(size_t len, uint64_t load, uint64_t entry,
		    uint64_t mem_size, struct vmctl_load_plan *plan);

/* Where the boot structures of a protected/long-mode start go. */
struct vmctl_boot_area {
	uint64_t gpa;		/* page aligned */
	uint64_t size;
	uint64_t gdt;		/* GDT, then the TSS, in the first page */
	uint64_t tss;
	uint64_t pml4;		/* long mode: PML4, PDPT, PDs */
	unsigned int nr_pds;
	uint64_t stack_top;
};

#define VMCTL_BOOT_STACK_SIZE	(16 * 1024ULL)
#define VMCTL_GDT_CODE		0x08
#define VMCTL_GDT_DATA		0x10
#define VMCTL_GDT_TSS		0x18

/* Choose the boot area: lowest free pages at or above 4 KiB. */
int vmctl_boot_area_plan(const struct vmctl_load_plan *plan,
			 uint64_t mem_size, struct vmctl_boot_area *area);
/* Fill the boot area (host view at mem, area->size bytes). */
void vmctl_boot_area_fill(const struct vmctl_boot_area *area,
			  enum vmctl_cpu_mode mode, void *mem);
/* The registers a vCPU starts with. */
void vmctl_boot_cpu_state(const struct vmctl_load_plan *plan,
			  const struct vmctl_boot_area *area,
			  struct vmctl_regs *regs, struct vmctl_sregs *sregs);

/*
 * ---- the devices every PC guest gets (pc.c): the CMOS clock, quiet
 * legacy ports; once per VM, later calls do nothing ----
 */
int vmctl_pc_devices_create(struct vmctl_vm *vm);

/*
 * ---- handles (sys.c, vm.c, memory.c, vcpu.c, run.c) ----
 * The contents of the public header's opaque types.  The module's own
 * objects are struct vmk_vm and struct vmk_vcpu (kmod/vm/), private to
 * it: these reach them only through the VM and vCPU fds.
 */

struct vmctl {
	int fd;
	int api_version;
	int run_size;		/* VMCTL_GET_RUN_SIZE, read on first use */
};

struct vmctl_mem_region {
	bool used;
	uint64_t gpa;
	uint64_t size;
	void *hva;
	uint32_t flags;		/* VMCTL_MEM_* as last set */
	uint64_t *user_dirty;	/* dirty.c's bitmap, NULL until a migration */
};

struct vmctl_vcpu {
	struct vmctl_vm *vm;
	unsigned int id;
	int fd;
	struct vmctl_run *run;
	size_t run_size;
	pthread_t thread;
	bool thread_started;
	/* under vm->lock */
	bool thread_exited;	/* its thread is past its loop */
	uint64_t throttle_ns;	/* sleep this long before entering */
};

/*
 * What the last image load needs the vCPUs to start with.  A Linux boot
 * starts only vCPU 0; the others wait for the guest's INIT/SIPI.
 */
struct vmctl_boot_state {
	bool valid;
	bool linux_boot;
	bool linux_long_mode;
	uint64_t linux_entry;
	struct vmctl_load_plan plan;
	struct vmctl_boot_area area;
};

struct vmctl_vm {
	struct vmctl *sys;
	int fd;
	struct vmctl_mem_region mem[VMCTL_MAX_MEM_SLOTS];
	struct vmctl_vcpu *vcpus[VMCTL_MAX_VCPUS];
	struct vmctl_io_table pio;
	struct vmctl_io_table mmio;
	struct vmctl_device_list devices;	/* device.h */
	bool irqchip;			/* VMCTL_CREATE_IRQCHIP done */
	bool pic_pit;			/* VMCTL_CREATE_PIC_PIT done */
	uint16_t pm1_en;		/* PM1 enable bits, full ACPI (pm.c) */
	bool pc_devices;		/* vmctl_pc_devices_create() done */
	bool no_merge;			/* RAM not MADV_MERGEABLE */
	bool user_dirty_on;		/* dirty.c marks (atomic) */
	struct vmctl_boot_state boot;

	/* pause and resume against each other and the devices' stop */
	pthread_mutex_t pause_lock;
	/* run state, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running;
	bool stopping;
	bool paused;			/* vmctl_vm_pause(): vCPUs held */
	unsigned int parked;		/* vCPU threads held by the pause */
	unsigned int live_threads;
	unsigned int halted;
	unsigned int end_vcpu_halt;	/* the last vCPU to halt, and where */
	uint64_t end_rip_halt;
	struct vmctl_vm_end end;
	int done_fd;			/* eventfd, readable once ended */
	uint8_t pio_warned[65536 / 8];	/* unclaimed ports already logged */
	unsigned int mmio_warned;
	/* vmctl_vm_throttle(): percent, its thread (under lock) */
	unsigned int throttle_pct;
	bool throttling;
	pthread_t throttler;
};

int vmctl_vcpu_apply_boot(struct vmctl_vcpu *vcpu);

/*
 * ---- the userspace dirty log (dirty.c): guest RAM the host's threads
 * wrote, which the module's log does not see ----
 */
/* [hva, hva + len) of vm's RAM was written; nothing while logging is off. */
void vmctl_vm_mark_dirty(struct vmctl_vm *vm, const void *hva, uint64_t len);
/* Logging on, every slot's bitmap clear.  0 or -ENOMEM. */
int vmctl_vm_user_dirty_start(struct vmctl_vm *vm);
void vmctl_vm_user_dirty_stop(struct vmctl_vm *vm);
/* slot's pages marked since the last take, ORed into bitmap (or dropped). */
void vmctl_vm_user_dirty_take(struct vmctl_vm *vm, unsigned int slot,
			      uint64_t *bitmap);

/*
 * The guest asked to end the VM (ACPI poweroff or reset): record why
 * (the first reason wins) and stop every vCPU.  Called from a device's
 * I/O callback on a vCPU thread, whose vCPU and RIP are recorded.
 */
void vmctl_vm_guest_end(struct vmctl_vm *vm, enum vmctl_end_reason why);
/*
 * vCPU out of the guest (run.c): immediate_exit for one about to enter,
 * the kick signal for one inside.  With vm->lock held, on a started
 * vCPU.
 */
void vmctl_vcpu_kick(struct vmctl_vcpu *vcpu);

/*
 * ---- Slowing the vCPUs down (throttle.c), for a migration's
 * auto-converge ----
 */
/*
 * Every vCPU kicked out of the guest after each 10 ms it ran and made to
 * sleep pct / (100 - pct) of that: pct (at most 99) of its time taken
 * away; 0 ends it.  Ends with the VM too.  0 or -errno.
 */
int vmctl_vm_throttle(struct vmctl_vm *vm, unsigned int pct);
/*
 * On a vCPU's thread before it enters: the sleep a throttle kick asked
 * for, cut short by a pause, a stop or the throttle's end.
 */
void vmctl_vcpu_throttle_sleep(struct vmctl_vcpu *vcpu);

#endif /* VMCTL_INTERNAL_H */
