// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_guest: hostile guests.  Each iteration is one guest in real,
 * 32-bit protected or 64-bit long mode (a third of them with the in-kernel
 * irqchip), whose code is a random stream: raw random bytes, and crafted
 * gadgets (lib/fuzz_gadgets.c: CR/MSR/XSETBV/DR writes, xAPIC and x2APIC
 * accesses, every MMIO form, string I/O) behind register loads aimed at
 * the edges of its memory: slot 0 [0, 1 MiB), slot 1 RAM right after it,
 * an MMIO hole, slot 2 read-only, the APIC pages, MMIO_GPA, pages and
 * slots straddled by a few bytes.  The host serves every I/O and MMIO exit
 * with random data and rewrites the run page as a hostile VMM might.
 *
 * What the guest may do to itself is fine: a triple fault, an exception,
 * INTERNAL_ERROR for an instruction the MMIO emulator does not decode or
 * memory it cannot reach.  What it may not: make VM entry fail, make a VMX
 * instruction fail, hit an EPT misconfiguration, leave its vCPU unable to
 * run a valid guest afterwards, leak, or make the kernel log complain.
 * Knobs and output: lib/fuzz.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "die.h"
#include "fuzz.h"
#include "fuzz_gadgets.h"
#include "fuzz_values.h"
#include "irqchip.h"
#include "modes.h"
#include "ucall.h"

#define PAGE		4096
#define CODE_BYTES	2048
#define MAX_RUNS	64

static bool have_irqchip;

static const uint16_t ports[] = {
	UCALL_PORT, 0x1234, 0x20, 0x21, 0x40, 0x43, 0x60, 0x64, 0x70, 0x71,
	0x80, 0x92, 0xcf8, 0xcfc, 0xcff, 0x3f8, 0x3fd, 0x402, 0x510, 0xffff,
};

/* A value for register @reg (0 RAX ... 7 RDI) in front of a gadget. */
static uint64_t reg_value(struct fuzz *f, int reg, enum guest_mode mode)
{
	static const uint64_t cr_like[] = {
		0x80000031, 0x80050033, 0x11, 0x60000010, 0x20, 0x6f0, 0x3406f0,
		0x1, 0x3, 0x7, 0xe7, 0x2ff, 0x400, 0xffff0ff0, 0x3000,
	};
	uint64_t v;

	switch (fuzz_below(f, 6)) {
	case 0:
		return fuzz_interesting(f);
	case 1:
		v = fuzz_pick(f, cr_like);
		return fuzz_chance(f, 50) ? v ^ (1ULL << fuzz_below(f, 64)) : v;
	}
	switch (reg) {
	case 1:		/* RCX: an MSR, or a count */
		if (fuzz_chance(f, 50))
			return fuzz_pick(f, fuzz_msrs);
		return fuzz_chance(f, 70) ? fuzz_below(f, 40) :
					    PAGE / 4 + fuzz_below(f, 3) - 1;
	case 2:		/* RDX: a port */
		return fuzz_pick(f, ports);
	default:	/* an address next to an edge */
		if (mode == GUEST_REAL && fuzz_chance(f, 50))
			return fuzz_chance(f, 50) ? 0xffff : fuzz_below(f, 0x10000);
		return fuzz_pick(f, fuzz_edges) + fuzz_below(f, 17) - 8;
	}
}

/* MOV $imm, reg in @mode's encoding; returns the bytes written. */
static size_t emit_load(uint8_t *p, int reg, uint64_t v, enum guest_mode mode)
{
	size_t n = 0;

	if (mode == GUEST_REAL)
		p[n++] = 0x66;		/* 32-bit operand */
	if (mode == GUEST_LONG64)
		p[n++] = 0x48;		/* REX.W: imm64 */
	p[n++] = 0xb8 + reg;
	memcpy(p + n, &v, mode == GUEST_LONG64 ? 8 : 4);
	return n + (mode == GUEST_LONG64 ? 8 : 4);
}

/* Bytes the decoder and the CPU find interesting in front of garbage. */
static const uint8_t prefixes[] = {
	0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
	0x0f, 0x48, 0x41, 0xc4, 0xc5, 0x8f, 0xcc, 0xcd,
};

/*
 * Where each piece of the stream starts: a 64-bit guest's exception goes
 * on at the next one (the stubs return to the RIP the host put in the
 * exception frame), so one fault does not end the guest.
 */
struct code_map {
	uint16_t starts[CODE_BYTES];
	unsigned int nr;
};

static void write_code(struct fuzz *f, uint8_t *code, enum guest_mode mode,
		       struct code_map *map)
{
	const struct fuzz_gadget *tab, *end, *g;
	size_t n = 0, i;

	tab = mode == GUEST_REAL ? gadgets16 : mode == GUEST_PROT32 ? gadgets32 :
								      gadgets64;
	end = mode == GUEST_REAL ? gadgets16_end : mode == GUEST_PROT32 ?
		gadgets32_end : gadgets64_end;
	map->nr = 0;
	while (n < CODE_BYTES - 64) {
		map->starts[map->nr++] = n;
		if (fuzz_chance(f, 10)) {	/* raw bytes */
			size_t len = 1 + fuzz_below(f, 12);

			for (i = 0; i < len; i++)
				code[n++] = fuzz_chance(f, 30) ?
					fuzz_pick(f, prefixes) : fuzz_rand(f);
			continue;
		}
		for (i = fuzz_below(f, 4); i > 0; i--) {
			int reg = fuzz_below(f, 8);

			if (reg == 4 && fuzz_chance(f, 80))	/* RSP: rarely */
				reg = 3;
			n += emit_load(code + n, reg, reg_value(f, reg, mode), mode);
		}
		g = tab + fuzz_below(f, end - tab);
		memcpy(code + n, fuzz_gadget_code + g->offset, g->len);
		n += g->len;
	}
	/* The end, should the guest get there: UCALL_DONE. */
	map->starts[map->nr++] = n;
	while (n + 4 <= CODE_BYTES) {
		code[n++] = 0xb0;	/* mov $UCALL_DONE, %al */
		code[n++] = UCALL_DONE;
		code[n++] = 0xe6;	/* out %al, $UCALL_PORT */
		code[n++] = UCALL_PORT;
	}
}

struct guest {
	struct vcpu *vcpu;
	void *extra;		/* slots 1 and 2 */
	bool irqchip;
	enum guest_mode mode;
	int exceptions;
	struct code_map map;
};

static void guest_create(struct fuzz *f, struct guest *g, enum guest_mode mode)
{
	struct vmctl_mem_slot slot = { 0 };
	struct vmctl_regs regs;
	struct vm *vm;
	uint8_t *code;
	int i;

	g->irqchip = have_irqchip && fuzz_chance(f, 33);
	g->mode = mode;
	g->exceptions = 0;
	vm = g->irqchip ? irqchip_vm_create() : vm_create("");
	g->extra = mmap(NULL, 2 * FUZZ_EXTRA_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	die_unless(g->extra != MAP_FAILED, "mmap");
	fuzz_fill(f, g->extra, 2 * FUZZ_EXTRA_SIZE);
	slot.slot = 1;
	slot.guest_phys = FUZZ_SLOT1_GPA;
	slot.size = FUZZ_EXTRA_SIZE;
	slot.user_addr = (uintptr_t)g->extra;
	die_unless(!ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &slot), "slot 1");
	slot.slot = 2;
	slot.flags = VMCTL_MEM_READONLY;
	slot.guest_phys = FUZZ_SLOT2_GPA;
	slot.user_addr += FUZZ_EXTRA_SIZE;
	die_unless(!ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &slot), "slot 2");
	f->calls += 6;

	g->vcpu = vcpu_add(vm, 0);
	code = gpa_to_hva(vm, CODE_GPA);
	write_code(f, code, mode, &g->map);
	/* Data the gadgets load and store: random too. */
	fuzz_fill(f, gpa_to_hva(vm, DATA_GPA), 2 * PAGE);
	vcpu_set_mode(g->vcpu, mode);
	vcpu_get_regs(g->vcpu, &regs);
	for (i = 0; i < 16; i++)
		if (i != 6 && fuzz_chance(f, 50))	/* not RSP */
			(&regs.rax)[i] = reg_value(f, i & 7, mode);
	if (fuzz_chance(f, 20))
		regs.rflags |= fuzz_rand(f) & 0x40dd5;	/* TF DF AC ... */
	vcpu_set_regs(g->vcpu, &regs);
	f->calls += 6;
}

static void guest_destroy_all(struct fuzz *f, struct guest *g)
{
	fuzz_count_vcpu(f, g->vcpu->fd);
	guest_destroy(g->vcpu);
	munmap(g->extra, 2 * FUZZ_EXTRA_SIZE);
}

/*
 * A 64-bit guest reported an exception (lib/exceptions.c): its frame's
 * RIP, at RSP + 48 when the stub reports, moves to the next piece of the
 * stream.  False when the guest should end instead.
 */
static bool skip_fault(struct guest *g)
{
	struct vmctl_regs regs;
	uint64_t *rip, off;
	unsigned int i;

	if (g->mode != GUEST_LONG64 || ++g->exceptions > 32)
		return false;
	vcpu_get_regs(g->vcpu, &regs);
	if (regs.rsp + 56 > GUEST_MEM_SIZE)
		return false;
	rip = gpa_to_hva(g->vcpu->vm, regs.rsp + 48);
	off = *rip - CODE_GPA;
	if (*rip < CODE_GPA || off >= CODE_BYTES)
		return false;
	for (i = 0; i < g->map.nr; i++) {
		if (g->map.starts[i] > off) {
			*rip = CODE_GPA + g->map.starts[i];
			return true;
		}
	}
	return false;
}

/* Serve one exit; false when the guest is over. */
static bool serve(struct fuzz *f, struct guest *g)
{
	struct vmctl_run *run = g->vcpu->run;
	uint8_t *data = (uint8_t *)run + PAGE;
	char str[160];

	fuzz_count_exit(f, run);
	switch (run->exit_reason) {
	case VMCTL_EXIT_IO:
		if (exit_is_ucall(run)) {
			uint8_t type = *((uint8_t *)run + run->io.data_offset);

			if (type == UCALL_DONE)
				return false;
			if (type == UCALL_EXCEPTION && !skip_fault(g))
				return false;
		} else if (run->io.direction == VMCTL_IO_IN) {
			fuzz_fill(f, data, (size_t)run->io.count * run->io.size);
		}
		break;
	case VMCTL_EXIT_MMIO:
		if (!run->mmio.is_write)
			fuzz_fill(f, run->mmio.data, sizeof(run->mmio.data));
		break;
	case VMCTL_EXIT_HYPERCALL:
		run->hypercall.ret = fuzz_interesting(f);
		break;
	case VMCTL_EXIT_HLT:
		break;
	case VMCTL_EXIT_SHUTDOWN:
		return false;
	case VMCTL_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror == VMCTL_INTERNAL_EMULATION ||
		    run->internal.suberror == VMCTL_INTERNAL_BAD_GUEST_MEMORY)
			return false;	/* the guest's own business */
		/* fall through */
	default:
		fuzz_fail(f, "the guest caused %s", exit_str(run, str, sizeof(str)));
		return false;
	}
	/* A hostile VMM rewrites what the exit said; the kernel kept its own. */
	if (fuzz_chance(f, 10)) {
		run->io.size = fuzz_interesting(f);
		run->io.count = fuzz_interesting(f);
		run->mmio.len = fuzz_interesting(f);
	}
	return true;
}

static void iteration(struct fuzz *f)
{
	static const enum guest_mode modes[] = {
		GUEST_REAL, GUEST_PROT32, GUEST_LONG64, GUEST_LONG64,
	};
	struct guest g;
	int runs, intrs = 0;

	guest_create(f, &g, fuzz_pick(f, modes));
	f->guests++;
	fuzz_timer(true);
	for (runs = 0; runs < MAX_RUNS; runs++) {
		f->calls++;
		if (vcpu_run(g.vcpu)) {
			if (errno != EINTR) {
				f->run_errors++;
				fuzz_fail(f, "RUN: %m");
				break;
			}
			f->exits[VMCTL_EXIT_INTR]++;
			if (++intrs > 3)
				break;
			continue;
		}
		if (!serve(f, &g))
			break;
	}
	fuzz_check_restart(f, g.vcpu, g.irqchip);
	fuzz_timer(false);
	guest_destroy_all(f, &g);
	fuzz_check_baseline(f, 1000);
}

int main(int argc, char **argv)
{
	struct fuzz f;

	fuzz_init(&f, "fuzz_guest", argc, argv);
	have_irqchip = irqchip_available();
	while (fuzz_next(&f))
		iteration(&f);
	return fuzz_finish(&f);
}
