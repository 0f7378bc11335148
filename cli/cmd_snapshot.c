// SPDX-License-Identifier: GPL-2.0
/* vmctl snapshot: a running VM's whole state into a file. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmview.h"

static const char snapshot_usage[] =
"usage: vmctl snapshot [--stop] NAME|ID FILE\n"
"\n"
"Save a VM that 'vmctl run' runs into FILE, through its control socket:\n"
"its vCPUs, interrupt controllers, clock, devices and memory (pages of\n"
"zeros are not stored), in a versioned file with checked sections.\n"
"The VM is paused while it is saved and runs on after (a paused VM\n"
"stays paused); a snapshot that fails leaves no FILE and the VM as it\n"
"was.  'vmctl run --restore FILE' starts it again, opening its disks\n"
"and taps again by name.  NAME|ID is the VM's id when a VM has that id,\n"
"else its name.\n"
"\n"
"Options:\n"
"  -s, --stop  end the VM once it is saved (it runs no further)\n"
"  -h, --help  show this help\n"
"\n"
"Exit status: 0 saved (and with --stop, ended), 1 no such VM, no\n"
"control socket, or the snapshot failed, 2 bad command line.\n";

enum parse_result snapshot_parse(int argc, char **argv,
				 struct snapshot_opts *o)
{
	static const struct option longopts[] = {
		{ "stop", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct snapshot_opts){ 0 };
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:sh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			o->stop = true;
			break;
		case 'h':
			return PARSE_HELP;
		default:
			return getopt_error("snapshot", opt, argv);
		}
	}
	/* The rest: NAME|ID FILE, parsed as pause's are. */
	return target_parse("snapshot", argc - optind + 1,
			    argv + optind - 1, &o->target, &o->file);
}

/* The request's body, the file name absolute: vmctl run has its own cwd. */
static char *request_body(const char *file)
{
	char *cwd = file[0] == '/' ? NULL : getcwd(NULL, 0), *body = NULL;
	size_t len;
	FILE *f = open_memstream(&body, &len);
	char *path = NULL;

	if (!f || asprintf(&path, "%s%s%s", cwd ? cwd : "", cwd ? "/" : "",
			   file) < 0) {
		if (f)
			fclose(f);
		free(body);
		free(cwd);
		return NULL;
	}
	fputs("{\"snapshot_type\":\"Full\",\"snapshot_path\":", f);
	json_string(f, path);
	fputs("}", f);
	fclose(f);
	free(path);
	free(cwd);
	return body;
}

/*
 * --stop: paused first, so that the guest stays where the snapshot saw
 * it until its end.  *was_paused: it already was (a failed snapshot must
 * not resume it then).
 */
static int pause_for_stop(const char *target, bool *was_paused)
{
	char *instance;
	int ret;

	ret = vm_control_answer("snapshot", target, "GET", "/", NULL,
				STATE_TIMEOUT_S, &instance);
	if (ret)
		return ret;
	*was_paused = strstr(instance, "\"state\":\"Paused\"") != NULL;
	free(instance);
	return vm_control("snapshot", target, "PATCH", "/vm",
			  "{\"state\":\"Paused\"}", STATE_TIMEOUT_S);
}

int cmd_snapshot(int argc, char **argv)
{
	struct signal_opts stop;
	struct snapshot_opts o;
	bool was_paused = false;
	char *body;
	int ret;

	ret = parse_exit(snapshot_parse(argc, argv, &o), snapshot_usage);
	if (ret >= 0)
		return ret;
	body = request_body(o.file);
	if (!body)
		return cli_error("snapshot", "out of memory");
	ret = o.stop ? pause_for_stop(o.target, &was_paused) : EXIT_OK;
	if (!ret)
		ret = vm_control("snapshot", o.target, "PUT",
				 "/snapshot/create", body, 0);
	free(body);
	/* A failed snapshot leaves the VM as it was: running on. */
	if (ret && o.stop && !was_paused)
		vm_control("snapshot", o.target, "PATCH", "/vm",
			   "{\"state\":\"Resumed\"}", STATE_TIMEOUT_S);
	if (ret || !o.stop)
		return ret;
	stop = (struct signal_opts){ .target = o.target, .wait = true,
				     .timeout = SIGNAL_DEFAULT_TIMEOUT };
	return signal_vm("snapshot", &stop, SIGTERM);
}
