// SPDX-License-Identifier: GPL-2.0
/*
 * Linux command-line words that ask for PC hardware this VM does not
 * have.  Booted so, Linux sends its ISA interrupts (COM1's, the CMOS
 * clock's) and, without a local APIC, its timer to an 8259 PIC and an
 * 8254 PIT.  vmctl's platform is hardware-reduced ACPI with no PIC or
 * PIT (README, "Booting Linux guests"), so such a guest boots without
 * them: vmctl run says so before it starts rather than leaving a silent
 * console to explain itself.
 */
#include <string.h>

#include "vmctl.h"

#define NO_PIC "COM1's interrupt goes to an 8259 PIC, which this VM does not have: the console shows the kernel's messages but nothing from user space"
#define ONE_CPU " (maxcpus=1 keeps the guest on one CPU without that)"
#define NO_PIT "the timer needs an 8254 PIT and an 8259 PIC, which this VM does not have: the guest gets no timer interrupt and its boot stops before /init"

static const struct {
	const char *word;
	const char *what;
} words[] = {
	{ "nosmp", NO_PIC ONE_CPU },
	{ "maxcpus=0", NO_PIC ONE_CPU },
	{ "noapic", NO_PIC },
	{ "nolapic", NO_PIT },
	{ "disableapic", NO_PIT },
};

const char *run_cmdline_warning(const char *cmdline, const char **word)
{
	size_t i, n;
	const char *p;

	for (p = cmdline; p && *p; p += n) {
		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		for (i = 0; i < ARRAY_SIZE(words); i++) {
			if (strlen(words[i].word) == n &&
			    !strncmp(p, words[i].word, n)) {
				*word = words[i].word;
				return words[i].what;
			}
		}
	}
	return NULL;
}
