// SPDX-License-Identifier: GPL-2.0
/* vmctl pause: hold a running VM's vCPUs and devices. */
#include "vmview.h"

static const char pause_usage[] =
"usage: vmctl pause NAME|ID\n"
"\n"
"Pause a VM that 'vmctl run' runs, through its control socket: every\n"
"vCPU leaves the guest with the instruction it was at completed, and is\n"
"held; the devices finish the requests in flight and stop.  The guest's\n"
"clock stands still for it until 'vmctl resume'.  A VM paused already\n"
"stays paused.  NAME|ID is the VM's id when a VM has that id, else its\n"
"name.\n"
"\n"
"Options:\n"
"  -h, --help  show this help\n"
"\n"
"Exit status: 0 paused, 1 no such VM, no control socket or it failed,\n"
"2 bad command line.\n";

int cmd_pause(int argc, char **argv)
{
	return state_command("pause", pause_usage, "Paused", argc, argv);
}
