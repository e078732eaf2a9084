/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - /dev/hwecho, the KMDF echo sample (echo.c, echo_queue.c), a
 * second misc device of the module: its requests, open files and queue,
 * and the rules by which the contexts share them
 *
 * Who may do what, all under hwecho_dev.lock: whoever queues a request
 * links it; the timer only looks; the bottom half moves the head from
 * HWECHO_CURRENT to HWECHO_DONE, and drops an expired reservation; only a
 * request's caller (or release, for a reservation no call holds) takes it
 * out of the queue otherwise. So each request ends exactly once:
 * completed, interrupted, released or expired, as the debugfs counters
 * (hwevent/stats, echo_*) show.
 */
#ifndef _HWEVENT_ECHO_H
#define _HWEVENT_ECHO_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "bh.h"

struct seq_file;

/**
 * enum hwecho_dir - the two kinds of request, as the trace events name them
 * @HWECHO_DIR_READ: read(2), and each open file's read reservation
 * @HWECHO_DIR_WRITE: write(2), and the write reservation
 * @HWECHO_NR_DIRS: number of directions
 */
enum hwecho_dir {
	HWECHO_DIR_READ,
	HWECHO_DIR_WRITE,
	HWECHO_NR_DIRS
};

/**
 * enum hwecho_end - why a request left the queue without completing
 * @HWECHO_END_SIGNAL: a signal reached its blocking caller first
 * @HWECHO_END_RELEASE: its file, a reservation's, was released
 * @HWECHO_END_EXPIRED: a completed reservation no call took within a period
 */
enum hwecho_end {
	HWECHO_END_SIGNAL,
	HWECHO_END_RELEASE,
	HWECHO_END_EXPIRED
};

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

/* echo_queue.c: the queue, its timer and bottom half, the counters */
extern struct hwecho_dev hwecho;
/*
 * For debugfs hwevent/stats and the tests: every request that joins the
 * queue (requests) ends once, as a completed read or write, interrupted,
 * released or expired; queued is how many are in the queue now.
 */
extern atomic64_t hwecho_requests;
extern atomic64_t hwecho_reads;
extern atomic64_t hwecho_writes;
extern atomic64_t hwecho_ticks;
extern atomic64_t hwecho_interrupted;
extern atomic64_t hwecho_released;
extern atomic64_t hwecho_expired;
extern atomic_t hwecho_queued;
/* The most requests in the driver at once: 1 if the queue serializes. */
extern atomic_t hwecho_in_driver_max;
void hwecho_set_state(struct hwecho_req *req, enum hwecho_state state);
void hwecho_enqueue(struct hwecho_dev *dev, struct hwecho_req *req,
		    size_t len);
void hwecho_dequeue(struct hwecho_dev *dev, struct hwecho_req *req);
void hwecho_end(struct hwecho_dev *dev, struct hwecho_req *req,
		enum hwecho_end why, atomic64_t *counter);
enum hrtimer_restart hwecho_tick(struct hrtimer *timer);
void hwecho_bh(struct hwevent_bh *bh);

int hwecho_init(void);
void hwecho_exit(void);
void hwecho_stats_show(struct seq_file *m);

#endif /* _HWEVENT_ECHO_H */
