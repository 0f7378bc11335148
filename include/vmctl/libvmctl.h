/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmctl: a small C library over the vmctl.ko ABI (<linux/vmctl.h>).
 *
 * Handles are opaque.  Functions return 0 (or a non-negative value) on
 * success and a negative error number on failure: either -errno or one of
 * the library's own -VMCTL_E_* codes.  vmctl_strerror() turns both into
 * user-facing text; vmctl_error_detail() adds the specifics of the last
 * failure in the calling thread (which ELF segment, which range, ...).
 *
 * This header is plain C99 and includes no kernel header, so it compiles in
 * any consumer.  The few functions that take ABI structures take pointers
 * to them; include <linux/vmctl.h> to fill those in.
 *
 * This file is also included from guest assembly (.S): everything but the
 * hypercall numbers is hidden from the assembler.
 */
#ifndef VMCTL_LIBVMCTL_H
#define VMCTL_LIBVMCTL_H

/*
 * Hypercalls served by libvmctl's run loop (VMCALL with the number in RAX).
 * The module serves numbers below VMCTL_HC_USER_BASE itself and passes
 * every other number to userspace.
 */
#define VMCTL_HC_USER_BASE	0x10000
#define VMCTL_HC_POWEROFF	(VMCTL_HC_USER_BASE + 0) /* guest is done */

/*
 * Unknown hypercalls return this value in RAX (-ENOSYS), so a guest can
 * probe for them.
 */
#define VMCTL_HC_ENOSYS		(-38)

/* Where a flat image goes when the caller does not say (a boot sector's). */
#define VMCTL_FLAT_DEFAULT_LOAD	0x7c00

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMCTL_LIB_VERSION	"0.1.0"

/* The version of the library actually linked (may differ from the header). */
const char *vmctl_lib_version(void);

/* ABI structures, defined in <linux/vmctl.h>. */
struct vmctl_regs;
struct vmctl_sregs;
struct vmctl_cpuid;
struct vmctl_module_stats;
struct vmctl_vmx_cpus;
struct vmctl_vcpu_stats;
struct vmctl_msrs;
struct vmctl_msr_list;
struct vmctl_xsave;
struct vmctl_xcrs;
struct vmctl_debugregs;
struct vmctl_vcpu_events;
struct vmctl_mpstate;
struct vmctl_lapic_state;
struct vmctl_ioapic_state;
struct vmctl_pic_pit_state;
struct vmctl_clock;

/* Opaque handles. */
struct vmctl;		/* an open /dev/vmctl */
struct vmctl_vm;	/* a VM: its fd, memory, devices, vCPUs */
struct vmctl_vcpu;	/* one vCPU: its fd, run page and thread */
struct vmctl_uart;	/* a 16550A serial port model */

/* ------------------------------------------------------------------ */
/* Errors                                                               */

/* The library's own error codes (returned negated), above any errno. */
enum vmctl_error {
	VMCTL_E_BASE = 4096,
	VMCTL_E_NO_MODULE,	/* /dev/vmctl missing: module not loaded */
	VMCTL_E_DEVICE_ACCESS,	/* /dev/vmctl exists, no permission */
	VMCTL_E_API_VERSION,	/* module speaks another API version */
	VMCTL_E_IMAGE_TRUNCATED,
	VMCTL_E_IMAGE_FORMAT,	/* not an image this loader understands */
	VMCTL_E_IMAGE_RANGE,	/* part of the image lies outside memory */
	VMCTL_E_IMAGE_OVERLAP,	/* two ELF segments overlap */
	VMCTL_E_IMAGE_ENTRY,	/* entry point outside the loaded image */
	VMCTL_E_IMAGE_EMPTY,	/* nothing to load */
	VMCTL_E_NO_BOOT_ROOM,	/* no free memory for GDT/page tables */
	VMCTL_E_IO_OVERLAP,	/* device range overlaps a registered one */
	VMCTL_E_VM_RUNNING,	/* operation needs a stopped VM */
	VMCTL_E_DISK_LOCKED,	/* another VM (or process) holds the image */
	VMCTL_E_DISK_SIZE,	/* image size not a multiple of 512 bytes */
	VMCTL_E_END
};

/* Text for -errno or -VMCTL_E_* (either sign accepted).  Never NULL. */
const char *vmctl_strerror(int err);

/*
 * Specifics of the last failure in this thread, or "" when there are
 * none.  Valid until the thread's next libvmctl call.
 */
const char *vmctl_error_detail(void);

/* ------------------------------------------------------------------ */
/* The system device                                                    */

/* Open /dev/vmctl (or $VMCTL_DEVICE when set, for tests). */
int vmctl_open(struct vmctl **out);
void vmctl_close(struct vmctl *sys);

/* The module's API version (VMCTL_API_VERSION it was built with). */
int vmctl_api_version(struct vmctl *sys);
/* VMCTL_CHECK_CAP: 0 when absent, else the capability's value. */
long vmctl_check_cap(struct vmctl *sys, unsigned int cap);
int vmctl_module_stats(struct vmctl *sys, struct vmctl_module_stats *stats);
/*
 * VMCTL_GET_VMX_CPUS: which CPUs are online and in VMX operation.
 * -ENOTTY from a module older than the ioctl.
 */
int vmctl_vmx_cpus(struct vmctl *sys, struct vmctl_vmx_cpus *cpus);

/* ------------------------------------------------------------------ */
/* VMs and memory                                                       */

/* name may be NULL or "" (the module picks "vm<id>"). */
int vmctl_vm_create(struct vmctl *sys, const char *name, struct vmctl_vm **out);
/* Stops the vCPUs, closes every fd and frees the guest memory. */
void vmctl_vm_destroy(struct vmctl_vm *vm);

/* Module-wide id and name, from VMCTL_GET_VM_INFO. */
int vmctl_vm_id(struct vmctl_vm *vm, unsigned int *id, char *name,
		size_t name_len);

/*
 * Allocate size bytes of guest RAM (anonymous mmap, MAP_NORESERVE, huge
 * pages advised, mergeable by KSM unless turned off below) and map it at
 * guest_phys.  Returns the slot id (>= 0).
 * flags: VMCTL_MEM_* from <linux/vmctl.h>.
 */
int vmctl_vm_add_memory(struct vmctl_vm *vm, uint64_t guest_phys,
			uint64_t size, uint32_t flags);
/*
 * Whether RAM added from now on is marked MADV_MERGEABLE (default: 1),
 * so that the host's KSM, when running, shares identical pages between
 * guests (copy-on-write: a guest's write gets its own page again).  0
 * keeps guests' memory out of KSM (its contents never compared with
 * other processes' pages).
 */
void vmctl_vm_set_mergeable(struct vmctl_vm *vm, int mergeable);
int vmctl_vm_remove_memory(struct vmctl_vm *vm, int slot);

/*
 * Dirty-page logging of a slot (see VMCTL_GET_DIRTY_LOG in
 * <linux/vmctl.h>): on (1) or off (0), while the guest runs if need be.
 * get copies the log's bits for pages [first_page, first_page +
 * num_pages) of the slot into bitmap (num_pages bits in 64-bit words;
 * bit i of word w is page first_page + 64 * w + i) and changes nothing;
 * clear takes the pages set in bitmap out of the log and makes the
 * guest's next write to each of them log it again.  A migration round:
 * get, clear what it returned, copy those pages.  first_page must be a
 * multiple of 64; num_pages too unless the range ends the slot.  0 or
 * -errno (-ENOENT: the slot does not log).
 */
int vmctl_vm_log_dirty(struct vmctl_vm *vm, int slot, int on);
int vmctl_vm_get_dirty_log(struct vmctl_vm *vm, int slot, uint64_t first_page,
			   uint64_t num_pages, uint64_t *bitmap);
int vmctl_vm_clear_dirty_log(struct vmctl_vm *vm, int slot,
			     uint64_t first_page, uint64_t num_pages,
			     const uint64_t *bitmap);

/* Host address of [gpa, gpa + len) when it lies in one slot, else NULL. */
void *vmctl_vm_gpa_to_hva(struct vmctl_vm *vm, uint64_t gpa, uint64_t len);
/* Bytes of RAM starting at guest physical 0 with no hole. */
uint64_t vmctl_vm_low_memory(struct vmctl_vm *vm);

/* ------------------------------------------------------------------ */
/* vCPUs                                                                */

/*
 * Create vCPU id (0..VMCTL_MAX_VCPUS-1) and map its run page.  When an
 * image is loaded, the vCPU starts at its entry in the mode it needs.
 */
int vmctl_vcpu_create(struct vmctl_vm *vm, unsigned int id,
		      struct vmctl_vcpu **out);
struct vmctl_vcpu *vmctl_vm_vcpu(struct vmctl_vm *vm, unsigned int id);

int vmctl_vcpu_get_regs(struct vmctl_vcpu *vcpu, struct vmctl_regs *regs);
int vmctl_vcpu_set_regs(struct vmctl_vcpu *vcpu, const struct vmctl_regs *regs);
int vmctl_vcpu_get_sregs(struct vmctl_vcpu *vcpu, struct vmctl_sregs *sregs);
int vmctl_vcpu_set_sregs(struct vmctl_vcpu *vcpu,
			 const struct vmctl_sregs *sregs);
int vmctl_vcpu_set_cpuid(struct vmctl_vcpu *vcpu,
			 const struct vmctl_cpuid *cpuid);
/*
 * Drop KVM's leaves (0x40000100-0x400001ff) from the vCPU's CPUID: the
 * guest finds no KVM signature and none of its paravirtual features,
 * and the module serves none of their MSRs or hypercalls.
 */
int vmctl_vcpu_hide_kvm(struct vmctl_vcpu *vcpu);
int vmctl_vcpu_stats(struct vmctl_vcpu *vcpu, struct vmctl_vcpu_stats *stats);

/*
 * Save/restore state (<linux/vmctl.h>, "Saving and restoring a vCPU"):
 * 0 or -errno.  get/set_msrs return the number of entries done;
 * get_msr_list -E2BIG with list->nmsrs set when it has too little room.
 */
int vmctl_vcpu_get_msrs(struct vmctl_vcpu *vcpu, struct vmctl_msrs *msrs);
int vmctl_vcpu_set_msrs(struct vmctl_vcpu *vcpu,
			const struct vmctl_msrs *msrs);
int vmctl_vcpu_get_msr_list(struct vmctl_vcpu *vcpu,
			    struct vmctl_msr_list *list);
int vmctl_vcpu_get_xsave(struct vmctl_vcpu *vcpu, struct vmctl_xsave *xsave);
int vmctl_vcpu_set_xsave(struct vmctl_vcpu *vcpu,
			 const struct vmctl_xsave *xsave);
int vmctl_vcpu_get_xcrs(struct vmctl_vcpu *vcpu, struct vmctl_xcrs *xcrs);
int vmctl_vcpu_set_xcrs(struct vmctl_vcpu *vcpu,
			const struct vmctl_xcrs *xcrs);
int vmctl_vcpu_get_debugregs(struct vmctl_vcpu *vcpu,
			     struct vmctl_debugregs *dr);
int vmctl_vcpu_set_debugregs(struct vmctl_vcpu *vcpu,
			     const struct vmctl_debugregs *dr);
int vmctl_vcpu_get_events(struct vmctl_vcpu *vcpu,
			  struct vmctl_vcpu_events *ev);
int vmctl_vcpu_set_events(struct vmctl_vcpu *vcpu,
			  const struct vmctl_vcpu_events *ev);
int vmctl_vcpu_get_mp_state(struct vmctl_vcpu *vcpu, struct vmctl_mpstate *mp);
int vmctl_vcpu_set_mp_state(struct vmctl_vcpu *vcpu,
			    const struct vmctl_mpstate *mp);
int vmctl_vcpu_get_lapic(struct vmctl_vcpu *vcpu,
			 struct vmctl_lapic_state *lapic);
int vmctl_vcpu_set_lapic(struct vmctl_vcpu *vcpu,
			 const struct vmctl_lapic_state *lapic);
/*
 * All of one vCPU's state as one blob (versioned, sections in restore
 * order), malloc'd into *blob (free() it).  An exit that awaits its
 * completion is completed first (RUN with immediate_exit).  Restore
 * checks the whole blob before it loads anything: -EPROTO (with
 * vmctl_error_detail()) for a truncated, foreign or other-version blob.
 */
int vmctl_vcpu_save_state(struct vmctl_vcpu *vcpu, void **blob, size_t *len);
int vmctl_vcpu_restore_state(struct vmctl_vcpu *vcpu, const void *blob,
			     size_t len);

/*
 * The VM's part: the I/O APIC, the 8259s and PIT (a VM made with
 * vmctl_vm_create_pic_pit()), the clock (set it before any vCPU).
 */
int vmctl_vm_get_ioapic(struct vmctl_vm *vm, struct vmctl_ioapic_state *io);
int vmctl_vm_set_ioapic(struct vmctl_vm *vm,
			const struct vmctl_ioapic_state *io);
int vmctl_vm_get_pic_pit(struct vmctl_vm *vm, struct vmctl_pic_pit_state *pp);
int vmctl_vm_set_pic_pit(struct vmctl_vm *vm,
			 const struct vmctl_pic_pit_state *pp);
int vmctl_vm_get_clock(struct vmctl_vm *vm, struct vmctl_clock *clock);
int vmctl_vm_set_clock(struct vmctl_vm *vm, const struct vmctl_clock *clock);

/* ------------------------------------------------------------------ */
/* Snapshots                                                            */

/*
 * The whole VM into the file path (format: libvmctl/snapshot.h): the
 * caller's config bytes (how to make the VM again), the clock, every
 * vCPU's state blob, the I/O APIC, every device's state, and guest RAM
 * with pages of zeros left as holes.  The VM must be paused
 * (vmctl_vm_pause()) or not started: -EBUSY otherwise.  Written to a
 * temporary file renamed over path when complete, so a failure leaves
 * no file and the VM as it was.  -EOPNOTSUPP when a device's state
 * cannot be saved (vmctl_error_detail() names it).
 */
int vmctl_vm_snapshot(struct vmctl_vm *vm, const char *path,
		      const void *config, size_t config_len);

struct vmctl_snapshot;

/*
 * Open a snapshot and check all of it (magic, version, size, every
 * section's bounds and CRC) before anything is restored: -EPROTO with
 * vmctl_error_detail() saying what is wrong, or -errno.
 */
int vmctl_snapshot_open(const char *path, struct vmctl_snapshot **out);
/* The config bytes vmctl_vm_snapshot() was given (valid until close). */
const void *vmctl_snapshot_config(const struct vmctl_snapshot *s,
				  size_t *len);
/*
 * Put the snapshot into vm, which the caller made as the saved one was
 * made (the same RAM slots; the irqchip and the PC devices, see
 * vmctl_vm_create_pc(); the same UART and other devices) but without
 * loading an image nor creating vCPUs: this creates them.  Guest RAM is
 * mapped from the snapshot file copy-on-write and read as the guest
 * touches it, so the file must stay as it is while the VM runs (a new
 * snapshot over it is renamed into place and does not disturb it).
 * Then vmctl_vm_start().  0 or -errno; on failure destroy the VM.
 */
int vmctl_snapshot_restore(struct vmctl_snapshot *s, struct vmctl_vm *vm);
void vmctl_snapshot_close(struct vmctl_snapshot *s);

/* ------------------------------------------------------------------ */
/* Live migration (the stream: libvmctl/migrate.h)                       */

#define VMCTL_MIGRATE_MAX_ROUNDS	64

struct vmctl_migrate_stats;

struct vmctl_migrate_opts {
	/*
	 * Switch over after this many dirty rounds whatever they found
	 * (0: no cap but the timeout; max 64).
	 */
	unsigned int max_rounds;
	/*
	 * Switch over once a dirty round finds at most this many pages:
	 * given alone, instead of the downtime (0: not used).
	 */
	uint64_t max_final_pages;
	/*
	 * Switch over once a dirty round's pages would keep the guest
	 * paused at most this long at the link's speed (0: 300, QEMU's;
	 * not used when only max_final_pages is given).
	 */
	unsigned int max_downtime_ms;
	/* Give pre-copy up after this long, the VM running on here (0: 600). */
	unsigned int timeout_s;
	/* Set: never slow the vCPUs down (auto-converge off). */
	unsigned int no_auto_converge;
	/*
	 * Send pre-copy's pages at most this many bytes a second (QEMU's
	 * max-bandwidth; 0: as fast as the link goes).  The last pages,
	 * with the guest paused, go as fast as the link goes: the downtime
	 * is theirs.
	 */
	uint64_t max_bandwidth;
	/*
	 * Called after every round and each second of a long one, on the
	 * thread migrating (stats as they stand); NULL: not called.  Not
	 * 0: give the migration up (-ECANCELED), the VM running on here.
	 */
	int (*progress)(void *ctx, const struct vmctl_migrate_stats *now);
	void *progress_ctx;
};

struct vmctl_migrate_stats {
	unsigned int rounds;		/* dirty rounds while it ran */
	/*
	 * [0]: the first copy; [1..rounds]: each dirty round's pages
	 * (the first VMCTL_MIGRATE_MAX_ROUNDS of them)
	 */
	uint64_t round_pages[VMCTL_MIGRATE_MAX_ROUNDS + 1];
	uint64_t final_pages;		/* sent with the guest paused */
	uint64_t bytes;			/* the whole stream */
	/*
	 * The TSC when the guest was paused: the destination's TSC at its
	 * start minus this is the downtime, in TSC ticks, on one host.
	 */
	uint64_t pause_tsc;
	/* The link's speed in the last round, bytes per second. */
	uint64_t bandwidth;
	/* How fast the guest wrote in the last round, bytes per second. */
	uint64_t dirty_rate;
	/* The last round's pages at bandwidth: the pause it foresees. */
	uint64_t expected_downtime_us;
	/* Pages still to send: of the first copy, else the last round's. */
	uint64_t remaining_pages;
	unsigned int throttle_pct;	/* the vCPUs' slow-down now */
	unsigned int max_throttle_pct;	/* and the most it reached */
	uint64_t elapsed_ms;		/* since the migration began */
	/* From the pause to the destination's answer that it has the VM. */
	uint64_t downtime_us;
};

/*
 * Move the running VM to the destination at the other end of the
 * connected stream socket fd (vmctl_incoming_open() there): pre-copy
 * with dirty-page logging while the guest runs (its vCPUs slowed down
 * when it writes faster than the link carries, unless
 * opts->no_auto_converge), until a round's pages fit the downtime asked,
 * then the guest paused for the last pages and the vCPU, clock and
 * device state; -ETIMEDOUT when pre-copy does not converge before the
 * timeout.  config:
 * bytes the destination gets first (how to make the VM).  opts and
 * stats may be NULL.  fd gets 60 s send and receive timeouts: a peer
 * that stalls that long fails the migration.  0: the destination has
 * the VM and runs it; this
 * one stays paused, for the caller to stop.  Any failure (the
 * connection cut, the destination refusing, a device whose state
 * cannot move) leaves the VM as it was, resumed if this paused it,
 * dirty logging and throttle off: -errno with vmctl_error_detail()
 * saying why.
 * Virtio disks, entropy devices, network cards and balloons move (what
 * their threads write to guest RAM, the pages a balloon gives back
 * included, is logged too); a disk's image must be on storage both ends
 * share, and the destination's disks made with vmctl_disk.incoming; a
 * card attached to a tap by name lets it go for a destination on this
 * host (vmctl_net.incoming), and the offloads its driver accepted must
 * be offered on the destination's tap.
 */
int vmctl_vm_migrate(struct vmctl_vm *vm, int fd, const void *config,
		     size_t config_len, const struct vmctl_migrate_opts *opts,
		     struct vmctl_migrate_stats *stats);

struct vmctl_incoming;

/*
 * The destination: read a stream's header and config from the
 * connected socket fd (not closed by the library).  -EPROTO with the
 * detail for another program, another format version, or damage.
 */
int vmctl_incoming_open(int fd, struct vmctl_incoming **out);
/* The config the source gave (valid until close). */
const void *vmctl_incoming_config(const struct vmctl_incoming *in,
				  size_t *len);
/*
 * Receive the VM into vm, made from the config as for
 * vmctl_snapshot_restore() (no image, no vCPUs): its RAM, then its
 * state; the source is told so.  Then vmctl_vm_start().  0 or -errno
 * (the source is told why and keeps its VM); on failure destroy vm.
 * fd has the same timeouts as the source's.
 */
int vmctl_incoming_receive(struct vmctl_incoming *in, struct vmctl_vm *vm);
/* Tell the source this side cannot take the VM (before receive). */
void vmctl_incoming_refuse(struct vmctl_incoming *in, int err,
			   const char *why);
void vmctl_incoming_close(struct vmctl_incoming *in);

/*
 * The in-kernel irqchip (when the module has one) and the devices every
 * PC guest gets, as vmctl_load_linux() makes them, without loading
 * anything: for a Linux guest about to be restored from a snapshot.
 */
int vmctl_vm_create_pc(struct vmctl_vm *vm);

/* ------------------------------------------------------------------ */
/* Loading an image                                                     */

#define VMCTL_ENTRY_DEFAULT	UINT64_MAX

/*
 * A flat binary at load (VMCTL_FLAT_DEFAULT_LOAD when VMCTL_ENTRY_DEFAULT
 * is passed), started in real mode at entry (= load by default): CS:IP is
 * 0:entry below 64 KiB, else the segment holding entry.  SS = CS and SP =
 * the load address's offset, so the stack grows down below the image.
 */
int vmctl_load_flat(struct vmctl_vm *vm, const char *path, uint64_t load,
		    uint64_t entry);
/*
 * A static ELF executable: PT_LOAD segments at their physical addresses,
 * started at e_entry.  ELF32 runs in 32-bit protected mode with flat
 * segments, ELF64 in 64-bit long mode with the first GiB (or all memory,
 * if more) identity mapped.  A GDT, the page tables and a 16 KiB stack
 * (RSP at its top) go into the lowest free pages above 4 KiB.
 */
int vmctl_load_elf(struct vmctl_vm *vm, const char *path);

/* Every vCPU starts with its id in RDI (so SMP guests can tell). */

/* A Linux kernel to boot (vmctl_load_linux). */
struct vmctl_linux_boot {
	const char *kernel;	/* bzImage, boot protocol 2.06 or later */
	const char *initrd;	/* NULL: none */
	const char *cmdline;	/* NULL: empty */
	unsigned int nr_cpus;	/* vCPUs the caller creates next, >= 1 */
	/*
	 * The in-kernel 8259s and PIT too (vmctl_vm_create_pic_pit()),
	 * with full ACPI instead of hardware-reduced ACPI, on which Linux
	 * would ignore them: for kernels booted with nolapic, noapic or
	 * nosmp.  -EOPNOTSUPP without VMCTL_CAP_PIC_PIT.
	 */
	int pic_pit;		/* non-zero: yes */
};

/*
 * Boot a Linux bzImage through its 64-bit entry (32-bit for kernels
 * without one): the protected-mode kernel at 1 MiB, the initrd as high
 * as the kernel allows, boot_params with an e820 map of the VM's RAM,
 * identity-mapped page tables and a flat GDT, ACPI tables (hardware-
 * reduced unless pic_pit; RSDP in boot_params and at 0xf1000) and an MP table (for
 * acpi=off) listing nr_cpus CPUs (APIC ID = vCPU id) and the I/O APIC,
 * and SMBIOS tables naming the machine "vmctl".  Call it after
 * adding memory at 0 and before creating vCPUs 0 .. nr_cpus - 1: it
 * creates the in-kernel irqchip when the module has one
 * (VMCTL_CAP_IRQCHIP) and the PC devices Linux probes (CMOS clock, no
 * 8259 PIC unless pic_pit, the ACPI PM device: the guest's ACPI poweroff ends the VM
 * with VMCTL_END_ACPI_POWEROFF, its ACPI reset with VMCTL_END_RESET,
 * after which booting it again is the caller's choice).  vCPU 0 starts
 * at the kernel's entry; the others wait for the guest's INIT/SIPI.
 * Errors: -VMCTL_E_IMAGE_FORMAT (not a bzImage,
 * boot protocol too old), -VMCTL_E_IMAGE_TRUNCATED, -VMCTL_E_IMAGE_RANGE
 * (kernel, initrd or command line do not fit), -EOPNOTSUPP (more than
 * one CPU without an irqchip), -errno for the files; the VM is left as
 * it was, so destroying it frees everything.
 */
int vmctl_load_linux(struct vmctl_vm *vm, const struct vmctl_linux_boot *boot);

/* ------------------------------------------------------------------ */
/* Device models: the I/O dispatch table                                */

/*
 * Callbacks for a registered range.  offset is relative to the range's
 * base; size is 1, 2, 4 (ports) or 8 (MMIO); values are little-endian
 * integers.  Called from vCPU threads: a device shared by several vCPUs
 * locks itself.
 */
struct vmctl_io_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value);
};

/*
 * Claim ports [base, base + len) or guest physical [base, base + len).
 * Register before vmctl_vm_start().  Ranges must not overlap one already
 * registered (-VMCTL_E_IO_OVERLAP).  Unclaimed ports and MMIO addresses
 * read as all-ones and ignore writes; the first access to each is logged.
 */
int vmctl_vm_register_pio(struct vmctl_vm *vm, uint16_t base, uint32_t len,
			  const struct vmctl_io_ops *ops, void *opaque);
int vmctl_vm_register_mmio(struct vmctl_vm *vm, uint64_t base, uint64_t len,
			   const struct vmctl_io_ops *ops, void *opaque);

/* ------------------------------------------------------------------ */
/* Interrupt controllers                                                */

/*
 * The in-kernel local APICs and I/O APIC (VMCTL_CREATE_IRQCHIP), before
 * the first vCPU.  UARTs, created before or after, get their ISA line:
 * IRQ 4 for ports 0x3f8 and 0x3e8, IRQ 3 for 0x2f8 and 0x2e8.  Errors:
 * -EEXIST (created already), -EBUSY (vCPUs exist), -ENOTTY (the module
 * has no irqchip).
 */
int vmctl_vm_create_irqchip(struct vmctl_vm *vm);
/*
 * The in-kernel 8259 PIC pair and 8254 PIT (VMCTL_CREATE_PIC_PIT), after
 * the irqchip and before the first vCPU; ISA IRQs 1 and 3-15 then reach
 * both the I/O APIC and the PIC.  A snapshot or migration carries their
 * state; a restore or the destination of a migration makes them first,
 * as the source had them.  Errors: -ENXIO (no irqchip yet), -EEXIST,
 * -EBUSY (vCPUs exist), -ENOTTY (the module has none).
 */
int vmctl_vm_create_pic_pit(struct vmctl_vm *vm);
/* Drive I/O APIC input pin (0..23) to level 1 or 0.  Any thread. */
int vmctl_vm_irq_line(struct vmctl_vm *vm, unsigned int pin, int level);
/*
 * Send the MSI a device writes: address 0xfee00000 | APIC ID << 12
 * (| 4: logical destination), data: vector | delivery mode << 8.  Any
 * thread.  -ENXIO without an irqchip, -EINVAL for a malformed message;
 * -ENOTTY from a module without VMCTL_CAP_SIGNAL_MSI.
 */
int vmctl_vm_signal_msi(struct vmctl_vm *vm, uint64_t address, uint32_t data);

/* ------------------------------------------------------------------ */
/* In-kernel fast paths for devices                                     */

/*
 * Doorbells: a guest write of exactly len bytes (1, 2, 4; 8 for MMIO)
 * to port addr (pio != 0) or guest-physical addr (outside RAM) signals
 * the eventfd efd inside the module, with no exit to userspace.  match
 * NULL takes any value, else only writes of *match.  The module keeps
 * its own reference to efd.  Remove with the same arguments.  -EEXIST
 * when a doorbell takes those writes already, -ENOENT (remove) when none
 * matches, -ENOSPC at VMCTL_CAP_DOORBELL doorbells, -EINVAL, -EBADF.
 */
int vmctl_vm_add_doorbell(struct vmctl_vm *vm, int efd, int pio,
			  uint64_t addr, unsigned int len,
			  const uint64_t *match);
int vmctl_vm_remove_doorbell(struct vmctl_vm *vm, int efd, int pio,
			     uint64_t addr, unsigned int len,
			     const uint64_t *match);
/*
 * Interrupt eventfds (needs the irqchip): every write to efd, from any
 * thread or from a doorbell, pulses I/O APIC pin `pin`; with
 * resample_efd >= 0 (level-triggered pins) the pin stays asserted until
 * the guest's EOI, which lowers it and signals resample_efd: write efd
 * again if the device still wants service.  The MSI variant sends
 * (address, data) as vmctl_vm_signal_msi() would.  Closing efd removes
 * the irqfd too.  -EEXIST when efd is an irqfd of this VM already,
 * -ENOENT (remove) when it is not, -ENXIO without an irqchip, -ENOSPC,
 * -EINVAL, -EBADF.
 */
int vmctl_vm_add_irqfd(struct vmctl_vm *vm, int efd, unsigned int pin,
		       int resample_efd);
int vmctl_vm_add_msi_irqfd(struct vmctl_vm *vm, int efd, uint64_t address,
			   uint32_t data);
int vmctl_vm_remove_irqfd(struct vmctl_vm *vm, int efd);

/* ------------------------------------------------------------------ */
/* The 16550A UART                                                      */

#define VMCTL_COM1_BASE		0x3f8

/*
 * A 16550A at ports [base, base + 8).  Transmitted bytes are written to
 * out_fd; received bytes are read (non-blocking) from in_fd when the guest
 * polls the line status or receive buffer, in_fd may be -1.  The fds stay
 * the caller's.  With an irqchip, a thread of the library also waits for
 * input while the VM runs and raises the interrupt line when it comes.
 */
int vmctl_uart_create(struct vmctl_vm *vm, uint16_t base, int in_fd,
		      int out_fd, struct vmctl_uart **out);
/* Read pending input from in_fd now and update the interrupt line. */
void vmctl_uart_poll(struct vmctl_uart *uart);
/*
 * The interrupt line (IRQ 4 for COM1) goes to an interrupt controller
 * model; until one is set, the line's level is only tracked.
 */
void vmctl_uart_set_irq(struct vmctl_uart *uart,
			void (*set_irq)(void *opaque, int level),
			void *opaque);

/* ------------------------------------------------------------------ */
/* virtio devices on PCI                                                */

/*
 * The VM's PCI bus (a host bridge at 00:00.0, type-1 configuration
 * access, BARs in the hole from 3 GiB to the I/O APIC) exists for every
 * guest vmctl_load_linux() boots, and is created with the first device
 * otherwise.  Devices are modern virtio 1.x over PCI with MSI-X (a
 * vector per queue; INTx on I/O APIC inputs 16-23, which the MP table
 * and the DSDT describe, for a driver that leaves MSI-X off), take queue
 * notifications through the module's doorbells, and serve their queues
 * on a thread of their own while the VM runs.
 * Add them before vmctl_vm_start(); the VM frees them.
 */

/* A virtio-blk disk on a raw image file or block device. */
struct vmctl_disk {
	const char *path;
	int read_only;		/* opened O_RDONLY, VIRTIO_BLK_F_RO */
	int direct;		/* O_DIRECT: bypass the host's page cache */
	const char *serial;	/* GET_ID answer, at most 20 bytes; NULL: "" */
	/*
	 * The VM is a live migration's destination (vmctl_incoming_*) on
	 * shared storage: the image, still the source's, is locked only
	 * when the VM's state arrives (or at vmctl_vm_start).
	 */
	int incoming;
};

/*
 * Errors: -errno opening the image, -VMCTL_E_DISK_LOCKED (another VM
 * uses it: a writable image is locked exclusively, a read-only one
 * shared), -VMCTL_E_DISK_SIZE (empty or not whole 512-byte sectors),
 * -EINVAL (serial too long), -ENOSPC (no PCI slot left),
 * -VMCTL_E_IMAGE_RANGE (guest RAM covers the PCI hole).  Nothing is left
 * behind on failure.
 */
int vmctl_disk_create(struct vmctl_vm *vm, const struct vmctl_disk *disk);

/* A virtio-rng entropy source fed from the host's getrandom(). */
int vmctl_rng_create(struct vmctl_vm *vm);

/* A virtio-net card on a TAP device. */
struct vmctl_net {
	/*
	 * An existing tap's name; NULL: a tap made for the VM ("vmctl0",
	 * "vmctl1", ..., up, no address), which the kernel removes when
	 * the VM is destroyed.  Making one needs CAP_NET_ADMIN.
	 */
	const char *tap;
	/*
	 * 6 bytes; NULL: a locally administered address derived from the
	 * VM's name and the card's index among the VM's cards, the same
	 * every time.
	 */
	const unsigned char *mac;
	/*
	 * The VM is a live migration's destination (vmctl_incoming_*): the
	 * existing tap named above, which a source on this host still
	 * holds, is attached only when the VM's state arrives (or at
	 * vmctl_vm_start), its name checked now.  The source lets it go
	 * just before (and takes it back if the migration fails).  A tap
	 * made for the VM is made now: the source keeps its own.
	 */
	int incoming;
};

/*
 * The tap's name goes into ifname (16 bytes, IFNAMSIZ) unless it is
 * NULL.  Errors: -ENODEV (no interface of that name), -EINVAL (not a
 * tap), -EBUSY (another process has it), -EPERM (no permission to
 * attach, or to make a tap), -ENOENT (/dev/net/tun missing), -ENOSPC
 * (no PCI slot left), -VMCTL_E_IMAGE_RANGE; vmctl_error_detail() says
 * which.  Nothing is left behind on failure.
 */
int vmctl_net_create(struct vmctl_vm *vm, const struct vmctl_net *net,
		     char *ifname);

/*
 * A virtio-balloon (virtio 1.2, 5.5): the host asks the guest for
 * memory back by setting the balloon's size; the guest's driver takes
 * that many pages out of use and names them to the device, which
 * returns them to the host (MADV_DONTNEED: the vmctl process's RSS
 * drops; the guest's next touch of such a page gets a zeroed one).
 * Offered to the driver: a statistics queue, deflate-on-OOM (a guest
 * short of memory takes pages back out of the balloon by itself) and
 * free page reporting (the guest's free 2 MiB blocks returned to the
 * host too, without a balloon size), each unless turned off below.
 * Page numbers the guest names outside its RAM are ignored.
 */
struct vmctl_balloon {
	uint64_t size;		/* bytes to ask back at boot, 4 KiB multiple */
	int no_deflate_on_oom;
	int no_free_page_reporting;
	int no_stats;
};

/*
 * Errors: -EINVAL (size above the VM's RAM or not a 4 KiB multiple),
 * -EEXIST (the VM has a balloon), -ENOSPC (no PCI slot left),
 * -VMCTL_E_IMAGE_RANGE.  Nothing is left behind on failure.
 */
int vmctl_balloon_create(struct vmctl_vm *vm, const struct vmctl_balloon *b);

/*
 * Set the balloon's size (bytes, a 4 KiB multiple, at most the VM's RAM)
 * while the VM runs or not: the guest's driver inflates or deflates
 * towards it.  0 or -EINVAL, -ENODEV (no balloon).
 */
int vmctl_vm_balloon_set(struct vmctl_vm *vm, uint64_t size);

/* Where the balloon is; the guest's figures as its driver last sent them. */
struct vmctl_balloon_info {
	uint64_t target;	/* bytes asked for */
	uint64_t actual;	/* bytes the guest's driver says it holds */
	/* the driver's statistics (bytes), 0 until it sends them */
	uint64_t guest_free;
	uint64_t guest_total;
	uint64_t guest_available;
};

/* 0 or -ENODEV (no balloon). */
int vmctl_vm_balloon_info(struct vmctl_vm *vm, struct vmctl_balloon_info *info);

/*
 * A device's counter: device "virtio-blk 00:01.0", queue "0", "1"...
 * or "" for the device as a whole, name "requests", "bytes",
 * "notifications", "interrupts" (per queue) or a model's own ("broken",
 * "rx_dropped"...).  The strings live only during the callback.
 */
struct vmctl_device_counter {
	const char *device;
	const char *queue;
	const char *name;
	uint64_t value;
};

/*
 * Call fn for every counter of vm's device models, in device order.  Any
 * thread, while the VM runs too (the counters are read as they are at
 * that moment); not while devices are added or the VM is destroyed.
 */
void vmctl_vm_device_counters(struct vmctl_vm *vm,
			      void (*fn)(void *ctx,
					 const struct vmctl_device_counter *c),
			      void *ctx);

/* ------------------------------------------------------------------ */
/* Running                                                              */

/* Why a VM stopped. */
enum vmctl_end_reason {
	VMCTL_END_NONE = 0,
	VMCTL_END_POWEROFF,	/* VMCTL_HC_POWEROFF hypercall */
	VMCTL_END_HALT,		/* every vCPU halted with interrupts off */
	VMCTL_END_SHUTDOWN,	/* triple fault */
	VMCTL_END_FAIL_ENTRY,	/* VM entry failed */
	VMCTL_END_INTERNAL,	/* the module reported an internal error */
	VMCTL_END_STOPPED,	/* vmctl_vm_stop() */
	VMCTL_END_ERROR,	/* a library call failed: see err */
	VMCTL_END_ACPI_POWEROFF,/* ACPI S5: SLP_EN with SLP_TYP 5 written */
	VMCTL_END_RESET,	/* the ACPI reset register written */
};

struct vmctl_vm_end {
	enum vmctl_end_reason reason;
	int vcpu;		/* the vCPU that ended the VM, or -1 */
	int err;		/* VMCTL_END_ERROR: the negative error */
	uint64_t rip;		/* guest RIP at that exit */
	uint64_t hw_reason;	/* FAIL_ENTRY: VMX exit reason */
	uint64_t qualification;	/* FAIL_ENTRY: exit qualification */
	uint32_t suberror;	/* INTERNAL: enum vmctl_internal_error */
	uint64_t data0;		/* INTERNAL: first data word */
	char detail[160];	/* ERROR: vmctl_error_detail() of the vCPU */
};

/*
 * Start the devices' threads (a UART's input thread, with an irqchip),
 * then one thread per vCPU; vmctl_vm_wait() stops the devices after the
 * vCPUs.  The kick signal (SIGUSR1) gets a no-op handler so that
 * vmctl_vm_stop() can break a vCPU out of VMCTL_RUN.
 */
int vmctl_vm_start(struct vmctl_vm *vm);
/* Ask every vCPU to stop (any thread, not a signal handler); no wait. */
void vmctl_vm_stop(struct vmctl_vm *vm);
/*
 * Pause: every vCPU leaves the guest, the exit it took served (its
 * instruction completes in the module when the vCPU next runs, or when
 * vmctl_vcpu_save_state() reads its state), and is held in its thread;
 * then the devices' threads are stopped, virtio requests in flight
 * finished.  Resume starts the devices again, then lets the vCPUs go.
 * Any thread but a vCPU's; a paused VM still ends on vmctl_vm_stop().
 * 0 (also when already paused or running), -ESRCH when the VM is not
 * running or is ending, or a device's start error (the VM stays paused).
 */
int vmctl_vm_pause(struct vmctl_vm *vm);
int vmctl_vm_resume(struct vmctl_vm *vm);
/* 1 while paused, else 0. */
int vmctl_vm_paused(struct vmctl_vm *vm);
/* An fd that becomes readable once the VM has ended (for poll()). */
int vmctl_vm_done_fd(struct vmctl_vm *vm);
/* Join the vCPU threads and report why the VM ended. */
int vmctl_vm_wait(struct vmctl_vm *vm, struct vmctl_vm_end *end);

/* One line describing end (no newline).  Returns buf. */
const char *vmctl_vm_end_describe(const struct vmctl_vm_end *end, char *buf,
				  size_t len);

/*
 * Where the library's warnings go (default: stderr, one line each,
 * prefixed "libvmctl: ").  fn NULL restores the default.
 */
void vmctl_set_log(void (*fn)(void *opaque, const char *msg), void *opaque);

/* ------------------------------------------------------------------ */
/* The host-wide view over generic netlink (netlink.c)                  */

/*
 * Every VM on the host, not only this process's: the "vmctl" generic
 * netlink family, spoken through libnl-genl-3.  Root (CAP_SYS_ADMIN) sees
 * every VM, other users the VMs created under their effective uid.
 * Errors: -VMCTL_E_NO_MODULE (module not loaded), -ENOENT (no such VM, or
 * not yours), -EPERM, -ENOMEM, -EIO (unexpected netlink failure).
 */
enum vmctl_vm_state {
	VMCTL_VM_IDLE,		/* no vCPU ran guest code in the last second */
	VMCTL_VM_RUNNING,
};

struct vmctl_vm_status {
	unsigned int id;
	char name[32];
	int owner_pid;		/* 0 when not in the caller's pid namespace */
	unsigned int owner_uid;	/* effective uid of the creator */
	unsigned int nr_vcpus;
	uint64_t mem_bytes;
	enum vmctl_vm_state state;
	int64_t created;	/* seconds since the epoch */
	uint64_t uptime;	/* seconds */
};

/* Every visible VM by ascending id; free(*list) (NULL when *nr is 0). */
int vmctl_list_vms(struct vmctl_vm_status **list, size_t *nr);
int vmctl_get_vm_status(unsigned int id, struct vmctl_vm_status *status);

/* VMX basic exit reasons the module counts (0 .. this - 1). */
#define VMCTL_COUNTED_EXIT_REASONS	80

struct vmctl_exit_counters {
	unsigned int vcpu;	/* vCPU id (0 in a total) */
	uint64_t runs;		/* VMCTL_RUN calls */
	uint64_t exits;		/* all VM exits */
	uint64_t user_exits;	/* exits handed to userspace */
	uint64_t by_reason[VMCTL_COUNTED_EXIT_REASONS];
};

/* How guest RAM is mapped (struct vmctl_mem_stats); zeros from old modules. */
struct vmctl_mem_counters {
	uint64_t mapped_pages;	/* in EPT now, 4 KiB pages */
	uint64_t faults_4k;	/* EPT faults that mapped 4 KiB ... */
	uint64_t faults_2m;	/* ... or 2 MiB */
	uint64_t invalidations;	/* MMU-notifier calls that unmapped */
};

struct vmctl_vm_stats {
	struct vmctl_vm_status vm;
	struct vmctl_exit_counters total;	/* summed over the vCPUs */
	size_t nr_vcpus;
	struct vmctl_exit_counters *vcpus;	/* by ascending vCPU id */
	struct vmctl_mem_counters mem;
};

int vmctl_get_vm_stats(unsigned int id, struct vmctl_vm_stats *stats);
void vmctl_vm_stats_free(struct vmctl_vm_stats *stats);

/* "IO_INSTRUCTION" for VMX basic exit reason 30; NULL when unknown. */
const char *vmctl_exit_reason_name(unsigned int reason);

/*
 * Events: the module multicasts one per VM created or destroyed (after its
 * memory is freed), vCPU shutdown (triple fault) and failed VM entry.
 * Subscribing needs CAP_SYS_ADMIN (-EPERM otherwise): events name every
 * user's VMs.
 */
enum vmctl_event_type {
	VMCTL_EVENT_VM_CREATED = 1,
	VMCTL_EVENT_VM_DESTROYED,
	VMCTL_EVENT_VCPU_SHUTDOWN,
	VMCTL_EVENT_VCPU_FAIL_ENTRY,
};

struct vmctl_event {
	enum vmctl_event_type type;
	unsigned int vm_id;
	char vm_name[32];
	int owner_pid;		/* in the initial pid namespace */
	unsigned int owner_uid;	/* in the initial user namespace */
	int vcpu;		/* vCPU events: the vCPU id, else -1 */
	uint64_t hw_reason;	/* FAIL_ENTRY: the VMX exit reason */
};

struct vmctl_events;	/* a subscription */

int vmctl_events_open(struct vmctl_events **out);
/* Readable when an event may be waiting (for poll()). */
int vmctl_events_fd(struct vmctl_events *ev);
/*
 * The next event, waiting up to timeout_ms (-1: for ever).  Returns 1 with
 * *event filled, 0 on timeout, -ENOBUFS when events were lost (the socket
 * overflowed; later calls go on), or another negative error.
 */
int vmctl_events_next(struct vmctl_events *ev, struct vmctl_event *event,
		      int timeout_ms);
void vmctl_events_close(struct vmctl_events *ev);
/* "vm-created", "vm-destroyed", "vcpu-shutdown", "vcpu-fail-entry". */
const char *vmctl_event_name(enum vmctl_event_type type);

#ifdef __cplusplus
}
#endif

#endif /* __ASSEMBLER__ */
#endif /* VMCTL_LIBVMCTL_H */
