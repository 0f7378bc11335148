// SPDX-License-Identifier: GPL-2.0
/* vmctl migrate: move a running VM to another vmctl, live. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview.h"

static const char migrate_usage[] =
"usage: vmctl migrate [--max-rounds N] [--max-final-pages N] NAME|ID\n"
"                     [tcp:]HOST:PORT\n"
"\n"
"Move a VM that 'vmctl run' runs to the 'vmctl run --incoming\n"
"[tcp:][HOST:]PORT' waiting at HOST:PORT, through its control socket,\n"
"while the guest runs: its RAM first, then round after round the pages\n"
"it wrote meanwhile (the module's dirty log), until a round finds few\n"
"enough or the rounds run out; then the guest is paused, the last pages\n"
"and the vCPU, clock and device state go, and it runs on there.  The\n"
"'vmctl run' here then ends with status 0, as QEMU and Firecracker's\n"
"sources do.  On any failure (connection refused or cut, the\n"
"destination refusing the VM) the VM runs on here as before.  A disk\n"
"must be on storage both hosts share (the destination opens the same\n"
"path); VMs with --net or --balloon cannot migrate yet.\n"
"NAME|ID is the VM's id when a VM has that id, else its name.\n"
"\n"
"Options:\n"
"      --max-rounds N       dirty rounds at most while the guest runs\n"
"                           (default 16, at most 64)\n"
"      --max-final-pages N  pause once a round finds at most N dirty\n"
"                           pages (default 256)\n"
"  -h, --help               show this help\n"
"\n"
"Prints the rounds, pages sent in each and while paused, and bytes.\n"
"Exit status: 0 the VM runs there, 1 no such VM, no control socket or\n"
"the migration failed (the VM runs here), 2 bad command line.\n";

enum { OPT_ROUNDS = 0x100, OPT_FINAL };

enum parse_result migrate_parse(int argc, char **argv,
				struct migrate_opts *o)
{
	static const struct option longopts[] = {
		{ "max-rounds", required_argument, NULL, OPT_ROUNDS },
		{ "max-final-pages", required_argument, NULL, OPT_FINAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct migrate_opts){ 0 };
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_ROUNDS:
			if (parse_u64(optarg, &o->max_rounds) ||
			    !o->max_rounds ||
			    o->max_rounds > VMCTL_MIGRATE_MAX_ROUNDS)
				return usage_error("migrate",
						   "--max-rounds: '%s' is not between 1 and %d",
						   optarg, VMCTL_MIGRATE_MAX_ROUNDS);
			break;
		case OPT_FINAL:
			if (parse_u64(optarg, &o->max_final_pages) ||
			    !o->max_final_pages)
				return usage_error("migrate",
						   "--max-final-pages: '%s' is not a number of pages",
						   optarg);
			break;
		case 'h':
			return PARSE_HELP;
		default:
			return getopt_error("migrate", opt, argv);
		}
	}
	if (argc - optind < 1)
		return usage_error("migrate", "which VM? Give its name or id");
	if (argc - optind < 2)
		return usage_error("migrate",
				   "where to? Give the destination's HOST:PORT");
	if (argc - optind > 2)
		return usage_error("migrate", "unexpected argument '%s'",
				   argv[optind + 2]);
	o->target = argv[optind];
	o->addr = argv[optind + 1];
	return PARSE_OK;
}

int cmd_migrate(int argc, char **argv)
{
	struct migrate_opts o;
	char *body = NULL, *answer = NULL;
	size_t len;
	FILE *f;
	int ret;

	ret = parse_exit(migrate_parse(argc, argv, &o), migrate_usage);
	if (ret >= 0)
		return ret;
	f = open_memstream(&body, &len);
	if (!f)
		return cli_error("migrate", "out of memory");
	fputs("{\"destination_url\":", f);
	json_string(f, o.addr);
	if (o.max_rounds)
		fprintf(f, ",\"max_rounds\":%llu",
			(unsigned long long)o.max_rounds);
	if (o.max_final_pages)
		fprintf(f, ",\"max_final_pages\":%llu",
			(unsigned long long)o.max_final_pages);
	fputs("}", f);
	fclose(f);
	ret = vm_control_answer("migrate", o.target, "PUT", "/vmctl/migrate",
				body, 0, &answer);
	free(body);
	if (!ret)
		printf("vmctl migrate: %s moved to %s: %s\n", o.target, o.addr,
		       answer);
	free(answer);
	return ret;
}
