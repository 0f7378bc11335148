// SPDX-License-Identifier: GPL-2.0
/* The fuzzers' random numbers; see fuzz_rng.h. */
#include <string.h>

#include "fuzz_rng.h"

/* splitmix64: a good generator from any seed, even 0. */
uint64_t fuzz_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fuzz_rng_iteration(uint64_t seed, uint64_t iter)
{
	uint64_t state = seed ^ (iter * 0xd1342543de82ef95ULL);

	return fuzz_rng_next(&state);
}

uint64_t fuzz_rng_below(uint64_t *state, uint64_t n)
{
	return fuzz_rng_next(state) % n;
}

bool fuzz_rng_chance(uint64_t *state, unsigned int percent)
{
	return fuzz_rng_below(state, 100) < percent;
}

uint64_t fuzz_rng_interesting(uint64_t *state)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 255, 256, 4095, 4096, 4097,
		0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 4095,
		0xffff800000000000ULL, 0xffffffff80000000ULL,
	};
	uint64_t v;

	switch (fuzz_rng_below(state, 4)) {
	case 0:
		return fixed[fuzz_rng_below(state, sizeof(fixed) /
					       sizeof(fixed[0]))];
	case 1:		/* a power of two, maybe off by one */
		v = 1ULL << fuzz_rng_below(state, 64);
		return v + fuzz_rng_below(state, 3) - 1;
	case 2:
		return fuzz_rng_below(state, 64);
	default:
		return fuzz_rng_next(state);
	}
}

void fuzz_rng_fill(uint64_t *state, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t r = fuzz_rng_next(state);
		size_t n = len < 8 ? len : 8;

		memcpy(p, &r, n);
		p += n;
		len -= n;
	}
}
