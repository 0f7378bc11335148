// SPDX-License-Identifier: LGPL-2.1-or-later
/* The 16550A model, register by register, with pipes for the wires. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "uart.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2,
	LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct rig {
	struct vmctl_uart u;
	int in[2];	/* test writes in[1], the UART reads in[0] */
	int out[2];	/* the UART writes out[1], the test reads out[0] */
	int irq_level;
	unsigned int irq_changes;
};

static void on_irq(void *opaque, int level)
{
	struct rig *r = opaque;

	r->irq_level = level;
	r->irq_changes++;
}

static int setup(void **state)
{
	static struct rig r;

	memset(&r, 0, sizeof(r));
	if (pipe(r.in) || pipe(r.out))
		return -1;
	fcntl(r.out[0], F_SETFL, O_NONBLOCK);
	vmctl_uart_init(&r.u, r.in[0], r.out[1]);
	vmctl_uart_set_irq(&r.u, on_irq, &r);
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	close(r->in[0]);
	close(r->in[1]);
	close(r->out[0]);
	close(r->out[1]);
	return 0;
}

static uint8_t rd(struct rig *r, unsigned int reg)
{
	return vmctl_uart_ops.read(&r->u, reg, 1);
}

static void wr(struct rig *r, unsigned int reg, uint8_t v)
{
	vmctl_uart_ops.write(&r->u, reg, 1, v);
}

static void test_reset_state(void **state)
{
	struct rig *r = *state;

	assert_int_equal(rd(r, IER), 0);
	assert_int_equal(rd(r, IIR), 0x01);		/* no interrupt */
	assert_int_equal(rd(r, LCR), 0);
	assert_int_equal(rd(r, MCR), 0);
	assert_int_equal(rd(r, LSR), 0x60);		/* THRE | TEMT */
	assert_int_equal(rd(r, MSR) & 0xf0, 0xb0);	/* DCD DSR CTS */
	assert_int_equal(r->irq_level, 0);
}

static void test_transmit(void **state)
{
	struct rig *r = *state;
	char buf[8];

	wr(r, THR, 'h');
	wr(r, THR, 'i');
	assert_int_equal(read(r->out[0], buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);
	assert_int_equal(rd(r, LSR) & 0x60, 0x60);	/* still empty */
}

static void test_divisor_latch(void **state)
{
	struct rig *r = *state;
	char buf[4];

	wr(r, LCR, 0x83);		/* DLAB + 8N1 */
	wr(r, DLL, 0x0c);
	wr(r, DLM, 0x01);
	assert_int_equal(rd(r, DLL), 0x0c);
	assert_int_equal(rd(r, DLM), 0x01);
	assert_int_equal(rd(r, LCR), 0x83);
	wr(r, LCR, 0x03);
	/* With DLAB off, offsets 0 and 1 are THR and IER again. */
	assert_int_equal(rd(r, IER), 0);
	wr(r, THR, 'x');
	assert_int_equal(read(r->out[0], buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(r->u.dll, 0x0c);		/* kept */
}

static void test_scratch(void **state)
{
	struct rig *r = *state;

	wr(r, SCR, 0xa5);
	assert_int_equal(rd(r, SCR), 0xa5);
	wr(r, SCR, 0x5a);
	assert_int_equal(rd(r, SCR), 0x5a);
}

static void test_receive(void **state)
{
	struct rig *r = *state;

	assert_int_equal(rd(r, LSR) & 0x01, 0);
	assert_int_equal(write(r->in[1], "ok", 2), 2);
	assert_int_equal(rd(r, LSR) & 0x01, 0x01);	/* DR */
	assert_int_equal(rd(r, RBR), 'o');
	assert_int_equal(rd(r, LSR) & 0x01, 0x01);
	assert_int_equal(rd(r, RBR), 'k');
	assert_int_equal(rd(r, LSR) & 0x01, 0);
	assert_int_equal(rd(r, RBR), 0);		/* empty reads 0 */
}

static void test_receive_eof(void **state)
{
	struct rig *r = *state;

	close(r->in[1]);
	r->in[1] = open("/dev/null", O_RDONLY);	/* for teardown */
	assert_int_equal(rd(r, LSR) & 0x01, 0);
	assert_int_equal(r->u.in_fd, -1);	/* stops polling a dead fd */
}

static void test_fifo_control(void **state)
{
	struct rig *r = *state;

	wr(r, FCR, 0xc7);		/* enable, clear both, 14-byte trigger */
	assert_int_equal(rd(r, IIR) & 0xc0, 0xc0);	/* 16550A: FIFOs on */
	assert_int_equal(write(r->in[1], "abc", 3), 3);
	vmctl_uart_poll(&r->u);
	assert_int_equal(r->u.rx_count, 3);
	wr(r, FCR, 0x03);		/* clear the receive FIFO */
	assert_int_equal(r->u.rx_count, 0);
	assert_int_equal(rd(r, LSR) & 0x01, 0);
	wr(r, FCR, 0);
	assert_int_equal(rd(r, IIR) & 0xc0, 0);
}

static void test_thre_interrupt(void **state)
{
	struct rig *r = *state;
	char buf[4];

	wr(r, MCR, 0x08);		/* OUT2 gates the line */
	wr(r, IER, 0x02);		/* enabling THRI with THR empty fires */
	assert_int_equal(r->irq_level, 1);
	assert_int_equal(rd(r, IIR), 0x02);
	assert_int_equal(r->irq_level, 0);	/* reading IIR acknowledged it */
	assert_int_equal(rd(r, IIR), 0x01);
	wr(r, THR, 'z');		/* transmitted: empty again, fires */
	assert_int_equal(r->irq_level, 1);
	assert_int_equal(rd(r, IIR) & 0x0f, 0x02);
	wr(r, IER, 0);
	assert_int_equal(r->irq_level, 0);
	assert_int_equal(read(r->out[0], buf, sizeof(buf)), 1);
}

static void test_rda_interrupt_priority(void **state)
{
	struct rig *r = *state;

	wr(r, MCR, 0x08);
	wr(r, IER, 0x03);		/* RDI and THRI */
	assert_int_equal(write(r->in[1], "q", 1), 1);
	vmctl_uart_poll(&r->u);
	assert_int_equal(r->irq_level, 1);
	assert_int_equal(rd(r, IIR) & 0x0f, 0x04);	/* data beats THRE */
	assert_int_equal(rd(r, RBR), 'q');
	assert_int_equal(rd(r, IIR) & 0x0f, 0x02);	/* then THRE */
	assert_int_equal(rd(r, IIR) & 0x0f, 0x01);
	assert_int_equal(r->irq_level, 0);
}

static void test_out2_gates_line(void **state)
{
	struct rig *r = *state;

	wr(r, IER, 0x02);
	assert_int_equal(r->irq_changes, 0);	/* pending, but OUT2 off */
	assert_int_equal(rd(r, IIR) & 0x0f, 0x02);	/* pending all the same */
	wr(r, IER, 0);
	wr(r, IER, 0x02);
	wr(r, MCR, 0x08);
	assert_int_equal(r->irq_level, 1);
	wr(r, MCR, 0x00);
	assert_int_equal(r->irq_level, 0);
}

/* A sink connected while the line is high hears about it at once. */
static void test_late_sink_sees_high_line(void **state)
{
	struct rig *r = *state;

	vmctl_uart_set_irq(&r->u, NULL, NULL);
	wr(r, MCR, 0x08);
	wr(r, IER, 0x02);		/* THRE pending: the line is high */
	assert_int_equal(r->irq_changes, 0);
	vmctl_uart_set_irq(&r->u, on_irq, r);
	assert_int_equal(r->irq_changes, 1);
	assert_int_equal(r->irq_level, 1);
}

static void test_loopback(void **state)
{
	struct rig *r = *state;
	char buf[4];

	/* Linux's 8250 probe: loopback with RTS and OUT2 reads CTS and DCD. */
	wr(r, MCR, 0x1a);
	assert_int_equal(rd(r, MSR) & 0xf0, 0x90);
	wr(r, MCR, 0x1f);
	assert_int_equal(rd(r, MSR) & 0xf0, 0xf0);
	wr(r, THR, 'L');
	assert_int_equal(read(r->out[0], buf, sizeof(buf)), -1); /* not sent */
	assert_int_equal(rd(r, LSR) & 0x01, 0x01);
	assert_int_equal(rd(r, RBR), 'L');
	wr(r, MCR, 0x00);
	assert_int_equal(rd(r, MSR) & 0xf0, 0xb0);
}

static void test_modem_status_deltas(void **state)
{
	struct rig *r = *state;

	rd(r, MSR);
	wr(r, MCR, 0x10);		/* loopback, all lines low */
	/* CTS, DSR, DCD fell: their delta bits are set, once. */
	assert_int_equal(rd(r, MSR), 0x0b);
	assert_int_equal(rd(r, MSR), 0x00);
	wr(r, MCR, 0x14);		/* OUT1 -> RI rises: no TERI yet */
	assert_int_equal(rd(r, MSR), 0x40);
	wr(r, MCR, 0x10);		/* RI falls: trailing edge */
	assert_int_equal(rd(r, MSR), 0x04);
	/* A delta raises the modem status interrupt when enabled. */
	wr(r, IER, 0x08);
	wr(r, MCR, 0x1a);
	assert_int_equal(rd(r, IIR) & 0x0f, 0x00);
	assert_int_equal(r->irq_level, 1);
	rd(r, MSR);
	assert_int_equal(rd(r, IIR) & 0x0f, 0x01);
	assert_int_equal(r->irq_level, 0);
}

static void test_read_only_registers(void **state)
{
	struct rig *r = *state;

	wr(r, LSR, 0x00);
	wr(r, MSR, 0x00);
	assert_int_equal(rd(r, LSR), 0x60);
	assert_int_equal(rd(r, MSR) & 0xf0, 0xb0);
	wr(r, IER, 0xff);
	assert_int_equal(rd(r, IER), 0x0f);	/* upper bits reserved */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_state),
		T(test_transmit),
		T(test_divisor_latch),
		T(test_scratch),
		T(test_receive),
		T(test_receive_eof),
		T(test_fifo_control),
		T(test_thre_interrupt),
		T(test_rda_interrupt_priority),
		T(test_out2_gates_line),
		T(test_late_sink_sees_high_line),
		T(test_loopback),
		T(test_modem_status_deltas),
		T(test_read_only_registers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
