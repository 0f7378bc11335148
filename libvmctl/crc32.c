// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CRC-32 (IEEE 802.3: reflected, polynomial 0xedb88320, initial and
 * final XOR all-ones) for the snapshot file's and the migration
 * stream's sections.  zlib's crc32_z() computes exactly this one, with
 * tables that take several bytes per step: a page costs a fraction of
 * the byte-at-a-time loop this file held before, on the sender and the
 * receiver of every migrated page.  A well-kept library beats our loop.
 */
#include <zlib.h>

#include "internal.h"

uint32_t vmctl_crc32(uint32_t crc, const void *buf, size_t len)
{
	/* zlib answers 0 for a NULL buf (its way to ask for the start). */
	return len ? crc32_z(crc, buf, len) : crc;
}
