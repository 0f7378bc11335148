/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands that look at every VM on the host through libvmctl's
 * netlink view: ps, stats, stop, kill, events.  Parse and print functions
 * are pure (a FILE * to print to) so the unit tests call them directly.
 */
#ifndef VMCTL_CLI_VMVIEW_H
#define VMCTL_CLI_VMVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <vmctl/libvmctl.h>

#include "vmctl.h"

int cmd_ps(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_events(int argc, char **argv);
/* pause and resume, by argv[0]. */
int cmd_state(int argc, char **argv);
int cmd_balloon(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_migrate(int argc, char **argv);

/* cmd_ps.c */
struct ps_opts {
	bool json;
};

enum parse_result ps_parse(int argc, char **argv, struct ps_opts *o);
/* "16M", "1.5G", "512": the largest unit of 1024 that fits. */
const char *format_size(uint64_t bytes, char *buf, size_t len);
/* "42s", "3m05s", "2h03m", "4d02h". */
const char *format_duration(uint64_t secs, char *buf, size_t len);
/*
 * sockets[i]: the control socket of vms[i] (control.h) when this user's
 * runtime directory has one, else NULL; sockets may be NULL.
 */
void ps_print(FILE *f, const struct vmctl_vm_status *vms, size_t nr,
	      char *const *sockets, bool json);

/* vm_target.c: the NAME|ID argument of stats, stop and kill. */
enum vm_target_result { TARGET_FOUND, TARGET_NONE, TARGET_AMBIGUOUS };

/*
 * An id when arg is a number naming a VM, else the one VM named arg.
 * *idx is the VM's index in vms.
 */
enum vm_target_result vm_target_find(const struct vmctl_vm_status *vms,
				     size_t nr, const char *arg, size_t *idx);
/* List, find, and on failure say why ("no such VM", ...): EXIT_* */
int vm_target_lookup(const char *cmd, const char *arg,
		     struct vmctl_vm_status *vm);

/* cmd_stats.c */
struct stats_opts {
	const char *target;
	bool json;
	bool watch;
	double interval;	/* seconds between refreshes */
};

#define STATS_DEFAULT_INTERVAL	2.0

enum parse_result stats_parse(int argc, char **argv, struct stats_opts *o);
struct device_counters;
/* dc: the devices' counters (device_stats.h), or NULL. */
void stats_print(FILE *f, const struct vmctl_vm_stats *s,
		 const struct device_counters *dc, bool json);

/* signal_vm.c: stop and kill, which differ in their signal and text. */
struct signal_opts {
	const char *target;
	bool wait;
	double timeout;		/* seconds to wait for the owner to exit */
};

#define SIGNAL_DEFAULT_TIMEOUT	10.0
/* The end of their --help: options and exit status. */
#define SIGNAL_HELP_TAIL \
"Options:\n" \
"  -t, --timeout SECONDS  how long to wait for the owner to exit\n" \
"                         (default 10, decimals allowed)\n" \
"  -n, --no-wait          return once the signal is sent\n" \
"  -h, --help             show this help\n" \
"\n" \
"Exit status: 0 the owner exited (or the VM was already gone), 1 no such\n" \
"VM, not permitted, module not loaded, or the owner still running at the\n" \
"timeout, 2 bad command line.\n"

enum parse_result signal_parse(const char *cmd, int argc, char **argv,
			       struct signal_opts *o);
/* Send sig to the VM's owner and wait for it to exit: EXIT_* */
int signal_vm(const char *cmd, const struct signal_opts *o, int sig);
/* A whole command: options (usage for --help), then signal_vm(). */
int signal_command(const char *cmd, const char *usage, int sig, int argc,
		   char **argv);

/* vm_control.c: pause, resume, snapshot through the control socket. */
#define STATE_TIMEOUT_S		10	/* a pause waits for requests in flight */

/* Options -h only, then NAME|ID and, when arg is not NULL, one more. */
enum parse_result target_parse(const char *cmd, int argc, char **argv,
			       const char **target, const char **arg);
/*
 * One request to VM target's control socket; its fault message, if it
 * failed, on stderr.  EXIT_*.
 */
int vm_control(const char *cmd, const char *target, const char *method,
	       const char *path, const char *body, unsigned int timeout_s);
/* The same, the reply's body (malloc'd) into *answer on success. */
int vm_control_answer(const char *cmd, const char *target,
		      const char *method, const char *path, const char *body,
		      unsigned int timeout_s, char **answer);
/* cmd_balloon.c: NAME|ID and the balloon's size in bytes. */
enum parse_result balloon_parse(int argc, char **argv, const char **target,
				uint64_t *size);

/* cmd_snapshot.c */
struct snapshot_opts {
	const char *target;
	const char *file;
	bool stop;
};

enum parse_result snapshot_parse(int argc, char **argv,
				 struct snapshot_opts *o);

/* cmd_migrate.c */
struct migrate_opts {
	const char *target;
	const char *addr;
	uint64_t max_rounds;		/* 0: libvmctl's default */
	uint64_t max_final_pages;	/* 0: libvmctl's default */
	uint64_t max_downtime_ms;	/* 0: libvmctl's default */
	uint64_t timeout_s;		/* 0: libvmctl's default */
	uint64_t max_bandwidth;		/* bytes a second; 0: no limit */
	bool no_auto_converge;
};

enum parse_result migrate_parse(int argc, char **argv,
				struct migrate_opts *o);

/* cmd_events.c */
struct events_opts {
	bool json;
	unsigned long count;	/* 0: no limit */
	double timeout;		/* seconds; 0: none */
};

enum parse_result events_parse(int argc, char **argv, struct events_opts *o);
void event_print(FILE *f, const struct vmctl_event *e, bool json);

/* seconds.c: a positive number of seconds of at most a day ("0.5", "10"). */
int parse_seconds(const char *s, double *out);
/* The same for the value arg of option opt, with cmd's usage errors. */
enum parse_result seconds_option(const char *cmd, const char *opt,
				 const char *arg, double *out);

#endif /* VMCTL_CLI_VMVIEW_H */
