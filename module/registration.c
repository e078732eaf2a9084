// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - a registration's life: made and armed by HWEVENT_IOC_REGISTER,
 * fired early by HWEVENT_IOC_TRIGGER, ended by HWEVENT_IOC_CANCEL, and
 * ended exactly once whoever ends it (hwevent_reg_end()); the states and
 * who owns a registration in each are in device.h.
 *
 * Windows: the sample's IOCTL dispatch, its NOTIFY_RECORD allocated,
 * queued with its KTIMER set, and the cancel routine.
 */

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include <linux/hwevent.h>

#include "budget.h"
#include "compat.h"
#include "device.h"
#include "edu.h"
#include "param.h"
#include "trace.h"
#include "uring.h"

#define HWEVENT_REGISTER_VALID_FLAGS \
	(HWEVENT_REGISTER_DEVICE | HWEVENT_REGISTER_DMA)

/* Most max_pending may be set to: a file's registrations take 20 MiB. */
#define HWEVENT_MAX_PENDING_MAX		65536U

static unsigned int max_pending = 1024;

HWEVENT_PARAM_RANGE(max_pending, max_pending, 1, HWEVENT_MAX_PENDING_MAX);
MODULE_PARM_DESC(max_pending,
		 "Most live registrations per open file (default 1024, 1 to 65536)");

struct kmem_cache *hwevent_reg_cache;

void hwevent_reg_free(struct hwevent_reg *reg)
{
	/*
	 * Its timer callback may still be running, waiting for the file's
	 * lock to find it ended: let it finish before the memory goes; and
	 * the bottom half may be delivering its last expiry. Never called
	 * with that lock held.
	 */
	hrtimer_cancel(&reg->timer);
	/* Periodic ones are freed in process context only. */
	if (reg->period_ns)
		wait_var_event(&reg->delivering, !READ_ONCE(reg->delivering));
	if (reg->watch)
		hwevent_watch_put(reg->hfile, reg->watch);
	if (reg->trigger) {
		/* Windows: ObDereferenceObject() on the event. */
		eventfd_ctx_put(reg->trigger);
		atomic_dec(&hwevent_eventfd_refs);
	}
	if (reg->source)
		hwevent_edu_forget(reg);
	put_pid(reg->owner);
	/* Exactly once, as every registration ends exactly once. */
	if (reg->ucmd)
		hwevent_uring_done(reg->ucmd, &reg->event,
				   reg->state == HWEVENT_COMPLETED ? 0 :
				   reg->state == HWEVENT_DEVICE_GONE ? -ENODEV :
				   -ECANCELED);
	kmem_cache_free(hwevent_reg_cache, reg);
}

/* Called with hwevent_file.lock held, by whoever ends @reg. */
void hwevent_reg_end(struct hwevent_file *hfile, struct hwevent_reg *reg,
		     enum hwevent_reg_state how)
{
	lockdep_assert_held(&hfile->lock);
	WARN_ON_ONCE(reg->state != HWEVENT_ARMED &&
		     reg->state != HWEVENT_BH_PENDING);
	/* A periodic one's expiry not yet delivered never will be. */
	list_del_init(&reg->bh_node);
	reg->state = how;
	if (how != HWEVENT_COMPLETED)
		trace_hwevent_cancel(hfile->trace_id, reg->event.id,
				     reg->mode, how);
	hfile->nr_live--;
	hwevent_user_uncharge(hfile->user, reg->period_ns);
	atomic64_inc(&hwevent_ended[how]);
	atomic_dec(&hwevent_live);
}

static int hwevent_register_validate(const struct hwevent_register *req)
{
	if (req->mode != HWEVENT_MODE_PENDING &&
	    req->mode != HWEVENT_MODE_EVENTFD &&
	    req->mode != HWEVENT_MODE_QUEUE)
		return -EINVAL;
	if (req->flags & ~HWEVENT_REGISTER_VALID_FLAGS)
		return -EINVAL;
	/* The device interrupts once per registration: one-shot only. */
	if (req->flags && (!(req->flags & HWEVENT_REGISTER_DEVICE) ||
			   req->period_ns))
		return -EINVAL;
	/* Zero now, so that they can be given a meaning later. */
	if (req->padding || memchr_inv(req->reserved, 0, sizeof(req->reserved)))
		return -EINVAL;
	/* Zero where it has no meaning, so that it can be given one. */
	if (req->mode != HWEVENT_MODE_EVENTFD && req->eventfd)
		return -EINVAL;
	if (req->delay_ns > HWEVENT_MAX_DELAY_NS)
		return -EINVAL;
	/* A sleeping caller gets one event; it cannot take a stream. */
	if (req->period_ns && (req->mode == HWEVENT_MODE_PENDING ||
			       req->period_ns < HWEVENT_MIN_PERIOD_NS ||
			       req->period_ns > HWEVENT_MAX_DELAY_NS))
		return -EINVAL;
	return 0;
}

struct hwevent_reg *hwevent_reg_create(struct hwevent_file *hfile,
				       const struct hwevent_register *req)
{
	struct hwevent_reg *reg;
	int ret;

	/* Windows: ExAllocatePoolQuotaZero(); charged to the caller. */
	reg = kmem_cache_zalloc(hwevent_reg_cache, GFP_KERNEL_ACCOUNT);
	if (!reg)
		return ERR_PTR(-ENOMEM);

	reg->hfile = hfile;
	reg->period_ns = req->period_ns;
	if (req->mode == HWEVENT_MODE_EVENTFD) {
		ret = hwevent_eventfd_watch(reg, req->eventfd);
		if (ret) {
			kmem_cache_free(hwevent_reg_cache, reg);
			return ERR_PTR(ret);
		}
	}

	INIT_LIST_HEAD(&reg->node);
	INIT_LIST_HEAD(&reg->bh_node);
	INIT_LIST_HEAD(&reg->dev_node);
	reg->source = req->flags;
	reg->mode = req->mode;
	reg->state = HWEVENT_ARMED;
	init_completion(&reg->done);
	hrtimer_setup(&reg->timer, hwevent_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS);
	reg->event.cookie = req->cookie;

	return reg;
}

/*
 * Count the registration against max_pending and its user's budget, and
 * give it an id.
 */
int hwevent_reg_reserve(struct hwevent_file *hfile, struct hwevent_reg *reg)
{
	int ret;

	ret = hwevent_user_charge(hfile->user, reg->period_ns);
	if (ret)
		return ret;

	spin_lock_irq(&hfile->lock);
	if (hfile->nr_live >= READ_ONCE(max_pending)) {
		ret = -ENOSPC;
	} else {
		hfile->nr_live++;
		reg->event.id = ++hfile->next_id;
	}
	spin_unlock_irq(&hfile->lock);

	if (ret)
		hwevent_user_uncharge(hfile->user, reg->period_ns);
	return ret;
}

void hwevent_reg_unreserve(struct hwevent_file *hfile, struct hwevent_reg *reg)
{
	spin_lock_irq(&hfile->lock);
	hfile->nr_live--;
	spin_unlock_irq(&hfile->lock);
	hwevent_user_uncharge(hfile->user, reg->period_ns);
}

/*
 * List @reg and start its timer in one step, so that cancel and release
 * never see a registration whose timer is not running yet; and, for the
 * device, put it on the device's list in the same step, so that the
 * device's removal either sees it or came first (-ENODEV).
 */
int hwevent_reg_arm(struct hwevent_file *hfile, struct hwevent_reg *reg,
		    u64 delay_ns)
{
	ktime_t due;
	int ret;

	spin_lock_irq(&hfile->lock);
	if (reg->source) {
		ret = hwevent_edu_attach(reg);
		if (ret) {
			spin_unlock_irq(&hfile->lock);
			return ret;
		}
	}
	atomic64_inc(&hwevent_armed_total);
	atomic_inc(&hwevent_live);
	list_add_tail(&reg->node, &hfile->armed);
	/*
	 * The delay is relative to now; take now ourselves rather than let
	 * HRTIMER_MODE_REL do it, so that the record can say when it was due.
	 */
	due = ktime_add_ns(ktime_get(), delay_ns);
	reg->event.due_ns = ktime_to_ns(due);
	trace_hwevent_register(hfile->trace_id, reg->event.id, reg->mode,
			       delay_ns, reg->period_ns, reg->event.cookie);
	/* Windows: KeSetTimer(). */
	hrtimer_start(&reg->timer, due, HRTIMER_MODE_ABS);
	spin_unlock_irq(&hfile->lock);
	return 0;
}

long hwevent_ioctl_register(struct hwevent_file *hfile,
			    struct hwevent_register __user *ureq)
{
	struct hwevent_register req;
	struct hwevent_reg *reg;
	int ret;

	/* Windows: METHOD_BUFFERED copies this in for the driver. */
	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;

	ret = hwevent_register_validate(&req);
	if (ret)
		return ret;

	/* The restart of a PENDING call its caller's stop interrupted? */
	if (req.mode == HWEVENT_MODE_PENDING) {
		reg = hwevent_resume(hfile, ureq, req.id);
		if (reg)
			return hwevent_wait(hfile, reg, ureq);
	}
	hwevent_reap(hfile);

	reg = hwevent_reg_create(hfile, &req);
	if (IS_ERR(reg))
		return PTR_ERR(reg);

	ret = hwevent_reg_reserve(hfile, reg);
	if (ret)
		goto out_free;

	if (put_user(reg->event.id, &ureq->id)) {
		ret = -EFAULT;
		goto out_unreserve;
	}

	ret = hwevent_reg_arm(hfile, reg, req.delay_ns);
	if (ret)
		goto out_unreserve;

	/* Any but a PENDING registration may be gone already. */
	if (req.mode != HWEVENT_MODE_PENDING)
		return 0;

	return hwevent_wait(hfile, reg, ureq);

out_unreserve:
	hwevent_reg_unreserve(hfile, reg);
out_free:
	hwevent_reg_free(reg);
	return ret;
}

/*
 * HWEVENT_IOC_CANCEL and HWEVENT_IOC_TRIGGER pick registrations alike, by
 * id or all, and their arguments share one layout (asserted above): both
 * are read as a struct hwevent_cancel.
 */
static int hwevent_select_validate(const struct hwevent_cancel *req)
{
	if (req->flags & ~(HWEVENT_CANCEL_ALL | HWEVENT_CANCEL_COOKIE))
		return -EINVAL;
	if (req->padding || req->reserved)
		return -EINVAL;
	/* Any cookie; or one id; or all of them. */
	if (req->flags & HWEVENT_CANCEL_COOKIE)
		return req->flags & HWEVENT_CANCEL_ALL ? -EINVAL : 0;
	if (!req->id == !(req->flags & HWEVENT_CANCEL_ALL))
		return -EINVAL;
	return 0;
}

/*
 * End an armed registration as cancelled. A PENDING one is completed for
 * its sleeper, who stops its timer and frees it; any other moves to @owned,
 * for the caller to do the same.
 */
void hwevent_reg_cancel(struct hwevent_file *hfile, struct hwevent_reg *reg,
			struct list_head *owned)
{
	hwevent_reg_end(hfile, reg, HWEVENT_CANCELLED);
	if (reg->mode == HWEVENT_MODE_PENDING) {
		list_del_init(&reg->node);
		/* Windows: IoCancelIrp() calling the cancel routine. */
		complete(&reg->done);
	} else {
		list_move_tail(&reg->node, owned);
	}
}

/*
 * Fire an armed registration now. A one-shot one's timer is stopped; if
 * its callback is running already (waiting for our lock), it will find the
 * registration fired and leave it, and whoever frees it waits for the
 * callback to return (hwevent_reg_free()). A periodic one keeps its timer
 * and gets an extra expiry.
 */
void hwevent_reg_trigger(struct hwevent_file *hfile, struct hwevent_reg *reg,
			 struct list_head *owned)
{
	atomic64_inc(&hwevent_triggered);
	if (!reg->period_ns)
		hrtimer_try_to_cancel(&reg->timer);
	hwevent_reg_fire(hfile, reg, HWEVENT_EVENT_TRIGGERED);
}

long hwevent_ioctl_select(struct hwevent_file *hfile,
			  struct hwevent_cancel __user *ureq,
			  hwevent_select_fn fn)
{
	struct hwevent_reg *reg, *tmp;
	struct hwevent_cancel req;
	LIST_HEAD(todo);
	LIST_HEAD(done);
	LIST_HEAD(owned);
	u64 count = 0;
	unsigned int n;
	int ret;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;

	ret = hwevent_select_validate(&req);
	if (ret)
		return ret;
	/* Fail on a read-only argument before doing anything. */
	if (put_user(count, &ureq->count))
		return -EFAULT;

	mutex_lock(&hfile->select_lock);
	/*
	 * A trigger schedules the bottom half from process context, where
	 * nothing would run it until the next interrupt or ksoftirqd: with
	 * bottom halves off, local_bh_enable() runs it here, at once.
	 */
	local_bh_disable();
	spin_lock_irq(&hfile->lock);
	/* Only armed ones: once the interrupt ran, the event is delivered. */
	if (req.flags & HWEVENT_CANCEL_ALL) {
		list_splice_init(&hfile->armed, &todo);
	} else if (req.flags & HWEVENT_CANCEL_COOKIE) {
		list_for_each_entry_safe(reg, tmp, &hfile->armed, node)
			if (reg->event.cookie == req.id)
				list_move_tail(&reg->node, &todo);
	} else {
		list_for_each_entry(reg, &hfile->armed, node) {
			if (reg->event.id == req.id) {
				list_move(&reg->node, &todo);
				break;
			}
		}
	}
	/*
	 * A few at a time, the lock dropped in between. Meanwhile their
	 * timers may fire them, which takes them off these lists; no other
	 * cancel or trigger runs (select_lock).
	 */
	while (!list_empty(&todo)) {
		for (n = 0; n < HWEVENT_BATCH &&
		     (reg = list_first_entry_or_null(&todo, struct hwevent_reg,
						     node)); n++) {
			list_move_tail(&reg->node, &done);
			fn(hfile, reg, &owned);
			count++;
		}
		spin_unlock_irq(&hfile->lock);
		local_bh_enable();

		/*
		 * Windows: KeCancelTimer(); hwevent_reg_free() stops the
		 * timer, and a callback running meanwhile sees the new state.
		 */
		list_for_each_entry_safe(reg, tmp, &owned, node)
			hwevent_reg_free(reg);
		INIT_LIST_HEAD(&owned);
		cond_resched();

		local_bh_disable();
		spin_lock_irq(&hfile->lock);
	}
	/* What is still armed: periodic ones that were triggered. */
	list_splice_tail(&done, &hfile->armed);
	spin_unlock_irq(&hfile->lock);
	local_bh_enable();
	mutex_unlock(&hfile->select_lock);

	if (!count && !(req.flags & HWEVENT_CANCEL_ALL))
		return -ENOENT;
	if (put_user(count, &ureq->count))
		return -EFAULT;

	return 0;
}
