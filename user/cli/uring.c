// SPDX-License-Identifier: GPL-2.0
/* uring.c - mode 0 with --uring: pending requests completed on a ring. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lib/clock.h"
#include "lib/common.h"
#include "lib/device.h"
#include "lib/signals.h"
#include "lib/uring.h"

#include "cli/hwevent.h"

/* ---- Mode 0 with --uring: pending requests completed on a ring ---- */

/*
 * The KMDF echo sample's echoapp -Async: N overlapped requests in flight
 * on an I/O completion port, each issued again as it completes. Here each
 * is an HWEVENT_URING_CMD_WAIT command (IORING_OP_URING_CMD, Linux 5.19
 * and later), which the driver pends like mode 0's ioctl and completes on
 * the ring when its event fires. The CQE has the low 31 bits of the
 * record's seqno in res and, as the ring has 32-byte CQEs, its irq_ns in
 * big_cqe[0]. The due time is ours: the submission's time plus the delay
 * (the driver arms the timer after that, so no event is early by it).
 */

static const char *const no_uring_cmd =
	"no io_uring commands: --uring needs IORING_OP_URING_CMD and 32-byte CQEs (Linux 5.19 and later) and an hwevent.ko built with them; modes 0, 1 and 2 without --uring do not";

/* The command: with --edu, the device's interrupt fires it. */
static uint32_t uring_cmd_op(const struct options *o)
{
	return o->reg_flags & HWEVENT_REGISTER_DEVICE ?
	       HWEVENT_URING_CMD_WAIT_DEVICE : HWEVENT_URING_CMD_WAIT;
}

/* A command that completed with -@err. */
static void report_uring_cmd_error(const struct options *o, int err)
{
	const char *name = uring_cmd_op(o) == HWEVENT_URING_CMD_WAIT ?
			   "HWEVENT_URING_CMD_WAIT" :
			   "HWEVENT_URING_CMD_WAIT_DEVICE";

	switch (err) {
	case EOPNOTSUPP:
		fprintf(stderr, PROG ": %s failed: %s: the driver has %s\n",
			name, strerror(err), no_uring_cmd);
		break;
	case EINVAL:
		fprintf(stderr,
			PROG ": %s failed: %s: the kernel or the driver refused the command (%s)\n",
			name, strerror(err), no_uring_cmd);
		break;
	default:
		report_ioctl_error(name, err);
		break;
	}
}

/*
 * The ring, and the stop signals blocked but while we wait on it, as
 * ppoll() does: a Ctrl-C just before a wait is not missed. SIGCONT too, so
 * that fg's terminal refresh is not missed either.
 */
int uring_setup(struct state *st, const struct options *o)
{
	struct io_uring_probe *probe;
	bool have_cmd;
	int ret;

	st->slots = calloc(o->uring, sizeof(*st->slots));
	st->batch = calloc(o->uring + 1, sizeof(*st->batch));
	if (!st->slots || !st->batch) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	/*
	 * Windows: CreateIoCompletionPort(). One entry more than the
	 * commands, for the poll of stdin.
	 */
	ret = io_uring_queue_init(o->uring + 1, &st->ring, IORING_SETUP_CQE32);
	if (ret < 0) {
		report_uring_setup_error("io_uring_setup(IORING_SETUP_CQE32)",
					 -ret, no_uring_cmd);
		return -1;
	}
	st->ring_up = true;
	probe = io_uring_get_probe_ring(&st->ring);
	have_cmd = !probe ||
		   io_uring_opcode_supported(probe, IORING_OP_URING_CMD);
	if (probe)
		io_uring_free_probe(probe);
	if (!have_cmd) {
		fprintf(stderr, PROG ": io_uring has no IORING_OP_URING_CMD: %s\n",
			no_uring_cmd);
		return -1;
	}

	if (block_stop_signals(&st->saved_mask, &st->wait_mask) < 0)
		return -1;
	st->signals_blocked = true;
	return 0;
}

/*
 * Fill every free slot with a command, as long as --count still wants the
 * events of new ones, and poll stdin for a key while we watch it; submit.
 * Windows: DeviceIoControl() with an OVERLAPPED, ERROR_IO_PENDING.
 */
static int uring_fill(struct state *st, const struct options *o)
{
	struct hwevent_uring_wait w = { .delay_ns = o->delay_ns };
	struct io_uring_sqe *sqe;
	unsigned int i;
	uint64_t issued;
	int ret;

	/* Before the submission: the driver arms the timers after it. */
	issued = now_ns();
	for (i = 0; i < o->uring; i++) {
		if (st->slots[i].command)
			continue;
		if (o->count && st->submitted >= o->count)
			break;
		/* Never NULL: the ring has an entry for each slot. */
		sqe = io_uring_get_sqe(&st->ring);
		if (!sqe)
			break;
		st->submitted++;
		/* By default the command's number, as mode 0's event's. */
		w.cookie = o->has_cookie ? o->cookie : st->submitted;
		/* liburing 2.3 has no helper for IORING_OP_URING_CMD. */
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, st->devfd, NULL, 0,
				 0);
		sqe->cmd_op = uring_cmd_op(o);
		memcpy(sqe->cmd, &w, sizeof(w));
		io_uring_sqe_set_data64(sqe, i);
		st->slots[i].command = st->submitted;
		st->slots[i].due_ns = issued + o->delay_ns;
		st->pending++;
	}

	input_poll_on_ring(&st->in, &st->ring, URING_STDIN);

	ret = io_uring_submit(&st->ring);
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_submit: %s\n",
			strerror(-ret));
		return -1;
	}
	return 0;
}

/* Copy a CQE, and give its place in the ring back. */
static void uring_take(struct io_uring *ring, struct io_uring_cqe *cqe,
		       struct uring_done *done)
{
	done->data = io_uring_cqe_get_data64(cqe);
	done->res = cqe->res;
	/* The ring has 32-byte CQEs (IORING_SETUP_CQE32). */
	done->irq_ns = cqe->big_cqe[0];
	io_uring_cqe_seen(ring, cqe);
}

/*
 * In the order the interrupts ran, by seqno, whose low 31 bits a command's
 * res has: the difference of two, shifted to the top of 32 bits, is
 * signed, so the order holds across a wrap. What has no seqno (failures,
 * stdin) first.
 */
static int uring_done_cmp(const void *a, const void *b)
{
	const struct uring_done *x = a, *y = b;
	bool x_ev = x->data != URING_STDIN && x->res >= 0;
	bool y_ev = y->data != URING_STDIN && y->res >= 0;
	int32_t d;

	if (x_ev != y_ev)
		return x_ev - y_ev;
	if (!x_ev)
		return 0;
	d = (int32_t)(((uint32_t)x->res - (uint32_t)y->res) << 1);
	return (d > 0) - (d < 0);
}

/* One completion, seen at @woke: a command's, or the poll of stdin's. */
static enum wait_result uring_complete(struct state *st,
				       const struct options *o,
				       const struct uring_done *cqe,
				       uint64_t woke)
{
	uint64_t data = cqe->data;
	struct hwevent_event rec;
	struct uring_slot *slot;
	struct report r;
	uint64_t due;

	if (data == URING_STDIN)
		return input_poll_done(&st->in, cqe->res) ? WAIT_QUIT :
							    WAIT_AGAIN;
	if (data >= o->uring || !st->slots[data].command) {
		fprintf(stderr, PROG ": a completion for no command (%llu)\n",
			(unsigned long long)data);
		return WAIT_ERROR;
	}
	slot = &st->slots[data];
	memset(&r, 0, sizeof(r));
	r.command = slot->command;
	r.cookie = o->has_cookie ? o->cookie : slot->command;
	/* What the record would say: the command's CQE has no flags. */
	r.flags = o->reg_flags & HWEVENT_REGISTER_DEVICE ?
		  HWEVENT_EVENT_DEVICE : 0;
	due = slot->due_ns;
	slot->command = 0;
	st->pending--;

	if (cqe->res == -ECANCELED) {
		st->cancelled++;
		if (st->cancel_issued)
			return WAIT_AGAIN;
		fprintf(stderr,
			PROG ": command %llu was cancelled, and not by us\n",
			(unsigned long long)r.command);
		return WAIT_ERROR;
	}
	if (cqe->res < 0) {
		/* Say it once, not for each of N commands (ENOSPC). */
		if (-cqe->res != st->failed_errno)
			report_uring_cmd_error(o, -cqe->res);
		st->failed_errno = -cqe->res;
		return WAIT_ERROR;
	}

	memset(&rec, 0, sizeof(rec));
	rec.seqno = (uint64_t)cqe->res;
	rec.cookie = r.cookie;
	rec.due_ns = due;
	rec.irq_ns = cqe->irq_ns;
	if (rec.irq_ns < rec.due_ns || rec.irq_ns > woke)
		fprintf(stderr,
			PROG ": warning: command %llu: timestamps out of order (due %llu, interrupt %llu, completion seen %llu ns)\n",
			(unsigned long long)r.command,
			(unsigned long long)rec.due_ns,
			(unsigned long long)rec.irq_ns,
			(unsigned long long)woke);
	r.ev = &rec;
	r.wake_ns = woke;
	report_event(st, o, &r);
	return WAIT_EVENT;
}

/*
 * Keep the commands in flight and wait for completions, the commands' and
 * stdin's; handle all that are there, as one wake-up. Windows:
 * GetQueuedCompletionStatus(); here io_uring_wait_cqe(), with the stop
 * signals let in while it waits.
 */
enum wait_result wait_uring(struct state *st, const struct options *o)
{
	enum wait_result r = WAIT_AGAIN, one;
	struct io_uring_cqe *cqe;
	unsigned int i, n = 0;
	uint64_t woke;
	int ret;

	if (uring_fill(st, o) < 0)
		return WAIT_ERROR;
	if (take_pending_signals(&st->wait_mask))
		return WAIT_AGAIN;	/* the main loop looks at the signal */
	ret = io_uring_wait_cqes(&st->ring, &cqe, 1, NULL, &st->wait_mask);
	if (ret == -EINTR)
		return WAIT_AGAIN;	/* the main loop looks at the signal */
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_wait_cqe: %s\n",
			strerror(-ret));
		return WAIT_ERROR;
	}
	woke = now_ns();
	/* No more than can be in flight: the commands and the poll. */
	while (n <= o->uring && io_uring_peek_cqe(&st->ring, &cqe) == 0)
		uring_take(&st->ring, cqe, &st->batch[n++]);
	/*
	 * io_uring does not order CQEs by the events: 6.1 posts those its
	 * task work completes together newest first. Report them in the
	 * order the interrupts ran.
	 */
	qsort(st->batch, n, sizeof(*st->batch), uring_done_cmp);
	for (i = 0; i < n; i++) {
		one = uring_complete(st, o, &st->batch[i], woke);
		/* All are handled; the worst says what next. */
		if (one == WAIT_ERROR ||
		    (one == WAIT_QUIT && r != WAIT_ERROR) ||
		    (one == WAIT_EVENT && r == WAIT_AGAIN))
			r = one;
	}
	return r;
}

/*
 * At the stop: cancel the commands still pending, and reap them. Only the
 * driver's own cancel reaches them: not IORING_OP_ASYNC_CANCEL, nor,
 * before 6.7, closing the ring, which would wait for them. The file is
 * ours alone, so all of its registrations are these. Windows:
 * CancelIoEx(device, NULL). Those whose interrupt ran already complete as
 * fired, and are reported.
 */
int uring_stop(struct state *st, const struct options *o)
{
	struct hwevent_cancel cancel;
	struct io_uring_cqe *cqe;
	struct uring_done done;
	uint64_t deadline;
	int ret, err = 0;

	if (!st->ring_up || !st->pending)
		return 0;
	memset(&cancel, 0, sizeof(cancel));
	cancel.flags = HWEVENT_CANCEL_ALL;
	if (ioctl(st->devfd, HWEVENT_IOC_CANCEL, &cancel) < 0) {
		report_ioctl_error("HWEVENT_IOC_CANCEL", errno);
		return -1;
	}
	st->cancel_issued = true;
	deadline = now_ns() + LOST_EVENT_MS * NSEC_PER_MSEC;
	while (st->pending) {
		ret = uring_wait_until(&st->ring, &cqe, deadline);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr,
				PROG ": %u command%s not completed %d s after HWEVENT_IOC_CANCEL: %s\n",
				st->pending, st->pending == 1 ? "" : "s",
				LOST_EVENT_MS / 1000, strerror(-ret));
			return -1;
		}
		uring_take(&st->ring, cqe, &done);
		if (uring_complete(st, o, &done, now_ns()) == WAIT_ERROR)
			err = -1;
	}
	if (cancel.count != st->cancelled)
		fprintf(stderr,
			PROG ": warning: HWEVENT_IOC_CANCEL cancelled %llu, but %llu commands completed cancelled\n",
			(unsigned long long)cancel.count, st->cancelled);
	return err;
}
