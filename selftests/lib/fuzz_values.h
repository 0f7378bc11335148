/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Values the fuzzers aim at: MSR indices the module models (and some it
 * must refuse), and guest-physical addresses at the edges of what a
 * fuzzed VM has (slots, the holes between them, the APIC pages).
 */
#ifndef SELFTEST_FUZZ_VALUES_H
#define SELFTEST_FUZZ_VALUES_H

#include <stdint.h>

#include "layout.h"

static const uint32_t fuzz_msrs[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0xfe, 0x174, 0x175, 0x176,
	0x1a0, 0x1d9, 0x200, 0x201, 0x20f, 0x250, 0x258, 0x268, 0x26f,
	0x277, 0x2ff, 0x480, 0x48d, 0x491, 0x6e0, 0x800, 0x802, 0x803,
	0x808, 0x80b, 0x80f, 0x810, 0x828, 0x830, 0x831, 0x832, 0x835,
	0x838, 0x839, 0x83e, 0x83f, 0x8ff, 0xd90, 0xda0, 0x10a,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0x40000000,
	0xffffffff,
};

/*
 * The fuzzed VMs' memory (besides slot 0 of the library, [0, 1 MiB)):
 * slot 1 RAM right after it, a hole, slot 2 read-only, a hole.
 */
#define FUZZ_SLOT1_GPA	GUEST_MEM_SIZE			/* 2 pages, RAM */
#define FUZZ_HOLE_GPA	(FUZZ_SLOT1_GPA + 0x2000)	/* 1 page, MMIO */
#define FUZZ_SLOT2_GPA	(FUZZ_HOLE_GPA + 0x1000)	/* 2 pages, read-only */
#define FUZZ_EXTRA_SIZE	0x2000

/* Addresses whose neighbourhoods (+- a few bytes) are worth touching. */
static const uint64_t fuzz_edges[] = {
	0, 0x1000, DATA_GPA, DATA_GPA + 0x1000, GUEST_MEM_SIZE,
	FUZZ_SLOT1_GPA + 0x1000, FUZZ_HOLE_GPA, FUZZ_SLOT2_GPA,
	FUZZ_SLOT2_GPA + 0x1000, FUZZ_SLOT2_GPA + 0x2000, MMIO_GPA,
	MMIO_GPA + 0x1000, 0xfec00000, 0xfec00010, 0xfee00000, 0xfee00300,
	0xfee01000, 0xffffe000, 0x100000000ULL,
};

#endif /* SELFTEST_FUZZ_VALUES_H */
