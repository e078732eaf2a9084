// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_load - issue 15, section 1: the rate a periodic registration
 * costs when nobody consumes what it delivers.
 *
 * The attack: one thread per CPU, each with its own open file and
 * --regs periodic registrations (default max_pending), half QUEUE and half
 * EVENTFD (each with an eventfd of its own, closed at once: never read), at
 * --period-ns (default HWEVENT_MIN_PERIOD_NS), never read: set up (within
 * --setup-seconds, default 60: the debug kernel is slow to make 2048
 * timerfds), then left armed for --seconds.
 * Beside it, the control: as many timerfds (CLOCK_MONOTONIC, the same
 * period), never read either. A timerfd nobody reads expires once and
 * stays stopped until read (timerfd_read() forwards it); a periodic
 * registration nobody consumes must not cost more than a few times that.
 *
 * Counted independently of the module: every hrtimer expiry, by callback,
 * from the trace event timer:hrtimer_expire_entry in a trace instance per
 * callback filtered on its address (hwevent_timer_fn against
 * timerfd_tmrproc); see counters_start(). The
 * module's own debugfs counters (ticks, overruns) are shown beside them.
 * Meanwhile cyclictest (rt-tests) measures the timer wake-up latency of a
 * real-time thread per CPU, against a quiet run of the same length before
 * the attack. /proc/timer_list's nr_hangs (hrtimer_interrupt() gave up
 * catching up) and the kernel log's "hrtimer: interrupt took" (printed
 * once per boot at the first hang) say whether the interrupt drowned.
 *
 * Then the consuming variant: one file with --regs periodic QUEUE
 * registrations, one reader reading one record every 1/--consume-rate s
 * (non-blocking), for --seconds: the expiries must follow what is
 * consumed, not what is requested.
 *
 * Cases:
 *  1. attack: hwevent expiries/s <= registrations + 2 x the timerfd
 *     control's expiries/s (requested: threads x regs x 1e9 / period)
 *  2. attack: no hrtimer hang in its steady state (nr_hangs unchanged
 *     from 0.5 s after everything is armed to the end: the first expiries
 *     of 2 x threads x regs timers armed at once, timerfds included, may
 *     hang hrtimer_interrupt() under emulation whatever the driver does;
 *     the hangs in all and "hrtimer: interrupt took" are shown)
 *  3. attack: cyclictest's max latency under the attack within
 *     10 x the quiet run's + 20 ms (generous: the figures are the point)
 *  4. consume: the reader gets at least half the records it asks for
 *  5. consume: hwevent expiries <= --consume-factor x records consumed +
 *     registrations + queue_size (the first expiry of each, and the
 *     queue's fill)
 *  6. consume: no hrtimer hang in its steady state (from 0.5 s on)
 * The figures are "# " lines and one "# figures:" line.
 *
 * Needs root, the module loaded, tracefs with instances, and
 * /usr/bin/cyclictest for case 3 (skipped
 * without it). A watchdog ends the run (exit 1) after --limit-seconds,
 * so that a guest the attack drowns fails instead of hanging.
 *
 * Exit: 0 all passed, 1 a failure, 4 skipped (no device or no tracefs).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "hwevent_util.h"

#define TRACEFS		"/sys/kernel/tracing"
#define INSTANCES	TRACEFS "/instances"
#define EXPIRE_EVENT	"events/timer/hrtimer_expire_entry"
#define CYCLICTEST	"/usr/bin/cyclictest"
#define TIMER_LIST	"/proc/timer_list"
#define HANG_MSG	"hrtimer: interrupt took"
/* How long into a phase its steady state starts. */
#define STEADY_NS	(500 * NSEC_PER_MSEC)

static struct {
	unsigned int seconds;
	unsigned int threads;
	unsigned int regs;
	unsigned long long period_ns;
	unsigned int consume_rate;
	unsigned int consume_factor;
	unsigned int limit_seconds;
	unsigned int setup_seconds;
} opt = {
	.setup_seconds = 60,
	.seconds = 3,
	.period_ns = HWEVENT_MIN_PERIOD_NS,
	.consume_rate = 200,
	.consume_factor = 4,
	.limit_seconds = 250,
};

/* The callbacks whose expiries are counted; see counters_start(). */
static const char * const counted_fn[] = {
	"hwevent_timer_fn", "timerfd_tmrproc",
};
#define NR_COUNTED	2

/* hrtimer expiries by callback. */
struct expiries {
	unsigned long long hwevent;
	unsigned long long timerfd;
	unsigned long long overwritten;	/* counted, no longer in the buffers */
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	err = n == (ssize_t)strlen(s) ? 0 : (n < 0 ? errno : EIO);
	close(fd);
	return err;
}

/* The whole of a (proc or trace) file, NUL-terminated; NULL on error. */
static char *slurp(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* The address of kernel function @sym ("t" or "T") from /proc/kallsyms. */
static unsigned long long ksym_addr(const char *sym)
{
	char line[512], name[256], type;
	unsigned long long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    (type == 't' || type == 'T') && !strcmp(name, sym))
			found = addr;
	}
	fclose(f);
	return found;
}

static void instance_path(char *buf, size_t len, unsigned int c,
			  const char *file)
{
	snprintf(buf, len, INSTANCES "/hwevent_load_%s%s%s", counted_fn[c],
		 *file ? "/" : "", file);
}

static void counters_stop(void)
{
	char path[PATH_MAX];
	unsigned int c;

	for (c = 0; c < NR_COUNTED; c++) {
		instance_path(path, sizeof(path), c, EXPIRE_EVENT "/enable");
		write_file(path, "0");
		instance_path(path, sizeof(path), c, "");
		rmdir(path);
	}
}

/*
 * One trace instance per callback counted, with the expiry event on,
 * filtered on that callback's address: its ring buffer's counts (what it
 * holds plus what it overwrote) are the callback's expiries. Works without
 * hist triggers (Debian's 5.10 has none).
 */
static int counters_start(void)
{
	char path[PATH_MAX], filter[64];
	unsigned long long addr;
	unsigned int c;
	int err;

	/* Instances left by a run that died. */
	counters_stop();
	for (c = 0; c < NR_COUNTED; c++) {
		addr = ksym_addr(counted_fn[c]);
		if (!addr) {
			ksft_print_msg("%s is not in /proc/kallsyms\n",
				       counted_fn[c]);
			return ENOENT;
		}
		instance_path(path, sizeof(path), c, "");
		if (mkdir(path, 0700))
			return errno;
		snprintf(filter, sizeof(filter), "function == 0x%llx", addr);
		instance_path(path, sizeof(path), c, EXPIRE_EVENT "/filter");
		err = write_file(path, filter);
		if (err)
			return err;
		instance_path(path, sizeof(path), c, EXPIRE_EVENT "/enable");
		err = write_file(path, "1");
		if (err)
			return err;
	}
	return 0;
}

/* Sum over the instance's CPUs of "entries:" + "overrun:". */
static int counter_read(unsigned int c, unsigned long long *n,
			unsigned long long *lost)
{
	char path[PATH_MAX], *buf, *p;
	struct dirent *d;
	DIR *dir;

	*n = *lost = 0;
	instance_path(path, sizeof(path), c, "per_cpu");
	dir = opendir(path);
	if (!dir)
		return errno;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "cpu", 3))
			continue;
		instance_path(path, sizeof(path), c, "per_cpu/");
		strncat(path, d->d_name, sizeof(path) - strlen(path) - 1);
		strncat(path, "/stats", sizeof(path) - strlen(path) - 1);
		buf = slurp(path);
		if (!buf) {
			closedir(dir);
			return errno ? errno : EIO;
		}
		for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
			if (!strncmp(p, "entries:", 8)) {
				*n += strtoull(p + 8, NULL, 10);
			} else if (!strncmp(p, "overrun:", 8)) {
				*n += strtoull(p + 8, NULL, 10);
				*lost += strtoull(p + 8, NULL, 10);
			}
		}
		free(buf);
	}
	closedir(dir);
	return 0;
}

static int counters_read(struct expiries *e)
{
	unsigned long long lost;
	int err;

	memset(e, 0, sizeof(*e));
	err = counter_read(0, &e->hwevent, &lost);
	e->overwritten += lost;
	if (!err)
		err = counter_read(1, &e->timerfd, &lost);
	e->overwritten += lost;
	return err;
}

/* Sum over CPUs of /proc/timer_list's .nr_hangs; max of .max_hang_time. */
static int hangs_read(unsigned long long *hangs, unsigned long long *max_ns)
{
	char *buf = slurp(TIMER_LIST), *p;
	int found = 0;

	*hangs = 0;
	*max_ns = 0;
	if (!buf)
		return errno ? errno : EIO;
	for (p = buf; (p = strstr(p, ".nr_hangs")); p++) {
		char *c = strchr(p, ':');

		if (c) {
			*hangs += strtoull(c + 1, NULL, 10);
			found = 1;
		}
	}
	for (p = buf; (p = strstr(p, ".max_hang_time")); p++) {
		char *c = strchr(p, ':');
		unsigned long long v = c ? strtoull(c + 1, NULL, 10) : 0;

		if (v > *max_ns)
			*max_ns = v;
	}
	free(buf);
	/* No count to compare (no CONFIG_HIGH_RES_TIMERS): not "no hang". */
	return found ? 0 : ENOENT;
}

/* /dev/kmsg, positioned at its start (@at_end 0) or end. */
static int kmsg_open(int at_end)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && at_end)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Records from @fd's position on that contain @needle. */
static unsigned int kmsg_count(int fd, const char *needle)
{
	char rec[8192];
	unsigned int count = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten under us: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, needle))
			count++;
	}
	return count;
}

struct cyclic {
	pid_t pid;
	char path[64];
};

/* cyclictest as make bench runs it, for @secs, its output to a file. */
static int cyclic_start(struct cyclic *c, unsigned int secs, unsigned int cpus)
{
	char d[16], t[16];
	int fd;

	c->pid = -1;
	if (access(CYCLICTEST, X_OK))
		return errno;
	snprintf(c->path, sizeof(c->path), "/tmp/hwevent_load.cyclic.XXXXXX");
	fd = mkstemp(c->path);
	if (fd < 0)
		return errno;
	snprintf(d, sizeof(d), "%u", secs);
	snprintf(t, sizeof(t), "%u", cpus);
	fflush(stdout);
	c->pid = fork();
	if (c->pid < 0) {
		close(fd);
		return errno;
	}
	if (!c->pid) {
		dup2(fd, 1);
		dup2(fd, 2);
		execl(CYCLICTEST, "cyclictest", "-q", "-m", "-a", "-d", "0",
		      "-i", "1000", "-p", "80", "-t", t, "-D", d, (char *)NULL);
		_exit(127);
	}
	close(fd);
	return 0;
}

/*
 * Waits for cyclictest (SIGINT at @deadline, which makes it print its
 * summary; SIGKILL 10 s later) and returns the largest "Max:" of its
 * threads in us, or -1.
 */
static long cyclic_finish(struct cyclic *c, uint64_t deadline)
{
	int status, sent = 0;
	long max = -1;
	char *buf, *p;

	if (c->pid <= 0)
		return -1;
	for (;;) {
		pid_t r = waitpid(c->pid, &status, WNOHANG);

		if (r == c->pid || (r < 0 && errno != EINTR))
			break;
		if (now_ns() > deadline && sent == 0) {
			kill(c->pid, SIGINT);
			sent = 1;
		} else if (now_ns() > deadline + 10 * NSEC_PER_SEC && sent == 1) {
			kill(c->pid, SIGKILL);
			sent = 2;
		}
		sleep_ns(20 * NSEC_PER_MSEC);
	}
	buf = slurp(c->path);
	unlink(c->path);
	if (!buf)
		return -1;
	for (p = buf; (p = strstr(p, "Max:")); p += 4) {
		long v = strtol(p + 4, NULL, 10);

		if (v > max)
			max = v;
	}
	if (max < 0)
		ksft_print_msg("cyclictest printed no Max: '%.300s'\n", buf);
	free(buf);
	return max;
}

struct attacker {
	pthread_t th;
	int cpu;
	uint64_t deadline;
	int dev;
	int *tfds;
	unsigned int ntfds;
	unsigned int nregs;
	int err;
	const char *what;
};

static void *attacker_fn(void *arg)
{
	struct attacker *a = arg;
	struct itimerspec its = {
		.it_interval = { opt.period_ns / NSEC_PER_SEC,
				 opt.period_ns % NSEC_PER_SEC },
		.it_value = { opt.period_ns / NSEC_PER_SEC,
			      opt.period_ns % NSEC_PER_SEC },
	};
	struct hwevent_register r;
	cpu_set_t set;
	unsigned int i;

	CPU_ZERO(&set);
	CPU_SET(a->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);

	a->dev = open(HWEVENT_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (a->dev < 0) {
		a->err = errno;
		a->what = "open " HWEVENT_PATH;
		return NULL;
	}
	/* The control first: it must not look better for starting later. */
	for (i = 0; i < opt.regs && now_ns() < a->deadline; i++) {
		int tfd = timerfd_create(CLOCK_MONOTONIC,
					 TFD_CLOEXEC | TFD_NONBLOCK);

		if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
			a->err = errno;
			a->what = "timerfd";
			if (tfd >= 0)
				close(tfd);
			return NULL;
		}
		a->tfds[a->ntfds++] = tfd;
	}
	for (i = 0; i < opt.regs && now_ns() < a->deadline; i++) {
		uint32_t mode = i % 2 ? HWEVENT_MODE_EVENTFD : HWEVENT_MODE_QUEUE;
		int efd = -1, err;

		if (mode == HWEVENT_MODE_EVENTFD) {
			efd = make_eventfd();
			if (efd < 0) {
				a->err = errno;
				a->what = "eventfd";
				return NULL;
			}
		}
		reg_set(&r, mode, efd, opt.period_ns, i);
		r.period_ns = opt.period_ns;
		err = do_register(a->dev, &r);
		/* The driver holds its own reference: never read. */
		if (efd >= 0)
			close(efd);
		if (err) {
			a->err = err;
			a->what = "HWEVENT_IOC_REGISTER";
			return NULL;
		}
		a->nregs++;
	}
	return NULL;
}

static void on_alarm(int sig)
{
	static const char msg[] =
		"Bail out! hwevent_load: the run overran --limit-seconds (the guest drowned?)\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(KSFT_FAIL);
	_exit(KSFT_FAIL);
}

static double per_s(unsigned long long n, uint64_t ns)
{
	return ns ? n * 1e9 / ns : 0;
}

/*
 * Before/after of one phase: hangs, the kernel log, the module's stats;
 * and the hangs of its steady state (watch_steady() to the end), once the
 * first expiries of everything just armed are past: those come at once,
 * timerfds' too, and under emulation hrtimer_interrupt() may give up on
 * that burst whatever the driver does.
 */
struct watch {
	unsigned long long hangs0, hangs1, max_hang_ns;
	unsigned long long steady0;	/* nr_hangs when the steady state began */
	int steady;			/* steady0 has been read */
	int hangs_ok;			/* hangs1 has been read */
	int kmsg;
	unsigned int hang_msgs;
	struct hw_stats st0, st1;
	int have_stats;
};

static void watch_start(struct watch *w)
{
	memset(w, 0, sizeof(*w));
	hangs_read(&w->hangs0, &w->max_hang_ns);
	w->kmsg = kmsg_open(1);
	w->have_stats = !stats_read(&w->st0);
}

static void watch_stop(struct watch *w, const char *phase)
{
	unsigned long long max_before = w->max_hang_ns;

	w->hangs_ok = !hangs_read(&w->hangs1, &w->max_hang_ns);
	w->hang_msgs = kmsg_count(w->kmsg, HANG_MSG);
	if (w->kmsg >= 0)
		close(w->kmsg);
	if (w->have_stats && !stats_read(&w->st1)) {
		struct hw_stats d = stats_sub(&w->st1, &w->st0);

		ksft_print_msg("%s: the module's counters: ticks %lld, overruns %lld, queued %lld, queue_lost %lld\n",
			       phase, d.ticks, d.overruns, d.queued, d.queue_lost);
	}
	ksft_print_msg("%s: hrtimer hangs %llu (max_hang_time %llu ns%s), \"" HANG_MSG "\" lines %u\n",
		       phase, w->hangs1 - w->hangs0, w->max_hang_ns,
		       w->max_hang_ns > max_before ? ", new" : "", w->hang_msgs);
}

/* The steady state starts now: what is armed has had its first expiries. */
static void watch_steady_now(struct watch *w)
{
	unsigned long long max_ns;

	w->steady = !hangs_read(&w->steady0, &max_ns);
}

static void watch_steady(struct watch *w)
{
	sleep_ns(STEADY_NS);
	watch_steady_now(w);
}

static int watch_clean(const struct watch *w)
{
	return w->steady && w->hangs_ok && w->hangs1 == w->steady0;
}

static struct {
	double hw_rate, tfd_rate, requested, limit;
	long quiet_us, load_us;
	double consumed_rate, consume_hw_rate;
	unsigned long long consume_hw, consumed;
} fig = { .quiet_us = -1, .load_us = -1 };

static void attack(unsigned int cpus)
{
	struct attacker *a = calloc(opt.threads, sizeof(*a));
	unsigned long long nregs = 0, ntfds = 0;
	struct expiries e;
	struct cyclic cyc;
	struct watch w;
	uint64_t t0, t1, t_armed, deadline;
	unsigned int i;
	int err, ok;

	if (!a)
		ksft_exit_fail_msg("out of memory\n");
	/* The quiet baseline, the same length as the attack. */
	if (!cyclic_start(&cyc, opt.seconds, cpus)) {
		fig.quiet_us = cyclic_finish(&cyc, now_ns() +
					     (opt.seconds + 30) * NSEC_PER_SEC);
		ksft_print_msg("cyclictest, quiet, %u s: max %ld us\n",
			       opt.seconds, fig.quiet_us);
	} else {
		ksft_print_msg("no %s: no latency figures\n", CYCLICTEST);
	}

	err = counters_start();
	if (err)
		ksft_exit_fail_msg("counting %s: %s\n", EXPIRE_EVENT,
				   strerror(err));
	watch_start(&w);
	t0 = now_ns();
	/*
	 * The threads set up (timerfds, then registrations) until the setup
	 * deadline, which only a drowning guest reaches; the attack then runs
	 * --seconds with everything armed. The expiries are counted from the
	 * start of the setup to the last close.
	 */
	deadline = t0 + opt.setup_seconds * NSEC_PER_SEC;
	for (i = 0; i < opt.threads; i++) {
		a[i].cpu = i % cpus;
		a[i].deadline = deadline;
		a[i].dev = -1;
		a[i].tfds = calloc(opt.regs, sizeof(int));
		if (!a[i].tfds)
			ksft_exit_fail_msg("out of memory\n");
		err = pthread_create(&a[i].th, NULL, attacker_fn, &a[i]);
		if (err)
			ksft_exit_fail_msg("pthread_create: %s\n", strerror(err));
	}
	for (i = 0; i < opt.threads; i++)
		pthread_join(a[i].th, NULL);
	t_armed = now_ns();
	if (cyclic_start(&cyc, opt.seconds, cpus))
		cyc.pid = -1;
	watch_steady(&w);
	sleep_ns(opt.seconds * NSEC_PER_SEC - STEADY_NS);
	/* Closing ends every registration (release) and timerfd. */
	for (i = 0; i < opt.threads; i++) {
		unsigned int j;

		if (a[i].dev >= 0)
			close(a[i].dev);
		for (j = 0; j < a[i].ntfds; j++)
			close(a[i].tfds[j]);
		nregs += a[i].nregs;
		ntfds += a[i].ntfds;
	}
	t1 = now_ns();
	err = counters_read(&e);
	counters_stop();
	fig.load_us = cyclic_finish(&cyc, now_ns() + 30 * NSEC_PER_SEC);
	watch_stop(&w, "attack");
	if (err)
		ksft_exit_fail_msg("reading the counts of %s: %s\n",
				   EXPIRE_EVENT, strerror(err));

	ok = 1;
	for (i = 0; i < opt.threads; i++) {
		if (a[i].err) {
			ksft_print_msg("attack thread %u: %s: %s (after %u registrations)\n",
				       i, a[i].what, errno_name(a[i].err), a[i].nregs);
			ok = 0;
		}
		free(a[i].tfds);
	}
	free(a);

	fig.requested = nregs * 1e9 / opt.period_ns;
	fig.hw_rate = per_s(e.hwevent, t1 - t0);
	fig.tfd_rate = per_s(e.timerfd, t1 - t0);
	fig.limit = nregs + 2 * fig.tfd_rate;
	ksft_print_msg("attack: %u threads x %u registrations (half QUEUE, half EVENTFD), period %llu ns, never read: %llu registrations, %llu timerfds, set up in %.3f s (at most %u), then %u s armed; %.3f s in all\n",
		       opt.threads, opt.regs, opt.period_ns, nregs, ntfds,
		       (t_armed - t0) / 1e9, opt.setup_seconds, opt.seconds,
		       (t1 - t0) / 1e9);
	if (nregs != (unsigned long long)opt.threads * opt.regs ||
	    ntfds != nregs)
		ksft_print_msg("attack: the setup did not complete: %llu of %llu registrations, %llu timerfds\n",
			       nregs, (unsigned long long)opt.threads * opt.regs,
			       ntfds);
	ksft_print_msg("attack: hrtimer expiries: hwevent %llu (%.0f/s), timerfd %llu (%.0f/s); requested %.0f/s; hwevent/timerfd %.1f%s\n",
		       e.hwevent, fig.hw_rate, e.timerfd, fig.tfd_rate,
		       fig.requested,
		       e.timerfd ? (double)e.hwevent / e.timerfd : 0.0,
		       e.overwritten ? " (some overwritten in the buffers, still counted)" : "");
	ksft_print_msg("cyclictest, under the attack: max %ld us (quiet: %ld us, ratio %.1f)\n",
		       fig.load_us, fig.quiet_us,
		       fig.quiet_us > 0 && fig.load_us >= 0 ?
		       (double)fig.load_us / fig.quiet_us : 0.0);

	tap_result(ok && nregs == (unsigned long long)opt.threads * opt.regs &&
		   ntfds == nregs && e.timerfd > 0 && fig.hw_rate <= fig.limit,
		   "attack: hwevent hrtimer expiries %.0f/s <= registrations + 2 x timerfd's (%.0f/s); requested %.0f/s",
		   fig.hw_rate, fig.limit, fig.requested);
	tap_result(watch_clean(&w),
		   "attack: no hrtimer hang in its steady state (nr_hangs +%llu from %.1f s on; +%llu in all, \"" HANG_MSG "\" x%u)",
		   w.hangs1 - w.steady0, STEADY_NS / 1e9,
		   w.hangs1 - w.hangs0, w.hang_msgs);
	if (fig.quiet_us < 0 && fig.load_us < 0 && access(CYCLICTEST, X_OK))
		tap_skip("attack: cyclictest's max latency", "no %s (rt-tests)",
			 CYCLICTEST);
	else
		tap_result(fig.quiet_us >= 0 && fig.load_us >= 0 &&
			   fig.load_us <= 10 * fig.quiet_us + 20000,
			   "attack: cyclictest's max latency %ld us <= 10 x quiet (%ld us) + 20 ms",
			   fig.load_us, fig.quiet_us);
}

static void consume(void)
{
	unsigned long long asked = 0, consumed = 0, allowed;
	uint64_t t0, t1, start, end, t_read;
	uint64_t interval = NSEC_PER_SEC / opt.consume_rate;
	long long qsize = param_read(QUEUE_SIZE_PATH);
	struct hwevent_register r;
	struct hwevent_event ev;
	struct expiries e;
	struct watch w;
	unsigned int i, nregs = 0, insane = 0;
	int dev, err;

	if (qsize < 0)
		qsize = 64;
	err = counters_start();
	if (err)
		ksft_exit_fail_msg("counting %s: %s\n", EXPIRE_EVENT,
				   strerror(err));
	watch_start(&w);
	t0 = now_ns();
	dev = open(HWEVENT_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (dev < 0)
		ksft_exit_fail_msg("open %s: %s\n", HWEVENT_PATH, strerror(errno));
	for (i = 0; i < opt.regs &&
	     now_ns() < t0 + opt.setup_seconds * NSEC_PER_SEC; i++) {
		reg_set(&r, HWEVENT_MODE_QUEUE, -1, opt.period_ns, i);
		r.period_ns = opt.period_ns;
		err = do_register(dev, &r);
		if (err) {
			ksft_print_msg("consume: registration %u: %s\n", i,
				       errno_name(err));
			break;
		}
		nregs++;
	}
	/*
	 * One read per interval, on the clock: a read that comes late does
	 * not bring more after it, and the phase ends on time (the reads
	 * asked for are the ones made).
	 */
	start = now_ns();
	end = start + opt.seconds * NSEC_PER_SEC;
	for (i = 1; now_ns() < end; i++) {
		if (!w.steady && now_ns() >= start + STEADY_NS)
			watch_steady_now(&w);
		uint64_t slot = start + i * interval, now = now_ns();

		if (slot > now)
			sleep_until_ns(slot);
		else
			i = (now - start) / interval + 1;
		asked++;
		if (read(dev, &ev, sizeof(ev)) == (ssize_t)sizeof(ev)) {
			consumed++;
			if (queue_record_insane(&ev))
				insane++;
		}
	}
	t_read = now_ns();
	close(dev);
	t1 = now_ns();
	err = counters_read(&e);
	counters_stop();
	watch_stop(&w, "consume");
	if (err)
		ksft_exit_fail_msg("reading the counts of %s: %s\n",
				   EXPIRE_EVENT, strerror(err));

	fig.consume_hw = e.hwevent;
	fig.consumed = consumed;
	fig.consumed_rate = per_s(consumed, t_read - start);
	fig.consume_hw_rate = per_s(e.hwevent, t1 - t0);
	allowed = opt.consume_factor * consumed + nregs + qsize;
	ksft_print_msg("consume: %u QUEUE registrations, period %llu ns, one reader asking %u records/s for %u s: %llu reads, %llu records read (%.0f/s), %u insane; the phase took %.3f s\n",
		       nregs, opt.period_ns, opt.consume_rate, opt.seconds,
		       asked, consumed, fig.consumed_rate, insane,
		       (t1 - t0) / 1e9);
	ksft_print_msg("consume: hrtimer expiries: hwevent %llu (%.0f/s, %.1f per record read); allowed %llu (%u x read + registrations + queue_size %lld); requested %.0f/s\n",
		       e.hwevent, fig.consume_hw_rate,
		       consumed ? (double)e.hwevent / consumed : 0.0, allowed,
		       opt.consume_factor, qsize, nregs * 1e9 / opt.period_ns);

	tap_result(nregs == opt.regs && asked && consumed * 2 >= asked && !insane,
		   "consume: the reader gets %llu records in %llu reads (at least half), all sane",
		   consumed, asked);
	tap_result(nregs == opt.regs && e.hwevent <= allowed,
		   "consume: hwevent hrtimer expiries %llu <= %u x records read + registrations + queue_size (%llu)",
		   e.hwevent, opt.consume_factor, allowed);
	tap_result(watch_clean(&w),
		   "consume: no hrtimer hang in its steady state (nr_hangs +%llu from %.1f s on; +%llu in all, \"" HANG_MSG "\" x%u)",
		   w.hangs1 - w.steady0, STEADY_NS / 1e9,
		   w.hangs1 - w.hangs0, w.hang_msgs);
}

static void usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [--seconds S] [--threads N] [--regs N] [--period-ns NS]\n"
		"       [--consume-rate N] [--consume-factor F] [--limit-seconds S]\n"
		"  --seconds S         each phase's length (default 3)\n"
		"  --threads N         attack threads, one file each (default: one per CPU)\n"
		"  --regs N            periodic registrations per file (default: max_pending)\n"
		"  --period-ns NS      their period (default %llu, the shortest)\n"
		"  --consume-rate N    records/s the consuming reader reads (default 200)\n"
		"  --consume-factor F  expiries allowed per record read (default 4)\n"
		"  --setup-seconds S   the attack's setup stops after S s (default 60)\n"
		"  --limit-seconds S   watchdog: fail after S s in all (default 250)\n",
		prog, (unsigned long long)HWEVENT_MIN_PERIOD_NS);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "regs", required_argument, NULL, 'r' },
		{ "period-ns", required_argument, NULL, 'p' },
		{ "consume-rate", required_argument, NULL, 'c' },
		{ "consume-factor", required_argument, NULL, 'f' },
		{ "limit-seconds", required_argument, NULL, 'l' },
		{ "setup-seconds", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long long max_pending;
	struct rlimit rl;
	struct stat sb;
	int c;

	while ((c = getopt_long(argc, argv, "s:t:r:p:c:f:l:S:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			opt.seconds = parse_num(argv[0], "--seconds", optarg);
			break;
		case 't':
			opt.threads = parse_num(argv[0], "--threads", optarg);
			break;
		case 'r':
			opt.regs = parse_num(argv[0], "--regs", optarg);
			break;
		case 'p':
			opt.period_ns = parse_num(argv[0], "--period-ns", optarg);
			break;
		case 'c':
			opt.consume_rate = parse_num(argv[0], "--consume-rate", optarg);
			break;
		case 'f':
			opt.consume_factor = parse_num(argv[0], "--consume-factor", optarg);
			break;
		case 'l':
			opt.limit_seconds = parse_num(argv[0], "--limit-seconds", optarg);
			break;
		case 'S':
			opt.setup_seconds = parse_num(argv[0], "--setup-seconds", optarg);
			break;
		case 'h':
			usage(argv[0], 0);
			break;
		default:
			usage(argv[0], 2);
		}
	}
	if (optind != argc || !opt.seconds || !opt.consume_rate ||
	    opt.consume_rate > 100000 || opt.period_ns < HWEVENT_MIN_PERIOD_NS)
		usage(argv[0], 2);
	if (!cpus)
		cpus = 1;
	if (!opt.threads)
		opt.threads = cpus;

	require_device();
	ksft_print_header();
	if (stat(INSTANCES, &sb) || stat(TRACEFS "/" EXPIRE_EVENT "/filter", &sb))
		ksft_exit_skip("no %s/%s/filter or %s: tracefs is needed\n",
			       TRACEFS, EXPIRE_EVENT, INSTANCES);
	max_pending = read_max_pending();
	if (!opt.regs)
		opt.regs = max_pending > 0 ? max_pending : 1024;
	if (max_pending > 0 && opt.regs > max_pending)
		opt.regs = max_pending;
	/* The timerfds: threads x regs descriptors at once. */
	rl.rlim_cur = rl.rlim_max = (rlim_t)opt.threads * opt.regs + 256;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		ksft_print_msg("setrlimit(RLIMIT_NOFILE, %llu): %s\n",
			       (unsigned long long)rl.rlim_cur, strerror(errno));

	signal(SIGALRM, on_alarm);
	alarm(opt.limit_seconds);
	ksft_set_plan(6);
	{
		int kfd = kmsg_open(0);
		unsigned int before = kmsg_count(kfd, HANG_MSG);

		if (kfd >= 0)
			close(kfd);
		if (before)
			ksft_print_msg("the kernel printed \"" HANG_MSG "\" before this run (it does once per boot): the hang checks rely on nr_hangs\n");
	}

	attack(cpus);
	consume();

	ksft_print_msg("figures: threads=%u regs=%u period_ns=%llu attack_hwevent_per_s=%.0f attack_timerfd_per_s=%.0f attack_requested_per_s=%.0f attack_limit_per_s=%.0f cyclictest_quiet_max_us=%ld cyclictest_load_max_us=%ld consume_read_per_s=%.0f consume_hwevent_per_s=%.0f consume_hwevent_per_read=%.1f\n",
		       opt.threads, opt.regs, opt.period_ns, fig.hw_rate,
		       fig.tfd_rate, fig.requested, fig.limit, fig.quiet_us,
		       fig.load_us, fig.consumed_rate, fig.consume_hw_rate,
		       fig.consumed ? (double)fig.consume_hw / fig.consumed : 0.0);
	return tap_exit();
}
