/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - the record queue of an open file, behind read(2) and poll(2)
 */
#ifndef _HWEVENT_QUEUE_H
#define _HWEVENT_QUEUE_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include <linux/hwevent.h>

/*
 * Most records a queue_size may ask for: 16 MiB of records per file, more
 * than KMALLOC_MAX_SIZE, so that a large ring is a vmalloc one.
 */
#define HWEVENT_QUEUE_MAX	262144U

/* Bounds of the test-only module parameters (interrupt.c). */
#define HWEVENT_TEST_BH_DELAY_MAX_US	100000U
#define HWEVENT_TEST_COUNT_UNIT_MAX	0x80000000U

/**
 * struct hwevent_queue - the records of one open file, oldest first
 * @lock: protects @ring, @head, @len and @lost. Taken by the bottom half
 *	(softirq; a thread on PREEMPT_RT), nested in hwevent_file.lock, and
 *	by read (process), so always with interrupts off.
 * @ring: @size records; the oldest at @head
 * @size: capacity, in records
 * @head: index of the oldest record
 * @len: records queued
 * @lost: records lost while none was queued to count them, for the next
 * @wait: readers and pollers, woken when a record arrives
 * @fasync: owners of %O_ASYNC files, sent %SIGIO when a record arrives
 *
 * Windows: the queue of pending read IRPs turned inside out. There the
 * application parks requests in the driver; here the driver parks records
 * until the application asks.
 */
struct hwevent_queue {
	spinlock_t lock;	/* irq-safe: see @lock above */
	struct hwevent_event *ring;
	u32 size;
	u32 head;
	u32 len;
	u32 lost;
	wait_queue_head_t wait;
	struct fasync_struct *fasync;
};

/* The counts in records saturate rather than wrap. */
static inline u32 hwevent_add_sat(u32 a, u32 b)
{
	u32 sum;

	return check_add_overflow(a, b, &sum) ? U32_MAX : sum;
}

extern unsigned int hwevent_test_count_unit;

/*
 * @n lost records or overruns, in the unit of the test-only module
 * parameter test_count_unit (1 but in tests), saturated.
 */
static inline u32 hwevent_count_units(u64 n)
{
	u64 units;

	if (check_mul_overflow(n, (u64)READ_ONCE(hwevent_test_count_unit),
			       &units) || units > U32_MAX)
		return U32_MAX;
	return units;
}

extern atomic64_t hwevent_queued_total;
extern atomic64_t hwevent_queue_lost_total;

int hwevent_queue_init(struct hwevent_queue *q, u32 size);
void hwevent_queue_destroy(struct hwevent_queue *q);
void hwevent_queue_push(struct hwevent_queue *q, const struct hwevent_event *ev);
void hwevent_queue_wake(struct hwevent_queue *q, unsigned int nr);
u32 hwevent_queue_room(struct hwevent_queue *q);
ssize_t hwevent_queue_read(struct hwevent_queue *q, struct kiocb *iocb,
			   struct iov_iter *to);
__poll_t hwevent_queue_poll(struct hwevent_queue *q, struct file *file,
			    poll_table *wait);
int hwevent_queue_fasync(struct hwevent_queue *q, int fd, struct file *file,
			 int on);

#endif /* _HWEVENT_QUEUE_H */
