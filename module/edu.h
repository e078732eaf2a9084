/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - the PCI device as an interrupt source (edu.c): what the rest of
 * the driver calls. Without PCI support every call is a stub and
 * HWEVENT_REGISTER_DEVICE fails with ENODEV.
 */
#ifndef _HWEVENT_EDU_H
#define _HWEVENT_EDU_H

#include <linux/seq_file.h>
#include <linux/types.h>

struct hwevent_file;
struct hwevent_reg;

/**
 * enum hwevent_dev_state - where a device registration is, on the device's
 *	side; under hwevent_edu_lock
 * @HWEVENT_DEV_NONE: on no list: not a device registration, or forgotten
 * @HWEVENT_DEV_ARMED: on the device's list, its timer counting down
 * @HWEVENT_DEV_RAISED: the device was told to interrupt (or to DMA) for it
 * @HWEVENT_DEV_FIRED: the interrupt handler took it: on its file's
 *	dev_fired, for the bottom half
 * @HWEVENT_DEV_GONE: the device went away first: on its file's dev_fired,
 *	for the bottom half to end it
 */
enum hwevent_dev_state {
	HWEVENT_DEV_NONE,
	HWEVENT_DEV_ARMED,
	HWEVENT_DEV_RAISED,
	HWEVENT_DEV_FIRED,
	HWEVENT_DEV_GONE,
};

#if IS_ENABLED(CONFIG_PCI)
int hwevent_edu_attach(struct hwevent_reg *reg);
void hwevent_edu_raise(struct hwevent_reg *reg, u32 flags);
void hwevent_edu_collect(struct hwevent_file *hfile);
void hwevent_edu_call_resumed(struct hwevent_file *hfile,
			      struct hwevent_reg *reg);
void hwevent_edu_forget(struct hwevent_reg *reg);
void hwevent_edu_stats_show(struct seq_file *m);
int hwevent_edu_init(void);
void hwevent_edu_exit(void);
#else
static inline int hwevent_edu_attach(struct hwevent_reg *reg)
{
	return -ENODEV;
}

static inline void hwevent_edu_raise(struct hwevent_reg *reg, u32 flags) {}
static inline void hwevent_edu_collect(struct hwevent_file *hfile) {}
static inline void hwevent_edu_call_resumed(struct hwevent_file *hfile,
					    struct hwevent_reg *reg) {}
static inline void hwevent_edu_forget(struct hwevent_reg *reg) {}
static inline void hwevent_edu_stats_show(struct seq_file *m) {}
static inline int hwevent_edu_init(void)
{
	return 0;
}

static inline void hwevent_edu_exit(void) {}
#endif

#endif /* _HWEVENT_EDU_H */
