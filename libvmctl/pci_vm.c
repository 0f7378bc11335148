// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A VM's PCI bus as a device (see pci_vm.h).  The bus claims its
 * windows once; which device answers inside them is pci.c's business,
 * following the BARs the guest programs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pci_vm.h"
#include "virtio_pci.h"

struct vmctl_pci_host {
	struct vmctl_device dev;
	struct vmctl_pci_bus bus;
	struct vmctl_irq pins[VMCTL_PCI_INTX_GSIS];
	bool pin_warned;
};

static void host_set_irq(void *ctx, unsigned int pin, int level)
{
	struct vmctl_pci_host *h = ctx;
	int ret = vmctl_irq_set(&h->pins[pin - VMCTL_PCI_INTX_GSI_BASE], level);

	/* Called under the bus lock: pin_warned needs no other. */
	if (ret && !h->pin_warned) {
		h->pin_warned = true;
		vmctl_log("PCI INTx on I/O APIC pin %u: %s", pin,
			  vmctl_strerror(ret));
	}
}

static void host_connect_irqchip(struct vmctl_device *dev)
{
	struct vmctl_pci_host *h = container_of(dev, struct vmctl_pci_host, dev);
	unsigned int i;

	for (i = 0; i < VMCTL_PCI_INTX_GSIS; i++)
		vmctl_irq_connect_pin(&h->pins[i], dev->vm,
				      VMCTL_PCI_INTX_GSI_BASE + i);
}

static void host_free(struct vmctl_device *dev)
{
	struct vmctl_pci_host *h = container_of(dev, struct vmctl_pci_host, dev);

	vmctl_pci_bus_destroy(&h->bus);
	free(h);
}

/* The bus: its address register, the host bridge's registers, INTx. */
struct host_state {
	uint32_t config_address;
	uint8_t pin_level[VMCTL_PCI_INTX_GSIS];
	uint8_t cfg[VMCTL_PCI_CFG_SIZE];
};

static int host_save(struct vmctl_device *dev, struct vmctl_state_writer *w)
{
	struct vmctl_pci_host *h = container_of(dev, struct vmctl_pci_host, dev);
	struct host_state st = { 0 };
	unsigned int i;

	pthread_mutex_lock(&h->bus.lock);
	st.config_address = h->bus.config_address;
	for (i = 0; i < VMCTL_PCI_INTX_GSIS; i++)
		st.pin_level[i] = h->bus.pin_level[i];
	memcpy(st.cfg, h->bus.host.cfg, sizeof(st.cfg));
	pthread_mutex_unlock(&h->bus.lock);
	return vmctl_state_put(w, &st, sizeof(st));
}

static int host_restore(struct vmctl_device *dev,
			struct vmctl_state_reader *r)
{
	struct vmctl_pci_host *h = container_of(dev, struct vmctl_pci_host, dev);
	struct host_state st;
	unsigned int i;
	int ret = vmctl_state_get(r, &st, sizeof(st));

	if (ret)
		return ret;
	pthread_mutex_lock(&h->bus.lock);
	h->bus.config_address = st.config_address & 0x80fffffcU;
	for (i = 0; i < VMCTL_PCI_INTX_GSIS; i++)
		h->bus.pin_level[i] = st.pin_level[i] & 1;
	vmctl_pci_restore_cfg(&h->bus.host, st.cfg);
	pthread_mutex_unlock(&h->bus.lock);
	return 0;
}

static const struct vmctl_device_ops pci_host_ops = {
	.name = "pci",
	.destroy = host_free,
	.connect_irqchip = host_connect_irqchip,
	.save = host_save,
	.restore = host_restore,
};

static struct vmctl_pci_bus *find_bus(struct vmctl_vm *vm)
{
	struct vmctl_device *dev;

	for (dev = vm->devices.first; dev; dev = dev->next)
		if (dev->ops == &pci_host_ops)
			return &container_of(dev, struct vmctl_pci_host, dev)->bus;
	return NULL;
}

/* BARs go in the hole: guest RAM must leave it free. */
static int check_hole(struct vmctl_vm *vm)
{
	unsigned int i;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		const struct vmctl_mem_region *m = &vm->mem[i];

		if (m->used && m->gpa < VMCTL_PCI_HOLE_END &&
		    m->gpa + m->size > VMCTL_PCI_HOLE_BASE)
			return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
					  "guest RAM [0x%llx, 0x%llx) covers the PCI hole [0x%llx, 0x%llx): RAM beyond 3G must start at 4G",
					  (unsigned long long)m->gpa,
					  (unsigned long long)(m->gpa + m->size),
					  VMCTL_PCI_HOLE_BASE, VMCTL_PCI_HOLE_END);
	}
	return 0;
}

int vmctl_pci_host_create(struct vmctl_vm *vm)
{
	struct vmctl_pci_host *h;
	int ret;

	if (find_bus(vm))
		return 0;
	ret = check_hole(vm);
	if (ret)
		return ret;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	vmctl_pci_bus_init(&h->bus, host_set_irq, h);
	ret = vmctl_vm_register_pio(vm, VMCTL_PCI_CONFIG_PORT,
				    VMCTL_PCI_CONFIG_PORTS, &vmctl_pci_cfg_ops,
				    &h->bus);
	if (!ret)
		ret = vmctl_vm_register_pio(vm, VMCTL_PCI_IO_BASE,
					    VMCTL_PCI_IO_END - VMCTL_PCI_IO_BASE,
					    &vmctl_pci_io_ops, &h->bus);
	if (!ret)
		ret = vmctl_vm_register_mmio(vm, VMCTL_PCI_HOLE_BASE,
					     VMCTL_PCI_HOLE_END - VMCTL_PCI_HOLE_BASE,
					     &vmctl_pci_mem_ops, &h->bus);
	if (ret) {
		/* The I/O table cannot give ranges back: the VM is unusable. */
		vmctl_pci_bus_destroy(&h->bus);
		free(h);
		return ret;
	}
	vmctl_device_add(vm, &h->dev, &pci_host_ops);
	return 0;
}

/* A device's MSI-X message (msix.h's send): the module delivers it. */
static void send_msi(void *vm, uint64_t address, uint32_t data)
{
	static bool warned;
	int ret = vmctl_vm_signal_msi(vm, address, data);

	/* A guest's bad message is its own loss: said once per process. */
	if (ret && !__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
		vmctl_log("MSI to 0x%llx data 0x%x: %s (not logged again)",
			  (unsigned long long)address, data, vmctl_strerror(ret));
}

/* A device's doorbell (struct vmctl_virtio_host): MMIO in BAR 0. */
static int doorbell(void *vm, int efd, uint64_t addr, unsigned int len,
		    bool assign)
{
	return assign ? vmctl_vm_add_doorbell(vm, efd, 0, addr, len, NULL) :
			vmctl_vm_remove_doorbell(vm, efd, 0, addr, len, NULL);
}

int vmctl_pci_plug_virtio(struct vmctl_vm *vm, struct vmctl_virtio_dev *vdev)
{
	struct vmctl_pci_bus *bus = find_bus(vm);
	int ret;

	if (!bus) {
		ret = vmctl_pci_host_create(vm);
		if (ret)
			return ret;
		bus = find_bus(vm);
	}
	vdev->host = (struct vmctl_virtio_host){ doorbell, vm };
	vdev->msix.send = send_msi;
	vdev->msix.ctx = vm;
	ret = vmctl_pci_bus_plug(bus, &vdev->pci);
	if (ret == -ENOSPC)
		return vmctl_fail(ret, "no free PCI slot or BAR space for %s",
				  vdev->be->name);
	return ret;
}

static void *ram_map(void *vm, uint64_t gpa, uint64_t len)
{
	return vmctl_vm_gpa_to_hva(vm, gpa, len);
}

static void ram_dirty(void *vm, const void *hva, uint64_t len)
{
	vmctl_vm_mark_dirty(vm, hva, len);
}

struct vmctl_guest_ram vmctl_pci_guest_ram(struct vmctl_vm *vm)
{
	return (struct vmctl_guest_ram){ .map = ram_map, .ctx = vm,
					 .dirty = ram_dirty };
}
