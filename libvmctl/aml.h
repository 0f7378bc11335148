/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small AML encoder (ACPI 6.4, chapter 20): just the terms a DSDT
 * describing this VM needs -- scopes, devices, named integers, strings,
 * packages and buffers.  Pure logic: bytes appended to a caller's buffer.
 *
 * Why AML is generated at run time rather than compiled from ASL with
 * iasl at build time: the DSDT depends on the VM (one processor device
 * per vCPU), its constants (the PCI hole, the INTx routing, the PM
 * ports) come from the same C headers the devices use (pc_layout.h, pm.h), the
 * build needs no extra tool, and the unit tests parse the bytes back.
 * The handful of opcodes below is all it takes.
 */
#ifndef VMCTL_AML_H
#define VMCTL_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH		8

struct aml {
	uint8_t *buf;
	size_t len;
	size_t room;
	bool failed;		/* too deep, unbalanced or a bad name */
	bool nospace;		/* the buffer is full */
	unsigned int depth;
	size_t open[AML_MAX_DEPTH];	/* where each open PkgLength goes */
};

void aml_init(struct aml *a, void *buf, size_t room);

/* Scope(name) { ... aml_close() }: name a NameSeg, "\\" prefix allowed. */
void aml_scope(struct aml *a, const char *name);
/* Device(name) { ... aml_close() } */
void aml_device(struct aml *a, const char *name);
/* Package() { n elements ... aml_close() } */
void aml_package(struct aml *a, unsigned int n);
/* Ends the innermost scope, device or package. */
void aml_close(struct aml *a);

/* Name(name, <the next object>) */
void aml_name(struct aml *a, const char *name);
/* The shortest integer encoding (Zero, One, Byte...QWord). */
void aml_integer(struct aml *a, uint64_t v);
/* EISAID("PNP0A03") as AML encodes it: a DWord. */
void aml_eisaid(struct aml *a, const char *id);
void aml_string(struct aml *a, const char *s);
void aml_buffer(struct aml *a, const void *data, size_t len);

/* The encoded bytes, or -ENOSPC / -EINVAL when something failed. */
int aml_finish(struct aml *a);

/* Resource descriptors (ACPI 6.4, 6.4), for a _CRS buffer. */
struct aml_res {
	uint8_t buf[256];
	size_t len;
	bool failed;
};

enum aml_space { AML_SPACE_MEM = 0, AML_SPACE_IO = 1, AML_SPACE_BUS = 2 };

/* A window the device produces (a bridge's range): Word Address Space. */
void aml_res_word(struct aml_res *r, enum aml_space space, uint16_t min,
		  uint16_t max);
/* A memory window: DWord Address Space, read/write, non-cacheable. */
void aml_res_dword_mem(struct aml_res *r, uint32_t min, uint32_t max);
/* Ports the device itself decodes: IO(Decode16, base, base, 1, len). */
void aml_res_io(struct aml_res *r, uint16_t base, uint8_t len);
/* An edge-triggered, active-high ISA interrupt: IRQNoFlags () { irq }. */
void aml_res_irq(struct aml_res *r, unsigned int irq);
/* The End Tag; call last. */
void aml_res_end(struct aml_res *r);

#endif /* VMCTL_AML_H */
