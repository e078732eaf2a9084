// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - the record queue of an open file, behind read(2) and poll(2)
 *
 * The bottom half appends a record when a %HWEVENT_MODE_QUEUE registration
 * fires; read(2) takes whole records, oldest first. The queue is a ring of
 * fixed size: a record arriving at a full queue drops the oldest, as the
 * GPIO character device does, and the record that is then oldest counts
 * the loss in &hwevent_event.lost, so that the reader learns how many it
 * lost and where.
 */

#include <linux/kernel.h>
#include <linux/mm.h>		/* kvcalloc(), kvfree() before 5.16 */
#include <linux/signal.h>
#include <linux/slab.h>

#include "queue.h"

/* Device-wide, for debugfs: records queued, records lost. */
atomic64_t hwevent_queued_total = ATOMIC64_INIT(0);
atomic64_t hwevent_queue_lost_total = ATOMIC64_INIT(0);
/* The test-only module parameter test_count_unit (interrupt.c). */
unsigned int hwevent_test_count_unit = 1;

int hwevent_queue_init(struct hwevent_queue *q, u32 size)
{
	if (WARN_ON_ONCE(!size || size > HWEVENT_QUEUE_MAX))
		return -EINVAL;
	q->ring = kvcalloc(size, sizeof(*q->ring), GFP_KERNEL_ACCOUNT);
	if (!q->ring)
		return -ENOMEM;
	q->size = size;
	spin_lock_init(&q->lock);
	init_waitqueue_head(&q->wait);
	return 0;
}

/* Called at release: no reader, poller or producer is left. */
void hwevent_queue_destroy(struct hwevent_queue *q)
{
	kvfree(q->ring);
}

/*
 * One more record lost: count it, and the @n - 1 it counted itself, in
 * the oldest queued record, or in the next to come if none is queued.
 */
static void hwevent_queue_count_lost(struct hwevent_queue *q, u32 n)
{
	struct hwevent_event *oldest = &q->ring[q->head];

	lockdep_assert_held(&q->lock);
	atomic64_inc(&hwevent_queue_lost_total);
	if (!q->len) {
		q->lost = hwevent_add_sat(q->lost, n);
		return;
	}
	oldest->lost = hwevent_add_sat(oldest->lost, n);
	oldest->flags |= HWEVENT_EVENT_LOST;
}

/* Take the oldest record, if any. */
static bool hwevent_queue_pop(struct hwevent_queue *q,
			      struct hwevent_event *ev)
{
	unsigned long flags;
	bool popped = false;

	spin_lock_irqsave(&q->lock, flags);
	if (q->len) {
		*ev = q->ring[q->head];
		q->head = (q->head + 1) % q->size;
		q->len--;
		popped = true;
	}
	spin_unlock_irqrestore(&q->lock, flags);

	return popped;
}

/*
 * Append @ev, dropping the oldest record if the queue is full. Any
 * context; call hwevent_queue_wake() after, outside the caller's locks.
 */
void hwevent_queue_push(struct hwevent_queue *q, const struct hwevent_event *ev)
{
	struct hwevent_event *slot;
	unsigned long flags;
	u32 carry;

	spin_lock_irqsave(&q->lock, flags);
	if (q->len == q->size) {
		carry = hwevent_add_sat(q->ring[q->head].lost,
					hwevent_count_units(1));
		q->head = (q->head + 1) % q->size;
		q->len--;
		hwevent_queue_count_lost(q, carry);
	}
	slot = &q->ring[(q->head + q->len) % q->size];
	*slot = *ev;
	if (q->lost) {
		slot->lost = hwevent_add_sat(slot->lost, q->lost);
		slot->flags |= HWEVENT_EVENT_LOST;
		q->lost = 0;
	}
	q->len++;
	spin_unlock_irqrestore(&q->lock, flags);
	atomic64_inc(&hwevent_queued_total);
}

/*
 * @nr records were pushed (Windows: completing the pending read IRP; here
 * waking the reader). An O_ASYNC owner gets a signal per record: with
 * F_SETSIG and a real-time signal, which queues, it can count them.
 */
void hwevent_queue_wake(struct hwevent_queue *q, unsigned int nr)
{
	wake_up_interruptible_poll(&q->wait, EPOLLIN | EPOLLRDNORM);
	while (nr--)
		kill_fasync(&q->fasync, SIGIO, POLL_IN);
}

/* Free slots: records that can be pushed without dropping one. */
u32 hwevent_queue_room(struct hwevent_queue *q)
{
	unsigned long flags;
	u32 room;

	spin_lock_irqsave(&q->lock, flags);
	room = q->size - q->len;
	spin_unlock_irqrestore(&q->lock, flags);

	return room;
}

static bool hwevent_queue_ready(struct hwevent_queue *q)
{
	return READ_ONCE(q->len);
}

/*
 * read(2): whole records only, as many as fit and are queued. A record
 * taken but not written to the caller (a bad buffer) counts as lost.
 */
ssize_t hwevent_queue_read(struct hwevent_queue *q, struct kiocb *iocb,
			   struct iov_iter *to)
{
	bool nowait = iocb->ki_flags & IOCB_NOWAIT ||
		      iocb->ki_filp->f_flags & O_NONBLOCK;
	struct hwevent_event ev;
	unsigned long flags;
	ssize_t done = 0;
	u32 carry;
	int ret;

	if (iov_iter_count(to) < sizeof(ev))
		return -EINVAL;

	while (iov_iter_count(to) >= sizeof(ev)) {
		if (!hwevent_queue_pop(q, &ev)) {
			if (done)
				break;
			/* io_uring then polls instead of parking a thread. */
			if (nowait)
				return -EAGAIN;
			/* Windows: a read that waits in its dispatch routine. */
			ret = wait_event_interruptible(q->wait,
						       hwevent_queue_ready(q));
			if (ret)
				return ret;
			continue;
		}
		if (copy_to_iter(&ev, sizeof(ev), to) != sizeof(ev)) {
			spin_lock_irqsave(&q->lock, flags);
			carry = hwevent_add_sat(ev.lost, hwevent_count_units(1));
			hwevent_queue_count_lost(q, carry);
			spin_unlock_irqrestore(&q->lock, flags);
			return done ? done : -EFAULT;
		}
		done += sizeof(ev);
	}

	return done;
}

/*
 * Readiness: a read would not block now. Windows has no such thing; an
 * IOCP reports requests completed, as io_uring does (uring.c).
 */
__poll_t hwevent_queue_poll(struct hwevent_queue *q, struct file *file,
			    poll_table *wait)
{
	poll_wait(file, &q->wait, wait);
	return hwevent_queue_ready(q) ? EPOLLIN | EPOLLRDNORM : 0;
}

int hwevent_queue_fasync(struct hwevent_queue *q, int fd, struct file *file,
			 int on)
{
	return fasync_helper(fd, file, on, &q->fasync);
}
