// SPDX-License-Identifier: GPL-2.0
/*
 * Save and restore (KVM's x86/state_test is the model): at each sync
 * point of a guest that filled its x87, SSE and (where the CPU has it)
 * AVX registers, MXCSR, debug registers, MSRs and general registers, the
 * whole vCPU state is saved, the VM destroyed, a new one created with
 * the same RAM, the state loaded and read back for comparison; the guest
 * continues and finally stores every register it set, which must hold
 * what it loaded.  Then the ioctls' bad input: each is refused with
 * EINVAL and the vCPU still runs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "assert_errno.h"
#include "irqchip.h"
#include "kick.h"
#include "state.h"
#include "ucall.h"

#define PATTERN_GPA	0x80000		/* 16 x 32 bytes, YMM0-15 */
#define X87_INT_GPA	0x80200		/* an int64 for FILD */
#define MXCSR_GPA	0x80208
#define DUMP_GPA	0x81000		/* what the guest stores at the end */
#define DUMP_X87	(DUMP_GPA + 0x200)	/* FSTP: pi, then the int */
#define DUMP_MXCSR	(DUMP_GPA + 0x220)
#define DUMP_DR		(DUMP_GPA + 0x230)	/* DR0-3, DR7 */
#define DUMP_MSR	(DUMP_GPA + 0x300)	/* LSTAR, KERNEL_GS, TSC_AUX, */
#define DUMP_GPR	(DUMP_GPA + 0x400)	/* SYSENTER_ESP; R8-R15 */

#define X87_INT		1234567
#define MXCSR_VALUE	0x7f80		/* round toward zero, all masked */
#define MSR_TSC		0x10

/* @insn once per vector register N, with \\N in it. */
#define EACH_REG(insn) \
	".irp N, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n\t" \
	insn "\n\t.endr\n\t"
#define DUMPMSR(idx, n) \
	"mov $" #idx ", %ecx\n\trdmsr\n\t" \
	"mov %eax, " __stringify(DUMP_MSR) "+8*" #n "\n\t" \
	"mov %edx, " __stringify(DUMP_MSR) "+8*" #n "+4\n\t"
#define DUMPDR(r, n)	"mov %dr" #r ", %rax\n\t" \
	"mov %rax, " __stringify(DUMP_DR) "+8*" #n "\n\t"
#define DUMPGPR(r, n)	"mov %r" #r ", " __stringify(DUMP_GPR) "+8*" #n "\n\t"

/* RDI at each sync: 1, 2; at DONE: 1 when AVX was used. */
GUEST64(state_guest,
	"mov %cr4, %rax\n\t"
	"or $0x600, %eax\n\t"		/* OSFXSR, OSXMMEXCPT */
	"mov %rax, %cr4\n\t"
	"xor %r13d, %r13d\n\t"
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	"bt $26, %ecx\n\t"		/* XSAVE */
	"jnc 1f\n\t"
	"bt $28, %ecx\n\t"		/* AVX */
	"jnc 1f\n\t"
	"mov %cr4, %rax\n\t"
	"bts $18, %rax\n\t"		/* OSXSAVE */
	"mov %rax, %cr4\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"mov $7, %eax\n\t"
	"xsetbv\n\t"
	"mov $1, %r13d\n"
	"1:\n\t"
	"test %r13d, %r13d\n\t"
	"jz 2f\n\t"
	EACH_REG("vmovdqu " __stringify(PATTERN_GPA) "+32*\\N, %ymm\\N")
	"jmp 3f\n"
	"2:\n\t"
	EACH_REG("movdqu " __stringify(PATTERN_GPA) "+32*\\N, %xmm\\N")
	"3:\n\t"
	"fninit\n\t"
	"fildq " __stringify(X87_INT_GPA) "\n\t"
	"fldpi\n\t"
	"ldmxcsr " __stringify(MXCSR_GPA) "\n\t"
	"mov $0x11110000, %eax\n\tmov %rax, %dr0\n\t"
	"mov $0x22220000, %eax\n\tmov %rax, %dr1\n\t"
	"mov $0x33330000, %eax\n\tmov %rax, %dr2\n\t"
	"mov $0x44440000, %eax\n\tmov %rax, %dr3\n\t"
	"mov $0x401, %eax\n\tmov %rax, %dr7\n\t"	/* L0: never hit */
	WRMSR(0xc0000082, 0x89abcdef, 0xffffffff)	/* LSTAR */
	WRMSR(0xc0000102, 0x12345000, 0)		/* KERNEL_GS_BASE */
	WRMSR(0xc0000103, 0x42, 0)			/* TSC_AUX */
	WRMSR(0x175, 0x5000, 0)				/* SYSENTER_ESP */
	"movabs $0x0808080808080808, %r8\n\t"
	"movabs $0x0909090909090909, %r9\n\t"
	"movabs $0x1010101010101010, %r10\n\t"
	"movabs $0x1111111111111111, %r11\n\t"
	"movabs $0x1212121212121212, %r12\n\t"
	"movabs $0x1414141414141414, %r14\n\t"
	"movabs $0x1515151515151515, %r15\n\t"
	"mov $1, %edi\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $2, %edi\n\t"
	G_UCALL(UCALL_SYNC)
	"test %r13d, %r13d\n\t"
	"jz 4f\n\t"
	EACH_REG("vmovdqu %ymm\\N, " __stringify(DUMP_GPA) "+32*\\N")
	"jmp 5f\n"
	"4:\n\t"
	EACH_REG("movdqu %xmm\\N, " __stringify(DUMP_GPA) "+32*\\N")
	"5:\n\t"
	"fstpt " __stringify(DUMP_X87) "\n\t"
	"fstpt " __stringify(DUMP_X87) "+16\n\t"
	"stmxcsr " __stringify(DUMP_MXCSR) "\n\t"
	DUMPDR(0, 0) DUMPDR(1, 1) DUMPDR(2, 2) DUMPDR(3, 3) DUMPDR(7, 4)
	DUMPMSR(0xc0000082, 0) DUMPMSR(0xc0000102, 1) DUMPMSR(0xc0000103, 2)
	DUMPMSR(0x175, 3)
	DUMPGPR(8, 0) DUMPGPR(9, 1) DUMPGPR(10, 2) DUMPGPR(11, 3)
	DUMPGPR(12, 4) DUMPGPR(14, 6) DUMPGPR(15, 7)
	"mov %r13d, %edi\n\t"
	G_UCALL(UCALL_DONE));

static uint8_t pattern_byte(int reg, int i)
{
	return reg * 32 + i + 1;
}

/* Saved LAPICs agree but for the timer's count, which went on. */
static void expect_same_lapic(struct __test_metadata *_metadata,
			      struct vmctl_lapic_state *a,
			      struct vmctl_lapic_state *b)
{
	uint32_t count = b->timer_current;

	EXPECT_LE(count, a->timer_current) TH_LOG("the count went on");
	b->timer_current = a->timer_current;
	EXPECT_EQ(0, memcmp(a, b, sizeof(*a)));
	b->timer_current = count;
}

/*
 * The guest's RAM, VM state (clock, I/O APIC) and vCPU state into a new
 * VM; the old one is gone.  What the new one reads back must match.
 */
static struct vcpu *move_guest(struct __test_metadata *_metadata,
			       struct vcpu *old)
{
	struct vcpu_state *st = calloc(2, sizeof(*st));
	struct vm_state vst[2];
	struct vcpu *vcpu;
	struct vm *vm;
	unsigned int i;

	ASSERT_NE(NULL, st);
	vm_save_state(old->vm, &vst[0]);
	vcpu_save_state(old, &st[0]);
	vm = vm_create_from_state(&vst[0]);
	memcpy(vm->mem, old->vm->mem, vm->mem_size);
	guest_destroy(old);

	vm_save_state(vm, &vst[1]);
	EXPECT_EQ(0, memcmp(&vst[0].ioapic, &vst[1].ioapic,
			    sizeof(vst->ioapic)));
	EXPECT_LE(vst[0].clock.clock, vst[1].clock.clock);
	vcpu = vcpu_add(vm, 0);
	vcpu_load_state(vcpu, &st[0]);
	vcpu_save_state(vcpu, &st[1]);
	EXPECT_EQ(0, memcmp(&st[0].regs, &st[1].regs, sizeof(st->regs)));
	EXPECT_EQ(0, memcmp(&st[0].sregs, &st[1].sregs, sizeof(st->sregs)));
	EXPECT_EQ(0, memcmp(&st[0].xsave, &st[1].xsave, sizeof(st->xsave)));
	EXPECT_EQ(0, memcmp(&st[0].xcrs, &st[1].xcrs, sizeof(st->xcrs)));
	EXPECT_EQ(0, memcmp(&st[0].debugregs, &st[1].debugregs,
			    sizeof(st->debugregs)));
	EXPECT_EQ(st[0].mp_state.state, st[1].mp_state.state);
	EXPECT_EQ(0, memcmp(&st[0].events, &st[1].events, sizeof(st->events)));
	ASSERT_EQ(st[0].has_lapic, st[1].has_lapic);
	if (st[0].has_lapic)
		expect_same_lapic(_metadata, &st[0].lapic, &st[1].lapic);
	ASSERT_EQ(st[0].msrs.hdr.nmsrs, st[1].msrs.hdr.nmsrs);
	for (i = 0; i < st[0].msrs.hdr.nmsrs; i++) {
		const struct vmctl_msr_entry *a = &st[0].msrs.e[i];
		const struct vmctl_msr_entry *b = &st[1].msrs.e[i];

		ASSERT_EQ(a->index, b->index);
		if (a->index == MSR_TSC) {	/* it went on counting */
			EXPECT_LE(a->data, b->data);
		} else {
			EXPECT_EQ(a->data, b->data) TH_LOG("MSR %#x", a->index);
		}
	}
	free(st);
	return vcpu;
}

TEST(state_survives_a_new_vm)
{
	struct vcpu *vcpu = vcpu_create_guest(&state_guest);
	static const uint8_t pi[10] = {
		0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40
	};
	long double x87_int = X87_INT;
	uint64_t *p64;
	uint8_t *mem;
	struct ucall uc;
	int reg, i, width;

	mem = gpa_to_hva(vcpu->vm, 0);
	for (reg = 0; reg < 16; reg++)
		for (i = 0; i < 32; i++)
			mem[PATTERN_GPA + reg * 32 + i] = pattern_byte(reg, i);
	*(int64_t *)(mem + X87_INT_GPA) = X87_INT;
	*(uint32_t *)(mem + MXCSR_GPA) = MXCSR_VALUE;

	for (i = 1; i <= 2; i++) {
		ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
		ASSERT_EQ(i, uc.args[0]);
		vcpu = move_guest(_metadata, vcpu);
	}
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	width = uc.args[0] ? 32 : 16;
	TH_LOG("vector registers checked: %d bytes each", width);

	mem = gpa_to_hva(vcpu->vm, 0);
	for (reg = 0; reg < 16; reg++)
		for (i = 0; i < width; i++)
			ASSERT_EQ(pattern_byte(reg, i),
				  mem[DUMP_GPA + reg * 32 + i])
				TH_LOG("vector register %d byte %d", reg, i);
	EXPECT_EQ(0, memcmp(mem + DUMP_X87, pi, sizeof(pi))) TH_LOG("ST0: pi");
	EXPECT_EQ(0, memcmp(mem + DUMP_X87 + 16, &x87_int, 10))
		TH_LOG("ST1: the integer");
	EXPECT_EQ(MXCSR_VALUE, *(uint32_t *)(mem + DUMP_MXCSR));
	p64 = (uint64_t *)(mem + DUMP_DR);
	EXPECT_EQ(0x11110000, p64[0]);
	EXPECT_EQ(0x22220000, p64[1]);
	EXPECT_EQ(0x33330000, p64[2]);
	EXPECT_EQ(0x44440000, p64[3]);
	EXPECT_EQ(0x401, p64[4] & 0xffff);
	p64 = (uint64_t *)(mem + DUMP_MSR);
	EXPECT_EQ(0xffffffff89abcdefULL, p64[0]);
	EXPECT_EQ(0x12345000, p64[1]);
	EXPECT_EQ(0x42, p64[2]);
	EXPECT_EQ(0x5000, p64[3]);
	p64 = (uint64_t *)(mem + DUMP_GPR);
	EXPECT_EQ(0x0808080808080808ULL, p64[0]);
	EXPECT_EQ(0x0909090909090909ULL, p64[1]);
	EXPECT_EQ(0x1010101010101010ULL, p64[2]);
	EXPECT_EQ(0x1111111111111111ULL, p64[3]);
	EXPECT_EQ(0x1212121212121212ULL, p64[4]);
	EXPECT_EQ(0x1414141414141414ULL, p64[6]);
	EXPECT_EQ(0x1515151515151515ULL, p64[7]);
	guest_destroy(vcpu);
}

GUEST64(done_guest, G_UCALL(UCALL_DONE));

/* Every listed MSR reads and takes its value back. */
TEST(msr_list_round_trip)
{
	struct vcpu *vcpu = vcpu_create_guest(&done_guest);
	struct {
		struct vmctl_msr_list hdr;
		uint32_t indices[STATE_MAX_MSRS];
	} l = { 0 };
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} m = { .hdr.nmsrs = 1 };
	unsigned int i;

	ASSERT_ERRNO(E2BIG, ioctl(vcpu->fd, VMCTL_GET_MSR_INDEX_LIST, &l));
	ASSERT_LT(4, l.hdr.nmsrs) TH_LOG("the count comes back with E2BIG");
	l.hdr.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(vcpu->fd, VMCTL_GET_MSR_INDEX_LIST, &l));
	l.hdr.flags = 0;
	l.hdr.nmsrs = STATE_MAX_MSRS;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_MSR_INDEX_LIST, &l));
	for (i = 0; i < l.hdr.nmsrs; i++) {
		m.e.index = l.indices[i];
		ASSERT_EQ(1, ioctl(vcpu->fd, VMCTL_GET_MSRS, &m))
			TH_LOG("GET MSR %#x", m.e.index);
		ASSERT_EQ(1, ioctl(vcpu->fd, VMCTL_SET_MSRS, &m))
			TH_LOG("SET MSR %#x to %#llx", m.e.index,
			       (unsigned long long)m.e.data);
	}
	/* Unknown index: none processed. */
	m.e.index = 0x12345678;
	EXPECT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_MSRS, &m));
	EXPECT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_MSRS, &m));
	guest_destroy(vcpu);
}

#define VCPU_STATE_ALL	(VMCTL_VCPU_STATE_XSAVE | VMCTL_VCPU_STATE_XCRS | \
			 VMCTL_VCPU_STATE_DEBUGREGS | VMCTL_VCPU_STATE_MSR_LIST | \
			 VMCTL_VCPU_STATE_EVENTS | VMCTL_VCPU_STATE_MP_STATE | \
			 VMCTL_VCPU_STATE_LAPIC)
#define VM_STATE_ALL	(VMCTL_VM_STATE_IOAPIC | VMCTL_VM_STATE_CLOCK | \
			 VMCTL_VM_STATE_PIC_PIT)

TEST(capabilities)
{
	int fd = vmctl_open();
	long xsave = ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_XSAVE_SIZE);
	long vcpu = ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_VCPU_STATE);
	long vm = ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_VM_STATE);

	TH_LOG("XSAVE area: %ld bytes", xsave);
	EXPECT_TRUE(xsave == 512 || (xsave >= 576 &&
				     xsave <= VMCTL_XSAVE_REGION));
	if (irqchip_available()) {
		EXPECT_EQ(VCPU_STATE_ALL, vcpu & VCPU_STATE_ALL);
		EXPECT_EQ(VM_STATE_ALL, vm & VM_STATE_ALL);
	} else {
		EXPECT_EQ(VCPU_STATE_ALL & ~VMCTL_VCPU_STATE_LAPIC, vcpu);
		EXPECT_EQ(VMCTL_VM_STATE_CLOCK, vm);
	}
	close(fd);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Each field XRSTOR, XSETBV or MOV DR would fault on: EINVAL. */
TEST(bad_input)
{
	struct vcpu *vcpu = vcpu_create_guest(&done_guest);
	struct vmctl_xsave *good = calloc(1, sizeof(*good));
	struct vmctl_xsave *x = calloc(1, sizeof(*x));
	struct vmctl_xcrs xcrs, xcrs0;
	struct vmctl_debugregs dr, dr0;
	bool xsave_host;
	struct ucall uc;

	ASSERT_NE(NULL, good);
	ASSERT_NE(NULL, x);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_XSAVE, good));
	xsave_host = good->size > 512;

#define BAD_XSAVE(change) do {						\
		memcpy(x, good, sizeof(*x));				\
		change;							\
		ASSERT_ERRNO(EINVAL, ioctl(vcpu->fd, VMCTL_SET_XSAVE, x)); \
	} while (0)
	BAD_XSAVE(x->flags = 1);
	BAD_XSAVE(x->size = 512 + (xsave_host ? 0 : 64));
	BAD_XSAVE(x->size = VMCTL_XSAVE_REGION + 1);
	BAD_XSAVE(x->region[good->size] = 1);
	BAD_XSAVE(x->region[VMCTL_XSAVE_REGION - 1] = 1);
	BAD_XSAVE(x->region[26] = 1);		/* MXCSR bit 16 */
	if (xsave_host) {
		BAD_XSAVE(put_u64(x->region + 512, 1ULL << 9));	/* PKRU */
		BAD_XSAVE(put_u64(x->region + 520, 1ULL << 63));	/* compacted */
		BAD_XSAVE(x->region[512 + 63] = 1);
	}
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_XSAVE, good));

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_XCRS, &xcrs0));
	EXPECT_EQ(1, xcrs0.xcr0) TH_LOG("XCR0 resets to x87 only");
#define BAD_XCRS(change) do {						\
		xcrs = xcrs0;						\
		change;							\
		ASSERT_ERRNO(EINVAL, ioctl(vcpu->fd, VMCTL_SET_XCRS, &xcrs)); \
	} while (0)
	BAD_XCRS(xcrs.flags = 1);
	BAD_XCRS(xcrs.reserved[5] = 1);
	BAD_XCRS(xcrs.xcr0 = 0);
	BAD_XCRS(xcrs.xcr0 = 2);
	BAD_XCRS(xcrs.xcr0 = 5);		/* AVX without SSE */
	BAD_XCRS(xcrs.xcr0 = 1ULL << 62);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_XCRS, &xcrs0));

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_DEBUGREGS, &dr0));
	EXPECT_EQ(0xffff0ff0, dr0.dr6);
	EXPECT_EQ(0x400, dr0.dr7);
#define BAD_DR(change) do {						\
		dr = dr0;						\
		change;							\
		ASSERT_ERRNO(EINVAL, ioctl(vcpu->fd, VMCTL_SET_DEBUGREGS, &dr)); \
	} while (0)
	BAD_DR(dr.flags = 1);
	BAD_DR(dr.reserved[8] = 1);
	BAD_DR(dr.dr6 = 1ULL << 32);
	BAD_DR(dr.dr7 = 0x400 | 1ULL << 32);
	/* Fixed bits come back as the CPU has them. */
	dr = dr0;
	dr.dr6 = 0;
	dr.dr7 = 0xd800;		/* bits 11, 12, 14, 15 */
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_DEBUGREGS, &dr));
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_DEBUGREGS, &dr));
	EXPECT_EQ(0xffff0ff0, dr.dr6);
	EXPECT_EQ(0x400, dr.dr7);

	/* Nothing of the refused input reached the vCPU. */
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	free(good);
	free(x);
	guest_destroy(vcpu);
}

#define COUNT_IRQ	"0x80000"
#define COUNT_UD	"0x80004"
#define COUNT_NMI	"0x80008"
#define VECTOR_IRQ	0x40

/* Reports (RDI, RSI, RDX) = (interrupts, #UDs, NMIs) taken, in a loop. */
GUEST64(events_guest,
	"sti\n\t"
	"1:\n\t"
	"mov " COUNT_IRQ ", %edi\n\t"
	"mov " COUNT_UD ", %esi\n\t"
	"mov " COUNT_NMI ", %edx\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n"
	"irq_handler:\n\t"
	"incl " COUNT_IRQ "\n\t"
	"iretq\n"
	"ud_handler:\n\t"
	"incl " COUNT_UD "\n\t"
	"iretq\n"
	"nmi_handler:\n\t"
	"incl " COUNT_NMI "\n\t"
	"iretq\n");

GUEST_LABEL(irq_handler);
GUEST_LABEL(ud_handler);
GUEST_LABEL(nmi_handler);

static struct vcpu *events_guest_create(bool irqchip)
{
	struct vm *vm = irqchip ? irqchip_vm_create() : vm_create("");
	struct vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_load_guest(vcpu, &events_guest);
	idt_set_gate(vm, VECTOR_IRQ, guest_addr(&events_guest, irq_handler));
	idt_set_gate(vm, 6, guest_addr(&events_guest, ud_handler));
	idt_set_gate(vm, 2, guest_addr(&events_guest, nmi_handler));
	return vcpu;
}

/*
 * Events set in one VM, moved with the rest of the state to a new one,
 * are delivered there: the injected interrupt, the pending #UD and the
 * NMI waiting in the local APIC, once each.
 */
TEST(events_move_and_deliver)
{
	struct vcpu *vcpu;
	struct vmctl_vcpu_events e = { 0 }, got;
	struct ucall uc;

	if (!irqchip_available())
		SKIP(return, "no irqchip");
	vcpu = events_guest_create(true);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	ASSERT_EQ(0, uc.args[0] + uc.args[1] + uc.args[2]);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, &got));
	EXPECT_EQ(0, memcmp(&e, &got, sizeof(e))) TH_LOG("nothing in flight");

	e.injected.type = VMCTL_EVENT_INTERRUPT;
	e.injected.vector = VECTOR_IRQ;
	e.exception.pending = 1;
	e.exception.vector = 6;
	e.nmi_pending = 1;
	e.sipi_vector = 0x12;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_VCPU_EVENTS, &e));
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, &got));
	EXPECT_EQ(0, memcmp(&e, &got, sizeof(e)));

	vcpu = move_guest(_metadata, vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]) TH_LOG("the injected interrupt");
	EXPECT_EQ(1, uc.args[1]) TH_LOG("the pending #UD");
	EXPECT_EQ(1, uc.args[2]) TH_LOG("the pending NMI");
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, &got));
	EXPECT_EQ(0, got.injected.type + got.exception.pending +
		     got.nmi_pending);
	guest_destroy(vcpu);
}

/* Each event the next entry would refuse: EINVAL, and nothing lands. */
TEST(events_bad_input)
{
	struct vcpu *vcpu = events_guest_create(false);
	struct vmctl_vcpu_events e, zero = { 0 };
	struct vmctl_regs regs;
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
#define BAD_EVENTS(change) do {						\
		e = zero;						\
		change;							\
		ASSERT_ERRNO(EINVAL,					\
			     ioctl(vcpu->fd, VMCTL_SET_VCPU_EVENTS, &e)); \
	} while (0)
	BAD_EVENTS(e.flags = 1);
	BAD_EVENTS(e.reserved[3] = 1);
	BAD_EVENTS(e.injected.padding = 1);
	BAD_EVENTS(e.exception.padding = 1);
	BAD_EVENTS(e.injected.type = 4);
	BAD_EVENTS(e.injected.vector = 3);	/* no event, a vector */
	BAD_EVENTS(e.exception.error_code = 3);
	BAD_EVENTS(e.injected.type = VMCTL_EVENT_EXCEPTION;
		   e.injected.vector = 32);
	BAD_EVENTS(e.injected.type = VMCTL_EVENT_EXCEPTION;
		   e.injected.vector = 2);
	BAD_EVENTS(e.exception.pending = 1; e.exception.vector = 21;
		   e.exception.has_error_code = 1);
	BAD_EVENTS(e.exception.pending = 1; e.exception.vector = 13);
	BAD_EVENTS(e.exception.pending = 1; e.exception.vector = 6;
		   e.exception.has_error_code = 1);
	BAD_EVENTS(e.exception.pending = 1; e.exception.vector = 13;
		   e.exception.has_error_code = 1;
		   e.exception.error_code = 0x10000);
	BAD_EVENTS(e.exception.pending = 2; e.exception.vector = 6);
	BAD_EVENTS(e.injected.type = VMCTL_EVENT_NMI; e.injected.vector = 3);
	BAD_EVENTS(e.interrupt_shadow = 3);
	BAD_EVENTS(e.interrupt_shadow = 4);
	BAD_EVENTS(e.injected.type = VMCTL_EVENT_INTERRUPT;
		   e.injected.vector = VECTOR_IRQ;
		   e.interrupt_shadow = VMCTL_INTR_SHADOW_MOV_SS);
	/* Without an irqchip: no NMI state, no SIPI. */
	BAD_EVENTS(e.nmi_pending = 1);
	BAD_EVENTS(e.nmi_masked = 1);
	BAD_EVENTS(e.sipi_vector = 1);
	/* RFLAGS.IF clear: no interrupt, no STI shadow. */
	vcpu_get_regs(vcpu, &regs);
	regs.rflags &= ~0x200ULL;
	vcpu_set_regs(vcpu, &regs);
	BAD_EVENTS(e.injected.type = VMCTL_EVENT_INTERRUPT;
		   e.injected.vector = VECTOR_IRQ);
	BAD_EVENTS(e.interrupt_shadow = VMCTL_INTR_SHADOW_STI);
	e = zero;
	e.interrupt_shadow = VMCTL_INTR_SHADOW_MOV_SS;
	EXPECT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_VCPU_EVENTS, &e));
	regs.rflags |= 0x200;
	vcpu_set_regs(vcpu, &regs);

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0, uc.args[0] + uc.args[1] + uc.args[2]);
	guest_destroy(vcpu);
}

/* SET_REGS with IF=0 ends an STI shadow: VM entry refuses the pair. */
TEST(sti_shadow_ends_with_if_clear)
{
	struct vcpu *vcpu = events_guest_create(false);
	struct vmctl_vcpu_events e = { 0 };
	struct vmctl_regs regs;
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	e.interrupt_shadow = VMCTL_INTR_SHADOW_STI;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_VCPU_EVENTS, &e));
	vcpu_get_regs(vcpu, &regs);
	regs.rflags &= ~0x200ULL;
	vcpu_set_regs(vcpu, &regs);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, &e));
	EXPECT_EQ(0, e.interrupt_shadow);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc)) TH_LOG("entered");
	guest_destroy(vcpu);
}

/* A shadow with RFLAGS.TF set: the entry takes it (a single step due). */
TEST(shadow_with_trap_flag)
{
	struct vcpu *vcpu = events_guest_create(false);
	struct vmctl_vcpu_events e = { 0 };
	struct vmctl_regs regs;
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	vcpu_get_regs(vcpu, &regs);
	regs.rflags |= 0x100;
	vcpu_set_regs(vcpu, &regs);
	e.interrupt_shadow = VMCTL_INTR_SHADOW_MOV_SS;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_VCPU_EVENTS, &e));
	vcpu_run(vcpu);
	EXPECT_NE(VMCTL_EXIT_FAIL_ENTRY, vcpu->run->exit_reason);
	guest_destroy(vcpu);
}

GUEST64(in_guest,
	"in $0x10, %al\n\t"
	G_UCALL(UCALL_DONE));

/* Events are read only at an exit that needs nothing more. */
TEST(events_wait_for_exit_completion)
{
	struct vcpu *vcpu = vcpu_create_guest(&in_guest);
	struct vmctl_vcpu_events e;
	struct ucall uc;

	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_IO, vcpu->run->exit_reason);
	ASSERT_ERRNO(EBUSY, ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, &e));
	vcpu->run->immediate_exit = 1;
	ASSERT_ERRNO(EINTR, vcpu_run(vcpu));
	vcpu->run->immediate_exit = 0;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_VCPU_EVENTS, &e));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	guest_destroy(vcpu);
}

GUEST64(hlt_guest,
	"sti\n\t"
	"hlt\n\t"
	"mov " COUNT_NMI ", %edi\n\t"
	G_UCALL(UCALL_DONE)
	"hlt_nmi_handler:\n\t"
	"incl " COUNT_NMI "\n\t"
	"iretq\n");

GUEST_LABEL(hlt_nmi_handler);

GUEST16(sipi_guest, G_UCALL(UCALL_DONE));

static int mp_state(struct vcpu *vcpu)
{
	struct vmctl_mpstate m;

	if (ioctl(vcpu->fd, VMCTL_GET_MP_STATE, &m))
		return -1;
	return m.state;
}

static int set_mp_state(struct vcpu *vcpu, unsigned int state)
{
	struct vmctl_mpstate m = { .state = state };

	return ioctl(vcpu->fd, VMCTL_SET_MP_STATE, &m);
}

/*
 * A halted vCPU stays halted in the new VM (RUN sleeps until an NMI
 * wakes it); an AP waits for SIPI and starts at the SIPI vector set.
 */
TEST(mp_state_halted_and_sipi)
{
	struct vmctl_msi nmi = { .address = 0xfee00000, .data = 0x400 };
	struct vmctl_vcpu_events e;
	struct kicked_run r;
	struct vcpu *vcpu, *ap;
	struct ucall uc;

	if (!irqchip_available())
		SKIP(return, "no irqchip");
	vcpu = vcpu_add(irqchip_vm_create(), 0);
	vcpu_load_guest(vcpu, &hlt_guest);
	idt_set_gate(vcpu->vm, 2, guest_addr(&hlt_guest, hlt_nmi_handler));
	EXPECT_EQ(VMCTL_MP_STATE_RUNNABLE, mp_state(vcpu));
	vcpu_run_kicked(vcpu, 5, &r);
	ASSERT_EQ(-1, r.ret) TH_LOG("RUN sleeps in HLT");
	EXPECT_EQ(VMCTL_MP_STATE_HALTED, mp_state(vcpu));

	vcpu = move_guest(_metadata, vcpu);
	EXPECT_EQ(VMCTL_MP_STATE_HALTED, mp_state(vcpu));
	vcpu_run_kicked(vcpu, 5, &r);
	ASSERT_EQ(-1, r.ret) TH_LOG("still halted in the new VM");
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_SIGNAL_MSI, &nmi));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]) TH_LOG("the NMI woke it");
	EXPECT_EQ(VMCTL_MP_STATE_RUNNABLE, mp_state(vcpu));

	ap = vcpu_add(vcpu->vm, 1);
	EXPECT_EQ(VMCTL_MP_STATE_WAIT_SIPI, mp_state(ap));
	ASSERT_EQ(0, set_mp_state(ap, VMCTL_MP_STATE_INIT_RECEIVED));
	EXPECT_EQ(VMCTL_MP_STATE_INIT_RECEIVED, mp_state(ap));
	ASSERT_ERRNO(EINVAL, set_mp_state(ap, 5));
	memcpy(gpa_to_hva(vcpu->vm, 0x20000), sipi_guest.start,
	       sipi_guest.end - sipi_guest.start);
	ASSERT_EQ(0, set_mp_state(ap, VMCTL_MP_STATE_SIPI_RECEIVED));
	ASSERT_EQ(0, ioctl(ap->fd, VMCTL_GET_VCPU_EVENTS, &e));
	e.sipi_vector = 0x20;
	ASSERT_EQ(0, ioctl(ap->fd, VMCTL_SET_VCPU_EVENTS, &e));
	EXPECT_EQ(VMCTL_MP_STATE_SIPI_RECEIVED, mp_state(ap));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(ap, &uc)) TH_LOG("AP at 0x20000");
	vcpu_destroy(ap);
	guest_destroy(vcpu);
}

/* Without an irqchip only RUNNABLE exists. */
TEST(mp_state_without_irqchip)
{
	struct vcpu *vcpu = vcpu_create_guest(&done_guest);
	struct vmctl_mpstate m = { .state = VMCTL_MP_STATE_RUNNABLE };

	EXPECT_EQ(VMCTL_MP_STATE_RUNNABLE, mp_state(vcpu));
	EXPECT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_MP_STATE, &m));
	ASSERT_ERRNO(EINVAL, set_mp_state(vcpu, VMCTL_MP_STATE_HALTED));
	m.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(vcpu->fd, VMCTL_SET_MP_STATE, &m));
	guest_destroy(vcpu);
}

#define COUNT_TIMER	"0x80010"
#define COUNT_PENDING	"0x80014"
#define VECTOR_TIMER	0x50
#define VECTOR_PENDING	0x60
#define TIMER_COUNT	100000000	/* TSC ticks at divide by 1 */

/*
 * A one-shot APIC timer running and an interrupt held in IRR (IF=0) at
 * the sync point; after the move both arrive: RDI, RSI at DONE.
 */
GUEST64(apic_guest,
	XAPIC_ENABLE
	MMIO_W(XAPIC_LVT_TIMER, VECTOR_TIMER)
	MMIO_W(XAPIC_TIMER_DCR, 0xb)
	MMIO_W(XAPIC_TIMER_ICR, TIMER_COUNT)
	"cli\n\t"
	G_UCALL(UCALL_SYNC)
	WAIT_COUNT(COUNT_PENDING, 1)
	WAIT_COUNT(COUNT_TIMER, 1)
	"mov " COUNT_TIMER ", %edi\n\t"
	"mov " COUNT_PENDING ", %esi\n\t"
	GUEST_END
	ISR_XAPIC("timer_isr", COUNT_TIMER)
	ISR_XAPIC("pending_isr", COUNT_PENDING));

GUEST_LABEL(timer_isr);
GUEST_LABEL(pending_isr);

static bool irr_has(const struct vmctl_lapic_state *l, unsigned int v)
{
	return l->irr[v / 32] & (1U << (v % 32));
}

TEST(apic_timer_and_pending_interrupt_move)
{
	struct vmctl_msi msi = { .address = 0xfee00000,
				 .data = VECTOR_PENDING };
	struct vmctl_lapic_state l;
	struct vcpu *vcpu;
	struct ucall uc;

	if (!irqchip_available())
		SKIP(return, "no irqchip");
	vcpu = vcpu_add(irqchip_vm_create(), 0);
	vcpu_load_guest(vcpu, &apic_guest);
	idt_set_gate(vcpu->vm, VECTOR_TIMER, guest_addr(&apic_guest, timer_isr));
	idt_set_gate(vcpu->vm, VECTOR_PENDING,
		     guest_addr(&apic_guest, pending_isr));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_SIGNAL_MSI, &msi));
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_LAPIC, &l));
	ASSERT_TRUE(irr_has(&l, VECTOR_PENDING)) TH_LOG("held by IF=0");
	ASSERT_LT(0, l.timer_current) TH_LOG("the timer is running");
	ASSERT_GT(TIMER_COUNT, l.timer_current);

	vcpu = move_guest(_metadata, vcpu);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_LAPIC, &l));
	EXPECT_TRUE(irr_has(&l, VECTOR_PENDING));
	EXPECT_LT(0, l.timer_current);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]) TH_LOG("the timer fired in the new VM");
	EXPECT_EQ(1, uc.args[1]) TH_LOG("the pending interrupt arrived");
	guest_destroy(vcpu);
}

TEST(lapic_bad_input)
{
	struct vmctl_lapic_state good, l;
	struct vcpu *vcpu;

	vcpu = vcpu_create_guest(&done_guest);
	ASSERT_ERRNO(ENXIO, ioctl(vcpu->fd, VMCTL_GET_LAPIC, &good));
	ASSERT_ERRNO(ENXIO, ioctl(vcpu->vm->fd, VMCTL_GET_IOAPIC, &l));
	guest_destroy(vcpu);
	if (!irqchip_available())
		SKIP(return, "no irqchip");
	vcpu = vcpu_add(irqchip_vm_create(), 0);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_LAPIC, &good));
#define BAD_LAPIC(change) do {						\
		l = good;						\
		change;							\
		ASSERT_ERRNO(EINVAL, ioctl(vcpu->fd, VMCTL_SET_LAPIC, &l)); \
	} while (0)
	BAD_LAPIC(l.flags = 1);
	BAD_LAPIC(l.reserved[7] = 1);
	BAD_LAPIC(l.apic_base |= 1ULL << 51);	/* beyond MAXPHYADDR */
	BAD_LAPIC(l.apic_base |= 1ULL << 9);
	BAD_LAPIC(l.id = 1);
	BAD_LAPIC(l.svr = 0x10000);
	BAD_LAPIC(l.irr[0] = 2);
	BAD_LAPIC(l.lvt[0] = 3U << 17);		/* reserved timer mode */
	BAD_LAPIC(l.timer_initial = 1; l.timer_current = 2);
	BAD_LAPIC(l.tsc_deadline = 5);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_LAPIC, &good));
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_LAPIC, &l));
	EXPECT_EQ(0, memcmp(&good, &l, sizeof(l)));
	guest_destroy(vcpu);
}

/* A level pin set asserted and due is delivered to the local APIC. */
TEST(ioapic_state)
{
	struct vmctl_ioapic_state good, io;
	struct vmctl_lapic_state l;
	struct vcpu *vcpu;

	if (!irqchip_available())
		SKIP(return, "no irqchip");
	vcpu = vcpu_add(irqchip_vm_create(), 0);
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_GET_IOAPIC, &good));
	EXPECT_EQ(VMCTL_IOAPIC_ID, good.id);
	EXPECT_EQ(0x10000, good.redir[3]) TH_LOG("masked at reset");
#define BAD_IOAPIC(change) do {						\
		io = good;						\
		change;							\
		ASSERT_ERRNO(EINVAL,					\
			     ioctl(vcpu->vm->fd, VMCTL_SET_IOAPIC, &io)); \
	} while (0)
	BAD_IOAPIC(io.flags = 1);
	BAD_IOAPIC(io.reserved[0] = 1);
	BAD_IOAPIC(io.id = 0x100);
	BAD_IOAPIC(io.regsel = 0x100);
	BAD_IOAPIC(io.lines = 1U << 24);
	BAD_IOAPIC(io.redir[3] = 1ULL << 12);
	BAD_IOAPIC(io.redir[3] = 1ULL << 40);
	BAD_IOAPIC(io.redir[3] = 0x4033);	/* remote IRR, edge */

	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_LAPIC, &l));
	l.svr = 0x1ff;				/* software-enabled */
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_LAPIC, &l));
	io = good;
	io.redir[3] = 0x8033;			/* level, vector 0x33, APIC 0 */
	io.lines = 1U << 3;
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_SET_IOAPIC, &io));
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_GET_IOAPIC, &io));
	EXPECT_EQ(0xc033, io.redir[3]) TH_LOG("delivered: remote IRR");
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_LAPIC, &l));
	EXPECT_TRUE(irr_has(&l, 0x33));
	guest_destroy(vcpu);
}

/* The clock moves to a new VM, and its vCPUs' TSC with it. */
TEST(clock_state)
{
	struct vm *a = vm_create(""), *b = vm_create("");
	struct vmctl_clock c1, c2, bad;
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} tsc = { .hdr.nmsrs = 1, .e.index = MSR_TSC };
	long khz = ioctl(a->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_TSC_KHZ);
	struct vcpu *vcpu;

	usleep(100000);
	ASSERT_EQ(0, ioctl(a->fd, VMCTL_GET_CLOCK, &c1));
	c1.clock += 5000000000ULL;		/* 5 s ahead */
	ASSERT_EQ(0, ioctl(b->fd, VMCTL_SET_CLOCK, &c1));
	ASSERT_EQ(0, ioctl(b->fd, VMCTL_GET_CLOCK, &c2));
	EXPECT_LE(c1.clock, c2.clock);
	EXPECT_GT(c1.clock + 1000000000ULL, c2.clock);
	bad = c1;
	bad.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(b->fd, VMCTL_SET_CLOCK, &bad));
	bad = c1;
	bad.reserved[5] = 1;
	ASSERT_ERRNO(EINVAL, ioctl(b->fd, VMCTL_SET_CLOCK, &bad));
	/* A time whose TSC count needs more than 64 bits (at >= 1 GHz). */
	bad = c1;
	bad.clock = ~0ULL;
	if (khz >= 1000000)
		ASSERT_ERRNO(EINVAL, ioctl(b->fd, VMCTL_SET_CLOCK, &bad));

	vcpu = vcpu_add(b, 0);
	ASSERT_ERRNO(EBUSY, ioctl(b->fd, VMCTL_SET_CLOCK, &c1));
	ASSERT_EQ(1, ioctl(vcpu->fd, VMCTL_GET_MSRS, &tsc));
	EXPECT_LE((c1.clock / 1000000) * (unsigned long)khz, tsc.e.data)
		TH_LOG("the guest TSC starts from the clock");
	vcpu_destroy(vcpu);
	vm_destroy(b);
	vm_destroy(a);
}

TEST_HARNESS_MAIN
