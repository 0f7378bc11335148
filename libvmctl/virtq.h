/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device side of a virtio 1.x split virtqueue (virtio 1.2, 2.7):
 * taking descriptor chains the driver made available (direct and
 * indirect) and returning them as used, with EVENT_IDX notification
 * suppression.
 *
 * The rings live in guest memory, which a hostile guest may rewrite at
 * any moment.  So every guest address is checked against guest RAM
 * (through ram->map) before use, every descriptor is copied once before
 * it is looked at, and a structurally broken queue (head out of range,
 * a loop or a chain longer than the queue, an address outside RAM, a
 * readable buffer after a writable one, a malformed indirect table, an
 * available index that ran ahead by more than the queue size) stops the
 * queue with an error: the transport then sets DEVICE_NEEDS_RESET.
 * Nothing outside the chain's own buffers is read or written.
 *
 * All state is plain data (addresses and indices), so a snapshot can
 * carry it; the host pointers are recomputed by vmctl_vq_start().
 */
#ifndef VMCTL_VIRTQ_H
#define VMCTL_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

/* The largest queue a device offers, and so the longest chain. */
#define VMCTL_VQ_MAX_SIZE	256

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4
/* Ring flags. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/*
 * Guest RAM as the device sees it: the host address of [gpa, gpa+len),
 * and where the device says it wrote [hva, hva+len).  The device's
 * threads write guest RAM behind the module's dirty log, so a live
 * migration learns of those writes only through dirty (the VM's
 * userspace dirty log, dirty.c); NULL where nothing migrates (tests).
 */
struct vmctl_guest_ram {
	void *(*map)(void *ctx, uint64_t gpa, uint64_t len);
	void *ctx;
	void (*dirty)(void *ctx, const void *hva, uint64_t len);
};

/*
 * [hva, hva + len) of guest RAM was written by the host: call it after
 * the write (a migration round that took the pages before it sends
 * them again in the next).
 */
void vmctl_guest_ram_written(const struct vmctl_guest_ram *ram,
			     const void *hva, uint64_t len);

enum vmctl_vq_error {
	VQ_OK = 0,
	VQ_ERR_SIZE = 1,	/* queue size 0, above the maximum or not 2^n */
	VQ_ERR_RING,		/* a ring misaligned or outside RAM */
	VQ_ERR_AVAIL,		/* avail idx ran ahead by more than the size */
	VQ_ERR_HEAD,		/* a descriptor index out of range */
	VQ_ERR_LOOP,		/* a chain longer than the queue */
	VQ_ERR_ADDR,		/* a buffer not entirely in RAM */
	VQ_ERR_ORDER,		/* a readable buffer after a writable one */
	VQ_ERR_INDIRECT,	/* indirect: nested, with NEXT, bad length */
	VQ_ERR_LEN,		/* a chain of more than 4 GiB */
	VQ_ERR_DIR,		/* buffers of the wrong direction for the queue */
	VQ_ERR_SHORT,		/* a chain too short for the device's header */
};

const char *vmctl_vq_strerror(int err);

struct vmctl_vq {
	/* what the driver programmed */
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/* negotiated features */
	bool event_idx, indirect;
	/* the device's position */
	bool started;
	uint16_t last_avail;		/* next available entry to take */
	uint16_t avail_seen;		/* the driver's index at the last look */
	uint16_t used_idx;		/* next used entry to fill */
	uint16_t signalled_used;	/* used_idx at the last interrupt */
	bool signalled_valid;
	/* host view of the rings, valid while started */
	uint8_t *desc, *avail, *used;
	struct vmctl_guest_ram ram;	/* where writes are marked */
};

/* A chain: its readable buffers (out) first, then the writable (in). */
struct vmctl_vq_req {
	uint16_t head;
	unsigned int nr_out, nr_in;
	uint64_t out_len, in_len;
	struct iovec iov[VMCTL_VQ_MAX_SIZE];
};

/* Back to the reset state (the programmed values cleared too). */
void vmctl_vq_reset(struct vmctl_vq *vq);

/* Check the programmed rings and map them.  VQ_OK or VQ_ERR_SIZE/RING. */
int vmctl_vq_start(struct vmctl_vq *vq, const struct vmctl_guest_ram *ram);

/*
 * Take the next available chain into req.  Returns 1 when one was
 * taken, 0 when none is available, or -VQ_ERR_* when the queue is
 * broken (the position is left as it was).
 */
int vmctl_vq_pop(struct vmctl_vq *vq, const struct vmctl_guest_ram *ram,
		 struct vmctl_vq_req *req);

/*
 * Give back the last n chains taken and not pushed: the next pops take
 * them again (a device that found too little room for a whole frame).
 */
void vmctl_vq_unpop(struct vmctl_vq *vq, uint16_t n);

/*
 * Every write a device makes to guest RAM is into the device-writable
 * buffers of a chain it popped, or into the used ring: the used ring is
 * marked written (vmctl_guest_ram_written) by the calls below that store
 * into it, the buffers by vmctl_vq_written, which vmctl_vq_complete
 * calls.  A device returns a chain it wrote into with _complete, or
 * calls _written before it pops the next chain into the same req.
 */
void vmctl_vq_written(const struct vmctl_vq *vq,
		      const struct vmctl_vq_req *req);

/* Return chain head as used, with len bytes written into it. */
void vmctl_vq_push(struct vmctl_vq *vq, uint16_t head, uint32_t len);

/* vmctl_vq_written(req) then vmctl_vq_push(req's head). */
void vmctl_vq_complete(struct vmctl_vq *vq, const struct vmctl_vq_req *req,
		       uint32_t len);

/* A chain to return: its head and the bytes written into it. */
struct vmctl_vq_used_elem {
	uint16_t head;
	uint32_t len;
};

/*
 * Return n chains as used together: all their entries first, then one
 * store of the used index, so that the driver never sees part of them
 * (a received frame spread over several buffers, whose first says how
 * many: Linux drops a frame whose buffers are not all there yet).
 */
void vmctl_vq_push_n(struct vmctl_vq *vq,
		     const struct vmctl_vq_used_elem *e, unsigned int n);

/*
 * Whether the driver wants an interrupt for what was pushed since the
 * last one (its used_event with EVENT_IDX, else NO_INTERRUPT).
 */
bool vmctl_vq_need_interrupt(struct vmctl_vq *vq);

/*
 * Before the device goes idle: ask for a notification when the driver
 * makes more available (avail_event with EVENT_IDX), then look again.
 * Returns true when chains are available already (the device must not
 * sleep).
 */
bool vmctl_vq_enable_notify(struct vmctl_vq *vq);

/*
 * The device needs more than it saw available at its last pop: ask for
 * a notification when the driver adds more (avail_event at that index,
 * with EVENT_IDX).  Returns true when the driver has added some since
 * (look again): entries published after the last look but before the
 * request would otherwise never be seen nor notified.
 */
bool vmctl_vq_wait_more(struct vmctl_vq *vq);

/*
 * Bytes [off, off + len) of a chain's buffers (iov, n entries) as at
 * most max iovecs in dst.  Returns the number of entries, or -1 when the
 * range is not there or needs more than max.
 */
int vmctl_iov_slice(const struct iovec *iov, unsigned int n, uint64_t off,
		    uint64_t len, struct iovec *dst, unsigned int max);
/* Copy len bytes at off out of / into the buffers; false if not there. */
bool vmctl_iov_read(const struct iovec *iov, unsigned int n, uint64_t off,
		    void *dst, uint64_t len);
bool vmctl_iov_write(const struct iovec *iov, unsigned int n, uint64_t off,
		     const void *src, uint64_t len);

#endif /* VMCTL_VIRTQ_H */
