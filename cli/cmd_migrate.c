// SPDX-License-Identifier: GPL-2.0
/* vmctl migrate: move a running VM to another vmctl, live. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmview.h"

static const char migrate_usage[] =
"usage: vmctl migrate [--max-downtime MS] [--timeout S] [--no-auto-converge]\n"
"                     [--max-bandwidth RATE] [--max-rounds N]\n"
"                     [--max-final-pages N] NAME|ID [tcp:]HOST:PORT\n"
"\n"
"Move a VM that 'vmctl run' runs to the 'vmctl run --incoming\n"
"[tcp:][HOST:]PORT' waiting at HOST:PORT, through its control socket,\n"
"while the guest runs: its RAM first, then round after round the pages\n"
"it wrote meanwhile (the module's dirty log), until a round's pages\n"
"would keep the guest paused at most --max-downtime at the speed the\n"
"link showed; then the guest is paused, the last pages and the vCPU,\n"
"clock and device state go, and it runs on there.  A guest that writes\n"
"faster than the link carries is slowed down (auto-converge: its vCPUs\n"
"lose 20% of their time, then 10% more each round, up to 99%).  The\n"
"'vmctl run' here then ends with status 0, as QEMU and Firecracker's\n"
"sources do.  On any failure (connection refused or cut, the\n"
"destination refusing the VM, the timeout, this command interrupted\n"
"before the switch-over) the VM runs on here as\n"
"before, at full speed.  A disk must be on storage both hosts share\n"
"(the destination opens the same path); a network card goes on at the\n"
"destination on the tap its --incoming names (see 'vmctl run --help'):\n"
"a tap attached by name here is let go at the switch-over.\n"
"NAME|ID is the VM's id when a VM has that id, else its name.\n"
"\n"
"Options:\n"
"      --max-downtime MS    the longest pause to switch over with\n"
"                           (default 300, QEMU's)\n"
"      --timeout S          give pre-copy up after S seconds, the VM\n"
"                           running on here (default 600)\n"
"      --no-auto-converge   never slow the guest down\n"
"      --max-bandwidth RATE send pre-copy's pages at most RATE bytes a\n"
"                           second, with an optional K, M or G suffix\n"
"                           (QEMU's max-bandwidth; default: no limit);\n"
"                           the last pages, the guest paused, go at\n"
"                           full speed\n"
"      --max-rounds N       switch over after N dirty rounds whatever\n"
"                           they found (at most 64; default no cap)\n"
"      --max-final-pages N  switch over once a round finds at most N\n"
"                           dirty pages; without --max-downtime, instead\n"
"                           of the downtime\n"
"  -h, --help               show this help\n"
"\n"
"Prints on stderr after each round (and each second of a long one) the\n"
"bytes sent, those to go, how fast the guest dirties and the link\n"
"carries, the downtime foreseen and the throttle; at the end, the\n"
"rounds, pages sent in each and while paused, bytes, the time it took,\n"
"the downtime and the most the guest was slowed down.\n"
"Exit status: 0 the VM runs there, 1 no such VM, no control socket or\n"
"the migration failed (the VM runs here), 2 bad command line.\n";

enum { OPT_ROUNDS = 0x100, OPT_FINAL, OPT_DOWNTIME, OPT_TIMEOUT, OPT_NO_AC,
	OPT_BANDWIDTH };

enum parse_result migrate_parse(int argc, char **argv,
				struct migrate_opts *o)
{
	static const struct option longopts[] = {
		{ "max-rounds", required_argument, NULL, OPT_ROUNDS },
		{ "max-final-pages", required_argument, NULL, OPT_FINAL },
		{ "max-downtime", required_argument, NULL, OPT_DOWNTIME },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "no-auto-converge", no_argument, NULL, OPT_NO_AC },
		{ "max-bandwidth", required_argument, NULL, OPT_BANDWIDTH },
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
		case OPT_DOWNTIME:
			if (parse_u64(optarg, &o->max_downtime_ms) ||
			    !o->max_downtime_ms || o->max_downtime_ms > UINT_MAX)
				return usage_error("migrate",
						   "--max-downtime: '%s' is not a number of milliseconds",
						   optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_u64(optarg, &o->timeout_s) || !o->timeout_s ||
			    o->timeout_s > UINT_MAX)
				return usage_error("migrate",
						   "--timeout: '%s' is not a number of seconds",
						   optarg);
			break;
		case OPT_NO_AC:
			o->no_auto_converge = true;
			break;
		case OPT_BANDWIDTH:
			if (parse_size(optarg, &o->max_bandwidth) ||
			    !o->max_bandwidth)
				return usage_error("migrate",
						   "--max-bandwidth: '%s' is not a number of bytes a second",
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

/* A field of the request, when the option was given (not 0). */
static void number(FILE *f, const char *name, uint64_t v)
{
	if (v)
		fprintf(f, ",\"%s\":%llu", name, (unsigned long long)v);
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
	fputs("{\"progress\":true,\"destination_url\":", f);
	json_string(f, o.addr);
	number(f, "max_rounds", o.max_rounds);
	number(f, "max_final_pages", o.max_final_pages);
	number(f, "max_downtime_ms", o.max_downtime_ms);
	number(f, "timeout_s", o.timeout_s);
	number(f, "max_bandwidth", o.max_bandwidth);
	if (o.no_auto_converge)
		fputs(",\"auto_converge\":false", f);
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
