// SPDX-License-Identifier: GPL-2.0
/*
 * throughput.c - the throughput section: one periodic source read for a
 * while, per rate.
 */
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/device.h"
#include "lib/signals.h"

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* Throughput: one periodic source read for a while, per rate. */

uint64_t period_of(uint64_t rate_hz)
{
	return (NSEC_PER_SEC + rate_hz / 2) / rate_hz;
}

/* Expiries of a source of @period first due at @first_due, due by @t. */
static int64_t tp_due(uint64_t period, uint64_t first_due, uint64_t t)
{
	return t < first_due ? 0 : (int64_t)((t - first_due) / period) + 1;
}

/* Expected expiries from @first_due to @end, and what follows from them. */
static void tp_finish(struct tp_result *res, uint64_t period, uint64_t start,
		      uint64_t first_due, uint64_t end)
{
	res->elapsed_ns = end - start;
	res->expected = tp_due(period, first_due, end);
	res->missed = res->expected - (int64_t)res->delivered;
	res->per_s = res->elapsed_ns ?
		     res->delivered * 1e9 / res->elapsed_ns : 0;
	res->run = true;
}

/*
 * What a counter (eventfd, timerfd) holds once reading has stopped, added
 * to @delivered without blocking: 0, or -1 (said).
 */
static int tp_drain_counter(int fd, uint64_t *delivered, const char *what)
{
	uint64_t count;

	if (set_nonblocking(fd))
		return fail("%s: fcntl: %s", what, strerror(errno));
	if (read(fd, &count, sizeof(count)) == (ssize_t)sizeof(count))
		*delivered += count;
	else if (errno != EAGAIN)
		return fail("%s: read: %s", what, strerror(errno));
	return 0;
}

/*
 * Reads @fd, still armed, until it has counted the @due expiries due by
 * @end, for at most 100 ms after @end: an expiry due just before @end
 * may fire a little after it (a timer is never early, often late), so
 * a read at once would miss it. 0, or -1 (said).
 */
static int tp_catch_up(int fd, uint64_t *delivered, int64_t due,
		       uint64_t end, const char *what)
{
	uint64_t count;

	while ((int64_t)*delivered < due &&
	       now_ns() < end + 100 * NSEC_PER_MSEC) {
		if (read_counter(fd, &count, what))
			return -1;
		*delivered += count;
	}
	return 0;
}

/* A watchdog long enough for @duration_ns of reading at @period. */
static unsigned int tp_watchdog(const struct options *o, uint64_t period)
{
	return WATCHDOG_S + (unsigned int)((o->duration_ns + period) /
					   NSEC_PER_SEC) + 1;
}

/*
 * Sets queue_size to @want before the queue candidate opens its file:
 * returns the value to restore after the open, or -1 for none.
 */
static long long queue_size_push(long long want)
{
	static bool warned;
	long long old = read_ll(QUEUE_SIZE_PATH);
	int err;

	if (old == want)
		return -1;
	if (old < 0) {
		err = errno;
	} else {
		err = write_ll(QUEUE_SIZE_PATH, want);
		if (!err)
			return old;
	}
	if (!warned) {
		if (old < 0)
			msg("cannot read %s (%s): the queue candidate keeps the module's queue_size; an overflow shows as lost",
			    QUEUE_SIZE_PATH, strerror(err));
		else
			msg("cannot set queue_size to %lld (%s): the queue candidate keeps %lld records; an overflow shows as lost",
			    want, strerror(err), old);
		warned = true;
	}
	return -1;
}

static void queue_size_pop(long long old)
{
	int err;

	if (old < 0)
		return;
	err = write_ll(QUEUE_SIZE_PATH, old);
	if (err)
		msg("cannot restore queue_size to %lld: %s", old,
		    strerror(err));
}

/* Adds @n bytes of records to the queue candidate's counts. */
static void tp_count_records(struct tp_result *res,
			     const struct hwevent_event *ev, ssize_t n)
{
	size_t i;

	for (i = 0; i < (size_t)n / REC; i++) {
		res->delivered++;
		res->lost += ev[i].lost;
		res->overruns += ev[i].overruns;
	}
}

static int tp_queue(struct bench *b, const struct tp_row *row,
		    struct tp_result *res)
{
	static struct hwevent_event buf[TP_BATCH];
	uint64_t period = row->period_ns, start, stop, first_due = 0, end;
	long long old;
	int fd, err, ret = -1;
	uint64_t id;
	ssize_t n;

	/* queue_size is read at open: set it, open, put it back. */
	old = queue_size_push(TP_QUEUE_SIZE);
	fd = dev_open(&b->o, 0);
	err = errno;
	queue_size_pop(old);
	if (fd < 0)
		return fail("%s: %s", b->o.device, strerror(err));

	watchdog_arm(tp_watchdog(&b->o, period));
	start = now_ns();
	if (hw_register(fd, HWEVENT_MODE_QUEUE, -1, period, period, &id))
		goto out;
	stop = start + b->o.duration_ns;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			wait_failed("throughput queue: read", errno);
			goto cancel;
		}
		/* Its due_ns is exact, unless the first records were lost. */
		if (!res->delivered && n > 0)
			first_due = buf[0].lost ? start + period :
						  buf[0].due_ns;
		tp_count_records(res, buf, n);
		end = now_ns();
		if (end >= stop)
			break;
	}
	hw_cancel(fd, id);
	/* Cancelled, it delivers nothing more: take what is queued. */
	if (set_nonblocking(fd)) {
		fail("fcntl: %s", strerror(errno));
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		tp_count_records(res, buf, n);
	if (n < 0 && errno != EAGAIN) {
		fail("throughput queue: read: %s", strerror(errno));
		goto out;
	}
	tp_finish(res, period, start, first_due, end);
	ret = 0;
	goto out;
cancel:
	hw_cancel(fd, id);
out:
	watchdog_disarm();
	close(fd);
	return ret;
}

static int tp_eventfd(struct bench *b, const struct tp_row *row,
		      struct tp_result *res)
{
	uint64_t period = row->period_ns, start, stop, end, count, id;
	int fd, efd, ret = -1;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return fail("eventfd: %s", strerror(errno));
	fd = dev_open(&b->o, 0);
	if (fd < 0) {
		close(efd);
		return fail("%s: %s", b->o.device, strerror(errno));
	}

	watchdog_arm(tp_watchdog(&b->o, period));
	/* No records: the first due time is ours, a little early. */
	start = now_ns();
	if (hw_register(fd, HWEVENT_MODE_EVENTFD, efd, period, period, &id))
		goto out;
	stop = start + b->o.duration_ns;
	for (;;) {
		if (read_counter(efd, &count, "throughput eventfd")) {
			hw_cancel(fd, id);
			goto out;
		}
		res->delivered += count;
		end = now_ns();
		if (end >= stop)
			break;
	}
	/* The driver counts each expiry once a read let the last through. */
	if (tp_catch_up(efd, &res->delivered, tp_due(period, start + period, end),
			end, "throughput eventfd")) {
		hw_cancel(fd, id);
		goto out;
	}
	hw_cancel(fd, id);
	if (tp_drain_counter(efd, &res->delivered, "throughput eventfd"))
		goto out;
	res->expected_max = tp_due(period, start + period, now_ns());
	tp_finish(res, period, start, start + period, end);
	ret = 0;
out:
	watchdog_disarm();
	close(fd);
	close(efd);
	return ret;
}

static int tp_timerfd(struct bench *b, const struct tp_row *row,
		      struct tp_result *res)
{
	uint64_t period = row->period_ns, start, stop, end, count;
	struct itimerspec its;
	int tfd, ret = -1;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd < 0)
		return fail("timerfd_create: %s", strerror(errno));

	watchdog_arm(tp_watchdog(&b->o, period));
	start = now_ns();
	its.it_value = ns_to_ts(start + period);
	its.it_interval = ns_to_ts(period);
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL)) {
		fail("timerfd_settime: %s", strerror(errno));
		goto out;
	}
	stop = start + b->o.duration_ns;
	for (;;) {
		if (read_counter(tfd, &count, "throughput timerfd"))
			goto out;
		res->delivered += count;
		end = now_ns();
		if (end >= stop)
			break;
	}
	/*
	 * Take what expired since, before anything disarms it: a
	 * timerfd_settime() would reset the count (close does too).
	 */
	if (tp_catch_up(tfd, &res->delivered, tp_due(period, start + period, end),
			end, "throughput timerfd") ||
	    tp_drain_counter(tfd, &res->delivered, "throughput timerfd"))
		goto out;
	res->expected_max = tp_due(period, start + period, now_ns());
	tp_finish(res, period, start, start + period, end);
	ret = 0;
out:
	watchdog_disarm();
	close(tfd);
	return ret;
}

int run_throughput(struct bench *b)
{
	static int (*const run[NR_CANDS])(struct bench *,
					  const struct tp_row *,
					  struct tp_result *) = {
		[C_QUEUE]	= tp_queue,
		[C_EVENTFD]	= tp_eventfd,
		[C_TIMERFD]	= tp_timerfd,
	};
	const struct options *o = &b->o;
	uint64_t t0 = now_ns();
	unsigned int i, k;

	msg("throughput: %u rate%s, %.3f s per candidate", o->rates.n,
	    o->rates.n == 1 ? "" : "s", o->duration_ns / 1e9);
	for (i = 0; i < o->rates.n; i++) {
		struct tp_row *row = &b->tp[i];

		row->rate_hz = o->rates.v[i];
		row->period_ns = period_of(row->rate_hz);
		/* The candidate that goes first rotates from rate to rate. */
		for (k = 0; k < NR_CANDS; k++) {
			enum cand cd = (i + k) % NR_CANDS;

			if (!(o->cands & 1U << cd))
				continue;
			if (run[cd](b, row, &row->c[cd]))
				return -1;
			if (stop_signal)
				return fail("throughput: stopped by signal %d",
					    (int)stop_signal);
		}
		b->ntp = i + 1;
	}
	msg("throughput: done in %.1f s", (now_ns() - t0) / 1e9);
	return 0;
}
