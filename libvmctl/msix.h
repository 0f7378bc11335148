/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A PCI function's MSI-X (PCI Local Bus 3.0, 6.8.2): the capability in
 * configuration space, the vector table and the pending bit array in a
 * memory BAR, and the rule that a vector masked (its own Mask bit or the
 * capability's Function Mask) when its device signals it does not send
 * but sets its pending bit, and is sent when unmasked.  A vector's
 * message goes out through send() (vmctl_vm_signal_msi for a VM).
 *
 * Pure logic with its own lock (a leaf: nothing else is taken under it
 * but send()), so vCPU threads writing the table or the configuration
 * space and device workers signalling vectors may call in concurrently.
 */
#ifndef VMCTL_MSIX_H
#define VMCTL_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define VMCTL_MSIX_MAX_VECTORS	16
#define VMCTL_MSIX_ENTRY_SIZE	16
#define PCI_CAP_ID_MSIX		0x11
/* Message Control, at capability + 2. */
#define PCI_MSIX_FLAGS		2
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_CAP_LEN	12
/* A table entry: address low, address high, data, vector control. */
#define PCI_MSIX_ENTRY_CTRL	12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 1

struct vmctl_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct vmctl_msix {
	pthread_mutex_t lock;		/* everything below */
	unsigned int nr;		/* vectors */
	struct vmctl_msix_entry table[VMCTL_MSIX_MAX_VECTORS];
	uint32_t pending;		/* the pending bit array */
	bool enabled, masked;		/* Message Control's two bits */
	uint64_t sent;			/* messages sent, for the counters */
	void (*send)(void *ctx, uint64_t address, uint32_t data);
	void *ctx;
};

/* nr vectors (1 to VMCTL_MSIX_MAX_VECTORS), all masked; -EINVAL. */
int vmctl_msix_init(struct vmctl_msix *m, unsigned int nr);
void vmctl_msix_destroy(struct vmctl_msix *m);

/*
 * Before plugging dev: its MSI-X capability, the table at table_off
 * and the pending bits at pba_off in BAR bar (offsets 8-byte aligned).
 * Returns the capability's offset or -ENOSPC.
 */
int vmctl_msix_add_cap(const struct vmctl_msix *m, struct vmctl_pci_dev *dev,
		       unsigned int bar, uint32_t table_off, uint32_t pba_off);

/*
 * The guest wrote Message Control (its value now): enabling or
 * unmasking the function sends what is pending and unmasked.
 */
void vmctl_msix_control(struct vmctl_msix *m, uint16_t control);

/* Whether MSI-X is on: a device then interrupts with vectors only. */
bool vmctl_msix_enabled(struct vmctl_msix *m);

/*
 * Signal vector: sent now, or left pending while masked.  Returns 1
 * when sent, 0 when left pending, -1 for no such vector.
 */
int vmctl_msix_notify(struct vmctl_msix *m, unsigned int vector);

/*
 * The table and the pending bit array as the BAR shows them (offsets
 * relative to each; 4- or 8-byte accesses, others read 0 or are
 * ignored).  Unmasking an entry sends its pending message.
 */
uint64_t vmctl_msix_table_read(struct vmctl_msix *m, uint64_t off,
			       unsigned int size);
void vmctl_msix_table_write(struct vmctl_msix *m, uint64_t off,
			    unsigned int size, uint64_t value);
uint64_t vmctl_msix_pba_read(struct vmctl_msix *m, uint64_t off,
			     unsigned int size);

#endif /* VMCTL_MSIX_H */
