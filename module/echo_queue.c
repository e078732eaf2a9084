// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - /dev/hwecho's sequential queue (Windows: a WDFQUEUE with
 * WdfIoQueueDispatchSequential), the periodic timer that plays the device,
 * and the bottom half that completes the head; the device-wide counters
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <linux/hwecho.h>

#include "bh.h"
#include "echo.h"
#include "param.h"
#include "trace.h"

static unsigned int echo_period_us = HWECHO_DEFAULT_PERIOD_US;

HWEVENT_PARAM_RANGE(echo_period_us, echo_period_us, HWECHO_MIN_PERIOD_US,
		    HWECHO_MAX_PERIOD_US);
MODULE_PARM_DESC(echo_period_us,
		 "/dev/hwecho: the tick period, in us; from the next tick (default 100000, 100 to 10000000)");

struct hwecho_dev hwecho = {
	.lock = __SPIN_LOCK_UNLOCKED(hwecho.lock),
	.fifo = LIST_HEAD_INIT(hwecho.fifo),
};

/*
 * For debugfs hwevent/stats and the tests: every request that joins the
 * queue (requests) ends once, as a completed read or write, interrupted,
 * released or expired; queued is how many are in the queue now.
 */
atomic64_t hwecho_requests = ATOMIC64_INIT(0);
atomic64_t hwecho_reads = ATOMIC64_INIT(0);
atomic64_t hwecho_writes = ATOMIC64_INIT(0);
atomic64_t hwecho_ticks = ATOMIC64_INIT(0);
atomic64_t hwecho_interrupted = ATOMIC64_INIT(0);
atomic64_t hwecho_released = ATOMIC64_INIT(0);
atomic64_t hwecho_expired = ATOMIC64_INIT(0);
atomic_t hwecho_queued = ATOMIC_INIT(0);
/* The most requests in the driver at once: 1 if the queue serializes. */
atomic_t hwecho_in_driver_max = ATOMIC_INIT(0);

static ktime_t hwecho_period(void)
{
	return ns_to_ktime((u64)READ_ONCE(echo_period_us) * NSEC_PER_USEC);
}

void hwecho_set_state(struct hwecho_req *req, enum hwecho_state state)
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
void hwecho_enqueue(struct hwecho_dev *dev, struct hwecho_req *req, size_t len)
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
void hwecho_dequeue(struct hwecho_dev *dev, struct hwecho_req *req)
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
void hwecho_end(struct hwecho_dev *dev, struct hwecho_req *req,
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
enum hrtimer_restart hwecho_tick(struct hrtimer *timer)
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
void hwecho_bh(struct hwevent_bh *bh)
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
