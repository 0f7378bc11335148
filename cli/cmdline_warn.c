// SPDX-License-Identifier: GPL-2.0
/*
 * Linux command-line words that ask for a PC's 8259 PICs and 8254 PIT.
 * Booted so, Linux sends its ISA interrupts (COM1's, the CMOS clock's)
 * and, without a local APIC, its timer to them: nosmp, maxcpus=0 and
 * noapic leave the I/O APIC unrouted, nolapic and disableapic leave no
 * local APIC timer.  vmctl run then gives the guest the module's
 * in-kernel PICs and PIT (and full ACPI, which Linux needs to use them),
 * as --pic-pit does; other guests get neither (README, "Booting Linux
 * guests").
 */
#include <string.h>

#include "vmctl.h"

static const char *const words[] = {
	"nosmp", "maxcpus=0", "noapic", "nolapic", "disableapic",
};

const char *run_cmdline_pic_pit(const char *cmdline)
{
	const char *p;
	size_t i, n;

	for (p = cmdline; p && *p; p += n) {
		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		for (i = 0; i < ARRAY_SIZE(words); i++)
			if (strlen(words[i]) == n && !strncmp(p, words[i], n))
				return words[i];
	}
	return NULL;
}
