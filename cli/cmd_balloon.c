// SPDX-License-Identifier: GPL-2.0
/* vmctl balloon: set a running VM's balloon size. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "vmview.h"

static const char balloon_usage[] =
"usage: vmctl balloon NAME|ID SIZE\n"
"\n"
"Set the size of the balloon of a VM that 'vmctl run --balloon' runs,\n"
"through its control socket (PATCH /balloon): the guest's driver gives\n"
"SIZE of its RAM back to the host (it leaves the vmctl run process's\n"
"memory), or takes memory back when SIZE is smaller than before; 0 gives\n"
"it all back to the guest.  SIZE is a multiple of 1M with an optional K,\n"
"M, G or T suffix, at most the guest's RAM.  The command returns at once;\n"
"'vmctl stats' shows the balloon's actual_pages as the driver follows.\n"
"NAME|ID is the VM's id when a VM has that id, else its name.\n"
"\n"
"Options:\n"
"  -h, --help  show this help\n"
"\n"
"Exit status: 0 set, 1 no such VM, no control socket, no balloon or a\n"
"size above its RAM, 2 bad command line.\n";

enum parse_result balloon_parse(int argc, char **argv, const char **target,
				uint64_t *size)
{
	const char *arg;
	enum parse_result r;

	if (argc == 2 && argv[1][0] != '-')
		return usage_error("balloon",
				   "what size? Give the balloon's size (0: none)");
	r = target_parse("balloon", argc, argv, target, &arg);
	if (r != PARSE_OK)
		return r;
	if (parse_size(arg, size))
		return usage_error("balloon",
				   "'%s' is not a size (a number with an optional K, M, G or T suffix)",
				   arg);
	if (*size % (1 << 20))
		return usage_error("balloon", "'%s' is not a multiple of 1M",
				   arg);
	return PARSE_OK;
}

int cmd_balloon(int argc, char **argv)
{
	const char *target;
	uint64_t size;
	char body[48];
	int ret;

	ret = parse_exit(balloon_parse(argc, argv, &target, &size),
			 balloon_usage);
	if (ret >= 0)
		return ret;
	snprintf(body, sizeof(body), "{\"amount_mib\":%" PRIu64 "}",
		 size >> 20);
	return vm_control("balloon", target, "PATCH", "/balloon", body,
			  STATE_TIMEOUT_S);
}
