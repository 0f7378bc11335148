// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One vCPU's whole state as one blob, for a snapshot file or a migration
 * stream: the magic "VMCTLCPU", a version, then one section per piece of
 * state in the order the module restores them (<linux/vmctl.h>, "Saving
 * and restoring a vCPU"), each a u32 id, a u32 size and size bytes padded
 * to 8; every section but the LAPIC's (a VM without irqchip) is there.
 * The blob may come from a file or a socket: restore checks every size
 * against the section it claims to be, and that none is missing, before
 * anything is loaded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

#define BLOB_MAGIC	0x5550434c54434d56ULL	/* "VMCTLCPU" */
#define BLOB_VERSION	1
#define MAX_MSRS	64

enum section {
	SEC_CPUID = 1, SEC_REGS, SEC_SREGS, SEC_XCRS, SEC_XSAVE, SEC_DEBUGREGS,
	SEC_MSRS, SEC_LAPIC, SEC_MP_STATE, SEC_EVENTS, NR_SECTIONS
};

struct blob_header {
	uint64_t magic;
	uint32_t version;
	uint32_t flags;		/* none defined: 0 */
};

struct section_header {
	uint32_t id;
	uint32_t size;
};

/* The ioctls and fixed sizes of the sections (0: variable). */
static const struct {
	unsigned long get, set;
	uint32_t size;
	const char *name;
} sections[NR_SECTIONS] = {
	[SEC_CPUID] = { VMCTL_GET_CPUID, VMCTL_SET_CPUID, 0, "CPUID" },
	[SEC_REGS] = { VMCTL_GET_REGS, VMCTL_SET_REGS,
		       sizeof(struct vmctl_regs), "REGS" },
	[SEC_SREGS] = { VMCTL_GET_SREGS, VMCTL_SET_SREGS,
			sizeof(struct vmctl_sregs), "SREGS" },
	[SEC_XCRS] = { VMCTL_GET_XCRS, VMCTL_SET_XCRS,
		       sizeof(struct vmctl_xcrs), "XCRS" },
	[SEC_XSAVE] = { VMCTL_GET_XSAVE, VMCTL_SET_XSAVE,
			sizeof(struct vmctl_xsave), "XSAVE" },
	[SEC_DEBUGREGS] = { VMCTL_GET_DEBUGREGS, VMCTL_SET_DEBUGREGS,
			    sizeof(struct vmctl_debugregs), "DEBUGREGS" },
	[SEC_MSRS] = { VMCTL_GET_MSRS, VMCTL_SET_MSRS, 0, "MSRS" },
	[SEC_LAPIC] = { VMCTL_GET_LAPIC, VMCTL_SET_LAPIC,
			sizeof(struct vmctl_lapic_state), "LAPIC" },
	[SEC_MP_STATE] = { VMCTL_GET_MP_STATE, VMCTL_SET_MP_STATE,
			   sizeof(struct vmctl_mpstate), "MP_STATE" },
	[SEC_EVENTS] = { VMCTL_GET_VCPU_EVENTS, VMCTL_SET_VCPU_EVENTS,
			 sizeof(struct vmctl_vcpu_events), "VCPU_EVENTS" },
};

struct blob {
	uint8_t *buf;
	size_t len, cap;
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static int blob_add(struct blob *b, uint32_t id, const void *data,
		    uint32_t size)
{
	struct section_header h = { id, size };
	size_t need = b->len + sizeof(h) + pad8(size);
	uint8_t *p;

	if (need > b->cap) {
		p = realloc(b->buf, need * 2);
		if (!p)
			return -ENOMEM;
		b->buf = p;
		b->cap = need * 2;
	}
	memcpy(b->buf + b->len, &h, sizeof(h));
	memcpy(b->buf + b->len + sizeof(h), data, size);
	memset(b->buf + b->len + sizeof(h) + size, 0, pad8(size) - size);
	b->len = need;
	return 0;
}

/*
 * The events are only readable once the last exit needs nothing more:
 * RUN with immediate_exit completes it and returns at once.
 */
static int complete_exit(struct vmctl_vcpu *vcpu,
			 struct vmctl_vcpu_events *ev)
{
	int ret;

	if (!ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, ev))
		return 0;
	if (errno != EBUSY)
		return vmctl_fail(-errno, "VMCTL_GET_VCPU_EVENTS");
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	ret = ioctl(vcpu->fd, VMCTL_RUN, 0);
	__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if (ret == 0 || errno != EINTR)
		return vmctl_fail(-EPROTO, "RUN with immediate_exit did not return EINTR");
	if (ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, ev))
		return vmctl_fail(-errno, "VMCTL_GET_VCPU_EVENTS");
	return 0;
}

static int save_msrs(struct vmctl_vcpu *vcpu, struct blob *b)
{
	struct {
		struct vmctl_msr_list hdr;
		uint32_t indices[MAX_MSRS];
	} list = { .hdr.nmsrs = MAX_MSRS };
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e[MAX_MSRS];
	} m;
	uint32_t i;
	int n;

	memset(&m, 0, sizeof(m));
	if (ioctl(vcpu->fd, VMCTL_GET_MSR_INDEX_LIST, &list))
		return vmctl_fail(-errno, "VMCTL_GET_MSR_INDEX_LIST");
	m.hdr.nmsrs = list.hdr.nmsrs;
	for (i = 0; i < list.hdr.nmsrs; i++)
		m.e[i].index = list.indices[i];
	n = ioctl(vcpu->fd, VMCTL_GET_MSRS, &m);
	if (n != (int)m.hdr.nmsrs)
		return vmctl_fail(n < 0 ? -errno : -EPROTO,
				  "VMCTL_GET_MSRS: MSR %#x", m.e[n < 0 ? 0 : n].index);
	return blob_add(b, SEC_MSRS, &m, sizeof(m.hdr) +
			m.hdr.nmsrs * sizeof(m.e[0]));
}

static int save_cpuid(struct vmctl_vcpu *vcpu, struct blob *b)
{
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->hdr.nent = VMCTL_MAX_CPUID_ENTRIES;
	if (ioctl(vcpu->fd, VMCTL_GET_CPUID, c))
		ret = vmctl_fail(-errno, "VMCTL_GET_CPUID");
	else
		ret = blob_add(b, SEC_CPUID, c, sizeof(c->hdr) +
			       c->hdr.nent * sizeof(c->e[0]));
	free(c);
	return ret;
}

/* A fixed-size section, or nothing for an ENXIO (no irqchip: LAPIC). */
static int save_fixed(struct vmctl_vcpu *vcpu, struct blob *b, uint32_t id)
{
	uint8_t data[sizeof(struct vmctl_xsave)];

	memset(data, 0, sizeof(data));
	if (ioctl(vcpu->fd, sections[id].get, data))
		return errno == ENXIO && id == SEC_LAPIC ? 0 :
		       vmctl_fail(-errno, "GET %s", sections[id].name);
	return blob_add(b, id, data, sections[id].size);
}

int vmctl_vcpu_save_state(struct vmctl_vcpu *vcpu, void **out, size_t *len)
{
	struct blob_header h = { BLOB_MAGIC, BLOB_VERSION, 0 };
	struct vmctl_vcpu_events ev;
	struct blob b = { 0 };
	uint32_t id;
	int ret;

	vmctl_clear_detail();
	ret = complete_exit(vcpu, &ev);
	if (ret)
		return ret;
	b.buf = malloc(sizeof(h));
	if (!b.buf)
		return -ENOMEM;
	memcpy(b.buf, &h, sizeof(h));
	b.len = b.cap = sizeof(h);
	for (id = SEC_CPUID; id < NR_SECTIONS && !ret; id++) {
		if (id == SEC_CPUID)
			ret = save_cpuid(vcpu, &b);
		else if (id == SEC_MSRS)
			ret = save_msrs(vcpu, &b);
		else if (id == SEC_EVENTS)
			ret = blob_add(&b, id, &ev, sizeof(ev));
		else
			ret = save_fixed(vcpu, &b, id);
	}
	if (ret) {
		free(b.buf);
		return ret;
	}
	*out = b.buf;
	*len = b.len;
	return 0;
}

/* Is @size right for section @id holding @data? */
static bool section_size_ok(uint32_t id, const void *data, uint32_t size)
{
	uint32_t n;

	if (sections[id].size)
		return size == sections[id].size;
	if (size < 8)
		return false;
	memcpy(&n, data, sizeof(n));	/* nent / nmsrs: the first field */
	if (id == SEC_CPUID)
		return n <= VMCTL_MAX_CPUID_ENTRIES &&
		       size == sizeof(struct vmctl_cpuid) +
			       n * sizeof(struct vmctl_cpuid_entry);
	return n <= VMCTL_MAX_MSR_ENTRIES &&
	       size == sizeof(struct vmctl_msrs) +
		       n * sizeof(struct vmctl_msr_entry);
}

/*
 * The CPUID the guest saw against the table a new vCPU gets here (its
 * default, from this host's CPU), before it replaces that table.
 */
static int check_cpu(struct vmctl_vcpu *vcpu, const struct vmctl_cpuid *saved)
{
	struct vmctl_cpuid *host;
	int ret;

	host = malloc(sizeof(*host) + VMCTL_MAX_CPUID_ENTRIES *
		      sizeof(host->entries[0]));
	if (!host)
		return -ENOMEM;
	host->nent = VMCTL_MAX_CPUID_ENTRIES;
	host->flags = 0;
	ret = ioctl(vcpu->fd, VMCTL_GET_CPUID, host) < 0 ?
	      vmctl_fail(-errno, "VMCTL_GET_CPUID") :
	      vmctl_cpuid_check(saved, host);
	free(host);
	return ret;
}

/* Load one checked section; SET_MSRS must take every entry. */
static int load_section(struct vmctl_vcpu *vcpu, uint32_t id,
			const uint8_t *data, uint32_t size)
{
	/* An aligned copy: the blob may sit anywhere. */
	void *copy = malloc(size);
	uint32_t want = 0;
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, size);
	if (id == SEC_MSRS)
		memcpy(&want, data, sizeof(want));
	if (id == SEC_CPUID) {
		ret = check_cpu(vcpu, copy);
		if (ret) {
			free(copy);
			return ret;
		}
	}
	ret = ioctl(vcpu->fd, sections[id].set, copy);
	if (ret < 0)
		ret = vmctl_fail(-errno, "SET %s", sections[id].name);
	else if (id == SEC_MSRS && ret != (int)want)
		ret = vmctl_fail(-EINVAL, "SET_MSRS refused MSR %#x",
				 ((struct vmctl_msrs *)copy)->entries[ret].index);
	else
		ret = 0;
	free(copy);
	return ret;
}

/* Walk the blob; with @load, load each section (else only check). */
static int walk(struct vmctl_vcpu *vcpu, const uint8_t *p, size_t len,
		bool load)
{
	struct section_header s;
	size_t off = sizeof(struct blob_header);
	uint32_t last = 0, seen = 0;
	int ret;

	while (off < len) {
		if (len - off < sizeof(s))
			return vmctl_fail(-EPROTO, "vCPU state: truncated at %zu", off);
		memcpy(&s, p + off, sizeof(s));
		off += sizeof(s);
		if (s.id <= last || s.id >= NR_SECTIONS)
			return vmctl_fail(-EPROTO, "vCPU state: section %u out of place",
					  s.id);
		if (s.size > len - off || pad8(s.size) > len - off)
			return vmctl_fail(-EPROTO, "vCPU state: %s truncated",
					  sections[s.id].name);
		if (!section_size_ok(s.id, p + off, s.size))
			return vmctl_fail(-EPROTO, "vCPU state: %s of %u bytes",
					  sections[s.id].name, s.size);
		if (load) {
			ret = load_section(vcpu, s.id, p + off, s.size);
			if (ret)
				return ret;
		}
		last = s.id;
		seen |= 1U << s.id;
		off += pad8(s.size);
	}
	/* All but the LAPIC (no irqchip): a blob cut short lacks the last. */
	if ((seen | 1U << SEC_LAPIC) != ((1U << NR_SECTIONS) - 2))
		return vmctl_fail(-EPROTO, "vCPU state: sections missing");
	return 0;
}

int vmctl_vcpu_restore_state(struct vmctl_vcpu *vcpu, const void *blob,
			     size_t len)
{
	struct blob_header h;
	int ret;

	vmctl_clear_detail();
	if (len < sizeof(h))
		return vmctl_fail(-EPROTO, "vCPU state: %zu bytes", len);
	memcpy(&h, blob, sizeof(h));
	if (h.magic != BLOB_MAGIC)
		return vmctl_fail(-EPROTO, "vCPU state: not a vCPU state");
	if (h.version != BLOB_VERSION || h.flags)
		return vmctl_fail(-EPROTO, "vCPU state: version %u, flags %#x",
				  h.version, h.flags);
	ret = walk(vcpu, blob, len, false);
	return ret ? ret : walk(vcpu, blob, len, true);
}
