// SPDX-License-Identifier: GPL-2.0
/* vmctl stop: ask the process running a VM to end it cleanly. */
#include <signal.h>

#include "vmview.h"

static const char stop_usage[] =
"usage: vmctl stop [--timeout SECONDS | --no-wait] NAME|ID\n"
"\n"
"Ask the process that owns a VM (see 'vmctl ps') to end the guest\n"
"cleanly: it gets SIGTERM, on which 'vmctl run' stops its vCPUs, tears\n"
"the VM down and exits with status 6 (stopped).  Then wait for that\n"
"process to exit.  NAME|ID is the VM's id when a VM has that id, else its\n"
"name.  You may stop the VMs you created; root may stop any.\n"
"\n"
SIGNAL_HELP_TAIL;

int cmd_stop(int argc, char **argv)
{
	return signal_command("stop", stop_usage, SIGTERM, argc, argv);
}
