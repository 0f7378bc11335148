/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host-side fuzzers (test_fuzz_*: libvmctl's snapshot file and
 * migration stream readers, vmctl's control socket) as cmocka tests,
 * built with AddressSanitizer and UBSan so that an out-of-bounds access,
 * a leak or undefined behaviour ends the run.  Like the module's
 * fuzzers (selftests/lib/fuzz.h), iteration i draws from a generator
 * seeded from the run's seed and i alone, so a failure prints the line
 * that replays it:
 *   FUZZ_SEED=s FUZZ_FIRST=i FUZZ_ITERATIONS=1 ./libvmctl/tests/test_fuzz_x
 * Knobs (environment):
 *   FUZZ_SEED        default: the fuzzer's fixed seed (make check's run)
 *   FUZZ_ITERATIONS  default: the fuzzer's bounded count; 0: no limit
 *   FUZZ_FIRST       index of the first iteration (0)
 *   FUZZ_SECONDS     stop after this long too (0: no limit)
 *   FUZZ_HANG_SECONDS  an iteration longer than this (20) is a hang: the
 *                    replay line, then abort
 */
#ifndef VMCTL_TESTS_FUZZ_HOST_H
#define VMCTL_TESTS_FUZZ_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz_rng.h"

struct fuzz_host {
	const char *name;	/* the test binary's path, for the replay line */
	uint64_t seed, first, iterations, iter;
	unsigned int seconds, hang_seconds;
	uint64_t start_ns;
	uint64_t rng;		/* the current iteration's generator */
	unsigned long done, failures;
};

/* The knobs, with this fuzzer's defaults; prints the seed. */
void fuzz_host_init(struct fuzz_host *f, const char *name,
		    uint64_t def_seed, uint64_t def_iterations);
/* Start the next iteration, unless the budget is spent. */
bool fuzz_host_next(struct fuzz_host *f);
/* A wrong answer in this iteration: said with its replay line, counted. */
void fuzz_host_fail(struct fuzz_host *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The counts, as a "#" line. */
void fuzz_host_done(struct fuzz_host *f);

/* Draws from the current iteration's generator. */
#define fz_below(f, n)		fuzz_rng_below(&(f)->rng, n)
#define fz_chance(f, pct)	fuzz_rng_chance(&(f)->rng, pct)
#define fz_interesting(f)	fuzz_rng_interesting(&(f)->rng)

#endif /* VMCTL_TESTS_FUZZ_HOST_H */
