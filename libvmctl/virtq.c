// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Split virtqueues, device side (see virtq.h).  Layouts, virtio 1.2
 * 2.7: a descriptor is { le64 addr; le32 len; le16 flags; le16 next },
 * the available ring { le16 flags; le16 idx; le16 ring[size]; le16
 * used_event }, the used ring { le16 flags; le16 idx; { le32 id; le32
 * len } ring[size]; le16 avail_event }.  x86 is little-endian, so fields
 * are read in place; indices the driver publishes are loaded with
 * acquire semantics and the used index stored with release semantics.
 */
#include <string.h>

#include "internal.h"
#include "virtq.h"

#define DESC_SIZE	16
#define MAX_CHAIN_BYTES	(4ULL << 30)

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

const char *vmctl_vq_strerror(int err)
{
	static const char *const text[] = {
		[VQ_OK] = "no error",
		[VQ_ERR_SIZE] = "queue size is 0, too large or not a power of 2",
		[VQ_ERR_RING] = "a ring is misaligned or not in guest RAM",
		[VQ_ERR_AVAIL] = "available index ran ahead by more than the queue size",
		[VQ_ERR_HEAD] = "descriptor index out of range",
		[VQ_ERR_LOOP] = "descriptor chain longer than the queue (a loop?)",
		[VQ_ERR_ADDR] = "buffer not in guest RAM",
		[VQ_ERR_ORDER] = "device-readable buffer after a device-writable one",
		[VQ_ERR_INDIRECT] = "malformed indirect descriptor",
		[VQ_ERR_LEN] = "descriptor chain longer than 4 GiB",
		[VQ_ERR_DIR] = "buffer of the wrong direction for its queue",
		[VQ_ERR_SHORT] = "buffer too short for the device's header",
	};

	if (err < 0)
		err = -err;
	if ((unsigned int)err >= ARRAY_SIZE(text))
		return "unknown virtqueue error";
	return text[err];
}

void vmctl_vq_reset(struct vmctl_vq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

static uint16_t load16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t load16_acquire(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

int vmctl_vq_start(struct vmctl_vq *vq, const struct vmctl_guest_ram *ram)
{
	uint64_t n = vq->size;

	vq->started = false;
	if (!n || n > VMCTL_VQ_MAX_SIZE || (n & (n - 1)))
		return VQ_ERR_SIZE;
	/* Alignment: descriptors 16, available ring 2, used ring 4. */
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3))
		return VQ_ERR_RING;
	vq->desc = ram->map(ram->ctx, vq->desc_gpa, DESC_SIZE * n);
	vq->avail = ram->map(ram->ctx, vq->avail_gpa, 6 + 2 * n);
	vq->used = ram->map(ram->ctx, vq->used_gpa, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used)
		return VQ_ERR_RING;
	vq->ram = *ram;
	vq->last_avail = vq->used_idx = vq->avail_seen = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->started = true;
	return VQ_OK;
}

/* One descriptor, copied out of guest memory before it is looked at. */
static void read_desc(const uint8_t *table, unsigned int i, struct desc *d)
{
	memcpy(d, table + DESC_SIZE * i, sizeof(*d));
}

struct walk {
	struct vmctl_vq_req *req;
	unsigned int nr;	/* buffers so far */
	uint64_t bytes;
};

static int add_buf(struct walk *w, const struct vmctl_guest_ram *ram,
		   const struct desc *d)
{
	struct vmctl_vq_req *req = w->req;
	void *hva;

	if (w->nr == VMCTL_VQ_MAX_SIZE)
		return -VQ_ERR_LOOP;
	if (!(d->flags & VIRTQ_DESC_F_WRITE) && req->nr_in)
		return -VQ_ERR_ORDER;
	w->bytes += d->len;
	if (w->bytes > MAX_CHAIN_BYTES)
		return -VQ_ERR_LEN;
	hva = ram->map(ram->ctx, d->addr, d->len);
	if (!hva)
		return -VQ_ERR_ADDR;
	req->iov[w->nr].iov_base = hva;
	req->iov[w->nr].iov_len = d->len;
	w->nr++;
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		req->nr_in++;
		req->in_len += d->len;
	} else {
		req->nr_out++;
		req->out_len += d->len;
	}
	return 0;
}

/* The buffers of an indirect table: no nesting, chained by next. */
static int walk_indirect(struct walk *w, const struct vmctl_guest_ram *ram,
			 const struct desc *ind)
{
	unsigned int n = ind->len / DESC_SIZE, i = 0, seen;
	const uint8_t *table;
	struct desc d;
	int ret;

	if (!ind->len || ind->len % DESC_SIZE || n > VMCTL_VQ_MAX_SIZE ||
	    (ind->flags & VIRTQ_DESC_F_NEXT))
		return -VQ_ERR_INDIRECT;
	table = ram->map(ram->ctx, ind->addr, ind->len);
	if (!table)
		return -VQ_ERR_ADDR;
	for (seen = 0;; seen++) {
		if (seen == n)
			return -VQ_ERR_LOOP;
		read_desc(table, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return -VQ_ERR_INDIRECT;
		ret = add_buf(w, ram, &d);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return -VQ_ERR_HEAD;
		i = d.next;
	}
}

int vmctl_vq_pop(struct vmctl_vq *vq, const struct vmctl_guest_ram *ram,
		 struct vmctl_vq_req *req)
{
	uint16_t avail_idx, head, i;
	struct walk w = { .req = req };
	unsigned int seen;
	struct desc d;
	int ret;

	if (!vq->started)
		return 0;
	avail_idx = load16_acquire(vq->avail + 2);
	vq->avail_seen = avail_idx;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return -VQ_ERR_AVAIL;
	if (avail_idx == vq->last_avail)
		return 0;
	head = load16(vq->avail + 4 + 2 * (vq->last_avail & (vq->size - 1)));
	if (head >= vq->size)
		return -VQ_ERR_HEAD;

	req->head = head;
	req->nr_out = req->nr_in = 0;
	req->out_len = req->in_len = 0;
	i = head;
	for (seen = 0;; seen++) {
		if (seen == vq->size)
			return -VQ_ERR_LOOP;
		read_desc(vq->desc, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return -VQ_ERR_INDIRECT;
			ret = walk_indirect(&w, ram, &d);
		} else {
			ret = add_buf(&w, ram, &d);
		}
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= vq->size)
			return -VQ_ERR_HEAD;
		i = d.next;
	}
	vq->last_avail++;
	return 1;
}

void vmctl_guest_ram_written(const struct vmctl_guest_ram *ram,
			     const void *hva, uint64_t len)
{
	if (ram && ram->dirty && len)
		ram->dirty(ram->ctx, hva, len);
}

/* The used ring was stored into (entries, index or avail_event). */
static void used_written(const struct vmctl_vq *vq)
{
	vmctl_guest_ram_written(&vq->ram, vq->used, 6 + 8 * vq->size);
}

void vmctl_vq_written(const struct vmctl_vq *vq,
		      const struct vmctl_vq_req *req)
{
	unsigned int i;

	for (i = req->nr_out; i < req->nr_out + req->nr_in; i++)
		vmctl_guest_ram_written(&vq->ram, req->iov[i].iov_base,
					req->iov[i].iov_len);
}

void vmctl_vq_unpop(struct vmctl_vq *vq, uint16_t n)
{
	vq->last_avail -= n;
}

void vmctl_vq_push_n(struct vmctl_vq *vq,
		     const struct vmctl_vq_used_elem *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint8_t *slot = vq->used + 4 +
				8 * ((uint16_t)(vq->used_idx + i) & (vq->size - 1));
		uint32_t id = e[i].head;

		memcpy(slot, &id, 4);
		memcpy(slot + 4, &e[i].len, 4);
	}
	vq->used_idx += n;
	/* The entries are visible before the index that publishes them. */
	__atomic_store_n((uint16_t *)(vq->used + 2), vq->used_idx,
			 __ATOMIC_RELEASE);
	used_written(vq);
}

void vmctl_vq_push(struct vmctl_vq *vq, uint16_t head, uint32_t len)
{
	const struct vmctl_vq_used_elem e = { head, len };

	vmctl_vq_push_n(vq, &e, 1);
}

void vmctl_vq_complete(struct vmctl_vq *vq, const struct vmctl_vq_req *req,
		       uint32_t len)
{
	vmctl_vq_written(vq, req);
	vmctl_vq_push(vq, req->head, len);
}

/* virtio 1.2, 2.7.10: did the index cross event on its way old -> new? */
static bool need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool vmctl_vq_need_interrupt(struct vmctl_vq *vq)
{
	uint16_t old, event;
	bool valid;

	if (!vq->started)
		return false;
	/* Our used index store before the driver's event or flags load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(load16(vq->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	event = load16(vq->avail + 4 + 2 * vq->size);
	old = vq->signalled_used;
	valid = vq->signalled_valid;
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	return !valid || need_event(event, vq->used_idx, old);
}

bool vmctl_vq_enable_notify(struct vmctl_vq *vq)
{
	if (!vq->started)
		return false;
	if (vq->event_idx) {
		__atomic_store_n((uint16_t *)(vq->used + 4 + 8 * vq->size),
				 vq->last_avail, __ATOMIC_RELAXED);
		used_written(vq);
	}
	/* Publish avail_event before looking at the driver's index again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16_acquire(vq->avail + 2) != vq->last_avail;
}

bool vmctl_vq_wait_more(struct vmctl_vq *vq)
{
	if (!vq->started)
		return false;
	if (vq->event_idx) {
		__atomic_store_n((uint16_t *)(vq->used + 4 + 8 * vq->size),
				 vq->avail_seen, __ATOMIC_RELAXED);
		used_written(vq);
	}
	/* Publish avail_event before looking at the driver's index again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16_acquire(vq->avail + 2) != vq->avail_seen;
}

int vmctl_iov_slice(const struct iovec *iov, unsigned int n, uint64_t off,
		    uint64_t len, struct iovec *dst, unsigned int max)
{
	unsigned int i, out = 0;

	for (i = 0; i < n && len; i++) {
		uint64_t take;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		if (out == max)
			return -1;
		take = iov[i].iov_len - off;
		if (take > len)
			take = len;
		dst[out].iov_base = (uint8_t *)iov[i].iov_base + off;
		dst[out].iov_len = take;
		out++;
		len -= take;
		off = 0;
	}
	return len ? -1 : (int)out;
}

static bool iov_copy(const struct iovec *iov, unsigned int n, uint64_t off,
		     uint8_t *buf, uint64_t len, bool to_iov)
{
	struct iovec part[VMCTL_VQ_MAX_SIZE];
	int nr = vmctl_iov_slice(iov, n, off, len, part, VMCTL_VQ_MAX_SIZE);
	int i;

	if (nr < 0)
		return false;
	for (i = 0; i < nr; i++) {
		if (to_iov)
			memcpy(part[i].iov_base, buf, part[i].iov_len);
		else
			memcpy(buf, part[i].iov_base, part[i].iov_len);
		buf += part[i].iov_len;
	}
	return true;
}

bool vmctl_iov_read(const struct iovec *iov, unsigned int n, uint64_t off,
		    void *dst, uint64_t len)
{
	return iov_copy(iov, n, off, dst, len, false);
}

bool vmctl_iov_write(const struct iovec *iov, unsigned int n, uint64_t off,
		     const void *src, uint64_t len)
{
	return iov_copy(iov, n, off, (uint8_t *)src, len, true);
}
