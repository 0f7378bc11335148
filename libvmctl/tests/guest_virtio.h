/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A guest's virtio-pci driver for the tests that run device models on a
 * VM (the fake module stands in for the kernel): PCI configuration
 * through ports 0xcf8/0xcfc and BAR 0 through the VM's I/O tables, as a
 * vCPU's exits would reach them; descriptors written into guest RAM.
 * One device at a time: guest_negotiate() probes it and remembers its
 * BAR for guest_rd()/guest_wr().  Linked into the tests that use it.
 */
#ifndef VMCTL_TESTS_GUEST_VIRTIO_H
#define VMCTL_TESTS_GUEST_VIRTIO_H

#include <stdint.h>

struct vmctl_vm;

struct guest_virtio {
	struct vmctl_vm *vm;	/* set by the test */
	uint8_t *ram;		/* guest RAM from 0, set by the test */
	uint32_t bar;		/* BAR 0 of the device probed last */
};

extern struct guest_virtio guest;

/* How many device models the VM has (its PCI bus counts as one). */
unsigned int guest_nr_devices(void);

uint32_t guest_cfg_read(unsigned int slot, unsigned int reg);
void guest_cfg_write(unsigned int slot, unsigned int reg, uint32_t val);

/* BAR 0 of the device probed last. */
uint64_t guest_rd(uint64_t off, unsigned int size);
void guest_wr(uint64_t off, unsigned int size, uint64_t v);

/*
 * Read the ISR (which acknowledges it) until it has the bits in want, for
 * at most 5 s; returns what it had.  The device publishes the used index
 * before it raises the interrupt, so a test that saw the used index move
 * must wait for the ISR as a driver waits for the interrupt.
 */
uint8_t guest_wait_isr(uint8_t want);

/*
 * Probe slot's virtio device as Linux does up to FEATURES_OK, taking
 * every feature it offers but those in drop.  Returns what it offered.
 */
uint64_t guest_negotiate(unsigned int slot, uint64_t drop);

/* Queue q: size entries, its rings at these addresses; enabled. */
void guest_queue(unsigned int q, uint16_t size, uint64_t desc,
		 uint64_t avail, uint64_t used);

/* Descriptor i of the table at guest address table. */
void guest_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len,
		uint16_t flags, uint16_t next);

#endif /* VMCTL_TESTS_GUEST_VIRTIO_H */
