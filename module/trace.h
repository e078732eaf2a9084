/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - trace events: one registration's path from the ioctl through
 * the simulated interrupt and the bottom half to its end, with timestamps.
 *
 *   echo 1 > /sys/kernel/tracing/events/hwevent/enable
 *   cat /sys/kernel/tracing/trace
 *
 * Windows: what a WPP trace or an ETW provider would show of the sample's
 * ISR -> DPC -> completion. @file numbers the open files from 1 (since
 * the module was loaded); registration ids count from 1 in each file.
 * @ctx is the context the event ran in (hardirq, softirq or task): on
 * PREEMPT_RT the interrupt and the bottom half run in threads and say so.
 * hwevent_bh's @bh is the kind of bottom half that ran, as the module
 * parameter bottom_half names it (tasklet, bh_work or thread; bh.h): the
 * one its file was opened with.
 *
 * The hwecho_* events follow one request of /dev/hwecho (echo.c) from
 * its arrival in the device's queue (hwecho_request) through the ticks
 * (hwecho_tick, the simulated interrupt) and the bottom half that
 * completes it (hwecho_bh) to the call's result (hwecho_complete), or to
 * its end without one (hwecho_end: a signal, the file's release, or a
 * completed reservation no call took). @file numbers the open files of
 * /dev/hwecho from 1, apart from those of /dev/hwevent.
 *
 * A registration on the edu PCI device (edu.c) adds two: hwevent_edu_raise
 * when its time comes and the driver asks the device to interrupt (or to
 * DMA), and hwevent_edu_irq in the device's hard handler, with the
 * interrupt status it acknowledged; its hwevent_irq follows in the
 * bottom half, which takes what the handler handed over, with late_ns
 * up to when the handler ran.
 *
 * hwevent_cancel prints an enum hwevent_reg_state (device.h).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hwevent

#if !defined(_HWEVENT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HWEVENT_TRACE_H

#include <linux/preempt.h>
#include <linux/tracepoint.h>

#include <linux/hwevent.h>

#include "bh.h"
/* in_hardirq() on 5.10 */
#include "compat.h"
#include "device.h"
#include "echo.h"

#ifndef _HWEVENT_TRACE_CTX
#define _HWEVENT_TRACE_CTX
enum hwevent_trace_ctx {
	HWEVENT_CTX_HARDIRQ,
	HWEVENT_CTX_SOFTIRQ,
	HWEVENT_CTX_TASK,
};

/* Windows: the IRQL the code runs at; here, the context. */
static inline u8 hwevent_trace_ctx(void)
{
	if (in_hardirq())
		return HWEVENT_CTX_HARDIRQ;
	if (in_serving_softirq())
		return HWEVENT_CTX_SOFTIRQ;
	return HWEVENT_CTX_TASK;
}
#endif

TRACE_DEFINE_ENUM(HWEVENT_CTX_HARDIRQ);
TRACE_DEFINE_ENUM(HWEVENT_CTX_SOFTIRQ);
TRACE_DEFINE_ENUM(HWEVENT_CTX_TASK);
TRACE_DEFINE_ENUM(HWEVENT_BH_TASKLET);
TRACE_DEFINE_ENUM(HWEVENT_BH_BH_WORK);
TRACE_DEFINE_ENUM(HWEVENT_BH_THREAD);
TRACE_DEFINE_ENUM(HWEVENT_CANCELLED);
TRACE_DEFINE_ENUM(HWEVENT_INTERRUPTED);
TRACE_DEFINE_ENUM(HWEVENT_DROPPED);
TRACE_DEFINE_ENUM(HWEVENT_DEVICE_GONE);
TRACE_DEFINE_ENUM(HWECHO_DIR_READ);
TRACE_DEFINE_ENUM(HWECHO_DIR_WRITE);
TRACE_DEFINE_ENUM(HWECHO_END_SIGNAL);
TRACE_DEFINE_ENUM(HWECHO_END_RELEASE);
TRACE_DEFINE_ENUM(HWECHO_END_EXPIRED);

#define hwevent_show_ctx(ctx)						\
	__print_symbolic(ctx,						\
			 { HWEVENT_CTX_HARDIRQ, "hardirq" },		\
			 { HWEVENT_CTX_SOFTIRQ, "softirq" },		\
			 { HWEVENT_CTX_TASK, "task" })

#define hwevent_show_bh(bh)						\
	__print_symbolic(bh,						\
			 { HWEVENT_BH_TASKLET, "tasklet" },		\
			 { HWEVENT_BH_BH_WORK, "bh_work" },		\
			 { HWEVENT_BH_THREAD, "thread" })

#define hwevent_show_mode(mode)						\
	__print_symbolic(mode,						\
			 { HWEVENT_MODE_PENDING, "pending" },		\
			 { HWEVENT_MODE_EVENTFD, "eventfd" },		\
			 { HWEVENT_MODE_QUEUE, "queue" },		\
			 { HWEVENT_MODE_URING_CMD, "uring_cmd" })

#define hwevent_show_flags(flags)					\
	__print_flags(flags, "|",					\
		      { HWEVENT_EVENT_TRIGGERED, "triggered" },		\
		      { HWEVENT_EVENT_PERIODIC, "periodic" },		\
		      { HWEVENT_EVENT_DEVICE, "device" },		\
		      { HWEVENT_EVENT_DMA, "dma" },			\
		      { HWEVENT_EVENT_DEVICE_GONE, "device_gone" })

#define hwevent_show_how(how)						\
	__print_symbolic(how,						\
			 { HWEVENT_CANCELLED, "cancelled" },		\
			 { HWEVENT_INTERRUPTED, "interrupted" },	\
			 { HWEVENT_DROPPED, "dropped" },		\
			 { HWEVENT_DEVICE_GONE, "device_gone" })

#define hwecho_show_dir(dir)						\
	__print_symbolic(dir,						\
			 { HWECHO_DIR_READ, "read" },			\
			 { HWECHO_DIR_WRITE, "write" })

#define hwecho_show_end(why)						\
	__print_symbolic(why,						\
			 { HWECHO_END_SIGNAL, "signal" },		\
			 { HWECHO_END_RELEASE, "release" },		\
			 { HWECHO_END_EXPIRED, "expired" })

TRACE_EVENT(hwevent_register,
	    TP_PROTO(u32 file, u64 id, u32 mode, u64 delay_ns,
		     u64 period_ns, u64 cookie),
	    TP_ARGS(file, id, mode, delay_ns, period_ns, cookie),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u64, id)
			     __field(u32, mode)
			     __field(u64, delay_ns)
			     __field(u64, period_ns)
			     __field(u64, cookie)),
	    TP_fast_assign(__entry->file = file;
			   __entry->id = id;
			   __entry->mode = mode;
			   __entry->delay_ns = delay_ns;
			   __entry->period_ns = period_ns;
			   __entry->cookie = cookie;),
	    TP_printk("file=%u id=%llu mode=%s delay_ns=%llu period_ns=%llu cookie=%llu",
		      __entry->file, __entry->id, hwevent_show_mode(__entry->mode),
		      __entry->delay_ns, __entry->period_ns, __entry->cookie)
);

TRACE_EVENT(hwevent_irq,
	    TP_PROTO(u32 file, u64 id, u64 seqno, s64 late_ns,
		     u32 flags),
	    TP_ARGS(file, id, seqno, late_ns, flags),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u64, id)
			     __field(u64, seqno)
			     __field(s64, late_ns)
			     __field(u32, flags)
			     __field(u8, ctx)),
	    TP_fast_assign(__entry->file = file;
			   __entry->id = id;
			   __entry->seqno = seqno;
			   __entry->late_ns = late_ns;
			   __entry->flags = flags;
			   __entry->ctx = hwevent_trace_ctx();),
	    TP_printk("file=%u id=%llu seqno=%llu ctx=%s late_ns=%lld flags=%s",
		      __entry->file, __entry->id, __entry->seqno,
		      hwevent_show_ctx(__entry->ctx), __entry->late_ns,
		      hwevent_show_flags(__entry->flags))
);

TRACE_EVENT(hwevent_bh,
	    TP_PROTO(u32 file, u64 id, u64 seqno, u32 mode,
		     s64 bh_delay_ns, enum hwevent_bh_kind bh),
	    TP_ARGS(file, id, seqno, mode, bh_delay_ns, bh),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u64, id)
			     __field(u64, seqno)
			     __field(s64, bh_delay_ns)
			     __field(u32, mode)
			     __field(u8, bh)
			     __field(u8, ctx)),
	    TP_fast_assign(__entry->file = file;
			   __entry->id = id;
			   __entry->seqno = seqno;
			   __entry->bh_delay_ns = bh_delay_ns;
			   __entry->mode = mode;
			   __entry->bh = bh;
			   __entry->ctx = hwevent_trace_ctx();),
	    TP_printk("file=%u id=%llu seqno=%llu mode=%s bh=%s ctx=%s bh_delay_ns=%lld",
		      __entry->file, __entry->id, __entry->seqno,
		      hwevent_show_mode(__entry->mode),
		      hwevent_show_bh(__entry->bh),
		      hwevent_show_ctx(__entry->ctx), __entry->bh_delay_ns)
);

TRACE_EVENT(hwevent_cancel,
	    TP_PROTO(u32 file, u64 id, u32 mode, u32 how),
	    TP_ARGS(file, id, mode, how),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u64, id)
			     __field(u32, mode)
			     __field(u32, how)),
	    TP_fast_assign(__entry->file = file;
			   __entry->id = id;
			   __entry->mode = mode;
			   __entry->how = how;),
	    TP_printk("file=%u id=%llu mode=%s how=%s",
		      __entry->file, __entry->id, hwevent_show_mode(__entry->mode),
		      hwevent_show_how(__entry->how))
);

TRACE_EVENT(hwevent_release,
	    TP_PROTO(u32 file, unsigned int dropped),
	    TP_ARGS(file, dropped),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(unsigned int, dropped)),
	    TP_fast_assign(__entry->file = file;
			   __entry->dropped = dropped;),
	    TP_printk("file=%u dropped=%u", __entry->file, __entry->dropped)
);

/* The edu device is asked to interrupt for a registration, or to DMA. */
TRACE_EVENT(hwevent_edu_raise,
	    TP_PROTO(u32 file, u64 id, bool dma),
	    TP_ARGS(file, id, dma),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u64, id)
			     __field(bool, dma)
			     __field(u8, ctx)),
	    TP_fast_assign(__entry->file = file;
			   __entry->id = id;
			   __entry->dma = dma;
			   __entry->ctx = hwevent_trace_ctx();),
	    TP_printk("file=%u id=%llu dma=%d ctx=%s",
		      __entry->file, __entry->id, __entry->dma,
		      hwevent_show_ctx(__entry->ctx))
);

/* The edu device's hard handler: the status it acknowledged. */
TRACE_EVENT(hwevent_edu_irq,
	    TP_PROTO(u32 status),
	    TP_ARGS(status),
	    TP_STRUCT__entry(__field(u32, status)
			     __field(u8, ctx)),
	    TP_fast_assign(__entry->status = status;
			   __entry->ctx = hwevent_trace_ctx();),
	    TP_printk("status=%#x ctx=%s", __entry->status,
		      hwevent_show_ctx(__entry->ctx))
);

/* A request of /dev/hwecho joins the queue; @queued counts it. */
TRACE_EVENT(hwecho_request,
	    TP_PROTO(u32 file, u32 dir, size_t len, bool nowait,
		     unsigned int queued),
	    TP_ARGS(file, dir, len, nowait, queued),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u32, dir)
			     __field(size_t, len)
			     __field(bool, nowait)
			     __field(unsigned int, queued)),
	    TP_fast_assign(__entry->file = file;
			   __entry->dir = dir;
			   __entry->len = len;
			   __entry->nowait = nowait;
			   __entry->queued = queued;),
	    TP_printk("file=%u dir=%s len=%zu nowait=%d queued=%u",
		      __entry->file, hwecho_show_dir(__entry->dir),
		      __entry->len, __entry->nowait, __entry->queued)
);

/* The timer of /dev/hwecho; @file is the head's, 0 if the queue is empty. */
TRACE_EVENT(hwecho_tick,
	    TP_PROTO(u32 file, u64 tick),
	    TP_ARGS(file, tick),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u64, tick)
			     __field(u8, ctx)),
	    TP_fast_assign(__entry->file = file;
			   __entry->tick = tick;
			   __entry->ctx = hwevent_trace_ctx();),
	    TP_printk("file=%u tick=%llu ctx=%s", __entry->file, __entry->tick,
		      hwevent_show_ctx(__entry->ctx))
);

/* The bottom half completes the head: its caller may transfer. */
TRACE_EVENT(hwecho_bh,
	    TP_PROTO(u32 file, u32 dir, u64 tick, enum hwevent_bh_kind bh),
	    TP_ARGS(file, dir, tick, bh),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u32, dir)
			     __field(u64, tick)
			     __field(u8, bh)
			     __field(u8, ctx)),
	    TP_fast_assign(__entry->file = file;
			   __entry->dir = dir;
			   __entry->tick = tick;
			   __entry->bh = bh;
			   __entry->ctx = hwevent_trace_ctx();),
	    TP_printk("file=%u dir=%s tick=%llu bh=%s ctx=%s", __entry->file,
		      hwecho_show_dir(__entry->dir), __entry->tick,
		      hwevent_show_bh(__entry->bh),
		      hwevent_show_ctx(__entry->ctx))
);

/* The call of a completed request returns @ret: a count, or an errno. */
TRACE_EVENT(hwecho_complete,
	    TP_PROTO(u32 file, u32 dir, ssize_t ret),
	    TP_ARGS(file, dir, ret),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u32, dir)
			     __field(ssize_t, ret)),
	    TP_fast_assign(__entry->file = file;
			   __entry->dir = dir;
			   __entry->ret = ret;),
	    TP_printk("file=%u dir=%s ret=%zd", __entry->file,
		      hwecho_show_dir(__entry->dir), __entry->ret)
);

/* A request leaves the queue without completing: @why, an enum hwecho_end. */
TRACE_EVENT(hwecho_end,
	    TP_PROTO(u32 file, u32 dir, u32 why),
	    TP_ARGS(file, dir, why),
	    TP_STRUCT__entry(__field(u32, file)
			     __field(u32, dir)
			     __field(u32, why)),
	    TP_fast_assign(__entry->file = file;
			   __entry->dir = dir;
			   __entry->why = why;),
	    TP_printk("file=%u dir=%s why=%s", __entry->file,
		      hwecho_show_dir(__entry->dir),
		      hwecho_show_end(__entry->why))
);

#endif /* _HWEVENT_TRACE_H */

/* Out of the include path: Kbuild adds -I$(src) for device.o. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
