// SPDX-License-Identifier: GPL-2.0
/* latency.c - the latency section: one event per sample, per path. */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/signals.h"
#include "lib/uapi.h"

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* Latency: one event per sample, per path. */

/* What one path registers on and waits on; -1 where it has none. */
struct lat_files {
	int dev;	/* the device file it registers on (hwevent paths) */
	int fd;		/* what it waits on: eventfd, that device file, timerfd */
	int ep;		/* the *-epoll paths: an epoll instance holding @fd */
};

struct lat_ctx {
	const struct options *o;
	struct lat_files f[NR_PATHS];
	struct io_uring ring;
	bool ring_up;
	struct hwevent_event ubuf;	/* uring-read's buffer */
	struct io_uring cring;		/* uring-cmd's ring */
	bool cring_up;
	uint64_t ucmd_seq;		/* uring-cmd's last command */
	int64_t *arm_offset;		/* see bench.arm_offset_p50 */
	unsigned int n_arm_offset;
	/* The last sample's record: interrupt to bottom half, if it had one. */
	int64_t bh_delay;
	bool have_bh;
	/* The last sample's wake-up after the record's interrupt, if known. */
	int64_t irq_wake;
	bool have_irq;
	/* The last sample's record: due time to interrupt, if it had one. */
	int64_t due_irq;
	bool have_dirq;
};

static int epoll_with(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		return -1;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(ep);
		return -1;
	}
	return ep;
}

static void lat_close(struct lat_ctx *c)
{
	unsigned int p;

	/* Registrations still armed (after an error) die with their file. */
	if (c->ring_up)
		io_uring_queue_exit(&c->ring);
	c->ring_up = false;
	/* A command still pending was cancelled (lat_ucmd()): it completes. */
	if (c->cring_up)
		io_uring_queue_exit(&c->cring);
	c->cring_up = false;
	for (p = 0; p < NR_PATHS; p++) {
		struct lat_files *f = &c->f[p];

		close_fd(&f->ep);
		if (f->fd == f->dev)
			f->fd = -1;
		close_fd(&f->fd);
		close_fd(&f->dev);
	}
}

/*
 * Opens what one path needs. Every path has files of its own, so that no
 * record or count of one can ever be taken by another.
 */
static int lat_open_path(struct lat_ctx *c, enum path p)
{
	const struct options *o = c->o;
	struct lat_files *f = &c->f[p];
	const char *what = path_info[p].name;
	bool epoll = p == P_EFD_EPOLL || p == P_QUEUE_EPOLL ||
		     p == P_TFD_EPOLL;
	int ret;

	if (path_info[p].hwevent) {
		/*
		 * uring-read needs a blocking file: io_uring tries the read
		 * with IOCB_NOWAIT, gets EAGAIN and polls the file; on an
		 * O_NONBLOCK file it would complete the read with EAGAIN.
		 */
		f->dev = dev_open(o, p == P_QUEUE_EPOLL ? O_NONBLOCK : 0);
		if (f->dev < 0)
			return fail("%s: %s: %s", what, o->device,
				    strerror(errno));
	}
	switch (p) {
	case P_EFD_READ:
	case P_EFD_EPOLL:
		f->fd = eventfd(0, EFD_CLOEXEC | (epoll ? EFD_NONBLOCK : 0));
		if (f->fd < 0)
			return fail("%s: eventfd: %s", what, strerror(errno));
		break;
	case P_QUEUE_READ:
	case P_QUEUE_EPOLL:
	case P_URING_READ:
	case P_URING_CMD:
		f->fd = f->dev;
		break;
	case P_TFD_READ:
	case P_TFD_EPOLL:
		f->fd = timerfd_create(CLOCK_MONOTONIC,
				       TFD_CLOEXEC | (epoll ? TFD_NONBLOCK : 0));
		if (f->fd < 0)
			return fail("%s: timerfd_create: %s", what,
				    strerror(errno));
		break;
	default:
		break;
	}
	if (epoll) {
		f->ep = epoll_with(f->fd);
		if (f->ep < 0)
			return fail("%s: epoll: %s", what, strerror(errno));
	}
	if (p == P_URING_READ) {
		ret = io_uring_queue_init(4, &c->ring, 0);
		if (ret < 0)
			return fail("%s: io_uring_queue_init: %s (leave it out with --paths)",
				    what, strerror(-ret));
		c->ring_up = true;
	}
	if (p == P_URING_CMD) {
		/* ucmd_probe() found that it works. */
		ret = ucmd_ring(&c->cring, 4, 0);
		if (ret < 0)
			return fail("%s: io_uring_queue_init: %s", what,
				    strerror(-ret));
		c->cring_up = true;
	}
	return 0;
}

/* epoll_wait() for the one file of @ep: 0, or -1 (said). */
static int epoll_one(int ep, const char *what)
{
	struct epoll_event ev;
	int n;

	/*
	 * epoll_wait() is never restarted, and fails with EINTR even without
	 * a handler after a stop and SIGCONT (signal(7)): only our own
	 * signals end the wait.
	 */
	do {
		n = epoll_wait(ep, &ev, 1, -1);
	} while (n < 0 && errno == EINTR && !stop_signal && !watchdog_fired);
	if (n == 1)
		return 0;
	return wait_failed(what, n < 0 ? errno : EPROTO);
}

/* Reads an 8-byte counter (eventfd, timerfd): 0 or -1 (said). */
int read_counter(int fd, uint64_t *count, const char *what)
{
	ssize_t n = read(fd, count, sizeof(*count));

	if (n == (ssize_t)sizeof(*count))
		return 0;
	return wait_failed(what, n < 0 ? errno : EPROTO);
}

/* A record read for registration @id must be its own. */
static int check_rec(const char *what, ssize_t n,
		     const struct hwevent_event *ev, uint64_t id)
{
	if (n < 0)
		return wait_failed(what, errno);
	if (n != (ssize_t)REC)
		return fail("%s: read %zd bytes, not one record", what, n);
	if (ev->id != id)
		return fail("%s: a record of registration %llu, not %llu",
			    what, (unsigned long long)ev->id,
			    (unsigned long long)id);
	return 0;
}

/*
 * pending, and edu-pending, whose interrupt comes from the edu PCI device:
 * its irq_ns is when the device's handler ran.
 */
static int lat_pending(struct lat_ctx *c, enum path p, int64_t *late)
{
	const char *what = path_info[p].name;
	struct hwevent_register r;
	uint64_t wake;

	reg_init(&r, HWEVENT_MODE_PENDING, -1, c->o->delay_ns, 0, 0);
	if (p == P_EDU_PENDING)
		r.flags = HWEVENT_REGISTER_DEVICE;
	if (ioctl(c->f[p].dev, HWEVENT_IOC_REGISTER, &r))
		return wait_failed(what, errno);
	wake = now_ns();
	if (p == P_EDU_PENDING && !(r.event.flags & HWEVENT_EVENT_DEVICE))
		return fail("%s: the record lacks HWEVENT_EVENT_DEVICE", what);
	c->due_irq = (int64_t)(r.event.irq_ns - r.event.due_ns);
	c->have_dirq = true;
	*late = (int64_t)(wake - r.event.due_ns);
	c->bh_delay = (int64_t)(r.event.bh_ns - r.event.irq_ns);
	c->have_bh = true;
	c->irq_wake = (int64_t)(wake - r.event.irq_ns);
	c->have_irq = true;
	return 0;
}

static int lat_eventfd(struct lat_ctx *c, enum path p, int64_t *late)
{
	const struct lat_files *f = &c->f[p];
	const char *what = path_info[p].name;
	uint64_t due, id, wake, count;

	/*
	 * No record comes back, so the due time is ours. Taken before the
	 * ioctl, it is earlier than the driver's by the ioctl's entry: this
	 * path's lateness is overstated by that much (see --help).
	 */
	due = now_ns() + c->o->delay_ns;
	if (hw_register(f->dev, HWEVENT_MODE_EVENTFD, f->fd, c->o->delay_ns,
			0, &id))
		return -1;
	if (p == P_EFD_EPOLL) {
		if (epoll_one(f->ep, what))
			goto cancel;
		wake = now_ns();
		if (read_counter(f->fd, &count, what))
			goto cancel;
	} else {
		if (read_counter(f->fd, &count, what))
			goto cancel;
		wake = now_ns();
	}
	*late = (int64_t)(wake - due);
	return 0;
cancel:
	hw_cancel(f->dev, id);
	return -1;
}

static int lat_queue(struct lat_ctx *c, enum path p, int64_t *late)
{
	const struct lat_files *f = &c->f[p];
	const char *what = path_info[p].name;
	struct hwevent_event ev;
	uint64_t id, wake, before = now_ns();
	ssize_t n;

	if (hw_register(f->dev, HWEVENT_MODE_QUEUE, -1, c->o->delay_ns, 0,
			&id))
		return -1;
	if (p == P_QUEUE_EPOLL) {
		if (epoll_one(f->ep, what))
			goto cancel;
		wake = now_ns();
		n = read(f->fd, &ev, REC);
	} else {
		n = read(f->fd, &ev, REC);
		wake = now_ns();
	}
	if (check_rec(what, n, &ev, id))
		goto cancel;
	*late = (int64_t)(wake - ev.due_ns);
	c->due_irq = (int64_t)(ev.irq_ns - ev.due_ns);
	c->have_dirq = true;
	c->bh_delay = (int64_t)(ev.bh_ns - ev.irq_ns);
	c->have_bh = true;
	c->irq_wake = (int64_t)(wake - ev.irq_ns);
	c->have_irq = true;
	c->arm_offset[c->n_arm_offset++] =
		(int64_t)(ev.due_ns - (before + c->o->delay_ns));
	return 0;
cancel:
	hw_cancel(f->dev, id);
	return -1;
}

static int lat_uring(struct lat_ctx *c, int64_t *late)
{
	const struct lat_files *f = &c->f[P_URING_READ];
	const char *what = "uring-read";
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	uint64_t id, wake;
	int ret, res;

	if (hw_register(f->dev, HWEVENT_MODE_QUEUE, -1, c->o->delay_ns, 0,
			&id))
		return -1;
	sqe = io_uring_get_sqe(&c->ring);
	if (!sqe) {
		fail("%s: no free submission queue entry", what);
		goto cancel;
	}
	/* Offset -1: the file position, which a stream does not have. */
	io_uring_prep_read(sqe, f->fd, &c->ubuf, REC, -1);
	ret = io_uring_submit(&c->ring);
	if (ret != 1) {
		fail("%s: io_uring_submit: %s", what,
		     ret < 0 ? strerror(-ret) : "nothing submitted");
		goto cancel;
	}
	ret = io_uring_wait_cqe(&c->ring, &cqe);
	wake = now_ns();
	if (ret < 0) {
		/* The read is still in flight: tearing the ring down ends it. */
		wait_failed(what, -ret);
		goto cancel;
	}
	res = cqe->res;
	io_uring_cqe_seen(&c->ring, cqe);
	if (res < 0) {
		errno = -res;
		res = -1;
	}
	if (check_rec(what, res, &c->ubuf, id))
		goto cancel;
	*late = (int64_t)(wake - c->ubuf.due_ns);
	c->due_irq = (int64_t)(c->ubuf.irq_ns - c->ubuf.due_ns);
	c->have_dirq = true;
	c->bh_delay = (int64_t)(c->ubuf.bh_ns - c->ubuf.irq_ns);
	c->have_bh = true;
	c->irq_wake = (int64_t)(wake - c->ubuf.irq_ns);
	c->have_irq = true;
	return 0;
cancel:
	hw_cancel(f->dev, id);
	return -1;
}

/*
 * uring-cmd: one HWEVENT_URING_CMD_WAIT, then io_uring_wait_cqe(). The CQE
 * carries the record's seqno and irq_ns but not its due_ns, so the due
 * time is ours, taken just before the submission: like eventfd-read's, it
 * overstates the lateness by the time the submission takes to arm the
 * timer. The driver completes the command in task work
 * (module/uring.c), so the CQE is posted by this thread itself, after the
 * bottom half's wake-up.
 */
static int lat_ucmd(struct lat_ctx *c, int64_t *late)
{
	const struct lat_files *f = &c->f[P_URING_CMD];
	const char *what = "uring-cmd";
	uint64_t due, wake, tag = ++c->ucmd_seq;
	struct io_uring_cqe *cqe;
	struct ucqe u;
	int ret;

	if (!ucmd_prep(&c->cring, f->dev, c->o->delay_ns, tag, tag))
		return fail("%s: no free submission queue entry", what);
	due = now_ns() + c->o->delay_ns;
	ret = io_uring_submit(&c->cring);
	if (ret != 1) {
		fail("%s: io_uring_submit: %s", what,
		     ret < 0 ? strerror(-ret) : "nothing submitted");
		goto cancel;
	}
	ret = io_uring_wait_cqe(&c->cring, &cqe);
	wake = now_ns();
	if (ret < 0) {
		/* Cancelled, it completes; the ring's exit takes the CQE. */
		wait_failed(what, -ret);
		goto cancel;
	}
	ucqe_copy(&u, cqe);
	io_uring_cqe_seen(&c->cring, cqe);
	if (u.data != tag)
		return fail("%s: the completion of command %llu, not %llu",
			    what, (unsigned long long)u.data,
			    (unsigned long long)tag);
	if (u.res < 0)
		return fail("%s: %s", what, strerror(-u.res));
	*late = (int64_t)(wake - due);
	c->irq_wake = (int64_t)(wake - u.irq_ns);
	c->have_irq = true;
	return 0;
cancel:
	/* The file is this path's alone: its one registration. */
	hw_cancel(f->dev, 0);
	return -1;
}

static int lat_timerfd(struct lat_ctx *c, enum path p, int64_t *late)
{
	const struct lat_files *f = &c->f[p];
	const char *what = path_info[p].name;
	struct itimerspec its = { 0 };
	uint64_t due, wake, count;

	due = now_ns() + c->o->delay_ns;
	its.it_value = ns_to_ts(due);
	if (timerfd_settime(f->fd, TFD_TIMER_ABSTIME, &its, NULL))
		return fail("%s: timerfd_settime: %s", what, strerror(errno));
	if (p == P_TFD_EPOLL) {
		if (epoll_one(f->ep, what))
			return -1;
		wake = now_ns();
		if (read_counter(f->fd, &count, what))
			return -1;
	} else {
		if (read_counter(f->fd, &count, what))
			return -1;
		wake = now_ns();
	}
	*late = (int64_t)(wake - due);
	return 0;
}

static int lat_sample(struct lat_ctx *c, enum path p, int64_t *late)
{
	switch (p) {
	case P_PENDING:
	case P_EDU_PENDING:
		return lat_pending(c, p, late);
	case P_EFD_READ:
	case P_EFD_EPOLL:
		return lat_eventfd(c, p, late);
	case P_QUEUE_READ:
	case P_QUEUE_EPOLL:
		return lat_queue(c, p, late);
	case P_URING_READ:
		return lat_uring(c, late);
	case P_URING_CMD:
		return lat_ucmd(c, late);
	case P_TFD_READ:
	case P_TFD_EPOLL:
		return lat_timerfd(c, p, late);
	default:
		return -1;
	}
}

static void lat_stats(struct bench *b)
{
	unsigned int p, i;

	for (p = 0; p < NR_PATHS; p++) {
		struct lat_result *r = &b->lat[p];
		double sum = 0;

		if (!(b->o.paths & 1U << p) || !r->n)
			continue;
		qsort(r->lat, r->n, sizeof(*r->lat), cmp_i64);
		for (i = 0; i < r->n; i++) {
			sum += (double)r->lat[i];
			r->early += r->lat[i] < 0;
		}
		r->min = r->lat[0];
		r->max = r->lat[r->n - 1];
		r->p50 = percentile(r->lat, r->n, 50);
		r->p90 = percentile(r->lat, r->n, 90);
		r->p99 = percentile(r->lat, r->n, 99);
		r->mean = sum / r->n;
		if (r->nbh) {
			qsort(r->bh, r->nbh, sizeof(*r->bh), cmp_i64);
			r->bh_p50 = percentile(r->bh, r->nbh, 50);
		}
		if (r->nirqw) {
			qsort(r->irqw, r->nirqw, sizeof(*r->irqw), cmp_i64);
			r->irqw_p50 = percentile(r->irqw, r->nirqw, 50);
		}
		if (r->ndirq) {
			qsort(r->dirq, r->ndirq, sizeof(*r->dirq), cmp_i64);
			r->dirq_p50 = percentile(r->dirq, r->ndirq, 50);
		}
	}
	for (p = 0; p < NR_PATHS; p++) {
		struct lat_result *r = &b->lat[p];
		const struct lat_result *base = &b->lat[path_info[p].baseline];

		if (!(b->o.paths & 1U << p) || !r->n)
			continue;
		r->ratio_p50 = ratio(r->p50, base->n ? base->p50 : 0);
		r->ratio_p99 = ratio(r->p99, base->n ? base->p99 : 0);
	}
}

int run_latency(struct bench *b)
{
	const struct options *o = &b->o;
	enum path order[NR_PATHS];
	unsigned int np = 0, round, k, wd;
	struct lat_ctx c;
	uint64_t t0 = now_ns();
	int64_t late = 0;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.o = o;
	for (k = 0; k < NR_PATHS; k++) {
		c.f[k].dev = -1;
		c.f[k].fd = -1;
		c.f[k].ep = -1;
	}
	for (k = 0; k < NR_PATHS; k++) {
		if (!(o->paths & 1U << k))
			continue;
		if (path_unavailable(b, k)) {
			/* Reported as such in every output, never dropped. */
			msg("latency: %s unavailable: %s", path_info[k].name,
			    path_unavailable(b, k));
			continue;
		}
		order[np++] = k;
		b->lat[k].lat = calloc(o->samples, sizeof(*b->lat[k].lat));
		b->lat[k].bh = calloc(o->samples, sizeof(*b->lat[k].bh));
		b->lat[k].irqw = calloc(o->samples, sizeof(*b->lat[k].irqw));
		b->lat[k].dirq = calloc(o->samples, sizeof(*b->lat[k].dirq));
		if (!b->lat[k].lat || !b->lat[k].bh || !b->lat[k].irqw ||
		    !b->lat[k].dirq) {
			fail("out of memory");
			goto out;
		}
		if (lat_open_path(&c, k))
			goto out;
	}
	/* Up to two queue paths, one offset per sample each. */
	c.arm_offset = calloc(2 * (size_t)o->samples, sizeof(*c.arm_offset));
	if (!c.arm_offset) {
		fail("out of memory");
		goto out;
	}
	msg("latency: %u path%s, %u samples each, delay %.3f ms", np,
	    np == 1 ? "" : "s", o->samples, o->delay_ns / 1e6);

	/* A round takes np delays; anything past that plus a minute is lost. */
	wd = WATCHDOG_S + (unsigned int)(np * o->delay_ns / NSEC_PER_SEC) + 1;
	for (round = 0; round < o->samples; round++) {
		watchdog_arm(wd);
		/* The path that goes first rotates: drift hits all alike. */
		for (k = 0; k < np; k++) {
			enum path p = order[(round + k) % np];

			c.have_bh = false;
			c.have_irq = false;
			c.have_dirq = false;
			if (lat_sample(&c, p, &late))
				goto out;
			b->lat[p].lat[b->lat[p].n++] = late;
			if (c.have_bh)
				b->lat[p].bh[b->lat[p].nbh++] = c.bh_delay;
			if (c.have_irq)
				b->lat[p].irqw[b->lat[p].nirqw++] = c.irq_wake;
			if (c.have_dirq)
				b->lat[p].dirq[b->lat[p].ndirq++] = c.due_irq;
		}
		if (stop_signal) {
			fail("latency: stopped by signal %d", (int)stop_signal);
			goto out;
		}
	}
	lat_stats(b);
	if (c.n_arm_offset) {
		qsort(c.arm_offset, c.n_arm_offset, sizeof(*c.arm_offset),
		      cmp_i64);
		b->arm_offset_p50 = percentile(c.arm_offset, c.n_arm_offset, 50);
		b->n_arm_offset = c.n_arm_offset;
	}
	ret = 0;
	msg("latency: done in %.1f s", (now_ns() - t0) / 1e9);
out:
	watchdog_disarm();
	free(c.arm_offset);
	lat_close(&c);
	return ret;
}
