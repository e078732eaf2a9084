// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - the simulated interrupt, and what the bottom half delivers
 *
 * A registration's hrtimer plays the device's interrupt (Windows: the
 * KTIMER expiring, the ISR): hwevent_timer_fn() notes when it ran, moves
 * the registration to hwevent_file.bh_pending and schedules the file's
 * bottom half (bh.c; Windows: the DPC), hwevent_bh(), which delivers each
 * by its mode: it wakes a PENDING caller, signals an eventfd, queues a
 * record for read(2) (queue.c) or completes an io_uring command (uring.c).
 * A periodic registration's expiry waits, parked, while its consumer has
 * not taken the last one. A registration on the PCI device (edu.c) makes
 * the device interrupt instead, and its interrupt handler hands it to the
 * same bottom half.
 */

#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>

#include <linux/hwevent.h>

#include "bh.h"
#include "compat.h"
#include "device.h"
#include "edu.h"
#include "param.h"
#include "queue.h"
#include "trace.h"
#include "uring.h"

/*
 * Test only: the selftests widen the window between the interrupt and the
 * bottom half with test_bh_delay_us, and reach the saturation of the
 * counts in records with test_count_unit, rather than with 2^32 events.
 * Both are harmless at their defaults (0 and 1).
 */
static unsigned int test_bh_delay_us;

HWEVENT_PARAM_RANGE(test_bh_delay_us, test_bh_delay_us, 0,
		    HWEVENT_TEST_BH_DELAY_MAX_US);
MODULE_PARM_DESC(test_bh_delay_us,
		 "Test only: run the bottom half this long after the interrupt that schedules it (default 0, at most 100000)");

HWEVENT_PARAM_RANGE(test_count_unit, hwevent_test_count_unit, 1,
		    HWEVENT_TEST_COUNT_UNIT_MAX);
MODULE_PARM_DESC(test_count_unit,
		 "Test only: what one lost record or overrun adds to its count (default 1, at most 2147483648)");

/* Device-wide event count; bumped by the timer callbacks of every file. */
static atomic64_t hwevent_seqno = ATOMIC64_INIT(0);

/* Expiries of periodic @reg that get no record of their own. */
static void hwevent_reg_overrun(struct hwevent_reg *reg, u64 n)
{
	reg->overruns = hwevent_add_sat(reg->overruns, hwevent_count_units(n));
	atomic64_add(n, &hwevent_overruns);
}

/* Hand @hfile's fired registrations to its bottom half. */
void hwevent_bh_kick(struct hwevent_file *hfile)
{
	unsigned int delay_us = READ_ONCE(test_bh_delay_us);

	if (!delay_us)
		hwevent_bh_schedule(&hfile->bh);
	else if (!hrtimer_is_queued(&hfile->bh_delay))
		hrtimer_start(&hfile->bh_delay,
			      ns_to_ktime((u64)delay_us * NSEC_PER_USEC),
			      HRTIMER_MODE_REL);
}

/*
 * The interrupt of @reg, at @irq_ns (Windows: the ISR queueing its DPC):
 * hand it to the bottom half. Called with hwevent_file.lock held and @reg
 * armed.
 */
void hwevent_reg_fire_at(struct hwevent_file *hfile, struct hwevent_reg *reg,
			 u32 flags, u64 irq_ns)
{
	lockdep_assert_held(&hfile->lock);

	if (reg->period_ns) {
		/* The last expiry is not delivered yet: this one merges. */
		if (reg->outstanding) {
			hwevent_reg_overrun(reg, 1);
			return;
		}
		reg->outstanding = true;
		flags |= HWEVENT_EVENT_PERIODIC;
	} else {
		reg->state = HWEVENT_BH_PENDING;
		list_del_init(&reg->node);
	}
	reg->event.due_ns = ktime_to_ns(hrtimer_get_expires(&reg->timer));
	reg->event.irq_ns = irq_ns;
	reg->event.seqno = atomic64_inc_return(&hwevent_seqno);
	reg->event.flags = flags;
	trace_hwevent_irq(hfile->trace_id, reg->event.id, reg->event.seqno,
			  reg->event.irq_ns - reg->event.due_ns, flags);
	list_add_tail(&reg->bh_node, &hfile->bh_pending);
	hwevent_bh_kick(hfile);
}

/*
 * The time of @reg came: its timer expired, or HWEVENT_IOC_TRIGGER. Fire
 * it now; on the PCI device, make the device interrupt for it (edu.c),
 * whose handler fires it. Called with hwevent_file.lock held and @reg
 * armed.
 */
void hwevent_reg_fire(struct hwevent_file *hfile, struct hwevent_reg *reg,
		      u32 flags)
{
	if (reg->source) {
		hwevent_edu_raise(reg, flags);
		return;
	}
	hwevent_reg_fire_at(hfile, reg, flags, ktime_get_ns());
}

/* test_bh_delay_us after an interrupt: the bottom half, late. */
enum hrtimer_restart hwevent_bh_delay_fn(struct hrtimer *timer)
{
	struct hwevent_file *hfile = container_of(timer, struct hwevent_file,
						  bh_delay);

	hwevent_bh_schedule(&hfile->bh);
	return HRTIMER_NORESTART;
}

/*
 * The simulated interrupt (Windows: the KTIMER expiring). A periodic
 * registration's timer is not restarted here: the bottom half restarts it
 * once the expiry is delivered, and only while the consumer keeps up (see
 * hwevent_tick_take()), so what a registration costs in interrupts is
 * bounded by what its consumer takes, as for a timerfd, whose timer is
 * restarted by read(2).
 */
enum hrtimer_restart hwevent_timer_fn(struct hrtimer *timer)
{
	struct hwevent_reg *reg = container_of(timer, struct hwevent_reg, timer);
	struct hwevent_file *hfile = reg->hfile;
	unsigned long flags;
	u64 orun;

	atomic64_inc(&hwevent_interrupts);
	spin_lock_irqsave(&hfile->lock, flags);
	/* Cancel, a signal or release may have ended it meanwhile. */
	if (reg->state == HWEVENT_ARMED) {
		hwevent_reg_fire(hfile, reg, 0);
		if (reg->period_ns) {
			/* Late by whole periods: those expiries are missed. */
			orun = hrtimer_forward_now(timer,
						   ns_to_ktime(reg->period_ns));
			if (orun > 1)
				hwevent_reg_overrun(reg, orun - 1);
			reg->timer_idle = true;
		}
	}
	spin_unlock_irqrestore(&hfile->lock, flags);

	return HRTIMER_NORESTART;
}

/* read(2) made room in the queue: deliver that many parked expiries. */
void hwevent_unpark(struct hwevent_file *hfile)
{
	struct hwevent_reg *reg;
	u32 room;

	/*
	 * Under the lock, always: the bottom half looks for room and parks
	 * under it, so it either saw the room this read made or parked
	 * before we look.
	 */
	/* With bottom halves off, local_bh_enable() runs it here. */
	local_bh_disable();
	spin_lock_irq(&hfile->lock);
	room = min_t(u32, hwevent_queue_room(&hfile->queue), HWEVENT_BATCH);
	while (room-- &&
	       (reg = list_first_entry_or_null(&hfile->parked,
					       struct hwevent_reg,
					       bh_node))) {
		/*
		 * Its record joins the queue now, after records of later
		 * interrupts: a new seqno keeps the file's records in
		 * seqno order, as @bh_pending is.
		 */
		reg->event.seqno = atomic64_inc_return(&hwevent_seqno);
		list_move_tail(&reg->bh_node, &hfile->bh_pending);
		hwevent_bh_kick(hfile);
	}
	spin_unlock_irq(&hfile->lock);
	local_bh_enable();
}

/*
 * Take the expiry of periodic @reg for delivery, with hwevent_file.lock
 * held: fill @ev and restart its timer, or, if its consumer has not taken
 * the last one yet, park it (timer stopped) and return false. Expiries
 * while it was parked become overruns of @ev, as they would have if the
 * bottom half had run late: @ev.overruns still counts the expiries after
 * @ev and before the next record.
 */
static bool hwevent_tick_take(struct hwevent_file *hfile,
			      struct hwevent_reg *reg,
			      struct hwevent_event *ev)
{
	u64 orun;

	lockdep_assert_held(&hfile->lock);

	if (reg->mode == HWEVENT_MODE_QUEUE ?
	    !hwevent_queue_room(&hfile->queue) :
	    reg->watch->unread && reg->watch->bh_run != hfile->bh_run) {
		list_add_tail(&reg->bh_node,
			      reg->mode == HWEVENT_MODE_QUEUE ? &hfile->parked :
								 &reg->watch->parked);
		return false;
	}

	if (reg->timer_idle) {
		/* Expiries it skipped while the delivery waited. */
		orun = hrtimer_forward_now(&reg->timer,
					   ns_to_ktime(reg->period_ns));
		if (orun)
			hwevent_reg_overrun(reg, orun);
		hrtimer_start_expires(&reg->timer, HRTIMER_MODE_ABS);
		reg->timer_idle = false;
	}

	reg->outstanding = false;
	*ev = reg->event;
	ev->bh_ns = ktime_get_ns();
	ev->overruns = reg->overruns;
	reg->overruns = 0;
	trace_hwevent_bh(hfile->trace_id, ev->id, ev->seqno, reg->mode,
			 ev->bh_ns - ev->irq_ns, hfile->bh.kind);
	atomic64_inc(&hwevent_ticks);
	if (reg->mode == HWEVENT_MODE_EVENTFD) {
		/* Windows: KeSetEvent() counts once; a timerfd, each expiry. */
		reg->eventfd_debt += 1 + (u64)ev->overruns;
		reg->watch->unread = true;
		reg->watch->bh_run = hfile->bh_run;
	}
	/* Delivered without the lock: a freer waits for us. */
	reg->delivering = true;
	return true;
}

/* Deliver what hwevent_tick_take() took, without hwevent_file.lock. */
static void hwevent_tick_deliver(struct hwevent_file *hfile,
				 struct hwevent_reg *reg,
				 const struct hwevent_event *ev)
{
	u64 added;

	if (reg->mode == HWEVENT_MODE_EVENTFD) {
		/* The bottom half alone touches the debt: no lock needed. */
		added = hwevent_eventfd_add(reg->trigger, reg->eventfd_debt);
		reg->eventfd_debt -= added;
	} else {
		hwevent_queue_push(&hfile->queue, ev);
	}

	spin_lock_irq(&hfile->lock);
	reg->delivering = false;
	spin_unlock_irq(&hfile->lock);
	/* wake_up_var() reads only the address: @reg may be gone by now. */
	smp_mb();
	wake_up_var(&reg->delivering);
}

/*
 * The expiry of periodic @reg, off the bottom half's list, with
 * hwevent_file.lock held, which it drops: delivered if its consumer took
 * the last one, else parked (hwevent_tick_take()). Returns the records it
 * queued.
 */
static unsigned int hwevent_bh_tick(struct hwevent_file *hfile,
				    struct hwevent_reg *reg)
	__releases(&hfile->lock)
{
	struct hwevent_event ev;
	unsigned int queued;

	if (!hwevent_tick_take(hfile, reg, &ev)) {
		spin_unlock_irq(&hfile->lock);
		return 0;
	}
	spin_unlock_irq(&hfile->lock);
	/* Not after: once delivered, @reg may be freed. */
	queued = reg->mode == HWEVENT_MODE_QUEUE;
	hwevent_tick_deliver(hfile, reg, &ev);
	return queued;
}

/*
 * One-shot @reg, off the bottom half's list, with hwevent_file.lock held,
 * which it drops: end it as completed and deliver it, one way per mode.
 * Returns the records it queued.
 */
static unsigned int hwevent_bh_complete(struct hwevent_file *hfile,
					struct hwevent_reg *reg)
	__releases(&hfile->lock)
{
	/* Its device went away first (edu.c): it ends without an event. */
	bool gone = reg->event.flags & HWEVENT_EVENT_DEVICE_GONE;

	reg->event.bh_ns = ktime_get_ns();
	trace_hwevent_bh(hfile->trace_id, reg->event.id, reg->event.seqno,
			 reg->mode, reg->event.bh_ns - reg->event.irq_ns,
			 hfile->bh.kind);
	hwevent_reg_end(hfile, reg, gone ? HWEVENT_DEVICE_GONE :
					   HWEVENT_COMPLETED);

	switch (reg->mode) {
	case HWEVENT_MODE_PENDING:
		/*
		 * Windows: IoCompleteRequest() on the pending IRP. Under the
		 * lock, so that a waiter cleaning up after a signal sees it
		 * either done or not fired at all. The waiter frees it.
		 */
		complete(&reg->done);
		spin_unlock_irq(&hfile->lock);
		return 0;
	case HWEVENT_MODE_QUEUE:
		/* Off the lists it is ours alone: deliver without the lock. */
		spin_unlock_irq(&hfile->lock);
		hwevent_queue_push(&hfile->queue, &reg->event);
		hwevent_reg_free(reg);
		return 1;
	case HWEVENT_MODE_EVENTFD:
		spin_unlock_irq(&hfile->lock);
		/* Windows: KeSetEvent() on the caller's event. */
		if (!gone)
			hwevent_eventfd_add(reg->trigger, 1);
		hwevent_reg_free(reg);
		return 0;
	default:
		/* HWEVENT_MODE_URING_CMD: the command completes as it is freed. */
		spin_unlock_irq(&hfile->lock);
		hwevent_reg_free(reg);
		return 0;
	}
}

/*
 * The bottom half (Windows: the DPC): complete the registrations fired
 * when it starts, one at a time, each delivered outside hwevent_file.lock.
 * What fires meanwhile kicked it again and waits for its next run: a run
 * ends, however fast periodic ones fire, and the eventfds it signalled
 * wait for a read before they are signalled again (hwevent_tick_take()).
 */
void hwevent_bh(struct hwevent_bh *bh)
{
	struct hwevent_file *hfile = container_of(bh, struct hwevent_file, bh);
	unsigned int nr_queued = 0;
	struct hwevent_reg *reg;
	LIST_HEAD(todo);

	/* Off @todo, as off @bh_pending, under the lock: hwevent_reg_end(). */
	spin_lock_irq(&hfile->lock);
	/* What the PCI device's interrupt fired joins @bh_pending. */
	hwevent_edu_collect(hfile);
	hfile->bh_run++;
	list_splice_init(&hfile->bh_pending, &todo);
	spin_unlock_irq(&hfile->lock);

	for (;;) {
		spin_lock_irq(&hfile->lock);
		reg = list_first_entry_or_null(&todo, struct hwevent_reg,
					       bh_node);
		if (!reg) {
			spin_unlock_irq(&hfile->lock);
			break;
		}
		list_del_init(&reg->bh_node);

		/* Each drops the lock. */
		if (reg->period_ns)
			nr_queued += hwevent_bh_tick(hfile, reg);
		else
			nr_queued += hwevent_bh_complete(hfile, reg);
	}

	if (nr_queued)
		hwevent_queue_wake(&hfile->queue, nr_queued);
}
