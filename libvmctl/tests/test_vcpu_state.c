// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vmctl_vcpu_save_state() / vmctl_vcpu_restore_state(): a fake module
 * (this file's fake_ioctl()) keeps every piece of two vCPUs' state; one is
 * saved into a blob and restored into the other, which must then hold the
 * same; an exit awaiting completion is completed first; a damaged blob
 * (truncated, foreign, out of order, wrong sizes) is refused before any
 * SET reaches the module.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "ioctl_shim.h"

#define FAKE_FD		1000	/* vCPU n is FAKE_FD + n */
#define NR_MSRS		3

struct fake {
	struct vmctl_regs regs;
	struct vmctl_sregs sregs;
	struct vmctl_xsave xsave;
	struct vmctl_xcrs xcrs;
	struct vmctl_debugregs dr;
	struct vmctl_lapic_state lapic;
	struct vmctl_mpstate mp;
	struct vmctl_vcpu_events ev;
	struct vmctl_cpuid_entry cpuid[2];
	uint32_t nent;
	uint64_t msr[NR_MSRS];
	bool has_lapic, busy, refuse_xsave;
	unsigned int sets, runs;
	struct vmctl_run run;
};

static struct fake fk[2];
static const uint32_t msr_index[NR_MSRS] = { 0x10, 0x1b, 0xc0000082 };

static int fake_fail(int err)
{
	errno = err;
	return -1;
}

static int msrs(struct fake *v, struct vmctl_msrs *m, bool set)
{
	uint32_t i, j;

	for (i = 0; i < m->nmsrs; i++) {
		for (j = 0; j < NR_MSRS && msr_index[j] != m->entries[i].index; j++)
			;
		if (j == NR_MSRS)
			break;
		if (set)
			v->msr[j] = m->entries[i].data;
		else
			m->entries[i].data = v->msr[j];
	}
	return i;
}

/* The fixed-size state of @req: where it lives in @v, or NULL. */
static void *fixed(struct fake *v, unsigned long req, size_t *size)
{
	static const struct { unsigned long get, set; size_t off, size; } t[] = {
#define F(g, s, field) { g, s, offsetof(struct fake, field), \
			 sizeof(((struct fake *)0)->field) }
		F(VMCTL_GET_REGS, VMCTL_SET_REGS, regs),
		F(VMCTL_GET_SREGS, VMCTL_SET_SREGS, sregs),
		F(VMCTL_GET_XSAVE, VMCTL_SET_XSAVE, xsave),
		F(VMCTL_GET_XCRS, VMCTL_SET_XCRS, xcrs),
		F(VMCTL_GET_DEBUGREGS, VMCTL_SET_DEBUGREGS, dr),
		F(VMCTL_GET_LAPIC, VMCTL_SET_LAPIC, lapic),
		F(VMCTL_GET_MP_STATE, VMCTL_SET_MP_STATE, mp),
		F(VMCTL_GET_VCPU_EVENTS, VMCTL_SET_VCPU_EVENTS, ev),
#undef F
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (req == t[i].get || req == t[i].set) {
			*size = t[i].size;
			return (char *)v + t[i].off;
		}
	return NULL;
}

static bool is_set(unsigned long req)
{
	return _IOC_DIR(req) == _IOC_WRITE;
}

static int fake_vcpu_ioctl(struct fake *v, unsigned long req, void *arg)
{
	struct vmctl_msr_list *l = arg;
	struct vmctl_cpuid *c = arg;
	size_t size;
	void *p;

	if (req == VMCTL_RUN) {
		v->runs++;
		if (!v->run.immediate_exit)
			return fake_fail(EPERM);	/* not in this test */
		v->busy = false;
		return fake_fail(EINTR);
	}
	if (is_set(req))
		v->sets++;
	if (((req == VMCTL_GET_LAPIC || req == VMCTL_SET_LAPIC) &&
	     !v->has_lapic))
		return fake_fail(ENXIO);
	if (req == VMCTL_GET_VCPU_EVENTS && v->busy)
		return fake_fail(EBUSY);
	if (req == VMCTL_SET_XSAVE && v->refuse_xsave)
		return fake_fail(EINVAL);
	p = fixed(v, req, &size);
	if (p) {
		memcpy(is_set(req) ? p : arg, is_set(req) ? arg : p, size);
		return 0;
	}
	switch (req) {
	case VMCTL_GET_MSR_INDEX_LIST:
		if (l->nmsrs < NR_MSRS)
			return fake_fail(E2BIG);
		l->nmsrs = NR_MSRS;
		memcpy(l->indices, msr_index, sizeof(msr_index));
		return 0;
	case VMCTL_GET_MSRS:
		return msrs(v, arg, false);
	case VMCTL_SET_MSRS:
		return msrs(v, arg, true);
	case VMCTL_GET_CPUID:
		c->nent = v->nent;
		memcpy(c->entries, v->cpuid, v->nent * sizeof(v->cpuid[0]));
		return 0;
	case VMCTL_SET_CPUID:
		v->nent = c->nent;
		memcpy(v->cpuid, c->entries, c->nent * sizeof(v->cpuid[0]));
		return 0;
	}
	return fake_fail(ENOTTY);
}

int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd == FAKE_FD || fd == FAKE_FD + 1)
		return fake_vcpu_ioctl(&fk[fd - FAKE_FD], req, arg);
	return real_ioctl(fd, req, arg);
}

static struct vmctl_vcpu vcpu[2];

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	memset(fk, 0, sizeof(fk));
	for (i = 0; i < 2; i++) {
		vcpu[i].fd = FAKE_FD + i;
		vcpu[i].run = &fk[i].run;
		fk[i].has_lapic = true;
	}
	/* vCPU 0: something in every field. */
	memset(&fk[0].regs, 0x11, sizeof(fk[0].regs));
	memset(&fk[0].sregs, 0x22, sizeof(fk[0].sregs));
	memset(fk[0].xsave.region, 0x33, 512);
	fk[0].xsave.size = 512;
	fk[0].xcrs.xcr0 = 7;
	fk[0].dr.dr7 = 0x401;
	fk[0].lapic.timer_current = 1234;
	fk[0].mp.state = VMCTL_MP_STATE_HALTED;
	fk[0].ev.exception.pending = 1;
	fk[0].ev.exception.vector = 6;
	fk[0].cpuid[0].function = 1;
	fk[0].cpuid[1].function = 0x80000001;
	fk[0].nent = 2;
	fk[0].msr[0] = 0x123456789;
	fk[0].msr[1] = 0xfee00900;
	fk[0].msr[2] = 0xffffffff81000000ULL;
	return 0;
}

/* Everything the save covers, equal in both vCPUs. */
static void assert_same(void)
{
	struct fake *a = &fk[0], *b = &fk[1];

	assert_memory_equal(&a->regs, &b->regs, sizeof(a->regs));
	assert_memory_equal(&a->sregs, &b->sregs, sizeof(a->sregs));
	assert_memory_equal(&a->xsave, &b->xsave, sizeof(a->xsave));
	assert_memory_equal(&a->xcrs, &b->xcrs, sizeof(a->xcrs));
	assert_memory_equal(&a->dr, &b->dr, sizeof(a->dr));
	assert_memory_equal(&a->lapic, &b->lapic, sizeof(a->lapic));
	assert_memory_equal(&a->mp, &b->mp, sizeof(a->mp));
	assert_memory_equal(&a->ev, &b->ev, sizeof(a->ev));
	assert_memory_equal(a->msr, b->msr, sizeof(a->msr));
	assert_int_equal(a->nent, b->nent);
	assert_memory_equal(a->cpuid, b->cpuid, sizeof(a->cpuid));
}

static void test_round_trip(void **state)
{
	size_t len;
	void *blob;

	(void)state;
	assert_int_equal(vmctl_vcpu_save_state(&vcpu[0], &blob, &len), 0);
	assert_int_equal(fk[0].sets, 0);
	assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], blob, len), 0);
	assert_same();
	free(blob);
}

/* An exit awaiting completion: RUN with immediate_exit, then the save. */
static void test_completes_the_exit_first(void **state)
{
	size_t len;
	void *blob;

	(void)state;
	fk[0].busy = true;
	assert_int_equal(vmctl_vcpu_save_state(&vcpu[0], &blob, &len), 0);
	assert_int_equal(fk[0].runs, 1);
	assert_int_equal(fk[0].run.immediate_exit, 0);
	assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], blob, len), 0);
	assert_same();
	free(blob);
}

/* Without an irqchip there is no LAPIC section, and none is needed. */
static void test_no_lapic(void **state)
{
	size_t len, len_lapic;
	void *blob;

	(void)state;
	assert_int_equal(vmctl_vcpu_save_state(&vcpu[0], &blob, &len_lapic), 0);
	free(blob);
	fk[0].has_lapic = fk[1].has_lapic = false;
	assert_int_equal(vmctl_vcpu_save_state(&vcpu[0], &blob, &len), 0);
	assert_int_equal(len + 8 + sizeof(struct vmctl_lapic_state), len_lapic);
	assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], blob, len), 0);
	free(blob);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Damaged blobs: -EPROTO, and not one SET reaches the module. */
static void test_damaged_blob_refused(void **state)
{
	uint8_t *blob, *bad;
	size_t len, i;

	(void)state;
	assert_int_equal(vmctl_vcpu_save_state(&vcpu[0], (void **)&blob, &len),
			 0);
	bad = malloc(len);
	assert_non_null(bad);
	/* Every truncation, also between sections. */
	for (i = 0; i < len; i++)
		assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], blob, i),
				 -EPROTO);
#define BAD(change) do {						\
		memcpy(bad, blob, len);					\
		change;							\
		assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], bad, len), \
				 -EPROTO);				\
	} while (0)
	BAD(bad[0] ^= 1);				/* magic */
	BAD(put32(bad + 8, 2));				/* version */
	BAD(put32(bad + 12, 1));			/* flags */
	BAD(put32(bad + 16, 2));			/* REGS where CPUID was */
	BAD(put32(bad + 16, 99));			/* unknown section */
	BAD(put32(bad + 20, 4));			/* CPUID of 4 bytes */
	BAD(put32(bad + 24, 3));			/* nent 3 in 2's room */
	BAD(put32(bad + 24, 0xffffffff));
	assert_int_equal(fk[1].sets, 0);
	free(bad);
	free(blob);
}

/* A state the module refuses fails the restore with its error. */
static void test_module_refusal(void **state)
{
	size_t len;
	void *blob;

	(void)state;
	assert_int_equal(vmctl_vcpu_save_state(&vcpu[0], &blob, &len), 0);
	fk[1].refuse_xsave = true;
	assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], blob, len), -EINVAL);
	assert_non_null(strstr(vmctl_error_detail(), "XSAVE"));
	free(blob);
}

/*
 * A guest that saw a CPU feature this host's vCPUs lack is refused
 * before anything is loaded, the leaf and bits named; OSXSAVE, which
 * mirrors the guest's CR4, is not a feature; a host that has the bit
 * takes the guest.
 */
static void test_missing_cpu_feature(void **state)
{
	size_t len;
	void *blob;

	(void)state;
	fk[0].cpuid[0] = (struct vmctl_cpuid_entry){
		.function = 7, .flags = VMCTL_CPUID_FLAG_SIGNIFICANT_INDEX,
		.ebx = 1U << 5,				/* AVX2 */
	};
	fk[0].cpuid[1] = (struct vmctl_cpuid_entry){
		.function = 1, .ecx = 1U << 27 | 1U << 28,	/* OSXSAVE, AVX */
	};
	assert_int_equal(vmctl_vcpu_save_state(&vcpu[0], &blob, &len), 0);
	fk[1].nent = 2;
	fk[1].cpuid[0] = (struct vmctl_cpuid_entry){
		.function = 7, .flags = VMCTL_CPUID_FLAG_SIGNIFICANT_INDEX,
	};
	fk[1].cpuid[1] = (struct vmctl_cpuid_entry){
		.function = 1, .ecx = 1U << 28,
	};
	assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], blob, len),
			 -EOPNOTSUPP);
	assert_string_equal(vmctl_error_detail(),
			    "the guest saw CPU features this host lacks: CPUID leaf 7 ebx bits 0x20");
	assert_int_equal(fk[1].sets, 0);
	fk[1].cpuid[0].ebx = 1U << 5 | 1U << 3;
	assert_int_equal(vmctl_vcpu_restore_state(&vcpu[1], blob, len), 0);
	assert_same();
	free(blob);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(test_round_trip),
		T(test_completes_the_exit_first),
		T(test_no_lapic),
		T(test_damaged_blob_refused),
		T(test_module_refusal),
		T(test_missing_cpu_feature),
	};

	return cmocka_run_group_tests_name("vcpu_state", tests, NULL, NULL);
}
