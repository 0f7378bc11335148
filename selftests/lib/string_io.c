// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "string_io.h"
#include "ucall.h"

int string_io(struct vcpu *vcpu, int dir, uint16_t port, uint8_t size,
	      uint8_t *buf, size_t cap, size_t *len)
{
	struct vmctl_run *run = vcpu->run;
	int exits = 0;

	*len = 0;
	for (;;) {
		uint8_t *data;
		size_t n;

		if (vcpu_run(vcpu))
			return -1;
		if (exit_is_ucall(run))
			return exits;
		if (run->exit_reason != VMCTL_EXIT_IO ||
		    run->io.direction != dir || run->io.port != port ||
		    run->io.size != size)
			return -1;
		n = (size_t)run->io.count * size;
		if (*len + n > cap)
			return -1;
		data = (uint8_t *)run + run->io.data_offset;
		if (dir == VMCTL_IO_OUT)
			memcpy(buf + *len, data, n);
		else
			memcpy(data, buf + *len, n);
		*len += n;
		exits++;
	}
}
