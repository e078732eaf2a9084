/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - the bottom half of an open file, one of three kinds
 *
 * What the simulated interrupt defers its work to, chosen per open file by
 * the module parameter bottom_half (read at open; hwevent_bh_param()):
 *
 *  - tasklet: softirq context (Windows: a DPC). Every kernel has it;
 *    include/linux/interrupt.h calls tasklets deprecated.
 *  - bh_work: a work item on system_bh_wq, a BH workqueue (6.9+): the same
 *    softirq context through the workqueue API upstream prefers.
 *  - thread: a work item on the module's WQ_HIGHPRI workqueue: process
 *    context, a kernel thread at nice -20 (Windows: a threaded DPC, or a
 *    work item), the shape of a threaded irq handler and what every bottom
 *    half becomes on PREEMPT_RT.
 *
 * hwevent_bh_schedule() may be called from any context, hard irq included;
 * a run scheduled while one is pending is merged into it, and a bottom half
 * never runs on two CPUs at once (tasklets and work items both promise it).
 */
#ifndef _HWEVENT_BH_H
#define _HWEVENT_BH_H

#include <linux/interrupt.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/**
 * enum hwevent_bh_kind - the kinds of bottom half, as bottom_half names them
 * @HWEVENT_BH_TASKLET: "tasklet", softirq
 * @HWEVENT_BH_BH_WORK: "bh_work", softirq through system_bh_wq (6.9+)
 * @HWEVENT_BH_THREAD: "thread", a high-priority kworker (process context)
 * @HWEVENT_BH_NR_KINDS: number of kinds
 */
enum hwevent_bh_kind {
	HWEVENT_BH_TASKLET,
	HWEVENT_BH_BH_WORK,
	HWEVENT_BH_THREAD,
	HWEVENT_BH_NR_KINDS
};

/**
 * struct hwevent_bh - a bottom half of one of the kinds
 * @kind: which one, fixed by hwevent_bh_init()
 * @tasklet: %HWEVENT_BH_TASKLET
 * @work: %HWEVENT_BH_BH_WORK and %HWEVENT_BH_THREAD
 * @fn: what it runs, with the &struct hwevent_bh it was scheduled on
 */
struct hwevent_bh {
	enum hwevent_bh_kind kind;
	union {
		struct tasklet_struct tasklet;
		struct work_struct work;
	};
	void (*fn)(struct hwevent_bh *bh);
};

enum hwevent_bh_kind hwevent_bh_param(void);
const char *hwevent_bh_kind_name(enum hwevent_bh_kind kind);
void hwevent_bh_init(struct hwevent_bh *bh, enum hwevent_bh_kind kind,
		     void (*fn)(struct hwevent_bh *bh));
void hwevent_bh_schedule(struct hwevent_bh *bh);
void hwevent_bh_flush(struct hwevent_bh *bh);
int hwevent_bh_setup(void);
void hwevent_bh_cleanup(void);

#endif /* _HWEVENT_BH_H */
