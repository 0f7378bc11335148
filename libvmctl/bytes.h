/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The byte-level helpers of the tables a guest reads (MP, ACPI, SMBIOS):
 * little-endian fields at any alignment, and the 8-bit sum that each
 * table's checksum byte brings to zero.
 */
#ifndef VMCTL_BYTES_H
#define VMCTL_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline void vmctl_put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void vmctl_put32(uint8_t *p, uint32_t v)
{
	vmctl_put16(p, v);
	vmctl_put16(p + 2, v >> 16);
}

static inline void vmctl_put64(uint8_t *p, uint64_t v)
{
	vmctl_put32(p, v);
	vmctl_put32(p + 4, v >> 32);
}

static inline uint16_t vmctl_get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static inline uint32_t vmctl_get32(const uint8_t *p)
{
	return vmctl_get16(p) | (uint32_t)vmctl_get16(p + 2) << 16;
}

static inline uint64_t vmctl_get64(const uint8_t *p)
{
	return vmctl_get32(p) | (uint64_t)vmctl_get32(p + 4) << 32;
}

/* The bytes' sum modulo 256: 0 for a table whose checksum is right. */
static inline uint8_t vmctl_sum8(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

#endif /* VMCTL_BYTES_H */
