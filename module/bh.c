// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - the bottom half of an open file: a tasklet, a BH work item or
 * a work item on a high-priority workqueue, behind one interface (bh.h).
 *
 * Windows offers the same three: a DPC (KeInsertQueueDpc), a threaded DPC
 * (KeInitializeThreadedDpc, which runs at PASSIVE_LEVEL in a real-time
 * thread) and a work item (IoQueueWorkItem).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "bh.h"
#include "compat.h"

static const char * const hwevent_bh_names[HWEVENT_BH_NR_KINDS] = {
	[HWEVENT_BH_TASKLET]	= "tasklet",
	[HWEVENT_BH_BH_WORK]	= "bh_work",
	[HWEVENT_BH_THREAD]	= "thread",
};

/*
 * bottom_half=thread: one workqueue for the module, created at load. Not
 * ordered and bound to CPUs (WQ_PERCPU, see compat.h): a work item runs on the CPU that queued it
 * (the interrupt's, as a threaded irq handler would), in a kworker at
 * nice -20 (WQ_HIGHPRI), and never on two CPUs at once.
 */
static struct workqueue_struct *hwevent_bh_wq;

const char *hwevent_bh_kind_name(enum hwevent_bh_kind kind)
{
	return kind < HWEVENT_BH_NR_KINDS ? hwevent_bh_names[kind] : "?";
}

/*
 * A value written to bottom_half (a trailing newline allowed): a kind this
 * kernel has, else -EINVAL, saying why when the kernel lacks it.
 */
static int hwevent_bh_parse(const char *val, enum hwevent_bh_kind *kind)
{
	int i;

	for (i = 0; i < HWEVENT_BH_NR_KINDS; i++)
		if (sysfs_streq(val, hwevent_bh_names[i]))
			break;
	if (i == HWEVENT_BH_NR_KINDS)
		return -EINVAL;
#ifndef HWEVENT_HAVE_SYSTEM_BH_WQ
	if (i == HWEVENT_BH_BH_WORK) {
		pr_warn_ratelimited("bottom_half=bh_work needs BH workqueues (system_bh_wq, Linux 6.9), which this kernel lacks: use tasklet or thread\n");
		return -EINVAL;
	}
#endif
	*kind = i;
	return 0;
}

/* An enum hwevent_bh_kind; a kind this kernel lacks is refused (EINVAL). */
static unsigned int bottom_half = HWEVENT_BH_TASKLET;

static int hwevent_bottom_half_set(const char *val,
				   const struct kernel_param *kp)
{
	enum hwevent_bh_kind kind;
	int ret;

	ret = hwevent_bh_parse(val, &kind);
	if (ret)
		return ret;
	WRITE_ONCE(*(unsigned int *)kp->arg, kind);
	return 0;
}

static int hwevent_bottom_half_get(char *buffer, const struct kernel_param *kp)
{
	return scnprintf(buffer, PAGE_SIZE, "%s\n",
			 hwevent_bh_kind_name(READ_ONCE(*(unsigned int *)kp->arg)));
}

static const struct kernel_param_ops hwevent_bottom_half_ops = {
	.set = hwevent_bottom_half_set,
	.get = hwevent_bottom_half_get,
};

module_param_cb(bottom_half, &hwevent_bottom_half_ops, &bottom_half, 0644);
MODULE_PARM_DESC(bottom_half,
		 "The bottom half of each open file of /dev/hwevent and /dev/hwecho, read at open: tasklet (default; a DPC), bh_work (kernels with system_bh_wq, 6.9+) or thread (a high-priority kworker; a threaded DPC)");

/* The kind bottom_half names now: a file opening takes it. */
enum hwevent_bh_kind hwevent_bh_param(void)
{
	return READ_ONCE(bottom_half);
}

static void hwevent_bh_tasklet_fn(struct tasklet_struct *t)
{
	struct hwevent_bh *bh = from_tasklet(bh, t, tasklet);

	bh->fn(bh);
}

static void hwevent_bh_work_fn(struct work_struct *work)
{
	struct hwevent_bh *bh = container_of(work, struct hwevent_bh, work);

	bh->fn(bh);
}

/* @kind must be one hwevent_bh_parse() accepted. */
void hwevent_bh_init(struct hwevent_bh *bh, enum hwevent_bh_kind kind,
		     void (*fn)(struct hwevent_bh *bh))
{
	bh->kind = kind;
	bh->fn = fn;
	if (kind == HWEVENT_BH_TASKLET)
		tasklet_setup(&bh->tasklet, hwevent_bh_tasklet_fn);
	else
		INIT_WORK(&bh->work, hwevent_bh_work_fn);
}

/*
 * Run @bh soon; any context, hard irq included (Windows: KeInsertQueueDpc,
 * IoQueueWorkItem). On the CPU that calls it.
 */
void hwevent_bh_schedule(struct hwevent_bh *bh)
{
	switch (bh->kind) {
	case HWEVENT_BH_TASKLET:
		tasklet_schedule(&bh->tasklet);
		break;
#ifdef HWEVENT_HAVE_SYSTEM_BH_WQ
	case HWEVENT_BH_BH_WORK:
		queue_work(system_bh_wq, &bh->work);
		break;
#endif
	case HWEVENT_BH_THREAD:
		queue_work(hwevent_bh_wq, &bh->work);
		break;
	default:
		WARN_ON_ONCE(1);	/* hwevent_bh_parse() refused it */
	}
}

/*
 * Process context, once nothing schedules @bh any more: a run scheduled
 * before is not dropped but waited for, so that what it owns is completed;
 * then none is pending or running (Windows: KeFlushQueuedDpcs). For a work
 * item that is flush_work(): cancel_work_sync() would drop the run.
 */
void hwevent_bh_flush(struct hwevent_bh *bh)
{
	if (bh->kind == HWEVENT_BH_TASKLET)
		tasklet_kill(&bh->tasklet);
	else
		flush_work(&bh->work);
}

/* At module load: the workqueue of bottom_half=thread. */
int hwevent_bh_setup(void)
{
	hwevent_bh_wq = alloc_workqueue("hwevent_bh", WQ_HIGHPRI | WQ_PERCPU, 0);
	return hwevent_bh_wq ? 0 : -ENOMEM;
}

/* At module unload, every file released: nothing is queued. */
void hwevent_bh_cleanup(void)
{
	destroy_workqueue(hwevent_bh_wq);
}
