// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device layer (device.h) against the fake module: devices start in
 * the order they were added and stop and go in reverse, a failing start
 * fails vmctl_vm_start() with the others stopped, interrupts connect
 * whether the irqchip comes before or after the device, and the UART and
 * the PC devices sit on the list the VM destroys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "uart.h"
#include "fake_module.h"


/* What the test devices did, in order: "+a" start, "-a" stop, "xa" gone. */
static char events[64];

static void note(char what, const char *name)
{
	size_t n = strlen(events);

	snprintf(events + n, sizeof(events) - n, "%c%s ", what, name);
}

struct test_dev {
	struct vmctl_device dev;
	const char *name;
	int start_ret;
	bool connected;
	struct vmctl_irq irq;
};

static int test_start(struct vmctl_device *dev)
{
	struct test_dev *t = container_of(dev, struct test_dev, dev);

	note('+', t->name);
	return t->start_ret;
}

static void test_stop(struct vmctl_device *dev)
{
	note('-', container_of(dev, struct test_dev, dev)->name);
}

static void test_destroy(struct vmctl_device *dev)
{
	struct test_dev *t = container_of(dev, struct test_dev, dev);

	note('x', t->name);
	free(t);
}

static void test_connect(struct vmctl_device *dev)
{
	struct test_dev *t = container_of(dev, struct test_dev, dev);

	t->connected = true;
	vmctl_irq_connect_isa(&t->irq, dev->vm, 0);
}

static const struct vmctl_device_ops test_ops = {
	.name = "test",
	.start = test_start,
	.stop = test_stop,
	.destroy = test_destroy,
	.connect_irqchip = test_connect,
};

static struct test_dev *add(struct vmctl_vm *vm, const char *name,
			    int start_ret)
{
	struct test_dev *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->name = name;
	t->start_ret = start_ret;
	vmctl_device_add(vm, &t->dev, &test_ops);
	return t;
}

struct rig {
	struct vmctl *sys;
	struct vmctl_vm *vm;
};

static void rig_up(struct rig *r)
{
	static const struct step poweroff[] = { { S_HC, 0, VMCTL_HC_POWEROFF } };

	events[0] = '\0';
	nr_fake_vcpus = 0;
	scripts[0] = poweroff;
	script_len[0] = 1;
	assert_int_equal(vmctl_open(&r->sys), 0);
	assert_int_equal(vmctl_vm_create(r->sys, "t", &r->vm), 0);
}

static void rig_down(struct rig *r)
{
	vmctl_vm_destroy(r->vm);
	vmctl_close(r->sys);
	scripts[0] = NULL;
	script_len[0] = 0;
	fake_irqchip_cap = false;
}

static void test_start_in_order_stop_and_destroy_in_reverse(void **state)
{
	struct vmctl_vm_end end;
	struct rig r;

	(void)state;
	rig_up(&r);
	add(r.vm, "a", 0);
	add(r.vm, "b", 0);
	add(r.vm, "c", 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);
	assert_string_equal(events, "");
	assert_int_equal(vmctl_vm_start(r.vm), 0);
	assert_int_equal(vmctl_vm_wait(r.vm, &end), 0);
	assert_int_equal(end.reason, VMCTL_END_POWEROFF);
	assert_string_equal(events, "+a +b +c -c -b -a ");
	events[0] = '\0';
	rig_down(&r);
	/* Stopped already: destroying only frees them. */
	assert_string_equal(events, "xc xb xa ");
}

static void test_failed_start_stops_the_started(void **state)
{
	struct rig r;

	(void)state;
	rig_up(&r);
	add(r.vm, "a", 0);
	add(r.vm, "b", -EIO);
	add(r.vm, "c", 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);
	assert_int_equal(vmctl_vm_start(r.vm), -EIO);
	assert_string_equal(events, "+a +b -a ");
	/* No vCPU thread ran: nothing to wait for. */
	assert_int_equal(vmctl_vm_wait(r.vm, NULL), -EINVAL);
	assert_int_equal(fv[0].pc, 0);
	events[0] = '\0';
	rig_down(&r);
	assert_string_equal(events, "xc xb xa ");
}

static void test_irqchip_before_or_after(void **state)
{
	struct test_dev *before, *after;
	struct rig r;

	(void)state;
	fake_irqchip_cap = true;
	rig_up(&r);
	before = add(r.vm, "before", 0);
	assert_false(before->connected);
	/* Not connected yet: the level goes nowhere, and that is no error. */
	assert_int_equal(vmctl_irq_set(&before->irq, 1), 0);
	assert_int_equal(fake_irq_calls, 0);

	assert_int_equal(vmctl_vm_create_irqchip(r.vm), 0);
	assert_true(before->connected);
	after = add(r.vm, "after", 0);
	assert_true(after->connected);

	/* ISA IRQ 0 is wired to I/O APIC pin 2, as the MP table says. */
	assert_int_equal(vmctl_irq_set(&after->irq, 1), 0);
	assert_int_equal(fake_irq_pin, 2);
	assert_int_equal(fake_irq_level, 1);
	assert_int_equal(vmctl_irq_set(&after->irq, 0), 0);
	assert_int_equal(fake_irq_level, 0);
	assert_int_equal(fake_irq_calls, 2);
	rig_down(&r);
}

static bool on_list(struct vmctl_vm *vm, struct vmctl_device *dev)
{
	struct vmctl_device *d;

	for (d = vm->devices.first; d; d = d->next)
		if (d == dev)
			return true;
	return false;
}

static unsigned int count(struct vmctl_vm *vm, const char *name)
{
	struct vmctl_device *d;
	unsigned int n = 0;

	for (d = vm->devices.first; d; d = d->next)
		n += !strcmp(d->ops->name, name);
	return n;
}

/* The VM names no device: the UART and the PC devices are list entries. */
static void test_uart_and_pc_devices_on_the_list(void **state)
{
	struct vmctl_uart *uart;
	struct rig r;

	(void)state;
	rig_up(&r);
	assert_int_equal(vmctl_uart_create(r.vm, VMCTL_COM1_BASE, -1, -1,
					   &uart), 0);
	assert_true(on_list(r.vm, &uart->dev));
	assert_int_equal(count(r.vm, "uart"), 1);
	/* A UART whose ports are taken is not added. */
	assert_int_equal(vmctl_uart_create(r.vm, VMCTL_COM1_BASE, -1, -1,
					   NULL), -VMCTL_E_IO_OVERLAP);
	assert_int_equal(count(r.vm, "uart"), 1);

	assert_int_equal(vmctl_pc_devices_create(r.vm), 0);
	assert_int_equal(vmctl_pc_devices_create(r.vm), 0);
	assert_int_equal(count(r.vm, "cmos"), 1);
	assert_non_null(vmctl_io_table_find(&r.vm->pio, 0x70));
	assert_non_null(vmctl_io_table_find(&r.vm->pio, 0x21));
	rig_down(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test(fn)
	const struct CMUnitTest tests[] = {
		T(test_start_in_order_stop_and_destroy_in_reverse),
		T(test_failed_start_stops_the_started),
		T(test_irqchip_before_or_after),
		T(test_uart_and_pc_devices_on_the_list),
	};

	return cmocka_run_group_tests(tests, fake_device_setup,
				      fake_device_teardown);
}
