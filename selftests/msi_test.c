// SPDX-License-Identifier: GPL-2.0
/*
 * VMCTL_SIGNAL_MSI: an MSI reaches only the local APIC its address names
 * (two vCPUs: the BSP in long mode, the AP started by INIT/SIPI in real
 * mode), from a thread that runs no vCPU, waking a halted AP; and every
 * error the header names.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "assert_errno.h"
#include "die.h"
#include "irqchip.h"
#include "stats.h"
#include "ucall.h"

#define VEC_BSP		0x50
/* The AP's real-mode IVT entry (0x240) is in the unused gate 0x24. */
#define VEC_AP		0x90
#define SIPI_VECTOR	0x70	/* the AP starts at 0x70000 */
#define AP_CODE_GPA	(SIPI_VECTOR << 12)
#define COUNT0		"0x80000"
#define MSI_ADDR(dest)	(0xfee00000ULL | (uint64_t)(dest) << 12)

static int signal_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	struct vmctl_msi msi = { .address = address, .data = data };

	return ioctl(vm->fd, VMCTL_SIGNAL_MSI, &msi);
}

static bool msi_available(void)
{
	int fd = vmctl_open();
	long ret = ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_SIGNAL_MSI);

	close(fd);
	return ret > 0 && irqchip_available();
}

TEST(errors)
{
	struct vmctl_module_stats base;
	struct vmctl_msi flags = { .address = MSI_ADDR(0), .data = 0x30,
				   .flags = 1 };
	struct vm *vm;
	int bit;

	if (!msi_available())
		SKIP(return, "VMCTL_CAP_SIGNAL_MSI: 0");
	vm = vm_create("");
	module_stats(vm->sys_fd, &base);
	ASSERT_ERRNO(ENXIO, signal_msi(vm, MSI_ADDR(0), 0x30));
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_CREATE_IRQCHIP, 0));
	module_stats(vm->sys_fd, &base);
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, VMCTL_SIGNAL_MSI, &flags));
	ASSERT_ERRNO(EINVAL, signal_msi(vm, 0xfed00000, 0x30));
	for (bit = 4; bit < 12; bit++)
		ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0) | 1U << bit,
						0x30));
	ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0) | 1ULL << 32, 0x30));
	ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0), 0x30 | 1U << 11));
	ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0), 0x30 | 1U << 16));
	/* SMI, reserved, reserved, ExtINT */
	ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0), 0x30 | 2U << 8));
	ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0), 0x30 | 3U << 8));
	ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0), 0x30 | 6U << 8));
	ASSERT_ERRNO(EINVAL, signal_msi(vm, MSI_ADDR(0), 0x30 | 7U << 8));
	/* Valid, to nobody: no vCPU has APIC 5. */
	EXPECT_EQ(0, signal_msi(vm, MSI_ADDR(5), 0x30));
	EXPECT_STATS_BASELINE(vm->sys_fd, &base);
	vm_destroy(vm);
}

/* ---- two vCPUs: each MSI to the APIC it names ---- */

FIXTURE(smp) {
	struct vm *vm;
	struct vcpu *bsp, *ap;
};

FIXTURE_SETUP(smp)
{
	self->vm = NULL;
	if (!msi_available())
		SKIP(return, "VMCTL_CAP_SIGNAL_MSI: 0");
	smp_vm_create(&self->vm, &self->bsp, &self->ap);
}

FIXTURE_TEARDOWN(smp)
{
	smp_vm_destroy(self->vm, self->bsp, self->ap);
}

/*
 * The AP, in real mode (CS base 0x70000, the blob's start): x2APIC on,
 * software-enabled, then asleep until its handler has counted one
 * interrupt; the count lives in the blob, addressed through CS.
 */
GUEST16(msi_ap_guest,
	RDMSR(0x1b)
	"or $0xc00, %eax\n\t"
	"wrmsr\n\t"
	WRMSR(0x80f, 0x1ff, 0)
	G_UCALL(UCALL_SYNC)
	"1: cli\n\t"
	"cmpw $1, %cs:(msi_ap_count - msi_ap_guest_start)\n\t"
	"jae 2f\n\t"
	"sti\n\t"
	"hlt\n\t"
	"jmp 1b\n"
	"2: mov %cs:(msi_ap_count - msi_ap_guest_start), %di\n\t"
	G_UCALL(UCALL_DONE)
	"3: cli\n\t"
	"hlt\n\t"
	"jmp 3b\n"
	"msi_ap_isr:\n\t"
	"push %eax\n\t"
	"push %ecx\n\t"
	"push %edx\n\t"
	"incw %cs:(msi_ap_count - msi_ap_guest_start)\n\t"
	WRMSR(0x80b, 0, 0)
	"pop %edx\n\t"
	"pop %ecx\n\t"
	"pop %eax\n\t"
	"iret\n"
	"msi_ap_count: .word 0\n");
GUEST_LABEL(msi_ap_isr);

/* The BSP starts the AP, reports, then sleeps until its own MSI. */
GUEST64(msi_bsp_guest,
	XAPIC_ENABLE
	MMIO_W(XAPIC_ICR2, 0x01000000)		/* to APIC 1 */
	MMIO_W(XAPIC_ICR, 0x4500)		/* INIT, assert */
	MMIO_W(XAPIC_ICR, 0x4670)		/* SIPI, vector 0x70 */
	G_UCALL(UCALL_SYNC)
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_XAPIC("msi_bsp_isr", COUNT0));
GUEST_LABEL(msi_bsp_isr);

struct ap_run {
	struct vcpu *ap;
	atomic_int synced, finished;
	int sync, done;
	struct ucall uc;
};

static void *run_ap(void *arg)
{
	struct ap_run *r = arg;
	struct ucall sync;

	r->sync = vcpu_ucall(r->ap, &sync);
	atomic_store(&r->synced, 1);
	r->done = vcpu_ucall(r->ap, &r->uc);
	atomic_store(&r->finished, 1);
	return NULL;
}

TEST_F(smp, msi_reaches_only_the_apic_it_names)
{
	struct ap_run r = { .ap = self->ap };
	uint16_t *ivt = gpa_to_hva(self->vm, VEC_AP * 4);
	struct vmctl_vcpu_stats st;
	struct ucall uc;
	pthread_t t;
	int i;

	memcpy(gpa_to_hva(self->vm, AP_CODE_GPA), msi_ap_guest.start,
	       msi_ap_guest.end - msi_ap_guest.start);
	vcpu_load_guest(self->bsp, &msi_bsp_guest);
	idt_set_gate(self->vm, VEC_BSP,
		     guest_addr(&msi_bsp_guest, msi_bsp_isr));
	ivt[0] = msi_ap_isr - msi_ap_guest.start;
	ivt[1] = AP_CODE_GPA >> 4;

	ASSERT_EQ(0, pthread_create(&t, NULL, run_ap, &r));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->bsp, &uc));
	for (i = 0; i < 1000 && !atomic_load(&r.synced); i++)
		usleep(10000);
	ASSERT_TRUE(atomic_load(&r.synced));
	EXPECT_EQ(UCALL_SYNC, r.sync);

	/* To APIC 0: it waits in the BSP's APIC; the AP sleeps on. */
	ASSERT_EQ(0, signal_msi(self->vm, MSI_ADDR(0), VEC_BSP));
	usleep(100000);
	EXPECT_FALSE(atomic_load(&r.finished));
	/* To APIC 1, from this thread: the AP wakes and takes it. */
	ASSERT_EQ(0, signal_msi(self->vm, MSI_ADDR(1), VEC_AP));
	pthread_join(t, NULL);
	EXPECT_EQ(UCALL_DONE, r.done);
	EXPECT_EQ(1, r.uc.args[0] & 0xffff);
	vcpu_get_stats(self->ap, &st);
	EXPECT_EQ(2, st.user_exits);		/* the two ucalls */
	EXPECT_LE(1, st.hw_exits[VMCTL_HW_EXIT_HLT]);

	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->bsp, &uc));
	EXPECT_EQ(1, uc.args[0]);
}

TEST_HARNESS_MAIN
