// SPDX-License-Identifier: GPL-2.0
/* vmctl kill: end the process running a VM at once. */
#include <signal.h>

#include "vmview.h"

static const char kill_usage[] =
"usage: vmctl kill [--timeout SECONDS | --no-wait] NAME|ID\n"
"\n"
"Send SIGKILL to the process that owns a VM (see 'vmctl ps'): the guest\n"
"ends without any chance to clean up, and the module frees everything the\n"
"VM held as the process's file descriptors close.  Then wait for that\n"
"process to exit.  NAME|ID is the VM's id when a VM has that id, else its\n"
"name.  You may kill the VMs you created; root may kill any.  Prefer\n"
"'vmctl stop', which lets the owner end the guest cleanly.\n"
"\n"
SIGNAL_HELP_TAIL;

int cmd_kill(int argc, char **argv)
{
	return signal_command("kill", kill_usage, SIGKILL, argc, argv);
}
