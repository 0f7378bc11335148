// SPDX-License-Identifier: LGPL-2.1-or-later
/* The tests' scratch files (tmp_file.h). */
#include <stdlib.h>
#include <unistd.h>

#include "tmp_file.h"

int tmp_file_make(char *template)
{
	int fd = mkstemp(template);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}
