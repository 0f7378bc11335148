// SPDX-License-Identifier: GPL-2.0
/* vmctl events: follow VM life events host-wide, one line each. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "vmview.h"

static const char events_usage[] =
"usage: vmctl events [--json] [--count N] [--timeout SECONDS]\n"
"\n"
"Print the vmctl module's events as they happen, one line each: a VM\n"
"created, a VM destroyed (once its memory is freed), a vCPU shut down\n"
"(triple fault), a VM entry failed.  Needs root (CAP_SYS_ADMIN): events\n"
"describe every user's VMs.\n"
"\n"
"Options:\n"
"  -j, --json             one JSON object per line\n"
"  -c, --count N          exit after N events\n"
"  -t, --timeout SECONDS  exit after SECONDS (decimals allowed)\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 on Ctrl-C, after N events, or at the timeout when no\n"
"--count was given; 1 fewer than N events came before the timeout, not\n"
"permitted, module not loaded, events lost; 2 bad command line.\n";

enum parse_result events_parse(int argc, char **argv, struct events_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	int opt;

	*o = (struct events_opts){ 0 };
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:jc:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 'c':
			if (parse_u64(optarg, &n) || !n || n > UINT32_MAX)
				return usage_error("events", "--count: '%s' is not a positive number",
						   optarg);
			o->count = n;
			break;
		case 't':
			if (seconds_option("events", "--timeout", optarg,
					   &o->timeout))
				return PARSE_ERROR;
			break;
		case 'h':
			return PARSE_HELP;
		default:
			return getopt_error("events", opt, argv);
		}
	}
	if (optind < argc)
		return usage_error("events", "unexpected argument '%s'",
				   argv[optind]);
	return PARSE_OK;
}

void event_print(FILE *f, const struct vmctl_event *e, bool json)
{
	const char *name = vmctl_event_name(e->type);

	if (!json) {
		fprintf(f, "%s id=%u name=%s pid=%d uid=%u", name, e->vm_id,
			e->vm_name, e->owner_pid, e->owner_uid);
		if (e->vcpu >= 0)
			fprintf(f, " vcpu=%d", e->vcpu);
		if (e->type == VMCTL_EVENT_VCPU_FAIL_ENTRY)
			fprintf(f, " hw_reason=0x%" PRIx64, e->hw_reason);
		fputc('\n', f);
		return;
	}
	fprintf(f, "{\"event\":\"%s\",\"id\":%u,\"name\":", name, e->vm_id);
	json_string(f, e->vm_name);
	fprintf(f, ",\"owner_pid\":%d,\"owner_uid\":%u", e->owner_pid,
		e->owner_uid);
	if (e->vcpu >= 0)
		fprintf(f, ",\"vcpu\":%d", e->vcpu);
	if (e->type == VMCTL_EVENT_VCPU_FAIL_ENTRY)
		fprintf(f, ",\"hw_reason\":%" PRIu64, e->hw_reason);
	fputs("}\n", f);
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Print events until done: EXIT_* */
static int follow(struct vmctl_events *ev, const struct events_opts *o)
{
	long long deadline = now_ms() + (long long)(o->timeout * 1000);
	unsigned long seen = 0;
	struct vmctl_event e;
	int ret, wait = -1;

	while (!interrupted && (!o->count || seen < o->count)) {
		if (o->timeout) {
			wait = (int)(deadline - now_ms());
			if (wait <= 0)
				break;
		}
		ret = vmctl_events_next(ev, &e, wait);
		if (ret == -EINTR || ret == 0)
			continue;
		if (ret < 0)
			return lib_error("events", NULL, ret);
		event_print(stdout, &e, o->json);
		fflush(stdout);
		seen++;
	}
	if (o->count && seen < o->count && !interrupted) {
		fprintf(cli_err ? cli_err : stderr,
			"vmctl events: %lu of %lu events before the timeout\n",
			seen, o->count);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

int cmd_events(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct events_opts o;
	struct vmctl_events *ev;
	int ret;

	ret = parse_exit(events_parse(argc, argv, &o), events_usage);
	if (ret >= 0)
		return ret;
	ret = vmctl_events_open(&ev);
	if (ret)
		return lib_error("events", NULL, ret);
	/* No SA_RESTART: Ctrl-C must end the wait in poll(). */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = follow(ev, &o);
	vmctl_events_close(ev);
	return ret;
}
