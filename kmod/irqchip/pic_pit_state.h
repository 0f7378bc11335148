/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pic_pit_state.c: VMCTL_GET_PIC_PIT and VMCTL_SET_PIC_PIT's struct
 * vmctl_pic_pit_state to and from the models pic_pit.c holds.
 */
#ifndef VMCTL_IRQCHIP_PIC_PIT_STATE_H
#define VMCTL_IRQCHIP_PIC_PIT_STATE_H

#include <linux/vmctl.h>

struct vmk_vm;

/* -ENXIO without the PIC and PIT; set: -EINVAL, nothing changed. */
int vmctl_pic_pit_get_state(struct vmk_vm *vm,
			    struct vmctl_pic_pit_state *st);
int vmctl_pic_pit_set_state(struct vmk_vm *vm,
			    const struct vmctl_pic_pit_state *st);

#endif /* VMCTL_IRQCHIP_PIC_PIT_STATE_H */
