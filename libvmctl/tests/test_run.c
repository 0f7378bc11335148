// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The run loop against the fake module (fake_module.c): libvmctl's side of
 * threads, exit dispatch to devices, how and why a VM ends, and stopping a
 * vCPU that sits in VMCTL_RUN.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "fake_module.h"


/* A VM with 2 MiB of RAM, a UART writing to a pipe, and n vCPUs. */
struct rig {
	struct vmctl *sys;
	struct vmctl_vm *vm;
	int out[2];
};

static void rig_up(struct rig *r, unsigned int n)
{
	unsigned int i;

	nr_fake_vcpus = 0;
	assert_int_equal(vmctl_open(&r->sys), 0);
	assert_int_equal(vmctl_vm_create(r->sys, "t", &r->vm), 0);
	assert_int_equal(vmctl_vm_add_memory(r->vm, 0, 2 << 20, 0), 0);
	assert_int_equal(pipe(r->out), 0);
	fcntl(r->out[0], F_SETFL, O_NONBLOCK);
	assert_int_equal(vmctl_uart_create(r->vm, VMCTL_COM1_BASE, -1,
					   r->out[1], NULL), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(vmctl_vcpu_create(r->vm, i, NULL), 0);
}

static struct vmctl_vm_end rig_run(struct rig *r)
{
	struct vmctl_vm_end end;

	assert_int_equal(vmctl_vm_start(r->vm), 0);
	assert_int_equal(vmctl_vm_wait(r->vm, &end), 0);
	return end;
}

static void rig_down(struct rig *r)
{
	vmctl_vm_destroy(r->vm);
	vmctl_close(r->sys);
	close(r->out[0]);
	close(r->out[1]);
	memset(scripts, 0, sizeof(scripts));
	memset(script_len, 0, sizeof(script_len));
}

#define SCRIPT(i, ...) do { \
	static const struct step s_[] = { __VA_ARGS__ }; \
	scripts[i] = s_; \
	script_len[i] = sizeof(s_) / sizeof(s_[0]); \
} while (0)

static void test_hello_and_poweroff(void **state)
{
	struct vmctl_vm_end end;
	struct rig r;
	char buf[16] = "";

	(void)state;
	SCRIPT(0, { S_IN, 0x3fd, 0 }, { S_OUT, 0x3f8, 'h' },
	       { S_OUT, 0x3f8, 'i' }, { S_HC, 0, VMCTL_HC_POWEROFF });
	rig_up(&r, 1);
	end = rig_run(&r);
	assert_int_equal(end.reason, VMCTL_END_POWEROFF);
	assert_int_equal(end.vcpu, 0);
	assert_int_equal(read(r.out[0], buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);
	assert_int_equal(fv[0].last_in, 0x60);	/* LSR: THRE | TEMT */
	rig_down(&r);
}

static void test_unclaimed_port_and_unknown_hypercall(void **state)
{
	struct vmctl_vm_end end;
	struct rig r;

	(void)state;
	SCRIPT(0, { S_IN, 0x80, 0 }, { S_HC, 0, 0x12345 },
	       { S_MMIO_RD, 0, 0xd0000000 });
	rig_up(&r, 1);
	end = rig_run(&r);
	assert_int_equal(end.reason, VMCTL_END_HALT);	/* script ran out */
	assert_int_equal(fv[0].last_in, 0xffffffff);	/* MMIO all-ones */
	assert_true(fv[0].last_hc_ret == (uint64_t)(int64_t)VMCTL_HC_ENOSYS);
	rig_down(&r);
}

static void test_end_reasons(void **state)
{
	static const struct { uint32_t exit; enum vmctl_end_reason end; } map[] = {
		{ VMCTL_EXIT_SHUTDOWN, VMCTL_END_SHUTDOWN },
		{ VMCTL_EXIT_FAIL_ENTRY, VMCTL_END_FAIL_ENTRY },
		{ VMCTL_EXIT_INTERNAL_ERROR, VMCTL_END_INTERNAL },
		{ 99, VMCTL_END_ERROR },
	};
	static struct step s[1];
	struct vmctl_vm_end end;
	struct rig r;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		s[0] = (struct step){ S_EXIT, 0, map[i].exit };
		scripts[0] = s;
		script_len[0] = 1;
		rig_up(&r, 1);
		end = rig_run(&r);
		assert_int_equal(end.reason, map[i].end);
		if (map[i].end == VMCTL_END_FAIL_ENTRY)
			assert_int_equal(end.hw_reason, 0x80000021);
		if (map[i].end == VMCTL_END_INTERNAL) {
			assert_int_equal(end.suberror, VMCTL_INTERNAL_EMULATION);
			assert_int_equal(end.data0, 0x1234);
		}
		if (map[i].end == VMCTL_END_ERROR) {
			assert_int_equal(end.err, -EPROTO);
			assert_non_null(strstr(end.detail, "unknown exit reason 99"));
		}
		rig_down(&r);
	}
}

/* vCPU 1 spins in the guest; vCPU 0's poweroff must kick it out. */
static void test_poweroff_stops_other_vcpus(void **state)
{
	struct vmctl_vm_end end;
	struct rig r;

	(void)state;
	SCRIPT(0, { S_OUT, 0x3f8, '.' }, { S_HC, 0, VMCTL_HC_POWEROFF });
	SCRIPT(1, { S_BLOCK, 0, 0 });
	rig_up(&r, 2);
	end = rig_run(&r);
	assert_int_equal(end.reason, VMCTL_END_POWEROFF);
	assert_int_equal(end.vcpu, 0);
	rig_down(&r);
}

static void test_stop_from_outside(void **state)
{
	struct pollfd pfd;
	struct vmctl_vm_end end;
	struct rig r;

	(void)state;
	SCRIPT(0, { S_BLOCK, 0, 0 });
	SCRIPT(1, { S_HLT, 0, 0x200 });		/* waits for an interrupt */
	rig_up(&r, 2);
	assert_int_equal(vmctl_vm_start(r.vm), 0);
	pfd = (struct pollfd){ .fd = vmctl_vm_done_fd(r.vm), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 100), 0);	/* still running */
	assert_int_equal(vmctl_vm_start(r.vm), -VMCTL_E_VM_RUNNING);
	vmctl_vm_stop(r.vm);
	assert_int_equal(poll(&pfd, 1, 5000), 1);	/* done fd fires */
	assert_int_equal(vmctl_vm_wait(r.vm, &end), 0);
	assert_int_equal(end.reason, VMCTL_END_STOPPED);
	rig_down(&r);
}

/*
 * Pause holds a vCPU spinning in the guest and one waiting in HLT, and
 * stops the devices; resume lets both go on; a VM paused still ends on
 * stop.  Not running: -ESRCH.
 */
static void test_pause_resume(void **state)
{
	struct pollfd pfd;
	struct vmctl_vm_end end;
	struct rig r;

	(void)state;
	SCRIPT(0, { S_BLOCK, 0, 0 });
	SCRIPT(1, { S_OUT, 0x3f8, 'x' }, { S_HLT, 0, 0x200 },
	       { S_HLT, 0, 0x200 });
	rig_up(&r, 2);
	assert_int_equal(vmctl_vm_pause(r.vm), -ESRCH);
	assert_int_equal(vmctl_vm_start(r.vm), 0);
	pfd = (struct pollfd){ .fd = vmctl_vm_done_fd(r.vm), .events = POLLIN };
	assert_int_equal(vmctl_vm_paused(r.vm), 0);
	assert_int_equal(vmctl_vm_pause(r.vm), 0);
	assert_int_equal(vmctl_vm_paused(r.vm), 1);
	assert_int_equal(r.vm->parked, 2);
	assert_false(r.vm->devices.first->started);
	/* Again: nothing changes. */
	assert_int_equal(vmctl_vm_pause(r.vm), 0);
	assert_int_equal(poll(&pfd, 1, 50), 0);
	assert_int_equal(vmctl_vm_resume(r.vm), 0);
	assert_int_equal(vmctl_vm_paused(r.vm), 0);
	assert_true(r.vm->devices.first->started);
	assert_int_equal(vmctl_vm_resume(r.vm), 0);
	/* Both back where they were: in the guest and in HLT. */
	assert_int_equal(poll(&pfd, 1, 50), 0);
	assert_int_equal(vmctl_vm_pause(r.vm), 0);
	assert_int_equal(r.vm->parked, 2);
	vmctl_vm_stop(r.vm);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(vmctl_vm_wait(r.vm, &end), 0);
	assert_int_equal(end.reason, VMCTL_END_STOPPED);
	assert_int_equal(vmctl_vm_resume(r.vm), -ESRCH);
	rig_down(&r);
}

static unsigned int runs(unsigned int i)
{
	return __atomic_load_n(&fv[i].runs, __ATOMIC_SEQ_CST);
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/*
 * Throttled at 50%, a vCPU spinning in the guest is kicked out after
 * each 10 ms slice and sleeps 10 ms: about 10 entries in 200 ms, not
 * one (unthrottled) nor thousands (immediate_exit left set).  A pause
 * still holds it and a resume lets it go on; at 99% it sleeps 990 ms a
 * time, and neither a pause nor the end of the throttle waits for that.
 * Throttle off: it stays in the guest, not kicked again.
 */
static void test_throttle(void **state)
{
	struct pollfd pfd;
	struct vmctl_vm_end end;
	struct rig r;
	unsigned int n;

	(void)state;
	SCRIPT(0, { S_BLOCK, 0, 0 });
	rig_up(&r, 1);
	assert_int_equal(vmctl_vm_start(r.vm), 0);
	pfd = (struct pollfd){ .fd = vmctl_vm_done_fd(r.vm), .events = POLLIN };
	sleep_ms(50);
	assert_int_equal(runs(0), 1);
	assert_int_equal(vmctl_vm_throttle(r.vm, 50), 0);
	sleep_ms(200);
	n = runs(0);
	assert_in_range(n, 4, 30);
	assert_int_equal(vmctl_vm_pause(r.vm), 0);
	assert_int_equal(r.vm->parked, 1);
	assert_int_equal(vmctl_vm_resume(r.vm), 0);
	sleep_ms(100);
	assert_in_range(runs(0), n + 2, n + 30);

	assert_int_equal(vmctl_vm_throttle(r.vm, 100), 0);	/* 99 */
	assert_int_equal(r.vm->throttle_pct, 99);
	sleep_ms(100);
	n = runs(0);
	sleep_ms(300);
	assert_in_range(runs(0), n, n + 1);	/* asleep */
	assert_int_equal(vmctl_vm_pause(r.vm), 0);	/* at once */
	assert_int_equal(vmctl_vm_resume(r.vm), 0);
	assert_int_equal(vmctl_vm_throttle(r.vm, 0), 0);
	assert_false(r.vm->throttling);
	sleep_ms(20);
	n = runs(0);
	sleep_ms(200);
	assert_int_equal(runs(0), n);	/* in the guest, left alone */
	assert_int_equal(poll(&pfd, 1, 0), 0);

	/* A throttled VM stops, and its thread goes with it. */
	assert_int_equal(vmctl_vm_throttle(r.vm, 50), 0);
	sleep_ms(30);
	vmctl_vm_stop(r.vm);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(vmctl_vm_wait(r.vm, &end), 0);
	assert_int_equal(end.reason, VMCTL_END_STOPPED);
	assert_false(r.vm->throttling);
	rig_down(&r);
}

/*
 * A snapshot of a running VM not paused is refused; one that fails
 * midway (the fake module has no VMCTL_GET_CLOCK) leaves no file, not
 * even its temporary one, and the VM runs on.
 */
static void test_snapshot_refused(void **state)
{
	char dir[] = "/tmp/vmctl-test-snap.XXXXXX", path[64];
	struct pollfd pfd;
	struct rig r;

	(void)state;
	SCRIPT(0, { S_BLOCK, 0, 0 });
	rig_up(&r, 1);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/snap", dir);
	assert_int_equal(vmctl_vm_start(r.vm), 0);
	assert_int_equal(vmctl_vm_snapshot(r.vm, path, "c", 1), -EBUSY);
	assert_int_equal(vmctl_vm_pause(r.vm), 0);
	assert_int_equal(vmctl_vm_snapshot(r.vm, path, "c", 1), -ENOTTY);
	assert_int_equal(rmdir(dir), 0);	/* empty: no file left */
	assert_int_equal(vmctl_vm_resume(r.vm), 0);
	pfd = (struct pollfd){ .fd = vmctl_vm_done_fd(r.vm), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 50), 0);
	vmctl_vm_stop(r.vm);
	assert_int_equal(vmctl_vm_wait(r.vm, NULL), 0);
	rig_down(&r);
}

static void test_all_halted(void **state)
{
	struct vmctl_vm_end end;
	struct rig r;

	(void)state;
	SCRIPT(0, { S_HLT, 0, 0 });
	SCRIPT(1, { S_OUT, 0x3f8, 'x' }, { S_HLT, 0, 0 });
	rig_up(&r, 2);
	end = rig_run(&r);
	assert_int_equal(end.reason, VMCTL_END_HALT);
	rig_down(&r);
}

/*
 * With the irqchip, a vCPU halted with interrupts off goes on while the
 * module says another vCPU can still run (its next RUN sleeps until a
 * kick wakes it): here it runs on to 'y'.  The VM ends when the module
 * says every vCPU is stopped: no 'z'.  Without the irqchip the first
 * such halt would have ended the vCPU.
 */
static void test_halt_with_irqchip(void **state)
{
	struct vmctl_vm_end end;
	char buf[4] = "";
	struct rig r;

	(void)state;
	SCRIPT(0, { S_HLT, 0, 0 }, { S_OUT, 0x3f8, 'y' }, { S_HLT, 1, 0 },
	       { S_OUT, 0x3f8, 'z' });
	fake_irqchip_cap = true;
	rig_up(&r, 0);
	assert_int_equal(vmctl_vm_create_irqchip(r.vm), 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 0, NULL), 0);
	end = rig_run(&r);
	assert_int_equal(end.reason, VMCTL_END_HALT);
	assert_int_equal(end.vcpu, 0);
	assert_int_equal(read(r.out[0], buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'y');
	fake_irqchip_cap = false;
	rig_down(&r);
}

static void test_boot_state_applied(void **state)
{
	char path[] = "/tmp/test_run_img_XXXXXX";
	struct rig r;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_int_equal(write(fd, "\xf4", 1), 1);	/* hlt */
	close(fd);
	rig_up(&r, 1);		/* vCPU 0 before the load, vCPU 1 after */
	assert_int_equal(vmctl_load_flat(r.vm, path, 0x1000,
					 VMCTL_ENTRY_DEFAULT), 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 1, NULL), 0);
	assert_int_equal(fv[0].regs.rip, 0x1000);
	assert_int_equal(fv[1].regs.rip, 0x1000);
	assert_int_equal(fv[0].regs.rdi, 0);
	assert_int_equal(fv[1].regs.rdi, 1);		/* the vCPU id */
	assert_true(fv[1].sregs_set);
	assert_int_equal(fv[1].sregs.cs.selector, 0);
	assert_int_equal(vmctl_vcpu_create(r.vm, 1, NULL), -EEXIST);
	unlink(path);
	rig_down(&r);
}

static void test_register_after_start_refused(void **state)
{
	static const struct vmctl_io_ops ops = { NULL, NULL };
	struct vmctl_vm_end end;
	struct rig r;

	(void)state;
	SCRIPT(0, { S_BLOCK, 0, 0 });
	rig_up(&r, 1);
	/* COM1 is taken by the rig's UART */
	assert_int_equal(vmctl_uart_create(r.vm, 0x3fc, -1, -1, NULL),
			 -VMCTL_E_IO_OVERLAP);
	assert_int_equal(vmctl_vm_register_pio(r.vm, 0xfffc, 8, &ops, NULL),
			 -EINVAL);
	assert_int_equal(vmctl_vm_start(r.vm), 0);
	assert_int_equal(vmctl_vm_register_pio(r.vm, 0x60, 1, &ops, NULL),
			 -VMCTL_E_VM_RUNNING);
	vmctl_vm_stop(r.vm);
	vmctl_vm_wait(r.vm, &end);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_and_poweroff),
		cmocka_unit_test(test_unclaimed_port_and_unknown_hypercall),
		cmocka_unit_test(test_end_reasons),
		cmocka_unit_test(test_poweroff_stops_other_vcpus),
		cmocka_unit_test(test_stop_from_outside),
		cmocka_unit_test(test_pause_resume),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_snapshot_refused),
		cmocka_unit_test(test_all_halted),
		cmocka_unit_test(test_halt_with_irqchip),
		cmocka_unit_test(test_boot_state_applied),
		cmocka_unit_test(test_register_after_start_refused),
	};

	return cmocka_run_group_tests(tests, fake_device_setup,
				      fake_device_teardown);
}
