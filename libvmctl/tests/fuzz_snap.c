// SPDX-License-Identifier: LGPL-2.1-or-later
/* The fuzzer's model of snapshots and migration streams: see fuzz_snap.h. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "fuzz_rng.h"
#include "fuzz_snap.h"

#define MAX_GROWTH	4096	/* bytes a payload may gain in one step */

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void *dup_or_die(const void *p, size_t len)
{
	void *q = malloc(len ? len : 1);

	if (!q)
		abort();
	if (len)
		memcpy(q, p, len);
	return q;
}

/* Room for one more section at index at; the caller fills it. */
static struct fsec *insert(struct fsnap *m, unsigned int at)
{
	if (m->nr == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->s = realloc(m->s, m->cap * sizeof(*m->s));
		if (!m->s)
			abort();
	}
	memmove(&m->s[at + 1], &m->s[at], (m->nr - at) * sizeof(*m->s));
	m->nr++;
	memset(&m->s[at], 0, sizeof(m->s[at]));
	return &m->s[at];
}

void fsnap_add(struct fsnap *m, const struct snap_section *h,
	       const void *data, size_t len)
{
	struct fsec *s = insert(m, m->nr);

	s->h = *h;
	s->data = dup_or_die(data, len);
	s->len = len;
}

int fsnap_parse(struct fsnap *m, const uint8_t *buf, size_t len, bool stream)
{
	uint64_t pos = sizeof(m->h);
	const struct snap_section *h;

	memset(m, 0, sizeof(*m));
	m->stream = stream;
	if (len < sizeof(m->h))
		return -1;
	memcpy(&m->h, buf, sizeof(m->h));
	while (pos + sizeof(*h) <= len) {
		h = (const void *)(buf + pos);
		if (h->offset > len || h->size > len - h->offset)
			return -1;
		fsnap_add(m, h, buf + h->offset, h->size);
		pos = align_up(h->offset + h->size, 8);
		if (h->type == SNAP_END)
			return 0;
	}
	return -1;
}

void fsnap_free(struct fsnap *m)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		free(m->s[i].data);
	free(m->s);
	memset(m, 0, sizeof(*m));
}

/* An interesting value of width 1, 2, 4 or 8 into p[at..]. */
static void put_value(uint8_t *p, size_t len, uint64_t *rng)
{
	unsigned int width = 1U << fuzz_rng_below(rng, 4);
	uint64_t v = fuzz_rng_interesting(rng);
	size_t at;

	if (len < width)
		return;
	at = fuzz_rng_below(rng, len - width + 1);
	/* Fields sit at their natural alignment: hit those more often. */
	if (fuzz_rng_chance(rng, 60))
		at &= ~(size_t)(width - 1);
	memcpy(p + at, &v, width);
}

static void mutate_payload(struct fsec *s, uint64_t *rng)
{
	size_t n;

	switch (fuzz_rng_below(rng, 4)) {
	case 0:		/* a bit flipped */
		if (s->len)
			s->data[fuzz_rng_below(rng, s->len)] ^=
				1U << fuzz_rng_below(rng, 8);
		break;
	case 1:
		put_value(s->data, s->len, rng);
		break;
	case 2:		/* cut short */
		s->len = s->len ? fuzz_rng_below(rng, s->len) : 0;
		break;
	default:	/* grown, the new bytes random or zeros */
		n = 1 + fuzz_rng_below(rng, MAX_GROWTH);
		s->data = realloc(s->data, s->len + n);
		if (!s->data)
			abort();
		if (fuzz_rng_chance(rng, 50))
			fuzz_rng_fill(rng, s->data + s->len, n);
		else
			memset(s->data + s->len, 0, n);
		s->len += n;
		break;
	}
}

/* A field of the section header: a value, the lie kept where it matters. */
static void mutate_header(struct fsec *s, uint64_t *rng)
{
	uint64_t v = fuzz_rng_chance(rng, 50) ? fuzz_rng_interesting(rng) :
		     fuzz_rng_below(rng, SNAP_NR_TYPES + 2);

	switch (fuzz_rng_below(rng, 7)) {
	case 0:
		s->h.type = v;
		break;
	case 1:
		s->h.index = v;
		break;
	case 2:
		s->h.arg = v;
		break;
	case 3:
		s->h.offset = v;
		s->keep_offset = true;
		break;
	case 4:
		s->h.size = v;
		s->keep_size = true;
		break;
	case 5:
		s->h.flags = v;
		break;
	default:
		s->h.crc = v;
		s->keep_crc = true;
		break;
	}
}

static void mutate_top(struct fsnap *m, uint64_t *rng)
{
	uint64_t v = fuzz_rng_interesting(rng);

	switch (fuzz_rng_below(rng, 6)) {
	case 0:
		m->h.magic[fuzz_rng_below(rng, 8)] ^= 1U << fuzz_rng_below(rng, 8);
		break;
	case 1:
		m->h.version = v;
		break;
	case 2:
		m->h.nr_sections = v;
		m->keep_count = true;
		break;
	case 3:
		m->h.file_size = v;
		m->keep_size = true;
		break;
	case 4:
		m->h.flags = v;
		break;
	default:
		m->h.crc = v;
		m->keep_crc = true;
		break;
	}
}

/* The list itself: a section duplicated, dropped or moved. */
static void mutate_list(struct fsnap *m, uint64_t *rng)
{
	unsigned int i = fuzz_rng_below(rng, m->nr), j;
	struct fsec t;

	switch (fuzz_rng_below(rng, 3)) {
	case 0:		/* duplicated, the copy anywhere */
		t = m->s[i];
		t.data = dup_or_die(t.data, t.len);
		*insert(m, fuzz_rng_below(rng, m->nr + 1)) = t;
		break;
	case 1:
		if (m->nr < 2)
			break;
		free(m->s[i].data);
		memmove(&m->s[i], &m->s[i + 1], (m->nr - i - 1) * sizeof(t));
		m->nr--;
		break;
	default:	/* two swapped */
		j = fuzz_rng_below(rng, m->nr);
		t = m->s[i];
		m->s[i] = m->s[j];
		m->s[j] = t;
		break;
	}
}

void fsnap_mutate(struct fsnap *m, uint64_t *rng)
{
	unsigned int n = 1 + fuzz_rng_below(rng, 4);

	while (n-- && m->nr) {
		unsigned int kind = fuzz_rng_below(rng, 100);
		struct fsec *s = &m->s[fuzz_rng_below(rng, m->nr)];

		/* Mostly payloads: the parsers behind the CRC are the aim. */
		if (kind < 60)
			mutate_payload(s, rng);
		else if (kind < 80)
			mutate_header(s, rng);
		else if (kind < 90)
			mutate_list(m, rng);
		else
			mutate_top(m, rng);
	}
}

size_t fsnap_write(const struct fsnap *m, uint8_t **out)
{
	struct snap_header h = m->h;
	uint64_t pos = sizeof(h), off, size = sizeof(h);
	uint8_t *b;
	unsigned int i;

	/* Where each payload goes, as the writers put it. */
	for (i = 0; i < m->nr; i++) {
		const struct fsec *s = &m->s[i];

		off = align_up(pos + sizeof(s->h),
			       s->h.type == SNAP_MEMORY ? SNAP_PAGE : 8);
		pos = align_up(off + s->len, 8);
	}
	size = pos;
	b = calloc(1, size);
	if (!b)
		abort();
	pos = sizeof(h);
	for (i = 0; i < m->nr; i++) {
		const struct fsec *s = &m->s[i];
		struct snap_section sh = s->h;

		off = align_up(pos + sizeof(sh),
			       sh.type == SNAP_MEMORY ? SNAP_PAGE : 8);
		if (!s->keep_offset)
			sh.offset = off;
		if (!s->keep_size)
			sh.size = s->len;
		if (!s->keep_crc) {
			sh.crc = 0;
			sh.crc = vmctl_crc32(0, &sh, sizeof(sh));
			if (sh.type != SNAP_MEMORY)
				sh.crc = vmctl_crc32(sh.crc, s->data, s->len);
		}
		memcpy(b + pos, &sh, sizeof(sh));
		memcpy(b + off, s->data, s->len);
		pos = align_up(off + s->len, 8);
	}
	/* A stream's length and count are not known ahead: 0. */
	if (!m->keep_count)
		h.nr_sections = m->stream ? 0 : m->nr;
	if (!m->keep_size)
		h.file_size = m->stream ? 0 : size;
	if (!m->keep_crc) {
		h.crc = 0;
		h.crc = vmctl_crc32(0, &h, sizeof(h));
	}
	memcpy(b, &h, sizeof(h));
	*out = b;
	return size;
}

void fsnap_mutate_bytes(uint8_t **buf, size_t *len, uint64_t *rng)
{
	size_t n;

	switch (fuzz_rng_below(rng, 3)) {
	case 0:
		*len = fuzz_rng_below(rng, *len + 1);
		break;
	case 1:
		for (n = 1 + fuzz_rng_below(rng, 8); n-- && *len;)
			(*buf)[fuzz_rng_below(rng, *len)] ^=
				1U << fuzz_rng_below(rng, 8);
		break;
	default:
		n = 1 + fuzz_rng_below(rng, 64);
		*buf = realloc(*buf, *len + n);
		if (!*buf)
			abort();
		fuzz_rng_fill(rng, *buf + *len, n);
		*len += n;
		break;
	}
}

size_t fsnap_boundaries(const struct fsnap *m, size_t **cuts)
{
	size_t n = 0, *c = malloc((m->nr + 1) * 4 * 3 * sizeof(*c));
	uint64_t pos = sizeof(m->h), off, at[4];
	unsigned int i, j;

	if (!c)
		abort();
	at[0] = pos;
	for (j = 0; j < 3; j++)
		c[n++] = at[0] + j - 1;
	for (i = 0; i < m->nr; i++) {
		const struct fsec *s = &m->s[i];

		off = align_up(pos + sizeof(s->h),
			       s->h.type == SNAP_MEMORY ? SNAP_PAGE : 8);
		at[0] = pos + sizeof(s->h);	/* the section header's end */
		at[1] = off;			/* the payload's start */
		at[2] = off + s->len;		/* its end */
		at[3] = align_up(off + s->len, 8);	/* the padding's */
		pos = at[3];
		for (j = 0; j < 12; j++)
			c[n++] = at[j / 3] + j % 3 - 1;
	}
	*cuts = c;
	return n;
}
