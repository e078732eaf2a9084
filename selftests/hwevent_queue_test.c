// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_queue_test - HWEVENT_MODE_QUEUE and read(2), periodic
 * registrations (period_ns) and HWEVENT_IOC_TRIGGER of /dev/hwevent.
 *
 * FIXTURE(read_size) is a table of read(2) buffer sizes, each with the
 * number of records queued beforehand and what the read must give.
 * FIXTURE(queue) holds the rest: O_NONBLOCK, reads blocked until a timer
 * or a signal ends them (EINTR, or restarted under SA_RESTART), poll,
 * select and epoll (sixteen files), SIGIO (and its si_code and si_band
 * with F_SETSIG), POLLRDNORM, the record's fields and bytes, queue
 * overflow (queue_size, the lost counts, exact, saturated), read into
 * bad memory, release with records queued, a ring too large for kmalloc
 * (vmalloc'ed, /proc/vmallocinfo) and charged to the opener's memory
 * cgroup; periodic registrations: their grid
 * of due times, overruns, eventfd counts (one per record, also when
 * expiries merge), cancel (final even mid-delivery) and the period's
 * bounds; HWEVENT_IOC_TRIGGER: by id, ALL (of periodic registrations too),
 * of a PENDING waiter and of a periodic registration (due_ns after the
 * first tick), and its errors. Saturation is reached through the
 * test-only module parameters test_count_unit and test_bh_delay_us,
 * which the tests that set them restore.
 *
 * The program is also built with -m32, as hwevent_queue_test_32: the same
 * tests through the compat ioctl and a 32-bit reader's read(2). The
 * layout asserts in hwevent_util.h hold in both; record_bytes reads
 * records into plain bytes and picks the fields at the header's offsets.
 *
 * Records arrive from the bottom half, maybe only after the call that
 * caused them returned: tests wait for them by poll(2) or, where a count
 * of queued records matters, by the debugfs counters (hwevent/stats).
 * Where those cannot be read, the wait is a fixed QUEUE_SETTLE_NS instead,
 * and the checks of the counters themselves are skipped (reported as a
 * skip, not a pass).
 *
 * Timing is strict in one direction only: a record is never due before
 * its delay, nor its interrupt before it is due (unless triggered), nor
 * seen before its interrupt. How late it may be is generous (SLACK_NS):
 * QEMU without KVM is slow.
 *
 * A periodic record's overruns count the expiries after the one it
 * reports that got no record of their own ("it expired again before the
 * bottom half delivered it", "its timer ran late by whole periods"), as
 * timer_getoverrun(2) does: the next record is due 1 + overruns periods
 * later.
 *
 * Needs /dev/hwevent (load hwevent.ko, CONFIG_HWEVENT) and, as the node
 * is mode 0600, root; without them all tests are skipped. Tests that
 * count sequence numbers or debugfs counters assume that no other program
 * uses the device meanwhile; those that change queue_size restore it,
 * and every test puts it back first should one have been killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/hwevent.h>

/* The 6.1 harness's SIGALRM handler leaves its ucontext unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "hwevent_util.h"

#define REC		sizeof(struct hwevent_event)
/* Without debugfs, how long to let the bottom half queue what is due. */
#define QUEUE_SETTLE_NS	(200 * NSEC_PER_MSEC)
/*
 * queue_size's upper bound (a module fact, not in the header): 16 MiB of
 * records, more than KMALLOC_MAX_SIZE, so that such a ring is vmalloc'ed.
 */
#define QUEUE_SIZE_MAX	262144

/* NULL, where the compiler cannot see it. */
static void *volatile null_buf;

/* read(2): the byte count, or -errno. */
static ssize_t xread(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

/* queue_size when the program started, or -1. */
static long long initial_queue_size = -1;

/*
 * Puts queue_size back as it was at the start, should a test that changed
 * it have been killed (a timeout) before its teardown restored it.
 */
static void queue_size_reset(void)
{
	long long now = param_read(QUEUE_SIZE_PATH);

	if (initial_queue_size < 0 || now == initial_queue_size)
		return;
	ksft_print_msg("queue_size %lld left behind: back to %lld\n", now,
		       initial_queue_size);
	param_write(QUEUE_SIZE_PATH, initial_queue_size);
}

/* Opens /dev/hwevent O_NONBLOCK: a read of an empty queue says EAGAIN. */
static int open_nonblock(struct __test_metadata *_metadata)
{
	int fd = open_dev(_metadata);

	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	return fd;
}

/* Registers a QUEUE event, periodic if @period_ns; returns its id. */
static uint64_t queue_reg(struct __test_metadata *_metadata, int fd,
			  uint64_t delay_ns, uint64_t period_ns, uint64_t cookie)
{
	struct hwevent_register r;

	reg_set(&r, HWEVENT_MODE_QUEUE, -1, delay_ns, cookie);
	r.period_ns = period_ns;
	ASSERT_EQ(0, do_register(fd, &r)) TH_LOG("delay %llu period %llu",
						 (unsigned long long)delay_ns,
						 (unsigned long long)period_ns);
	ASSERT_NE(0U, r.id);
	return r.id;
}

/*
 * Waits up to @timeout_ns for @fd to be readable, then reads up to @max
 * records: how many, 0 if none came in time, or -errno. A read that is
 * not a whole number of records gives -EPROTO.
 */
static int read_wait(int fd, struct hwevent_event *ev, unsigned int max,
		     uint64_t timeout_ns)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t deadline = now_ns() + timeout_ns, now;
	ssize_t n;
	int ret;

	do {
		now = now_ns();
		if (now >= deadline)
			return 0;
		ret = poll(&pfd, 1, (deadline - now) / NSEC_PER_MSEC + 1);
		if (ret < 0 && errno != EINTR)
			return -errno;
	} while (ret <= 0);
	n = xread(fd, ev, max * REC);
	if (n < 0)
		return n;
	return n % REC ? -EPROTO : (int)(n / REC);
}

/*
 * Reads until @n records came or @timeout_ns passed; returns how many
 * (never more than @n), or -errno of a failed read.
 */
static int collect(int fd, struct hwevent_event *ev, unsigned int n,
		   uint64_t timeout_ns)
{
	uint64_t deadline = now_ns() + timeout_ns, now;
	unsigned int got = 0;
	int ret;

	while (got < n && (now = now_ns()) < deadline) {
		ret = read_wait(fd, ev + got, n - got, deadline - now);
		if (ret < 0)
			return ret;
		got += ret;
	}
	return got;
}

/* Whether a record can be read from O_NONBLOCK @fd within QUIET_NS. */
static int stays_empty(int fd)
{
	struct hwevent_event e;

	return read_wait(fd, &e, 1, QUIET_NS) == 0;
}

/*
 * Waits until @n records have been queued, device-wide, since @base was
 * read (@base->have_queue), or else for QUEUE_SETTLE_NS after the first
 * one shows on @fd.
 */
static void wait_queued(struct __test_metadata *_metadata, int fd,
			const struct hw_stats *base, unsigned int n)
{
	uint64_t deadline = now_ns() + SLACK_NS;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct hw_stats st;

	if (!base->have_queue) {
		ASSERT_EQ(1, poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC));
		sleep_ns(QUEUE_SETTLE_NS);
		return;
	}
	while (!stats_read(&st) && st.queued - base->queued < n &&
	       now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	ASSERT_EQ(n, st.queued - base->queued);
}

/*
 * Registers @n QUEUE events on @fd that would never fire by themselves,
 * cookies from @cookie on, fires them all (TRIGGER_ALL) and waits until
 * their records are queued.
 */
static void queue_triggered(struct __test_metadata *_metadata, int fd,
			    unsigned int n, uint64_t cookie)
{
	struct hw_stats base;
	uint64_t count;
	unsigned int i;

	for (i = 0; i < n; i++)
		queue_reg(_metadata, fd, NEVER_NS, 0, cookie + i);
	stats_read(&base);
	ASSERT_EQ(0, trigger_id(fd, 0, HWEVENT_TRIGGER_ALL, &count));
	ASSERT_EQ(n, count);
	wait_queued(_metadata, fd, &base, n);
}

/*
 * What holds for every record: it is @id's, with @cookie; due no earlier
 * than @due_min; its interrupt no earlier than due (unless triggered), its
 * bottom half after its interrupt and no later than @end, when it was
 * seen; LOST set exactly when lost counts; reserved zero; no unknown flag.
 * The callers check flags, lost and overruns further.
 */
static void check_event(struct __test_metadata *_metadata,
			const struct hwevent_event *e, uint64_t id,
			uint64_t cookie, uint64_t due_min, uint64_t end)
{
	const uint32_t known = HWEVENT_EVENT_TRIGGERED |
			       HWEVENT_EVENT_PERIODIC | HWEVENT_EVENT_LOST;

	EXPECT_NE(0U, e->seqno);
	EXPECT_EQ(id, e->id);
	EXPECT_EQ(cookie, e->cookie);
	EXPECT_LE(due_min, e->due_ns);
	if (!(e->flags & HWEVENT_EVENT_TRIGGERED))
		EXPECT_LE(e->due_ns, e->irq_ns);
	EXPECT_LE(e->irq_ns, e->bh_ns);
	EXPECT_GE(end, e->bh_ns);
	EXPECT_EQ(0U, e->flags & ~known);
	EXPECT_EQ(!!e->lost, !!(e->flags & HWEVENT_EVENT_LOST))
		TH_LOG("lost %u, flags %#x", e->lost, e->flags);
	EXPECT_EQ(0U, e->data);
}

FIXTURE(queue) {
	int fd;			/* /dev/hwevent, O_NONBLOCK */
	int efd;		/* an eventfd, O_NONBLOCK */
	long long saved_queue_size;	/* to restore, or -1 */
	long long saved_bh_delay;	/* test_bh_delay_us to restore, or -1 */
	long long saved_unit;		/* test_count_unit to restore, or -1 */
	struct hw_stats base;	/* the counters at setup, if have_stats */
	int have_stats;
};

FIXTURE_SETUP(queue)
{
	self->fd = -1;
	self->efd = -1;
	self->saved_queue_size = -1;
	self->saved_bh_delay = -1;
	self->saved_unit = -1;
	queue_size_reset();
	self->have_stats = !stats_read(&self->base);
	self->fd = open_nonblock(_metadata);
	self->efd = make_eventfd();
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(queue)
{
	if (self->saved_queue_size >= 0) {
		param_write(QUEUE_SIZE_PATH, self->saved_queue_size);
		EXPECT_EQ(self->saved_queue_size, param_read(QUEUE_SIZE_PATH));
	}
	if (self->saved_bh_delay >= 0)
		EXPECT_EQ(0, param_write(BH_DELAY_PATH, self->saved_bh_delay));
	if (self->saved_unit >= 0)
		EXPECT_EQ(0, param_write(COUNT_UNIT_PATH, self->saved_unit));
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Sets a module parameter, saved in self->@saved for the teardown to
 * restore, or skips the test.
 */
#define SET_PARAM(path, saved, n) do {				\
	int __err;							\
									\
	if (self->saved < 0)						\
		self->saved = param_read(path);				\
	if (self->saved < 0)						\
		SKIP(return, "cannot read " path);			\
	__err = param_write(path, (n));					\
	if (param_unwritable(__err))					\
		SKIP(return, "cannot write " path ": %s",		\
		     strerror(__err));					\
	ASSERT_EQ(0, __err) TH_LOG(path " %lld: %s", (long long)(n),	\
				   strerror(__err));			\
	ASSERT_EQ((long long)(n), param_read(path));			\
} while (0)

/* Sets queue_size for the files opened from now on, or skips the test. */
#define SET_QUEUE_SIZE(n) SET_PARAM(QUEUE_SIZE_PATH, saved_queue_size, n)
#define SET_BH_DELAY(us)	SET_PARAM(BH_DELAY_PATH, saved_bh_delay, us)
#define SET_COUNT_UNIT(n)	SET_PARAM(COUNT_UNIT_PATH, saved_unit, n)

/* The debugfs part of a test, at its end: a skip, not a pass, without it. */
#define NEED_QUEUE_STATS(what) do {					\
	if (!self->have_stats || !self->base.have_queue) {		\
		if (_metadata->passed)					\
			SKIP(return, "%s: no queue counters in "	\
			     HWEVENT_STATS_PATH, what);			\
		return;							\
	}								\
} while (0)

TEST_F(queue, nonblock_empty_eagain)
{
	struct hwevent_event e[2];
	struct iovec iov = { .iov_base = e, .iov_len = sizeof(e) };

	/* A new file, and one whose registration is far from due. */
	EXPECT_EQ(-EAGAIN, xread(self->fd, e, sizeof(e)));
	queue_reg(_metadata, self->fd, NEVER_NS, 0, 1);
	EXPECT_EQ(-EAGAIN, xread(self->fd, e, sizeof(e)));
	EXPECT_EQ(-EAGAIN, xread(self->fd, e, REC));
	/* A read that must not block, on a blocking file too. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	EXPECT_EQ(-1, preadv2(self->fd, &iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

/* A buffer smaller than a record: EINVAL, not EAGAIN, never a sleep. */
TEST_F(queue, small_buffer_empty_einval)
{
	static const size_t sizes[] = { 0, 1, REC - 1 };
	struct hwevent_event e;
	struct pester p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		EXPECT_EQ(-EINVAL, xread(self->fd, &e, sizes[i]))
			TH_LOG("O_NONBLOCK, %zu bytes", sizes[i]);
	/* Blocking: were it to sleep, the signals end it with EINTR. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	pester_start(_metadata, &p, 200, 100, 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		EXPECT_EQ(-EINVAL, xread(self->fd, &e, sizes[i]))
			TH_LOG("blocking, %zu bytes", sizes[i]);
	pester_stop(_metadata, &p);
}

/*
 * A blocking read of an empty queue sleeps until the timer fires: it
 * returns the record, no earlier than due.
 */
TEST_F(queue, blocking_read_woken_by_timer)
{
	const uint64_t delay = 300 * NSEC_PER_MSEC;
	struct hwevent_event e[2];
	uint64_t start, end, id;
	ssize_t n;

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, 0, 42);
	n = xread(self->fd, e, sizeof(e));
	end = now_ns();
	ASSERT_EQ((ssize_t)REC, n) TH_LOG("read: %s", strerror(-n));
	TH_LOG("returned %llu us after the ioctl",
	       (unsigned long long)(end - start) / NSEC_PER_USEC);
	ASSERT_LE(start + delay, end);
	ASSERT_GT(start + delay + SLACK_NS, end);
	check_event(_metadata, &e[0], id, 42, start + delay, end);
	EXPECT_EQ(0U, e[0].flags);
	EXPECT_EQ(0U, e[0].lost);
	EXPECT_EQ(0U, e[0].overruns);
}

/*
 * A signal ends a blocked read with EINTR when its handler has no
 * SA_RESTART; the record is not lost, the next read gets it.
 */
TEST_F(queue, blocking_read_eintr)
{
	const uint64_t delay = 2 * NSEC_PER_SEC;
	struct hwevent_event e;
	uint64_t start, end, id;
	struct pester p;
	ssize_t n;

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, 0, 7);
	pester_start(_metadata, &p, 100, 100, 0);
	n = xread(self->fd, &e, REC);
	end = now_ns();
	pester_stop(_metadata, &p);
	ASSERT_EQ(-EINTR, n);
	ASSERT_LT(0, sigusr1_seen);
	TH_LOG("EINTR after %llu ms",
	       (unsigned long long)(end - start) / NSEC_PER_MSEC);
	ASSERT_GT(start + delay, end) TH_LOG("returned at the timer, not the signal");

	/* Blocking again, without signals: the record. */
	n = xread(self->fd, &e, REC);
	end = now_ns();
	ASSERT_EQ((ssize_t)REC, n);
	check_event(_metadata, &e, id, 7, start + delay, end);
	EXPECT_EQ(0U, e.lost);
	ASSERT_LE(start + delay, end);
}

/* Under SA_RESTART the read goes on through the signals to the record. */
TEST_F(queue, blocking_read_sa_restart)
{
	const uint64_t delay = NSEC_PER_SEC;
	struct hwevent_event e;
	uint64_t start, end, id;
	struct pester p;
	ssize_t n;

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, 0, 8);
	pester_start(_metadata, &p, 100, 100, SA_RESTART);
	n = xread(self->fd, &e, REC);
	end = now_ns();
	pester_stop(_metadata, &p);
	ASSERT_EQ((ssize_t)REC, n) TH_LOG("read: %s", strerror(-n));
	TH_LOG("%d signals during the read", (int)sigusr1_seen);
	ASSERT_LT(0, sigusr1_seen);
	ASSERT_LE(start + delay, end);
	check_event(_metadata, &e, id, 8, start + delay, end);
}

/* poll(2) and select(2): readable while a record is queued, not before. */
TEST_F(queue, poll_select_when_queued)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC;
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct timeval tv = { 0, 0 };
	struct hwevent_event e;
	uint64_t start, ready, id;
	fd_set rfds;

	EXPECT_EQ(0, poll(&pfd, 1, 0));
	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, 0, 3);
	/* Not before it is due. */
	ASSERT_EQ(0, poll(&pfd, 1, 100));
	FD_ZERO(&rfds);
	FD_SET(self->fd, &rfds);
	ASSERT_EQ(0, select(self->fd + 1, &rfds, NULL, NULL, &tv));
	ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow to tell");

	ASSERT_EQ(1, poll(&pfd, 1, (delay + SLACK_NS) / NSEC_PER_MSEC));
	ready = now_ns();
	EXPECT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR | POLLHUP));
	ASSERT_LE(start + delay, ready);
	FD_ZERO(&rfds);
	FD_SET(self->fd, &rfds);
	ASSERT_EQ(1, select(self->fd + 1, &rfds, NULL, NULL, &tv));
	ASSERT_TRUE(FD_ISSET(self->fd, &rfds));
	/* Still readable until read. */
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ((ssize_t)REC, xread(self->fd, &e, REC));
	check_event(_metadata, &e, id, 3, start + delay, ready);
	/* Empty again. */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	FD_ZERO(&rfds);
	FD_SET(self->fd, &rfds);
	EXPECT_EQ(0, select(self->fd + 1, &rfds, NULL, NULL, &tv));
}

/*
 * One epoll set over sixteen files, each with one registration due at its
 * own time: each file is reported, once, when its record is there, and
 * the record is that file's.
 */
#define NR_EPOLL	16

TEST_F_TIMEOUT(queue, epoll_many_files, 60)
{
	const uint64_t first = 300 * NSEC_PER_MSEC, step = 20 * NSEC_PER_MSEC;
	struct epoll_event evs[NR_EPOLL];
	int fds[NR_EPOLL], seen[NR_EPOLL] = { 0 }, ep, nr_seen = 0, i, k, n;
	uint64_t start, deadline, ids[NR_EPOLL];

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	for (i = 0; i < NR_EPOLL; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		fds[i] = open_nonblock(_metadata);
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev));
	}
	start = now_ns();
	/* Registered last first: the due times do not follow the order. */
	for (i = NR_EPOLL - 1; i >= 0; i--)
		ids[i] = queue_reg(_metadata, fds[i], first + i * step, 0,
				   0x1000 + i);
	if (now_ns() < start + first)
		EXPECT_EQ(0, epoll_wait(ep, evs, NR_EPOLL, 0));
	deadline = start + first + NR_EPOLL * step + SLACK_NS;
	while (nr_seen < NR_EPOLL && now_ns() < deadline) {
		n = epoll_wait(ep, evs, NR_EPOLL,
			       (deadline - now_ns()) / NSEC_PER_MSEC + 1);
		ASSERT_LE(0, n);
		for (k = 0; k < n; k++) {
			struct hwevent_event e[2];
			uint32_t f = evs[k].data.u32;
			uint64_t now = now_ns();

			ASSERT_GT(NR_EPOLL, (int)f);
			EXPECT_NE(0U, evs[k].events & EPOLLIN);
			ASSERT_FALSE(seen[f]) TH_LOG("file %u reported again", f);
			seen[f] = 1;
			nr_seen++;
			/* Exactly its one record. */
			ASSERT_EQ((ssize_t)REC, xread(fds[f], e, sizeof(e)));
			check_event(_metadata, &e[0], ids[f], 0x1000 + f,
				    start + first + f * step, now);
			EXPECT_EQ(1U, e[0].id);
		}
	}
	EXPECT_EQ(NR_EPOLL, nr_seen);
	/* Nothing more, from any of them. */
	EXPECT_EQ(0, epoll_wait(ep, evs, NR_EPOLL, QUIET_NS / NSEC_PER_MSEC));
	for (i = 0; i < NR_EPOLL; i++)
		close(fds[i]);
	close(ep);
}

static volatile sig_atomic_t sigio_seen;

static void on_sigio(int sig)
{
	(void)sig;
	sigio_seen++;
}

/* Waits up to @timeout_ns for sigio_seen to exceed @than; when it did. */
static uint64_t sigio_wait(sig_atomic_t than, uint64_t timeout_ns)
{
	uint64_t deadline = now_ns() + timeout_ns;

	while (sigio_seen <= than && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	return now_ns();
}

/* O_ASYNC and F_SETOWN: SIGIO when a record is queued, not before. */
TEST_F(queue, sigio_when_queued)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC;
	struct sigaction sa = { .sa_handler = on_sigio };
	struct hwevent_event e;
	uint64_t start, when, id;
	sig_atomic_t seen;
	unsigned int i;

	ASSERT_EQ(0, sigaction(SIGIO, &sa, NULL));
	ASSERT_EQ(0, fcntl(self->fd, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK | O_ASYNC));
	sigio_seen = 0;
	/* Two records, one after the other: a signal each. */
	for (i = 0; i < 2; i++) {
		start = now_ns();
		id = queue_reg(_metadata, self->fd, delay, 0, i);
		sigio_wait(0, delay / 2);
		seen = sigio_seen;
		ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow to tell");
		ASSERT_EQ(0, seen) TH_LOG("SIGIO before the record");
		when = sigio_wait(0, delay + SLACK_NS);
		ASSERT_EQ(1, sigio_seen) TH_LOG("record %u", i);
		ASSERT_LE(start + delay, when);
		ASSERT_EQ((ssize_t)REC, xread(self->fd, &e, REC));
		check_event(_metadata, &e, id, i, start + delay, when);
		sigio_seen = 0;
	}
	/* Without O_ASYNC, none. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	start = now_ns();
	queue_reg(_metadata, self->fd, 0, 0, 9);
	ASSERT_EQ(1, read_wait(self->fd, &e, 1, SLACK_NS));
	sigio_wait(0, QUIET_NS);
	EXPECT_EQ(0, sigio_seen);
}

/*
 * A signal per record, as the header says: with F_SETSIG and a real-time
 * signal, which queues instead of merging, a program can count records by
 * signals. Eight records from one TRIGGER_ALL, delivered by one run of the
 * bottom half, are eight signals.
 */
#define NR_SIGIO	8

TEST_F(queue, sigio_per_record_rt_signal)
{
	const struct timespec none = { 0 };
	const struct timespec slack = {
		.tv_sec = SLACK_NS / NSEC_PER_SEC,
		.tv_nsec = SLACK_NS % NSEC_PER_SEC,
	};
	struct hwevent_event e[NR_SIGIO];
	unsigned int i, got = 0;
	uint64_t count;
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, fcntl(self->fd, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->fd, F_SETSIG, SIGRTMIN));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK | O_ASYNC));
	for (i = 0; i < NR_SIGIO; i++)
		queue_reg(_metadata, self->fd, NEVER_NS, 0, i);
	ASSERT_EQ(0, trigger_id(self->fd, 0, HWEVENT_TRIGGER_ALL, &count));
	ASSERT_EQ((uint64_t)NR_SIGIO, count);
	ASSERT_EQ(NR_SIGIO, collect(self->fd, e, NR_SIGIO, SLACK_NS));
	/*
	 * A record can be read before its signal is sent (the bottom half
	 * queues, then signals): wait for the signals, then for none more.
	 */
	while (got < NR_SIGIO && sigtimedwait(&set, &si, &slack) == SIGRTMIN) {
		EXPECT_EQ(POLL_IN, si.si_code);
		EXPECT_EQ(self->fd, si.si_fd);
		got++;
	}
	while (sigtimedwait(&set, &si, &none) == SIGRTMIN)
		got++;
	EXPECT_EQ((unsigned int)NR_SIGIO, got) TH_LOG("signals for %u records", NR_SIGIO);
}

/* What the SA_SIGINFO handler saw of the last signal. */
static volatile sig_atomic_t siginfo_seen;
static volatile int seen_signo, seen_code, seen_fd;
static volatile long seen_band;

static void on_siginfo(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen_signo = sig;
	seen_code = si->si_code;
	seen_band = si->si_band;
	seen_fd = si->si_fd;
	siginfo_seen++;
}

/*
 * With F_SETSIG, the SIGIO of a queued record says why: si_code POLL_IN,
 * si_band POLLIN | POLLRDNORM (what the driver passes to kill_fasync()),
 * and the file's descriptor.
 */
TEST_F(queue, sigio_band_poll_in)
{
	struct sigaction sa = { .sa_sigaction = on_siginfo,
				.sa_flags = SA_SIGINFO };
	uint64_t deadline;
	struct hwevent_event e;

	ASSERT_EQ(0, sigaction(SIGIO, &sa, NULL));
	ASSERT_EQ(0, fcntl(self->fd, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->fd, F_SETSIG, SIGIO));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK | O_ASYNC));
	siginfo_seen = 0;
	queue_reg(_metadata, self->fd, 0, 0, 1);
	deadline = now_ns() + SLACK_NS;
	while (!siginfo_seen && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	ASSERT_EQ(1, siginfo_seen);
	EXPECT_EQ(SIGIO, seen_signo);
	EXPECT_EQ(POLL_IN, seen_code);
	EXPECT_EQ((long)(POLLIN | POLLRDNORM), seen_band)
		TH_LOG("si_band %#lx", (long)seen_band);
	EXPECT_EQ(self->fd, seen_fd);
	ASSERT_EQ((ssize_t)REC, xread(self->fd, &e, REC));
}

/* poll(2) reports POLLRDNORM with POLLIN, and nothing else. */
TEST_F(queue, poll_rdnorm)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLRDNORM };
	struct hwevent_event e;

	EXPECT_EQ(0, poll(&pfd, 1, 0));
	queue_reg(_metadata, self->fd, 0, 0, 1);
	ASSERT_EQ(1, poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC));
	EXPECT_EQ(POLLRDNORM, pfd.revents);
	pfd.events = POLLIN | POLLRDNORM | POLLOUT | POLLPRI | POLLWRNORM;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, pfd.revents);
	ASSERT_EQ((ssize_t)REC, xread(self->fd, &e, REC));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

/*
 * The record: its fields, in order of the interrupts, and the
 * registration's own event record untouched.
 */
TEST_F(queue, record_fields)
{
	static const uint64_t cookies[] = {
		0, 1, 0x0123456789abcdefULL, 1ULL << 63, UINT64_MAX,
	};
	const unsigned int n = ARRAY_SIZE(cookies);
	struct hwevent_event e[ARRAY_SIZE(cookies)], garbage;
	struct hwevent_register r, in;
	uint64_t start[ARRAY_SIZE(cookies)], end, before;
	unsigned int i;

	before = probe_seqno(_metadata, self->fd);
	memset(&garbage, 0xa5, sizeof(garbage));
	for (i = 0; i < n; i++) {
		reg_set(&r, HWEVENT_MODE_QUEUE, -1, (i + 1) * 20 * NSEC_PER_MSEC,
			cookies[i]);
		r.id = 0xa5a5a5a5a5a5a5a5ULL;
		r.event = garbage;
		in = r;
		start[i] = now_ns();
		ASSERT_EQ(0, do_register(self->fd, &r));
		/* Ids go on from the probe's, 1. */
		EXPECT_EQ(i + 2, r.id);
		EXPECT_EQ(0, memcmp(&in, &r, offsetof(struct hwevent_register, id)));
		/* "untouched in the other modes" */
		EXPECT_EQ(0, memcmp(&garbage, &r.event, sizeof(garbage)));
	}
	ASSERT_EQ(n, collect(self->fd, e, n, SLACK_NS + n * 20 * NSEC_PER_MSEC));
	end = now_ns();
	for (i = 0; i < n; i++) {
		/* Registration k has id k + 2 (the probe had 1). */
		unsigned int k = e[i].id - 2;

		ASSERT_GT(n, k) TH_LOG("id %llu", (unsigned long long)e[i].id);
		check_event(_metadata, &e[i], k + 2, cookies[k],
			    start[k] + (k + 1) * 20 * NSEC_PER_MSEC, end);
		EXPECT_EQ(0U, e[i].flags);
		EXPECT_EQ(0U, e[i].lost);
		EXPECT_EQ(0U, e[i].overruns);
		/* Oldest first, and nobody else's seqnos in between. */
		EXPECT_EQ(before + 1 + i, e[i].seqno)
			TH_LOG("(or another program used " HWEVENT_PATH ")");
	}
	ASSERT_TRUE(stays_empty(self->fd));
}

/*
 * The bytes read, at the header's offsets, for a reader of either word
 * size (this test is the point of hwevent_queue_test_32).
 */
static uint64_t get64(const unsigned char *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t get32(const unsigned char *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

TEST_F(queue, record_bytes)
{
	unsigned char buf[3 * 64 + 1];
	uint64_t start, end, id[2];
	struct hw_stats base;
	unsigned int i;
	ssize_t n;

	TH_LOG("a %zu-bit reader", sizeof(long) * 8);
	stats_read(&base);
	start = now_ns();
	id[0] = queue_reg(_metadata, self->fd, 0, 0, 0x1111222233334444ULL);
	id[1] = queue_reg(_metadata, self->fd, 0, 0, 0x5555666677778888ULL);
	wait_queued(_metadata, self->fd, &base, 2);
	memset(buf, 0xa5, sizeof(buf));
	n = xread(self->fd, buf, sizeof(buf));
	end = now_ns();
	ASSERT_EQ(128, n);
	/* The byte after the records is not touched. */
	EXPECT_EQ(0xa5, buf[128]);
	for (i = 0; i < 2; i++) {
		const unsigned char *p = buf + 64 * i;

		EXPECT_EQ(id[i], get64(p, 0x08));
		EXPECT_EQ(i ? 0x5555666677778888ULL : 0x1111222233334444ULL,
			  get64(p, 0x10));
		EXPECT_LE(start, get64(p, 0x18));		/* due_ns */
		EXPECT_LE(get64(p, 0x18), get64(p, 0x20));	/* irq_ns */
		EXPECT_LE(get64(p, 0x20), get64(p, 0x28));	/* bh_ns */
		EXPECT_GE(end, get64(p, 0x28));
		EXPECT_EQ(0U, get32(p, 0x30));			/* flags */
		EXPECT_EQ(0U, get32(p, 0x34));			/* lost */
		EXPECT_EQ(0U, get32(p, 0x38));			/* overruns */
		EXPECT_EQ(0U, get32(p, 0x3c));			/* reserved */
	}
	EXPECT_LT(get64(buf, 0x00), get64(buf + 64, 0x00));	/* seqno */
	EXPECT_NE(0U, get64(buf, 0x00));
}

/*
 * Overflow: a file of queue_size 4 gets ten records at once (TRIGGER_ALL).
 * The newest four stay; the oldest of them counts the six dropped.
 */
TEST_F(queue, overflow_drops_oldest)
{
	const unsigned int size = 4, n = 10;
	struct hwevent_event e[16];
	struct hw_stats base, st;
	uint64_t before, end;
	unsigned int i, lost = 0;
	int fd, got;

	SET_QUEUE_SIZE(size);
	fd = open_nonblock(_metadata);
	stats_read(&base);
	before = probe_seqno(_metadata, self->fd);
	/* Ids 1 to 10, cookies 100 to 109. */
	queue_triggered(_metadata, fd, n, 100);

	got = read_wait(fd, e, ARRAY_SIZE(e), SLACK_NS);
	end = now_ns();
	ASSERT_EQ((int)size, got);
	for (i = 0; i < size; i++) {
		/* The interrupts ran in the ioctl, one seqno each, in a row. */
		EXPECT_EQ(before + n - size + 1 + i, e[i].seqno)
			TH_LOG("(or another program used " HWEVENT_PATH ")");
		ASSERT_LE(1U, e[i].id);
		ASSERT_GE(n, e[i].id);
		check_event(_metadata, &e[i], e[i].id, 99 + e[i].id, 0, end);
		EXPECT_EQ(HWEVENT_EVENT_TRIGGERED,
			  e[i].flags & ~HWEVENT_EVENT_LOST);
		lost += e[i].lost;
	}
	EXPECT_EQ(n - size, lost);
	EXPECT_EQ(n - size, e[0].lost);
	EXPECT_EQ(-EAGAIN, xread(fd, e, sizeof(e)));

	/* The count starts over: three more, none lost. */
	queue_triggered(_metadata, fd, 3, 200);
	ASSERT_EQ(3, read_wait(fd, e, ARRAY_SIZE(e), SLACK_NS));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0U, e[i].lost);
		EXPECT_EQ(HWEVENT_EVENT_TRIGGERED, e[i].flags);
	}
	close(fd);

	NEED_QUEUE_STATS("the queue_lost counter");
	ASSERT_EQ(0, stats_read(&st));
	EXPECT_EQ(n + 3, st.queued - base.queued);
	EXPECT_EQ(n - size, st.queue_lost - base.queue_lost);
	EXPECT_EQ(n + 3, st.triggered - base.triggered);
}

/*
 * Records dropped while others are read: the lost counts move with the
 * oldest record, and what was read plus what was lost is all of it.
 */
TEST_F(queue, overflow_accounting_exact)
{
	const unsigned int size = 3, rounds = 5, per_round = 4;
	unsigned int round, i, read_total = 0, lost_total = 0;
	struct hwevent_event e[8];
	int fd, got;

	SET_QUEUE_SIZE(size);
	fd = open_nonblock(_metadata);
	for (round = 0; round < rounds; round++) {
		queue_triggered(_metadata, fd, per_round, round * per_round);
		/* Read one only: the rest stays for the next round to drop. */
		ASSERT_EQ(1, read_wait(fd, e, 1, SLACK_NS));
		read_total++;
		lost_total += e[0].lost;
	}
	/* And the rest. */
	got = read_wait(fd, e, ARRAY_SIZE(e), SLACK_NS);
	ASSERT_LT(0, got);
	for (i = 0; i < (unsigned int)got; i++)
		lost_total += e[i].lost;
	read_total += got;
	TH_LOG("%u read, %u lost", read_total, lost_total);
	EXPECT_EQ(rounds * per_round, read_total + lost_total);
	/* Each round fills the queue and reads one: size - 1 are left. */
	EXPECT_EQ((int)size - 1, got);
	EXPECT_EQ(-EAGAIN, xread(fd, e, sizeof(e)));
	close(fd);
}

/*
 * Triggers @n records on @fd at once, and reads what its queue held:
 * how many records, those read plus those counted lost being @n.
 */
static int queue_holds(struct __test_metadata *_metadata, int fd,
		       unsigned int n)
{
	struct hwevent_event e[16];
	unsigned int i, lost = 0;
	int got;

	queue_triggered(_metadata, fd, n, 0);
	got = read_wait(fd, e, ARRAY_SIZE(e), SLACK_NS);
	for (i = 0; i < (unsigned int)got; i++)
		lost += e[i].lost;
	EXPECT_EQ(n, got + lost);
	EXPECT_EQ(-EAGAIN, xread(fd, e, sizeof(e)));
	return got;
}

/*
 * queue_size: 1 to 262144, taken when a file is opened. Out of range, it
 * is refused, or the file gets the nearest bound: never an empty queue.
 */
TEST_F(queue, queue_size_param)
{
	int fd0, fd1, fd4, fd_max, err;

	SET_QUEUE_SIZE(4);
	fd4 = open_nonblock(_metadata);
	SET_QUEUE_SIZE(1);
	fd1 = open_nonblock(_metadata);
	err = param_write(QUEUE_SIZE_PATH, 0);
	EXPECT_TRUE(err == 0 || err == EINVAL) TH_LOG("%s", strerror(err));
	TH_LOG("queue_size 0: %s", err ? "refused" : "taken");
	fd0 = open_nonblock(_metadata);
	/* The files keep the size they were opened with. */
	EXPECT_EQ(4, queue_holds(_metadata, fd4, 6));
	EXPECT_EQ(1, queue_holds(_metadata, fd1, 3));
	EXPECT_EQ(1, queue_holds(_metadata, fd0, 3));

	SET_QUEUE_SIZE(QUEUE_SIZE_MAX);
	err = param_write(QUEUE_SIZE_PATH, QUEUE_SIZE_MAX + 1);
	EXPECT_TRUE(err == 0 || err == EINVAL) TH_LOG("%s", strerror(err));
	TH_LOG("queue_size %d: %s", QUEUE_SIZE_MAX + 1,
	       err ? "refused" : "taken");
	fd_max = open_nonblock(_metadata);
	EXPECT_EQ(8, queue_holds(_metadata, fd_max, 8));
	close(fd_max);
	close(fd0);
	close(fd1);
	close(fd4);
}

/*
 * lost saturates at UINT32_MAX instead of wrapping. With test_count_unit
 * at 2^31 each lost record counts 2^31: a queue of one that gets three
 * records at once drops two, 2^32 in all, and the record left must say
 * UINT32_MAX (a wrapping count would say 0). At the unit's default, 1,
 * the same drops count 2.
 */
TEST_F(queue, lost_saturates)
{
	struct hwevent_event e[4];
	int fd;

	SET_QUEUE_SIZE(1);
	fd = open_nonblock(_metadata);
	SET_COUNT_UNIT(0x80000000LL);
	queue_triggered(_metadata, fd, 3, 0);
	ASSERT_EQ(1, read_wait(fd, e, ARRAY_SIZE(e), SLACK_NS));
	EXPECT_EQ(2U, e[0].cookie);
	EXPECT_EQ(UINT32_MAX, e[0].lost);
	EXPECT_EQ(HWEVENT_EVENT_TRIGGERED | HWEVENT_EVENT_LOST, e[0].flags);

	SET_COUNT_UNIT(1);
	queue_triggered(_metadata, fd, 3, 10);
	ASSERT_EQ(1, read_wait(fd, e, ARRAY_SIZE(e), SLACK_NS));
	EXPECT_EQ(12U, e[0].cookie);
	EXPECT_EQ(2U, e[0].lost);
	close(fd);
}

/*
 * overruns saturates at UINT32_MAX too. test_bh_delay_us holds the bottom
 * half back 50 ms while a periodic registration expires every 1 ms, and
 * test_count_unit makes each expiry without a record count 2^31: two of
 * them saturate the first record's overruns (wrapping would give 0 or
 * 2^31).
 */
TEST_F(queue, overruns_saturate)
{
	const uint64_t period = NSEC_PER_MSEC;
	struct hwevent_event e[4];
	uint64_t id, count, end;

	SET_COUNT_UNIT(0x80000000LL);
	SET_BH_DELAY(50000);
	id = queue_reg(_metadata, self->fd, 10 * NSEC_PER_MSEC, period, 3);
	ASSERT_EQ(1, read_wait(self->fd, e, 1, SLACK_NS));
	end = now_ns();
	ASSERT_EQ(0, cancel_id(self->fd, id, 0, &count));
	ASSERT_EQ(1U, count);
	check_event(_metadata, &e[0], id, 3, 0, end);
	EXPECT_EQ(HWEVENT_EVENT_PERIODIC, e[0].flags);
	EXPECT_LE(e[0].irq_ns + 50 * NSEC_PER_MSEC, e[0].bh_ns);
	EXPECT_EQ(UINT32_MAX, e[0].overruns);
	while (xread(self->fd, e, sizeof(e)) > 0)
		;
}

/*
 * The lines of /proc/vmallocinfo whose caller is hwevent_queue_init and
 * whose size is at least @bytes; -1 if the file cannot be read.
 */
static int vmalloc_rings(size_t bytes)
{
	char line[512], *caller;
	unsigned long long size;
	int n = 0;
	FILE *f = fopen("/proc/vmallocinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		caller = strstr(line, " hwevent_queue_init+");
		if (caller && sscanf(line, "%*s %llu", &size) == 1 &&
		    size >= bytes)
			n++;
	}
	fclose(f);
	return n;
}

/*
 * A ring larger than the largest kmalloc (KMALLOC_MAX_SIZE, 4 MiB with
 * 4 KiB pages on x86-64) comes from vmalloc: /proc/vmallocinfo shows one
 * more area of at least its size, allocated by hwevent_queue_init, while
 * the file is open, and none once it is closed. The queue works.
 */
TEST_F(queue, large_ring_is_vmalloc)
{
	const size_t bytes = (size_t)QUEUE_SIZE_MAX * REC;
	int before, open_n, after, fd;

	SET_QUEUE_SIZE(QUEUE_SIZE_MAX);
	before = vmalloc_rings(bytes);
	if (before < 0)
		SKIP(return, "cannot read /proc/vmallocinfo: %s",
		     strerror(errno));
	fd = open_nonblock(_metadata);
	open_n = vmalloc_rings(bytes);
	EXPECT_EQ(8, queue_holds(_metadata, fd, 8));
	close(fd);
	after = vmalloc_rings(bytes);
	TH_LOG("vmalloc'ed rings of %zu bytes: %d, open %d, closed %d",
	       bytes, before, open_n, after);
	EXPECT_EQ(before + 1, open_n);
	EXPECT_EQ(before, after);
}

/* Writes @val to the cgroup file @dir/@name: 0 or the errno. */
static int cg_write(const char *dir, const char *name, const char *val)
{
	char path[256];
	int fd, err = 0;
	ssize_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, val, len) != len)
		err = errno ?: EIO;
	close(fd);
	return err;
}

/* memory.current of @dir, or -1. */
static long long cg_current(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	return param_read(path);
}

/*
 * The ring is charged to the memory cgroup of the process that opens the
 * file (GFP_KERNEL_ACCOUNT): in a cgroup of its own, memory.current grows
 * by at least the ring's size when it opens a file of the largest
 * queue_size, and falls by as much when it closes it. The slack is the
 * per-CPU charge caches (64 pages each). cgroup2 is mounted for the test
 * if it is not mounted at /sys/fs/cgroup.
 */
TEST_F(queue, ring_charged_to_memcg)
{
	const long long bytes = (long long)QUEUE_SIZE_MAX * REC;
	const long long slack = 2 * 1024 * 1024;
	char root[64] = "/sys/fs/cgroup", tmp[] = "/tmp/hwevent-cg.XXXXXX";
	char child[128], controllers[256] = "";
	long long c0, c1, c2;
	int mounted = 0, fd, err;
	FILE *f;

	SET_QUEUE_SIZE(QUEUE_SIZE_MAX);
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK)) {
		ASSERT_TRUE(mkdtemp(tmp) != NULL);
		if (mount("none", tmp, "cgroup2", 0, NULL)) {
			err = errno;
			rmdir(tmp);
			SKIP(return, "cannot mount cgroup2: %s", strerror(err));
		}
		snprintf(root, sizeof(root), "%s", tmp);
		mounted = 1;
	}
	snprintf(child, sizeof(child), "%s/cgroup.controllers", root);
	f = fopen(child, "re");
	if (f) {
		if (!fgets(controllers, sizeof(controllers), f))
			controllers[0] = 0;
		fclose(f);
	}
	if (!strstr(controllers, "memory")) {
		if (mounted) {
			umount(tmp);
			rmdir(tmp);
		}
		SKIP(return, "no memory controller in cgroup2 (CONFIG_MEMCG)");
	}
	EXPECT_EQ(0, cg_write(root, "cgroup.subtree_control", "+memory"));
	snprintf(child, sizeof(child), "%s/hwevent-test-%d", root, (int)getpid());
	EXPECT_EQ(0, mkdir(child, 0755));
	err = cg_write(child, "cgroup.procs", "0");
	EXPECT_EQ(0, err) TH_LOG("cgroup.procs: %s", strerror(err));
	if (!err) {
		c0 = cg_current(child);
		fd = open_nonblock(_metadata);
		c1 = cg_current(child);
		EXPECT_EQ(1, queue_holds(_metadata, fd, 1));
		close(fd);
		c2 = cg_current(child);
		TH_LOG("memory.current: %lld, open %lld, closed %lld; ring %lld",
		       c0, c1, c2, bytes);
		EXPECT_LE(0, c0);
		EXPECT_LE(c0 + bytes - slack, c1);
		EXPECT_LE(c2 + bytes - slack, c1);
		EXPECT_EQ(0, cg_write(root, "cgroup.procs", "0"));
	}
	EXPECT_EQ(0, rmdir(child)) TH_LOG("rmdir %s: %s", child, strerror(errno));
	if (mounted) {
		EXPECT_EQ(0, umount(tmp));
		rmdir(tmp);
	}
}

/*
 * A read whose buffer cannot take even one record fails with EFAULT; the
 * record it took counts as lost, in the next record.
 */
TEST_F(queue, read_efault_counts_lost)
{
	long page = getpagesize();
	struct hwevent_event e[4];
	struct hw_stats base, st;
	uint64_t end, ids[3];
	char *buf;
	int got;

	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));
	stats_read(&base);

	/* Two queued; the first goes to a PROT_NONE page. */
	ids[0] = queue_reg(_metadata, self->fd, 0, 0, 1);
	ids[1] = queue_reg(_metadata, self->fd, 0, 0, 2);
	wait_queued(_metadata, self->fd, &base, 2);
	EXPECT_EQ(-EFAULT, xread(self->fd, buf + page, 2 * REC));
	got = read_wait(self->fd, e, ARRAY_SIZE(e), SLACK_NS);
	end = now_ns();
	ASSERT_EQ(1, got);
	check_event(_metadata, &e[0], ids[1], 2, 0, end);
	EXPECT_EQ(1U, e[0].lost);
	EXPECT_EQ(HWEVENT_EVENT_LOST, e[0].flags);

	/* One queued, lost to NULL and then to read-only memory... */
	stats_read(&st);
	queue_reg(_metadata, self->fd, 0, 0, 3);
	wait_queued(_metadata, self->fd, &st, 1);
	EXPECT_EQ(-EFAULT, xread(self->fd, null_buf, REC));
	EXPECT_EQ(-EAGAIN, xread(self->fd, e, sizeof(e)));
	stats_read(&st);
	queue_reg(_metadata, self->fd, 0, 0, 4);
	wait_queued(_metadata, self->fd, &st, 1);
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ));
	EXPECT_EQ(-EFAULT, xread(self->fd, buf, REC));
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ | PROT_WRITE));
	/* ...both counted by the next record, which came later. */
	ids[2] = queue_reg(_metadata, self->fd, 0, 0, 5);
	ASSERT_EQ(1, read_wait(self->fd, e, ARRAY_SIZE(e), SLACK_NS));
	check_event(_metadata, &e[0], ids[2], 5, 0, now_ns());
	EXPECT_EQ(2U, e[0].lost);
	EXPECT_EQ(HWEVENT_EVENT_LOST, e[0].flags);

	/*
	 * Room for one record before the PROT_NONE page: one is read; the
	 * second is still queued or counted lost, never both, never neither.
	 */
	stats_read(&st);
	queue_reg(_metadata, self->fd, 0, 0, 6);
	queue_reg(_metadata, self->fd, 0, 0, 7);
	wait_queued(_metadata, self->fd, &st, 2);
	EXPECT_EQ((ssize_t)REC, xread(self->fd, buf + page - REC, 2 * REC));
	EXPECT_EQ(6U, ((struct hwevent_event *)(buf + page - REC))->cookie);
	stats_read(&st);
	queue_reg(_metadata, self->fd, 0, 0, 8);
	wait_queued(_metadata, self->fd, &st, 1);
	got = read_wait(self->fd, e, ARRAY_SIZE(e), SLACK_NS);
	ASSERT_LT(0, got);
	if (got == 2) {
		EXPECT_EQ(7U, e[0].cookie);
		EXPECT_EQ(0U, e[0].lost);
		EXPECT_EQ(0U, e[1].lost);
	} else {
		EXPECT_EQ(8U, e[0].cookie);
		EXPECT_EQ(1U, e[0].lost);
	}
	munmap(buf, 2 * page);

	NEED_QUEUE_STATS("the queue_lost counter");
	ASSERT_EQ(0, stats_read(&st));
	EXPECT_EQ(3 + (got == 1), st.queue_lost - base.queue_lost);
}

/* A cancel takes a record that is not queued yet; a queued one stays. */
TEST_F(queue, cancel_queue_registration)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC;
	struct hwevent_event e;
	uint64_t start, count, id, id2;

	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, 0, 1);
	id2 = queue_reg(_metadata, self->fd, 0, 0, 2);
	ASSERT_EQ(0, cancel_id(self->fd, id, 0, &count));
	ASSERT_EQ(1U, count);
	ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow to tell");
	ASSERT_EQ(1, read_wait(self->fd, &e, 1, SLACK_NS));
	EXPECT_EQ(id2, e.id);
	/* Fired and queued: not cancellable, not triggerable. */
	EXPECT_EQ(ENOENT, cancel_id(self->fd, id2, 0, NULL));
	EXPECT_EQ(ENOENT, trigger_id(self->fd, id2, 0, NULL));
	sleep_until_ns(start + delay + QUIET_NS);
	EXPECT_EQ(-EAGAIN, xread(self->fd, &e, REC));
}

/* Closing a file with records queued frees them, and their references. */
TEST_F(queue, close_frees_queued)
{
	struct hw_stats base, st;
	unsigned int i;
	int fd, fd2;

	if (!self->have_stats || !self->base.have_queue)
		SKIP(return, "no queue counters in " HWEVENT_STATS_PATH);
	fd = open_nonblock(_metadata);
	fd2 = open_nonblock(_metadata);
	ASSERT_EQ(0, stats_read(&base));
	for (i = 0; i < 8; i++) {
		struct hwevent_register r;

		queue_reg(_metadata, fd, 0, 0, i);
		queue_reg(_metadata, fd2, NEVER_NS, 0, i);
		/* And eventfd ones, fired and not. */
		reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd,
			i % 2 ? NEVER_NS : 0, i);
		ASSERT_EQ(0, do_register(fd, &r));
	}
	/* fd's queue fills (the eventfd ones queue nothing)... */
	wait_queued(_metadata, fd, &base, 8);
	ASSERT_EQ(4U, efd_collect(self->efd, 4, SLACK_NS));
	/* ...fd2's registrations wait; both files go. */
	close(fd);
	close(fd2);
	ASSERT_EQ(0, stats_settle(&st, &base, SLACK_NS));
	EXPECT_EQ(base.live, st.live);
	EXPECT_EQ(base.eventfd_refs, st.eventfd_refs);
	EXPECT_EQ(24, st.armed - base.armed);
	EXPECT_EQ(12, st.completed - base.completed);
	EXPECT_EQ(12, st.dropped - base.dropped);
	EXPECT_EQ(st.armed - base.armed, stats_ended(&st) - stats_ended(&base));
	EXPECT_EQ(0, st.queue_lost - base.queue_lost);
}

/*
 * Checks @n records of periodic registration @id, none lost, against its
 * grid: the first due at the registration's due time (between @due_min
 * and @due_max), each next one period later plus one for each expiry the
 * one before it counted in overruns (late by whole periods, or expired
 * again before the bottom half delivered it); each seen by @end. Returns
 * the overruns counted.
 */
static unsigned int check_grid(struct __test_metadata *_metadata,
			       const struct hwevent_event *e, unsigned int n,
			       uint64_t id, uint64_t cookie, uint64_t period,
			       uint64_t due_min, uint64_t due_max, uint64_t end)
{
	unsigned int i, overruns = 0;
	uint64_t due;

	if (!n)
		return 0;
	EXPECT_LE(due_min, e[0].due_ns);
	EXPECT_GE(due_max, e[0].due_ns);
	due = e[0].due_ns;
	for (i = 0; i < n; i++) {
		check_event(_metadata, &e[i], id, cookie, due_min, end);
		EXPECT_EQ(HWEVENT_EVENT_PERIODIC, e[i].flags)
			TH_LOG("record %u", i);
		EXPECT_EQ(0U, e[i].lost) TH_LOG("record %u", i);
		if (i) {
			due += (1 + (uint64_t)e[i - 1].overruns) * period;
			EXPECT_LT(e[i - 1].seqno, e[i].seqno);
		}
		/* Exactly on the grid. */
		EXPECT_EQ(due, e[i].due_ns)
			TH_LOG("record %u, after %u overruns", i,
			       i ? e[i - 1].overruns : 0);
		overruns += e[i].overruns;
	}
	return overruns;
}

/*
 * The counters after a periodic QUEUE registration delivered @n records
 * with @overruns, all read, and was cancelled. Expiries counted as
 * overruns in a record the cancel discarded are in the counter alone.
 */
static void check_tick_stats(struct __test_metadata *_metadata,
			     const struct hw_stats *base, unsigned int n,
			     unsigned int overruns)
{
	struct hw_stats st;

	ASSERT_EQ(0, stats_settle(&st, base, SLACK_NS));
	EXPECT_EQ(1, st.armed - base->armed);
	EXPECT_EQ(1, st.cancelled - base->cancelled);
	EXPECT_EQ(0, st.completed - base->completed);
	EXPECT_EQ(n, st.ticks - base->ticks);
	EXPECT_EQ(n, st.queued - base->queued);
	EXPECT_LE(overruns, st.overruns - base->overruns);
	EXPECT_EQ(0, st.queue_lost - base->queue_lost);
}

/*
 * A periodic QUEUE registration, read as it goes: its records on the
 * grid, flagged PERIODIC, never early. Cancel stops it: nothing is
 * delivered after the cancel returned.
 */
#define NR_TICKS	10

TEST_F(queue, periodic_grid_and_cancel)
{
	const uint64_t delay = 20 * NSEC_PER_MSEC, period = 10 * NSEC_PER_MSEC;
	struct hwevent_event e[NR_TICKS + 64];
	uint64_t start, reg_end, cancelled, id, count;
	unsigned int n, overruns;
	struct hw_stats base;
	int got;

	stats_read(&base);
	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, period, 77);
	reg_end = now_ns();
	ASSERT_EQ(NR_TICKS, collect(self->fd, e, NR_TICKS,
				    delay + NR_TICKS * period + SLACK_NS));
	ASSERT_EQ(0, cancel_id(self->fd, id, 0, &count));
	cancelled = now_ns();
	ASSERT_EQ(1U, count);
	/* What came before the cancel returned, and nothing after. */
	got = read_wait(self->fd, e + NR_TICKS, ARRAY_SIZE(e) - NR_TICKS,
			QUIET_NS);
	ASSERT_LE(0, got);
	n = NR_TICKS + got;
	overruns = check_grid(_metadata, e, n, id, 77, period, start + delay,
			      reg_end + delay, cancelled);
	TH_LOG("%u records, %d of them read after the cancel; %u overruns",
	       n, got, overruns);
	/* Gone: not cancellable, not triggerable, and silent. */
	EXPECT_EQ(ENOENT, cancel_id(self->fd, id, 0, NULL));
	EXPECT_EQ(ENOENT, trigger_id(self->fd, id, 0, NULL));
	sleep_ns(10 * period);
	EXPECT_TRUE(stays_empty(self->fd)) TH_LOG("a record after the cancel");

	NEED_QUEUE_STATS("the tick counters");
	check_tick_stats(_metadata, &base, n, overruns);
}

/*
 * The shortest period, faster than the bottom half keeps up with under
 * emulation: overruns. In a queue large enough to lose nothing, every
 * record is still on the grid, counting them.
 */
TEST_F_TIMEOUT(queue, periodic_grid_min_period, 60)
{
	const uint64_t period = HWEVENT_MIN_PERIOD_NS, run = 200 * NSEC_PER_MSEC;
	const unsigned int max = run / period + 64;
	uint64_t start, reg_end, cancelled, id, count;
	unsigned int n, overruns;
	struct hwevent_event *e;
	struct hw_stats base;
	ssize_t got;
	int fd;

	SET_QUEUE_SIZE(QUEUE_SIZE_MAX);
	fd = open_nonblock(_metadata);
	e = calloc(max, REC);
	ASSERT_TRUE(e != NULL);
	stats_read(&base);
	start = now_ns();
	id = queue_reg(_metadata, fd, 0, period, 78);
	reg_end = now_ns();
	sleep_ns(run);
	ASSERT_EQ(0, cancel_id(fd, id, 0, &count));
	cancelled = now_ns();
	ASSERT_EQ(1U, count);
	got = xread(fd, e, max * REC);
	ASSERT_LT(0, got);
	ASSERT_EQ(0U, (size_t)got % REC);
	n = got / REC;
	ASSERT_GT(max, n) TH_LOG("more expiries than %llu ms of periods",
				 (unsigned long long)(cancelled - start) /
				 NSEC_PER_MSEC);
	overruns = check_grid(_metadata, e, n, id, 78, period, start, reg_end,
			      cancelled);
	TH_LOG("%u records, %u overruns in %llu ms", n, overruns,
	       (unsigned long long)(cancelled - start) / NSEC_PER_MSEC);
	/* Every expiry due by the cancel, but the last few, is accounted. */
	EXPECT_GE((cancelled - start) / period + 1, n + overruns);
	EXPECT_TRUE(stays_empty(fd));
	free(e);
	close(fd);

	NEED_QUEUE_STATS("the tick counters");
	check_tick_stats(_metadata, &base, n, overruns);
}

/*
 * A periodic EVENTFD registration, read as it goes, adds one per expiry,
 * never more than the expiries due by then; after its cancel, nothing.
 */
TEST_F(queue, periodic_eventfd_counts)
{
	const uint64_t delay = 10 * NSEC_PER_MSEC, period = 10 * NSEC_PER_MSEC;
	uint64_t start, now, sum, count, max;
	struct hwevent_register r;
	struct hw_stats base, st;

	stats_read(&base);
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, delay, 5);
	r.period_ns = period;
	start = now_ns();
	ASSERT_EQ(0, do_register(self->fd, &r));
	sum = efd_collect(self->efd, NR_TICKS,
			  delay + NR_TICKS * period + SLACK_NS);
	now = now_ns();
	ASSERT_LE((uint64_t)NR_TICKS, sum);
	/* Not early: the tenth expiry is due nine periods after the first. */
	ASSERT_LE(start + delay + (NR_TICKS - 1) * period, now);
	max = (now - start - delay) / period + 1;
	ASSERT_GE(max, sum);
	ASSERT_EQ(0, cancel_id(self->fd, r.id, 0, &count));
	ASSERT_EQ(1U, count);
	sum += efd_take(self->efd);
	sleep_ns(10 * period);
	EXPECT_EQ(0U, efd_stays_quiet(self->efd)) TH_LOG("counted after the cancel");
	TH_LOG("%llu counts", (unsigned long long)sum);

	NEED_QUEUE_STATS("the tick counters");
	ASSERT_EQ(0, stats_settle(&st, &base, SLACK_NS));
	EXPECT_EQ(1, st.cancelled - base.cancelled);
	EXPECT_EQ(0, st.completed - base.completed);
	/* One per delivery, and one per expiry it merged (overruns). */
	EXPECT_LE(st.ticks - base.ticks, (long long)sum);
	EXPECT_GE(st.ticks - base.ticks + st.overruns - base.overruns,
		  (long long)sum);
	EXPECT_EQ(base.eventfd_refs, st.eventfd_refs);
}

/* The shortest period, and a consumer that stops reading for this long. */
#define AWAY_NS		(200 * NSEC_PER_MSEC)

/*
 * A periodic EVENTFD registration whose eventfd is not read: after the
 * first expiry is counted, the next waits for a read, and its timer stops
 * meanwhile: a few interrupts in 200 ms, not 2000. A read lets the
 * waiting expiry through with every expiry since: the eventfd counts each
 * expiry, as a timerfd does, whatever the consumer's pace.
 */
TEST_F_TIMEOUT(queue, periodic_eventfd_waits_for_read, 60)
{
	const uint64_t period = HWEVENT_MIN_PERIOD_NS;
	uint64_t start, reg_end, t0, t1, sum, want, count;
	struct hwevent_register r;
	struct hw_stats base, st;

	NEED_QUEUE_STATS("the tick counters");
	ASSERT_TRUE(self->base.have_interrupts) TH_LOG("no interrupts counter");
	ASSERT_EQ(0, stats_read(&base));
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, 0, 6);
	r.period_ns = period;
	start = now_ns();
	ASSERT_EQ(0, do_register(self->fd, &r));
	reg_end = now_ns();
	sleep_ns(AWAY_NS);
	ASSERT_EQ(0, stats_read(&st));
	TH_LOG("away %llu ms: %lld interrupts, %lld ticks",
	       (unsigned long long)AWAY_NS / NSEC_PER_MSEC,
	       st.interrupts - base.interrupts, st.ticks - base.ticks);
	/* The first delivered, the second waiting: nothing more. */
	EXPECT_GE(3, st.interrupts - base.interrupts);
	EXPECT_EQ(1, st.ticks - base.ticks);

	/* Every expiry due by the first read is counted after it. */
	t0 = now_ns();
	want = (t0 - reg_end) / period + 1;
	sum = efd_take(self->efd);
	ASSERT_NE(UINT64_MAX, sum);
	ASSERT_LE(1U, sum);
	sum += efd_collect(self->efd, want - sum, SLACK_NS);
	t1 = now_ns();
	ASSERT_EQ(0, cancel_id(self->fd, r.id, 0, &count));
	ASSERT_EQ(1U, count);
	TH_LOG("%llu counted, %llu expiries due by the first read",
	       (unsigned long long)sum, (unsigned long long)want);
	EXPECT_LE(want, sum);
	/* Never more than were due. */
	EXPECT_GE((t1 - start) / period + 1, sum);
	sum += efd_take(self->efd);
	EXPECT_EQ(0U, efd_stays_quiet(self->efd)) TH_LOG("counted after the cancel");
	ASSERT_EQ(0, stats_settle(&st, &base, SLACK_NS));
	EXPECT_EQ(1, st.cancelled - base.cancelled);
	EXPECT_EQ(base.eventfd_refs, st.eventfd_refs);
	/* Each tick added one and its overruns. */
	EXPECT_LE((long long)sum, st.ticks - base.ticks +
		  st.overruns - base.overruns);
}

/*
 * A periodic QUEUE registration whose reader is away: once the queue is
 * full, its next record waits for room and its timer stops; nothing is
 * dropped. When the reader comes back, the record that waited comes with
 * the expiries skipped meanwhile in its overruns, still on the grid.
 */
TEST_F_TIMEOUT(queue, periodic_queue_waits_for_reader, 60)
{
	const uint64_t period = HWEVENT_MIN_PERIOD_NS;
	struct hwevent_event e[8];
	uint64_t start, reg_end, back, id, count;
	struct hw_stats base, st, mid;
	int fd, n;

	NEED_QUEUE_STATS("the tick counters");
	ASSERT_TRUE(self->base.have_interrupts) TH_LOG("no interrupts counter");
	SET_QUEUE_SIZE(4);
	fd = open_nonblock(_metadata);
	ASSERT_EQ(0, stats_read(&base));
	start = now_ns();
	id = queue_reg(_metadata, fd, 0, period, 8);
	reg_end = now_ns();
	sleep_ns(AWAY_NS);
	ASSERT_EQ(0, stats_read(&mid));
	TH_LOG("away %llu ms: %lld interrupts, %lld ticks",
	       (unsigned long long)AWAY_NS / NSEC_PER_MSEC,
	       mid.interrupts - base.interrupts, mid.ticks - base.ticks);
	/* Four records, the fifth waiting: no more interrupts than that. */
	EXPECT_EQ(4, mid.ticks - base.ticks);
	EXPECT_GE(6, mid.interrupts - base.interrupts);
	EXPECT_EQ(0, mid.queue_lost - base.queue_lost);

	back = now_ns();
	n = collect(fd, e, 5, SLACK_NS);
	ASSERT_EQ(5, n) TH_LOG("the record that waited did not come");
	ASSERT_EQ(0, cancel_id(fd, id, 0, &count));
	check_grid(_metadata, e, n, id, 8, period, start, reg_end, now_ns());
	/* The fifth: due before we came back, its next one after. */
	EXPECT_GT(back, e[4].due_ns);
	EXPECT_LT(back, e[4].due_ns + (1 + (uint64_t)e[4].overruns) * period)
		TH_LOG("overruns %u", e[4].overruns);
	close(fd);
	ASSERT_EQ(0, stats_settle(&st, &base, SLACK_NS));
	EXPECT_EQ(0, st.queue_lost - base.queue_lost);
}

/* Periodic registrations end when their file is released: dropped. */
TEST_F(queue, periodic_dropped_at_close)
{
	const uint64_t period = 5 * NSEC_PER_MSEC;
	struct hwevent_register r;
	struct hw_stats base, st;
	struct hwevent_event e;
	int fd;

	stats_read(&base);
	fd = open_nonblock(_metadata);
	queue_reg(_metadata, fd, 0, period, 1);
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, 0, 2);
	r.period_ns = period;
	ASSERT_EQ(0, do_register(fd, &r));
	ASSERT_LE(2U, efd_collect(self->efd, 2, SLACK_NS));
	ASSERT_EQ(1, read_wait(fd, &e, 1, SLACK_NS));
	EXPECT_EQ(HWEVENT_EVENT_PERIODIC, e.flags & ~HWEVENT_EVENT_LOST);
	close(fd);
	efd_take(self->efd);
	sleep_ns(10 * period);
	EXPECT_EQ(0U, efd_stays_quiet(self->efd)) TH_LOG("counted after close");

	NEED_QUEUE_STATS("the end counters");
	ASSERT_EQ(0, stats_settle(&st, &base, SLACK_NS));
	EXPECT_EQ(2, st.armed - base.armed);
	EXPECT_EQ(2, st.dropped - base.dropped);
	EXPECT_EQ(0, st.completed - base.completed);
	EXPECT_EQ(base.live, st.live);
	EXPECT_EQ(base.eventfd_refs, st.eventfd_refs);
}

/* period_ns: only EVENTFD and QUEUE, from MIN_PERIOD to MAX_DELAY. */
TEST_F(queue, period_bounds)
{
	static const struct {
		uint32_t mode;
		uint64_t period;
		int want;
	} cases[] = {
		{ HWEVENT_MODE_PENDING, HWEVENT_MIN_PERIOD_NS, EINVAL },
		{ HWEVENT_MODE_PENDING, NSEC_PER_SEC, EINVAL },
		{ HWEVENT_MODE_EVENTFD, 1, EINVAL },
		{ HWEVENT_MODE_QUEUE, 1, EINVAL },
		{ HWEVENT_MODE_EVENTFD, HWEVENT_MIN_PERIOD_NS - 1, EINVAL },
		{ HWEVENT_MODE_QUEUE, HWEVENT_MIN_PERIOD_NS - 1, EINVAL },
		{ HWEVENT_MODE_EVENTFD, HWEVENT_MAX_DELAY_NS + 1, EINVAL },
		{ HWEVENT_MODE_QUEUE, HWEVENT_MAX_DELAY_NS + 1, EINVAL },
		{ HWEVENT_MODE_QUEUE, UINT64_MAX, EINVAL },
		{ HWEVENT_MODE_EVENTFD, HWEVENT_MIN_PERIOD_NS, 0 },
		{ HWEVENT_MODE_QUEUE, HWEVENT_MIN_PERIOD_NS, 0 },
		{ HWEVENT_MODE_EVENTFD, HWEVENT_MAX_DELAY_NS, 0 },
		{ HWEVENT_MODE_QUEUE, HWEVENT_MAX_DELAY_NS, 0 },
	};
	struct hwevent_register r;
	struct hwevent_event e;
	struct pester p;
	uint64_t count = 0;
	unsigned int i;
	int pending;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* The shortest period fires at once, the longest never. */
		reg_set(&r, cases[i].mode, self->efd,
			cases[i].period == HWEVENT_MIN_PERIOD_NS ? 0 : NEVER_NS,
			i);
		r.period_ns = cases[i].period;
		/* Were PENDING accepted, it would sleep: bound it. */
		pending = r.mode == HWEVENT_MODE_PENDING;
		if (pending)
			pester_start(_metadata, &p, SLACK_NS / NSEC_PER_MSEC,
				     100, 0);
		EXPECT_EQ(cases[i].want, do_register(self->fd, &r))
			TH_LOG("mode %u period %llu", cases[i].mode,
			       (unsigned long long)cases[i].period);
		if (pending)
			pester_stop(_metadata, &p);
		if (cases[i].want)
			continue;
		if (r.period_ns == HWEVENT_MIN_PERIOD_NS &&
		    r.mode == HWEVENT_MODE_QUEUE) {
			ASSERT_EQ(1, read_wait(self->fd, &e, 1, SLACK_NS));
			EXPECT_EQ(r.id, e.id);
			EXPECT_NE(0U, e.flags & HWEVENT_EVENT_PERIODIC);
		}
		if (r.period_ns == HWEVENT_MIN_PERIOD_NS &&
		    r.mode == HWEVENT_MODE_EVENTFD)
			EXPECT_LE(1U, efd_collect(self->efd, 1, SLACK_NS));
		/* Accepted, it keeps going until cancelled. */
		EXPECT_EQ(0, cancel_id(self->fd, r.id, 0, &count));
		EXPECT_EQ(1U, count);
	}
	/* Drain what the shortest ones queued before their cancel. */
	while (xread(self->fd, &e, REC) == (ssize_t)REC)
		;
	efd_take(self->efd);
	EXPECT_TRUE(stays_empty(self->fd));
	EXPECT_EQ(0U, efd_stays_quiet(self->efd));
}

/*
 * HWEVENT_IOC_TRIGGER by id: a one-shot fires now, long before it is due,
 * flagged TRIGGERED; it is gone afterwards. EVENTFD ones are signalled.
 */
TEST_F(queue, trigger_by_id)
{
	const uint64_t delay = 10 * NSEC_PER_SEC;
	struct hwevent_register r;
	struct hw_stats base, st;
	struct hwevent_event e;
	uint64_t start, id, count, end;

	stats_read(&base);
	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, 0, 11);
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, delay, 12);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(0, trigger_id(self->fd, id, 0, &count));
	ASSERT_EQ(1U, count);
	ASSERT_EQ(1, read_wait(self->fd, &e, 1, SLACK_NS));
	end = now_ns();
	ASSERT_GT(start + delay, end) TH_LOG("it waited for its timer");
	check_event(_metadata, &e, id, 11, start + delay, end);
	EXPECT_EQ(HWEVENT_EVENT_TRIGGERED, e.flags);
	/* Before due: the header allows it for a triggered record. */
	EXPECT_GT(e.due_ns, e.irq_ns);
	EXPECT_EQ(0U, e.overruns);

	ASSERT_EQ(0, trigger_id(self->fd, r.id, 0, &count));
	ASSERT_EQ(1U, count);
	ASSERT_EQ(1U, efd_collect(self->efd, 1, SLACK_NS));
	ASSERT_GT(start + delay, now_ns());

	/* Both have fired: gone. */
	EXPECT_EQ(ENOENT, trigger_id(self->fd, id, 0, NULL));
	EXPECT_EQ(ENOENT, trigger_id(self->fd, r.id, 0, NULL));
	EXPECT_EQ(ENOENT, cancel_id(self->fd, id, 0, NULL));
	EXPECT_EQ(0U, efd_stays_quiet(self->efd));
	EXPECT_TRUE(stays_empty(self->fd));

	NEED_QUEUE_STATS("the triggered counter");
	ASSERT_EQ(0, stats_settle(&st, &base, SLACK_NS));
	EXPECT_EQ(2, st.triggered - base.triggered);
	EXPECT_EQ(2, st.completed - base.completed);
	EXPECT_EQ(base.live, st.live);
}

/* TRIGGER_ALL fires every armed registration of the file, only those. */
TEST_F(queue, trigger_all)
{
	const uint64_t delay = 10 * NSEC_PER_SEC;
	struct hwevent_event e[8];
	struct hwevent_register r;
	uint64_t count, start, cancelled;
	unsigned int i;
	int fd2, efd2;

	fd2 = open_nonblock(_metadata);
	efd2 = make_eventfd();
	ASSERT_LE(0, efd2);
	/* Another file's registrations are untouched. */
	queue_reg(_metadata, fd2, delay, 0, 99);
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd2, delay, 99);
	ASSERT_EQ(0, do_register(fd2, &r));

	/* None armed yet. */
	ASSERT_EQ(0, trigger_id(self->fd, 0, HWEVENT_TRIGGER_ALL, &count));
	ASSERT_EQ(0U, count);
	start = now_ns();
	for (i = 0; i < 5; i++)
		queue_reg(_metadata, self->fd, delay, 0, i);
	for (i = 0; i < 3; i++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, delay, 10 + i);
		ASSERT_EQ(0, do_register(self->fd, &r));
	}
	/* A cancelled one is not armed. */
	cancelled = queue_reg(_metadata, self->fd, delay, 0, 20);
	ASSERT_EQ(0, cancel_id(self->fd, cancelled, 0, NULL));

	ASSERT_EQ(0, trigger_id(self->fd, 0, HWEVENT_TRIGGER_ALL, &count));
	ASSERT_EQ(8U, count);
	ASSERT_EQ(5, collect(self->fd, e, 5, SLACK_NS));
	ASSERT_EQ(3U, efd_collect(self->efd, 3, SLACK_NS));
	ASSERT_GT(start + delay, now_ns());
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(HWEVENT_EVENT_TRIGGERED, e[i].flags);
		EXPECT_GT(cancelled, e[i].id);
	}
	/* Nothing left to fire. */
	ASSERT_EQ(0, trigger_id(self->fd, 0, HWEVENT_TRIGGER_ALL, &count));
	ASSERT_EQ(0U, count);
	EXPECT_TRUE(stays_empty(self->fd));
	EXPECT_EQ(0U, efd_stays_quiet(self->efd));
	EXPECT_TRUE(stays_empty(fd2));
	EXPECT_EQ(0U, efd_take(efd2));
	/* fd2's two are still armed. */
	ASSERT_EQ(0, cancel_id(fd2, 0, HWEVENT_CANCEL_ALL, &count));
	EXPECT_EQ(2U, count);
	close(efd2);
	close(fd2);
}

TEST_F(queue, trigger_enoent)
{
	struct hwevent_register r;
	uint64_t count;
	int fd2;

	/* A new file: no id was ever issued. */
	EXPECT_EQ(ENOENT, trigger_id(self->fd, 1, 0, NULL));
	EXPECT_EQ(ENOENT, trigger_id(self->fd, UINT64_MAX, 0, NULL));
	/* Fired (a PENDING call completed), or cancelled. */
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	EXPECT_EQ(ENOENT, trigger_id(self->fd, r.id, 0, NULL));
	queue_reg(_metadata, self->fd, NEVER_NS, 0, 0);
	ASSERT_EQ(0, cancel_id(self->fd, 2, 0, NULL));
	EXPECT_EQ(ENOENT, trigger_id(self->fd, 2, 0, NULL));
	/* Another file's id 1. */
	fd2 = open_nonblock(_metadata);
	queue_reg(_metadata, fd2, NEVER_NS, 0, 0);
	queue_reg(_metadata, fd2, NEVER_NS, 0, 0);
	queue_reg(_metadata, fd2, NEVER_NS, 0, 0);
	EXPECT_EQ(ENOENT, trigger_id(self->fd, 3, 0, NULL));
	/* The misses fired nothing. */
	ASSERT_EQ(0, cancel_id(fd2, 0, HWEVENT_CANCEL_ALL, &count));
	EXPECT_EQ(3U, count);
	EXPECT_TRUE(stays_empty(fd2));
	close(fd2);
}

/*
 * HWEVENT_TRIGGER_COOKIE fires every armed registration with the cookie
 * and no other; fired, they are no longer armed (ENOENT the second time).
 */
TEST_F(queue, trigger_by_cookie)
{
	static const uint64_t cookies[] = { 3, 4, 3 };
	struct hwevent_event e[2];
	uint64_t count;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cookies); i++)
		queue_reg(_metadata, self->fd, NEVER_NS, 0, cookies[i]);
	ASSERT_EQ(0, trigger_id(self->fd, 3, HWEVENT_TRIGGER_COOKIE, &count));
	EXPECT_EQ(2U, count);
	ASSERT_EQ(2, collect(self->fd, e, 2, SLACK_NS));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(3U, e[i].cookie);
		EXPECT_NE(2U, e[i].id);
		EXPECT_EQ(HWEVENT_EVENT_TRIGGERED, e[i].flags);
	}
	EXPECT_EQ(ENOENT, trigger_id(self->fd, 3, HWEVENT_TRIGGER_COOKIE, NULL));
	/* Id 2, cookie 4, is still armed. */
	ASSERT_EQ(0, cancel_id(self->fd, 2, 0, &count));
	EXPECT_EQ(1U, count);
}

TEST_F(queue, trigger_inval)
{
	struct hwevent_trigger t;
	unsigned int i;
	uint64_t count, id;

	/* Id 1 stays armed through all of this. */
	id = queue_reg(_metadata, self->fd, NEVER_NS, 0, 0);
	ASSERT_EQ(1U, id);
	/* Bits 0 and 1 are ALL and COOKIE. */
	for (i = 2; i < 32; i++) {
		EXPECT_EQ(EINVAL, trigger_id(self->fd, 1, 1U << i, NULL))
			TH_LOG("flags %#x", 1U << i);
		EXPECT_EQ(EINVAL, trigger_id(self->fd, 0,
					     HWEVENT_TRIGGER_ALL | 1U << i, NULL))
			TH_LOG("flags ALL | %#x", 1U << i);
		EXPECT_EQ(EINVAL, trigger_id(self->fd, 0,
					     HWEVENT_TRIGGER_COOKIE | 1U << i, NULL))
			TH_LOG("flags COOKIE | %#x", 1U << i);
	}
	EXPECT_EQ(EINVAL, trigger_id(self->fd, 0,
				     HWEVENT_TRIGGER_ALL | HWEVENT_TRIGGER_COOKIE,
				     NULL));
	EXPECT_EQ(EINVAL, trigger_id(self->fd, 0, UINT32_MAX, NULL));
	t = (struct hwevent_trigger){ .id = 1, .padding = 1 };
	EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_TRIGGER, &t));
	t = (struct hwevent_trigger){ .flags = HWEVENT_TRIGGER_ALL,
				      .padding = UINT32_MAX };
	EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_TRIGGER, &t));
	t = (struct hwevent_trigger){ .id = 1, .reserved = 1 };
	EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_TRIGGER, &t));
	t = (struct hwevent_trigger){ .flags = HWEVENT_TRIGGER_ALL,
				      .reserved = 1ULL << 63 };
	EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_TRIGGER, &t));
	/* One id, or all of them: never both, never neither. */
	EXPECT_EQ(EINVAL, trigger_id(self->fd, 1, HWEVENT_TRIGGER_ALL, NULL));
	EXPECT_EQ(EINVAL, trigger_id(self->fd, 0, 0, NULL));
	/* HWEVENT_IOC_TRIGGER's number with other sizes is not it. */
	expect_other_sizes_enotty(_metadata, self->fd, 2,
				  sizeof(struct hwevent_trigger));

	/* None of them fired anything. */
	EXPECT_TRUE(stays_empty(self->fd));
	ASSERT_EQ(0, cancel_id(self->fd, 1, 0, &count));
	ASSERT_EQ(1U, count);
}

TEST_F(queue, trigger_fault)
{
	long page = getpagesize();
	struct hwevent_trigger t = { .id = 1 }, *p;
	uint64_t count;
	char *buf;

	ASSERT_EQ(1U, queue_reg(_metadata, self->fd, NEVER_NS, 0, 0));
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));

	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_TRIGGER, NULL));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_TRIGGER, buf + page));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_TRIGGER, (void *)-page));
	/* A good request whose last 8 bytes (reserved) are unmapped. */
	p = (void *)(buf + page + 8 - sizeof(*p));
	memcpy(p, &t, sizeof(t) - 8);
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_TRIGGER, p));
	/* Readable, but the count cannot be written back: by id, and ALL. */
	memcpy(buf, &t, sizeof(t));
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_TRIGGER, buf));
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ | PROT_WRITE));
	t = (struct hwevent_trigger){ .flags = HWEVENT_TRIGGER_ALL };
	memcpy(buf, &t, sizeof(t));
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_TRIGGER, buf));
	munmap(buf, 2 * page);

	/* Nothing was fired. */
	EXPECT_TRUE(stays_empty(self->fd));
	ASSERT_EQ(0, cancel_id(self->fd, 1, 0, &count));
	ASSERT_EQ(1U, count);
}

/* A PENDING caller sleeping in another thread returns 0, TRIGGERED. */
TEST_F(queue, trigger_pending_waiter)
{
	struct waiter w;
	uint64_t count, id, triggered;

	waiter_start(_metadata, &w, self->fd, NEVER_NS, 31);
	id = waiter_id(&w);
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, op_armed(trigger_id, self->fd, id, &count));
	triggered = now_ns();
	ASSERT_EQ(1U, count);
	ASSERT_TRUE(waiter_join(_metadata, &w, SLACK_NS))
		TH_LOG("the waiter kept sleeping after the trigger");
	ASSERT_EQ(0, w.ret) TH_LOG("%s", strerror(w.ret));
	EXPECT_EQ(id, w.r.event.id);
	EXPECT_EQ(31U, w.r.event.cookie);
	EXPECT_EQ(HWEVENT_EVENT_TRIGGERED, w.r.event.flags);
	EXPECT_LE(w.r.event.irq_ns, w.r.event.bh_ns);
	EXPECT_GE(triggered, w.r.event.irq_ns);
	EXPECT_GE(w.returned_ns, w.r.event.bh_ns);
	EXPECT_EQ(0U, w.r.event.lost);
	EXPECT_EQ(0U, w.r.event.data);
	EXPECT_EQ(ENOENT, trigger_id(self->fd, id, 0, NULL));
	/* PENDING records never go to the queue. */
	EXPECT_TRUE(stays_empty(self->fd));
}

/*
 * A periodic registration triggered gets one extra record, TRIGGERED and
 * PERIODIC, and keeps its period: the next ones are on its first grid.
 */
TEST_F(queue, trigger_periodic)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC, period = 500 * NSEC_PER_MSEC;
	uint64_t start, reg_end, id, count, triggered, seen, end;
	struct hwevent_event e[8];

	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, period, 55);
	reg_end = now_ns();
	ASSERT_EQ(0, trigger_id(self->fd, id, 0, &count));
	triggered = now_ns();
	ASSERT_EQ(1U, count);
	/* The extra one, at once: its interrupt ran in the ioctl. */
	ASSERT_EQ(1, read_wait(self->fd, e, 1, SLACK_NS));
	seen = now_ns();
	ASSERT_GT(start + delay, seen) TH_LOG("too slow to tell");
	check_event(_metadata, &e[0], id, 55, 0, seen);
	EXPECT_EQ(HWEVENT_EVENT_TRIGGERED | HWEVENT_EVENT_PERIODIC, e[0].flags);
	EXPECT_LE(start, e[0].irq_ns);
	EXPECT_GE(triggered, e[0].irq_ns);
	/* Then two on the grid the registration started: the period kept. */
	ASSERT_EQ(2, collect(self->fd, e, 2, delay + 2 * period + SLACK_NS));
	ASSERT_EQ(0, cancel_id(self->fd, id, 0, &count));
	ASSERT_EQ(1U, count);
	end = now_ns();
	check_grid(_metadata, e, 2, id, 55, period, start + delay,
		   reg_end + delay, end);
	while (xread(self->fd, e, sizeof(e)) > 0)
		;
}

/*
 * A periodic registration triggered after its first expiry: the record's
 * due_ns is when its timer was due next, the first record's due_ns plus
 * (1 + overruns) periods, not the first's nor the trigger's time.
 */
TEST_F(queue, trigger_periodic_after_tick_due_ns)
{
	const uint64_t delay = 50 * NSEC_PER_MSEC, period = 3 * NSEC_PER_SEC;
	struct hwevent_event e[2];
	uint64_t start, id, count, next, triggered;

	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, period, 57);
	ASSERT_EQ(1, read_wait(self->fd, e, 1, delay + SLACK_NS));
	check_event(_metadata, &e[0], id, 57, start + delay, now_ns());
	EXPECT_EQ(HWEVENT_EVENT_PERIODIC, e[0].flags);
	next = e[0].due_ns + (1 + (uint64_t)e[0].overruns) * period;
	triggered = now_ns();
	ASSERT_EQ(0, trigger_id(self->fd, id, 0, &count));
	ASSERT_EQ(1U, count);
	ASSERT_EQ(1, read_wait(self->fd, e + 1, 1, SLACK_NS));
	ASSERT_GT(next, now_ns()) TH_LOG("too slow to tell");
	ASSERT_EQ(0, cancel_id(self->fd, id, 0, &count));
	EXPECT_EQ(HWEVENT_EVENT_TRIGGERED | HWEVENT_EVENT_PERIODIC, e[1].flags);
	EXPECT_EQ(next, e[1].due_ns);
	EXPECT_LE(triggered, e[1].irq_ns);
	EXPECT_GT(next, e[1].irq_ns);
	EXPECT_TRUE(stays_empty(self->fd));
}

/*
 * Two triggers of a periodic registration in a row: each is one extra
 * record, or, fired "as if its timer had expired" before the bottom half
 * delivered the first, counted in that record's overruns (the header
 * allows either reading): never lost, never counted twice.
 */
TEST_F(queue, trigger_periodic_twice)
{
	const uint64_t delay = 10 * NSEC_PER_SEC;
	unsigned int overruns = 0;
	struct hwevent_event e[4];
	uint64_t start, id, count;
	int got, i;

	start = now_ns();
	id = queue_reg(_metadata, self->fd, delay, delay, 56);
	ASSERT_EQ(0, trigger_id(self->fd, id, 0, &count));
	ASSERT_EQ(1U, count);
	ASSERT_EQ(0, trigger_id(self->fd, id, 0, &count));
	ASSERT_EQ(1U, count);
	got = read_wait(self->fd, e, ARRAY_SIZE(e), SLACK_NS);
	ASSERT_LE(0, got);
	if (got == 1 && !e[0].overruns)
		got += read_wait(self->fd, e + 1, 1, SLACK_NS);
	ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow to tell");
	ASSERT_EQ(0, cancel_id(self->fd, id, 0, &count));
	for (i = 0; i < got; i++) {
		EXPECT_EQ(HWEVENT_EVENT_TRIGGERED | HWEVENT_EVENT_PERIODIC,
			  e[i].flags);
		overruns += e[i].overruns;
	}
	TH_LOG("%d records, %u overruns", got, overruns);
	EXPECT_EQ(2U, got + overruns);
	EXPECT_TRUE(stays_empty(self->fd));
}

/*
 * TRIGGER_ALL fires periodic registrations too, and counts them: each
 * gets one extra record, TRIGGERED and PERIODIC, and stays armed, so a
 * second TRIGGER_ALL fires (and counts) them again, and CANCEL_ALL then
 * takes them; the one-shot fired by the first is gone.
 */
TEST_F(queue, trigger_all_periodic)
{
	const uint64_t delay = 10 * NSEC_PER_SEC;
	struct hwevent_event e[8];
	uint64_t start, count, ids[3];
	unsigned int i, periodic;
	int got;

	start = now_ns();
	ids[0] = queue_reg(_metadata, self->fd, delay, delay, 60);
	ids[1] = queue_reg(_metadata, self->fd, delay, 0, 61);
	ids[2] = queue_reg(_metadata, self->fd, delay, delay, 62);
	ASSERT_EQ(0, trigger_id(self->fd, 0, HWEVENT_TRIGGER_ALL, &count));
	ASSERT_EQ(3U, count);
	ASSERT_EQ(3, collect(self->fd, e, 3, SLACK_NS));
	for (i = 0, periodic = 0; i < 3; i++) {
		unsigned int k = e[i].id - 1;

		ASSERT_GT(3U, k);
		check_event(_metadata, &e[i], ids[k], 60 + k, start + delay,
			    now_ns());
		EXPECT_EQ(HWEVENT_EVENT_TRIGGERED |
			  (k == 1 ? 0 : HWEVENT_EVENT_PERIODIC), e[i].flags)
			TH_LOG("id %llu", (unsigned long long)e[i].id);
		EXPECT_EQ(0U, e[i].overruns);
		periodic += k != 1;
	}
	EXPECT_EQ(2U, periodic);

	/* Only the periodic two are still armed. */
	ASSERT_EQ(0, trigger_id(self->fd, 0, HWEVENT_TRIGGER_ALL, &count));
	ASSERT_EQ(2U, count);
	got = collect(self->fd, e, 2, SLACK_NS);
	ASSERT_EQ(2, got);
	for (i = 0; i < 2; i++) {
		EXPECT_NE(ids[1], e[i].id);
		EXPECT_EQ(HWEVENT_EVENT_TRIGGERED | HWEVENT_EVENT_PERIODIC,
			  e[i].flags);
	}
	EXPECT_NE(e[0].id, e[1].id);
	ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow to tell");
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	EXPECT_EQ(2U, count);
	EXPECT_TRUE(stays_empty(self->fd));
}

/*
 * Cancel is final for a periodic registration at any moment of its life,
 * even while the bottom half is delivering its expiries back to back:
 * every record it delivered was delivered (bh_ns) before the cancel
 * returned, and nothing is queued afterwards. Many short runs at the
 * shortest period, so that cancels land in the middle of deliveries.
 */
#define NR_CANCEL_RUNS	20

TEST_F_TIMEOUT(queue, periodic_cancel_is_final, 60)
{
	const uint64_t period = HWEVENT_MIN_PERIOD_NS;
	struct hwevent_event e[64];
	unsigned int run, i, late = 0, total = 0;
	struct hw_stats after, st;
	uint64_t id, count, cancelled;
	int got, fd = self->fd;

	for (run = 0; run < NR_CANCEL_RUNS; run++) {
		id = queue_reg(_metadata, fd, 0, period, run);
		/* From 1 ms to about 5 ms of expiries. */
		sleep_ns((1 + run % 5) * NSEC_PER_MSEC);
		ASSERT_EQ(0, cancel_id(fd, id, 0, &count));
		cancelled = now_ns();
		ASSERT_EQ(1U, count);
		stats_read(&after);
		while ((got = xread(fd, e, sizeof(e))) > 0) {
			ASSERT_EQ(0, got % (int)REC);
			for (i = 0; i < got / REC; i++) {
				ASSERT_EQ(id, e[i].id);
				total++;
				if (e[i].bh_ns > cancelled)
					late++;
			}
		}
		ASSERT_EQ(-EAGAIN, got);
		EXPECT_TRUE(stays_empty(fd))
			TH_LOG("run %u: a record queued after the cancel", run);
		if (self->have_stats && self->base.have_queue) {
			ASSERT_EQ(0, stats_read(&st));
			EXPECT_EQ(after.queued, st.queued)
				TH_LOG("run %u: queued after the cancel", run);
		}
	}
	TH_LOG("%u records in %u runs", total, NR_CANCEL_RUNS);
	EXPECT_EQ(0U, late) TH_LOG("records delivered after their cancel returned");
}

/* Read sizes: each variant queues some records and reads once. */

FIXTURE(read_size) {
	int fd;
};

FIXTURE_VARIANT(read_size) {
	size_t size;		/* the buffer passed to read(2) */
	unsigned int queued;	/* records queued before */
	int want;		/* records read, or -errno */
};

FIXTURE_VARIANT_ADD(read_size, zero) {
	.size = 0, .queued = 1, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(read_size, one) {
	.size = 1, .queued = 1, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(read_size, record_minus_1) {
	.size = REC - 1, .queued = 2, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(read_size, record) {
	.size = REC, .queued = 2, .want = 1,
};

FIXTURE_VARIANT_ADD(read_size, record_plus_1) {
	.size = REC + 1, .queued = 2, .want = 1,
};

FIXTURE_VARIANT_ADD(read_size, two_for_one) {
	.size = 2 * REC, .queued = 1, .want = 1,
};

FIXTURE_VARIANT_ADD(read_size, three_and_a_bit_of_five) {
	.size = 3 * REC + 10, .queued = 5, .want = 3,
};

FIXTURE_VARIANT_ADD(read_size, all_of_five) {
	.size = 64 * REC, .queued = 5, .want = 5,
};

FIXTURE_SETUP(read_size)
{
	queue_size_reset();
	self->fd = open_nonblock(_metadata);
}

FIXTURE_TEARDOWN(read_size)
{
	close(self->fd);
}

TEST_F(read_size, reads)
{
	struct hwevent_event buf[64 + 1], rest[8];
	unsigned int i, left;
	struct hw_stats base;
	ssize_t n;

	stats_read(&base);
	for (i = 0; i < variant->queued; i++)
		queue_reg(_metadata, self->fd, 0, 0, i);
	wait_queued(_metadata, self->fd, &base, variant->queued);
	memset(buf, 0xa5, sizeof(buf));
	n = xread(self->fd, buf, variant->size);
	if (variant->want < 0) {
		ASSERT_EQ(variant->want, n);
		left = variant->queued;
	} else {
		ASSERT_EQ((ssize_t)(variant->want * REC), n)
			TH_LOG("read: %zd", n);
		for (i = 0; i < (unsigned int)variant->want; i++) {
			EXPECT_EQ(i, buf[i].cookie);
			EXPECT_EQ(0U, buf[i].lost);
		}
		/* Nothing written past the whole records. */
		EXPECT_EQ(0xa5, ((unsigned char *)buf)[n]);
		left = variant->queued - variant->want;
	}
	/* The rest is still queued, in order, none lost. */
	n = xread(self->fd, rest, sizeof(rest));
	if (!left) {
		ASSERT_EQ(-EAGAIN, n);
		return;
	}
	ASSERT_EQ((ssize_t)(left * REC), n);
	for (i = 0; i < left; i++) {
		EXPECT_EQ(variant->queued - left + i, rest[i].cookie);
		EXPECT_EQ(0U, rest[i].lost);
	}
}

int main(int argc, char **argv)
{
	int ret;

	require_device();
	initial_queue_size = param_read(QUEUE_SIZE_PATH);
	ret = test_harness_run(argc, argv);
	queue_size_reset();
	return ret;
}
