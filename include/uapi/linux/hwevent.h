/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hwevent: a simulated hardware event source, /dev/hwevent.
 *
 * A program registers for one "hardware event" with HWEVENT_IOC_REGISTER.
 * The driver arms a timer (the simulated interrupt); when it expires, a
 * bottom half (the DPC) completes the registration in one of three ways:
 *
 *  HWEVENT_MODE_PENDING: the ioctl sleeps until the event, then returns 0
 *	and copies the event record into &hwevent_register.event (Windows: a
 *	synchronous DeviceIoControl() whose IRP the DPC completes, OSR's
 *	"inverted call"; here the ioctl itself sleeps).
 *  HWEVENT_MODE_EVENTFD: the ioctl returns 0 at once; the driver later
 *	adds one to the counter of the caller's eventfd (Windows: KeSetEvent
 *	on an event handle passed in the IOCTL).
 *  HWEVENT_MODE_QUEUE: the ioctl returns 0 at once; the driver later
 *	appends the event record to the open file's queue, which read(2)
 *	returns (Windows: a pending ReadFile completed with the data, KB
 *	117308; Linux: the GPIO character device and evdev).
 *
 * With %HWEVENT_REGISTER_DEVICE the interrupt is a real one: when the
 * delay has passed, the driver makes a PCI device (QEMU's "edu", 1234:11e8)
 * raise its interrupt, and the registration fires from the device's
 * interrupt handler; with %HWEVENT_REGISTER_DMA the device also copies a
 * word of its memory by DMA, delivered in &hwevent_event.data.
 *
 * With &hwevent_register.period_ns an EVENTFD or QUEUE registration fires
 * again every period until it is cancelled or its file released (a device
 * that interrupts at a rate), as fast as its consumer takes what it
 * delivers (see &hwevent_register.period_ns). HWEVENT_IOC_TRIGGER fires
 * registrations at once, without waiting for their timers (VFIO's
 * loopback trigger).
 *
 * Reading: read(2) returns whole &struct hwevent_event records, as many as
 * fit in the buffer and are queued, oldest first. A buffer smaller than one
 * record fails with %EINVAL. With the queue empty, read blocks until a
 * record arrives (interruptibly: %EINTR, or restarted under %SA_RESTART),
 * or fails with %EAGAIN if the file is %O_NONBLOCK (or the read is an
 * io_uring or preadv2(%RWF_NOWAIT) attempt that must not block). poll(2),
 * select(2) and epoll(7) report %EPOLLIN while a record is queued; with
 * %O_ASYNC (fcntl %F_SETFL, and %F_SETOWN) each record queued sends
 * %SIGIO. read(2) fails with %EFAULT if not even one record could be
 * written to the buffer; records that could not be written count as lost.
 *
 * The queue holds queue_size records per open file (a module parameter,
 * /sys/module/hwevent/parameters/queue_size, 1 to 262144, default 64; read
 * at open, so a file keeps the size it was opened with). When a one-shot
 * registration's record arrives and the queue is full, the oldest record
 * is dropped, as in the GPIO character device (a periodic registration's
 * record waits for room instead); &hwevent_event.lost of the record that
 * is then oldest counts it (and what the dropped one counted), so a reader always
 * learns how many records it lost, and where: the sum of @lost over all
 * records read, plus what is still queued, is exact.
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
/* Not in event.exe: the record goes to the file's queue, for read(2). */
#define HWEVENT_MODE_QUEUE	2

/* Longest delay, and longest period, accepted: one hour, in ns. */
#define HWEVENT_MAX_DELAY_NS	(3600ULL * 1000000000ULL)
/* Shortest period accepted: 100 us, in ns. */
#define HWEVENT_MIN_PERIOD_NS	100000ULL

/**
 * struct hwevent_event - what the driver reports about one event
 * @seqno: device-wide sequence number, counted from 1 after the module is
 *	loaded and taken by the simulated interrupt (by a periodic
 *	registration's record that waited for room in the queue, when room
 *	came): it grows in the order a file's records are queued and its
 *	interrupts ran, and across files too, except for interrupts that ran
 *	at the same moment on different CPUs
 * @id: the id of the registration that fired (&hwevent_register.id)
 * @cookie: &hwevent_register.cookie, returned unchanged
 * @due_ns: CLOCK_MONOTONIC time, in ns, at which the timer was due (for a
 *	periodic registration, the expiry this record reports); with
 *	%HWEVENT_EVENT_TRIGGERED, when the timer was due next
 * @irq_ns: CLOCK_MONOTONIC time, in ns, at which the simulated interrupt
 *	(the hrtimer callback, or HWEVENT_IOC_TRIGGER) ran; with
 *	%HWEVENT_EVENT_DEVICE, at which the device's interrupt handler ran
 *	(with %HWEVENT_EVENT_DEVICE_GONE, at which the device was removed,
 *	which may be before @due_ns);
 *	never earlier than @due_ns unless %HWEVENT_EVENT_TRIGGERED is set
 * @bh_ns: CLOCK_MONOTONIC time, in ns, at which the bottom half completed
 *	the registration; never earlier than @irq_ns
 * @flags: %HWEVENT_EVENT_* flags
 * @lost: %HWEVENT_MODE_QUEUE: records of this file dropped just before
 *	this one, by queue overflow or a failed read (saturates at
 *	%UINT32_MAX; %HWEVENT_EVENT_LOST is set when non-zero); else zero
 * @overruns: periodic registrations: expiries of this registration after
 *	this one and before its next record that got no record of their own,
 *	as timer_getoverrun(2) counts them (its timer ran late by whole
 *	periods, it expired or was triggered again before the bottom half
 *	delivered this record, or this record waited for its consumer;
 *	saturates at %UINT32_MAX); else zero.
 *	Without triggers, the next record's expiry is @due_ns +
 *	(1 + @overruns) periods.
 * @data: with %HWEVENT_EVENT_DMA, the 32-bit word the device copied from
 *	its own memory into the driver's buffer by DMA for this event (edu:
 *	word k of its buffer holds 0xed000000 | k << 12 | k, k from 0 to 511,
 *	taken in turn, one per transfer); else zero
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
	__u32 lost;			/* 0x34 */
	__u32 overruns;			/* 0x38 */
	__u32 data;			/* 0x3c */
};

/* &hwevent_event.flags: */
/* Fired by HWEVENT_IOC_TRIGGER, not by its timer. */
#define HWEVENT_EVENT_TRIGGERED	(1U << 0)
/* From a periodic registration (&hwevent_register.period_ns). */
#define HWEVENT_EVENT_PERIODIC	(1U << 1)
/* &hwevent_event.lost is not zero. */
#define HWEVENT_EVENT_LOST	(1U << 2)
/* Fired by the PCI device's interrupt (%HWEVENT_REGISTER_DEVICE). */
#define HWEVENT_EVENT_DEVICE	(1U << 3)
/* ... at the end of a DMA transfer; &hwevent_event.data holds its word. */
#define HWEVENT_EVENT_DMA	(1U << 4)
/*
 * %HWEVENT_MODE_QUEUE: the PCI device was removed before the registration
 * fired; it ended without an interrupt (see HWEVENT_IOC_REGISTER, %ENODEV).
 */
#define HWEVENT_EVENT_DEVICE_GONE	(1U << 5)

/*
 * &hwevent_register.flags: the interrupt comes from the PCI device (QEMU's
 * edu, bound to this driver; /sys/bus/pci/drivers/hwevent) rather than
 * from the timer alone: when @delay_ns has passed (or at
 * HWEVENT_IOC_TRIGGER) the driver writes the device's interrupt-raise
 * register, and the device's interrupt (MSI, else INTx) fires the
 * registration, through the same bottom half. One-shot only. One that
 * comes due while the device is suspended is raised at resume. io_uring
 * commands ask for it with HWEVENT_URING_CMD_WAIT_DEVICE.
 */
#define HWEVENT_REGISTER_DEVICE	(1U << 0)
/*
 * With %HWEVENT_REGISTER_DEVICE: the device's DMA engine copies a word of
 * its memory into the driver's buffer and the interrupt at the end of the
 * transfer fires the registration (&hwevent_event.data). The engine does
 * one transfer at a time, each about 100 ms on edu.
 */
#define HWEVENT_REGISTER_DMA	(1U << 1)

/**
 * struct hwevent_register - argument of HWEVENT_IOC_REGISTER
 * @mode: in: %HWEVENT_MODE_PENDING, %HWEVENT_MODE_EVENTFD or
 *	%HWEVENT_MODE_QUEUE
 * @eventfd: in: for %HWEVENT_MODE_EVENTFD, an eventfd(2) file descriptor of
 *	the caller; the driver holds its own reference from the ioctl until
 *	the registration ends, so the caller may close the descriptor at once.
 *	Must be zero in the other modes.
 * @delay_ns: in: time from the ioctl to the simulated interrupt, in ns,
 *	CLOCK_MONOTONIC, at most %HWEVENT_MAX_DELAY_NS; 0 fires at once
 *	(still through the timer and the bottom half)
 * @cookie: in: any value; copied into &hwevent_event.cookie
 * @flags: in: 0, or %HWEVENT_REGISTER_DEVICE, optionally with
 *	%HWEVENT_REGISTER_DMA
 * @padding: must be zero
 * @period_ns: in: 0 for one event; else, for %HWEVENT_MODE_EVENTFD and
 *	%HWEVENT_MODE_QUEUE without %HWEVENT_REGISTER_DEVICE only, fire
 *	again every @period_ns ns after the first (@delay_ns) until
 *	cancelled or released, from
 *	%HWEVENT_MIN_PERIOD_NS to %HWEVENT_MAX_DELAY_NS. An expiry is
 *	delivered only once the consumer has taken the last one, as a
 *	timerfd's timer is restarted by read(2): a QUEUE one's record waits
 *	while the file's queue is full, an EVENTFD one's count while the
 *	eventfd was not read since this file's registrations last added to
 *	it (those that fired together add together, one read takes all); its
 *	timer stops meanwhile, and the expiries it skipped are counted in
 *	&hwevent_event.overruns of the record that waited. So a consumer that
 *	never reads costs an expiry or two per registration, not one every
 *	period. An EVENTFD one adds one per expiry, as a timerfd counts: 1 +
 *	the overruns of the record it would have queued (on kernels whose
 *	eventfd_signal() adds only one at a time, 6.8 and later, at most 64
 *	per delivery, the rest with the following ones).
 * @reserved: must be zero
 * @id: out: the registration's id, unique within the open file, counted
 *	from 1; ignored on input
 * @event: out: for %HWEVENT_MODE_PENDING, the event that completed the
 *	ioctl; untouched in the other modes; ignored on input
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
	__aligned_u64 period_ns;	/* 0x20 */
	__aligned_u64 reserved[3];	/* 0x28 */
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
 *	eventfd is signalled, the record is queued, or the PENDING call
 *	returns 0);
 *  cancelled: HWEVENT_IOC_CANCEL took it before its interrupt ran (the
 *	eventfd is never signalled; the PENDING call returns %ECANCELED);
 *  interrupted: a signal whose handler runs (or that kills) reached its
 *	PENDING caller before its interrupt ran (the call returns %EINTR);
 *  dropped: the file was released (last close) before it fired (the
 *	eventfd is never signalled);
 *  device gone (%HWEVENT_REGISTER_DEVICE): the PCI device was removed (or
 *	its driver unbound) before its interrupt fired it: the PENDING call
 *	returns %ENODEV, a QUEUE registration queues a record flagged
 *	%HWEVENT_EVENT_DEVICE_GONE, an eventfd is never signalled (Windows:
 *	IRP_MN_SURPRISE_REMOVAL, its IRPs completed with
 *	STATUS_NO_SUCH_DEVICE).
 *
 * Once its interrupt has run (with %HWEVENT_REGISTER_DEVICE: the device's
 * interrupt), a registration always ends as fired. The
 * driver's eventfd reference is dropped exactly once, when it ends.
 *
 * A periodic registration (@period_ns) never ends as fired: each expiry
 * delivers one record (or one eventfd count), and it ends when cancelled or
 * dropped. An expiry whose bottom half has not run by then is discarded.
 *
 * Return: 0 on success: in %HWEVENT_MODE_EVENTFD and %HWEVENT_MODE_QUEUE at
 * once, with @id written back; in %HWEVENT_MODE_PENDING once the event
 * fired, with @id and @event written back. On failure -1 with errno set:
 *
 * %EINVAL: unknown @mode or @flags, %HWEVENT_REGISTER_DMA without
 * %HWEVENT_REGISTER_DEVICE, non-zero @padding or @reserved, @delay_ns
 * above %HWEVENT_MAX_DELAY_NS, @period_ns non-zero in
 * %HWEVENT_MODE_PENDING or with %HWEVENT_REGISTER_DEVICE or outside
 * %HWEVENT_MIN_PERIOD_NS to %HWEVENT_MAX_DELAY_NS, @eventfd is not an
 * eventfd, or @eventfd is not zero outside %HWEVENT_MODE_EVENTFD.
 * %EBADF: %HWEVENT_MODE_EVENTFD and @eventfd is not an open descriptor.
 * %EFAULT: the argument is not readable and writable memory. In
 * %HWEVENT_MODE_PENDING, if @event cannot be written back once the event
 * fired, the event is consumed all the same.
 * %ENOSPC: the file already has max_pending (a module parameter, see
 * /sys/module/hwevent/parameters/max_pending, 1 to 65536) live
 * registrations, or the user who opened the file has
 * max_user_registrations across all files (as epoll's max_user_watches)
 * and the caller lacks %CAP_SYS_RESOURCE.
 * %EACCES: @period_ns would take the rate of the periodic registrations of
 * the user who opened the file, the sum of 1 s / period (each rounded up)
 * across all files, above max_user_rate_hz, and the caller lacks
 * %CAP_SYS_RESOURCE (as the rtc driver's max_user_freq).
 * %ENOMEM: out of memory.
 * %EINTR: %HWEVENT_MODE_PENDING and a signal whose handler runs arrived
 * before the event fired, with or without %SA_RESTART (as for
 * nanosleep(2): the call is restarted only when no handler runs); the
 * registration is gone, and its event never happens. An event that fired
 * before the signal was seen is reported as success instead. What runs no
 * handler does not end the call: a stop and continue (%SIGSTOP, or
 * %SIGTSTP without a handler, then %SIGCONT), a debugger's attach or stop
 * (ptrace), the system freezer (suspend, hibernation) and a cgroup v2
 * freeze suspend it, and it resumes for the due time it had, as
 * clock_nanosleep(2) does: the delay never starts over (an event due
 * meanwhile fires as the thread resumes) and the record has the due time
 * it would have had. The kernel resumes it by issuing the call again with
 * the same argument, whose @id (written back before the call slept) names
 * the registration; a signal handled after the stop, before the thread
 * goes on, runs its handler and the call then resumes. While a stop, a
 * debugger or a cgroup freeze holds the thread, the registration cannot
 * be cancelled or triggered (%ENOENT). If meanwhile the descriptor is
 * closed, the resumed call fails with %EBADF (and the registration ends as
 * interrupted).
 * %ECANCELED: %HWEVENT_MODE_PENDING and HWEVENT_IOC_CANCEL cancelled it.
 * %ENODEV: %HWEVENT_REGISTER_DEVICE and no device is bound to the driver;
 * or %HWEVENT_MODE_PENDING and the device went away before the event.
 *
 * Unknown ioctl numbers, including this one with another size, fail with
 * %ENOTTY.
 */
#define HWEVENT_IOC_REGISTER	_IOWR(HWEVENT_IOC_MAGIC, 0x00, struct hwevent_register)

/* Cancel every registration of the file, not only &hwevent_cancel.id. */
#define HWEVENT_CANCEL_ALL	(1U << 0)
/* &hwevent_cancel.id is a cookie: cancel every registration that has it. */
#define HWEVENT_CANCEL_COOKIE	(1U << 1)

/**
 * struct hwevent_cancel - argument of HWEVENT_IOC_CANCEL
 * @id: in: the registration to cancel (&hwevent_register.id); with
 *	%HWEVENT_CANCEL_COOKIE, a cookie (&hwevent_register.cookie, or
 *	&hwevent_uring_wait.cookie): every registration with it; must be zero
 *	with %HWEVENT_CANCEL_ALL
 * @flags: in: 0, %HWEVENT_CANCEL_ALL or %HWEVENT_CANCEL_COOKIE
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
 * %ENOENT: no registration @id (with %HWEVENT_CANCEL_COOKIE: none with
 * that cookie) is waiting for its interrupt on this file: it never
 * existed, already fired, or already ended otherwise.
 * %EINVAL: unknown @flags, both flags, non-zero @padding or @reserved, @id
 * zero with neither flag or non-zero with %HWEVENT_CANCEL_ALL.
 * %EFAULT: the argument is not readable and writable memory when the call
 * starts: nothing was cancelled. (If another thread makes it unwritable
 * while the call runs, the registrations are cancelled and only @count is
 * lost.)
 */
#define HWEVENT_IOC_CANCEL	_IOWR(HWEVENT_IOC_MAGIC, 0x01, struct hwevent_cancel)

/* Fire every armed registration of the file, not only &hwevent_trigger.id. */
#define HWEVENT_TRIGGER_ALL	(1U << 0)
/* &hwevent_trigger.id is a cookie: fire every registration that has it. */
#define HWEVENT_TRIGGER_COOKIE	(1U << 1)

/**
 * struct hwevent_trigger - argument of HWEVENT_IOC_TRIGGER
 * @id: in: the registration to fire (&hwevent_register.id); with
 *	%HWEVENT_TRIGGER_COOKIE, a cookie: every armed registration with it;
 *	must be zero with %HWEVENT_TRIGGER_ALL
 * @flags: in: 0, %HWEVENT_TRIGGER_ALL or %HWEVENT_TRIGGER_COOKIE
 * @padding: must be zero
 * @count: out: how many registrations were fired; ignored on input
 * @reserved: must be zero
 *
 * 32 bytes, the same for 32- and 64-bit callers.
 */
struct hwevent_trigger {
	__aligned_u64 id;		/* 0x00 */
	__u32 flags;			/* 0x08 */
	__u32 padding;			/* 0x0c */
	__aligned_u64 count;		/* 0x10 */
	__aligned_u64 reserved;		/* 0x18 */
};

/*
 * HWEVENT_IOC_TRIGGER - fire registrations of this open file now, as if
 * their timers had expired (VFIO's loopback ACTION_TRIGGER; Windows had no
 * such call, its test tools waited for the timer).
 *
 * A one-shot registration's timer is stopped and it completes as fired, its
 * record flagged %HWEVENT_EVENT_TRIGGERED; once counted here it can no
 * longer be cancelled. A periodic one gets one extra expiry, so flagged,
 * and keeps its period (like any expiry, it is
 * counted in the previous record's @overruns instead if the bottom half
 * has not delivered that one yet). Records are delivered by the bottom
 * half, as always, so they may not have arrived when this call returns.
 *
 * Return: 0 with @count written back (with %HWEVENT_TRIGGER_ALL, possibly
 * 0). On failure -1 with errno set:
 *
 * %ENOENT: no registration @id (with %HWEVENT_TRIGGER_COOKIE: none with
 * that cookie) is waiting for its interrupt on this file.
 * %EINVAL: unknown @flags, both flags, non-zero @padding or @reserved, @id
 * zero with neither flag or non-zero with %HWEVENT_TRIGGER_ALL.
 * %EFAULT: the argument is not readable and writable memory when the call
 * starts: nothing was fired. (If another thread makes it unwritable while
 * the call runs, the registrations are fired and only @count is lost.)
 */
#define HWEVENT_IOC_TRIGGER	_IOWR(HWEVENT_IOC_MAGIC, 0x02, struct hwevent_trigger)

/*
 * io_uring commands (IORING_OP_URING_CMD on /dev/hwevent; Linux 5.19 and
 * later, not 5.10): a pending request the driver completes later on the
 * ring's completion queue, as Windows completes an overlapped
 * DeviceIoControl() marked pending (STATUS_PENDING) on an I/O completion
 * port. The SQE's cmd_op is the command; its command area (16 bytes of a
 * 64-byte SQE) holds the argument. Unknown cmd_op values complete with
 * %ENOTTY.
 */

/* Longest &hwevent_uring_wait.delay_ns accepted: 10 s, in ns. */
#define HWEVENT_URING_MAX_DELAY_NS	(10ULL * 1000000000ULL)

/**
 * struct hwevent_uring_wait - argument of HWEVENT_URING_CMD_WAIT, in the
 *	SQE's command area
 * @delay_ns: time from the submission to the simulated interrupt, in ns,
 *	CLOCK_MONOTONIC, at most %HWEVENT_URING_MAX_DELAY_NS (a pending
 *	command holds the exit of the task that submitted it on kernels
 *	before 6.7, which cannot cancel it: so it is kept short everywhere);
 *	0 fires at once (still through the timer and the bottom half)
 * @cookie: any value; copied into the record's &hwevent_event.cookie
 *
 * 16 bytes, the same for 32- and 64-bit callers.
 */
struct hwevent_uring_wait {
	__aligned_u64 delay_ns;		/* 0x00 */
	__aligned_u64 cookie;		/* 0x08 */
};

/*
 * HWEVENT_URING_CMD_WAIT - register one pending event and complete the
 * command when it fires, like %HWEVENT_MODE_PENDING without a sleeping
 * thread. The registration belongs to the file and counts against
 * max_pending (and the user's limits) like any other; HWEVENT_IOC_TRIGGER
 * fires it, HWEVENT_IOC_CANCEL cancels it (its id is only in the record:
 * %HWEVENT_CANCEL_ALL, or %HWEVENT_CANCEL_COOKIE with the cookie). The
 * ring holds the file while the command is pending, so the file cannot be
 * released, nor the module unloaded, meanwhile.
 * The file's open mode does not matter, as for the ioctls (whoever may
 * open the device may wait on it).
 *
 * IORING_OP_ASYNC_CANCEL does not reach a pending command (io_uring cancels
 * only what it can retry or poll); on 6.7 and later, closing the ring or
 * the exit of the submitting task cancels it (%ECANCELED), and before 6.7
 * they wait for it (at most %HWEVENT_URING_MAX_DELAY_NS).
 *
 * The CQE's res: on success the low 31 bits of the record's
 * &hwevent_event.seqno (never negative); on a ring set up with
 * IORING_SETUP_CQE32 the first of the CQE's two extra 64-bit fields
 * (big_cqe[0]) is &hwevent_event.irq_ns, the second zero. Else a negative
 * errno:
 *
 * %ECANCELED: HWEVENT_IOC_CANCEL cancelled it, or (6.7 and later) the ring
 * was closed or the submitting task exited first.
 * %EINVAL: @delay_ns above %HWEVENT_URING_MAX_DELAY_NS.
 * %ENOSPC, %ENOMEM: as for HWEVENT_IOC_REGISTER (no %EACCES: it is not
 * periodic).
 * %ENOTTY: an unknown cmd_op.
 */
#define HWEVENT_URING_CMD_WAIT	_IOW(HWEVENT_IOC_MAGIC, 0x10, struct hwevent_uring_wait)

/*
 * HWEVENT_URING_CMD_WAIT_DEVICE - HWEVENT_URING_CMD_WAIT with the PCI
 * device's interrupt (%HWEVENT_REGISTER_DEVICE, without DMA): when
 * &hwevent_uring_wait.delay_ns has passed (or at HWEVENT_IOC_TRIGGER) the
 * device raises its interrupt, and its handler fires the command. The
 * same argument and CQE, and two more errors, in the CQE's res:
 *
 * %ENODEV: no device is bound to the driver when the command is issued,
 * or the device was removed before it raised the interrupt (Windows:
 * STATUS_NO_SUCH_DEVICE).
 */
#define HWEVENT_URING_CMD_WAIT_DEVICE	_IOW(HWEVENT_IOC_MAGIC, 0x11, struct hwevent_uring_wait)

#endif /* _UAPI_LINUX_HWEVENT_H */
