// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-blk requests: parsing and checking a descriptor chain, and the
 * configuration space (see virtio_blk.h).  Pure logic.
 *
 * A request (virtio 1.2, 5.2.6) is a readable header { le32 type; le32
 * reserved; le64 sector }, data (readable for writes, writable for
 * reads), and a writable status byte last.  Fields are copied out of
 * guest memory once, so a guest rewriting them meanwhile changes
 * nothing.
 */
#include <stddef.h>
#include <string.h>

#include "virtio_blk.h"

/* Whether [sector, sector + n) lies inside the disk, without overflow. */
static bool in_disk(uint64_t sector, uint64_t n, uint64_t capacity)
{
	return sector <= capacity && n <= capacity - sector;
}

/* out->data = bytes [off, off + len) of the chain. */
static bool take_data(const struct vmctl_vq_req *req, uint64_t off,
		      uint64_t len, struct vmctl_blk_req *out)
{
	int n = vmctl_iov_slice(req->iov, req->nr_out + req->nr_in, off, len,
				out->data, VMCTL_VQ_MAX_SIZE);

	if (n < 0)
		return false;
	out->nr_data = n;
	out->len = len;
	return true;
}

static uint8_t parse_rw(const struct vmctl_vq_req *req, uint64_t capacity,
			bool read_only, struct vmctl_blk_req *out)
{
	bool is_read = out->type == VIRTIO_BLK_T_IN;
	/* Reads: everything writable but the status; writes: after header. */
	uint64_t len = is_read ? req->in_len - 1 : req->out_len - VMCTL_BLK_HEADER;

	if (is_read ? req->out_len != VMCTL_BLK_HEADER : req->in_len != 1)
		return VIRTIO_BLK_S_IOERR;	/* data in the wrong direction */
	if (!is_read && read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!len || len % VMCTL_BLK_SECTOR ||
	    !in_disk(out->sector, len / VMCTL_BLK_SECTOR, capacity))
		return VIRTIO_BLK_S_IOERR;
	if (!take_data(req, is_read ? req->out_len : VMCTL_BLK_HEADER, len, out))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static uint8_t parse_zeroes(const struct vmctl_vq_req *req, uint64_t capacity,
			    bool read_only, struct vmctl_blk_req *out)
{
	uint8_t seg[VMCTL_BLK_SEGMENT];
	uint32_t nr, flags;
	uint32_t known = out->type == VIRTIO_BLK_T_WRITE_ZEROES ?
			 VIRTIO_BLK_WZ_FLAG_UNMAP : 0;

	if (read_only)
		return VIRTIO_BLK_S_IOERR;
	/* We advertise one segment per request. */
	if (req->in_len != 1 ||
	    req->out_len != VMCTL_BLK_HEADER + VMCTL_BLK_SEGMENT ||
	    !vmctl_iov_read(req->iov, req->nr_out, VMCTL_BLK_HEADER, seg,
			    sizeof(seg)))
		return VIRTIO_BLK_S_IOERR;
	memcpy(&out->sector, seg, 8);
	memcpy(&nr, seg + 8, 4);
	memcpy(&flags, seg + 12, 4);
	if (flags & ~known)
		return VIRTIO_BLK_S_UNSUPP;
	if (!nr || nr > VMCTL_BLK_MAX_ZERO_SECTORS ||
	    !in_disk(out->sector, nr, capacity))
		return VIRTIO_BLK_S_IOERR;
	out->nr_sectors = nr;
	out->unmap = flags & VIRTIO_BLK_WZ_FLAG_UNMAP;
	return VIRTIO_BLK_S_OK;
}

int vmctl_blk_parse(const struct vmctl_vq_req *req, uint64_t capacity,
		    bool read_only, struct vmctl_blk_req *out)
{
	uint8_t hdr[VMCTL_BLK_HEADER];
	struct iovec st;

	memset(out, 0, offsetof(struct vmctl_blk_req, data));
	if (!req->in_len ||
	    vmctl_iov_slice(req->iov + req->nr_out, req->nr_in,
			    req->in_len - 1, 1, &st, 1) != 1)
		return -1;
	out->status_byte = st.iov_base;
	if (req->out_len < VMCTL_BLK_HEADER ||
	    !vmctl_iov_read(req->iov, req->nr_out, 0, hdr, sizeof(hdr))) {
		out->status = VIRTIO_BLK_S_IOERR;
		return 0;
	}
	memcpy(&out->type, hdr, 4);
	memcpy(&out->sector, hdr + 8, 8);

	switch (out->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		out->status = parse_rw(req, capacity, read_only, out);
		break;
	case VIRTIO_BLK_T_FLUSH:
		out->status = req->out_len == VMCTL_BLK_HEADER && req->in_len == 1 ?
			      VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		/* Up to 20 bytes of serial into the writable buffers. */
		if (req->out_len != VMCTL_BLK_HEADER || req->in_len < 2 ||
		    !take_data(req, req->out_len, req->in_len - 1 < VIRTIO_BLK_ID_BYTES ?
			       req->in_len - 1 : VIRTIO_BLK_ID_BYTES, out))
			out->status = VIRTIO_BLK_S_IOERR;
		else
			out->status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		out->status = parse_zeroes(req, capacity, read_only, out);
		break;
	default:
		out->status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

void vmctl_blk_config(uint8_t *cfg, uint64_t capacity, uint32_t seg_max)
{
	memset(cfg, 0, VMCTL_BLK_CONFIG_LEN);
	memcpy(cfg + 0, &capacity, 8);
	put32(cfg + 12, seg_max);
	put32(cfg + 20, VMCTL_BLK_SECTOR);		/* blk_size */
	put32(cfg + 36, VMCTL_BLK_MAX_ZERO_SECTORS);	/* max_discard_sectors */
	put32(cfg + 40, 1);				/* max_discard_seg */
	put32(cfg + 44, 1);				/* discard_sector_alignment */
	put32(cfg + 48, VMCTL_BLK_MAX_ZERO_SECTORS);	/* max_write_zeroes_sectors */
	put32(cfg + 52, 1);				/* max_write_zeroes_seg */
	cfg[56] = 1;					/* write_zeroes_may_unmap */
}
