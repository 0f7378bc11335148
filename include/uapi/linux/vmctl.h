/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmctl: userspace ABI of the vmctl.ko VT-x hypervisor.
 *
 * The single source of truth for kmod/, libvmctl/, cli/ and selftests/.
 * Rules that keep the ABI growable:
 *  - every struct has fixed-size fields, explicit padding and a flags word;
 *    the kernel rejects unknown flag bits and non-zero padding (-EINVAL);
 *  - VMCTL_GET_API_VERSION and VMCTL_CHECK_CAP tell what a module offers.
 *
 * Ioctls are grouped by the file descriptor they act on:
 *   system: /dev/vmctl;  VM: fd from VMCTL_CREATE_VM;  vCPU: fd from
 *   VMCTL_CREATE_VCPU (mmap it at offset 0 for struct vmctl_run).
 */
#ifndef _UAPI_LINUX_VMCTL_H
#define _UAPI_LINUX_VMCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VMCTL_API_VERSION	1
#define VMCTL_DEVICE_NAME	"vmctl"

/* Limits (also reported through VMCTL_CHECK_CAP). */
#define VMCTL_MAX_VCPUS		64
#define VMCTL_MAX_MEM_SLOTS	32
#define VMCTL_MAX_MEM_SIZE	(16ULL << 30)	/* all slots of one VM */
#define VMCTL_MAX_CPUID_ENTRIES	128
#define VMCTL_MAX_MSR_ENTRIES	64
#define VMCTL_NAME_LEN		32
#define VMCTL_MAX_DOORBELLS	256	/* per VM */
#define VMCTL_MAX_IRQFDS	256	/* per VM */

/* Capabilities: VMCTL_CHECK_CAP(cap) returns 0 when absent, else a value. */
enum vmctl_cap {
	VMCTL_CAP_MAX_VCPUS = 1,	/* value: VMCTL_MAX_VCPUS */
	VMCTL_CAP_MAX_MEM_SLOTS = 2,	/* value: VMCTL_MAX_MEM_SLOTS */
	VMCTL_CAP_MAX_MEM_SIZE_MB = 3,	/* value: VMCTL_MAX_MEM_SIZE >> 20 */
	VMCTL_CAP_READONLY_MEM = 4,	/* VMCTL_MEM_READONLY supported */
	VMCTL_CAP_EPT_2M = 5,		/* 2 MiB EPT pages in use */
	VMCTL_CAP_VPID = 6,		/* VPID in use */
	VMCTL_CAP_UNRESTRICTED_GUEST = 7,
	VMCTL_CAP_IMMEDIATE_EXIT = 8,
	VMCTL_CAP_NR_CPUS_VMX_ON = 9,	/* value: CPUs now in VMX operation */
	VMCTL_CAP_IRQCHIP = 10,		/* VMCTL_CREATE_IRQCHIP supported */
	VMCTL_CAP_TSC_KHZ = 11,		/* value: guest TSC frequency, kHz */
	VMCTL_CAP_SIGNAL_MSI = 12,	/* VMCTL_SIGNAL_MSI supported */
	VMCTL_CAP_DOORBELL = 13,	/* value: VMCTL_MAX_DOORBELLS */
	VMCTL_CAP_IRQFD = 14,		/* value: VMCTL_MAX_IRQFDS */
	VMCTL_CAP_VCPU_STATE = 15,	/* value: VMCTL_VCPU_STATE_* offered */
	VMCTL_CAP_VM_STATE = 16,	/* value: VMCTL_VM_STATE_* offered */
	VMCTL_CAP_XSAVE_SIZE = 17,	/* value: struct vmctl_xsave.size */
	VMCTL_CAP_DIRTY_LOG = 18,	/* VMCTL_MEM_LOG_DIRTY, GET/CLEAR_DIRTY_LOG */
	VMCTL_CAP_DIRTY_LOG_PML = 19,	/* value: PML entries per vCPU; 0: write-protect */
	VMCTL_CAP_PIC_PIT = 20,		/* VMCTL_CREATE_PIC_PIT supported */
};

/*
 * The state a snapshot needs beyond REGS, SREGS, MSRS and CPUID, by
 * ioctl pair (VMCTL_CAP_VCPU_STATE, VMCTL_CAP_VM_STATE).  A module that
 * lacks a bit lacks the pair.
 */
#define VMCTL_VCPU_STATE_XSAVE		(1U << 0)	/* GET/SET_XSAVE */
#define VMCTL_VCPU_STATE_XCRS		(1U << 1)	/* GET/SET_XCRS */
#define VMCTL_VCPU_STATE_DEBUGREGS	(1U << 2)	/* GET/SET_DEBUGREGS */
#define VMCTL_VCPU_STATE_MSR_LIST	(1U << 3)	/* GET_MSR_INDEX_LIST */
#define VMCTL_VCPU_STATE_EVENTS		(1U << 4)	/* GET/SET_VCPU_EVENTS */
#define VMCTL_VCPU_STATE_MP_STATE	(1U << 5)	/* GET/SET_MP_STATE */
#define VMCTL_VCPU_STATE_LAPIC		(1U << 6)	/* GET/SET_LAPIC */
#define VMCTL_VM_STATE_IOAPIC		(1U << 0)	/* GET/SET_IOAPIC */
#define VMCTL_VM_STATE_CLOCK		(1U << 1)	/* GET/SET_CLOCK */
#define VMCTL_VM_STATE_PIC_PIT		(1U << 2)	/* GET/SET_PIC_PIT */

/* ---------------------------------------------------------------------- */
/* System ioctls on /dev/vmctl                                              */

struct vmctl_vm_config {
	__u64 flags;			/* none defined: must be 0 */
	char name[VMCTL_NAME_LEN];	/* NUL-terminated; "" picks "vm<id>" */
};

/* Module-wide accounting, for tests and `vmctl info`. */
struct vmctl_module_stats {
	__u64 flags;			/* out: 0 */
	__u64 nr_vms;
	__u64 nr_vcpus;
	__u64 nr_mem_slots;
	__u64 mapped_pages;		/* guest RAM mapped in EPT now, 4 KiB pages */
	__u64 ept_table_pages;		/* EPT paging-structure pages */
	__u64 vmcs_pages;		/* VMCS and VMXON regions */
	__u64 kernel_bytes;		/* every allocation the module holds */
};

/*
 * Which CPUs are online and which of them are in VMX operation (the
 * module enters it on every CPU that comes online, leaves it on every CPU
 * that goes offline).  Bit n of a mask is CPU n.  Errors: EINVAL (flags),
 * EFAULT.
 */
#define VMCTL_MAX_CPU_REPORT	1024

struct vmctl_vmx_cpus {
	__u32 nr_cpus;			/* out: CPU numbers covered (<= MAX) */
	__u32 flags;			/* none defined: must be 0 */
	__u64 online[VMCTL_MAX_CPU_REPORT / 64];	/* out */
	__u64 vmx_on[VMCTL_MAX_CPU_REPORT / 64];	/* out */
};

#define VMCTL_IO 0xB7

#define VMCTL_GET_API_VERSION	_IO(VMCTL_IO, 0x00)
#define VMCTL_CHECK_CAP		_IO(VMCTL_IO, 0x01)	/* arg: enum vmctl_cap */
#define VMCTL_CREATE_VM		_IOW(VMCTL_IO, 0x02, struct vmctl_vm_config)
#define VMCTL_GET_RUN_SIZE	_IO(VMCTL_IO, 0x03)	/* bytes to mmap */
#define VMCTL_GET_MODULE_STATS	_IOR(VMCTL_IO, 0x04, struct vmctl_module_stats)
#define VMCTL_GET_VMX_CPUS	_IOWR(VMCTL_IO, 0x05, struct vmctl_vmx_cpus)

/* ---------------------------------------------------------------------- */
/* VM ioctls                                                                */

#define VMCTL_MEM_READONLY	(1U << 0)	/* guest writes exit as MMIO */
#define VMCTL_MEM_PREFAULT	(1U << 1)	/* all present before RUN */
#define VMCTL_MEM_LOG_DIRTY	(1U << 2)	/* dirty-page log (below) */
#define VMCTL_MEM_VALID_FLAGS	(VMCTL_MEM_READONLY | VMCTL_MEM_PREFAULT | \
				 VMCTL_MEM_LOG_DIRTY)

/*
 * A memory slot maps [guest_phys, guest_phys + size) onto the caller's
 * memory at user_addr.  All three must be page aligned, size non-zero.
 * Pages are faulted in and mapped as the guest touches them; with
 * VMCTL_MEM_PREFAULT every page is faulted in (writable unless READONLY)
 * and mapped before the call returns, which then takes time in
 * proportion to size.  Errors: EINVAL (flags, alignment, slot id),
 * EEXIST (slot id in use or guest range overlaps another slot), E2BIG
 * (slot count or total size above the limits), EFAULT (user range not
 * mapped or not writable; PREFAULT: a page the mapping could not give),
 * EPERM (called from another address space than the VM's creator's, e.g.
 * a forked child), EINTR (PREFAULT: a fatal signal), ENOMEM.  A PREFAULT
 * that fails leaves no slot behind.  While a PREFAULT runs the VM's other
 * ioctls and vCPUs go on; setting or deleting that slot id meanwhile is
 * EBUSY.
 *
 * SET_MEM_SLOT on a slot id in use with the same guest_phys, size and
 * user_addr and flags that differ in VMCTL_MEM_LOG_DIRTY alone changes
 * that flag (any other change is EEXIST): that is how logging starts and
 * stops on a running VM.
 */
struct vmctl_mem_slot {
	__u32 slot;
	__u32 flags;			/* VMCTL_MEM_* */
	__u64 guest_phys;
	__u64 size;
	__u64 user_addr;
};

struct vmctl_vm_info {
	__u64 flags;			/* out: 0 */
	__u32 id;			/* module-wide VM id */
	__u32 nr_vcpus;
	__u64 mem_bytes;
	char name[VMCTL_NAME_LEN];
};

#define VMCTL_SET_MEM_SLOT	_IOW(VMCTL_IO, 0x10, struct vmctl_mem_slot)
#define VMCTL_DELETE_MEM_SLOT	_IO(VMCTL_IO, 0x11)	/* arg: slot id */
#define VMCTL_CREATE_VCPU	_IO(VMCTL_IO, 0x12)	/* arg: vCPU id, returns fd */
#define VMCTL_GET_VM_INFO	_IOR(VMCTL_IO, 0x13, struct vmctl_vm_info)

/*
 * How the VM's guest RAM is mapped (VMCTL_GET_MEM_STATS, also in `vmctl
 * stats` through netlink).  Faults are EPT violations on slot memory that
 * made an entry, counted by the vCPU that took them (prefaulted pages are
 * not faults); invalidations are MMU-notifier calls (the owner's mapping
 * changed, or reclaim aged the range) that zapped at least one entry.
 */
struct vmctl_mem_stats {
	__u64 flags;			/* out: 0 */
	__u64 mapped_pages;		/* guest RAM mapped in EPT now, 4 KiB pages */
	__u64 faults_4k;		/* faults that mapped a 4 KiB page */
	__u64 faults_2m;		/* faults that mapped a 2 MiB page */
	__u64 invalidations;
	__u64 reserved[3];		/* out: 0 */
};

#define VMCTL_GET_MEM_STATS	_IOR(VMCTL_IO, 0x1F, struct vmctl_mem_stats)

/*
 * The in-kernel interrupt controllers.  VMCTL_CREATE_IRQCHIP, before the
 * first vCPU exists, gives the VM a local APIC per vCPU (APIC ID = vCPU
 * id; x2APIC-capable, xAPIC page at VMCTL_APIC_BASE; timer in one-shot,
 * periodic and TSC-deadline modes) and one I/O APIC of VMCTL_IOAPIC_PINS
 * pins at VMCTL_IOAPIC_BASE whose ID register resets to VMCTL_IOAPIC_ID.
 * From then on HLT waits in the kernel until an interrupt is due (no
 * VMCTL_EXIT_HLT; a signal still ends RUN), except HLT with RFLAGS.IF=0,
 * which only an NMI, INIT, SIPI or KVM_HC_KICK_CPU from another vCPU
 * could end: it exits with VMCTL_EXIT_HLT and the next RUN waits on.
 * run->hlt.vm_stopped then says whether every vCPU of the VM is stopped
 * (halted so, or waiting for SIPI, with nothing pending to end it): a
 * guest powered off without ACPI halts every CPU so, while a PV-spinlock
 * waiter halts so until the lock's holder kicks it.
 * vCPUs other than id 0 wait for INIT/SIPI from the guest, and device
 * interrupts enter through VMCTL_IRQ_LINE, VMCTL_SIGNAL_MSI and
 * VMCTL_IRQFD.  Errors: EEXIST (created
 * already), EBUSY (vCPUs exist).
 */
#define VMCTL_APIC_BASE		0xfee00000ULL
#define VMCTL_IOAPIC_BASE	0xfec00000ULL
#define VMCTL_IOAPIC_PINS	24
#define VMCTL_IOAPIC_ID		VMCTL_MAX_VCPUS

/* Errors: ENXIO (no irqchip), EINVAL (pin, level > 1, flags). */
struct vmctl_irq_line {
	__u32 irq;			/* I/O APIC pin < VMCTL_IOAPIC_PINS */
	__u32 level;			/* 1 asserted, 0 deasserted */
	__u64 flags;			/* must be 0 */
};

#define VMCTL_CREATE_IRQCHIP	_IO(VMCTL_IO, 0x14)
#define VMCTL_IRQ_LINE		_IOW(VMCTL_IO, 0x15, struct vmctl_irq_line)

/*
 * A PC's legacy interrupt controllers and timer in the kernel, for
 * guests that use them (Linux booted with nolapic, noapic or nosmp):
 * an 8259A master/slave pair at ports 0x20-0x21 and 0xa0-0xa1 with its
 * ELCR at 0x4d0-0x4d1, and an 8254 PIT at 0x40-0x43 with port 0x61
 * (counter 2's gate and output).  VMCTL_CREATE_PIC_PIT, after
 * VMCTL_CREATE_IRQCHIP and before the first vCPU: from then on those
 * ports never exit to user space (string I/O to them still does).
 * VMCTL_IRQ_LINE's pins 1 and 3-15 are ISA IRQs that also drive the
 * PIC's inputs of those numbers; the PIT's counter 0 drives the PIC's
 * input 0 and the I/O APIC's pin 2 (the MADT's and MP table's
 * override).  The PIC's INTR goes to vCPU 0 through LINT0 when LINT0 is
 * unmasked ExtINT (vCPU 0's LINT0 starts so, in virtual-wire mode, as a
 * BIOS leaves it) or straight to it when its local APIC is disabled in
 * IA32_APIC_BASE.  Their state: VMCTL_GET/SET_PIC_PIT below.  Errors:
 * ENXIO (no irqchip), EEXIST (created already), EBUSY (vCPUs exist),
 * EINVAL (arg not 0), EOPNOTSUPP.
 */
#define VMCTL_CREATE_PIC_PIT	_IO(VMCTL_IO, 0x40)

/*
 * The 8259 pair's and the PIT's state for a snapshot or a migration
 * (VMCTL_VM_STATE_PIC_PIT).  Each chip: its registers (the master's IRR
 * bit 2, the slave's request, is recomputed on SET), the inputs
 * asserted now, the ELCR, ICW2's vector base, the input that ranks
 * highest, which initialisation word comes next (0: none) and its mode
 * bits.  Each PIT counter: the 1.193182 MHz clocks it has counted since
 * it was loaded or triggered, at the time of GET (SET counts on from
 * there: the counters do not move while the state is elsewhere), the
 * count it was loaded with (1-65536 once armed), the control word's
 * fields, the latched count and status, the LSB of a two-byte write
 * under way, and its flags.  SET refuses (EINVAL, nothing changed) a
 * version other than VMCTL_PIC_PIT_STATE_VERSION, unknown flags,
 * reserved bytes not 0, values no guest could have made (a vector base
 * with bits 2:0, a rank or mode out of range, ELCR bits of the inputs
 * wired to edge, an armed counter without a count, a counting one not
 * armed, ticks from 2^56 on); then the PIC's INTR and the PIT's next
 * interrupt follow the new state.  Errors: ENXIO (no PIC and PIT).
 */
#define VMCTL_PIC_PIT_STATE_VERSION	1

#define VMCTL_PIC_ICW4		(1U << 0)	/* ICW1 asked for ICW4 */
#define VMCTL_PIC_SINGLE	(1U << 1)	/* ICW1: no slave (no ICW3) */
#define VMCTL_PIC_AUTO_EOI	(1U << 2)
#define VMCTL_PIC_ROTATE_AEOI	(1U << 3)	/* rotate on auto-EOI */
#define VMCTL_PIC_SPECIAL_MASK	(1U << 4)
#define VMCTL_PIC_SPECIAL_NESTED (1U << 5)	/* ICW4's SFNM */
#define VMCTL_PIC_POLL		(1U << 6)	/* OCW3 poll, next read */
#define VMCTL_PIC_READ_ISR	(1U << 7)	/* OCW3: reads show the ISR */

struct vmctl_pic_chip_state {
	__u8 irr, isr, imr;
	__u8 lines;			/* bit n: input n asserted */
	__u8 elcr;			/* bit n: input n level-triggered */
	__u8 vector_base;		/* ICW2, bits 7:3 */
	__u8 priority_add;		/* the input that ranks highest, 0-7 */
	__u8 init_state;		/* 0; 1-3: ICW2-4 expected */
	__u32 flags;			/* VMCTL_PIC_* */
	__u32 reserved;			/* 0 */
};

#define VMCTL_PIT_COUNTING	(1U << 0)	/* started, not held by its gate */
#define VMCTL_PIT_ARMED		(1U << 1)	/* a count written since the mode */
#define VMCTL_PIT_GATE		(1U << 2)
#define VMCTL_PIT_LATCHED	(1U << 3)	/* @latch waits to be read */
#define VMCTL_PIT_STATUS_LATCHED (1U << 4)	/* @status waits to be read */
#define VMCTL_PIT_READ_MSB	(1U << 5)	/* the next read is the MSB */
#define VMCTL_PIT_WRITE_MSB	(1U << 6)	/* the next write is the MSB */
#define VMCTL_PIT_NULL_COUNT	(1U << 7)

struct vmctl_pit_counter_state {
	__u64 ticks;			/* counted so far, < 2^56 */
	__u32 reload;			/* 0-65536; 1-65536 when armed */
	__u32 flags;			/* VMCTL_PIT_* */
	__u16 latch;
	__u8 mode;			/* 0-5 */
	__u8 rw;			/* 0-3: access (1 LSB, 2 MSB, 3 both) */
	__u8 bcd;			/* 0-1 */
	__u8 status;
	__u8 write_lsb;
	__u8 reserved;			/* 0 */
};

#define VMCTL_PIC_PIT_SPEAKER	(1U << 0)	/* port 0x61 bit 1 */

struct vmctl_pic_pit_state {
	__u32 version;			/* VMCTL_PIC_PIT_STATE_VERSION */
	__u32 flags;			/* VMCTL_PIC_PIT_SPEAKER */
	struct vmctl_pic_chip_state pic[2];	/* master, slave */
	struct vmctl_pit_counter_state pit[3];
	__u64 reserved[4];		/* 0 */
};

#define VMCTL_GET_PIC_PIT	_IOR(VMCTL_IO, 0x41, struct vmctl_pic_pit_state)
#define VMCTL_SET_PIC_PIT	_IOW(VMCTL_IO, 0x42, struct vmctl_pic_pit_state)

/*
 * A message signalled interrupt as a device writes it (Intel SDM vol. 3A
 * "Message Signalled Interrupts"), delivered to the in-kernel local APICs
 * from any thread.  address: 0xfee00000 | destination APIC ID << 12 |
 * redirection hint << 3 (with logical destinations: lowest priority) |
 * destination mode << 2 (1: logical); bits 11:4 and 63:32 reserved.
 * data: vector in bits 7:0, delivery mode in 10:8 (fixed, lowest
 * priority, NMI or INIT), level in 14, trigger mode in 15 (1: level);
 * the other bits reserved.  A level-triggered de-assert message carries
 * no interrupt.  Errors: ENXIO (no irqchip), EINVAL (flags, an address
 * outside 0xfeexxxxx, reserved bits, an SMI, ExtINT or reserved delivery
 * mode).
 */
struct vmctl_msi {
	__u64 address;
	__u32 data;
	__u32 flags;			/* must be 0 */
};

#define VMCTL_SIGNAL_MSI	_IOW(VMCTL_IO, 0x16, struct vmctl_msi)

/*
 * Doorbells (KVM's ioeventfd): a guest write of exactly len bytes to port
 * addr (VMCTL_DOORBELL_PIO) or to guest-physical addr (outside guest RAM:
 * writes to RAM never exit) signals the eventfd fd inside the kernel, and
 * the guest goes on with no exit to userspace.  With
 * VMCTL_DOORBELL_DATAMATCH only writes of the value data ring it; other
 * writes exit as usual.  String OUTs exit as usual.  The doorbell keeps
 * its own reference to the eventfd: closing fd leaves it registered
 * until VMCTL_DOORBELL_DEASSIGN (same addr, len, fd, flags but DEASSIGN,
 * and data) or the VM's end.  Errors: EINVAL (flags, padding, len not 1,
 * 2, 4 or 8 (8: MMIO only), a port range beyond 0xffff, an address range
 * that wraps, data wider than len or set without DATAMATCH, fd not an
 * eventfd), EBADF (fd not open), EEXIST (a doorbell already takes the
 * same writes: same space, addr and len, and one of the two without
 * DATAMATCH or both with the same data), ENOENT (deassign: no such
 * doorbell), ENOSPC (VMCTL_MAX_DOORBELLS), ENOMEM.
 */
#define VMCTL_DOORBELL_PIO		(1U << 0)	/* addr is a port */
#define VMCTL_DOORBELL_DATAMATCH	(1U << 1)
#define VMCTL_DOORBELL_DEASSIGN		(1U << 2)
#define VMCTL_DOORBELL_VALID_FLAGS	(VMCTL_DOORBELL_PIO | \
					 VMCTL_DOORBELL_DATAMATCH | \
					 VMCTL_DOORBELL_DEASSIGN)

struct vmctl_doorbell {
	__u64 addr;
	__u64 data;			/* DATAMATCH: the value, else 0 */
	__u32 len;
	__s32 fd;			/* an eventfd */
	__u32 flags;			/* VMCTL_DOORBELL_* */
	__u32 padding;			/* must be 0 */
};

#define VMCTL_DOORBELL		_IOW(VMCTL_IO, 0x17, struct vmctl_doorbell)

/*
 * Interrupt eventfds (KVM's irqfd): each write to the eventfd fd, from
 * any thread or from the kernel (a doorbell), raises I/O APIC pin `pin`
 * or, with VMCTL_IRQFD_MSI, sends the MSI `msi` (as VMCTL_SIGNAL_MSI;
 * msi.flags 0).  A pin is pulsed (asserted and de-asserted: one edge, or
 * one level interrupt until its EOI) unless VMCTL_IRQFD_RESAMPLE (pins
 * only, for level-triggered pins): then the pin stays asserted until the
 * guest's EOI of its interrupt, which de-asserts it and signals the
 * eventfd resamplefd, so that a device still wanting service writes fd
 * again.  Closing fd deassigns the irqfd; so does VMCTL_IRQFD_DEASSIGN
 * (fd and flags only), which returns once no more interrupts come from
 * it.  Fields a mode does not use must be 0.  Errors: ENXIO (no
 * irqchip), EINVAL (flags, pin >= VMCTL_IOAPIC_PINS, the MSI, unused
 * fields set, RESAMPLE with MSI, an fd that is not an eventfd), EBADF (fd
 * or resamplefd not open), EEXIST (fd is an irqfd of this VM already),
 * ENOENT (deassign: fd is not), ENOSPC (VMCTL_MAX_IRQFDS), ENOMEM.
 */
#define VMCTL_IRQFD_MSI		(1U << 0)
#define VMCTL_IRQFD_RESAMPLE	(1U << 1)
#define VMCTL_IRQFD_DEASSIGN	(1U << 2)
#define VMCTL_IRQFD_VALID_FLAGS	(VMCTL_IRQFD_MSI | VMCTL_IRQFD_RESAMPLE | \
				 VMCTL_IRQFD_DEASSIGN)

struct vmctl_irqfd {
	__s32 fd;			/* an eventfd */
	__s32 resamplefd;		/* RESAMPLE: an eventfd, else 0 */
	__u32 flags;			/* VMCTL_IRQFD_* */
	__u32 pin;			/* I/O APIC pin; 0 with MSI */
	struct vmctl_msi msi;		/* MSI: the message; else 0 */
};

#define VMCTL_IRQFD		_IOW(VMCTL_IO, 0x18, struct vmctl_irqfd)

/*
 * The VM's part of a snapshot (VMCTL_CAP_VM_STATE).  The I/O APIC: its
 * ID, the register its window shows, the redirection table with each
 * pin's remote IRR, and which pins are asserted (VMCTL_IRQ_LINE, level
 * pins held by irqfds).  SET refuses (EINVAL) bits a guest cannot set
 * (RTE bits 17-55, delivery status), a remote IRR on an edge pin, pins
 * above VMCTL_IOAPIC_PINS, an ID or regsel above 8 bits; an asserted,
 * unmasked level pin without remote IRR is delivered at once.  Errors:
 * ENXIO (no irqchip).
 */
struct vmctl_ioapic_state {
	__u32 id;
	__u32 regsel;
	__u64 redir[VMCTL_IOAPIC_PINS];
	__u32 lines;			/* bit n: pin n asserted */
	__u32 flags;			/* none defined: 0 */
	__u64 reserved[4];		/* 0 */
};

/*
 * The VM's clock: kvmclock's guest time in nanoseconds (what every
 * vCPU's pvclock structure reads now; it counts from the VM's creation).
 * SET moves it so it reads @clock now; the guest's TSC (IA32_TSC of the
 * vCPUs created after) moves with it, so set the clock first, before any
 * vCPU exists (EBUSY after), then each vCPU's IA32_TSC.  A paused VM is
 * restored by the clock it had, or by that plus the time it spent
 * paused.
 */
struct vmctl_clock {
	__u64 clock;
	__u64 flags;			/* none defined: 0 */
	__u64 reserved[6];		/* 0 */
};

#define VMCTL_GET_IOAPIC	_IOR(VMCTL_IO, 0x19, struct vmctl_ioapic_state)
#define VMCTL_SET_IOAPIC	_IOW(VMCTL_IO, 0x1A, struct vmctl_ioapic_state)
#define VMCTL_GET_CLOCK		_IOR(VMCTL_IO, 0x1B, struct vmctl_clock)
#define VMCTL_SET_CLOCK		_IOW(VMCTL_IO, 0x1C, struct vmctl_clock)

/*
 * Dirty-page logging (KVM's GET_DIRTY_LOG and CLEAR_DIRTY_LOG with
 * manual protection).  A slot with VMCTL_MEM_LOG_DIRTY keeps a bitmap,
 * one bit per 4 KiB page (bit i of 64-bit word w: page 64 * w + i of the
 * slot), set when the guest writes the page or the module writes it for
 * the guest (emulated instructions, string I/O, kvmclock).  Starting to
 * log marks nothing: the caller copies everything once.
 *
 * GET_DIRTY_LOG copies the bits of pages [first_page, first_page +
 * num_pages) to bitmap (num_pages bits, in 64-bit words) and clears
 * nothing.  CLEAR_DIRTY_LOG takes such a bitmap and, for each page whose
 * bit is set in it and in the log, clears the log's bit and makes the
 * page's next guest write fault so that the bit is set again: so a
 * migration round is GET, CLEAR of what it got, then copy those pages;
 * a write after CLEAR returns is in the next round.  first_page must be a
 * multiple of 64, num_pages non-zero and a multiple of 64 unless the
 * range ends at the slot's end.  Errors: ENOENT (no slot of that id, or
 * it does not log), EINVAL (flags, the range), EFAULT (bitmap).
 */
struct vmctl_dirty_log {
	__u32 slot;
	__u32 flags;			/* none defined: must be 0 */
	__u64 first_page;
	__u64 num_pages;
	__u64 bitmap;			/* user pointer */
};

#define VMCTL_GET_DIRTY_LOG	_IOW(VMCTL_IO, 0x1D, struct vmctl_dirty_log)
#define VMCTL_CLEAR_DIRTY_LOG	_IOW(VMCTL_IO, 0x1E, struct vmctl_dirty_log)

/* ---------------------------------------------------------------------- */
/* vCPU ioctls                                                              */

struct vmctl_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

struct vmctl_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8 type;			/* 4-bit segment type */
	__u8 present, dpl, db, s, l, g, avl;
	__u8 unusable;
	__u8 padding;
};

struct vmctl_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct vmctl_sregs {
	struct vmctl_segment cs, ds, es, fs, gs, ss;
	struct vmctl_segment tr, ldt;
	struct vmctl_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 flags;			/* none defined: must be 0 */
};

struct vmctl_msr_entry {
	__u32 index;
	__u32 reserved;			/* must be 0 */
	__u64 data;
};

/* GET/SET_MSRS return the number of entries processed. */
struct vmctl_msrs {
	__u32 nmsrs;			/* <= VMCTL_MAX_MSR_ENTRIES */
	__u32 flags;			/* must be 0 */
	struct vmctl_msr_entry entries[];
};

#define VMCTL_CPUID_FLAG_SIGNIFICANT_INDEX	(1U << 0)

struct vmctl_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;			/* VMCTL_CPUID_FLAG_* */
	__u32 eax, ebx, ecx, edx;
	__u32 padding;
};

/*
 * SET_CPUID replaces the table the guest sees.  GET_CPUID returns it
 * (nent in: room in entries; out: entries returned; E2BIG when too small).
 * The default table is derived from the host: VMX hidden, the hypervisor
 * bit set, "vmctlvmctlvm" at leaf 0x40000000.  A leaf absent from the table
 * reads as zeros.
 */
struct vmctl_cpuid {
	__u32 nent;			/* <= VMCTL_MAX_CPUID_ENTRIES */
	__u32 flags;			/* must be 0 */
	struct vmctl_cpuid_entry entries[];
};

/*
 * Queue an exception for the next VM entry.  As the architecture has it:
 * has_error_code is 1 exactly for #DF, #TS, #NP, #SS, #GP, #PF and #AC
 * (8, 10-14, 17) while the guest is in protected mode (CR0.PE), 0
 * otherwise; error_code fits in 16 bits.  #CP (21) is refused: the guest
 * has no CET, and a CPU without it cannot enter a guest with #CP and its
 * error code.  Anything else is EINVAL, one
 * already queued EBUSY.  Should the mode change before the entry
 * (SET_SREGS), the error code is pushed or not as the new mode asks.
 */
struct vmctl_exception {
	__u8 vector;			/* 0..31, not 2 (NMI) nor 21 (#CP) */
	__u8 has_error_code;
	__u16 padding;
	__u32 error_code;		/* bits 31:16 zero */
	__u64 flags;			/* must be 0 */
};

/*
 * VMX basic exit reasons (Intel SDM volume 3, appendix C): the index of
 * struct vmctl_vcpu_stats.hw_exits[], the low bits of fail_entry's
 * hardware_reason and data[0] of VMCTL_INTERNAL_UNHANDLED_EXIT.  Numbers
 * the SDM leaves unused have no name.
 */
#define VMCTL_HW_EXIT_EXCEPTION_NMI		0
#define VMCTL_HW_EXIT_EXTERNAL_INTERRUPT	1
#define VMCTL_HW_EXIT_TRIPLE_FAULT		2
#define VMCTL_HW_EXIT_INIT_SIGNAL		3
#define VMCTL_HW_EXIT_SIPI			4
#define VMCTL_HW_EXIT_IO_SMI			5
#define VMCTL_HW_EXIT_OTHER_SMI			6
#define VMCTL_HW_EXIT_INTERRUPT_WINDOW		7
#define VMCTL_HW_EXIT_NMI_WINDOW		8
#define VMCTL_HW_EXIT_TASK_SWITCH		9
#define VMCTL_HW_EXIT_CPUID			10
#define VMCTL_HW_EXIT_GETSEC			11
#define VMCTL_HW_EXIT_HLT			12
#define VMCTL_HW_EXIT_INVD			13
#define VMCTL_HW_EXIT_INVLPG			14
#define VMCTL_HW_EXIT_RDPMC			15
#define VMCTL_HW_EXIT_RDTSC			16
#define VMCTL_HW_EXIT_RSM			17
#define VMCTL_HW_EXIT_VMCALL			18
#define VMCTL_HW_EXIT_VMCLEAR			19
#define VMCTL_HW_EXIT_VMLAUNCH			20
#define VMCTL_HW_EXIT_VMPTRLD			21
#define VMCTL_HW_EXIT_VMPTRST			22
#define VMCTL_HW_EXIT_VMREAD			23
#define VMCTL_HW_EXIT_VMRESUME			24
#define VMCTL_HW_EXIT_VMWRITE			25
#define VMCTL_HW_EXIT_VMXOFF			26
#define VMCTL_HW_EXIT_VMXON			27
#define VMCTL_HW_EXIT_CR_ACCESS			28
#define VMCTL_HW_EXIT_DR_ACCESS			29
#define VMCTL_HW_EXIT_IO_INSTRUCTION		30
#define VMCTL_HW_EXIT_RDMSR			31
#define VMCTL_HW_EXIT_WRMSR			32
#define VMCTL_HW_EXIT_INVALID_GUEST_STATE	33
#define VMCTL_HW_EXIT_MSR_LOAD_FAIL		34
#define VMCTL_HW_EXIT_MWAIT			36
#define VMCTL_HW_EXIT_MONITOR_TRAP_FLAG		37
#define VMCTL_HW_EXIT_MONITOR			39
#define VMCTL_HW_EXIT_PAUSE			40
#define VMCTL_HW_EXIT_MCE_DURING_VMENTRY	41
#define VMCTL_HW_EXIT_TPR_BELOW_THRESHOLD	43
#define VMCTL_HW_EXIT_APIC_ACCESS		44
#define VMCTL_HW_EXIT_VIRTUALIZED_EOI		45
#define VMCTL_HW_EXIT_GDTR_IDTR_ACCESS		46
#define VMCTL_HW_EXIT_LDTR_TR_ACCESS		47
#define VMCTL_HW_EXIT_EPT_VIOLATION		48
#define VMCTL_HW_EXIT_EPT_MISCONFIG		49
#define VMCTL_HW_EXIT_INVEPT			50
#define VMCTL_HW_EXIT_RDTSCP			51
#define VMCTL_HW_EXIT_PREEMPTION_TIMER		52
#define VMCTL_HW_EXIT_INVVPID			53
#define VMCTL_HW_EXIT_WBINVD			54
#define VMCTL_HW_EXIT_XSETBV			55
#define VMCTL_HW_EXIT_APIC_WRITE		56
#define VMCTL_HW_EXIT_RDRAND			57
#define VMCTL_HW_EXIT_INVPCID			58
#define VMCTL_HW_EXIT_VMFUNC			59
#define VMCTL_HW_EXIT_ENCLS			60
#define VMCTL_HW_EXIT_RDSEED			61
#define VMCTL_HW_EXIT_PML_FULL			62
#define VMCTL_HW_EXIT_XSAVES			63
#define VMCTL_HW_EXIT_XRSTORS			64
#define VMCTL_HW_EXIT_SPP_EVENT			66
#define VMCTL_HW_EXIT_UMWAIT			67
#define VMCTL_HW_EXIT_TPAUSE			68
#define VMCTL_HW_EXIT_LOADIWKEY			69
#define VMCTL_HW_EXIT_ENCLV			70
#define VMCTL_HW_EXIT_ENQCMD_PASID_FAIL		72
#define VMCTL_HW_EXIT_ENQCMDS_PASID_FAIL	73
#define VMCTL_HW_EXIT_BUS_LOCK			74
#define VMCTL_HW_EXIT_NOTIFY			75
#define VMCTL_HW_EXIT_SEAMCALL			76
#define VMCTL_HW_EXIT_TDCALL			77

/* The exit-reason field: basic reason in bits 15:0, bit 31 failed entry. */
#define VMCTL_HW_EXIT_BASIC_MASK	0xffffU
#define VMCTL_HW_EXIT_FAILED_ENTRY	0x80000000U

/*
 * "NAME" for every reason above, indexed by number: the initialiser of
 * const char *const names[VMCTL_NR_HW_EXIT_REASONS] = { VMCTL_HW_EXIT_NAMES }.
 */
#define VMCTL_HW_EXIT_NAMES \
	[VMCTL_HW_EXIT_EXCEPTION_NMI] = "EXCEPTION_NMI", \
	[VMCTL_HW_EXIT_EXTERNAL_INTERRUPT] = "EXTERNAL_INTERRUPT", \
	[VMCTL_HW_EXIT_TRIPLE_FAULT] = "TRIPLE_FAULT", \
	[VMCTL_HW_EXIT_INIT_SIGNAL] = "INIT_SIGNAL", \
	[VMCTL_HW_EXIT_SIPI] = "SIPI", \
	[VMCTL_HW_EXIT_IO_SMI] = "IO_SMI", \
	[VMCTL_HW_EXIT_OTHER_SMI] = "OTHER_SMI", \
	[VMCTL_HW_EXIT_INTERRUPT_WINDOW] = "INTERRUPT_WINDOW", \
	[VMCTL_HW_EXIT_NMI_WINDOW] = "NMI_WINDOW", \
	[VMCTL_HW_EXIT_TASK_SWITCH] = "TASK_SWITCH", \
	[VMCTL_HW_EXIT_CPUID] = "CPUID", \
	[VMCTL_HW_EXIT_GETSEC] = "GETSEC", \
	[VMCTL_HW_EXIT_HLT] = "HLT", \
	[VMCTL_HW_EXIT_INVD] = "INVD", \
	[VMCTL_HW_EXIT_INVLPG] = "INVLPG", \
	[VMCTL_HW_EXIT_RDPMC] = "RDPMC", \
	[VMCTL_HW_EXIT_RDTSC] = "RDTSC", \
	[VMCTL_HW_EXIT_RSM] = "RSM", \
	[VMCTL_HW_EXIT_VMCALL] = "VMCALL", \
	[VMCTL_HW_EXIT_VMCLEAR] = "VMCLEAR", \
	[VMCTL_HW_EXIT_VMLAUNCH] = "VMLAUNCH", \
	[VMCTL_HW_EXIT_VMPTRLD] = "VMPTRLD", \
	[VMCTL_HW_EXIT_VMPTRST] = "VMPTRST", \
	[VMCTL_HW_EXIT_VMREAD] = "VMREAD", \
	[VMCTL_HW_EXIT_VMRESUME] = "VMRESUME", \
	[VMCTL_HW_EXIT_VMWRITE] = "VMWRITE", \
	[VMCTL_HW_EXIT_VMXOFF] = "VMXOFF", \
	[VMCTL_HW_EXIT_VMXON] = "VMXON", \
	[VMCTL_HW_EXIT_CR_ACCESS] = "CR_ACCESS", \
	[VMCTL_HW_EXIT_DR_ACCESS] = "DR_ACCESS", \
	[VMCTL_HW_EXIT_IO_INSTRUCTION] = "IO_INSTRUCTION", \
	[VMCTL_HW_EXIT_RDMSR] = "RDMSR", \
	[VMCTL_HW_EXIT_WRMSR] = "WRMSR", \
	[VMCTL_HW_EXIT_INVALID_GUEST_STATE] = "INVALID_GUEST_STATE", \
	[VMCTL_HW_EXIT_MSR_LOAD_FAIL] = "MSR_LOAD_FAIL", \
	[VMCTL_HW_EXIT_MWAIT] = "MWAIT", \
	[VMCTL_HW_EXIT_MONITOR_TRAP_FLAG] = "MONITOR_TRAP_FLAG", \
	[VMCTL_HW_EXIT_MONITOR] = "MONITOR", \
	[VMCTL_HW_EXIT_PAUSE] = "PAUSE", \
	[VMCTL_HW_EXIT_MCE_DURING_VMENTRY] = "MCE_DURING_VMENTRY", \
	[VMCTL_HW_EXIT_TPR_BELOW_THRESHOLD] = "TPR_BELOW_THRESHOLD", \
	[VMCTL_HW_EXIT_APIC_ACCESS] = "APIC_ACCESS", \
	[VMCTL_HW_EXIT_VIRTUALIZED_EOI] = "VIRTUALIZED_EOI", \
	[VMCTL_HW_EXIT_GDTR_IDTR_ACCESS] = "GDTR_IDTR_ACCESS", \
	[VMCTL_HW_EXIT_LDTR_TR_ACCESS] = "LDTR_TR_ACCESS", \
	[VMCTL_HW_EXIT_EPT_VIOLATION] = "EPT_VIOLATION", \
	[VMCTL_HW_EXIT_EPT_MISCONFIG] = "EPT_MISCONFIG", \
	[VMCTL_HW_EXIT_INVEPT] = "INVEPT", \
	[VMCTL_HW_EXIT_RDTSCP] = "RDTSCP", \
	[VMCTL_HW_EXIT_PREEMPTION_TIMER] = "PREEMPTION_TIMER", \
	[VMCTL_HW_EXIT_INVVPID] = "INVVPID", \
	[VMCTL_HW_EXIT_WBINVD] = "WBINVD", \
	[VMCTL_HW_EXIT_XSETBV] = "XSETBV", \
	[VMCTL_HW_EXIT_APIC_WRITE] = "APIC_WRITE", \
	[VMCTL_HW_EXIT_RDRAND] = "RDRAND", \
	[VMCTL_HW_EXIT_INVPCID] = "INVPCID", \
	[VMCTL_HW_EXIT_VMFUNC] = "VMFUNC", \
	[VMCTL_HW_EXIT_ENCLS] = "ENCLS", \
	[VMCTL_HW_EXIT_RDSEED] = "RDSEED", \
	[VMCTL_HW_EXIT_PML_FULL] = "PML_FULL", \
	[VMCTL_HW_EXIT_XSAVES] = "XSAVES", \
	[VMCTL_HW_EXIT_XRSTORS] = "XRSTORS", \
	[VMCTL_HW_EXIT_SPP_EVENT] = "SPP_EVENT", \
	[VMCTL_HW_EXIT_UMWAIT] = "UMWAIT", \
	[VMCTL_HW_EXIT_TPAUSE] = "TPAUSE", \
	[VMCTL_HW_EXIT_LOADIWKEY] = "LOADIWKEY", \
	[VMCTL_HW_EXIT_ENCLV] = "ENCLV", \
	[VMCTL_HW_EXIT_ENQCMD_PASID_FAIL] = "ENQCMD_PASID_FAIL", \
	[VMCTL_HW_EXIT_ENQCMDS_PASID_FAIL] = "ENQCMDS_PASID_FAIL", \
	[VMCTL_HW_EXIT_BUS_LOCK] = "BUS_LOCK", \
	[VMCTL_HW_EXIT_NOTIFY] = "NOTIFY", \
	[VMCTL_HW_EXIT_SEAMCALL] = "SEAMCALL", \
	[VMCTL_HW_EXIT_TDCALL] = "TDCALL",

/* VMX basic exit reasons are < VMCTL_NR_HW_EXIT_REASONS. */
#define VMCTL_NR_HW_EXIT_REASONS	80

struct vmctl_vcpu_stats {
	__u64 flags;			/* out: 0 */
	__u64 runs;			/* VMCTL_RUN calls */
	__u64 exits;			/* all VM exits */
	__u64 user_exits;		/* exits that went to userspace */
	__u64 hw_exits[VMCTL_NR_HW_EXIT_REASONS]; /* by VMX basic reason */
};

/*
 * VMCTL_RUN enters the guest.  Guest RAM is the memory the slots name in
 * the address space of the process that created the VM, so only that
 * process's threads may run its vCPUs: from any other (a forked child,
 * a process the fd was passed to) RUN fails with EPERM.
 */
#define VMCTL_RUN		_IO(VMCTL_IO, 0x20)
#define VMCTL_GET_REGS		_IOR(VMCTL_IO, 0x21, struct vmctl_regs)
#define VMCTL_SET_REGS		_IOW(VMCTL_IO, 0x22, struct vmctl_regs)
#define VMCTL_GET_SREGS		_IOR(VMCTL_IO, 0x23, struct vmctl_sregs)
#define VMCTL_SET_SREGS		_IOW(VMCTL_IO, 0x24, struct vmctl_sregs)
#define VMCTL_GET_MSRS		_IOWR(VMCTL_IO, 0x25, struct vmctl_msrs)
#define VMCTL_SET_MSRS		_IOW(VMCTL_IO, 0x26, struct vmctl_msrs)
#define VMCTL_SET_CPUID		_IOW(VMCTL_IO, 0x27, struct vmctl_cpuid)
#define VMCTL_GET_CPUID		_IOWR(VMCTL_IO, 0x28, struct vmctl_cpuid)
#define VMCTL_INJECT_EXCEPTION	_IOW(VMCTL_IO, 0x29, struct vmctl_exception)
#define VMCTL_GET_VCPU_STATS	_IOR(VMCTL_IO, 0x2A, struct vmctl_vcpu_stats)

/*
 * Saving and restoring a vCPU (snapshots, migration).  Every GET returns
 * the state as the guest left it at its last exit; the vCPU mutex keeps
 * RUN out while it is read or written.  Every struct has a flags word
 * (none defined: 0 in and out) and reserved space (0 in, 0 out) so that
 * later versions can add fields; unknown bits are EINVAL.  Restore in
 * this order: CPUID, REGS, SREGS, XCRS, XSAVE, DEBUGREGS, MSRS (IA32_TSC
 * before TSC_DEADLINE: a deadline is a guest TSC value), LAPIC, MP_STATE,
 * VCPU_EVENTS.  The VM's clock and I/O APIC (VMCTL_SET_CLOCK,
 * VMCTL_SET_IOAPIC) come before its vCPUs.
 * VMCTL_GET_MSR_INDEX_LIST names the MSRs to save, in an order that is
 * safe for SET_MSRS.
 */

/*
 * The x87/SSE/AVX state: region holds the XSAVE standard format (legacy
 * area, header, components at their CPUID 0xD offsets) for the
 * components a guest may enable, or the 512-byte FXSAVE format on a host
 * without XSAVE.  size: out: the bytes of region in use
 * (VMCTL_CAP_XSAVE_SIZE); in: the same value.  SET refuses (EINVAL) what
 * XRSTOR/FXRSTOR would fault on: MXCSR bits the CPU lacks, XSTATE_BV bits
 * of components the guest cannot enable, a compacted or non-zero
 * XCOMP_BV, non-zero reserved header bytes; and bytes past size not 0.
 */
#define VMCTL_XSAVE_REGION	4096

struct vmctl_xsave {
	__u32 flags;			/* none defined: 0 */
	__u32 size;
	__u8 region[VMCTL_XSAVE_REGION];
};

/*
 * XCR0 as the guest set it with XSETBV.  SET refuses what XSETBV would
 * #GP on (x87 off, AVX without SSE, AVX-512 in part or without AVX,
 * components the guest cannot enable); without XSAVE only 1.
 */
struct vmctl_xcrs {
	__u64 flags;			/* none defined: 0 */
	__u64 xcr0;
	__u64 reserved[6];		/* 0 */
};

/*
 * Debug registers.  DR6 and DR7 are 32-bit registers (bits 63:32 set:
 * EINVAL); their fixed bits read back as the CPU has them (DR6 bits 4-11
 * and 16-31 set, DR7 bit 10 set, bits 11, 12, 14 and 15 clear).
 */
struct vmctl_debugregs {
	__u64 db[4];
	__u64 dr6;
	__u64 dr7;
	__u64 flags;			/* none defined: 0 */
	__u64 reserved[9];		/* 0 */
};

/*
 * The MSRs this vCPU models and a snapshot must save (the x2APIC
 * registers are the local APIC's state, not in the list).  nmsrs: in:
 * room in indices; out: how many there are (E2BIG, with nmsrs set, when
 * the room is too small).  All can be read and written back with
 * GET/SET_MSRS; the list depends on the vCPU's CPUID (KVM's kvmclock,
 * steal-time and PV EOI MSRs) and on the irqchip (TSC_DEADLINE, PV EOI),
 * so ask after SET_CPUID.
 */
struct vmctl_msr_list {
	__u32 nmsrs;
	__u32 flags;			/* none defined: 0 */
	__u32 indices[];
};

/*
 * The events in flight.  injected: an event whose delivery the last exit
 * cut short (an exception, an external interrupt the local APIC already
 * moved to ISR, an NMI), delivered again at the next entry; a software
 * interrupt or exception cut short is not reported, because RIP still
 * points at its instruction, which raises it again.  exception: the
 * exception queued for the next entry (VMCTL_INJECT_EXCEPTION, or an
 * exit handler's #GP/#UD...), delivered after an injected event.
 * interrupt_shadow: blocking by STI or MOV SS for one instruction.
 * nmi_pending: an NMI waiting in the local APIC; nmi_masked: NMIs blocked
 * until the next IRET; sipi_vector: the vector of the last SIPI (for
 * VMCTL_MP_STATE_SIPI_RECEIVED); these three only with an irqchip.
 *
 * SET refuses (EINVAL) what the next VM entry would refuse or silently
 * drop (SDM vol. 3, 26.2.1.3 and 26.3.1.5): an exception with a vector
 * above 31, NMI (2) or #CP (21), an error code where the guest's mode
 * pushes none or missing where it does, above 16 bits; an interrupt with
 * RFLAGS.IF clear or a shadow; an NMI (vector 2) in a shadow; both
 * shadows, an STI shadow with IF clear; NMI or SIPI fields without an
 * irqchip; non-zero fields of an absent event.  So restore REGS and
 * SREGS first.  SET replaces all of it: what was in flight is dropped.
 * GET fails with EBUSY while an exit awaits its completion by the next
 * RUN (an IN's data, an MMIO read, a hypercall's result): RUN with
 * immediate_exit set completes it and returns at once; a snapshot is
 * taken after that.
 */
#define VMCTL_EVENT_NONE	0
#define VMCTL_EVENT_EXCEPTION	1
#define VMCTL_EVENT_INTERRUPT	2
#define VMCTL_EVENT_NMI		3

#define VMCTL_INTR_SHADOW_STI		(1U << 0)
#define VMCTL_INTR_SHADOW_MOV_SS	(1U << 1)

struct vmctl_vcpu_events {
	struct {
		__u8 type;		/* VMCTL_EVENT_* */
		__u8 vector;
		__u8 has_error_code;	/* exceptions only */
		__u8 padding;		/* 0 */
		__u32 error_code;
	} injected;
	struct {
		__u8 pending;
		__u8 vector;
		__u8 has_error_code;
		__u8 padding;		/* 0 */
		__u32 error_code;
	} exception;
	__u8 interrupt_shadow;		/* VMCTL_INTR_SHADOW_* */
	__u8 nmi_pending;
	__u8 nmi_masked;
	__u8 sipi_vector;
	__u32 flags;			/* none defined: 0 */
	__u64 reserved[4];		/* 0 */
};

/*
 * Where the vCPU is in its life: RUNNABLE; HALTED in HLT until an
 * interrupt (with RFLAGS.IF set) or an NMI; INIT_RECEIVED: an INIT that
 * the next RUN performs (the vCPU resets; an AP then waits for SIPI);
 * WAIT_SIPI: an AP after INIT; SIPI_RECEIVED: the next RUN starts it at
 * sipi_vector:0000 (VMCTL_GET_VCPU_EVENTS).  Without an irqchip HLT exits
 * to user space and only RUNNABLE exists.  SET_MP_STATE after SET_REGS and
 * SET_SREGS, which end a halt.  Errors: EINVAL (state, flags).
 */
#define VMCTL_MP_STATE_RUNNABLE		0
#define VMCTL_MP_STATE_HALTED		1
#define VMCTL_MP_STATE_INIT_RECEIVED	2
#define VMCTL_MP_STATE_WAIT_SIPI	3
#define VMCTL_MP_STATE_SIPI_RECEIVED	4

struct vmctl_mpstate {
	__u32 state;			/* VMCTL_MP_STATE_* */
	__u32 flags;			/* none defined: 0 */
};

/*
 * The local APIC (VMCTL_CREATE_IRQCHIP): IA32_APIC_BASE, the registers
 * as the guest sees them (id: the APIC ID, which cannot change; ldr and
 * icr_hi in xAPIC format: bits 31:24 (x2APIC derives LDR from the ID);
 * esr_pending: errors latched into ESR by its next write), IRR, ISR and
 * TMR, the timer: in one-shot and periodic mode its initial count, the
 * current count (in: the count it goes on from), the divide
 * configuration; in TSC-deadline mode the deadline, a guest TSC value
 * (0: not armed; set IA32_TSC first).  SET refuses (EINVAL) what no guest
 * could have written: reserved and read-only bits, another ID, x2APIC
 * without enable, a base beyond the guest's physical address width,
 * vectors 0-15 in IRR/ISR/TMR, the reserved timer mode, a current count
 * above the initial one, a deadline in a counted mode or counts in
 * deadline mode.  Errors: ENXIO (no irqchip).
 */
struct vmctl_lapic_state {
	__u64 apic_base;
	__u32 id, tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
	__u32 lvt[7];			/* timer, thermal, PMI, LINT0/1, error, CMCI */
	__u32 irr[8], isr[8], tmr[8];
	__u32 timer_initial;
	__u32 timer_current;
	__u32 timer_dcr;
	__u32 flags;			/* none defined: 0 */
	__u64 tsc_deadline;
	__u64 reserved[8];		/* 0 */
};

#define VMCTL_GET_XSAVE		_IOR(VMCTL_IO, 0x2B, struct vmctl_xsave)
#define VMCTL_SET_XSAVE		_IOW(VMCTL_IO, 0x2C, struct vmctl_xsave)
#define VMCTL_GET_XCRS		_IOR(VMCTL_IO, 0x2D, struct vmctl_xcrs)
#define VMCTL_SET_XCRS		_IOW(VMCTL_IO, 0x2E, struct vmctl_xcrs)
#define VMCTL_GET_DEBUGREGS	_IOR(VMCTL_IO, 0x2F, struct vmctl_debugregs)
#define VMCTL_SET_DEBUGREGS	_IOW(VMCTL_IO, 0x30, struct vmctl_debugregs)
#define VMCTL_GET_MSR_INDEX_LIST _IOWR(VMCTL_IO, 0x31, struct vmctl_msr_list)
#define VMCTL_GET_VCPU_EVENTS	_IOR(VMCTL_IO, 0x32, struct vmctl_vcpu_events)
#define VMCTL_SET_VCPU_EVENTS	_IOW(VMCTL_IO, 0x33, struct vmctl_vcpu_events)
#define VMCTL_GET_MP_STATE	_IOR(VMCTL_IO, 0x34, struct vmctl_mpstate)
#define VMCTL_SET_MP_STATE	_IOW(VMCTL_IO, 0x35, struct vmctl_mpstate)
#define VMCTL_GET_LAPIC		_IOR(VMCTL_IO, 0x36, struct vmctl_lapic_state)
#define VMCTL_SET_LAPIC		_IOW(VMCTL_IO, 0x37, struct vmctl_lapic_state)

/* ---------------------------------------------------------------------- */
/* The run structure: mmap of a vCPU fd, VMCTL_GET_RUN_SIZE bytes          */

enum vmctl_exit_reason {
	VMCTL_EXIT_NONE = 0,
	VMCTL_EXIT_IO = 1,		/* port I/O; complete it and RUN again */
	VMCTL_EXIT_MMIO = 2,		/* decoded MMIO access */
	VMCTL_EXIT_HYPERCALL = 3,	/* VMCALL the kernel does not serve */
	VMCTL_EXIT_HLT = 4,		/* guest executed HLT */
	VMCTL_EXIT_SHUTDOWN = 5,	/* triple fault */
	VMCTL_EXIT_FAIL_ENTRY = 6,	/* VM entry failed */
	VMCTL_EXIT_INTERNAL_ERROR = 7,	/* see internal.suberror */
	VMCTL_EXIT_INTR = 8,		/* signal or immediate_exit: RUN -EINTR */
	VMCTL_EXIT_MEMORY_FAULT = 9,	/* RAM the owner's mapping refuses */
};

#define VMCTL_MEMORY_FAULT_WRITE	(1ULL << 0)

enum vmctl_internal_error {
	VMCTL_INTERNAL_EMULATION = 1,	/* MMIO instruction not decoded */
	VMCTL_INTERNAL_EPT_MISCONFIG = 2, /* no longer reported: MMIO markers */
	VMCTL_INTERNAL_UNHANDLED_EXIT = 3, /* data[0]: VMX exit reason */
	VMCTL_INTERNAL_VMX_FAILURE = 4,	/* VMX instruction failed */
	VMCTL_INTERNAL_BAD_GUEST_MEMORY = 5, /* guest table walk failed */
};

#define VMCTL_IO_IN	0
#define VMCTL_IO_OUT	1

/* In-kernel hypercalls (VMCALL, RAX = number, args in RBX RCX RDX RSI). */
#define VMCTL_HC_GET_VERSION	0x0	/* RAX <- VMCTL_API_VERSION */
/*
 * KVM_HC_SEND_IPI, KVM_HC_SCHED_YIELD and KVM_HC_KICK_CPU are served too
 * while the vCPU's CPUID offers their KVM features (leaf 0x40000101, as
 * by default).
 * Every other number exits to userspace as VMCTL_EXIT_HYPERCALL.
 */

struct vmctl_run {
	/* in */
	__u8 immediate_exit;		/* RUN returns -EINTR before entry */
	__u8 padding1[7];
	/* out */
	__u32 exit_reason;		/* enum vmctl_exit_reason */
	__u32 padding2;
	__u64 flags;			/* none defined */
	union {
		/*
		 * IO: data at (char *)run + data_offset, count * size bytes.
		 * OUT: the guest's bytes.  IN: fill them before the next RUN.
		 * count > 1 only for string I/O (INS/OUTS, with REP).
		 */
		struct {
			__u8 direction;		/* VMCTL_IO_IN / _OUT */
			__u8 size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;
			__u64 data_offset;
		} io;
		/*
		 * MMIO: for reads fill data[0..len) before the next RUN.  A
		 * read-modify-write instruction (LOCK OR, XCHG, BTS, INC,
		 * ...) exits twice: the read, then the write of the result.
		 */
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;		/* 1, 2, 4 or 8 */
			__u8 is_write;
			__u8 padding[3];
		} mmio;
		/* HYPERCALL: ret goes to guest RAX on the next RUN. */
		struct {
			__u64 nr;
			__u64 args[4];		/* RBX RCX RDX RSI */
			__u64 ret;
		} hypercall;
		/* HLT with RFLAGS.IF=0 and the in-kernel irqchip. */
		struct {
			__u8 vm_stopped;	/* no vCPU can run again */
			__u8 padding[7];
		} hlt;
		struct {
			__u64 hardware_reason;	/* VMX exit reason, bit 31 set */
			__u64 qualification;
		} fail_entry;
		/*
		 * MEMORY_FAULT: the guest touched a slot's RAM where the
		 * owner's mapping has nothing (munmap'd) or does not allow
		 * the access (PROT_NONE, or PROT_READ for a write).  RIP has
		 * not moved: after fixing the mapping, RUN retries it.
		 */
		struct {
			__u64 gpa;
			__u64 flags;		/* VMCTL_MEMORY_FAULT_WRITE */
		} memory_fault;
		struct {
			__u32 suberror;		/* enum vmctl_internal_error */
			__u32 ndata;
			__u64 data[8];
		} internal;
		char padding[256];
	};
	/* guest state snapshot at exit (read-only for userspace) */
	__u64 rip;
	__u64 rflags;
	__u64 cr8;
	__u64 reserved[13];
};

#endif /* _UAPI_LINUX_VMCTL_H */
