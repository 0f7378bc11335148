// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The DSDT's AML (see acpi.h; encoder in aml.c).  In ASL it reads:
 *
 *   Scope (\_SB) {
 *     Device (PCI0) {                       // the PCI root bridge
 *       Name (_HID, EisaId ("PNP0A03"))
 *       Name (_UID, 0)  Name (_SEG, 0)  Name (_BBN, 0)
 *       Name (_CRS, ResourceTemplate () {
 *         WordBusNumber (0-0xff)
 *         WordIO (0-0xcf7)  IO (0xcf8, 8)  WordIO (0xd00-0xffff)
 *         DWordMemory (the PCI hole)
 *       })
 *       Name (_PRT, Package () {           // slot, pin -> I/O APIC input
 *         Package () { 0xSSSSffff, pin, 0, gsi }, ...  // 32 slots x INTA-D
 *       })
 *     }
 *     Device (Cnnn) { Name (_HID, "ACPI0007")  Name (_UID, n) }  // per vCPU
 *     Device (COM1) {                       // the serial console
 *       Name (_HID, EisaId ("PNP0501"))  Name (_UID, 1)
 *       Name (_CRS, ResourceTemplate () { IO (0x3f8, 8)  IRQNoFlags () {4} })
 *     }
 *   }
 *   Name (\_S5, Package () { 5, 5, 0, 0 })  // SLP_TYPa, SLP_TYPb
 *
 * _PRT entries name GSIs directly (source 0), so no interrupt link
 * devices are needed: the routing is fixed.  The hole, the ports and
 * the routing are the definitions the PCI bus (pci.c) uses too
 * (pc_layout.h).
 * Linux programs those inputs level triggered, active low; the in-kernel
 * I/O APIC leaves polarity to the device and takes "asserted".
 *
 * COM1 is there because of hardware-reduced ACPI: Linux then has no
 * legacy PIC and so maps no ISA IRQ to an I/O APIC input by itself; a
 * device's IRQ is mapped when ACPI names it.  Without it the legacy 8250
 * probe finds the port but its interrupt never arrives, and user space
 * cannot use the console.  (vmctl run always has COM1; a VM without one
 * reads all-ones there, and Linux finds no UART.)
 */
#include <errno.h>
#include <stdio.h>

#include "acpi.h"
#include "aml.h"
#include "pc_layout.h"
#include "pm.h"

#define PCI_SLOTS		32
#define PCI_PINS		4	/* INTA..INTD */
#define PRT_ALL_FUNCTIONS	0xffff
#define PROCESSOR_HID		"ACPI0007"
#define COM1_IRQ		4	/* as irqchip.c wires 0x3f8 */
#define UART_PORTS		8

static int crs(struct aml *a)
{
	struct aml_res r = { .len = 0 };

	aml_res_word(&r, AML_SPACE_BUS, 0, 0xff);
	aml_res_word(&r, AML_SPACE_IO, 0, VMCTL_PCI_CONFIG_PORT - 1);
	aml_res_io(&r, VMCTL_PCI_CONFIG_PORT, VMCTL_PCI_CONFIG_PORTS);
	aml_res_word(&r, AML_SPACE_IO,
		     VMCTL_PCI_CONFIG_PORT + VMCTL_PCI_CONFIG_PORTS, 0xffff);
	aml_res_dword_mem(&r, VMCTL_PCI_HOLE_BASE, VMCTL_PCI_HOLE_END - 1);
	aml_res_end(&r);
	if (r.failed)
		return -ENOSPC;
	aml_name(a, "_CRS");
	aml_buffer(a, r.buf, r.len);
	return 0;
}

static void prt(struct aml *a)
{
	unsigned int slot, pin;

	aml_name(a, "_PRT");
	aml_package(a, PCI_SLOTS * PCI_PINS);
	for (slot = 0; slot < PCI_SLOTS; slot++) {
		for (pin = 0; pin < PCI_PINS; pin++) {
			aml_package(a, 4);
			aml_integer(a, (uint64_t)slot << 16 | PRT_ALL_FUNCTIONS);
			aml_integer(a, pin);
			aml_integer(a, 0);	/* source: a GSI, no link */
			aml_integer(a, vmctl_pci_intx_gsi(slot, pin));
			aml_close(a);
		}
	}
	aml_close(a);
}

static int pci_root(struct aml *a)
{
	int ret;

	aml_device(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_SEG");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	ret = crs(a);
	prt(a);
	aml_close(a);
	return ret;
}

static void processor(struct aml *a, unsigned int uid)
{
	char name[5];

	snprintf(name, sizeof(name), "C%03X", uid & 0xfff);
	aml_device(a, name);
	aml_name(a, "_HID");
	aml_string(a, PROCESSOR_HID);
	aml_name(a, "_UID");
	aml_integer(a, uid);
	aml_close(a);
}

static int com1(struct aml *a)
{
	struct aml_res r = { .len = 0 };

	aml_res_io(&r, VMCTL_COM1_BASE, UART_PORTS);
	aml_res_irq(&r, COM1_IRQ);
	aml_res_end(&r);
	if (r.failed)
		return -ENOSPC;
	aml_device(a, "COM1");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	aml_buffer(a, r.buf, r.len);
	aml_close(a);
	return 0;
}

int vmctl_dsdt_aml(unsigned int nr_cpus, void *buf, size_t room)
{
	struct aml a;
	unsigned int i;
	int ret;

	aml_init(&a, buf, room);
	aml_scope(&a, "\\_SB_");
	ret = pci_root(&a);
	for (i = 0; i < nr_cpus; i++)
		processor(&a, i);
	if (!ret)
		ret = com1(&a);
	aml_close(&a);

	aml_name(&a, "\\_S5_");
	aml_package(&a, 4);
	aml_integer(&a, VMCTL_PM_SLP_TYP_S5);
	aml_integer(&a, VMCTL_PM_SLP_TYP_S5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_close(&a);
	return ret ? ret : aml_finish(&a);
}
