// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CRC-32 (IEEE 802.3, the one zlib and gzip compute: reflected,
 * polynomial 0xedb88320, initial and final XOR all-ones), for the
 * snapshot file's sections.  A table of 256 entries made on first use.
 */
#include <pthread.h>

#include "internal.h"

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
	uint32_t c, n, k;

	for (n = 0; n < 256; n++) {
		for (c = n, k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
		table[n] = c;
	}
}

uint32_t vmctl_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&table_once, make_table);
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
