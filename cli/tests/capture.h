/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the option-parsing tests: cmocka setup/teardown that send the CLI's
 * error messages (cli_err) to a buffer, the text so far, and argv literals.
 * Static: each test program includes it once.
 */
#ifndef VMCTL_CLI_TESTS_CAPTURE_H
#define VMCTL_CLI_TESTS_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "vmctl.h"

static char *errbuf;
static size_t errlen;

static int capture(void **state)
{
	(void)state;
	cli_err = open_memstream(&errbuf, &errlen);
	return cli_err ? 0 : -1;
}

static int release(void **state)
{
	(void)state;
	fclose(cli_err);
	cli_err = NULL;
	free(errbuf);
	errbuf = NULL;
	return 0;
}

/* The error output so far. */
static const char *errors(void)
{
	fflush(cli_err);
	return errbuf;
}

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))

#endif /* VMCTL_CLI_TESTS_CAPTURE_H */
