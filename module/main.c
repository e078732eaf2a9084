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
 * There is no hardware: nothing here touches a device, and the only
 * resources are memory, timers and the callers' eventfds. Each registration
 * belongs to the open file it was made on and ends exactly once:
 * completed (by the bottom half), cancelled (HWEVENT_IOC_CANCEL),
 * interrupted by a signal (PENDING), or dropped when the file is released.
 * The end is decided under hwevent_file.lock by whoever moves it out of
 * HWEVENT_ARMED or HWEVENT_BH_PENDING; its counters are in debugfs,
 * hwevent/stats.
 *
 * Who owns a registration, and so frees it:
 *  - PENDING: the ioctl sleeping on it. The bottom half and a canceller only
 *    mark it ended and complete it; the sleeper stops the timer and frees.
 *    While its caller is stopped (see hwevent_wait()) it is the open
 *    file's, on hwevent_file.detached, until the restarted call takes it
 *    back or it is reaped.
 *  - EVENTFD and QUEUE: the open file, while it is on hwevent_file.armed
 *    or .bh_pending. Whoever ends it under the lock frees it: the bottom
 *    half (after delivering), a canceller or release (never delivered).
 *
 * A periodic registration stays on hwevent_file.armed, in HWEVENT_ARMED,
 * until cancelled or dropped; each expiry also puts it on .bh_pending
 * (through its own link) for the bottom half. Its timer stops at each
 * expiry; the bottom half restarts it when it delivers the expiry, which it
 * does only once the consumer has taken the last one (a queue with room, an
 * eventfd read since), else the registration waits, parked, for read(2) or
 * the eventfd's wake-up: a consumer that stops reading stops the
 * interrupts.
 *
 * Nothing is delivered under hwevent_file.lock, and loops over many
 * registrations drop it every HWEVENT_BATCH, so the time spent with
 * interrupts off does not grow with the number of registrations. A
 * canceller or release that ends a periodic registration while the bottom
 * half delivers its expiry waits for that delivery before it returns.
 */

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include <linux/hwevent.h>

#include "budget.h"
#include "bh.h"
#include "compat.h"
#include "echo.h"
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

/* No registration flags are defined yet. */
#define HWEVENT_REGISTER_VALID_FLAGS	0U

/* Most max_pending may be set to: a file's registrations take 20 MiB. */
#define HWEVENT_MAX_PENDING_MAX		65536U

/*
 * Registrations a loop over many (release, CANCEL_ALL, TRIGGER_ALL) ends
 * or fires per hold of hwevent_file.lock, so that the time with interrupts
 * off does not grow with the number of registrations.
 */
#define HWEVENT_BATCH			16

static unsigned int max_pending = 1024;
static unsigned int queue_size = 64;

HWEVENT_PARAM_RANGE(queue_size, queue_size, 1, HWEVENT_QUEUE_MAX);
MODULE_PARM_DESC(queue_size,
		 "Records the queue of each open file holds, read at open (default 64, 1 to 262144)");

HWEVENT_PARAM_RANGE(max_pending, max_pending, 1, HWEVENT_MAX_PENDING_MAX);
MODULE_PARM_DESC(max_pending,
		 "Most live registrations per open file (default 1024, 1 to 65536)");

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

/* Open files numbered for the trace events: their pointers are hashed. */
static atomic_t hwevent_trace_files = ATOMIC_INIT(0);

/* Device-wide event count; bumped by the timer callbacks of every file. */
static atomic64_t hwevent_seqno = ATOMIC64_INIT(0);

static struct kmem_cache *hwevent_reg_cache;
static struct dentry *hwevent_debugfs;

/**
 * enum hwevent_reg_state - where a registration is in its life
 * @HWEVENT_ARMED: its timer is queued; it is on hwevent_file.armed (a
 *	periodic one stays here until it ends)
 * @HWEVENT_BH_PENDING: the interrupt ran; it is on hwevent_file.bh_pending
 *	and the bottom half is scheduled
 * @HWEVENT_COMPLETED: ended: the bottom half delivered it
 * @HWEVENT_CANCELLED: ended: HWEVENT_IOC_CANCEL took it while armed
 * @HWEVENT_INTERRUPTED: ended: a signal reached its PENDING caller while
 *	it was armed
 * @HWEVENT_DROPPED: ended: release took it before it completed
 * @HWEVENT_NR_STATES: number of states
 *
 * An ended registration is on no list.
 */
enum hwevent_reg_state {
	HWEVENT_ARMED,
	HWEVENT_BH_PENDING,
	HWEVENT_COMPLETED,
	HWEVENT_CANCELLED,
	HWEVENT_INTERRUPTED,
	HWEVENT_DROPPED,
	HWEVENT_NR_STATES
};

#define CREATE_TRACE_POINTS
#include "trace.h"

/*
 * Device-wide accounting, for debugfs and the tests: every registration
 * that was armed ends in exactly one of the ended states, and every eventfd
 * reference taken is put once. Lock-free; read as a snapshot.
 */
static atomic64_t hwevent_armed_total = ATOMIC64_INIT(0);
static atomic64_t hwevent_ended[HWEVENT_NR_STATES];
static atomic_t hwevent_live = ATOMIC_INIT(0);
static atomic_t hwevent_eventfd_refs = ATOMIC_INIT(0);
/* Timer callbacks run: the simulated interrupts (triggers apart). */
static atomic64_t hwevent_interrupts = ATOMIC64_INIT(0);
/* Expiries of periodic ones delivered, and merged or missed; triggers. */
static atomic64_t hwevent_ticks = ATOMIC64_INIT(0);
static atomic64_t hwevent_overruns = ATOMIC64_INIT(0);
static atomic64_t hwevent_triggered = ATOMIC64_INIT(0);
/* PENDING waits a signal interrupted between the interrupt and the BH. */
static atomic64_t hwevent_late_signals = ATOMIC64_INIT(0);

/**
 * struct hwevent_file - one open file of /dev/hwevent
 * @lock: protects @armed, @bh_pending, @parked, @nr_live, @next_id and the
 *	state of every registration on them. Taken by the hrtimer callback
 *	(hard irq; a softirq thread on PREEMPT_RT), the bottom half (softirq,
 *	or a worker thread with bottom_half=thread),
 *	an eventfd's wake-up (any context, inside the eventfd's own lock) and
 *	the ioctls, read and release (process), so always with interrupts
 *	off, and never for longer than a few registrations' work: nothing is
 *	delivered under it. Nests inside the eventfd's lock and outside
 *	hwevent_queue.lock.
 * @select_lock: serializes HWEVENT_IOC_CANCEL and HWEVENT_IOC_TRIGGER,
 *	which work through @armed in batches (process context)
 * @armed: registrations whose timer is queued, and periodic ones until
 *	they end
 * @bh_pending: registrations whose interrupt ran, waiting for the bottom half,
 *	in the order the interrupts ran
 * @bh_run: counts the bottom half's runs; each takes what @bh_pending holds
 *	when it starts
 * @parked: periodic %HWEVENT_MODE_QUEUE registrations whose expiry waits
 *	for room in @queue, oldest first; read(2) moves them back to @bh_pending
 * @watches: the &struct hwevent_watch of each eventfd periodic EVENTFD
 *	registrations of this file use, under @watch_lock
 * @watch_lock: serializes making and dropping watches (process context)
 * @detached: PENDING registrations whose caller a stop, a ptrace stop or
 *	a freeze took out of the call, armed, timer stopped, until the
 *	restarted call resumes them (hwevent_wait())
 * @nr_live: registrations not yet ended, held to max_pending
 * @next_id: id of the next registration, from 1
 * @user: the user who opened the file, charged for its registrations
 * @bh: the bottom half (Windows: the DPC, or a threaded DPC with
 *	bottom_half=thread), completes @bh_pending; of the kind bottom_half named
 *	when the file was opened
 * @bh_delay: schedules @bh late, while test_bh_delay_us is set
 * @queue: the records of %HWEVENT_MODE_QUEUE registrations, for read(2)
 * @trace_id: this file's number in the trace events, from 1 per load
 *
 * Windows: the FILE_CONTEXT in FileObject->FsContext, plus this file's
 * share of the sample's device-wide record list and its QueueLock.
 */
struct hwevent_file {
	spinlock_t lock;	/* irq-safe: see @lock above */
	struct mutex select_lock;
	struct list_head armed;
	struct list_head bh_pending;
	u32 bh_run;
	struct list_head parked;
	struct list_head watches;
	struct mutex watch_lock;	/* see @watch_lock above */
	struct list_head detached;
	unsigned int nr_live;
	u64 next_id;
	struct hwevent_user *user;
	struct hwevent_bh bh;
	struct hrtimer bh_delay;
	struct hwevent_queue queue;
	u32 trace_id;
};

/**
 * struct hwevent_watch - one eventfd that periodic EVENTFD registrations of
 *	a file signal, watched to learn when it is read (as KVM's irqfd
 *	watches one): one entry in its wait queue however many use it
 * @node: link in hwevent_file.watches
 * @hfile: the file
 * @ctx: the eventfd, our own reference
 * @wqh: its wait queue
 * @wait: our entry in it: hwevent_eventfd_wake()
 * @users: registrations using it, under hwevent_file.watch_lock
 * @unread: one of them signalled it, and it was not read since; under
 *	hwevent_file.lock
 * @bh_run: the bottom half's run (hwevent_file.bh_run) that signalled it
 *	last: the others that run takes signal it too, as one read takes
 *	all their counts; under hwevent_file.lock
 * @parked: registrations whose expiry waits for a read (through their
 *	bh_node), under hwevent_file.lock
 */
struct hwevent_watch {
	struct list_head node;
	struct hwevent_file *hfile;
	struct eventfd_ctx *ctx;
	wait_queue_head_t *wqh;
	wait_queue_entry_t wait;
	unsigned int users;
	bool unread;
	u32 bh_run;
	struct list_head parked;
};

/**
 * struct hwevent_reg - one registration (Windows: NOTIFY_RECORD)
 * @node: link in hwevent_file.armed while armed
 * @bh_node: link in hwevent_file.bh_pending (or the list of the bottom
 *	half's run that took it) while its interrupt has run and the bottom
 *	half has not, or in a list of parked ones; empty otherwise
 * @hfile: the open file it belongs to
 * @timer: the simulated interrupt (Windows: KTIMER)
 * @state: an &enum hwevent_reg_state, under hwevent_file.lock
 * @mode: %HWEVENT_MODE_PENDING, %HWEVENT_MODE_EVENTFD, %HWEVENT_MODE_QUEUE
 *	or %HWEVENT_MODE_URING_CMD
 * @period_ns: 0, or the period of a periodic registration
 * @overruns: periodic: expiries since its last record that got none
 * @outstanding: periodic: an expiry is not delivered yet: on
 *	hwevent_file.bh_pending, or parked, waiting for its consumer to take
 *	the last one (QUEUE: on hwevent_file.parked, the queue full;
 *	EVENTFD: on its watch's list, the eventfd not read since it was
 *	signalled), its timer stopped meanwhile; another expiry then is an
 *	overrun
 * @timer_idle: periodic: its timer stopped at an expiry, for the bottom
 *	half to restart once that expiry is delivered
 * @delivering: periodic: the bottom half is delivering an expiry without
 *	the lock; whoever frees it waits for that to end
 * @eventfd_debt: periodic EVENTFD: expiries not yet added to the eventfd
 *	(see hwevent_eventfd_add())
 * @watch: periodic EVENTFD: what tells when its eventfd is read
 * @trigger: EVENTFD: the caller's eventfd, our own reference
 * @done: PENDING: completed by the bottom half
 * @owner: PENDING, detached: the thread whose call it is (a reference)
 * @ureq: PENDING, detached: that call's argument, to know the call again
 * @ucmd: URING_CMD: the io_uring command, completed when it is freed
 * @event: the record; seqno, due_ns, irq_ns and flags written at the
 *	interrupt, bh_ns by the bottom half, the rest before the timer is
 *	armed; all under hwevent_file.lock once armed
 */
struct hwevent_reg {
	struct list_head node;
	struct list_head bh_node;
	struct hwevent_file *hfile;
	struct hrtimer timer;
	enum hwevent_reg_state state;
	u32 mode;
	u64 period_ns;
	u32 overruns;
	bool outstanding;
	bool timer_idle;
	bool delivering;
	u64 eventfd_debt;
	struct hwevent_watch *watch;
	struct eventfd_ctx *trigger;
	struct completion done;
	struct pid *owner;
	struct hwevent_register __user *ureq;
	struct io_uring_cmd *ucmd;
	struct hwevent_event event;
};

static void hwevent_watch_put(struct hwevent_file *hfile,
			      struct hwevent_watch *watch);

static void hwevent_reg_free(struct hwevent_reg *reg)
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
	put_pid(reg->owner);
	/* Exactly once, as every registration ends exactly once. */
	if (reg->ucmd)
		hwevent_uring_done(reg->ucmd, &reg->event,
				   reg->state == HWEVENT_COMPLETED ? 0 : -ECANCELED);
	kmem_cache_free(hwevent_reg_cache, reg);
}

/* Called with hwevent_file.lock held, by whoever ends @reg. */
static void hwevent_reg_end(struct hwevent_file *hfile,
			    struct hwevent_reg *reg,
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

/* Expiries of periodic @reg that get no record of their own. */
static void hwevent_reg_overrun(struct hwevent_reg *reg, u64 n)
{
	reg->overruns = hwevent_add_sat(reg->overruns, hwevent_count_units(n));
	atomic64_add(n, &hwevent_overruns);
}

/* Hand @hfile's fired registrations to its bottom half. */
static void hwevent_bh_kick(struct hwevent_file *hfile)
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
 * The interrupt of @reg, from its timer or HWEVENT_IOC_TRIGGER (Windows:
 * the ISR queueing its DPC): note when it ran, hand it to the bottom half.
 * Called with hwevent_file.lock held and @reg armed.
 */
static void hwevent_reg_fire(struct hwevent_file *hfile,
			     struct hwevent_reg *reg, u32 flags)
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
	reg->event.irq_ns = ktime_get_ns();
	reg->event.seqno = atomic64_inc_return(&hwevent_seqno);
	reg->event.flags = flags;
	trace_hwevent_irq(hfile->trace_id, reg->event.id, reg->event.seqno,
			  reg->event.irq_ns - reg->event.due_ns, flags);
	list_add_tail(&reg->bh_node, &hfile->bh_pending);
	hwevent_bh_kick(hfile);
}

/* test_bh_delay_us after an interrupt: the bottom half, late. */
static enum hrtimer_restart hwevent_bh_delay_fn(struct hrtimer *timer)
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
static enum hrtimer_restart hwevent_timer_fn(struct hrtimer *timer)
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

/* read(2) made room in the queue: deliver that many parked expiries. */
static void hwevent_unpark(struct hwevent_file *hfile)
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
 * The bottom half (Windows: the DPC): complete the registrations fired
 * when it starts, one at a time, each delivered outside hwevent_file.lock.
 * What fires meanwhile kicked it again and waits for its next run: a run
 * ends, however fast periodic ones fire, and the eventfds it signalled
 * wait for a read before they are signalled again (hwevent_tick_take()).
 */
static void hwevent_bh(struct hwevent_bh *bh)
{
	struct hwevent_file *hfile = container_of(bh, struct hwevent_file, bh);
	unsigned int nr_queued = 0;
	struct hwevent_event ev;
	struct hwevent_reg *reg;
	LIST_HEAD(todo);

	/* Off @todo, as off @bh_pending, under the lock: hwevent_reg_end(). */
	spin_lock_irq(&hfile->lock);
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

		if (reg->period_ns) {
			if (!hwevent_tick_take(hfile, reg, &ev)) {
				spin_unlock_irq(&hfile->lock);
				continue;
			}
			spin_unlock_irq(&hfile->lock);
			/* Not after: once delivered, @reg may be freed. */
			nr_queued += reg->mode == HWEVENT_MODE_QUEUE;
			hwevent_tick_deliver(hfile, reg, &ev);
			continue;
		}

		reg->event.bh_ns = ktime_get_ns();
		trace_hwevent_bh(hfile->trace_id, reg->event.id,
				 reg->event.seqno, reg->mode,
				 reg->event.bh_ns - reg->event.irq_ns,
				 hfile->bh.kind);
		hwevent_reg_end(hfile, reg, HWEVENT_COMPLETED);

		if (reg->mode == HWEVENT_MODE_PENDING) {
			/*
			 * Windows: IoCompleteRequest() on the pending IRP.
			 * Under the lock, so that a waiter cleaning up after a
			 * signal sees it either done or not fired at all.
			 */
			complete(&reg->done);
			spin_unlock_irq(&hfile->lock);
			continue;
		}

		/* Off the lists it is ours alone: deliver without the lock. */
		spin_unlock_irq(&hfile->lock);
		if (reg->mode == HWEVENT_MODE_QUEUE) {
			hwevent_queue_push(&hfile->queue, &reg->event);
			nr_queued++;
		} else if (reg->mode == HWEVENT_MODE_EVENTFD) {
			/* Windows: KeSetEvent() on the caller's event. */
			hwevent_eventfd_add(reg->trigger, 1);
		}
		/* An io_uring command completes as it is freed. */
		hwevent_reg_free(reg);
	}

	if (nr_queued)
		hwevent_queue_wake(&hfile->queue, nr_queued);
}

static int hwevent_register_validate(const struct hwevent_register *req)
{
	if (req->mode != HWEVENT_MODE_PENDING &&
	    req->mode != HWEVENT_MODE_EVENTFD &&
	    req->mode != HWEVENT_MODE_QUEUE)
		return -EINVAL;
	if (req->flags & ~HWEVENT_REGISTER_VALID_FLAGS)
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
static void hwevent_watch_put(struct hwevent_file *hfile,
			      struct hwevent_watch *watch)
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
static int hwevent_eventfd_watch(struct hwevent_reg *reg, int fd)
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

static struct hwevent_reg *hwevent_reg_create(struct hwevent_file *hfile,
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
static int hwevent_reg_reserve(struct hwevent_file *hfile,
			       struct hwevent_reg *reg)
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

static void hwevent_reg_unreserve(struct hwevent_file *hfile,
				  struct hwevent_reg *reg)
{
	spin_lock_irq(&hfile->lock);
	hfile->nr_live--;
	spin_unlock_irq(&hfile->lock);
	hwevent_user_uncharge(hfile->user, reg->period_ns);
}

/*
 * List @reg and start its timer in one step, so that cancel and release
 * never see a registration whose timer is not running yet.
 */
static void hwevent_reg_arm(struct hwevent_file *hfile,
			    struct hwevent_reg *reg, u64 delay_ns)
{
	ktime_t due;

	atomic64_inc(&hwevent_armed_total);
	atomic_inc(&hwevent_live);

	spin_lock_irq(&hfile->lock);
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
}

/*
 * Whether a signal pending for the caller will run a handler. Such a
 * signal ends a PENDING wait with EINTR. What else wakes it runs no
 * handler: a stop (SIGSTOP, Ctrl-Z), a ptrace stop (an attaching strace
 * or gdb), the freezer before 6.1, cgroup.freeze.
 */
static bool hwevent_handler_pending(void)
{
	/* Only exec, in the task itself, changes its own: not while we run. */
	struct sighand_struct *sighand =
		rcu_dereference_protected(current->sighand, true);
	__sighandler_t handler;
	sigset_t pending;
	bool ret = false;
	int sig;

	spin_lock_irq(&sighand->siglock);
	sigorsets(&pending, &current->pending.signal,
		  &current->signal->shared_pending.signal);
	sigandnsets(&pending, &pending, &current->blocked);
	for (sig = 1; sig <= _NSIG && !ret; sig++) {
		handler = sighand->action[sig - 1].sa.sa_handler;
		ret = sigismember(&pending, sig) && handler != SIG_DFL &&
		      handler != SIG_IGN;
	}
	spin_unlock_irq(&sighand->siglock);

	return ret;
}

/*
 * The caller of PENDING @reg leaves the call without a handler to run: it
 * stops, or a tracer or a freezer stops it. Windows keeps a suspended
 * thread's IRP pending; here the thread must leave the call to stop, so
 * the call is restarted when it goes on (-ERESTARTNOINTR: the kernel
 * issues it again, with the same argument, even after a handler that ran
 * meanwhile), as clock_nanosleep() resumes. Meanwhile @reg waits on
 * hwevent_file.detached, its timer stopped, as do_nanosleep() stops its
 * own: the restarted call finds it by thread, argument and id (written
 * back to the argument before the sleep) and resumes it, due when it
 * always was (hwevent_resume()). One no call resumes (the thread died, or
 * the descriptor now names another file) ends as interrupted at the
 * thread's next REGISTER on this file (hwevent_reap()), or at release.
 * Called with hwevent_file.lock held.
 */
static void hwevent_wait_detach(struct hwevent_file *hfile,
				struct hwevent_reg *reg,
				struct hwevent_register __user *ureq)
{
	lockdep_assert_held(&hfile->lock);
	reg->owner = get_pid(task_pid(current));
	reg->ureq = ureq;
	list_add_tail(&reg->node, &hfile->detached);
}

/*
 * The restarted REGISTER of a detached registration: the caller's, for the
 * same argument, whose @id it names. Armed again for its due time, which
 * may have passed: then it fires at once. NULL if there is none.
 */
static struct hwevent_reg *
hwevent_resume(struct hwevent_file *hfile, struct hwevent_register __user *ureq,
	       u64 id)
{
	struct hwevent_reg *reg, *found = NULL;
	struct pid *owner = NULL;

	spin_lock_irq(&hfile->lock);
	list_for_each_entry(reg, &hfile->detached, node) {
		if (reg->owner == task_pid(current) && reg->ureq == ureq &&
		    reg->event.id == id) {
			found = reg;
			owner = reg->owner;
			reg->owner = NULL;
			list_move_tail(&reg->node, &hfile->armed);
			hrtimer_start(&reg->timer, ns_to_ktime(reg->event.due_ns),
				      HRTIMER_MODE_ABS);
			break;
		}
	}
	spin_unlock_irq(&hfile->lock);
	put_pid(owner);

	return found;
}

/*
 * End, as interrupted, the caller's detached registrations a new REGISTER
 * did not resume.
 */
static void hwevent_reap(struct hwevent_file *hfile)
{
	struct hwevent_reg *reg, *tmp;
	LIST_HEAD(reaped);

	spin_lock_irq(&hfile->lock);
	list_for_each_entry_safe(reg, tmp, &hfile->detached, node) {
		if (reg->owner == task_pid(current)) {
			list_move_tail(&reg->node, &reaped);
			hwevent_reg_end(hfile, reg, HWEVENT_INTERRUPTED);
		}
	}
	spin_unlock_irq(&hfile->lock);

	list_for_each_entry_safe(reg, tmp, &reaped, node)
		hwevent_reg_free(reg);
}

/*
 * PENDING mode: sleep until @reg ends (Windows: IoMarkIrpPending() and
 * STATUS_PENDING; here the caller simply sleeps), then stop its timer,
 * hand the record to the caller and free @reg.
 */
static long hwevent_wait(struct hwevent_file *hfile, struct hwevent_reg *reg,
			 struct hwevent_register __user *ureq)
{
	enum hwevent_reg_state state;
	bool resume;
	long ret = 0;

	/* The freezer leaves it asleep (6.1 on); other wake-ups are below. */
	if (hwevent_wait_freezable(&reg->done)) {
		/*
		 * Windows: the cancel routine; here the waiter cleans up after
		 * itself. Once the timer is stopped, its interrupt either ran
		 * or never will.
		 */
		hrtimer_cancel(&reg->timer);
		resume = !fatal_signal_pending(current) &&
			 !hwevent_handler_pending();
		spin_lock_irq(&hfile->lock);
		if (reg->state == HWEVENT_ARMED) {
			list_del_init(&reg->node);
			if (resume) {
				hwevent_wait_detach(hfile, reg, ureq);
				spin_unlock_irq(&hfile->lock);
				return -ERESTARTNOINTR;
			}
			hwevent_reg_end(hfile, reg, HWEVENT_INTERRUPTED);
		}
		state = reg->state;
		spin_unlock_irq(&hfile->lock);
		/*
		 * The interrupt ran before the signal: the bottom half is
		 * scheduled and completes it shortly. Report the event rather
		 * than lose it.
		 */
		if (state == HWEVENT_BH_PENDING) {
			atomic64_inc(&hwevent_late_signals);
			wait_for_completion(&reg->done);
		}
	}

	/* Set before complete(), or by ourselves above. */
	switch (READ_ONCE(reg->state)) {
	case HWEVENT_COMPLETED:
		if (copy_to_user(&ureq->event, &reg->event, sizeof(reg->event)))
			ret = -EFAULT;
		break;
	case HWEVENT_CANCELLED:
		/* The canceller left stopping the timer to us (below). */
		ret = -ECANCELED;
		break;
	case HWEVENT_INTERRUPTED:
		/*
		 * A handler runs: never -ERESTARTSYS, which SA_RESTART would
		 * turn into a new registration, its delay started over.
		 */
		ret = -EINTR;
		break;
	default:
		WARN_ON_ONCE(1);
		ret = -EIO;
	}
	hwevent_reg_free(reg);

	return ret;
}

static long hwevent_ioctl_register(struct hwevent_file *hfile,
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

	hwevent_reg_arm(hfile, reg, req.delay_ns);

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

/* Does what the ioctl asks to one armed registration, under the lock. */
typedef void (*hwevent_select_fn)(struct hwevent_file *hfile,
				  struct hwevent_reg *reg,
				  struct list_head *owned);

/*
 * End an armed registration as cancelled. A PENDING one is completed for
 * its sleeper, who stops its timer and frees it; any other moves to @owned,
 * for the caller to do the same.
 */
static void hwevent_reg_cancel(struct hwevent_file *hfile,
			       struct hwevent_reg *reg, struct list_head *owned)
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
static void hwevent_reg_trigger(struct hwevent_file *hfile,
				struct hwevent_reg *reg,
				struct list_head *owned)
{
	atomic64_inc(&hwevent_triggered);
	if (!reg->period_ns)
		hrtimer_try_to_cancel(&reg->timer);
	hwevent_reg_fire(hfile, reg, HWEVENT_EVENT_TRIGGERED);
}

static long hwevent_ioctl_select(struct hwevent_file *hfile,
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

#ifdef HWEVENT_HAVE_URING_CMD
/*
 * The registration of an io_uring command (uring.c), reserved and not yet
 * armed: the caller makes the command cancelable, then arms it with
 * hwevent_uring_arm(), after which it may complete at any moment.
 */
struct hwevent_reg *hwevent_uring_prepare(struct file *file, u64 cookie,
					  u64 *id)
{
	struct hwevent_file *hfile = file->private_data;
	const struct hwevent_register req = {
		.mode = HWEVENT_MODE_URING_CMD,
		.cookie = cookie,
	};
	struct hwevent_reg *reg;
	int ret;

	reg = hwevent_reg_create(hfile, &req);
	if (IS_ERR(reg))
		return reg;
	ret = hwevent_reg_reserve(hfile, reg);
	if (ret) {
		hwevent_reg_free(reg);
		return ERR_PTR(ret);
	}
	*id = reg->event.id;
	return reg;
}

void hwevent_uring_arm(struct hwevent_reg *reg, struct io_uring_cmd *ucmd,
		       u64 delay_ns)
{
	/* From here on, freeing @reg completes @ucmd. */
	reg->ucmd = ucmd;
	hwevent_reg_arm(reg->hfile, reg, delay_ns);
}

/*
 * io_uring cancels command @id (ring closed, task exiting): cancel its
 * registration if its interrupt has not run yet. If it has, or a cancel
 * or trigger has it, it completes soon anyway; io_uring asks again until
 * it has.
 */
void hwevent_uring_cancel(struct file *file, u64 id)
{
	struct hwevent_file *hfile = file->private_data;
	struct hwevent_reg *reg, *found = NULL;
	LIST_HEAD(owned);

	spin_lock_irq(&hfile->lock);
	list_for_each_entry(reg, &hfile->armed, node) {
		if (reg->event.id == id) {
			found = reg;
			break;
		}
	}
	if (found)
		hwevent_reg_cancel(hfile, found, &owned);
	spin_unlock_irq(&hfile->lock);
	if (found)
		hwevent_reg_free(found);
}
#endif

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
		     !list_empty(&hfile->parked) || hfile->nr_live);
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

static const char * const hwevent_state_names[HWEVENT_NR_STATES] = {
	[HWEVENT_COMPLETED]	= "completed",
	[HWEVENT_CANCELLED]	= "cancelled",
	[HWEVENT_INTERRUPTED]	= "interrupted",
	[HWEVENT_DROPPED]	= "dropped",
};

/* debugfs hwevent/stats: "name value" lines, for people and tests. */
static int hwevent_stats_show(struct seq_file *m, void *unused)
{
	int i;

	seq_printf(m, "armed %lld\n", atomic64_read(&hwevent_armed_total));
	for (i = HWEVENT_COMPLETED; i < HWEVENT_NR_STATES; i++)
		seq_printf(m, "%s %lld\n", hwevent_state_names[i],
			   atomic64_read(&hwevent_ended[i]));
	seq_printf(m, "live %d\n", atomic_read(&hwevent_live));
	seq_printf(m, "eventfd_refs %d\n", atomic_read(&hwevent_eventfd_refs));
	seq_printf(m, "queued %lld\n", atomic64_read(&hwevent_queued_total));
	seq_printf(m, "queue_lost %lld\n",
		   atomic64_read(&hwevent_queue_lost_total));
	seq_printf(m, "ticks %lld\n", atomic64_read(&hwevent_ticks));
	seq_printf(m, "overruns %lld\n", atomic64_read(&hwevent_overruns));
	seq_printf(m, "triggered %lld\n", atomic64_read(&hwevent_triggered));
	seq_printf(m, "late_signals %lld\n",
		   atomic64_read(&hwevent_late_signals));
	seq_printf(m, "interrupts %lld\n", atomic64_read(&hwevent_interrupts));
	hwecho_stats_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hwevent_stats);

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

	/* Optional, like all of debugfs: errors are not ours to handle. */
	hwevent_debugfs = debugfs_create_dir("hwevent", NULL);
	debugfs_create_file("stats", 0444, hwevent_debugfs, NULL,
			    &hwevent_stats_fops);

	return 0;

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
	debugfs_remove(hwevent_debugfs);
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
