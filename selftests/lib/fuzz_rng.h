/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzers' random numbers: splitmix64 from one 64-bit state, and
 * the draws a fuzzer makes from it.  Shared by the module's fuzzers
 * (lib/fuzz.c) and the host-side fuzzers of libvmctl and vmctl
 * (libvmctl/tests/fuzz_host.c), so that every fuzzer derives iteration
 * i's numbers from its seed and i the same way.  No I/O, nothing of the
 * module: it builds anywhere.
 */
#ifndef SELFTEST_FUZZ_RNG_H
#define SELFTEST_FUZZ_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The state iteration iter of a run with seed starts from. */
uint64_t fuzz_rng_iteration(uint64_t seed, uint64_t iter);
/* The next number; any state, even 0, is a good one. */
uint64_t fuzz_rng_next(uint64_t *state);
/* Uniform in [0, n), n > 0. */
uint64_t fuzz_rng_below(uint64_t *state, uint64_t n);
/* True with probability percent / 100. */
bool fuzz_rng_chance(uint64_t *state, unsigned int percent);
/* A number a validator is likely to get wrong: 0, 1, -1, powers of 2 +-1, ... */
uint64_t fuzz_rng_interesting(uint64_t *state);
void fuzz_rng_fill(uint64_t *state, void *buf, size_t len);

#endif /* SELFTEST_FUZZ_RNG_H */
