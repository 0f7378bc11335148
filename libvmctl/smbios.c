// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SMBIOS tables (see smbios.h).  Each structure is its formatted area
 * (type, length, handle, fields; strings referred to by their 1-based
 * number, 0 meaning none) followed by its strings, each NUL-terminated,
 * and one more NUL.  Type 127 ends the table.
 */
#include <errno.h>
#include <string.h>

#include <vmctl/libvmctl.h>

#include "bytes.h"
#include "smbios.h"

#define ENTRY_SIZE		24	/* 64-bit (SMBIOS 3.0) entry point */
#define TABLE_OFFSET		32	/* structures after it, aligned */
#define SMBIOS_MAJOR		3
#define SMBIOS_MINOR		0
#define ENTRY_REVISION		1

#define TYPE_BIOS		0
#define TYPE_SYSTEM		1
#define TYPE_END		127
#define BIOS_SIZE		0x18	/* the 2.4 layout, through EC version */
#define SYSTEM_SIZE		0x1b	/* the 2.4 layout, through family */
#define END_SIZE		4

#define BIOS_SEGMENT		0xf000
#define CHAR_NOT_SUPPORTED	(1ULL << 3)	/* no characteristics listed */
#define CHAR_EXT2_VM		(1U << 4)	/* a virtual machine */
#define NOT_AVAILABLE		0xff
#define WAKEUP_POWER_SWITCH	6

#define VENDOR			"vmctl"

struct writer {
	uint8_t *p;
	size_t len, room;
	int err;
};

static void put(struct writer *w, const void *data, size_t n)
{
	if (w->room - w->len < n) {
		w->err = -ENOSPC;
		return;
	}
	memcpy(w->p + w->len, data, n);
	w->len += n;
}

/* NUL-terminated strings, then the NUL that ends the set (two if none). */
static void strings(struct writer *w, const char *const *s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		put(w, s[i], strlen(s[i]) + 1);
	put(w, "\0", n ? 1 : 2);
}

static void bios_info(struct writer *w)
{
	static const char *const s[] = { VENDOR, VMCTL_LIB_VERSION };
	uint8_t t[BIOS_SIZE] = {
		[0] = TYPE_BIOS, [1] = BIOS_SIZE,
		[4] = 1,			/* vendor */
		[5] = 2,			/* version */
		[6] = BIOS_SEGMENT & 0xff, [7] = BIOS_SEGMENT >> 8,
		/* [8] release date: none; [9] ROM size 0: 64 KiB */
		[0x0a] = CHAR_NOT_SUPPORTED,
		[0x13] = CHAR_EXT2_VM,
		[0x14] = NOT_AVAILABLE, [0x15] = NOT_AVAILABLE,
		[0x16] = NOT_AVAILABLE, [0x17] = NOT_AVAILABLE,
	};

	put(w, t, sizeof(t));
	strings(w, s, 2);
}

static void system_info(struct writer *w)
{
	static const char *const s[] = { VENDOR, VENDOR, VMCTL_LIB_VERSION };
	uint8_t t[SYSTEM_SIZE] = {
		[0] = TYPE_SYSTEM, [1] = SYSTEM_SIZE,
		[2] = 1,			/* handle 1 */
		[4] = 1,			/* manufacturer */
		[5] = 2,			/* product name */
		[6] = 3,			/* version */
		/* [7] serial number: none; [8..0x17] UUID: not set (0) */
		[0x18] = WAKEUP_POWER_SWITCH,
	};

	put(w, t, sizeof(t));
	strings(w, s, 3);
}

static void end_of_table(struct writer *w)
{
	uint8_t t[END_SIZE] = { [0] = TYPE_END, [1] = END_SIZE, [2] = 2 };

	put(w, t, sizeof(t));
	strings(w, NULL, 0);
}

int vmctl_smbios_build(uint64_t gpa, void *buf, size_t room)
{
	struct writer w = { .p = buf, .len = TABLE_OFFSET, .room = room };
	uint8_t *e = buf;
	uint32_t table_len;
	uint64_t table = gpa + TABLE_OFFSET;

	if (gpa & 15)
		return -EINVAL;
	if (room < TABLE_OFFSET)
		return -ENOSPC;
	bios_info(&w);
	system_info(&w);
	end_of_table(&w);
	if (w.err)
		return w.err;
	table_len = w.len - TABLE_OFFSET;

	memset(e, 0, TABLE_OFFSET);
	memcpy(e, "_SM3_", 5);
	e[6] = ENTRY_SIZE;
	e[7] = SMBIOS_MAJOR;
	e[8] = SMBIOS_MINOR;
	e[10] = ENTRY_REVISION;
	vmctl_put32(e + 12, table_len);
	vmctl_put64(e + 16, table);
	e[5] = -vmctl_sum8(e, ENTRY_SIZE);
	return w.len;
}
