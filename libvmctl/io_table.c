// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The I/O dispatch table: device models claim port or MMIO ranges, and the
 * run loop hands each access to the device that owns the address.  One
 * table type serves both address spaces.  Pure logic, unit-tested.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int vmctl_io_table_add(struct vmctl_io_table *t, uint64_t base, uint64_t len,
		       const struct vmctl_io_ops *ops, void *opaque)
{
	size_t i, pos;

	if (!len || !ops || !ops->read || !ops->write)
		return -EINVAL;
	if (base + len < base)
		return vmctl_fail(-EINVAL, "range 0x%llx+0x%llx wraps around",
				  (unsigned long long)base,
				  (unsigned long long)len);

	/* Keep ranges sorted; the new one goes before the first above it. */
	for (pos = 0; pos < t->nr && t->ranges[pos].base < base; pos++)
		;
	for (i = 0; i < t->nr; i++) {
		const struct vmctl_io_range *r = &t->ranges[i];

		if (base < r->base + r->len && r->base < base + len)
			return vmctl_fail(-VMCTL_E_IO_OVERLAP,
					  "[0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx)",
					  (unsigned long long)base,
					  (unsigned long long)(base + len),
					  (unsigned long long)r->base,
					  (unsigned long long)(r->base + r->len));
	}

	if (t->nr == t->room) {
		size_t room = t->room ? 2 * t->room : 8;
		struct vmctl_io_range *n;

		n = realloc(t->ranges, room * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->ranges = n;
		t->room = room;
	}
	memmove(&t->ranges[pos + 1], &t->ranges[pos],
		(t->nr - pos) * sizeof(*t->ranges));
	t->ranges[pos] = (struct vmctl_io_range){
		.base = base, .len = len, .ops = ops, .opaque = opaque,
	};
	t->nr++;
	return 0;
}

const struct vmctl_io_range *vmctl_io_table_find(const struct vmctl_io_table *t,
						 uint64_t addr)
{
	size_t lo = 0, hi = t->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vmctl_io_range *r = &t->ranges[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

void vmctl_io_table_free(struct vmctl_io_table *t)
{
	free(t->ranges);
	memset(t, 0, sizeof(*t));
}

bool vmctl_io_table_access(const struct vmctl_io_table *t, uint64_t addr,
			   unsigned int size, bool is_write, uint64_t *value)
{
	const struct vmctl_io_range *r = vmctl_io_table_find(t, addr);

	if (!r) {
		if (!is_write)
			*value = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
		return false;
	}
	if (is_write)
		r->ops->write(r->opaque, addr - r->base, size, *value);
	else
		*value = r->ops->read(r->opaque, addr - r->base, size);
	return true;
}

/* x86 is little-endian, and so is the run page's data. */
static uint64_t load_le(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	while (size--)
		v = (v << 8) | p[size];
	return v;
}

static void store_le(uint8_t *p, unsigned int size, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < size; i++, v >>= 8)
		p[i] = v & 0xff;
}

static void serve_one(const struct vmctl_io_table *t, uint64_t addr,
		      unsigned int size, bool is_write, uint8_t *data,
		      vmctl_unclaimed_fn unclaimed, void *ctx)
{
	uint64_t v = is_write ? load_le(data, size) : 0;

	if (!vmctl_io_table_access(t, addr, size, is_write, &v) && unclaimed)
		unclaimed(ctx, addr, is_write);
	if (!is_write)
		store_le(data, size, v);
}

int vmctl_serve_pio_exit(const struct vmctl_io_table *t, struct vmctl_run *run,
			 size_t run_size, vmctl_unclaimed_fn unclaimed,
			 void *ctx)
{
	unsigned int size = run->io.size;
	uint64_t bytes = (uint64_t)run->io.count * size;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	if ((size != 1 && size != 2 && size != 4) || !run->io.count ||
	    run->io.data_offset > run_size ||
	    bytes > run_size - run->io.data_offset)
		return -EINVAL;
	for (i = 0; i < run->io.count; i++, data += size)
		serve_one(t, run->io.port, size,
			  run->io.direction == VMCTL_IO_OUT, data, unclaimed,
			  ctx);
	return 0;
}

int vmctl_serve_mmio_exit(const struct vmctl_io_table *t,
			  struct vmctl_run *run, vmctl_unclaimed_fn unclaimed,
			  void *ctx)
{
	unsigned int len = run->mmio.len;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	serve_one(t, run->mmio.phys_addr, len, run->mmio.is_write,
		  run->mmio.data, unclaimed, ctx);
	return 0;
}
