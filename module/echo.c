// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - /dev/hwecho, the Linux counterpart of the KMDF "echo" sample
 *
 * The device keeps the data of the last write and gives it to every read.
 * Every request, read or write, blocking or not, joins one device-wide
 * queue in arrival order, and only its head is in the driver (Windows: a
 * sequential queue, WdfIoQueueDispatchSequential). A periodic hrtimer
 * plays the device (hard irq context on non-RT kernels): while the queue
 * is not empty it ticks every echo_period_us and schedules the bottom half
 * (bh.c; Windows: the timer's DPC) of the head's open file, which
 * completes the head if a tick came after it reached the head. Nothing
 * touches real hardware; the uAPI header says what a caller sees.
 *
 * A blocking call sleeps on its own request, on its stack, until the
 * bottom half completes it; a signal before then takes it out of the
 * queue (-ERESTARTSYS). A non-blocking call (O_NONBLOCK, IOCB_NOWAIT) uses
 * its file's reservation for its direction instead: it queues it and
 * fails with -EAGAIN, poll() reports the reservation completed, and the
 * next call of that direction takes it. That is how io_uring reads and
 * writes the device without a sleeping thread. A completed reservation no
 * call takes expires a period later; poll() then reports it lapsed, so
 * that a caller that polls too late calls again rather than wait forever.
 *
 * The queue, its timer and its bottom half are in echo_queue.c; the
 * structures, and who may touch them when, in echo.h. Here: the device's
 * file operations, the calls that wait in the queue and transfer.
 */

#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include <linux/hwecho.h>

#include "bh.h"
#include "compat.h"
#include "echo.h"
#include "param.h"
#include "trace.h"

static unsigned int echo_max_write = HWECHO_DEFAULT_MAX_WRITE;

HWEVENT_PARAM_RANGE(echo_max_write, echo_max_write, 0, HWECHO_MAX_WRITE_LIMIT);
MODULE_PARM_DESC(echo_max_write,
		 "/dev/hwecho: the largest write, in bytes (default 40960, the sample's MAX_WRITE_LENGTH; 0 to 16777216)");

/* Open files numbered for the trace events: their pointers are hashed. */
static atomic_t hwecho_trace_files = ATOMIC_INIT(0);

/*
 * A write's data, copied in from @from (Windows: EvtIoWrite copies it
 * into a buffer of its own at once). NULL for zero bytes.
 */
static void *hwecho_copy_in(struct iov_iter *from, size_t len, gfp_t gfp,
			    ssize_t *err)
{
	void *buf;

	*err = 0;
	if (!len)
		return NULL;
	buf = kvmalloc(len, gfp);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	if (!copy_from_iter_full(buf, len, from)) {
		kvfree(buf);
		*err = -EFAULT;
		return NULL;
	}
	return buf;
}

/*
 * The transfer of head @req, completed, and its end (Windows: the timer
 * DPC completing the request with the length EvtIoRead or EvtIoWrite
 * set). A write's @buf, @len bytes, becomes the device's data; a read
 * copies out up to @to's count. No lock: @req is the head (see struct
 * hwecho_dev). Returns what the call returns.
 */
static ssize_t hwecho_complete(struct hwecho_dev *dev, struct hwecho_req *req,
			       struct iov_iter *to, void *buf, size_t len)
{
	size_t n, copied;
	ssize_t ret;

	if (req->dir == HWECHO_DIR_WRITE) {
		swap(dev->data, buf);
		dev->len = len;
		ret = len;
	} else {
		n = min(iov_iter_count(to), dev->len);
		copied = n ? copy_to_iter(dev->data, n, to) : 0;
		ret = copied || !n ? (ssize_t)copied : -EFAULT;
	}

	spin_lock_irq(&dev->lock);
	hwecho_dequeue(dev, req);
	atomic64_inc(req->dir == HWECHO_DIR_WRITE ? &hwecho_writes :
						    &hwecho_reads);
	spin_unlock_irq(&dev->lock);
	trace_hwecho_complete(req->efile->trace_id, req->dir, ret);

	/* The data a write replaced. */
	kvfree(buf);
	return ret;
}

/*
 * Take @efile's completed reservation @req, which the caller moved to
 * HWECHO_CLAIMED, and transfer. A write that brings no buffer (@buf NULL
 * and @len not 0) copies its data in now, without sleeping under
 * IOCB_NOWAIT; if it cannot, the reservation goes back to HWECHO_DONE for
 * the next call (io_uring's blocking retry, or another).
 */
static ssize_t hwecho_claim(struct hwecho_dev *dev, struct hwecho_req *req,
			    struct kiocb *iocb, struct iov_iter *iter,
			    void *buf, size_t len)
{
	gfp_t gfp = GFP_KERNEL_ACCOUNT;
	ssize_t err;

	if (req->dir == HWECHO_DIR_WRITE && len && !buf) {
		if (iocb->ki_flags & IOCB_NOWAIT)
			gfp = GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN;
		buf = hwecho_copy_in(iter, len, gfp, &err);
		if (!buf) {
			spin_lock_irq(&dev->lock);
			hwecho_set_state(req, HWECHO_DONE);
			spin_unlock_irq(&dev->lock);
			return err == -ENOMEM && gfp != GFP_KERNEL_ACCOUNT ?
			       -EAGAIN : err;
		}
	}
	return hwecho_complete(dev, req, iter, buf, len);
}

/*
 * A blocking call: sleep until the bottom half completes @req, then
 * transfer. A signal first takes @req out of the queue (Windows: the
 * cancel routine of WdfRequestMarkCancelableEx(); here the sleeper cleans
 * up after itself); once @req is done, a signal is not seen.
 */
static ssize_t hwecho_wait(struct hwecho_dev *dev, struct hwecho_req *req,
			   struct iov_iter *iter, void *buf, size_t len)
{
	int ret;

	/* The freezer leaves it asleep (6.1 on). */
	ret = hwevent_wait_freezable(&req->done);

	spin_lock_irq(&dev->lock);
	if (req->state != HWECHO_DONE) {
		/* Only a signal ends the wait early. */
		WARN_ON_ONCE(!ret);
		hwecho_end(dev, req, HWECHO_END_SIGNAL, &hwecho_interrupted);
		spin_unlock_irq(&dev->lock);
		kvfree(buf);
		/* SA_RESTART (or no handler) queues it again, at the back. */
		return -ERESTARTSYS;
	}
	spin_unlock_irq(&dev->lock);

	return hwecho_complete(dev, req, iter, buf, len);
}

/* Windows: EvtIoRead and EvtIoWrite, behind the sequential queue. */
static ssize_t hwecho_io(struct kiocb *iocb, struct iov_iter *iter,
			 enum hwecho_dir dir)
{
	struct hwecho_file *efile = iocb->ki_filp->private_data;
	bool nowait = iocb->ki_flags & IOCB_NOWAIT ||
		      iocb->ki_filp->f_flags & O_NONBLOCK;
	struct hwecho_req *resv = &efile->resv[dir];
	struct hwecho_dev *dev = &hwecho;
	size_t len = iov_iter_count(iter);
	struct hwecho_req req;
	void *buf = NULL;
	ssize_t err;

	/* Windows: STATUS_BUFFER_OVERFLOW, at once. */
	if (dir == HWECHO_DIR_WRITE && len > READ_ONCE(echo_max_write))
		return -EMSGSIZE;

	/*
	 * A blocking write copies now, as it may sleep; a non-blocking one
	 * once it has a completed reservation to take.
	 */
	if (dir == HWECHO_DIR_WRITE && !nowait) {
		buf = hwecho_copy_in(iter, len, GFP_KERNEL_ACCOUNT, &err);
		if (err)
			return err;
	}

	spin_lock_irq(&dev->lock);
	/* Whichever call of this file queued it: see the uAPI header. */
	if (resv->state == HWECHO_DONE) {
		hwecho_set_state(resv, HWECHO_CLAIMED);
		spin_unlock_irq(&dev->lock);
		return hwecho_claim(dev, resv, iocb, iter, buf, len);
	}
	if (nowait) {
		/* io_uring then polls for the completion instead of parking. */
		if (resv->state == HWECHO_IDLE)
			hwecho_enqueue(dev, resv, len);
		spin_unlock_irq(&dev->lock);
		return -EAGAIN;
	}
	INIT_LIST_HEAD(&req.node);
	req.efile = efile;
	req.dir = dir;
	req.reservation = false;
	init_completion(&req.done);
	hwecho_enqueue(dev, &req, len);
	spin_unlock_irq(&dev->lock);

	return hwecho_wait(dev, &req, iter, buf, len);
}

static ssize_t hwecho_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return hwecho_io(iocb, to, HWECHO_DIR_READ);
}

static ssize_t hwecho_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return hwecho_io(iocb, from, HWECHO_DIR_WRITE);
}

/* A call of the reservation's direction would take it, or queue it again. */
static bool hwecho_resv_ready(struct hwecho_req *resv)
{
	return READ_ONCE(resv->state) == HWECHO_DONE || READ_ONCE(resv->lapsed);
}

/* The reservations completed and not yet taken, or lapsed. */
static __poll_t hwecho_poll(struct file *file, poll_table *wait)
{
	struct hwecho_file *efile = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &efile->wait, wait);
	if (hwecho_resv_ready(&efile->resv[HWECHO_DIR_READ]))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (hwecho_resv_ready(&efile->resv[HWECHO_DIR_WRITE]))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int hwecho_open(struct inode *inode, struct file *file)
{
	struct hwecho_file *efile;
	int dir;

	efile = kzalloc(sizeof(*efile), GFP_KERNEL_ACCOUNT);
	if (!efile)
		return -ENOMEM;

	hwevent_bh_init(&efile->bh, hwevent_bh_param(), hwecho_bh);
	init_waitqueue_head(&efile->wait);
	for (dir = 0; dir < HWECHO_NR_DIRS; dir++) {
		INIT_LIST_HEAD(&efile->resv[dir].node);
		efile->resv[dir].efile = efile;
		efile->resv[dir].dir = dir;
		efile->resv[dir].reservation = true;
	}
	efile->trace_id = atomic_inc_return(&hwecho_trace_files);

	file->private_data = efile;
	/* read and write honour IOCB_NOWAIT: io_uring polls, parks nothing. */
	file->f_mode |= FMODE_NOWAIT;

	return stream_open(inode, file);
}

/*
 * Last close. No call of this file is running (each holds the file), so
 * only its reservations can be queued: take them out, then wait for a
 * bottom half the timer scheduled before (only the head's file's is
 * scheduled, so nothing schedules this one again), and free.
 */
static int hwecho_release(struct inode *inode, struct file *file)
{
	struct hwecho_file *efile = file->private_data;
	struct hwecho_dev *dev = &hwecho;
	int dir;

	spin_lock_irq(&dev->lock);
	for (dir = 0; dir < HWECHO_NR_DIRS; dir++) {
		struct hwecho_req *resv = &efile->resv[dir];

		/* A call holds the file while it transfers. */
		WARN_ON_ONCE(resv->state == HWECHO_CLAIMED);
		if (resv->state != HWECHO_IDLE)
			hwecho_end(dev, resv, HWECHO_END_RELEASE,
				   &hwecho_released);
	}
	spin_unlock_irq(&dev->lock);

	/* Windows: KeFlushQueuedDpcs(). */
	hwevent_bh_flush(&efile->bh);
	kfree(efile);

	return 0;
}

static const struct file_operations hwecho_fops = {
	.owner		= THIS_MODULE,
	.open		= hwecho_open,
	.release	= hwecho_release,
	.read_iter	= hwecho_read_iter,
	.write_iter	= hwecho_write_iter,
	.poll		= hwecho_poll,
};

/*
 * Windows: the device interface GUID_DEVINTERFACE_ECHO an application
 * looks up; here the node /dev/hwecho, with no ioctls (ENOTTY).
 */
static struct miscdevice hwecho_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hwecho",
	.fops	= &hwecho_fops,
	.mode	= 0600,
};

/* At module load, once the bottom halves can run (hwevent_bh_setup()). */
int hwecho_init(void)
{
	hrtimer_setup(&hwecho.timer, hwecho_tick, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	return misc_register(&hwecho_misc);
}

/*
 * At module unload. fops.owner kept the module while a file was open, and
 * release took each file's requests out, so the queue is empty; the timer
 * may still be due once, to find it so: stop it.
 */
void hwecho_exit(void)
{
	misc_deregister(&hwecho_misc);
	hrtimer_cancel(&hwecho.timer);
	WARN_ON_ONCE(!list_empty(&hwecho.fifo));
	kvfree(hwecho.data);
}
