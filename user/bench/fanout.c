// SPDX-License-Identifier: GPL-2.0
/* fanout.c - the fan-out section: T sleeping threads woken at once. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/signals.h"
#include "lib/uapi.h"
#include "lib/uring.h"

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* Fan-out: T sleeping threads woken at once. */

struct fan_waiter {
	pthread_t thread;
	int fd;			/* hwevent: the shared file; else its timerfd */
	struct hwevent_register r;	/* hwevent: r.id shows once registered */
	int *ready;		/* timerfd: threads about to read */
	int err;		/* 0, or the errno of the waiting call */
	uint64_t wake_ns;
	int done;
};

static void fan_finish(struct fan_waiter *w, int err)
{
	w->err = err;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
}

static void *fan_hw_fn(void *arg)
{
	struct fan_waiter *w = arg;
	int ret = ioctl(w->fd, HWEVENT_IOC_REGISTER, &w->r);

	w->wake_ns = now_ns();
	fan_finish(w, ret ? errno : 0);
	return NULL;
}

static void *fan_tfd_fn(void *arg)
{
	struct fan_waiter *w = arg;
	uint64_t count;
	ssize_t n;

	__atomic_fetch_add(w->ready, 1, __ATOMIC_RELEASE);
	n = read(w->fd, &count, sizeof(count));
	w->wake_ns = now_ns();
	fan_finish(w, n == (ssize_t)sizeof(count) ? 0 : n < 0 ? errno : EPROTO);
	return NULL;
}

/*
 * Starts a thread per waiter with a small stack, all signals blocked so
 * that the watchdog and Ctrl-C reach the main thread. Sets *@started to
 * the number started, which the caller joins.
 */
static int fan_start(struct fan_waiter *w, unsigned int n,
		     void *(*fn)(void *), unsigned int *started)
{
	pthread_attr_t attr;
	sigset_t all, old;
	unsigned int i;
	int err = 0;

	*started = 0;
	err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setstacksize(&attr, FANOUT_STACK);
	if (err)
		return fail("pthread_attr: %s", strerror(err));
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++) {
		err = pthread_create(&w[i].thread, &attr, fn, &w[i]);
		if (err)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	*started = i;
	if (err)
		return fail("fanout: thread %u of %u: pthread_create: %s",
			    i + 1, n, strerror(err));
	return 0;
}

static bool fan_all_done(struct fan_waiter *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static void fan_join(struct fan_waiter *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
}

/* The last and the median of @n >= 1 times @d, which it sorts. */
static void fan_stats(int64_t *d, unsigned int n, uint64_t *last,
		      uint64_t *median)
{
	qsort(d, n, sizeof(*d), cmp_i64);
	*last = d[n - 1] > 0 ? (uint64_t)d[n - 1] : 0;
	*median = percentile(d, n, 50) > 0 ? (uint64_t)percentile(d, n, 50) : 0;
}

/*
 * Wake times relative to @t0: every waiter must have returned 0. The last
 * and the median, or -1 (said).
 */
static int fan_result(const char *what, struct fan_waiter *w, unsigned int n,
		      uint64_t t0, uint64_t *last, uint64_t *median)
{
	int64_t *d = malloc(n * sizeof(*d));
	unsigned int i;

	if (!d)
		return fail("out of memory");
	for (i = 0; i < n; i++) {
		if (w[i].err) {
			free(d);
			return fail("fanout %s: thread %u: %s", what, i + 1,
				    strerror(w[i].err));
		}
		d[i] = (int64_t)(w[i].wake_ns - t0);
	}
	fan_stats(d, n, last, median);
	free(d);
	return 0;
}

/*
 * Ends every waiter after an error: a thread that registers after a cancel
 * sleeps again, so cancel until all have returned (each returns by itself
 * after FANOUT_DELAY_NS at the latest).
 */
static void fan_hw_release(int fd, struct fan_waiter *w, unsigned int n)
{
	while (!fan_all_done(w, n)) {
		hw_cancel(fd, 0);
		usleep(1000);
	}
	fan_join(w, n);
}

static int fan_hwevent(struct bench *b, unsigned int t, struct fanout_row *row)
{
	struct fan_waiter *w = calloc(t, sizeof(*w));
	struct hwevent_trigger trig = { .flags = HWEVENT_TRIGGER_ALL };
	unsigned int i, started = 0, armed;
	uint64_t deadline, t0;
	int fd = -1, ret = -1;

	if (!w)
		return fail("out of memory");
	fd = dev_open(&b->o, 0);
	if (fd < 0) {
		fail("%s: %s", b->o.device, strerror(errno));
		goto out;
	}
	for (i = 0; i < t; i++) {
		w[i].fd = fd;
		reg_init(&w[i].r, HWEVENT_MODE_PENDING, -1, FANOUT_DELAY_NS,
			 0, i);
	}
	if (fan_start(w, t, fan_hw_fn, &started))
		goto release;

	/* The driver writes r.id back just before it arms and sleeps. */
	deadline = now_ns() + FANOUT_ARM_NS;
	for (;;) {
		for (i = 0, armed = 0; i < t; i++) {
			if (__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE)) {
				fail("fanout hwevent: thread %u returned early: %s",
				     i + 1, strerror(w[i].err));
				goto release;
			}
			armed += !!__atomic_load_n(&w[i].r.id,
						   __ATOMIC_ACQUIRE);
		}
		if (armed == t)
			break;
		if (now_ns() > deadline) {
			fail("fanout hwevent: only %u of %u threads registered within %.0f s",
			     armed, t, FANOUT_ARM_NS / 1e9);
			goto release;
		}
		if (!sleep_ns(NSEC_PER_MSEC))
			goto stopped;
	}
	/* Let the last ones get from the id to their sleep. */
	if (!sleep_ns(FANOUT_SETTLE_NS))
		goto stopped;

	t0 = now_ns();
	if (ioctl(fd, HWEVENT_IOC_TRIGGER, &trig)) {
		fail("fanout hwevent: HWEVENT_IOC_TRIGGER: %s",
		     strerror(errno));
		goto release;
	}
	if (trig.count != t) {
		fail("fanout hwevent: HWEVENT_IOC_TRIGGER fired %llu, not %u",
		     (unsigned long long)trig.count, t);
		goto release;
	}
	fan_join(w, started);
	started = 0;
	ret = fan_result("hwevent", w, t, t0, &row->hw_last_ns,
			 &row->hw_median_ns);
	goto out;
stopped:
	fail("fanout: stopped by signal %d", (int)stop_signal);
release:
	fan_hw_release(fd, w, started);
out:
	if (fd >= 0)
		close(fd);
	free(w);
	return ret;
}

/*
 * uring-cmd: one thread submits T commands on one ring and reaps their
 * CQEs. It must be the one that waits: the driver completes a command in
 * task work of the task that submitted it (module/uring.c).
 */
struct fan_reaper {
	struct fan_waiter w;	/* first: fan_start() passes its address */
	struct io_uring *ring;
	unsigned int t;
	unsigned int submitted;
	int armed;		/* set once all are submitted, or on error */
	int64_t *wake;		/* when the reaper saw each CQE, ns */
	unsigned int reaped;
};

/* Submits what the SQ holds: 0 or an errno. */
static int fan_ucmd_submit(struct fan_reaper *r, unsigned int queued)
{
	int ret = io_uring_submit(r->ring);

	if (ret < 0)
		return -ret;
	r->submitted += (unsigned int)ret;
	return (unsigned int)ret == queued ? 0 : EPROTO;
}

static void *fan_ucmd_fn(void *arg)
{
	struct fan_reaper *r = arg;
	/* The commands fire by themselves by then: never wait longer. */
	const uint64_t wait_ns = HWEVENT_URING_MAX_DELAY_NS +
				 WATCHDOG_S * NSEC_PER_SEC;
	struct io_uring_cqe *cqe;
	unsigned int i, queued = 0, head, n;
	uint64_t now;
	int err = 0, ret;

	for (i = 0; i < r->t; i++) {
		/* Never due before the trigger; the cookie is the number. */
		if (ucmd_prep(r->ring, r->w.fd, HWEVENT_URING_MAX_DELAY_NS,
			      i, i)) {
			queued++;
			continue;
		}
		/* The SQ is full: submit what it holds, then queue this one. */
		err = fan_ucmd_submit(r, queued);
		queued = 0;
		if (err)
			break;
		if (!ucmd_prep(r->ring, r->w.fd, HWEVENT_URING_MAX_DELAY_NS,
			       i, i)) {
			err = EPROTO;
			break;
		}
		queued++;
	}
	if (!err && queued)
		err = fan_ucmd_submit(r, queued);
	/* Issued inline, each was armed before io_uring_submit() returned. */
	__atomic_store_n(&r->armed, 1, __ATOMIC_RELEASE);

	/* Every command submitted completes once: reap them all. */
	while (r->reaped < r->submitted) {
		ret = uring_wait_until(r->ring, &cqe, now_ns() + wait_ns);
		now = now_ns();
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			err = err ? err : -ret;
			break;
		}
		n = 0;
		io_uring_for_each_cqe(r->ring, head, cqe) {
			if (cqe->res < 0 && !err)
				err = -cqe->res;
			if (r->reaped < r->t)
				r->wake[r->reaped++] = (int64_t)now;
			n++;
		}
		io_uring_cq_advance(r->ring, n);
	}
	fan_finish(&r->w, err);
	return NULL;
}

/*
 * T commands in flight on one ring, fired at one instant by
 * HWEVENT_IOC_TRIGGER (all), as the PENDING threads are: a command's
 * delay counts from its own submission, so no delay would make T of them
 * due at once. Times from just before the trigger to when the reaper saw
 * each CQE.
 */
static int fan_ucmd(struct bench *b, unsigned int t, struct fanout_row *row)
{
	struct hwevent_trigger trig = { .flags = HWEVENT_TRIGGER_ALL };
	unsigned int started = 0, i;
	struct fan_reaper r;
	struct io_uring ring;
	bool ring_up = false;
	uint64_t deadline, t0;
	int ret = -1, err;

	memset(&r, 0, sizeof(r));
	r.w.fd = -1;
	r.t = t;
	r.ring = &ring;
	r.wake = calloc(t, sizeof(*r.wake));
	if (!r.wake)
		return fail("out of memory");
	r.w.fd = dev_open(&b->o, 0);
	if (r.w.fd < 0) {
		fail("%s: %s", b->o.device, strerror(errno));
		goto out;
	}
	err = -ucmd_ring(&ring, t < FANOUT_URING_SQ ? t : FANOUT_URING_SQ, t);
	if (err) {
		fail("fanout uring-cmd: io_uring_queue_init (%u CQEs): %s", t,
		     strerror(err));
		goto out;
	}
	ring_up = true;
	if (fan_start(&r.w, 1, fan_ucmd_fn, &started))
		goto release;

	deadline = now_ns() + FANOUT_ARM_NS;
	while (!__atomic_load_n(&r.armed, __ATOMIC_ACQUIRE)) {
		if (now_ns() > deadline) {
			fail("fanout uring-cmd: %u commands not submitted within %.0f s",
			     t, FANOUT_ARM_NS / 1e9);
			goto release;
		}
		if (!sleep_ns(NSEC_PER_MSEC))
			goto stopped;
	}
	if (r.submitted != t || __atomic_load_n(&r.w.done, __ATOMIC_ACQUIRE)) {
		fail("fanout uring-cmd: %u of %u commands submitted, %s",
		     r.submitted, t, r.w.err ? strerror(r.w.err) :
		     "one completed before the trigger");
		goto release;
	}
	/* Let the reaper get from the submission to its sleep. */
	if (!sleep_ns(FANOUT_SETTLE_NS))
		goto stopped;

	t0 = now_ns();
	if (ioctl(r.w.fd, HWEVENT_IOC_TRIGGER, &trig)) {
		fail("fanout uring-cmd: HWEVENT_IOC_TRIGGER: %s",
		     strerror(errno));
		goto release;
	}
	if (trig.count != t) {
		fail("fanout uring-cmd: HWEVENT_IOC_TRIGGER fired %llu, not %u",
		     (unsigned long long)trig.count, t);
		goto release;
	}
	fan_join(&r.w, started);
	started = 0;
	if (r.w.err || r.reaped != t) {
		fail("fanout uring-cmd: %u of %u completions reaped: %s",
		     r.reaped, t, strerror(r.w.err ? r.w.err : EPROTO));
		goto out;
	}
	for (i = 0; i < t; i++)
		r.wake[i] -= (int64_t)t0;
	fan_stats(r.wake, t, &row->uc_last_ns, &row->uc_median_ns);
	row->uc_run = true;
	ret = 0;
	goto out;
stopped:
	fail("fanout: stopped by signal %d", (int)stop_signal);
release:
	/* Cancelled, every command completes, and the reaper returns. */
	if (started) {
		hw_cancel(r.w.fd, 0);
		fan_join(&r.w, started);
	}
out:
	if (ring_up)
		io_uring_queue_exit(&ring);
	if (r.w.fd >= 0)
		close(r.w.fd);
	free(r.wake);
	return ret;
}

/* Fires every timerfd now, so that every waiter returns. */
static void fan_tfd_release(struct fan_waiter *w, unsigned int nfds,
			    unsigned int started)
{
	struct itimerspec its = { .it_value = { .tv_nsec = 1 } };
	unsigned int i;

	for (i = 0; i < nfds; i++)
		timerfd_settime(w[i].fd, 0, &its, NULL);
	fan_join(w, started);
}

static int fan_timerfd(struct bench *b, unsigned int t, struct fanout_row *row)
{
	struct fan_waiter *w = calloc(t, sizeof(*w));
	unsigned int i, nfds = 0, started = 0;
	struct itimerspec its = { 0 };
	uint64_t deadline, due, margin;
	int ready = 0, ret = -1;

	(void)b;
	if (!w)
		return fail("out of memory");
	for (nfds = 0; nfds < t; nfds++) {
		w[nfds].fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		if (w[nfds].fd < 0) {
			fail("fanout timerfd: timerfd_create (%u of %u): %s",
			     nfds + 1, t, strerror(errno));
			goto release;
		}
		w[nfds].ready = &ready;
	}
	if (fan_start(w, t, fan_tfd_fn, &started))
		goto release;
	deadline = now_ns() + FANOUT_ARM_NS;
	while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < (int)t) {
		if (now_ns() > deadline) {
			fail("fanout timerfd: only %d of %u threads started within %.0f s",
			     ready, t, FANOUT_ARM_NS / 1e9);
			goto release;
		}
		if (!sleep_ns(NSEC_PER_MSEC)) {
			fail("fanout: stopped by signal %d", (int)stop_signal);
			goto release;
		}
	}

	/* Time enough to set every timer before the first expires. */
	margin = (uint64_t)t * FANOUT_TFD_PER_NS;
	if (margin < FANOUT_TFD_MIN_NS)
		margin = FANOUT_TFD_MIN_NS;
	due = now_ns() + margin;
	its.it_value = ns_to_ts(due);
	for (i = 0; i < t; i++) {
		if (timerfd_settime(w[i].fd, TFD_TIMER_ABSTIME, &its, NULL)) {
			fail("fanout timerfd: timerfd_settime: %s",
			     strerror(errno));
			goto release;
		}
	}
	if (now_ns() > due)
		msg("fanout timerfd: setting %u timers took longer than %.0f ms: the first woke before the last was set",
		    t, margin / 1e6);
	fan_join(w, started);
	started = 0;
	ret = fan_result("timerfd", w, t, due, &row->tfd_last_ns,
			 &row->tfd_median_ns);
release:
	if (started)
		fan_tfd_release(w, nfds, started);
	for (i = 0; i < nfds; i++)
		close(w[i].fd);
	free(w);
	return ret;
}

int run_fanout(struct bench *b)
{
	uint64_t t0 = now_ns();
	unsigned int i;

	if (b->uring_cmd_no[0])
		msg("fanout: uring-cmd unavailable: %s", b->uring_cmd_no);
	for (i = 0; i < b->o.fanout.n; i++) {
		struct fanout_row *row = &b->fan[i];

		memset(row, 0, sizeof(*row));
		row->threads = (unsigned int)b->o.fanout.v[i];
		msg("fanout: %u threads", row->threads);
		if (fan_hwevent(b, row->threads, row) ||
		    (!b->uring_cmd_no[0] &&
		     fan_ucmd(b, row->threads, row)) ||
		    fan_timerfd(b, row->threads, row))
			return -1;
		/* pthread_join() restarts after a signal: look here. */
		if (stop_signal)
			return fail("fanout: stopped by signal %d",
				    (int)stop_signal);
		row->ratio_last = ratio(row->hw_last_ns, row->tfd_last_ns);
		if (row->uc_run)
			row->uc_ratio_last = ratio(row->uc_last_ns,
						   row->tfd_last_ns);
		b->nfan = i + 1;
	}
	msg("fanout: done in %.1f s", (now_ns() - t0) / 1e9);
	return 0;
}
