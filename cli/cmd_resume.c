// SPDX-License-Identifier: GPL-2.0
/* vmctl resume: let a paused VM run again. */
#include "vmview.h"

static const char resume_usage[] =
"usage: vmctl resume NAME|ID\n"
"\n"
"Resume a VM paused by 'vmctl pause' (or by PATCH /vm on its control\n"
"socket): its devices start again, then its vCPUs.  A running VM stays\n"
"running.  NAME|ID is the VM's id when a VM has that id, else its name.\n"
"\n"
"Options:\n"
"  -h, --help  show this help\n"
"\n"
"Exit status: 0 running, 1 no such VM, no control socket or it failed,\n"
"2 bad command line.\n";

int cmd_resume(int argc, char **argv)
{
	return state_command("resume", resume_usage, "Resumed", argc, argv);
}
