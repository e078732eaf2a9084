/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the hwevent test programs: clocks, a seeded PRNG, the
 * debugfs counters, module parameters, module unload/load by system call,
 * io-wq worker threads, eventfds, errno names and TAP output on top of
 * kselftest.h. Included
 * after kselftest_harness.h (hwevent_test, hwevent_queue_test), it adds
 * the harness tests' own helpers at its end. Everything is static: each
 * program includes it once.
 */
#ifndef HWEVENT_UTIL_H
#define HWEVENT_UTIL_H

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
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

/*
 * The layout the header promises to 32- and 64-bit callers alike, checked
 * in every program that includes this, hwevent_queue_test_32 among them.
 */
static_assert(sizeof(struct hwevent_event) == 0x40, "hwevent_event size");
static_assert(alignof(struct hwevent_event) == 8, "event alignment");
static_assert(offsetof(struct hwevent_event, seqno) == 0x00, "seqno");
static_assert(offsetof(struct hwevent_event, id) == 0x08, "event.id");
static_assert(offsetof(struct hwevent_event, cookie) == 0x10, "event.cookie");
static_assert(offsetof(struct hwevent_event, due_ns) == 0x18, "due_ns");
static_assert(offsetof(struct hwevent_event, irq_ns) == 0x20, "irq_ns");
static_assert(offsetof(struct hwevent_event, bh_ns) == 0x28, "bh_ns");
static_assert(offsetof(struct hwevent_event, flags) == 0x30, "event.flags");
static_assert(offsetof(struct hwevent_event, lost) == 0x34, "lost");
static_assert(offsetof(struct hwevent_event, overruns) == 0x38, "overruns");
static_assert(offsetof(struct hwevent_event, data) == 0x3c, "event.data");
static_assert(sizeof(struct hwevent_register) == 0x88,
	      "hwevent_register size");
static_assert(alignof(struct hwevent_register) == 8, "alignment");
static_assert(offsetof(struct hwevent_register, mode) == 0x00, "mode");
static_assert(offsetof(struct hwevent_register, eventfd) == 0x04, "eventfd");
static_assert(offsetof(struct hwevent_register, delay_ns) == 0x08, "delay_ns");
static_assert(offsetof(struct hwevent_register, cookie) == 0x10, "cookie");
static_assert(offsetof(struct hwevent_register, flags) == 0x18, "flags");
static_assert(offsetof(struct hwevent_register, padding) == 0x1c, "padding");
static_assert(offsetof(struct hwevent_register, period_ns) == 0x20, "period_ns");
static_assert(offsetof(struct hwevent_register, reserved) == 0x28, "reserved");
static_assert(offsetof(struct hwevent_register, id) == 0x40, "id");
static_assert(offsetof(struct hwevent_register, event) == 0x48, "event");
static_assert(_IOC_SIZE(HWEVENT_IOC_REGISTER) == 0x88, "ioctl size");
static_assert(sizeof(struct hwevent_cancel) == 0x20, "hwevent_cancel size");
static_assert(alignof(struct hwevent_cancel) == 8, "cancel alignment");
static_assert(offsetof(struct hwevent_cancel, flags) == 0x08, "cancel.flags");
static_assert(offsetof(struct hwevent_cancel, padding) == 0x0c,
	      "cancel.padding");
static_assert(offsetof(struct hwevent_cancel, count) == 0x10, "cancel.count");
static_assert(offsetof(struct hwevent_cancel, reserved) == 0x18,
	      "cancel.reserved");
static_assert(sizeof(struct hwevent_trigger) == 0x20, "hwevent_trigger size");
static_assert(alignof(struct hwevent_trigger) == 8, "trigger alignment");
static_assert(offsetof(struct hwevent_trigger, flags) == 0x08,
	      "trigger.flags");
static_assert(offsetof(struct hwevent_trigger, padding) == 0x0c,
	      "trigger.padding");
static_assert(offsetof(struct hwevent_trigger, count) == 0x10,
	      "trigger.count");
static_assert(offsetof(struct hwevent_trigger, reserved) == 0x18,
	      "trigger.reserved");
static_assert(_IOC_SIZE(HWEVENT_IOC_CANCEL) == 0x20, "cancel ioctl size");
static_assert(_IOC_SIZE(HWEVENT_IOC_TRIGGER) == 0x20, "trigger ioctl size");

#define HWEVENT_PATH		"/dev/hwevent"
#define HWEVENT_STATS_PATH	"/sys/kernel/debug/hwevent/stats"
#define HWEVENT_MODULE		"hwevent"
#define MAX_PENDING_PATH	"/sys/module/hwevent/parameters/max_pending"
#define QUEUE_SIZE_PATH		"/sys/module/hwevent/parameters/queue_size"
/* Test-only module parameters: 0 and 1 (their defaults) change nothing. */
#define BH_DELAY_PATH		"/sys/module/hwevent/parameters/test_bh_delay_us"
#define COUNT_UNIT_PATH		"/sys/module/hwevent/parameters/test_count_unit"

#define NSEC_PER_USEC		1000ULL
#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static inline struct timespec ns_to_timespec(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / NSEC_PER_SEC,
		.tv_nsec = ns % NSEC_PER_SEC,
	};

	return ts;
}

/* Sleeps until CLOCK_MONOTONIC @when, through signals. */
static inline void sleep_until_ns(uint64_t when)
{
	struct timespec ts = ns_to_timespec(when);

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

/* For qsort(). */
static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
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

/*
 * debugfs hwevent/stats. The queue's lines (queued to triggered) came
 * with HWEVENT_MODE_QUEUE; @have_queue says whether they were there.
 */
struct hw_stats {
	long long armed;
	long long completed;
	long long cancelled;
	long long interrupted;
	long long dropped;
	/* ended because the edu PCI device went away (hwevent_edu_test) */
	long long device_gone;
	long long live;
	long long eventfd_refs;
	long long queued;	/* records queued */
	long long queue_lost;	/* records dropped: overflow, failed read */
	long long ticks;	/* periodic expiries delivered */
	long long overruns;	/* periodic expiries without a record */
	long long triggered;	/* fired by HWEVENT_IOC_TRIGGER */
	/* PENDING waits a signal interrupted after the interrupt, before the BH */
	long long late_signals;
	/* timer callbacks run: the simulated interrupts, triggers apart */
	long long interrupts;
	/*
	 * /dev/hwecho: requests that joined its queue, and how each ended:
	 * completed reads and writes, interrupted by a signal, released with
	 * their file, expired (a completed reservation no call took); its
	 * timer's expiries, the requests queued now, and the most in the
	 * driver at once (1)
	 */
	long long echo_requests;
	long long echo_reads;
	long long echo_writes;
	long long echo_interrupted;
	long long echo_released;
	long long echo_expired;
	long long echo_ticks;
	long long echo_queued;
	long long echo_in_driver_max;
	int have_queue;
	int have_late;		/* the late_signals line was there */
	int have_interrupts;	/* the interrupts line was there */
	int have_echo;		/* every echo_ line was there */
};

#define HW_STATS_BASE	7	/* armed .. eventfd_refs: always there */

/*
 * Reads HWEVENT_STATS_PATH. Returns 0, or an errno: that of the open or
 * read, or EPROTO if one of the first seven lines is missing or
 * unparsable.
 */
static inline int stats_read(struct hw_stats *st)
{
	static const char * const names[] = {
		"armed", "completed", "cancelled", "interrupted", "dropped",
		"live", "eventfd_refs",
		"queued", "queue_lost", "ticks", "overruns", "triggered",
	};
	long long *vals[] = {
		&st->armed, &st->completed, &st->cancelled, &st->interrupted,
		&st->dropped, &st->live, &st->eventfd_refs,
		&st->queued, &st->queue_lost, &st->ticks, &st->overruns,
		&st->triggered,
	};
	static const char * const echo_names[] = {
		"echo_requests", "echo_reads", "echo_writes",
		"echo_interrupted", "echo_released", "echo_expired",
		"echo_ticks", "echo_queued", "echo_in_driver_max",
	};
	long long *echo_vals[] = {
		&st->echo_requests, &st->echo_reads, &st->echo_writes,
		&st->echo_interrupted, &st->echo_released, &st->echo_expired,
		&st->echo_ticks, &st->echo_queued, &st->echo_in_driver_max,
	};
	const unsigned int base = (1U << HW_STATS_BASE) - 1;
	unsigned int seen = 0, echo_seen = 0, i;
	char name[32];
	long long val;
	FILE *f;

	memset(st, 0, sizeof(*st));
	f = fopen(HWEVENT_STATS_PATH, "re");
	if (!f)
		return errno;
	while (fscanf(f, "%31s %lld", name, &val) == 2) {
		if (!strcmp(name, "late_signals")) {
			st->late_signals = val;
			st->have_late = 1;
		}
		if (!strcmp(name, "device_gone"))
			st->device_gone = val;
		if (!strcmp(name, "interrupts")) {
			st->interrupts = val;
			st->have_interrupts = 1;
		}
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (!strcmp(name, names[i])) {
				*vals[i] = val;
				seen |= 1U << i;
			}
		}
		for (i = 0; i < ARRAY_SIZE(echo_names); i++) {
			if (!strcmp(name, echo_names[i])) {
				*echo_vals[i] = val;
				echo_seen |= 1U << i;
			}
		}
	}
	fclose(f);
	st->have_queue = seen == (1U << ARRAY_SIZE(names)) - 1;
	st->have_echo = echo_seen == (1U << ARRAY_SIZE(echo_names)) - 1;
	return (seen & base) == base ? 0 : EPROTO;
}

/* @a - @b, field by field. */
static inline struct hw_stats stats_sub(const struct hw_stats *a,
					const struct hw_stats *b)
{
	struct hw_stats d = {
		.armed = a->armed - b->armed,
		.completed = a->completed - b->completed,
		.cancelled = a->cancelled - b->cancelled,
		.interrupted = a->interrupted - b->interrupted,
		.dropped = a->dropped - b->dropped,
		.device_gone = a->device_gone - b->device_gone,
		.live = a->live - b->live,
		.eventfd_refs = a->eventfd_refs - b->eventfd_refs,
		.queued = a->queued - b->queued,
		.queue_lost = a->queue_lost - b->queue_lost,
		.ticks = a->ticks - b->ticks,
		.overruns = a->overruns - b->overruns,
		.triggered = a->triggered - b->triggered,
		.late_signals = a->late_signals - b->late_signals,
		.interrupts = a->interrupts - b->interrupts,
		.echo_requests = a->echo_requests - b->echo_requests,
		.echo_reads = a->echo_reads - b->echo_reads,
		.echo_writes = a->echo_writes - b->echo_writes,
		.echo_interrupted = a->echo_interrupted - b->echo_interrupted,
		.echo_released = a->echo_released - b->echo_released,
		.echo_expired = a->echo_expired - b->echo_expired,
		.echo_ticks = a->echo_ticks - b->echo_ticks,
		.echo_queued = a->echo_queued - b->echo_queued,
		/* A high-water mark: the later one, not a difference. */
		.echo_in_driver_max = a->echo_in_driver_max,
		.have_queue = a->have_queue && b->have_queue,
		.have_late = a->have_late && b->have_late,
		.have_interrupts = a->have_interrupts && b->have_interrupts,
		.have_echo = a->have_echo && b->have_echo,
	};

	return d;
}

static inline long long stats_ended(const struct hw_stats *st)
{
	return st->completed + st->cancelled + st->interrupted + st->dropped +
	       st->device_gone;
}

/* /dev/hwecho requests that left its queue, each exactly once. */
static inline long long echo_stats_ended(const struct hw_stats *st)
{
	return st->echo_reads + st->echo_writes + st->echo_interrupted +
	       st->echo_released + st->echo_expired;
}

static inline void stats_print(const char *what, const struct hw_stats *st)
{
	ksft_print_msg("%s: armed=%lld completed=%lld cancelled=%lld interrupted=%lld dropped=%lld live=%lld eventfd_refs=%lld\n",
		       what, st->armed, st->completed, st->cancelled,
		       st->interrupted, st->dropped, st->live,
		       st->eventfd_refs);
	if (st->have_queue)
		ksft_print_msg("%s: queued=%lld queue_lost=%lld ticks=%lld overruns=%lld triggered=%lld\n",
			       what, st->queued, st->queue_lost, st->ticks,
			       st->overruns, st->triggered);
	if (st->have_echo)
		ksft_print_msg("%s: echo_requests=%lld echo_reads=%lld echo_writes=%lld echo_interrupted=%lld echo_released=%lld echo_expired=%lld echo_ticks=%lld echo_queued=%lld echo_in_driver_max=%lld\n",
			       what, st->echo_requests, st->echo_reads,
			       st->echo_writes, st->echo_interrupted,
			       st->echo_released, st->echo_expired,
			       st->echo_ticks, st->echo_queued,
			       st->echo_in_driver_max);
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

/* Whether the running kernel has function @sym (/proc/kallsyms). */
static inline bool kernel_has_symbol(const char *sym)
{
	char line[256], name[128], type;
	unsigned long long addr;
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%llx %c %127s", &addr, &type, name) == 3 &&
			!strcmp(name, sym);
	fclose(f);
	return found;
}

/* A module parameter's value, or -1 if it cannot be read. */
static inline long long param_read(const char *path)
{
	long long val = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/* Sets a module parameter: 0 or the errno. */
static inline int param_write(const char *path, long long val)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return errno;
	if (fprintf(f, "%lld\n", val) < 0)
		err = errno ?: EIO;
	if (fclose(f) && !err)
		err = errno ?: EIO;
	return err;
}

/* Whether param_write()'s @err says we may not write (skip), not "bad value". */
static inline int param_unwritable(int err)
{
	return err == EACCES || err == EPERM || err == EROFS || err == ENOENT;
}

static inline long long read_max_pending(void)
{
	return param_read(MAX_PENDING_PATH);
}

/* The module system calls, which glibc does not wrap. */
static inline int delete_module_nb(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

/*
 * Loads the module with the parameters in $HWEVENT_MODULE_PARAMS ("name=value
 * ..."), as the test runner loaded it: a run with bottom_half=thread stays
 * one after the tests that reload the module.
 */
static inline int finit_module_path(const char *path)
{
	const char *params = getenv("HWEVENT_MODULE_PARAMS");
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
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

/* The name io-wq gives its worker threads: "iou-wrk-<tid>". */
#define WORKER_PREFIX		"iou-wrk"
/* Before 5.12, its kernel threads: "io_wqe_worker-<n>/<node>". */
#define OLD_WORKER_PREFIX	"io_wqe_worker"

/* Whether the first line of file @path starts with @prefix. */
static inline bool line_starts(const char *path, const char *prefix)
{
	char line[64];
	bool ret;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	ret = fgets(line, sizeof(line), f) &&
	      !strncmp(line, prefix, strlen(prefix));
	fclose(f);
	return ret;
}

/* Whether some line of file @path contains @what. */
static inline bool file_has(const char *path, const char *what)
{
	char line[256];
	bool ret = false;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	while (!ret && fgets(line, sizeof(line), f))
		ret = strstr(line, what);
	fclose(f);
	return ret;
}

/*
 * Entries of directory @dir (a /proc one) that are numbers and whose
 * "<entry>/comm" starts with @prefix; when @stack_has is given, only those
 * whose "<entry>/stack" also contains it. -1 if @dir cannot be read. A
 * thread that exits while it is looked at is not counted.
 */
static inline int count_tasks(const char *dir, const char *prefix,
		       const char *stack_has)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, de->d_name);
		if (!line_starts(path, prefix))
			continue;
		snprintf(path, sizeof(path), "%s/%s/stack", dir, de->d_name);
		if (!stack_has || file_has(path, stack_has))
			n++;
	}
	closedir(d);
	return n;
}

/*
 * io-wq workers serving this process's rings; -1 if /proc cannot be read.
 * Since 5.12 they are threads of this process, named "iou-wrk-<tid>". On
 * older kernels (5.10) they are kernel threads shared by every ring, named
 * "io_wqe_worker-<n>/<node>" and started before they are needed: of those,
 * the ones that count are those asleep in this driver's code, which their
 * kernel stack shows.
 */
static inline int count_workers(void)
{
	int mine, kthreads;

	mine = count_tasks("/proc/self/task", WORKER_PREFIX, NULL);
	kthreads = count_tasks("/proc", OLD_WORKER_PREFIX, "[hwevent]");
	if (mine < 0 || kthreads < 0)
		return -1;
	return mine + kthreads;
}

static inline const char *errno_name(int err)
{
	static __thread char buf[24];

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
	case EMSGSIZE: return "EMSGSIZE";
	case ESPIPE: return "ESPIPE";
	}
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

/* ioctl() returning 0 or the errno it failed with. */
static inline int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* HWEVENT_IOC_REGISTER; 0 or the errno. */
static inline int do_register(int fd, struct hwevent_register *r)
{
	return xioctl(fd, HWEVENT_IOC_REGISTER, r);
}

static inline void reg_set(struct hwevent_register *r, uint32_t mode, int efd,
			   uint64_t delay_ns, uint64_t cookie)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	/* Zero where the mode gives it no meaning, as the driver wants. */
	r->eventfd = mode == HWEVENT_MODE_EVENTFD ? efd : 0;
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

/* HWEVENT_IOC_TRIGGER; 0 or the errno; *count set on success. */
static inline int trigger_id(int fd, uint64_t id, uint32_t flags,
			     uint64_t *count)
{
	struct hwevent_trigger t = { .id = id, .flags = flags, .count = ~0ULL };
	int err = xioctl(fd, HWEVENT_IOC_TRIGGER, &t);

	if (!err && count)
		*count = t.count;
	return err;
}

/* What any queued record must look like; NULL, or what is wrong. */
static inline const char *queue_record_insane(const struct hwevent_event *e)
{
	if (!e->id || !e->seqno)
		return "id or seqno 0";
	if (e->flags & ~(HWEVENT_EVENT_TRIGGERED | HWEVENT_EVENT_PERIODIC |
			 HWEVENT_EVENT_LOST | HWEVENT_EVENT_DEVICE |
			 HWEVENT_EVENT_DMA | HWEVENT_EVENT_DEVICE_GONE))
		return "unknown flags";
	if (!(e->flags & HWEVENT_EVENT_DMA) && e->data)
		return "data without HWEVENT_EVENT_DMA";
	if (!(e->flags & HWEVENT_EVENT_LOST) != !e->lost)
		return "HWEVENT_EVENT_LOST and lost disagree";
	if (e->bh_ns < e->irq_ns)
		return "bottom half before interrupt";
	if (e->irq_ns < e->due_ns && !(e->flags & HWEVENT_EVENT_TRIGGERED))
		return "interrupt before due, not triggered";
	if (!(e->flags & HWEVENT_EVENT_PERIODIC) && e->overruns)
		return "overruns in a one-shot record";
	return NULL;
}

/* What any PENDING record must say of its registration: NULL, or what. */
static inline const char *record_head_insane(const struct hwevent_register *r,
					     uint64_t start)
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
	return NULL;
}

/* The flags of a record fired as asked (no trigger): its source's. */
static inline uint32_t pending_record_flags(uint32_t reg_flags)
{
	if (!(reg_flags & HWEVENT_REGISTER_DEVICE))
		return 0;
	if (reg_flags & HWEVENT_REGISTER_DMA)
		return HWEVENT_EVENT_DEVICE | HWEVENT_EVENT_DMA;
	return HWEVENT_EVENT_DEVICE;
}

/*
 * A PENDING record's sanity: its id, cookie, and times ordered and no
 * earlier than @start + the delay, no later than @end; its flags those of
 * its source (HWEVENT_REGISTER_DEVICE, _DMA), lost and overruns zero, data
 * only with DMA. Returns NULL or what is wrong.
 */
static inline const char *record_insane(const struct hwevent_register *r,
					uint64_t start, uint64_t end)
{
	const struct hwevent_event *e = &r->event;
	const char *why = record_head_insane(r, start);

	if (why)
		return why;
	if (e->irq_ns < e->due_ns)
		return "interrupt before due";
	if (e->bh_ns < e->irq_ns)
		return "bottom half before interrupt";
	if (e->bh_ns > end)
		return "bottom half after the ioctl returned";
	/* A device registration's record says so; only DMA brings data. */
	if (e->flags != pending_record_flags(r->flags))
		return "flags not those of the registration's source";
	if (e->lost || e->overruns)
		return "lost or overruns not zero";
	if (!(e->flags & HWEVENT_EVENT_DMA) && e->data)
		return "data without DMA";
	return NULL;
}

static inline int make_eventfd(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/* Reads an O_NONBLOCK eventfd: its count, 0 if unsignalled, ~0 on error. */
static inline uint64_t efd_take(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		return v;
	return errno == EAGAIN ? 0 : UINT64_MAX;
}

/*
 * Reads @efd (O_NONBLOCK) until its counts add up to @want or @timeout_ns
 * has passed; returns the sum, which may exceed @want.
 */
static inline uint64_t efd_collect(int efd, uint64_t want, uint64_t timeout_ns)
{
	uint64_t deadline = now_ns() + timeout_ns, sum = 0;

	while (sum < want) {
		struct pollfd pfd = { .fd = efd, .events = POLLIN };
		uint64_t now = now_ns(), count;

		if (now >= deadline)
			break;
		if (poll(&pfd, 1, (deadline - now) / NSEC_PER_MSEC + 1) <= 0)
			continue;
		count = efd_take(efd);
		if (count == UINT64_MAX)
			break;
		sum += count;
	}
	return sum;
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

#ifdef __KSELFTEST_HARNESS_H
/*
 * For the kselftest_harness.h tests. Timing is strict in one direction
 * only: an event is never seen before it is due. How late it may be is
 * generous (SLACK_NS): QEMU without KVM is slow.
 */

/* How late an event may be seen: software emulation is slow. */
#define SLACK_NS		(5 * NSEC_PER_SEC)
/* How long to watch for something that must not come. */
#define QUIET_NS		(100 * NSEC_PER_MSEC)
/* A delay that outlasts any test: such registrations are dropped at close. */
#define NEVER_NS		HWEVENT_MAX_DELAY_NS

/* Whether @efd gets signalled within QUIET_NS: it must not. */
static inline uint64_t efd_stays_quiet(int efd)
{
	return efd_collect(efd, 1, QUIET_NS);
}

/* Opens /dev/hwevent; main() has made sure that it can. */
static inline int open_dev(struct __test_metadata *_metadata)
{
	int fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd) TH_LOG("open " HWEVENT_PATH ": %s", strerror(errno));
	return fd;
}

/* A PENDING registration with no delay: the current device seqno. */
static inline uint64_t probe_seqno(struct __test_metadata *_metadata, int fd)
{
	struct hwevent_register r;

	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	ASSERT_EQ(0, do_register(fd, &r));
	ASSERT_NE(0U, r.event.seqno);
	return r.event.seqno;
}

/*
 * SIGUSR1, counted. volatile sig_atomic_t, as C wants for data a signal
 * handler writes.
 */
static volatile sig_atomic_t sigusr1_seen;

static inline void on_sigusr1(int sig)
{
	(void)sig;
	sigusr1_seen++;
}

/* A thread that sends SIGUSR1 to another, over and over. */
struct pester {
	pthread_t thread;
	pthread_t target;
	int first_ms;	/* before the first signal */
	int period_ms;	/* between signals */
	int stop;	/* an eventfd: written to stop */
};

static inline void *pester_fn(void *arg)
{
	struct pester *p = arg;
	struct pollfd pfd = { .fd = p->stop, .events = POLLIN };
	int timeout_ms = p->first_ms;

	while (poll(&pfd, 1, timeout_ms) == 0) {
		pthread_kill(p->target, SIGUSR1);
		timeout_ms = p->period_ms;
	}
	return NULL;
}

/*
 * Installs the SIGUSR1 handler with @sa_flags (SA_RESTART or 0) and
 * starts pestering the calling thread.
 */
static inline void pester_start(struct __test_metadata *_metadata,
				struct pester *p, int first_ms, int period_ms,
				int sa_flags)
{
	struct sigaction sa = { .sa_handler = on_sigusr1,
				.sa_flags = sa_flags };

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	sigusr1_seen = 0;
	p->target = pthread_self();
	p->first_ms = first_ms;
	p->period_ms = period_ms;
	p->stop = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, p->stop);
	ASSERT_EQ(0, pthread_create(&p->thread, NULL, pester_fn, p));
}

static inline void pester_stop(struct __test_metadata *_metadata,
			       struct pester *p)
{
	uint64_t one = 1;

	ASSERT_EQ((ssize_t)sizeof(one), write(p->stop, &one, sizeof(one)));
	ASSERT_EQ(0, pthread_join(p->thread, NULL));
	close(p->stop);
}

/*
 * A registration made in a thread of its own: PENDING, sleeping there, or
 * EVENTFD, which returns at once (for a canceller on another CPU).
 */
struct waiter {
	pthread_t thread;
	int fd;
	struct hwevent_register r;
	int ret;
	uint64_t returned_ns;
	int done;
};

static inline void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = do_register(w->fd, &w->r);
	w->returned_ns = now_ns();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Starts @w registering on @fd, on CPU @cpu if it is not -1. */
static inline void waiter_start_on(struct __test_metadata *_metadata,
				   struct waiter *w, int fd, uint32_t mode,
				   int efd, uint64_t delay_ns, uint64_t cookie,
				   int cpu)
{
	pthread_attr_t attr;
	cpu_set_t set;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	reg_set(&w->r, mode, efd, delay_ns, cookie);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ASSERT_EQ(0, pthread_attr_setaffinity_np(&attr, sizeof(set),
							 &set));
	}
	ASSERT_EQ(0, pthread_create(&w->thread, &attr, waiter_fn, w));
	pthread_attr_destroy(&attr);
}

static inline void waiter_start(struct __test_metadata *_metadata,
				struct waiter *w, int fd, uint64_t delay_ns,
				uint64_t cookie)
{
	waiter_start_on(_metadata, w, fd, HWEVENT_MODE_PENDING, -1, delay_ns,
			cookie, -1);
}

static inline int waiter_done(struct waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

/*
 * The waiter's id: the driver writes it back before the waiter sleeps.
 * 0 if the call returned without one, or none came within SLACK_NS.
 */
static inline uint64_t waiter_id(struct waiter *w)
{
	uint64_t deadline = now_ns() + SLACK_NS, id;

	while (!(id = __atomic_load_n(&w->r.id, __ATOMIC_ACQUIRE)) &&
	       !waiter_done(w) && now_ns() < deadline)
		sched_yield();
	/* It may have returned between the two loads: look again. */
	return id ?: __atomic_load_n(&w->r.id, __ATOMIC_ACQUIRE);
}

/*
 * @op (cancel_id or trigger_id) on @id, which cannot fire meanwhile: a
 * waiter's id shows just before its registration is armed, so ENOENT is
 * retried for a while.
 */
static inline int op_armed(int (*op)(int, uint64_t, uint32_t, uint64_t *),
			   int fd, uint64_t id, uint64_t *count)
{
	uint64_t deadline = now_ns() + SLACK_NS;
	int ret;

	while ((ret = op(fd, id, 0, count)) == ENOENT && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	return ret;
}

/*
 * Ioctl number @nr with sizes and directions other than its own (_IOWR of
 * @size bytes): not it, ENOTTY. The argument would be good for it: id 1,
 * the rest zero.
 */
static inline void expect_other_sizes_enotty(struct __test_metadata *_metadata,
					     int fd, unsigned int nr,
					     size_t size)
{
	const size_t sizes[] = {
		0, 8, size - 8, size + 8, sizeof(struct hwevent_register),
	};
	uint64_t arg[32] = { 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(ENOTTY, xioctl(fd, _IOC(_IOC_READ | _IOC_WRITE,
						  HWEVENT_IOC_MAGIC, nr,
						  sizes[i]), arg))
			TH_LOG("nr %u, size %zu", nr, sizes[i]);
	}
	EXPECT_EQ(ENOTTY, xioctl(fd, _IOC(_IOC_WRITE, HWEVENT_IOC_MAGIC, nr,
					  size), arg));
	EXPECT_EQ(ENOTTY, xioctl(fd, _IOC(_IOC_READ, HWEVENT_IOC_MAGIC, nr,
					  size), arg));
}

/*
 * Joins the waiter. If it has not returned within @timeout_ns, it is
 * signalled until it does, so that a test never hangs on it; returns
 * whether it had returned by itself.
 */
static inline int waiter_join(struct __test_metadata *_metadata,
			      struct waiter *w, uint64_t timeout_ns)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	uint64_t deadline = now_ns() + timeout_ns;
	int by_itself;

	while (!waiter_done(w) && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	by_itself = waiter_done(w);
	if (!by_itself) {
		ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
		while (!waiter_done(w)) {
			pthread_kill(w->thread, SIGUSR1);
			sleep_ns(10 * NSEC_PER_MSEC);
		}
	}
	ASSERT_EQ(0, pthread_join(w->thread, NULL));
	return by_itself;
}
#endif /* __KSELFTEST_HARNESS_H */

#endif /* HWEVENT_UTIL_H */
