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

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/preempt.h>

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
 * Add one to the eventfd's counter. Since 6.8 (3652117f8548)
 * eventfd_signal() takes no count and always adds one.
 */
static inline void hwevent_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef HWEVENT_HAVE_EVENTFD_SIGNAL_NO_COUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
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
