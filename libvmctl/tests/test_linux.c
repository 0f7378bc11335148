// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vmctl_load_linux() against the fake module (fake_module.c): what lands
 * in guest memory, vCPU 0's registers, the irqchip created before the
 * vCPUs, every refusal leaving guest memory and the VM untouched, the
 * legacy ports, and the UART's input pump raising IRQ 4 while no vCPU
 * ever exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "bytes.h"
#include "firmware.h"
#include "internal.h"
#include "pm.h"
#include "rtc.h"
#include "snapshot.h"
#include "uart.h"
#include "bzimage.h"
#include "fake_module.h"

#define MIB		(1ULL << 20)
#define SETUP_SIZE	(4 * 512)	/* setup_sects 3, plus the boot sector */
#define KERNEL_SIZE	(64 * 1024)
#define INIT_SIZE	(8 * MIB)

static char dev_path[] = "/tmp/test_linux_dev_XXXXXX";
static char kernel_path[] = "/tmp/test_linux_kernel_XXXXXX";
static char initrd_path[] = "/tmp/test_linux_initrd_XXXXXX";
static char snap_path[] = "/tmp/test_linux_snap_XXXXXX";
static uint8_t image[SETUP_SIZE + KERNEL_SIZE];

static void put(size_t off, uint64_t v, size_t len)
{
	memcpy(image + off, &v, len);
}

/* A relocatable protocol 2.15 kernel with a 64-bit entry. */
static void make_image(void)
{
	size_t i;

	memset(image, 0, sizeof(image));
	image[0x1f1] = 3;			/* setup_sects */
	put(0x1f4, KERNEL_SIZE / 16, 4);	/* syssize */
	put(0x1fe, 0xaa55, 2);
	image[0x201] = 0x66;			/* header up to 0x268 */
	memcpy(image + 0x202, "HdrS", 4);
	put(0x206, 0x20f, 2);
	image[0x211] = 1;			/* LOADED_HIGH */
	put(0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	put(0x230, 2 * MIB, 4);			/* kernel_alignment */
	image[0x234] = 1;			/* relocatable */
	put(0x236, 1, 2);			/* XLF_KERNEL_64 */
	put(0x238, 2047, 4);			/* cmdline_size */
	put(0x258, MIB, 8);			/* pref_address */
	put(0x260, INIT_SIZE, 4);
	for (i = SETUP_SIZE; i < sizeof(image); i++)
		image[i] = i * 7;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static int mktemp_file(char *path)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	if (mktemp_file(dev_path) || mktemp_file(kernel_path) ||
	    mktemp_file(initrd_path) || mktemp_file(snap_path))
		return -1;
	setenv("VMCTL_DEVICE", dev_path, 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(dev_path);
	unlink(kernel_path);
	unlink(initrd_path);
	unlink(snap_path);
	return 0;
}

/* Each test: a good kernel and a 10000-byte initrd on disk. */
static int setup(void **state)
{
	uint8_t initrd[10000];

	(void)state;
	make_image();
	write_file(kernel_path, image, sizeof(image));
	memset(initrd, 0xa5, sizeof(initrd));
	write_file(initrd_path, initrd, sizeof(initrd));
	fake_irqchip_cap = false;
	nr_fake_vcpus = 0;
	return 0;
}

struct rig {
	struct vmctl *sys;
	struct vmctl_vm *vm;
	uint8_t *ram;
};

static void rig_up(struct rig *r, uint64_t mem)
{
	assert_int_equal(vmctl_open(&r->sys), 0);
	assert_int_equal(vmctl_vm_create(r->sys, "linux", &r->vm), 0);
	assert_int_equal(vmctl_vm_add_memory(r->vm, 0, mem, 0), 0);
	r->ram = vmctl_vm_gpa_to_hva(r->vm, 0, mem);
}

static void rig_down(struct rig *r)
{
	vmctl_vm_destroy(r->vm);
	vmctl_close(r->sys);
}

static struct vmctl_linux_boot boot(unsigned int cpus)
{
	return (struct vmctl_linux_boot){
		.kernel = kernel_path, .initrd = initrd_path,
		.cmdline = "console=ttyS0", .nr_cpus = cpus,
	};
}

static void test_load_one_cpu(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	struct rig r;
	uint32_t initrd_gpa, initrd_size;

	(void)state;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_load_linux(r.vm, &b), 0);
	assert_false(fake_irqchip_created);	/* the module has none */
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);

	/* The kernel proper at 1 MiB, the zero page, command line, MP table. */
	assert_memory_equal(r.ram + MIB, image + SETUP_SIZE, KERNEL_SIZE);
	assert_memory_equal(r.ram + VMCTL_BZ_ZERO_PAGE + 0x202, "HdrS", 4);
	assert_string_equal((char *)r.ram + VMCTL_BZ_CMDLINE, "console=ttyS0");
	assert_memory_equal(r.ram + VMCTL_BZ_BIOS, "_MP_", 4);
	/* ramdisk_image and ramdisk_size point at a copy of the initrd. */
	memcpy(&initrd_gpa, r.ram + VMCTL_BZ_ZERO_PAGE + 0x218, 4);
	memcpy(&initrd_size, r.ram + VMCTL_BZ_ZERO_PAGE + 0x21c, 4);
	assert_int_equal(initrd_size, 10000);
	assert_true(initrd_gpa >= MIB + INIT_SIZE);
	assert_int_equal(r.ram[initrd_gpa], 0xa5);
	assert_int_equal(r.ram[initrd_gpa + 9999], 0xa5);

	/* vCPU 0 at the 64-bit entry with RSI at the zero page. */
	assert_true(fv[0].sregs_set);
	assert_int_equal(fv[0].regs.rip, 0x100200);
	assert_int_equal(fv[0].regs.rsi, VMCTL_BZ_ZERO_PAGE);
	assert_true(fv[0].sregs.cs.l);
	rig_down(&r);
}

static void test_load_smp_creates_irqchip(void **state)
{
	struct vmctl_linux_boot b = boot(2);
	struct rig r;
	uint8_t *mpc;

	(void)state;
	fake_irqchip_cap = true;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_load_linux(r.vm, &b), 0);
	assert_true(fake_irqchip_created);
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 1, NULL), 0);
	/* vCPU 1 keeps its reset state: it waits for the guest's SIPI. */
	assert_true(fv[0].sregs_set);
	assert_false(fv[1].sregs_set);
	/* Two processor entries (APIC IDs 0, 1), two buses, the I/O APIC. */
	mpc = r.ram + VMCTL_BZ_BIOS + 16;
	assert_memory_equal(mpc, "PCMP", 4);
	assert_int_equal(mpc[44], 0);
	assert_int_equal(mpc[44 + 1], 0);
	assert_int_equal(mpc[44 + 20 + 1], 1);
	assert_int_equal(mpc[44 + 40 + 16 + 1], VMCTL_IOAPIC_ID);
	assert_int_equal(vmctl_vm_create_irqchip(r.vm), -EEXIST);
	rig_down(&r);
}

/*
 * Asked for, the 8259s and PIT come after the irqchip, the ACPI tables
 * are full ACPI (PM1 control in ACPI mode, PM1 enable read back as
 * written), and a snapshot carries their state in a PIC_PIT section,
 * which only a VM that has them takes.
 */
static void test_load_pic_pit(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	unsigned int i, sections = 0;
	const struct vmctl_io_range *pm;
	struct vmctl_snapshot *s;
	const uint8_t *fadt;
	struct rig r;

	(void)state;
	b.pic_pit = 1;
	fake_irqchip_cap = false;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_load_linux(r.vm, &b), -EOPNOTSUPP);
	rig_down(&r);
	fake_irqchip_cap = true;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_load_linux(r.vm, &b), 0);
	assert_true(fake_irqchip_created);
	assert_true(fake_pic_pit_created);
	/* The RSDP, the XSDT, its first entry the FADT: not HW_REDUCED. */
	fadt = r.ram + vmctl_get64(r.ram + vmctl_get64(r.ram + VMCTL_FW_ACPI +
						       24) + 36);
	assert_memory_equal(fadt, "FACP", 4);
	assert_false(vmctl_get32(fadt + 112) & (1U << 20));
	pm = vmctl_io_table_find(&r.vm->pio, VMCTL_PM1_CNT);
	assert_non_null(pm);
	assert_int_equal(pm->ops->read(pm->opaque, VMCTL_PM1_CNT - pm->base, 2),
			 VMCTL_PM1_SCI_EN);
	pm->ops->write(pm->opaque, VMCTL_PM1_EVT + 2 - pm->base, 2, 0x0120);
	assert_int_equal(pm->ops->read(pm->opaque, VMCTL_PM1_EVT + 2 - pm->base,
				       2), 0x0120);
	assert_int_equal(pm->ops->read(pm->opaque, VMCTL_PM1_EVT - pm->base, 2),
			 0);
	fake_state = true;
	assert_int_equal(vmctl_vm_snapshot(r.vm, snap_path, "c", 1), 0);
	rig_down(&r);
	assert_int_equal(vmctl_snapshot_open(snap_path, &s), 0);
	for (i = 0; i < s->nr; i++)
		sections += s->s[i].h.type == SNAP_PIC_PIT;
	assert_int_equal(sections, 1);
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_vm_create_pc(r.vm), 0);
	assert_int_equal(vmctl_snapshot_restore(s, r.vm), -EINVAL);
	assert_non_null(strstr(vmctl_error_detail(), "had the 8259s and PIT"));
	rig_down(&r);
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_vm_create_pc(r.vm), 0);
	assert_int_equal(vmctl_vm_create_pic_pit(r.vm), 0);
	assert_int_equal(vmctl_snapshot_restore(s, r.vm), 0);
	rig_down(&r);
	vmctl_snapshot_close(s);
	fake_state = false;
}

/* A refusal: the error, and neither memory nor the VM changed. */
static void expect_refusal(struct vmctl_linux_boot *b, uint64_t mem, int err,
			   const char *detail)
{
	struct rig r;
	uint64_t i;

	rig_up(&r, mem);
	assert_int_equal(vmctl_load_linux(r.vm, b), err);
	if (!strstr(vmctl_error_detail(), detail))
		fail_msg("\"%s\" not in \"%s\"", detail, vmctl_error_detail());
	for (i = 0; i < 2 * MIB; i++)
		if (r.ram[i])
			fail_msg("guest memory changed at 0x%llx",
				 (unsigned long long)i);
	assert_false(fake_irqchip_created);
	assert_null(vmctl_io_table_find(&r.vm->pio, VMCTL_RTC_PORT));
	rig_down(&r);
}

static void test_refuse_random_file(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	size_t i;

	(void)state;
	srand(5);
	for (i = 0; i < sizeof(image); i++)
		image[i] = rand();
	write_file(kernel_path, image, sizeof(image));
	expect_refusal(&b, 64 * MIB, -VMCTL_E_IMAGE_FORMAT,
		       "not a Linux bzImage");
}

static void test_refuse_truncated(void **state)
{
	struct vmctl_linux_boot b = boot(1);

	(void)state;
	write_file(kernel_path, image, SETUP_SIZE + KERNEL_SIZE / 2);
	expect_refusal(&b, 64 * MIB, -VMCTL_E_IMAGE_TRUNCATED,
		       "its header says");
}

static void test_refuse_old_protocol(void **state)
{
	struct vmctl_linux_boot b = boot(1);

	(void)state;
	put(0x206, 0x204, 2);
	write_file(kernel_path, image, sizeof(image));
	expect_refusal(&b, 64 * MIB, -VMCTL_E_IMAGE_FORMAT, "too old");
}

static void test_refuse_kernel_bigger_than_memory(void **state)
{
	struct vmctl_linux_boot b = boot(1);

	(void)state;
	expect_refusal(&b, 8 * MIB, -VMCTL_E_IMAGE_RANGE,
		       "the kernel needs guest RAM");
}

static void test_refuse_initrd_bigger_than_memory(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	static uint8_t big[12 * MIB];

	(void)state;
	write_file(initrd_path, big, sizeof(big));
	expect_refusal(&b, 16 * MIB, -VMCTL_E_IMAGE_RANGE, "initrd of");
}

static void test_refuse_missing_files(void **state)
{
	struct vmctl_linux_boot b = boot(1);

	(void)state;
	b.kernel = "/nonexistent/vmlinuz";
	expect_refusal(&b, 64 * MIB, -ENOENT, "/nonexistent/vmlinuz");
	b = boot(1);
	b.initrd = "/nonexistent/initrd";
	expect_refusal(&b, 64 * MIB, -ENOENT, "/nonexistent/initrd");
}

static void test_refuse_smp_without_irqchip(void **state)
{
	struct vmctl_linux_boot b = boot(2);

	(void)state;
	expect_refusal(&b, 64 * MIB, -EOPNOTSUPP, "VMCTL_CAP_IRQCHIP");
}

/* With the irqchip, RAM over its MMIO pages would hide them. */
static void test_refuse_ram_over_apic(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	struct rig r;

	(void)state;
	fake_irqchip_cap = true;
	rig_up(&r, 64 * MIB);
	assert_true(vmctl_vm_add_memory(r.vm, 0xfe000000, 32 * MIB, 0) > 0);
	assert_int_equal(vmctl_load_linux(r.vm, &b), -VMCTL_E_IMAGE_RANGE);
	assert_non_null(strstr(vmctl_error_detail(),
			       "covers the APIC page at 0xfec00000"));
	assert_false(fake_irqchip_created);
	rig_down(&r);
}

static void test_refuse_after_vcpus(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	struct rig r;

	(void)state;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);
	assert_int_equal(vmctl_load_linux(r.vm, &b), -EBUSY);
	assert_non_null(strstr(vmctl_error_detail(), "before creating vCPUs"));
	rig_down(&r);
}

static uint64_t pio(struct rig *r, uint16_t port, bool write, uint64_t v)
{
	assert_true(vmctl_io_table_access(&r->vm->pio, port, 1, write, &v));
	return v;
}

/*
 * No 8259: what Linux's probe writes to 0x21 does not read back.  The other
 * absent devices read all-ones too, without a log line.
 */
static void test_no_pic(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	struct rig r;

	(void)state;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_load_linux(r.vm, &b), 0);
	pio(&r, 0xa1, true, 0xff);
	pio(&r, 0x21, true, 0xfb);
	assert_int_equal(pio(&r, 0x21, false, 0), 0xff);
	assert_int_equal(pio(&r, 0x20, false, 0), 0xff);
	pio(&r, 0x80, true, 0);		/* a delay write: claimed, ignored */
	/* No keyboard controller: all-ones, quietly. */
	assert_int_equal(pio(&r, 0x64, false, 0), 0xff);
	pio(&r, 0x43, true, 0x30);	/* the PIT stopped: ignored */
	/* The CMOS clock answers at 0x70/0x71. */
	pio(&r, 0x70, true, 0x0d);
	assert_int_equal(pio(&r, 0x71, false, 0), 0x80);
	rig_down(&r);
}

/* Run a loaded Linux VM whose vCPU 0 plays script; how did it end? */
static struct vmctl_vm_end run_script(const struct step *script,
				      unsigned int len)
{
	struct vmctl_linux_boot b = boot(1);
	struct vmctl_vm_end end;
	struct rig r;

	nr_fake_vcpus = 0;
	scripts[0] = script;
	script_len[0] = len;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_load_linux(r.vm, &b), 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);
	assert_int_equal(vmctl_vm_start(r.vm), 0);
	assert_int_equal(vmctl_vm_wait(r.vm, &end), 0);
	rig_down(&r);
	scripts[0] = NULL;
	script_len[0] = 0;
	return end;
}

/*
 * The ACPI PM device, as Linux drives it: poweroff acknowledges the wake
 * status, then writes S5 | SLP_EN to the sleep control register; reboot
 * writes the reset value.  Either ends the VM with its own reason; other
 * writes (another sleep state, a wrong reset value) do not.
 */
static void test_acpi_poweroff_and_reset(void **state)
{
	static const struct step poweroff[] = {
		{ S_OUT, 0x602, 0x06 },		/* not the reset value */
		{ S_OUT, 0x600, 3 << 2 | 1 << 5 },	/* S3: not offered */
		{ S_IN, 0x601, 0 },
		{ S_OUT, 0x601, 0x80 },		/* WAK_STS */
		{ S_OUT, 0x600, 5 << 2 | 1 << 5 },
		{ S_BLOCK, 0, 0 },
	};
	static const struct step reset[] = {
		{ S_OUT, 0x602, 0x01 },
		{ S_BLOCK, 0, 0 },
	};
	struct vmctl_vm_end end;

	(void)state;
	end = run_script(poweroff, ARRAY_SIZE(poweroff));
	assert_int_equal(end.reason, VMCTL_END_ACPI_POWEROFF);
	assert_int_equal(end.vcpu, 0);
	assert_int_equal(fv[0].last_in, 0);	/* no wake status */
	end = run_script(reset, ARRAY_SIZE(reset));
	assert_int_equal(end.reason, VMCTL_END_RESET);
	assert_int_equal(end.vcpu, 0);
}

/* A PC guest has a PCI bus: a host bridge answers at 00:00.0. */
static void test_pci_host_bridge(void **state)
{
	struct vmctl_linux_boot b = boot(1);
	struct rig r;
	uint64_t v = 0x80000008;

	(void)state;
	rig_up(&r, 64 * MIB);
	assert_int_equal(vmctl_load_linux(r.vm, &b), 0);
	assert_true(vmctl_io_table_access(&r.vm->pio, 0xcf8, 4, true, &v));
	assert_true(vmctl_io_table_access(&r.vm->pio, 0xcfe, 2, false, &v));
	assert_int_equal(v, 0x0600);		/* class: host bridge */
	/* The hole is the bus's: nothing decodes there yet, all-ones. */
	assert_true(vmctl_io_table_access(&r.vm->mmio, 0xc0000000, 4, false, &v));
	assert_int_equal(v, 0xffffffff);
	rig_down(&r);
}

/*
 * Input on the UART's fd raises IRQ 4 through VMCTL_IRQ_LINE while the
 * only vCPU sits in VMCTL_RUN and never exits: the input pump did it.
 */
static void test_input_raises_irq_without_exits(void **state)
{
	static const struct step block[] = { { S_BLOCK, 0, 0 } };
	struct vmctl_linux_boot b = boot(1);
	struct vmctl_uart *uart;
	struct vmctl_vm_end end;
	struct rig r;
	int in[2], i;

	(void)state;
	scripts[0] = block;
	script_len[0] = 1;
	fake_irqchip_cap = true;
	rig_up(&r, 64 * MIB);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(vmctl_load_linux(r.vm, &b), 0);
	assert_int_equal(vmctl_uart_create(r.vm, VMCTL_COM1_BASE, in[0], -1,
					   &uart), 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);
	/* The guest's driver: receive interrupts on, OUT2 gating the line. */
	vmctl_uart_ops.write(uart, 1, 1, 0x01);
	vmctl_uart_ops.write(uart, 4, 1, 0x08);
	assert_int_equal(fake_irq_calls, 0);

	assert_int_equal(vmctl_vm_start(r.vm), 0);
	assert_int_equal(write(in[1], "x", 1), 1);
	for (i = 0; i < 500 && __atomic_load_n(&fake_irq_level,
					       __ATOMIC_SEQ_CST) != 1; i++)
		poll(NULL, 0, 10);
	assert_int_equal(fake_irq_level, 1);
	assert_int_equal(fake_irq_pin, 4);
	/* The guest reads the byte: the line falls. */
	assert_int_equal(vmctl_uart_ops.read(uart, 0, 1), 'x');
	assert_int_equal(fake_irq_level, 0);

	vmctl_vm_stop(r.vm);
	assert_int_equal(vmctl_vm_wait(r.vm, &end), 0);
	assert_int_equal(end.reason, VMCTL_END_STOPPED);
	rig_down(&r);
	close(in[0]);
	close(in[1]);
	scripts[0] = NULL;
	script_len[0] = 0;
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(test_load_one_cpu),
		T(test_load_smp_creates_irqchip),
		T(test_load_pic_pit),
		T(test_refuse_random_file),
		T(test_refuse_truncated),
		T(test_refuse_old_protocol),
		T(test_refuse_kernel_bigger_than_memory),
		T(test_refuse_initrd_bigger_than_memory),
		T(test_refuse_missing_files),
		T(test_refuse_smp_without_irqchip),
		T(test_refuse_ram_over_apic),
		T(test_refuse_after_vcpus),
		T(test_no_pic),
		T(test_pci_host_bridge),
		T(test_input_raises_irq_without_exits),
		T(test_acpi_poweroff_and_reset),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
