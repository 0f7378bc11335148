// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * AML encoding (see aml.h).  A scope, device, package or buffer starts
 * with a PkgLength that counts itself and everything up to the matching
 * aml_close(); its size (1 to 4 bytes) depends on that count, so the
 * body is written first and the PkgLength inserted in front of it when
 * the term is closed.
 */
#include <errno.h>
#include <string.h>

#include "aml.h"

#define AML_ZERO		0x00
#define AML_ONE			0x01
#define AML_NAME		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE		0x10
#define AML_BUFFER		0x11
#define AML_PACKAGE		0x12
#define AML_EXT_PREFIX		0x5b
#define AML_EXT_DEVICE		0x82
#define AML_ROOT_CHAR		'\\'

#define PKGLEN_MAX		((1U << 28) - 1)

void aml_init(struct aml *a, void *buf, size_t room)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->room = room;
}

static void put(struct aml *a, const void *p, size_t n)
{
	if (a->room - a->len < n)
		a->nospace = true;
	if (a->failed || a->nospace)
		return;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void put8(struct aml *a, uint8_t v)
{
	put(a, &v, 1);
}

static void put_le(struct aml *a, uint64_t v, unsigned int bytes)
{
	while (bytes--) {
		put8(a, v);
		v >>= 8;
	}
}

static bool name_char(char c, bool lead)
{
	return (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!lead && c >= '0' && c <= '9');
}

/* A NameSeg of exactly four characters, optionally under the root. */
static void name_string(struct aml *a, const char *name)
{
	unsigned int i;

	if (*name == AML_ROOT_CHAR)
		put8(a, *name++);
	for (i = 0; i < 4; i++)
		if (!name_char(name[i], i == 0))
			a->failed = true;
	if (name[4])
		a->failed = true;
	put(a, name, 4);
}

static void open_term(struct aml *a)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->failed = true;
		return;
	}
	a->open[a->depth++] = a->len;
}

void aml_close(struct aml *a)
{
	uint8_t enc[4];
	size_t start, body;
	unsigned int n, i;
	uint32_t total;

	if (!a->depth)
		a->failed = true;
	if (a->failed || a->nospace)
		return;
	start = a->open[--a->depth];
	body = a->len - start;
	/* One byte holds up to 63; longer ones use 4 + 8 * (n - 1) bits. */
	for (n = 1; n <= 4; n++)
		if (body + n <= (n == 1 ? 63U : (1U << (4 + 8 * (n - 1))) - 1))
			break;
	if (n > 4 || body + n > PKGLEN_MAX) {
		a->failed = true;
		return;
	}
	total = body + n;
	if (n == 1) {
		enc[0] = total;
	} else {
		enc[0] = (n - 1) << 6 | (total & 0xf);
		for (i = 1; i < n; i++)
			enc[i] = total >> (4 + 8 * (i - 1));
	}
	if (a->room - a->len < n) {
		a->nospace = true;
		return;
	}
	memmove(a->buf + start + n, a->buf + start, body);
	memcpy(a->buf + start, enc, n);
	a->len += n;
}

void aml_scope(struct aml *a, const char *name)
{
	put8(a, AML_SCOPE);
	open_term(a);
	name_string(a, name);
}

void aml_device(struct aml *a, const char *name)
{
	put8(a, AML_EXT_PREFIX);
	put8(a, AML_EXT_DEVICE);
	open_term(a);
	name_string(a, name);
}

void aml_package(struct aml *a, unsigned int n)
{
	if (n > 255)
		a->failed = true;
	put8(a, AML_PACKAGE);
	open_term(a);
	put8(a, n);
}

void aml_name(struct aml *a, const char *name)
{
	put8(a, AML_NAME);
	name_string(a, name);
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		put8(a, AML_ZERO);
	} else if (v == 1) {
		put8(a, AML_ONE);
	} else if (v <= UINT8_MAX) {
		put8(a, AML_BYTE_PREFIX);
		put8(a, v);
	} else if (v <= UINT16_MAX) {
		put8(a, AML_WORD_PREFIX);
		put_le(a, v, 2);
	} else if (v <= UINT32_MAX) {
		put8(a, AML_DWORD_PREFIX);
		put_le(a, v, 4);
	} else {
		put8(a, AML_QWORD_PREFIX);
		put_le(a, v, 8);
	}
}

static unsigned int hex_digit(char c, bool *ok)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	*ok = false;
	return 0;
}

/*
 * Three letters of five bits each and four hex digits, stored big-endian
 * (the EISA ID's byte order) in a little-endian DWord.
 */
void aml_eisaid(struct aml *a, const char *id)
{
	bool ok = strlen(id) == 7;
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; ok && i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			ok = false;
		v = v << 5 | (id[i] - 0x40);
	}
	for (i = 3; ok && i < 7; i++)
		v = v << 4 | hex_digit(id[i], &ok);
	if (!ok)
		a->failed = true;
	put8(a, AML_DWORD_PREFIX);
	put_le(a, __builtin_bswap32(v), 4);
}

void aml_string(struct aml *a, const char *s)
{
	put8(a, AML_STRING_PREFIX);
	put(a, s, strlen(s) + 1);
}

void aml_buffer(struct aml *a, const void *data, size_t len)
{
	put8(a, AML_BUFFER);
	open_term(a);
	aml_integer(a, len);
	put(a, data, len);
	aml_close(a);
}

int aml_finish(struct aml *a)
{
	if (a->nospace)
		return -ENOSPC;
	if (a->failed || a->depth)
		return -EINVAL;
	return a->len;
}

/* ---- resource descriptors ---- */

#define RES_IRQ			0x22	/* small item 4, 2 bytes */
#define RES_IO			0x47	/* small item 8, 7 bytes */
#define RES_END			0x79	/* small item 15, 1 byte */
#define RES_DWORD_SPACE		0x87	/* large item 7 */
#define RES_WORD_SPACE		0x88	/* large item 8 */
#define RES_WORD_LEN		13
#define RES_DWORD_LEN		23
/* General flags: min and max fixed, positive decode, a producer. */
#define RES_FIXED_WINDOW	0x0c
#define RES_IO_ENTIRE_RANGE	0x03	/* ISA and non-ISA ports */
#define RES_MEM_RW		0x01	/* read/write, non-cacheable */
#define RES_IO_DECODE16		0x01

static void res_put(struct aml_res *r, uint64_t v, unsigned int bytes)
{
	while (bytes--) {
		if (r->len == sizeof(r->buf)) {
			r->failed = true;
			return;
		}
		r->buf[r->len++] = v;
		v >>= 8;
	}
}

void aml_res_word(struct aml_res *r, enum aml_space space, uint16_t min,
		  uint16_t max)
{
	res_put(r, RES_WORD_SPACE, 1);
	res_put(r, RES_WORD_LEN, 2);
	res_put(r, space, 1);
	res_put(r, RES_FIXED_WINDOW, 1);
	res_put(r, space == AML_SPACE_IO ? RES_IO_ENTIRE_RANGE : 0, 1);
	res_put(r, 0, 2);			/* granularity */
	res_put(r, min, 2);
	res_put(r, max, 2);
	res_put(r, 0, 2);			/* translation */
	res_put(r, (uint32_t)max - min + 1, 2);
}

void aml_res_dword_mem(struct aml_res *r, uint32_t min, uint32_t max)
{
	res_put(r, RES_DWORD_SPACE, 1);
	res_put(r, RES_DWORD_LEN, 2);
	res_put(r, AML_SPACE_MEM, 1);
	res_put(r, RES_FIXED_WINDOW, 1);
	res_put(r, RES_MEM_RW, 1);
	res_put(r, 0, 4);			/* granularity */
	res_put(r, min, 4);
	res_put(r, max, 4);
	res_put(r, 0, 4);			/* translation */
	res_put(r, (uint64_t)max - min + 1, 4);
}

void aml_res_io(struct aml_res *r, uint16_t base, uint8_t len)
{
	res_put(r, RES_IO, 1);
	res_put(r, RES_IO_DECODE16, 1);
	res_put(r, base, 2);
	res_put(r, base, 2);
	res_put(r, 1, 1);			/* alignment */
	res_put(r, len, 1);
}

void aml_res_irq(struct aml_res *r, unsigned int irq)
{
	if (irq > 15)
		r->failed = true;
	res_put(r, RES_IRQ, 1);
	res_put(r, 1U << (irq & 15), 2);	/* the mask of IRQs */
}

void aml_res_end(struct aml_res *r)
{
	res_put(r, RES_END, 1);
	res_put(r, 0, 1);	/* checksum 0: "treat as correct" (6.4.2.9) */
}
