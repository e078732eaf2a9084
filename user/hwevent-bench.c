// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent-bench - how late /dev/hwevent wakes a program, and what it costs
 * per event, measured against the kernel's own timerfd in one run.
 *
 * A notification path is judged by how late it wakes the application and by
 * what each event costs. The floor is timerfd: an hrtimer whose callback
 * wakes the reader directly. hwevent adds a hop on purpose: its hrtimer
 * plays the interrupt and a tasklet plays the DPC that completes the
 * registration (Windows: ISR, then DPC). This program puts a number on that
 * hop, per way of waiting for the event:
 *
 *  latency:    one event, per path (PENDING ioctl, eventfd, queue read,
 *              epoll, an io_uring read, an io_uring command; timerfd read
 *              and epoll as the baselines), the paths taking turns so
 *              that drift hits all alike;
 *  throughput: one periodic registration read for a while, per rate:
 *              events delivered, missed, lost;
 *  scale:      N one-shot registrations armed at once: time and kernel
 *              memory per registration, and whether all fire;
 *  fanout:     T threads asleep on one file woken by one TRIGGER_ALL,
 *              T io_uring commands on one ring woken the same way,
 *              against T threads asleep on their own timerfds.
 *
 * It reports Markdown tables, JSON (--json) and plot data (--data), and
 * with --check sanity checks as TAP. It asserts no timing target: under
 * software emulation absolute times are inflated, and the ratios to
 * timerfd are what to read.
 *
 * Exit status: 0 ok; 1 an error or a failed check; 2 bad usage.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/hwevent.h>

#include "lib/clock.h"
#include "lib/common.h"
#include "lib/device.h"
#include "lib/exit.h"
#include "lib/module.h"
#include "lib/output.h"
#include "lib/signals.h"
#include "lib/uapi.h"

#define PROG		"hwevent-bench"
#define DEFAULT_DEVICE	"/dev/hwevent"
#define MAX_PENDING_PATH "/sys/module/hwevent/parameters/max_pending"
#define QUEUE_SIZE_PATH	"/sys/module/hwevent/parameters/queue_size"
#define BOTTOM_HALF_PATH "/sys/module/hwevent/parameters/bottom_half"
#define STATS_PATH	"/sys/kernel/debug/hwevent/stats"
#define SLAB_DIR	"/sys/kernel/slab/hwevent_reg"
#define EXIT_USAGE	2

#define REC		((size_t)sizeof(struct hwevent_event))
/* Entries of a list option (--rates, --scale, --fanout) at most. */
#define MAX_LIST	32

/* Defaults, and the --short ones (a sanity run under QEMU TCG). */
#define DEF_SAMPLES	2000U
#define DEF_DELAY_NS	NSEC_PER_MSEC
#define DEF_DURATION_NS	(2 * NSEC_PER_SEC)
#define DEF_SCALE_DELAY_NS (5 * NSEC_PER_SEC)
#define SHORT_SAMPLES	200U
#define SHORT_DURATION_NS (300 * NSEC_PER_MSEC)
#define SHORT_SCALE_DELAY_NS NSEC_PER_SEC
static const uint64_t def_rates[] = { 1000, 2000, 5000, 10000 };
static const uint64_t def_scale[] = { 1, 100, 10000, 100000 };
static const uint64_t def_fanout[] = { 10, 100, 1000 };
static const uint64_t short_rates[] = { 1000, 5000 };
static const uint64_t short_scale[] = { 1, 100 };
static const uint64_t short_fanout[] = { 10 };

/* Option limits. */
#define MAX_SAMPLES	1000000U
#define MAX_DELAY_NS	(10 * NSEC_PER_SEC)
#define MIN_DURATION_NS	NSEC_PER_MSEC
#define MAX_DURATION_NS	(3600 * NSEC_PER_SEC)
#define MAX_SCALE_N	1000000ULL
#define MIN_SCALE_DELAY_NS (100 * NSEC_PER_MSEC)
#define MAX_FANOUT	65536ULL

/* Throughput: the queue candidate's queue, and its read batch. */
#define TP_QUEUE_SIZE	4096
#define TP_BATCH	256
/* Scale: records read at once while counting what fired. */
#define SCALE_BATCH	256
#define SCALE_SLACK_NS	(30 * NSEC_PER_SEC)
/* Below this many registrations the Slab difference is mostly noise. */
#define SLAB_MIN_N	10000
/* Fan-out: PENDING delay (never reached: the trigger comes first). */
#define FANOUT_DELAY_NS	(60 * NSEC_PER_SEC)
#define FANOUT_SETTLE_NS (50 * NSEC_PER_MSEC)
#define FANOUT_STACK	(64 * 1024)
#define FANOUT_ARM_NS	(30 * NSEC_PER_SEC)
#define FANOUT_TFD_MIN_NS (100 * NSEC_PER_MSEC)
#define FANOUT_TFD_PER_NS (200 * NSEC_PER_USEC)
/* Fan-out, uring-cmd: SQEs submitted at a time (the CQ holds them all). */
#define FANOUT_URING_SQ	256U
/* No event this long after it was due: give up (the watchdog alarm). */
#define WATCHDOG_S	60U
/* The assumed max_pending when it cannot be read: the module's default. */
#define MAX_PENDING_DEFAULT 1024

enum section { S_LATENCY, S_THROUGHPUT, S_SCALE, S_FANOUT, NR_SECTIONS };

static const char *const section_names[NR_SECTIONS] = {
	[S_LATENCY]	= "latency",
	[S_THROUGHPUT]	= "throughput",
	[S_SCALE]	= "scale",
	[S_FANOUT]	= "fanout",
};

enum path {
	P_PENDING,
	P_EFD_READ,
	P_EFD_EPOLL,
	P_QUEUE_READ,
	P_QUEUE_EPOLL,
	P_URING_READ,
	P_URING_CMD,
	P_TFD_READ,
	P_TFD_EPOLL,
	NR_PATHS
};

static const struct {
	const char *name;
	enum path baseline;
	bool hwevent;
} path_info[NR_PATHS] = {
	[P_PENDING]	= { "pending",		P_TFD_READ,	true },
	[P_EFD_READ]	= { "eventfd-read",	P_TFD_READ,	true },
	[P_EFD_EPOLL]	= { "eventfd-epoll",	P_TFD_EPOLL,	true },
	[P_QUEUE_READ]	= { "queue-read",	P_TFD_READ,	true },
	[P_QUEUE_EPOLL]	= { "queue-epoll",	P_TFD_EPOLL,	true },
	[P_URING_READ]	= { "uring-read",	P_TFD_READ,	true },
	[P_URING_CMD]	= { "uring-cmd",	P_TFD_READ,	true },
	[P_TFD_READ]	= { "timerfd-read",	P_TFD_READ,	false },
	[P_TFD_EPOLL]	= { "timerfd-epoll",	P_TFD_EPOLL,	false },
};

enum cand { C_QUEUE, C_EVENTFD, C_TIMERFD, NR_CANDS };

static const char *const cand_names[NR_CANDS] = {
	[C_QUEUE]	= "queue",
	[C_EVENTFD]	= "eventfd",
	[C_TIMERFD]	= "timerfd",
};

struct u64_list {
	unsigned int n;
	uint64_t v[MAX_LIST];
};

struct options {
	const char *device;
	unsigned int sections;		/* 1 << enum section */
	unsigned int paths;		/* 1 << enum path, baselines added */
	unsigned int cands;		/* 1 << enum cand */
	unsigned int samples;		/* 0: not given */
	uint64_t delay_ns;		/* UINT64_MAX: not given */
	struct u64_list rates;		/* n == 0: not given */
	uint64_t duration_ns;		/* 0: not given */
	struct u64_list scale;
	uint64_t scale_delay_ns;	/* 0: not given */
	struct u64_list fanout;
	bool short_run;
	bool check;
	const char *json;
	const char *markdown;
	const char *data_dir;
};

struct lat_result {
	int64_t *lat;		/* lateness per sample, ns; sorted at the end */
	unsigned int n;
	unsigned int early;	/* samples < 0: a bug */
	int64_t min, p50, p90, p99, max;
	double mean;
	double ratio_p50, ratio_p99;
	int64_t *bh;		/* the records' bh_ns - irq_ns; sorted */
	unsigned int nbh;	/* 0: the path has no record (eventfd) */
	int64_t bh_p50;
	int64_t *irqw;		/* wake-up - the record's irq_ns; sorted */
	unsigned int nirqw;	/* 0: no irq_ns (eventfd, timerfd) */
	int64_t irqw_p50;
};

struct tp_result {
	bool run;
	uint64_t elapsed_ns;
	int64_t expected;
	int64_t expected_max;	/* counters: expiries due once drained */
	uint64_t delivered;
	int64_t missed;
	uint64_t lost;
	uint64_t overruns;
	double per_s;
};

struct tp_row {
	uint64_t rate_hz;
	uint64_t period_ns;
	struct tp_result c[NR_CANDS];
};

struct scale_row {
	uint64_t n;
	unsigned int files;
	double register_ns_per;
	double registration_s;
	bool slow;		/* registration outlasted the delay */
	bool have_slab;
	double slab_bytes_per;
	long long object_size;	/* -1: unknown */
	long long slab_size;
	uint64_t fired;
	bool all_fired;
};

struct fanout_row {
	unsigned int threads;
	uint64_t hw_last_ns, hw_median_ns;
	uint64_t tfd_last_ns, tfd_median_ns;
	double ratio_last;
	bool uc_run;		/* false: io_uring commands unavailable */
	uint64_t uc_last_ns, uc_median_ns;
	double uc_ratio_last;	/* uring-cmd last / timerfd last */
};

struct bench {
	struct options o;
	long long max_pending;
	bool done[NR_SECTIONS];
	struct lat_result lat[NR_PATHS];
	/*
	 * The driver's due time minus ours (taken before the ioctl, plus
	 * the delay), from the queue paths' records, median: how much the
	 * eventfd paths, which have no record, overstate their lateness.
	 */
	int64_t arm_offset_p50;
	unsigned int n_arm_offset;
	struct tp_row tp[MAX_LIST];
	unsigned int ntp;
	struct scale_row scale[MAX_LIST];
	unsigned int nscale;
	struct fanout_row fan[MAX_LIST];
	unsigned int nfan;
	long long live_before;	/* debugfs "live", -1 if unreadable */
	/*
	 * Why io_uring commands (the uring-cmd path, fan-out's uring-cmd
	 * row) cannot run on this kernel or module; "" if they can.
	 */
	char uring_cmd_no[160];
	/* The module's bottom_half when it started ("" if unreadable). */
	char bottom_half[32];
	FILE *json_out;
	FILE *md_out;
};

const char prog_name[] = PROG;

/*
 * Set by the SIGALRM handler, as stop_signal (lib/signals.c) by the stop
 * signals; every blocking call here may see EINTR.
 */
static volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

/*
 * No SA_RESTART: a read or ioctl waiting for an event that never comes
 * must return EINTR to the watchdog or to Ctrl-C (install_signal_handlers()
 * of lib/signals.c), so that we clean up (cancel, close, restore) instead of
 * hanging or dying.
 */
static int install_watchdog_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	return sigaction(SIGALRM, &sa, NULL);
}

static void watchdog_arm(unsigned int seconds)
{
	watchdog_fired = 0;
	alarm(seconds);
}

static void watchdog_disarm(void)
{
	alarm(0);
	watchdog_fired = 0;
}

static void msg(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* msg(), returning -1 for the caller to pass on. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Why a call that should have returned with an event did not. */
static int wait_failed(const char *what, int err)
{
	if (err == EINTR && stop_signal)
		return fail("%s: stopped by signal %d", what, (int)stop_signal);
	if (err == EINTR && watchdog_fired)
		return fail("%s: no event within %u s of its due time", what,
			    WATCHDOG_S);
	return fail("%s: %s", what, strerror(err));
}

static struct timespec ns_to_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / NSEC_PER_SEC,
		.tv_nsec = ns % NSEC_PER_SEC,
	};

	return ts;
}

/* Sleeps @ns; false if a stop signal cut it short. */
static bool sleep_ns(uint64_t ns)
{
	struct timespec ts = ns_to_ts(now_ns() + ns);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		if (stop_signal)
			return false;
	return true;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @p (1..100) of @n >= 1 sorted values. */
static int64_t percentile(const int64_t *sorted, unsigned int n, unsigned int p)
{
	uint64_t rank = ((uint64_t)p * n + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}

/* ------------------------------------------------------------------ */
/* Module parameters, debugfs, /proc and /sys. */

/* A number from the first line of @path, or -1. */
static long long read_ll(const char *path)
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

/* 0 or the errno of writing @val to @path. */
static int write_ll(const char *path, long long val)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return errno;
	if (fprintf(f, "%lld\n", val) < 0)
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno ? errno : EIO;
	return err;
}

/* The value of "@name N" in @path (debugfs stats), or -1. */
/* The first word of a file into @buf, "" if it cannot be read. */
static void read_word(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, " \t\n")] = '\0';
	fclose(f);
}

static long long read_named(const char *path, const char *name)
{
	long long val, found = -1;
	char key[64];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &val) == 2)
		if (!strcmp(key, name))
			found = val;
	fclose(f);
	return found;
}

/* Slab: in /proc/meminfo, in kB, or -1. */
static long long meminfo_slab_kb(void)
{
	long long kb = -1;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* ------------------------------------------------------------------ */
/* The device. */

static int dev_open(const struct options *o, int flags)
{
	return open(o->device, O_RDWR | O_CLOEXEC | flags);
}

/* An EVENTFD or QUEUE registration, returning at once: 0 or -1 (said). */
static int hw_register(int fd, uint32_t mode, int efd, uint64_t delay_ns,
		       uint64_t period_ns, uint64_t *id)
{
	struct hwevent_register r;

	reg_init(&r, mode, efd, delay_ns, period_ns, 0);
	if (ioctl(fd, HWEVENT_IOC_REGISTER, &r))
		return fail("HWEVENT_IOC_REGISTER (mode %u): %s", mode,
			    strerror(errno));
	*id = r.id;
	return 0;
}

/* HWEVENT_IOC_CANCEL of @id, or of all with 0; errors only said. */
static void hw_cancel(int fd, uint64_t id)
{
	struct hwevent_cancel c = {
		.id = id,
		.flags = id ? 0 : HWEVENT_CANCEL_ALL,
	};

	/* ENOENT: it fired meanwhile, which is no error here. */
	if (ioctl(fd, HWEVENT_IOC_CANCEL, &c) && errno != ENOENT)
		msg("HWEVENT_IOC_CANCEL: %s", strerror(errno));
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ------------------------------------------------------------------ */
/* io_uring commands: HWEVENT_URING_CMD_WAIT. */

/*
 * A ring for commands, with at least @cq CQEs: 32-byte ones, whose
 * big_cqe[0] is the record's irq_ns. 0 or a negative errno.
 */
static int ucmd_ring(struct io_uring *ring, unsigned int entries,
		     unsigned int cq)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQE32;
	if (cq > 2 * entries) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = cq;
	}
	return io_uring_queue_init_params(entries, ring, &p);
}

/*
 * Queues one HWEVENT_URING_CMD_WAIT on @fd: false if the SQ is full.
 * Windows: an overlapped DeviceIoControl() left pending and completed on
 * an I/O completion port; here the CQE lands on the ring's CQ.
 */
static bool ucmd_prep(struct io_uring *ring, int fd, uint64_t delay_ns,
		      uint64_t cookie, uint64_t data)
{
	struct hwevent_uring_wait w = {
		.delay_ns = delay_ns,
		.cookie = cookie,
	};
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return false;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = HWEVENT_URING_CMD_WAIT;
	memcpy(sqe->cmd, &w, sizeof(w));
	io_uring_sqe_set_data64(sqe, data);
	return true;
}

/* What a command's CQE says; taken before the CQE is marked seen. */
struct ucqe {
	uint64_t data;
	int res;		/* low 31 bits of the seqno, or -errno */
	uint64_t irq_ns;	/* big_cqe[0] */
};

static void ucqe_copy(struct ucqe *u, const struct io_uring_cqe *cqe)
{
	u->data = io_uring_cqe_get_data64(cqe);
	u->res = cqe->res;
	u->irq_ns = cqe->big_cqe[0];
}

/*
 * Whether this kernel and module take io_uring commands. If not, says why
 * in b->uring_cmd_no, and what needs them is reported unavailable, not
 * run: 5.10 has neither 32-byte CQEs nor IORING_OP_URING_CMD, and builds
 * the module without ->uring_cmd. One command is sent with delay 0, so
 * that a module without ->uring_cmd shows too. -1 (said) for an error
 * that is none of those.
 */
static int ucmd_probe(struct bench *b)
{
	struct __kernel_timespec ts = { .tv_sec = WATCHDOG_S };
	const size_t len = sizeof(b->uring_cmd_no);
	char *no = b->uring_cmd_no;
	struct io_uring_probe *probe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	bool has_op;
	struct ucqe u;
	int fd, ret;

	ret = ucmd_ring(&ring, 2, 0);
	if (ret == -EINVAL) {
		snprintf(no, len, "io_uring_setup(IORING_SETUP_CQE32): EINVAL: no 32-byte CQEs nor IORING_OP_URING_CMD (before 5.19)");
		return 0;
	}
	if (ret == -ENOSYS || ret == -EPERM) {
		snprintf(no, len, "io_uring_setup: %s: no io_uring, or kernel.io_uring_disabled",
			 strerror(-ret));
		return 0;
	}
	if (ret < 0)
		return fail("uring-cmd: io_uring_queue_init: %s",
			    strerror(-ret));
	probe = io_uring_get_probe_ring(&ring);
	has_op = probe && io_uring_opcode_supported(probe, IORING_OP_URING_CMD);
	if (probe)
		io_uring_free_probe(probe);
	if (!has_op) {
		io_uring_queue_exit(&ring);
		snprintf(no, len, "io_uring's probe: no IORING_OP_URING_CMD (before 5.19)");
		return 0;
	}
	fd = dev_open(&b->o, 0);
	if (fd < 0) {
		io_uring_queue_exit(&ring);
		return fail("uring-cmd: %s: %s", b->o.device, strerror(errno));
	}
	ucmd_prep(&ring, fd, 0, 0, 1);
	ret = io_uring_submit(&ring);
	if (ret == 1)
		ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
	else if (ret >= 0)
		ret = -EPROTO;
	if (!ret) {
		ucqe_copy(&u, cqe);
		io_uring_cqe_seen(&ring, cqe);
	} else {
		/* Ends it, if it was armed: the ring's exit takes the CQE. */
		hw_cancel(fd, 0);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	if (ret)
		return fail("uring-cmd: a command with delay 0: %s",
			    strerror(-ret));
	if (u.res == -EOPNOTSUPP) {
		snprintf(no, len, "IORING_OP_URING_CMD on %s: EOPNOTSUPP: the module has no ->uring_cmd (built for a kernel before 5.19)",
			 b->o.device);
		return 0;
	}
	if (u.res < 0)
		return fail("uring-cmd: a command with delay 0: %s",
			    strerror(-u.res));
	if (!u.irq_ns)
		return fail("uring-cmd: the CQE's big_cqe[0] is 0, not the record's irq_ns");
	return 0;
}

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
static int read_counter(int fd, uint64_t *count, const char *what)
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

static int lat_pending(struct lat_ctx *c, int64_t *late)
{
	struct hwevent_register r;
	uint64_t wake;

	reg_init(&r, HWEVENT_MODE_PENDING, -1, c->o->delay_ns, 0, 0);
	if (ioctl(c->f[P_PENDING].dev, HWEVENT_IOC_REGISTER, &r))
		return wait_failed("pending", errno);
	wake = now_ns();
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
		return lat_pending(c, late);
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

static int run_latency(struct bench *b)
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
		if (k == P_URING_CMD && b->uring_cmd_no[0]) {
			/* Reported as such in every output, never dropped. */
			msg("latency: uring-cmd unavailable: %s",
			    b->uring_cmd_no);
			continue;
		}
		order[np++] = k;
		b->lat[k].lat = calloc(o->samples, sizeof(*b->lat[k].lat));
		b->lat[k].bh = calloc(o->samples, sizeof(*b->lat[k].bh));
		b->lat[k].irqw = calloc(o->samples, sizeof(*b->lat[k].irqw));
		if (!b->lat[k].lat || !b->lat[k].bh || !b->lat[k].irqw) {
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
			if (lat_sample(&c, p, &late))
				goto out;
			b->lat[p].lat[b->lat[p].n++] = late;
			if (c.have_bh)
				b->lat[p].bh[b->lat[p].nbh++] = c.bh_delay;
			if (c.have_irq)
				b->lat[p].irqw[b->lat[p].nirqw++] = c.irq_wake;
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

/* ------------------------------------------------------------------ */
/* Throughput: one periodic source read for a while, per rate. */

static uint64_t period_of(uint64_t rate_hz)
{
	return (NSEC_PER_SEC + rate_hz / 2) / rate_hz;
}

/* Expiries of a source of @period first due at @first_due, due by @t. */
static int64_t tp_due(uint64_t period, uint64_t first_due, uint64_t t)
{
	return t < first_due ? 0 : (int64_t)((t - first_due) / period) + 1;
}

/* Expected expiries from @first_due to @end, and what follows from them. */
static void tp_finish(struct tp_result *res, uint64_t period, uint64_t start,
		      uint64_t first_due, uint64_t end)
{
	res->elapsed_ns = end - start;
	res->expected = tp_due(period, first_due, end);
	res->missed = res->expected - (int64_t)res->delivered;
	res->per_s = res->elapsed_ns ?
		     res->delivered * 1e9 / res->elapsed_ns : 0;
	res->run = true;
}

/*
 * What a counter (eventfd, timerfd) holds once reading has stopped, added
 * to @delivered without blocking: 0, or -1 (said).
 */
static int tp_drain_counter(int fd, uint64_t *delivered, const char *what)
{
	uint64_t count;

	if (set_nonblocking(fd))
		return fail("%s: fcntl: %s", what, strerror(errno));
	if (read(fd, &count, sizeof(count)) == (ssize_t)sizeof(count))
		*delivered += count;
	else if (errno != EAGAIN)
		return fail("%s: read: %s", what, strerror(errno));
	return 0;
}

/*
 * Reads @fd, still armed, until it has counted the @due expiries due by
 * @end, for at most 100 ms after @end: an expiry due just before @end
 * may fire a little after it (a timer is never early, often late), so
 * a read at once would miss it. 0, or -1 (said).
 */
static int tp_catch_up(int fd, uint64_t *delivered, int64_t due,
		       uint64_t end, const char *what)
{
	uint64_t count;

	while ((int64_t)*delivered < due &&
	       now_ns() < end + 100 * NSEC_PER_MSEC) {
		if (read_counter(fd, &count, what))
			return -1;
		*delivered += count;
	}
	return 0;
}

/* A watchdog long enough for @duration_ns of reading at @period. */
static unsigned int tp_watchdog(const struct options *o, uint64_t period)
{
	return WATCHDOG_S + (unsigned int)((o->duration_ns + period) /
					   NSEC_PER_SEC) + 1;
}

/*
 * Sets queue_size to @want before the queue candidate opens its file:
 * returns the value to restore after the open, or -1 for none.
 */
static long long queue_size_push(long long want)
{
	static bool warned;
	long long old = read_ll(QUEUE_SIZE_PATH);
	int err;

	if (old == want)
		return -1;
	if (old < 0) {
		err = errno;
	} else {
		err = write_ll(QUEUE_SIZE_PATH, want);
		if (!err)
			return old;
	}
	if (!warned) {
		if (old < 0)
			msg("cannot read %s (%s): the queue candidate keeps the module's queue_size; an overflow shows as lost",
			    QUEUE_SIZE_PATH, strerror(err));
		else
			msg("cannot set queue_size to %lld (%s): the queue candidate keeps %lld records; an overflow shows as lost",
			    want, strerror(err), old);
		warned = true;
	}
	return -1;
}

static void queue_size_pop(long long old)
{
	int err;

	if (old < 0)
		return;
	err = write_ll(QUEUE_SIZE_PATH, old);
	if (err)
		msg("cannot restore queue_size to %lld: %s", old,
		    strerror(err));
}

/* Adds @n bytes of records to the queue candidate's counts. */
static void tp_count_records(struct tp_result *res,
			     const struct hwevent_event *ev, ssize_t n)
{
	size_t i;

	for (i = 0; i < (size_t)n / REC; i++) {
		res->delivered++;
		res->lost += ev[i].lost;
		res->overruns += ev[i].overruns;
	}
}

static int tp_queue(struct bench *b, const struct tp_row *row,
		    struct tp_result *res)
{
	static struct hwevent_event buf[TP_BATCH];
	uint64_t period = row->period_ns, start, stop, first_due = 0, end;
	long long old;
	int fd, err, ret = -1;
	uint64_t id;
	ssize_t n;

	/* queue_size is read at open: set it, open, put it back. */
	old = queue_size_push(TP_QUEUE_SIZE);
	fd = dev_open(&b->o, 0);
	err = errno;
	queue_size_pop(old);
	if (fd < 0)
		return fail("%s: %s", b->o.device, strerror(err));

	watchdog_arm(tp_watchdog(&b->o, period));
	start = now_ns();
	if (hw_register(fd, HWEVENT_MODE_QUEUE, -1, period, period, &id))
		goto out;
	stop = start + b->o.duration_ns;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			wait_failed("throughput queue: read", errno);
			goto cancel;
		}
		/* Its due_ns is exact, unless the first records were lost. */
		if (!res->delivered && n > 0)
			first_due = buf[0].lost ? start + period :
						  buf[0].due_ns;
		tp_count_records(res, buf, n);
		end = now_ns();
		if (end >= stop)
			break;
	}
	hw_cancel(fd, id);
	/* Cancelled, it delivers nothing more: take what is queued. */
	if (set_nonblocking(fd)) {
		fail("fcntl: %s", strerror(errno));
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		tp_count_records(res, buf, n);
	if (n < 0 && errno != EAGAIN) {
		fail("throughput queue: read: %s", strerror(errno));
		goto out;
	}
	tp_finish(res, period, start, first_due, end);
	ret = 0;
	goto out;
cancel:
	hw_cancel(fd, id);
out:
	watchdog_disarm();
	close(fd);
	return ret;
}

static int tp_eventfd(struct bench *b, const struct tp_row *row,
		      struct tp_result *res)
{
	uint64_t period = row->period_ns, start, stop, end, count, id;
	int fd, efd, ret = -1;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return fail("eventfd: %s", strerror(errno));
	fd = dev_open(&b->o, 0);
	if (fd < 0) {
		close(efd);
		return fail("%s: %s", b->o.device, strerror(errno));
	}

	watchdog_arm(tp_watchdog(&b->o, period));
	/* No records: the first due time is ours, a little early. */
	start = now_ns();
	if (hw_register(fd, HWEVENT_MODE_EVENTFD, efd, period, period, &id))
		goto out;
	stop = start + b->o.duration_ns;
	for (;;) {
		if (read_counter(efd, &count, "throughput eventfd")) {
			hw_cancel(fd, id);
			goto out;
		}
		res->delivered += count;
		end = now_ns();
		if (end >= stop)
			break;
	}
	/* The driver counts each expiry once a read let the last through. */
	if (tp_catch_up(efd, &res->delivered, tp_due(period, start + period, end),
			end, "throughput eventfd")) {
		hw_cancel(fd, id);
		goto out;
	}
	hw_cancel(fd, id);
	if (tp_drain_counter(efd, &res->delivered, "throughput eventfd"))
		goto out;
	res->expected_max = tp_due(period, start + period, now_ns());
	tp_finish(res, period, start, start + period, end);
	ret = 0;
out:
	watchdog_disarm();
	close(fd);
	close(efd);
	return ret;
}

static int tp_timerfd(struct bench *b, const struct tp_row *row,
		      struct tp_result *res)
{
	uint64_t period = row->period_ns, start, stop, end, count;
	struct itimerspec its;
	int tfd, ret = -1;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd < 0)
		return fail("timerfd_create: %s", strerror(errno));

	watchdog_arm(tp_watchdog(&b->o, period));
	start = now_ns();
	its.it_value = ns_to_ts(start + period);
	its.it_interval = ns_to_ts(period);
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL)) {
		fail("timerfd_settime: %s", strerror(errno));
		goto out;
	}
	stop = start + b->o.duration_ns;
	for (;;) {
		if (read_counter(tfd, &count, "throughput timerfd"))
			goto out;
		res->delivered += count;
		end = now_ns();
		if (end >= stop)
			break;
	}
	/*
	 * Take what expired since, before anything disarms it: a
	 * timerfd_settime() would reset the count (close does too).
	 */
	if (tp_catch_up(tfd, &res->delivered, tp_due(period, start + period, end),
			end, "throughput timerfd") ||
	    tp_drain_counter(tfd, &res->delivered, "throughput timerfd"))
		goto out;
	res->expected_max = tp_due(period, start + period, now_ns());
	tp_finish(res, period, start, start + period, end);
	ret = 0;
out:
	watchdog_disarm();
	close(tfd);
	return ret;
}

static int run_throughput(struct bench *b)
{
	static int (*const run[NR_CANDS])(struct bench *,
					  const struct tp_row *,
					  struct tp_result *) = {
		[C_QUEUE]	= tp_queue,
		[C_EVENTFD]	= tp_eventfd,
		[C_TIMERFD]	= tp_timerfd,
	};
	const struct options *o = &b->o;
	uint64_t t0 = now_ns();
	unsigned int i, k;

	msg("throughput: %u rate%s, %.3f s per candidate", o->rates.n,
	    o->rates.n == 1 ? "" : "s", o->duration_ns / 1e9);
	for (i = 0; i < o->rates.n; i++) {
		struct tp_row *row = &b->tp[i];

		row->rate_hz = o->rates.v[i];
		row->period_ns = period_of(row->rate_hz);
		/* The candidate that goes first rotates from rate to rate. */
		for (k = 0; k < NR_CANDS; k++) {
			enum cand cd = (i + k) % NR_CANDS;

			if (!(o->cands & 1U << cd))
				continue;
			if (run[cd](b, row, &row->c[cd]))
				return -1;
			if (stop_signal)
				return fail("throughput: stopped by signal %d",
					    (int)stop_signal);
		}
		b->ntp = i + 1;
	}
	msg("throughput: done in %.1f s", (now_ns() - t0) / 1e9);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Scale: N one-shot registrations at once. */

/*
 * Reads @fd until its records account for @want registrations (each
 * record for itself and the @lost before it) or @deadline: the count.
 */
static int64_t scale_collect(int fd, uint64_t want, uint64_t deadline,
			     struct hwevent_event *buf)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t got = 0;
	ssize_t n, i;
	int ret;

	while (got < want) {
		ret = poll(&pfd, 1, ms_until(deadline));
		if (ret < 0) {
			if (errno == EINTR && !stop_signal)
				continue;
			return wait_failed("scale: poll", errno);
		}
		if (!ret)
			break;
		n = read(fd, buf, SCALE_BATCH * REC);
		if (n < 0)
			return wait_failed("scale: read", errno);
		for (i = 0; i < n / (ssize_t)REC; i++)
			got += 1 + (uint64_t)buf[i].lost;
	}
	return (int64_t)got;
}

static int scale_one(struct bench *b, uint64_t n, struct scale_row *row)
{
	const struct options *o = &b->o;
	uint64_t maxp = (uint64_t)b->max_pending, i, t0, t1, deadline;
	unsigned int files = (unsigned int)((n + maxp - 1) / maxp), f;
	struct hwevent_event *buf = malloc(SCALE_BATCH * REC);
	uint64_t *want = calloc(files, sizeof(*want));
	int *fds = malloc(files * sizeof(*fds));
	long long slab0, slab1;
	struct hwevent_register r;
	int64_t got;
	int ret = -1;

	if (!buf || !want || !fds) {
		fail("out of memory");
		goto out_free;
	}
	for (f = 0; f < files; f++)
		fds[f] = -1;
	memset(row, 0, sizeof(*row));
	row->n = n;
	row->files = files;
	msg("scale: %llu registration%s on %u file%s, delay %.3f s",
	    (unsigned long long)n, n == 1 ? "" : "s", files,
	    files == 1 ? "" : "s",
	    o->scale_delay_ns / 1e9);

	/* Files first: their queues must not count as the registrations'. */
	for (f = 0; f < files; f++) {
		fds[f] = dev_open(o, 0);
		if (fds[f] < 0) {
			fail("scale: %s (file %u of %u): %s", o->device, f + 1,
			     files, strerror(errno));
			goto out;
		}
	}

	slab0 = meminfo_slab_kb();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		f = (unsigned int)(i / maxp);
		reg_init(&r, HWEVENT_MODE_QUEUE, -1, o->scale_delay_ns, 0, i);
		if (ioctl(fds[f], HWEVENT_IOC_REGISTER, &r)) {
			fail("scale: registration %llu of %llu: %s%s",
			     (unsigned long long)i + 1, (unsigned long long)n,
			     strerror(errno), errno == ENOSPC ?
			     " (did max_pending change during the run?)" : "");
			goto out;
		}
		want[f]++;
		if (stop_signal) {
			fail("scale: stopped by signal %d", (int)stop_signal);
			goto out;
		}
	}
	t1 = now_ns();
	slab1 = meminfo_slab_kb();

	row->registration_s = (t1 - t0) / 1e9;
	row->register_ns_per = (double)(t1 - t0) / n;
	row->slow = t1 - t0 >= o->scale_delay_ns;
	if (row->slow)
		msg("scale: registering %llu took %.3f s, longer than the %.3f s delay: the first ones fired meanwhile, so the Slab figure is low",
		    (unsigned long long)n, row->registration_s,
		    o->scale_delay_ns / 1e9);
	if (n >= SLAB_MIN_N && slab0 >= 0 && slab1 >= 0) {
		row->have_slab = true;
		row->slab_bytes_per = (slab1 - slab0) * 1024.0 / n;
	}
	row->object_size = read_ll(SLAB_DIR "/object_size");
	row->slab_size = read_ll(SLAB_DIR "/slab_size");

	/* The last one is due a delay after it was made. */
	deadline = t1 + o->scale_delay_ns + SCALE_SLACK_NS;
	for (f = 0; f < files; f++) {
		got = scale_collect(fds[f], want[f], deadline, buf);
		if (got < 0)
			goto out;
		row->fired += (uint64_t)got;
	}
	row->all_fired = row->fired == n;
	if (!row->all_fired)
		msg("scale: only %llu of %llu fired within %.0f s of the last one's due time",
		    (unsigned long long)row->fired, (unsigned long long)n,
		    SCALE_SLACK_NS / 1e9);
	ret = 0;
out:
	/* What has not fired is dropped at close. */
	for (f = 0; f < files; f++)
		if (fds[f] >= 0)
			close(fds[f]);
out_free:
	free(fds);
	free(want);
	free(buf);
	return ret;
}

static int run_scale(struct bench *b)
{
	uint64_t t0 = now_ns();
	unsigned int i;

	for (i = 0; i < b->o.scale.n; i++) {
		if (scale_one(b, b->o.scale.v[i], &b->scale[i]))
			return -1;
		b->nscale = i + 1;
	}
	msg("scale: done in %.1f s", (now_ns() - t0) / 1e9);
	return 0;
}

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
	struct __kernel_timespec ts = {
		.tv_sec = HWEVENT_URING_MAX_DELAY_NS / NSEC_PER_SEC + WATCHDOG_S,
	};
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
		ret = io_uring_wait_cqe_timeout(r->ring, &cqe, &ts);
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

static int run_fanout(struct bench *b)
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

/* ------------------------------------------------------------------ */
/* Output. */

static long long round_ll(double v)
{
	return (long long)(v < 0 ? v - 0.5 : v + 0.5);
}

/* A latency path this kernel cannot run: every figure null, and why. */
static void json_unavailable_path(FILE *f, bool first, unsigned int k,
				  const char *why)
{
	fprintf(f, "%s\n {\"path\":\"%s\",\"baseline\":\"%s\",\"unavailable\":",
		first ? "" : ",", path_info[k].name,
		path_info[path_info[k].baseline].name);
	json_string(f, why);
	fputs(",\"n\":0,\"early\":0,\"min_ns\":null,\"mean_ns\":null,"
	      "\"p50_ns\":null,\"p90_ns\":null,\"p99_ns\":null,"
	      "\"max_ns\":null,\"ratio_p50\":null,\"ratio_p99\":null,"
	      "\"bh_p50_ns\":null,\"irq_wake_p50_ns\":null}", f);
}

static void write_json(FILE *f, const struct bench *b)
{
	const struct options *o = &b->o;
	struct utsname u;
	unsigned int i, k, first;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	fputs("{\"program\":\"hwevent-bench\",\"version\":1,\"kernel\":", f);
	json_string(f, u.release);
	fputs(",\"machine\":", f);
	json_string(f, u.machine);
	fprintf(f, ",\"cpus\":%ld,\"short\":%s", sysconf(_SC_NPROCESSORS_ONLN),
		o->short_run ? "true" : "false");
	fputs(",\"bottom_half\":", f);
	if (b->bottom_half[0])
		json_string(f, b->bottom_half);
	else
		fputs("null", f);

	if (b->done[S_LATENCY]) {
		fprintf(f, ",\n\"latency\":{\"delay_ns\":%llu,\"samples\":%u,\"paths\":[",
			(unsigned long long)o->delay_ns, o->samples);
		for (k = 0, first = 1; k < NR_PATHS; k++) {
			const struct lat_result *r = &b->lat[k];

			if (!(o->paths & 1U << k))
				continue;
			if (k == P_URING_CMD && b->uring_cmd_no[0]) {
				json_unavailable_path(f, first, k,
						      b->uring_cmd_no);
				first = 0;
				continue;
			}
			fprintf(f, "%s\n {\"path\":\"%s\",\"baseline\":\"%s\","
				"\"unavailable\":null,"
				"\"n\":%u,\"early\":%u,\"min_ns\":%lld,"
				"\"mean_ns\":%lld,\"p50_ns\":%lld,"
				"\"p90_ns\":%lld,\"p99_ns\":%lld,"
				"\"max_ns\":%lld,\"ratio_p50\":",
				first ? "" : ",", path_info[k].name,
				path_info[path_info[k].baseline].name, r->n,
				r->early, (long long)r->min,
				round_ll(r->mean), (long long)r->p50,
				(long long)r->p90, (long long)r->p99,
				(long long)r->max);
			json_double(f, 4, r->ratio_p50);
			fputs(",\"ratio_p99\":", f);
			json_double(f, 4, r->ratio_p99);
			fputs(",\"bh_p50_ns\":", f);
			if (r->nbh)
				fprintf(f, "%lld", (long long)r->bh_p50);
			else
				fputs("null", f);
			fputs(",\"irq_wake_p50_ns\":", f);
			if (r->nirqw)
				fprintf(f, "%lld", (long long)r->irqw_p50);
			else
				fputs("null", f);
			fputc('}', f);
			first = 0;
		}
		fputs("],\n \"arm_offset_p50_ns\":", f);
		if (b->n_arm_offset)
			fprintf(f, "%lld", (long long)b->arm_offset_p50);
		else
			fputs("null", f);
		fputc('}', f);
	}

	if (b->done[S_THROUGHPUT]) {
		fputs(",\n\"throughput\":[", f);
		for (i = 0; i < b->ntp; i++) {
			const struct tp_row *row = &b->tp[i];

			fprintf(f, "%s\n {\"rate_hz\":%llu,\"period_ns\":%llu,\"candidates\":[",
				i ? "," : "", (unsigned long long)row->rate_hz,
				(unsigned long long)row->period_ns);
			for (k = 0, first = 1; k < NR_CANDS; k++) {
				const struct tp_result *c = &row->c[k];

				if (!c->run)
					continue;
				fprintf(f, "%s\n  {\"name\":\"%s\","
					"\"elapsed_ns\":%llu,"
					"\"expected\":%lld,"
					"\"delivered\":%llu,\"per_s\":%.1f,"
					"\"missed\":%lld,\"lost\":%llu,"
					"\"overruns\":%llu}",
					first ? "" : ",", cand_names[k],
					(unsigned long long)c->elapsed_ns,
					(long long)c->expected,
					(unsigned long long)c->delivered,
					c->per_s, (long long)c->missed,
					(unsigned long long)c->lost,
					(unsigned long long)c->overruns);
				first = 0;
			}
			fputs("]}", f);
		}
		fputs("]", f);
	}

	if (b->done[S_SCALE]) {
		fputs(",\n\"scale\":[", f);
		for (i = 0; i < b->nscale; i++) {
			const struct scale_row *s = &b->scale[i];

			fprintf(f, "%s\n {\"n\":%llu,\"files\":%u,"
				"\"register_ns_per\":%.1f,"
				"\"registration_s\":%.6f,\"slab_bytes_per\":",
				i ? "," : "", (unsigned long long)s->n,
				s->files, s->register_ns_per,
				s->registration_s);
			json_double(f, 1, s->have_slab ?
				    s->slab_bytes_per : NAN);
			fputs(",\"object_size\":", f);
			json_double(f, 0, s->object_size >= 0 ?
				    (double)s->object_size : NAN);
			fputs(",\"slab_size\":", f);
			json_double(f, 0, s->slab_size >= 0 ?
				    (double)s->slab_size : NAN);
			fprintf(f, ",\"fired\":%llu,\"all_fired\":%s}",
				(unsigned long long)s->fired,
				s->all_fired ? "true" : "false");
		}
		fputs("]", f);
	}

	if (b->done[S_FANOUT]) {
		fputs(",\n\"fanout_uring_cmd_unavailable\":", f);
		if (b->uring_cmd_no[0])
			json_string(f, b->uring_cmd_no);
		else
			fputs("null", f);
		fputs(",\n\"fanout\":[", f);
		for (i = 0; i < b->nfan; i++) {
			const struct fanout_row *r = &b->fan[i];

			fprintf(f, "%s\n {\"threads\":%u,\"hwevent_last_ns\":%llu,"
				"\"hwevent_median_ns\":%llu,"
				"\"timerfd_last_ns\":%llu,"
				"\"timerfd_median_ns\":%llu,\"ratio_last\":",
				i ? "," : "", r->threads,
				(unsigned long long)r->hw_last_ns,
				(unsigned long long)r->hw_median_ns,
				(unsigned long long)r->tfd_last_ns,
				(unsigned long long)r->tfd_median_ns);
			json_double(f, 4, r->ratio_last);
			fputs(",\"uring_cmd_last_ns\":", f);
			json_double(f, 0, r->uc_run ? (double)r->uc_last_ns :
				    NAN);
			fputs(",\"uring_cmd_median_ns\":", f);
			json_double(f, 0, r->uc_run ? (double)r->uc_median_ns :
				    NAN);
			fputs(",\"uring_cmd_ratio_last\":", f);
			json_double(f, 4, r->uc_run ? r->uc_ratio_last : NAN);
			fputc('}', f);
		}
		fputs("]", f);
	}
	fputs("}\n", f);
}

static double us(double ns)
{
	return ns / 1e3;
}

/* A ratio as Markdown: two decimals, or a dash. */
static void md_ratio(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.2f |", v);
	else
		fputs(" - |", f);
}

static void write_markdown(FILE *f, const struct bench *b)
{
	const struct options *o = &b->o;
	struct utsname u;
	unsigned int i, k;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	fprintf(f, "# hwevent-bench\n\n"
		"Kernel %s, %s, %ld CPUs%s. Under software emulation absolute "
		"times are inflated: read the ratios to timerfd.\n",
		u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN),
		o->short_run ? "; --short run" : "");
	if (b->bottom_half[0])
		fprintf(f, "\nThe module's bottom half: %s (bottom_half).\n",
			b->bottom_half);

	if (b->done[S_LATENCY]) {
		fprintf(f, "\n## Latency\n\n"
			"How late each path wakes the program for one event "
			"%.3f ms after arming, in µs (%u samples per path, "
			"taken in turns); ratios to timerfd-read, or to "
			"timerfd-epoll for the *-epoll paths; irq→bh is the "
			"median from the interrupt to the bottom half in the "
			"records (paths with one), irq→wake from the "
			"interrupt to the program's wake-up (paths with the "
			"record's irq_ns, uring-cmd's from its CQE).\n\n",
			o->delay_ns / 1e6, o->samples);
		fputs("| path | n | early | min | mean | p50 | p90 | p99 | max | p50 ratio | p99 ratio | irq→bh p50 | irq→wake p50 |\n"
		      "|------|--:|------:|----:|-----:|----:|----:|----:|----:|----------:|----------:|-----------:|-------------:|\n",
		      f);
		for (k = 0; k < NR_PATHS; k++) {
			const struct lat_result *r = &b->lat[k];

			if (!(o->paths & 1U << k))
				continue;
			if (k == P_URING_CMD && b->uring_cmd_no[0]) {
				fprintf(f, "| %s | unavailable | - | - | - | - | - | - | - | - | - | - | - |\n",
					path_info[k].name);
				continue;
			}
			fprintf(f, "| %s | %u | %u | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |",
				path_info[k].name, r->n, r->early, us(r->min),
				us(r->mean), us(r->p50), us(r->p90),
				us(r->p99), us(r->max));
			md_ratio(f, r->ratio_p50);
			md_ratio(f, r->ratio_p99);
			if (r->nbh)
				fprintf(f, " %.1f |", us(r->bh_p50));
			else
				fputs(" - |", f);
			if (r->nirqw)
				fprintf(f, " %.1f |\n", us(r->irqw_p50));
			else
				fputs(" - |\n", f);
		}
		if (o->paths & 1U << P_URING_CMD && b->uring_cmd_no[0])
			fprintf(f, "\nuring-cmd is unavailable here: %s.\n",
				b->uring_cmd_no);
		if (b->n_arm_offset)
			fprintf(f, "\nThe driver's due time came %.1f µs (median, "
				"from the queue paths' records) after the "
				"program's clock read before its ioctl plus the "
				"delay: the eventfd paths, which have no record "
				"and measure from that read, overstate their "
				"lateness by about as much.\n",
				us(b->arm_offset_p50));
	}

	if (b->done[S_THROUGHPUT]) {
		fprintf(f, "\n## Throughput\n\n"
			"One periodic source read for %.3f s per candidate and "
			"rate: expiries expected, delivered and missed "
			"(expected − delivered); lost and overruns are the "
			"queue's own counts.\n\n",
			o->duration_ns / 1e9);
		fputs("| rate Hz | candidate | expected | delivered | per s | missed | lost | overruns |\n"
		      "|--------:|-----------|---------:|----------:|------:|-------:|-----:|---------:|\n",
		      f);
		for (i = 0; i < b->ntp; i++) {
			for (k = 0; k < NR_CANDS; k++) {
				const struct tp_result *c = &b->tp[i].c[k];

				if (!c->run)
					continue;
				fprintf(f, "| %llu | %s | %lld | %llu | %.1f | %lld | %llu | %llu |\n",
					(unsigned long long)b->tp[i].rate_hz,
					cand_names[k], (long long)c->expected,
					(unsigned long long)c->delivered,
					c->per_s, (long long)c->missed,
					(unsigned long long)c->lost,
					(unsigned long long)c->overruns);
			}
		}
	}

	if (b->done[S_SCALE]) {
		fprintf(f, "\n## Scale\n\n"
			"N one-shot QUEUE registrations armed at once (delay "
			"%.3f s): µs per registration, kernel Slab bytes per "
			"registration (N >= %d), the cache's object and slab "
			"size, and how many fired.\n\n",
			o->scale_delay_ns / 1e9, SLAB_MIN_N);
		fputs("| N | files | µs per reg | total s | slab B/reg "
		      "| object size | slab size | fired | all fired |\n"
		      "|--:|------:|-----------:|--------:|-----------:"
		      "|------------:|----------:|------:|-----------|\n",
		      f);
		for (i = 0; i < b->nscale; i++) {
			const struct scale_row *s = &b->scale[i];

			fprintf(f, "| %llu | %u | %.1f | %.3f%s |",
				(unsigned long long)s->n, s->files,
				us(s->register_ns_per), s->registration_s,
				s->slow ? " (longer than the delay)" : "");
			if (s->have_slab)
				fprintf(f, " %.1f |", s->slab_bytes_per);
			else
				fputs(" - |", f);
			if (s->object_size >= 0)
				fprintf(f, " %lld |", s->object_size);
			else
				fputs(" - |", f);
			if (s->slab_size >= 0)
				fprintf(f, " %lld |", s->slab_size);
			else
				fputs(" - |", f);
			fprintf(f, " %llu | %s |\n",
				(unsigned long long)s->fired,
				s->all_fired ? "yes" : "no");
		}
	}

	if (b->done[S_FANOUT]) {
		fputs("\n## Fan-out\n\n"
		      "T waiters, woken at once, in µs: hwevent from "
		      "HWEVENT_IOC_TRIGGER (all) to each PENDING ioctl's "
		      "return (T threads, one file); uring-cmd from the same "
		      "trigger to when one thread saw each of T commands' "
		      "CQEs (one ring, one file); timerfd from the due time to "
		      "each read's return (a timerfd per thread). Ratios: the "
		      "last one's time to timerfd's.\n\n",
		      f);
		fputs("| T | hwevent last | hwevent median | timerfd last | timerfd median | last ratio | uring-cmd last | uring-cmd median | uring-cmd last ratio |\n"
		      "|--:|-------------:|---------------:|-------------:|---------------:|-----------:|---------------:|-----------------:|---------------------:|\n",
		      f);
		for (i = 0; i < b->nfan; i++) {
			const struct fanout_row *r = &b->fan[i];

			fprintf(f, "| %u | %.1f | %.1f | %.1f | %.1f |",
				r->threads, us(r->hw_last_ns),
				us(r->hw_median_ns), us(r->tfd_last_ns),
				us(r->tfd_median_ns));
			md_ratio(f, r->ratio_last);
			if (r->uc_run)
				fprintf(f, " %.1f | %.1f |", us(r->uc_last_ns),
					us(r->uc_median_ns));
			else
				fputs(" - | - |", f);
			md_ratio(f, r->uc_run ? r->uc_ratio_last : NAN);
			fputc('\n', f);
		}
		if (b->uring_cmd_no[0])
			fprintf(f, "\nuring-cmd is unavailable here: %s.\n",
				b->uring_cmd_no);
	}
}

static FILE *open_out(const char *path)
{
	return strcmp(path, "-") ? fopen(path, "we") : stdout;
}

/* Closes (or flushes stdout) and reports a write error: 0 or -1. */
static int close_out(FILE *f, const char *path)
{
	int err = ferror(f) ? EIO : 0;

	if (f == stdout) {
		if (fflush(f) && !err)
			err = errno;
	} else if (fclose(f) && !err) {
		err = errno;
	}
	if (err)
		return fail("writing %s: %s", path, strerror(err));
	return 0;
}

static void data_value(FILE *f, const struct tp_result *c, bool per_s)
{
	if (!c->run)
		fputs(" NaN", f);
	else if (per_s)
		fprintf(f, " %.1f", c->per_s);
	else
		fprintf(f, " %lld", (long long)c->missed);
}

/* --data: one file of sorted samples per path, and throughput.dat. */
static int write_data(const struct bench *b)
{
	const struct options *o = &b->o;
	char path[PATH_MAX];
	unsigned int i, k;
	FILE *f;

	for (k = 0; b->done[S_LATENCY] && k < NR_PATHS; k++) {
		const struct lat_result *r = &b->lat[k];

		if (!(o->paths & 1U << k))
			continue;
		snprintf(path, sizeof(path), "%s/latency-%s.dat", o->data_dir,
			 path_info[k].name);
		f = fopen(path, "we");
		if (!f)
			return fail("%s: %s", path, strerror(errno));
		for (i = 0; i < r->n; i++)
			fprintf(f, "%.3f\n", us(r->lat[i]));
		if (close_out(f, path))
			return -1;
	}
	if (!b->done[S_THROUGHPUT])
		return 0;
	snprintf(path, sizeof(path), "%s/throughput.dat", o->data_dir);
	f = fopen(path, "we");
	if (!f)
		return fail("%s: %s", path, strerror(errno));
	fputs("# rate_hz queue_per_s eventfd_per_s timerfd_per_s queue_missed eventfd_missed timerfd_missed\n",
	      f);
	for (i = 0; i < b->ntp; i++) {
		fprintf(f, "%llu", (unsigned long long)b->tp[i].rate_hz);
		for (k = 0; k < NR_CANDS; k++)
			data_value(f, &b->tp[i].c[k], true);
		for (k = 0; k < NR_CANDS; k++)
			data_value(f, &b->tp[i].c[k], false);
		fputc('\n', f);
	}
	return close_out(f, path);
}

/* ------------------------------------------------------------------ */
/* --check: sanity, as TAP; no timing targets. */

struct tap {
	unsigned int n, failed;
	char (*line)[200];
	bool *ok;
	unsigned int cap;
};

static void tap_add(struct tap *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (t->n == t->cap) {
		unsigned int cap = t->cap ? 2 * t->cap : 64;
		void *line = realloc(t->line, cap * sizeof(*t->line));
		void *oks = line ? realloc(t->ok, cap * sizeof(*t->ok)) : NULL;

		if (oks)
			t->ok = oks;
		if (line)
			t->line = line;
		if (!line || !oks) {
			/* Cannot record it: count it as failed all the same. */
			t->failed++;
			return;
		}
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->line[t->n], sizeof(t->line[t->n]), fmt, ap);
	va_end(ap);
	t->ok[t->n++] = ok;
	t->failed += !ok;
}

static void check_latency(struct tap *t, const struct bench *b)
{
	const struct options *o = &b->o;
	unsigned int k;

	for (k = 0; k < NR_PATHS; k++) {
		const struct lat_result *r = &b->lat[k];
		const char *p = path_info[k].name;

		if (!(o->paths & 1U << k))
			continue;
		/* Not measured is not passed: a skip, with the reason. */
		if (k == P_URING_CMD && b->uring_cmd_no[0]) {
			tap_add(t, true, "latency %s # SKIP unavailable: %s", p,
				b->uring_cmd_no);
			continue;
		}
		tap_add(t, r->n == o->samples, "latency %s: %u of %u samples",
			p, r->n, o->samples);
		tap_add(t, !r->early, "latency %s: none early (%u)", p,
			r->early);
		tap_add(t, r->n && 0 < r->min && r->min <= r->p50 &&
			r->p50 <= r->p90 && r->p90 <= r->p99 &&
			r->p99 <= r->max,
			"latency %s: 0 < min <= p50 <= p90 <= p99 <= max", p);
		tap_add(t, r->n && r->mean >= r->min && r->mean <= r->max,
			"latency %s: mean within [min, max]", p);
		tap_add(t, isfinite(r->ratio_p50) && r->ratio_p50 > 0 &&
			isfinite(r->ratio_p99) && r->ratio_p99 > 0,
			"latency %s: ratios to %s finite and > 0", p,
			path_info[path_info[k].baseline].name);
		/* uring-cmd's irq_ns comes from its CQE's big_cqe[0]. */
		if (r->nirqw)
			tap_add(t, r->nirqw == r->n && r->irqw[0] > 0,
				"latency %s: every wake-up after its interrupt (irq→wake min %lld ns)",
				p, (long long)r->irqw[0]);
	}
	/* The driver cannot take its "now" before we called it. */
	if (o->paths & (1U << P_QUEUE_READ | 1U << P_QUEUE_EPOLL))
		tap_add(t, b->n_arm_offset && b->arm_offset_p50 >= 0,
			"latency: the driver's due time is not before ours (median offset %lld ns)",
			(long long)b->arm_offset_p50);
}

static void check_throughput(struct tap *t, const struct bench *b)
{
	unsigned int i, k;

	for (i = 0; i < b->ntp; i++) {
		for (k = 0; k < NR_CANDS; k++) {
			const struct tp_result *c = &b->tp[i].c[k];

			if (!(b->o.cands & 1U << k))
				continue;
			tap_add(t, c->run && c->delivered > 0 && c->per_s > 0 &&
				c->expected >= 1,
				"throughput %llu Hz %s: delivered %llu > 0, %.1f/s > 0, expected %lld >= 1",
				(unsigned long long)b->tp[i].rate_hz,
				cand_names[k],
				(unsigned long long)c->delivered, c->per_s,
				(long long)c->expected);
			/* A counter counts every expiry, none twice. */
			if (k == C_QUEUE || !c->run)
				continue;
			tap_add(t, (int64_t)c->delivered >= c->expected &&
				(int64_t)c->delivered <= c->expected_max,
				"throughput %llu Hz %s: counted %llu, every expiry due by the end (%lld) and none not due by the drain (%lld)",
				(unsigned long long)b->tp[i].rate_hz,
				cand_names[k],
				(unsigned long long)c->delivered,
				(long long)c->expected,
				(long long)c->expected_max);
		}
	}
}

static void check_scale(struct tap *t, const struct bench *b)
{
	unsigned int i;

	for (i = 0; i < b->nscale; i++) {
		const struct scale_row *s = &b->scale[i];

		tap_add(t, s->all_fired, "scale %llu: all fired (%llu)",
			(unsigned long long)s->n,
			(unsigned long long)s->fired);
		tap_add(t, s->register_ns_per > 0,
			"scale %llu: register_ns_per > 0",
			(unsigned long long)s->n);
	}
}

static void check_fanout(struct tap *t, const struct bench *b)
{
	unsigned int i;

	for (i = 0; i < b->nfan; i++) {
		const struct fanout_row *r = &b->fan[i];

		tap_add(t, r->hw_last_ns > 0 && r->tfd_last_ns > 0 &&
			isfinite(r->ratio_last),
			"fanout %u: both times > 0, ratio finite", r->threads);
		if (b->uring_cmd_no[0])
			tap_add(t, true, "fanout %u uring-cmd # SKIP unavailable: %s",
				r->threads, b->uring_cmd_no);
		else
			tap_add(t, r->uc_run && r->uc_last_ns > 0 &&
				r->uc_median_ns > 0 &&
				r->uc_median_ns <= r->uc_last_ns &&
				isfinite(r->uc_ratio_last),
				"fanout %u uring-cmd: every command completed, 0 < median <= last, ratio finite",
				r->threads);
	}
}

/* The debugfs live count back where it was: nothing of ours left armed. */
static void check_live(struct tap *t, const struct bench *b)
{
	uint64_t deadline = now_ns() + 2 * NSEC_PER_SEC;
	long long live;

	if (b->live_before < 0) {
		printf("# debugfs %s unreadable: live count not checked\n",
		       STATS_PATH);
		return;
	}
	/* A bottom half may still be finishing what was cancelled. */
	while ((live = read_named(STATS_PATH, "live")) != b->live_before &&
	       now_ns() < deadline)
		sleep_ns(10 * NSEC_PER_MSEC);
	tap_add(t, live == b->live_before,
		"no registration left live (debugfs live %lld, %lld before)",
		live, b->live_before);
}

/* Every check of every section that was to run; a section that failed fails. */
static int run_checks(const struct bench *b, bool run_ok)
{
	struct tap t = { 0 };
	unsigned int s, i;

	for (s = 0; s < NR_SECTIONS; s++) {
		if (!(b->o.sections & 1U << s))
			continue;
		tap_add(&t, b->done[s], "%s section completed",
			section_names[s]);
		if (!b->done[s])
			continue;
		switch (s) {
		case S_LATENCY:
			check_latency(&t, b);
			break;
		case S_THROUGHPUT:
			check_throughput(&t, b);
			break;
		case S_SCALE:
			check_scale(&t, b);
			break;
		case S_FANOUT:
			check_fanout(&t, b);
			break;
		}
	}
	if (run_ok)
		check_live(&t, b);

	printf("TAP version 13\n1..%u\n", t.n);
	for (i = 0; i < t.n; i++)
		printf("%sok %u - %s\n", t.ok[i] ? "" : "not ", i + 1,
		       t.line[i]);
	fflush(stdout);
	free(t.line);
	free(t.ok);
	return t.failed ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Options. */

static void usage_hint(void)
{
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
}

static void print_help(void)
{
	printf("usage: " PROG " [options]\n"
"\n"
"Measure how late /dev/hwevent wakes a program, and what it costs per event,\n"
"against the kernel's own timerfd, in one run. Needs root and the module\n"
"(insmod hwevent.ko). Progress goes to stderr; the results, as Markdown\n"
"tables, to stdout unless --json or --markdown is given.\n"
"\n"
"Absolute times are inflated under software emulation (QEMU TCG), and\n"
"vary with the machine: the ratios to timerfd are what to read.\n"
"\n"
"Sections (all by default; --only picks):\n"
"  latency     How late one event wakes the program, per path: lateness =\n"
"              CLOCK_MONOTONIC right after the waiting call returns - the\n"
"              event's due time. --samples per path, one-shot --delay.\n"
"              The paths take turns, one sample each per round, the first\n"
"              of the round rotating, so that drift hits all alike:\n"
"    pending        HWEVENT_MODE_PENDING: the ioctl sleeps until the event;\n"
"                   due = the record's due_ns\n"
"    eventfd-read   HWEVENT_MODE_EVENTFD, then a blocking read(2) of the\n"
"                   eventfd. No record comes back: due = CLOCK_MONOTONIC\n"
"                   just before the ioctl + delay, which overstates the\n"
"                   lateness by the time the ioctl takes to arm the timer;\n"
"                   the queue paths measure that time from their records\n"
"                   and report its median (arm_offset_p50_ns)\n"
"    eventfd-epoll  the same, waiting in epoll_wait(2) before the read\n"
"    queue-read     HWEVENT_MODE_QUEUE, then a blocking read(2) of one\n"
"                   record from the device; due = its due_ns\n"
"    queue-epoll    the same, waiting in epoll_wait(2) on the device\n"
"    uring-read     the same, with one IORING_OP_READ of one record\n"
"                   (liburing): submit, then io_uring_wait_cqe()\n"
"    uring-cmd      one io_uring command, HWEVENT_URING_CMD_WAIT with the\n"
"                   delay, on a ring with 32-byte CQEs: submit, then\n"
"                   io_uring_wait_cqe(). The CQE has no due time: due =\n"
"                   CLOCK_MONOTONIC just before the submission + delay,\n"
"                   as for eventfd-read (it overstates the lateness by the\n"
"                   submission's time to arm the timer). Its big_cqe[0] is\n"
"                   the record's irq_ns. A kernel without io_uring\n"
"                   commands (before 5.19), or a module without\n"
"                   ->uring_cmd, reports it unavailable, and why\n"
"    timerfd-read   the floor: timerfd_settime(TFD_TIMER_ABSTIME) at due =\n"
"                   now + delay, then read(2)\n"
"    timerfd-epoll  the same, waiting in epoll_wait(2) before the read\n"
"              Per path: n, early, min, mean, p50, p90, p99, max\n"
"              (nearest-rank percentiles) and ratio_p50, ratio_p99 to the\n"
"              baseline: timerfd-epoll for the *-epoll paths, timerfd-read\n"
"              for the others (a baseline to itself: 1). \"early\" counts\n"
"              negative latenesses, which would be a bug. irq->bh: the\n"
"              records' bh_ns - irq_ns, median; irq->wake: the wake-up\n"
"              - the record's irq_ns, median (paths with a record, and\n"
"              uring-cmd).\n"
"  throughput  Per rate, one periodic source read for --duration, three\n"
"              candidates in turn (the first rotating from rate to rate):\n"
"    queue          a periodic HWEVENT_MODE_QUEUE registration, read(2) in\n"
"                   batches of up to %d records; queue_size is set to %d\n"
"                   for its file (and put back) when it can be written\n"
"    eventfd        a periodic HWEVENT_MODE_EVENTFD registration; delivered\n"
"                   = the sum of the eventfd counts read\n"
"    timerfd        a periodic timerfd; delivered = the sum of the\n"
"                   expirations read\n"
"              expected = floor((end - first due) / period) + 1, end being\n"
"              when reading stopped (hwevent: then cancelled, then the rest\n"
"              drained); missed = expected - delivered, off by one at the\n"
"              edges when an expiry falls due meanwhile; per_s = delivered\n"
"              / elapsed. lost and overruns are the queue's own counts\n"
"              (&hwevent_event.lost, .overruns), 0 for the others: an\n"
"              eventfd expiry that came too late is simply missed, and\n"
"              timerfd's count includes its overruns, so it never loses.\n"
"              The eventfd candidate's first due time is taken before its\n"
"              ioctl, as in eventfd-read.\n"
"  scale       Per N, N one-shot HWEVENT_MODE_QUEUE registrations at once,\n"
"              on ceil(N / max_pending) files (max_pending is read, never\n"
"              changed), each with --scale-delay: ns per registration,\n"
"              /proc/meminfo Slab growth per registration (N >= %d only:\n"
"              smaller is noise), the object_size and slab_size of\n"
"              " SLAB_DIR " if readable, and whether all fired:\n"
"              each file's records counted with their lost, within the\n"
"              delay + %.0f s. The delay must outlast the registering, or\n"
"              the first ones fire before the Slab is read (said if so).\n"
"  fanout      Per T, T threads (%d KiB stacks) asleep at once:\n"
"              hwevent: each in a PENDING ioctl (delay %.0f s) on one shared\n"
"              file, woken by one HWEVENT_IOC_TRIGGER (all); times from just\n"
"              before the trigger to each ioctl's return. uring-cmd: T\n"
"              HWEVENT_URING_CMD_WAIT commands (delay %.0f s) in flight on\n"
"              one ring and one file, submitted and reaped by one thread,\n"
"              fired by one HWEVENT_IOC_TRIGGER (all) from another (a\n"
"              command's delay counts from its own submission, so none\n"
"              would be due at one instant); times from just before the\n"
"              trigger to when the reaper saw each CQE (unavailable, and\n"
"              why, as in latency). timerfd: each in read(2) of its own\n"
"              timerfd, all due at once, max(%.0f ms, T x %.0f us) after\n"
"              they are set; times from the due time.\n"
"              The last and the median of each, and the ratios of the\n"
"              lasts to timerfd's. T must not exceed max_pending.\n"
"\n"
"Options:\n"
"  --only LIST         sections to run, comma-separated (default: all):\n"
"                      latency,throughput,scale,fanout\n"
"  --paths LIST        latency paths to measure (default: all); the\n"
"                      baselines they need are added\n"
"  --candidates LIST   throughput candidates (default: queue,eventfd,timerfd)\n"
"  --samples N         latency samples per path (default %u; 1 to %u)\n"
"  --delay SECONDS     latency: one-shot delay (default %.3f; 0 to %.0f)\n"
"  --rates LIST        throughput rates in Hz, whole numbers (default\n"
"                      1000,2000,5000,10000); at most %llu Hz, the rate whose\n"
"                      period is HWEVENT_MIN_PERIOD_NS\n"
"  --duration SECONDS  throughput: time per candidate and rate (default %.0f;\n"
"                      %.3f to %.0f)\n"
"  --scale LIST        scale: registration counts (default\n"
"                      1,100,10000,100000; 1 to %llu)\n"
"  --scale-delay SECONDS  scale: the registrations' delay (default %.0f; %.1f\n"
"                      to %.0f)\n"
"  --fanout LIST       fanout: thread counts (default 10,100,1000; 1 to\n"
"                      max_pending)\n"
"  --short             small and quick, for a sanity run under emulation:\n"
"                      samples %u, rates 1000,5000, duration %.1f, scale\n"
"                      1,100, scale-delay %.0f, fanout 10 (options given\n"
"                      explicitly still win)\n"
"  --json FILE         the results as one JSON object (- for stdout): keys\n"
"                      program, version, kernel, machine, cpus, short,\n"
"                      bottom_half (the module's, as the run began), and\n"
"                      latency{delay_ns,samples,paths[{path,baseline,\n"
"                      unavailable,n,early,min_ns,mean_ns,p50_ns,p90_ns,\n"
"                      p99_ns,max_ns,ratio_p50,ratio_p99,bh_p50_ns,\n"
"                      irq_wake_p50_ns}]} (unavailable: null, or why the\n"
"                      path could not run, its figures then null;\n"
"                      bh_p50_ns: the records' interrupt to bottom half,\n"
"                      median, null without records; irq_wake_p50_ns: the\n"
"                      interrupt to the wake-up, median, null without an\n"
"                      irq_ns), throughput[{rate_hz,period_ns,\n"
"                      candidates[{name,elapsed_ns,expected,delivered,per_s,\n"
"                      missed,lost,overruns}]}], scale[{n,files,\n"
"                      register_ns_per,registration_s,slab_bytes_per,\n"
"                      object_size,slab_size,fired,all_fired}],\n"
"                      fanout_uring_cmd_unavailable (null, or why), fanout[{\n"
"                      threads,hwevent_last_ns,hwevent_median_ns,\n"
"                      timerfd_last_ns,timerfd_median_ns,ratio_last,\n"
"                      uring_cmd_last_ns,uring_cmd_median_ns,\n"
"                      uring_cmd_ratio_last}];\n"
"                      sections not run are left out, unknown values null\n"
"  --markdown FILE     the results as Markdown tables (- for stdout): times\n"
"                      in µs\n"
"  --data DIR          plot data (DIR is created): DIR/latency-PATH.dat, each\n"
"                      path's sorted samples in µs, one a line;\n"
"                      DIR/throughput.dat, columns rate_hz queue_per_s\n"
"                      eventfd_per_s timerfd_per_s queue_missed\n"
"                      eventfd_missed timerfd_missed (NaN: not run)\n"
"  --check             after the run, sanity checks as TAP on stdout, exit 1\n"
"                      if one fails: every section completed; every path\n"
"                      has all its samples, none early, 0 < min <= p50 <=\n"
"                      p90 <= p99 <= max, mean within, finite ratios > 0,\n"
"                      every wake-up after its interrupt where irq_ns is\n"
"                      known; every throughput candidate delivered,\n"
"                      expected >= 1; every scale row all fired; fan-out\n"
"                      times > 0, every command completed; no registration\n"
"                      left live (debugfs, if readable; assumes no other\n"
"                      user of the device). uring-cmd unavailable is a\n"
"                      \"# SKIP\" with the reason, not a pass. No timing\n"
"                      targets. The tables then go to stderr, or only to\n"
"                      the --json and --markdown files\n"
"  -d, --device PATH   the device (default " DEFAULT_DEVICE ")\n"
"  -h, --help          this text\n"
"\n"
"The module parameters (" QUEUE_SIZE_PATH ",\n"
"max_pending) need root; when they cannot be written or read, the run goes\n"
"on with what is there and says so. Every registration is cancelled or\n"
"closed, queue_size restored and every thread joined, also on errors and\n"
"on SIGINT/SIGTERM. A watchdog ends a wait for an event after %u s.\n"
"\n"
"Exit status: 0 ok; 1 an error (the device missing: load hwevent.ko first)\n"
"or a failed check; 2 bad usage.\n",
	       TP_BATCH, TP_QUEUE_SIZE, SLAB_MIN_N, SCALE_SLACK_NS / 1e9,
	       FANOUT_STACK / 1024, FANOUT_DELAY_NS / 1e9,
	       HWEVENT_URING_MAX_DELAY_NS / 1e9, FANOUT_TFD_MIN_NS / 1e6, FANOUT_TFD_PER_NS / 1e3,
	       DEF_SAMPLES, MAX_SAMPLES, DEF_DELAY_NS / 1e9,
	       MAX_DELAY_NS / 1e9,
	       (unsigned long long)(NSEC_PER_SEC / HWEVENT_MIN_PERIOD_NS),
	       DEF_DURATION_NS / 1e9, MIN_DURATION_NS / 1e9,
	       MAX_DURATION_NS / 1e9, MAX_SCALE_N, DEF_SCALE_DELAY_NS / 1e9,
	       MIN_SCALE_DELAY_NS / 1e9, HWEVENT_MAX_DELAY_NS / 1e9,
	       SHORT_SAMPLES, SHORT_DURATION_NS / 1e9,
	       SHORT_SCALE_DELAY_NS / 1e9, WATCHDOG_S);
}

/* Seconds, fractions allowed, from @min_ns to @max_ns. */
static int parse_seconds(const char *opt, const char *s, uint64_t min_ns,
			 uint64_t max_ns, uint64_t *ns)
{
	double sec, nsd;
	char *end;

	errno = 0;
	sec = strtod(s, &end);
	if (end == s || *end || isnan(sec) || strchr(s, 'x') ||
	    strchr(s, 'X')) {
		fprintf(stderr, PROG ": %s '%s' is not a number of seconds\n",
			opt, s);
		return -1;
	}
	nsd = sec * (double)NSEC_PER_SEC;
	if (!isfinite(nsd) || nsd < (double)min_ns || nsd > (double)max_ns) {
		fprintf(stderr, PROG ": %s '%s' is out of range: %g to %g s\n",
			opt, s, min_ns / 1e9, max_ns / 1e9);
		return -1;
	}
	*ns = (uint64_t)(nsd + 0.5);
	return 0;
}

/* A whole decimal number, digits only (no sign, blank or 0x). */
static int parse_whole(const char *s, size_t len, uint64_t *v)
{
	char buf[32];

	if (!len || len >= sizeof(buf) || strspn(s, "0123456789") < len)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoull(buf, NULL, 10);
	return errno ? -1 : 0;
}

static int parse_count(const char *opt, const char *s, uint64_t min,
		       uint64_t max, uint64_t *v)
{
	if (parse_whole(s, strlen(s), v)) {
		fprintf(stderr, PROG ": %s '%s' is not a whole number\n", opt,
			s);
		return -1;
	}
	if (*v < min || *v > max) {
		fprintf(stderr, PROG ": %s %s is out of range: %llu to %llu\n",
			opt, s, (unsigned long long)min,
			(unsigned long long)max);
		return -1;
	}
	return 0;
}

/* "a,b,c": whole numbers from @min to @max, at most MAX_LIST of them. */
static int parse_list(const char *opt, const char *s, uint64_t min,
		      uint64_t max, struct u64_list *l)
{
	const char *p = s;
	size_t len;

	l->n = 0;
	for (;;) {
		len = strcspn(p, ",");
		if (l->n == MAX_LIST) {
			fprintf(stderr, PROG ": %s: at most %d values\n", opt,
				MAX_LIST);
			return -1;
		}
		if (parse_whole(p, len, &l->v[l->n])) {
			fprintf(stderr, PROG ": %s '%s': '%.*s' is not a whole number\n",
				opt, s, (int)len, p);
			return -1;
		}
		if (l->v[l->n] < min || l->v[l->n] > max) {
			fprintf(stderr, PROG ": %s: %llu is out of range: %llu to %llu\n",
				opt, (unsigned long long)l->v[l->n],
				(unsigned long long)min,
				(unsigned long long)max);
			return -1;
		}
		l->n++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* "a,b": names out of @names, as a bit mask. */
static int parse_names(const char *opt, const char *s,
		       const char *const *names, unsigned int nr,
		       unsigned int *mask)
{
	const char *p = s;
	unsigned int i;
	size_t len;

	*mask = 0;
	for (;;) {
		len = strcspn(p, ",");
		for (i = 0; i < nr; i++)
			if (strlen(names[i]) == len &&
			    !strncmp(p, names[i], len))
				break;
		if (i == nr) {
			fprintf(stderr, PROG ": %s: unknown name '%.*s'; known:",
				opt, (int)len, p);
			for (i = 0; i < nr; i++)
				fprintf(stderr, "%s%s", i ? "," : " ",
					names[i]);
			fputc('\n', stderr);
			return -1;
		}
		*mask |= 1U << i;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* Rates whose period the driver refuses are refused here. */
static int check_rates(const struct u64_list *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		uint64_t period = period_of(l->v[i]);

		if (period < HWEVENT_MIN_PERIOD_NS) {
			fprintf(stderr, PROG ": --rates: %llu Hz is a period of %.1f us, below the driver's shortest, HWEVENT_MIN_PERIOD_NS = %llu us: at most %llu Hz\n",
				(unsigned long long)l->v[i], period / 1e3,
				HWEVENT_MIN_PERIOD_NS / NSEC_PER_USEC,
				(unsigned long long)(NSEC_PER_SEC /
						     HWEVENT_MIN_PERIOD_NS));
			return -1;
		}
	}
	return 0;
}

static void list_default(struct u64_list *l, const uint64_t *v, size_t n)
{
	if (l->n)
		return;
	memcpy(l->v, v, n * sizeof(*v));
	l->n = (unsigned int)n;
}

enum {
	OPT_ONLY = 256,
	OPT_PATHS,
	OPT_CANDIDATES,
	OPT_SAMPLES,
	OPT_DELAY,
	OPT_RATES,
	OPT_DURATION,
	OPT_SCALE,
	OPT_SCALE_DELAY,
	OPT_FANOUT,
	OPT_SHORT,
	OPT_JSON,
	OPT_MARKDOWN,
	OPT_DATA,
	OPT_CHECK,
};

static const struct option long_opts[] = {
	{ "only",	 required_argument, NULL, OPT_ONLY },
	{ "paths",	 required_argument, NULL, OPT_PATHS },
	{ "candidates",	 required_argument, NULL, OPT_CANDIDATES },
	{ "samples",	 required_argument, NULL, OPT_SAMPLES },
	{ "delay",	 required_argument, NULL, OPT_DELAY },
	{ "rates",	 required_argument, NULL, OPT_RATES },
	{ "duration",	 required_argument, NULL, OPT_DURATION },
	{ "scale",	 required_argument, NULL, OPT_SCALE },
	{ "scale-delay", required_argument, NULL, OPT_SCALE_DELAY },
	{ "fanout",	 required_argument, NULL, OPT_FANOUT },
	{ "short",	 no_argument,	    NULL, OPT_SHORT },
	{ "json",	 required_argument, NULL, OPT_JSON },
	{ "markdown",	 required_argument, NULL, OPT_MARKDOWN },
	{ "data",	 required_argument, NULL, OPT_DATA },
	{ "check",	 no_argument,	    NULL, OPT_CHECK },
	{ "device",	 required_argument, NULL, 'd' },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int parse_option(int c, const char *arg, struct options *o)
{
	const char *path_names[NR_PATHS];
	uint64_t v;
	unsigned int i;

	switch (c) {
	case OPT_ONLY:
		return parse_names("--only", arg, section_names, NR_SECTIONS,
				   &o->sections);
	case OPT_PATHS:
		for (i = 0; i < NR_PATHS; i++)
			path_names[i] = path_info[i].name;
		return parse_names("--paths", arg, path_names, NR_PATHS,
				   &o->paths);
	case OPT_CANDIDATES:
		return parse_names("--candidates", arg, cand_names, NR_CANDS,
				   &o->cands);
	case OPT_SAMPLES:
		if (parse_count("--samples", arg, 1, MAX_SAMPLES, &v))
			return -1;
		o->samples = (unsigned int)v;
		return 0;
	case OPT_DELAY:
		return parse_seconds("--delay", arg, 0, MAX_DELAY_NS,
				     &o->delay_ns);
	case OPT_RATES:
		if (parse_list("--rates", arg, 1, UINT32_MAX, &o->rates))
			return -1;
		return check_rates(&o->rates);
	case OPT_DURATION:
		return parse_seconds("--duration", arg, MIN_DURATION_NS,
				     MAX_DURATION_NS, &o->duration_ns);
	case OPT_SCALE:
		return parse_list("--scale", arg, 1, MAX_SCALE_N, &o->scale);
	case OPT_SCALE_DELAY:
		return parse_seconds("--scale-delay", arg, MIN_SCALE_DELAY_NS,
				     HWEVENT_MAX_DELAY_NS, &o->scale_delay_ns);
	case OPT_FANOUT:
		return parse_list("--fanout", arg, 1, MAX_FANOUT, &o->fanout);
	case OPT_SHORT:
		o->short_run = true;
		return 0;
	case OPT_JSON:
		o->json = arg;
		return 0;
	case OPT_MARKDOWN:
		o->markdown = arg;
		return 0;
	case OPT_DATA:
		o->data_dir = arg;
		return 0;
	case OPT_CHECK:
		o->check = true;
		return 0;
	case 'd':
		o->device = arg;
		return 0;
	default:
		return -1;
	}
}

/* Fills in what was not given: the defaults, or --short's. */
static void apply_defaults(struct options *o)
{
	bool s = o->short_run;
	unsigned int p, paths;

	if (!o->sections)
		o->sections = (1U << NR_SECTIONS) - 1;
	if (!o->paths)
		o->paths = (1U << NR_PATHS) - 1;
	/* A ratio needs its baseline. */
	paths = o->paths;
	for (p = 0; p < NR_PATHS; p++)
		if (paths & 1U << p)
			o->paths |= 1U << path_info[p].baseline;
	if (!o->cands)
		o->cands = (1U << NR_CANDS) - 1;
	if (!o->samples)
		o->samples = s ? SHORT_SAMPLES : DEF_SAMPLES;
	if (o->delay_ns == UINT64_MAX)
		o->delay_ns = DEF_DELAY_NS;
	if (!o->duration_ns)
		o->duration_ns = s ? SHORT_DURATION_NS : DEF_DURATION_NS;
	if (!o->scale_delay_ns)
		o->scale_delay_ns = s ? SHORT_SCALE_DELAY_NS :
					DEF_SCALE_DELAY_NS;
	if (s) {
		list_default(&o->rates, short_rates, ARRAY_SIZE(short_rates));
		list_default(&o->scale, short_scale, ARRAY_SIZE(short_scale));
		list_default(&o->fanout, short_fanout,
			     ARRAY_SIZE(short_fanout));
	} else {
		list_default(&o->rates, def_rates, ARRAY_SIZE(def_rates));
		list_default(&o->scale, def_scale, ARRAY_SIZE(def_scale));
		list_default(&o->fanout, def_fanout, ARRAY_SIZE(def_fanout));
	}
	if (!o->device)
		o->device = DEFAULT_DEVICE;
}

/* 0, or -1 after saying what is wrong (exit 2). */
static int parse_args(int argc, char **argv, struct options *o)
{
	bool json_stdout, md_stdout;
	int c;

	memset(o, 0, sizeof(*o));
	o->delay_ns = UINT64_MAX;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "d:h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			exit(0);
		}
		if (c == '?' || parse_option(c, optarg, o))
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	apply_defaults(o);

	json_stdout = o->json && !strcmp(o->json, "-");
	md_stdout = o->markdown && !strcmp(o->markdown, "-");
	if (json_stdout && md_stdout) {
		fprintf(stderr, PROG ": --json and --markdown cannot both go to stdout\n");
		return -1;
	}
	if (o->check && (json_stdout || md_stdout)) {
		fprintf(stderr, PROG ": --check prints TAP on stdout: give --json and --markdown a file\n");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

/* Whether anything selected touches the device. */
static bool needs_device(const struct options *o)
{
	unsigned int p, hw = 0;

	for (p = 0; p < NR_PATHS; p++)
		if (path_info[p].hwevent)
			hw |= 1U << p;
	return (o->sections & 1U << S_LATENCY && o->paths & hw) ||
	       (o->sections & 1U << S_THROUGHPUT &&
		o->cands & (1U << C_QUEUE | 1U << C_EVENTFD)) ||
	       o->sections & (1U << S_SCALE | 1U << S_FANOUT);
}

static int check_device(const struct options *o)
{
	int fd = dev_open(o, 0);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		return fail("%s: %s: load hwevent.ko first", o->device,
			    strerror(errno));
	if (errno == EACCES || errno == EPERM)
		return fail("%s: %s: run as root", o->device, strerror(errno));
	return fail("%s: %s", o->device, strerror(errno));
}

/*
 * The files the run holds at once: the scale section's, or a timerfd per
 * fan-out thread, plus a few. Raises the soft limit up to the hard one.
 */
static void raise_nofile(const struct bench *b)
{
	const struct options *o = &b->o;
	uint64_t need = 0, n;
	struct rlimit rl;
	unsigned int i;

	for (i = 0; o->sections & 1U << S_SCALE && i < o->scale.n; i++) {
		n = (o->scale.v[i] + b->max_pending - 1) / b->max_pending;
		if (n > need)
			need = n;
	}
	for (i = 0; o->sections & 1U << S_FANOUT && i < o->fanout.n; i++)
		if (o->fanout.v[i] > need)
			need = o->fanout.v[i];
	need += 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ?
		      need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < need)
		msg("RLIMIT_NOFILE is %llu, below the %llu files this run may hold: raise it (ulimit -n)",
		    (unsigned long long)rl.rlim_cur,
		    (unsigned long long)need);
}

static int make_data_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) && errno != EEXIST)
		return fail("--data %s: %s", dir, strerror(errno));
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return fail("--data %s: not a directory", dir);
	return 0;
}

static const char *sections_text(unsigned int mask, char *buf, size_t len)
{
	unsigned int s;
	size_t used = 0;

	buf[0] = '\0';
	for (s = 0; s < NR_SECTIONS; s++)
		if (mask & 1U << s && used < len)
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", section_names[s]);
	return buf;
}

static int run_all(struct bench *b)
{
	static int (*const run[NR_SECTIONS])(struct bench *) = {
		[S_LATENCY]	= run_latency,
		[S_THROUGHPUT]	= run_throughput,
		[S_SCALE]	= run_scale,
		[S_FANOUT]	= run_fanout,
	};
	unsigned int s;

	for (s = 0; s < NR_SECTIONS; s++) {
		if (!(b->o.sections & 1U << s))
			continue;
		if (run[s](b))
			return -1;
		b->done[s] = true;
	}
	return 0;
}

static int write_results(struct bench *b)
{
	const struct options *o = &b->o;
	int ret = 0;

	if (b->json_out) {
		write_json(b->json_out, b);
		ret |= close_out(b->json_out, o->json);
	}
	if (b->md_out) {
		write_markdown(b->md_out, b);
		ret |= close_out(b->md_out, o->markdown);
	}
	if (!o->json && !o->markdown) {
		/* With --check stdout is TAP's alone. */
		FILE *f = o->check ? stderr : stdout;

		write_markdown(f, b);
		ret |= close_out(f, o->check ? "stderr" : "stdout");
	}
	if (o->data_dir)
		ret |= write_data(b);
	return ret ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct bench b;
	struct options *o = &b.o;
	char text[64];
	bool run_ok;
	unsigned int i;
	int ret = 0;

	if (parse_args(argc, argv, o)) {
		usage_hint();
		return EXIT_USAGE;
	}
	if (install_signal_handlers(false) || install_watchdog_handler()) {
		fail("sigaction: %s", strerror(errno));
		return 1;
	}
	if (needs_device(o) && check_device(o))
		return 1;
	if ((o->sections & 1U << S_LATENCY && o->paths & 1U << P_URING_CMD) ||
	    o->sections & 1U << S_FANOUT) {
		/* Its sections say it, if it is unavailable. */
		if (ucmd_probe(&b))
			return 1;
	}

	b.max_pending = read_ll(MAX_PENDING_PATH);
	if (b.max_pending <= 0 &&
	    o->sections & (1U << S_SCALE | 1U << S_FANOUT)) {
		msg("cannot read %s: assuming the default, %d",
		    MAX_PENDING_PATH, MAX_PENDING_DEFAULT);
		b.max_pending = MAX_PENDING_DEFAULT;
	}
	for (i = 0; o->sections & 1U << S_FANOUT && i < o->fanout.n; i++) {
		if (o->fanout.v[i] > (uint64_t)b.max_pending) {
			fprintf(stderr, PROG ": --fanout: %llu threads, more than max_pending (%lld) registrations on one file\n",
				(unsigned long long)o->fanout.v[i],
				b.max_pending);
			usage_hint();
			return EXIT_USAGE;
		}
	}

	/* Before the run, so that a bad path does not waste it. */
	if (o->json) {
		b.json_out = open_out(o->json);
		if (!b.json_out) {
			fail("--json %s: %s", o->json, strerror(errno));
			return 1;
		}
	}
	if (o->markdown) {
		b.md_out = open_out(o->markdown);
		if (!b.md_out) {
			fail("--markdown %s: %s", o->markdown,
			     strerror(errno));
			return 1;
		}
	}
	if (o->data_dir && make_data_dir(o->data_dir))
		return 1;

	raise_nofile(&b);
	b.live_before = read_named(STATS_PATH, "live");
	read_word(BOTTOM_HALF_PATH, b.bottom_half, sizeof(b.bottom_half));
	sections_text(o->sections, text, sizeof(text));
	msg("running %s (%s, %ld CPUs%s)", text, o->device,
	    sysconf(_SC_NPROCESSORS_ONLN), o->short_run ? ", short" : "");

	run_ok = !run_all(&b);
	if (!run_ok)
		ret = 1;
	if (write_results(&b))
		ret = 1;
	if (o->check && run_checks(&b, run_ok))
		ret = 1;
	for (i = 0; i < NR_PATHS; i++) {
		free(b.lat[i].lat);
		free(b.lat[i].bh);
		free(b.lat[i].irqw);
	}
	return ret;
}
