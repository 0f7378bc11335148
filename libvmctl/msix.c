// SPDX-License-Identifier: LGPL-2.1-or-later
/* MSI-X: capability, vector table, pending bits, masking (see msix.h). */
#include <errno.h>
#include <string.h>

#include "msix.h"

int vmctl_msix_init(struct vmctl_msix *m, unsigned int nr)
{
	unsigned int i;

	if (!nr || nr > VMCTL_MSIX_MAX_VECTORS)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->nr = nr;
	/* Reset state: every vector masked (PCI 3.0, 6.8.2.9). */
	for (i = 0; i < nr; i++)
		m->table[i].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	return 0;
}

void vmctl_msix_destroy(struct vmctl_msix *m)
{
	pthread_mutex_destroy(&m->lock);
}

int vmctl_msix_add_cap(const struct vmctl_msix *m, struct vmctl_pci_dev *dev,
		       unsigned int bar, uint32_t table_off, uint32_t pba_off)
{
	uint8_t cap[PCI_MSIX_CAP_LEN] = { 0 }, wmask[PCI_MSIX_CAP_LEN] = { 0 };
	uint16_t control = m->nr - 1;
	uint32_t table = table_off | bar, pba = pba_off | bar;

	memcpy(cap + PCI_MSIX_FLAGS, &control, 2);
	memcpy(cap + 4, &table, 4);
	memcpy(cap + 8, &pba, 4);
	/* Only Enable and Function Mask are the guest's to write. */
	wmask[PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE |
				     PCI_MSIX_FLAGS_MASKALL) >> 8;
	return vmctl_pci_dev_add_cap(dev, PCI_CAP_ID_MSIX, cap, sizeof(cap),
				     wmask);
}

static bool masked_locked(const struct vmctl_msix *m, unsigned int v)
{
	return m->masked || (m->table[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void send_locked(struct vmctl_msix *m, unsigned int v)
{
	const struct vmctl_msix_entry *e = &m->table[v];

	m->pending &= ~(1U << v);
	__atomic_add_fetch(&m->sent, 1, __ATOMIC_RELAXED);	/* read unlocked */
	if (m->send)
		m->send(m->ctx, (uint64_t)e->addr_hi << 32 | e->addr_lo,
			e->data);
}

/* Send every pending vector that is no longer masked. */
static void flush_locked(struct vmctl_msix *m)
{
	unsigned int v;

	if (!m->enabled)
		return;
	for (v = 0; v < m->nr; v++)
		if ((m->pending & (1U << v)) && !masked_locked(m, v))
			send_locked(m, v);
}

void vmctl_msix_control(struct vmctl_msix *m, uint16_t control)
{
	pthread_mutex_lock(&m->lock);
	m->enabled = control & PCI_MSIX_FLAGS_ENABLE;
	m->masked = control & PCI_MSIX_FLAGS_MASKALL;
	flush_locked(m);
	pthread_mutex_unlock(&m->lock);
}

bool vmctl_msix_enabled(struct vmctl_msix *m)
{
	bool on;

	pthread_mutex_lock(&m->lock);
	on = m->enabled;
	pthread_mutex_unlock(&m->lock);
	return on;
}

int vmctl_msix_notify(struct vmctl_msix *m, unsigned int vector)
{
	int ret = -1;

	pthread_mutex_lock(&m->lock);
	if (m->enabled && vector < m->nr) {
		if (masked_locked(m, vector)) {
			m->pending |= 1U << vector;
			ret = 0;
		} else {
			send_locked(m, vector);
			ret = 1;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* The dword at off in the table, or NULL beyond it. */
static uint32_t *table_dword(struct vmctl_msix *m, uint64_t off)
{
	if (off >= (uint64_t)m->nr * VMCTL_MSIX_ENTRY_SIZE)
		return NULL;
	return (uint32_t *)&m->table[off / VMCTL_MSIX_ENTRY_SIZE] +
	       off % VMCTL_MSIX_ENTRY_SIZE / 4;
}

uint64_t vmctl_msix_table_read(struct vmctl_msix *m, uint64_t off,
			       unsigned int size)
{
	uint32_t *lo, *hi;
	uint64_t v = 0;

	if ((size != 4 && size != 8) || off % size)
		return 0;
	pthread_mutex_lock(&m->lock);
	lo = table_dword(m, off);
	hi = size == 8 ? table_dword(m, off + 4) : NULL;
	if (lo)
		v = *lo;
	if (hi)
		v |= (uint64_t)*hi << 32;
	pthread_mutex_unlock(&m->lock);
	return v;
}

static void write_dword(struct vmctl_msix *m, uint64_t off, uint32_t value)
{
	uint32_t *p = table_dword(m, off);

	if (!p)
		return;
	/* Vector Control: only the Mask bit is writable. */
	if (off % VMCTL_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_CTRL)
		value &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	*p = value;
}

void vmctl_msix_table_write(struct vmctl_msix *m, uint64_t off,
			    unsigned int size, uint64_t value)
{
	if ((size != 4 && size != 8) || off % size)
		return;
	pthread_mutex_lock(&m->lock);
	write_dword(m, off, value);
	if (size == 8)
		write_dword(m, off + 4, value >> 32);
	/* An entry unmasked: its pending message goes now. */
	flush_locked(m);
	pthread_mutex_unlock(&m->lock);
}

uint64_t vmctl_msix_pba_read(struct vmctl_msix *m, uint64_t off,
			     unsigned int size)
{
	uint64_t v;

	if ((size != 4 && size != 8) || off % size)
		return 0;
	pthread_mutex_lock(&m->lock);
	v = off ? 0 : m->pending;	/* 16 vectors: all in the first dword */
	pthread_mutex_unlock(&m->lock);
	return size == 4 ? (uint32_t)v : v;
}
