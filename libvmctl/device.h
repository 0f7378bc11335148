/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmctl's device layer: the interface every device model implements,
 * the list of devices a VM holds, and how a device raises its interrupt.
 * The VM handle names no device; it starts, stops and destroys whatever
 * is on its list, through the ops below.
 *
 * A device model is one file.  Its constructor allocates a struct that
 * embeds struct vmctl_device, claims its ports and MMIO ranges in the
 * VM's I/O table (vmctl_vm_register_pio/_mmio) and, once everything it
 * claimed is in place, adds itself to the VM with vmctl_device_add().
 * A device the caller configures has a public constructor
 * (vmctl_uart_create); a device every PC guest gets is a line in pc.c's
 * table.
 * This is kvmtool's shape (dev_init constructors, device__register), not
 * QEMU's qdev (type registry, properties, buses as objects): a dozen
 * devices need no more.
 *
 * Threads: the ops run on the thread that owns the VM handle, never while
 * a vCPU thread runs (start before the vCPU threads exist, stop after
 * they are joined), so the list needs no lock.  The I/O callbacks run on
 * vCPU threads; threads of the device's own (the UART's input pump, the
 * data paths of virtio devices) exist between start and stop, and each
 * device locks its own state.
 */
#ifndef VMCTL_DEVICE_H
#define VMCTL_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmctl_vm;
struct vmctl_device;
struct vmctl_device_counter;

/*
 * Where a device's saved state goes and comes from: bytes in the order
 * the device puts them, one snapshot section per device (snapshot.h).
 * A device puts a struct of fixed-size fields (little-endian, as the
 * host is) and checks what it gets back: the file may be damaged or
 * hostile past its checksums.
 */
struct vmctl_state_writer {
	uint8_t *buf;
	size_t len, cap;
};

struct vmctl_state_reader {
	const uint8_t *p;
	size_t left;
};

/* 0 or -ENOMEM. */
int vmctl_state_put(struct vmctl_state_writer *w, const void *p, size_t len);
/* 0, or -EPROTO (with its detail) when fewer than len bytes are left. */
int vmctl_state_get(struct vmctl_state_reader *r, void *p, size_t len);

struct vmctl_device_ops {
	/*
	 * The model, for messages: "uart", "cmos".  (A device writes guest
	 * RAM from its own threads only through virtq.h's calls, which mark
	 * what it wrote in the VM's userspace dirty log: a migration sends
	 * those pages too.)
	 */
	const char *name;
	/*
	 * Live migration on shared storage: out true, the VM is paused for
	 * good and about to be handed over: give up what the destination
	 * opens by the same path (a disk image's lock); out false, the
	 * migration failed: take it back.  0 or -errno.  May be NULL.
	 */
	int (*hand_over)(struct vmctl_device *dev, bool out);
	/*
	 * The VM is about to run: start the device's threads.  An error
	 * fails vmctl_vm_start() after the devices already started are
	 * stopped.  May be NULL.
	 */
	int (*start)(struct vmctl_device *dev);
	/* The vCPU threads have ended: stop the device's threads. May be NULL. */
	void (*stop)(struct vmctl_device *dev);
	/* Free the device (stopped, if it was started).  Required. */
	void (*destroy)(struct vmctl_device *dev);
	/*
	 * The VM's in-kernel interrupt controllers exist (now, or already
	 * when the device was added): connect the device's interrupt
	 * outputs (vmctl_irq_connect_*).  May be NULL.
	 */
	void (*connect_irqchip)(struct vmctl_device *dev);
	/*
	 * Snapshot and restore of the device's state (registers, FIFOs,
	 * queue positions), with the VM paused or not started: restore on
	 * a device made with the same configuration, after the vCPUs' and
	 * the I/O APIC's state.  0 or -errno (-EPROTO: the state makes no
	 * sense, with vmctl_fail()'s detail).  A device with NULL save
	 * cannot be snapshotted nor migrated: vmctl_vm_snapshot() and
	 * vmctl_vm_migrate() refuse the VM.
	 */
	int (*save)(struct vmctl_device *dev, struct vmctl_state_writer *w);
	int (*restore)(struct vmctl_device *dev, struct vmctl_state_reader *r);
	/*
	 * Report the device's counters (vmctl_vm_device_counters), from any
	 * thread while it runs.  May be NULL.
	 */
	void (*counters)(struct vmctl_device *dev,
			 void (*fn)(void *ctx,
				    const struct vmctl_device_counter *c),
			 void *ctx);
};

/* Embedded in every device model's struct. */
struct vmctl_device {
	const struct vmctl_device_ops *ops;
	struct vmctl_vm *vm;
	struct vmctl_device *prev, *next;	/* the VM's list, oldest first */
	bool started;
};

/* A model's own struct from the struct vmctl_device embedded in it. */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* The devices on one VM, in the order they were added. */
struct vmctl_device_list {
	struct vmctl_device *first, *last;
};

/*
 * Put dev on vm's list (the VM destroys it from now on) and connect its
 * interrupts if the irqchip exists already.  Called by the device's
 * constructor, last, with the VM stopped.
 */
void vmctl_device_add(struct vmctl_vm *vm, struct vmctl_device *dev,
		      const struct vmctl_device_ops *ops);

/* The VM's side (vm.c, run.c, irqchip.c). */
int vmctl_devices_start(struct vmctl_device_list *list);
void vmctl_devices_stop(struct vmctl_device_list *list);
void vmctl_devices_destroy(struct vmctl_device_list *list);
void vmctl_devices_connect_irqchip(struct vmctl_device_list *list);

/* ---- interrupts: one call raises or lowers a device's output ---- */

/*
 * Where one interrupt output of a device goes.  Today an input pin of the
 * in-kernel I/O APIC, driven with VMCTL_IRQ_LINE.  PCI devices add an MSI
 * kind here (an address and data word, sent once per event through the
 * module), so that every model raises either through vmctl_irq_set().
 */
enum vmctl_irq_kind {
	VMCTL_IRQ_NONE,		/* not connected: vmctl_irq_set() does nothing */
	VMCTL_IRQ_PIN,		/* an I/O APIC input pin, level-driven */
};

struct vmctl_irq {
	enum vmctl_irq_kind kind;
	struct vmctl_vm *vm;
	unsigned int pin;
};

/* Connect irq to I/O APIC input pin. */
void vmctl_irq_connect_pin(struct vmctl_irq *irq, struct vmctl_vm *vm,
			   unsigned int pin);
/* Connect irq to the pin ISA IRQ isa_irq is wired to (the MP table's). */
void vmctl_irq_connect_isa(struct vmctl_irq *irq, struct vmctl_vm *vm,
			   unsigned int isa_irq);
/* Drive the output to level (0 or 1).  Any thread.  0 or -errno. */
int vmctl_irq_set(const struct vmctl_irq *irq, int level);

#endif /* VMCTL_DEVICE_H */
