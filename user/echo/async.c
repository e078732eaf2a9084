// SPDX-License-Identifier: GPL-2.0
/* async.c - --async: echoapp -Async, on an io_uring ring. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/device.h"
#include "lib/uring.h"
#include "lib/signals.h"

#include "echo/hwecho.h"

/* ---- --async: echoapp -Async, on an io_uring ring ---- */

/*
 * Design: one ring and one thread, where echoapp had a writer thread and a
 * reader thread, each with a handle and a completion port. Submitting to a
 * ring never blocks, so one thread keeps both directions in flight, and
 * one completion queue orders what it sees. Each request in flight has an
 * open file of its own: the driver gives a file one reservation per
 * direction for calls that must not block, as io_uring's are (hwecho.h),
 * so a second read of one file would not be queued until the first one's
 * was taken. With a file each, every request holds its own place in the
 * device's queue, as each of echoapp's overlapped requests did.
 */

static int ensure_files(unsigned int files)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= files)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < files) {
		fprintf(stderr,
			PROG ": --async needs %u open files, and the limit is %llu (ulimit -n): ask for fewer in flight\n",
			files, (unsigned long long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = files;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		fprintf(stderr, PROG ": setrlimit(RLIMIT_NOFILE, %u): %s\n",
			files, strerror(errno));
		return -1;
	}
	return 0;
}

static int async_setup(struct state *st, const struct options *o)
{
	static const int ops[] = {
		IORING_OP_READ, IORING_OP_WRITE, IORING_OP_ASYNC_CANCEL,
		IORING_OP_POLL_ADD,
	};
	struct io_uring_probe *probe;
	unsigned int i;
	int ret;

	st->run = (uint32_t)mix64(now_ns() ^ ((uint64_t)getpid() << 32));
	st->write_max = ASYNC_MAX_WRITE;
	if (st->max_write && st->max_write < st->write_max)
		st->write_max = st->max_write;
	if (st->write_max < sizeof(struct echo_header)) {
		fprintf(stderr,
			PROG ": echo_max_write is %u bytes: --async needs at least %zu for each write's header\n",
			st->max_write, sizeof(struct echo_header));
		return -1;
	}

	st->nslots = 2 * o->inflight;
	if (ensure_files(st->nslots + 16) < 0)
		return -1;
	st->slots = calloc(st->nslots, sizeof(*st->slots));
	st->scratch = malloc(st->write_max);
	if (!st->slots || !st->scratch) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	for (i = 0; i < st->nslots; i++)
		st->slots[i].fd = -1;
	for (i = 0; i < st->nslots; i++) {
		struct slot *s = &st->slots[i];

		s->kind = i < o->inflight ? SLOT_WRITE : SLOT_READ;
		s->len = st->write_max;
		s->buf = calloc(1, st->write_max);
		if (!s->buf) {
			fprintf(stderr, PROG ": out of memory\n");
			return -1;
		}
		/* Windows: echoapp's CreateFile(FILE_FLAG_OVERLAPPED). */
		s->fd = i == 0 ? st->fd : open(st->path, O_RDWR | O_CLOEXEC);
		if (s->fd < 0) {
			fprintf(stderr,
				PROG ": cannot open %s again (file %u of %u): %s\n",
				st->path, i + 1, st->nslots, strerror(errno));
			return -1;
		}
	}

	/*
	 * Windows: CreateIoCompletionPort(). Entries for every request, the
	 * poll of stdin, and at the stop their cancels, a batch at a time.
	 */
	ret = io_uring_queue_init(st->nslots + 1, &st->ring, 0);
	if (ret < 0) {
		report_uring_setup_error("io_uring_queue_init", -ret, NULL);
		return -1;
	}
	st->ring_up = true;
	probe = io_uring_get_probe_ring(&st->ring);
	for (i = 0; probe && i < ARRAY_SIZE(ops); i++) {
		if (!io_uring_opcode_supported(probe, ops[i])) {
			fprintf(stderr,
				PROG ": this kernel's io_uring lacks opcode %d (IORING_OP_READ, _WRITE, _ASYNC_CANCEL and _POLL_ADD need Linux 5.6)\n",
				ops[i]);
			io_uring_free_probe(probe);
			return -1;
		}
	}
	if (probe)
		io_uring_free_probe(probe);

	/* The stop signals only while we wait on the ring, as ppoll() does. */
	if (block_stop_signals(&st->saved_mask, &st->wait_mask) < 0)
		return -1;
	st->signals_blocked = true;
	return 0;
}

/* A free slot of @kind, or NULL. */
static struct slot *free_slot(struct state *st, enum slot_kind kind)
{
	unsigned int i;

	for (i = 0; i < st->nslots; i++)
		if (st->slots[i].kind == kind && !st->slots[i].busy)
			return &st->slots[i];
	return NULL;
}

/*
 * Fill the free slots, writes and reads in turn (a write first), as long
 * as --count wants more, and poll stdin for a key; submit. Windows:
 * WriteFile() and ReadFile() with an OVERLAPPED, ERROR_IO_PENDING.
 */
static int async_fill(struct state *st, const struct options *o)
{
	struct io_uring_sqe *sqe;
	enum slot_kind kind;
	struct slot *s;
	int ret;

	while (!st->cancelling && (!o->count || st->submitted < o->count)) {
		kind = st->reads_submitted < st->writes_submitted ?
		       SLOT_READ : SLOT_WRITE;
		s = free_slot(st, kind);
		if (!s) {
			kind = kind == SLOT_READ ? SLOT_WRITE : SLOT_READ;
			s = free_slot(st, kind);
		}
		if (!s)
			break;
		/* Never NULL: the ring has an entry for each slot. */
		sqe = io_uring_get_sqe(&st->ring);
		if (!sqe)
			break;
		if (kind == SLOT_WRITE) {
			s->number = ++st->writes_submitted;
			s->len = build_write(st, s->buf, s->number);
			io_uring_prep_write(sqe, s->fd, s->buf, (unsigned int)s->len,
					    (uint64_t)-1);
		} else {
			s->number = ++st->reads_submitted;
			s->len = st->write_max;
			s->writes_done = st->writes;
			io_uring_prep_read(sqe, s->fd, s->buf, (unsigned int)s->len,
					   (uint64_t)-1);
		}
		io_uring_sqe_set_data64(sqe, (uint64_t)(s - st->slots));
		s->busy = true;
		s->submitted_ns = now_ns();
		st->submitted++;
		st->in_flight++;
	}
	input_poll_on_ring(&st->in, &st->ring, UD_STDIN);
	ret = io_uring_submit(&st->ring);
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_submit: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

static const char *io_hint(int err)
{
	switch (err) {
	case EMSGSIZE:
		return "the write is larger than echo_max_write (was it lowered meanwhile?)";
	case EINVAL:
	case ESPIPE:
		return "is the device the echo device?";
	case ENOMEM:
		return "the kernel is out of memory";
	default:
		return NULL;
	}
}

/* The line, or the JSON object, of one completion. */
static void print_completion(const struct state *st, const struct options *o,
			     const struct slot *s, int res,
			     enum read_result rr, unsigned long long wnum,
			     uint64_t lat)
{
	bool write = s->kind == SLOT_WRITE;
	char ms[24];

	if (o->json) {
		printf("{\"request\":%llu,\"op\":\"%s\",\"number\":%llu,\"bytes\":%d,\"latency_ns\":%llu,\"result\":\"%s\"",
		       st->completed, write ? "write" : "read", s->number,
		       res, (unsigned long long)lat,
		       write ? "written" : read_result_names[rr]);
		if (!write && wnum)
			printf(",\"write\":%llu", wnum);
		printf("}\n");
		return;
	}
	fmt_ms(ms, sizeof(ms), lat, false);
	/* echoapp: "Number of bytes written by request number %d is %d" */
	if (write)
		printf("write %llu: %d bytes written in %s ms\n", s->number,
		       res, ms);
	else if (rr == READ_VERIFIED)
		printf("read %llu: %d bytes, write %llu's, verified, in %s ms\n",
		       s->number, res, wnum, ms);
	else if (rr == READ_EMPTY)
		printf("read %llu: 0 bytes (nothing written yet) in %s ms\n",
		       s->number, ms);
	else if (rr == READ_EARLIER)
		printf("read %llu: %d bytes written before this run, in %s ms\n",
		       s->number, res, ms);
	else
		printf("read %llu: %d bytes, not verified, in %s ms\n",
		       s->number, res, ms);
}

/* One request's completion. Return -1 on an error (said), else 0. */
static int async_complete(struct state *st, const struct options *o,
			  struct slot *s, int res, uint64_t woke)
{
	enum read_result rr = READ_VERIFIED;
	unsigned long long wnum = 0;
	const char *hint;
	char why[200];

	s->busy = false;
	st->in_flight--;
	/* After our cancel: ECANCELED, or EINTR if it had to be woken. */
	if (st->cancelling && (res == -ECANCELED || res == -EINTR)) {
		st->cancelled++;
		return 0;
	}
	if (res < 0) {
		st->errors++;
		if (-res != st->failed_errno) {
			hint = io_hint(-res);
			fprintf(stderr, PROG ": %s %llu failed: %s%s%s\n",
				s->kind == SLOT_WRITE ? "write" : "read",
				s->number, strerror(-res), hint ? ": " : "",
				hint ? hint : "");
		}
		st->failed_errno = -res;
		return -1;
	}
	st->completed++;
	if (s->kind == SLOT_WRITE) {
		if ((size_t)res != s->len) {
			st->errors++;
			fprintf(stderr,
				PROG ": write %llu: %d bytes written, not %zu: a write is never partial (a driver bug)\n",
				s->number, res, s->len);
			return -1;
		}
		st->writes++;
		st->write_bytes += (unsigned long long)res;
	} else {
		rr = check_read(st, s, (size_t)res, &wnum, why, sizeof(why));
		st->reads++;
		st->read_bytes += (unsigned long long)res;
		st->results[rr]++;
	}
	print_completion(st, o, s, res, rr, wnum, woke - s->submitted_ns);
	output_failed(st);	/* the loop stops */
	if (rr == READ_BAD) {
		st->errors++;
		fprintf(stderr, PROG ": read %llu: %s\n", s->number, why);
		return -1;
	}
	return 0;
}

enum step { STEP_GO, STEP_QUIT, STEP_ERROR };

/* One CQE, seen at @woke. */
static enum step async_cqe(struct state *st, const struct options *o,
			   uint64_t data, int res, uint64_t woke)
{
	if (data == UD_STDIN)
		return input_poll_done(&st->in, res) ? STEP_QUIT : STEP_GO;
	if (data & UD_CANCEL) {
		/* 0, ENOENT (done already), EALREADY (completing): fine. */
		if (res < 0 && res != -ENOENT && res != -EALREADY)
			fprintf(stderr,
				PROG ": warning: IORING_OP_ASYNC_CANCEL of a request failed: %s\n",
				strerror(-res));
		return STEP_GO;
	}
	if (data >= st->nslots || !st->slots[data].busy) {
		fprintf(stderr, PROG ": a completion for no request (%llu)\n",
			(unsigned long long)data);
		return STEP_ERROR;
	}
	if (async_complete(st, o, &st->slots[data], res, woke) < 0)
		return STEP_ERROR;
	return STEP_GO;
}

/*
 * Submit what is wanted and wait for completions, with the stop signals
 * let in; handle all that are there. Windows: GetQueuedCompletionStatus().
 */
static enum step async_wait(struct state *st, const struct options *o)
{
	enum step r = STEP_GO, one;
	struct io_uring_cqe *cqe;
	uint64_t woke, data;
	int ret, res;

	if (async_fill(st, o) < 0)
		return STEP_ERROR;
	if (take_pending_signals(&st->wait_mask))
		return STEP_GO;		/* the loop looks at the signal */
	ret = io_uring_wait_cqes(&st->ring, &cqe, 1, NULL, &st->wait_mask);
	if (ret == -EINTR)
		return STEP_GO;		/* the loop looks at the signal */
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_wait_cqes: %s\n",
			strerror(-ret));
		return STEP_ERROR;
	}
	woke = now_ns();
	while (io_uring_peek_cqe(&st->ring, &cqe) == 0) {
		data = io_uring_cqe_get_data64(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&st->ring, cqe);
		one = async_cqe(st, o, data, res, woke);
		if (one == STEP_ERROR || (one == STEP_QUIT && r == STEP_GO))
			r = one;
	}
	return r;
}

/*
 * At the stop: cancel each request in flight with IORING_OP_ASYNC_CANCEL
 * (Windows: CancelIo), and reap them all. A request the driver had
 * completed already completes as usual, and is reported.
 */
static int async_cancel(struct state *st, const struct options *o)
{
	uint64_t deadline = now_ns() + CANCEL_WAIT_MS * NSEC_PER_MSEC;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	unsigned int i;
	int ret, err = 0;

	if (!st->ring_up || !st->in_flight)
		return 0;
	st->cancelling = true;
	for (i = 0; i < st->nslots; i++) {
		if (!st->slots[i].busy)
			continue;
		sqe = io_uring_get_sqe(&st->ring);
		if (!sqe) {
			/* The ring is full: submit this batch, then go on. */
			io_uring_submit(&st->ring);
			sqe = io_uring_get_sqe(&st->ring);
			if (!sqe)
				break;
		}
		io_uring_prep_cancel64(sqe, i, 0);
		io_uring_sqe_set_data64(sqe, UD_CANCEL | i);
	}
	ret = io_uring_submit(&st->ring);
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_submit: %s\n", strerror(-ret));
		return -1;
	}
	while (st->in_flight) {
		ret = uring_wait_until(&st->ring, &cqe, deadline);
		if (ret == -EINTR)
			continue;
		if (ret == -ETIME) {
			fprintf(stderr,
				PROG ": %u request%s still in flight %d s after cancelling them\n",
				st->in_flight, st->in_flight == 1 ? "" : "s",
				CANCEL_WAIT_MS / 1000);
			return -1;
		}
		if (ret < 0) {
			fprintf(stderr, PROG ": io_uring_wait_cqe: %s\n",
				strerror(-ret));
			return -1;
		}
		{
			uint64_t data = io_uring_cqe_get_data64(cqe);
			int res = cqe->res;

			io_uring_cqe_seen(&st->ring, cqe);
			if (async_cqe(st, o, data, res, now_ns()) == STEP_ERROR)
				err = -1;
		}
	}
	return err;
}

static void print_async_banner(const struct state *st,
			       const struct options *o)
{
	char period[24];

	fprintf(info_out,
		PROG ": %u write%s and %u read%s in flight at once on io_uring (echoapp -Async), each on an open file of its own; writes of %zu to %zu bytes",
		o->inflight, o->inflight == 1 ? "" : "s", o->inflight,
		o->inflight == 1 ? "" : "s", write_min(st), st->write_max);
	if (st->period_us)
		fprintf(info_out, ", a tick every %s ms",
			fmt_ms(period, sizeof(period),
			       st->period_us * NSEC_PER_USEC, false));
	fprintf(info_out, ". ");
	if (o->count)
		fprintf(info_out, "Stops after %llu completion%s; ", o->count,
			o->count == 1 ? "" : "s");
	fprintf(info_out, "%s %s to quit.\n", o->count ? "press" : "Press",
		st->in.watch ? "Enter, q or Ctrl-C" : "Ctrl-C");
}

static void print_async_summary(const struct state *st)
{
	uint64_t elapsed = now_ns() - st->start_ns;
	char ms[24];

	fprintf(info_out,
		PROG ": done after %llu request%s (%s): %llu write%s of %llu bytes, %llu read%s of %llu bytes (%llu verified",
		st->completed, st->completed == 1 ? "" : "s", st->reason,
		st->writes, st->writes == 1 ? "" : "s", st->write_bytes,
		st->reads, st->reads == 1 ? "" : "s", st->read_bytes,
		st->results[READ_VERIFIED]);
	if (st->results[READ_EMPTY])
		fprintf(info_out, ", %llu empty", st->results[READ_EMPTY]);
	if (st->results[READ_EARLIER])
		fprintf(info_out, ", %llu of an earlier run",
			st->results[READ_EARLIER]);
	fprintf(info_out, "), %llu error%s in %s ms", st->errors,
		st->errors == 1 ? "" : "s", fmt_ms(ms, sizeof(ms), elapsed, false));
	print_ticks(st, elapsed);
	if (st->cancelling)
		fprintf(info_out, "; cancelled %llu in flight", st->cancelled);
	fprintf(info_out, "\n");
}

/* Return the exit status. */
int run_async(struct state *st, const struct options *o)
{
	enum step r;
	int ret = 0;

	if (async_setup(st, o) < 0)
		return 1;
	input_setup(&st->in);
	print_async_banner(st, o);
	for (;;) {
		if (stop_signal) {
			st->reason = signal_name(stop_signal);
			break;
		}
		if (o->count && st->completed >= o->count) {
			st->reason = "count reached";
			break;
		}
		input_continued(&st->in);
		r = async_wait(st, o);
		if (r == STEP_QUIT) {
			st->reason = "key pressed";
			break;
		}
		if (r == STEP_ERROR) {
			st->reason = "error";
			ret = 1;
			break;
		}
		if (st->out_errno) {
			st->reason = "output closed";
			break;
		}
	}
	if (async_cancel(st, o) < 0)
		ret = 1;
	if (st->errors)
		ret = 1;
	print_async_summary(st);
	return ret;
}
