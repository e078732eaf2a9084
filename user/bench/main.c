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
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/signals.h"

#include "bench/bench.h"

const char prog_name[] = PROG;

/* The sections' names, for --sections, the output and the checks. */
const char *const section_names[NR_SECTIONS] = {
	[S_LATENCY]	= "latency",
	[S_THROUGHPUT]	= "throughput",
	[S_SCALE]	= "scale",
	[S_FANOUT]	= "fanout",
};

/* Per path: its name, the baseline it is compared with, whether it is ours. */
const struct path_info path_info[NR_PATHS] = {
	[P_PENDING]	= { "pending",		P_TFD_READ,	true },
	[P_EFD_READ]	= { "eventfd-read",	P_TFD_READ,	true },
	[P_EFD_EPOLL]	= { "eventfd-epoll",	P_TFD_EPOLL,	true },
	[P_QUEUE_READ]	= { "queue-read",	P_TFD_READ,	true },
	[P_QUEUE_EPOLL]	= { "queue-epoll",	P_TFD_EPOLL,	true },
	[P_URING_READ]	= { "uring-read",	P_TFD_READ,	true },
	[P_URING_CMD]	= { "uring-cmd",	P_TFD_READ,	true },
	[P_EDU_PENDING]	= { "edu-pending",	P_TFD_READ,	true },
	[P_TFD_READ]	= { "timerfd-read",	P_TFD_READ,	false },
	[P_TFD_EPOLL]	= { "timerfd-epoll",	P_TFD_EPOLL,	false },
};

/* The throughput section's candidates' names. */
const char *const cand_names[NR_CANDS] = {
	[C_QUEUE]	= "queue",
	[C_EVENTFD]	= "eventfd",
	[C_TIMERFD]	= "timerfd",
};

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
	if (o->sections & 1U << S_LATENCY && o->paths & 1U << P_EDU_PENDING &&
	    edu_probe(&b))
		return 1;

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
		free(b.lat[i].dirq);
	}
	return ret;
}
