// SPDX-License-Identifier: GPL-2.0
/*
 * ready.c - modes 1 and 2: reading the eventfd or the queue of records,
 * blocking, or when poll(2) or epoll(7) says it is ready (with stdin);
 * and setting up that wait.
 */
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/common.h"
#include "lib/device.h"
#include "lib/signals.h"
#include "lib/uapi.h"

#include "cli/hwevent.h"

static uint64_t eventfd_due(const struct state *st, const struct options *o,
			    uint64_t woke)
{
	uint64_t due = st->first_due;

	if (st->trigger_ns)
		return st->trigger_ns;
	if (o->period_ns && woke > due)
		due += (woke - due) / o->period_ns * o->period_ns;
	return due;
}

static enum wait_result read_eventfd(struct state *st,
				     const struct options *o)
{
	struct report r;
	uint64_t count;
	ssize_t n;

	/* Windows: ResetEvent(); reading an eventfd returns and clears it. */
	n = read(st->efd, &count, sizeof(count));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return WAIT_AGAIN;
	if (n != sizeof(count)) {
		fprintf(stderr, PROG ": reading the eventfd: %s\n",
			n < 0 ? strerror(errno) : "short read");
		return WAIT_ERROR;
	}
	memset(&r, 0, sizeof(r));
	r.wake_ns = now_ns();
	r.id = st->live_id;
	r.cookie = st->live_cookie;
	r.count = count;
	r.due_ns = eventfd_due(st, o, r.wake_ns);
	if (o->period_ns)
		r.flags |= HWEVENT_EVENT_PERIODIC;
	if (st->trigger_ns)
		r.flags |= HWEVENT_EVENT_TRIGGERED;
	report_event(st, o, &r);
	event_seen(st, o, r.wake_ns);
	return WAIT_EVENT;
}

/* No more records at once than fit, or than --count still wants. */
static size_t records_wanted(const struct state *st, const struct options *o)
{
	unsigned long long left = o->count ? o->count - st->events :
					     READ_BATCH;

	return left < READ_BATCH ? (size_t)left : READ_BATCH;
}

static enum wait_result read_queue(struct state *st, const struct options *o)
{
	struct hwevent_event buf[READ_BATCH];
	size_t i, records;
	uint64_t woke;
	ssize_t n;

	/* Windows: the pending ReadFile completing with the data. */
	n = read(st->devfd, buf, records_wanted(st, o) * sizeof(buf[0]));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return WAIT_AGAIN;
	woke = now_ns();
	if (n < 0) {
		fprintf(stderr, PROG ": reading the device: %s\n",
			strerror(errno));
		return WAIT_ERROR;
	}
	if (n == 0 || (size_t)n % sizeof(buf[0])) {
		fprintf(stderr,
			PROG ": reading the device returned %zd bytes, not whole %zu-byte records\n",
			n, sizeof(buf[0]));
		return WAIT_ERROR;
	}
	records = (size_t)n / sizeof(buf[0]);
	for (i = 0; i < records; i++) {
		check_record(&buf[i], st->live_id, st->live_cookie);
		report_record(st, o, &buf[i], woke);
	}
	event_seen(st, o, woke);
	return WAIT_EVENT;
}

/* Windows: WaitForSingleObject(); here poll(), with stdin. */
static int poll_fds(struct state *st, int timeout, unsigned int *fd_rev,
		    unsigned int *in_rev)
{
	struct pollfd pfd[2] = {
		{ .fd = st->waitfd, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	int n;

	n = poll(pfd, st->in.watch ? 2 : 1, timeout);
	if (n > 0) {
		*fd_rev = (unsigned short)pfd[0].revents;
		if (st->in.watch)
			*in_rev = (unsigned short)pfd[1].revents;
	}
	return n;
}

/* Which descriptor an epoll event is for (not the fd: stdin may be 0). */
enum { EPOLL_TAG_WAITFD, EPOLL_TAG_STDIN };

/* Keep stdin in the epoll set exactly while we watch it. */
static void epoll_sync_stdin(struct state *st)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u32 = EPOLL_TAG_STDIN,
	};

	if (st->in.watch == st->epoll_stdin)
		return;
	if (!st->in.watch) {
		epoll_ctl(st->epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
	} else if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, STDIN_FILENO,
			     &ev) < 0) {
		st->in.watch = false;	/* go on without the keys */
		return;
	}
	st->epoll_stdin = st->in.watch;
}

static int epoll_fds(struct state *st, int timeout, unsigned int *fd_rev,
		     unsigned int *in_rev)
{
	struct epoll_event ev[2];
	int n, i;

	epoll_sync_stdin(st);
	n = epoll_wait(st->epfd, ev, ARRAY_SIZE(ev), timeout);
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == EPOLL_TAG_STDIN)
			*in_rev = ev[i].events;
		else
			*fd_rev = ev[i].events;
	}
	return n;
}

/* input_ready() takes poll(2)'s bits; epoll's are the same numbers. */
static_assert(EPOLLIN == POLLIN && EPOLLERR == POLLERR &&
	      EPOLLHUP == POLLHUP, "epoll and poll bits");

/*
 * --poll, --epoll: wait until the eventfd or the device is readable, or a
 * key is pressed, or a signal stops us; a registration silent for
 * LOST_EVENT_MS after its event was due is an error.
 */
static enum wait_result wait_ready(struct state *st, const struct options *o)
{
	unsigned int fd_rev, in_rev;
	int n, timeout;

	for (;;) {
		if (stop_signal)
			return WAIT_AGAIN;	/* the main loop stops */
		input_continued(&st->in);
		/* Past the deadline (or back from a long SIGSTOP): look once. */
		timeout = ms_until(st->deadline);
		fd_rev = 0;
		in_rev = 0;
		if (o->wait == METHOD_EPOLL)
			n = epoll_fds(st, timeout, &fd_rev, &in_rev);
		else
			n = poll_fds(st, timeout, &fd_rev, &in_rev);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, PROG ": %s: %s\n",
				o->wait == METHOD_EPOLL ? "epoll_wait" : "poll",
				strerror(errno));
			return WAIT_ERROR;
		}
		if (n == 0 && timeout == 0) {
			fprintf(stderr,
				PROG ": registration %llu: no event %d s after one was due: lost event?\n",
				(unsigned long long)st->live_id,
				LOST_EVENT_MS / 1000);
			return WAIT_ERROR;
		}
		if (fd_rev & POLLIN)
			return WAIT_READY;
		if (fd_rev) {
			fprintf(stderr,
				PROG ": the %s reported error or hang-up (events 0x%x)\n",
				o->mode == HWEVENT_MODE_EVENTFD ? "eventfd" :
				"device", fd_rev);
			return WAIT_ERROR;
		}
		if (in_rev && input_ready(&st->in, (short)in_rev))
			return WAIT_QUIT;
	}
}

/*
 * Modes 1 and 2: register when no registration is live, wait in poll or
 * epoll if asked, and read. A blocking read(2) is interrupted by a signal
 * (no SA_RESTART); one that lands just before the read is seen after the
 * next event, as in mode 0. A key is then seen between events.
 */
enum wait_result wait_async(struct state *st, const struct options *o)
{
	enum wait_result r;

	if (!st->live_id) {
		r = arm(st, o);
		if (r != WAIT_ARMED)
			return r;
	}
	if (o->wait != METHOD_READ) {
		r = wait_ready(st, o);
		if (r != WAIT_READY)
			return r;
	}
	if (o->mode == HWEVENT_MODE_EVENTFD)
		return read_eventfd(st, o);
	return read_queue(st, o);
}

static int epoll_setup(struct state *st)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u32 = EPOLL_TAG_WAITFD,
	};

	st->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (st->epfd < 0) {
		fprintf(stderr, PROG ": epoll_create1: %s\n", strerror(errno));
		return -1;
	}
	if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, st->waitfd, &ev) < 0) {
		fprintf(stderr, PROG ": epoll_ctl: %s%s\n", strerror(errno),
			errno == EPERM ? ": the driver cannot be polled (too old for this program?)" : "");
		return -1;
	}
	return 0;
}

/*
 * Modes 1 and 2: what we read, and how we wait for it. Polled, it is
 * non-blocking, so a wake-up that finds nothing (EAGAIN) waits again.
 */
int setup_waiting(struct state *st, const struct options *o)
{
	bool polled = o->wait != METHOD_READ;

	st->waitfd = st->devfd;
	if (o->mode == HWEVENT_MODE_EVENTFD) {
		/* Windows: CreateEvent(); here an eventfd. */
		st->efd = eventfd(0, EFD_CLOEXEC | (polled ? EFD_NONBLOCK : 0));
		if (st->efd < 0) {
			fprintf(stderr, PROG ": eventfd: %s\n",
				strerror(errno));
			return -1;
		}
		st->waitfd = st->efd;
	} else if (o->mode == HWEVENT_MODE_QUEUE && polled &&
		   set_nonblocking(st->devfd) < 0) {
		fprintf(stderr, PROG ": fcntl O_NONBLOCK: %s\n",
			strerror(errno));
		return -1;
	}
	if (o->wait == METHOD_EPOLL)
		return epoll_setup(st);
	return 0;
}
