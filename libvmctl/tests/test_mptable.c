// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * MP table tests: the bytes are read back with the layout of the MP
 * specification 1.4 (independently of mptable.c's constants): sizes,
 * checksums, entry counts and the contents of every kind of entry.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bytes.h"
#include "mptable.h"

#define GPA		0xf0000
#define ROOM		4096

static uint8_t buf[ROOM];

static const struct vmctl_mptable_config cfg4 = {
	.nr_cpus = 4, .ioapic_id = 4,
	.ioapic_addr = 0xfec00000, .lapic_addr = 0xfee00000,
};

/* The configuration table, located through the floating pointer. */
static const uint8_t *config_table(void)
{
	return buf + (vmctl_get32(buf + 4) - GPA);
}

static int build(const struct vmctl_mptable_config *cfg)
{
	memset(buf, 0xa5, sizeof(buf));
	return vmctl_mptable_build(cfg, GPA, buf, sizeof(buf));
}

static void test_floating_pointer(void **state)
{
	(void)state;
	assert_int_equal(build(&cfg4), vmctl_mptable_size(4));
	assert_memory_equal(buf, "_MP_", 4);
	assert_int_equal(vmctl_get32(buf + 4), GPA + 16);
	assert_int_equal(buf[8], 1);		/* length in paragraphs */
	assert_int_equal(buf[9], 4);		/* spec 1.4 */
	assert_int_equal(vmctl_sum8(buf, 16), 0);
	assert_int_equal(buf[11], 0);		/* a table is present */
	assert_int_equal(buf[12], 0);		/* no IMCR: virtual wire */
}

static void test_config_header(void **state)
{
	const uint8_t *mpc;

	(void)state;
	build(&cfg4);
	mpc = config_table();
	assert_memory_equal(mpc, "PCMP", 4);
	/*
	 * 44 header + 4 CPUs * 20 + 2 buses, I/O APIC, 15 ISA IRQs,
	 * INTA# of 31 PCI slots, 2 LINTs * 8
	 */
	assert_int_equal(vmctl_get16(mpc + 4), 44 + 80 + (20 + 31) * 8);
	assert_int_equal(16 + vmctl_get16(mpc + 4), vmctl_mptable_size(4));
	assert_int_equal(mpc[6], 4);
	assert_int_equal(vmctl_sum8(mpc, vmctl_get16(mpc + 4)), 0);
	assert_int_equal(vmctl_get16(mpc + 34), 4 + 20 + 31);
	assert_int_equal(vmctl_get32(mpc + 36), 0xfee00000);
	assert_int_equal(vmctl_get32(mpc + 28), 0);	/* no OEM table */
	assert_int_equal(vmctl_get16(mpc + 40), 0);	/* no extended table */
	/* Nothing written past the end. */
	assert_int_equal(buf[vmctl_mptable_size(4)], 0xa5);
}

static void test_entries(void **state)
{
	const uint8_t *mpc, *p, *end;
	unsigned int cpus = 0, buses = 0, ioapics = 0, lints = 0, i;
	int pin_of_irq[16], pin_of_inta[32];

	(void)state;
	memset(pin_of_irq, -1, sizeof(pin_of_irq));
	memset(pin_of_inta, -1, sizeof(pin_of_inta));
	build(&cfg4);
	mpc = config_table();
	end = mpc + vmctl_get16(mpc + 4);
	for (p = mpc + 44; p < end;) {
		switch (p[0]) {
		case 0:		/* processor */
			assert_int_equal(p[1], cpus);
			assert_int_equal(p[2], 0x14);
			assert_int_equal(p[3], cpus == 0 ? 3 : 1);
			cpus++;
			p += 20;
			continue;
		case 1:
			/* PCI bus 0 has MP bus ID 0; ISA is 1. */
			assert_int_equal(p[1], buses);
			assert_memory_equal(p + 2, buses ? "ISA   " : "PCI   ", 6);
			buses++;
			break;
		case 2:
			assert_int_equal(p[1], 4);
			assert_int_equal(p[3], 1);
			assert_int_equal(vmctl_get32(p + 4), 0xfec00000);
			ioapics++;
			break;
		case 3:
			assert_int_equal(p[1], 0);	/* INT */
			assert_int_equal(vmctl_get16(p + 2), 0); /* as the bus says */
			assert_int_equal(p[6], 4);
			if (p[4] == 0) {	/* PCI: slot << 2 | pin, INTA# */
				assert_int_equal(p[5] & 3, 0);
				assert_int_equal(pin_of_inta[p[5] >> 2], -1);
				pin_of_inta[p[5] >> 2] = p[7];
				break;
			}
			assert_int_equal(p[4], 1);	/* the ISA bus */
			assert_int_equal(pin_of_irq[p[5]], -1);
			pin_of_irq[p[5]] = p[7];
			break;
		case 4:
			assert_int_equal(p[6], 0xff);
			assert_int_equal(p[7], lints);
			assert_int_equal(p[1], lints == 0 ? 3 : 1);
			lints++;
			break;
		default:
			fail_msg("entry type %u", p[0]);
		}
		p += 8;
	}
	assert_ptr_equal(p, end);
	assert_int_equal(cpus, 4);
	assert_int_equal(buses, 2);
	/* INTA# of slots 1-31 reaches inputs 16-23, rotated by slot. */
	assert_int_equal(pin_of_inta[0], -1);
	for (i = 1; i < 32; i++)
		assert_int_equal(pin_of_inta[i], 16 + i % 8);
	assert_int_equal(ioapics, 1);
	assert_int_equal(lints, 2);
	assert_int_equal(pin_of_irq[0], 2);
	assert_int_equal(pin_of_irq[2], -1);
	for (i = 1; i < 16; i++)
		if (i != 2)
			assert_int_equal(pin_of_irq[i], i);
	assert_int_equal(vmctl_mptable_isa_pin(4), 4);
}

static void test_many_cpus(void **state)
{
	struct vmctl_mptable_config cfg = cfg4;
	const uint8_t *mpc;

	(void)state;
	cfg.nr_cpus = 64;
	cfg.ioapic_id = 64;
	assert_int_equal(build(&cfg), 16 + 44 + 64 * 20 + (20 + 31) * 8);
	mpc = config_table();
	assert_int_equal(vmctl_sum8(mpc, vmctl_get16(mpc + 4)), 0);
	assert_int_equal(vmctl_get16(mpc + 34), 64 + 20 + 31);
	assert_int_equal(mpc[44 + 63 * 20 + 1], 63);
}

static void test_bad_configs(void **state)
{
	struct vmctl_mptable_config cfg = cfg4;

	(void)state;
	cfg.nr_cpus = 0;
	assert_int_equal(build(&cfg), -EINVAL);
	cfg.nr_cpus = 256;
	cfg.ioapic_id = 255;
	assert_int_equal(build(&cfg), -EINVAL);
	cfg.nr_cpus = 4;
	cfg.ioapic_id = 3;	/* a CPU's APIC ID */
	assert_int_equal(build(&cfg), -EINVAL);
	assert_int_equal(vmctl_mptable_build(&cfg4, GPA + 8, buf, ROOM),
			 -EINVAL);
	assert_int_equal(vmctl_mptable_build(&cfg4, GPA, buf,
					     vmctl_mptable_size(4) - 1),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floating_pointer),
		cmocka_unit_test(test_config_header),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_many_cpus),
		cmocka_unit_test(test_bad_configs),
	};

	return cmocka_run_group_tests_name("mptable", tests, NULL, NULL);
}
