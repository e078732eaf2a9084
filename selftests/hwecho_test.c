// SPDX-License-Identifier: GPL-2.0
/*
 * hwecho_test - /dev/hwecho, the KMDF echo sample: read(2) returns the data
 * of the last write(2), and every request waits in one device-wide queue,
 * in arrival order, for a tick of the device's timer.
 *
 * Checked: data of every size round trip (0, 1, 4095, 4096, echo_max_write,
 * and the 16 MiB limit), a write above echo_max_write fails with EMSGSIZE
 * and stores nothing; a read before any write, or after a zero-length
 * one, returns 0; a short read gets the first bytes and consumes nothing;
 * requests of several threads complete in the order they were queued, and
 * never more than one is in the driver (echo_in_driver_max); a request
 * completes no sooner than a tick after it reached the head (a period on
 * an idle device, N periods for N requests); a non-blocking call fails
 * with EAGAIN while its request waits, poll(2) reports it done and the
 * next call takes it, and an untaken one expires; a signal interrupts a
 * blocking call (EINTR, or a restart with SA_RESTART) and an interrupted
 * write stores nothing; a close in another thread, or the exit of a
 * process with blocking or io_uring requests in flight, leaves nothing
 * queued; io_uring reads and writes complete without an io-wq worker
 * thread, and IORING_OP_ASYNC_CANCEL ends a pending one with ECANCELED;
 * no ioctl (ENOTTY), no seek (ESPIPE). The debugfs counters
 * (hwevent/stats, echo_*) balance after each test: every request that
 * joined the queue left it once.
 *
 * The tests set echo_period_us short to run fast, and main() puts back
 * echo_period_us and echo_max_write as they were. They assume no other
 * program uses /dev/hwecho meanwhile.
 *
 * Needs /dev/hwecho (hwevent.ko, CONFIG_HWEVENT) and, as the node is mode
 * 0600, root; the counters need debugfs, the io_uring cases io_uring
 * (skipped, saying why, without).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/hwecho.h>
#include <linux/hwevent.h>

/* The 6.1 harness's SIGALRM handler leaves its ucontext unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "hwevent_util.h"

#define ECHO_PATH		"/dev/hwecho"
#define PERIOD_PATH		"/sys/module/hwevent/parameters/echo_period_us"
#define MAX_WRITE_PATH		"/sys/module/hwevent/parameters/echo_max_write"

/* The tick period of most tests: short, so that they run fast. */
#define PERIOD_US		5000U
/* Long enough for a signal or a cancel to come before the tick. */
#define SLOW_PERIOD_US		300000U

/* Why the io_uring cases skip, or NULL: main() finds out. */
static const char *no_uring;

static int echo_open(struct __test_metadata *_metadata, int flags)
{
	int fd = open(ECHO_PATH, O_RDWR | O_CLOEXEC | flags);

	ASSERT_LE(0, fd) TH_LOG("open " ECHO_PATH ": %s", strerror(errno));
	return fd;
}

/* A byte pattern that differs with @seed and along the buffer. */
static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

/* read(2) and write(2) as a count or a negative errno. */
static ssize_t xread(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t xwrite(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}

static void set_param(struct __test_metadata *_metadata, const char *path,
		      long long val)
{
	int err = param_write(path, val);

	ASSERT_EQ(0, err) TH_LOG("%s = %lld: %s", path, val, strerror(err));
}

/* The counters; a test that needs them and cannot have them skips. */
static void stats(struct __test_metadata *_metadata, struct hw_stats *st)
{
	int err = stats_read(st);

	ASSERT_EQ(0, err) TH_LOG(HWEVENT_STATS_PATH ": %s", strerror(err));
	ASSERT_TRUE(st->have_echo) TH_LOG("no echo_ lines in " HWEVENT_STATS_PATH);
}

/* Waits for echo_requests to reach @n; false if it did not in SLACK_NS. */
static bool wait_requests(long long n)
{
	uint64_t deadline = now_ns() + SLACK_NS;
	struct hw_stats st;

	while (!stats_read(&st) && st.echo_requests < n) {
		if (now_ns() > deadline)
			return false;
		sleep_ns(200 * NSEC_PER_USEC);
	}
	return st.echo_requests >= n;
}

/*
 * Waits until the queue is empty and the timer stopped: echo_ticks stays
 * the same for two periods. A request then finds the device idle.
 */
static void wait_idle(struct __test_metadata *_metadata, unsigned int period_us)
{
	uint64_t deadline = now_ns() + 3 * SLACK_NS;
	struct hw_stats a, b;

	stats(_metadata, &a);
	for (;;) {
		sleep_ns(2ULL * period_us * NSEC_PER_USEC + NSEC_PER_MSEC);
		stats(_metadata, &b);
		if (!b.echo_queued && b.echo_ticks == a.echo_ticks)
			return;
		ASSERT_GT(deadline, now_ns()) TH_LOG("the device never went idle");
		a = b;
	}
}

/*
 * The books since @base, once the queue is empty again (a release or an
 * expiry may come a little after the call that caused it): every request
 * that joined the queue left it exactly once, and one at most was ever in
 * the driver.
 */
static void check_books(struct __test_metadata *_metadata,
			const struct hw_stats *base, struct hw_stats *d)
{
	uint64_t deadline = now_ns() + SLACK_NS;
	struct hw_stats st;

	for (;;) {
		stats(_metadata, &st);
		if (!st.echo_queued || now_ns() > deadline)
			break;
		sleep_ns(NSEC_PER_MSEC);
	}
	*d = stats_sub(&st, base);
	EXPECT_EQ(0, st.echo_queued) TH_LOG("requests left in the queue");
	EXPECT_EQ(d->echo_requests, echo_stats_ended(d));
	EXPECT_GE(1, st.echo_in_driver_max);
	if (st.echo_queued || d->echo_requests != echo_stats_ended(d))
		stats_print("since the test began", d);
}

/* A blocking read or write in a thread of its own. */
struct op {
	pthread_t thread;
	int fd;
	bool write;
	unsigned char *buf;
	size_t len;
	ssize_t ret;		/* the count, or a negative errno */
	uint64_t returned_ns;
	int done;
};

static void *op_fn(void *arg)
{
	struct op *op = arg;

	op->ret = op->write ? xwrite(op->fd, op->buf, op->len) :
			      xread(op->fd, op->buf, op->len);
	op->returned_ns = now_ns();
	__atomic_store_n(&op->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void op_start(struct __test_metadata *_metadata, struct op *op,
		     int fd, bool write, unsigned char *buf, size_t len)
{
	op->fd = fd;
	op->write = write;
	op->buf = buf;
	op->len = len;
	op->ret = 0;
	op->done = 0;
	ASSERT_EQ(0, pthread_create(&op->thread, NULL, op_fn, op));
}

/* Joins @op; if it has not returned within SLACK_NS, signals it until so. */
static bool op_join(struct __test_metadata *_metadata, struct op *op)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	uint64_t deadline = now_ns() + SLACK_NS;
	bool by_itself;

	while (!__atomic_load_n(&op->done, __ATOMIC_ACQUIRE) &&
	       now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	by_itself = __atomic_load_n(&op->done, __ATOMIC_ACQUIRE);
	if (!by_itself) {
		sigaction(SIGUSR1, &sa, NULL);
		while (!__atomic_load_n(&op->done, __ATOMIC_ACQUIRE)) {
			pthread_kill(op->thread, SIGUSR1);
			sleep_ns(10 * NSEC_PER_MSEC);
		}
	}
	EXPECT_EQ(0, pthread_join(op->thread, NULL));
	return by_itself;
}

/* Writes @len bytes of pattern @seed, blocking; asserts the full count. */
static void put(struct __test_metadata *_metadata, int fd, size_t len,
		unsigned int seed)
{
	unsigned char *buf = malloc(len + 1);
	ssize_t n;

	ASSERT_NE(NULL, buf);
	fill(buf, len, seed);
	n = xwrite(fd, buf, len);
	free(buf);
	ASSERT_EQ((ssize_t)len, n) TH_LOG("write %zu: %s", len,
					  n < 0 ? strerror(-n) : "short");
}

/*
 * Reads with a buffer of @cap bytes, blocking: the device's data must be
 * @len bytes of pattern @seed (or their first @cap).
 */
static void expect_data(struct __test_metadata *_metadata, int fd, size_t cap,
			size_t len, unsigned int seed)
{
	size_t want = cap < len ? cap : len;
	unsigned char *buf = malloc(cap + 1), *ref = malloc(len + 1);
	ssize_t n;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, ref);
	memset(buf, 0xee, cap + 1);
	fill(ref, len, seed);
	n = xread(fd, buf, cap);
	EXPECT_EQ((ssize_t)want, n) TH_LOG("read %zu: %s", cap,
					   n < 0 ? strerror(-n) : "wrong count");
	if (n == (ssize_t)want)
		EXPECT_EQ(0, memcmp(buf, ref, want))
			TH_LOG("read %zu: not the data written", cap);
	/* Not a byte past the count. */
	EXPECT_EQ(0xee, buf[want]);
	free(buf);
	free(ref);
}

/*
 * The call after poll(2) reported its direction ready: a non-blocking read
 * or write of @fd, which takes the completed reservation. On a loaded
 * machine the reservation may lapse first (expire a period after it
 * completed): the call then queues it again (EAGAIN) and is made again
 * after the next poll. *@lapses counts those.
 */
static ssize_t take(int fd, bool is_write, void *buf, size_t len, int *lapses)
{
	struct pollfd pfd = { .fd = fd, .events = is_write ? POLLOUT : POLLIN };
	ssize_t n = -EAGAIN;
	int i;

	for (i = 0; i < 10 && n == -EAGAIN; i++) {
		if (poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC) != 1)
			return -ETIMEDOUT;
		n = is_write ? xwrite(fd, buf, len) : xread(fd, buf, len);
		*lapses += n == -EAGAIN;
	}
	return n;
}

FIXTURE(echo) {
	int fd;
	struct hw_stats base;
};

FIXTURE_SETUP(echo)
{
	set_param(_metadata, PERIOD_PATH, PERIOD_US);
	set_param(_metadata, MAX_WRITE_PATH, HWECHO_DEFAULT_MAX_WRITE);
	self->fd = echo_open(_metadata, 0);
	stats(_metadata, &self->base);
}

FIXTURE_TEARDOWN(echo)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Data of each size comes back whole; one byte too many stores nothing. */
TEST_F(echo, sizes_round_trip)
{
	static const size_t sizes[] = {
		0, 1, 4095, 4096, HWECHO_DEFAULT_MAX_WRITE,
	};
	unsigned char *buf = malloc(HWECHO_DEFAULT_MAX_WRITE + 1);
	struct hw_stats before, after, d;
	unsigned int i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		put(_metadata, self->fd, sizes[i], i + 1);
		/* Room to spare: the read returns what there is. */
		expect_data(_metadata, self->fd, sizes[i] + 64, sizes[i], i + 1);
	}

	/* Too long: refused at once, never queued, nothing stored. */
	stats(_metadata, &before);
	fill(buf, HWECHO_DEFAULT_MAX_WRITE + 1, 99);
	EXPECT_EQ(-EMSGSIZE, xwrite(self->fd, buf, HWECHO_DEFAULT_MAX_WRITE + 1));
	stats(_metadata, &after);
	EXPECT_EQ(before.echo_requests, after.echo_requests);
	expect_data(_metadata, self->fd, HWECHO_DEFAULT_MAX_WRITE,
		    HWECHO_DEFAULT_MAX_WRITE, ARRAY_SIZE(sizes));
	free(buf);

	check_books(_metadata, &self->base, &d);
	EXPECT_EQ((long long)ARRAY_SIZE(sizes), d.echo_writes);
	EXPECT_EQ((long long)ARRAY_SIZE(sizes) + 1, d.echo_reads);
}

/*
 * echo_max_write at its limit, 16 MiB, and at 0; the module parameters
 * refuse values out of their range.
 */
TEST_F(echo, max_write_limits)
{
	unsigned char *buf = malloc(HWECHO_MAX_WRITE_LIMIT + 1);
	struct hw_stats d;

	ASSERT_NE(NULL, buf);
	set_param(_metadata, MAX_WRITE_PATH, HWECHO_MAX_WRITE_LIMIT);
	fill(buf, HWECHO_MAX_WRITE_LIMIT + 1, 7);
	EXPECT_EQ(HWECHO_MAX_WRITE_LIMIT,
		  xwrite(self->fd, buf, HWECHO_MAX_WRITE_LIMIT));
	EXPECT_EQ(-EMSGSIZE, xwrite(self->fd, buf, HWECHO_MAX_WRITE_LIMIT + 1));
	free(buf);
	expect_data(_metadata, self->fd, HWECHO_MAX_WRITE_LIMIT + 1,
		    HWECHO_MAX_WRITE_LIMIT, 7);

	set_param(_metadata, MAX_WRITE_PATH, 0);
	EXPECT_EQ(-EMSGSIZE, xwrite(self->fd, "x", 1));
	EXPECT_EQ(0, xwrite(self->fd, "x", 0));

	EXPECT_EQ(EINVAL, param_write(MAX_WRITE_PATH, HWECHO_MAX_WRITE_LIMIT + 1LL));
	EXPECT_EQ(EINVAL, param_write(PERIOD_PATH, HWECHO_MIN_PERIOD_US - 1));
	EXPECT_EQ(EINVAL, param_write(PERIOD_PATH, HWECHO_MAX_PERIOD_US + 1LL));
	EXPECT_EQ(0, param_read(MAX_WRITE_PATH));
	EXPECT_EQ(PERIOD_US, param_read(PERIOD_PATH));
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(2, d.echo_writes);
	EXPECT_EQ(1, d.echo_reads);
}

/* A zero-length write is data too: the reads after it return 0. */
TEST_F(echo, zero_length_write_empties)
{
	char buf[16];
	struct hw_stats d;

	put(_metadata, self->fd, 3, 1);
	EXPECT_EQ(0, xwrite(self->fd, buf, 0));
	EXPECT_EQ(0, xread(self->fd, buf, sizeof(buf)));
	/* A zero-length read is a request like any other. */
	put(_metadata, self->fd, 3, 1);
	EXPECT_EQ(0, xread(self->fd, buf, 0));
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(3, d.echo_writes);
	EXPECT_EQ(2, d.echo_reads);
}

/* A short read gets the first bytes; reads consume nothing. */
TEST_F(echo, short_read_gets_first_bytes)
{
	int other = echo_open(_metadata, 0);
	struct hw_stats d;

	put(_metadata, self->fd, 1000, 5);
	expect_data(_metadata, self->fd, 10, 1000, 5);
	expect_data(_metadata, self->fd, 1, 1000, 5);
	expect_data(_metadata, self->fd, 1000, 1000, 5);
	/* Device-wide: another file reads the same. */
	expect_data(_metadata, other, 2000, 1000, 5);
	close(other);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(1, d.echo_writes);
	EXPECT_EQ(4, d.echo_reads);
}

#define NR_CHAIN	6

/*
 * Writers and readers alternate, each thread queued once the one before it
 * is (echo_requests says so): W1 R1 W2 R2 W3 R3. Each reader must read
 * the data of the writer just before it, so each request completed after
 * the one queued before it and before the one queued after it.
 */
TEST_F(echo, arrival_order)
{
	static unsigned char bufs[NR_CHAIN][512];
	int fds[2] = { self->fd, echo_open(_metadata, 0) };
	struct op ops[NR_CHAIN] = {};
	unsigned char ref[512];
	struct hw_stats d;
	size_t len;
	int i;

	wait_idle(_metadata, PERIOD_US);
	for (i = 0; i < NR_CHAIN; i++) {
		bool write = !(i & 1);

		len = 100 + 50 * i;
		if (write)
			fill(bufs[i], len, 40 + i);
		else
			len = sizeof(bufs[i]);
		op_start(_metadata, &ops[i], fds[i % 2], write, bufs[i], len);
		ASSERT_TRUE(wait_requests(self->base.echo_requests + i + 1))
			TH_LOG("request %d never queued", i);
	}
	for (i = 0; i < NR_CHAIN; i++)
		EXPECT_TRUE(op_join(_metadata, &ops[i]));
	for (i = 0; i < NR_CHAIN; i += 2) {
		len = 100 + 50 * i;
		EXPECT_EQ((ssize_t)len, ops[i].ret);
		EXPECT_EQ((ssize_t)len, ops[i + 1].ret)
			TH_LOG("reader %d: %zd bytes, its writer wrote %zu",
			       i + 1, ops[i + 1].ret, len);
		fill(ref, len, 40 + i);
		EXPECT_EQ(0, memcmp(bufs[i + 1], ref, len))
			TH_LOG("reader %d did not read writer %d's data", i + 1, i);
	}
	close(fds[1]);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(NR_CHAIN, d.echo_requests);
}

#define NR_LOADERS	8
#define LOAD_OPS	12

struct loader {
	pthread_t thread;
	int fd;
	unsigned int seed;
	int ok;			/* requests that returned their count */
	int bad;		/* requests that did not */
};

static void *loader_fn(void *arg)
{
	struct loader *l = arg;
	unsigned char buf[4096];
	struct prng p;
	size_t len;
	ssize_t n;
	int i;

	prng_seed(&p, l->seed);
	for (i = 0; i < LOAD_OPS; i++) {
		len = prng_below(&p, sizeof(buf) + 1);
		if (prng_pct(&p, 50)) {
			fill(buf, len, l->seed);
			n = xwrite(l->fd, buf, len);
			if (n == (ssize_t)len)
				l->ok++;
			else
				l->bad++;
		} else {
			n = xread(l->fd, buf, len);
			if (n >= 0 && (size_t)n <= len)
				l->ok++;
			else
				l->bad++;
		}
	}
	return NULL;
}

/* Many threads on three files at once: one request in the driver at most. */
TEST_F(echo, one_in_driver_under_load)
{
	struct loader loaders[NR_LOADERS] = {};
	int fds[3] = { self->fd }, i, ok = 0;
	struct hw_stats d;

	set_param(_metadata, PERIOD_PATH, 2000);
	fds[1] = echo_open(_metadata, 0);
	fds[2] = echo_open(_metadata, 0);
	for (i = 0; i < NR_LOADERS; i++) {
		loaders[i].fd = fds[i % 3];
		loaders[i].seed = 1000 + i;
		ASSERT_EQ(0, pthread_create(&loaders[i].thread, NULL, loader_fn,
					    &loaders[i]));
	}
	for (i = 0; i < NR_LOADERS; i++) {
		ASSERT_EQ(0, pthread_join(loaders[i].thread, NULL));
		EXPECT_EQ(0, loaders[i].bad);
		ok += loaders[i].ok;
	}
	close(fds[1]);
	close(fds[2]);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(NR_LOADERS * LOAD_OPS, ok);
	EXPECT_EQ(ok, d.echo_reads + d.echo_writes);
	/* A high-water mark since load: stats_sub() keeps the later one. */
	EXPECT_EQ(1, d.echo_in_driver_max);
}

#define NR_BURST	4
#define BURST_PERIOD_US	20000U

/*
 * On an idle device a request takes a period at least: the timer starts
 * with the request. N requests queued at once take N ticks at least, and
 * N periods.
 */
TEST_F(echo, completes_after_a_tick)
{
	uint64_t period_ns = BURST_PERIOD_US * NSEC_PER_USEC, t0, t1;
	struct op ops[NR_BURST] = {};
	unsigned char bufs[NR_BURST][64];
	struct hw_stats before, after, d;
	char buf[16];
	int i;

	set_param(_metadata, PERIOD_PATH, BURST_PERIOD_US);
	wait_idle(_metadata, BURST_PERIOD_US);
	stats(_metadata, &before);
	t0 = now_ns();
	EXPECT_LE(0, xread(self->fd, buf, sizeof(buf)));
	t1 = now_ns();
	stats(_metadata, &after);
	EXPECT_LE(t0 + period_ns, t1) TH_LOG("completed %llu us after the call",
					     (unsigned long long)(t1 - t0) / 1000);
	EXPECT_LE(1, after.echo_ticks - before.echo_ticks);

	wait_idle(_metadata, BURST_PERIOD_US);
	stats(_metadata, &before);
	t0 = now_ns();
	for (i = 0; i < NR_BURST; i++)
		op_start(_metadata, &ops[i], self->fd, false, bufs[i],
			 sizeof(bufs[i]));
	t1 = 0;
	for (i = 0; i < NR_BURST; i++) {
		EXPECT_TRUE(op_join(_metadata, &ops[i]));
		EXPECT_LE(0, ops[i].ret);
		if (ops[i].returned_ns > t1)
			t1 = ops[i].returned_ns;
	}
	stats(_metadata, &after);
	EXPECT_LE(NR_BURST, after.echo_ticks - before.echo_ticks);
	EXPECT_LE(t0 + NR_BURST * period_ns, t1);
	check_books(_metadata, &self->base, &d);
}

/*
 * Non-blocking calls: EAGAIN while the request waits, then poll(2) says it
 * is done and the next call takes it; the write too. A file that never
 * tried non-blocking I/O polls as nothing.
 */
TEST_F(echo, nonblocking_poll_and_take)
{
	int nb = echo_open(_metadata, O_NONBLOCK);
	unsigned char head_buf[64], buf[256], ref[256], *big;
	struct pollfd pfd = { .fd = nb, .events = POLLIN | POLLOUT };
	struct op head = {};
	struct hw_stats before, after, d;
	int lapses = 0;

	put(_metadata, self->fd, 200, 3);
	EXPECT_EQ(0, poll(&(struct pollfd){ .fd = self->fd,
					    .events = POLLIN | POLLOUT }, 1, 0));

	/* The device is busy: a blocking read of another file is the head. */
	set_param(_metadata, PERIOD_PATH, 50000);
	op_start(_metadata, &head, self->fd, false, head_buf, sizeof(head_buf));
	ASSERT_TRUE(wait_requests(self->base.echo_requests + 2));

	stats(_metadata, &before);
	EXPECT_EQ(-EAGAIN, xread(nb, buf, sizeof(buf)));
	/* Still waiting: EAGAIN again, and nothing more queued. */
	EXPECT_EQ(-EAGAIN, xread(nb, buf, sizeof(buf)));
	stats(_metadata, &after);
	EXPECT_EQ(before.echo_requests + 1, after.echo_requests);
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(1, poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC));
	EXPECT_EQ(POLLIN, pfd.revents);
	memset(buf, 0, sizeof(buf));
	fill(ref, 200, 3);
	EXPECT_EQ(200, take(nb, false, buf, sizeof(buf), &lapses));
	EXPECT_EQ(0, memcmp(buf, ref, 200));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_TRUE(op_join(_metadata, &head));
	EXPECT_EQ((ssize_t)sizeof(head_buf), head.ret);

	/* The write: EAGAIN, POLLOUT, then the same call takes it. */
	fill(buf, 150, 4);
	EXPECT_EQ(-EAGAIN, xwrite(nb, buf, 150));
	pfd.events = POLLOUT;
	ASSERT_EQ(1, poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC));
	EXPECT_EQ(POLLOUT, pfd.revents);
	EXPECT_EQ(150, take(nb, true, buf, 150, &lapses));
	expect_data(_metadata, self->fd, 256, 150, 4);
	/* Too long: EMSGSIZE at once, even without blocking. */
	big = calloc(1, HWECHO_DEFAULT_MAX_WRITE + 1);
	ASSERT_NE(NULL, big);
	EXPECT_EQ(-EMSGSIZE, xwrite(nb, big, HWECHO_DEFAULT_MAX_WRITE + 1));
	free(big);

	/*
	 * preadv2(RWF_NOWAIT) on a blocking file: EAGAIN, and then a
	 * blocking read of the file takes the completed reservation.
	 */
	stats(_metadata, &before);
	EXPECT_EQ(-1, preadv2(self->fd, &(struct iovec){ buf, sizeof(buf) },
			      1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	pfd.fd = self->fd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC));
	EXPECT_EQ(150, xread(self->fd, buf, sizeof(buf)));
	/* Had it lapsed meanwhile, the read queued a request of its own. */
	stats(_metadata, &after);
	EXPECT_EQ(before.echo_requests + 1 + after.echo_expired -
		  before.echo_expired, after.echo_requests);

	close(nb);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(0, d.echo_released);
	if (lapses)
		TH_LOG("%d reservations lapsed before their call (a loaded machine)",
		       lapses);
}

/*
 * A completed reservation no call takes expires a period later, and
 * lapses: poll(2) reports it until a call queues it again. One that never
 * completed goes with its file.
 */
TEST_F(echo, untaken_reservation_expires)
{
	int nb = echo_open(_metadata, O_NONBLOCK);
	struct pollfd pfd = { .fd = nb, .events = POLLIN };
	struct hw_stats d;
	int lapses = 0;
	char buf[8];

	put(_metadata, self->fd, 5, 6);
	EXPECT_EQ(-EAGAIN, xread(nb, buf, sizeof(buf)));
	ASSERT_EQ(1, poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC));
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(1, d.echo_expired);
	/* Lapsed: still POLLIN, and the read queues it again. */
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(-EAGAIN, xread(nb, buf, sizeof(buf)));
	EXPECT_EQ(5, take(nb, false, buf, sizeof(buf), &lapses));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* Queued behind a slow head, then the file closed. */
	set_param(_metadata, PERIOD_PATH, SLOW_PERIOD_US);
	wait_idle(_metadata, SLOW_PERIOD_US);
	EXPECT_EQ(-EAGAIN, xwrite(nb, buf, sizeof(buf)));
	close(nb);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(1 + lapses, d.echo_expired);
	EXPECT_EQ(1, d.echo_released);
	EXPECT_EQ(1, d.echo_writes);
	EXPECT_EQ(1, d.echo_reads);
}

/* Sends SIGUSR1 to @op's thread once echo_requests reaches @n. */
static void interrupt_op(struct __test_metadata *_metadata, struct op *op,
			 long long n)
{
	ASSERT_TRUE(wait_requests(n));
	ASSERT_EQ(0, pthread_kill(op->thread, SIGUSR1));
}

static void handle_sigusr1(struct __test_metadata *_metadata, int sa_flags)
{
	struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = sa_flags };

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	sigusr1_seen = 0;
}

/*
 * A signal before the tick: EINTR without SA_RESTART, for a read and for
 * a write, which stores nothing; with SA_RESTART the call is queued again
 * and completes.
 */
TEST_F(echo, signal_interrupts)
{
	unsigned char buf[64], ref[40];
	struct hw_stats d;
	struct op op = {};

	put(_metadata, self->fd, 40, 8);
	set_param(_metadata, PERIOD_PATH, SLOW_PERIOD_US);
	wait_idle(_metadata, SLOW_PERIOD_US);

	handle_sigusr1(_metadata, 0);
	fill(buf, sizeof(buf), 9);
	op_start(_metadata, &op, self->fd, true, buf, sizeof(buf));
	interrupt_op(_metadata, &op, self->base.echo_requests + 2);
	EXPECT_TRUE(op_join(_metadata, &op));
	EXPECT_EQ(-EINTR, op.ret);

	wait_idle(_metadata, SLOW_PERIOD_US);
	op_start(_metadata, &op, self->fd, false, buf, sizeof(buf));
	interrupt_op(_metadata, &op, self->base.echo_requests + 3);
	EXPECT_TRUE(op_join(_metadata, &op));
	EXPECT_EQ(-EINTR, op.ret);
	EXPECT_EQ(2, sigusr1_seen);

	/* SA_RESTART: the read goes to the back of the queue, and completes. */
	handle_sigusr1(_metadata, SA_RESTART);
	memset(buf, 0, sizeof(buf));
	wait_idle(_metadata, SLOW_PERIOD_US);
	op_start(_metadata, &op, self->fd, false, buf, sizeof(buf));
	interrupt_op(_metadata, &op, self->base.echo_requests + 4);
	EXPECT_TRUE(op_join(_metadata, &op));
	EXPECT_EQ(1, sigusr1_seen);
	/* The interrupted write stored nothing: still the first data. */
	EXPECT_EQ(40, op.ret);
	fill(ref, sizeof(ref), 8);
	EXPECT_EQ(0, memcmp(buf, ref, sizeof(ref)));
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(3, d.echo_interrupted);
	EXPECT_EQ(5, d.echo_requests);
	EXPECT_EQ(1, d.echo_writes);
	EXPECT_EQ(1, d.echo_reads);
}

/*
 * close(2) in another thread does not end a blocking call (Linux: the call
 * holds the file): it completes at its tick, and the release follows.
 */
TEST_F(echo, close_in_another_thread)
{
	int fd = echo_open(_metadata, 0);
	unsigned char buf[64];
	struct hw_stats d;
	struct op op = {};

	put(_metadata, self->fd, 33, 2);
	set_param(_metadata, PERIOD_PATH, 100000);
	wait_idle(_metadata, 100000);
	op_start(_metadata, &op, fd, false, buf, sizeof(buf));
	ASSERT_TRUE(wait_requests(self->base.echo_requests + 2));
	EXPECT_EQ(0, close(fd));
	EXPECT_TRUE(op_join(_metadata, &op));
	EXPECT_EQ(33, op.ret);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(0, d.echo_interrupted);
}

/* A child blocked in a read is killed: its request leaves the queue. */
TEST_F(echo, process_killed_while_blocked)
{
	struct hw_stats d;
	int status;
	pid_t pid;

	set_param(_metadata, PERIOD_PATH, SLOW_PERIOD_US);
	wait_idle(_metadata, SLOW_PERIOD_US);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[8];
		int fd = open(ECHO_PATH, O_RDWR);

		_exit(fd < 0 ? 2 : read(fd, buf, sizeof(buf)) < 0 ? 3 : 4);
	}
	ASSERT_TRUE(wait_requests(self->base.echo_requests + 1));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(1, d.echo_interrupted);
}

/* A ring of 8 entries. */
static void ring_init(struct __test_metadata *_metadata, struct io_uring *ring)
{
	int ret = io_uring_queue_init(8, ring, 0);

	ASSERT_EQ(0, ret) TH_LOG("io_uring_queue_init: %s", strerror(-ret));
}

static void prep_rw(struct __test_metadata *_metadata, struct io_uring *ring,
		    bool write, int fd, void *buf, unsigned int len,
		    __u64 data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	ASSERT_NE(NULL, sqe);
	/* Offset -1: the file position, which a stream does not have. */
	if (write)
		io_uring_prep_write(sqe, fd, buf, len, -1);
	else
		io_uring_prep_read(sqe, fd, buf, len, -1);
	io_uring_sqe_set_data64(sqe, data);
}

/* Waits up to SLACK_NS for a completion; its user data and result. */
static void reap(struct __test_metadata *_metadata, struct io_uring *ring,
		 __u64 *data, int *res)
{
	struct __kernel_timespec ts = {
		.tv_sec = SLACK_NS / NSEC_PER_SEC,
	};
	struct io_uring_cqe *cqe;
	int ret;

	do {
		ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	} while (ret == -EINTR);
	ASSERT_EQ(0, ret) TH_LOG("no completion: %s", strerror(-ret));
	*data = io_uring_cqe_get_data64(cqe);
	*res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
}

#define URING_PERIOD_US	50000U
#define URING_ROUNDS	4

/*
 * io_uring writes and reads, one of each in flight at a time: they
 * complete in order with the data, and no io-wq worker thread ever exists:
 * each first attempt fails with EAGAIN, io_uring polls the file, and the
 * retry takes the completed reservation.
 */
TEST_F(echo, uring_without_worker)
{
	unsigned char wbuf[1000], rbuf[1200];
	struct io_uring ring;
	struct hw_stats d;
	__u64 data;
	int i, j, res;

	if (no_uring)
		SKIP(return, "%s", no_uring);
	set_param(_metadata, PERIOD_PATH, URING_PERIOD_US);
	ring_init(_metadata, &ring);
	ASSERT_EQ(0, count_workers());
	for (i = 0; i < URING_ROUNDS; i++) {
		fill(wbuf, sizeof(wbuf) - i, 60 + i);
		memset(rbuf, 0, sizeof(rbuf));
		prep_rw(_metadata, &ring, true, self->fd, wbuf,
			sizeof(wbuf) - i, 1);
		prep_rw(_metadata, &ring, false, self->fd, rbuf, sizeof(rbuf), 2);
		ASSERT_EQ(2, io_uring_submit(&ring));
		/* Both wait for their ticks: no thread waits for them. */
		EXPECT_EQ(0, count_workers());
		for (j = 1; j <= 2; j++) {
			reap(_metadata, &ring, &data, &res);
			/* The write was queued first: it completes first. */
			EXPECT_EQ((__u64)j, data);
			EXPECT_EQ((int)sizeof(wbuf) - i, res)
				TH_LOG("%s: %s", j == 1 ? "write" : "read",
				       res < 0 ? strerror(-res) : "short");
		}
		EXPECT_EQ(0, memcmp(rbuf, wbuf, sizeof(wbuf) - i));
	}
	EXPECT_EQ(0, count_workers()) TH_LOG("an io-wq worker did the I/O");
	io_uring_queue_exit(&ring);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(URING_ROUNDS, d.echo_writes);
	EXPECT_EQ(URING_ROUNDS, d.echo_reads);
	/*
	 * One reservation per request, each polled and taken; queued again
	 * once for each that lapsed before io_uring's retry took it (a
	 * loaded machine).
	 */
	EXPECT_EQ(2 * URING_ROUNDS + d.echo_expired, d.echo_requests);
}

/*
 * IORING_OP_ASYNC_CANCEL of a pending io_uring read, then of a write:
 * ECANCELED (Windows: CancelIoEx()). The cancelled write stores nothing;
 * the reservations complete later, and expire as no call takes them.
 */
TEST_F(echo, uring_async_cancel)
{
	unsigned char buf[128];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct hw_stats d;
	int i, j, res, want;
	__u64 data;

	if (no_uring)
		SKIP(return, "%s", no_uring);
	put(_metadata, self->fd, 77, 11);
	set_param(_metadata, PERIOD_PATH, SLOW_PERIOD_US);
	ring_init(_metadata, &ring);
	for (i = 0; i < 2; i++) {
		bool write = i;

		wait_idle(_metadata, SLOW_PERIOD_US);
		fill(buf, sizeof(buf), 12);
		prep_rw(_metadata, &ring, write, self->fd, buf, sizeof(buf), 1);
		ASSERT_EQ(1, io_uring_submit(&ring));
		ASSERT_TRUE(wait_requests(self->base.echo_requests + 2 + i));
		sqe = io_uring_get_sqe(&ring);
		ASSERT_NE(NULL, sqe);
		io_uring_prep_cancel64(sqe, 1, 0);
		io_uring_sqe_set_data64(sqe, 2);
		ASSERT_EQ(1, io_uring_submit(&ring));
		want = 0;
		for (j = 0; j < 2; j++) {
			reap(_metadata, &ring, &data, &res);
			if (data == 1) {
				EXPECT_EQ(-ECANCELED, res)
					TH_LOG("%s: %d", write ? "write" : "read",
					       res);
			} else {
				EXPECT_EQ(0, res) TH_LOG("the cancel: %s",
							 strerror(-res));
			}
			want |= 1 << data;
		}
		EXPECT_EQ(6, want);
	}
	io_uring_queue_exit(&ring);
	set_param(_metadata, PERIOD_PATH, PERIOD_US);
	expect_data(_metadata, self->fd, sizeof(buf), 77, 11);
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(2, d.echo_expired);
	EXPECT_EQ(1, d.echo_writes);
}

/*
 * A child with an io_uring read and write waiting, and a blocking read in
 * another thread, exits without closing anything: the ring and the files
 * go, and every request with them.
 */
TEST_F(echo, process_exit_with_requests)
{
	struct hw_stats d;
	int status;
	pid_t pid;

	if (no_uring)
		SKIP(return, "%s", no_uring);
	set_param(_metadata, PERIOD_PATH, SLOW_PERIOD_US);
	wait_idle(_metadata, SLOW_PERIOD_US);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static unsigned char rbuf[64], wbuf[64], bbuf[64];
		int fd = open(ECHO_PATH, O_RDWR);
		struct io_uring_sqe *sqe;
		struct io_uring ring;
		struct op op = {};

		if (fd < 0 || io_uring_queue_init(4, &ring, 0))
			_exit(2);
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read(sqe, fd, rbuf, sizeof(rbuf), -1);
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_write(sqe, fd, wbuf, sizeof(wbuf), -1);
		if (io_uring_submit(&ring) != 2)
			_exit(3);
		op.fd = fd;
		op.buf = bbuf;
		op.len = sizeof(bbuf);
		if (pthread_create(&op.thread, NULL, op_fn, &op))
			_exit(4);
		pause();
		_exit(5);
	}
	ASSERT_TRUE(wait_requests(self->base.echo_requests + 3));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	check_books(_metadata, &self->base, &d);
	EXPECT_EQ(3, d.echo_requests);
	EXPECT_EQ(1, d.echo_interrupted);
	/* Released with the file, or completed and expired first. */
	EXPECT_EQ(2, d.echo_released + d.echo_expired + d.echo_reads +
		     d.echo_writes);
}

/*
 * With nothing written since the module was loaded, a read returns 0. The
 * device's data outlives every file, so this needs a fresh module: taken
 * as it is if nothing was written yet, else reloaded ($HWEVENT_KO). Last,
 * as the reload puts the module parameters back to their defaults.
 */
TEST_F(echo, read_before_any_write)
{
	const char *ko = getenv("HWEVENT_KO");
	struct hw_stats st;
	char buf[16];
	int fd, err;

	/* Ours would hold the module. */
	close(self->fd);
	self->fd = -1;
	if (stats_read(&st) || !st.have_echo)
		SKIP(return, "no " HWEVENT_STATS_PATH);
	if (st.echo_writes) {
		if (!ko)
			SKIP(return, "data was written, and no $HWEVENT_KO to reload the module with");
		err = delete_module_nb(HWEVENT_MODULE);
		if (err)
			SKIP(return, "cannot unload hwevent: %s", strerror(err));
		err = finit_module_path(ko);
		ASSERT_EQ(0, err) TH_LOG("load %s: %s", ko, strerror(err));
		ASSERT_EQ(0, stats_read(&st));
		ASSERT_EQ(0, st.echo_writes);
		set_param(_metadata, PERIOD_PATH, PERIOD_US);
	}
	fd = open(ECHO_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* devtmpfs makes the node as the module loads; udev may lag. */
		sleep_ns(NSEC_PER_SEC);
		fd = open(ECHO_PATH, O_RDWR | O_CLOEXEC);
	}
	ASSERT_LE(0, fd) TH_LOG("open " ECHO_PATH ": %s", strerror(errno));
	EXPECT_EQ(0, xread(fd, buf, sizeof(buf)));
	close(fd);
}

/* No ioctls, no file position. */
TEST_F(echo, no_ioctl_no_seek)
{
	struct hwevent_register r = {};
	int n;

	EXPECT_EQ(ENOTTY, xioctl(self->fd, FIONREAD, &n));
	EXPECT_EQ(ENOTTY, xioctl(self->fd, HWEVENT_IOC_REGISTER, &r));
	EXPECT_EQ(ENOTTY, xioctl(self->fd, _IO(0xE7, 0x40), NULL));
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, pread(self->fd, &n, sizeof(n), 0));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, pwrite(self->fd, &n, sizeof(n), 0));
	EXPECT_EQ(ESPIPE, errno);
}

/*
 * TEST_HARNESS_MAIN, but without the device every test skips, as one;
 * the module parameters the tests change are put back at the end.
 */
int main(int argc, char **argv)
{
	long long period, max_write;
	struct io_uring ring;
	int fd, ret;

	fd = open(ECHO_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		ksft_print_header();
		if (ret == ENOENT || ret == ENODEV || ret == ENXIO)
			ksft_exit_skip("no " ECHO_PATH ": load hwevent.ko (CONFIG_HWEVENT)\n");
		if (ret == EACCES || ret == EPERM)
			ksft_exit_skip(ECHO_PATH " is mode 0600: run as root\n");
		ksft_exit_fail_msg("open " ECHO_PATH ": %s\n", strerror(ret));
	}
	close(fd);

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret == -ENOSYS)
		no_uring = "no io_uring in this kernel (CONFIG_IO_URING)";
	else if (ret == -EPERM)
		no_uring = "io_uring is disabled (sysctl kernel.io_uring_disabled)";
	else if (ret)
		no_uring = "io_uring_queue_init failed";
	else
		io_uring_queue_exit(&ring);

	period = param_read(PERIOD_PATH);
	max_write = param_read(MAX_WRITE_PATH);
	ret = test_harness_run(argc, argv);
	if (period >= 0)
		param_write(PERIOD_PATH, period);
	if (max_write >= 0)
		param_write(MAX_WRITE_PATH, max_write);
	return ret;
}
