// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_uring_test - io_uring reads of the record queue of /dev/hwevent
 * (HWEVENT_MODE_QUEUE), through liburing.
 *
 * The driver's read honours IOCB_NOWAIT, its files are FMODE_NOWAIT and its
 * poll reports EPOLLIN while a record is queued. So io_uring tries an
 * IORING_OP_READ without blocking, gets EAGAIN from an empty queue, and
 * waits on the file's wait queue like poll(2) would, instead of handing the
 * read to an io-wq worker, a thread of this process named "iou-wrk-<tid>"
 * (before 5.12 a kernel thread) that would sleep in read(2) until a record
 * came, one thread per read.
 *
 * FIXTURE(uring) checks: a read completes with one whole record when its
 * registration fires, never before; while reads wait no worker thread
 * exists, nor after they completed (and, so that this check can fail, the
 * count does see a worker when IOSQE_ASYNC forces one); many reads in
 * flight take one distinct record each and lose none; a buffer smaller
 * than a record fails with EINVAL and takes nothing; a read takes every
 * queued record that fits; IORING_OP_ASYNC_CANCEL ends a waiting read with
 * ECANCELED and leaves later records to read(2); and closing the ring and
 * the file with a read in flight, in either order, lets the file be
 * released: its registrations end as dropped (debugfs hwevent/stats, where
 * it can be read; that part is skipped otherwise).
 *
 * Timing is strict in one direction only: a record never arrives before its
 * delay has passed. How late it may be is generous (SLACK_NS): QEMU without
 * KVM is slow.
 *
 * Needs /dev/hwevent (load hwevent.ko, CONFIG_HWEVENT) and, as the node is
 * mode 0600, root, and io_uring (CONFIG_IO_URING, not disabled by sysctl);
 * without them all tests are skipped. The leak checks assume that no other
 * program uses the device meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/hwevent.h>

#include "hwevent_util.h"
#include "hwevent_uring_util.h"

/* The 6.1 harness's SIGALRM handler leaves its ucontext unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/* One record: the unit of every read. */
#define REC			((unsigned int)sizeof(struct hwevent_event))
/* How late a record may be seen: software emulation is slow. */
#define SLACK_NS		(5 * NSEC_PER_SEC)
/* How long a waiting read is left alone before it is looked at. */
#define QUIET_NS		(100 * NSEC_PER_MSEC)
/* A delay that outlasts any test: only HWEVENT_IOC_TRIGGER fires it. */
#define NEVER_NS		HWEVENT_MAX_DELAY_NS
/* Reads in flight at once in the many_reads test. */
#define NR_READS		8U

/* A one-shot QUEUE registration on @fd; returns its id. */
static __u64 reg_queue(struct __test_metadata *_metadata, int fd,
		       __u64 delay_ns, __u64 cookie)
{
	struct hwevent_register r;
	int err;

	reg_set(&r, HWEVENT_MODE_QUEUE, -1, delay_ns, cookie);
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	ASSERT_EQ(0, err) TH_LOG("REGISTER (queue): %s", errno_name(err));
	ASSERT_NE(0U, r.id);
	return r.id;
}

/* HWEVENT_IOC_TRIGGER of @id, or of all with id 0; returns the count. */
static __u64 trigger(struct __test_metadata *_metadata, int fd, __u64 id)
{
	struct hwevent_trigger t = {
		.id = id,
		.flags = id ? 0 : HWEVENT_TRIGGER_ALL,
	};
	int err = xioctl(fd, HWEVENT_IOC_TRIGGER, &t);

	ASSERT_EQ(0, err) TH_LOG("TRIGGER %llu: %s", (unsigned long long)id,
				 errno_name(err));
	return t.count;
}

/* Queues an IORING_OP_READ of @len bytes of @fd; submitted by the caller. */
static void prep_read(struct __test_metadata *_metadata, struct io_uring *ring,
		      int fd, void *buf, unsigned int len, __u64 data,
		      unsigned int sqe_flags)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	ASSERT_NE(NULL, sqe);
	/* Offset -1: the file position, which a stream does not have. */
	io_uring_prep_read(sqe, fd, buf, len, -1);
	io_uring_sqe_set_data64(sqe, data);
	io_uring_sqe_set_flags(sqe, sqe_flags);
}

static void submit(struct __test_metadata *_metadata, struct io_uring *ring,
		   int want)
{
	int ret = io_uring_submit(ring);

	ASSERT_EQ(want, ret) TH_LOG("io_uring_submit: %s",
				    ret < 0 ? strerror(-ret) : "short");
}

/* One read, submitted at once. */
static void submit_read(struct __test_metadata *_metadata,
			struct io_uring *ring, int fd, void *buf,
			unsigned int len, __u64 data, unsigned int sqe_flags)
{
	prep_read(_metadata, ring, fd, buf, len, data, sqe_flags);
	submit(_metadata, ring, 1);
}

/*
 * Waits up to @timeout_ns for a completion: 0 with its user data and
 * result, or -ETIME (a negative errno) if none came.
 */
static int reap(struct io_uring *ring, __u64 timeout_ns, __u64 *data,
		int *res)
{
	struct cqe_copy c;
	int ret = reap32(ring, timeout_ns, &c);

	if (!ret) {
		*data = c.data;
		*res = c.res;
	}
	return ret;
}

/* Asserts that no completion comes within QUIET_NS: the reads still wait. */
static void stays_quiet(struct __test_metadata *_metadata,
			struct io_uring *ring)
{
	__u64 data = 0;
	int res = 0;

	ASSERT_EQ(-ETIME, reap(ring, QUIET_NS, &data, &res))
		TH_LOG("a read completed early: data %llu res %d",
		       (unsigned long long)data, res);
}

/* Waits for one completion, which must be @data's, and returns its result. */
static int reap_one(struct __test_metadata *_metadata, struct io_uring *ring,
		    __u64 data)
{
	__u64 got = 0, t0 = now_ns();
	int res = 0, ret;

	ret = reap(ring, SLACK_NS, &got, &res);
	/* How long it waited, measured: not the time it was given. */
	ASSERT_EQ(0, ret) TH_LOG("no completion after %.3f s (of %llu): %s",
				 (now_ns() - t0) / 1e9,
				 SLACK_NS / NSEC_PER_SEC, strerror(-ret));
	ASSERT_EQ(data, got);
	return res;
}

/* Whether a record is queued on @fd, as poll(2) says, without waiting. */
static int queued(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0);
}

/*
 * A QUEUE record's sanity: it reports registration @id and @cookie with
 * @flags; its interrupt ran no earlier than @irq_min, and, if its timer
 * fired it, was due no earlier than @irq_min too; its times are ordered and
 * its bottom half ran no later than @end.
 */
static void check_rec(struct __test_metadata *_metadata,
		      const struct hwevent_event *e, __u64 id, __u64 cookie,
		      __u32 flags, __u64 irq_min, __u64 end)
{
	EXPECT_NE(0U, e->seqno);
	EXPECT_EQ(id, e->id);
	EXPECT_EQ(cookie, e->cookie);
	EXPECT_EQ(flags, e->flags);
	if (!(flags & HWEVENT_EVENT_TRIGGERED)) {
		EXPECT_LE(irq_min, e->due_ns);
		EXPECT_LE(e->due_ns, e->irq_ns);
	}
	EXPECT_LE(irq_min, e->irq_ns);
	EXPECT_LE(e->irq_ns, e->bh_ns);
	EXPECT_GE(end, e->bh_ns);
	EXPECT_EQ(0U, e->lost);
	EXPECT_EQ(0U, e->overruns);
	EXPECT_EQ(0U, e->data);
}

FIXTURE(uring) {
	int fd;			/* /dev/hwevent, opened for this test */
	struct io_uring ring;
	bool ring_up;		/* ring to be torn down */
};

FIXTURE_SETUP(uring)
{
	int ret;

	self->ring_up = false;
	self->fd = open_dev_wait(0);
	ASSERT_LE(0, self->fd) TH_LOG("open " HWEVENT_PATH ": %s",
				      strerror(errno));
	ret = io_uring_queue_init(4 * NR_READS, &self->ring, 0);
	ASSERT_EQ(0, ret) TH_LOG("io_uring_queue_init: %s", strerror(-ret));
	self->ring_up = true;
}

FIXTURE_TEARDOWN(uring)
{
	if (self->ring_up)
		io_uring_queue_exit(&self->ring);
	if (self->fd >= 0)
		close(self->fd);
}

/* A read waiting on an empty queue completes when the timer fires. */
TEST_F(uring, read_completes_when_fired)
{
	static const __u64 delays[] = {
		2 * NSEC_PER_MSEC, 20 * NSEC_PER_MSEC, 200 * NSEC_PER_MSEC,
	};
	struct hwevent_event ev;
	struct io_uring_cqe *cqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(delays); i++) {
		__u64 cookie = 0xc0de0000 + i, start, end, id;
		int res;

		memset(&ev, 0xa5, sizeof(ev));
		submit_read(_metadata, &self->ring, self->fd, &ev, REC, i, 0);
		/* Nothing is queued: the read must wait. */
		ASSERT_EQ(-EAGAIN, io_uring_peek_cqe(&self->ring, &cqe));

		start = now_ns();
		id = reg_queue(_metadata, self->fd, delays[i], cookie);
		res = reap_one(_metadata, &self->ring, i);
		end = now_ns();

		ASSERT_EQ((int)REC, res) TH_LOG("delay %llu ns: %s",
						(unsigned long long)delays[i],
						res < 0 ? strerror(-res) : "short");
		/* Never early; late within SLACK_NS. */
		EXPECT_LE(start + delays[i], end);
		EXPECT_GE(start + delays[i] + SLACK_NS, end);
		check_rec(_metadata, &ev, id, cookie, 0, start + delays[i], end);
		/* One record, one registration: none is left. */
		EXPECT_EQ(0, queued(self->fd));
	}
	EXPECT_EQ(0, count_workers());
}

/*
 * While a read waits no io-wq worker exists: io_uring polls the file. Nor
 * does one come to finish the read once the record is there.
 */
TEST_F(uring, waiting_read_has_no_worker)
{
	struct hwevent_event ev;
	__u64 id, t0;
	int res;

	/* A registration far in the future: the read waits for a trigger. */
	id = reg_queue(_metadata, self->fd, NEVER_NS, 7);
	ASSERT_EQ(0, count_workers());

	submit_read(_metadata, &self->ring, self->fd, &ev, REC, 1, 0);
	stays_quiet(_metadata, &self->ring);
	EXPECT_EQ(0, count_workers()) TH_LOG("a worker thread waits for the read");

	t0 = now_ns();
	ASSERT_EQ(1U, trigger(_metadata, self->fd, id));
	res = reap_one(_metadata, &self->ring, 1);
	ASSERT_EQ((int)REC, res) TH_LOG("%s", res < 0 ? strerror(-res) : "short");
	check_rec(_metadata, &ev, id, 7, HWEVENT_EVENT_TRIGGERED, t0, now_ns());
	EXPECT_EQ(0, count_workers()) TH_LOG("a worker thread finished the read");
}

/*
 * The control for the test above: IOSQE_ASYNC sends the read to io-wq, and
 * count_workers() sees the worker, asleep in the read until the trigger.
 * The read still completes with its record.
 */
TEST_F(uring, forced_async_read_has_worker)
{
	__u64 deadline, id, t0;
	struct hwevent_event ev;
	int n, res;

	id = reg_queue(_metadata, self->fd, NEVER_NS, 8);
	ASSERT_EQ(0, count_workers());

	submit_read(_metadata, &self->ring, self->fd, &ev, REC, 1,
		    IOSQE_ASYNC);
	deadline = now_ns() + SLACK_NS;
	/* A new thread is named when it first runs. */
	while ((n = count_workers()) == 0 && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	EXPECT_LT(0, n) TH_LOG("no " WORKER_PREFIX " thread seen");

	t0 = now_ns();
	ASSERT_EQ(1U, trigger(_metadata, self->fd, id));
	res = reap_one(_metadata, &self->ring, 1);
	ASSERT_EQ((int)REC, res) TH_LOG("%s", res < 0 ? strerror(-res) : "short");
	check_rec(_metadata, &ev, id, 8, HWEVENT_EVENT_TRIGGERED, t0, now_ns());
}

/* NR_READS reads in flight: each takes one record; none is lost. */
TEST_F(uring, many_reads_one_record_each)
{
	struct hwevent_event ev[NR_READS];
	__u64 ids[NR_READS], seen_ids[NR_READS], t0, deadline;
	bool done[NR_READS] = { false };
	unsigned int i, j;

	memset(ev, 0xa5, sizeof(ev));
	for (i = 0; i < NR_READS; i++)
		prep_read(_metadata, &self->ring, self->fd, &ev[i], REC, i, 0);
	submit(_metadata, &self->ring, NR_READS);
	stays_quiet(_metadata, &self->ring);
	EXPECT_EQ(0, count_workers());

	for (i = 0; i < NR_READS; i++)
		ids[i] = reg_queue(_metadata, self->fd, NEVER_NS, 100 + i);
	t0 = now_ns();
	ASSERT_EQ((__u64)NR_READS, trigger(_metadata, self->fd, 0));

	deadline = now_ns() + SLACK_NS;
	for (i = 0; i < NR_READS; i++) {
		__u64 data = 0, now = now_ns();
		int res = 0, ret;

		ret = reap(&self->ring, deadline > now ? deadline - now : 0,
			   &data, &res);
		ASSERT_EQ(0, ret) TH_LOG("%u of %u reads completed", i, NR_READS);
		ASSERT_GT((__u64)NR_READS, data);
		ASSERT_FALSE(done[data]) TH_LOG("read %llu completed twice",
						(unsigned long long)data);
		done[data] = true;
		ASSERT_EQ((int)REC, res) TH_LOG("read %llu: %s",
						(unsigned long long)data,
						res < 0 ? strerror(-res) : "short");
		/* A record of one of ours, seen by no other read. */
		for (j = 0; j < NR_READS && ids[j] != ev[data].id; j++)
			;
		ASSERT_GT(NR_READS, j) TH_LOG("read %llu: unknown id %llu",
					      (unsigned long long)data,
					      (unsigned long long)ev[data].id);
		check_rec(_metadata, &ev[data], ids[j], 100 + j,
			  HWEVENT_EVENT_TRIGGERED, t0, now_ns());
		for (j = 0; j < i; j++)
			ASSERT_NE(seen_ids[j], ev[data].id)
				TH_LOG("id %llu read twice",
				       (unsigned long long)ev[data].id);
		seen_ids[i] = ev[data].id;
	}
	/* All NR_READS records were read, so none is left, and none lost. */
	EXPECT_EQ(0, queued(self->fd));
	EXPECT_EQ(0, count_workers());
}

/* A buffer smaller than a record: EINVAL at once, and nothing taken. */
TEST_F(uring, short_buffer_einval)
{
	static const unsigned int lens[] = { 1, REC - 1 };
	struct hwevent_event ev;
	unsigned int i;
	__u64 id, t0;
	int res;

	/* Empty queue: it fails rather than wait. */
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		submit_read(_metadata, &self->ring, self->fd, &ev, lens[i], i, 0);
		res = reap_one(_metadata, &self->ring, i);
		EXPECT_EQ(-EINVAL, res) TH_LOG("%u bytes, empty queue", lens[i]);
	}

	/* A record queued: it fails and leaves the record. */
	t0 = now_ns();
	id = reg_queue(_metadata, self->fd, 0, 9);
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->fd, .events = POLLIN },
			  1, SLACK_NS / NSEC_PER_MSEC));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		submit_read(_metadata, &self->ring, self->fd, &ev, lens[i], i, 0);
		res = reap_one(_metadata, &self->ring, i);
		EXPECT_EQ(-EINVAL, res) TH_LOG("%u bytes, a record queued", lens[i]);
	}
	submit_read(_metadata, &self->ring, self->fd, &ev, REC, 10, 0);
	res = reap_one(_metadata, &self->ring, 10);
	ASSERT_EQ((int)REC, res) TH_LOG("%s", res < 0 ? strerror(-res) : "short");
	check_rec(_metadata, &ev, id, 9, 0, t0, now_ns());
}

/* Registers three and fires them with one HWEVENT_IOC_TRIGGER. */
static void fire_three(struct __test_metadata *_metadata, int fd, __u64 *ids)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		ids[i] = reg_queue(_metadata, fd, NEVER_NS, 200 + i);
	ASSERT_EQ(3U, trigger(_metadata, fd, 0));
}

/*
 * @ev holds the three records of fire_three(), each once, oldest first:
 * in the order their interrupts ran, which their seqnos give.
 */
static void check_three(struct __test_metadata *_metadata,
			const struct hwevent_event *ev, const __u64 *ids,
			__u64 t0)
{
	__u64 end = now_ns();
	unsigned int i, j;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3 && ids[j] != ev[i].id; j++)
			;
		ASSERT_GT(3U, j) TH_LOG("record %u: unknown id %llu", i,
					(unsigned long long)ev[i].id);
		check_rec(_metadata, &ev[i], ids[j], 200 + j,
			  HWEVENT_EVENT_TRIGGERED, t0, end);
		/* Increasing seqnos: no record twice, and oldest first. */
		if (i)
			EXPECT_LT(ev[i - 1].seqno, ev[i].seqno);
	}
}

/*
 * Three records queued, a read of three: 192 bytes. A poll waiter is woken
 * once the bottom half has queued all the records it delivers at one go,
 * so epoll_wait() returning says all three are there.
 */
TEST_F(uring, read_three_queued)
{
	struct epoll_event ee = { .events = EPOLLIN };
	struct hwevent_event ev[3];
	__u64 ids[3], t0;
	int epfd, res;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, self->fd, &ee));
	t0 = now_ns();
	fire_three(_metadata, self->fd, ids);
	ASSERT_EQ(1, epoll_wait(epfd, &ee, 1, SLACK_NS / NSEC_PER_MSEC));
	close(epfd);

	submit_read(_metadata, &self->ring, self->fd, ev, sizeof(ev), 1, 0);
	res = reap_one(_metadata, &self->ring, 1);
	ASSERT_EQ((int)sizeof(ev), res) TH_LOG("%s", res < 0 ? strerror(-res) : "short");
	check_three(_metadata, ev, ids, t0);
	EXPECT_EQ(0, queued(self->fd));
}

/* A waiting read with room for four takes the three delivered at one go. */
TEST_F(uring, waiting_read_takes_all_queued)
{
	struct hwevent_event ev[4];
	__u64 ids[3], t0;
	int res;

	memset(ev, 0xa5, sizeof(ev));
	submit_read(_metadata, &self->ring, self->fd, ev, sizeof(ev), 1, 0);
	stays_quiet(_metadata, &self->ring);
	t0 = now_ns();
	fire_three(_metadata, self->fd, ids);
	res = reap_one(_metadata, &self->ring, 1);
	ASSERT_EQ((int)(3 * REC), res) TH_LOG("%s", res < 0 ? strerror(-res) : "short");
	check_three(_metadata, ev, ids, t0);
	EXPECT_EQ(0, queued(self->fd));
}

/*
 * IORING_OP_ASYNC_CANCEL ends a waiting read with ECANCELED; the next
 * record goes to read(2), not to the cancelled read.
 */
TEST_F(uring, cancel_waiting_read)
{
	struct hwevent_event ev, ev2;
	struct io_uring_sqe *sqe;
	bool read_done = false, cancel_done = false;
	unsigned int i;
	__u64 id, t0;

	submit_read(_metadata, &self->ring, self->fd, &ev, REC, 1, 0);
	stays_quiet(_metadata, &self->ring);

	sqe = io_uring_get_sqe(&self->ring);
	ASSERT_NE(NULL, sqe);
	io_uring_prep_cancel64(sqe, 1, 0);
	io_uring_sqe_set_data64(sqe, 2);
	submit(_metadata, &self->ring, 1);

	for (i = 0; i < 2; i++) {
		__u64 data = 0;
		int res = 0;

		ASSERT_EQ(0, reap(&self->ring, SLACK_NS, &data, &res));
		if (data == 1) {
			EXPECT_EQ(-ECANCELED, res) TH_LOG("the read: %s",
				res < 0 ? strerror(-res) : "completed");
			read_done = true;
		} else {
			ASSERT_EQ(2U, data);
			EXPECT_EQ(0, res) TH_LOG("the cancel: %s", strerror(-res));
			cancel_done = true;
		}
	}
	ASSERT_TRUE(read_done && cancel_done);

	t0 = now_ns();
	id = reg_queue(_metadata, self->fd, 2 * NSEC_PER_MSEC, 11);
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->fd, .events = POLLIN },
			  1, SLACK_NS / NSEC_PER_MSEC));
	ASSERT_EQ((ssize_t)REC, read(self->fd, &ev2, sizeof(ev2)));
	check_rec(_metadata, &ev2, id, 11, 0, t0 + 2 * NSEC_PER_MSEC, now_ns());
	/* The cancelled read stays cancelled. */
	stays_quiet(_metadata, &self->ring);
	EXPECT_EQ(0, count_workers());
}

/*
 * A read in flight on a second file of ours, with an EVENTFD and a QUEUE
 * registration that never fire; then the ring and that file are closed,
 * the ring first or the file first. The read holds the file: once both are
 * closed the file must be released, its two registrations dropped, its
 * eventfd reference put. debugfs shows it; without debugfs the test is
 * skipped after the closes.
 */
static void close_with_read_in_flight(struct __test_metadata *_metadata,
				      struct io_uring *ring, bool *ring_up,
				      bool ring_first)
{
	struct hw_stats base, mid, after, d;
	struct hwevent_register r;
	struct hwevent_event ev;
	int fd, efd, err, stats_err;

	stats_err = stats_read(&base);

	/* main() has made sure that the device opens. */
	fd = open_dev_wait(0);
	ASSERT_LE(0, fd) TH_LOG("open " HWEVENT_PATH ": %s", strerror(errno));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd, NEVER_NS, 1);
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	ASSERT_EQ(0, err) TH_LOG("REGISTER (eventfd): %s", errno_name(err));
	reg_queue(_metadata, fd, NEVER_NS, 2);
	if (!stats_err) {
		/* The counters see them: the final check can fail. */
		ASSERT_EQ(0, stats_read(&mid));
		EXPECT_EQ(base.live + 2, mid.live);
		EXPECT_EQ(base.eventfd_refs + 1, mid.eventfd_refs);
	}

	submit_read(_metadata, ring, fd, &ev, REC, 1, 0);
	stays_quiet(_metadata, ring);

	if (ring_first) {
		io_uring_queue_exit(ring);
		*ring_up = false;
		ASSERT_EQ(0, close(fd));
	} else {
		ASSERT_EQ(0, close(fd));
		io_uring_queue_exit(ring);
		*ring_up = false;
	}
	close(efd);

	if (stats_err)
		SKIP(return, "%s: %s; the release is not checked",
		     HWEVENT_STATS_PATH, strerror(stats_err));

	/* The ring is torn down, and the file released, asynchronously. */
	ASSERT_EQ(0, stats_settle(&after, &base, SLACK_NS));
	d = stats_sub(&after, &base);
	EXPECT_EQ(0, d.live) TH_LOG("registrations still live: the file was not released");
	EXPECT_EQ(0, d.eventfd_refs);
	EXPECT_EQ(2, d.armed);
	EXPECT_EQ(2, d.dropped);
	if (d.live || d.eventfd_refs || d.dropped != 2)
		stats_print("after", &after);
}

TEST_F(uring, close_ring_then_file)
{
	close_with_read_in_flight(_metadata, &self->ring, &self->ring_up, true);
}

TEST_F(uring, close_file_then_ring)
{
	close_with_read_in_flight(_metadata, &self->ring, &self->ring_up, false);
}

/*
 * FIXTURE(ucmd): HWEVENT_URING_CMD_WAIT, registrations made as io_uring
 * commands and completed on the ring (IORING_OP_URING_CMD, 5.19 and
 * later; before, every case skips, saying so). The ring has 32-byte CQEs,
 * whose big_cqe[0] is the record's irq_ns. Cases: a command completes when
 * its event fires, never before, with the seqno's low bits in res; a
 * trigger completes it; many in flight complete once each; the driver's
 * own cancel (HWEVENT_IOC_CANCEL by cookie or all) completes them with
 * ECANCELED; bad arguments and unknown commands fail with their errno and
 * register nothing; closing the ring with a command pending ends its
 * registration (6.7 and later cancel it, older kernels let it fire), and
 * so does the exit of the task that submitted it; commands on four rings
 * in four threads on two files complete once each; the open mode does not
 * matter; a ring with a command pending keeps the module from unloading. FIXTURE(disabled): with kernel.io_uring_disabled = 2 no ring can
 * be made and the pending, eventfd and queue modes keep working.
 */
#define NR_CMDS		16U
static void prep_cmd(struct __test_metadata *_metadata, struct io_uring *ring,
		     int fd, __u32 op, __u64 delay_ns, __u64 cookie, __u64 data)
{
	ASSERT_EQ(0, fill_cmd(ring, fd, op, delay_ns, cookie, data));
}

FIXTURE(ucmd) {
	int fd;
	struct io_uring ring;
	bool ring_up;
	const char *no;		/* why every case skips, or NULL */
};

FIXTURE_SETUP(ucmd)
{
	self->fd = open_dev_wait(0);
	ASSERT_LE(0, self->fd) TH_LOG("open " HWEVENT_PATH ": %s",
				      strerror(errno));
	self->no = ucmd_ring_init(&self->ring, 2 * NR_CMDS, &self->ring_up);
}

FIXTURE_TEARDOWN(ucmd)
{
	if (self->ring_up)
		io_uring_queue_exit(&self->ring);
	if (self->fd >= 0)
		close(self->fd);
}

/* The 6.1 harness runs the body after a SKIP() in FIXTURE_SETUP. */
#define UCMD_NEEDED()							\
	do {								\
		if (self->no)						\
			SKIP(return, "%s", self->no);			\
	} while (0)

/* Asserts that no completion comes within QUIET_NS. */
static void cmds_quiet(struct __test_metadata *_metadata,
		       struct io_uring *ring)
{
	struct cqe_copy c = { 0 };

	ASSERT_EQ(-ETIME, reap32(ring, QUIET_NS, &c))
		TH_LOG("a command completed early: data %llu res %d",
		       (unsigned long long)c.data, c.res);
}

/* A command completes when its timer fires, never before. */
TEST_F(ucmd, completes_when_fired)
{
	const __u64 delay = 300 * NSEC_PER_MSEC;
	struct cqe_copy c;
	__u64 t0, t1;

	UCMD_NEEDED();
	t0 = now_ns();
	prep_cmd(_metadata, &self->ring, self->fd, HWEVENT_URING_CMD_WAIT,
		 delay, 5, 1);
	submit(_metadata, &self->ring, 1);
	cmds_quiet(_metadata, &self->ring);
	ASSERT_EQ(0, reap32(&self->ring, delay + SLACK_NS, &c));
	t1 = now_ns();
	EXPECT_EQ(1U, c.data);
	EXPECT_LE(0, c.res) TH_LOG("res %d (%s)", c.res,
				   c.res < 0 ? strerror(-c.res) : "");
	EXPECT_NE(0, c.res);
	/* big_cqe[0]: when the interrupt ran; never before it was due. */
	EXPECT_LE(t0 + delay, c.extra);
	EXPECT_GE(t1, c.extra);
}

/*
 * HWEVENT_IOC_TRIGGER completes a command at once; res is the low 31
 * bits of its record's seqno, which follows a record fired just before.
 */
TEST_F(ucmd, trigger_completes_with_seqno)
{
	struct hwevent_event ev;
	struct cqe_copy c;
	__u64 id, t0;

	UCMD_NEEDED();
	id = reg_queue(_metadata, self->fd, NEVER_NS, 1);
	EXPECT_EQ(1U, trigger(_metadata, self->fd, id));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->fd, .events = POLLIN },
			  1, SLACK_NS / NSEC_PER_MSEC));
	ASSERT_EQ((ssize_t)REC, read(self->fd, &ev, REC));

	t0 = now_ns();
	prep_cmd(_metadata, &self->ring, self->fd, HWEVENT_URING_CMD_WAIT,
		 CMD_NEVER_NS, 2, 7);
	submit(_metadata, &self->ring, 1);
	cmds_quiet(_metadata, &self->ring);
	EXPECT_EQ(1U, trigger(_metadata, self->fd, 0));
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(7U, c.data);
	EXPECT_EQ((__s32)((ev.seqno + 1) & INT32_MAX), c.res)
		TH_LOG("seqno before %llu, res %d",
		       (unsigned long long)ev.seqno, c.res);
	EXPECT_LE(t0, c.extra);
}

/* Many commands in flight on one ring: each completes once. */
TEST_F(ucmd, many_in_flight)
{
	bool seen[NR_CMDS] = { false };
	__s32 res[NR_CMDS];
	struct cqe_copy c;
	unsigned int i, j;

	UCMD_NEEDED();
	for (i = 0; i < NR_CMDS; i++)
		prep_cmd(_metadata, &self->ring, self->fd,
			 HWEVENT_URING_CMD_WAIT, CMD_NEVER_NS, i, i);
	submit(_metadata, &self->ring, NR_CMDS);
	cmds_quiet(_metadata, &self->ring);
	EXPECT_EQ(NR_CMDS, trigger(_metadata, self->fd, 0));
	for (i = 0; i < NR_CMDS; i++) {
		ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
		ASSERT_GT(NR_CMDS, c.data);
		EXPECT_FALSE(seen[c.data]) TH_LOG("command %llu twice",
						 (unsigned long long)c.data);
		seen[c.data] = true;
		EXPECT_LE(0, c.res);
		res[i] = c.res;
		for (j = 0; j < i; j++)
			EXPECT_NE(res[j], res[i]);
	}
	cmds_quiet(_metadata, &self->ring);
}

/*
 * IORING_OP_ASYNC_CANCEL cannot reach a pending command: the driver's own
 * cancel does. By cookie, then all: ECANCELED for exactly those.
 */
TEST_F(ucmd, driver_cancel)
{
	static const __u64 cookies[] = { 1, 1, 2 };
	struct cqe_copy c;
	uint64_t count;
	unsigned int i;

	UCMD_NEEDED();
	for (i = 0; i < ARRAY_SIZE(cookies); i++)
		prep_cmd(_metadata, &self->ring, self->fd,
			 HWEVENT_URING_CMD_WAIT, CMD_NEVER_NS, cookies[i], i);
	submit(_metadata, &self->ring, ARRAY_SIZE(cookies));
	cmds_quiet(_metadata, &self->ring);

	ASSERT_EQ(0, cancel_id(self->fd, 1, HWEVENT_CANCEL_COOKIE, &count));
	EXPECT_EQ(2U, count);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
		EXPECT_GT(2U, c.data);
		EXPECT_EQ(-ECANCELED, c.res);
	}
	cmds_quiet(_metadata, &self->ring);

	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	EXPECT_EQ(1U, count);
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(2U, c.data);
	EXPECT_EQ(-ECANCELED, c.res);
}

/* Bad arguments and unknown commands: their errno, nothing registered. */
TEST_F(ucmd, bad_commands)
{
	static const __u32 ops[] = {
		0, HWEVENT_IOC_REGISTER, HWEVENT_URING_CMD_WAIT_DEVICE + 1,
		HWEVENT_URING_CMD_WAIT ^ 0x80000000u,
	};
	struct cqe_copy c;
	uint64_t count;
	unsigned int i;

	UCMD_NEEDED();
	prep_cmd(_metadata, &self->ring, self->fd, HWEVENT_URING_CMD_WAIT,
		 HWEVENT_URING_MAX_DELAY_NS + 1, 0, 100);
	prep_cmd(_metadata, &self->ring, self->fd,
		 HWEVENT_URING_CMD_WAIT_DEVICE, HWEVENT_URING_MAX_DELAY_NS + 1,
		 0, 101);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		prep_cmd(_metadata, &self->ring, self->fd, ops[i], 0, 0, i);
	submit(_metadata, &self->ring, 2 + ARRAY_SIZE(ops));
	for (i = 0; i < 2 + ARRAY_SIZE(ops); i++) {
		ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
		if (c.data == 100 || c.data == 101) {
			EXPECT_EQ(-EINVAL, c.res);
		} else {
			ASSERT_GT(ARRAY_SIZE(ops), c.data);
			EXPECT_EQ(-ENOTTY, c.res) TH_LOG("op %#x: res %d",
							 ops[c.data], c.res);
		}
	}
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	EXPECT_EQ(0U, count);
}

/*
 * The ring closed with a command pending: the command holds the file;
 * its registration ends (6.7 and later: cancelled when the ring goes;
 * before: fired when due), and nothing stays live.
 */
TEST_F(ucmd, ring_closed_with_command_pending)
{
	const __u64 delay = 500 * NSEC_PER_MSEC;
	struct hw_stats base, after, d;
	int stats_err;

	UCMD_NEEDED();
	stats_err = stats_read(&base);
	prep_cmd(_metadata, &self->ring, self->fd, HWEVENT_URING_CMD_WAIT,
		 delay, 0, 1);
	submit(_metadata, &self->ring, 1);
	cmds_quiet(_metadata, &self->ring);
	io_uring_queue_exit(&self->ring);
	self->ring_up = false;
	if (stats_err)
		SKIP(return, "%s: %s; the end is not checked",
		     HWEVENT_STATS_PATH, strerror(stats_err));
	ASSERT_EQ(0, stats_settle(&after, &base, delay + SLACK_NS));
	d = stats_sub(&after, &base);
	EXPECT_EQ(0, d.live);
	EXPECT_EQ(1, d.armed);
	/* A kernel that can cancel commands (6.7 and later) does. */
	if (kernel_has_symbol("io_uring_cmd_mark_cancelable")) {
		EXPECT_EQ(1, d.cancelled);
	} else {
		EXPECT_EQ(1, d.completed);
	}
	/* TH_LOG: stderr, which a test's _exit() does not lose. */
	TH_LOG("ring closed with a command pending: its registration was %s",
	       d.cancelled ? "cancelled (IO_URING_F_CANCEL)" :
	       d.completed ? "completed (no cancel before 6.7)" : "not ended");
}

/* Threads, each with a ring of its own, two threads on each of two files. */
#define NR_RING_THREADS	4U
#define CMDS_PER_THREAD	8U

struct ring_thread {
	int fd;
	__u64 delay_ns;
	__u64 t0;			/* before the submission */
	const char *failed;		/* what failed, or NULL */
	int err;			/* ... with this errno */
	unsigned int got;		/* CQEs reaped */
	struct cqe_copy cqe[CMDS_PER_THREAD + 1];	/* + one too many */
};

/* Submits CMDS_PER_THREAD commands on a ring of its own; reaps them. */
static void *ring_thread_fn(void *arg)
{
	struct ring_thread *rt = arg;
	struct io_uring ring;
	unsigned int k;
	int ret;

	ret = io_uring_queue_init(2 * CMDS_PER_THREAD, &ring,
				  IORING_SETUP_CQE32);
	if (ret) {
		rt->failed = "io_uring_queue_init";
		rt->err = -ret;
		return NULL;
	}
	rt->t0 = now_ns();
	for (k = 0, ret = 0; k < CMDS_PER_THREAD && !ret; k++)
		ret = fill_cmd(&ring, rt->fd, HWEVENT_URING_CMD_WAIT,
			       rt->delay_ns, k, k);
	ret = ret ? -EBUSY : io_uring_submit(&ring);
	if (ret != (int)CMDS_PER_THREAD) {
		rt->failed = "io_uring_submit";
		rt->err = ret < 0 ? -ret : EAGAIN;
	} else {
		/* One more than submitted: a second CQE of one would show. */
		while (rt->got <= CMDS_PER_THREAD &&
		       !reap32(&ring, rt->got < CMDS_PER_THREAD ?
			       rt->delay_ns + SLACK_NS : QUIET_NS,
			       &rt->cqe[rt->got]))
			rt->got++;
	}
	io_uring_queue_exit(&ring);
	return NULL;
}

/*
 * Commands on four rings in four threads, two threads on each of two
 * files, due together: each completes once on its own ring, when due,
 * each with a seqno (device-wide) no other took.
 */
TEST_F(ucmd, across_rings_and_threads)
{
	const __u64 delay = 200 * NSEC_PER_MSEC;
	struct ring_thread rt[NR_RING_THREADS] = { 0 };
	pthread_t tid[NR_RING_THREADS];
	__s32 res[NR_RING_THREADS * CMDS_PER_THREAD];
	unsigned int i, k, x, n = 0;
	int fd2;
	__u64 t1;

	UCMD_NEEDED();
	fd2 = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2) TH_LOG("open: %s", strerror(errno));
	for (i = 0; i < NR_RING_THREADS; i++) {
		rt[i].fd = i & 1 ? fd2 : self->fd;
		rt[i].delay_ns = delay;
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, ring_thread_fn,
					    &rt[i]));
	}
	for (i = 0; i < NR_RING_THREADS; i++)
		pthread_join(tid[i], NULL);
	t1 = now_ns();
	close(fd2);
	for (i = 0; i < NR_RING_THREADS; i++) {
		bool seen[CMDS_PER_THREAD] = { false };

		ASSERT_EQ(NULL, rt[i].failed) TH_LOG("thread %u: %s: %s", i,
						     rt[i].failed,
						     strerror(rt[i].err));
		EXPECT_EQ(CMDS_PER_THREAD, rt[i].got)
			TH_LOG("thread %u: %u CQEs for %u commands", i,
			       rt[i].got, CMDS_PER_THREAD);
		for (k = 0; k < rt[i].got && k < CMDS_PER_THREAD; k++) {
			const struct cqe_copy *c = &rt[i].cqe[k];

			ASSERT_GT(CMDS_PER_THREAD, c->data);
			EXPECT_FALSE(seen[c->data]);
			seen[c->data] = true;
			EXPECT_LE(0, c->res) TH_LOG("thread %u: res %d", i,
						    c->res);
			/* Never early; the interrupt's time is on the CQE. */
			EXPECT_LE(rt[i].t0 + delay, c->extra);
			EXPECT_GE(t1, c->extra);
			for (x = 0; x < n; x++)
				EXPECT_NE(res[x], c->res);
			res[n++] = c->res;
		}
	}
}

/*
 * A ring holding a command holds the file, and the file the module: with
 * every descriptor of the device closed, rmmod is refused until the command
 * completes. (Were it to succeed, the module is loaded again from
 * $HWEVENT_KO, so that the tests after this one still run.)
 */
TEST_F(ucmd, ring_holds_module)
{
	const __u64 delay = 1 * NSEC_PER_SEC;
	const char *ko = getenv("HWEVENT_KO");
	struct cqe_copy c;
	int fd, err;

	UCMD_NEEDED();
	if (geteuid())
		SKIP(return, "needs root, to try delete_module()");
	if (!module_loaded())
		SKIP(return, "hwevent is built in, not a module");
	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	prep_cmd(_metadata, &self->ring, fd, HWEVENT_URING_CMD_WAIT, delay, 0, 1);
	submit(_metadata, &self->ring, 1);
	/* Only the ring holds the device now. */
	close(fd);
	close(self->fd);
	self->fd = -1;
	err = delete_module_nb(HWEVENT_MODULE);
	if (!err && ko)
		finit_module_path(ko);
	ASSERT_NE(0, err) TH_LOG("delete_module succeeded with a command pending%s",
				 ko ? "; loaded again" : "");
	EXPECT_TRUE(err == EWOULDBLOCK || err == EBUSY)
		TH_LOG("delete_module: %s", errno_name(err));
	/* The command still completes, fired, on the ring. */
	ASSERT_EQ(0, reap32(&self->ring, delay + SLACK_NS, &c));
	EXPECT_EQ(1U, c.data);
	EXPECT_LE(0, c.res) TH_LOG("res %d", c.res);
}

/* Where /proc/sys/kernel/io_uring_disabled is (6.6 and later). */
#define IO_URING_DISABLED_PATH	"/proc/sys/kernel/io_uring_disabled"

/*
 * The submitting task exits with commands pending (a child, its ring never
 * torn down), on the test's file and on a file of its own: each
 * registration ends (6.7 and later: cancelled by the exit; before: fired
 * when due, the completion running without its task), nothing stays live,
 * and the child's own file is released.
 */
TEST_F(ucmd, task_exit_with_commands_pending)
{
	const __u64 delay = 300 * NSEC_PER_MSEC;
	const unsigned int per_child = 4;
	struct hw_stats base, after, d;
	bool can_cancel = kernel_has_symbol("io_uring_cmd_mark_cancelable");
	unsigned int own;
	int stats_err, status;

	UCMD_NEEDED();
	stats_err = stats_read(&base);
	for (own = 0; own < 2; own++) {
		__u64 t0 = now_ns();
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			struct io_uring ring;
			unsigned int k;
			int fd = own ? open(HWEVENT_PATH, O_RDWR) : self->fd;

			if (fd < 0 || io_uring_queue_init(8, &ring,
							  IORING_SETUP_CQE32))
				_exit(2);
			for (k = 0; k < per_child; k++)
				if (fill_cmd(&ring, fd, HWEVENT_URING_CMD_WAIT,
					     delay, k, k))
					_exit(3);
			_exit(io_uring_submit(&ring) == (int)per_child ? 0 : 4);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status))
			TH_LOG("child (own file %u): setup failed", own);
		TH_LOG("the child (%s file) exited %.1f ms after it began",
		       own ? "its own" : "the test's",
		       (now_ns() - t0) / 1e6);
	}
	if (stats_err)
		SKIP(return, "%s: %s; the end is not checked",
		     HWEVENT_STATS_PATH, strerror(stats_err));
	ASSERT_EQ(0, stats_settle(&after, &base, delay + SLACK_NS));
	d = stats_sub(&after, &base);
	EXPECT_EQ(0, d.live);
	EXPECT_EQ(2 * per_child, d.armed);
	EXPECT_EQ(2 * per_child, d.completed + d.cancelled);
	if (can_cancel) {
		EXPECT_EQ(2 * per_child, d.cancelled);
	} else {
		EXPECT_EQ(2 * per_child, d.completed);
	}
	/* The test's file has nothing left of the children's. */
	cmds_quiet(_metadata, &self->ring);
}

/*
 * The open mode does not matter, as for the ioctls: a file opened
 * read-only or write-only takes commands like any other.
 */
TEST_F(ucmd, open_mode_does_not_matter)
{
	static const int modes[] = { O_RDONLY, O_WRONLY };
	struct cqe_copy c;
	unsigned int i;

	UCMD_NEEDED();
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		int fd = open(HWEVENT_PATH, modes[i] | O_CLOEXEC);

		ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
		prep_cmd(_metadata, &self->ring, fd, HWEVENT_URING_CMD_WAIT,
			 0, i, i);
		submit(_metadata, &self->ring, 1);
		ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
		close(fd);
		EXPECT_EQ(i, c.data);
		EXPECT_LE(0, c.res) TH_LOG("open flags %#x: res %d", modes[i],
					   c.res);
	}
}

/*
 * kernel.io_uring_disabled = 2 (6.6 and later): no ring can be made, and
 * every other way to wait keeps working: a pending request, an eventfd,
 * a queue read.
 */
FIXTURE(disabled) {
	long long old;		/* the sysctl's value to put back, or -1 */
	int fd;
};

FIXTURE_SETUP(disabled)
{
	self->old = param_read(IO_URING_DISABLED_PATH);
	self->fd = open_dev_wait(0);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(disabled)
{
	if (self->old >= 0)
		param_write(IO_URING_DISABLED_PATH, self->old);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(disabled, other_modes_keep_working)
{
	struct hwevent_register r;
	struct hwevent_event ev;
	struct io_uring ring;
	int efd, err;

	if (self->old < 0)
		SKIP(return, "no %s (before 6.6)", IO_URING_DISABLED_PATH);
	err = param_write(IO_URING_DISABLED_PATH, 2);
	ASSERT_EQ(0, err) TH_LOG("write 2 to %s: %s", IO_URING_DISABLED_PATH,
				 strerror(err));
	ASSERT_EQ(-EPERM, io_uring_queue_init(4, &ring, IORING_SETUP_CQE32));

	/* Pending request: the ioctl returns the record. */
	reg_set(&r, HWEVENT_MODE_PENDING, -1, NSEC_PER_MSEC, 1);
	err = xioctl(self->fd, HWEVENT_IOC_REGISTER, &r);
	ASSERT_EQ(0, err) TH_LOG("REGISTER (pending): %s", errno_name(err));
	EXPECT_NE(0U, r.event.seqno);
	EXPECT_EQ(1U, r.event.cookie);

	/* Eventfd: signalled once. */
	efd = make_eventfd();
	ASSERT_LE(0, efd);
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd, NSEC_PER_MSEC, 2);
	err = xioctl(self->fd, HWEVENT_IOC_REGISTER, &r);
	ASSERT_EQ(0, err) TH_LOG("REGISTER (eventfd): %s", errno_name(err));
	EXPECT_EQ(1U, efd_collect(efd, 1, SLACK_NS));
	close(efd);

	/* Queue: one record to read. */
	reg_queue(_metadata, self->fd, NSEC_PER_MSEC, 3);
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = self->fd, .events = POLLIN },
			  1, SLACK_NS / NSEC_PER_MSEC));
	ASSERT_EQ((ssize_t)REC, read(self->fd, &ev, REC));
	EXPECT_EQ(3U, ev.cookie);
}

/*
 * TEST_HARNESS_MAIN, but without the device or io_uring skip every test,
 * as one: with a SKIP() in FIXTURE_SETUP the 6.1 harness still runs the
 * test body.
 */
int main(int argc, char **argv)
{
	struct io_uring ring;
	int ret;

	require_device();
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret) {
		ksft_print_header();
		if (ret == -ENOSYS)
			ksft_exit_skip("no io_uring in this kernel (CONFIG_IO_URING)\n");
		if (ret == -EPERM)
			ksft_exit_skip("io_uring is disabled (sysctl kernel.io_uring_disabled)\n");
		ksft_exit_fail_msg("io_uring_queue_init: %s\n", strerror(-ret));
	}
	io_uring_queue_exit(&ring);
	return test_harness_run(argc, argv);
}
