/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hwevent: a simulated hardware event source, /dev/hwevent.
 *
 * A program registers for one "hardware event" with HWEVENT_IOC_REGISTER.
 * The driver arms a timer (the simulated interrupt); when it expires, a
 * bottom half (the DPC) completes the registration in one of two ways:
 *
 *  HWEVENT_MODE_PENDING: the ioctl sleeps until the event, then returns 0
 *	and copies the event record into &hwevent_register.event (Windows: a
 *	pending IRP completed by the DPC, "inverted call").
 *  HWEVENT_MODE_EVENTFD: the ioctl returns 0 at once; the driver later
 *	signals the caller's eventfd exactly once (Windows: KeSetEvent on an
 *	event handle passed in the IOCTL).
 *
 * Every structure here has the same layout for 32- and 64-bit callers:
 * fixed-width fields only, no pointers, 64-bit fields 8-byte aligned, and
 * no implicit padding. Fields named padding or reserved must be zero; they
 * may be given a meaning later, announced by a new flag.
 */
#ifndef _UAPI_LINUX_HWEVENT_H
#define _UAPI_LINUX_HWEVENT_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The numbers event.exe takes as its second argument: 0 IRP, 1 event. */
#define HWEVENT_MODE_PENDING	0
#define HWEVENT_MODE_EVENTFD	1

/* Longest delay accepted by HWEVENT_IOC_REGISTER: one hour, in ns. */
#define HWEVENT_MAX_DELAY_NS	(3600ULL * 1000000000ULL)

/**
 * struct hwevent_event - what the driver reports about one event
 * @seqno: device-wide sequence number, counted from 1 after the module is
 *	loaded and taken by the simulated interrupt: it grows in the order
 *	the interrupts of one open file ran, and across files too, except
 *	for interrupts that ran at the same moment on different CPUs
 * @id: the id of the registration that fired (&hwevent_register.id)
 * @cookie: &hwevent_register.cookie, returned unchanged
 * @due_ns: CLOCK_MONOTONIC time, in ns, at which the timer was due
 * @irq_ns: CLOCK_MONOTONIC time, in ns, at which the simulated interrupt
 *	(the hrtimer callback) ran; never earlier than @due_ns
 * @bh_ns: CLOCK_MONOTONIC time, in ns, at which the bottom half completed
 *	the registration; never earlier than @irq_ns
 * @flags: no flags are defined yet; always zero
 * @reserved: always zero
 *
 * 64 bytes, the same for 32- and 64-bit callers.
 */
struct hwevent_event {
	__aligned_u64 seqno;		/* 0x00 */
	__aligned_u64 id;		/* 0x08 */
	__aligned_u64 cookie;		/* 0x10 */
	__aligned_u64 due_ns;		/* 0x18 */
	__aligned_u64 irq_ns;		/* 0x20 */
	__aligned_u64 bh_ns;		/* 0x28 */
	__u32 flags;			/* 0x30 */
	__u32 reserved[3];		/* 0x34 */
};

/**
 * struct hwevent_register - argument of HWEVENT_IOC_REGISTER
 * @mode: in: %HWEVENT_MODE_PENDING or %HWEVENT_MODE_EVENTFD
 * @eventfd: in: for %HWEVENT_MODE_EVENTFD, an eventfd(2) file descriptor of
 *	the caller; the driver holds its own reference from the ioctl until
 *	the registration ends, so the caller may close the descriptor at once.
 *	Ignored in %HWEVENT_MODE_PENDING.
 * @delay_ns: in: time from the ioctl to the simulated interrupt, in ns,
 *	CLOCK_MONOTONIC, at most %HWEVENT_MAX_DELAY_NS; 0 fires at once
 *	(still through the timer and the bottom half)
 * @cookie: in: any value; copied into &hwevent_event.cookie
 * @flags: in: no flags are defined yet; must be zero
 * @padding: must be zero
 * @reserved: must be zero
 * @id: out: the registration's id, unique within the open file, counted
 *	from 1; ignored on input
 * @event: out: for %HWEVENT_MODE_PENDING, the event that completed the
 *	ioctl; untouched in %HWEVENT_MODE_EVENTFD; ignored on input
 *
 * 136 bytes, the same for 32- and 64-bit callers.
 */
struct hwevent_register {
	__u32 mode;			/* 0x00 */
	__s32 eventfd;			/* 0x04 */
	__aligned_u64 delay_ns;		/* 0x08 */
	__aligned_u64 cookie;		/* 0x10 */
	__u32 flags;			/* 0x18 */
	__u32 padding;			/* 0x1c */
	__aligned_u64 reserved[4];	/* 0x20 */
	__aligned_u64 id;		/* 0x40 */
	struct hwevent_event event;	/* 0x48 */
};

#define HWEVENT_IOC_MAGIC	0xE7

/*
 * HWEVENT_IOC_REGISTER - register for one simulated hardware event.
 *
 * The registration belongs to the open file it was made on. It ends exactly
 * once, in one of four ways:
 *
 *  fired: the simulated interrupt ran and the bottom half completed it (the
 *	eventfd is signalled, or the PENDING call returns 0);
 *  cancelled: HWEVENT_IOC_CANCEL took it before its interrupt ran (the
 *	eventfd is never signalled; the PENDING call returns %ECANCELED);
 *  interrupted: a signal reached its PENDING caller before its interrupt
 *	ran (the call returns %EINTR);
 *  dropped: the file was released (last close) before it fired (the
 *	eventfd is never signalled).
 *
 * Once its interrupt has run, a registration always ends as fired. The
 * driver's eventfd reference is dropped exactly once, when it ends.
 *
 * Return: 0 on success: in %HWEVENT_MODE_EVENTFD at once, with @id written
 * back; in %HWEVENT_MODE_PENDING once the event fired, with @id and @event
 * written back. On failure -1 with errno set:
 *
 * %EINVAL: unknown @mode, non-zero @flags, @padding or @reserved, @delay_ns
 * above %HWEVENT_MAX_DELAY_NS, or @eventfd is not an eventfd.
 * %EBADF: %HWEVENT_MODE_EVENTFD and @eventfd is not an open descriptor.
 * %EFAULT: the argument is not readable and writable memory.
 * %ENOSPC: the file already has max_pending (a module parameter, see
 * /sys/module/hwevent/parameters/max_pending) live registrations.
 * %ENOMEM: out of memory.
 * %EINTR: %HWEVENT_MODE_PENDING and a signal arrived before the event
 * fired; the registration is gone and the call is never restarted
 * (a restart would start the delay over). An event that fired before the
 * signal was seen is reported as success instead.
 * %ECANCELED: %HWEVENT_MODE_PENDING and HWEVENT_IOC_CANCEL cancelled it.
 *
 * Unknown ioctl numbers, including this one with another size, fail with
 * %ENOTTY.
 */
#define HWEVENT_IOC_REGISTER	_IOWR(HWEVENT_IOC_MAGIC, 0x00, struct hwevent_register)

/* Cancel every registration of the file, not only &hwevent_cancel.id. */
#define HWEVENT_CANCEL_ALL	(1U << 0)

/**
 * struct hwevent_cancel - argument of HWEVENT_IOC_CANCEL
 * @id: in: the registration to cancel (&hwevent_register.id); must be zero
 *	with %HWEVENT_CANCEL_ALL
 * @flags: in: 0 or %HWEVENT_CANCEL_ALL
 * @padding: must be zero
 * @count: out: how many registrations were cancelled; ignored on input
 * @reserved: must be zero
 *
 * 32 bytes, the same for 32- and 64-bit callers.
 */
struct hwevent_cancel {
	__aligned_u64 id;		/* 0x00 */
	__u32 flags;			/* 0x08 */
	__u32 padding;			/* 0x0c */
	__aligned_u64 count;		/* 0x10 */
	__aligned_u64 reserved;		/* 0x18 */
};

/*
 * HWEVENT_IOC_CANCEL - cancel registrations of this open file whose
 * simulated interrupt has not run yet.
 *
 * Windows had three mechanisms for this: the cancel routine of a pending
 * IRP, KeCancelTimer(), and IRP_MJ_CLEANUP walking the file's records. Here
 * a cancelled registration's timer is stopped and it ends as cancelled: a
 * PENDING caller sleeping on it (in any thread) returns %ECANCELED, an
 * eventfd is never signalled. A registration whose interrupt already ran
 * cannot be cancelled: it completes as fired.
 *
 * Return: 0 with @count written back (with %HWEVENT_CANCEL_ALL, possibly
 * 0). On failure -1 with errno set:
 *
 * %ENOENT: no registration @id is waiting for its interrupt on this file:
 * it never existed, already fired, or already ended otherwise.
 * %EINVAL: unknown @flags, non-zero @padding or @reserved, @id zero without
 * %HWEVENT_CANCEL_ALL or non-zero with it.
 * %EFAULT: the argument is not readable and writable memory; nothing was
 * cancelled.
 */
#define HWEVENT_IOC_CANCEL	_IOWR(HWEVENT_IOC_MAGIC, 0x01, struct hwevent_cancel)

#endif /* _UAPI_LINUX_HWEVENT_H */
