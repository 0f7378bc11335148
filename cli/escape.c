// SPDX-License-Identifier: GPL-2.0
/*
 * Console escapes, as in QEMU: Ctrl-A x quits, Ctrl-A h lists the keys,
 * Ctrl-A Ctrl-A sends one Ctrl-A to the guest.  Pure, unit-tested.
 */
#include "console.h"

#define CTRL_A	0x01

size_t escape_filter(struct escape *e, const uint8_t *in, size_t n,
		     uint8_t *out, enum escape_action *action)
{
	size_t i, len = 0;

	*action = ESC_NONE;
	for (i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (!e->pending) {
			if (c == CTRL_A)
				e->pending = true;
			else
				out[len++] = c;
			continue;
		}
		e->pending = false;
		switch (c) {
		case CTRL_A:
			out[len++] = c;
			break;
		case 'x':
		case 'X':
			*action = ESC_QUIT;
			return len;	/* nothing after a quit matters */
		case 'h':
		case 'H':
		case '?':
			*action = ESC_HELP;
			break;
		default:	/* unknown escapes are dropped */
			break;
		}
	}
	return len;
}
