/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A PCI bus 0 as a PC's firmware leaves it: a host bridge (class 0x0600)
 * at 00:00.0, so that Linux trusts type-1 configuration access without
 * ACPI, and single-function devices in slots 1-31 whose BARs are already
 * placed in the hole below 4 GiB (memory) and at ports 0xc000-0xffff (I/O).
 * The e820 map never covers the hole: guest RAM below 4 GiB ends at 3 GiB.
 *
 * Configuration space is 256 bytes per function, with a mask of the bits
 * the guest may write; BAR sizing (write all-ones, read back the mask)
 * falls out of that mask.  Accesses to BARs are routed by the BAR values
 * the guest sees now (with the command register's decode bits), so a
 * guest that moves a BAR inside the window keeps reaching its device.
 *
 * INTx: a device's INTA# drives the I/O APIC pin pc_layout.h names for
 * it, shared and level-triggered; the MP table and the DSDT's _PRT
 * describe the same routing.  The
 * line a pin shows is the OR of the devices asserting it, masked by each
 * device's Interrupt Disable bit.
 *
 * Pure logic: the bus calls set_irq() to move a pin and its users claim
 * the address ranges below in the VM's I/O table.  Thread-safe: vCPU
 * threads and device workers may call in concurrently.
 */
#ifndef VMCTL_PCI_H
#define VMCTL_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <vmctl/libvmctl.h>

#include "pc_layout.h"

/* I/O BARs go at ports 0xc000-0xffff (memory BARs in the PCI hole). */
#define VMCTL_PCI_IO_BASE	0xc000
#define VMCTL_PCI_IO_END	0x10000

#define VMCTL_PCI_SLOTS		32
#define VMCTL_PCI_NR_BARS	6
#define VMCTL_PCI_CFG_SIZE	256

/* Configuration header offsets and bits (PCI Local Bus 3.0, 6.1). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_HEADER_TYPE		0x0e
#define PCI_BASE_ADDRESS_0	0x10
#define  PCI_BASE_ADDRESS_SPACE_IO 0x01
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_START		0x40

#define PCI_CLASS_BRIDGE_HOST	0x060000

struct vmctl_pci_bar {
	uint32_t size;			/* power of 2; 0: no BAR */
	bool io;			/* I/O space, else 32-bit memory */
	const struct vmctl_io_ops *ops;	/* offsets relative to the BAR */
	void *opaque;
};

struct vmctl_pci_bus;

struct vmctl_pci_dev {
	uint8_t cfg[VMCTL_PCI_CFG_SIZE];
	uint8_t wmask[VMCTL_PCI_CFG_SIZE];	/* bits the guest may write */
	struct vmctl_pci_bar bars[VMCTL_PCI_NR_BARS];
	uint8_t cap_end;		/* next free capability byte */
	uint8_t *cap_prev_next;		/* the last capability's next field */
	struct vmctl_pci_bus *bus;
	unsigned int slot;
	unsigned int pin;		/* I/O APIC pin of INTA# */
	bool intx;			/* the device asserts INTA# */
	/*
	 * The guest wrote [reg, reg + size) of the configuration space
	 * (MSI-X enabled, a BAR moved): called under the bus lock after
	 * the write.  May be NULL.
	 */
	void (*cfg_written)(struct vmctl_pci_dev *dev, unsigned int reg,
			    unsigned int size);
};

struct vmctl_pci_bus {
	pthread_mutex_t lock;
	uint32_t config_address;	/* 0xcf8 */
	struct vmctl_pci_dev host;
	struct vmctl_pci_dev *devs[VMCTL_PCI_SLOTS];	/* [0] = &host */
	uint64_t mem_next;
	uint32_t io_next;
	bool pin_level[VMCTL_PCI_INTX_GSIS];
	void (*set_irq)(void *ctx, unsigned int pin, int level);
	void *irq_ctx;
};

void vmctl_pci_bus_init(struct vmctl_pci_bus *bus,
			void (*set_irq)(void *ctx, unsigned int pin, int level),
			void *irq_ctx);
void vmctl_pci_bus_destroy(struct vmctl_pci_bus *bus);

/* A type-0 header; class is the 24-bit class code. */
void vmctl_pci_dev_init(struct vmctl_pci_dev *dev, uint16_t vendor,
			uint16_t device, uint32_t class, uint8_t revision,
			uint16_t subsys_vendor, uint16_t subsys);
/* Before plugging: BAR idx of size bytes (a power of 2, at least 16). */
int vmctl_pci_dev_set_bar(struct vmctl_pci_dev *dev, unsigned int idx,
			  uint32_t size, bool io, const struct vmctl_io_ops *ops,
			  void *opaque);
/*
 * Before plugging: append a capability of len bytes (its first two, ID
 * and next, are filled here) to the list.  wmask: len bytes of writable
 * bits, or NULL for read-only.  Returns its offset, or -ENOSPC.
 */
int vmctl_pci_dev_add_cap(struct vmctl_pci_dev *dev, uint8_t id,
			  const void *body, unsigned int len,
			  const uint8_t *wmask);

/*
 * Put dev in the lowest free slot and place its BARs.  Errors: -ENOSPC
 * (no slot or no room left in a window), -EINVAL (no BAR of that size).
 */
int vmctl_pci_bus_plug(struct vmctl_pci_bus *bus, struct vmctl_pci_dev *dev);

/*
 * Where BAR idx of dev decodes now: its base, or 0 when it does not
 * (no such BAR, or the command register's decode bit for its space is
 * off).  The bus lock held, or dev not plugged yet.
 */
uint64_t vmctl_pci_bar_base(const struct vmctl_pci_dev *dev, unsigned int idx);

/* Assert (1) or deassert (0) dev's INTA#.  Any thread. */
void vmctl_pci_set_intx(struct vmctl_pci_dev *dev, int level);

/* Configuration space read/write (the bus lock held inside). */
/*
 * A snapshot's configuration space back into dev: only the bits the
 * guest may write (wmask) are taken, the rest stays as the model made
 * it.  The bus lock held.
 */
void vmctl_pci_restore_cfg(struct vmctl_pci_dev *dev,
			   const uint8_t cfg[VMCTL_PCI_CFG_SIZE]);
uint32_t vmctl_pci_cfg_read(struct vmctl_pci_bus *bus, unsigned int slot,
			    unsigned int func, unsigned int reg,
			    unsigned int size);
void vmctl_pci_cfg_write(struct vmctl_pci_bus *bus, unsigned int slot,
			 unsigned int func, unsigned int reg, unsigned int size,
			 uint32_t value);

/*
 * The guest's view: ports [VMCTL_PCI_CONFIG_PORT, +8) (type-1 access),
 * the memory window [VMCTL_PCI_HOLE_BASE, VMCTL_PCI_HOLE_END) and the I/O
 * window [VMCTL_PCI_IO_BASE, VMCTL_PCI_IO_END), each with the bus as
 * opaque.  An address no enabled BAR decodes reads all-ones.
 */
extern const struct vmctl_io_ops vmctl_pci_cfg_ops;
extern const struct vmctl_io_ops vmctl_pci_mem_ops;
extern const struct vmctl_io_ops vmctl_pci_io_ops;

#endif /* VMCTL_PCI_H */
