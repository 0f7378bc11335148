/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmctl command line: shared declarations.  Each command lives in its
 * own cmd_<name>.c with a parse function (pure, unit-tested) and a run
 * function; main.c holds the dispatch table.
 */
#ifndef VMCTL_CLI_H
#define VMCTL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vmctl/libvmctl.h>

#define VMCTL_CLI_VERSION	"0.1.0"
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Exit statuses, documented in vmctl(1) and `vmctl run --help`. */
enum {
	EXIT_OK = 0,		/* guest powered off or halted */
	EXIT_ERROR = 1,		/* vmctl failed (module, file, image, ioctl) */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_GUEST_SHUTDOWN = 3,/* triple fault */
	EXIT_ENTRY_FAILED = 4,	/* VM entry failed */
	EXIT_MODULE_ERROR = 5,	/* the module reported an internal error */
	EXIT_STOPPED = 6,	/* stopped by Ctrl-A x or a signal */
};

/* What a parse function found. */
enum parse_result { PARSE_OK, PARSE_HELP, PARSE_ERROR };

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Where error messages go (stderr; tests point it at a buffer). */
extern FILE *cli_err;

/* parse.c: numbers and sizes.  Return 0, -EINVAL (syntax) or -ERANGE. */
int parse_u64(const char *s, uint64_t *out);
int parse_size(const char *s, uint64_t *out);

/* report.c: messages in one format. */
enum parse_result usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An unknown option or a missing value, as getopt_long reported it. */
enum parse_result getopt_error(const char *cmd, int opt, char **argv);
/* Options of a command whose only option is -j/--json (and -h/--help). */
enum parse_result json_only_parse(const char *cmd, int argc, char **argv,
				  bool *json);
/* After parsing: -1 to go on, else the exit status (--help printed). */
int parse_exit(enum parse_result r, const char *usage);
/* "vmctl CMD: <message>"; returns EXIT_ERROR. */
int cli_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "vmctl CMD: <what>: <library error text> (<detail>)"; returns EXIT_ERROR. */
int lib_error(const char *cmd, const char *what, int err);

/* json.c: s as a JSON string literal, escaped per RFC 8259. */
void json_string(FILE *f, const char *s);

/* vmx_cpus.c: VMX state per CPU, as vmctl info lines or a JSON member. */
struct vmctl_vmx_cpus;
void vmx_cpus_print_text(FILE *f, const struct vmctl_vmx_cpus *c);
void vmx_cpus_print_json(FILE *f, const struct vmctl_vmx_cpus *c);

/* The commands. */
int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* cmd_run.c: parsed options of `vmctl run`. */
#define RUN_MAX_DISKS		16
#define RUN_MAX_NETS		8

struct run_opts {
	const char *name;
	uint64_t mem;
	bool mem_prealloc;	/* VMCTL_MEM_PREFAULT: all RAM mapped at start */
	unsigned int cpus;
	const char *image;	/* flat binary */
	const char *elf;
	uint64_t load;		/* VMCTL_ENTRY_DEFAULT: not given */
	uint64_t entry;
	const char *kernel;	/* Linux bzImage */
	const char *initrd;
	const char *cmdline;	/* NULL: run_default_cmdline */
	const char *console;	/* log file for guest output */
	bool no_reboot;		/* a Linux guest's reset ends the run */
	bool no_paravirt;	/* no KVM leaves in CPUID: a plain PC */
	bool pic_pit;		/* the 8259s and 8254, full ACPI */
	const char *pic_pit_word;	/* the cmdline word that asked for them */
	struct vmctl_disk disks[RUN_MAX_DISKS];	/* path and serial: malloc'd */
	unsigned int nr_disks;
	bool rng;
	struct vmctl_net nets[RUN_MAX_NETS];	/* tap: malloc'd; mac: macs[i] */
	unsigned char macs[RUN_MAX_NETS][6];
	unsigned int nr_nets;
	bool has_balloon;
	struct vmctl_balloon balloon;
	bool no_merge;		/* guest RAM not MADV_MERGEABLE */
	const char *restore;	/* a snapshot to start from */
	const char *incoming;	/* [tcp:][HOST:]PORT a migration comes to */
};

#define RUN_DEFAULT_MEM		(16ULL << 20)
#define RUN_DEFAULT_LINUX_MEM	(256ULL << 20)
extern const char run_default_cmdline[];

enum parse_result run_parse(int argc, char **argv, struct run_opts *o);
/*
 * cmdline_warn.c: the first word of a Linux command line that needs the
 * 8259 PICs and 8254 PIT, or NULL.
 */
const char *run_cmdline_pic_pit(const char *cmdline);
/* balloon_opts.c: --balloon's argument into o. */
enum parse_result parse_balloon(const char *arg, struct run_opts *o);
/* Whether a VM that ended this way boots again (a Linux guest's reset). */
struct vmctl_vm_end;
bool run_boots_again(const struct run_opts *o, const struct vmctl_vm_end *end);

/* cmd_info.c */
struct info_opts {
	bool json;
};

enum parse_result info_parse(int argc, char **argv, struct info_opts *o);
enum parse_result version_parse(int argc, char **argv);

#endif /* VMCTL_CLI_H */
