// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl stats: a VM's exit counters by reason, per vCPU and in total, how
 * its guest RAM is mapped (EPT pages, faults, invalidations), and
 * its device models' counters when its vmctl run serves them
 * (device_stats.h).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device_stats.h"
#include "vmview.h"

static const char stats_usage[] =
"usage: vmctl stats [--json] [--watch [SECONDS]] NAME|ID\n"
"\n"
"Show a VM's counters: VMCTL_RUN calls, VM exits, exits handed to\n"
"userspace, and exits by VMX exit reason, for each vCPU and in total;\n"
"for the whole VM, its guest RAM mapped in EPT now (4 KiB pages), the\n"
"EPT faults that mapped 4 KiB and 2 MiB pages and the invalidations\n"
"(host changes to the memory that unmapped some);\n"
"for a VM of 'vmctl run', also its devices' counters (virtio\n"
"notifications, interrupts, requests and bytes per queue).\n"
"The VM may belong to another process (see 'vmctl ps'); NAME|ID is its\n"
"id when a VM has that id, else its name.\n"
"\n"
"Options:\n"
"  -j, --json             one JSON object (one per line with --watch)\n"
"  -w, --watch [SECONDS]  refresh every SECONDS (default 2, decimals\n"
"                         allowed) until Ctrl-C or the VM ends; SECONDS\n"
"                         is taken only when NAME|ID follows it\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 shown (with --watch: until Ctrl-C or the VM ended),\n"
"1 no such VM or the module is not loaded, 2 bad command line.\n";

enum parse_result stats_parse(int argc, char **argv, struct stats_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum parse_result r = PARSE_OK;
	int opt;

	*o = (struct stats_opts){ .interval = STATS_DEFAULT_INTERVAL };
	optind = 0;
	while (r == PARSE_OK &&
	       (opt = getopt_long(argc, argv, "+:jw::h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 'w':
			o->watch = true;
			if (optarg)
				r = seconds_option("stats", "--watch", optarg,
						   &o->interval);
			/* "--watch 5 vm": the number is the interval. */
			else if (argc - optind >= 2 && argv[optind][0] != '-')
				r = seconds_option("stats", "--watch",
						   argv[optind++],
						   &o->interval);
			break;
		case 'h':
			return PARSE_HELP;
		default:
			r = getopt_error("stats", opt, argv);
			break;
		}
	}
	if (r != PARSE_OK)
		return r;
	if (optind == argc)
		return usage_error("stats", "which VM? Give its name or id");
	if (argc - optind > 1)
		return usage_error("stats", "unexpected argument '%s'",
				   argv[optind + 1]);
	o->target = argv[optind];
	return PARSE_OK;
}

static const char *reason_label(unsigned int reason, char *buf, size_t len)
{
	const char *name = vmctl_exit_reason_name(reason);

	if (name)
		snprintf(buf, len, "%s (%u)", name, reason);
	else
		snprintf(buf, len, "reason %u", reason);
	return buf;
}

/* Rows of the text table: the three totals, then reasons by number. */
enum { ROW_RUNS = -3, ROW_EXITS, ROW_USER_EXITS };

static uint64_t counter(const struct vmctl_exit_counters *c, int row)
{
	switch (row) {
	case ROW_RUNS:
		return c->runs;
	case ROW_EXITS:
		return c->exits;
	case ROW_USER_EXITS:
		return c->user_exits;
	default:
		return c->by_reason[row];
	}
}

/* One text row: the total, then each vCPU's value of the same counter. */
static void print_row(FILE *f, const char *label,
		      const struct vmctl_vm_stats *s, int row)
{
	size_t i;

	fprintf(f, "%-30s %12" PRIu64, label, counter(&s->total, row));
	for (i = 0; i < s->nr_vcpus; i++)
		fprintf(f, " %12" PRIu64, counter(&s->vcpus[i], row));
	fputc('\n', f);
}

static void print_text(FILE *f, const struct vmctl_vm_stats *s)
{
	char label[48], up[16];
	unsigned int r;
	size_t i;

	fprintf(f, "VM %u (%s): %zu vCPU%s, %s, up %s\n", s->vm.id, s->vm.name,
		s->nr_vcpus, s->nr_vcpus == 1 ? "" : "s",
		s->vm.state == VMCTL_VM_RUNNING ? "running" : "idle",
		format_duration(s->vm.uptime, up, sizeof(up)));
	fprintf(f, "%-30s %12s", "COUNTER", "TOTAL");
	for (i = 0; i < s->nr_vcpus; i++) {
		snprintf(label, sizeof(label), "VCPU%u", s->vcpus[i].vcpu);
		fprintf(f, " %12s", label);
	}
	fputc('\n', f);
	print_row(f, "runs", s, ROW_RUNS);
	print_row(f, "exits", s, ROW_EXITS);
	print_row(f, "user_exits", s, ROW_USER_EXITS);
	for (r = 0; r < VMCTL_COUNTED_EXIT_REASONS; r++)
		if (s->total.by_reason[r])
			print_row(f, reason_label(r, label, sizeof(label)), s,
				  r);
	/* Counted for the whole VM: a TOTAL only. */
	fprintf(f, "%-30s %12" PRIu64 "\n", "ept_mapped_pages",
		s->mem.mapped_pages);
	fprintf(f, "%-30s %12" PRIu64 "\n", "ept_faults_4k", s->mem.faults_4k);
	fprintf(f, "%-30s %12" PRIu64 "\n", "ept_faults_2m", s->mem.faults_2m);
	fprintf(f, "%-30s %12" PRIu64 "\n", "ept_invalidations",
		s->mem.invalidations);
}

static void json_counters(FILE *f, const struct vmctl_exit_counters *c)
{
	const char *name;
	unsigned int r;
	bool first = true;

	fprintf(f, "\"runs\":%" PRIu64 ",\"exits\":%" PRIu64
		",\"user_exits\":%" PRIu64 ",\"exit_reasons\":{",
		c->runs, c->exits, c->user_exits);
	for (r = 0; r < VMCTL_COUNTED_EXIT_REASONS; r++) {
		if (!c->by_reason[r])
			continue;
		name = vmctl_exit_reason_name(r);
		if (name)
			fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", name,
				c->by_reason[r]);
		else
			fprintf(f, "%s\"REASON_%u\":%" PRIu64,
				first ? "" : ",", r, c->by_reason[r]);
		first = false;
	}
	fputc('}', f);
}

static void print_json(FILE *f, const struct vmctl_vm_stats *s,
		       const struct device_counters *dc)
{
	size_t i;

	fprintf(f, "{\"id\":%u,\"name\":", s->vm.id);
	json_string(f, s->vm.name);
	fprintf(f, ",\"state\":\"%s\",\"uptime_s\":%" PRIu64 ",\"total\":{",
		s->vm.state == VMCTL_VM_RUNNING ? "running" : "idle",
		s->vm.uptime);
	json_counters(f, &s->total);
	fputs("},\"vcpus\":[", f);
	for (i = 0; i < s->nr_vcpus; i++) {
		fprintf(f, "%s{\"vcpu\":%u,", i ? "," : "", s->vcpus[i].vcpu);
		json_counters(f, &s->vcpus[i]);
		fputc('}', f);
	}
	fprintf(f, "],\"memory\":{\"ept_mapped_pages\":%" PRIu64
		",\"ept_faults_4k\":%" PRIu64 ",\"ept_faults_2m\":%" PRIu64
		",\"ept_invalidations\":%" PRIu64 "},\"devices\":[",
		s->mem.mapped_pages, s->mem.faults_4k, s->mem.faults_2m,
		s->mem.invalidations);
	device_stats_print_json(f, dc);
	fputs("]}\n", f);
}

void stats_print(FILE *f, const struct vmctl_vm_stats *s,
		 const struct device_counters *dc, bool json)
{
	if (json) {
		print_json(f, s, dc);
	} else {
		print_text(f, s);
		device_stats_print_text(f, dc);
	}
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Sleep; false when Ctrl-C (or SIGTERM) came. */
static bool pause_for(double secs)
{
	struct timespec ts = {
		.tv_sec = (time_t)secs,
		.tv_nsec = (long)((secs - (time_t)secs) * 1e9),
	};

	while (!interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return !interrupted;
}

static int show(const struct stats_opts *o, unsigned int id, bool again)
{
	static struct device_counters dc;
	struct vmctl_vm_stats s;
	int ret = vmctl_get_vm_stats(id, &s);

	if (ret == -ENOENT && again) {
		fprintf(stderr, "vmctl stats: VM %u ended\n", id);
		return -1;
	}
	if (ret)
		return lib_error("stats", NULL, ret);
	/* Refreshing a terminal: redraw from the top of a clean screen. */
	if (o->watch && !o->json && isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	else if (again && !o->json)
		putchar('\n');
	/* No vmctl run serving them: the module's counters only. */
	if (device_stats_fetch(id, &dc))
		dc.n = 0;
	stats_print(stdout, &s, &dc, o->json);
	fflush(stdout);
	vmctl_vm_stats_free(&s);
	return EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct vmctl_vm_status vm;
	struct stats_opts o;
	int ret;

	ret = parse_exit(stats_parse(argc, argv, &o), stats_usage);
	if (ret >= 0)
		return ret;
	if (o.watch) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	ret = vm_target_lookup("stats", o.target, &vm);
	if (ret)
		return ret;
	ret = show(&o, vm.id, false);
	if (ret || !o.watch)
		return ret;
	while (pause_for(o.interval)) {
		ret = show(&o, vm.id, true);
		if (ret)
			return ret < 0 ? EXIT_OK : ret;
	}
	return EXIT_OK;
}
