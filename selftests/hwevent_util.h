/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by hwevent_stress, hwevent_race, hwevent_fuzz and
 * hwevent_failslab_helper: clocks, a seeded PRNG, the debugfs counters, module
 * unload/load by system call, errno names and TAP output on top of
 * kselftest.h. Everything is static: each program includes it once.
 */
#ifndef HWEVENT_UTIL_H
#define HWEVENT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/hwevent.h>

#include "kselftest.h"

#define HWEVENT_PATH		"/dev/hwevent"
#define HWEVENT_STATS_PATH	"/sys/kernel/debug/hwevent/stats"
#define HWEVENT_MODULE		"hwevent"
#define MAX_PENDING_PATH	"/sys/module/hwevent/parameters/max_pending"

#define NSEC_PER_USEC		1000ULL
#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Sleeps until CLOCK_MONOTONIC @when, through signals. */
static inline void sleep_until_ns(uint64_t when)
{
	struct timespec ts = {
		.tv_sec = when / NSEC_PER_SEC,
		.tv_nsec = when % NSEC_PER_SEC,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static inline void sleep_ns(uint64_t ns)
{
	sleep_until_ns(now_ns() + ns);
}

/* Busy-waits @ns: for sub-microsecond to tens-of-microseconds offsets. */
static inline void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		;
}

/* xorshift64*: small, fast, and the same sequence for the same seed. */
struct prng {
	uint64_t s;
};

static inline void prng_seed(struct prng *p, uint64_t seed)
{
	/* splitmix64 of the seed: never 0, and nearby seeds diverge. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	p->s = (z ^ (z >> 31)) | 1;
}

static inline uint64_t prng_next(struct prng *p)
{
	p->s ^= p->s >> 12;
	p->s ^= p->s << 25;
	p->s ^= p->s >> 27;
	return p->s * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n); 0 if n is 0. */
static inline uint64_t prng_below(struct prng *p, uint64_t n)
{
	return n ? prng_next(p) % n : 0;
}

/* True with probability @pct percent. */
static inline int prng_pct(struct prng *p, unsigned int pct)
{
	return prng_below(p, 100) < pct;
}

/* A seed from the clock and pid, for runs without --seed. */
static inline uint64_t default_seed(void)
{
	return now_ns() ^ ((uint64_t)getpid() << 32);
}

/* debugfs hwevent/stats */
struct hw_stats {
	long long armed;
	long long fired;
	long long cancelled;
	long long interrupted;
	long long dropped;
	long long live;
	long long eventfd_refs;
};

/*
 * Reads HWEVENT_STATS_PATH. Returns 0, or an errno: that of the open or
 * read, or EPROTO if a line is missing or unparsable.
 */
static inline int stats_read(struct hw_stats *st)
{
	static const char * const names[] = {
		"armed", "fired", "cancelled", "interrupted", "dropped",
		"live", "eventfd_refs",
	};
	long long *vals[] = {
		&st->armed, &st->fired, &st->cancelled, &st->interrupted,
		&st->dropped, &st->live, &st->eventfd_refs,
	};
	unsigned int seen = 0, i;
	char name[32];
	long long val;
	FILE *f;

	f = fopen(HWEVENT_STATS_PATH, "re");
	if (!f)
		return errno;
	while (fscanf(f, "%31s %lld", name, &val) == 2) {
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (!strcmp(name, names[i])) {
				*vals[i] = val;
				seen |= 1U << i;
			}
		}
	}
	fclose(f);
	return seen == (1U << ARRAY_SIZE(names)) - 1 ? 0 : EPROTO;
}

/* @a - @b, field by field. */
static inline struct hw_stats stats_sub(const struct hw_stats *a,
					const struct hw_stats *b)
{
	struct hw_stats d = {
		.armed = a->armed - b->armed,
		.fired = a->fired - b->fired,
		.cancelled = a->cancelled - b->cancelled,
		.interrupted = a->interrupted - b->interrupted,
		.dropped = a->dropped - b->dropped,
		.live = a->live - b->live,
		.eventfd_refs = a->eventfd_refs - b->eventfd_refs,
	};

	return d;
}

static inline long long stats_ended(const struct hw_stats *st)
{
	return st->fired + st->cancelled + st->interrupted + st->dropped;
}

static inline void stats_print(const char *what, const struct hw_stats *st)
{
	ksft_print_msg("%s: armed=%lld fired=%lld cancelled=%lld interrupted=%lld dropped=%lld live=%lld eventfd_refs=%lld\n",
		       what, st->armed, st->fired, st->cancelled,
		       st->interrupted, st->dropped, st->live,
		       st->eventfd_refs);
}

/*
 * Reads the counters until live and eventfd_refs are back to @base's and
 * every registration armed since has ended, or @timeout_ns passed: a
 * bottom half may still be finishing when the last waiter returned.
 */
static inline int stats_settle(struct hw_stats *st, const struct hw_stats *base,
			       uint64_t timeout_ns)
{
	uint64_t deadline = now_ns() + timeout_ns;
	int err;

	for (;;) {
		err = stats_read(st);
		if (err)
			return err;
		if (st->live == base->live &&
		    st->eventfd_refs == base->eventfd_refs &&
		    st->armed - base->armed == stats_ended(st) - stats_ended(base))
			return 0;
		if (now_ns() >= deadline)
			return 0;
		sleep_ns(10 * NSEC_PER_MSEC);
	}
}

static inline long long read_max_pending(void)
{
	long long val = -1;
	FILE *f = fopen(MAX_PENDING_PATH, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/* The module system calls, which glibc does not wrap. */
static inline int delete_module_nb(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

static inline int finit_module_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = errno;
	close(fd);
	return err;
}

/* Waits up to @timeout_ns for HWEVENT_PATH to be openable; the fd or -1. */
static inline int open_dev_wait(uint64_t timeout_ns)
{
	uint64_t deadline = now_ns() + timeout_ns;
	int fd;

	for (;;) {
		fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || now_ns() >= deadline)
			return fd;
		sleep_ns(10 * NSEC_PER_MSEC);
	}
}

static inline int module_loaded(void)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, HWEVENT_MODULE " ", strlen(HWEVENT_MODULE) + 1);
	fclose(f);
	return found;
}

static inline const char *errno_name(int err)
{
	static __thread char buf[16];

	switch (err) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECANCELED: return "ECANCELED";
	case EPROTO: return "EPROTO";
	}
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

/* ioctl() returning 0 or the errno it failed with. */
static inline int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static inline void reg_set(struct hwevent_register *r, uint32_t mode, int efd,
			   uint64_t delay_ns, uint64_t cookie)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->eventfd = efd;
	r->delay_ns = delay_ns;
	r->cookie = cookie;
}

/* HWEVENT_IOC_CANCEL; 0 or the errno; *count set on success. */
static inline int cancel_id(int fd, uint64_t id, uint32_t flags,
			    uint64_t *count)
{
	struct hwevent_cancel c = { .id = id, .flags = flags, .count = ~0ULL };
	int err = xioctl(fd, HWEVENT_IOC_CANCEL, &c);

	if (!err && count)
		*count = c.count;
	return err;
}

/*
 * A PENDING record's sanity: its id, cookie, and times ordered and no
 * earlier than @start + the delay, no later than @end. Returns NULL or
 * what is wrong.
 */
static inline const char *record_insane(const struct hwevent_register *r,
					uint64_t start, uint64_t end)
{
	const struct hwevent_event *e = &r->event;

	if (!r->id || e->id != r->id)
		return "event.id differs from id";
	if (e->cookie != r->cookie)
		return "cookie not echoed";
	if (!e->seqno)
		return "seqno 0";
	if (e->due_ns < start + r->delay_ns)
		return "due before the ioctl plus the delay";
	if (e->irq_ns < e->due_ns)
		return "interrupt before due";
	if (e->bh_ns < e->irq_ns)
		return "bottom half before interrupt";
	if (e->bh_ns > end)
		return "bottom half after the ioctl returned";
	if (e->flags || e->reserved[0] || e->reserved[1] || e->reserved[2])
		return "flags or reserved not zero";
	return NULL;
}

/* Reads an O_NONBLOCK eventfd: its count, 0 if unsignalled, ~0 on error. */
static inline uint64_t efd_take(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		return v;
	return errno == EAGAIN ? 0 : UINT64_MAX;
}

/* TAP results: "ok N desc", "not ok N desc", "ok N desc # SKIP why". */
static inline void tap_result(int pass, const char *fmt, ...)
{
	va_list ap;

	if (pass)
		ksft_inc_pass_cnt();
	else
		ksft_inc_fail_cnt();
	printf("%sok %u ", pass ? "" : "not ", ksft_test_num());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline void tap_skip(const char *desc, const char *fmt, ...)
{
	va_list ap;

	ksft_inc_xskip_cnt();
	printf("ok %u %s # SKIP ", ksft_test_num(), desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Exit status from the results so far, as kselftest wants it. */
static inline int tap_exit(void)
{
	ksft_print_cnts();
	fflush(stdout);
	if (ksft_get_fail_cnt() || ksft_get_error_cnt())
		return KSFT_FAIL;
	if (ksft_test_num() == (unsigned int)ksft_cnt.ksft_xskip)
		return KSFT_SKIP;
	return KSFT_PASS;
}

/* Parses a non-negative decimal option value; exits 2 on nonsense. */
static inline unsigned long long parse_num(const char *prog, const char *opt,
					   const char *val)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = val ? strtoull(val, &end, 0) : 0;
	if (!val || !*val || *end || errno || *val == '-') {
		fprintf(stderr, "%s: %s wants a number, got '%s'\n", prog, opt,
			val ? val : "");
		exit(2);
	}
	return n;
}

/* Skips the whole program (exit 4) without the device, as kselftest does. */
static inline void require_device(void)
{
	int fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	int err = errno;

	if (fd >= 0) {
		close(fd);
		return;
	}
	ksft_print_header();
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		ksft_exit_skip("no " HWEVENT_PATH ": load hwevent.ko (CONFIG_HWEVENT)\n");
	if (err == EACCES || err == EPERM)
		ksft_exit_skip(HWEVENT_PATH " is mode 0600: run as root\n");
	ksft_exit_fail_msg("open " HWEVENT_PATH ": %s\n", strerror(err));
}

#endif /* HWEVENT_UTIL_H */
