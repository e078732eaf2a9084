/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - /dev/hwevent's open files and registrations: the structures
 * every part of the device shares, and the rules they are shared by
 *
 * The interrupt is simulated, an hrtimer, unless a registration asks for
 * the PCI device (edu.c, QEMU's edu): then the timer makes the device
 * raise a real one. Each registration belongs to the open file it was made
 * on and ends exactly once: completed (by the bottom half), cancelled
 * (HWEVENT_IOC_CANCEL), interrupted by a signal (PENDING), dropped when the
 * file is released, or, on the device, ended when the device went away.
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
#ifndef _HWEVENT_DEVICE_H
#define _HWEVENT_DEVICE_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <linux/hwevent.h>

#include "bh.h"
#include "queue.h"

/*
 * Registrations a loop over many (release, CANCEL_ALL, TRIGGER_ALL) ends
 * or fires per hold of hwevent_file.lock, so that the time with interrupts
 * off does not grow with the number of registrations.
 */
#define HWEVENT_BATCH			16

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
 * @HWEVENT_DEVICE_GONE: ended: its PCI device was removed before its
 *	interrupt (the bottom half ended it, edu.c)
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
	HWEVENT_DEVICE_GONE,
	HWEVENT_NR_STATES
};

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
 * @dev_fired: registrations the PCI device's interrupt fired (or whose
 *	device went away), for the bottom half, under hwevent_edu_lock (edu.c)
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
	struct list_head dev_fired;
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
 * @dev_node: %HWEVENT_REGISTER_DEVICE: link in one of the PCI device's
 *	lists, or in hwevent_file.dev_fired; under hwevent_edu_lock (edu.c)
 * @dev_state: %HWEVENT_REGISTER_DEVICE: which (&enum hwevent_dev_state),
 *	under hwevent_edu_lock
 * @source: %HWEVENT_REGISTER_DEVICE and %HWEVENT_REGISTER_DMA, as asked
 * @dev_irq_ns: when the device's interrupt handler took it (or the
 *	device went away), under hwevent_edu_lock
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
	struct list_head dev_node;
	u8 dev_state;
	u32 source;
	u64 dev_irq_ns;
	struct hwevent_event event;
};

/* registration.c: a registration made, armed, ended and freed */
extern struct kmem_cache *hwevent_reg_cache;
void hwevent_reg_free(struct hwevent_reg *reg);
void hwevent_reg_end(struct hwevent_file *hfile, struct hwevent_reg *reg,
		     enum hwevent_reg_state how);
struct hwevent_reg *hwevent_reg_create(struct hwevent_file *hfile,
				       const struct hwevent_register *req);
int hwevent_reg_reserve(struct hwevent_file *hfile, struct hwevent_reg *reg);
void hwevent_reg_unreserve(struct hwevent_file *hfile, struct hwevent_reg *reg);
int hwevent_reg_arm(struct hwevent_file *hfile, struct hwevent_reg *reg,
		    u64 delay_ns);
void hwevent_reg_cancel(struct hwevent_file *hfile, struct hwevent_reg *reg,
			struct list_head *owned);
void hwevent_reg_trigger(struct hwevent_file *hfile, struct hwevent_reg *reg,
			 struct list_head *owned);
long hwevent_ioctl_register(struct hwevent_file *hfile,
			    struct hwevent_register __user *ureq);

/* Does what the ioctl asks to one armed registration, under the lock. */
typedef void (*hwevent_select_fn)(struct hwevent_file *hfile,
				  struct hwevent_reg *reg,
				  struct list_head *owned);
long hwevent_ioctl_select(struct hwevent_file *hfile,
			  struct hwevent_cancel __user *ureq,
			  hwevent_select_fn fn);

/* pending.c: the PENDING mode's caller, asleep in the ioctl */
struct hwevent_reg *hwevent_resume(struct hwevent_file *hfile,
				   struct hwevent_register __user *ureq,
				   u64 id);
void hwevent_reap(struct hwevent_file *hfile);
long hwevent_wait(struct hwevent_file *hfile, struct hwevent_reg *reg,
		  struct hwevent_register __user *ureq);

/* eventfd.c: the EVENTFD mode's eventfd, and the watch on its reads */
int hwevent_eventfd_watch(struct hwevent_reg *reg, int fd);
void hwevent_watch_put(struct hwevent_file *hfile,
		       struct hwevent_watch *watch);

/* interrupt.c: the simulated interrupt, and what the bottom half delivers */
void hwevent_reg_fire(struct hwevent_file *hfile, struct hwevent_reg *reg,
		      u32 flags);
void hwevent_reg_fire_at(struct hwevent_file *hfile, struct hwevent_reg *reg,
			 u32 flags, u64 irq_ns);
void hwevent_bh_kick(struct hwevent_file *hfile);
enum hrtimer_restart hwevent_timer_fn(struct hrtimer *timer);
enum hrtimer_restart hwevent_bh_delay_fn(struct hrtimer *timer);
void hwevent_bh(struct hwevent_bh *bh);
void hwevent_unpark(struct hwevent_file *hfile);

/*
 * stats.c: device-wide accounting, for debugfs (hwevent/stats) and the
 * tests: every registration that was armed ends in exactly one of the ended
 * states, and every eventfd reference taken is put once. Lock-free; read as
 * a snapshot.
 */
extern atomic64_t hwevent_armed_total;
extern atomic64_t hwevent_ended[HWEVENT_NR_STATES];
extern atomic_t hwevent_live;
extern atomic_t hwevent_eventfd_refs;
/* Timer callbacks run: the simulated interrupts (triggers apart). */
extern atomic64_t hwevent_interrupts;
/* Expiries of periodic ones delivered, and merged or missed; triggers. */
extern atomic64_t hwevent_ticks;
extern atomic64_t hwevent_overruns;
extern atomic64_t hwevent_triggered;
/* PENDING waits a signal interrupted between the interrupt and the BH. */
extern atomic64_t hwevent_late_signals;

void hwevent_stats_init(void);
void hwevent_stats_exit(void);

#endif /* _HWEVENT_DEVICE_H */
