// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits, and their completion on the next RUN.  An OUT that a
 * doorbell takes (doorbell.c) never leaves the kernel.
 *
 * Port I/O: the data goes through the second page of the run area
 * (run->io.data_offset).  String I/O moves, per exit, as many elements as
 * fit in that page and lie within one page of guest memory; RSI/RDI/RCX
 * follow, and RIP moves past the instruction only when it is complete, so
 * a REP INS/OUTS longer than that simply exits again.  Guest memory
 * that does not translate raises the guest's #PF or #GP before the exit;
 * memory that translates to no RAM, or to a read-only slot for INS, is
 * still an internal error (not MMIO-emulated).
 *
 * The run area is userspace's to rewrite (struct vmk_vcpu): completion
 * takes the size, count and direction from what the kernel saved at the
 * exit (vcpu->io_size, vcpu->str), and reads only the data bytes from the
 * run area, once, into kernel memory.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include "cpu/io.h"
#include "cpu/state.h"
#include "irqchip/pic_pit.h"
#include "model/emulate.h"
#include "vm/doorbell.h"
#include "vm/guest_mem.h"
#include "vm/vcpu.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

static void *io_data(struct vmk_vcpu *vcpu)
{
	return (u8 *)vcpu->run + VMCTL_IO_DATA_OFFSET;
}

static void io_exit(struct vmk_vcpu *vcpu, bool in, u32 size, u16 port,
		    u32 count)
{
	struct vmctl_run *run = vcpu->run;

	vmctl_set_exit(vcpu, VMCTL_EXIT_IO);
	run->io = (typeof(run->io)) {
		.direction = in ? VMCTL_IO_IN : VMCTL_IO_OUT,
		.size = size,
		.port = port,
		.count = count,
		.data_offset = VMCTL_IO_DATA_OFFSET,
	};
}

static u64 addr_mask(u8 addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (addr_size * 8)) - 1;
}

/* RSI/RDI/RCX arithmetic in the instruction's address size. */
static void reg_add(u64 *reg, s64 delta, u8 addr_size)
{
	u64 mask = addr_mask(addr_size), val = (*reg + delta) & mask;

	/* 32-bit results zero-extend; 16-bit ones keep the upper bits. */
	*reg = addr_size == 2 ? (*reg & ~mask) | val : val;
}

static u8 string_addr_size(struct vmk_vcpu *vcpu)
{
	u32 cs_ar = vmcs_read(VMCS_GUEST_ES_AR + 2 * SEG_CS);

	if (vmx_caps.inout_info)
		return 2 << IO_INFO_ADDR_SIZE(vmcs_read(VMCS_EXIT_INSN_INFO));
	if ((vcpu->efer & EFER_LMA) && (cs_ar & VMX_AR_L))
		return 8;
	return cs_ar & VMX_AR_DB ? 4 : 2;
}

/* Finish a string I/O chunk: registers, and RIP once RCX reaches 0. */
static void string_advance(struct vmk_vcpu *vcpu, bool in)
{
	s64 step = (s64)vcpu->str.count * vcpu->str.size;

	reg_add(&vcpu->gpr[in ? GPR_RDI : GPR_RSI],
		vcpu->str.down ? -step : step, vcpu->str.addr_size);
	if (vcpu->str.rep)
		reg_add(&vcpu->gpr[GPR_RCX], -(s64)vcpu->str.count,
			vcpu->str.addr_size);
	if (!vcpu->str.rep ||
	    !(vcpu->gpr[GPR_RCX] & addr_mask(vcpu->str.addr_size)))
		vmctl_skip_insn_len(vcpu, vcpu->str.insn_len);
}

static u64 string_elem_gva(struct vmk_vcpu *vcpu, u32 i)
{
	s64 off = (s64)i * vcpu->str.size;

	return vcpu->str.down ? vcpu->str.gva - off : vcpu->str.gva + off;
}

/* Moves vcpu->str.count elements (at most a page) through the run area. */
static int string_copy(struct vmk_vcpu *vcpu, bool in)
{
	struct vmctl_emu_cpu cpu;
	u8 *data = io_data(vcpu);
	u32 size = vcpu->str.size, i;
	u8 elem[4];
	int ret;

	vmctl_emu_cpu_get(vcpu, &cpu);
	for (i = 0; i < vcpu->str.count; i++) {
		u64 gva = string_elem_gva(vcpu, i);
		u8 *p = data + i * size;

		if (in) {
			memcpy(elem, p, size);
			ret = vmctl_write_linear(&cpu, &vmctl_guest_mem_ops,
						 vcpu, gva, elem, size);
		} else {
			ret = vmctl_read_linear(&cpu, &vmctl_guest_mem_ops,
						vcpu, gva, elem, size);
			memcpy(p, elem, size);
		}
		if (ret) {
			u64 d[2] = { gva, ret };

			return vmctl_internal_error(vcpu,
					VMCTL_INTERNAL_BAD_GUEST_MEMORY, 2, d);
		}
	}
	return EXIT_REENTER;
}

/* On the next RUN: the elements user space read go to guest memory. */
static int complete_pio_ins(struct vmk_vcpu *vcpu)
{
	if (string_copy(vcpu, true) != EXIT_REENTER)
		return EXIT_TO_USER;
	string_advance(vcpu, true);
	return EXIT_REENTER;
}

/* An IN's value goes to AL, AX or EAX. */
static void in_to_rax(struct vmk_vcpu *vcpu, u32 size, u32 val)
{
	u64 *rax = &vcpu->gpr[GPR_RAX];

	switch (size) {
	case 1:
		*rax = (*rax & ~0xffULL) | val;
		break;
	case 2:
		*rax = (*rax & ~0xffffULL) | val;
		break;
	default:
		*rax = val;	/* 32-bit writes zero-extend */
		break;
	}
}

/* On the next RUN: the value user space read. */
static int complete_pio_in(struct vmk_vcpu *vcpu)
{
	u32 val = 0;

	memcpy(&val, io_data(vcpu), vcpu->io_size);
	in_to_rax(vcpu, vcpu->io_size, val);
	return EXIT_REENTER;
}

/*
 * The guest memory of this chunk must translate before any port is
 * touched: where it does not, the guest gets the #PF (CR2 the first page
 * that does not translate) or #GP (non-canonical) its own access would
 * have raised, with RIP on the instruction and nothing done; true then.
 */
static bool string_fault(struct vmk_vcpu *vcpu, bool in)
{
	u64 span = (u64)(vcpu->str.count - 1) * vcpu->str.size;
	u64 lo = vcpu->str.down ? vcpu->str.gva - span : vcpu->str.gva;
	struct vmctl_emu_cpu cpu;
	u64 fault_addr;
	u32 pf_err;
	int ret;

	vmctl_emu_cpu_get(vcpu, &cpu);
	ret = vmctl_linear_check(&cpu, &vmctl_guest_mem_ops, vcpu, lo,
				 span + vcpu->str.size, in, &fault_addr,
				 &pf_err);
	if (ret == VMCTL_EMU_PAGE_FAULT) {
		vcpu->cr2 = fault_addr;
		vmctl_queue_exception(vcpu, X86_TRAP_PF, true, pf_err);
		return true;
	}
	if (ret == VMCTL_EMU_GP_FAULT) {
		vmctl_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return true;
	}
	return false;		/* the copy reports anything else */
}

static int handle_string_io(struct vmk_vcpu *vcpu, u64 q)
{
	bool in = q & IO_QUAL_IN;
	u32 size = IO_QUAL_SIZE(q);
	u64 gva = vmcs_read(VMCS_GUEST_LINEAR_ADDR);
	u32 in_page, count;
	u64 n;

	vcpu->str.size = size;
	vcpu->str.rep = q & IO_QUAL_REP;
	vcpu->str.down = vmcs_read(VMCS_GUEST_RFLAGS) & X86_EFLAGS_DF;
	vcpu->str.addr_size = string_addr_size(vcpu);
	vcpu->str.insn_len = vmcs_read(VMCS_EXIT_INSN_LEN);
	vcpu->str.gva = gva;

	n = vcpu->str.rep ? vcpu->gpr[GPR_RCX] &
			    addr_mask(vcpu->str.addr_size) : 1;
	if (!n) {
		vmctl_skip_insn(vcpu);
		return EXIT_REENTER;
	}
	/* Elements in this guest page in the direction of travel. */
	in_page = vcpu->str.down ? offset_in_page(gva) / size + 1 :
				   (PAGE_SIZE - offset_in_page(gva)) / size;
	count = min3(n, (u64)(PAGE_SIZE / size), (u64)max(in_page, 1U));
	vcpu->str.count = count;
	if (string_fault(vcpu, in))
		return EXIT_REENTER;

	io_exit(vcpu, in, size, IO_QUAL_PORT(q), count);
	if (in) {
		vcpu->complete_user_exit = complete_pio_ins;
		return EXIT_TO_USER;
	}
	if (string_copy(vcpu, false) != EXIT_REENTER)
		return EXIT_TO_USER;
	string_advance(vcpu, false);
	return EXIT_TO_USER;
}

int vmctl_handle_io(struct vmk_vcpu *vcpu)
{
	u64 q = vcpu->exit_qual;
	bool in = q & IO_QUAL_IN;
	u32 size = IO_QUAL_SIZE(q), val = vcpu->gpr[GPR_RAX];

	if (q & IO_QUAL_STRING)
		return handle_string_io(vcpu, q);
	if (vmctl_pic_pit_pio(vcpu, IO_QUAL_PORT(q), in, &val)) {
		if (in)
			in_to_rax(vcpu, size, val);
		vmctl_skip_insn(vcpu);
		return EXIT_REENTER;
	}
	if (!in && vmk_doorbell_ring(vcpu->vm, true, IO_QUAL_PORT(q), size,
				     vcpu->gpr[GPR_RAX] &
				     GENMASK_ULL(8 * size - 1, 0))) {
		vmctl_skip_insn(vcpu);
		return EXIT_REENTER;
	}
	io_exit(vcpu, in, size, IO_QUAL_PORT(q), 1);
	if (in) {
		vcpu->io_size = size;
		vcpu->complete_user_exit = complete_pio_in;
	} else {
		memcpy(io_data(vcpu), &vcpu->gpr[GPR_RAX], size);
	}
	vmctl_skip_insn(vcpu);
	return EXIT_TO_USER;
}

