/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Guest RAM for the virtqueue and virtio tests: RAM_SIZE bytes at guest
 * physical RAM_GPA, and a driver's side of one split virtqueue in it
 * (descriptor table, available and used rings) to fill by hand.
 */
#ifndef VMCTL_TEST_FAKE_RAM_H
#define VMCTL_TEST_FAKE_RAM_H

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "virtq.h"

#define RAM_GPA		0x100000ULL
#define RAM_SIZE	(64ULL << 20)
/* Where the test driver puts its rings and buffers. */
#define DESC_GPA	RAM_GPA
#define AVAIL_GPA	(RAM_GPA + 0x10000)
#define USED_GPA	(RAM_GPA + 0x20000)
#define BUF_GPA		(RAM_GPA + 0x100000)

static uint8_t *ram;
static unsigned int map_calls;

static inline void *ram_map(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	map_calls++;
	if (gpa < RAM_GPA || gpa - RAM_GPA > RAM_SIZE ||
	    len > RAM_SIZE - (gpa - RAM_GPA))
		return NULL;
	return ram + (gpa - RAM_GPA);
}

/* The pages the device said it wrote (guest_ram's dirty op), one byte each. */
static uint8_t ram_written[RAM_SIZE / 4096];

static inline void ram_dirty(void *ctx, const void *hva, uint64_t len)
{
	uint64_t off = (uint64_t)((const uint8_t *)hva - ram), p;

	(void)ctx;
	for (p = off / 4096; p <= (off + len - 1) / 4096; p++)
		ram_written[p] = 1;
}

/* Whether the page holding gpa was marked written. */
static inline int written(uint64_t gpa)
{
	return ram_written[(gpa - RAM_GPA) / 4096];
}

static const struct vmctl_guest_ram guest_ram = { ram_map, NULL, ram_dirty };

static inline void *host(uint64_t gpa)
{
	return ram + (gpa - RAM_GPA);
}

/* Fresh zeroed RAM (lazily backed: 64 MiB costs nothing untouched). */
static inline void ram_setup(void)
{
	if (ram)
		munmap(ram, RAM_SIZE);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	memset(ram_written, 0, sizeof(ram_written));
}

static inline void set_desc(unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = (uint8_t *)host(DESC_GPA) + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* An indirect table entry at table gpa. */
static inline void set_idesc(uint64_t table, unsigned int i, uint64_t addr,
		      uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = (uint8_t *)host(table) + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static inline uint16_t rd16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, host(gpa), 2);
	return v;
}

static inline uint32_t rd32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, host(gpa), 4);
	return v;
}

static inline void wr16(uint64_t gpa, uint16_t v)
{
	memcpy(host(gpa), &v, 2);
}

/* Make head available as the next entry of a ring of size entries. */
static inline void make_avail(uint16_t size, uint16_t head)
{
	uint16_t idx = rd16(AVAIL_GPA + 2);

	wr16(AVAIL_GPA + 4 + 2 * (idx % size), head);
	wr16(AVAIL_GPA + 2, idx + 1);
}

static inline void vq_setup(struct vmctl_vq *vq, uint16_t size)
{
	vmctl_vq_reset(vq);
	vq->size = size;
	vq->desc_gpa = DESC_GPA;
	vq->avail_gpa = AVAIL_GPA;
	vq->used_gpa = USED_GPA;
}

#endif /* VMCTL_TEST_FAKE_RAM_H */
