// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - a simulated hardware event source, /dev/hwevent
 *
 * The Linux counterpart of the Windows WDM "event" sample. A program
 * registers for one event with HWEVENT_IOC_REGISTER; the driver arms an
 * hrtimer, whose callback plays the device's interrupt (hard irq context on
 * non-RT kernels), and a bottom half plays the DPC that completes the
 * registration (a tasklet unless bottom_half picks another, bh.c): it
 * signals the caller's eventfd (Windows: KeSetEvent on an event handle),
 * wakes the caller sleeping in the ioctl (Windows: a pending IRP), or
 * queues a record of what happened and when for read(2) (queue.c;
 * Windows: a pending ReadFile). A periodic registration fires
 * every period; HWEVENT_IOC_TRIGGER fires registrations at once.
 *
 * The device is in several files, one concern each:
 *  - device.c (this file): the misc device and its file operations: open,
 *    release, ioctl, read, poll, fasync; module init and exit
 *  - device.h: the open file and the registration, and the rules by which
 *    the contexts share them (who owns a registration, who takes a lock)
 *  - registration.c: a registration made, armed, fired early, cancelled,
 *    ended exactly once and freed: the REGISTER, CANCEL and TRIGGER ioctls
 *  - pending.c, eventfd.c, queue.c, uring.c: the ways of being told:
 *    asleep in the ioctl (PENDING), an eventfd (EVENTFD), read(2) of a
 *    queue of records (QUEUE), the completion of an io_uring command
 *  - interrupt.c: the simulated interrupt (an hrtimer) and what the
 *    bottom half delivers; bh.c: the kinds of bottom half
 *  - budget.c: what one user may ask for; stats.c: debugfs counters;
 *    param.c: bounded module parameters; compat.h: older kernels
 *  - echo.c, echo_queue.c: /dev/hwecho, the KMDF echo sample, a second
 *    device
 *  - edu.c: a real interrupt, from QEMU's edu PCI device, for the
 *    registrations that ask for it
 */

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>

#include <linux/hwevent.h>

#include "budget.h"
#include "bh.h"
#include "compat.h"
#include "device.h"
#include "echo.h"
#include "edu.h"
#include "param.h"
#include "queue.h"
#include "uring.h"

/* The uAPI must not depend on the caller's word size: see hwevent.h. */
static_assert(sizeof(struct hwevent_event) == 0x40);
static_assert(sizeof(struct hwevent_register) == 0x88);
static_assert(offsetof(struct hwevent_register, id) == 0x40);
static_assert(offsetof(struct hwevent_register, event) == 0x48);
static_assert(IS_ALIGNED(sizeof(struct hwevent_register), 8));
static_assert(sizeof(struct hwevent_cancel) == 0x20);
/* Trigger and cancel select registrations alike: see hwevent_select. */
static_assert(sizeof(struct hwevent_trigger) == sizeof(struct hwevent_cancel));
static_assert(offsetof(struct hwevent_trigger, count) ==
	      offsetof(struct hwevent_cancel, count));
static_assert(HWEVENT_TRIGGER_ALL == HWEVENT_CANCEL_ALL);
static_assert(HWEVENT_TRIGGER_COOKIE == HWEVENT_CANCEL_COOKIE);

static unsigned int queue_size = 64;

HWEVENT_PARAM_RANGE(queue_size, queue_size, 1, HWEVENT_QUEUE_MAX);
MODULE_PARM_DESC(queue_size,
		 "Records the queue of each open file holds, read at open (default 64, 1 to 262144)");

/* Open files numbered for the trace events: their pointers are hashed. */
static atomic_t hwevent_trace_files = ATOMIC_INIT(0);

/* This file makes the trace events: define_trace.h includes trace.h. */
#define CREATE_TRACE_POINTS
#include "trace.h"

static long hwevent_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct hwevent_file *hfile = file->private_data;

	switch (cmd) {
	case HWEVENT_IOC_REGISTER:
		return hwevent_ioctl_register(hfile, (void __user *)arg);
	case HWEVENT_IOC_CANCEL:
		return hwevent_ioctl_select(hfile, (void __user *)arg,
					    hwevent_reg_cancel);
	case HWEVENT_IOC_TRIGGER:
		return hwevent_ioctl_select(hfile, (void __user *)arg,
					    hwevent_reg_trigger);
	default:
		return -ENOIOCTLCMD;
	}
}

/* Windows: IRP_MJ_CREATE, with the per-open context in FsContext. */
static int hwevent_open(struct inode *inode, struct file *file)
{
	struct hwevent_file *hfile;
	int ret;

	hfile = kzalloc(sizeof(*hfile), GFP_KERNEL_ACCOUNT);
	if (!hfile)
		return -ENOMEM;

	/* Charged to whoever opened it, as epoll charges its creator. */
	hfile->user = hwevent_user_get(current_euid());
	if (IS_ERR(hfile->user)) {
		ret = PTR_ERR(hfile->user);
		goto out_free;
	}

	ret = hwevent_queue_init(&hfile->queue, READ_ONCE(queue_size));
	if (ret)
		goto out_put_user;

	spin_lock_init(&hfile->lock);
	mutex_init(&hfile->select_lock);
	INIT_LIST_HEAD(&hfile->armed);
	INIT_LIST_HEAD(&hfile->bh_pending);
	INIT_LIST_HEAD(&hfile->parked);
	INIT_LIST_HEAD(&hfile->watches);
	mutex_init(&hfile->watch_lock);
	INIT_LIST_HEAD(&hfile->detached);
	INIT_LIST_HEAD(&hfile->dev_fired);
	hwevent_bh_init(&hfile->bh, hwevent_bh_param(), hwevent_bh);
	hrtimer_setup(&hfile->bh_delay, hwevent_bh_delay_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	hfile->trace_id = atomic_inc_return(&hwevent_trace_files);

	/* misc_open() left our miscdevice here; we need the file's own. */
	file->private_data = hfile;
	/* read() honours IOCB_NOWAIT: io_uring may poll, not park a thread. */
	file->f_mode |= FMODE_NOWAIT;

	return stream_open(inode, file);

out_put_user:
	hwevent_user_put(hfile->user);
out_free:
	kfree(hfile);
	return ret;
}

/*
 * Last close (Windows: IRP_MJ_CLEANUP and IRP_MJ_CLOSE in one). No ioctl
 * can be running, as each holds a reference to the file, so no PENDING
 * registration exists; only the timers and the bottom half still touch
 * @hfile. Drop every armed registration and stop its timer; those whose
 * interrupt already ran are on @bh_pending and end as completed, so let the
 * bottom half finish them; then free: nothing is signalled after this
 * returns.
 */
static int hwevent_release(struct inode *inode, struct file *file)
{
	struct hwevent_file *hfile = file->private_data;
	struct hwevent_reg *reg, *tmp;
	unsigned int nr_dropped = 0;
	LIST_HEAD(dropped);
	LIST_HEAD(todo);
	unsigned int n;

	/* A few at a time, as in hwevent_ioctl_select(). */
	spin_lock_irq(&hfile->lock);
	list_splice_init(&hfile->armed, &todo);
	/* PENDING ones of stopped callers (a sleeper holds the file). */
	list_splice_init(&hfile->detached, &todo);
	while (!list_empty(&todo)) {
		for (n = 0; n < HWEVENT_BATCH &&
		     (reg = list_first_entry_or_null(&todo, struct hwevent_reg,
						     node)); n++) {
			/*
			 * A stopped caller's restart will find the descriptor
			 * gone (EBADF): for it, the wait was interrupted.
			 */
			if (reg->mode == HWEVENT_MODE_PENDING) {
				hwevent_reg_end(hfile, reg, HWEVENT_INTERRUPTED);
			} else {
				hwevent_reg_end(hfile, reg, HWEVENT_DROPPED);
				nr_dropped++;
			}
			list_move_tail(&reg->node, &dropped);
		}
		spin_unlock_irq(&hfile->lock);

		list_for_each_entry_safe(reg, tmp, &dropped, node) {
			/*
			 * Windows: KeCancelTimer(); hwevent_reg_free() also
			 * waits for a callback that is running, which sees
			 * HWEVENT_DROPPED.
			 */
			hwevent_reg_free(reg);
		}
		INIT_LIST_HEAD(&dropped);
		cond_resched();

		spin_lock_irq(&hfile->lock);
	}
	spin_unlock_irq(&hfile->lock);
	trace_hwevent_release(hfile->trace_id, nr_dropped);

	/* A bottom half test_bh_delay_us holds back: run it now. */
	if (hrtimer_cancel(&hfile->bh_delay))
		hwevent_bh_schedule(&hfile->bh);
	/*
	 * No timer of this file can schedule the bottom half any more, and
	 * hwevent_bh_flush() lets a scheduled run finish first (Windows:
	 * KeFlushQueuedDpcs()), so every fired registration is completed.
	 */
	hwevent_bh_flush(&hfile->bh);
	WARN_ON_ONCE(!list_empty(&hfile->bh_pending) ||
		     !list_empty(&hfile->parked) ||
		     !list_empty(&hfile->dev_fired) || hfile->nr_live);
	hwevent_queue_destroy(&hfile->queue);
	hwevent_user_put(hfile->user);
	WARN_ON_ONCE(!list_empty(&hfile->watches));
	mutex_destroy(&hfile->watch_lock);
	mutex_destroy(&hfile->select_lock);
	kfree(hfile);

	return 0;
}

/* Windows: IRP_MJ_READ; the records of QUEUE registrations, see queue.c. */
static ssize_t hwevent_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct hwevent_file *hfile = iocb->ki_filp->private_data;
	ssize_t ret;

	ret = hwevent_queue_read(&hfile->queue, iocb, to);
	/* Records taken make room for the expiries waiting for it. */
	hwevent_unpark(hfile);
	return ret;
}

static __poll_t hwevent_poll(struct file *file, poll_table *wait)
{
	struct hwevent_file *hfile = file->private_data;

	return hwevent_queue_poll(&hfile->queue, file, wait);
}

static int hwevent_fasync(int fd, struct file *file, int on)
{
	struct hwevent_file *hfile = file->private_data;

	return hwevent_queue_fasync(&hfile->queue, fd, file, on);
}

static const struct file_operations hwevent_fops = {
	.owner		= THIS_MODULE,
	.open		= hwevent_open,
	.release	= hwevent_release,
	.read_iter	= hwevent_read_iter,
	.poll		= hwevent_poll,
	.fasync		= hwevent_fasync,
	.unlocked_ioctl	= hwevent_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
#ifdef HWEVENT_HAVE_URING_CMD
	.uring_cmd	= hwevent_uring_cmd,
#endif
};

/* Windows: IoCreateDevice() and IoCreateSymbolicLink(). */
static struct miscdevice hwevent_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hwevent",
	.fops	= &hwevent_fops,
	.mode	= 0600,
};

static int __init hwevent_init(void)
{
	int ret;

	hwevent_reg_cache = KMEM_CACHE(hwevent_reg, SLAB_ACCOUNT);
	if (!hwevent_reg_cache)
		return -ENOMEM;

	ret = hwevent_bh_setup();
	if (ret)
		goto out_cache;

	ret = misc_register(&hwevent_misc);
	if (ret)
		goto out_bh;

	ret = hwecho_init();
	if (ret)
		goto out_misc;

	/* Binds the edu device now, if there is one. */
	ret = hwevent_edu_init();
	if (ret)
		goto out_echo;

	hwevent_stats_init();

	return 0;

out_echo:
	hwecho_exit();
out_misc:
	misc_deregister(&hwevent_misc);
out_bh:
	hwevent_bh_cleanup();
out_cache:
	kmem_cache_destroy(hwevent_reg_cache);
	return ret;
}

/*
 * fops.owner keeps the module loaded while any file is open, and release
 * stops every timer and bottom half of its file before it returns, so no
 * timer or bottom half of ours is queued or running by now (the workqueue
 * of bottom_half=thread is empty): unlike the Windows sample's Unload,
 * which flushed nothing.
 */
static void __exit hwevent_exit(void)
{
	hwevent_stats_exit();
	/* No file is open: no registration is on the device. */
	hwevent_edu_exit();
	hwecho_exit();
	misc_deregister(&hwevent_misc);
	WARN_ON_ONCE(atomic_read(&hwevent_live) ||
		     atomic_read(&hwevent_eventfd_refs));
	hwevent_bh_cleanup();
	kmem_cache_destroy(hwevent_reg_cache);
}

module_init(hwevent_init);
module_exit(hwevent_exit);

MODULE_DESCRIPTION("Simulated hardware event source: eventfd, pending-request and read() notification; and /dev/hwecho, the KMDF echo sample");
MODULE_AUTHOR("hwevent developers");
MODULE_LICENSE("GPL");
