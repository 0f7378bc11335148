/*
 * Compile-only test: the public header in a strict C99 consumer
 * (-std=c99 -Wall -Wextra -pedantic -Werror), with no kernel headers.
 */
#include <vmctl/libvmctl.h>

int consumer(void);

int consumer(void)
{
	struct vmctl_vm_end end = { VMCTL_END_NONE, -1, 0, 0, 0, 0, 0, 0, "" };
	char buf[64];

	return vmctl_vm_end_describe(&end, buf, sizeof(buf)) != buf ||
	       VMCTL_HC_POWEROFF < VMCTL_HC_USER_BASE;
}
