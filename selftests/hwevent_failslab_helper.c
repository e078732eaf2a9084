// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_failslab_helper - the calls hwevent_failslab.sh makes fail.
 *
 * The script sets up /sys/kernel/debug/failslab (task-filter, probability
 * 100); this helper marks itself with /proc/self/make-it-fail only around
 * the one call under test, so that nothing else it does fails:
 *
 *   register eventfd|pending  HWEVENT_IOC_REGISTER must fail with ENOMEM
 *	(its registration's allocation fails), and (eventfd) the eventfd is
 *	never signalled.
 *   open                      open() of /dev/hwevent must fail with ENOMEM.
 *   sweep-open                fail the 1st, 2nd, 3rd, ... fault-injection
 *	point of open() (/proc/<tid>/fail-nth; failslab's probability need
 *	not be set) until it succeeds untouched: every injected failure gives
 *	ENOMEM (EFAULT where a user copy was failed), and after each one the
 *	module's reference count and the debugfs counters are as before.
 *   sweep-register eventfd|pending  the same for HWEVENT_IOC_REGISTER,
 *	which must fail with ENOMEM at least once (its allocation); a failed
 *	registration is never signalled, the eventfd reference never kept.
 *   fire                      with nothing injected, an EVENTFD and a
 *	PENDING registration both fire.
 *
 * fail-nth counts every fault-injection point the thread passes, user
 * copies included, and reading or writing the fail-nth file copies to or
 * from user memory too: a second thread does that, so that the calls
 * under test are the only ones the counted thread makes.
 *
 * Exit status 0 if the call behaved, 1 if not, 2 on bad usage; "# " lines
 * on stdout say what happened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hwevent_util.h"

#define REFCNT_PATH	"/sys/module/hwevent/refcnt"
#define MAX_POINTS	1000

static int make_it_fail = -1;

static int set_make_it_fail(int on)
{
	if (make_it_fail < 0)
		make_it_fail = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (make_it_fail < 0 ||
	    pwrite(make_it_fail, on ? "1" : "0", 1, 0) != 1) {
		printf("# /proc/self/make-it-fail: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static long read_refcnt(void)
{
	long val = -1;
	FILE *f = fopen(REFCNT_PATH, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

static int open_efd(void)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (efd < 0)
		printf("# eventfd: %s\n", strerror(errno));
	return efd;
}

/* Whether @efd stays unsignalled for 50 ms. */
static int efd_quiet(int efd)
{
	sleep_ns(50 * NSEC_PER_MSEC);
	return efd_take(efd) == 0;
}

/* Waits up to 10 s for @efd to be signalled; its count. */
static uint64_t efd_wait(int efd)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };

	poll(&pfd, 1, 10000);
	sleep_ns(10 * NSEC_PER_MSEC);	/* a second signal would show */
	return efd_take(efd);
}

static int cmd_register(const char *mode)
{
	int pending = !strcmp(mode, "pending");
	struct hwevent_register r;
	int fd, efd, err, ok;

	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	efd = open_efd();
	if (fd < 0 || efd < 0) {
		printf("# open: %s\n", strerror(errno));
		return 1;
	}
	reg_set(&r, pending ? HWEVENT_MODE_PENDING : HWEVENT_MODE_EVENTFD,
		efd, 0, 1);
	if (set_make_it_fail(1))
		return 1;
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	if (set_make_it_fail(0))
		return 1;
	ok = err == ENOMEM;
	printf("# register %s with failing allocations: %s\n", mode,
	       errno_name(err));
	if (!efd_quiet(efd)) {
		printf("# ... and its eventfd was signalled\n");
		ok = 0;
	}
	close(efd);
	close(fd);
	return !ok;
}

static int cmd_open(void)
{
	int fd, err;

	if (set_make_it_fail(1))
		return 1;
	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (set_make_it_fail(0))
		return 1;
	printf("# open with failing allocations: %s\n", errno_name(err));
	if (fd >= 0)
		close(fd);
	return err != ENOMEM;
}

/*
 * The fail-nth sweep. The main thread makes the call under test; the
 * controller thread writes and reads the main thread's fail-nth file.
 */
static struct {
	int nth_fd;		/* /proc/self/task/<main tid>/fail-nth */
	int step;		/* main: n to arm, then 0 once the call returned */
	int acked;		/* controller: step acknowledged */
	int remaining;		/* what fail-nth said after the call */
	int quit;
} ctl;

static void *controller_fn(void *arg)
{
	char buf[32];
	int seen = 0, n;
	ssize_t len;

	(void)arg;
	for (;;) {
		while (__atomic_load_n(&ctl.acked, __ATOMIC_ACQUIRE) ==
		       (seen = __atomic_load_n(&ctl.step, __ATOMIC_ACQUIRE)) &&
		       !__atomic_load_n(&ctl.quit, __ATOMIC_ACQUIRE))
			sched_yield();
		if (__atomic_load_n(&ctl.quit, __ATOMIC_ACQUIRE))
			return NULL;
		if (seen > 0) {
			/* Arm: the n-th point the main thread passes fails. */
			n = snprintf(buf, sizeof(buf), "%d", seen);
			if (pwrite(ctl.nth_fd, buf, n, 0) != n)
				printf("# write fail-nth: %s\n", strerror(errno));
		} else {
			/* The call returned: how far did it get? Disarm. */
			len = pread(ctl.nth_fd, buf, sizeof(buf) - 1, 0);
			buf[len > 0 ? len : 0] = 0;
			ctl.remaining = atoi(buf);
			if (pwrite(ctl.nth_fd, "0", 1, 0) != 1)
				printf("# write fail-nth: %s\n", strerror(errno));
		}
		__atomic_store_n(&ctl.acked, seen, __ATOMIC_RELEASE);
	}
}

/* Has the controller do @step; spins, making no system call meanwhile. */
static void ctl_do(int step)
{
	__atomic_store_n(&ctl.step, step, __ATOMIC_RELEASE);
	while (__atomic_load_n(&ctl.acked, __ATOMIC_ACQUIRE) != step)
		;
}

struct sweep_state {
	long refcnt;
	struct hw_stats st;
};

static int snapshot(struct sweep_state *s)
{
	s->refcnt = read_refcnt();
	return stats_read(&s->st);
}

/* Whether nothing was left behind since @base. */
static int unchanged(const struct sweep_state *base, int n)
{
	struct sweep_state now;
	int err = snapshot(&now);

	if (err) {
		printf("# point %d: %s: %s\n", n, HWEVENT_STATS_PATH,
		       strerror(err));
		return 0;
	}
	if (now.refcnt != base->refcnt || now.st.live != base->st.live ||
	    now.st.eventfd_refs != base->st.eventfd_refs ||
	    now.st.armed - base->st.armed != stats_ended(&now.st) - stats_ended(&base->st)) {
		printf("# point %d: refcnt %ld -> %ld, live %lld -> %lld, eventfd_refs %lld -> %lld\n",
		       n, base->refcnt, now.refcnt, base->st.live, now.st.live,
		       base->st.eventfd_refs, now.st.eventfd_refs);
		return 0;
	}
	return 1;
}

static int cmd_sweep(int is_open, const char *mode)
{
	int pending = mode && !strcmp(mode, "pending");
	int fd = -1, efd = -1, n, err, ok = 1, enomem = 0, efault = 0;
	struct sweep_state base;
	struct hwevent_register r;
	pthread_t controller;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	ctl.nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (ctl.nth_fd < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!is_open) {
		fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
		efd = open_efd();
		if (fd < 0 || efd < 0)
			return 1;
	}
	err = snapshot(&base);
	if (err || base.refcnt < 0) {
		printf("# %s or %s unreadable\n", HWEVENT_STATS_PATH, REFCNT_PATH);
		return 1;
	}
	if (pthread_create(&controller, NULL, controller_fn, NULL))
		return 1;

	for (n = 1; n <= MAX_POINTS; n++) {
		int ret;

		reg_set(&r, pending ? HWEVENT_MODE_PENDING : HWEVENT_MODE_EVENTFD,
			efd, 0, n);
		ctl_do(n);
		if (is_open) {
			ret = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
			err = ret < 0 ? errno : 0;
		} else {
			ret = ioctl(fd, HWEVENT_IOC_REGISTER, &r);
			err = ret ? errno : 0;
		}
		ctl_do(-n);
		if (is_open && ret >= 0)
			close(ret);
		/* A registration made despite it all fires, once. */
		if (!err && !is_open && !pending && efd_wait(efd) != 1) {
			printf("# point %d: a registration made was not signalled once\n", n);
			ok = 0;
		}
		/* fail-nth still counting: no point was failed, we are done. */
		if (ctl.remaining)
			break;
		if (err == ENOMEM)
			enomem++;
		else if (err == EFAULT)
			efault++;
		else if (err)
			ok = 0;
		printf("# point %d failed: the call gave %s\n", n, errno_name(err));
		if (err && !is_open && !pending && !efd_quiet(efd)) {
			printf("# point %d: a failed registration signalled its eventfd\n", n);
			ok = 0;
		}
		if (!unchanged(&base, n))
			ok = 0;
	}
	__atomic_store_n(&ctl.quit, 1, __ATOMIC_RELEASE);
	pthread_join(controller, NULL);
	if (n > MAX_POINTS) {
		printf("# still failing after %d points\n", MAX_POINTS);
		ok = 0;
	} else if (err) {
		printf("# the untouched call failed: %s\n", errno_name(err));
		ok = 0;
	}
	if (!is_open && !enomem) {
		printf("# no point gave ENOMEM: the registration's allocation was never failed\n");
		ok = 0;
	}
	printf("# %s: %d fault points, ENOMEM %d, EFAULT %d\n",
	       is_open ? "open" : "register", n - 1, enomem, efault);
	if (fd >= 0)
		close(fd);
	if (efd >= 0)
		close(efd);
	return !ok;
}

static int cmd_fire(void)
{
	struct hwevent_register r;
	int fd, efd, err, ok = 1;

	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	efd = open_efd();
	if (fd < 0 || efd < 0) {
		printf("# open: %s\n", strerror(errno));
		return 1;
	}
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd, 0, 1);
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	if (err || efd_wait(efd) != 1) {
		printf("# EVENTFD registration: %s, not signalled once\n",
		       errno_name(err));
		ok = 0;
	}
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 2);
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	if (err || r.event.cookie != 2) {
		printf("# PENDING registration: %s\n", errno_name(err));
		ok = 0;
	}
	close(efd);
	close(fd);
	return !ok;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "register") &&
	    (!strcmp(argv[2], "eventfd") || !strcmp(argv[2], "pending")))
		return cmd_register(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "open"))
		return cmd_open();
	if (argc == 2 && !strcmp(argv[1], "sweep-open"))
		return cmd_sweep(1, NULL);
	if (argc == 3 && !strcmp(argv[1], "sweep-register") &&
	    (!strcmp(argv[2], "eventfd") || !strcmp(argv[2], "pending")))
		return cmd_sweep(0, argv[2]);
	if (argc == 2 && !strcmp(argv[1], "fire"))
		return cmd_fire();
	fprintf(stderr,
		"usage: %s register eventfd|pending | open | sweep-open |\n"
		"       sweep-register eventfd|pending | fire\n", argv[0]);
	return 2;
}
