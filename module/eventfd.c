// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - the EVENTFD mode: the caller's eventfd, referenced for as long
 * as its registration lives, and for periodic registrations a watch on it
 * that tells when it is read (the bottom half signals it again only then)
 *
 * Windows: ObReferenceObjectByHandle() on the caller's event, which the
 * DPC sets with KeSetEvent().
 */

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "device.h"

/*
 * An eventfd of periodic registrations was read (Windows: the application
 * consumed the event): their next expiries may be delivered. Called by
 * the eventfd with its wait queue's lock held, interrupts off.
 */
static int hwevent_eventfd_wake(wait_queue_entry_t *wait, unsigned int mode,
				int sync, void *key)
{
	struct hwevent_watch *watch = container_of(wait, struct hwevent_watch,
						   wait);
	struct hwevent_file *hfile = watch->hfile;
	unsigned long flags;

	if (!(key_to_poll(key) & EPOLLOUT))
		return 0;

	spin_lock_irqsave(&hfile->lock, flags);
	watch->unread = false;
	/* All at once, however many: the bottom half takes them one by one. */
	if (!list_empty(&watch->parked)) {
		list_splice_tail_init(&watch->parked, &hfile->bh_pending);
		hwevent_bh_kick(hfile);
	}
	spin_unlock_irqrestore(&hfile->lock, flags);

	return 0;
}

/* How hwevent_watch_get() finds the watch vfs_poll() adds. */
struct hwevent_watch_poll {
	poll_table pt;
	struct hwevent_watch *watch;
};

static void hwevent_watch_queue_proc(struct file *file,
				     wait_queue_head_t *wqh, poll_table *pt)
{
	struct hwevent_watch *watch =
		container_of(pt, struct hwevent_watch_poll, pt)->watch;

	watch->wqh = wqh;
	add_wait_queue(wqh, &watch->wait);
}

/*
 * The watch of eventfd @file (@ctx) in @hfile, made on first use: its
 * entry joins the eventfd's wait queue through vfs_poll(), as KVM's irqfd
 * does. Process context.
 */
static struct hwevent_watch *hwevent_watch_get(struct hwevent_file *hfile,
					       struct file *file,
					       struct eventfd_ctx *ctx)
{
	struct hwevent_watch_poll poll;
	struct hwevent_watch *watch;

	mutex_lock(&hfile->watch_lock);
	list_for_each_entry(watch, &hfile->watches, node) {
		if (watch->ctx == ctx) {
			watch->users++;
			goto out;
		}
	}
	watch = kzalloc(sizeof(*watch), GFP_KERNEL_ACCOUNT);
	if (!watch) {
		watch = ERR_PTR(-ENOMEM);
		goto out;
	}
	/* Its own reference: it may outlive the registration that made it. */
	watch->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(watch->ctx)) {
		ctx = watch->ctx;
		kfree(watch);
		watch = ERR_CAST(ctx);
		goto out;
	}
	watch->hfile = hfile;
	watch->users = 1;
	INIT_LIST_HEAD(&watch->parked);
	init_waitqueue_func_entry(&watch->wait, hwevent_eventfd_wake);
	poll.watch = watch;
	init_poll_funcptr(&poll.pt, hwevent_watch_queue_proc);
	vfs_poll(file, &poll.pt);
	list_add_tail(&watch->node, &hfile->watches);
out:
	mutex_unlock(&hfile->watch_lock);
	return watch;
}

/* A registration stops using @watch; the last one drops it. */
void hwevent_watch_put(struct hwevent_file *hfile, struct hwevent_watch *watch)
{
	mutex_lock(&hfile->watch_lock);
	if (!--watch->users) {
		list_del(&watch->node);
		/* After this no wake-up of it runs, or is running. */
		if (watch->wqh)
			remove_wait_queue(watch->wqh, &watch->wait);
		WARN_ON_ONCE(!list_empty(&watch->parked));
		eventfd_ctx_put(watch->ctx);
		kfree(watch);
	}
	mutex_unlock(&hfile->watch_lock);
}

/*
 * Take a reference to the caller's eventfd @fd (Windows:
 * ObReferenceObjectByHandle() on the event handle), and for a periodic
 * registration the file's watch of it, to learn when it is read.
 */
int hwevent_eventfd_watch(struct hwevent_reg *reg, int fd)
{
	struct eventfd_ctx *trigger;
	struct hwevent_watch *watch;
	struct file *file;
	int ret = 0;

	file = eventfd_fget(fd);
	if (IS_ERR(file))
		return PTR_ERR(file);
	trigger = eventfd_ctx_fileget(file);
	if (IS_ERR(trigger)) {
		ret = PTR_ERR(trigger);
		goto out;
	}
	if (reg->period_ns) {
		watch = hwevent_watch_get(reg->hfile, file, trigger);
		if (IS_ERR(watch)) {
			eventfd_ctx_put(trigger);
			ret = PTR_ERR(watch);
			goto out;
		}
		reg->watch = watch;
	}
	reg->trigger = trigger;
	atomic_inc(&hwevent_eventfd_refs);
out:
	fput(file);
	return ret;
}
