// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PCI bus 0: configuration space, type-1 access, BAR placement and
 * routing, INTx lines (see pci.h).
 */
#include <errno.h>
#include <string.h>

#include "pci.h"

#define CFG_ENABLE		0x80000000U
#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_DEVICE	0x0d57	/* no Linux quirk matches it */
#define MIN_MEM_BAR		4096	/* one BAR per page: no sharing */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

void vmctl_pci_dev_init(struct vmctl_pci_dev *dev, uint16_t vendor,
			uint16_t device, uint32_t class, uint8_t revision,
			uint16_t subsys_vendor, uint16_t subsys)
{
	memset(dev, 0, sizeof(*dev));
	put16(dev->cfg + PCI_VENDOR_ID, vendor);
	put16(dev->cfg + PCI_DEVICE_ID, device);
	dev->cfg[PCI_REVISION_ID] = revision;
	dev->cfg[PCI_CLASS_PROG] = class;
	dev->cfg[PCI_CLASS_PROG + 1] = class >> 8;
	dev->cfg[PCI_CLASS_PROG + 2] = class >> 16;
	put16(dev->cfg + PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	put16(dev->cfg + PCI_SUBSYSTEM_ID, subsys);
	/* The guest turns decoding, bus mastering and INTx on and off. */
	put16(dev->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	      PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->cap_end = PCI_CAP_START;
	dev->cap_prev_next = &dev->cfg[PCI_CAPABILITY_LIST];
}

int vmctl_pci_dev_set_bar(struct vmctl_pci_dev *dev, unsigned int idx,
			  uint32_t size, bool io, const struct vmctl_io_ops *ops,
			  void *opaque)
{
	if (idx >= VMCTL_PCI_NR_BARS || size < 16 || (size & (size - 1)) ||
	    (io && size > 256) || !ops)
		return -EINVAL;
	if (!io && size < MIN_MEM_BAR)
		size = MIN_MEM_BAR;
	dev->bars[idx] = (struct vmctl_pci_bar){ size, io, ops, opaque };
	return 0;
}

int vmctl_pci_dev_add_cap(struct vmctl_pci_dev *dev, uint8_t id,
			  const void *body, unsigned int len,
			  const uint8_t *wmask)
{
	unsigned int off = dev->cap_end;

	if (len < 2 || off + len > VMCTL_PCI_CFG_SIZE)
		return -ENOSPC;
	memcpy(dev->cfg + off, body, len);
	if (wmask)
		memcpy(dev->wmask + off, wmask, len);
	dev->cfg[off] = id;
	dev->cfg[off + 1] = 0;
	dev->wmask[off] = dev->wmask[off + 1] = 0;
	*dev->cap_prev_next = off;
	dev->cap_prev_next = &dev->cfg[off + 1];
	dev->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	/* Capabilities start on dword boundaries. */
	dev->cap_end = (off + len + 3) & ~3U;
	return off;
}

void vmctl_pci_bus_init(struct vmctl_pci_bus *bus,
			void (*set_irq)(void *ctx, unsigned int pin, int level),
			void *irq_ctx)
{
	memset(bus, 0, sizeof(*bus));
	pthread_mutex_init(&bus->lock, NULL);
	vmctl_pci_dev_init(&bus->host, HOST_BRIDGE_VENDOR, HOST_BRIDGE_DEVICE,
			   PCI_CLASS_BRIDGE_HOST, 0, 0, 0);
	/* A host bridge has no interrupt and decodes nothing of its own. */
	bus->host.wmask[PCI_INTERRUPT_LINE] = 0;
	bus->host.bus = bus;
	bus->devs[0] = &bus->host;
	bus->mem_next = VMCTL_PCI_HOLE_BASE;
	bus->io_next = VMCTL_PCI_IO_BASE;
	bus->set_irq = set_irq;
	bus->irq_ctx = irq_ctx;
}

void vmctl_pci_bus_destroy(struct vmctl_pci_bus *bus)
{
	pthread_mutex_destroy(&bus->lock);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int vmctl_pci_bus_plug(struct vmctl_pci_bus *bus, struct vmctl_pci_dev *dev)
{
	uint64_t mem = bus->mem_next, io = bus->io_next;
	unsigned int slot, i;

	for (slot = 1; slot < VMCTL_PCI_SLOTS && bus->devs[slot]; slot++)
		;
	if (slot == VMCTL_PCI_SLOTS)
		return -ENOSPC;
	/* Place every BAR first: a device that does not fit changes nothing. */
	for (i = 0; i < VMCTL_PCI_NR_BARS; i++) {
		const struct vmctl_pci_bar *b = &dev->bars[i];
		uint8_t *reg = dev->cfg + PCI_BASE_ADDRESS_0 + 4 * i;
		uint32_t mask = ~(b->size - 1);
		uint64_t *next = b->io ? &io : &mem;
		uint64_t end = b->io ? VMCTL_PCI_IO_END : VMCTL_PCI_HOLE_END;
		uint64_t at;

		if (!b->size)
			continue;
		at = align_up(*next, b->size);
		if (at + b->size > end)
			return -ENOSPC;
		*next = at + b->size;
		reg[0] = (at & mask) | (b->io ? PCI_BASE_ADDRESS_SPACE_IO : 0);
		reg[1] = at >> 8;
		reg[2] = at >> 16;
		reg[3] = at >> 24;
		/* The low bits (type, size) are read-only: sizing reads them. */
		dev->wmask[PCI_BASE_ADDRESS_0 + 4 * i] = mask & 0xfc;
		dev->wmask[PCI_BASE_ADDRESS_0 + 4 * i + 1] = mask >> 8;
		dev->wmask[PCI_BASE_ADDRESS_0 + 4 * i + 2] = mask >> 16;
		dev->wmask[PCI_BASE_ADDRESS_0 + 4 * i + 3] = mask >> 24;
		if (b->io)	/* I/O BARs decode 16 bits of address */
			dev->wmask[PCI_BASE_ADDRESS_0 + 4 * i + 2] =
				dev->wmask[PCI_BASE_ADDRESS_0 + 4 * i + 3] = 0;
	}
	pthread_mutex_lock(&bus->lock);
	bus->mem_next = mem;
	bus->io_next = io;
	dev->bus = bus;
	dev->slot = slot;
	dev->pin = vmctl_pci_intx_gsi(slot, 0);
	dev->cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA# */
	dev->cfg[PCI_INTERRUPT_LINE] = dev->pin;
	bus->devs[slot] = dev;
	pthread_mutex_unlock(&bus->lock);
	return 0;
}

/* Called with the bus lock held: recompute pin and tell the irqchip. */
static void update_pin(struct vmctl_pci_bus *bus, unsigned int pin)
{
	unsigned int s;
	bool level = false;

	for (s = 1; s < VMCTL_PCI_SLOTS; s++) {
		const struct vmctl_pci_dev *d = bus->devs[s];

		if (d && d->pin == pin && d->intx &&
		    !(get16(d->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE))
			level = true;
	}
	if (level == bus->pin_level[pin - VMCTL_PCI_INTX_GSI_BASE])
		return;
	bus->pin_level[pin - VMCTL_PCI_INTX_GSI_BASE] = level;
	if (bus->set_irq)
		bus->set_irq(bus->irq_ctx, pin, level);
}

void vmctl_pci_set_intx(struct vmctl_pci_dev *dev, int level)
{
	struct vmctl_pci_bus *bus = dev->bus;

	pthread_mutex_lock(&bus->lock);
	dev->intx = level;
	if (level)
		dev->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		dev->cfg[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
	update_pin(bus, dev->pin);
	pthread_mutex_unlock(&bus->lock);
}

uint64_t vmctl_pci_bar_base(const struct vmctl_pci_dev *dev, unsigned int idx)
{
	uint16_t cmd = get16(dev->cfg + PCI_COMMAND);
	const struct vmctl_pci_bar *b;

	if (idx >= VMCTL_PCI_NR_BARS)
		return 0;
	b = &dev->bars[idx];
	if (!b->size || !(cmd & (b->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
		return 0;
	return get32(dev->cfg + PCI_BASE_ADDRESS_0 + 4 * idx) &
	       ~(uint64_t)(b->size - 1);
}

static struct vmctl_pci_dev *find_fn(struct vmctl_pci_bus *bus,
				     unsigned int slot, unsigned int func)
{
	if (slot >= VMCTL_PCI_SLOTS || func)
		return NULL;	/* single-function devices only */
	return bus->devs[slot];
}

uint32_t vmctl_pci_cfg_read(struct vmctl_pci_bus *bus, unsigned int slot,
			    unsigned int func, unsigned int reg,
			    unsigned int size)
{
	struct vmctl_pci_dev *dev;
	uint32_t v = 0;
	unsigned int i;

	pthread_mutex_lock(&bus->lock);
	dev = find_fn(bus, slot, func);
	for (i = 0; i < size; i++) {
		uint32_t byte = 0xff;

		if (dev && reg + i < VMCTL_PCI_CFG_SIZE)
			byte = dev->cfg[reg + i];
		v |= byte << (8 * i);
	}
	pthread_mutex_unlock(&bus->lock);
	return v;
}

void vmctl_pci_cfg_write(struct vmctl_pci_bus *bus, unsigned int slot,
			 unsigned int func, unsigned int reg, unsigned int size,
			 uint32_t value)
{
	struct vmctl_pci_dev *dev;
	unsigned int i;

	pthread_mutex_lock(&bus->lock);
	dev = find_fn(bus, slot, func);
	for (i = 0; dev && i < size && reg + i < VMCTL_PCI_CFG_SIZE; i++) {
		uint8_t m = dev->wmask[reg + i], b = value >> (8 * i);

		dev->cfg[reg + i] = (dev->cfg[reg + i] & ~m) | (b & m);
	}
	/* The Interrupt Disable bit may have moved. */
	if (dev && dev != &bus->host && reg <= PCI_COMMAND + 1 &&
	    reg + size > PCI_COMMAND)
		update_pin(bus, dev->pin);
	if (dev && dev->cfg_written && reg < VMCTL_PCI_CFG_SIZE)
		dev->cfg_written(dev, reg, size);
	pthread_mutex_unlock(&bus->lock);
}

/* ---- type-1 access: 0xcf8 address, 0xcfc-0xcff data ---- */

static uint64_t cfg_port_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct vmctl_pci_bus *bus = opaque;
	uint32_t addr;

	if (offset < 4) {
		/* Only dword accesses reach CONFIG_ADDRESS. */
		if (offset || size != 4)
			return (1ULL << (8 * size)) - 1;
		pthread_mutex_lock(&bus->lock);
		addr = bus->config_address;
		pthread_mutex_unlock(&bus->lock);
		return addr;
	}
	pthread_mutex_lock(&bus->lock);
	addr = bus->config_address;
	pthread_mutex_unlock(&bus->lock);
	if (!(addr & CFG_ENABLE) || (addr >> 16 & 0xff) || offset + size > 8)
		return size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
	return vmctl_pci_cfg_read(bus, addr >> 11 & 0x1f, addr >> 8 & 7,
				  (addr & 0xfc) + (offset - 4), size);
}

static void cfg_port_write(void *opaque, uint64_t offset, unsigned int size,
			   uint64_t value)
{
	struct vmctl_pci_bus *bus = opaque;
	uint32_t addr;

	if (offset < 4) {
		if (offset || size != 4)
			return;
		pthread_mutex_lock(&bus->lock);
		/* Bits 30:24 and 1:0 are reserved and read as 0. */
		bus->config_address = value & 0x80fffffcU;
		pthread_mutex_unlock(&bus->lock);
		return;
	}
	pthread_mutex_lock(&bus->lock);
	addr = bus->config_address;
	pthread_mutex_unlock(&bus->lock);
	if (!(addr & CFG_ENABLE) || (addr >> 16 & 0xff) || offset + size > 8)
		return;
	vmctl_pci_cfg_write(bus, addr >> 11 & 0x1f, addr >> 8 & 7,
			    (addr & 0xfc) + (offset - 4), size, value);
}

const struct vmctl_io_ops vmctl_pci_cfg_ops = {
	.read = cfg_port_read,
	.write = cfg_port_write,
};

/* ---- BAR routing ---- */

/*
 * The BAR that decodes addr now, and addr's offset in it.  Reads the
 * BAR registers under the bus lock: a guest may move them at any time.
 */
static const struct vmctl_pci_bar *route(struct vmctl_pci_bus *bus,
					 uint64_t addr, bool io,
					 uint64_t *offset)
{
	const struct vmctl_pci_bar *hit = NULL;
	unsigned int s, i;

	pthread_mutex_lock(&bus->lock);
	for (s = 1; s < VMCTL_PCI_SLOTS && !hit; s++) {
		const struct vmctl_pci_dev *d = bus->devs[s];
		uint16_t cmd;

		if (!d)
			continue;
		cmd = get16(d->cfg + PCI_COMMAND);
		if (!(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
			continue;
		for (i = 0; i < VMCTL_PCI_NR_BARS; i++) {
			const struct vmctl_pci_bar *b = &d->bars[i];
			uint64_t base;

			if (!b->size || b->io != io)
				continue;
			base = get32(d->cfg + PCI_BASE_ADDRESS_0 + 4 * i) &
			       ~(uint64_t)(b->size - 1);
			if (addr >= base && addr - base < b->size) {
				*offset = addr - base;
				hit = b;
				break;
			}
		}
	}
	pthread_mutex_unlock(&bus->lock);
	return hit;
}

static uint64_t bar_read(struct vmctl_pci_bus *bus, uint64_t addr,
			 unsigned int size, bool io)
{
	const struct vmctl_pci_bar *b;
	uint64_t off;

	b = route(bus, addr, io, &off);
	if (!b || off + size > b->size)
		return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	return b->ops->read(b->opaque, off, size);
}

static void bar_write(struct vmctl_pci_bus *bus, uint64_t addr,
		      unsigned int size, uint64_t value, bool io)
{
	const struct vmctl_pci_bar *b;
	uint64_t off;

	b = route(bus, addr, io, &off);
	if (b && off + size <= b->size)
		b->ops->write(b->opaque, off, size, value);
}

static uint64_t mem_read(void *opaque, uint64_t offset, unsigned int size)
{
	return bar_read(opaque, VMCTL_PCI_HOLE_BASE + offset, size, false);
}

static void mem_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	bar_write(opaque, VMCTL_PCI_HOLE_BASE + offset, size, value, false);
}

static uint64_t io_read(void *opaque, uint64_t offset, unsigned int size)
{
	return bar_read(opaque, VMCTL_PCI_IO_BASE + offset, size, true);
}

static void io_write(void *opaque, uint64_t offset, unsigned int size,
		     uint64_t value)
{
	bar_write(opaque, VMCTL_PCI_IO_BASE + offset, size, value, true);
}

const struct vmctl_io_ops vmctl_pci_mem_ops = {
	.read = mem_read,
	.write = mem_write,
};

const struct vmctl_io_ops vmctl_pci_io_ops = {
	.read = io_read,
	.write = io_write,
};

void vmctl_pci_restore_cfg(struct vmctl_pci_dev *dev,
			   const uint8_t cfg[VMCTL_PCI_CFG_SIZE])
{
	unsigned int i;

	for (i = 0; i < VMCTL_PCI_CFG_SIZE; i++)
		dev->cfg[i] = (dev->cfg[i] & ~dev->wmask[i]) |
			      (cfg[i] & dev->wmask[i]);
}
