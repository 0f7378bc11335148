/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit tests' scratch files for code that opens a path itself (the
 * device node, a snapshot): made empty in a cmocka setup, unlinked in
 * its teardown.  Linked into the tests that need one and into
 * fake_module.so.
 */
#ifndef VMCTL_TESTS_TMP_FILE_H
#define VMCTL_TESTS_TMP_FILE_H

/* An empty file named after template, mkstemp's "...XXXXXX", which gets
 * the name made: 0, or -1 with errno.
 */
int tmp_file_make(char *template);

#endif
