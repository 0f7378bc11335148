// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CRC-32 (IEEE 802.3: reflected, polynomial 0xedb88320, initial and
 * final XOR all-ones) for the snapshot file's and the migration
 * stream's sections, by libdeflate.  A migration computes it over every
 * page it sends, on the sender and again on the receiver, so its cost
 * per byte is the stream's: libdeflate_crc32() folds 16 bytes a step
 * with carry-less multiplication where the CPU has it (any x86-64 since
 * 2010, and Bochs' Skylake model), zlib's crc32_z() takes a few bytes a
 * step with tables, the byte-at-a-time loop this file held before one.
 * A well-kept library beats our loop.
 */
#include <libdeflate.h>

#include "internal.h"

uint32_t vmctl_crc32(uint32_t crc, const void *buf, size_t len)
{
	/* NULL asks libdeflate for the initial value (0), as it does zlib. */
	return len ? libdeflate_crc32(crc, buf, len) : crc;
}
