// SPDX-License-Identifier: GPL-2.0
/*
 * hwecho_stress - many threads reading and writing /dev/hwecho at once,
 * blocking and through io_uring, for --seconds; every read checked, and
 * the books balanced at the end.
 *
 * --threads blocking workers (default 6) share --files open files
 * (default 4; every other one O_NONBLOCK) and, at random, write a buffer
 * of random size (0, or 16 bytes to --max-size) or read with a buffer of
 * random size (1 byte to --max-size), blocking; on an O_NONBLOCK file a
 * call that fails with EAGAIN waits in poll(2) and tries again, and may
 * take a reservation another thread's call queued. A thread sends them
 * SIGUSR1 now and then (SA_RESTART: each interrupted call is queued again
 * and completes), and now and then forks a child that blocks in a read of
 * a file of its own and is killed, or exits, with the read queued.
 * --uring-threads threads (default 2) each keep one io_uring read and one
 * write in flight on a file of their own, submit each again as it
 * completes, now and then cancel the read with IORING_OP_ASYNC_CANCEL,
 * and now and then close ring and file with both in flight and open new
 * ones.
 *
 * Every buffer written describes itself: a 16-byte header (a magic
 * number, its length, the writer and its count of writes) and bytes that
 * follow from the header. A read must return min(its size, the length)
 * bytes of one such buffer, as written, by a writer that did write it;
 * or 0 bytes (a zero-length write, or nothing written yet).
 *
 * At the end, every file closed: the debugfs counters since the start
 * balance, each request that joined the queue left it once
 * (echo_requests = echo_reads + echo_writes + echo_interrupted +
 * echo_released + echo_expired); none is left queued; at most one was in
 * the driver at once; echo_writes is the writes that returned their
 * count, echo_reads the reads that did, up to the children's and those
 * of the rings closed with requests in flight.
 *
 * Prints TAP and a "# figures:" line; exits 0, 1 on a failure, 4 if
 * /dev/hwecho is missing. A watchdog ends the run (exit 1) if it overruns
 * --seconds by 120 s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/hwecho.h>

#include "hwevent_util.h"

#define ECHO_PATH	"/dev/hwecho"
#define PERIOD_PATH	"/sys/module/hwevent/parameters/echo_period_us"
#define MAX_WRITE_PATH	"/sys/module/hwevent/parameters/echo_max_write"
#define MAX_THREADS	32
#define MAX_FILES	16
/* The top 40 bits of a header's first word: "hech0" in ASCII. */
#define MAGIC		0x6865636830ULL
#define HDR		16U
#define OVERRUN_S	120
#define POLL_MS		100

#define ADD(p, v)	__atomic_add_fetch(&(p), (v), __ATOMIC_SEQ_CST)
#define LOAD(p)		__atomic_load_n(&(p), __ATOMIC_SEQ_CST)
#define STORE(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_SEQ_CST)

static struct {
	unsigned long long seconds;
	unsigned int threads;
	unsigned int uring_threads;
	unsigned int files;
	unsigned int period_us;
	unsigned int max_size;
	uint64_t seed;
} opt = {
	.seconds = 10, .threads = 6, .uring_threads = 2, .files = 4,
	.period_us = 1000, .max_size = HWECHO_DEFAULT_MAX_WRITE,
};

/* The header of every buffer written. */
struct hdr {
	uint64_t magic_len;	/* MAGIC in the top 40 bits, length below */
	uint32_t writer;	/* the writer's number */
	uint32_t count;		/* its writes so far, from 1 */
};

static int fds[MAX_FILES];
static volatile int stop;
static uint64_t deadline_ns;

/* What the workers saw, for the books. */
static uint64_t n_reads, n_writes, n_empty, n_eagain, n_uring_reads,
		n_uring_writes, n_cancels, n_cancelled, n_reopens, n_signals,
		n_children, n_bad;
/*
 * Requests a closed ring took with it: each may have completed in the
 * driver, its completion never seen (one read and one write a reopen).
 */
#define N_UNSEEN	LOAD(n_reopens)
/* The writes each writer issued: a read names one of them. */
static uint32_t issued[MAX_THREADS * 2];

static void bad(const char *fmt, ...)
{
	va_list ap;

	if (ADD(n_bad, 1) > 20)
		return;
	va_start(ap, fmt);
	printf("# BAD: ");
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static unsigned char body_byte(const struct hdr *h, size_t i)
{
	uint64_t x = (uint64_t)h->writer << 32 | h->count;

	return (unsigned char)(x >> (i % 8 * 8) ^ i ^ i >> 8);
}

/* Fills @buf as writer @writer's write @count of @len bytes. */
static void fill_buffer(unsigned char *buf, size_t len, uint32_t writer,
			uint32_t count)
{
	struct hdr h = {
		.magic_len = MAGIC << 24 | len,
		.writer = writer,
		.count = count,
	};
	size_t i;

	if (!len)
		return;
	memcpy(buf, &h, HDR);
	for (i = HDR; i < len; i++)
		buf[i] = body_byte(&h, i);
}

/* A read of @n bytes with a buffer of @cap: one whole buffer, or none. */
static void check_read(const unsigned char *buf, size_t cap, ssize_t n,
		       const char *who)
{
	struct hdr h;
	size_t len, i;

	if (n == 0) {
		ADD(n_empty, 1);
		return;
	}
	if (n < 0 || (size_t)n > cap) {
		bad("%s: read %zu returned %zd", who, cap, n);
		return;
	}
	if ((size_t)n < HDR) {
		/*
		 * Only the start of a header: the buffer was that short, and
		 * its bytes past the length's three are the magic number's.
		 */
		h.magic_len = MAGIC << 24;
		if (n != (ssize_t)cap)
			bad("%s: %zd bytes of %zu: shorter than any write", who,
			    n, cap);
		else if (n > 3 && memcmp(buf + 3, (char *)&h + 3,
					 (n < 8 ? n : 8) - 3))
			bad("%s: %zd bytes, not a header's", who, n);
		return;
	}
	memcpy(&h, buf, HDR);
	len = h.magic_len & ((1ULL << 24) - 1);
	if (h.magic_len >> 24 != MAGIC || len < HDR || len > opt.max_size) {
		bad("%s: %zd bytes without a header", who, n);
		return;
	}
	if ((size_t)n != (cap < len ? cap : len)) {
		bad("%s: read %zu of a %zu-byte write returned %zd", who, cap,
		    len, n);
		return;
	}
	if (h.writer >= ARRAY_SIZE(issued) || !h.count ||
	    h.count > LOAD(issued[h.writer])) {
		bad("%s: writer %u write %u was never issued", who, h.writer,
		    h.count);
		return;
	}
	for (i = HDR; i < (size_t)n; i++) {
		if (buf[i] != body_byte(&h, i)) {
			bad("%s: byte %zu of writer %u write %u differs", who, i,
			    h.writer, h.count);
			return;
		}
	}
}

static size_t write_size(struct prng *p)
{
	if (prng_pct(p, 10))
		return 0;
	if (prng_pct(p, 70))
		return HDR + prng_below(p, 4096 - HDR + 1);
	return HDR + prng_below(p, opt.max_size - HDR + 1);
}

static size_t read_size(struct prng *p)
{
	if (prng_pct(p, 5))
		return 1 + prng_below(p, HDR);
	if (prng_pct(p, 50))
		return opt.max_size;
	return 1 + prng_below(p, opt.max_size);
}

/* A call on an O_NONBLOCK file: poll and retry until it is not EAGAIN. */
static ssize_t nb_call(int fd, bool is_write, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = is_write ? POLLOUT : POLLIN };
	ssize_t n;

	for (;;) {
		n = is_write ? write(fd, buf, len) : read(fd, buf, len);
		if (n >= 0 || errno != EAGAIN)
			return n < 0 ? -errno : n;
		ADD(n_eagain, 1);
		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR)
			return -errno;
	}
}

struct worker {
	pthread_t thread;
	unsigned int index;
	unsigned char *buf;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	uint32_t writer = w->index;
	struct prng p;
	size_t len;
	ssize_t n;
	int f, fd;

	prng_seed(&p, opt.seed + w->index);
	while (!LOAD(stop)) {
		f = prng_below(&p, opt.files);
		fd = fds[f];
		if (prng_pct(&p, 50)) {
			len = write_size(&p);
			fill_buffer(w->buf, len, writer,
				    ADD(issued[writer], 1));
			n = f & 1 ? nb_call(fd, true, w->buf, len) :
				    (write(fd, w->buf, len) < 0 ? -errno :
								  (ssize_t)len);
			if (n != (ssize_t)len)
				bad("worker %u: write %zu: %zd", w->index, len, n);
			else
				ADD(n_writes, 1);
		} else {
			len = read_size(&p);
			n = f & 1 ? nb_call(fd, false, w->buf, len) :
				    read(fd, w->buf, len);
			if (n < 0 && !(f & 1))
				n = -errno;
			if (n >= 0)
				ADD(n_reads, 1);
			check_read(w->buf, len, n, "blocking read");
		}
	}
	return NULL;
}

/* --- io_uring ------------------------------------------------------------ */

#define UD_READ		1
#define UD_WRITE	2
#define UD_CANCEL	3

/* Buffers of closed rings, freed once the rings are surely gone. */
#define RETIRED		32
#define RETIRE_NS	(5 * NSEC_PER_SEC)

struct uworker {
	pthread_t thread;
	unsigned int index;
	unsigned char *rbuf, *wbuf;
	size_t rlen, wlen;
	struct {
		void *buf;
		uint64_t when;
	} retired[RETIRED];
	unsigned int nr_retired;
};

/*
 * Retire @buf: a ring closed with a request in flight goes asynchronously,
 * and until it has, the request may still fill its buffer. Frees those
 * retired RETIRE_NS ago (or the oldest, when full).
 */
static void retire(struct uworker *u, void *buf)
{
	uint64_t now = now_ns();
	unsigned int i, j;

	for (i = j = 0; i < u->nr_retired; i++) {
		if (now - u->retired[i].when > RETIRE_NS ||
		    (u->nr_retired == RETIRED && i == 0))
			free(u->retired[i].buf);
		else
			u->retired[j++] = u->retired[i];
	}
	u->nr_retired = j;
	u->retired[u->nr_retired].buf = buf;
	u->retired[u->nr_retired++].when = now;
}

static bool u_submit(struct io_uring *ring, int fd, struct uworker *u,
		     struct prng *p, bool is_write)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return false;
	if (is_write) {
		u->wlen = write_size(p);
		fill_buffer(u->wbuf, u->wlen, u->index,
			    ADD(issued[u->index], 1));
		io_uring_prep_write(sqe, fd, u->wbuf, u->wlen, -1);
		io_uring_sqe_set_data64(sqe, UD_WRITE);
	} else {
		u->rlen = read_size(p);
		io_uring_prep_read(sqe, fd, u->rbuf, u->rlen, -1);
		io_uring_sqe_set_data64(sqe, UD_READ);
	}
	return true;
}

static int u_open(struct io_uring *ring, int *fd)
{
	*fd = open(ECHO_PATH, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	return io_uring_queue_init(8, ring, 0);
}

static void *uworker_fn(void *arg)
{
	struct __kernel_timespec ts = { .tv_nsec = 100 * NSEC_PER_MSEC };
	struct uworker *u = arg;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	bool rd = true, wr = true;
	struct io_uring ring;
	struct prng p;
	int fd, ret, res;
	__u64 data;

	prng_seed(&p, opt.seed * 31 + u->index);
	ret = u_open(&ring, &fd);
	if (ret) {
		bad("uring %u: setup: %s", u->index, strerror(-ret));
		return NULL;
	}
	u_submit(&ring, fd, u, &p, false);
	u_submit(&ring, fd, u, &p, true);
	io_uring_submit(&ring);
	while (rd || wr) {
		if (LOAD(stop) && now_ns() > deadline_ns + 30 * NSEC_PER_SEC) {
			struct hw_stats st;

			bad("uring %u: requests still in flight at the end:%s%s (read %zu, write %zu)",
			    u->index, rd ? " read" : "", wr ? " write" : "",
			    u->rlen, u->wlen);
			if (!stats_read(&st))
				stats_print("now", &st);
			break;
		}
		ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
		if (ret == -ETIME || ret == -EINTR)
			continue;
		if (ret) {
			bad("uring %u: wait: %s", u->index, strerror(-ret));
			break;
		}
		data = io_uring_cqe_get_data64(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (data == UD_CANCEL)
			continue;
		if (res == -ECANCELED) {
			ADD(n_cancelled, 1);
		} else if (data == UD_READ) {
			if (res >= 0)
				ADD(n_uring_reads, 1);
			check_read(u->rbuf, u->rlen, res, "io_uring read");
		} else if (res != (int)u->wlen) {
			bad("uring %u: write %zu: %d", u->index, u->wlen, res);
		} else {
			ADD(n_uring_writes, 1);
		}
		if (data == UD_READ)
			rd = false;
		else
			wr = false;
		if (LOAD(stop))
			continue;

		/* Now and then: close ring and file with both in flight. */
		if (prng_pct(&p, 2)) {
			u_submit(&ring, fd, u, &p, data == UD_WRITE);
			io_uring_submit(&ring);
			io_uring_queue_exit(&ring);
			close(fd);
			ADD(n_reopens, 1);
			retire(u, u->rbuf);
			retire(u, u->wbuf);
			u->rbuf = malloc(opt.max_size);
			u->wbuf = malloc(opt.max_size);
			if (!u->rbuf || !u->wbuf) {
				bad("uring %u: out of memory", u->index);
				return NULL;
			}
			ret = u_open(&ring, &fd);
			if (ret) {
				bad("uring %u: reopen: %s", u->index,
				    strerror(-ret));
				return NULL;
			}
			rd = wr = false;
		}
		if (!rd && u_submit(&ring, fd, u, &p, false)) {
			rd = true;
			/* Now and then: cancel it at once, as it waits. */
			if (prng_pct(&p, 5) && (sqe = io_uring_get_sqe(&ring))) {
				io_uring_prep_cancel64(sqe, UD_READ, 0);
				io_uring_sqe_set_data64(sqe, UD_CANCEL);
				ADD(n_cancels, 1);
			}
		}
		if (!wr && u_submit(&ring, fd, u, &p, true))
			wr = true;
		io_uring_submit(&ring);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	return NULL;
}

/* --- signals and children ------------------------------------------------ */

static struct worker workers[MAX_THREADS];

static void *pester_fn(void *arg)
{
	struct prng p;
	pid_t pid;
	int status;

	(void)arg;
	prng_seed(&p, opt.seed ^ 0x5157);
	while (!LOAD(stop)) {
		sleep_ns((5 + prng_below(&p, 30)) * NSEC_PER_MSEC);
		if (LOAD(stop))
			break;
		pthread_kill(workers[prng_below(&p, opt.threads)].thread,
			     SIGUSR1);
		ADD(n_signals, 1);
		if (!prng_pct(&p, 3))
			continue;
		/* A child blocked in a read of its own file, killed or not. */
		pid = fork();
		if (pid < 0)
			continue;
		if (!pid) {
			char buf[64];
			int fd = open(ECHO_PATH, O_RDWR);

			_exit(fd < 0 || read(fd, buf, sizeof(buf)) < 0);
		}
		ADD(n_children, 1);
		sleep_ns(prng_below(&p, 3 * opt.period_us) * NSEC_PER_USEC);
		if (prng_pct(&p, 70))
			kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return NULL;
}

static void on_alarm(int sig)
{
	/* Async-signal-safe: write(2) and _exit(2). */
	static const char msg[] = "# hwecho_stress: overran its time, giving up\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(KSFT_FAIL);
	_exit(KSFT_FAIL);
}

static void on_sigusr1_count(int sig)
{
	(void)sig;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seconds N] [--threads N] [--uring-threads N] [--files N]\n"
		"          [--period-us N] [--max-size N] [--seed N]\n", prog);
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "uring-threads", required_argument, NULL, 'u' },
		{ "files", required_argument, NULL, 'f' },
		{ "period-us", required_argument, NULL, 'p' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'S' },
		{ }
	};
	bool seeded = false;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.seconds = parse_num(argv[0], "--seconds", optarg);
			break;
		case 't':
			opt.threads = parse_num(argv[0], "--threads", optarg);
			break;
		case 'u':
			opt.uring_threads = parse_num(argv[0], "--uring-threads",
						      optarg);
			break;
		case 'f':
			opt.files = parse_num(argv[0], "--files", optarg);
			break;
		case 'p':
			opt.period_us = parse_num(argv[0], "--period-us", optarg);
			break;
		case 'm':
			opt.max_size = parse_num(argv[0], "--max-size", optarg);
			break;
		case 'S':
			opt.seed = parse_num(argv[0], "--seed", optarg);
			seeded = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || !opt.threads || opt.threads > MAX_THREADS ||
	    opt.uring_threads > MAX_THREADS || !opt.files ||
	    opt.files > MAX_FILES || opt.max_size < HDR ||
	    opt.max_size > HWECHO_DEFAULT_MAX_WRITE ||
	    opt.period_us < HWECHO_MIN_PERIOD_US ||
	    opt.period_us > HWECHO_MAX_PERIOD_US)
		usage(argv[0]);
	if (!seeded)
		opt.seed = default_seed();
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigusr1_count,
				.sa_flags = SA_RESTART };
	struct uworker uworkers[MAX_THREADS] = {};
	long long old_period, old_max_write;
	struct hw_stats st0, st1, d;
	uint64_t settle, start;
	pthread_t pester;
	unsigned int i;
	int have_stats;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	i = open(ECHO_PATH, O_RDWR | O_CLOEXEC);
	if ((int)i < 0) {
		ksft_print_header();
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			ksft_exit_skip("no " ECHO_PATH ": load hwevent.ko (CONFIG_HWEVENT)\n");
		ksft_exit_fail_msg("open " ECHO_PATH ": %s\n", strerror(errno));
	}
	close(i);
	ksft_print_header();
	ksft_set_plan(5);
	ksft_print_msg("seed %llu, %llu s, %u threads, %u io_uring threads, %u files, period %u us\n",
		       (unsigned long long)opt.seed, opt.seconds, opt.threads,
		       opt.uring_threads, opt.files, opt.period_us);
	if (sigaction(SIGUSR1, &sa, NULL))
		ksft_exit_fail_msg("sigaction: %s\n", strerror(errno));
	signal(SIGALRM, on_alarm);
	alarm(opt.seconds + OVERRUN_S);

	old_period = param_read(PERIOD_PATH);
	old_max_write = param_read(MAX_WRITE_PATH);
	if (param_write(PERIOD_PATH, opt.period_us) ||
	    param_write(MAX_WRITE_PATH, opt.max_size))
		ksft_exit_fail_msg("cannot set echo_period_us and echo_max_write\n");

	for (i = 0; i < opt.files; i++) {
		fds[i] = open(ECHO_PATH, O_RDWR | O_CLOEXEC |
					 (i & 1 ? O_NONBLOCK : 0));
		if (fds[i] < 0)
			ksft_exit_fail_msg("open: %s\n", strerror(errno));
	}
	/* The data an earlier program left is none of ours: write none. */
	if (write(fds[0], "", 0))
		ksft_exit_fail_msg("write 0 bytes: %s\n", strerror(errno));
	have_stats = !stats_read(&st0) && st0.have_echo;
	start = now_ns();
	deadline_ns = start + opt.seconds * NSEC_PER_SEC;
	for (i = 0; i < opt.threads; i++) {
		workers[i].index = i;
		workers[i].buf = malloc(opt.max_size);
		if (!workers[i].buf ||
		    pthread_create(&workers[i].thread, NULL, worker_fn,
				   &workers[i]))
			ksft_exit_fail_msg("worker %u\n", i);
	}
	for (i = 0; i < opt.uring_threads; i++) {
		uworkers[i].index = MAX_THREADS + i;
		uworkers[i].rbuf = malloc(opt.max_size);
		uworkers[i].wbuf = malloc(opt.max_size);
		if (!uworkers[i].rbuf || !uworkers[i].wbuf ||
		    pthread_create(&uworkers[i].thread, NULL, uworker_fn,
				   &uworkers[i]))
			ksft_exit_fail_msg("io_uring worker %u\n", i);
	}
	if (pthread_create(&pester, NULL, pester_fn, NULL))
		ksft_exit_fail_msg("pester\n");

	while (now_ns() < deadline_ns && LOAD(n_bad) <= 20)
		sleep_ns(100 * NSEC_PER_MSEC);
	STORE(stop, 1);
	pthread_join(pester, NULL);
	for (i = 0; i < opt.threads; i++) {
		pthread_join(workers[i].thread, NULL);
		free(workers[i].buf);
	}
	for (i = 0; i < opt.uring_threads; i++)
		pthread_join(uworkers[i].thread, NULL);
	for (i = 0; i < opt.files; i++)
		close(fds[i]);
	tap_result(1, "the run ended: %llu s, every thread joined",
		   (unsigned long long)((now_ns() - start) / NSEC_PER_SEC));
	tap_result(!LOAD(n_bad), "every read returned one whole buffer as written, every write its count (%llu failures)",
		   (unsigned long long)LOAD(n_bad));

	if (!have_stats) {
		tap_skip("the books balance", "no echo_ lines in " HWEVENT_STATS_PATH);
		tap_skip("nothing left queued", "no debugfs");
		tap_skip("one request in the driver at most", "no debugfs");
	} else {
		/* The rings go, and their files, asynchronously. */
		settle = now_ns() + 10 * NSEC_PER_SEC;
		while (!stats_read(&st1) && st1.echo_queued &&
		       now_ns() < settle)
			sleep_ns(10 * NSEC_PER_MSEC);
		d = stats_sub(&st1, &st0);
		tap_result(d.echo_requests == echo_stats_ended(&d) &&
			   d.echo_writes >= (long long)(n_writes + n_uring_writes) &&
			   d.echo_writes <= (long long)(n_writes + n_uring_writes + N_UNSEEN) &&
			   d.echo_reads >= (long long)(n_reads + n_uring_reads) &&
			   d.echo_reads <= (long long)(n_reads + n_uring_reads + n_children + N_UNSEEN),
			   "the books balance: %lld requests, %lld ended; %lld writes, %llu returned; %lld reads, %llu returned (+ up to %llu by children, %llu with closed rings)",
			   d.echo_requests, echo_stats_ended(&d), d.echo_writes,
			   (unsigned long long)(n_writes + n_uring_writes),
			   d.echo_reads,
			   (unsigned long long)(n_reads + n_uring_reads),
			   (unsigned long long)n_children,
			   (unsigned long long)N_UNSEEN);
		tap_result(!st1.echo_queued, "nothing left queued (%lld)",
			   st1.echo_queued);
		tap_result(st1.echo_in_driver_max <= 1,
			   "one request in the driver at most (%lld)",
			   st1.echo_in_driver_max);
		if (LOAD(n_bad) || d.echo_requests != echo_stats_ended(&d))
			stats_print("since the start", &d);
	}
	ksft_print_msg("figures: seconds=%llu threads=%u uring_threads=%u files=%u period_us=%u seed=%llu reads=%llu writes=%llu empty_reads=%llu eagain=%llu uring_reads=%llu uring_writes=%llu cancels=%llu cancelled=%llu reopens=%llu signals=%llu children=%llu echo_requests=%lld echo_ticks=%lld echo_interrupted=%lld echo_released=%lld echo_expired=%lld\n",
		       opt.seconds, opt.threads, opt.uring_threads, opt.files,
		       opt.period_us, (unsigned long long)opt.seed,
		       (unsigned long long)n_reads, (unsigned long long)n_writes,
		       (unsigned long long)n_empty, (unsigned long long)n_eagain,
		       (unsigned long long)n_uring_reads,
		       (unsigned long long)n_uring_writes,
		       (unsigned long long)n_cancels,
		       (unsigned long long)n_cancelled,
		       (unsigned long long)n_reopens,
		       (unsigned long long)n_signals,
		       (unsigned long long)n_children,
		       have_stats ? d.echo_requests : -1,
		       have_stats ? d.echo_ticks : -1,
		       have_stats ? d.echo_interrupted : -1,
		       have_stats ? d.echo_released : -1,
		       have_stats ? d.echo_expired : -1);
	/* Every ring is gone by now (nothing is queued): their buffers too. */
	for (i = 0; i < opt.uring_threads; i++) {
		free(uworkers[i].rbuf);
		free(uworkers[i].wbuf);
		while (uworkers[i].nr_retired)
			free(uworkers[i].retired[--uworkers[i].nr_retired].buf);
	}
	if (old_period >= 0)
		param_write(PERIOD_PATH, old_period);
	if (old_max_write >= 0)
		param_write(MAX_WRITE_PATH, old_max_write);
	return tap_exit();
}
