// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_race - race the simulated interrupt against everything that can
 * end a registration before it, in tight loops, and check that each
 * registration ends exactly once.
 *
 * Every round arms a registration a few microseconds ahead (0..20 us,
 * random) and, a random 0..20 us later, tries to end it some other way.
 * Two threads, pinned to different CPUs when there are two, so that the
 * hrtimer callback and the bottom half really run alongside the other
 * party. Half the rounds of the first three phases are "burst" rounds:
 * BURST EVENTFD registrations of the same file fall due on one CPU just
 * before the round's own registration falls due on the other. The file's
 * bottom half (a tasklet: one CPU at a time) is then busy signalling the
 * burst while the round's interrupt has run: the window between the
 * interrupt and the bottom half, where "fired" has begun but not ended, is
 * held open for the signal, the cancel or the close to land in.
 *
 *  signal:  a PENDING waiter gets SIGUSR1 (SA_RESTART; in burst rounds from
 *	a POSIX timer on the waiter's CPU). It returns 0 with a sane record,
 *	or EINTR, and EINTR only in rounds that sent a signal; an event that
 *	fired is never reported as EINTR (the seqnos and counters tell).
 *	The test-only module parameter test_bh_delay_us holds the bottom
 *	half back (--bh-delay-us, 1000 by default) to widen the window
 *	between the interrupt and the bottom half, and the debugfs counter
 *	late_signals must show that a signal landed in it at least once:
 *	else the phase fails, as it tested nothing of what it is for.
 *  cancel:  HWEVENT_IOC_CANCEL (by id or ALL, from the registering thread
 *	or the other one) against an EVENTFD or a PENDING registration:
 *	cancelled (count 1; the eventfd is never signalled; the waiter gets
 *	ECANCELED) XOR fired (ENOENT or count 0; the eventfd is signalled
 *	exactly once; the waiter gets 0).
 *  release: the file is closed (from either thread) with 1..4 EVENTFD
 *	registrations in flight: each eventfd is signalled at most once, and
 *	never after close() returned.
 *  unload:  as release, then delete_module() at once, which must succeed,
 *	then finit_module() again; no eventfd is signalled after the close.
 *	Needs root and the module file ($HWEVENT_KO or --module); fewer
 *	rounds (--unload-iterations), loading is slow.
 *  irq-close: a registration that a cancel found past its interrupt
 *	(ENOENT), its file closed at once, must end as fired, as the header
 *	promises: release lets the bottom half finish what the interrupt
 *	began.
 *  queue-close: one-shot QUEUE registrations due within 20 us; a dup of
 *	the file is read once by the helper (blocking or RWF_NOWAIT) and
 *	closed, while the original is closed: records are read at most once,
 *	sane, and the seqnos taken match debugfs completed and queued.
 *  periodic-cancel: a periodic QUEUE or EVENTFD registration cancelled
 *	(by id or ALL, either thread; sometimes triggered meanwhile) after
 *	0..4 periods: once the cancel returned, no record or eventfd count
 *	of it ever comes, and each record was delivered before the return.
 *  trigger-cancel: trigger and cancel (each by id or ALL, one per thread)
 *	against the timer of one one-shot registration: exactly one record
 *	(or eventfd count) or a successful cancel, never both, never neither.
 *  uring-cmd: batches of io_uring commands (HWEVENT_URING_CMD_WAIT), due
 *	within 20 us or never, against a cancel and a trigger (by cookie or
 *	ALL, one per thread), or the ring closed with them pending: on a
 *	ring that stays, each command's CQE comes exactly once, fired with a
 *	seqno of its own or ECANCELED, as many ECANCELED as the cancels
 *	counted. A round is one command (submitted in batches of 1..32).
 *	Links liburing; skipped (said) on a kernel without
 *	IORING_OP_URING_CMD.
 *
 * Each phase also checks the counts: seqnos taken, and the debugfs
 * counters (hwevent/stats) against what user space saw: fired, cancelled,
 * interrupted and dropped deltas exactly, armed == the sum of the ended,
 * live and eventfd_refs back where they were. This assumes no other
 * program uses the device meanwhile.
 *
 * Prints TAP; exits 0, 1 on a failure, 4 if /dev/hwevent is missing.
 * A watchdog ends the program (exit 1) if a round makes no progress for
 * 60 s; --max-seconds bounds each phase (it then stops early, and says
 * so), and a phase that ran fewer rounds than --min-iterations (by
 * default all of --iterations; of --unload-iterations, at most those)
 * fails. The figures count the rounds run, not the rounds asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>

#include <liburing.h>

#include "hwevent_util.h"
#include "hwevent_uring_util.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define MAX_JITTER_NS	(20 * NSEC_PER_USEC)
/* Burst rounds: how many registrations a burst is. */
#define BURST		16
/* eventfds in a batch: checked and drained together. */
#define POOL		128
/* How long an event that fired may take to be seen: emulation is slow. */
#define SLACK_NS	(10 * NSEC_PER_SEC)
#define STALL_NS	(60 * NSEC_PER_SEC)
/* How long a thread spins for the other before it sleeps. */
#define SPIN_NS		(3 * NSEC_PER_MSEC)

enum phase_id {
	PH_SIGNAL, PH_CANCEL, PH_RELEASE, PH_UNLOAD,
	PH_IRQ_CLOSE, PH_QUEUE_CLOSE, PH_PERIODIC_CANCEL, PH_TRIGGER_CANCEL,
	PH_URING_CMD, NR_PHASES
};

static const char * const phase_names[NR_PHASES] = {
	"signal", "cancel", "release", "unload", "irq-close",
	"queue-close", "periodic-cancel", "trigger-cancel", "uring-cmd",
};

static struct {
	unsigned long long iterations;
	unsigned long long unload_iterations;
	unsigned long long max_seconds;
	unsigned long long min_iterations;	/* ULLONG_MAX: --iterations */
	unsigned long long bh_delay_us;		/* signal phase */
	uint64_t seed;
	const char *module;
	unsigned int phases;	/* bit per enum phase_id */
} opt = {
	.iterations = 20000,
	.unload_iterations = 200,
	.max_seconds = 300,
	.min_iterations = ULLONG_MAX,
	.bh_delay_us = 1000,
	.phases = (1U << NR_PHASES) - 1,
};

/* Bumped by every round; the watchdog wants to see it move. */
static volatile uint64_t progress;
static const char *volatile current_phase = "start";

static int nr_cpus_usable;
static int cpus[2];

static volatile int sigusr1_handled;

static void on_sigusr1(int sig)
{
	(void)sig;
	__atomic_add_fetch(&sigusr1_handled, 1, __ATOMIC_SEQ_CST);
}

static void *watchdog_fn(void *arg)
{
	uint64_t last = ~0ULL, since = now_ns();

	(void)arg;
	for (;;) {
		sleep_ns(NSEC_PER_SEC);
		if (progress != last) {
			last = progress;
			since = now_ns();
		} else if (now_ns() - since > STALL_NS) {
			printf("not ok %u watchdog: phase %s made no progress for %llu s (round %llu)\n",
			       ksft_test_num() + 1, current_phase,
			       STALL_NS / NSEC_PER_SEC,
			       (unsigned long long)last);
			ksft_inc_fail_cnt();
			ksft_print_cnts();
			fflush(stdout);
			_exit(KSFT_FAIL);
		}
	}
	return NULL;
}

static void pin(int which)
{
	cpu_set_t set;

	if (nr_cpus_usable < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpus[which], &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void relax(void)
{
	if (nr_cpus_usable < 2)
		sched_yield();
	else
		__builtin_ia32_pause();
}

/* Spins until *@p == @want or the stall limit; 0, or ETIMEDOUT. */
/*
 * Waits until *@p == @want: spins a little (the other side is usually
 * quick, and spinning keeps the handover tight), then sleeps on a futex,
 * so that a vCPU left waiting gives its host CPU back. 0, or ETIMEDOUT
 * after STALL_NS.
 */
static int wait_seq(volatile uint32_t *p, uint32_t want)
{
	struct timespec ts = { .tv_nsec = 100 * NSEC_PER_MSEC };
	uint64_t start = now_ns();
	uint32_t v;

	/* Longer than the gap between two rounds, mostly: waking is slow. */
	while (now_ns() - start < SPIN_NS) {
		if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == want)
			return 0;
		relax();
	}
	while ((v = __atomic_load_n(p, __ATOMIC_ACQUIRE)) != want) {
		if (now_ns() - start > STALL_NS)
			return ETIMEDOUT;
		syscall(SYS_futex, p, FUTEX_WAIT_PRIVATE, v, &ts, NULL, 0);
	}
	return 0;
}

static void set_seq(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
	syscall(SYS_futex, p, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

/*
 * The helper thread: runs one job per round, when told, on the second
 * CPU. The main thread plays the other party on the first.
 */
enum job_kind {
	JOB_PENDING,	/* register PENDING on fd and wait */
	JOB_CANCEL,	/* wait for *id_src (or done_src), spin, cancel (or op) */
	JOB_READ,	/* spin, read fd once (RWF_NOWAIT if nowait), close it */
	JOB_CLOSE,	/* spin, close fd */
	JOB_BURST,	/* arm BURST EVENTFD registrations due at due_abs */
	JOB_EXIT,
};

struct job {
	enum job_kind kind;
	int fd;
	uint64_t due_abs;	/* JOB_PENDING (if set: r.delay_ns from it), BURST */
	uint64_t alarm_at;	/* JOB_PENDING: SIGUSR1 from a timer then */
	int sig_fired;		/* ... and it went off */
	uint64_t spin_ns;	/* before cancelling or closing */
	int all;		/* JOB_CANCEL: HWEVENT_CANCEL_ALL */
	uint32_t flags;		/* ... else these flags (0: by id) */
	volatile uint64_t *id_src;	/* JOB_CANCEL: where the id appears */
	volatile uint64_t *done_src;	/* ... or the round ends without one */
	uint64_t done_want;
	/* JOB_CANCEL: cancel_id if NULL, or trigger_id */
	int (*op)(int fd, uint64_t id, uint32_t flags, uint64_t *count);
	int nowait;		/* JOB_READ: preadv2(RWF_NOWAIT) */
	size_t len;		/* JOB_READ: bytes to ask for, <= sizeof(recs) */
	struct hwevent_event recs[8];	/* JOB_READ: what it read */
	/* results */
	struct hwevent_register r;
	int ret;
	uint64_t count;
	uint64_t start, end;
};

static struct {
	pthread_t thread;
	struct job job;
	volatile uint32_t go;	/* round number to run */
	volatile uint32_t done;	/* round number finished */
	timer_t timer;		/* SIGUSR1 to the helper thread */
} helper;

static int burst_efd;
/* How far ahead a burst is due: twice what arming the last one took. */
static uint64_t burst_lead = 800 * NSEC_PER_USEC;

/* When the next burst is to fall due. */
static uint64_t burst_when(void)
{
	return now_ns() + __atomic_load_n(&burst_lead, __ATOMIC_RELAXED);
}

/* BURST EVENTFD registrations on @fd, all due at @when; 0 or the errno. */
static int arm_burst(int fd, uint64_t when)
{
	uint64_t now, start = now_ns(), lead;
	struct hwevent_register r;
	unsigned int k;
	int err;

	for (k = 0; k < BURST; k++) {
		now = now_ns();
		reg_set(&r, HWEVENT_MODE_EVENTFD, burst_efd,
			when > now ? when - now : 0, k);
		err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
		if (err)
			return err;
	}
	lead = 300 * NSEC_PER_USEC + 2 * (now_ns() - start);
	if (lead > 50 * NSEC_PER_MSEC)
		lead = 50 * NSEC_PER_MSEC;
	__atomic_store_n(&burst_lead, lead, __ATOMIC_RELAXED);
	return 0;
}

static void timer_at(timer_t timer, uint64_t when, struct itimerspec *old)
{
	struct itimerspec its = {
		.it_value = {
			.tv_sec = when / NSEC_PER_SEC,
			.tv_nsec = when % NSEC_PER_SEC,
		},
	};

	timer_settime(timer, when ? TIMER_ABSTIME : 0, &its, old);
}

static void run_job(struct job *j)
{
	struct itimerspec old;
	uint64_t id, now;

	switch (j->kind) {
	case JOB_PENDING:
		now = now_ns();
		if (j->due_abs)
			j->r.delay_ns = j->due_abs > now ? j->due_abs - now : 0;
		if (j->alarm_at)
			timer_at(helper.timer, j->alarm_at, NULL);
		j->start = now_ns();
		j->ret = xioctl(j->fd, HWEVENT_IOC_REGISTER, &j->r);
		j->end = now_ns();
		if (j->alarm_at) {
			/*
			 * Disarmed: if it had gone off, its handler ran on
			 * the way out of the ioctl or of this call.
			 */
			timer_at(helper.timer, 0, &old);
			j->sig_fired = !old.it_value.tv_sec &&
				       !old.it_value.tv_nsec;
		}
		break;
	case JOB_BURST:
		j->ret = arm_burst(j->fd, j->due_abs);
		break;
	case JOB_CANCEL:
		while (!(id = __atomic_load_n(j->id_src, __ATOMIC_ACQUIRE)) &&
		       __atomic_load_n(j->done_src, __ATOMIC_ACQUIRE) != j->done_want)
			relax();
		if (!id) {
			j->ret = -1;	/* nothing to cancel: it failed */
			break;
		}
		spin_ns(j->spin_ns);
		j->ret = (j->op ?: cancel_id)(j->fd, j->all ? 0 : id,
					      j->all ? HWEVENT_CANCEL_ALL :
						       j->flags, &j->count);
		j->end = now_ns();
		break;
	case JOB_READ: {
		struct iovec iov = { .iov_base = j->recs, .iov_len = j->len };
		ssize_t n;

		spin_ns(j->spin_ns);
		j->start = now_ns();
		n = j->nowait ? preadv2(j->fd, &iov, 1, -1, RWF_NOWAIT) :
				read(j->fd, j->recs, j->len);
		j->ret = n < 0 ? -errno : (int)n;
		j->end = now_ns();
		close(j->fd);
		break;
	}
	case JOB_CLOSE:
		spin_ns(j->spin_ns);
		j->ret = close(j->fd) ? errno : 0;
		j->end = now_ns();
		break;
	case JOB_EXIT:
		break;
	}
}

static void *helper_fn(void *arg)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	uint32_t round = 0;

	(void)arg;
	pin(1);
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &helper.timer))
		printf("# timer_create: %s\n", strerror(errno));
	for (;;) {
		round++;
		if (wait_seq(&helper.go, round)) {
			/* The main thread went away; the watchdog reports. */
			round--;
			continue;
		}
		run_job(&helper.job);
		if (helper.job.kind == JOB_EXIT)
			break;
		set_seq(&helper.done, round);
	}
	return NULL;
}

static uint32_t helper_round;

/* Starts the prepared helper.job; helper_wait() waits for it. */
static void helper_start(void)
{
	helper_round++;
	set_seq(&helper.go, helper_round);
}

static int helper_wait(void)
{
	return wait_seq(&helper.done, helper_round);
}

/* Per-phase tallies; fails counts rounds with a wrong outcome. */
struct tally {
	uint64_t rounds;
	uint64_t fired;		/* events user space saw */
	uint64_t cancelled;	/* registrations cancel reported */
	uint64_t interrupted;
	uint64_t dropped;	/* EVENTFD ones never signalled at close */
	uint64_t registered;	/* incl. probes */
	uint64_t signals;
	uint64_t bursts;	/* burst rounds */
	uint64_t fails;
	uint64_t time_ns;
	int stopped_early;
	/* queue-close, periodic-cancel, trigger-cancel: queue books too */
	int queue_books;
	uint64_t queued;	/* records the driver queued, read or not */
	uint64_t lost;		/* of them, lost to overflow */
	uint64_t ticks;		/* periodic expiries delivered as records */
	/* periodic eventfd counts: a delivery adds 1 + the expiries it merged */
	uint64_t counts;
	uint64_t triggered;	/* the counts HWEVENT_IOC_TRIGGER returned */
	uint64_t records;	/* records read */
	uint64_t both;		/* trigger-cancel: trigger and cancel both won */
	/*
	 * uring-cmd: registrations that ended out of sight (a closed ring's
	 * commands): fired or cancelled, the counters say which; with
	 * unseen_fired_only, fired (no cancel on ring exit before 6.7).
	 */
	uint64_t unseen;
	int unseen_fired_only;
	uint64_t ring_exits;	/* uring-cmd: rings closed with commands */
	uint64_t batches;	/* uring-cmd: batches submitted */
	/* signal: late_signals moved by (-1: unknown, no debugfs) */
	long long late;
};

static struct tally tallies[NR_PHASES];

#define MAX_FAIL_REPORTS	10

static void round_fail(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	if (t->fails++ >= MAX_FAIL_REPORTS)
		return;
	printf("# %s round %llu: ", current_phase,
	       (unsigned long long)t->rounds);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int efd_pool[POOL];

static int make_pool(void)
{
	unsigned int i;

	burst_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (burst_efd < 0)
		return errno;
	for (i = 0; i < POOL; i++) {
		efd_pool[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd_pool[i] < 0)
			return errno;
	}
	return 0;
}

/* Waits up to @timeout_ns for @efd to become readable; its count or 0. */
static uint64_t efd_wait(int efd, uint64_t timeout_ns)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t deadline = now_ns() + timeout_ns, now;

	while ((now = now_ns()) < deadline) {
		int ms = (deadline - now) / NSEC_PER_MSEC + 1;

		if (poll(&pfd, 1, ms) > 0)
			return efd_take(efd);
	}
	return efd_take(efd);
}

/* A burst round's BURST signals, all of them and no more. */
static void collect_burst(struct tally *t)
{
	uint64_t deadline = now_ns() + SLACK_NS, sum = 0;

	while (sum < BURST && now_ns() < deadline)
		sum += efd_wait(burst_efd, deadline - now_ns());
	if (sum != BURST)
		round_fail(t, "burst: %llu signals for %d registrations",
			   (unsigned long long)sum, BURST);
	t->registered += BURST;
	t->fired += BURST;
	t->bursts++;
}

/* A PENDING registration with no delay: counts as one fired event. */
static int probe_seqno(int fd, struct tally *t, uint64_t *seqno)
{
	struct hwevent_register r;
	int err;

	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	if (err)
		return err;
	t->registered++;
	t->fired++;
	*seqno = r.event.seqno;
	return 0;
}

static uint64_t deadline_for_phase(void)
{
	return opt.max_seconds ? now_ns() + opt.max_seconds * NSEC_PER_SEC : 0;
}

static int out_of_time(uint64_t deadline, struct tally *t, uint64_t total)
{
	if (!deadline || now_ns() < deadline)
		return 0;
	t->stopped_early = 1;
	ksft_print_msg("%s: --max-seconds %llu reached after %llu of %llu rounds\n",
		       current_phase, opt.max_seconds,
		       (unsigned long long)t->rounds,
		       (unsigned long long)total);
	return 1;
}

/* What the debugfs counters must show after a phase, from the tally. */
static void check_stats(enum phase_id ph, const struct hw_stats *before,
			int have_stats)
{
	const struct tally *t = &tallies[ph];
	char desc[96];
	struct hw_stats after, d;
	int err, ok = 1;

	snprintf(desc, sizeof(desc), "%s: debugfs counters match the outcomes",
		 phase_names[ph]);
	if (!have_stats) {
		tap_skip(desc, "cannot read " HWEVENT_STATS_PATH);
		return;
	}
	err = stats_settle(&after, before, 5 * NSEC_PER_SEC);
	if (err) {
		ksft_print_msg("%s: %s\n", HWEVENT_STATS_PATH, strerror(err));
		tap_result(0, "%s", desc);
		return;
	}
	d = stats_sub(&after, before);
	stats_print("delta", &d);
	if (d.armed != (long long)t->registered) {
		ksft_print_msg("armed %lld, user space registered %llu\n",
			       d.armed, (unsigned long long)t->registered);
		ok = 0;
	}
	if (d.armed != stats_ended(&d)) {
		ksft_print_msg("armed %lld != fired+cancelled+interrupted+dropped %lld\n",
			       d.armed, stats_ended(&d));
		ok = 0;
	}
	if (d.completed < (long long)t->fired ||
	    d.cancelled < (long long)t->cancelled ||
	    d.completed - (long long)t->fired + d.cancelled -
	    (long long)t->cancelled != (long long)t->unseen ||
	    (t->unseen_fired_only && d.cancelled != (long long)t->cancelled) ||
	    d.interrupted != (long long)t->interrupted ||
	    d.dropped != (long long)t->dropped) {
		ksft_print_msg("user space saw fired=%llu cancelled=%llu interrupted=%llu dropped=%llu, and %llu ended out of sight%s\n",
			       (unsigned long long)t->fired,
			       (unsigned long long)t->cancelled,
			       (unsigned long long)t->interrupted,
			       (unsigned long long)t->dropped,
			       (unsigned long long)t->unseen,
			       t->unseen_fired_only ? " (fired)" : "");
		ok = 0;
	}
	if (d.live || d.eventfd_refs) {
		ksft_print_msg("live and eventfd_refs not back: %lld %lld\n",
			       d.live, d.eventfd_refs);
		ok = 0;
	}
	if (t->queue_books && !d.have_queue) {
		ksft_print_msg("no queue lines in %s\n", HWEVENT_STATS_PATH);
		ok = 0;
	} else if (t->queue_books &&
		   (d.queued != (long long)t->queued ||
		    d.queue_lost != (long long)t->lost ||
		    /* The eventfd deliveries: what the records do not explain. */
		    d.ticks < (long long)t->ticks ||
		    d.ticks - (long long)t->ticks > (long long)t->counts ||
		    (long long)t->counts > d.ticks - (long long)t->ticks +
					   d.overruns ||
		    d.triggered != (long long)t->triggered)) {
		ksft_print_msg("user space saw queued=%llu queue_lost=%llu ticks=%llu (records) eventfd counts=%llu triggered=%llu; overruns %lld\n",
			       (unsigned long long)t->queued,
			       (unsigned long long)t->lost,
			       (unsigned long long)t->ticks,
			       (unsigned long long)t->counts,
			       (unsigned long long)t->triggered, d.overruns);
		ok = 0;
	}
	tap_result(ok, "%s", desc);
}

/*
 * Whether a phase of @asked rounds ran fewer than its minimum (it was
 * stopped by --max-seconds): says so, and the phase then fails.
 */
static int too_few_rounds(const struct tally *t, unsigned long long asked)
{
	unsigned long long min = opt.min_iterations < asked ?
				 opt.min_iterations : asked;

	if (t->rounds >= min)
		return 0;
	ksft_print_msg("%s: %llu rounds run, fewer than the minimum %llu\n",
		       current_phase, (unsigned long long)t->rounds, min);
	return 1;
}

static void report_phase(enum phase_id ph, const char *what)
{
	const struct tally *t = &tallies[ph];
	int short_run = too_few_rounds(t, opt.iterations);

	tap_result(!t->fails && !short_run, "%s: %s (%llu rounds, %.1f s)",
		   phase_names[ph], what, (unsigned long long)t->rounds,
		   t->time_ns / 1e9);
}

/* --- signal vs. fire -------------------------------------------------- */

static void phase_signal(int fd, struct prng *rng)
{
	struct tally *t = &tallies[PH_SIGNAL];
	uint64_t deadline = deadline_for_phase(), start = now_ns();
	long long saved_delay = param_read(BH_DELAY_PATH);
	struct hw_stats st0, st1;
	uint64_t seq0, seq1, i;
	int err;

	/* The window between the interrupt and the bottom half, widened. */
	err = saved_delay < 0 ? ENOENT :
	      param_write(BH_DELAY_PATH, opt.bh_delay_us);
	if (err)
		ksft_print_msg("%s %llu: %s: the window stays narrow\n",
			       BH_DELAY_PATH, opt.bh_delay_us, strerror(err));
	t->late = stats_read(&st0) || !st0.have_late ? -1 : 0;
	err = probe_seqno(fd, t, &seq0);
	for (i = 0; !err && i < opt.iterations; i++) {
		struct job *j = &helper.job;
		int send = prng_pct(rng, 90), handled, burst;
		const char *why;

		if (out_of_time(deadline, t, opt.iterations))
			break;
		memset(j, 0, sizeof(*j));
		j->kind = JOB_PENDING;
		j->fd = fd;
		reg_set(&j->r, HWEVENT_MODE_PENDING, -1,
			prng_below(rng, MAX_JITTER_NS + 1), prng_next(rng));
		handled = __atomic_load_n(&sigusr1_handled, __ATOMIC_SEQ_CST);
		burst = prng_pct(rng, 50);
		if (burst) {
			/*
			 * The burst's interrupts and bottom half on this CPU,
			 * the waiter's interrupt and its signal (a timer, as
			 * this CPU is busy) on the other, just after.
			 */
			uint64_t when = burst_when();

			err = arm_burst(fd, when);
			if (err) {
				round_fail(t, "burst: %s", errno_name(err));
				break;
			}
			j->due_abs = when + prng_below(rng, 2 * MAX_JITTER_NS);
			/* Up to the end of the window the BH delay holds. */
			if (send)
				j->alarm_at = j->due_abs +
					      prng_below(rng, 4 * MAX_JITTER_NS +
							 opt.bh_delay_us *
							 NSEC_PER_USEC);
			helper_start();
			sleep_until_ns(when);
		} else {
			helper_start();
			if (send) {
				spin_ns(prng_below(rng, MAX_JITTER_NS + 1));
				pthread_kill(helper.thread, SIGUSR1);
			}
		}
		t->signals += send;
		if (helper_wait())
			break;	/* the watchdog reports */
		/* The handler has run before the next round starts. */
		if (burst)
			send = j->sig_fired;
		while (send && __atomic_load_n(&sigusr1_handled,
					       __ATOMIC_SEQ_CST) == handled)
			relax();
		if (burst)
			collect_burst(t);
		t->rounds++;
		progress++;
		switch (j->ret) {
		case 0:
			t->registered++;
			t->fired++;
			why = record_insane(&j->r, j->start, j->end);
			if (why)
				round_fail(t, "record: %s", why);
			break;
		case EINTR:
			t->registered++;
			t->interrupted++;
			if (!send)
				round_fail(t, "EINTR without a signal");
			break;
		default:
			round_fail(t, "PENDING returned %s",
				   errno_name(j->ret));
		}
	}
	if (!err)
		err = probe_seqno(fd, t, &seq1);
	if (err) {
		round_fail(t, "probe: %s", errno_name(err));
	} else if (seq1 - seq0 != t->fired - 1) {
		/* Every event that happened took a seqno: reported or not. */
		round_fail(t, "%llu seqnos taken, %llu events reported",
			   (unsigned long long)(seq1 - seq0),
			   (unsigned long long)(t->fired - 1));
	}
	t->time_ns = now_ns() - start;
	if (saved_delay >= 0 && param_write(BH_DELAY_PATH, saved_delay))
		round_fail(t, "cannot restore %s to %lld", BH_DELAY_PATH,
			   saved_delay);
	if (!t->late && !stats_read(&st1))
		t->late = st1.late_signals - st0.late_signals;
	/* Each of them was a round that returned its event. */
	if (t->late > 0 && (uint64_t)t->late > t->fired)
		round_fail(t, "%lld late signals, but %llu events reported",
			   t->late, (unsigned long long)t->fired);
}

/* The signal phase hit the window it is for, at least once. */
static void report_window(void)
{
	const struct tally *t = &tallies[PH_SIGNAL];
	const char *desc = "signal: a signal landed between the interrupt and the bottom half";

	if (t->late < 0)
		tap_skip(desc, "no late_signals in " HWEVENT_STATS_PATH);
	else
		tap_result(t->late > 0, "%s (%lld times)", desc, t->late);
}

/* --- cancel vs. fire -------------------------------------------------- */

struct efd_slot {
	int expect;	/* 1 fired, 0 cancelled */
	int used;
};

/* Checks the batch's eventfds against what cancel said, and drains them. */
static void check_batch(struct tally *t, struct efd_slot *slots,
			unsigned int n)
{
	uint64_t c, deadline = now_ns() + SLACK_NS, now;
	unsigned int k;

	for (k = 0; k < n; k++) {
		if (!slots[k].used || !slots[k].expect)
			continue;
		now = now_ns();
		c = efd_wait(efd_pool[k], deadline > now ? deadline - now : 0);
		if (c != 1)
			round_fail(t, "eventfd %u: not cancelled, signalled %llu times",
				   k, (unsigned long long)c);
	}
	/* The fired ones were seen: their bottom halves ran. */
	for (k = 0; k < n; k++) {
		if (!slots[k].used || slots[k].expect)
			continue;
		c = efd_take(efd_pool[k]);
		if (c)
			round_fail(t, "eventfd %u: cancelled, yet signalled %llu times",
				   k, (unsigned long long)c);
		slots[k].used = 0;
	}
	for (k = 0; k < n; k++)
		slots[k].used = 0;
}

/* Rounds where a late signal would show: every eventfd must stay quiet. */
static void check_quiet(struct tally *t, unsigned int n, uint64_t wait_ns)
{
	unsigned int k;
	uint64_t c;

	sleep_ns(wait_ns);
	c = efd_take(burst_efd);
	if (c)
		round_fail(t, "burst eventfd signalled %llu times after its end",
			   (unsigned long long)c);
	for (k = 0; k < n; k++) {
		c = efd_take(efd_pool[k]);
		if (c)
			round_fail(t, "eventfd %u: signalled %llu times after its end",
				   k, (unsigned long long)c);
	}
}

static void cancel_eventfd_round(int fd, struct prng *rng, struct tally *t,
				 struct efd_slot *slot, int efd)
{
	struct hwevent_register r;
	int other = prng_pct(rng, 50), all = prng_pct(rng, 25);
	struct job *j = &helper.job;
	volatile uint64_t published = 0, aborted = 0;
	uint64_t count = 0, spin = prng_below(rng, MAX_JITTER_NS + 1);
	int err;

	reg_set(&r, HWEVENT_MODE_EVENTFD, efd,
		prng_below(rng, MAX_JITTER_NS + 1), prng_next(rng));
	if (other) {
		memset(j, 0, sizeof(*j));
		j->kind = JOB_CANCEL;
		j->fd = fd;
		j->all = all;
		j->spin_ns = spin;
		j->id_src = &published;
		j->done_src = &aborted;
		j->done_want = 1;
		helper_start();
	}
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	if (err) {
		round_fail(t, "EVENTFD register: %s", errno_name(err));
		/* Let the helper go: it waits for an id. */
		if (other) {
			__atomic_store_n(&aborted, 1, __ATOMIC_RELEASE);
			helper_wait();
		}
		return;
	}
	t->registered++;
	if (other) {
		__atomic_store_n(&published, r.id, __ATOMIC_RELEASE);
		if (helper_wait())
			return;
		err = j->ret;
		count = j->count;
	} else {
		spin_ns(spin);
		err = cancel_id(fd, all ? 0 : r.id, all ? HWEVENT_CANCEL_ALL : 0,
				&count);
	}
	slot->used = 1;
	if (!err && count == 1) {
		slot->expect = 0;
		t->cancelled++;
	} else if ((!err && all && count == 0) || (err == ENOENT && !all)) {
		slot->expect = 1;
		t->fired++;
	} else {
		slot->used = 0;
		round_fail(t, "cancel%s: %s, count %llu", all ? " ALL" : "",
			   errno_name(err), (unsigned long long)count);
	}
}

static void spin_until_ns(uint64_t when)
{
	while (now_ns() < when)
		;
}

/*
 * A burst round: the helper arms the burst on its CPU; this thread arms
 * an EVENTFD registration due just after it on its own CPU, and cancels
 * it by id just after that, when its interrupt may have run while the
 * file's bottom half is busy with the burst on the other CPU: then it
 * fired, and the cancel must say ENOENT.
 */
static void cancel_burst_round(int fd, struct prng *rng, struct tally *t,
			       struct efd_slot *slot, int efd)
{
	uint64_t when = burst_when(), due, now, count = 0;
	struct job *j = &helper.job;
	struct hwevent_register r;
	int err;

	memset(j, 0, sizeof(*j));
	j->kind = JOB_BURST;
	j->fd = fd;
	j->due_abs = when;
	helper_start();
	if (helper_wait())
		return;
	if (j->ret) {
		round_fail(t, "burst: %s", errno_name(j->ret));
		return;
	}
	due = when + prng_below(rng, 2 * MAX_JITTER_NS);
	now = now_ns();
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd, due > now ? due - now : 0,
		prng_next(rng));
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	if (err) {
		round_fail(t, "EVENTFD register: %s", errno_name(err));
		collect_burst(t);
		return;
	}
	t->registered++;
	spin_until_ns(due + prng_below(rng, 4 * MAX_JITTER_NS));
	err = cancel_id(fd, r.id, 0, &count);
	slot->used = 1;
	if (!err && count == 1) {
		slot->expect = 0;
		t->cancelled++;
	} else if (err == ENOENT) {
		slot->expect = 1;
		t->fired++;
	} else {
		slot->used = 0;
		round_fail(t, "cancel: %s, count %llu", errno_name(err),
			   (unsigned long long)count);
	}
	collect_burst(t);
}

static void cancel_pending_round(int fd, struct prng *rng, struct tally *t)
{
	struct job *j = &helper.job;
	int all = prng_pct(rng, 25);
	uint64_t id, count = 0;
	unsigned int n = 0;
	int err;

	memset(j, 0, sizeof(*j));
	j->kind = JOB_PENDING;
	j->fd = fd;
	reg_set(&j->r, HWEVENT_MODE_PENDING, -1,
		prng_below(rng, MAX_JITTER_NS + 1), prng_next(rng));
	helper_start();
	/* The id is written back before the waiter sleeps. */
	while (!(id = __atomic_load_n(&j->r.id, __ATOMIC_ACQUIRE)) &&
	       __atomic_load_n(&helper.done, __ATOMIC_ACQUIRE) != helper_round) {
		relax();
		if (++n % 4096 == 0 && nr_cpus_usable >= 2)
			sched_yield();
	}
	/* Done between the two loads: the id was written before. */
	if (!id)
		id = __atomic_load_n(&j->r.id, __ATOMIC_ACQUIRE);
	if (!id) {
		helper_wait();
		round_fail(t, "PENDING register: %s", errno_name(j->ret));
		return;
	}
	spin_ns(prng_below(rng, MAX_JITTER_NS + 1));
	err = cancel_id(fd, all ? 0 : id, all ? HWEVENT_CANCEL_ALL : 0, &count);
	if (helper_wait())
		return;
	t->registered++;
	if (!err && count == 1 && j->ret == ECANCELED) {
		t->cancelled++;
	} else if (j->ret == 0 && ((err == ENOENT && !all) ||
				   (!err && all && count == 0))) {
		const char *why = record_insane(&j->r, j->start, j->end);

		t->fired++;
		if (why)
			round_fail(t, "record: %s", why);
	} else {
		round_fail(t, "waiter %s, cancel%s %s count %llu",
			   errno_name(j->ret), all ? " ALL" : "",
			   errno_name(err), (unsigned long long)count);
	}
}

static void phase_cancel(int fd, struct prng *rng)
{
	struct tally *t = &tallies[PH_CANCEL];
	uint64_t deadline = deadline_for_phase(), start = now_ns();
	struct efd_slot slots[POOL] = { };
	uint64_t seq0, seq1, i;
	unsigned int k = 0, p;
	int err;

	err = probe_seqno(fd, t, &seq0);
	for (i = 0; !err && i < opt.iterations; i++) {
		if (out_of_time(deadline, t, opt.iterations))
			break;
		p = prng_below(rng, 100);
		if (p < 50) {
			if (p < 25)
				cancel_eventfd_round(fd, rng, t, &slots[k],
						     efd_pool[k]);
			else
				cancel_burst_round(fd, rng, t, &slots[k],
						   efd_pool[k]);
			if (++k == POOL) {
				check_batch(t, slots, POOL);
				k = 0;
			}
		} else {
			cancel_pending_round(fd, rng, t);
		}
		t->rounds++;
		progress++;
	}
	check_batch(t, slots, k);
	check_quiet(t, POOL, 50 * NSEC_PER_MSEC);
	if (!err)
		err = probe_seqno(fd, t, &seq1);
	if (err)
		round_fail(t, "probe: %s", errno_name(err));
	else if (seq1 - seq0 != t->fired - 1)
		round_fail(t, "%llu seqnos taken, %llu events fired",
			   (unsigned long long)(seq1 - seq0),
			   (unsigned long long)(t->fired - 1));
	t->time_ns = now_ns() - start;
}

/* --- release vs. fire (and unload) --------------------------------------- */

#define MAX_PER_FILE	4

/*
 * Opens a file, arms 1..MAX_PER_FILE EVENTFD registrations on efd_pool
 * [base..], closes it after a random spin, from this thread or the helper,
 * and reads the eventfds once close() returned. With @burst, the helper
 * first arms a burst on the file on its CPU, this thread's registrations
 * fall due just after it, and this thread closes the file just after
 * that: the release meets interrupts that ran and a bottom half that is
 * busy on the other CPU. Returns 0, or -1 if the round could not run
 * (reported).
 */
static int release_round(struct prng *rng, struct tally *t, unsigned int base,
			 uint64_t *seen, unsigned int *n_out, int wait_dev,
			 int burst)
{
	unsigned int n = 1 + prng_below(rng, MAX_PER_FILE), k;
	struct hwevent_register r;
	int fd, err, other = !burst && prng_pct(rng, 50);
	uint64_t spin = prng_below(rng, MAX_JITTER_NS + 1), when = 0, due, now;

	*n_out = 0;
	fd = wait_dev ? open_dev_wait(5 * NSEC_PER_SEC) :
			open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		round_fail(t, "open " HWEVENT_PATH ": %s", errno_name(errno));
		return -1;
	}
	if (burst) {
		when = burst_when();
		memset(&helper.job, 0, sizeof(helper.job));
		helper.job.kind = JOB_BURST;
		helper.job.fd = fd;
		helper.job.due_abs = when;
		helper_start();
		if (helper_wait())
			return -1;
		if (helper.job.ret) {
			round_fail(t, "burst: %s", errno_name(helper.job.ret));
			close(fd);
			return -1;
		}
		t->registered += BURST;
	}
	for (k = 0; k < n; k++) {
		now = now_ns();
		due = when + prng_below(rng, 2 * MAX_JITTER_NS);
		reg_set(&r, HWEVENT_MODE_EVENTFD, efd_pool[base + k],
			burst ? (due > now ? due - now : 0) :
				prng_below(rng, MAX_JITTER_NS + 1),
			prng_next(rng));
		err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
		if (err) {
			round_fail(t, "EVENTFD register: %s", errno_name(err));
			close(fd);
			return -1;
		}
		t->registered++;
	}
	if (other) {
		memset(&helper.job, 0, sizeof(helper.job));
		helper.job.kind = JOB_CLOSE;
		helper.job.fd = fd;
		helper.job.spin_ns = spin;
		helper_start();
		if (helper_wait())
			return -1;
		err = helper.job.ret;
	} else {
		if (burst)
			spin_until_ns(when + prng_below(rng, 4 * MAX_JITTER_NS));
		else
			spin_ns(spin);
		err = close(fd) ? errno : 0;
	}
	if (err)
		round_fail(t, "close: %s", errno_name(err));
	if (burst) {
		uint64_t c = efd_take(burst_efd);

		if (c > BURST)
			round_fail(t, "burst: %llu signals for %d registrations",
				   (unsigned long long)c, BURST);
		t->fired += c;
		t->dropped += BURST - c;
		t->bursts++;
	}
	/* Release ran before close() returned: the counts are final. */
	for (k = 0; k < n; k++) {
		seen[k] = efd_take(efd_pool[base + k]);
		if (seen[k] > 1) {
			round_fail(t, "eventfd signalled %llu times",
				   (unsigned long long)seen[k]);
			seen[k] = 1;
		}
		t->fired += seen[k];
		t->dropped += !seen[k];
	}
	*n_out = n;
	return 0;
}

static void phase_release(struct prng *rng)
{
	struct tally *t = &tallies[PH_RELEASE];
	uint64_t deadline = deadline_for_phase(), start = now_ns(), i;
	uint64_t seen[MAX_PER_FILE];
	unsigned int base = 0, n;

	for (i = 0; i < opt.iterations; i++) {
		if (out_of_time(deadline, t, opt.iterations))
			break;
		if (release_round(rng, t, base, seen, &n, 0, prng_pct(rng, 50)))
			break;
		t->rounds++;
		progress++;
		base += n;
		/* A batch: give late signals time to show. */
		if (base + MAX_PER_FILE > POOL) {
			check_quiet(t, base, 2 * NSEC_PER_MSEC);
			base = 0;
		}
	}
	check_quiet(t, POOL, 50 * NSEC_PER_MSEC);
	t->time_ns = now_ns() - start;
}

static void phase_unload(struct prng *rng, const char *desc)
{
	struct tally *t = &tallies[PH_UNLOAD];
	uint64_t deadline = deadline_for_phase(), start = now_ns(), i;
	uint64_t seen[MAX_PER_FILE];
	unsigned int n, k;
	int err;

	for (i = 0; i < opt.unload_iterations; i++) {
		struct hw_stats st;

		if (out_of_time(deadline, t, opt.unload_iterations))
			break;
		if (release_round(rng, t, 0, seen, &n, 1, 0))
			break;
		/* Half the rounds: the counters first (opening them pins
		 * the module, so they are closed again before the unload).
		 */
		if (prng_pct(rng, 50) && !stats_read(&st) &&
		    (st.live || st.eventfd_refs || st.armed != stats_ended(&st)))
			round_fail(t, "after the last close: armed %lld ended %lld live %lld eventfd_refs %lld",
				   st.armed, stats_ended(&st), st.live,
				   st.eventfd_refs);
		err = delete_module_nb(HWEVENT_MODULE);
		if (err) {
			round_fail(t, "delete_module right after the last close: %s",
				   errno_name(err));
			break;
		}
		err = finit_module_path(opt.module);
		if (err) {
			round_fail(t, "finit_module %s: %s", opt.module,
				   errno_name(err));
			break;
		}
		for (k = 0; k < n; k++) {
			uint64_t c = efd_take(efd_pool[k]);

			if (c)
				round_fail(t, "eventfd signalled %llu more times after close and unload",
					   (unsigned long long)c);
		}
		t->rounds++;
		progress++;
	}
	t->time_ns = now_ns() - start;
	tap_result(!t->fails && !too_few_rounds(t, opt.unload_iterations),
		   "%s (%llu rounds, %.1f s)", desc,
		   (unsigned long long)t->rounds, t->time_ns / 1e9);
}

/*
 * irq-close: the header says "Once its interrupt has run, a registration
 * always ends as fired" (and HWEVENT_IOC_CANCEL's ENOENT says the
 * interrupt ran). Here a burst keeps the bottom half busy on the other
 * CPU, the round's EVENTFD registration falls due on this one, a cancel
 * by id probes it, and if the probe says ENOENT, the file is closed at
 * once: its eventfd must then have been signalled. (A release that took
 * such registrations off the fired list unsignalled, as this driver once
 * did, fails here.)
 */
static void phase_irq_close(struct prng *rng)
{
	struct tally *t = &tallies[PH_IRQ_CLOSE];
	uint64_t deadline = deadline_for_phase(), start = now_ns(), i;
	uint64_t probed = 0, dropped = 0;

	for (i = 0; i < opt.iterations; i++) {
		uint64_t when, due, now, c;
		struct hwevent_register r;
		int fd, err;

		if (out_of_time(deadline, t, opt.iterations))
			break;
		fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			round_fail(t, "open: %s", errno_name(errno));
			break;
		}
		when = burst_when();
		memset(&helper.job, 0, sizeof(helper.job));
		helper.job.kind = JOB_BURST;
		helper.job.fd = fd;
		helper.job.due_abs = when;
		helper_start();
		if (helper_wait() || helper.job.ret) {
			round_fail(t, "burst: %s", errno_name(helper.job.ret));
			close(fd);
			break;
		}
		t->registered += BURST;
		due = when + prng_below(rng, 2 * MAX_JITTER_NS);
		now = now_ns();
		reg_set(&r, HWEVENT_MODE_EVENTFD, efd_pool[0],
			due > now ? due - now : 0, i);
		err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
		if (!err) {
			t->registered++;
			spin_until_ns(due + prng_below(rng, 4 * MAX_JITTER_NS));
			err = cancel_id(fd, r.id, 0, NULL);
		}
		close(fd);
		c = efd_take(efd_pool[0]);
		efd_take(burst_efd);
		if (err == ENOENT) {
			probed++;
			if (c != 1 && dropped++ < 3)
				round_fail(t, "its interrupt had run (cancel: ENOENT), yet after the close its eventfd count is %llu",
					   (unsigned long long)c);
		} else if (err) {
			round_fail(t, "register or cancel: %s", errno_name(err));
		}
		t->rounds++;
		progress++;
	}
	t->time_ns = now_ns() - start;
	tap_result(!t->fails && !dropped && !too_few_rounds(t, opt.iterations),
		   "irq-close: a registration whose interrupt ran ends as fired, also when its file is closed at once (%llu probed, %llu dropped)",
		   (unsigned long long)probed, (unsigned long long)dropped);
}

/* --- the queue: close, periodic vs. cancel, trigger vs. cancel ----------- */

#define REC_SIZE	sizeof(struct hwevent_event)

/*
 * queue-close: 1..MAX_PER_FILE one-shot QUEUE registrations, due within
 * 20 us, on a fresh file; the helper reads a dup of it once (blocking, or
 * RWF_NOWAIT; buffers of 1..7 records and odd sizes) and closes the dup,
 * while this thread closes the original: the timers and the bottom half
 * run into the read and the last close, whichever it is. Each record
 * read is sane and belongs to the round, at most once, seqnos rising; a
 * blocking read returns at least one (the file is open while it waits).
 * Over the phase, the seqnos taken say how many fired: debugfs queued
 * must equal them, completed + dropped == registered, nothing lost.
 */
static void phase_queue_close(struct prng *rng)
{
	struct tally *t = &tallies[PH_QUEUE_CLOSE];
	uint64_t deadline = deadline_for_phase(), start = now_ns(), i;
	uint64_t seq0 = 0, seq1 = 0, qregs = 0;
	int pfd, err;

	t->queue_books = 1;
	pfd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	if (pfd < 0) {
		round_fail(t, "open: %s", errno_name(errno));
		return;
	}
	err = probe_seqno(pfd, t, &seq0);
	for (i = 0; !err && i < opt.iterations; i++) {
		unsigned int n = 1 + prng_below(rng, MAX_PER_FILE), k, m, seen = 0;
		uint64_t ids[MAX_PER_FILE], cookies[MAX_PER_FILE], last = 0;
		struct job *j = &helper.job;
		struct hwevent_register r;
		int fd, fd2;

		if (out_of_time(deadline, t, opt.iterations))
			break;
		fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
		fd2 = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
		if (fd2 < 0) {
			round_fail(t, "open or dup: %s", errno_name(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		for (k = 0; k < n; k++) {
			cookies[k] = i << 8 | k;
			reg_set(&r, HWEVENT_MODE_QUEUE, -1,
				prng_below(rng, MAX_JITTER_NS + 1), cookies[k]);
			err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
			if (err)
				break;
			ids[k] = r.id;
			t->registered++;
			qregs++;
		}
		if (err) {
			round_fail(t, "QUEUE register: %s", errno_name(err));
			close(fd);
			close(fd2);
			break;
		}
		memset(j, 0, sizeof(*j));
		j->kind = JOB_READ;
		j->fd = fd2;
		j->spin_ns = prng_below(rng, MAX_JITTER_NS + 1);
		j->nowait = prng_pct(rng, 30);
		j->len = REC_SIZE * (1 + prng_below(rng, 7)) +
			 (prng_pct(rng, 30) ? prng_below(rng, REC_SIZE) : 0);
		helper_start();
		spin_ns(prng_below(rng, 2 * MAX_JITTER_NS + 1));
		if (close(fd))
			round_fail(t, "close: %s", errno_name(errno));
		if (helper_wait())
			break;
		t->rounds++;
		progress++;
		if (j->ret < 0) {
			if (!j->nowait || j->ret != -EAGAIN)
				round_fail(t, "%s read: %s",
					   j->nowait ? "RWF_NOWAIT" : "blocking",
					   errno_name(-j->ret));
			continue;
		}
		if (!j->ret || j->ret % REC_SIZE || (size_t)j->ret > j->len) {
			round_fail(t, "read of %zu bytes returned %d", j->len,
				   j->ret);
			continue;
		}
		m = j->ret / REC_SIZE;
		t->records += m;
		for (k = 0; k < m; k++) {
			const struct hwevent_event *e = &j->recs[k];
			const char *why = queue_record_insane(e);
			unsigned int x;

			for (x = 0; x < n && ids[x] != e->id; x++)
				;
			if (why)
				round_fail(t, "record: %s", why);
			else if (e->flags)
				round_fail(t, "record flags %#x", e->flags);
			else if (e->seqno <= last)
				round_fail(t, "seqno %llu after %llu",
					   (unsigned long long)e->seqno,
					   (unsigned long long)last);
			else if (x == n)
				round_fail(t, "record of id %llu, not of this round",
					   (unsigned long long)e->id);
			else if (seen & 1U << x)
				round_fail(t, "id %llu read twice",
					   (unsigned long long)e->id);
			else if (e->cookie != cookies[x])
				round_fail(t, "id %llu: cookie %#llx, not %#llx",
					   (unsigned long long)e->id,
					   (unsigned long long)e->cookie,
					   (unsigned long long)cookies[x]);
			if (x < n)
				seen |= 1U << x;
			last = e->seqno;
		}
	}
	if (!err)
		err = probe_seqno(pfd, t, &seq1);
	if (err) {
		round_fail(t, "probe: %s", errno_name(err));
	} else {
		/* The QUEUE registrations that fired, between the probes. */
		uint64_t fired = seq1 - seq0 - 1;

		if (fired > qregs || t->records > fired) {
			round_fail(t, "%llu seqnos taken for %llu registrations, %llu records read",
				   (unsigned long long)fired,
				   (unsigned long long)qregs,
				   (unsigned long long)t->records);
		} else {
			t->fired += fired;
			t->queued += fired;
			t->dropped += qregs - fired;
		}
	}
	close(pfd);
	t->time_ns = now_ns() - start;
}

/*
 * Reads what is queued on the O_NONBLOCK @fd: records of the periodic
 * registration @id (0: none may come), each delivered before its cancel
 * returned at @t_ret.
 */
static void periodic_drain(struct tally *t, int fd, uint64_t id,
			   uint64_t t_ret, uint64_t *last)
{
	struct hwevent_event ev[16];
	unsigned int k;
	ssize_t n;

	for (;;) {
		n = read(fd, ev, sizeof(ev));
		if (n < 0) {
			if (errno != EAGAIN)
				round_fail(t, "read: %s", errno_name(errno));
			return;
		}
		if (!n || n % REC_SIZE) {
			round_fail(t, "read returned %zd", n);
			return;
		}
		for (k = 0; k < n / REC_SIZE; k++) {
			const struct hwevent_event *e = &ev[k];
			const char *why = queue_record_insane(e);

			t->records++;
			t->queued += 1 + e->lost;
			t->ticks += 1 + e->lost;
			t->lost += e->lost;
			if (why)
				round_fail(t, "record: %s", why);
			else if (!id || e->id != id)
				round_fail(t, "a record of registration %llu after its cancel returned (seqno %llu)",
					   (unsigned long long)e->id,
					   (unsigned long long)e->seqno);
			else if (!(e->flags & HWEVENT_EVENT_PERIODIC))
				round_fail(t, "no HWEVENT_EVENT_PERIODIC");
			else if (e->bh_ns > t_ret)
				round_fail(t, "delivered %llu ns after its cancel returned",
					   (unsigned long long)(e->bh_ns - t_ret));
			else if (e->seqno <= *last)
				round_fail(t, "seqno %llu after %llu",
					   (unsigned long long)e->seqno,
					   (unsigned long long)*last);
			*last = e->seqno;
		}
	}
}

/*
 * periodic-cancel: a periodic QUEUE or EVENTFD registration (period 100 to
 * 200 us, first expiry within 20 us) is cancelled, by id or ALL, a random
 * 0..4 periods later, from this thread or the helper; in a third of the
 * rounds the helper triggers it meanwhile (by id or ALL). The cancel finds
 * it (count 1: a periodic one is armed until it ends). Everything it
 * delivered was delivered before the cancel returned: its records say so
 * (bh_ns), and once the queue and the eventfd are drained right after,
 * nothing more ever comes (checked after a pause, every batch). The ticks,
 * queued, lost and triggered counters of debugfs match exactly.
 */
static void phase_periodic_cancel(struct prng *rng)
{
	struct tally *t = &tallies[PH_PERIODIC_CANCEL];
	uint64_t deadline = deadline_for_phase(), start = now_ns(), i;
	uint64_t last = 0;
	unsigned int k = 0;
	int fd;

	t->queue_books = 1;
	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		round_fail(t, "open: %s", errno_name(errno));
		return;
	}
	for (i = 0; i < opt.iterations; i++) {
		int queue = prng_pct(rng, 60), who = prng_below(rng, 3);
		int all = prng_pct(rng, 25), err = 0;
		uint64_t period = HWEVENT_MIN_PERIOD_NS +
				  prng_below(rng, 100 * NSEC_PER_USEC + 1);
		uint64_t spin = prng_below(rng, 4 * period), count = 0, t_ret = 0;
		volatile uint64_t published = 0, aborted = 0;
		struct job *j = &helper.job;
		struct hwevent_register r;

		if (out_of_time(deadline, t, opt.iterations))
			break;
		reg_set(&r, queue ? HWEVENT_MODE_QUEUE : HWEVENT_MODE_EVENTFD,
			queue ? -1 : efd_pool[k],
			prng_below(rng, MAX_JITTER_NS + 1), i);
		r.period_ns = period;
		/* who: 0 this thread cancels; 1 the helper; 2 the helper
		 * triggers while this thread cancels.
		 */
		if (who) {
			memset(j, 0, sizeof(*j));
			j->kind = JOB_CANCEL;
			j->fd = fd;
			j->all = prng_pct(rng, 25);
			j->spin_ns = who == 1 ? spin : prng_below(rng, spin + 1);
			j->op = who == 2 ? trigger_id : NULL;
			j->id_src = &published;
			j->done_src = &aborted;
			j->done_want = 1;
			helper_start();
		}
		err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
		if (err) {
			round_fail(t, "periodic register: %s", errno_name(err));
			if (who) {
				__atomic_store_n(&aborted, 1, __ATOMIC_RELEASE);
				helper_wait();
			}
			break;
		}
		t->registered++;
		if (who)
			__atomic_store_n(&published, r.id, __ATOMIC_RELEASE);
		if (who != 1) {
			spin_ns(spin);
			err = cancel_id(fd, all ? 0 : r.id,
					all ? HWEVENT_CANCEL_ALL : 0, &count);
			t_ret = now_ns();
		}
		if (who && helper_wait())
			break;
		if (who == 1) {
			err = j->ret;
			count = j->count;
			t_ret = j->end;
		} else if (who == 2) {
			if (!j->ret)
				t->triggered += j->count;
			if (!(!j->ret && j->count == 1) &&
			    !(j->ret == ENOENT && !j->all) &&
			    !(!j->ret && j->all && !j->count))
				round_fail(t, "trigger%s: %s, count %llu",
					   j->all ? " ALL" : "",
					   errno_name(j->ret),
					   (unsigned long long)j->count);
		}
		if (err || count != 1)
			round_fail(t, "cancel of an armed periodic registration: %s, count %llu",
				   errno_name(err), (unsigned long long)count);
		else
			t->cancelled++;
		/* All it delivered is there now; nothing more may come. */
		if (queue) {
			periodic_drain(t, fd, r.id, t_ret, &last);
		} else {
			uint64_t c = efd_take(efd_pool[k]);

			t->counts += c;
			if (++k == POOL) {
				check_quiet(t, POOL, 2 * NSEC_PER_MSEC);
				k = 0;
			}
		}
		t->rounds++;
		progress++;
		if (t->rounds % POOL == 0) {
			sleep_ns(2 * NSEC_PER_MSEC);
			periodic_drain(t, fd, 0, 0, &last);
		}
	}
	check_quiet(t, POOL, 20 * NSEC_PER_MSEC);
	periodic_drain(t, fd, 0, 0, &last);
	close(fd);
	t->time_ns = now_ns() - start;
}

/* trigger-cancel: one round's registration, until its batch is checked. */
struct tc_slot {
	uint64_t id;
	int queue;
	int cancelled;	/* the cancel returned count 1 */
	int trig_ok;	/* the trigger returned count 1 */
	int got;	/* its record was read */
};

static void tc_take(struct tally *t, int fd, struct tc_slot *slots,
		    unsigned int n, uint64_t *last)
{
	struct hwevent_event ev[16];
	unsigned int k, x;
	ssize_t got;

	for (;;) {
		got = read(fd, ev, sizeof(ev));
		if (got < 0) {
			if (errno != EAGAIN)
				round_fail(t, "read: %s", errno_name(errno));
			return;
		}
		for (k = 0; k < got / REC_SIZE; k++) {
			const struct hwevent_event *e = &ev[k];
			const char *why = queue_record_insane(e);

			t->records++;
			for (x = 0; x < n && slots[x].id != e->id; x++)
				;
			if (why)
				round_fail(t, "record: %s", why);
			else if (e->seqno <= *last)
				round_fail(t, "seqno %llu after %llu",
					   (unsigned long long)e->seqno,
					   (unsigned long long)*last);
			else if (e->flags & ~HWEVENT_EVENT_TRIGGERED)
				round_fail(t, "record flags %#x", e->flags);
			*last = e->seqno;
			if (x == n) {
				round_fail(t, "record of id %llu, not of this batch",
					   (unsigned long long)e->id);
				continue;
			}
			if (!slots[x].queue)
				round_fail(t, "a record of EVENTFD id %llu",
					   (unsigned long long)e->id);
			else if (slots[x].cancelled)
				round_fail(t, "id %llu: cancelled (count 1), yet its record came",
					   (unsigned long long)e->id);
			else if (slots[x].got)
				round_fail(t, "id %llu: two records",
					   (unsigned long long)e->id);
			else if (e->flags & HWEVENT_EVENT_TRIGGERED &&
				 !slots[x].trig_ok)
				round_fail(t, "id %llu: HWEVENT_EVENT_TRIGGERED, but the trigger did not fire it",
					   (unsigned long long)e->id);
			slots[x].got++;
		}
	}
}

/* Every registration of the batch that was not cancelled fired once. */
static void tc_batch(struct tally *t, int fd, struct tc_slot *slots,
		     unsigned int n, uint64_t *last)
{
	uint64_t deadline = now_ns() + SLACK_NS, c, now;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned int k, missing;

	for (;;) {
		tc_take(t, fd, slots, n, last);
		for (missing = 0, k = 0; k < n; k++)
			missing += slots[k].queue && !slots[k].cancelled &&
				   !slots[k].got;
		now = now_ns();
		if (!missing || now >= deadline)
			break;
		poll(&pfd, 1, (deadline - now) / NSEC_PER_MSEC + 1);
	}
	if (missing)
		round_fail(t, "%u QUEUE registrations neither cancelled nor fired",
			   missing);
	for (k = 0; k < n; k++) {
		if (slots[k].queue || slots[k].cancelled)
			continue;
		now = now_ns();
		c = efd_wait(efd_pool[k], deadline > now ? deadline - now : 0);
		if (c != 1)
			round_fail(t, "EVENTFD id %llu: not cancelled, signalled %llu times",
				   (unsigned long long)slots[k].id,
				   (unsigned long long)c);
	}
	/* Then nothing more: no second record, no cancelled one's. */
	sleep_ns(2 * NSEC_PER_MSEC);
	tc_take(t, fd, slots, n, last);
	for (k = 0; k < n; k++) {
		if (slots[k].queue)
			continue;
		c = efd_take(efd_pool[k]);
		if (c)
			round_fail(t, "EVENTFD id %llu: %s, yet signalled %llu more times",
				   (unsigned long long)slots[k].id,
				   slots[k].cancelled ? "cancelled" : "fired",
				   (unsigned long long)c);
	}
}

/*
 * trigger-cancel: a one-shot QUEUE (or EVENTFD) registration due within
 * 20 us, HWEVENT_IOC_TRIGGER (by id or ALL) from one thread and
 * HWEVENT_IOC_CANCEL (by id or ALL) from the other, each after a random
 * 0..20 us: the timer, the trigger and the cancel race. It ends exactly
 * once: a successful cancel (count 1) and no record, or exactly one record
 * and a cancel that found nothing, never both, never neither. A trigger
 * that fired it (count 1) means the cancel cannot succeed after; a record
 * flagged HWEVENT_EVENT_TRIGGERED means the trigger said count 1. The
 * seqnos taken and the debugfs counters match the outcomes.
 */
static void phase_trigger_cancel(struct prng *rng)
{
	struct tally *t = &tallies[PH_TRIGGER_CANCEL];
	uint64_t deadline = deadline_for_phase(), start = now_ns(), i;
	uint64_t seq0 = 0, seq1 = 0, last = 0;
	struct tc_slot slots[POOL];
	unsigned int k = 0;
	int fd, err;

	t->queue_books = 1;
	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		round_fail(t, "open: %s", errno_name(errno));
		return;
	}
	err = probe_seqno(fd, t, &seq0);
	for (i = 0; !err && i < opt.iterations; i++) {
		int queue = prng_pct(rng, 75), helper_triggers = prng_pct(rng, 50);
		int tall = prng_pct(rng, 25), call = prng_pct(rng, 25);
		int cret, tret, mret;
		uint64_t ccount, tcount, mcount = 0;
		volatile uint64_t published = 0, aborted = 0;
		struct job *j = &helper.job;
		struct tc_slot *sl = &slots[k];
		struct hwevent_register r;

		if (out_of_time(deadline, t, opt.iterations))
			break;
		memset(j, 0, sizeof(*j));
		j->kind = JOB_CANCEL;
		j->fd = fd;
		j->op = helper_triggers ? trigger_id : NULL;
		j->all = helper_triggers ? tall : call;
		j->spin_ns = prng_below(rng, MAX_JITTER_NS + 1);
		j->id_src = &published;
		j->done_src = &aborted;
		j->done_want = 1;
		helper_start();
		reg_set(&r, queue ? HWEVENT_MODE_QUEUE : HWEVENT_MODE_EVENTFD,
			queue ? -1 : efd_pool[k],
			prng_below(rng, MAX_JITTER_NS + 1), i);
		err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
		if (err) {
			round_fail(t, "register: %s", errno_name(err));
			__atomic_store_n(&aborted, 1, __ATOMIC_RELEASE);
			helper_wait();
			break;
		}
		t->registered++;
		__atomic_store_n(&published, r.id, __ATOMIC_RELEASE);
		spin_ns(prng_below(rng, MAX_JITTER_NS + 1));
		if (helper_triggers)
			mret = cancel_id(fd, call ? 0 : r.id,
					 call ? HWEVENT_CANCEL_ALL : 0, &mcount);
		else
			mret = trigger_id(fd, tall ? 0 : r.id,
					  tall ? HWEVENT_TRIGGER_ALL : 0, &mcount);
		if (helper_wait())
			break;
		cret = helper_triggers ? mret : j->ret;
		ccount = helper_triggers ? mcount : j->count;
		tret = helper_triggers ? j->ret : mret;
		tcount = helper_triggers ? j->count : mcount;
		memset(sl, 0, sizeof(*sl));
		sl->id = r.id;
		sl->queue = queue;
		sl->cancelled = !cret && ccount == 1;
		sl->trig_ok = !tret && tcount == 1;
		if (!sl->cancelled && !(cret == ENOENT && !call) &&
		    !(!cret && call && !ccount))
			round_fail(t, "cancel%s: %s, count %llu",
				   call ? " ALL" : "", errno_name(cret),
				   (unsigned long long)ccount);
		if (!sl->trig_ok && !(tret == ENOENT && !tall) &&
		    !(!tret && tall && !tcount))
			round_fail(t, "trigger%s: %s, count %llu",
				   tall ? " ALL" : "", errno_name(tret),
				   (unsigned long long)tcount);
		if (!tret)
			t->triggered += tcount;
		if (sl->cancelled && sl->trig_ok) {
			t->both++;
			round_fail(t, "id %llu: the trigger fired it (count 1) and the cancel cancelled it (count 1)",
				   (unsigned long long)r.id);
		}
		if (sl->cancelled) {
			t->cancelled++;
		} else {
			t->fired++;
			t->queued += queue;
		}
		t->rounds++;
		progress++;
		tc_take(t, fd, slots, k + 1, &last);
		if (++k == POOL) {
			tc_batch(t, fd, slots, k, &last);
			k = 0;
		}
	}
	tc_batch(t, fd, slots, k, &last);
	if (!err)
		err = probe_seqno(fd, t, &seq1);
	if (err)
		round_fail(t, "probe: %s", errno_name(err));
	else if (seq1 - seq0 != t->fired - 1)
		round_fail(t, "%llu seqnos taken, %llu registrations fired",
			   (unsigned long long)(seq1 - seq0),
			   (unsigned long long)(t->fired - 1));
	close(fd);
	t->time_ns = now_ns() - start;
}

/* --- io_uring commands ------------------------------------------------ */

/* Commands a uring-cmd batch holds at most; cookies they take. */
#define UC_BATCH	32
#define UC_COOKIES	3
/* What the phase checks, for its TAP line. */
#define UC_DESC		"each command completes once, fired or ECANCELED, against cancel, trigger and ring exit"
/* A command that only a cancel or a trigger ends within the round. */
#define UC_NEVER_NS	HWEVENT_URING_MAX_DELAY_NS

/* A ring with 32-byte CQEs, or the reason there is none (NULL: made). */
static const char *uc_ring_init(struct io_uring *ring)
{
	struct io_uring_probe *probe;
	int ret, have;

	ret = io_uring_queue_init(2 * UC_BATCH, ring, IORING_SETUP_CQE32);
	if (ret == -ENOSYS)
		return "no io_uring in this kernel (CONFIG_IO_URING)";
	if (ret == -EPERM)
		return "io_uring is disabled (sysctl kernel.io_uring_disabled)";
	if (ret == -EINVAL)
		return "no 32-byte CQEs nor IORING_OP_URING_CMD (before 5.19)";
	if (ret)
		return "io_uring_queue_init failed";
	probe = io_uring_get_probe_ring(ring);
	have = probe && io_uring_opcode_supported(probe, IORING_OP_URING_CMD);
	if (probe)
		io_uring_free_probe(probe);
	if (have)
		return NULL;
	io_uring_queue_exit(ring);
	return "no IORING_OP_URING_CMD (before 5.19)";
}

/*
 * Reaps the @n commands of a round whose user data start at @base: each
 * exactly once, fired (res >= 0, a seqno no other took) or ECANCELED;
 * as many ECANCELED as the cancels counted, and then nothing more.
 */
static void uc_reap(struct tally *t, struct io_uring *ring, uint64_t base,
		    unsigned int n, uint64_t cancelled)
{
	struct __kernel_timespec ts = { .tv_sec = SLACK_NS / NSEC_PER_SEC };
	int32_t res[UC_BATCH];
	unsigned int got = 0, ecanceled = 0, k, x;
	struct io_uring_cqe *cqe;
	uint64_t data;
	int ret;

	for (k = 0; k < n; k++)
		res[k] = INT32_MIN;	/* no CQE yet */
	while (got < n) {
		do {
			ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
		} while (ret == -EINTR);
		if (ret) {
			round_fail(t, "%u of %u commands never completed: %s",
				   n - got, n, errno_name(-ret));
			return;
		}
		data = io_uring_cqe_get_data64(cqe);
		k = data - base;
		if (data < base || k >= n)
			round_fail(t, "a CQE of command %llu, not of this round",
				   (unsigned long long)data);
		else if (res[k] != INT32_MIN)
			round_fail(t, "command %u completed twice (%d, then %d)",
				   k, res[k], cqe->res);
		else
			res[k] = cqe->res, got++;
		io_uring_cqe_seen(ring, cqe);
	}
	for (k = 0; k < n; k++) {
		if (res[k] == -ECANCELED) {
			ecanceled++;
			continue;
		}
		if (res[k] < 0) {
			round_fail(t, "command %u: res %s", k,
				   errno_name(-res[k]));
			continue;
		}
		t->fired++;
		for (x = 0; x < k; x++)
			if (res[x] == res[k])
				round_fail(t, "commands %u and %u: one seqno %d",
					   x, k, res[k]);
	}
	if (ecanceled != cancelled)
		round_fail(t, "%u commands ECANCELED, the cancels counted %llu",
			   ecanceled, (unsigned long long)cancelled);
	if (!io_uring_peek_cqe(ring, &cqe))
		round_fail(t, "a CQE more: command %llu, res %d",
			   (unsigned long long)io_uring_cqe_get_data64(cqe),
			   cqe->res);
}

/*
 * uring-cmd: NULL, or why it cannot run (no TAP line then). A batch of
 * 1..32 HWEVENT_URING_CMD_WAIT commands on one ring, due within 20 us or
 * never, with cookies 1..3; then, each after a random 0..20 us, the helper
 * cancels or triggers them (by cookie or ALL) while the main thread does
 * the other, or, one batch in sixteen, closes the ring with them pending
 * (6.7 and later cancel them through IO_URING_F_CANCEL). A last
 * HWEVENT_IOC_CANCEL ALL ends what is left. On a ring that stays, every
 * command completes exactly once (its CQE counted), fired with a seqno of
 * its own or ECANCELED, as many ECANCELED as the cancels counted; a closed
 * ring's commands are accounted by the debugfs counters (armed, completed +
 * cancelled, live), and a new ring takes over. A round is one command,
 * from its submission to its end: --iterations of them.
 */
static const char *phase_uring_cmd(struct prng *rng, const char *desc)
{
	struct tally *t = &tallies[PH_URING_CMD];
	uint64_t deadline = deadline_for_phase(), start = now_ns();
	uint64_t data = 0, ring_exits = 0;
	struct io_uring ring;
	const char *no;
	int fd, ring_up;

	no = uc_ring_init(&ring);
	if (no)
		return no;
	ring_up = 1;
	t->unseen_fired_only = !kernel_has_symbol("io_uring_cmd_mark_cancelable");
	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		round_fail(t, "open: %s", errno_name(errno));
		goto out;
	}
	while (t->rounds < opt.iterations) {
		unsigned int n = 1 + prng_below(rng, UC_BATCH), k;
		int helper_triggers = prng_pct(rng, 50), close_ring = prng_pct(rng, 6);
		uint64_t cookie = 1 + prng_below(rng, UC_COOKIES), base = data;
		uint64_t cancelled = 0, count = 0;
		volatile uint64_t published = 0, aborted = 0;
		struct job *j = &helper.job;
		int ret, all = prng_pct(rng, 25);

		if (out_of_time(deadline, t, opt.iterations))
			break;
		if (!ring_up) {
			no = uc_ring_init(&ring);
			if (no) {
				round_fail(t, "a new ring: %s", no);
				break;
			}
			ring_up = 1;
		}
		memset(j, 0, sizeof(*j));
		j->kind = JOB_CANCEL;
		j->fd = fd;
		j->op = helper_triggers ? trigger_id : NULL;
		j->all = prng_pct(rng, 25);
		j->flags = HWEVENT_CANCEL_COOKIE;
		j->spin_ns = prng_below(rng, MAX_JITTER_NS + 1);
		j->id_src = &published;
		j->done_src = &aborted;
		j->done_want = 1;
		helper_start();
		/* The SQ holds two batches, and is empty between rounds. */
		for (k = 0, ret = 0; k < n && !ret; k++)
			ret = fill_cmd(&ring, fd, HWEVENT_URING_CMD_WAIT,
				       prng_pct(rng, 25) ? UC_NEVER_NS :
				       prng_below(rng, MAX_JITTER_NS + 1),
				       1 + prng_below(rng, UC_COOKIES), data++);
		ret = ret ? -EBUSY : io_uring_submit(&ring);
		if (ret != (int)n) {
			round_fail(t, "io_uring_submit: %s",
				   ret < 0 ? errno_name(-ret) : "short");
			__atomic_store_n(&aborted, 1, __ATOMIC_RELEASE);
			helper_wait();
			break;
		}
		t->registered += n;
		/* The cookie: the helper's id, as HWEVENT_CANCEL_COOKIE's. */
		__atomic_store_n(&published, cookie, __ATOMIC_RELEASE);
		spin_ns(prng_below(rng, MAX_JITTER_NS + 1));
		if (close_ring) {
			io_uring_queue_exit(&ring);
			ring_up = 0;
			ring_exits++;
		} else if (helper_triggers) {
			ret = cancel_id(fd, all ? 0 : cookie,
					all ? HWEVENT_CANCEL_ALL :
					      HWEVENT_CANCEL_COOKIE, &count);
			if (!ret)
				cancelled += count;
			else if (ret != ENOENT || all)
				round_fail(t, "cancel: %s", errno_name(ret));
		} else {
			ret = trigger_id(fd, all ? 0 : cookie,
					 all ? HWEVENT_TRIGGER_ALL :
					       HWEVENT_TRIGGER_COOKIE, &count);
			if (ret && (ret != ENOENT || all))
				round_fail(t, "trigger: %s", errno_name(ret));
		}
		if (helper_wait())
			break;
		if (!j->ret && !j->op)
			cancelled += j->count;
		else if (j->ret && (j->ret != ENOENT || j->all))
			round_fail(t, "helper's %s: %s",
				   j->op ? "trigger" : "cancel",
				   errno_name(j->ret));
		/* What neither fired nor cancelled yet: never due. */
		ret = cancel_id(fd, 0, HWEVENT_CANCEL_ALL, &count);
		if (ret)
			round_fail(t, "cancel ALL: %s", errno_name(ret));
		else
			cancelled += count;
		t->cancelled += cancelled;
		if (ring_up)
			uc_reap(t, &ring, base, n, cancelled);
		else
			/* Fired, or cancelled by io_uring: the counters say. */
			t->unseen += n - cancelled;
		t->rounds += n;
		t->batches++;
		progress++;
	}
	close(fd);
out:
	if (ring_up)
		io_uring_queue_exit(&ring);
	t->time_ns = now_ns() - start;
	t->ring_exits = ring_exits;
	report_phase(PH_URING_CMD, desc);
	return NULL;
}

/* Why the unload phase cannot run, or NULL. */
static const char *unload_unavailable(void)
{
	int fd, err;

	if (geteuid())
		return "needs root";
	if (!opt.module || !*opt.module)
		return "needs the module file: set HWEVENT_KO or pass --module";
	if (access(opt.module, R_OK))
		return "cannot read the module file";
	if (!module_loaded())
		return "hwevent is not loaded as a module";
	/* Whether we can take it out and put it back at all. */
	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	err = delete_module_nb(HWEVENT_MODULE);
	if (err == EAGAIN || err == EBUSY || err == EWOULDBLOCK)
		return "hwevent is in use by another program";
	if (err)
		return "delete_module fails";
	err = finit_module_path(opt.module);
	if (err) {
		ksft_print_msg("finit_module %s: %s; hwevent is now unloaded\n",
			       opt.module, strerror(err));
		return "finit_module fails";
	}
	return NULL;
}

static void usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [--iterations N] [--unload-iterations N] [--seed S]\n"
		"       [--module PATH] [--max-seconds S] [--min-iterations N]\n"
		"       [--bh-delay-us US] [--only PHASE[,PHASE...]]\n"
		"phases: signal, cancel, release, irq-close, unload, queue-close,\n"
		"        periodic-cancel, trigger-cancel, uring-cmd (default: all)\n",
		prog);
	exit(status);
}

static unsigned int parse_phases(const char *prog, char *list)
{
	unsigned int mask = 0, i;
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_PHASES; i++)
			if (!strcmp(tok, phase_names[i]))
				break;
		if (i == NR_PHASES) {
			fprintf(stderr, "%s: unknown phase '%s'\n", prog, tok);
			exit(2);
		}
		mask |= 1U << i;
	}
	return mask;
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'i' },
		{ "unload-iterations", required_argument, NULL, 'u' },
		{ "seed", required_argument, NULL, 's' },
		{ "module", required_argument, NULL, 'm' },
		{ "max-seconds", required_argument, NULL, 't' },
		{ "min-iterations", required_argument, NULL, 'n' },
		{ "bh-delay-us", required_argument, NULL, 'b' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, seeded = 0;

	opt.module = getenv("HWEVENT_KO");
	while ((c = getopt_long(argc, argv, "i:u:s:m:t:n:b:o:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			opt.iterations = parse_num(argv[0], "--iterations", optarg);
			break;
		case 'u':
			opt.unload_iterations = parse_num(argv[0], "--unload-iterations",
							  optarg);
			break;
		case 's':
			opt.seed = parse_num(argv[0], "--seed", optarg);
			seeded = 1;
			break;
		case 'm':
			opt.module = optarg;
			break;
		case 't':
			opt.max_seconds = parse_num(argv[0], "--max-seconds", optarg);
			break;
		case 'n':
			opt.min_iterations = parse_num(argv[0], "--min-iterations",
						       optarg);
			break;
		case 'b':
			opt.bh_delay_us = parse_num(argv[0], "--bh-delay-us",
						    optarg);
			break;
		case 'o':
			opt.phases = parse_phases(argv[0], optarg);
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
}

static void find_cpus(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && nr_cpus_usable < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[nr_cpus_usable++] = cpu;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigusr1,
				.sa_flags = SA_RESTART };
	struct hw_stats before;
	const char *no_unload = NULL;
	pthread_t watchdog;
	struct prng rng;
	unsigned long long registrations = 0, rounds = 0;
	unsigned int plan = 0, ph;
	int fd, err, have_stats;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	require_device();
	ksft_print_header();
	for (ph = 0; ph < NR_PHASES; ph++) {
		if (!(opt.phases & (1U << ph)))
			continue;
		plan += ph == PH_UNLOAD || ph == PH_IRQ_CLOSE ? 1 :
			ph == PH_CANCEL || ph == PH_SIGNAL ||
			ph == PH_URING_CMD ? 3 : 2;
	}
	ksft_set_plan(plan);
	ksft_print_msg("seed %llu, %llu iterations (at least %llu), %llu unload iterations\n",
		       (unsigned long long)opt.seed, opt.iterations,
		       opt.min_iterations < opt.iterations ?
		       opt.min_iterations : opt.iterations,
		       opt.unload_iterations);
	prng_seed(&rng, opt.seed);
	find_cpus();
	if (nr_cpus_usable < 2)
		ksft_print_msg("one CPU: the races are only interleavings\n");

	if (sigaction(SIGUSR1, &sa, NULL) || make_pool())
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));
	if (pthread_create(&watchdog, NULL, watchdog_fn, NULL) ||
	    pthread_create(&helper.thread, NULL, helper_fn, NULL))
		ksft_exit_fail_msg("pthread_create failed\n");
	pthread_detach(watchdog);
	pin(0);

	have_stats = !stats_read(&before);
	if (!have_stats)
		ksft_print_msg("no %s: the counter checks are skipped\n",
			       HWEVENT_STATS_PATH);

	fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ksft_exit_fail_msg("open: %s\n", strerror(errno));

	if (opt.phases & (1U << PH_SIGNAL)) {
		current_phase = "signal";
		phase_signal(fd, &rng);
		report_phase(PH_SIGNAL, "PENDING returns 0 XOR EINTR, EINTR only when signalled");
		check_stats(PH_SIGNAL, &before, have_stats);
		report_window();
		have_stats = !stats_read(&before);
	}
	if (opt.phases & (1U << PH_CANCEL)) {
		current_phase = "cancel";
		phase_cancel(fd, &rng);
		report_phase(PH_CANCEL, "cancel XOR fire, by id and ALL, same and other thread");
		check_stats(PH_CANCEL, &before, have_stats);
		/* A cancel that cannot find it must have let it fire. */
		tap_result(tallies[PH_CANCEL].cancelled && tallies[PH_CANCEL].fired > 1 ?
			   1 : opt.iterations < 100,
			   "cancel: both outcomes happened (%llu cancelled, %llu fired)",
			   (unsigned long long)tallies[PH_CANCEL].cancelled,
			   (unsigned long long)tallies[PH_CANCEL].fired);
		have_stats = !stats_read(&before);
	}
	close(fd);
	if (opt.phases & (1U << PH_RELEASE)) {
		current_phase = "release";
		phase_release(&rng);
		report_phase(PH_RELEASE, "each eventfd signalled at most once, never after close");
		check_stats(PH_RELEASE, &before, have_stats);
	}
	if (opt.phases & (1U << PH_IRQ_CLOSE)) {
		current_phase = "irq-close";
		phase_irq_close(&rng);
	}
	have_stats = !stats_read(&before);
	if (opt.phases & (1U << PH_QUEUE_CLOSE)) {
		current_phase = "queue-close";
		phase_queue_close(&rng);
		report_phase(PH_QUEUE_CLOSE, "QUEUE records read at most once, sane, while the timers race the read and the last close");
		check_stats(PH_QUEUE_CLOSE, &before, have_stats);
		have_stats = !stats_read(&before);
	}
	if (opt.phases & (1U << PH_PERIODIC_CANCEL)) {
		current_phase = "periodic-cancel";
		phase_periodic_cancel(&rng);
		report_phase(PH_PERIODIC_CANCEL, "after cancel returns, no record or eventfd count of a periodic registration ever comes");
		check_stats(PH_PERIODIC_CANCEL, &before, have_stats);
		have_stats = !stats_read(&before);
	}
	if (opt.phases & (1U << PH_TRIGGER_CANCEL)) {
		current_phase = "trigger-cancel";
		phase_trigger_cancel(&rng);
		report_phase(PH_TRIGGER_CANCEL, "trigger vs timer vs cancel: exactly one record or a successful cancel, never both");
		check_stats(PH_TRIGGER_CANCEL, &before, have_stats);
	}
	have_stats = !stats_read(&before);
	if (opt.phases & (1U << PH_URING_CMD)) {
		const char *desc = UC_DESC;
		const char *desc1 = "uring-cmd: " UC_DESC;
		const char *desc2 = "uring-cmd: debugfs counters match the outcomes";
		const char *desc3 = "uring-cmd: every end happened";
		const struct tally *t = &tallies[PH_URING_CMD];
		const char *no;

		current_phase = "uring-cmd";
		no = phase_uring_cmd(&rng, desc);
		if (no) {
			tap_skip(desc1, "%s", no);
			tap_skip(desc2, "%s", no);
			tap_skip(desc3, "%s", no);
		} else {
			check_stats(PH_URING_CMD, &before, have_stats);
			/* The windows it is for, each at least once. */
			tap_result((t->fired && t->cancelled && t->ring_exits) ||
				   opt.iterations < 100,
				   "%s (%llu fired, %llu cancelled, %llu rings closed with commands pending)",
				   desc3, (unsigned long long)t->fired,
				   (unsigned long long)t->cancelled,
				   (unsigned long long)t->ring_exits);
		}
	}
	if (opt.phases & (1U << PH_UNLOAD)) {
		const char *desc = "unload: delete_module succeeds right after the last close";

		current_phase = "unload";
		no_unload = unload_unavailable();
		if (no_unload)
			tap_skip(desc, "%s", no_unload);
		else
			phase_unload(&rng, desc);
	}

	memset(&helper.job, 0, sizeof(helper.job));
	helper.job.kind = JOB_EXIT;
	helper_start();
	pthread_join(helper.thread, NULL);

	for (ph = 0; ph < NR_PHASES; ph++) {
		registrations += tallies[ph].registered;
		rounds += tallies[ph].rounds;
	}
	/* iterations: the rounds run, in all phases; not the ones asked for. */
	ksft_print_msg("figures: iterations=%llu iterations_asked=%llu min_iterations=%llu registrations=%llu seed=%llu signal_rounds=%llu signal_fired=%llu signal_interrupted=%llu signals=%llu signal_late=%lld bh_delay_us=%llu cancel_rounds=%llu cancel_fired=%llu cancelled=%llu release_rounds=%llu release_fired=%llu release_dropped=%llu burst_rounds=%llu,%llu,%llu irq_close_rounds=%llu unload_rounds=%llu queue_close_rounds=%llu queue_close_registered=%llu queue_close_read=%llu queue_close_dropped=%llu periodic_rounds=%llu periodic_ticks=%llu periodic_records=%llu periodic_lost=%llu periodic_triggered=%llu trigger_rounds=%llu trigger_fired=%llu trigger_cancelled=%llu triggered=%llu trigger_cancel_both=%llu uring_cmd_rounds=%llu uring_cmd_batches=%llu uring_cmd_fired=%llu uring_cmd_cancelled=%llu uring_cmd_ring_exits=%llu seconds=%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n",
		       rounds, opt.iterations,
		       opt.min_iterations < opt.iterations ?
		       opt.min_iterations : opt.iterations,
		       (unsigned long long)registrations,
		       (unsigned long long)opt.seed,
		       (unsigned long long)tallies[PH_SIGNAL].rounds,
		       (unsigned long long)tallies[PH_SIGNAL].fired,
		       (unsigned long long)tallies[PH_SIGNAL].interrupted,
		       (unsigned long long)tallies[PH_SIGNAL].signals,
		       tallies[PH_SIGNAL].late, opt.bh_delay_us,
		       (unsigned long long)tallies[PH_CANCEL].rounds,
		       (unsigned long long)tallies[PH_CANCEL].fired,
		       (unsigned long long)tallies[PH_CANCEL].cancelled,
		       (unsigned long long)tallies[PH_RELEASE].rounds,
		       (unsigned long long)tallies[PH_RELEASE].fired,
		       (unsigned long long)tallies[PH_RELEASE].dropped,
		       (unsigned long long)tallies[PH_SIGNAL].bursts,
		       (unsigned long long)tallies[PH_CANCEL].bursts,
		       (unsigned long long)tallies[PH_RELEASE].bursts,
		       (unsigned long long)tallies[PH_IRQ_CLOSE].rounds,
		       (unsigned long long)tallies[PH_UNLOAD].rounds,
		       (unsigned long long)tallies[PH_QUEUE_CLOSE].rounds,
		       (unsigned long long)tallies[PH_QUEUE_CLOSE].registered,
		       (unsigned long long)tallies[PH_QUEUE_CLOSE].records,
		       (unsigned long long)tallies[PH_QUEUE_CLOSE].dropped,
		       (unsigned long long)tallies[PH_PERIODIC_CANCEL].rounds,
		       (unsigned long long)(tallies[PH_PERIODIC_CANCEL].ticks +
					    tallies[PH_PERIODIC_CANCEL].counts),
		       (unsigned long long)tallies[PH_PERIODIC_CANCEL].records,
		       (unsigned long long)tallies[PH_PERIODIC_CANCEL].lost,
		       (unsigned long long)tallies[PH_PERIODIC_CANCEL].triggered,
		       (unsigned long long)tallies[PH_TRIGGER_CANCEL].rounds,
		       (unsigned long long)tallies[PH_TRIGGER_CANCEL].fired,
		       (unsigned long long)tallies[PH_TRIGGER_CANCEL].cancelled,
		       (unsigned long long)tallies[PH_TRIGGER_CANCEL].triggered,
		       (unsigned long long)tallies[PH_TRIGGER_CANCEL].both,
		       (unsigned long long)tallies[PH_URING_CMD].rounds,
		       (unsigned long long)tallies[PH_URING_CMD].batches,
		       (unsigned long long)tallies[PH_URING_CMD].fired,
		       (unsigned long long)tallies[PH_URING_CMD].cancelled,
		       (unsigned long long)tallies[PH_URING_CMD].ring_exits,
		       tallies[PH_SIGNAL].time_ns / 1e9,
		       tallies[PH_CANCEL].time_ns / 1e9,
		       tallies[PH_RELEASE].time_ns / 1e9,
		       tallies[PH_IRQ_CLOSE].time_ns / 1e9,
		       tallies[PH_UNLOAD].time_ns / 1e9,
		       tallies[PH_QUEUE_CLOSE].time_ns / 1e9,
		       tallies[PH_PERIODIC_CANCEL].time_ns / 1e9,
		       tallies[PH_TRIGGER_CANCEL].time_ns / 1e9,
		       tallies[PH_URING_CMD].time_ns / 1e9);
	err = tap_exit();
	return err;
}
