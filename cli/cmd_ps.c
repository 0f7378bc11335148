// SPDX-License-Identifier: GPL-2.0
/* vmctl ps: every VM on the host that you may see, one line each. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "vmview.h"

static const char ps_usage[] =
"usage: vmctl ps [--json]\n"
"\n"
"List the VMs running on this host, whichever process started them: id,\n"
"name, owner pid and uid, vCPUs, guest memory, state and uptime.  Root\n"
"(CAP_SYS_ADMIN) sees every VM, other users the VMs they created.\n"
"STATE is 'running' while a vCPU executes guest code (or did less than a\n"
"second ago), 'idle' otherwise (not started yet, or waiting).\n"
"\n"
"Options:\n"
"  -j, --json   a JSON array of objects instead of the table\n"
"  -h, --help   show this help\n"
"\n"
"Exit status: 0 listed (possibly nothing), 1 the module is not loaded or\n"
"cannot be asked, 2 bad command line.\n";

enum parse_result ps_parse(int argc, char **argv, struct ps_opts *o)
{
	*o = (struct ps_opts){ 0 };
	return json_only_parse("ps", argc, argv, &o->json);
}

const char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (u + 1 < (int)sizeof(units) - 1 && bytes >> (10 * (u + 2)))
		u++;
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, bytes);
	else if (bytes % (1ULL << (10 * (u + 1))) == 0)
		snprintf(buf, len, "%" PRIu64 "%c", bytes >> (10 * (u + 1)),
			 units[u]);
	else
		snprintf(buf, len, "%.1f%c",
			 (double)bytes / (double)(1ULL << (10 * (u + 1))),
			 units[u]);
	return buf;
}

const char *format_duration(uint64_t secs, char *buf, size_t len)
{
	if (secs < 60)
		snprintf(buf, len, "%" PRIu64 "s", secs);
	else if (secs < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", secs / 60,
			 secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", secs / 3600,
			 secs / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", secs / 86400,
			 secs / 3600 % 24);
	return buf;
}

static const char *state_name(enum vmctl_vm_state s)
{
	return s == VMCTL_VM_RUNNING ? "running" : "idle";
}

static void print_json(FILE *f, const struct vmctl_vm_status *vms, size_t nr,
		       char *const *sockets)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < nr; i++) {
		const struct vmctl_vm_status *v = &vms[i];

		fprintf(f, "%s{\"id\":%u,\"name\":", i ? "," : "", v->id);
		json_string(f, v->name);
		fprintf(f, ",\"owner_pid\":%d,\"owner_uid\":%u,\"vcpus\":%u,"
			"\"mem_bytes\":%" PRIu64 ",\"state\":\"%s\","
			"\"created\":%" PRId64 ",\"uptime_s\":%" PRIu64
			",\"control_socket\":",
			v->owner_pid, v->owner_uid, v->nr_vcpus, v->mem_bytes,
			state_name(v->state), v->created, v->uptime);
		if (sockets && sockets[i])
			json_string(f, sockets[i]);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputs("]\n", f);
}

void ps_print(FILE *f, const struct vmctl_vm_status *vms, size_t nr,
	      char *const *sockets, bool json)
{
	char mem[16], up[16];
	int w = 4;		/* strlen("NAME") */
	size_t i;

	if (json) {
		print_json(f, vms, nr, sockets);
		return;
	}
	for (i = 0; i < nr; i++)
		if ((int)strlen(vms[i].name) > w)
			w = strlen(vms[i].name);
	fprintf(f, "%-5s %-*s %7s %6s %5s %7s %-7s %-7s %s\n", "ID", w,
		"NAME", "PID", "UID", "VCPUS", "MEMORY", "STATE", "UPTIME",
		"SOCKET");
	for (i = 0; i < nr; i++) {
		const struct vmctl_vm_status *v = &vms[i];

		fprintf(f, "%-5u %-*s %7d %6u %5u %7s %-7s %-7s %s\n", v->id,
			w, v->name, v->owner_pid, v->owner_uid, v->nr_vcpus,
			format_size(v->mem_bytes, mem, sizeof(mem)),
			state_name(v->state),
			format_duration(v->uptime, up, sizeof(up)),
			sockets && sockets[i] ? sockets[i] : "-");
	}
}

/* VM id's control socket when one is there to connect to, else NULL. */
static char *control_socket_of(unsigned int id)
{
	char path[108];

	if (control_socket_path(id, path, sizeof(path)) ||
	    access(path, F_OK))
		return NULL;
	return strdup(path);
}

int cmd_ps(int argc, char **argv)
{
	struct vmctl_vm_status *vms;
	struct ps_opts o;
	char **sockets;
	size_t nr, i;
	int ret;

	ret = parse_exit(ps_parse(argc, argv, &o), ps_usage);
	if (ret >= 0)
		return ret;
	ret = vmctl_list_vms(&vms, &nr);
	if (ret)
		return lib_error("ps", NULL, ret);
	sockets = calloc(nr ? nr : 1, sizeof(*sockets));
	for (i = 0; sockets && i < nr; i++)
		sockets[i] = control_socket_of(vms[i].id);
	ps_print(stdout, vms, nr, sockets, o.json);
	for (i = 0; sockets && i < nr; i++)
		free(sockets[i]);
	free(sockets);
	free(vms);
	return EXIT_OK;
}
