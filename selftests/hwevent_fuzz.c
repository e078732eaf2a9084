// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_fuzz - throw random ioctls at /dev/hwevent and check that each
 * one returns success or an errno the uAPI header documents for it.
 *
 * Two parts:
 *
 *  table: every boundary by hand, each with the one errno it must give:
 *	delay 0, 1, MAX, MAX + 1, 2^63, UINT64_MAX; mode 0, 1, 2, 3, ~0;
 *	period_ns 1, MIN - 1, MIN, MAX, MAX + 1, and with PENDING; each
 *	flag bit; padding; each reserved word; eventfd -1, INT_MIN, INT_MAX,
 *	a closed number, a pipe, /dev/null, the device itself, a timerfd,
 *	an O_PATH descriptor and an eventfd; the same for HWEVENT_IOC_CANCEL;
 *	bad pointers (NULL, PROT_NONE, a kernel address, a structure whose
 *	tail is unmapped or read-only); the real numbers with other sizes and
 *	directions (HWEVENT_IOC_TRIGGER's too, which is otherwise left to
 *	hwevent_queue_test: it would fire what the oracle tracks).
 *  random: --iterations calls (default 100000) from --seed: random command
 *	numbers (any direction, size, type and number, the real ones with
 *	wrong sizes, and the real ones), random structure contents biased
 *	towards the interesting values, and random pointers (aligned or not,
 *	NULL, PROT_NONE, partly unmapped, partly or wholly read-only). An
 *	oracle computes the set of errnos the header allows for each call
 *	(a call breaking several rules may give any of their errnos: the
 *	header sets no precedence) and whether success is allowed; it knows
 *	which registrations are surely armed, surely gone or either, so that
 *	cancel by id must succeed, must give ENOENT, or may do either.
 *	Successful calls are checked further: ids grow, inputs come back
 *	unchanged, PENDING records are sane, cancel counts are in range.
 *
 * PENDING calls that would sleep are bounded: each PENDING call runs with
 * SIGALRM every 2 ms (EINTR then allowed if it may sleep), and most random
 * PENDING delays are at most 1 ms. At the end everything is closed and the
 * debugfs counters (hwevent/stats) must be back: live and eventfd_refs as
 * before, armed == completed + cancelled + interrupted + dropped.
 *
 * Prints TAP and "# figures: iterations=... registrations=... calls_ok=...
 * errno_counts=...";
 * exits 0, 1 on a failure, 4 if /dev/hwevent is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <unistd.h>

#include <linux/fiemap.h>
#include <linux/fs.h>

#include "hwevent_util.h"

#define REG_SIZE	sizeof(struct hwevent_register)
#define CANCEL_SIZE	sizeof(struct hwevent_cancel)
#define TRIGGER_SIZE	sizeof(struct hwevent_trigger)
/* Where the driver writes: id, then the event record (PENDING). */
#define REG_ID_OFF	offsetof(struct hwevent_register, id)
#define REG_EVENT_OFF	offsetof(struct hwevent_register, event)
#define CANCEL_COUNT_OFF offsetof(struct hwevent_cancel, count)
#define PENDING_CAP_NS	NSEC_PER_MSEC
#define ALARM_US	2000
/* Registrations the oracle remembers per file. */
#define MAX_REGS	4096
#define NR_ERRNOS	134

static struct {
	unsigned long long iterations;
	uint64_t seed;
	int verbose;
} opt = { .iterations = 100000 };

static long page_size;
static long long max_pending;

/* Errno bit sets: the oracle's answer. */
#define E(x)		(1ULL << (x))
#define E_OK		E(0)

static const int bit_errnos[] = {
	0, EINVAL, EBADF, EFAULT, ENOSPC, ENOMEM, EINTR, ECANCELED, ENOENT,
	ENOTTY, ENODEV,
};

static uint64_t errno_bit(int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bit_errnos); i++)
		if (bit_errnos[i] == err)
			return E(i);
	return 0;	/* not one the header names at all */
}

#define B_OK		errno_bit(0)
#define B_EINVAL	errno_bit(EINVAL)
#define B_EBADF		errno_bit(EBADF)
#define B_EFAULT	errno_bit(EFAULT)
#define B_ENOSPC	errno_bit(ENOSPC)
#define B_ENOMEM	errno_bit(ENOMEM)
#define B_EINTR		errno_bit(EINTR)
#define B_ENOENT	errno_bit(ENOENT)
#define B_ENOTTY	errno_bit(ENOTTY)
#define B_ENODEV	errno_bit(ENODEV)

static void describe_set(uint64_t set, char *buf, size_t len)
{
	unsigned int i;
	size_t n = 0;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(bit_errnos) && n < len; i++)
		if (set & E(i))
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      errno_name(bit_errnos[i]));
}

/* --- descriptors for the eventfd field ------------------------------------ */

enum efd_kind {
	EK_EVENTFD, EK_MINUS_ONE, EK_INT_MIN, EK_INT_MAX, EK_CLOSED,
	EK_PIPE, EK_DEV_NULL, EK_HWEVENT, EK_TIMERFD, EK_OPATH, EK_RANDOM,
	NR_EK
};

static const char * const ek_names[NR_EK] = {
	"eventfd", "-1", "INT_MIN", "INT_MAX", "closed", "pipe", "/dev/null",
	"hwevent", "timerfd", "O_PATH", "random",
};

static struct {
	int efd[4];
	int closed;
	int pipe[2];
	int dev_null;
	int timerfd;
	int opath;
} fds;

/* What a random descriptor number is. */
static enum efd_kind efd_classify(enum efd_kind k, int fdnum)
{
	unsigned int i;

	if (k != EK_RANDOM)
		return k;
	if (fcntl(fdnum, F_GETFD) < 0)
		return EK_CLOSED;
	for (i = 0; i < ARRAY_SIZE(fds.efd); i++)
		if (fdnum == fds.efd[i])
			return EK_EVENTFD;
	if (fdnum == fds.opath)
		return EK_OPATH;
	return EK_DEV_NULL;	/* open, and not an eventfd */
}

/*
 * The errnos an EVENTFD registration with this descriptor may give; 0 for
 * an eventfd.
 */
static uint64_t efd_errs(enum efd_kind k)
{
	switch (k) {
	case EK_EVENTFD:
		return 0;
	case EK_MINUS_ONE: case EK_INT_MIN: case EK_INT_MAX: case EK_CLOSED:
		return B_EBADF;
	case EK_OPATH:
		/* Open, but only as a path: not usable, or not an eventfd. */
		return B_EBADF | B_EINVAL;
	default:
		return B_EINVAL;
	}
}

static int efd_number(enum efd_kind k, struct prng *rng, int hwfd)
{
	switch (k) {
	case EK_EVENTFD: return fds.efd[prng_below(rng, 4)];
	case EK_MINUS_ONE: return -1;
	case EK_INT_MIN: return INT_MIN;
	case EK_INT_MAX: return INT_MAX;
	case EK_CLOSED: return fds.closed;
	case EK_PIPE: return fds.pipe[prng_below(rng, 2)];
	case EK_DEV_NULL: return fds.dev_null;
	case EK_HWEVENT: return hwfd;
	case EK_TIMERFD: return fds.timerfd;
	case EK_OPATH: return fds.opath;
	default: return (int)prng_below(rng, 64);
	}
}

static int open_fds(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		fds.efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK |
				     (i == 3 ? EFD_SEMAPHORE : 0));
		if (fds.efd[i] < 0)
			return -1;
	}
	if (pipe2(fds.pipe, O_CLOEXEC))
		return -1;
	fds.dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
	fds.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	fds.opath = open("/dev/null", O_PATH | O_CLOEXEC);
	/* A number that is surely free: nothing goes that high here. */
	fds.closed = dup2(fds.dev_null, 777);
	if (fds.dev_null < 0 || fds.timerfd < 0 || fds.opath < 0 ||
	    fds.closed < 0)
		return -1;
	close(fds.closed);
	return 0;
}

/* --- argument memory ------------------------------------------------------ */

/*
 * A memfd mapped twice: "rw" is two writable pages, "view" the same two
 * pages with the second read-only, followed by a PROT_NONE page; plus a
 * writable page followed by a PROT_NONE one. The calls get pointers into
 * "view" and "open"; their contents are written through "rw".
 */
static struct {
	char *rw;	/* 2 pages, RW */
	char *view;	/* page 0 RW, page 1 RO, page 2 PROT_NONE */
	char *open;	/* page 0 RW, page 1 PROT_NONE */
} mem;

static int map_memory(void)
{
	int fd = memfd_create("hwevent_fuzz", MFD_CLOEXEC);
	char *p;

	if (fd < 0 || ftruncate(fd, 2 * page_size))
		return -1;
	mem.rw = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0);
	p = mmap(NULL, 3 * page_size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem.rw == MAP_FAILED || p == MAP_FAILED)
		return -1;
	mem.view = p;
	if (mmap(p, page_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) == MAP_FAILED ||
	    mmap(p + page_size, page_size, PROT_READ, MAP_SHARED | MAP_FIXED,
		 fd, page_size) == MAP_FAILED)
		return -1;
	close(fd);
	mem.open = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem.open == MAP_FAILED ||
	    mprotect(mem.open + page_size, page_size, PROT_NONE))
		return -1;
	return 0;
}

enum ptr_kind {
	PK_GOOD,	/* writable, any alignment */
	PK_NULL,
	PK_NONE,	/* a PROT_NONE page */
	PK_KERNEL,	/* a kernel address */
	PK_NONCANON,	/* a non-canonical address */
	PK_TAIL_NONE,	/* bytes from @cut on in a PROT_NONE page */
	PK_READONLY,	/* wholly in a read-only page */
	PK_TAIL_RO,	/* bytes from @cut on in a read-only page */
	NR_PK
};

static const char * const pk_names[NR_PK] = {
	"good", "NULL", "PROT_NONE", "kernel", "noncanonical", "tail unmapped",
	"read-only", "tail read-only",
};

struct arg {
	enum ptr_kind kind;
	size_t size;
	size_t cut;	/* PK_TAIL_*: offset of the first byte in the bad page */
	void *ptr;	/* what the ioctl gets */
	char *shadow;	/* where to write and read back the contents, or NULL */
};

/* Places an argument of @size bytes of kind @k; @cut for the TAIL kinds. */
static void place(struct arg *a, enum ptr_kind k, size_t size, size_t cut,
		  struct prng *rng)
{
	size_t off;

	a->kind = k;
	a->size = size;
	a->cut = cut;
	a->shadow = NULL;
	switch (k) {
	case PK_GOOD:
		/* Unaligned too: the ioctl must not care. */
		off = prng_below(rng, page_size - size + 1);
		a->ptr = mem.view + off;
		a->shadow = mem.rw + off;
		break;
	case PK_NULL:
		a->ptr = NULL;
		break;
	case PK_NONE:
		a->ptr = mem.view + 2 * page_size + prng_below(rng, 64);
		break;
	case PK_KERNEL:
		a->ptr = (void *)0xffff888000000000UL;
		break;
	case PK_NONCANON:
		a->ptr = (void *)0x8000000000000000UL;
		break;
	case PK_TAIL_NONE:
		a->ptr = mem.open + page_size - cut;
		a->shadow = a->ptr;	/* only the first @cut bytes exist */
		break;
	case PK_READONLY:
		off = page_size + prng_below(rng, page_size - size + 1);
		a->ptr = mem.view + off;
		a->shadow = mem.rw + off;
		break;
	case PK_TAIL_RO:
		a->ptr = mem.view + page_size - cut;
		a->shadow = mem.rw + page_size - cut;
		break;
	default:
		break;
	}
}

static void arg_write(struct arg *a, const void *data)
{
	if (!a->shadow)
		return;
	memcpy(a->shadow, data, a->kind == PK_TAIL_NONE ? a->cut : a->size);
}

static int arg_readable(const struct arg *a)
{
	return a->kind == PK_GOOD || a->kind == PK_READONLY ||
	       a->kind == PK_TAIL_RO;
}

/* Whether bytes [from, to) of the argument are writable. */
static int arg_writable(const struct arg *a, size_t from, size_t to)
{
	switch (a->kind) {
	case PK_GOOD:
		return 1;
	case PK_TAIL_RO:
		return to <= a->cut;
	default:
		return 0;
	}
	(void)from;
}

/* --- the oracle's registrations ------------------------------------------ */

enum reg_state {
	RS_GONE,	/* surely ended */
	RS_TIMED,	/* EVENTFD or QUEUE, armed until due_min, then maybe fired */
	RS_MAYBE,	/* maybe armed (a cancel that failed with EFAULT) */
	RS_PERIODIC,	/* armed until cancelled: it never ends as fired */
};

struct oreg {
	uint64_t id;
	enum reg_state state;
	uint64_t due_min;	/* ioctl start + delay: not fired before */
};

struct ofile {
	int fd;
	struct oreg regs[MAX_REGS];
	unsigned int nr;
	uint64_t last_id;	/* highest id seen written back */
	unsigned int live_max;	/* upper bound on live registrations */
};

static struct ofile files[2];

static int ofile_open(struct ofile *f)
{
	memset(f, 0, sizeof(*f));
	f->fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	return f->fd < 0 ? -1 : 0;
}

static void ofile_reopen(struct ofile *f)
{
	close(f->fd);
	if (ofile_open(f))
		ksft_exit_fail_msg("reopen " HWEVENT_PATH ": %s\n",
				   strerror(errno));
}

/* Forget registrations surely gone; keep the table small. */
static void ofile_compact(struct ofile *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->nr; i++)
		if (f->regs[i].state != RS_GONE)
			f->regs[n++] = f->regs[i];
	f->nr = n;
}

static struct oreg *ofile_find(struct ofile *f, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < f->nr; i++)
		if (f->regs[i].id == id && f->regs[i].state != RS_GONE)
			return &f->regs[i];
	return NULL;
}

/* Surely armed at time @now: cancel must find it. */
static int oreg_armed(const struct oreg *r, uint64_t now)
{
	return r->state == RS_PERIODIC ||
	       (r->state == RS_TIMED && now < r->due_min);
}

/* How many of @f's registrations are surely armed at @now. */
static unsigned int ofile_armed(const struct ofile *f, uint64_t now)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->nr; i++)
		n += oreg_armed(&f->regs[i], now);
	return n;
}

/* What the oracle believes of @f's registrations, for a report. */
static void ofile_dump(struct ofile *f, uint64_t now)
{
	static const char * const names[] = {
		"gone", "timed", "maybe", "periodic",
	};
	unsigned int i, n = 0;

	for (i = 0; i < f->nr && n < 16; i++) {
		const struct oreg *r = &f->regs[i];

		if (r->state == RS_GONE)
			continue;
		printf("#   id %llu: %s%s\n", (unsigned long long)r->id,
		       names[r->state], oreg_armed(r, now) ? ", surely armed" : "");
		n++;
	}
}

/* --- results -------------------------------------------------------------- */

static uint64_t errno_counts[NR_ERRNOS];
static uint64_t calls_ok, calls, bad_calls;
static uint64_t registrations;	/* REGISTER calls that succeeded */

static void count_result(int err)
{
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (!err)
		calls_ok++;
	errno_counts[err >= 0 && err < NR_ERRNOS ? err : 0]++;
}

#define MAX_REPORTS	20

static void bad(const char *fmt, ...)
{
	va_list ap;

	if (bad_calls++ >= MAX_REPORTS)
		return;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* --- the watchdog: no call may take a minute ------------------------------ */

#define STALL_NS	(60 * NSEC_PER_SEC)

static const char *volatile current_what = "setup";

static void *watchdog_fn(void *arg)
{
	uint64_t last = ~0ULL, since = now_ns(), n;

	(void)arg;
	for (;;) {
		sleep_ns(NSEC_PER_SEC);
		n = __atomic_load_n(&calls, __ATOMIC_RELAXED);
		if (n != last) {
			last = n;
			since = now_ns();
			continue;
		}
		if (now_ns() - since < STALL_NS)
			continue;
		printf("# watchdog: no call returned for %llu s (in %s, after %llu calls)\n",
		       STALL_NS / NSEC_PER_SEC, current_what,
		       (unsigned long long)n);
		printf("not ok %u watchdog: a call hung\n", ksft_test_num() + 1);
		ksft_inc_fail_cnt();
		ksft_print_cnts();
		fflush(stdout);
		_exit(KSFT_FAIL);
	}
	return NULL;
}

/* Started with SIGALRM blocked: the alarms are for the calling thread. */
static int start_watchdog(void)
{
	sigset_t set, old;
	pthread_t t;
	int err;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	err = pthread_create(&t, NULL, watchdog_fn, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err)
		pthread_detach(t);
	return err;
}

/* --- SIGALRM: bounds the PENDING calls that may sleep -------------------- */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * Every ALARM_US until disarmed, not once: a single alarm may go off
 * before the call has begun to sleep (a slow kernel takes that long to get
 * there), and then nothing would wake it.
 */
static void alarm_arm(void)
{
	struct itimerval it = {
		.it_value = { .tv_usec = ALARM_US },
		.it_interval = { .tv_usec = ALARM_US },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void alarm_disarm(void)
{
	struct itimerval it = { };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* --- one REGISTER call ------------------------------------------------------ */

struct reg_case {
	struct hwevent_register r;
	enum efd_kind ek;
	struct arg a;
	struct ofile *f;
	const char *name;	/* table entries */
};

/*
 * The errnos @c may give, plus B_OK if it may succeed. A request that
 * breaks several rules may give the errno of any of them: the header sets
 * no precedence.
 */
static uint64_t reg_allowed(const struct reg_case *c, int *may_sleep)
{
	const struct hwevent_register *r = &c->r;
	uint64_t errs = 0;
	unsigned int i;

	*may_sleep = 0;
	if (!arg_readable(&c->a))
		return B_EFAULT;
	if (r->mode > HWEVENT_MODE_QUEUE ||
	    (r->flags & ~(HWEVENT_REGISTER_DEVICE | HWEVENT_REGISTER_DMA)) ||
	    r->padding || r->delay_ns > HWEVENT_MAX_DELAY_NS)
		errs |= B_EINVAL;
	/* The device's registrations: DMA only with DEVICE, one-shot. */
	if (r->flags && (!(r->flags & HWEVENT_REGISTER_DEVICE) ||
			 r->period_ns))
		errs |= B_EINVAL;
	if (r->period_ns && (r->mode == HWEVENT_MODE_PENDING ||
			     r->period_ns < HWEVENT_MIN_PERIOD_NS ||
			     r->period_ns > HWEVENT_MAX_DELAY_NS))
		errs |= B_EINVAL;
	for (i = 0; i < ARRAY_SIZE(r->reserved); i++)
		if (r->reserved[i])
			errs |= B_EINVAL;
	if (r->mode == HWEVENT_MODE_EVENTFD)
		errs |= efd_errs(efd_classify(c->ek, r->eventfd));
	else if (r->eventfd)
		errs |= B_EINVAL;
	if (errs)
		return errs;

	/* A good request: what may still go wrong. */
	errs = B_ENOMEM;
	/* No edu device bound (it may be unbound at any time). */
	if (r->flags)
		errs |= B_ENODEV;
	if (c->f->live_max >= max_pending)
		errs |= B_ENOSPC;
	/* The id is written back, then (PENDING) the record. */
	if (!arg_writable(&c->a, REG_ID_OFF, REG_ID_OFF + 8))
		return errs | B_EFAULT;
	if (r->mode == HWEVENT_MODE_PENDING) {
		*may_sleep = 1;
		errs |= B_EINTR;
		if (!arg_writable(&c->a, REG_EVENT_OFF, REG_SIZE))
			return errs | B_EFAULT;
	}
	return errs | B_OK;
}

/*
 * Runs @c against its file and checks the result; returns the errno.
 * @strict: the errno must be @want (table entries), else any allowed one.
 */
static int run_reg(struct reg_case *c, int strict, int want)
{
	struct hwevent_register before = c->r, after;
	struct ofile *f = c->f;
	uint64_t allowed, start, end;
	int err, may_sleep, readback = 0;
	char set[96];

	allowed = reg_allowed(c, &may_sleep);
	arg_write(&c->a, &c->r);
	/*
	 * Every PENDING call gets the alarm, not only those the oracle
	 * thinks may sleep: were it wrong, the call must not hang (its
	 * result is judged all the same, EINTR included).
	 */
	if (c->r.mode == HWEVENT_MODE_PENDING)
		alarm_arm();
	start = now_ns();
	err = xioctl(f->fd, HWEVENT_IOC_REGISTER, c->a.ptr);
	end = now_ns();
	if (c->r.mode == HWEVENT_MODE_PENDING)
		alarm_disarm();
	count_result(err);
	registrations += !err;

	if (strict ? err != want : !(allowed & errno_bit(err))) {
		describe_set(allowed, set, sizeof(set));
		bad("REGISTER %s%smode %u eventfd %s(%d) delay %llu flags %#x padding %#x period %llu reserved %llx,%llx,%llx ptr %s cut %zu: %s, want %s",
		    c->name ? c->name : "", c->name ? ": " : "",
		    before.mode, ek_names[c->ek], before.eventfd,
		    (unsigned long long)before.delay_ns, before.flags,
		    before.padding,
		    (unsigned long long)before.period_ns,
		    (unsigned long long)before.reserved[0],
		    (unsigned long long)before.reserved[1],
		    (unsigned long long)before.reserved[2],
		    pk_names[c->a.kind], c->a.cut, errno_name(err),
		    strict ? errno_name(want) : set);
	}
	if (c->a.shadow && c->a.kind != PK_TAIL_NONE) {
		memcpy(&after, c->a.shadow, REG_SIZE);
		readback = 1;
		if (memcmp(&before, &after, REG_ID_OFF))
			bad("REGISTER changed its input fields (%s)",
			    errno_name(err));
	}
	/* Full until after the call: it cannot have found a place. */
	if (!err && f->live_max >= max_pending &&
	    ofile_armed(f, end) >= max_pending)
		bad("REGISTER succeeded with max_pending (%lld) registrations surely armed",
		    max_pending);
	if (err || !readback)
		return err;

	/* Success: id written back, growing; PENDING: a sane record. */
	if (after.id <= f->last_id)
		bad("REGISTER id %llu after id %llu", (unsigned long long)after.id,
		    (unsigned long long)f->last_id);
	f->last_id = after.id;
	if (before.mode == HWEVENT_MODE_PENDING) {
		const char *why = record_insane(&after, start, end);

		if (why)
			bad("PENDING record: %s", why);
		if (after.event.cookie != before.cookie)
			bad("PENDING cookie %llx, not %llx",
			    (unsigned long long)after.event.cookie,
			    (unsigned long long)before.cookie);
	} else {
		if (f->nr == MAX_REGS)
			ofile_compact(f);
		if (f->nr < MAX_REGS) {
			f->regs[f->nr].id = after.id;
			f->regs[f->nr].state = before.period_ns ? RS_PERIODIC :
								  RS_TIMED;
			f->regs[f->nr].due_min = start + before.delay_ns;
			f->nr++;
		}
		f->live_max++;
		/* Untouched in EVENTFD and QUEUE mode. */
		if (memcmp(&before.event, &after.event, sizeof(after.event)))
			bad("mode %u registration wrote the event record",
			    before.mode);
	}
	return err;
}

/* --- one CANCEL call ---------------------------------------------------------- */

struct cancel_case {
	struct hwevent_cancel c;
	struct arg a;
	struct ofile *f;
	const char *name;
};

static uint64_t cancel_allowed(const struct cancel_case *cc,
			       uint64_t *cmin, uint64_t *cmax, uint64_t now)
{
	const struct hwevent_cancel *c = &cc->c;
	struct ofile *f = cc->f;
	int all = c->flags & HWEVENT_CANCEL_ALL;
	uint64_t errs = 0;
	unsigned int i;
	struct oreg *r;

	*cmin = 0;
	*cmax = 0;
	if (!arg_readable(&cc->a))
		return B_EFAULT;
	if ((c->flags & ~HWEVENT_CANCEL_ALL) || c->padding || c->reserved ||
	    !c->id == !all)
		return B_EINVAL;
	if (all) {
		for (i = 0; i < f->nr; i++) {
			r = &f->regs[i];
			if (r->state == RS_GONE)
				continue;
			*cmax += 1;
			*cmin += oreg_armed(r, now);
		}
	} else {
		/*
		 * Only EVENTFD and QUEUE registrations that succeeded can
		 * be armed now; the oracle knows every one of them.
		 */
		r = ofile_find(f, c->id);
		if (r) {
			*cmax = 1;
			*cmin = oreg_armed(r, now);
		}
		if (*cmin == 0)
			errs |= B_ENOENT;
	}
	/* The count is written back, also when it is 0. */
	if (!arg_writable(&cc->a, CANCEL_COUNT_OFF, CANCEL_COUNT_OFF + 8))
		return errs | B_EFAULT;
	if (!all && !*cmax)
		return errs;
	return errs | B_OK;
}

/* After a cancel that may or may not have taken effect. */
static void cancel_settle(struct cancel_case *cc, int err, uint64_t count)
{
	struct ofile *f = cc->f;
	int all = cc->c.flags & HWEVENT_CANCEL_ALL;
	unsigned int i;
	struct oreg *r;

	if (err == EINVAL || (err == EFAULT && !arg_readable(&cc->a)))
		return;
	if (all) {
		for (i = 0; i < f->nr; i++) {
			r = &f->regs[i];
			if (r->state == RS_GONE)
				continue;
			/* EFAULT after the deed: maybe cancelled. */
			r->state = err ? RS_MAYBE : RS_GONE;
		}
		if (!err)
			f->live_max = f->live_max > count ? f->live_max - count : 0;
		return;
	}
	r = ofile_find(f, cc->c.id);
	if (!r)
		return;
	if (!err || err == ENOENT) {
		r->state = RS_GONE;
		if (!err && f->live_max)
			f->live_max--;
	} else if (err == EFAULT) {
		r->state = RS_MAYBE;
	}
}

static int run_cancel(struct cancel_case *cc, int strict, int want,
		      uint64_t want_count)
{
	struct hwevent_cancel before = cc->c, after;
	uint64_t allowed, cmin, cmax, count = ~0ULL, end;
	int err;
	char set[96];

	arg_write(&cc->a, &cc->c);
	err = xioctl(cc->f->fd, HWEVENT_IOC_CANCEL, cc->a.ptr);
	/* Surely armed: due after the call returned, not before it began. */
	end = now_ns();
	allowed = cancel_allowed(cc, &cmin, &cmax, end);
	count_result(err);
	if (cc->a.shadow && cc->a.kind != PK_TAIL_NONE) {
		memcpy(&after, cc->a.shadow, CANCEL_SIZE);
		count = after.count;
		if (after.id != before.id || after.flags != before.flags ||
		    after.padding != before.padding ||
		    after.reserved != before.reserved)
			bad("CANCEL changed its input fields (%s)",
			    errno_name(err));
	}
	if (strict ? err != want : !(allowed & errno_bit(err))) {
		describe_set(allowed, set, sizeof(set));
		bad("CANCEL %s%sid %llu flags %#x padding %#x reserved %llx ptr %s cut %zu: %s, want %s",
		    cc->name ? cc->name : "", cc->name ? ": " : "",
		    (unsigned long long)before.id, before.flags,
		    before.padding, (unsigned long long)before.reserved,
		    pk_names[cc->a.kind], cc->a.cut, errno_name(err),
		    strict ? errno_name(want) : set);
	} else if (!err && (strict ? count != want_count :
			    count < cmin || count > cmax)) {
		bad("CANCEL %s%sid %llu flags %#x: count %llu, want %llu..%llu",
		    cc->name ? cc->name : "", cc->name ? ": " : "",
		    (unsigned long long)before.id, before.flags,
		    (unsigned long long)count,
		    (unsigned long long)(strict ? want_count : cmin),
		    (unsigned long long)(strict ? want_count : cmax));
		ofile_dump(cc->f, end);
	}
	cancel_settle(cc, err, count);
	return err;
}

/* --- other command numbers ------------------------------------------------------ */

/* Handled by the VFS for every file, before the driver sees them. */
static int vfs_cmd(unsigned int cmd)
{
	static const unsigned int vfs[] = {
		FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIFREEZE,
		FITHAW, FS_IOC_FIEMAP, FIGETBSZ, FICLONE, FICLONERANGE,
		FIDEDUPERANGE, FS_IOC_GETFLAGS, FS_IOC_SETFLAGS,
		FS_IOC_FSGETXATTR, FS_IOC_FSSETXATTR,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vfs); i++)
		if (vfs[i] == cmd)
			return 1;
	return 0;
}

static int run_other(struct ofile *f, unsigned int cmd, void *ptr,
		     const char *name)
{
	int err = xioctl(f->fd, cmd, ptr);

	count_result(err);
	if (err != ENOTTY)
		bad("cmd %#x%s%s: %s, want ENOTTY", cmd, name ? " " : "",
		    name ? name : "", errno_name(err));
	return err;
}

/* --- the table ---------------------------------------------------------------------- */

static struct reg_case reg_base(struct ofile *f, uint32_t mode, uint64_t delay,
				struct prng *rng)
{
	struct reg_case c = { .f = f, .ek = EK_EVENTFD };

	reg_set(&c.r, mode, fds.efd[0], delay, prng_next(rng));
	place(&c.a, PK_GOOD, REG_SIZE, 0, rng);
	return c;
}

static unsigned int table_fails, table_calls;

static void table_reg(struct reg_case *c, const char *name, int want)
{
	uint64_t before = bad_calls;

	table_calls++;
	c->name = name;
	run_reg(c, 1, want);
	table_fails += bad_calls != before;
}

static void table_other(struct ofile *f, unsigned int cmd, void *ptr,
			const char *name)
{
	uint64_t before = bad_calls;

	table_calls++;
	run_other(f, cmd, ptr, name);
	table_fails += bad_calls != before;
}

/* _IOWR(type, nr, a structure of @size bytes). */
static unsigned int rw_cmd(unsigned int type, unsigned int nr, unsigned int size)
{
	return _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);
}

/* An EVENTFD registration that stays armed; its id. */
static uint64_t arm_one(struct ofile *f, struct prng *rng)
{
	struct reg_case c = reg_base(f, HWEVENT_MODE_EVENTFD,
				     HWEVENT_MAX_DELAY_NS, rng);

	table_reg(&c, "armed for the cancels", 0);
	return f->last_id;
}

static void table_cancel(struct ofile *f, uint64_t id, uint32_t flags,
			 uint32_t padding, uint64_t reserved,
			 enum ptr_kind pk, size_t cut, const char *name,
			 int want, uint64_t want_count, struct prng *rng)
{
	struct cancel_case cc = { .f = f, .name = name };
	uint64_t before = bad_calls;

	table_calls++;
	cc.c.id = id;
	cc.c.flags = flags;
	cc.c.padding = padding;
	cc.c.reserved = reserved;
	cc.c.count = 0xa5a5a5a5a5a5a5a5ULL;
	place(&cc.a, pk, CANCEL_SIZE, cut, rng);
	run_cancel(&cc, 1, want, want_count);
	table_fails += bad_calls != before;
}

static unsigned int run_table(struct prng *rng)
{
	static const struct {
		enum efd_kind ek;
		int want;
	} efds[] = {
		{ EK_EVENTFD, 0 }, { EK_MINUS_ONE, EBADF },
		{ EK_INT_MIN, EBADF }, { EK_INT_MAX, EBADF },
		{ EK_CLOSED, EBADF }, { EK_PIPE, EINVAL },
		{ EK_DEV_NULL, EINVAL }, { EK_HWEVENT, EINVAL },
		{ EK_TIMERFD, EINVAL },
		/* fdget() does not give out O_PATH files. */
		{ EK_OPATH, EBADF },
	};
	static const uint32_t modes[] = { 3, 4, 0x100, 1U << 31, UINT32_MAX };
	static const uint64_t bad_delays[] = {
		HWEVENT_MAX_DELAY_NS + 1, 1ULL << 63, UINT64_MAX,
	};
	/* Valid ones fire in an hour, or now and then in an hour. */
	static const struct {
		uint64_t period;
		uint64_t delay;
		int want;
	} periods[] = {
		{ 1, 0, EINVAL }, { HWEVENT_MIN_PERIOD_NS - 1, 0, EINVAL },
		{ HWEVENT_MIN_PERIOD_NS, HWEVENT_MAX_DELAY_NS, 0 },
		{ HWEVENT_MAX_DELAY_NS, 0, 0 },
		{ HWEVENT_MAX_DELAY_NS + 1, 0, EINVAL }, { UINT64_MAX, 0, EINVAL },
	};
	static const uint64_t wrong_sizes[] = { 0, 8, 0x20, 0x40, 0x48, 0x80,
						0x87, 0x89, 0x90, 0x3fff };
	struct ofile *f = &files[0];
	struct reg_case c;
	unsigned int i;
	char name[64];
	uint64_t id, id2;

	ofile_reopen(f);

	/* delay */
	c = reg_base(f, HWEVENT_MODE_EVENTFD, 0, rng);
	table_reg(&c, "delay 0", 0);
	c = reg_base(f, HWEVENT_MODE_EVENTFD, 1, rng);
	table_reg(&c, "delay 1", 0);
	c = reg_base(f, HWEVENT_MODE_EVENTFD, HWEVENT_MAX_DELAY_NS, rng);
	table_reg(&c, "delay MAX", 0);
	c = reg_base(f, HWEVENT_MODE_PENDING, 0, rng);
	table_reg(&c, "PENDING delay 0", 0);
	c = reg_base(f, HWEVENT_MODE_PENDING, 1, rng);
	table_reg(&c, "PENDING delay 1", 0);
	/* Accepted, so it sleeps: the alarm ends it. */
	c = reg_base(f, HWEVENT_MODE_PENDING, HWEVENT_MAX_DELAY_NS, rng);
	table_reg(&c, "PENDING delay MAX", EINTR);
	for (i = 0; i < ARRAY_SIZE(bad_delays); i++) {
		c = reg_base(f, i % 2, bad_delays[i], rng);
		snprintf(name, sizeof(name), "delay %#llx",
			 (unsigned long long)bad_delays[i]);
		table_reg(&c, name, EINVAL);
	}

	/* mode */
	c = reg_base(f, HWEVENT_MODE_QUEUE, 0, rng);
	table_reg(&c, "QUEUE delay 0", 0);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		c = reg_base(f, modes[i], 0, rng);
		snprintf(name, sizeof(name), "mode %#x", modes[i]);
		table_reg(&c, name, EINVAL);
	}

	/* flags, padding, reserved: in both modes; bit 0 is DEVICE */
	for (i = 1; i < 32; i++) {
		c = reg_base(f, i % 2, 0, rng);
		c.r.flags = 1U << i;
		snprintf(name, sizeof(name), "flags bit %u", i);
		table_reg(&c, name, EINVAL);
	}
	for (i = 0; i < 2; i++) {
		c = reg_base(f, i, 0, rng);
		c.r.padding = i ? UINT32_MAX : 1;
		table_reg(&c, "padding", EINVAL);
	}
	for (i = 0; i < 2 * ARRAY_SIZE(c.r.reserved); i++) {
		c = reg_base(f, i % 2, 0, rng);
		c.r.reserved[i / 2] = i % 2 ? 1ULL << 63 : 1;
		snprintf(name, sizeof(name), "reserved[%u]", i / 2);
		table_reg(&c, name, EINVAL);
	}

	/* period_ns: EVENTFD and QUEUE, within its bounds */
	for (i = 0; i < ARRAY_SIZE(periods); i++) {
		c = reg_base(f, 1 + i % 2, periods[i].delay, rng);
		c.r.period_ns = periods[i].period;
		snprintf(name, sizeof(name), "period %#llx",
			 (unsigned long long)periods[i].period);
		table_reg(&c, name, periods[i].want);
	}
	c = reg_base(f, HWEVENT_MODE_PENDING, 0, rng);
	c.r.period_ns = HWEVENT_MIN_PERIOD_NS;
	table_reg(&c, "PENDING with a period", EINVAL);

	/* eventfd: EVENTFD mode checks it, the others want it zero */
	for (i = 0; i < ARRAY_SIZE(efds); i++) {
		c = reg_base(f, HWEVENT_MODE_EVENTFD, 0, rng);
		c.ek = efds[i].ek;
		c.r.eventfd = efd_number(c.ek, rng, f->fd);
		snprintf(name, sizeof(name), "eventfd %s", ek_names[c.ek]);
		table_reg(&c, name, efds[i].want);
		c = reg_base(f, HWEVENT_MODE_PENDING, 0, rng);
		c.ek = efds[i].ek;
		c.r.eventfd = efd_number(c.ek, rng, f->fd);
		snprintf(name, sizeof(name), "PENDING eventfd %s",
			 ek_names[c.ek]);
		table_reg(&c, name, c.r.eventfd ? EINVAL : 0);
	}

	/* pointers */
	for (i = 0; i < 2; i++) {
		c = reg_base(f, i, 0, rng);
		place(&c.a, PK_NULL, REG_SIZE, 0, rng);
		table_reg(&c, "NULL", EFAULT);
		place(&c.a, PK_NONE, REG_SIZE, 0, rng);
		table_reg(&c, "PROT_NONE", EFAULT);
		place(&c.a, PK_KERNEL, REG_SIZE, 0, rng);
		table_reg(&c, "kernel address", EFAULT);
		place(&c.a, PK_NONCANON, REG_SIZE, 0, rng);
		table_reg(&c, "non-canonical", EFAULT);
		place(&c.a, PK_TAIL_NONE, REG_SIZE, REG_SIZE - 1, rng);
		table_reg(&c, "last byte unmapped", EFAULT);
		place(&c.a, PK_TAIL_NONE, REG_SIZE, 1, rng);
		table_reg(&c, "all but the first byte unmapped", EFAULT);
		place(&c.a, PK_READONLY, REG_SIZE, 0, rng);
		table_reg(&c, "read-only", EFAULT);
		place(&c.a, PK_TAIL_RO, REG_SIZE, REG_ID_OFF + 4, rng);
		table_reg(&c, "id half read-only", EFAULT);
		/* The record is written only in PENDING mode. */
		place(&c.a, PK_TAIL_RO, REG_SIZE, REG_EVENT_OFF, rng);
		table_reg(&c, "event read-only", i ? 0 : EFAULT);
		place(&c.a, PK_TAIL_RO, REG_SIZE, REG_SIZE - 1, rng);
		table_reg(&c, "last byte read-only", i ? 0 : EFAULT);
	}

	/* Full: ENOSPC, in either mode (PENDING fails rather than sleeps). */
	if (max_pending <= 65536) {
		ofile_reopen(f);
		for (i = 0; i < max_pending; i++) {
			c = reg_base(f, HWEVENT_MODE_EVENTFD, HWEVENT_MAX_DELAY_NS,
				     rng);
			if (run_reg(&c, 1, 0))
				break;
		}
		table_calls++;
		table_fails += i != max_pending;
		c = reg_base(f, HWEVENT_MODE_EVENTFD, 0, rng);
		table_reg(&c, "full", ENOSPC);
		c = reg_base(f, HWEVENT_MODE_PENDING, 0, rng);
		table_reg(&c, "PENDING, full", ENOSPC);
		ofile_reopen(f);
	}

	/* The command numbers next to REGISTER's and CANCEL's: ENOTTY. */
	place(&c.a, PK_GOOD, REG_SIZE, 0, rng);
	for (i = 0; i < ARRAY_SIZE(wrong_sizes); i++) {
		if (wrong_sizes[i] != REG_SIZE)
			table_other(f, rw_cmd(HWEVENT_IOC_MAGIC, 0, wrong_sizes[i]),
				    c.a.ptr, "REGISTER size");
		if (wrong_sizes[i] != CANCEL_SIZE)
			table_other(f, rw_cmd(HWEVENT_IOC_MAGIC, 1, wrong_sizes[i]),
				    c.a.ptr, "CANCEL size");
		if (wrong_sizes[i] != TRIGGER_SIZE)
			table_other(f, rw_cmd(HWEVENT_IOC_MAGIC, 2, wrong_sizes[i]),
				    c.a.ptr, "TRIGGER size");
	}
	for (i = 0; i < 3; i++) {
		unsigned int sz = i == 2 ? TRIGGER_SIZE :
				  i ? CANCEL_SIZE : REG_SIZE;
		unsigned int io = _IOC(_IOC_NONE, HWEVENT_IOC_MAGIC, i, 0);
		unsigned int ior = _IOC(_IOC_READ, HWEVENT_IOC_MAGIC, i, sz);
		unsigned int iow = _IOC(_IOC_WRITE, HWEVENT_IOC_MAGIC, i, sz);

		table_other(f, io, c.a.ptr, "_IO");
		table_other(f, ior, c.a.ptr, "_IOR");
		table_other(f, iow, c.a.ptr, "_IOW");
		table_other(f, rw_cmd(HWEVENT_IOC_MAGIC + 1, i, sz), c.a.ptr,
			    "other type");
	}
	table_other(f, rw_cmd(HWEVENT_IOC_MAGIC, 3, TRIGGER_SIZE), c.a.ptr,
		    "nr 3");
	table_other(f, TCGETS, c.a.ptr, "TCGETS");
	table_other(f, FIONREAD, c.a.ptr, "FIONREAD");
	table_other(f, 0, NULL, "0");
	table_other(f, UINT32_MAX, NULL, "0xffffffff");

	/* CANCEL: a fresh file */
	ofile_reopen(f);
	table_cancel(f, 0, HWEVENT_CANCEL_ALL, 0, 0, PK_GOOD, 0,
		     "ALL, none armed", 0, 0, rng);
	table_cancel(f, 1, 0, 0, 0, PK_GOOD, 0, "id 1 never issued", ENOENT,
		     0, rng);
	table_cancel(f, UINT64_MAX, 0, 0, 0, PK_GOOD, 0, "id ~0", ENOENT, 0,
		     rng);
	id = arm_one(f, rng);
	id2 = arm_one(f, rng);
	/* Bits 0 and 1 are ALL and COOKIE. */
	for (i = 2; i < 32; i++) {
		snprintf(name, sizeof(name), "flags bit %u", i);
		table_cancel(f, id, 1U << i, 0, 0, PK_GOOD, 0, name, EINVAL, 0,
			     rng);
		table_cancel(f, 0, HWEVENT_CANCEL_ALL | 1U << i, 0, 0, PK_GOOD,
			     0, name, EINVAL, 0, rng);
	}
	table_cancel(f, id, 0, 1, 0, PK_GOOD, 0, "padding", EINVAL, 0, rng);
	table_cancel(f, 0, HWEVENT_CANCEL_ALL, UINT32_MAX, 0, PK_GOOD, 0,
		     "ALL padding", EINVAL, 0, rng);
	table_cancel(f, id, 0, 0, 1, PK_GOOD, 0, "reserved", EINVAL, 0, rng);
	table_cancel(f, 0, HWEVENT_CANCEL_ALL, 0, 1ULL << 63, PK_GOOD, 0,
		     "ALL reserved", EINVAL, 0, rng);
	table_cancel(f, 0, 0, 0, 0, PK_GOOD, 0, "id 0 without ALL", EINVAL, 0,
		     rng);
	table_cancel(f, id, HWEVENT_CANCEL_ALL, 0, 0, PK_GOOD, 0,
		     "id with ALL", EINVAL, 0, rng);
	table_cancel(f, id, 0, 0, 0, PK_NULL, 0, "NULL", EFAULT, 0, rng);
	table_cancel(f, id, 0, 0, 0, PK_NONE, 0, "PROT_NONE", EFAULT, 0, rng);
	table_cancel(f, id, 0, 0, 0, PK_KERNEL, 0, "kernel address", EFAULT, 0,
		     rng);
	table_cancel(f, id, 0, 0, 0, PK_TAIL_NONE, CANCEL_SIZE - 1,
		     "last byte unmapped", EFAULT, 0, rng);
	/* None of these touched the two. */
	table_cancel(f, id, 0, 0, 0, PK_GOOD, 0, "armed id", 0, 1, rng);
	table_cancel(f, id, 0, 0, 0, PK_GOOD, 0, "the same id again", ENOENT, 0,
		     rng);
	table_cancel(f, id2 + 1, 0, 0, 0, PK_GOOD, 0, "the next id", ENOENT, 0,
		     rng);
	/* Only the count is written: the rest may be read-only. */
	table_cancel(f, 0, HWEVENT_CANCEL_ALL, 0, 0, PK_TAIL_RO,
		     CANCEL_COUNT_OFF + 8, "ALL, reserved read-only", 0, 1, rng);
	/* Read-only: the count cannot be written back (nothing to cancel). */
	table_cancel(f, 0, HWEVENT_CANCEL_ALL, 0, 0, PK_READONLY, 0,
		     "ALL read-only", EFAULT, 0, rng);
	table_cancel(f, 0, HWEVENT_CANCEL_ALL, 0, 0, PK_TAIL_RO,
		     CANCEL_COUNT_OFF, "ALL, count read-only", EFAULT, 0, rng);
	/* The cancel is per file. */
	ofile_reopen(&files[1]);
	id = arm_one(&files[1], rng);
	table_cancel(f, id, 0, 0, 0, PK_GOOD, 0, "another file's id", ENOENT,
		     0, rng);
	table_cancel(&files[1], id, 0, 0, 0, PK_GOOD, 0, "its own file's id",
		     0, 1, rng);
	ofile_reopen(f);
	ofile_reopen(&files[1]);
	return table_calls;
}

/* --- random calls ---------------------------------------------------------------------- */

static uint64_t rand_delay(struct prng *rng, uint32_t mode)
{
	static const uint64_t edges[] = {
		0, 1, HWEVENT_MAX_DELAY_NS - 1, HWEVENT_MAX_DELAY_NS,
		HWEVENT_MAX_DELAY_NS + 1, 1ULL << 63, UINT64_MAX,
	};
	unsigned int p = prng_below(rng, 100);

	if (p < 10)
		return edges[prng_below(rng, ARRAY_SIZE(edges))];
	if (p < 15)
		return prng_next(rng);
	if (mode == HWEVENT_MODE_PENDING || p < 75)
		return prng_below(rng, PENDING_CAP_NS + 1);
	if (p < 90)
		return prng_below(rng, 10 * NSEC_PER_SEC);
	return HWEVENT_MAX_DELAY_NS - prng_below(rng, HWEVENT_MAX_DELAY_NS / 2);
}

/*
 * Mostly 0; else the edges, or a valid period of 1 to 10 ms (not shorter:
 * such a registration ticks until a cancel or a new file ends it).
 */
static uint64_t rand_period(struct prng *rng)
{
	static const uint64_t edges[] = {
		1, HWEVENT_MIN_PERIOD_NS - 1, HWEVENT_MAX_DELAY_NS,
		HWEVENT_MAX_DELAY_NS + 1, 1ULL << 63, UINT64_MAX,
	};
	unsigned int p = prng_below(rng, 100);

	if (p < 96)
		return 0;
	if (p < 98)
		return edges[prng_below(rng, ARRAY_SIZE(edges))];
	if (p < 99)
		return NSEC_PER_MSEC + prng_below(rng, 9 * NSEC_PER_MSEC + 1);
	return prng_next(rng);
}

static uint32_t rand_word(struct prng *rng, unsigned int pct_zero)
{
	if (prng_pct(rng, pct_zero))
		return 0;
	if (prng_pct(rng, 50))
		return 1U << prng_below(rng, 32);
	return (uint32_t)prng_next(rng) | 1;
}

static enum ptr_kind rand_ptr(struct prng *rng, size_t size, size_t *cut)
{
	unsigned int p = prng_below(rng, 100);

	*cut = 0;
	if (p < 80)
		return PK_GOOD;
	if (p < 84) {
		*cut = 1 + prng_below(rng, size - 1);
		return PK_TAIL_RO;
	}
	if (p < 88) {
		*cut = 1 + prng_below(rng, size - 1);
		return PK_TAIL_NONE;
	}
	if (p < 92)
		return PK_READONLY;
	return (enum ptr_kind)(PK_NULL + prng_below(rng, 4));
}

static void random_register(struct ofile *f, struct prng *rng)
{
	struct reg_case c = { .f = f };
	struct hwevent_register *r = &c.r;
	unsigned int p = prng_below(rng, 100), i;
	enum ptr_kind pk;
	size_t cut;

	memset(r, 0, sizeof(*r));
	if (p < 45)
		r->mode = HWEVENT_MODE_PENDING;
	else if (p < 92)
		r->mode = HWEVENT_MODE_EVENTFD;
	else
		r->mode = prng_pct(rng, 50) ? 2 + prng_below(rng, 4) :
					      (uint32_t)prng_next(rng);
	if (r->mode == HWEVENT_MODE_EVENTFD && prng_pct(rng, 75))
		c.ek = EK_EVENTFD;
	else
		c.ek = prng_below(rng, NR_EK);
	r->eventfd = efd_number(c.ek, rng, f->fd);
	/* Mostly zero where it must be, so that the rest is reached. */
	if (r->mode != HWEVENT_MODE_EVENTFD && prng_pct(rng, 90))
		r->eventfd = 0;
	r->delay_ns = rand_delay(rng, r->mode);
	r->cookie = prng_next(rng);
	r->flags = rand_word(rng, 90);
	r->padding = rand_word(rng, 90);
	r->period_ns = rand_period(rng);
	for (i = 0; i < ARRAY_SIZE(r->reserved); i++)
		r->reserved[i] = prng_pct(rng, 97) ? 0 : prng_next(rng) | 1;
	/* Outputs: ignored on input. */
	r->id = prng_next(rng);
	memset(&r->event, (int)prng_below(rng, 256), sizeof(r->event));
	/* A PENDING call that would sleep long: the alarm ends it. */
	pk = rand_ptr(rng, REG_SIZE, &cut);
	place(&c.a, pk, REG_SIZE, cut, rng);
	run_reg(&c, 0, 0);
}

static void random_cancel(struct ofile *f, struct prng *rng)
{
	struct cancel_case cc = { .f = f };
	struct hwevent_cancel *c = &cc.c;
	unsigned int p = prng_below(rng, 100);
	enum ptr_kind pk;
	size_t cut;

	if (p < 40 && f->nr)
		c->id = f->regs[prng_below(rng, f->nr)].id;
	else if (p < 60)
		c->id = 0;
	else if (p < 65)
		c->id = UINT64_MAX;
	else if (p < 90)
		c->id = 1 + prng_below(rng, f->last_id + 3);
	else
		c->id = prng_next(rng);
	p = prng_below(rng, 100);
	if (p < 50)
		c->flags = 0;
	else if (p < 85)
		c->flags = HWEVENT_CANCEL_ALL;
	else
		/* HWEVENT_CANCEL_COOKIE has its own cases (hwevent_test). */
		c->flags = rand_word(rng, 0) & ~HWEVENT_CANCEL_COOKIE;
	/* Mostly the right id for the flags. */
	if (c->flags == HWEVENT_CANCEL_ALL && prng_pct(rng, 90))
		c->id = 0;
	c->padding = rand_word(rng, 92);
	c->reserved = prng_pct(rng, 92) ? 0 : prng_next(rng) | 1;
	c->count = prng_next(rng);
	pk = rand_ptr(rng, CANCEL_SIZE, &cut);
	place(&cc.a, pk, CANCEL_SIZE, cut, rng);
	run_cancel(&cc, 0, 0, 0);
}

static void random_other(struct ofile *f, struct prng *rng)
{
	unsigned int p = prng_below(rng, 100), cmd;
	enum ptr_kind pk;
	struct arg a;
	size_t cut;

	do {
		if (p < 40) {
			/* The real type and numbers, another size or dir. */
			cmd = _IOC(prng_below(rng, 4), HWEVENT_IOC_MAGIC,
				   prng_below(rng, 3), prng_below(rng, 0x100));
		} else if (p < 70) {
			cmd = _IOC(prng_below(rng, 4), HWEVENT_IOC_MAGIC,
				   prng_below(rng, 256),
				   prng_below(rng, 1U << _IOC_SIZEBITS));
		} else if (p < 85) {
			cmd = _IOC(prng_below(rng, 4), prng_below(rng, 256),
				   prng_below(rng, 256),
				   prng_below(rng, 1U << _IOC_SIZEBITS));
		} else {
			cmd = (uint32_t)prng_next(rng);
		}
		p = prng_below(rng, 100);
	} while (cmd == HWEVENT_IOC_REGISTER || cmd == HWEVENT_IOC_CANCEL ||
		 cmd == HWEVENT_IOC_TRIGGER || vfs_cmd(cmd));
	pk = rand_ptr(rng, REG_SIZE, &cut);
	place(&a, pk, REG_SIZE, cut, rng);
	run_other(f, cmd, a.ptr, NULL);
}

/* Fills @f with EVENTFD registrations of an hour, up to @n of them. */
static void fill_file(struct ofile *f, unsigned int n, struct prng *rng)
{
	struct reg_case c;

	while (n--) {
		c = reg_base(f, HWEVENT_MODE_EVENTFD, HWEVENT_MAX_DELAY_NS, rng);
		run_reg(&c, 0, 0);
	}
}

static void run_random(struct prng *rng)
{
	unsigned long long i;

	for (i = 0; i < opt.iterations; i++) {
		struct ofile *f = &files[prng_below(rng, 8) == 0];
		unsigned int p = prng_below(rng, 100);

		if (p < 50)
			random_register(f, rng);
		else if (p < 80)
			random_cancel(f, rng);
		else
			random_other(f, rng);
		/*
		 * A new file now and then, or once registrations pile up;
		 * a quarter of the new ones (nearly) full, for ENOSPC.
		 */
		if (f->live_max >= max_pending + 64 ||
		    prng_below(rng, 2000) == 0) {
			ofile_reopen(f);
			if (prng_pct(rng, 25) && max_pending <= 65536)
				fill_file(f, max_pending - prng_below(rng, 4), rng);
		}
		if (opt.verbose && i % 10000 == 9999)
			ksft_print_msg("%llu calls\n", i + 1);
	}
}

static void usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [--iterations N] [--seed S] [--verbose]\n", prog);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hw_stats st0, st1, d;
	int c, seeded = 0, have_stats, err, ok;
	uint64_t start, table_secs;
	unsigned int n, i;
	char counts[1024];
	size_t len = 0;
	struct prng rng;

	while ((c = getopt_long(argc, argv, "i:s:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			opt.iterations = parse_num(argv[0], "--iterations", optarg);
			break;
		case 's':
			opt.seed = parse_num(argv[0], "--seed", optarg);
			seeded = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'h':
			usage(argv[0], 0);
			break;
		default:
			usage(argv[0], 2);
		}
	}
	if (optind != argc)
		usage(argv[0], 2);
	if (!seeded)
		opt.seed = default_seed();
	setvbuf(stdout, NULL, _IOLBF, 0);
	require_device();
	ksft_print_header();
	ksft_set_plan(3);
	ksft_print_msg("seed %llu, %llu iterations\n",
		       (unsigned long long)opt.seed, opt.iterations);
	prng_seed(&rng, opt.seed);
	page_size = sysconf(_SC_PAGESIZE);
	max_pending = read_max_pending();
	if (max_pending < 0) {
		max_pending = 1024;
		ksft_print_msg("cannot read %s: assuming 1024\n",
			       MAX_PENDING_PATH);
	}
	/* No SA_RESTART: the driver never restarts anyway. */
	if (sigaction(SIGALRM, &sa, NULL) || open_fds() || map_memory() ||
	    ofile_open(&files[0]) || ofile_open(&files[1]))
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));
	have_stats = !stats_read(&st0);

	if (start_watchdog())
		ksft_exit_fail_msg("pthread_create failed\n");
	current_what = "the table";
	start = now_ns();
	n = run_table(&rng);
	table_secs = (now_ns() - start) / NSEC_PER_MSEC;
	tap_result(!table_fails, "boundary table: %u calls, each with its one errno (%llu ms)",
		   n, (unsigned long long)table_secs);

	bad_calls = 0;
	current_what = "the random calls";
	start = now_ns();
	run_random(&rng);
	tap_result(!bad_calls, "random: %llu calls, each with an errno the header allows (%llu ms)",
		   opt.iterations,
		   (unsigned long long)((now_ns() - start) / NSEC_PER_MSEC));
	if (bad_calls > MAX_REPORTS)
		ksft_print_msg("... %llu bad calls in all\n",
			       (unsigned long long)bad_calls);

	close(files[0].fd);
	close(files[1].fd);
	if (!have_stats) {
		tap_skip("debugfs counters back after closing everything",
			 "cannot read " HWEVENT_STATS_PATH);
	} else {
		err = stats_settle(&st1, &st0, 5 * NSEC_PER_SEC);
		d = stats_sub(&st1, &st0);
		ok = !err && !d.live && !d.eventfd_refs &&
		     d.armed == stats_ended(&d);
		if (!err)
			stats_print("delta", &d);
		tap_result(ok, "debugfs counters back after closing everything: live %lld, eventfd_refs %lld",
			   err ? -1 : st1.live, err ? -1 : st1.eventfd_refs);
	}

	for (i = 1; i < NR_ERRNOS; i++)
		if (errno_counts[i] && len < sizeof(counts) - 32)
			len += snprintf(counts + len, sizeof(counts) - len,
					"%s%s:%llu", len ? "," : "",
					errno_name(i),
					(unsigned long long)errno_counts[i]);
	ksft_print_msg("figures: iterations=%llu registrations=%llu seed=%llu calls=%llu calls_ok=%llu alarms=%d errno_counts=%s\n",
		       opt.iterations, (unsigned long long)registrations,
		       (unsigned long long)opt.seed,
		       (unsigned long long)calls, (unsigned long long)calls_ok,
		       (int)alarms, len ? counts : "none");
	return tap_exit();
}
