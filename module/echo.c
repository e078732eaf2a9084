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
 * Who may do what, all under hwecho_dev.lock: whoever queues a request
 * links it; the timer only looks; the bottom half moves the head from
 * HWECHO_CURRENT to HWECHO_DONE, and drops an expired reservation; only a
 * request's caller (or release, for a reservation no call holds) takes it
 * out of the queue otherwise. So each request ends exactly once:
 * completed, interrupted, released or expired, as the debugfs counters
 * (hwevent/stats, echo_*) show.
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
#include <linux/seq_file.h>
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

static unsigned int echo_period_us = HWECHO_DEFAULT_PERIOD_US;
static unsigned int echo_max_write = HWECHO_DEFAULT_MAX_WRITE;

HWEVENT_PARAM_RANGE(echo_period_us, echo_period_us, HWECHO_MIN_PERIOD_US,
		    HWECHO_MAX_PERIOD_US);
MODULE_PARM_DESC(echo_period_us,
		 "/dev/hwecho: the tick period, in us; from the next tick (default 100000, 100 to 10000000)");

HWEVENT_PARAM_RANGE(echo_max_write, echo_max_write, 0, HWECHO_MAX_WRITE_LIMIT);
MODULE_PARM_DESC(echo_max_write,
		 "/dev/hwecho: the largest write, in bytes (default 40960, the sample's MAX_WRITE_LENGTH; 0 to 16777216)");

/**
 * enum hwecho_state - where a request is
 * @HWECHO_IDLE: not queued (a reservation no call has queued)
 * @HWECHO_QUEUED: queued behind the head
 * @HWECHO_CURRENT: the head, in the driver, waiting for a tick
 * @HWECHO_DONE: the head, completed by the bottom half: its caller (any
 *	call of a reservation's file) may transfer
 * @HWECHO_CLAIMED: a reservation a call took, transferring; still the head
 */
enum hwecho_state {
	HWECHO_IDLE,
	HWECHO_QUEUED,
	HWECHO_CURRENT,
	HWECHO_DONE,
	HWECHO_CLAIMED,
};

struct hwecho_file;

/**
 * struct hwecho_req - one request in the queue
 * @node: link in hwecho_dev.fifo while queued
 * @efile: the open file it came through
 * @state: an &enum hwecho_state; written under hwecho_dev.lock, read
 *	without it by poll (WRITE_ONCE, READ_ONCE)
 * @dir: an &enum hwecho_dir
 * @reservation: one of hwecho_file.resv (non-blocking calls), not the
 *	request of a sleeping call
 * @lapsed: a reservation that expired untaken and was not queued again;
 *	under hwecho_dev.lock, read by poll (READ_ONCE)
 * @head_tick: hwecho_dev.ticks when it became the head; only a later tick
 *	completes it
 * @done_at: when the bottom half completed it: a reservation expires a
 *	period after
 * @done: a blocking call's, completed by the bottom half
 */
struct hwecho_req {
	struct list_head node;
	struct hwecho_file *efile;
	enum hwecho_state state;
	u8 dir;
	bool reservation;
	bool lapsed;
	u64 head_tick;
	ktime_t done_at;
	struct completion done;
};

/**
 * struct hwecho_file - one open file of /dev/hwecho
 * @bh: the bottom half (Windows: the timer DPC), of the kind bottom_half
 *	named at open; the timer schedules it while the head is this file's
 * @wait: pollers, woken when a reservation completes or expires
 * @resv: the read and the write reservation (non-blocking calls)
 * @trace_id: this file's number in the trace events, from 1 per load
 *
 * Windows: the file object; the reservations stand in for the pending
 * overlapped requests an application leaves in the driver.
 */
struct hwecho_file {
	struct hwevent_bh bh;
	wait_queue_head_t wait;
	struct hwecho_req resv[HWECHO_NR_DIRS];
	u32 trace_id;
};

/**
 * struct hwecho_dev - the device
 * @lock: protects @fifo, @ticking, @ticks, @in_driver and the state of
 *	every request. Taken by the hrtimer callback (hard irq; a softirq
 *	thread on PREEMPT_RT), so with interrupts off: irqsave there, _irq in
 *	the bottom half (softirq, or a kworker with bottom_half=thread) and
 *	in process context (read, write, release).
 * @fifo: the queue, oldest first; its head is in the driver
 * @timer: the simulated device; runs while @fifo is not empty
 * @ticking: @timer is started and has not yet found @fifo empty
 * @ticks: the timer's expiries since load
 * @in_driver: requests in the driver (the head): at most 1
 * @data: the last write's data (Windows: the queue context's Buffer)
 * @len: its length
 *
 * @data and @len are not under @lock: only the head's caller touches
 * them, after the bottom half completed it, and the queue lets one
 * request at a time be the head. That is the Linux form of the AutoSync
 * sample's queue-level lock, which serialized EvtIoRead, EvtIoWrite and
 * the timer DPC (AutomaticSerialization). Each caller reaches them after
 * taking @lock, and leaves them before taking it to dequeue: @lock orders
 * one head's accesses before the next's.
 */
struct hwecho_dev {
	spinlock_t lock;	/* irq-safe: see @lock above */
	struct list_head fifo;
	struct hrtimer timer;
	bool ticking;
	u64 ticks;
	unsigned int in_driver;
	void *data;
	size_t len;
};

static struct hwecho_dev hwecho = {
	.lock = __SPIN_LOCK_UNLOCKED(hwecho.lock),
	.fifo = LIST_HEAD_INIT(hwecho.fifo),
};

/* Open files numbered for the trace events: their pointers are hashed. */
static atomic_t hwecho_trace_files = ATOMIC_INIT(0);

/*
 * For debugfs hwevent/stats and the tests: every request that joins the
 * queue (requests) ends once, as a completed read or write, interrupted,
 * released or expired; queued is how many are in the queue now.
 */
static atomic64_t hwecho_requests = ATOMIC64_INIT(0);
static atomic64_t hwecho_reads = ATOMIC64_INIT(0);
static atomic64_t hwecho_writes = ATOMIC64_INIT(0);
static atomic64_t hwecho_ticks = ATOMIC64_INIT(0);
static atomic64_t hwecho_interrupted = ATOMIC64_INIT(0);
static atomic64_t hwecho_released = ATOMIC64_INIT(0);
static atomic64_t hwecho_expired = ATOMIC64_INIT(0);
static atomic_t hwecho_queued = ATOMIC_INIT(0);
/* The most requests in the driver at once: 1 if the queue serializes. */
static atomic_t hwecho_in_driver_max = ATOMIC_INIT(0);

static ktime_t hwecho_period(void)
{
	return ns_to_ktime((u64)READ_ONCE(echo_period_us) * NSEC_PER_USEC);
}

static void hwecho_set_state(struct hwecho_req *req, enum hwecho_state state)
{
	WRITE_ONCE(req->state, state);
}

/* @req reaches the head of the queue: it is in the driver from now on. */
static void hwecho_make_head(struct hwecho_dev *dev, struct hwecho_req *req)
{
	lockdep_assert_held(&dev->lock);
	hwecho_set_state(req, HWECHO_CURRENT);
	req->head_tick = dev->ticks;
	dev->in_driver++;
	if (dev->in_driver > atomic_read(&hwecho_in_driver_max))
		atomic_set(&hwecho_in_driver_max, dev->in_driver);
	/* Only the head is ever current. */
	WARN_ON_ONCE(dev->in_driver > 1);
}

/*
 * Queue @req behind the others (Windows: the framework presents requests
 * of a sequential queue one at a time, in order), and start the timer if
 * it stopped (Windows: EvtDeviceSelfManagedIoStart starting the timer).
 */
static void hwecho_enqueue(struct hwecho_dev *dev, struct hwecho_req *req,
			   size_t len)
{
	lockdep_assert_held(&dev->lock);
	WRITE_ONCE(req->lapsed, false);
	list_add_tail(&req->node, &dev->fifo);
	atomic64_inc(&hwecho_requests);
	atomic_inc(&hwecho_queued);
	if (list_is_first(&req->node, &dev->fifo))
		hwecho_make_head(dev, req);
	else
		hwecho_set_state(req, HWECHO_QUEUED);
	trace_hwecho_request(req->efile->trace_id, req->dir, len,
			     req->reservation, atomic_read(&hwecho_queued));
	/* A timer still ticking completes it at its next tick. */
	if (!dev->ticking) {
		dev->ticking = true;
		hrtimer_start(&dev->timer, hwecho_period(), HRTIMER_MODE_REL);
	}
}

/* Take @req out of the queue; if it was the head, the next one is. */
static void hwecho_dequeue(struct hwecho_dev *dev, struct hwecho_req *req)
{
	struct hwecho_req *next;
	bool head;

	lockdep_assert_held(&dev->lock);
	head = list_is_first(&req->node, &dev->fifo);
	list_del_init(&req->node);
	hwecho_set_state(req, HWECHO_IDLE);
	atomic_dec(&hwecho_queued);
	if (!head)
		return;
	dev->in_driver--;
	next = list_first_entry_or_null(&dev->fifo, struct hwecho_req, node);
	if (next)
		hwecho_make_head(dev, next);
}

/* Take @req out of the queue without completing it, for reason @why. */
static void hwecho_end(struct hwecho_dev *dev, struct hwecho_req *req,
		       enum hwecho_end why, atomic64_t *counter)
{
	trace_hwecho_end(req->efile->trace_id, req->dir, why);
	hwecho_dequeue(dev, req);
	atomic64_inc(counter);
}

/*
 * The simulated device (Windows: the WDFTIMER expiring): hand the head to
 * its file's bottom half, and stop once the queue is empty (Windows:
 * EvtDeviceSelfManagedIoSuspend stopping the timer).
 */
static enum hrtimer_restart hwecho_tick(struct hrtimer *timer)
{
	struct hwecho_dev *dev = container_of(timer, struct hwecho_dev, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	struct hwecho_req *head;
	unsigned long flags;

	spin_lock_irqsave(&dev->lock, flags);
	dev->ticks++;
	atomic64_inc(&hwecho_ticks);
	head = list_first_entry_or_null(&dev->fifo, struct hwecho_req, node);
	trace_hwecho_tick(head ? head->efile->trace_id : 0, dev->ticks);
	if (head) {
		/* Windows: the timer DPC; with the file's kind of bottom half. */
		hwevent_bh_schedule(&head->efile->bh);
		hrtimer_forward_now(timer, hwecho_period());
		ret = HRTIMER_RESTART;
	} else {
		/* hwecho_enqueue() starts it again. */
		dev->ticking = false;
	}
	spin_unlock_irqrestore(&dev->lock, flags);

	return ret;
}

/*
 * The bottom half of @bh's file (Windows: the timer DPC, which
 * AutomaticSerialization ran under the queue's lock; here hwecho_dev.lock):
 * complete the head if it is this file's and a tick came since it became
 * the head, or drop it if it is a completed reservation of this file that
 * no call took for a period. A head that changed since the tick waits for
 * the next tick, which schedules its own file's bottom half.
 */
static void hwecho_bh(struct hwevent_bh *bh)
{
	struct hwecho_file *efile = container_of(bh, struct hwecho_file, bh);
	struct hwecho_dev *dev = &hwecho;
	struct hwecho_req *head;
	__poll_t wake = 0;

	spin_lock_irq(&dev->lock);
	head = list_first_entry_or_null(&dev->fifo, struct hwecho_req, node);
	if (!head || head->efile != efile)
		goto out;

	if (head->state == HWECHO_CURRENT && head->head_tick < dev->ticks) {
		trace_hwecho_bh(efile->trace_id, head->dir, dev->ticks,
				efile->bh.kind);
		hwecho_set_state(head, HWECHO_DONE);
		head->done_at = ktime_get();
		if (!head->reservation) {
			/*
			 * Windows: WdfRequestComplete() from the DPC. Under
			 * the lock: the request is on its caller's stack, and
			 * a signal lets the caller return once it sees DONE.
			 */
			complete(&head->done);
		} else {
			/* Windows: the overlapped request completes. */
			wake = head->dir == HWECHO_DIR_READ ?
			       EPOLLIN | EPOLLRDNORM : EPOLLOUT | EPOLLWRNORM;
		}
	} else if (head->state == HWECHO_DONE && head->reservation &&
		   ktime_compare(ktime_sub(ktime_get(), head->done_at),
				 hwecho_period()) >= 0) {
		/*
		 * Its call went away (io_uring cancelled it, or gave up), or
		 * has not polled yet: poll() says so from now on, and the
		 * call queues it again.
		 */
		wake = head->dir == HWECHO_DIR_READ ?
		       EPOLLIN | EPOLLRDNORM : EPOLLOUT | EPOLLWRNORM;
		WRITE_ONCE(head->lapsed, true);
		hwecho_end(dev, head, HWECHO_END_EXPIRED, &hwecho_expired);
	}
out:
	spin_unlock_irq(&dev->lock);
	/* @efile lives until release has flushed us. */
	if (wake)
		wake_up_interruptible_poll(&efile->wait, wake);
}

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

/* debugfs hwevent/stats: the echo_ lines. */
void hwecho_stats_show(struct seq_file *m)
{
	seq_printf(m, "echo_requests %lld\n", atomic64_read(&hwecho_requests));
	seq_printf(m, "echo_reads %lld\n", atomic64_read(&hwecho_reads));
	seq_printf(m, "echo_writes %lld\n", atomic64_read(&hwecho_writes));
	seq_printf(m, "echo_ticks %lld\n", atomic64_read(&hwecho_ticks));
	seq_printf(m, "echo_interrupted %lld\n",
		   atomic64_read(&hwecho_interrupted));
	seq_printf(m, "echo_released %lld\n", atomic64_read(&hwecho_released));
	seq_printf(m, "echo_expired %lld\n", atomic64_read(&hwecho_expired));
	seq_printf(m, "echo_queued %d\n", atomic_read(&hwecho_queued));
	seq_printf(m, "echo_in_driver_max %d\n",
		   atomic_read(&hwecho_in_driver_max));
}

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
