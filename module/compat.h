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
#include <linux/pm.h>
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

/*
 * DEFINE_SIMPLE_DEV_PM_OPS() and pm_sleep_ptr(), which leave the callbacks
 * out without CONFIG_PM_SLEEP: 5.17. Before, the older macro, which needs
 * none of that on the kernels we build for (all have PM_SLEEP).
 */
#ifndef DEFINE_SIMPLE_DEV_PM_OPS
#define DEFINE_SIMPLE_DEV_PM_OPS(name, suspend_fn, resume_fn)		\
	SIMPLE_DEV_PM_OPS(name, suspend_fn, resume_fn)
#endif
#ifndef pm_sleep_ptr
#define pm_sleep_ptr(ptr)	(IS_ENABLED(CONFIG_PM_SLEEP) ? (ptr) : NULL)
#endif

/* 5.10 has only in_irq(), the older name of in_hardirq(). */
#ifndef in_hardirq
#define in_hardirq()	in_irq()
#endif

#ifdef HWEVENT_HAVE_URING_CMD
#ifdef HWEVENT_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

/* The command area of the SQE: through io_uring_cmd.sqe since 6.7. */
static inline const void *hwevent_io_uring_cmd_payload(struct io_uring_cmd *ucmd)
{
#ifdef HWEVENT_HAVE_IO_URING_CMD_SQE
	return ucmd->sqe->cmd;
#else
	return ucmd->cmd;
#endif
}

/*
 * Post @ucmd's CQE, with @res2 in big_cqe[0] if the ring has 32-byte CQEs
 * (@cqe32). The three forms of io_uring_cmd_done() (5.19: cmd, ret, res2;
 * 6.3 and 6.1.y: and issue_flags; 6.18: cmd, ret, issue_flags, with
 * io_uring_cmd_done32() for res2) would compile against each other's
 * arguments: tell them apart by the headers, never by guessing.
 */
static inline void hwevent_io_uring_cmd_done(struct io_uring_cmd *ucmd,
					     s32 res, u64 res2, bool cqe32,
					     unsigned int issue_flags)
{
#if defined(HWEVENT_HAVE_IO_URING_CMD_DONE32)
	if (cqe32)
		io_uring_cmd_done32(ucmd, res, res2, issue_flags);
	else
		io_uring_cmd_done(ucmd, res, issue_flags);
#elif defined(HWEVENT_HAVE_IO_URING_CMD_DONE_FLAGS)
	io_uring_cmd_done(ucmd, res, res2, issue_flags);
#else
	io_uring_cmd_done(ucmd, res, res2);
#endif
}

/*
 * HWEVENT_URING_TW(name, fn) defines task-work callback @name, of the
 * type this kernel's io_uring_cmd_complete_in_task() takes, that calls
 * fn(ucmd, issue_flags). Its arguments were (cmd, issue_flags) until 6.14,
 * (cmd, io_tw_token_t) in 6.15 to 6.18, and (struct io_tw_req,
 * io_tw_token_t) since 6.19; the issue flags of task work are
 * IO_URING_CMD_TASK_WORK_ISSUE_FLAGS since 6.15.
 */
#if defined(HWEVENT_HAVE_IO_URING_TW_REQ)
#define HWEVENT_URING_TW(name, fn)					\
static void name(struct io_tw_req tw_req, io_tw_token_t tw)		\
{									\
	fn(io_uring_cmd_from_tw(tw_req), IO_URING_CMD_TASK_WORK_ISSUE_FLAGS); \
}
#elif defined(HWEVENT_HAVE_IO_URING_TW_TOKEN)
#define HWEVENT_URING_TW(name, fn)					\
static void name(struct io_uring_cmd *ucmd, io_tw_token_t tw)		\
{									\
	fn(ucmd, IO_URING_CMD_TASK_WORK_ISSUE_FLAGS);			\
}
#else
#define HWEVENT_URING_TW(name, fn)					\
static void name(struct io_uring_cmd *ucmd, unsigned int issue_flags)	\
{									\
	fn(ucmd, issue_flags);						\
}
#endif

/*
 * 6.7 and later cancel a command marked cancelable when its ring closes or
 * its task exits, by calling ->uring_cmd again with IO_URING_F_CANCEL.
 * Before, they wait for it to complete.
 */
static inline void hwevent_io_uring_cmd_mark_cancelable(struct io_uring_cmd *ucmd,
							unsigned int issue_flags)
{
#ifdef HWEVENT_HAVE_IO_URING_CMD_CANCEL
	io_uring_cmd_mark_cancelable(ucmd, issue_flags);
#endif
}

static inline bool hwevent_io_uring_cmd_cancelling(unsigned int issue_flags)
{
#ifdef HWEVENT_HAVE_IO_URING_CMD_CANCEL
	return issue_flags & IO_URING_F_CANCEL;
#else
	return false;
#endif
}
#endif /* HWEVENT_HAVE_URING_CMD */

#endif /* _HWEVENT_COMPAT_H */
