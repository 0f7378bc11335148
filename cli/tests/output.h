/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the output tests: cmocka setup/teardown that give the code under
 * test a FILE (f) writing to a buffer, and the text so far.  Static: each
 * test program includes it once.
 */
#ifndef VMCTL_CLI_TESTS_OUTPUT_H
#define VMCTL_CLI_TESTS_OUTPUT_H

#include <stdio.h>
#include <stdlib.h>

static char *out;
static size_t outlen;
static FILE *f;

static int open_out(void **state)
{
	(void)state;
	f = open_memstream(&out, &outlen);
	return f ? 0 : -1;
}

static int close_out(void **state)
{
	(void)state;
	fclose(f);
	free(out);
	out = NULL;
	return 0;
}

/* The output so far. */
static const char *output(void)
{
	fflush(f);
	return out;
}

#endif /* VMCTL_CLI_TESTS_OUTPUT_H */
