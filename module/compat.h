/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - the kernel API differences between the kernels it builds for
 *
 * The driver is written to the newest API; this header supplies that API
 * on older kernels. Each HWEVENT_HAVE_* comes from Kbuild, which looks for
 * the interface in the target kernel's own headers rather than compare
 * version numbers: stable and distribution kernels back-port interfaces.
 */
#ifndef _HWEVENT_COMPAT_H
#define _HWEVENT_COMPAT_H

#include <linux/completion.h>
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/minmax.h>
#include <linux/preempt.h>
#include <linux/sched.h>

/*
 * hrtimer_setup(), which sets the callback with the rest, came in 6.13
 * (908a1d775422); hrtimer_init() and the writable callback went in 6.15.
 */
#ifndef HWEVENT_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * Add @n to the eventfd's counter; return how much was added. Before 6.8
 * eventfd_signal() takes the count. Since 6.8 (3652117f8548) it takes
 * none and adds one, so @n takes @n calls, each a wake-up: at most
 * HWEVENT_EVENTFD_BATCH of them, the caller adding the rest later.
 */
#define HWEVENT_EVENTFD_BATCH	64

static inline u64 hwevent_eventfd_add(struct eventfd_ctx *ctx, u64 n)
{
#ifdef HWEVENT_HAVE_EVENTFD_SIGNAL_NO_COUNT
	u64 i;

	n = min_t(u64, n, HWEVENT_EVENTFD_BATCH);
	for (i = 0; i < n; i++)
		eventfd_signal(ctx);
	return n;
#else
	return eventfd_signal(ctx, n);
#endif
}

/*
 * An interruptible wait the freezer leaves asleep (TASK_FREEZABLE, 6.1:
 * f5d39b020809). Before, the freezer wakes it like a signal would.
 */
static inline int hwevent_wait_freezable(struct completion *x)
{
#ifdef TASK_FREEZABLE
	return wait_for_completion_state(x, TASK_INTERRUPTIBLE | TASK_FREEZABLE);
#else
	return wait_for_completion_interruptible(x);
#endif
}

/*
 * A workqueue bound to CPUs says WQ_PERCPU since 6.17 (the default is
 * moving to unbound), and newer kernels warn at alloc_workqueue() when
 * neither it nor WQ_UNBOUND is given; before, bound was the default.
 */
#ifndef HWEVENT_HAVE_WQ_PERCPU
#define WQ_PERCPU	0
#endif

/* 5.10 has only in_irq(), the older name of in_hardirq(). */
#ifndef in_hardirq
#define in_hardirq()	in_irq()
#endif

#endif /* _HWEVENT_COMPAT_H */
