// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_irqsoff - issue 15, section 2: the longest interrupts-off
 * section hwevent makes must not grow with the number of registrations.
 *
 * Measured with the kernel's irqsoff latency tracer (CONFIG_IRQSOFF_TRACER,
 * the debug kernel of make check-debug): tracing_max_latency is the
 * longest interrupts-off section since it was last reset, and the trace
 * then holds that section: where interrupts went off ("started at"), where
 * they came back on ("ended at") and the stack there. The maximum is
 * global, so the program prints nothing while it measures (a console write
 * keeps interrupts off too) and says for each maximum whether hwevent code
 * is in its trace.
 *
 * The question is whether a file's sections grow with the registrations
 * it holds, so each measured window does the same work at every size:
 * the largest size's number of registrations, held by files of the size
 * measured (at 16 of 1024: 64 files of 16 registrations). A longer window
 * would otherwise see a longer maximum for no reason of hwevent's (under
 * emulation, any moment the host did not run the vCPU is part of
 * whatever section it fell in), and the timers expiring per hrtimer
 * interrupt are the same at every size. All on one eventfd that --epolls
 * epoll instances (default 64) watch, so that each signal of it runs that
 * many wake-up callbacks; each phase --reps times (default 5), the
 * tracer's maximum reset before each repetition and read after it:
 *  tick:    periodic EVENTFD registrations (--period-ns, default 1 s),
 *	     their expiries spread evenly over the first SPREAD_NS (50 ms)
 *	     of each period, so that each timer interrupt expires few of
 *	     them (1024 timers due at once would make the hrtimer interrupt
 *	     itself long, as 1024 timerfds would: not hwevent's to shorten);
 *	     the bottom half is held back BH_DELAY_US (100 ms, the most
 *	     test_bh_delay_us allows) after the first, so that each period
 *	     it runs about once per file. A reader
 *	     consumes the eventfd every 2 ms. Windows of --seconds (default
 *	     1, one period each).
 *  trigger: periodic registrations that never expire by themselves (an
 *	     hour), HWEVENT_IOC_TRIGGER with HWEVENT_TRIGGER_ALL on each
 *	     file, each delivering one count per registration, read to the
 *	     end.
 *  cancel:  HWEVENT_IOC_CANCEL with HWEVENT_CANCEL_ALL on each file of a
 *	     new set.
 *  close:   the last close (release) of each file of a new set.
 * After each phase, a window as long with no hwevent work and every CPU
 * busy in user space: the background, the longest section the system
 * makes by itself (the timer interrupt,
 * RCU; under emulation any moment the host did not run the vCPU, which the
 * guest sees as part of whatever section it fell in: a few ms of hard irq
 * is common and not hwevent's). The sizes take turns, repetition by
 * repetition, so that a slow stretch of the host falls on both. One
 * repetition's maximum can still be anything: medians are compared.
 *
 * Cases, per phase: the median maximum at the largest size is within
 * 2 x the larger of the median at the smallest size and the median
 * background beside the largest (a section that grows with a file's
 * registrations passes neither), and every repetition did its work (the
 * counts delivered, the registrations cancelled). Figures: every maximum,
 * and the trace of each median one, as "# " lines (with whether hwevent
 * code is in it: the issue asks about the sections hwevent makes, and a
 * maximum outside hwevent bounds those); the medians in "# figures:".
 *
 * Needs root, the module loaded, tracefs with the irqsoff tracer; skips
 * (exit 4) without it. Leaves current_tracer at nop and test_bh_delay_us
 * at 0. A watchdog fails the run (exit 1) after --limit-seconds.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "hwevent_util.h"

#define TRACEFS		"/sys/kernel/tracing"
#define MAX_SIZES	4
#define MAX_EPOLLS	1000
#define MAX_FILES	256
#define MAX_CPUS	64
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define HOUR_NS		(3600ULL * NSEC_PER_SEC)
#define MAX_REPS	15
#define SPREAD_NS	(50 * NSEC_PER_MSEC)
#define BH_DELAY_US	100000

enum phase { TICK, TRIGGER, CANCEL, CLOSE, NR_PHASES };
static const char * const phase_names[NR_PHASES] = {
	"tick", "trigger", "cancel", "close",
};

static struct {
	unsigned int sizes[MAX_SIZES];
	unsigned int nsizes;
	unsigned int epolls;
	unsigned int seconds;
	unsigned long long period_ns;
	unsigned int limit_seconds;
	unsigned int reps;
} opt = {
	.reps = 5,
	.sizes = { 16, 1024 },
	.nsizes = 2,
	.epolls = 64,
	.seconds = 1,
	.period_ns = NSEC_PER_SEC,
	.limit_seconds = 600,
};

/* One maximum: the longest interrupts-off section of one repetition. */
struct sample {
	long long max_us;	/* -1: not measured */
	int hwevent;		/* hwevent code in the trace of it */
	char where[256];	/* started at / ended at, callers, frames */
};

struct measure {
	struct sample rep[MAX_REPS];
	unsigned int nrep;
	unsigned int median;	/* index in rep[] of the median maximum */
	int work_ok;		/* every repetition did what it should */
	char work[160];		/* what they did */
};

/* Each size's phases, and the background over as long as each took. */
static struct measure m[MAX_SIZES][NR_PHASES], bg[MAX_SIZES][NR_PHASES];

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	err = n == (ssize_t)strlen(s) ? 0 : (n < 0 ? errno : EIO);
	close(fd);
	return err;
}

static long long read_num(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int max_reset(void)
{
	return write_file(TRACEFS "/tracing_max_latency", "0");
}

/* Appends @piece to @r->where; hwevent code if it names any. */
static void where_add(struct sample *r, size_t *used, const char *piece)
{
	if (strstr(piece, "hwevent"))
		r->hwevent = 1;
	if (*used < sizeof(r->where) - 1)
		*used += snprintf(r->where + *used, sizeof(r->where) - *used,
				  "%s%s", *used ? "; " : "", piece);
	if (*used > sizeof(r->where) - 1)
		*used = sizeof(r->where) - 1;
}

/*
 * The maximum, and from the trace of it: "=> started at: X" and "=> ended
 * at: Y", the functions it recorded ("X <-caller", the caller of the
 * irq-disabling and -enabling functions) and the first stack frames
 * (" => func") at its end; and whether any of those names hwevent (a
 * function of the module, "[hwevent]"). Not the header, which names the
 * task (this program: "hwevent_irqsof").
 */
static void max_read(struct sample *r)
{
	char line[512], *p;
	size_t used = 0;
	int frames = 0;
	FILE *f;

	r->max_us = read_num(TRACEFS "/tracing_max_latency");
	r->hwevent = 0;
	r->where[0] = '\0';
	f = fopen(TRACEFS "/trace", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		p = strstr(line, "=> started at:");
		if (p) {
			where_add(r, &used, p + 3);
			continue;
		}
		p = strstr(line, "=> ended at:");
		if (p) {
			where_add(r, &used, p + 3);
			continue;
		}
		if (line[0] == '#')
			continue;
		if (!strncmp(line, " => ", 4)) {
			if (frames++ < 6)
				where_add(r, &used, line + 4);
			continue;
		}
		p = strstr(line, " <-");
		if (p) {
			char *fn = strrchr(line, ':');

			if (fn && fn < p)
				where_add(r, &used, fn + 2);
		}
	}
	fclose(f);
}

struct reader {
	pthread_t th;
	int efd;
	int stop;		/* __atomic: set by the main thread */
	uint64_t counts;
};

static void *reader_fn(void *arg)
{
	struct reader *rd = arg;

	while (!__atomic_load_n(&rd->stop, __ATOMIC_RELAXED)) {
		uint64_t v = efd_take(rd->efd);

		if (v != UINT64_MAX)
			__atomic_fetch_add(&rd->counts, v, __ATOMIC_RELAXED);
		sleep_ns(2 * NSEC_PER_MSEC);
	}
	return NULL;
}

/* An eventfd and @n epoll instances watching it; epfds[] filled. */
static int watched_eventfd(int *epfds, unsigned int n)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int efd = make_eventfd();
	unsigned int i;

	if (efd < 0)
		ksft_exit_fail_msg("eventfd: %s\n", strerror(errno));
	for (i = 0; i < n; i++) {
		epfds[i] = epoll_create1(EPOLL_CLOEXEC);
		if (epfds[i] < 0 || epoll_ctl(epfds[i], EPOLL_CTL_ADD, efd, &ev))
			ksft_exit_fail_msg("epoll: %s\n", strerror(errno));
	}
	return efd;
}

static void close_all(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static int open_dev_or_die(void)
{
	int fd = open(HWEVENT_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		ksft_exit_fail_msg("open %s: %s\n", HWEVENT_PATH, strerror(errno));
	return fd;
}

/*
 * @n periodic EVENTFD registrations on @efd, numbered from @k0 of @total
 * across files; the k-th first due at @first + @spread * k / @total (at
 * once if that has passed). Returns how many were made.
 */
static unsigned int register_n(int dev, int efd, unsigned int n,
			       uint64_t period, uint64_t first, uint64_t spread,
			       unsigned int k0, unsigned int total)
{
	struct hwevent_register r;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t due = first + spread * (k0 + i) / total, now = now_ns();
		int err;

		reg_set(&r, HWEVENT_MODE_EVENTFD, efd, due > now ? due - now : 0, i);
		r.period_ns = period;
		err = do_register(dev, &r);
		if (err) {
			ksft_print_msg("registration %u of %u: %s\n", i, n,
				       errno_name(err));
			break;
		}
	}
	return i;
}

/*
 * @nfiles files of @n registrations each (see register_n()) in @devs;
 * returns how many registrations were made in all.
 */
static unsigned int open_files(int *devs, unsigned int nfiles, int efd,
			       unsigned int n, uint64_t period,
			       uint64_t first, uint64_t spread)
{
	unsigned int f, made = 0;

	for (f = 0; f < nfiles; f++) {
		devs[f] = open_dev_or_die();
		made += register_n(devs[f], efd, n, period, first, spread,
				   f * n, nfiles * n);
	}
	return made;
}

/*
 * Between phases, never inside a measured window: a line now and then, so
 * that a slow run (the debug kernel under emulation) does not look hung
 * to the VM's stall watchdog, then a pause for
 * the console to drain (the UART's interrupt handler holds its port lock
 * with interrupts off).
 */
static void progress(unsigned int n, const char *phase)
{
	ksft_print_msg("... %u registrations: %s done\n", n, phase);
	fflush(stdout);
	sleep_ns(200 * NSEC_PER_MSEC);
}

/* The next sample of @me; all of them used: the last one again. */
static struct sample *next_sample(struct measure *me)
{
	if (me->nrep < opt.reps)
		return &me->rep[me->nrep++];
	return &me->rep[opt.reps - 1];
}

struct spinner {
	pthread_t th;
	int cpu;
	uint64_t until;
};

static void *spinner_fn(void *arg)
{
	struct spinner *sp = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sp->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (now_ns() < sp->until)
		;
	return NULL;
}

/*
 * As long again with no hwevent work going on, every CPU busy in user
 * space: the longest section the system makes by itself in a window that
 * long (the timer interrupt, RCU; under emulation a vCPU the host did not
 * run), to tell hwevent's sections from the background's. Busy, because
 * an idle CPU's wake-up shows as one section as long as it slept.
 */
static void background(struct measure *me, uint64_t ns)
{
	struct spinner sp[MAX_CPUS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int i, n = cpus < 1 ? 1 : cpus > MAX_CPUS ? MAX_CPUS : cpus;
	uint64_t until;

	max_reset();
	until = now_ns() + ns;
	for (i = 0; i < n; i++) {
		sp[i].cpu = i;
		sp[i].until = until;
		if (pthread_create(&sp[i].th, NULL, spinner_fn, &sp[i]))
			ksft_exit_fail_msg("pthread_create failed\n");
	}
	for (i = 0; i < n; i++)
		pthread_join(sp[i].th, NULL);
	max_read(next_sample(me));
}

/*
 * One repetition of each phase at size @s: the tracer's maximum reset
 * before and read after each, then the background over as long.
 */
static void run_size(unsigned int s)
{
	unsigned int n = opt.sizes[s], nfiles, total, made, f;
	int epfds[MAX_EPOLLS], devs[MAX_FILES], efd, err, bh_err;
	struct measure *r = m[s], *b = bg[s];
	struct reader rd = { 0 };
	uint64_t got, count, sum, t0, t1;

	/* The largest size's registrations, in files of @n. */
	nfiles = DIV_ROUND_UP(opt.sizes[opt.nsizes - 1], n);
	total = nfiles * n;

	/* tick: a window of --seconds with every registration ticking */
	efd = watched_eventfd(epfds, opt.epolls);
	bh_err = param_write(BH_DELAY_PATH, BH_DELAY_US);
	if (bh_err)
		ksft_print_msg("test_bh_delay_us: %s\n", errno_name(bh_err));
	made = open_files(devs, nfiles, efd, n, opt.period_ns,
			  now_ns() + 200 * NSEC_PER_MSEC, SPREAD_NS);
	rd.efd = efd;
	if (pthread_create(&rd.th, NULL, reader_fn, &rd))
		ksft_exit_fail_msg("pthread_create failed\n");
	/* Past the first drain: the window must see ticks. */
	sleep_ns(200 * NSEC_PER_MSEC + SPREAD_NS + BH_DELAY_US * NSEC_PER_USEC +
		 100 * NSEC_PER_MSEC);
	count = __atomic_load_n(&rd.counts, __ATOMIC_RELAXED);
	max_reset();
	sleep_ns(opt.seconds * NSEC_PER_SEC);
	got = __atomic_load_n(&rd.counts, __ATOMIC_RELAXED) - count;
	max_read(next_sample(&r[TICK]));
	/*
	 * Ticks all through the window: a file delivers one signal of an
	 * eventfd per read of it, what it could not deliver meanwhile counted
	 * in the next one's count, so a window's counts are about, not
	 * exactly, one per registration and period.
	 */
	if (made != total || got < total / 2 || bh_err)
		r[TICK].work_ok = 0;
	if (!r[TICK].work[0])
		snprintf(r[TICK].work, sizeof(r[TICK].work),
			 "%u files of %u registrations, counts read per %u s window:",
			 nfiles, n, opt.seconds);
	snprintf(r[TICK].work + strlen(r[TICK].work),
		 sizeof(r[TICK].work) - strlen(r[TICK].work), " %llu",
		 (unsigned long long)got);
	__atomic_store_n(&rd.stop, 1, __ATOMIC_RELAXED);
	pthread_join(rd.th, NULL);
	close_all(devs, nfiles);
	param_write(BH_DELAY_PATH, 0);
	close(efd);
	close_all(epfds, opt.epolls);
	background(&b[TICK], opt.seconds * NSEC_PER_SEC);
	progress(n, "tick");

	/* trigger: TRIGGER_ALL on each file, read to the end */
	efd = watched_eventfd(epfds, opt.epolls);
	made = open_files(devs, nfiles, efd, n, HOUR_NS, now_ns() + HOUR_NS, 0);
	max_reset();
	t0 = now_ns();
	for (f = 0, sum = 0, err = 0; f < nfiles && !err; f++) {
		err = trigger_id(devs[f], 0, HWEVENT_TRIGGER_ALL, &count);
		sum += err ? 0 : count;
	}
	if (!err && sum != made)
		err = EPROTO;
	got = efd_collect(efd, total, 60 * NSEC_PER_SEC);
	t1 = now_ns();
	max_read(next_sample(&r[TRIGGER]));
	if (made != total || err || got != total)
		r[TRIGGER].work_ok = 0;
	snprintf(r[TRIGGER].work, sizeof(r[TRIGGER].work),
		 "TRIGGER_ALL on %u files of %u: %s, %llu counts",
		 nfiles, n, err ? errno_name(err) : "ok",
		 (unsigned long long)got);
	close_all(devs, nfiles);
	background(&b[TRIGGER], t1 - t0);
	progress(n, "trigger");

	/* cancel: each file's ended by CANCEL_ALL */
	made = open_files(devs, nfiles, efd, n, HOUR_NS, now_ns() + HOUR_NS, 0);
	max_reset();
	t0 = now_ns();
	for (f = 0, sum = 0, err = 0; f < nfiles && !err; f++) {
		err = cancel_id(devs[f], 0, HWEVENT_CANCEL_ALL, &count);
		sum += err ? 0 : count;
	}
	t1 = now_ns();
	max_read(next_sample(&r[CANCEL]));
	if (made != total || err || sum != total)
		r[CANCEL].work_ok = 0;
	snprintf(r[CANCEL].work, sizeof(r[CANCEL].work),
		 "CANCEL_ALL on %u files of %u: %s, %llu cancelled",
		 nfiles, n, err ? errno_name(err) : "ok",
		 (unsigned long long)sum);
	close_all(devs, nfiles);
	background(&b[CANCEL], t1 - t0);
	progress(n, "cancel");

	/* close: each file released with its registrations armed */
	made = open_files(devs, nfiles, efd, n, HOUR_NS, now_ns() + HOUR_NS, 0);
	max_reset();
	t0 = now_ns();
	close_all(devs, nfiles);
	t1 = now_ns();
	max_read(next_sample(&r[CLOSE]));
	if (made != total)
		r[CLOSE].work_ok = 0;
	snprintf(r[CLOSE].work, sizeof(r[CLOSE].work),
		 "close of %u files with %u armed each", nfiles, n);
	background(&b[CLOSE], t1 - t0);
	close(efd);
	close_all(epfds, opt.epolls);
	progress(n, "close");
}

/* Picks the median maximum (the lower middle one of an even count). */
static void pick_median(struct measure *me)
{
	unsigned int i, j, below, equal;

	me->median = 0;
	for (i = 0; i < me->nrep; i++) {
		below = equal = 0;
		for (j = 0; j < me->nrep; j++) {
			below += me->rep[j].max_us < me->rep[i].max_us;
			equal += me->rep[j].max_us == me->rep[i].max_us;
		}
		if (below <= (me->nrep - 1) / 2 && below + equal > (me->nrep - 1) / 2) {
			me->median = i;
			return;
		}
	}
}

static long long median_us(const struct measure *me)
{
	return me->nrep ? me->rep[me->median].max_us : -1;
}

/* One line per size and phase: every maximum, the median one's trace. */
static void print_measure(unsigned int size, const char *phase,
			  const char *what, struct measure *me)
{
	const struct sample *med;
	char list[160];
	size_t ul = 0;
	unsigned int i;

	pick_median(me);
	med = &me->rep[me->median];
	list[0] = '\0';
	for (i = 0; i < me->nrep && ul < sizeof(list); i++)
		ul += snprintf(list + ul, sizeof(list) - ul, "%s%lld",
			       i ? " " : "", me->rep[i].max_us);
	ksft_print_msg("%u registrations, %s%s: max irqs-off per repetition %s us; median %lld us%s (%s)%s%s\n",
		       size, phase, what, list, med->max_us,
		       med->hwevent ? ", hwevent code in its trace" : "",
		       med->where[0] ? med->where : "no trace",
		       me->work[0] ? "; " : "", me->work);
}

static void on_alarm(int sig)
{
	static const char msg[] =
		"Bail out! hwevent_irqsoff: the run overran --limit-seconds\n";

	(void)sig;
	write_file(TRACEFS "/current_tracer", "nop");
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(KSFT_FAIL);
	_exit(KSFT_FAIL);
}

static void usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [--sizes N,M] [--epolls N] [--seconds S] [--period-ns NS] [--reps N] [--limit-seconds S]\n"
		"  --sizes N,M        registrations per file, smallest first, the largest\n"
		"                     at most 256 x the smallest (default 16,1024)\n"
		"  --epolls N         epoll instances watching the eventfd (default 64)\n"
		"  --seconds S        length of each tick window (default 1: one period)\n"
		"  --reps N           repetitions of each phase, at most 15 (default 5)\n"
		"  --period-ns NS     the ticks' period, at least 150 ms (default 1000000000)\n"
		"  --limit-seconds S  watchdog (default 600)\n",
		prog);
	exit(status);
}

static void parse_sizes(const char *prog, char *arg)
{
	char *tok, *save = NULL;

	opt.nsizes = 0;
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (opt.nsizes == MAX_SIZES)
			usage(prog, 2);
		opt.sizes[opt.nsizes] = parse_num(prog, "--sizes", tok);
		if (!opt.sizes[opt.nsizes++])
			usage(prog, 2);
	}
	if (opt.nsizes < 2)
		usage(prog, 2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sizes", required_argument, NULL, 'n' },
		{ "epolls", required_argument, NULL, 'e' },
		{ "seconds", required_argument, NULL, 's' },
		{ "period-ns", required_argument, NULL, 'p' },
		{ "limit-seconds", required_argument, NULL, 'l' },
		{ "reps", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char figures[1024];
	unsigned int s, p, big, rep;
	size_t used = 0;
	long long thresh;
	struct stat sb;
	int c, err;

	while ((c = getopt_long(argc, argv, "n:e:s:p:l:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			parse_sizes(argv[0], optarg);
			break;
		case 'e':
			opt.epolls = parse_num(argv[0], "--epolls", optarg);
			break;
		case 's':
			opt.seconds = parse_num(argv[0], "--seconds", optarg);
			break;
		case 'p':
			opt.period_ns = parse_num(argv[0], "--period-ns", optarg);
			break;
		case 'l':
			opt.limit_seconds = parse_num(argv[0], "--limit-seconds", optarg);
			break;
		case 'r':
			opt.reps = parse_num(argv[0], "--reps", optarg);
			break;
		case 'h':
			usage(argv[0], 0);
			break;
		default:
			usage(argv[0], 2);
		}
	}
	if (optind != argc || opt.epolls > MAX_EPOLLS || !opt.seconds ||
	    !opt.reps || opt.reps > MAX_REPS ||
	    opt.period_ns < SPREAD_NS + BH_DELAY_US * NSEC_PER_USEC)
		usage(argv[0], 2);
	big = opt.nsizes - 1;
	if (DIV_ROUND_UP(opt.sizes[big], opt.sizes[0]) > MAX_FILES)
		usage(argv[0], 2);

	require_device();
	ksft_print_header();
	if (stat(TRACEFS "/tracing_max_latency", &sb))
		ksft_exit_skip("no %s/tracing_max_latency (tracefs, CONFIG_IRQSOFF_TRACER)\n",
			       TRACEFS);
	err = write_file(TRACEFS "/current_tracer", "irqsoff");
	if (err)
		ksft_exit_skip("current_tracer irqsoff: %s (CONFIG_IRQSOFF_TRACER)\n",
			       strerror(err));
	thresh = read_num(TRACEFS "/tracing_thresh");
	if (thresh > 0)
		write_file(TRACEFS "/tracing_thresh", "0");
	write_file(TRACEFS "/tracing_on", "1");
	if (read_max_pending() >= 0 && read_max_pending() < opt.sizes[big])
		ksft_print_msg("max_pending %lld < %u: registrations will fail\n",
			       read_max_pending(), opt.sizes[big]);

	signal(SIGALRM, on_alarm);
	alarm(opt.limit_seconds);
	ksft_set_plan(NR_PHASES);
	ksft_print_msg("irqsoff tracer; one eventfd watched by %u epoll instances; tick period %llu ns, windows of %u s; %u repetitions of each phase\n",
		       opt.epolls, opt.period_ns, opt.seconds, opt.reps);

	for (s = 0; s < opt.nsizes; s++)
		for (p = 0; p < NR_PHASES; p++)
			m[s][p].work_ok = 1;
	/*
	 * The sizes in turn, each repetition: a slow stretch of the host's
	 * falls on both, not on whichever ran then.
	 */
	for (rep = 0; rep < opt.reps; rep++)
		for (s = 0; s < opt.nsizes; s++) {
			/* Quiet while measuring: the results are printed after. */
			fflush(stdout);
			run_size(s);
		}
	write_file(TRACEFS "/current_tracer", "nop");

	for (s = 0; s < opt.nsizes; s++)
		for (p = 0; p < NR_PHASES; p++) {
			print_measure(opt.sizes[s], phase_names[p], "", &m[s][p]);
			print_measure(opt.sizes[s], phase_names[p], " (background, as long)",
				      &bg[s][p]);
		}

	for (p = 0; p < NR_PHASES; p++) {
		long long lo = median_us(&m[0][p]), hi = median_us(&m[big][p]);
		long long bgm = median_us(&bg[big][p]);
		long long ref = lo > bgm ? lo : bgm;
		int ok = lo > 0 && hi >= 0 && hi <= 2 * ref;

		for (s = 0; s < opt.nsizes; s++)
			ok = ok && m[s][p].work_ok;
		tap_result(ok, "%s: median max irqs-off at %u registrations %lld us <= 2 x the larger of: at %u, %lld us; the background, %lld us (ratio to it %.1f)",
			   phase_names[p], opt.sizes[big], hi, opt.sizes[0], lo,
			   bgm, ref > 0 ? (double)hi / ref : 0.0);
		for (s = 0; s < opt.nsizes && used < sizeof(figures); s++)
			used += snprintf(figures + used, sizeof(figures) - used,
					 " %s_%u_us=%lld", phase_names[p],
					 opt.sizes[s], median_us(&m[s][p]));
		if (used < sizeof(figures))
			used += snprintf(figures + used, sizeof(figures) - used,
					 " %s_background_us=%lld", phase_names[p], bgm);
	}
	ksft_print_msg("figures: epolls=%u%s\n", opt.epolls, figures);
	return tap_exit();
}
