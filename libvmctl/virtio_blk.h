/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtio-blk (virtio 1.2, 5.2): the request parser (virtio_blk_req.c,
 * pure: a descriptor chain in, a checked request out) and the device on
 * a raw image file or block device (virtio_blk.c).
 *
 * The parser checks everything before the device touches the image: the
 * header is readable and 16 bytes, the status byte is the last writable
 * one, data directions match the request type, lengths are whole sectors
 * and [sector, sector + n) lies inside the disk, discard and write-zeroes
 * carry one well-formed segment, and a read-only disk takes no write.
 * So the image never receives a malformed write.
 */
#ifndef VMCTL_VIRTIO_BLK_H
#define VMCTL_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtq.h"

#define VIRTIO_ID_BLOCK			2

#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13

#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

#define VIRTIO_BLK_ID_BYTES		20
#define VIRTIO_BLK_WZ_FLAG_UNMAP	1

#define VMCTL_BLK_SECTOR		512ULL
#define VMCTL_BLK_HEADER		16
#define VMCTL_BLK_SEGMENT		16
/* Discard and write-zeroes: one segment of at most 1 GiB per request. */
#define VMCTL_BLK_MAX_ZERO_SECTORS	(1U << 21)

struct vmctl_blk_req {
	uint32_t type;
	uint8_t status;		/* VIRTIO_BLK_S_OK: carry it out */
	uint8_t *status_byte;	/* where the answer goes */
	uint64_t sector;	/* IN, OUT, DISCARD, WRITE_ZEROES */
	uint64_t nr_sectors;	/* DISCARD, WRITE_ZEROES */
	bool unmap;		/* WRITE_ZEROES may deallocate */
	uint64_t len;		/* data bytes: IN, OUT; room: GET_ID */
	unsigned int nr_data;
	struct iovec data[VMCTL_VQ_MAX_SIZE];
};

/*
 * Check chain req against a disk of capacity sectors.  Returns 0 with
 * out filled (out->status says whether to carry it out or answer at
 * once), or -1 when the chain has no writable status byte: then nothing
 * can be answered and the queue is broken.
 */
int vmctl_blk_parse(const struct vmctl_vq_req *req, uint64_t capacity,
		    bool read_only, struct vmctl_blk_req *out);

/* The device configuration space (struct virtio_blk_config). */
#define VMCTL_BLK_CONFIG_LEN		60
void vmctl_blk_config(uint8_t *cfg, uint64_t capacity, uint32_t seg_max);

#endif /* VMCTL_VIRTIO_BLK_H */
