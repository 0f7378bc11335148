// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SMBIOS tests: the entry point is found the way Linux's DMI scan finds
 * it (a 16-byte aligned "_SM3_" whose bytes sum to 0), then the
 * structure table it points to is walked structure by structure,
 * strings included, up to the end-of-table structure.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmctl/libvmctl.h>

#include "bytes.h"
#include "smbios.h"

#define GPA		0xf0800

static uint8_t buf[VMCTL_SMBIOS_ROOM];

/* String n (1-based) of the structure at s. */
static const char *string(const uint8_t *s, unsigned int n)
{
	const char *p = (const char *)s + s[1];

	assert_true(n > 0);
	while (--n)
		p += strlen(p) + 1;
	assert_true(*p);
	return p;
}

/* The structure after s: past its strings and their closing NUL. */
static const uint8_t *next(const uint8_t *s, const uint8_t *end)
{
	const uint8_t *p = s + s[1];

	while (p + 1 < end && (p[0] || p[1]))
		p++;
	assert_true(p + 2 <= end);
	return p + 2;
}

static void test_entry_point(void **state)
{
	int size;

	(void)state;
	size = vmctl_smbios_build(GPA, buf, sizeof(buf));
	assert_true(size > 24);
	assert_memory_equal(buf, "_SM3_", 5);
	assert_int_equal(buf[6], 24);
	assert_int_equal(vmctl_sum8(buf, buf[6]), 0);
	assert_int_equal(buf[7], 3);		/* SMBIOS 3.0 */
	assert_int_equal(buf[8], 0);
	assert_int_equal(buf[10], 1);		/* entry point revision */
	assert_true(vmctl_get64(buf + 16) >= GPA + 24);
	assert_int_equal(vmctl_get64(buf + 16) - GPA + vmctl_get32(buf + 12), size);
}

static void test_structures(void **state)
{
	const uint8_t *s, *end;
	unsigned int seen = 0;
	int size;

	(void)state;
	size = vmctl_smbios_build(GPA, buf, sizeof(buf));
	s = buf + (vmctl_get64(buf + 16) - GPA);
	end = s + vmctl_get32(buf + 12);
	assert_ptr_equal(end, buf + size);
	for (; s < end; s = next(s, end)) {
		assert_true(s[1] >= 4 && s + s[1] <= end);
		switch (s[0]) {
		case 0:		/* BIOS information */
			assert_true(s[1] >= 0x18);
			assert_string_equal(string(s, s[4]), "vmctl");
			assert_string_equal(string(s, s[5]), VMCTL_LIB_VERSION);
			/* what systemd-detect-virt reads: "a virtual machine" */
			assert_true(s[0x13] & (1 << 4));
			seen |= 1;
			break;
		case 1:		/* system information */
			assert_true(s[1] >= 0x1b);
			assert_string_equal(string(s, s[4]), "vmctl");
			assert_string_equal(string(s, s[5]), "vmctl");
			assert_string_equal(string(s, s[6]), VMCTL_LIB_VERSION);
			assert_int_equal(s[7], 0);		/* no serial */
			seen |= 2;
			break;
		case 127:	/* end of table */
			assert_int_equal(s[1], 4);
			assert_ptr_equal(next(s, end), end);
			seen |= 4;
			break;
		default:
			fail_msg("unexpected SMBIOS structure type %u", s[0]);
		}
	}
	assert_int_equal(seen, 7);
}

static void test_refusals(void **state)
{
	(void)state;
	assert_int_equal(vmctl_smbios_build(GPA + 4, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(vmctl_smbios_build(GPA, buf, 16), -ENOSPC);
	assert_int_equal(vmctl_smbios_build(GPA, buf, 64), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_point),
		cmocka_unit_test(test_structures),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("smbios", tests, NULL, NULL);
}
