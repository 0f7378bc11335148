/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The snapshot file and the migration stream (snapshot.h, migrate.h)
 * as the fuzzer holds them: a header and a list of sections, each its
 * section header and payload.  Mutated as a list (sections duplicated,
 * dropped, moved; fields and payload bytes changed), then written out
 * with offsets, sizes and CRCs made right again unless the mutation
 * chose to lie about them: a reader then gets past its CRC checks to
 * the parsers behind them (vCPU state, device states) most of the time.
 */
#ifndef VMCTL_TESTS_FUZZ_SNAP_H
#define VMCTL_TESTS_FUZZ_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct fsec {
	struct snap_section h;
	uint8_t *data;			/* len bytes, malloc'd */
	size_t len;
	bool keep_offset, keep_size, keep_crc;	/* h's lie stays */
};

struct fsnap {
	struct snap_header h;
	bool stream;			/* a migration stream, not a file */
	bool keep_count, keep_size, keep_crc;	/* h's lie stays */
	unsigned int nr, cap;
	struct fsec *s;
};

/* Append a section of type with len bytes of data (copied). */
void fsnap_add(struct fsnap *m, const struct snap_section *h,
	       const void *data, size_t len);
/* A well-formed file or stream in buf into m: 0, or -1. */
int fsnap_parse(struct fsnap *m, const uint8_t *buf, size_t len, bool stream);
void fsnap_free(struct fsnap *m);
/* One to four mutations of m, drawn from *rng. */
void fsnap_mutate(struct fsnap *m, uint64_t *rng);
/* m as bytes (malloc'd into *out): its length. */
size_t fsnap_write(const struct fsnap *m, uint8_t **out);
/* Damage to the bytes themselves: cut short, bits flipped, junk added. */
void fsnap_mutate_bytes(uint8_t **buf, size_t *len, uint64_t *rng);
/*
 * The offsets at which the well-formed buf changes from one part to the
 * next (header, each section header and payload, padding): into cuts
 * (malloc'd), with one byte either side; their number.
 */
size_t fsnap_boundaries(const struct fsnap *m, size_t **cuts);

#endif /* VMCTL_TESTS_FUZZ_SNAP_H */
