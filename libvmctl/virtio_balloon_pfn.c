// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a virtio-balloon driver's buffers say (virtio_balloon.h): page
 * frame numbers looked up in guest RAM and merged into runs, reported
 * ranges cut to whole pages, statistics.  Pure: no device state but the
 * statistics' slots, no system calls.
 */
#include <string.h>

#include "virtio_balloon.h"

enum vmctl_balloon_queue vmctl_balloon_queue_role(unsigned int q,
						  uint64_t features)
{
	unsigned int next = BALLOON_Q_STATS;

	if (q < BALLOON_Q_STATS)
		return q;
	if (features >> VIRTIO_BALLOON_F_STATS_VQ & 1) {
		if (q == next)
			return BALLOON_Q_STATS;
		next++;
	}
	if ((features >> VIRTIO_BALLOON_F_REPORTING & 1) && q == next)
		return BALLOON_Q_REPORTING;
	return BALLOON_Q_NONE;
}

/* The run being merged: [gpa, gpa + len) at hva. */
struct run {
	uint64_t gpa, len;
	uint8_t *hva;
};

static void flush(struct run *r, vmctl_balloon_range_fn fn, void *ctx)
{
	if (r->len)
		fn(ctx, r->hva, r->len);
	r->len = 0;
}

void vmctl_balloon_pfns(const struct vmctl_guest_ram *ram,
			const struct iovec *iov, unsigned int n, uint64_t len,
			vmctl_balloon_range_fn fn, void *ctx,
			struct vmctl_balloon_walk *w)
{
	uint64_t max = len < VMCTL_BALLOON_MAX_PFN_BYTES ? len :
		       VMCTL_BALLOON_MAX_PFN_BYTES;
	struct run r = { 0 };
	uint64_t off, gpa;
	uint32_t pfn;
	uint8_t *hva;

	for (off = 0; off + 4 <= max; off += 4) {
		if (!vmctl_iov_read(iov, n, off, &pfn, 4))
			break;
		/* le32 on the wire; the host is x86 too. */
		gpa = (uint64_t)pfn << VIRTIO_BALLOON_PFN_SHIFT;
		hva = ram->map(ram->ctx, gpa, VIRTIO_BALLOON_PAGE);
		if (!hva) {
			w->ignored++;
			continue;
		}
		w->pages++;
		if (r.len && gpa == r.gpa + r.len && hva == r.hva + r.len) {
			r.len += VIRTIO_BALLOON_PAGE;
			continue;
		}
		flush(&r, fn, ctx);
		r = (struct run){ gpa, VIRTIO_BALLOON_PAGE, hva };
	}
	flush(&r, fn, ctx);
	w->ignored += (len - off + 3) / 4;
}

bool vmctl_balloon_whole_pages(const struct iovec *buf, void **hva,
			       uint64_t *len)
{
	uintptr_t start = (uintptr_t)buf->iov_base;
	uintptr_t end = start + buf->iov_len;
	uintptr_t mask = VIRTIO_BALLOON_PAGE - 1;

	start = (start + mask) & ~mask;
	end &= ~mask;
	if (end <= start)
		return false;
	*hva = (void *)start;
	*len = end - start;
	return true;
}

void vmctl_balloon_parse_stats(struct vmctl_balloon_state *st,
			       const struct iovec *iov, unsigned int n,
			       uint64_t len)
{
	uint8_t e[VIRTIO_BALLOON_STAT_SIZE];
	unsigned int i;
	uint16_t tag;
	uint64_t off, v;

	for (i = 0, off = 0; i < 64 && off + sizeof(e) <= len;
	     i++, off += sizeof(e)) {
		if (!vmctl_iov_read(iov, n, off, e, sizeof(e)))
			break;
		memcpy(&tag, e, 2);
		if (tag >= VIRTIO_BALLOON_S_NR_KNOWN)
			continue;
		/* Read by the counters' thread meanwhile. */
		memcpy(&v, e + 2, 8);
		__atomic_store_n(&st->stats[tag], v, __ATOMIC_RELAXED);
		__atomic_or_fetch(&st->stats_seen, 1U << tag, __ATOMIC_RELAXED);
	}
}
