// SPDX-License-Identifier: GPL-2.0
/* Error messages of every command, in one format. */
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include <vmctl/libvmctl.h>

#include "vmctl.h"

FILE *cli_err;

static FILE *err_stream(void)
{
	return cli_err ? cli_err : stderr;
}

/* "vmctl CMD: <message>" without the newline. */
static void vsay(FILE *f, const char *cmd, const char *fmt, va_list ap)
{
	fprintf(f, "vmctl %s: ", cmd);
	vfprintf(f, fmt, ap);
}

enum parse_result usage_error(const char *cmd, const char *fmt, ...)
{
	FILE *f = err_stream();
	va_list ap;

	va_start(ap, fmt);
	vsay(f, cmd, fmt, ap);
	va_end(ap);
	fprintf(f, "\nTry 'vmctl %s --help' for more information.\n", cmd);
	return PARSE_ERROR;
}

enum parse_result getopt_error(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		return usage_error(cmd, "option '%s' needs a value",
				   argv[optind - 1]);
	/* A long option given a value it takes none of sets optopt too. */
	if (optopt && strncmp(argv[optind - 1], "--", 2))
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int cli_error(const char *cmd, const char *fmt, ...)
{
	FILE *f = err_stream();
	va_list ap;

	va_start(ap, fmt);
	vsay(f, cmd, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	return EXIT_ERROR;
}

int lib_error(const char *cmd, const char *what, int err)
{
	const char *detail = vmctl_error_detail();
	FILE *f = err_stream();

	fprintf(f, "vmctl %s: ", cmd);
	if (what)
		fprintf(f, "%s: ", what);
	fprintf(f, "%s", vmctl_strerror(err));
	if (*detail)
		fprintf(f, " (%s)", detail);
	fputc('\n', f);
	return EXIT_ERROR;
}

enum parse_result json_only_parse(const char *cmd, int argc, char **argv,
				  bool *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			*json = true;
			break;
		case 'h':
			return PARSE_HELP;
		default:
			return getopt_error(cmd, opt, argv);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind]);
	return PARSE_OK;
}

int parse_exit(enum parse_result r, const char *usage)
{
	switch (r) {
	case PARSE_HELP:
		fputs(usage, stdout);
		return EXIT_OK;
	case PARSE_ERROR:
		return EXIT_USAGE;
	case PARSE_OK:
		break;
	}
	return -1;
}
