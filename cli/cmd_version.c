// SPDX-License-Identifier: GPL-2.0
/* vmctl version: this program's, the library's and the module's. */
#include <getopt.h>

#include <vmctl/libvmctl.h>
#include <linux/vmctl.h>

#include "vmctl.h"

static const char version_usage[] =
"usage: vmctl version\n"
"\n"
"Show the versions of vmctl and libvmctl, the API version they speak, and\n"
"the API version of the loaded vmctl module (or that it is not loaded).\n"
"Exit status: 0, or 2 for a bad command line.\n";

enum parse_result version_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (opt == 'h')
			return PARSE_HELP;
		return getopt_error("version", opt, argv);
	}
	if (optind < argc)
		return usage_error("version", "unexpected argument '%s'",
				   argv[optind]);
	return PARSE_OK;
}

int cmd_version(int argc, char **argv)
{
	struct vmctl *sys;
	int ret;

	ret = parse_exit(version_parse(argc, argv), version_usage);
	if (ret >= 0)
		return ret;
	printf("vmctl %s\nlibvmctl %s (API version %d)\n", VMCTL_CLI_VERSION,
	       vmctl_lib_version(), VMCTL_API_VERSION);
	ret = vmctl_open(&sys);
	if (ret) {
		printf("module: not loaded (%s)\n", vmctl_strerror(ret));
		return EXIT_OK;
	}
	printf("module: API version %d\n", vmctl_api_version(sys));
	vmctl_close(sys);
	return EXIT_OK;
}
